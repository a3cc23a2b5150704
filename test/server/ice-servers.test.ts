/**
 * `ice-servers`: the pre-call check asks the server for the ICE servers a call would get, instead of
 * joining. It needs a valid join token unless the server runs in demo mode, counts against the
 * per-address limits like any socket, never enters a room, and gets TURN credentials that live
 * only as long as a check.
 */
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { describe, it } from 'node:test';
import { parseServerMessage } from '../../src/protocol/index.js';
import { createJoinToken } from '../../src/server/index.js';
import { startServer } from './helpers.js';

const tokenSecret = 'ice-servers-secret-0123456789';
const turn = { secret: 'turn-secret-0123456789', urls: ['turn:turn.example.test:3478?transport=udp', 'turn:turn.example.test:3478?transport=tcp'] };

describe('ice-servers', () => {
  it('in demo mode: answers STUN and short-lived TURN credentials without a token, then closes', async () => {
    const s = await startServer({ demo: true, iceServers: ['stun:stun.example.test:3478'], turn: { ...turn, ttlSeconds: 3600 } });
    try {
      const check = s.client();
      await check.open();
      const before = Math.floor(Date.now() / 1000);
      check.send({ type: 'ice-servers' });
      const answer = await check.next('ice-servers');
      assert.equal(answer.ttlSeconds, 120);
      assert.deepEqual(answer.iceServers[0], { urls: 'stun:stun.example.test:3478' });
      const relay = answer.iceServers[1];
      assert.deepEqual(relay.urls, turn.urls);
      // The TURN REST API form coturn checks: `<expiry>:<id>`, HMAC-SHA1 of it with the shared secret.
      const expiry = Number(relay.username.split(':')[0]);
      assert.ok(expiry >= before + 120 && expiry <= before + 122, `expiry ${expiry - before} s from now`);
      assert.equal(relay.credential, createHmac('sha1', turn.secret).update(relay.username).digest('base64'));
      assert.ok(parseServerMessage(JSON.stringify(answer)).ok);
      await check.waitClosed();
      assert.equal(check.closeCode, 1000);
      assert.equal(check.closeReason, 'ice-servers');
    } finally {
      await s.stop();
    }
  });

  it('keeps a shorter configured TURN lifetime, and sends no TURN entry without TURN', async () => {
    const short = await startServer({ demo: true, turn: { ...turn, ttlSeconds: 60 } });
    const none = await startServer({ demo: true });
    try {
      const a = await short.client().open();
      a.send({ type: 'ice-servers' });
      assert.equal((await a.next('ice-servers')).ttlSeconds, 60);
      const b = await none.client().open();
      b.send({ type: 'ice-servers' });
      const answer = await b.next('ice-servers');
      assert.deepEqual(answer.iceServers, []);
      assert.equal(answer.ttlSeconds, undefined);
    } finally {
      await short.stop();
      await none.stop();
    }
  });

  it('with tokens required: a missing, forged or expired token gets its coded error and no ICE servers', async () => {
    const s = await startServer({ demo: false, tokenSecret, turn });
    try {
      const valid = createJoinToken({ secret: tokenSecret, room: 'consult-7', role: 'patient' });
      const forged = createJoinToken({ secret: 'another-secret-0123456789', room: 'consult-7', role: 'patient' });
      const expired = createJoinToken({ secret: tokenSecret, room: 'consult-7', role: 'patient', ttlSeconds: 1, now: Date.now() - 10_000 });
      for (const [token, code] of [
        [undefined, 'token-required'],
        [forged, 'token-invalid'],
        [expired, 'token-expired'],
      ] as const) {
        const check = s.client(token ? { token } : {});
        await check.open();
        check.send({ type: 'ice-servers' });
        const error = await check.next('error');
        assert.equal(error.code, code);
        assert.equal(error.fatal, true);
        await check.waitClosed();
        assert.ok(!check.frames.some((f) => f.type === 'ice-servers'), `${code}: no ICE servers after the error`);
      }
      const check = s.client({ token: valid });
      await check.open();
      check.send({ type: 'ice-servers' });
      const answer = await check.next('ice-servers');
      assert.equal(answer.iceServers.length, 1);
      assert.ok(answer.iceServers[0].credential);
    } finally {
      await s.stop();
    }
  });

  it('never enters a room: a doctor in the same room sees no one, and a joined socket may not ask', async () => {
    const s = await startServer({ demo: false, tokenSecret });
    try {
      const doctor = s.client({ token: createJoinToken({ secret: tokenSecret, room: 'consult-8', role: 'doctor' }) });
      const joined = await doctor.join('consult-8', 'doctor');
      assert.equal(joined.peer, false);
      const check = s.client({ token: createJoinToken({ secret: tokenSecret, room: 'consult-8', role: 'patient' }) });
      await check.open();
      check.send({ type: 'ice-servers' });
      await check.next('ice-servers');
      await check.waitClosed();
      await doctor.quiet(150);
      // The patient's place is still free.
      const patient = s.client({ token: createJoinToken({ secret: tokenSecret, room: 'consult-8', role: 'patient' }) });
      assert.equal((await patient.join('consult-8', 'patient')).waiting, true);
      assert.equal((await doctor.next('knock')).waiting, true);
      // After a join, the request is refused and the call goes on.
      doctor.send({ type: 'ice-servers' });
      assert.equal((await doctor.next('error')).code, 'already-joined');
      doctor.send({ type: 'admit' });
      await patient.next('admitted');
    } finally {
      await s.stop();
    }
  });

  it('counts against the per-address connection limit like any socket', async () => {
    const s = await startServer({ demo: true, maxConnectionsPerIp: 2 });
    try {
      const first = await s.client().open();
      await s.client().open();
      const third = await s.client().open();
      assert.equal((await third.next('error')).code, 'rate-limited');
      // An answered check closes and gives its slot back.
      first.send({ type: 'ice-servers' });
      await first.next('ice-servers');
      await first.waitClosed();
      // The server gives the slot back once it has handled the close: wait for its count to drop.
      for (let i = 0; i < 100 && (await connections(s.server.url)) > 1; i++) await new Promise((ok) => setImmediate(ok));
      const fourth = await s.client().open();
      fourth.send({ type: 'ice-servers' });
      assert.equal((await fourth.next('ice-servers')).type, 'ice-servers');
    } finally {
      await s.stop();
    }
  });
});

async function connections(url: string): Promise<number> {
  return ((await (await fetch(`${url}/healthz`)).json()) as { connections: number }).connections;
}

describe('ice-servers validation', () => {
  const frame = (m: Record<string, unknown>) => JSON.stringify({ v: 1, type: 'ice-servers', ...m });
  it('accepts a list of ICE servers with an optional positive lifetime', () => {
    assert.ok(parseServerMessage(frame({ iceServers: [{ urls: 'stun:a:3478' }] })).ok);
    assert.ok(parseServerMessage(frame({ iceServers: [{ urls: ['turn:a'], username: 'u', credential: 'c' }], ttlSeconds: 600 })).ok);
  });
  it('refuses a malformed answer with invalid-message', () => {
    for (const bad of [
      {},
      { iceServers: 'stun:a' },
      { iceServers: [{ urls: 3 }] },
      { iceServers: [], ttlSeconds: -1 },
      { iceServers: Array(17).fill({ urls: 'stun:a' }) },
    ]) {
      const r = parseServerMessage(frame(bad));
      assert.ok(!r.ok && r.code === 'invalid-message', JSON.stringify(bad));
    }
  });
});

describe('admitted validation', () => {
  const frame = (m: Record<string, unknown>) => JSON.stringify({ v: 1, type: 'admitted', ...m });
  it('accepts admitted with or without a ticket and ICE servers', () => {
    assert.ok(parseServerMessage(frame({})).ok);
    assert.ok(parseServerMessage(frame({ session: 'abc', iceServers: [{ urls: ['turn:a'], username: 'u', credential: 'c' }] })).ok);
  });
  it('refuses malformed ICE servers in admitted with invalid-message', () => {
    for (const bad of [{ iceServers: 'turn:a' }, { iceServers: [{ urls: 3 }] }, { iceServers: Array(17).fill({ urls: 'stun:a' }) }]) {
      const r = parseServerMessage(frame(bad));
      assert.ok(!r.ok && r.code === 'invalid-message', JSON.stringify(bad));
    }
  });
});
