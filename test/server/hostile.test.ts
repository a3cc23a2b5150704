/**
 * Hostile clients, each at a size that runs in seconds: what they try, and that it costs the
 * server and everyone else nothing lasting. Loopback only; 127.0.0.2 and up stand for other
 * addresses.
 */
import assert from 'node:assert/strict';
import { connect, type Socket } from 'node:net';
import { describe, it } from 'node:test';
import { admittedPair, startServer, TestClient } from './helpers.js';

/** Sends a raw HTTP request and resolves with the status line, or '' if the socket just closed. */
function rawRequest(port: number, text: string, localAddress = '127.0.0.1'): Promise<string> {
  return new Promise((ok) => {
    const sock = connect({ port, host: '127.0.0.1', localAddress });
    let got = '';
    sock.on('data', (d) => (got += d));
    sock.on('error', () => {});
    sock.on('close', () => ok(got.split('\r\n')[0] ?? ''));
    sock.write(text);
  });
}

function upgradeRequest(headers: Record<string, string>): string {
  const all = {
    Host: 'localhost',
    Upgrade: 'websocket',
    Connection: 'Upgrade',
    'Sec-WebSocket-Key': 'dGhlIHNhbXBsZSBub25jZQ==',
    'Sec-WebSocket-Version': '13',
    'Sec-WebSocket-Protocol': 'video-consult.v1',
    ...headers,
  };
  return `GET /signal HTTP/1.1\r\n${Object.entries(all)
    .map(([k, v]) => `${k}: ${v}`)
    .join('\r\n')}\r\n\r\n`;
}

describe('handshakes that ws rejects', () => {
  it('cost the address nothing afterwards', async () => {
    const s = await startServer({ maxConnectionsPerIp: 3 });
    try {
      const bads: Array<Record<string, string>> = [
        { 'Sec-WebSocket-Version': '12' },
        { 'Sec-WebSocket-Key': 'short' },
        { 'Sec-WebSocket-Protocol': 'video-consult.v1, bad protocol' },
      ];
      for (const bad of bads) {
        for (let i = 0; i < 4; i++) {
          const status = await rawRequest(s.server.port, upgradeRequest(bad));
          assert.doesNotMatch(status, /101/);
        }
      }
      const c = s.client();
      const j = await c.join('h-after-bad', 'doctor');
      assert.equal(j.type, 'joined');
    } finally {
      await s.stop();
    }
  });
});

describe('X-Forwarded-For', () => {
  it('is believed only from a configured proxy, so nobody can lock out an address they name', async () => {
    // The proxy is 127.0.0.2; the attacker at 127.0.0.1 reaches the server directly.
    const s = await startServer({ maxConnectionsPerIp: 2, trustProxy: ['127.0.0.2'] });
    try {
      const victim = '203.0.113.5';
      const forged: TestClient[] = [];
      for (let i = 0; i < 4; i++) {
        const c = s.client({ wsOptions: { headers: { 'x-forwarded-for': victim }, localAddress: '127.0.0.1' } });
        forged.push(c);
        await Promise.race([c.open(), c.closed]);
      }
      const viaProxy = s.client({ wsOptions: { headers: { 'x-forwarded-for': `198.51.100.1, ${victim}` }, localAddress: '127.0.0.2' } });
      const j = await viaProxy.join('xff-victim', 'doctor');
      assert.equal(j.type, 'joined');
      // The attacker's own address is what its connections count against.
      assert.ok(
        forged.some((c) => c.closeCode === 4429),
        'the attacker ran into its own limit',
      );
    } finally {
      await s.stop();
    }
  });
});

describe('a receiver that stops reading', () => {
  it('is dropped once its queue is full, and the sender is told it is gone', async () => {
    const s = await startServer({ messageRate: 1e6, messageBurst: 1e6, maxQueuedBytes: 256 * 1024 });
    try {
      const { doctor, patient } = await admittedPair(s, 'q-slow');
      patient.ws.pause();
      const sdp = 'v=0\r\n' + 'a=x-pad:' + 'x'.repeat(50 * 1024) + '\r\n';
      let sent = 0;
      // Enough to fill the kernel's buffers on both ends several times over; stops when the server drops the receiver.
      while (sent < 400 && doctor.frames.length === 0) {
        doctor.send({ type: 'description', description: { type: 'offer', sdp } });
        sent++;
        if (sent % 20 === 0) await new Promise((ok) => setImmediate(ok));
      }
      const left = await doctor.next('peer-left', 5000);
      assert.equal(left.reason, 'gone');
      doctor.send({ type: 'description', description: { type: 'offer', sdp: 'v=0\r\n' } });
      let next;
      do next = await doctor.next(undefined, 5000);
      while (next.type !== 'error');
      assert.equal(next.code, 'no-peer');
    } finally {
      await s.stop();
    }
  });
});

describe('the message rate', () => {
  it('holds across reconnects', async () => {
    const rate = 20;
    const burst = 40;
    const s = await startServer({ messageRate: rate, messageBurst: burst });
    try {
      const started = Date.now();
      let served = 0;
      for (let round = 0; round < 12; round++) {
        const c = new TestClient(s.server.signalUrl);
        await Promise.race([c.open(), c.closed]);
        if (c.closeCode === null) for (let i = 0; i < 100; i++) c.send({ type: 'admit' });
        await c.waitClosed(3000).catch(() => c.ws.terminate());
        served += c.frames.filter((f) => f.code === 'not-joined').length;
      }
      const seconds = (Date.now() - started) / 1000;
      const allowed = burst + rate * seconds;
      assert.ok(served <= allowed + 5, `${served} frames served in ${seconds.toFixed(1)} s; the limit allows ${allowed.toFixed(0)}`);
    } finally {
      await s.stop();
    }
  });

  it('cannot be used by a neighbour behind the same address to disconnect an admitted call', async () => {
    const s = await startServer({ messageRate: 20, messageBurst: 40 });
    try {
      const { doctor, patient } = await admittedPair(s, 'n-call');
      const neighbour = await s.client().open();
      for (let i = 0; i < 200; i++) neighbour.send({ type: 'admit' });
      await neighbour.waitClosed();
      assert.equal(neighbour.closeCode, 4429);
      for (let i = 0; i < 5; i++)
        patient.send({ type: 'candidate', candidate: { candidate: `candidate:${i} 1 udp 1 192.0.2.1 5000 typ host`, sdpMid: '0' } });
      for (let i = 0; i < 5; i++) await doctor.next('candidate');
      doctor.send({ type: 'description', description: { type: 'offer', sdp: 'v=0\r\n' } });
      await patient.next('description');
      assert.equal(patient.closeCode, null);
      assert.equal(doctor.closeCode, null);
    } finally {
      await s.stop();
    }
  });
});

describe('sockets that never join', () => {
  it('are closed after the join timeout, giving their capacity back', async () => {
    const s = await startServer({ joinTimeoutMs: 300, maxConnections: 3 });
    try {
      const idle = await Promise.all([0, 1, 2].map(() => s.client().open()));
      const refused = s.client();
      assert.equal((await refused.next('error')).code, 'server-full');
      for (const c of idle) {
        const err = await c.next('error', 3000);
        assert.equal(err.code, 'join-timeout');
        await c.waitClosed();
        assert.equal(c.closeCode, 4408);
      }
      const doctor = s.client();
      assert.equal((await doctor.join('idle-after', 'doctor')).type, 'joined');
    } finally {
      await s.stop();
    }
  });
});

describe('half-open HTTP requests', () => {
  it('are capped per address and cut off after the headers timeout', async () => {
    const s = await startServer({ maxPendingPerIp: 5, headersTimeoutMs: 400 });
    const socks: Socket[] = [];
    try {
      for (let i = 0; i < 20; i++) {
        const sock = connect({ port: s.server.port, host: '127.0.0.1', localAddress: '127.0.0.1' });
        sock.on('error', () => {});
        sock.write(i % 2 ? 'GET / HTTP/1.1\r\nHost: x\r\n' : 'GE');
        socks.push(sock);
      }
      const started = Date.now();
      const closedAt = socks.map((sock) => new Promise<number>((ok) => sock.once('close', () => ok(Date.now() - started))));
      // Another address is not in the way meanwhile.
      const other = s.client({ wsOptions: { localAddress: '127.0.0.3' } });
      assert.equal((await other.join('h-other', 'doctor')).type, 'joined');
      // Past the cap, the server closes at once; the rest are cut off by the headers timeout.
      const deadline = (ms: number) => new Promise<number>((ok) => setTimeout(() => ok(Infinity), ms).unref());
      const times = await Promise.all(closedAt.map((p) => Promise.race([p, deadline(4000)])));
      const early = times.filter((t) => t < 300).length;
      assert.ok(early >= 15, `${early} of 20 closed at once (times ${times.join(', ')})`);
      assert.ok(
        times.every((t) => t < 3000),
        `all cut off within 3 s (times ${times.join(', ')})`,
      );
      const again = s.client({ wsOptions: { localAddress: '127.0.0.1' } });
      assert.equal((await again.join('h-again', 'doctor')).type, 'joined');
    } finally {
      for (const sock of socks) sock.destroy();
      await s.stop();
    }
  });
});
