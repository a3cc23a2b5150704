// The verification code's test vectors, read from docs/protocol.md, against the element's own
// implementation and against the algorithm as the page words it (step by step, with node:crypto).
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { verificationCode } from '../../src/core/verification.js';

const SPEC = readFileSync(new URL('../../docs/protocol.md', import.meta.url), 'utf8');

function vectors(): Array<{ a: string; b: string; code: string }> {
  const block = /<!-- verification-vectors[^\n]*\n```text\n([\s\S]*?)```/.exec(SPEC);
  assert.ok(block, 'the vectors block in docs/protocol.md');
  return block[1]!
    .trim()
    .split(/\n\s*\n/)
    .map((vector) => {
      const [a, b, code] = vector.split('\n');
      return { a: a!, b: b!, code: code! };
    });
}

/** Steps 3 to 6 of the page, written from its words alone. */
function asSpecified(a: string, b: string): string {
  const [first, second] = [a, b].sort();
  const digest = createHash('sha256').update(`video-consult verification v1\n${first}\n${second}`, 'utf8').digest();
  const n = digest.readBigUInt64BE(0) % 10n ** 15n;
  return n
    .toString()
    .padStart(15, '0')
    .replace(/(\d{3})(?=\d)/g, '$1 ');
}

describe('verification code', () => {
  it('the page has test vectors in the documented form', () => {
    const all = vectors();
    assert.ok(all.length >= 3);
    for (const { a, b, code } of all) {
      for (const fp of [a, b]) assert.match(fp, /^sha-256 ([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
      assert.match(code, /^\d{3} \d{3} \d{3} \d{3} \d{3}$/);
    }
  });

  it('src/core/verification.ts gives each vector its code, in either order', async () => {
    for (const { a, b, code } of vectors()) {
      assert.equal(await verificationCode(a, b), code);
      assert.equal(await verificationCode(b, a), code);
    }
  });

  it('the algorithm as worded on the page gives the same codes, leading zeros included', () => {
    for (const { a, b, code } of vectors()) assert.equal(asSpecified(a, b), code);
    assert.ok(
      vectors().some((v) => v.code.startsWith('0')),
      'a vector whose code starts with 0',
    );
  });

  it('the intermediate values the page gives for the first vector are right', () => {
    const { a, b } = vectors()[0]!;
    const digest = createHash('sha256')
      .update(`video-consult verification v1\n${[a, b].sort().join('\n')}`)
      .digest();
    assert.ok(SPEC.includes(digest.toString('hex')));
    assert.ok(SPEC.includes(digest.readBigUInt64BE(0).toString()));
  });
});
