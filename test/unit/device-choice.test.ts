// The decisions about devices that need no browser: the picker's list, the fallback of a lost
// device, the camera a flip goes to, what is remembered, and which media changes are announced.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  fallbackDevice,
  type FoundDevice,
  isGone,
  nextCamera,
  parseRemembered,
  rememberedText,
  sameDeviceList,
  toDeviceList,
} from '../../src/core/device-choice.js';
import { MediaChanges, mediaChanges } from '../../src/core/media-changes.js';
import type { DeviceOption, MediaChange } from '../../src/core/session-types.js';

const found: FoundDevice[] = [
  { kind: 'videoinput', deviceId: 'cam0', label: 'fake_device_0' },
  { kind: 'videoinput', deviceId: 'cam1', label: 'fake_device_1' },
  { kind: 'audioinput', deviceId: 'default', label: 'Default' },
  { kind: 'audioinput', deviceId: 'mic1', label: 'Fake Audio Input 1' },
  { kind: 'audiooutput', deviceId: 'out1', label: 'Fake Audio Output 1' },
];
const active = { camera: 'cam0', microphone: 'default', speaker: '' };
const cam = (id: string, facing?: 'user' | 'environment'): DeviceOption => ({ kind: 'camera', id, label: id, ...(facing ? { facing } : {}) });

describe('device list', () => {
  it('sorts devices by kind and keeps the ids in use', () => {
    const list = toDeviceList(found, active, true);
    assert.deepEqual(
      list.cameras.map((c) => c.id),
      ['cam0', 'cam1'],
    );
    assert.deepEqual(
      list.microphones.map((c) => c.label),
      ['Default', 'Fake Audio Input 1'],
    );
    assert.deepEqual(list.speakers, [{ kind: 'speaker', id: 'out1', label: 'Fake Audio Output 1' }]);
    assert.equal(list.camera, 'cam0');
  });

  it('lists no speakers where the browser cannot choose where sound plays', () => {
    assert.deepEqual(toDeviceList(found, active, false).speakers, []);
  });

  it('carries the facing of a camera that reports one, and none otherwise', () => {
    const list = toDeviceList([{ kind: 'videoinput', deviceId: 'back', label: 'Back', facing: 'environment' }, ...found], active, false);
    assert.equal(list.cameras[0]!.facing, 'environment');
    assert.equal('facing' in list.cameras[1]!, false);
  });

  it('leaves out devices without ids (listed before permission)', () => {
    assert.deepEqual(toDeviceList([{ kind: 'videoinput', deviceId: '', label: '' }], active, true).cameras, []);
  });

  it('tells a change of list or of the device in use from none', () => {
    const a = toDeviceList(found, active, true);
    assert.ok(sameDeviceList(a, toDeviceList(found, active, true)));
    assert.ok(!sameDeviceList(a, toDeviceList(found, { ...active, camera: 'cam1' }, true)));
    assert.ok(!sameDeviceList(a, toDeviceList(found.slice(1), active, true)));
  });
});

describe('lost devices', () => {
  const mics: DeviceOption[] = toDeviceList(found, active, false).microphones;

  it('counts a device as gone only when it is in use and no longer listed', () => {
    assert.ok(isGone(mics, 'mic0'));
    assert.ok(!isGone(mics, 'mic1'));
    assert.ok(!isGone(mics, ''));
    assert.ok(!isGone([], 'default'));
  });

  it('falls back to the system default, else the first other device, else none', () => {
    assert.equal(fallbackDevice(mics, 'mic0')?.id, 'default');
    assert.equal(fallbackDevice([cam('cam0'), cam('cam1')], 'cam0')?.id, 'cam1');
    assert.equal(fallbackDevice([cam('cam1')], 'cam0')?.id, 'cam1');
    assert.equal(fallbackDevice([cam('cam0')], 'cam0'), undefined);
  });
});

describe('camera flip', () => {
  it('turns to the camera facing the other way where cameras say so', () => {
    const cameras = [cam('front', 'user'), cam('wide', 'environment'), cam('back', 'environment')];
    assert.equal(nextCamera(cameras, 'front')?.id, 'wide');
    assert.equal(nextCamera(cameras, 'back')?.id, 'front');
  });

  it('goes to the next camera, round, where cameras do not say which way they face', () => {
    const cameras = [cam('a'), cam('b'), cam('c')];
    assert.equal(nextCamera(cameras, 'a')?.id, 'b');
    assert.equal(nextCamera(cameras, 'c')?.id, 'a');
    // A camera that is off (or unknown) flips to the first.
    assert.equal(nextCamera(cameras, '')?.id, 'a');
  });

  it('has nowhere to go with one camera', () => {
    assert.equal(nextCamera([cam('a')], 'a'), undefined);
  });
});

describe('remembered devices', () => {
  it('stores the chosen ids and nothing else', () => {
    const text = rememberedText({ camera: 'cam1', microphone: '', speaker: 'out1' });
    assert.deepEqual(JSON.parse(text), { camera: 'cam1', speaker: 'out1' });
    assert.deepEqual(parseRemembered(text), { camera: 'cam1', speaker: 'out1' });
  });

  it('reads malformed or foreign text as nothing remembered', () => {
    for (const text of [null, '', '{', '[]', '"x"', '{"camera":5}', `{"camera":"${'x'.repeat(300)}"}`]) {
      assert.deepEqual(parseRemembered(text), {}, String(text));
    }
    assert.deepEqual(parseRemembered('{"camera":"a","label":"Doctor\'s camera"}'), { camera: 'a' });
  });
});

describe('media changes', () => {
  it('announces each camera and microphone that turned on or off, and leaves the screen to the screen share', () => {
    assert.deepEqual(mediaChanges('local', { camera: true, microphone: true }, { camera: false, microphone: true, screen: false }), [
      { side: 'local', source: 'camera', on: false },
    ]);
    assert.deepEqual(mediaChanges('remote', { camera: true, microphone: true }, { camera: true, microphone: false, screen: true }), [
      { side: 'remote', source: 'microphone', on: false },
    ]);
    assert.deepEqual(
      mediaChanges('local', { camera: true, microphone: true, videoPaused: false }, { camera: true, microphone: true, videoPaused: true }),
      [],
    );
  });

  it('compares each side with its own last state, and says nothing before a side started', () => {
    const seen: MediaChange[] = [];
    const changes = new MediaChanges((c) => seen.push(c));
    changes.update('local', { camera: false, microphone: true });
    assert.deepEqual(seen, []);
    changes.reset('local', { camera: true, microphone: true });
    changes.reset('remote', { camera: true, microphone: true });
    changes.update('remote', { camera: false, microphone: true });
    changes.update('local', { camera: true, microphone: true });
    changes.update('local', { camera: true, microphone: false });
    changes.update('remote', { camera: false, microphone: true });
    assert.deepEqual(seen, [
      { side: 'remote', source: 'camera', on: false },
      { side: 'local', source: 'microphone', on: false },
    ]);
  });
});
