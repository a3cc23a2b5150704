/**
 * Bounded fuzzing on loopback: malformed and mutated frames, oversized and fragmented frames, a
 * flood, and half-open TCP connections. The server must answer with valid coded frames or close
 * the offending socket, keep an unrelated call working, and give back its memory.
 */
import assert from 'node:assert/strict';
import { connect, type Socket } from 'node:net';
import { describe, it } from 'node:test';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { MAX_FRAME_BYTES, parseServerMessage } from '../../src/protocol/index.js';
import { admittedPair, startServer, TestClient } from './helpers.js';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

/** A small seeded generator, so a failure can be replayed. */
function rng(seed: number) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const VALID: Array<Record<string, unknown>> = [
  { v: 1, type: 'join', room: 'fz', role: 'doctor' },
  { v: 1, type: 'join', room: 'fz', role: 'patient', resume: 'abc' },
  { v: 1, type: 'description', description: { type: 'offer', sdp: 'v=0\r\n' } },
  { v: 1, type: 'candidate', candidate: { candidate: 'candidate:1 1 udp 1 192.0.2.1 1 typ host', sdpMid: '0', sdpMLineIndex: 0 } },
  { v: 1, type: 'candidate', candidate: null },
  { v: 1, type: 'admit' },
  { v: 1, type: 'decline' },
  { v: 1, type: 'leave' },
];
const ODD_VALUES: unknown[] = [
  null,
  true,
  0,
  -1,
  1e308,
  'x',
  '',
  [],
  {},
  [1, [2]],
  { __proto__: { polluted: 1 } },
  'doctor',
  '../../etc',
  '\u0000',
  '\ud800',
];

function mutate(r: () => number): string {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
  const base = structuredClone(pick(VALID));
  switch (Math.floor(r() * 8)) {
    case 0: // wrong type for a field
      base[pick(Object.keys(base))] = pick(ODD_VALUES);
      return JSON.stringify(base);
    case 1: // a field missing
      delete base[pick(Object.keys(base))];
      return JSON.stringify(base);
    case 2: // unknown kind
      base.type = pick(['hello', 'JOIN', '', 'constructor', '__proto__', 'toString']);
      return JSON.stringify(base);
    case 3: // truncated JSON
      return JSON.stringify(base).slice(0, Math.floor(r() * 20));
    case 4: // deep nesting
      return '['.repeat(5000) + ']'.repeat(5000);
    case 5: // prototype keys
      return `{"v":1,"type":"join","room":"fz","role":"doctor","__proto__":{"admitted":true},"constructor":{"prototype":{}}}`;
    case 6: // random bytes as text
      return Array.from({ length: Math.floor(r() * 64) }, () => String.fromCharCode(Math.floor(r() * 0x7f))).join('');
    default: // nested field mutation
      base.description = { type: pick(['offer', 'rollback', 'x', 1]), sdp: pick(['v=0', 5, null, 'y'.repeat(70_000)]) };
      return JSON.stringify(base);
  }
}

/** Opens the WebSocket handshake by hand and leaves the connection half-open. */
function halfOpen(port: number, partialFrame: boolean): Promise<Socket> {
  return new Promise((ok, fail) => {
    const sock = connect(port, '127.0.0.1', () => {
      sock.write(
        'GET /signal HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n' +
          'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Protocol: video-consult.v1\r\n\r\n',
      );
      // A masked text frame header announcing 100 bytes, then only 2 of them.
      if (partialFrame) sock.write(Buffer.from([0x81, 0xe4, 1, 2, 3, 4, 0x41, 0x42]));
      // Read and discard, so that the server's close is seen; never answer a ping.
      sock.resume();
      ok(sock);
    });
    sock.on('error', fail);
  });
}

describe('fuzz', () => {
  it('survives bad input of every kind, keeps other rooms working and returns its memory', async () => {
    const s = await startServer({ heartbeatMs: 1000, messageRate: 5000, messageBurst: 5000, maxConnectionsPerIp: 500 });
    try {
      const call = await admittedPair(s, 'bystanders');
      // Warm up, then take the baseline.
      for (let i = 0; i < 20; i++) await (await s.client().open()).ws.close();
      await new Promise((ok) => setTimeout(ok, 200));
      gc();
      const baseline = process.memoryUsage().heapUsed;

      const r = rng(0xc0ffee);
      for (let round = 0; round < 5; round++) {
        const fuzzers = await Promise.all(Array.from({ length: 20 }, () => s.client().open()));
        for (const f of fuzzers) for (let i = 0; i < 40; i++) if (f.ws.readyState === 1) f.sendRaw(mutate(r));
        // Fragmented frames: a valid join in three pieces, and an oversized message in fragments.
        const [frag, big, binary, huge] = (await Promise.all([0, 1, 2, 3].map(() => s.client().open()))) as [
          TestClient,
          TestClient,
          TestClient,
          TestClient,
        ];
        const join = JSON.stringify({ v: 1, type: 'join', room: `frag-${round}`, role: 'doctor' });
        frag.ws.send(join.slice(0, 10), { fin: false });
        frag.ws.send(join.slice(10, 20), { fin: false });
        frag.ws.send(join.slice(20), { fin: true });
        for (let i = 0; i < 3; i++) big.ws.send('z'.repeat(MAX_FRAME_BYTES / 2), { fin: i === 2 });
        // Binary, and beyond the hard cap.
        binary.sendRaw(Buffer.alloc(100, 7), true);
        huge.sendRaw('q'.repeat(MAX_FRAME_BYTES * 2 + 10));
        // Half-open connections: handshake only, and a frame cut short.
        const stalled = await Promise.all([halfOpen(s.server.port, false), halfOpen(s.server.port, true)]);
        await new Promise((ok) => setTimeout(ok, 300));
        for (const f of fuzzers) {
          for (const frame of f.frames) assert.ok(parseServerMessage(JSON.stringify(frame)).ok, `invalid server frame ${JSON.stringify(frame)}`);
          const codes = f.frames.filter((x) => x.type === 'error').map((x) => x.code);
          assert.ok(codes.length > 0 || f.closeCode !== null || f.frames.length > 0, 'every fuzzer got an answer');
        }
        assert.ok(
          frag.frames.some((x) => x.type === 'joined' && x.room === `frag-${round}`),
          'a fragmented join works',
        );
        assert.ok(
          big.frames.some((x) => x.code === 'message-too-large'),
          'fragments over the limit are refused as too large',
        );
        assert.equal(huge.closeCode, 1009);
        assert.equal(binary.frames[0]?.code, 'invalid-message');
        // The heartbeat drops the half-open sockets (generous, so a loaded machine's live clients keep up).
        await Promise.all(stalled.map((sock) => new Promise((ok) => (sock.destroyed ? ok(null) : sock.on('close', ok)))));
        for (const f of [...fuzzers, frag, big, binary]) f.ws.terminate();
        // Meanwhile the unrelated call still works.
        call.doctor.send({ type: 'candidate', candidate: null });
        await call.patient.next('candidate');
      }
      // A flood from one client is cut off.
      const limited = await startServer({ messageRate: 100, messageBurst: 100 });
      try {
        const flood = await limited.client().open();
        for (let i = 0; i < 2000 && flood.ws.readyState === 1; i++) flood.sendRaw('{"v":1,"type":"admit"}');
        await flood.waitClosed();
        assert.equal(flood.closeCode, 4429);
      } finally {
        await limited.stop();
      }
      await new Promise((ok) => setTimeout(ok, 300));
      const health = await fetch(s.server.url + '/healthz').then((x) => x.json() as Promise<{ ok: boolean; connections: number }>);
      assert.equal(health.ok, true);
      assert.ok(health.connections <= 2 + 20, `connections released: ${health.connections}`);
      gc();
      const grown = process.memoryUsage().heapUsed - baseline;
      assert.ok(grown < 8 * 1024 * 1024, `heap grew by ${(grown / 1048576).toFixed(1)} MiB`);
      const fresh = await admittedPair(s, 'after-fuzz');
      fresh.patient.send({ type: 'description', description: { type: 'answer', sdp: 'v=0\r\n' } });
      await fresh.doctor.next('description');
    } finally {
      await s.stop();
    }
  });
});
