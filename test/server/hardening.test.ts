import assert from 'node:assert/strict';
import { get } from 'node:http';
import { describe, it } from 'node:test';
import { createJoinToken } from '../../src/server/index.js';
import type { LogEntry } from '../../src/server/log.js';
import { admittedPair, startServer, TestClient } from './helpers.js';

function fetchText(url: string): Promise<{ status: number; body: string; type: string }> {
  return new Promise((ok, fail) => {
    get(url, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d) => (body += d));
      res.on('end', () => ok({ status: res.statusCode ?? 0, body, type: String(res.headers['content-type']) }));
    }).on('error', fail);
  });
}

async function refusedWith(c: TestClient, code: string, closeCode: number): Promise<void> {
  const err = await c.next('error');
  assert.equal(err.code, code);
  assert.equal(err.fatal, true);
  await c.waitClosed();
  assert.equal(c.closeCode, closeCode);
  assert.equal(c.closeReason, code);
}

describe('origin allow-list', () => {
  it('accepts listed origins and refuses others and none', async () => {
    const s = await startServer({ allowedOrigins: ['https://clinic.example'] });
    try {
      const ok = s.client({ wsOptions: { origin: 'https://clinic.example' } });
      await ok.join('o-1', 'doctor');
      await refusedWith(s.client({ wsOptions: { origin: 'https://evil.example' } }), 'origin-not-allowed', 4403);
      await refusedWith(s.client(), 'origin-not-allowed', 4403);
    } finally {
      await s.stop();
    }
  });
});

describe('limits', () => {
  it('limits connections per address', async () => {
    const s = await startServer({ maxConnectionsPerIp: 2 });
    try {
      const a = await s.client().open();
      await s.client().open();
      await refusedWith(s.client(), 'rate-limited', 4429);
      a.close();
      await a.waitClosed();
      await new Promise((ok) => setTimeout(ok, 50));
      await await s.client().join('l-again', 'doctor');
    } finally {
      await s.stop();
    }
  });

  it('limits the message rate per address and cuts off a flood, leaving other rooms alone', async () => {
    const s = await startServer({ messageRate: 20, messageBurst: 30 });
    try {
      const flood = await s.client().open();
      for (let i = 0; i < 100; i++) flood.send({ type: 'admit' });
      let err;
      do err = await flood.next('error');
      while (err.code === 'not-joined');
      assert.equal(err.code, 'rate-limited');
      assert.equal(err.fatal, true);
      await flood.waitClosed();
      assert.equal(flood.closeCode, 4429);
      // The bucket refills at 20 frames a second: the address may talk again shortly.
      await new Promise((ok) => setTimeout(ok, 500));
      const { doctor, patient } = await admittedPair(s, 'l-call');
      doctor.send({ type: 'candidate', candidate: null });
      await patient.next('candidate');
    } finally {
      await s.stop();
    }
  });

  it('caps connections and rooms', async () => {
    const s = await startServer({ maxConnections: 2, maxRooms: 1 });
    try {
      const a = s.client();
      await a.join('cap-1', 'doctor');
      const b = s.client();
      await b.open();
      b.send({ type: 'join', room: 'cap-2', role: 'doctor' });
      await refusedWith(b, 'server-full', 4503);
      await new Promise((ok) => setTimeout(ok, 50));
      const c = s.client();
      await c.join('cap-1', 'patient');
      await refusedWith(s.client(), 'server-full', 4503);
    } finally {
      await s.stop();
    }
  });
});

describe('health, metrics and shutdown', () => {
  it('reports health and Prometheus metrics with refusals by code', async () => {
    const s = await startServer();
    try {
      const { doctor, patient } = await admittedPair(s, 'm-1');
      doctor.send({ type: 'description', description: { type: 'offer', sdp: 'v=0\r\n' } });
      await patient.next('description');
      const third = s.client();
      await third.open();
      third.send({ type: 'join', room: 'm-1', role: 'patient' });
      await third.next('error');
      await third.waitClosed();
      await new Promise((ok) => setTimeout(ok, 50));
      const bad = await s.client().open();
      bad.sendRaw('{');
      await bad.next('error');
      const health = await fetchText(s.server.url + '/healthz');
      assert.equal(health.status, 200);
      assert.equal(JSON.parse(health.body).ok, true);
      const m = await fetchText(s.server.url + '/metrics');
      assert.match(m.type, /^text\/plain; version=0\.0\.4/);
      assert.match(m.body, /^vc_connections 3$/m);
      assert.match(m.body, /^vc_rooms 1$/m);
      assert.match(m.body, /^vc_messages_total\{type="join"\} 3$/m);
      assert.match(m.body, /^vc_relayed_total 1$/m);
      assert.match(m.body, /^vc_refusals_total\{code="room-full"\} 1$/m);
      assert.match(m.body, /^vc_refusals_total\{code="invalid-message"\} 1$/m);
      assert.match(m.body, /^# TYPE vc_refusals_total counter$/m);
    } finally {
      await s.stop();
    }
  });

  it('tells every client shutting-down on close, then refuses new connections', async () => {
    const s = await startServer();
    const { doctor, patient } = await admittedPair(s, 'sd-1');
    const closing = s.server.close();
    for (const c of [doctor, patient]) {
      const err = await c.next('error');
      assert.equal(err.code, 'shutting-down');
      await c.waitClosed();
      assert.equal(c.closeCode, 1001);
    }
    await closing;
    await s.server.close();
    const late = new TestClient(s.server.signalUrl);
    await late.closed;
    assert.notEqual(late.closeCode, null);
  });
});

describe('logs', () => {
  it('are JSON lines free of SDP, candidates, tokens, session ids, room ids and full addresses', async () => {
    const entries: LogEntry[] = [];
    const secret = 'log-secret-0123456789abcdef';
    const s = await startServer({ demo: false, tokenSecret: secret, log: (e) => entries.push(e) });
    try {
      const room = 'Patient-Jane-Doe-2026';
      const dt = createJoinToken({ secret, room, role: 'doctor' });
      const pt = createJoinToken({ secret, room, role: 'patient' });
      const doctor = s.client({ token: dt });
      const patient = s.client({ token: pt });
      await doctor.join(room, 'doctor');
      const pj = await patient.join(room, 'patient');
      await doctor.next('knock');
      doctor.send({ type: 'admit' });
      await patient.next('admitted');
      await patient.next('peer-joined');
      await doctor.next('peer-joined');
      doctor.send({ type: 'description', description: { type: 'offer', sdp: 'v=0\r\ns=SECRET-SDP\r\n' } });
      patient.send({ type: 'candidate', candidate: { candidate: 'candidate:1 1 udp 1 203.0.113.77 5000 typ host', sdpMid: '0' } });
      await patient.next('description');
      await doctor.next('candidate');
      await refusedWith(s.client({ token: 'forged.token' }), 'token-invalid', 4401);
      patient.ws.terminate();
      await doctor.next('peer-left');
      await new Promise((ok) => setTimeout(ok, 50));
      const text = entries.map((e) => JSON.stringify(e)).join('\n');
      assert.ok(entries.length >= 5, 'something is logged');
      for (const e of entries) {
        assert.equal(typeof e.time, 'string');
        assert.equal(typeof e.msg, 'string');
      }
      for (const secretText of ['SECRET-SDP', '203.0.113.77', 'candidate:', dt, pt, 'forged.token', pj.session, room, '127.0.0.1"']) {
        assert.ok(!text.includes(secretText), `log contains ${secretText}`);
      }
    } finally {
      await s.stop();
    }
  });
});
