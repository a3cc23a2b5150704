import assert from 'node:assert/strict';
import { get } from 'node:https';
import { describe, it } from 'node:test';
import WebSocket from 'ws';
import { requireProgram, selfSignedCertificate, startServer, TestClient } from './helpers.js';

describe('TLS', () => {
  it('serves https and wss with a certificate made at test time, and not plain ws', async (t) => {
    if (!requireProgram(t, 'openssl', 'openssl')) return;
    const { cert, key } = selfSignedCertificate('IP:127.0.0.1,DNS:localhost');
    const s = await startServer({ tls: { cert, key } });
    try {
      assert.match(s.server.url, /^https:\/\//);
      assert.match(s.server.signalUrl, /^wss:\/\/.*\/signal$/);
      const status = await new Promise<number>((ok, fail) =>
        get(s.server.url + '/healthz', { ca: cert }, (res) => {
          res.resume();
          ok(res.statusCode ?? 0);
        }).on('error', fail),
      );
      assert.equal(status, 200);
      const doctor = s.client({ wsOptions: { ca: cert } });
      const patient = s.client({ wsOptions: { ca: cert } });
      await doctor.join('tls-room', 'doctor');
      await patient.join('tls-room', 'patient');
      await doctor.next('knock');
      doctor.send({ type: 'admit' });
      await doctor.next('peer-joined');
      doctor.send({ type: 'description', description: { type: 'offer', sdp: 'v=0\r\n' } });
      await patient.next('admitted');
      await patient.next('peer-joined');
      await patient.next('description');
      // An untrusted certificate is refused by the client, and plain ws gets nowhere.
      const untrusted = new TestClient(s.server.signalUrl);
      await untrusted.closed;
      assert.equal(untrusted.frames.length, 0);
      const plain = new WebSocket(s.server.signalUrl.replace('wss:', 'ws:'), ['video-consult.v1']);
      plain.on('error', () => {});
      await new Promise((ok) => plain.on('close', ok));
    } finally {
      await s.stop();
    }
  });
});
