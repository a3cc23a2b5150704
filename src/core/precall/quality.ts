import type { IcePath } from './paths.js';
import { CheckCode, CheckStatus, StepId, THRESHOLDS, type StepResult } from './types.js';

/** Small timestamped packets for delay, loss and jitter: 50 a second, like an audio stream. */
const PROBE_INTERVAL_MS = 20;
const PROBE_MS = 1500;
/** Bulk data: large messages, paced by the send buffer (the WebRTC samples' flow control). */
const CHUNK_BYTES = 64 * 1024;
const HIGH_WATER = 1024 * 1024;
const LOW_WATER = 256 * 1024;
/** The first part of the bulk transfer is the congestion window opening; it is left out of the rate. */
const RAMP_UP_MS = 700;

export interface QualityFigures {
  /** Through the relay and back down: bounds both the upload and the download. */
  throughputMbps: number | null;
  /** Delay from this browser up to the relay and back down again (about one round trip to the relay). */
  rttMs: number | null;
  lossPercent: number | null;
  jitterMs: number | null;
  via: string;
}

/**
 * Step 7: two peer connections in this page, both forced through the relay on `path`, connected to
 * each other. An unreliable channel carries timestamped probes (delay, loss, jitter: both ends
 * share this page's clock), then a reliable channel is filled for `throughputMs` (bandwidth).
 */
export async function checkQuality(path: IcePath, throughputMs: number, timeoutMs: number, signal: AbortSignal): Promise<StepResult> {
  const started = performance.now();
  const { urls: _urls, ...credentials } = path.server;
  const config: RTCConfiguration = { iceServers: [{ ...credentials, urls: [path.url] }], iceTransportPolicy: 'relay' };
  const a = new RTCPeerConnection(config);
  const b = new RTCPeerConnection(config);
  const cleanup: Array<() => void> = [];
  const step = (status: CheckStatus, code: CheckCode, figures: QualityFigures): StepResult => ({
    id: StepId.Quality,
    status,
    code,
    figures: { ...figures },
    durationMs: Math.round(performance.now() - started),
  });
  const empty: QualityFigures = { throughputMbps: null, rttMs: null, lossPercent: null, jitterMs: null, via: path.kind };
  try {
    a.onicecandidate = ({ candidate }) => candidate && void b.addIceCandidate(candidate).catch(() => {});
    b.onicecandidate = ({ candidate }) => candidate && void a.addIceCandidate(candidate).catch(() => {});
    const probes = a.createDataChannel('precall-probe', { ordered: false, maxRetransmits: 0, negotiated: true, id: 0 });
    const probesIn = b.createDataChannel('precall-probe', { ordered: false, maxRetransmits: 0, negotiated: true, id: 0 });
    const bulk = a.createDataChannel('precall-bulk', { negotiated: true, id: 1 });
    const bulkIn = b.createDataChannel('precall-bulk', { negotiated: true, id: 1 });
    for (const channel of [probes, probesIn, bulk, bulkIn]) channel.binaryType = 'arraybuffer';

    const opened = Promise.all([probes, probesIn, bulk, bulkIn].map(untilOpen));
    await a.setLocalDescription();
    await b.setRemoteDescription(a.localDescription!);
    await b.setLocalDescription();
    await a.setRemoteDescription(b.localDescription!);
    const connected = await within(opened, timeoutMs, signal, cleanup);
    if (!connected) return step(CheckStatus.Fail, CheckCode.QualityFailed, empty);

    const { rttMs, lossPercent, jitterMs } = await measureProbes(probes, probesIn, signal, cleanup);
    const throughputMbps = await measureThroughput(bulk, bulkIn, throughputMs, signal, cleanup);
    const figures: QualityFigures = { throughputMbps, rttMs, lossPercent, jitterMs, via: path.kind };
    if (throughputMbps === null || throughputMbps < THRESHOLDS.callMbps) return step(CheckStatus.Fail, CheckCode.QualityTooSlow, figures);
    const unstable = (rttMs ?? 0) > THRESHOLDS.rttMs || (lossPercent ?? 0) > THRESHOLDS.lossPercent || (jitterMs ?? 0) > THRESHOLDS.jitterMs;
    if (unstable) return step(CheckStatus.Warn, CheckCode.QualityUnstable, figures);
    if (throughputMbps < THRESHOLDS.hdMbps) return step(CheckStatus.Pass, CheckCode.QualitySd, figures);
    return step(CheckStatus.Pass, CheckCode.QualityHd, figures);
  } finally {
    cleanup.forEach((fn) => fn());
    a.close();
    b.close();
  }
}

function untilOpen(channel: RTCDataChannel): Promise<void> {
  if (channel.readyState === 'open') return Promise.resolve();
  return new Promise((resolve) => channel.addEventListener('open', () => resolve(), { once: true }));
}

/** Resolves true when `promise` settles in time, false on timeout; rejects when aborted. */
function within(promise: Promise<unknown>, ms: number, signal: AbortSignal, cleanup: Array<() => void>): Promise<boolean> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => resolve(false), ms);
    const abort = () => reject(signal.reason);
    signal.addEventListener('abort', abort, { once: true });
    cleanup.push(() => {
      clearTimeout(timer);
      signal.removeEventListener('abort', abort);
    });
    promise.then(
      () => resolve(true),
      () => resolve(false),
    );
  });
}

/** Sends a probe every 20 ms for 1.5 s; the far end records the one-way delay of each. */
async function measureProbes(out: RTCDataChannel, inbound: RTCDataChannel, signal: AbortSignal, cleanup: Array<() => void>) {
  const delays: number[] = [];
  let jitter = 0;
  let previousTransit: number | undefined;
  inbound.onmessage = ({ data }) => {
    const sentAt = new Float64Array(data as ArrayBuffer)[1]!;
    const transit = performance.now() - sentAt;
    delays.push(transit);
    // RFC 3550 section 6.4.1 interarrival jitter, smoothed over 16 packets.
    if (previousTransit !== undefined) jitter += (Math.abs(transit - previousTransit) - jitter) / 16;
    previousTransit = transit;
  };
  let sent = 0;
  const total = Math.round(PROBE_MS / PROBE_INTERVAL_MS);
  await new Promise<void>((resolve, reject) => {
    // The probe clock: a steady packet rate is what is being measured, not a wait.
    const timer = setInterval(() => {
      if (sent >= total || out.readyState !== 'open') {
        clearInterval(timer);
        resolve();
        return;
      }
      out.send(new Float64Array([sent++, performance.now()]).buffer);
    }, PROBE_INTERVAL_MS);
    const abort = () => reject(signal.reason);
    signal.addEventListener('abort', abort, { once: true });
    cleanup.push(() => {
      clearInterval(timer);
      signal.removeEventListener('abort', abort);
    });
  });
  // Stragglers: the last probe has at most one more round of delay to arrive; a final marker that
  // goes through the same path tells when they are all in (or lost).
  await untilDrained(out, inbound, 2000);
  inbound.onmessage = null;
  if (delays.length === 0) return { rttMs: null, lossPercent: 100, jitterMs: null };
  const sorted = [...delays].sort((x, y) => x - y);
  return {
    rttMs: round(sorted[Math.floor(sorted.length / 2)]!),
    lossPercent: round((100 * Math.max(0, sent - delays.length)) / sent),
    jitterMs: round(jitter),
  };
}

/** Resolves when a last marker message arrives on `inbound` (or after `ms`, since it may be lost too). */
function untilDrained(out: RTCDataChannel, inbound: RTCDataChannel, ms: number): Promise<void> {
  return new Promise((resolve) => {
    const previous = inbound.onmessage;
    const timer = setTimeout(done, ms);
    inbound.onmessage = (event) => {
      if ((event.data as ArrayBuffer).byteLength === 1) done();
      else previous?.call(inbound, event);
    };
    function done() {
      clearTimeout(timer);
      resolve();
    }
    out.send(new Uint8Array([1]).buffer);
  });
}

/** Fills the reliable channel for `ms`; the rate is what arrived after the ramp-up, per second. */
async function measureThroughput(
  out: RTCDataChannel,
  inbound: RTCDataChannel,
  ms: number,
  signal: AbortSignal,
  cleanup: Array<() => void>,
): Promise<number | null> {
  const chunk = new ArrayBuffer(CHUNK_BYTES);
  let firstAt: number | undefined;
  let countedFrom: number | undefined;
  let counted = 0;
  let lastAt = 0;
  inbound.onmessage = ({ data }) => {
    const now = performance.now();
    firstAt ??= now;
    if (now - firstAt < RAMP_UP_MS) return;
    countedFrom ??= now;
    counted += (data as ArrayBuffer).byteLength;
    lastAt = now;
  };
  out.bufferedAmountLowThreshold = LOW_WATER;
  const stopAt = performance.now() + ms;
  await new Promise<void>((resolve, reject) => {
    const abort = () => reject(signal.reason);
    signal.addEventListener('abort', abort, { once: true });
    const timer = setTimeout(finish, ms);
    cleanup.push(() => {
      clearTimeout(timer);
      signal.removeEventListener('abort', abort);
      out.onbufferedamountlow = null;
    });
    function finish() {
      out.onbufferedamountlow = null;
      resolve();
    }
    const fill = () => {
      while (out.readyState === 'open' && out.bufferedAmount < HIGH_WATER && performance.now() < stopAt) out.send(chunk);
    };
    out.onbufferedamountlow = fill;
    fill();
  });
  inbound.onmessage = null;
  if (countedFrom === undefined || lastAt <= countedFrom) return null;
  return round((counted * 8) / ((lastAt - countedFrom) * 1000));
}

const round = (n: number) => Math.round(n * 10) / 10;
