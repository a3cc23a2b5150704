import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import WebSocket from 'ws';
import { MAX_FRAME_BYTES } from '../../src/protocol/index.js';
import { admittedPair, startServer } from './helpers.js';

describe('bad frames', () => {
  let s: Awaited<ReturnType<typeof startServer>>;
  before(async () => {
    s = await startServer();
  });
  after(() => s.stop());

  const cases: Array<[string, string | Buffer, string, boolean?]> = [
    ['malformed JSON', '{"v":1,"type":', 'invalid-message'],
    ['a JSON array', '[1,2]', 'invalid-message'],
    ['no type', '{"v":1}', 'invalid-message'],
    ['wrong version', '{"v":2,"type":"join","room":"a","role":"doctor"}', 'unsupported-version'],
    ['unknown type', '{"v":1,"type":"hello"}', 'unknown-type'],
    ['a bad room', '{"v":1,"type":"join","room":"../x","role":"doctor"}', 'invalid-room'],
    ['a bad role', '{"v":1,"type":"join","room":"a","role":"nurse"}', 'invalid-role'],
    ['a wrongly typed description', '{"v":1,"type":"description","description":{"type":"offer","sdp":42}}', 'invalid-message'],
    ['a relay before join', '{"v":1,"type":"candidate","candidate":null}', 'not-joined'],
    ['admit before join', '{"v":1,"type":"admit"}', 'not-joined'],
    ['a binary frame', Buffer.from('{"v":1,"type":"leave"}'), 'invalid-message', true],
    [
      'an oversized frame',
      JSON.stringify({ v: 1, type: 'description', description: { type: 'offer', sdp: 'x'.repeat(MAX_FRAME_BYTES) } }),
      'message-too-large',
    ],
  ];

  for (const [i, [name, data, code, binary]] of cases.entries()) {
    it(`answers ${name} with ${code} and keeps the connection`, async () => {
      const c = s.client();
      await c.open();
      c.sendRaw(data, binary);
      const err = await c.next('error');
      assert.equal(err.code, code);
      assert.notEqual(err.fatal, true);
      assert.equal(typeof err.message, 'string');
      // Still served: the same connection can join afterwards.
      const j = await c.join(`after-${i}`, 'doctor');
      assert.equal(j.role, 'doctor');
    });
  }

  it('answers a frame beyond the hard cap by closing that socket only', async () => {
    const { doctor, patient } = await admittedPair(s, 'r-bystanders');
    const c = s.client();
    await c.open();
    c.sendRaw('x'.repeat(MAX_FRAME_BYTES * 2 + 1));
    await c.waitClosed();
    assert.equal(c.closeCode, 1009);
    doctor.send({ type: 'candidate', candidate: null });
    await patient.next('candidate');
  });

  it('answers a bad frame mid-call without disturbing the call', async () => {
    const { doctor, patient } = await admittedPair(s, 'r-midcall');
    doctor.sendRaw('nonsense');
    assert.equal((await doctor.next('error')).code, 'invalid-message');
    doctor.send({ type: 'candidate', candidate: null });
    await patient.next('candidate');
  });

  it('refuses an upgrade without the subprotocol, and other paths', async () => {
    for (const [url, protocols] of [
      [s.server.signalUrl, []],
      [s.server.signalUrl, ['chat']],
      [s.server.signalUrl.replace('/signal', '/other'), ['video-consult.v1']],
    ] as const) {
      const ws = new WebSocket(url, [...protocols]);
      const status = await new Promise<number>((ok) => {
        ws.on('unexpected-response', (_req, res) => ok(res.statusCode ?? 0));
        ws.on('open', () => ok(101));
        ws.on('error', () => {});
      });
      assert.ok(status === 400 || status === 404, `status ${status} for ${url} ${protocols}`);
      ws.terminate();
    }
  });
});
