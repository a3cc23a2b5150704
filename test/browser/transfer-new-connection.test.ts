// A file moving while the call moves to a new RTCPeerConnection on both sides: two sessions in
// this page, the real signaling server (one of the test's own, so it can be restarted) and real
// Chromium. One side's connection is closed for good mid-transfer; when the signaling connection
// comes back, that side (the doctor, who offers) starts a new connection with a new certificate,
// the other side sees the new DTLS fingerprint and answers with a new connection too: what a
// reload does, with both pages (and their transfers) still there.
import { expect } from '@open-wc/testing';
import '../../src/index.js';
import { ConsultSession, type FileTransfer, type IncomingOffer, type ReceivedFile, type SentFile } from '../../src/index.js';
import { startSignaling, stopSignaling } from './harness.js';
import { eventually, randomFile, sha256, uniqueRoom } from './helpers.js';

const MiB = 1024 * 1024;

interface Call {
  doctor: ConsultSession;
  patient: ConsultSession;
  /** Closes the doctor's connection for good and restarts the server, so that both sides rejoin. */
  replaceDoctorConnection(): Promise<void>;
}

let serverId: string | undefined;
const sessions: ConsultSession[] = [];

afterEach(async () => {
  for (const s of sessions.splice(0)) s.dispose();
  if (serverId) await stopSignaling(serverId);
  serverId = undefined;
});

const connected = (s: ConsultSession) =>
  eventually(() => s.state === 'connected' && s.peerConnection?.connectionState === 'connected' && s.filesAvailable, `${s.role} connected`, 30_000);

async function startCall(): Promise<Call> {
  const resumeSecret = `resume-${uniqueRoom()}-secret`;
  const first = await startSignaling({ heartbeatMs: 1000, resumeSecret });
  serverId = first.id;
  const port = Number(new URL(first.url).port);
  const room = uniqueRoom('moves');
  const doctor = new ConsultSession({ server: first.signalUrl, room, role: 'doctor' });
  const patient = new ConsultSession({ server: first.signalUrl, room, role: 'patient' });
  sessions.push(doctor, patient);
  await doctor.join();
  const knock = new Promise<void>((r) => doctor.on('knock', ({ waiting }) => waiting && r()));
  await patient.join();
  await knock;
  doctor.admit();
  await Promise.all([connected(doctor), connected(patient)]);
  return {
    doctor,
    patient,
    async replaceDoctorConnection() {
      const oldDoctor = doctor.peerConnection!;
      const oldPatient = patient.peerConnection!;
      oldDoctor.close();
      await stopSignaling(serverId!);
      serverId = (await startSignaling({ port, heartbeatMs: 1000, resumeSecret })).id;
      await eventually(
        () => doctor.peerConnection !== oldDoctor && patient.peerConnection !== oldPatient,
        'a new connection on both sides',
        30_000,
      );
      await Promise.all([connected(doctor), connected(patient)]);
    },
  };
}

const nextOffer = (s: ConsultSession) => new Promise<IncomingOffer>((r) => s.on('file-offer', r));

/** `done` of both sides, or the first failure with its code. */
async function bothDone(sent: FileTransfer<SentFile>, received: Promise<FileTransfer<ReceivedFile>>): Promise<[SentFile, ReceivedFile]> {
  return Promise.all([sent.done, received.then((t) => t.done)]);
}

describe('a transfer while the call moves to a new peer connection', () => {
  it('a file being sent continues on the new connections and arrives whole', async function () {
    this.timeout(120_000);
    const call = await startCall();
    const file = randomFile(24 * MiB, 'scan.zip', 'application/zip');
    const errors: string[] = [];
    for (const s of [call.doctor, call.patient]) s.on('file-error', (e) => errors.push(`${s.role}: ${e.code}`));
    const offered = nextOffer(call.doctor);
    const sending = call.patient.sendFile(file);
    const receiving = offered.then((offer) => offer.accept());
    const handle = await receiving;
    // Cut while blocks are moving: the receiver's connection goes at once, from the progress event.
    await new Promise<void>((resolve) => {
      const off = call.doctor.on('file-progress', (p) => {
        if (p.bytes < 2 * MiB) return;
        off();
        call.doctor.peerConnection!.close();
        resolve();
      });
    });
    expect(handle.bytes).to.be.below(file.size);
    await call.replaceDoctorConnection();
    const [sent, got] = await bothDone(sending, receiving);
    expect(errors).to.deep.equal([]);
    expect(got.transferHash).to.equal(sent.transferHash);
    expect(await sha256(got.blob!)).to.equal(await sha256(file));
    expect(sending.resumes + handle.resumes).to.be.above(0);
  });

  it('an offer made before the move can be accepted after it, and the file arrives whole', async function () {
    this.timeout(120_000);
    const call = await startCall();
    const file = randomFile(3 * MiB, 'letter.pdf');
    const offered = nextOffer(call.doctor);
    const sending = call.patient.sendFile(file);
    const offer = await offered;
    await call.replaceDoctorConnection();
    const receiving = offer.accept();
    const [sent, got] = await bothDone(sending, Promise.resolve(receiving));
    expect(got.transferHash).to.equal(sent.transferHash);
    expect(await sha256(got.blob!)).to.equal(await sha256(file));
  });
});
