// The in-page half of bench/connect.ts. Two variants of the same call, driven from Node:
//   element: <video-consult> from the CDN build, exactly as a clinic page embeds it;
//   raw:     a minimal hand-written RTCPeerConnection pair on the same signaling protocol.
// Both are measured by the same probe: from the moment join is invoked to the first remote video
// frame counted as decoded in the connection's statistics (inbound-rtp framesDecoded > 0), polled
// every POLL_MS. (requestVideoFrameCallback does not fire on pages that are not in front.)
//
// The page also records a timeline (getUserMedia, signaling frames, peer connection events) through
// passive listeners that are identical for both variants, so that the difference can be explained.

const POLL_MS = 5;
const FRAME_TIMEOUT_MS = 20_000;
const SUBPROTOCOL = 'video-consult.v1';

/** Wall-clock milliseconds with sub-millisecond resolution, comparable between the two pages. */
const now = () => performance.timeOrigin + performance.now();

/** @type {Array<[string, number]>} */
let marks = [];
const mark = (name) => marks.push([name, now()]);

// ---- passive instrumentation, the same for both variants ------------------------------------------

const NativePC = window.RTCPeerConnection;
window.RTCPeerConnection = class extends NativePC {
  constructor(...args) {
    super(...args);
    mark('pc:new');
    this.addEventListener('negotiationneeded', () => mark('pc:negotiationneeded'));
    this.addEventListener('signalingstatechange', () => mark(`pc:signaling:${this.signalingState}`));
    this.addEventListener('icegatheringstatechange', () => mark(`pc:gathering:${this.iceGatheringState}`));
    this.addEventListener('iceconnectionstatechange', () => mark(`pc:ice:${this.iceConnectionState}`));
    this.addEventListener('connectionstatechange', () => mark(`pc:connection:${this.connectionState}`));
    this.addEventListener('icecandidate', ({ candidate }) => mark(candidate ? 'pc:icecandidate' : 'pc:icecandidate:end'));
    this.addEventListener('track', ({ track }) => mark(`pc:track:${track.kind}`));
  }
};

const NativeWS = window.WebSocket;
window.WebSocket = class extends NativeWS {
  constructor(...args) {
    super(...args);
    mark('ws:new');
    this.addEventListener('open', () => mark('ws:open'));
    this.addEventListener('message', ({ data }) => {
      try {
        const m = JSON.parse(data);
        mark(`ws<${m.type}${m.type === 'description' ? ':' + m.description.type : ''}`);
      } catch {
        mark('ws<?');
      }
    });
  }
  send(data) {
    try {
      const m = JSON.parse(data);
      mark(`ws>${m.type}${m.type === 'description' ? ':' + m.description.type : ''}`);
    } catch {
      mark('ws>?');
    }
    super.send(data);
  }
};

// Diagnostics only (bench/connect.ts --gum ...): 'plain' makes every getUserMedia ask for
// {audio: true, video: true}; 'element' makes the raw pair ask for what the element asks for.
const ELEMENT_CONSTRAINTS = {
  audio: { echoCancellation: true, noiseSuppression: true, autoGainControl: true },
  video: { width: { ideal: 1280 }, height: { ideal: 720 }, frameRate: { ideal: 30, max: 30 } },
};
let gumMode = 'as-is';
const nativeGetUserMedia = navigator.mediaDevices.getUserMedia.bind(navigator.mediaDevices);
navigator.mediaDevices.getUserMedia = async (constraints) => {
  if (gumMode === 'plain') constraints = { audio: !!constraints.audio, video: !!constraints.video };
  mark('gum:start');
  const stream = await nativeGetUserMedia(constraints);
  const settings = stream.getVideoTracks()[0]?.getSettings();
  mark(`gum:done${settings ? `:${settings.width}x${settings.height}@${settings.frameRate}` : ''}`);
  return stream;
};

// ---- the probe ---------------------------------------------------------------------------------------

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function framesDecoded(getStats) {
  const report = await getStats();
  let frames = 0;
  report?.forEach((s) => {
    if (s.type === 'inbound-rtp' && s.kind === 'video') frames += s.framesDecoded ?? 0;
  });
  return frames;
}

async function untilFirstFrame(getStats, failed) {
  const deadline = now() + FRAME_TIMEOUT_MS;
  for (;;) {
    if (failed()) throw new Error(failed());
    if ((await framesDecoded(getStats)) > 0) return now();
    if (now() > deadline) throw new Error(`no decoded remote frame within ${FRAME_TIMEOUT_MS} ms`);
    await sleep(POLL_MS);
  }
}

// ---- variant 1: the element --------------------------------------------------------------------------

function prepareElement({ signalUrl, room, role }) {
  const el = document.createElement('video-consult');
  Object.assign(el, { server: signalUrl, room, consultRole: role });
  document.body.append(el);
  let failure = '';
  el.addEventListener('vc-state-change', (e) => {
    mark(`state:${e.detail.state}`);
    if (e.detail.state === 'failed') failure = `element failed: ${e.detail.code}`;
  });
  el.addEventListener('vc-error', (e) => mark(`error:${e.detail.code}`));
  // The doctor admits as soon as someone knocks: the admit round trip is part of the element's flow.
  el.addEventListener('vc-knock', (e) => {
    if (e.detail.waiting) el.admit();
  });
  return {
    start: () => void el.join(),
    getStats: () => el.getStats(),
    failed: () => failure,
    stop: () => {
      el.leave();
      el.remove();
    },
  };
}

// ---- variant 2: a minimal hand-written pair on the same protocol ---------------------------------------

function prepareRaw({ signalUrl, room, role }) {
  /** @type {RTCPeerConnection | undefined} */
  let pc;
  /** @type {WebSocket | undefined} */
  let ws;
  /** @type {MediaStream | undefined} */
  let stream;
  let failure = '';
  let chain = Promise.resolve();
  const queue = (fn) => {
    chain = chain.then(fn).catch((e) => (failure = `raw: ${e}`));
  };
  const send = (m) => ws.send(JSON.stringify({ v: 1, ...m }));
  const remote = document.createElement('video');
  const local = document.createElement('video');
  remote.autoplay = local.autoplay = local.muted = true;
  remote.playsInline = local.playsInline = true;
  document.body.append(local, remote);

  const startCall = (polite, iceServers) => {
    pc = new RTCPeerConnection({ iceServers });
    pc.onicecandidate = ({ candidate }) => {
      if (candidate?.candidate) send({ type: 'candidate', candidate: candidate.toJSON() });
    };
    pc.ontrack = ({ streams, track }) => {
      remote.srcObject = streams[0] ?? new MediaStream([track]);
    };
    for (const track of stream.getTracks()) pc.addTrack(track, stream);
    // No glare to handle: only the impolite side (the doctor) offers.
    if (!polite) {
      queue(async () => {
        await pc.setLocalDescription();
        send({ type: 'description', description: pc.localDescription.toJSON() });
      });
    }
  };

  const start = async () => {
    ws = new WebSocket(signalUrl, SUBPROTOCOL);
    const opened = new Promise((resolve, reject) => {
      ws.onopen = resolve;
      ws.onclose = () => reject(new Error('signaling closed'));
    });
    let polite = false;
    let iceServers = [];
    ws.onmessage = ({ data }) => {
      const m = JSON.parse(data);
      switch (m.type) {
        case 'joined':
          polite = m.polite;
          iceServers = m.iceServers;
          if (m.peer) startCall(polite, iceServers);
          break;
        case 'knock':
          if (m.waiting) send({ type: 'admit' });
          break;
        case 'peer-joined':
          startCall(polite, iceServers);
          break;
        case 'description':
          queue(async () => {
            await pc.setRemoteDescription(m.description);
            if (m.description.type === 'offer') {
              await pc.setLocalDescription();
              send({ type: 'description', description: pc.localDescription.toJSON() });
            }
          });
          break;
        case 'candidate':
          if (m.candidate) queue(() => pc.addIceCandidate(m.candidate));
          break;
        case 'error':
          failure = `raw: server error ${m.code}`;
          break;
      }
    };
    try {
      [stream] = await Promise.all([
        navigator.mediaDevices.getUserMedia(gumMode === 'element' ? ELEMENT_CONSTRAINTS : { audio: true, video: true }),
        opened,
      ]);
    } catch (e) {
      failure = `raw: ${e}`;
      return;
    }
    local.srcObject = stream;
    send({ type: 'join', room, role });
  };

  return {
    start: () => void start(),
    getStats: () => pc?.getStats(),
    failed: () => failure,
    stop: () => {
      try {
        if (ws?.readyState === WebSocket.OPEN) send({ type: 'leave' });
      } catch {
        // Closing anyway: the leave is a courtesy to the server.
      }
      ws?.close();
      pc?.close();
      stream?.getTracks().forEach((t) => t.stop());
      remote.srcObject = local.srcObject = null;
      remote.remove();
      local.remove();
    },
  };
}

// ---- what Node calls -----------------------------------------------------------------------------------

let current;

window.bench = {
  /** Sets up one side of one call; nothing is started yet. */
  prepare(variant, options) {
    current?.stop();
    gumMode = options.gum ?? 'as-is';
    marks = [];
    current = variant === 'element' ? prepareElement(options) : prepareRaw(options);
  },
  /** Invokes join and answers at once with the time it did; the measurement runs on in `result`. */
  go() {
    marks = [];
    const joinAt = now();
    mark('join');
    current.start();
    const c = current;
    c.result = untilFirstFrame(c.getStats, c.failed).then(
      (frameAt) => ({ joinAt, frameAt, marks: marks.map(([n, t]) => [n, t - joinAt]) }),
      (error) => ({ joinAt, error: String(error?.message ?? error), marks: marks.map(([n, t]) => [n, t - joinAt]) }),
    );
    return joinAt;
  },
  result: () => current.result,
  stop() {
    current?.stop();
    current = undefined;
  },
  visibility: () => document.visibilityState,
};

window.benchReady = !!customElements.get('video-consult');
