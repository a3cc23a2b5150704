/**
 * Place tickets bring back only the place they were issued for, in the state it had: a declined
 * or departed participant's tickets die with the decline or the leave, a waiting ticket gives a
 * waiting place.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { admittedPair, startServer } from './helpers.js';

const offer = { type: 'offer', sdp: 'v=0\r\n' };

describe('place tickets', () => {
  let s: Awaited<ReturnType<typeof startServer>>;
  before(async () => {
    s = await startServer({ graceMs: 5_000 });
  });
  after(() => s.stop());

  it('a declined patient cannot take the admitted patient’s place with its old ticket', async () => {
    const doctor = s.client();
    await doctor.join('t-declined', 'doctor');
    const intruder = s.client();
    const ij = await intruder.join('t-declined', 'patient');
    await doctor.next('knock');
    doctor.send({ type: 'decline' });
    assert.equal((await intruder.next('error')).code, 'declined');
    assert.equal((await doctor.next('knock')).waiting, false);
    const patient = s.client();
    await patient.join('t-declined', 'patient');
    await doctor.next('knock');
    doctor.send({ type: 'admit' });
    await patient.next('admitted');
    await patient.next('peer-joined');
    await doctor.next('peer-joined');

    const back = s.client();
    await back.open();
    back.send({ type: 'join', room: 't-declined', role: 'patient', resume: ij.session });
    const err = await back.next('error');
    assert.equal(err.code, 'room-full');
    await back.waitClosed();
    // The admitted patient stays, and the doctor hears nothing.
    await patient.quiet(100);
    await doctor.quiet(0);
    assert.equal(patient.closeCode, null);
    patient.send({ type: 'description', description: offer });
    await doctor.next('description');
  });

  it('a declined patient’s ticket gives no place back once the room is free either', async () => {
    const doctor = s.client();
    await doctor.join('t-declined-free', 'doctor');
    const patient = s.client();
    const pj = await patient.join('t-declined-free', 'patient');
    await doctor.next('knock');
    doctor.send({ type: 'decline' });
    await patient.next('error');
    await doctor.next('knock');
    const back = s.client();
    const bj = await back.join('t-declined-free', 'patient', pj.session);
    assert.equal(bj.waiting, true);
    assert.equal((await doctor.next('knock')).waiting, true);
  });

  it('tickets die with leave: the admitted ticket of a patient who hung up makes the next one knock', async () => {
    const { doctor, patient, admittedSession } = await admittedPair(s, 't-left');
    patient.send({ type: 'leave' });
    assert.equal((await doctor.next('peer-left')).reason, 'left');
    await patient.waitClosed();
    const back = s.client();
    const bj = await back.join('t-left', 'patient', admittedSession);
    assert.equal(bj.waiting, true);
    assert.equal(bj.peer, false);
    assert.equal((await doctor.next('knock')).waiting, true);
    back.send({ type: 'description', description: offer });
    assert.equal((await back.next('error')).code, 'no-peer');
  });

  it('a doctor’s ticket dies with leave too', async () => {
    const first = s.client();
    const dj = await first.join('t-doctor-left-2', 'doctor');
    first.send({ type: 'leave' });
    await first.waitClosed();
    // A new doctor holds the room; the departed one's ticket does not replace it.
    const second = s.client();
    await second.join('t-doctor-left-2', 'doctor');
    const back = s.client();
    await back.open();
    back.send({ type: 'join', room: 't-doctor-left-2', role: 'doctor', resume: dj.session });
    assert.equal((await back.next('error')).code, 'room-full');
    await second.quiet(50);
    assert.equal(second.closeCode, null);
  });

  it('a waiting ticket gives back a waiting place, even after the place was admitted', async () => {
    const { doctor, patient, patientSession, admittedSession } = await admittedPair(s, 't-waiting');
    patient.ws.terminate();
    assert.equal((await doctor.next('peer-left')).reason, 'gone');
    const back = s.client();
    const bj = await back.join('t-waiting', 'patient', patientSession);
    assert.equal(bj.waiting, true);
    assert.equal(bj.peer, false);
    assert.equal((await doctor.next('knock')).waiting, true);
    // The admitted ticket still names the place, and brings it back admitted.
    const again = s.client();
    const aj = await again.join('t-waiting', 'patient', admittedSession);
    assert.equal((await back.next('error')).code, 'replaced');
    assert.equal(aj.waiting, true, 'the place was given back as waiting, so it stays waiting');
  });
});
