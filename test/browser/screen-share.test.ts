// Screen share between two sessions in one page, over the real signaling server: the browser's
// picker is Chromium's fake one (--use-fake-ui-for-media-stream with --use-fake-device-for-media-stream
// answer getDisplayMedia with a fake "screen" at once), so getDisplayMedia is the real one.
import { expect } from '@open-wc/testing';
import { ConsultSession, type SessionOptions } from '../../src/core/session.js';
import { ConsultError } from '../../src/core/errors.js';
import type { MediaChange, SessionEvents } from '../../src/core/session-types.js';
import { type Transport, WebSocketTransport } from '../../src/signaling/transport.js';
import { signaling, startSignaling, stopSignaling } from './harness.js';
import { eventually, uniqueRoom } from './helpers.js';

interface Side {
  session: ConsultSession;
  /** Descriptions (offers and answers) this side sent through the signaling server. */
  descriptions: number;
  errors: ConsultError[];
  changes: MediaChange[];
  /** The other side's first `media` message arrived: the control channel is open. */
  heard: boolean;
}

let signalUrl = '';
const sessions: ConsultSession[] = [];

before(async () => {
  ({ signalUrl } = await signaling());
});
let ownServer: string | undefined;
afterEach(async () => {
  for (const s of sessions.splice(0)) s.dispose();
  if (ownServer) await stopSignaling(ownServer);
  ownServer = undefined;
});

/** Changes each description this side sends, as another version of the element would have made it. */
type Rewrite = (sdp: string, type: string) => string;

function side(options: Partial<SessionOptions> & Pick<SessionOptions, 'room' | 'role'>, rewrite?: Rewrite): Side {
  const record: Side = { session: undefined!, descriptions: 0, errors: [], changes: [], heard: false };
  const transport = (url: string, token?: string): Transport => {
    const inner = new WebSocketTransport(url, token);
    const send = inner.send.bind(inner);
    inner.send = (message) => {
      if (message.type !== 'description') return send(message);
      record.descriptions++;
      const { sdp, type } = message.description;
      send(rewrite && sdp ? { ...message, description: { type, sdp: rewrite(sdp, type) } } : message);
    };
    return inner;
  };
  record.session = new ConsultSession({ server: signalUrl, transport, ...options });
  record.session.on('error', (e) => record.errors.push(e));
  record.session.on('media-change', (c) => record.changes.push(c));
  record.session.on('remote-media', () => (record.heard = true));
  sessions.push(record.session);
  return record;
}

/** A doctor and a patient session, joined, admitted, connected, with the control channel open both ways. */
async function startCall(
  extra: { doctor?: Partial<SessionOptions>; patient?: Partial<SessionOptions>; patientRewrite?: Rewrite } = {},
): Promise<{ doctor: Side; patient: Side }> {
  const room = uniqueRoom('screen');
  const doctor = side({ room, role: 'doctor', ...extra.doctor });
  const patient = side({ room, role: 'patient', ...extra.patient }, extra.patientRewrite);
  await doctor.session.join();
  const knock = new Promise<void>((r) => doctor.session.on('knock', ({ waiting }) => waiting && r()));
  await patient.session.join();
  await knock;
  doctor.session.admit();
  await eventually(
    () => [doctor, patient].every(({ session: s, heard }) => s.state === 'connected' && heard),
    'both connected with the control channel open',
    20_000,
  );
  return { doctor, patient };
}

const next = <K extends keyof SessionEvents>(s: ConsultSession, type: K, match: (d: SessionEvents[K]) => boolean = () => true) =>
  new Promise<SessionEvents[K]>((resolve) => {
    const off = s.on(type, (detail) => {
      if (!match(detail)) return;
      off();
      resolve(detail);
    });
  });

/** Frames decoded so far for one received track (its inbound-rtp, selected by the track). */
async function framesOf(s: ConsultSession, track: MediaStreamTrack | undefined): Promise<number> {
  if (!track || !s.peerConnection) return 0;
  let frames = 0;
  (await s.peerConnection.getStats(track)).forEach((r) => {
    if (r.type === 'inbound-rtp') frames += r.framesDecoded ?? 0;
  });
  return frames;
}

/** Resolves once the track's decoded frames have advanced by more than `by`. */
async function untilFramesAdvance(s: ConsultSession, track: () => MediaStreamTrack | undefined, what: string, by = 5): Promise<void> {
  const first = await framesOf(s, track());
  await eventually(async () => (await framesOf(s, track())) > first + by, what);
}

const remoteCamera = (s: ConsultSession) => s.remoteStream?.getVideoTracks()[0];
const remoteScreen = (s: ConsultSession) => s.remoteScreenStream?.getVideoTracks()[0];

describe('screen share', () => {
  it('the doctor shares: the patient gets the screen beside the camera, with no new offer', async function () {
    this.timeout(60_000);
    const { doctor, patient } = await startCall();
    await untilFramesAdvance(patient.session, () => remoteCamera(patient.session), 'the camera plays');
    const descriptions = doctor.descriptions + patient.descriptions;
    const states = [doctor, patient].map(({ session: s }) => s.peerConnection!);
    let negotiationNeeded = 0;
    for (const pc of states) pc.addEventListener('negotiationneeded', () => negotiationNeeded++);

    const remoteOn = next(patient.session, 'screen-stream', (d) => !!d.stream);
    const localOn = next(doctor.session, 'screen-stream');
    await doctor.session.startScreenShare();
    expect(doctor.session.screenSharing).to.equal(true);
    expect((await localOn).stream).to.equal(doctor.session.localScreenStream);
    const localTrack = doctor.session.localScreenStream!.getVideoTracks()[0]!;
    expect(localTrack.contentHint).to.equal('detail');
    expect(doctor.session.localMedia.screen).to.equal(true);
    expect((await remoteOn).stream).to.equal(patient.session.remoteScreenStream);
    expect(patient.session.remoteMedia.screen).to.equal(true);
    expect(patient.changes).to.deep.include({ side: 'remote', source: 'screen', on: true });
    expect(doctor.changes).to.deep.include({ side: 'local', source: 'screen', on: true });

    await untilFramesAdvance(patient.session, () => remoteScreen(patient.session), 'screen frames are decoded');
    await untilFramesAdvance(patient.session, () => remoteCamera(patient.session), 'camera frames go on meanwhile');
    // The camera's stream keeps only the camera: the video element showing it is not taken over.
    expect(patient.session.remoteStream!.getVideoTracks()).to.have.length(1);
    expect(remoteScreen(patient.session)).not.to.equal(remoteCamera(patient.session));
    const screenSender = doctor.session.peerConnection!.getSenders().find((s) => s.track === localTrack)!;
    expect(screenSender.getParameters().encodings[0]!.maxBitrate).to.equal(1_500_000);

    const remoteOff = next(patient.session, 'screen-stream');
    doctor.session.stopScreenShare();
    expect(localTrack.readyState).to.equal('ended');
    expect(doctor.session.screenSharing).to.equal(false);
    expect((await remoteOff).stream).to.equal(undefined);
    expect(patient.session.remoteScreenStream).to.equal(undefined);
    await untilFramesAdvance(patient.session, () => remoteCamera(patient.session), 'camera frames after the share');

    expect(doctor.descriptions + patient.descriptions).to.equal(descriptions);
    expect(negotiationNeeded).to.equal(0);
    expect(states.map((pc) => pc.signalingState)).to.deep.equal(['stable', 'stable']);
    expect([...doctor.errors, ...patient.errors]).to.deep.equal([]);
  });

  it('the browser ending the shared track (its "Stop sharing" bar) returns to the camera and tells the other side', async function () {
    this.timeout(60_000);
    const { doctor, patient } = await startCall();
    const remoteOn = next(patient.session, 'screen-stream', (d) => !!d.stream);
    await doctor.session.startScreenShare();
    await remoteOn;
    await untilFramesAdvance(patient.session, () => remoteScreen(patient.session), 'screen frames are decoded');
    const track = doctor.session.localScreenStream!.getVideoTracks()[0]!;
    const remoteOff = next(patient.session, 'media-change', (c) => c.source === 'screen' && !c.on);
    const localOff = next(doctor.session, 'screen-stream');
    // track.stop() fires no `ended`; the browser fires it when its bar's button is used. The
    // event is the one the session listens to, dispatched on the real captured track.
    track.dispatchEvent(new Event('ended'));
    expect((await localOff).stream).to.equal(undefined);
    expect(track.readyState).to.equal('ended');
    expect(doctor.session.screenSharing).to.equal(false);
    expect(await remoteOff).to.deep.equal({ side: 'remote', source: 'screen', on: false });
    expect(patient.session.remoteMedia.screen).to.equal(false);
    await untilFramesAdvance(patient.session, () => remoteCamera(patient.session), 'camera frames after the share');
  });

  it('a cancelled picker rejects with screen-share-cancelled and changes nothing', async () => {
    const { doctor } = await startCall({
      doctor: { getDisplayMedia: () => Promise.reject(new DOMException('Permission denied by user', 'NotAllowedError')) },
    });
    const error = await doctor.session.startScreenShare().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).to.be.instanceOf(ConsultError);
    expect((error as ConsultError).code).to.equal('screen-share-cancelled');
    expect((error as ConsultError).fatal).to.equal(false);
    expect(doctor.session.state).to.equal('connected');
    expect(doctor.session.screenSharing).to.equal(false);
    expect(doctor.errors).to.deep.equal([]);
    expect(doctor.changes).to.deep.equal([]);
  });

  it('the patient may not share by default: screen-share-unavailable, before any picker', async () => {
    let asked = 0;
    const { patient } = await startCall({ patient: { getDisplayMedia: () => (asked++, navigator.mediaDevices.getDisplayMedia()) } });
    const error = await patient.session.startScreenShare().then(
      () => undefined,
      (e: unknown) => e as ConsultError,
    );
    expect(error?.code).to.equal('screen-share-unavailable');
    expect(error?.fatal).to.equal(false);
    expect(asked).to.equal(0);
    expect(patient.session.screenSharing).to.equal(false);
  });

  it('a patient allowed with screenShare: true shares, and the doctor gets its frames', async function () {
    this.timeout(60_000);
    const { doctor, patient } = await startCall({ patient: { screenShare: true } });
    const remoteOn = next(doctor.session, 'screen-stream', (d) => !!d.stream);
    await patient.session.startScreenShare();
    await remoteOn;
    await untilFramesAdvance(doctor.session, () => remoteScreen(doctor.session), 'screen frames are decoded');
  });

  it('is unavailable when the other side answers the screen slot as an older version does (recvonly)', async () => {
    // An element without screen share answers a video section it has no track for `recvonly`.
    const olderAnswer: Rewrite = (sdp, type) => {
      if (type !== 'answer') return sdp;
      const sections = sdp.split(/(?=^m=)/m);
      const second = sections.map((x, i) => [x, i] as const).filter(([x]) => x.startsWith('m=video'))[1]?.[1];
      if (second !== undefined) sections[second] = sections[second]!.replace('a=sendrecv', 'a=recvonly');
      return sections.join('');
    };
    const { doctor, patient } = await startCall({ patientRewrite: olderAnswer });
    await untilFramesAdvance(patient.session, () => remoteCamera(patient.session), 'the camera plays');
    const error = await doctor.session.startScreenShare().then(
      () => undefined,
      (e: unknown) => e as ConsultError,
    );
    expect(error?.code).to.equal('screen-share-unavailable');
    expect(doctor.session.screenSharing).to.equal(false);
    expect(doctor.errors).to.deep.equal([]);
  });

  it('a move to a new peer connection ends the share on both sides; sharing again works on the new one', async function () {
    this.timeout(120_000);
    // As in transfer-new-connection.test.ts: the doctor's connection closes for good and the
    // server restarts, so both sides rejoin and build a new connection (what a reload does).
    const resumeSecret = `resume-${uniqueRoom()}-secret`;
    const first = await startSignaling({ heartbeatMs: 1000, resumeSecret });
    ownServer = first.id;
    const port = Number(new URL(first.url).port);
    const { doctor, patient } = await startCall({ doctor: { server: first.signalUrl }, patient: { server: first.signalUrl } });
    const remoteOn = next(patient.session, 'screen-stream', (d) => !!d.stream);
    await doctor.session.startScreenShare();
    await remoteOn;
    const track = doctor.session.localScreenStream!.getVideoTracks()[0]!;
    const [oldDoctor, oldPatient] = [doctor.session.peerConnection!, patient.session.peerConnection!];
    const localOff = next(doctor.session, 'screen-stream');
    const remoteOff = next(patient.session, 'screen-stream');
    oldDoctor.close();
    doctor.heard = patient.heard = false;
    await stopSignaling(ownServer);
    ownServer = (await startSignaling({ port, heartbeatMs: 1000, resumeSecret })).id;
    expect((await localOff).stream).to.equal(undefined);
    expect((await remoteOff).stream).to.equal(undefined);
    expect(track.readyState).to.equal('ended');
    await eventually(
      () =>
        [doctor, patient].every(({ session: s }) => s.state === 'connected' && s.peerConnection?.connectionState === 'connected') &&
        doctor.session.peerConnection !== oldDoctor &&
        patient.session.peerConnection !== oldPatient,
      'a new connection on both sides',
      30_000,
    );
    expect(doctor.session.screenSharing).to.equal(false);
    expect(patient.session.remoteScreenStream).to.equal(undefined);
    expect(patient.session.remoteMedia.screen).to.equal(false);
    await eventually(() => doctor.heard && patient.heard, 'the new control channel is open both ways');
    const again = next(patient.session, 'screen-stream', (d) => !!d.stream);
    await doctor.session.startScreenShare();
    await again;
    await untilFramesAdvance(patient.session, () => remoteScreen(patient.session), 'screen frames on the new connection');
  });

  it('is unavailable before the call is connected', async () => {
    const doctor = side({ room: uniqueRoom('screen'), role: 'doctor' });
    await doctor.session.join();
    const error = await doctor.session.startScreenShare().then(
      () => undefined,
      (e: unknown) => e as ConsultError,
    );
    expect(error?.code).to.equal('screen-share-unavailable');
  });
});
