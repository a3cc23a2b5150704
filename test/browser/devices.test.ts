// Choosing devices during a call, between two sessions in this page over the real server.
// Chromium's fake capture offers three cameras and three microphones here
// (`--use-fake-device-for-media-stream=device-count=3` in web-test-runner.config.mjs). Its
// fake_device_1 is a Y16 depth camera whose frames neither render nor encode in Chromium here, so
// the sessions read the device list without it (the `enumerateDevices` option): two cameras.
import { expect } from '@open-wc/testing';
import { executeServerCommand } from '@web/test-runner-commands';
import { ConsultSession, type DeviceLost, type SessionOptions } from '../../src/core/session.js';
import type { ConsultError } from '../../src/core/errors.js';
import { REMEMBERED_DEVICES_KEY } from '../../src/core/devices.js';
import { signaling } from './harness.js';
import { eventually, uniqueRoom } from './helpers.js';

let server = '';
const sessions: ConsultSession[] = [];
before(async () => {
  ({ signalUrl: server } = await signaling());
});
/** Media elements that play what each session receives: Chromium decodes and counts only what plays. */
const players: HTMLVideoElement[] = [];
afterEach(() => {
  for (const s of sessions.splice(0)) s.dispose();
  for (const p of players.splice(0)) p.remove();
  localStorage.removeItem(REMEMBERED_DEVICES_KEY);
});

/** The devices, without the depth camera and without the ids `hidden` names (unplugged). */
const devicesWithout =
  (hidden: () => string = () => '') =>
  async () =>
    (await navigator.mediaDevices.enumerateDevices()).filter((d) => d.label !== 'fake_device_1' && d.deviceId !== hidden());

const connected = (s: ConsultSession) =>
  new Promise<void>((resolve) => {
    if (s.state === 'connected') resolve();
    const off = s.on('state', ({ state }) => state === 'connected' && (off(), resolve()));
  });

/** A doctor and a patient session in a fresh room, connected. */
async function call(doctorOptions: Partial<SessionOptions> = {}, patientOptions: Partial<SessionOptions> = {}) {
  const room = uniqueRoom('devices');
  const enumerateDevices = devicesWithout();
  const doctor = new ConsultSession({ server, room, role: 'doctor', enumerateDevices, ...doctorOptions });
  const patient = new ConsultSession({ server, room, role: 'patient', enumerateDevices, ...patientOptions });
  sessions.push(doctor, patient);
  await doctor.join();
  const knock = new Promise<void>((r) => doctor.on('knock', ({ waiting }) => waiting && r()));
  await patient.join();
  await knock;
  doctor.admit();
  await Promise.all([connected(doctor), connected(patient)]);
  for (const s of [doctor, patient]) {
    const player = document.createElement('video');
    player.srcObject = s.remoteStream!;
    document.body.append(player);
    players.push(player);
    player.play().catch(() => {});
  }
  await eventually(
    () => doctor.devices.cameras.length === 2 && doctor.devices.microphones.length >= 2,
    'the doctor lists two cameras and two microphones',
  );
  return { doctor, patient };
}

/** What the session receives, from its connection's statistics. */
async function inbound(s: ConsultSession) {
  const out = { framesDecoded: 0, audioSamples: 0, audioEnergy: 0 };
  (await s.peerConnection!.getStats()).forEach((r: Record<string, number | string>) => {
    if (r.type !== 'inbound-rtp') return;
    if (r.kind === 'video') out.framesDecoded += Number(r.framesDecoded ?? 0);
    if (r.kind === 'audio') {
      out.audioSamples += Number(r.totalSamplesReceived ?? 0);
      out.audioEnergy += Number(r.totalAudioEnergy ?? 0);
    }
  });
  return out;
}

async function untilFramesAdvance(s: ConsultSession) {
  const first = (await inbound(s)).framesDecoded;
  await eventually(async () => (await inbound(s)).framesDecoded > first + 10, 'decoded frames advance');
}

/** The audio energy the session received over the next second of samples. */
async function energyOverOneSecond(s: ConsultSession) {
  const first = await inbound(s);
  const last = await eventually(async () => {
    const now = await inbound(s);
    return now.audioSamples > first.audioSamples + 48_000 ? now : undefined;
  }, 'a second of audio samples arrives');
  return last!.audioEnergy - first.audioEnergy;
}

/** What a connection's negotiation looks like: a switch must leave it as it is. */
const negotiation = (s: ConsultSession) => ({
  signalingState: s.peerConnection!.signalingState,
  transceivers: s.peerConnection!.getTransceivers().length,
  sdp: s.peerConnection!.localDescription!.sdp,
});

const cameraId = (s: ConsultSession) => s.localStream!.getVideoTracks()[0]?.getSettings().deviceId;
const microphoneId = (s: ConsultSession) => s.localStream!.getAudioTracks()[0]?.getSettings().deviceId;

describe('choosing a camera during a call', () => {
  it('lists the fake cameras and microphones with the ones in use', async () => {
    const { doctor } = await call();
    const { cameras, camera, microphone, microphones } = doctor.devices;
    expect(cameras.map((c) => c.label)).to.have.members(['fake_device_0', 'fake_device_2']);
    expect(camera).to.equal(cameraId(doctor));
    expect(microphones.map((m) => m.id)).to.include(microphone);
    expect(doctor.canFlipCamera).to.equal(true);
    // Chromium's fake cameras say nothing of where they face.
    expect(doctor.cameraFacing).to.equal(undefined);
  });

  it('swaps the camera without renegotiating, and the other side keeps decoding frames', async () => {
    const { doctor, patient } = await call();
    const before = negotiation(doctor);
    const other = doctor.devices.cameras.find((c) => c.id !== doctor.devices.camera)!;
    const streams: MediaStream[] = [];
    doctor.on('local-stream', (s) => streams.push(s));
    const listed = new Promise((r) => doctor.on('devices', r));
    await doctor.selectDevice('camera', other.id);
    await listed;
    expect(cameraId(doctor)).to.equal(other.id);
    expect(doctor.devices.camera).to.equal(other.id);
    expect(streams).to.have.length(1);
    expect(negotiation(doctor)).to.deep.equal(before);
    await untilFramesAdvance(patient);
    expect(negotiation(doctor)).to.deep.equal(before);
  });

  it('keeps a camera that is off off: nothing is opened, only the choice is kept', async () => {
    const calls: MediaStreamConstraints[] = [];
    const getUserMedia = (c: MediaStreamConstraints) => (calls.push(c), navigator.mediaDevices.getUserMedia(c));
    const { doctor } = await call({ getUserMedia });
    await doctor.setCameraEnabled(false);
    const other = doctor.devices.cameras.find((c) => c.id !== cameraId(doctor) && c.id !== doctor.devices.camera)!;
    const opened = calls.length;
    await doctor.selectDevice('camera', other.id);
    expect(calls.length).to.equal(opened);
    expect(doctor.localStream!.getVideoTracks()).to.have.length(0);
    expect(doctor.localMedia.camera).to.equal(false);
    expect(doctor.devices.camera).to.equal(other.id);
    // Turned on, the camera chosen meanwhile opens.
    await doctor.setCameraEnabled(true);
    expect(cameraId(doctor)).to.equal(other.id);
  });

  it('rejects a device that cannot be opened with device-unavailable and keeps the one in use', async () => {
    const { doctor } = await call();
    const before = cameraId(doctor);
    const error = await doctor.selectDevice('camera', 'no-such-camera').catch((e: ConsultError) => e);
    expect((error as ConsultError).code).to.equal('device-unavailable');
    expect((error as ConsultError).fatal).to.equal(false);
    expect(cameraId(doctor)).to.equal(before);
    expect(doctor.localStream!.getVideoTracks()[0]!.readyState).to.equal('live');
  });

  it('flips between the two cameras, and frames keep arriving', async () => {
    const { doctor, patient } = await call();
    const first = cameraId(doctor);
    await doctor.flipCamera();
    const second = cameraId(doctor);
    expect(second).to.not.equal(first);
    await untilFramesAdvance(patient);
    await doctor.flipCamera();
    expect(cameraId(doctor)).to.equal(first);
    await untilFramesAdvance(patient);
  });
});

describe('choosing a microphone during a call', () => {
  it('swaps the microphone, and the other side still hears it', async () => {
    const { doctor, patient } = await call();
    const before = negotiation(doctor);
    const other = doctor.devices.microphones.find((m) => m.id !== microphoneId(doctor) && m.id !== 'default')!;
    await doctor.selectDevice('microphone', other.id);
    expect(microphoneId(doctor)).to.equal(other.id);
    expect(doctor.devices.microphone).to.equal(other.id);
    expect(negotiation(doctor)).to.deep.equal(before);
    expect(await energyOverOneSecond(patient)).to.be.greaterThan(0.001);
  });

  it('keeps a muted microphone muted: the new track is disabled and the other side hears nothing', async () => {
    const { doctor, patient } = await call();
    doctor.setMicrophoneEnabled(false);
    const other = doctor.devices.microphones.find((m) => m.id !== microphoneId(doctor) && m.id !== 'default')!;
    await doctor.selectDevice('microphone', other.id);
    const track = doctor.localStream!.getAudioTracks()[0]!;
    expect(track.getSettings().deviceId).to.equal(other.id);
    expect(track.enabled).to.equal(false);
    expect(doctor.localMedia.microphone).to.equal(false);
    // Let what was sent before the mute drain, then a second of silence.
    await energyOverOneSecond(patient);
    expect(await energyOverOneSecond(patient)).to.be.lessThan(1e-6);
    doctor.setMicrophoneEnabled(true);
    expect(await energyOverOneSecond(patient)).to.be.greaterThan(0.001);
  });
});

describe('devices that go away', () => {
  it('falls back from a microphone that was unplugged, and says so', async () => {
    // Chromium cannot unplug a fake device: the list the session reads is narrowed instead (the
    // `enumerateDevices` option) and `devicechange` fired on navigator.mediaDevices.
    let gone = '';
    const { doctor, patient } = await call({ enumerateDevices: devicesWithout(() => gone) });
    const other = doctor.devices.microphones.find((m) => m.id !== microphoneId(doctor) && m.id !== 'default')!;
    await doctor.selectDevice('microphone', other.id);
    const lostTrack = doctor.localStream!.getAudioTracks()[0]!;
    const lost = new Promise<DeviceLost>((r) => doctor.on('device-lost', r));
    const errors: ConsultError[] = [];
    doctor.on('error', (e) => errors.push(e));
    gone = other.id;
    navigator.mediaDevices.dispatchEvent(new Event('devicechange'));
    const detail = await lost;
    expect(detail.kind).to.equal('microphone');
    expect(detail.label).to.equal(other.label);
    expect(detail.fallback).to.not.equal('');
    expect(errors.map((e) => [e.code, e.fatal])).to.deep.equal([['device-lost', false]]);
    expect(lostTrack.readyState).to.equal('ended');
    expect(microphoneId(doctor)).to.not.equal(other.id);
    await eventually(() => !doctor.devices.microphones.some((m) => m.id === other.id), 'the list no longer shows it');
    expect(doctor.localMedia.microphone).to.equal(true);
    expect(await energyOverOneSecond(patient)).to.be.greaterThan(0.001);
  });

  it('shows a device that was plugged in', async () => {
    let hidden = '';
    const { doctor } = await call({ enumerateDevices: devicesWithout(() => hidden) });
    hidden = doctor.devices.cameras.find((c) => c.id !== doctor.devices.camera)!.id;
    let listed = new Promise((r) => doctor.on('devices', r));
    navigator.mediaDevices.dispatchEvent(new Event('devicechange'));
    await listed;
    expect(doctor.devices.cameras).to.have.length(1);
    listed = new Promise((r) => doctor.on('devices', r));
    hidden = '';
    navigator.mediaDevices.dispatchEvent(new Event('devicechange'));
    await listed;
    expect(doctor.devices.cameras).to.have.length(2);
  });
});

/** Withdraws or gives back the page's camera permission, as the site settings do (test/support/permissions-plugin.mjs). */
const cameraPermission = (setting: 'denied' | 'granted') => executeServerCommand('vc:permission', { name: 'camera', setting });

describe('tracks that end on their own', () => {
  // Withdrawing the camera permission ends the page's camera and microphone tracks in Chromium
  // (both, seen in Chromium with the DevTools protocol's Browser.setPermission); `track.stop()`
  // fires no `ended`. The fake permission prompt grants the next getUserMedia all the same.
  afterEach(() => cameraPermission('granted'));

  it('opens the same devices again and swaps them in', async () => {
    const { doctor, patient } = await call();
    const [camera, microphone] = [cameraId(doctor), microphoneId(doctor)];
    const [video, audio] = [doctor.localStream!.getVideoTracks()[0]!, doctor.localStream!.getAudioTracks()[0]!];
    const errors: ConsultError[] = [];
    doctor.on('error', (e) => errors.push(e));
    const before = negotiation(doctor);
    await cameraPermission('denied');
    await eventually(() => video.readyState === 'ended' && audio.readyState === 'ended', 'the tracks end');
    await eventually(
      () => doctor.localStream!.getVideoTracks()[0]?.readyState === 'live' && doctor.localStream!.getAudioTracks()[0]?.readyState === 'live',
      'new tracks are live',
    );
    expect([cameraId(doctor), microphoneId(doctor)]).to.deep.equal([camera, microphone]);
    expect(errors).to.deep.equal([]);
    expect(negotiation(doctor)).to.deep.equal(before);
    await untilFramesAdvance(patient);
    expect(await energyOverOneSecond(patient)).to.be.greaterThan(0.001);
  });

  it('turns a device off that cannot be opened again, with device-ended and media-change', async () => {
    let refuse = false;
    const getUserMedia = (c: MediaStreamConstraints) =>
      refuse ? Promise.reject(new DOMException('refused', 'NotAllowedError')) : navigator.mediaDevices.getUserMedia(c);
    const { doctor, patient } = await call({ getUserMedia });
    const errors: ConsultError[] = [];
    const changes: unknown[] = [];
    const remote: unknown[] = [];
    doctor.on('error', (e) => errors.push(e));
    doctor.on('media-change', (c) => changes.push(c));
    patient.on('media-change', (c) => remote.push(c));
    refuse = true;
    await cameraPermission('denied');
    await eventually(() => errors.length === 2, 'both devices reported');
    expect(errors.map((e) => [e.code, e.fatal])).to.deep.equal([
      ['device-ended', false],
      ['device-ended', false],
    ]);
    expect(doctor.localMedia).to.include({ camera: false, microphone: false });
    expect(changes).to.deep.equal([
      { side: 'local', source: 'camera', on: false },
      { side: 'local', source: 'microphone', on: false },
    ]);
    await eventually(() => remote.length === 2, 'the other side hears of it');
    expect(patient.remoteMedia).to.include({ camera: false, microphone: false });
  });
});

describe('remembered devices', () => {
  it('opens the remembered camera and microphone on the next join', async () => {
    const first = await call({ rememberDevices: true });
    const camera = first.doctor.devices.cameras.find((c) => c.id !== first.doctor.devices.camera)!;
    const microphone = first.doctor.devices.microphones.find((m) => m.id !== microphoneId(first.doctor) && m.id !== 'default')!;
    await first.doctor.selectDevice('camera', camera.id);
    await first.doctor.selectDevice('microphone', microphone.id);
    expect(JSON.parse(localStorage.getItem(REMEMBERED_DEVICES_KEY)!)).to.deep.equal({ camera: camera.id, microphone: microphone.id });
    for (const s of sessions.splice(0)) s.dispose();
    const next = await call({ rememberDevices: true });
    expect(cameraId(next.doctor)).to.equal(camera.id);
    expect(microphoneId(next.doctor)).to.equal(microphone.id);
  });

  it('writes nothing when rememberDevices is off', async () => {
    localStorage.removeItem(REMEMBERED_DEVICES_KEY);
    const { doctor } = await call();
    await doctor.flipCamera();
    const listed = new Promise((r) => doctor.on('devices', r));
    await doctor.selectDevice('speaker', 'default');
    await listed;
    expect(doctor.devices.speaker).to.equal('default');
    expect(localStorage.getItem(REMEMBERED_DEVICES_KEY)).to.equal(null);
  });
});

describe('media-change', () => {
  it('tells both sides when a camera or microphone turns off and on', async () => {
    const { doctor, patient } = await call();
    const local: unknown[] = [];
    const remote: unknown[] = [];
    doctor.on('media-change', (c) => local.push(c));
    patient.on('media-change', (c) => remote.push(c));
    await doctor.setCameraEnabled(false);
    doctor.setMicrophoneEnabled(false);
    doctor.setMicrophoneEnabled(true);
    expect(local).to.deep.equal([
      { side: 'local', source: 'camera', on: false },
      { side: 'local', source: 'microphone', on: false },
      { side: 'local', source: 'microphone', on: true },
    ]);
    await eventually(() => remote.length === 3, 'the other side hears of all three');
    expect(remote).to.deep.equal([
      { side: 'remote', source: 'camera', on: false },
      { side: 'remote', source: 'microphone', on: false },
      { side: 'remote', source: 'microphone', on: true },
    ]);
  });
});
