import { ConsultError, ErrorCode } from './errors.js';
import type { PeerLink } from './peer-link.js';
import type { SessionEmit } from './session-types.js';

/** Takes the place of `navigator.mediaDevices.getDisplayMedia` (see `SessionOptions.getDisplayMedia`). */
export type GetDisplayMedia = (constraints: DisplayMediaStreamOptions) => Promise<MediaStream>;

/**
 * What is asked of the picker: screen content changes little and in steps, so 15 frames a second
 * are plenty and leave bandwidth for sharpness; 30 is allowed for a video being shown.
 */
export const SCREEN_CONSTRAINTS: DisplayMediaStreamOptions = { video: { frameRate: { ideal: 15, max: 30 } }, audio: false };
/** The screen's encoder ceiling: text of a 1080p screen at 15 fps stays readable with VP8 at ~1.5 Mbit/s. */
const SCREEN_MAX_BITRATE = 1_500_000;

/** What a {@link ScreenShare} needs from the call. */
export interface ScreenShareOptions {
  /** The page's replacement for the browser's picker, if it gave one. */
  getDisplayMedia: () => GetDisplayMedia | undefined;
  /** Whether this side may share (`SessionOptions.screenShare`, by default the doctor only). */
  allowed: () => boolean;
  /** The current connection, once it is connected; undefined otherwise. */
  connectedPeer: () => PeerLink | undefined;
  /** Whether the other side's last `media` message said `screen: true`. */
  remoteSharing: () => boolean;
  /** A share started or stopped here: the quality controller caps the camera, and the media state goes out. */
  onLocalChange: (sharing: boolean) => void;
  emit: SessionEmit;
}

const unavailable = (message: string, cause?: unknown) =>
  new ConsultError(ErrorCode.ScreenShareUnavailable, message, false, cause === undefined ? undefined : { cause });

/**
 * This side's screen share and the other side's, on the second video slot each connection has
 * from its start (see `PeerLink`): starting and stopping swap the slot's track and never
 * renegotiate. A share belongs to one connection: a new connection (not an ICE restart) ends it.
 */
export class ScreenShare {
  /** This side's shared screen, while it is shared. */
  stream?: MediaStream;
  /** The other side's screen, while it says it shares. */
  remoteStream?: MediaStream;
  #o: ScreenShareOptions;
  /** The connection the share is sent on. */
  #link?: PeerLink;
  #starting?: Promise<void>;

  constructor(options: ScreenShareOptions) {
    this.#o = options;
  }

  get sharing(): boolean {
    return !!this.stream;
  }

  /** Asks the browser's picker for a screen, window or tab and sends it; see `ConsultSession.startScreenShare`. */
  start(): Promise<void> {
    if (this.stream) return Promise.resolve();
    // A second click while the picker is open waits for the same picker.
    return (this.#starting ??= this.#start().finally(() => (this.#starting = undefined)));
  }

  async #start(): Promise<void> {
    if (!this.#o.allowed()) throw unavailable('This side may not share its screen.');
    const devices = globalThis.navigator?.mediaDevices as Partial<MediaDevices> | undefined;
    const getDisplayMedia = this.#o.getDisplayMedia() ?? (devices?.getDisplayMedia ? (c) => devices.getDisplayMedia!(c) : undefined);
    if (!getDisplayMedia) throw unavailable('This browser cannot share a screen.');
    const peer = this.#o.connectedPeer();
    if (!peer) throw unavailable('A screen can be shared once the call is connected.');
    if (!peer.screenSlotReady) throw unavailable('The other side cannot receive a shared screen.');
    let stream: MediaStream;
    try {
      stream = await getDisplayMedia(SCREEN_CONSTRAINTS);
    } catch (error) {
      const name = (error as { name?: string } | undefined)?.name;
      // NotAllowedError: the person closed the picker (or denied it); AbortError: the browser did.
      if (name === 'NotAllowedError' || name === 'AbortError') {
        throw new ConsultError(ErrorCode.ScreenShareCancelled, 'Screen sharing was cancelled.', false, { cause: error });
      }
      throw unavailable(`The screen could not be captured: ${String(error)}`, error);
    }
    const track = stream.getVideoTracks()[0];
    const sender = peer.screenSender!;
    if (!track || peer.closed || peer !== this.#o.connectedPeer()) {
      stream.getTracks().forEach((t) => t.stop());
      throw unavailable(track ? 'The connection changed while the screen was being chosen.' : 'The browser gave no screen video.');
    }
    // The encoder treats the content as text and lines: sharpness before smoothness.
    track.contentHint = 'detail';
    // The browser's own "Stop sharing" bar, or the shared window closing.
    track.addEventListener('ended', () => this.stream === stream && this.stop(), { once: true });
    this.stream = stream;
    this.#link = peer;
    await sender.replaceTrack(track);
    await tune(sender);
    if (this.stream !== stream) return;
    this.#o.emit('screen-stream', { side: 'local', stream });
    this.#o.emit('media-change', { side: 'local', source: 'screen', on: true });
    this.#o.onLocalChange(true);
  }

  /** Stops sharing (the camera goes on as it was); nothing happens when nothing is shared. */
  stop(): void {
    const stream = this.stream;
    if (!stream) return;
    const link = this.#link;
    this.stream = this.#link = undefined;
    if (link && !link.closed) void link.screenSender?.replaceTrack(null).catch(() => {});
    stream.getTracks().forEach((t) => t.stop());
    this.#o.emit('screen-stream', { side: 'local' });
    this.#o.emit('media-change', { side: 'local', source: 'screen', on: false });
    this.#o.onLocalChange(false);
  }

  /** The call's connection changed (a new one, or none): a share sent on the old one ends. */
  linkChanged(link: PeerLink | undefined): void {
    if (this.#link && this.#link !== link) this.stop();
    this.syncRemote(link);
  }

  /** Shows the other side's screen slot while its media state says it shares, and tells of changes. */
  syncRemote(link: PeerLink | undefined): void {
    const stream = this.#o.remoteSharing() && link && !link.closed ? link.remoteScreenStream : undefined;
    if (stream === this.remoteStream) return;
    const was = !!this.remoteStream;
    this.remoteStream = stream;
    this.#o.emit('screen-stream', { side: 'remote', ...(stream ? { stream } : {}) });
    if (was !== !!stream) this.#o.emit('media-change', { side: 'remote', source: 'screen', on: !!stream });
  }
}

/** The screen's encoding: its own bitrate ceiling, and resolution kept before frame rate (text stays sharp). */
async function tune(sender: RTCRtpSender): Promise<void> {
  const parameters = sender.getParameters() as RTCRtpSendParameters & { degradationPreference?: string };
  if (!parameters.encodings?.length) return;
  for (const encoding of parameters.encodings) encoding.maxBitrate = SCREEN_MAX_BITRATE;
  parameters.degradationPreference = 'maintain-resolution';
  await sender.setParameters(parameters).catch(() => {});
}
