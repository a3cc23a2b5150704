// A file moving while the call moves to a new RTCPeerConnection on both sides: two sessions in
// this page, the real signaling server (one of the test's own, so it can be restarted) and real
// Chromium. One side's connection is closed for good mid-transfer; when the signaling connection
// comes back, that side (the doctor, who offers) starts a new connection with a new certificate,
// the other side sees the new DTLS fingerprint and answers with a new connection too: what a
// reload does, with both pages (and their transfers) still there.
import { expect } from '@open-wc/testing';
import '../../src/index.js';
import { ConsultSession, type FileTransfer, type IncomingOffer, type ReceivedFile, type SentFile } from '../../src/index.js';
import type { FileTransferManager } from '../../src/file-transfer/index.js';
import { startSignaling, stopSignaling } from './harness.js';
import { eventually, randomFile, sha256, uniqueRoom } from './helpers.js';
import { MiB, autoAccept, connect, fingerprint, makeFile, makeSide, next, pair, sides, type Side } from './file-transfer-support.js';

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
      await eventually(() => doctor.peerConnection !== oldDoctor && patient.peerConnection !== oldPatient, 'a new connection on both sides', 30_000);
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

// ---- the engine alone: what each side re-sends on the new connection -----------------------------

/** Keeps the next control message of `type` that `side` sends from leaving (as if lost with its connection). */
function loseNext(side: Side, type: string): void {
  const control = side.control;
  const send = control.send.bind(control);
  let lost = false;
  control.send = ((text: string) => {
    if (!lost && JSON.parse(text).type === type) lost = true;
    else send(text);
  }) as RTCDataChannel['send'];
}

/**
 * Both sides move to a new pair of connections, as the session does after a reload-like change;
 * `between` runs once the old ones are closed, before the new ones come.
 */
async function move(A: Side, a: FileTransferManager, B: Side, b: FileTransferManager, between = () => {}): Promise<void> {
  A.pc.close();
  B.pc.close();
  between();
  const A2 = makeSide(false);
  const B2 = makeSide(false);
  sides.push(A2, B2);
  for (const [side, fresh, manager] of [
    [A, A2, a],
    [B, B2, b],
  ] as const) {
    side.pc = fresh.pc;
    side.control = fresh.control;
    fresh.control.addEventListener('message', ({ data }) => manager.handleControl(data));
    manager.attach(fresh.pc);
  }
  await connect(A2, B2);
}

async function codeOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (error) {
    return (error as { code: string }).code;
  }
  throw new Error('expected a rejection');
}

describe('the engine on a new connection, after control messages were lost with the old one', () => {
  it('an offer lost on the way is offered again, and the file arrives whole', async function () {
    this.timeout(30_000);
    const { A, B, a, b } = await pair();
    loseNext(A, 'file-offer');
    const handle = a.sendFile(makeFile(2 * MiB, 'lost-offer.bin'));
    autoAccept(b);
    const received = next(b, 'received');
    await move(A, a, B, b);
    const [sent, got] = await Promise.all([handle.done, received]);
    expect(got.hash).to.equal(sent.hash);
  });

  it('an accept lost on the way is said again, and the file arrives whole', async function () {
    this.timeout(30_000);
    const { A, B, a, b } = await pair();
    loseNext(B, 'file-accept');
    autoAccept(b);
    const file = makeFile(3 * MiB, 'lost-accept.bin', '', 5);
    const handle = a.sendFile(file);
    await eventually(() => B.sent.some((m) => m.type === 'file-accept'), 'the receiver accepted');
    expect(handle.state).to.equal('offered');
    const received = next(b, 'received');
    await move(A, a, B, b);
    const [sent, got] = await Promise.all([handle.done, received]);
    expect(got.hash).to.equal(sent.hash);
    expect(await fingerprint(got.blob!)).to.equal(await fingerprint(file));
  });

  it('an offer accepted while the call waits for a new connection is accepted there, and the file arrives whole', async function () {
    this.timeout(30_000);
    const { A, B, a, b } = await pair();
    const offered = next(b, 'offer');
    const handle = a.sendFile(makeFile(2 * MiB, 'accepted-between.bin'));
    const offer = await offered;
    const received = next(b, 'received');
    let accepted: ReturnType<typeof offer.accept> | undefined;
    // Into a writable, so the accept is answered at once, with no connection to carry it: the old
    // control channel refuses it (Chromium may still call it open just after close(), and drop it).
    await move(A, a, B, b, () => {
      B.control.send = () => {
        throw new DOMException('the channel is closed', 'InvalidStateError');
      };
      accepted = offer.accept({ writable: new WritableStream<Uint8Array>() });
    });
    const [sent, got] = await Promise.all([handle.done, received]);
    expect(got.hash).to.equal(sent.hash);
    expect(accepted!.state).to.equal('done');
  });

  it('a confirmation lost on the way is given again when the sender asks, and the sender is done', async function () {
    this.timeout(30_000);
    const { A, B, a, b } = await pair();
    loseNext(B, 'file-complete');
    autoAccept(b);
    const handle = a.sendFile(makeFile(MiB, 'lost-complete.bin'));
    const got = await next(b, 'received');
    expect(handle.state).to.equal('finishing');
    await move(A, a, B, b);
    expect((await handle.done).hash).to.equal(got.hash);
  });

  it('a decline lost on the way is given again when the sender offers again', async function () {
    this.timeout(30_000);
    const { A, B, a, b } = await pair();
    loseNext(B, 'file-decline');
    b.on('offer', (offer) => offer.decline());
    const handle = a.sendFile(makeFile(1000, 'lost-decline.bin'));
    await eventually(() => B.sent.some((m) => m.type === 'file-decline'), 'the receiver declined');
    await move(A, a, B, b);
    expect(await codeOf(handle.done)).to.equal('file-declined');
  });

  it('a file being sent to a page that reloaded ends with file-closed once the new page answers', async function () {
    this.timeout(30_000);
    const { A, B, a, b } = await pair();
    autoAccept(b);
    const handle = a.sendFile(makeFile(16 * MiB, 'to-a-reload.bin'));
    await next(b, 'progress', (p) => p.bytes >= 2 * MiB);
    // The page goes without a word; a new page with an engine of its own takes the call.
    B.control.send = () => {};
    b.close();
    A.pc.close();
    B.pc.close();
    const A2 = makeSide(false);
    const C = makeSide();
    sides.push(A2, C);
    A.pc = A2.pc;
    A.control = A2.control;
    A2.control.addEventListener('message', ({ data }) => a.handleControl(data));
    const offers: string[] = [];
    C.manager!.on('offer', (offer) => offers.push(offer.id));
    a.attach(A2.pc);
    await connect(A2, C);
    expect(await codeOf(handle.done)).to.equal('file-closed');
    expect(offers).to.deep.equal([]);
  });
});
