/** What a patient's link, the logs and the transport give away: TURN only after admission, log tags that cannot be reversed, TLS with forward secrecy and HSTS. */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { get } from 'node:https';
import { connect } from 'node:tls';
import { describe, it } from 'node:test';
import type { LogEntry } from '../../src/server/log.js';
import { requireProgram, selfSignedCertificate, startServer } from './helpers.js';

describe('TURN credentials', () => {
  it('go only to a patient the doctor let in', async () => {
    const s = await startServer({ turn: { secret: 'turn-secret-0123456789', urls: ['turn:127.0.0.1:3478'] } });
    try {
      const doctor = s.client();
      const dj = await doctor.join('x-turn', 'doctor');
      assert.ok(
        dj.iceServers.some((e: { username?: string }) => e.username),
        'the doctor has TURN',
      );
      const patient = s.client();
      const pj = await patient.join('x-turn', 'patient');
      assert.equal(pj.waiting, true);
      assert.ok(!pj.iceServers.some((e: { username?: string }) => e.username), 'no TURN while waiting');
      await doctor.next('knock');
      doctor.send({ type: 'admit' });
      const admitted = await patient.next('admitted');
      assert.ok(
        admitted.iceServers.some((e: { username?: string }) => e.username),
        'TURN on admission',
      );
    } finally {
      await s.stop();
    }
  });
});

describe('room tags in logs', () => {
  it('cannot be recovered by hashing guessable room ids', async () => {
    const entries: LogEntry[] = [];
    const s = await startServer({ log: (e) => entries.push(e) });
    try {
      await s.client().join('termin-048213', 'doctor');
      const tags = new Set(entries.map((e) => e.room).filter(Boolean));
      assert.ok(tags.size > 0);
      for (let n = 48_000; n < 49_000; n++) {
        const guess = createHash('sha256').update(`termin-0${n}`).digest('base64url').slice(0, 10);
        assert.ok(!tags.has(guess), `the tag of termin-0${n} is its plain hash`);
      }
    } finally {
      await s.stop();
    }
  });
});

describe('TLS', () => {
  it('offers only forward-secret suites and sends HSTS', async (t) => {
    if (!requireProgram(t, 'openssl', 'openssl')) return;
    const { cert, key } = selfSignedCertificate('IP:127.0.0.1');
    const s = await startServer({ tls: { cert, key } });
    try {
      const hsts = await new Promise<string | undefined>((ok, fail) =>
        get(s.server.url + '/healthz', { ca: cert }, (res) => {
          res.resume();
          ok(res.headers['strict-transport-security'] as string | undefined);
        }).on('error', fail),
      );
      assert.match(hsts ?? '', /max-age=\d+/);
      // RSA key exchange (no forward secrecy) over TLS 1.2: refused.
      const outcome = await new Promise<string>((ok) => {
        const sock = connect({
          host: '127.0.0.1',
          port: s.server.port,
          ca: cert,
          maxVersion: 'TLSv1.2',
          ciphers: 'AES128-GCM-SHA256:AES256-GCM-SHA384',
        });
        sock.on('secureConnect', () => (ok('connected'), sock.destroy()));
        sock.on('error', () => ok('refused'));
      });
      assert.equal(outcome, 'refused');
    } finally {
      await s.stop();
    }
  });
});
