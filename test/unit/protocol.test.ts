// Every JSON example in docs/protocol.md goes through the validator for its channel and passes;
// malformed variants of each (a required field missing, a field of the wrong type, another version,
// values just past each documented limit) are refused. So the page and src/protocol/ cannot drift.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import {
  decodeBlockFrame,
  encodeBlockFrame,
  FRAME_HEADER_BYTES,
  parseClientMessage,
  parseControlMessage,
  parseFileTransferMessage,
  parseServerMessage,
} from '../../src/protocol/index.js';

type Channel = 'client' | 'server' | 'control' | 'file';
type Msg = Record<string, unknown>;

const SPEC = readFileSync(new URL('../../docs/protocol.md', import.meta.url), 'utf8');

/** The examples of each ```json <channel> block, one message per line. */
function examples(channel: Channel): Msg[] {
  const found: Msg[] = [];
  for (const [, ch, body] of SPEC.matchAll(/```json (client|server|control|file)\n([\s\S]*?)```/g)) {
    if (ch !== channel) continue;
    for (const line of body!.split('\n')) if (line.trim()) found.push(JSON.parse(line) as Msg);
  }
  return found;
}

/** Whether the validator of `channel` takes the message (text, as it travels). */
function accepts(channel: Channel, m: unknown): boolean {
  const text = typeof m === 'string' ? m : JSON.stringify(m);
  switch (channel) {
    case 'client':
      return parseClientMessage(text).ok;
    case 'server':
      return parseServerMessage(text).ok;
    case 'control':
      return parseControlMessage(text) !== undefined;
    case 'file':
      return parseFileTransferMessage(text) !== undefined;
  }
}

/** Fields the spec marks optional (`?`), by type. */
const OPTIONAL: Record<string, string[]> = {
  join: ['resume'],
  admitted: ['session', 'iceServers'],
  'ice-servers': ['ttlSeconds'],
  error: ['fatal'],
  media: ['videoPaused', 'screen'],
};

/** A value of another JSON type than `x`. */
const wrongType = (x: unknown): unknown =>
  typeof x === 'string' ? 42 : typeof x === 'number' ? '1' : typeof x === 'boolean' ? 'yes' : Array.isArray(x) ? {} : x === null ? 42 : 'x';

const TYPES: Record<Channel, string[]> = {
  client: ['join', 'ice-servers', 'description', 'candidate', 'admit', 'decline', 'leave'],
  server: ['joined', 'knock', 'admitted', 'ice-servers', 'peer-joined', 'peer-left', 'description', 'candidate', 'error'],
  control: ['hello', 'media', 'chat'],
  file: ['file-offer', 'file-accept', 'file-decline', 'file-ack', 'file-resume', 'file-resync', 'file-end', 'file-complete', 'file-cancel'],
};

for (const channel of Object.keys(TYPES) as Channel[]) {
  describe(`docs/protocol.md, ${channel} messages`, () => {
    const all = examples(channel);

    it('has an example of every message type, and each passes its validator', () => {
      assert.deepEqual([...new Set(all.map((m) => m.type))].sort(), [...TYPES[channel]].sort());
      for (const m of all) assert.ok(accepts(channel, m), `refused: ${JSON.stringify(m)}`);
    });

    it('refuses each example with a required field missing, and takes it without an optional one', () => {
      for (const m of all) {
        for (const field of Object.keys(m)) {
          const { [field]: _, ...without } = m;
          const optional = (OPTIONAL[m.type as string] ?? []).includes(field);
          assert.equal(accepts(channel, without), optional, `${m.type} without ${field}`);
        }
      }
    });

    it('refuses each example with any field of another type, with another version, or of an unknown type', () => {
      for (const m of all) {
        for (const field of Object.keys(m)) {
          if (field === 'type') continue;
          assert.equal(
            accepts(channel, { ...m, [field]: wrongType(m[field]) }),
            false,
            `${m.type}.${field} as ${JSON.stringify(wrongType(m[field]))}`,
          );
        }
        assert.equal(accepts(channel, { ...m, v: 2 }), false, `${m.type} with v 2`);
        assert.equal(accepts(channel, { ...m, type: `${m.type}-x` }), false, `${m.type}-x`);
      }
      for (const text of ['', 'null', '[]', '"join"', '{"v":1}', '{not json']) assert.equal(accepts(channel, text), false, text);
    });
  });
}

const first = (channel: Channel, type: string): Msg => examples(channel).find((m) => m.type === type)!;
const with_ = (m: Msg, patch: Msg): Msg => ({ ...m, ...patch });

describe('docs/protocol.md, limits', () => {
  it('signaling: room, role, resume, SDP, candidate, ICE servers and frame size', () => {
    const join = first('client', 'join');
    assert.equal(parseClientMessage(JSON.stringify(with_(join, { room: 'a'.repeat(64) }))).ok, true);
    for (const room of ['', 'a'.repeat(65), '../x', 'a b', 'ä']) {
      const r = parseClientMessage(JSON.stringify(with_(join, { room })));
      assert.equal(r.ok ? 'ok' : r.code, 'invalid-room', room);
    }
    const role = parseClientMessage(JSON.stringify(with_(join, { role: 'nurse' })));
    assert.equal(role.ok ? 'ok' : role.code, 'invalid-role');
    assert.equal(accepts('client', with_(join, { resume: 'r'.repeat(512) })), true);
    assert.equal(accepts('client', with_(join, { resume: 'r'.repeat(513) })), false);

    const offer = first('client', 'description');
    const sdp = (n: number) => ({ description: { type: 'offer', sdp: 's'.repeat(n) } });
    assert.equal(accepts('client', with_(offer, sdp(61_440))), true);
    assert.equal(accepts('client', with_(offer, sdp(61_441))), false);
    assert.equal(accepts('client', with_(offer, { description: { type: 'offer' } })), false, 'an offer needs sdp');
    assert.equal(accepts('client', with_(offer, { description: { type: 'bogus', sdp: '' } })), false);

    const cand = first('client', 'candidate');
    const c = cand.candidate as Msg;
    assert.equal(accepts('client', with_(cand, { candidate: { candidate: '' } })), true, 'end of candidates as an empty string');
    for (const bad of [
      { candidate: 'c'.repeat(1025) },
      { sdpMLineIndex: -1 },
      { sdpMLineIndex: 1024 },
      { sdpMLineIndex: 0.5 },
      { sdpMid: 'm'.repeat(65) },
      { usernameFragment: 'u'.repeat(257) },
    ]) {
      assert.equal(accepts('client', with_(cand, { candidate: { ...c, ...bad } })), false, JSON.stringify(bad));
    }

    const joined = first('server', 'joined');
    const servers = (n: number) => Array.from({ length: n }, () => ({ urls: 'stun:turn.clinic.example:3478' }));
    assert.equal(accepts('server', with_(joined, { iceServers: servers(16) })), true);
    assert.equal(accepts('server', with_(joined, { iceServers: servers(17) })), false);
    assert.equal(accepts('server', with_(joined, { iceServers: [{ urls: [] }] })), false);
    assert.equal(accepts('server', with_(joined, { role: 'nurse' })), false);
    const error = first('server', 'error');
    assert.equal(accepts('server', with_(error, { code: 'no-such-code' })), false);
    assert.equal(accepts('server', with_(error, { fatal: 'yes' })), false);

    const big = JSON.stringify(with_(offer, sdp(60_000))).padEnd(65_537, ' ');
    const r = parseClientMessage(big);
    assert.equal(r.ok ? 'ok' : r.code, 'message-too-large');
  });

  it('control: name, capabilities, chat id and text', () => {
    const hello = first('control', 'hello');
    assert.equal(accepts('control', with_(hello, { name: 'n'.repeat(256) })), true);
    assert.equal(accepts('control', with_(hello, { name: 'n'.repeat(257) })), false);
    assert.equal(accepts('control', with_(hello, { capabilities: Array(32).fill('chat') })), true);
    assert.equal(accepts('control', with_(hello, { capabilities: Array(33).fill('chat') })), false);
    assert.equal(accepts('control', with_(hello, { capabilities: ['c'.repeat(65)] })), false);
    assert.equal(accepts('control', with_(hello, { capabilities: [1] })), false);
    const chat = first('control', 'chat');
    assert.equal(accepts('control', with_(chat, { id: 'i'.repeat(64) })), true);
    for (const id of ['', 'i'.repeat(65)]) assert.equal(accepts('control', with_(chat, { id })), false, `id ${id.length}`);
    assert.equal(accepts('control', with_(chat, { sentAt: Number.NaN })), false);
    assert.equal(accepts('control', JSON.stringify(with_(chat, { text: 't'.repeat(65_537) }))), false, 'over 64 KiB');
  });

  it('files: ids, tag, size, MIME type, block size, epochs and the transfer hash', () => {
    const offer = first('file', 'file-offer');
    const ok = (patch: Msg) => accepts('file', with_(offer, patch));
    for (const patch of [
      { blockSize: 1024 },
      { blockSize: 262_144 },
      { tag: 0xffffffff },
      { size: 0 },
      { mime: '' },
      { name: 'n'.repeat(1024) },
      { id: 'a'.repeat(64) },
    ]) {
      assert.equal(ok(patch), true, JSON.stringify(patch).slice(0, 60));
    }
    for (const patch of [
      { blockSize: 1023 },
      { blockSize: 262_145 },
      { tag: 0 },
      { tag: 2 ** 32 },
      { size: -1 },
      { size: 1.5 },
      { mime: 'pdf' },
      { name: 'n'.repeat(1025) },
      { id: '' },
      { id: 'a b' },
      { id: 'a'.repeat(65) },
    ]) {
      assert.equal(ok(patch), false, JSON.stringify(patch).slice(0, 60));
    }
    assert.equal(accepts('file', with_(first('file', 'file-resume'), { epoch: 0 })), false);
    assert.equal(accepts('file', with_(first('file', 'file-resume'), { epoch: 65_536 })), false);
    assert.equal(accepts('file', with_(first('file', 'file-resync'), { epoch: 0 })), true);
    assert.equal(accepts('file', with_(first('file', 'file-end'), { hash: 'E3B0'.padEnd(64, '0') })), false, 'uppercase hex');
    assert.equal(accepts('file', with_(first('file', 'file-end'), { hash: 'e3b0' })), false);
    assert.equal(accepts('file', with_(first('file', 'file-cancel'), { code: 'file-whatever' })), false);
  });

  it('block frames: the 44-byte header round-trips, and anything else is not a frame', () => {
    const hash = new Uint8Array(32).map((_, i) => i);
    const payload = new Uint8Array([1, 2, 3]);
    const frame = encodeBlockFrame(0xdeadbeef, 7, 3, hash.buffer, payload);
    assert.equal(frame.byteLength, FRAME_HEADER_BYTES + 3);
    const bytes = new Uint8Array(frame);
    assert.deepEqual([...bytes.subarray(0, 12)], [1, 1, 0, 3, 0xde, 0xad, 0xbe, 0xef, 0, 0, 0, 7]);
    const decoded = decodeBlockFrame(frame)!;
    assert.deepEqual({ tag: decoded.tag, index: decoded.index, epoch: decoded.epoch }, { tag: 0xdeadbeef, index: 7, epoch: 3 });
    assert.deepEqual([...decoded.hash], [...hash]);
    assert.deepEqual([...decoded.payload], [1, 2, 3]);
    assert.equal(decodeBlockFrame(frame.slice(0, FRAME_HEADER_BYTES - 1)), undefined, 'too short');
    for (const [at, value] of [
      [0, 2],
      [1, 2],
    ] as const) {
      const other = bytes.slice();
      other[at] = value;
      assert.equal(decodeBlockFrame(other.buffer), undefined, `byte ${at} = ${value}`);
    }
  });
});
