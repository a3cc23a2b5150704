// Helpers shared by the test page and the peer pages (no test-runner imports here).
import type { CallState } from '../../src/core/session.js';
import type { VideoConsult } from '../../src/element/video-consult.js';

/** A fresh room id, so that tests never meet each other. */
export const uniqueRoom = (prefix = 'room') => `${prefix}-${Math.random().toString(36).slice(2, 10)}`;

/** Resolves when the element reaches `state`; rejects if it fails instead, or after `timeoutMs`. */
export function untilState(el: VideoConsult, state: CallState, timeoutMs = 20_000): Promise<void> {
  if (el.state === state) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      el.removeEventListener('vc-state-change', on);
      reject(new Error(`still ${el.state} after ${timeoutMs} ms, waiting for ${state}`));
    }, timeoutMs);
    const on = (event: HTMLElementEventMap['vc-state-change']) => {
      const reached = event.detail.state === state;
      const failed = event.detail.state === 'failed' && state !== 'failed';
      if (!reached && !failed) return;
      clearTimeout(timer);
      el.removeEventListener('vc-state-change', on);
      if (reached) resolve();
      else reject(new Error(`failed with ${event.detail.code} while waiting for ${state}`));
    };
    el.addEventListener('vc-state-change', on);
  });
}

/**
 * Polls `check` until it returns a truthy value. Only for things no event announces (statistics,
 * decoded frames); everything else awaits its event.
 */
export async function eventually<T>(check: () => T | Promise<T>, what: string, timeoutMs = 15_000, everyMs = 100): Promise<T> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (performance.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms: ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/** What the element receives, from its connection's statistics. */
export interface Received {
  framesDecoded: number;
  frameWidth: number;
  audioPackets: number;
  audioEnergy: number;
  videoBytes: number;
}

export async function received(el: VideoConsult): Promise<Received> {
  const stats = await el.getStats();
  const out: Received = { framesDecoded: 0, frameWidth: 0, audioPackets: 0, audioEnergy: 0, videoBytes: 0 };
  stats?.forEach((s) => {
    if (s.type !== 'inbound-rtp') return;
    if (s.kind === 'video') {
      out.framesDecoded += s.framesDecoded ?? 0;
      out.frameWidth = Math.max(out.frameWidth, s.frameWidth ?? 0);
      out.videoBytes += s.bytesReceived ?? 0;
    } else if (s.kind === 'audio') {
      out.audioPackets += s.packetsReceived ?? 0;
      out.audioEnergy += s.totalAudioEnergy ?? 0;
    }
  });
  return out;
}

/** The remote <video> inside the element. */
export const remoteVideo = (el: VideoConsult) => el.shadowRoot!.querySelector<HTMLVideoElement>('video.remote')!;
export const localVideo = (el: VideoConsult) => el.shadowRoot!.querySelector<HTMLVideoElement>('video.local')!;

/** Resolves once the element shows the other side's video with decoded frames that keep advancing. */
export async function untilRemoteVideoPlays(el: VideoConsult): Promise<void> {
  await eventually(() => remoteVideo(el).videoWidth > 0, 'remote video has a size');
  const first = (await received(el)).framesDecoded;
  await eventually(async () => (await received(el)).framesDecoded > first + 5, 'remote frames advance');
}

/** Resolves once audio packets keep arriving. */
export async function untilRemoteAudioFlows(el: VideoConsult): Promise<void> {
  const first = (await received(el)).audioPackets;
  await eventually(async () => (await received(el)).audioPackets > first + 10, 'remote audio packets arrive');
}

/** Creates an element in the document with the given properties. */
export function createConsult(
  props: Partial<Pick<VideoConsult, 'server' | 'room' | 'consultRole' | 'token' | 'audioOnly'>> & Record<string, unknown>,
): VideoConsult {
  const el = document.createElement('video-consult');
  Object.assign(el, props);
  document.body.append(el);
  return el;
}

/** Resolves with the next `vc-knock` that says a patient is waiting. */
export function untilKnock(el: VideoConsult, timeoutMs = 10_000): Promise<void> {
  if (el.knocking) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('no knock')), timeoutMs);
    el.addEventListener('vc-knock', function on(event) {
      if (!event.detail.waiting) return;
      clearTimeout(timer);
      el.removeEventListener('vc-knock', on);
      resolve();
    });
  });
}

/** A file of pseudo-random bytes (so that compression or a zero page cannot fake a match). */
export function randomFile(bytes: number, name: string, type = 'application/pdf'): File {
  const data = new Uint8Array(bytes);
  // getRandomValues fills at most 64 KiB at a time.
  for (let i = 0; i < bytes; i += 65536) crypto.getRandomValues(data.subarray(i, Math.min(bytes, i + 65536)));
  return new File([data], name, { type });
}

/** The SHA-256 of a file's bytes, in hex. */
export async function sha256(blob: Blob): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', await blob.arrayBuffer());
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join('');
}

/** What this page's file channel carried, and the limit its connection negotiated. */
export interface FileChannelRecord {
  /** `pc.sctp.maxMessageSize` of the connection that holds the file channel, read now. */
  maxMessageSize?: number;
  /** Byte length of every frame sent on `vc-file`, in order. */
  sent: number[];
  /** Byte length of every frame received on `vc-file`, in order. */
  received: number[];
}

/**
 * Watches the file channel that calls in this page open: frame sizes both ways and the
 * connection's `sctp.maxMessageSize`. It wraps `createDataChannel` to see the channel and its
 * connection; both stay real. Call before joining; `stop()` ends the watch for later channels.
 */
export function watchFileChannel(): { read(): FileChannelRecord; stop(): void } {
  const proto = RTCPeerConnection.prototype;
  const create = proto.createDataChannel;
  const Original = window.RTCPeerConnection;
  const sent: number[] = [];
  const received: number[] = [];
  let pc: RTCPeerConnection | undefined;
  const size = (data: string | Blob | ArrayBuffer | ArrayBufferView) =>
    typeof data === 'string' ? new TextEncoder().encode(data).byteLength : data instanceof Blob ? data.size : data.byteLength;
  proto.createDataChannel = function (this: RTCPeerConnection, label: string, init?: RTCDataChannelInit) {
    const channel = create.call(this, label, init);
    if (label !== 'vc-file') return channel;
    const send = channel.send;
    channel.send = function (this: RTCDataChannel, data: never) {
      sent.push(size(data));
      return send.call(this, data);
    };
    // eslint-disable-next-line @typescript-eslint/no-this-alias -- the test reads the connection that opened the file channel
    pc = this;
    return channel;
  };
  // Files arrive on the channel the other side opened. Listened to before anyone else can (the
  // receiver moves each frame's buffer to its worker), so every frame is seen as it arrived.
  window.RTCPeerConnection = class extends Original {
    constructor(config?: RTCConfiguration) {
      super(config);
      this.addEventListener('datachannel', ({ channel }) => {
        if (channel.label === 'vc-file') channel.addEventListener('message', ({ data }) => received.push(size(data)));
      });
    }
  };
  return {
    read: () => ({ maxMessageSize: pc?.sctp?.maxMessageSize, sent: [...sent], received: [...received] }),
    stop: () => {
      proto.createDataChannel = create;
      window.RTCPeerConnection = Original;
    },
  };
}
