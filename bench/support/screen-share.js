// The in-page half of bench/screen-share.ts: a doctor and a patient session (dist/core/session.js)
// in this page, over the real signaling server. The doctor shares its screen (Chromium's fake
// picker and fake screen) and, for reference, swaps its camera track out and back in with
// replaceTrack; the patient's side is watched for the first decoded frame of that video slot
// (inbound-rtp framesDecoded of the slot's receiver track, polled every POLL_MS).
import { ConsultSession } from '/dist/core/session.js';

const POLL_MS = 5;
const TIMEOUT_MS = 15_000;
/** How long a slot must decode nothing before it counts as quiet (frames in flight play out first). */
const QUIET_MS = 400;

let doctor;
let patient;
let pickerMs = 0;

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const videoSlots = (s) => s.peerConnection.getTransceivers().filter((t) => t.receiver.track.kind === 'video');

async function frames(track) {
  let n = 0;
  (await patient.peerConnection.getStats(track)).forEach((r) => {
    if (r.type === 'inbound-rtp') n += r.framesDecoded ?? 0;
  });
  return n;
}

async function until(check, what) {
  const deadline = performance.now() + TIMEOUT_MS;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (performance.now() > deadline) throw new Error(`timed out: ${what}`);
    await sleep(POLL_MS);
  }
}

/** Resolves once the track has decoded nothing for QUIET_MS; returns its frame count. */
async function quiet(track) {
  let last = await frames(track);
  let since = performance.now();
  for (;;) {
    await sleep(50);
    const n = await frames(track);
    if (n !== last) [last, since] = [n, performance.now()];
    else if (performance.now() - since >= QUIET_MS) return n;
    if (performance.now() - since > TIMEOUT_MS) throw new Error('the slot does not go quiet');
  }
}

/** From `act()` called to the first frame decoded beyond the count before. */
async function timeToFrame(track, act, what) {
  const before = await quiet(track);
  const t0 = performance.now();
  await act();
  await until(async () => (await frames(track)) > before, what);
  return performance.now() - t0;
}

window.bench = {
  async setup(signalUrl, room) {
    const heard = new Set();
    const getDisplayMedia = async (constraints) => {
      const t0 = performance.now();
      const stream = await navigator.mediaDevices.getDisplayMedia(constraints);
      pickerMs = performance.now() - t0;
      return stream;
    };
    // SD fixed: the adapter trying HD would reopen the camera (a new track) between runs, and
    // the end of a share puts an HD camera back to HD the same way; neither is measured here.
    doctor = new ConsultSession({ server: signalUrl, room, role: 'doctor', getDisplayMedia, quality: 'sd' });
    patient = new ConsultSession({ server: signalUrl, room, role: 'patient', quality: 'sd' });
    for (const s of [doctor, patient]) s.on('remote-media', () => heard.add(s));
    await doctor.join();
    const knock = new Promise((r) => doctor.on('knock', ({ waiting }) => waiting && r()));
    await patient.join();
    await knock;
    doctor.admit();
    await until(() => doctor.state === 'connected' && patient.state === 'connected' && heard.size === 2, 'connected');
    const camera = videoSlots(patient)[0].receiver.track;
    await until(async () => (await frames(camera)) > 10, 'camera frames');
  },

  /** Screen share: startScreenShare() to the first decoded screen frame; stopScreenShare() to the other side's screen: false. */
  async screen() {
    const track = videoSlots(patient)[1].receiver.track;
    let remoteOnAt = 0;
    const remoteOn = new Promise((r) => {
      const off = patient.on('screen-stream', (d) => d.stream && (off(), r((remoteOnAt = performance.now()))));
    });
    let t0 = 0;
    const startMs = await timeToFrame(
      track,
      () => {
        t0 = performance.now();
        return doctor.startScreenShare();
      },
      'a screen frame',
    );
    await remoteOn;
    const remoteOff = new Promise((r) => {
      const off = patient.on('media-change', (c) => c.source === 'screen' && !c.on && (off(), r(performance.now())));
    });
    const t1 = performance.now();
    doctor.stopScreenShare();
    const stopMs = (await remoteOff) - t1;
    return { startMs, stopMs, screenOnMs: remoteOnAt - t0, pickerMs };
  },

  /** Reference: the camera's sender gets its own track back (replaceTrack) after a pause; to its first decoded frame. */
  async camera() {
    const sender = videoSlots(doctor)[0].sender;
    const local = sender.track;
    await sender.replaceTrack(null);
    const startMs = await timeToFrame(videoSlots(patient)[0].receiver.track, () => sender.replaceTrack(local), 'a camera frame');
    return { startMs };
  },

  stop() {
    doctor?.dispose();
    patient?.dispose();
  },
};
window.benchReady = true;
