import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { admittedPair, startServer } from './helpers.js';

const offer = { type: 'offer', sdp: 'v=0\r\no=- 1 1 IN IP4 0.0.0.0\r\n' };

describe('joining and the waiting room', () => {
  let s: Awaited<ReturnType<typeof startServer>>;
  before(async () => {
    s = await startServer({ iceServers: ['stun:stun.example.org:3478'] });
  });
  after(() => s.stop());

  it('answers join with role, politeness, a session id and the ICE servers', async () => {
    const doctor = s.client();
    const joined = await doctor.join('r-join', 'doctor');
    assert.equal(joined.v, 1);
    assert.equal(joined.room, 'r-join');
    assert.equal(joined.role, 'doctor');
    assert.equal(joined.polite, false);
    assert.equal(joined.peer, false);
    assert.equal(joined.waiting, false);
    assert.match(joined.session, /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/);
    assert.deepEqual(joined.iceServers, [{ urls: 'stun:stun.example.org:3478' }]);
    assert.equal(doctor.ws.protocol, 'video-consult.v1');
  });

  it('keeps a patient waiting, knocks at the doctor, and on admit tells both in order', async () => {
    const doctor = s.client();
    const patient = s.client();
    await doctor.join('r-admit', 'doctor');
    const pj = await patient.join('r-admit', 'patient');
    assert.equal(pj.polite, true);
    assert.equal(pj.waiting, true);
    assert.equal(pj.peer, false);
    assert.deepEqual(await doctor.next('knock'), { v: 1, type: 'knock', waiting: true });
    // Before admission nothing is relayed.
    patient.send({ type: 'description', description: offer });
    assert.equal((await patient.next('error')).code, 'no-peer');
    doctor.send({ type: 'admit' });
    await patient.next('admitted');
    assert.deepEqual(await patient.next('peer-joined'), { v: 1, type: 'peer-joined', role: 'doctor' });
    assert.deepEqual(await doctor.next('peer-joined'), { v: 1, type: 'peer-joined', role: 'patient' });
    await doctor.quiet(50);
  });

  it('knocks when the doctor arrives after the patient', async () => {
    const patient = s.client();
    await patient.join('r-late', 'patient');
    const doctor = s.client();
    const dj = await doctor.join('r-late', 'doctor');
    assert.equal(dj.peer, false);
    assert.equal((await doctor.next('knock')).waiting, true);
    await patient.quiet(50);
  });

  it('withdraws the knock when a waiting patient leaves or drops', async () => {
    const doctor = s.client();
    await doctor.join('r-withdraw', 'doctor');
    const p1 = s.client();
    await p1.join('r-withdraw', 'patient');
    await doctor.next('knock');
    p1.send({ type: 'leave' });
    assert.equal((await doctor.next('knock')).waiting, false);
    const p2 = s.client();
    await p2.join('r-withdraw', 'patient');
    assert.equal((await doctor.next('knock')).waiting, true);
    p2.close();
    assert.equal((await doctor.next('knock')).waiting, false);
  });

  it('declines a patient with a fatal error', async () => {
    const doctor = s.client();
    const patient = s.client();
    await doctor.join('r-decline', 'doctor');
    await patient.join('r-decline', 'patient');
    await doctor.next('knock');
    doctor.send({ type: 'decline' });
    const err = await patient.next('error');
    assert.equal(err.code, 'declined');
    assert.equal(err.fatal, true);
    await patient.waitClosed();
    assert.equal(patient.closeCode, 4403);
    assert.equal(patient.closeReason, 'declined');
    assert.equal((await doctor.next('knock')).waiting, false);
  });

  it('lets only the doctor admit, and only a waiting patient', async () => {
    const doctor = s.client();
    await doctor.join('r-notallowed', 'doctor');
    doctor.send({ type: 'admit' });
    assert.equal((await doctor.next('error')).code, 'not-allowed');
    const patient = s.client();
    await patient.join('r-notallowed', 'patient');
    await doctor.next('knock');
    patient.send({ type: 'admit' });
    const err = await patient.next('error');
    assert.equal(err.code, 'not-allowed');
    assert.notEqual(err.fatal, true);
  });

  it('refuses a second doctor or patient with room-full and closes it', async () => {
    const { doctor, patient } = await admittedPair(s, 'r-full');
    for (const role of ['doctor', 'patient'] as const) {
      const third = s.client();
      await third.open();
      third.send({ type: 'join', room: 'r-full', role });
      const err = await third.next('error');
      assert.equal(err.code, 'room-full');
      assert.equal(err.fatal, true);
      await third.waitClosed();
      assert.equal(third.closeCode, 4409);
    }
    await doctor.quiet(50);
    await patient.quiet(0);
  });

  it('refuses a second join on one connection', async () => {
    const doctor = s.client();
    await doctor.join('r-twice', 'doctor');
    doctor.send({ type: 'join', room: 'r-twice2', role: 'doctor' });
    assert.equal((await doctor.next('error')).code, 'already-joined');
  });
});

describe('relay', () => {
  let s: Awaited<ReturnType<typeof startServer>>;
  before(async () => {
    s = await startServer();
  });
  after(() => s.stop());

  it('relays descriptions and candidates to the other member only, rebuilt from validated fields', async () => {
    const a = await admittedPair(s, 'r-relay-a');
    const b = await admittedPair(s, 'r-relay-b');
    a.doctor.send({ type: 'description', description: { ...offer, extra: 'dropped' }, extra: 1 });
    assert.deepEqual(await a.patient.next('description'), { v: 1, type: 'description', description: offer });
    const cand = { candidate: 'candidate:1 1 udp 2122260223 192.0.2.1 54400 typ host', sdpMid: '0', sdpMLineIndex: 0 };
    a.patient.send({ type: 'candidate', candidate: cand });
    assert.deepEqual(await a.doctor.next('candidate'), { v: 1, type: 'candidate', candidate: cand });
    a.patient.send({ type: 'candidate', candidate: null });
    assert.deepEqual(await a.doctor.next('candidate'), { v: 1, type: 'candidate', candidate: null });
    await a.doctor.quiet(50);
    await a.patient.quiet(0);
    await b.doctor.quiet(0);
    await b.patient.quiet(0);
  });

  it('announces a hang-up as left and a drop as gone', async () => {
    const a = await admittedPair(s, 'r-leave');
    a.patient.send({ type: 'leave' });
    assert.deepEqual(await a.doctor.next('peer-left'), { v: 1, type: 'peer-left', role: 'patient', reason: 'left' });
    await a.patient.waitClosed();
    const b = await admittedPair(s, 'r-gone');
    b.doctor.ws.terminate();
    assert.deepEqual(await b.patient.next('peer-left'), { v: 1, type: 'peer-left', role: 'doctor', reason: 'gone' });
    b.patient.send({ type: 'description', description: offer });
    assert.equal((await b.patient.next('error')).code, 'no-peer');
  });
});

describe('place tickets across a server restart', () => {
  const resumeSecret = 'a-resume-secret-for-tests-0123456789';

  it('an admitted patient comes back admitted to a new process with the same secret', async () => {
    const first = await startServer({ resumeSecret });
    const { admittedSession } = await admittedPair(first, 'r-restart');
    assert.ok(admittedSession, 'admitted carries a new ticket');
    await first.stop();

    const second = await startServer({ resumeSecret });
    try {
      const doctor = second.client();
      await doctor.join('r-restart', 'doctor');
      const back = second.client();
      const j = await back.join('r-restart', 'patient', admittedSession);
      assert.equal(j.waiting, false);
      assert.equal(j.peer, true);
      assert.deepEqual(await doctor.next('peer-joined'), { v: 1, type: 'peer-joined', role: 'patient' });
      back.send({ type: 'description', description: offer });
      await doctor.next('description');
    } finally {
      await second.stop();
    }
  });

  it('a forged, foreign or other-room ticket gives no admission', async () => {
    const first = await startServer({ resumeSecret });
    const { admittedSession: ticket } = await admittedPair(first, 'r-forge');
    await first.stop();
    const other = await startServer({ resumeSecret: 'another-secret-entirely-0123456789' });
    const same = await startServer({ resumeSecret });
    try {
      const [payload, mac] = ticket.split('.');
      const claims = JSON.parse(Buffer.from(payload!, 'base64url').toString());
      const forged = Buffer.from(JSON.stringify({ ...claims, room: 'r-elsewhere' })).toString('base64url') + '.' + mac;
      for (const [server, room, t] of [
        [other, 'r-forge', ticket],
        [same, 'r-elsewhere', forged],
        [same, 'r-other', ticket],
      ] as const) {
        const j = await server.client().join(room, 'patient', t);
        assert.equal(j.waiting, true, `${room} via ${t.slice(0, 12)}…`);
      }
    } finally {
      await other.stop();
      await same.stop();
    }
  });
});

describe('resume after a reload', () => {
  let s: Awaited<ReturnType<typeof startServer>>;
  before(async () => {
    s = await startServer({ graceMs: 300 });
  });
  after(() => s.stop());

  it('returns an admitted patient to the call without knocking', async () => {
    const { doctor, patient, admittedSession } = await admittedPair(s, 'r-resume');
    patient.ws.terminate();
    assert.equal((await doctor.next('peer-left')).reason, 'gone');
    const again = s.client();
    const j = await again.join('r-resume', 'patient', admittedSession);
    assert.match(j.session, /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/);
    assert.equal(j.waiting, false);
    assert.equal(j.peer, true);
    assert.deepEqual(await doctor.next('peer-joined'), { v: 1, type: 'peer-joined', role: 'patient' });
    await doctor.quiet(50);
    again.send({ type: 'description', description: offer });
    await doctor.next('description');
  });

  it('gives the call back to a doctor who reloads', async () => {
    const { doctor, patient } = await admittedPair(s, 'r-doctor-reload');
    doctor.ws.terminate();
    assert.equal((await patient.next('peer-left')).reason, 'gone');
    const again = s.client();
    const j = await again.join('r-doctor-reload', 'doctor');
    assert.equal(j.peer, true);
    assert.deepEqual(await patient.next('peer-joined'), { v: 1, type: 'peer-joined', role: 'doctor' });
  });

  it('replaces a still-open connection that holds the place', async () => {
    const { doctor, patient, admittedSession } = await admittedPair(s, 'r-replace');
    const again = s.client();
    const j = await again.join('r-replace', 'patient', admittedSession);
    assert.equal(j.peer, true);
    const err = await patient.next('error');
    assert.equal(err.code, 'replaced');
    await patient.waitClosed();
    assert.equal(patient.closeCode, 4409);
    assert.equal((await doctor.next('peer-joined')).role, 'patient');
    await doctor.quiet(50);
  });

  it('makes a patient knock again without the session id', async () => {
    const { doctor, patient, patientSession } = await admittedPair(s, 'r-stranger');
    patient.ws.terminate();
    await doctor.next('peer-left');
    const stranger = s.client();
    const sj = await stranger.join('r-stranger', 'patient', 'not-the-session');
    assert.equal(sj.waiting, true);
    assert.notEqual(sj.session, patientSession);
    assert.equal((await doctor.next('knock')).waiting, true);
  });

  it('makes a patient knock again once the grace period is over', async () => {
    const { doctor, patient, patientSession } = await admittedPair(s, 'r-grace');
    patient.ws.terminate();
    await doctor.next('peer-left');
    await new Promise((ok) => setTimeout(ok, 400));
    const late = s.client();
    const lj = await late.join('r-grace', 'patient', patientSession);
    assert.equal(lj.waiting, true);
    assert.notEqual(lj.session, patientSession);
    assert.equal((await doctor.next('knock')).waiting, true);
  });
});
