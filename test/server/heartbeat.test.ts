import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startServer } from './helpers.js';

describe('heartbeat', () => {
  let s: Awaited<ReturnType<typeof startServer>>;
  before(async () => {
    s = await startServer({ heartbeatMs: 150 });
  });
  after(() => s.stop());

  it('drops a peer that stops answering pings and tells the other side it is gone', async () => {
    const doctor = s.client();
    const patient = s.client();
    await doctor.join('r-dead', 'doctor');
    await patient.join('r-dead', 'patient');
    await doctor.next('knock');
    doctor.send({ type: 'admit' });
    await doctor.next('peer-joined');
    // The patient's side freezes, like a laptop whose lid closed mid-call: it reads nothing, so
    // it answers no ping, and its socket stays open.
    patient.ws.pause();
    const left = await doctor.next('peer-left', 1000);
    assert.deepEqual(left, { v: 1, type: 'peer-left', role: 'patient', reason: 'gone' });
    patient.ws.resume();
    await patient.waitClosed();
    // The live doctor, who answers pings, is still there.
    await doctor.quiet(300);
    assert.equal(doctor.closeCode, null);
  });
});
