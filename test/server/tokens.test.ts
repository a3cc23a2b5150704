import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createJoinToken, verifyJoinToken } from '../../src/server/index.js';
import { parseDuration } from '../../src/server/tokens.js';
import { startServer } from './helpers.js';

const secret = 'test-secret-0123456789abcdef';

describe('join tokens', () => {
  it('verify with the secret and carry room, role and expiry', () => {
    const token = createJoinToken({ secret, room: 'consult-1', role: 'patient', ttlSeconds: 60, now: 1_000_000 });
    assert.match(token, /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/);
    const r = verifyJoinToken(token, { secret, now: 1_000_000 });
    assert.ok(r.ok);
    assert.equal(r.claims.room, 'consult-1');
    assert.equal(r.claims.role, 'patient');
    assert.equal(r.claims.exp, 1060);
    assert.notEqual(createJoinToken({ secret, room: 'a', role: 'doctor' }), createJoinToken({ secret, room: 'a', role: 'doctor' }));
  });

  it('refuse forgeries, tampering and expiry with distinct codes', () => {
    const token = createJoinToken({ secret, room: 'consult-1', role: 'patient', ttlSeconds: 60, now: 1_000_000 });
    const [payload, sig] = token.split('.') as [string, string];
    const forged = Buffer.from(JSON.stringify({ room: 'consult-1', role: 'doctor', exp: 9e9, iat: 0, jti: 'x' })).toString('base64url');
    const code = (t: string, now = 1_000_000) => {
      const r = verifyJoinToken(t, { secret, now });
      return r.ok ? 'ok' : r.code;
    };
    assert.equal(code(`${forged}.${sig}`), 'token-invalid');
    assert.equal(code(createJoinToken({ secret: 'another-secret-0123456789', room: 'consult-1', role: 'patient' })), 'token-invalid');
    assert.equal(code(`${payload}.${sig}x`), 'token-invalid');
    // The same signature bytes spelled another way (the last character's spare bits flipped).
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    const respelled = sig.slice(0, -1) + alphabet[alphabet.indexOf(sig.at(-1)!) ^ 1];
    assert.deepEqual(Buffer.from(respelled, 'base64url'), Buffer.from(sig, 'base64url'));
    assert.equal(code(`${payload}.${respelled}`), 'token-invalid');
    assert.equal(code('garbage'), 'token-invalid');
    assert.equal(code(`${payload}.${sig}.x`), 'token-invalid');
    assert.equal(code('x'.repeat(5000)), 'token-invalid');
    assert.equal(code(token, 1_060_000), 'token-expired');
    assert.equal(code(token, 1_059_000), 'ok');
  });

  it('verify with any of several secrets, for rotation', () => {
    const token = createJoinToken({ secret, room: 'r', role: 'doctor' });
    assert.ok(verifyJoinToken(token, { secret: ['new-secret-0123456789abcdef', secret] }).ok);
  });

  it('refuse short secrets, bad rooms and roles when created', () => {
    assert.throws(() => createJoinToken({ secret: 'short', room: 'r', role: 'doctor' }), /16/);
    assert.throws(() => createJoinToken({ secret, room: 'a b', role: 'doctor' }), /room/);
    assert.throws(() => createJoinToken({ secret, room: 'r', role: 'nurse' as 'doctor' }), /role/);
  });

  it('read durations', () => {
    assert.equal(parseDuration('2h'), 7200);
    assert.equal(parseDuration('30m'), 1800);
    assert.equal(parseDuration('90'), 90);
    assert.equal(parseDuration('1d'), 86400);
    assert.throws(() => parseDuration('soon'));
  });
});

describe('the server with tokens', () => {
  let s: Awaited<ReturnType<typeof startServer>>;
  before(async () => {
    s = await startServer({ demo: false, tokenSecret: secret });
  });
  after(() => s.stop());

  const token = (room: string, role: 'doctor' | 'patient', ttlSeconds = 60, now?: number) =>
    createJoinToken({ secret, room, role, ttlSeconds, ...(now ? { now } : {}) });

  it('admits a valid token for its room and role', async () => {
    const doctor = s.client({ token: token('t-ok', 'doctor') });
    assert.equal((await doctor.join('t-ok', 'doctor')).role, 'doctor');
  });

  const refusals: Array<[string, () => string | undefined, string, 'doctor' | 'patient', string, number]> = [
    ['no token', () => undefined, 't-x', 'doctor', 'token-required', 4401],
    ['a forged token', () => token('t-x', 'doctor').replace(/.$/, (c) => (c === 'A' ? 'B' : 'A')), 't-x', 'doctor', 'token-invalid', 4401],
    ['an expired token', () => token('t-x', 'doctor', 1, Date.now() - 10_000), 't-x', 'doctor', 'token-expired', 4401],
    ['a token for another room', () => token('t-other', 'doctor'), 't-x', 'doctor', 'token-wrong-room', 4403],
    ['a token for the other role', () => token('t-x', 'patient'), 't-x', 'doctor', 'token-wrong-role', 4403],
  ];
  for (const [name, make, room, role, code, closeCode] of refusals) {
    it(`refuses ${name} with ${code}, close ${closeCode}`, async () => {
      const tok = make();
      const c = s.client(tok ? { token: tok } : {});
      await c.open();
      // Refusals known at the upgrade arrive unprompted; wrong room or role only at join.
      c.send({ type: 'join', room, role });
      const err = await c.next('error');
      assert.equal(err.code, code);
      assert.equal(err.fatal, true);
      await c.waitClosed();
      assert.equal(c.closeCode, closeCode);
      assert.equal(c.closeReason, code);
    });
  }

  it('lets the holder of a patient token resume only with that token', async () => {
    const doctor = s.client({ token: token('t-resume', 'doctor') });
    await doctor.join('t-resume', 'doctor');
    const patientToken = token('t-resume', 'patient');
    const patient = s.client({ token: patientToken });
    await patient.join('t-resume', 'patient');
    await doctor.next('knock');
    doctor.send({ type: 'admit' });
    await doctor.next('peer-joined');
    const ticket = (await patient.next('admitted')).session;
    patient.ws.terminate();
    await doctor.next('peer-left');
    const intruder = s.client({ token: token('t-resume', 'doctor') });
    await intruder.open();
    intruder.send({ type: 'join', room: 't-resume', role: 'patient', resume: ticket });
    assert.equal((await intruder.next('error')).code, 'token-wrong-role');
    const back = s.client({ token: patientToken });
    assert.equal((await back.join('t-resume', 'patient', ticket)).peer, true);
  });
});
