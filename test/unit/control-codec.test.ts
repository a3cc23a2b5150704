// The control channel's encoder and decoder (names, chat, media state): what goes out comes back
// the same, and what a hostile or broken peer sends is refused with the reason.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  ControlRejection,
  decodeControlMessage,
  encodeControlMessage,
  MAX_CONTROL_MESSAGE_CHARS,
  type OutgoingControlMessage,
  PROTOCOL_VERSION,
} from '../../src/protocol/index.js';

const message = (fields: Record<string, unknown>) => JSON.stringify({ v: PROTOCOL_VERSION, ...fields });
const reason = (data: unknown) => {
  const decoded = decodeControlMessage(data);
  return decoded.ok ? 'accepted' : decoded.reason;
};

describe('control messages', () => {
  describe('round trips', () => {
    const samples: OutgoingControlMessage[] = [
      { type: 'hello', name: 'Dr. Müller', capabilities: ['chat', 'hd', 'files'] },
      { type: 'hello', name: '', capabilities: [] },
      { type: 'media', camera: true, microphone: false, videoPaused: true },
      { type: 'media', camera: false, microphone: true },
      { type: 'media', camera: true, microphone: true, screen: true },
      { type: 'media', camera: false, microphone: true, videoPaused: false, screen: false },
      { type: 'chat', id: '17', text: 'Line one\nline two 👋', sentAt: 1_764_000_000_000 },
    ];
    for (const sample of samples) {
      it(`${sample.type}: ${JSON.stringify(sample).slice(0, 60)}`, () => {
        const text = encodeControlMessage(sample);
        assert.equal(JSON.parse(text).v, PROTOCOL_VERSION, 'the encoder adds the version');
        assert.deepEqual(decodeControlMessage(text), { ok: true, message: { v: PROTOCOL_VERSION, ...sample } });
      });
    }
  });

  describe('refuses', () => {
    it('anything but text, and text that is not a JSON object', () => {
      for (const data of [new ArrayBuffer(8), 42, null, undefined, { type: 'hello' }]) assert.equal(reason(data), ControlRejection.Malformed);
      for (const data of ['{"v":1,', '', 'null', '[]', '"hello"', '7', 'true']) assert.equal(reason(data), ControlRejection.Malformed, data);
    });

    it(`text longer than ${MAX_CONTROL_MESSAGE_CHARS} characters, before parsing it`, () => {
      const padded = message({ type: 'chat', id: '1', text: 'x'.repeat(MAX_CONTROL_MESSAGE_CHARS), sentAt: 1 });
      assert.equal(reason(padded), ControlRejection.TooLarge);
      assert.equal(reason(' '.repeat(MAX_CONTROL_MESSAGE_CHARS + 1)), ControlRejection.TooLarge);
    });

    it('another protocol version, or none', () => {
      assert.equal(reason(JSON.stringify({ v: PROTOCOL_VERSION + 1, type: 'media', camera: true, microphone: true })), ControlRejection.Version);
      assert.equal(reason(JSON.stringify({ type: 'media', camera: true, microphone: true })), ControlRejection.Version);
      assert.equal(reason(JSON.stringify({ v: String(PROTOCOL_VERSION), type: 'media', camera: true, microphone: true })), ControlRejection.Version);
    });

    it('types it does not know, file-transfer ones included', () => {
      for (const type of ['file-offer', 'HELLO', 'toString', '__proto__', undefined, 1]) {
        assert.equal(reason(message({ type })), ControlRejection.UnknownType, String(type));
      }
    });

    it('known types with a missing or wrong field', () => {
      const invalid = [
        { type: 'hello', capabilities: [] },
        { type: 'hello', name: 'x'.repeat(257), capabilities: [] },
        { type: 'hello', name: 'A', capabilities: 'files' },
        { type: 'hello', name: 'A', capabilities: Array(33).fill('chat') },
        { type: 'hello', name: 'A', capabilities: [{ files: true }] },
        { type: 'hello', name: 'A', capabilities: ['x'.repeat(65)] },
        { type: 'media', camera: 'yes', microphone: true },
        { type: 'media', camera: true },
        { type: 'media', camera: true, microphone: true, videoPaused: 1 },
        { type: 'media', camera: true, microphone: true, screen: 'yes' },
        { type: 'media', camera: true, microphone: true, screen: null },
        { type: 'chat', id: '', text: 'hi', sentAt: 1 },
        { type: 'chat', id: 'x'.repeat(65), text: 'hi', sentAt: 1 },
        { type: 'chat', id: 7, text: 'hi', sentAt: 1 },
        { type: 'chat', id: '1', text: ['hi'], sentAt: 1 },
        { type: 'chat', id: '1', text: 'hi', sentAt: '1' },
        { type: 'chat', id: '1', text: 'hi' },
      ];
      for (const fields of invalid) assert.equal(reason(message(fields)), ControlRejection.Invalid, JSON.stringify(fields));
      // JSON.parse turns a number too large for a double into Infinity.
      assert.equal(
        reason(message({ type: 'chat', id: '1', text: 'hi', sentAt: 0 }).replace('"sentAt":0', '"sentAt":1e999')),
        ControlRejection.Invalid,
      );
    });

    it('takes the longest fields allowed', () => {
      const longest = [
        { type: 'hello', name: 'x'.repeat(256), capabilities: Array(32).fill('y'.repeat(64)) },
        { type: 'chat', id: 'x'.repeat(64), text: '', sentAt: 0 },
      ];
      for (const fields of longest) assert.equal(reason(message(fields)), 'accepted');
    });

    it('does not let a message change what every object inherits', () => {
      const decoded = decodeControlMessage(
        '{"v":' + PROTOCOL_VERSION + ',"type":"media","camera":true,"microphone":true,"__proto__":{"polluted":true}}',
      );
      assert.equal(decoded.ok, true);
      assert.equal(({} as Record<string, unknown>).polluted, undefined);
    });
  });
});
