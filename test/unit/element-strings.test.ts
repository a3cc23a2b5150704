// Every error a person can meet has its own words in every built-in language: no ErrorCode may fall
// back to "Something went wrong" (strings.errors.unknown).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ErrorCode } from '../../src/core/errors.js';
import { DE } from '../../src/element/strings-de.js';
import '../../src/element/strings-errors.js';
import { EN, errorText, type Strings } from '../../src/element/strings.js';
import { MEDIA_EN, mediaStrings } from '../../src/element/call-media.js';

const LANGUAGES: Record<string, Strings> = { en: EN, de: DE };

for (const [lang, strings] of Object.entries(LANGUAGES)) {
  describe(`element strings (${lang})`, () => {
    for (const code of Object.values(ErrorCode)) {
      it(`has its own text for ${code}`, () => {
        const own = (strings.errors as Record<string, { title: string; remedy: string } | undefined>)[code];
        assert.ok(own, `strings.errors['${code}'] is missing in ${lang}`);
        assert.ok(own.title.trim(), `the title of ${code} is empty in ${lang}`);
        assert.equal(typeof own.remedy, 'string');
        assert.notDeepEqual(errorText(strings, code), strings.errors.unknown, `${code} shows the generic text in ${lang}`);
      });
    }
  });
}

describe('element strings: German differs from English', () => {
  it('translates every error title', () => {
    const same = Object.values(ErrorCode).filter((code) => errorText(DE, code).title === errorText(EN, code).title);
    assert.deepEqual(same, []);
  });
});

describe('element strings: devices, screen sharing, picture-in-picture and full screen', () => {
  it('German has every text of the English table that comes with the call engine, each its own', () => {
    for (const key of Object.keys(MEDIA_EN) as Array<keyof typeof MEDIA_EN>) {
      const de = DE[key];
      assert.ok(de?.trim(), `strings-de.ts has no ${key}`);
      assert.notEqual(de, MEDIA_EN[key], `${key} is not translated`);
    }
  });

  it('a page override wins over the built-in text', () => {
    assert.equal(mediaStrings({ ...EN, shareScreen: 'Bildschirm zeigen' }).shareScreen, 'Bildschirm zeigen');
    assert.equal(mediaStrings(EN).shareScreen, MEDIA_EN.shareScreen);
  });
});
