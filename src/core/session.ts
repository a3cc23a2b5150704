import {
  cleanName,
  cleanText,
  CONTROL_CHANNEL_ID,
  CONTROL_CHANNEL_LABEL,
  type ControlMessage,
  MAX_CHAT_CHARS,
  PROTOCOL_VERSION,
  parseControlMessage,
  type Role,
  type ServerMessage,
  SignalingErrorCode,
} from '../protocol/index.js';
import type {
  AcceptOptions,
  FileTransfer,
  FileTransferManager,
  IncomingOffer,
  ReceivedFile,
  SentFile,
  TransferErrorDetail,
  TransferProgress,
} from '../file-transfer/manager.js';
import { fileTransferFactory, loadFileTransfer } from '../file-transfer/registry.js';
import { type Transport, type TransportClose, WebSocketTransport } from '../signaling/transport.js';
import { Emitter } from './emitter.js';
import { ConsultError, ErrorCode } from './errors.js';
import { acquireCamera, acquireLocalMedia, checkEnvironment, DEFAULT_VIDEO, type GetUserMedia } from './media.js';
import { PerfectNegotiator } from './negotiation.js';
import {
  Adapter,
  grade,
  PROFILES,
  type QualityPreference,
  type QualityReport,
  type SendProfile,
  StatsSampler,
  worse,
} from './quality.js';
import { readSecurityInfo, type SecurityInfo } from './security.js';
import { dtlsFingerprints, verificationCode } from './verification.js';

/** The states of a call, in the order a call usually passes through them. */
export const CallState = {
  /** Nothing has started, or `join()` has not been called yet. */
  Idle: 'idle',
  /** Asking for camera and microphone, and connecting to the signaling server. */
  Preparing: 'preparing',
  /** In the room, waiting: the patient for the doctor to admit them, the doctor for a patient. */
  Waiting: 'waiting',
  /** Both are in; the browsers are finding a path to each other. */
  Connecting: 'connecting',
  /** Media flows. */
  Connected: 'connected',
  /** The path was lost; trying to get it back. */
  Reconnecting: 'reconnecting',
  /** The call is over: someone hung up, or the doctor declined. */
  Ended: 'ended',
  /** The call could not go on; `error` says why. */
  Failed: 'failed',
} as const;
export type CallState = (typeof CallState)[keyof typeof CallState];

/** Why a call ended. */
export type EndReason = 'hangup' | 'peer-hangup' | 'declined';

export interface StateChange {
  state: CallState;
  previous: CallState;
  /** For `ended`. */
  reason?: EndReason;
  /** For `failed`. */
  error?: ConsultError;
}

/** Whether each device is sending. */
export interface MediaState {
  camera: boolean;
  microphone: boolean;
  /** The camera is on but its video is paused because the link is too slow. */
  videoPaused?: boolean;
}

/** A chat line, as shown: cleaned of invisible characters, never HTML. */
export interface ChatEntry {
  id: string;
  text: string;
  /** `local`: this side wrote it. */
  from: 'local' | 'remote';
  sentAt: number;
}

export interface SessionEvents {
  state: StateChange;
  /** Fatal errors arrive with the `failed` state as well; warnings arrive only here. */
  error: ConsultError;
  'local-stream': MediaStream;
  'remote-stream': MediaStream;
  /** This side's camera or microphone was switched. */
  'local-media': MediaState;
  /** The other side switched its camera or microphone. */
  'remote-media': MediaState;
  /** For the doctor: whether a patient is waiting to be admitted. */
  knock: { waiting: boolean };
  /** The other side's display name arrived or changed (empty if they gave none). */
  'peer-name': { name: string };
  /** A chat line, sent or received. */
  message: ChatEntry;
  /** The verification code of this connection, once DTLS is up. */
  verification: { code: string };
  /** The quality level, the paused state of video or the sending profile changed. */
  quality: QualityReport;
  /** The other side offers a file: call `accept()` or `decline()` on it. */
  'file-offer': IncomingOffer;
  'file-progress': TransferProgress;
  /** A file arrived whole, its hash checked. */
  'file-received': ReceivedFile;
  /** The other side acknowledged a whole file, its hash checked. */
  'file-sent': SentFile;
  /** A transfer ended without the file: declined, cancelled by the other side, refused by limits, or faulty. */
  'file-error': TransferErrorDetail;
  /** Whether `sendFile()` can be called now changed (see {@link ConsultSession.filesAvailable}). */
  'files-available': { available: boolean };
}

export interface SessionOptions {
  /** The signaling URL, e.g. `wss://consult.example/signal`. */
  server: string;
  room: string;
  role: Role;
  /** The join token from the clinic's backend; optional where the server runs open rooms. */
  token?: string;
  /** Replaces the ICE servers the signaling server hands out. */
  iceServers?: RTCIceServer[];
  /** `relay` forces TURN (for tests and for networks that must not reveal addresses). */
  iceTransportPolicy?: RTCIceTransportPolicy;
  /** The name shown to the other side; sent only over the peer-to-peer control channel. */
  displayName?: string;
  /** Set to false for an audio-only call. */
  video?: boolean;
  /** `auto` (default) lets the link choose between HD, SD and audio only; the others fix the choice. */
  quality?: QualityPreference;
  /** The largest file, in bytes, this side sends or accepts. Default: no limit. */
  maxFileSize?: number;
  /** The file types this side sends or accepts, as `<input accept>` takes them. Default: all. */
  acceptFiles?: string[];
  /** Replaces `navigator.mediaDevices.getUserMedia`, e.g. to add constraints or a processed stream. */
  getUserMedia?: GetUserMedia;
  /** Replaces the WebSocket transport. */
  transport?: (url: string, token?: string) => Transport;
}

/** How long ICE may stay `disconnected` before the session restarts it, in ms (libwebrtc marks a path weak after 2.5 s). */
const ICE_DISCONNECTED_GRACE_MS = 2500;
/** The places (server, room, role) that calls in this page hold, so that only one of them uses the tab's ticket. */
const PLACES_IN_USE = new Set<string>();

/** How long a first connection may stay `connecting` before ICE is restarted, in ms. */
const CONNECT_WATCHDOG_MS = 10_000;
/** How long the session tries to get a lost path back before it fails, in ms. */
const RECONNECT_LIMIT_MS = 30_000;
/**
 * Delays before each attempt to reach the signaling server again, in ms, plus up to
 * {@link SIGNALING_JITTER_MS} of random jitter so that many clients do not return at once.
 * (LiveKit's client uses 0, 0.3, 1.2, 2.7, 4.8 s, then 7 s.)
 */
const SIGNALING_BACKOFF_MS = [0, 300, 1200, 2700, 4800, 7000];
const SIGNALING_JITTER_MS = 1000;
/** Attempts before giving up while no media flows (~50 s); with media flowing it keeps trying. */
const SIGNALING_MAX_ATTEMPTS = 10;
/** How often the statistics are sampled for the quality indicator and adaptation, in ms. */
const QUALITY_INTERVAL_MS = 1000;

/**
 * One side of a consultation, as a state machine over one RTCPeerConnection and one signaling
 * connection. It owns every resource it creates and frees all of them on its single teardown path.
 * It knows nothing of the DOM, so two sessions can talk to each other in one page.
 */
export class ConsultSession extends Emitter<SessionEvents> {
  #state: CallState = CallState.Idle;
  #options: SessionOptions;
  #transport?: Transport;
  #pc?: RTCPeerConnection;
  #negotiator?: PerfectNegotiator;
  #control?: RTCDataChannel;
  #files?: FileTransferManager;
  #localStream?: MediaStream;
  #remoteStream?: MediaStream;
  #iceServers: RTCIceServer[] = [];
  #polite = false;
  #microphoneOn = true;
  #remoteMedia: MediaState = { camera: true, microphone: true };
  #knocking = false;
  #peerName = '';
  #verificationCode?: string;
  #chatCounter = 0;
  #error?: ConsultError;
  #timers = new Set<ReturnType<typeof setTimeout>>();
  #iceDisconnectedTimer?: ReturnType<typeof setTimeout>;
  #connectWatchdog?: ReturnType<typeof setTimeout>;
  /** The id from `joined`, to take this place back after a reconnect. */
  #ticket?: string;
  #signalAttempts = 0;
  #signalTimer?: ReturnType<typeof setTimeout>;
  #peerCapabilities: string[] = [];
  /** What `files-available` last said. */
  #filesAvailable = false;
  #sampler?: StatsSampler;
  #adapter?: Adapter;
  #quality?: QualityReport;
  #videoPaused = false;
  #reconnectDeadline?: ReturnType<typeof setTimeout>;
  /** The place this session holds in {@link PLACES_IN_USE}, while it holds one. */
  #placeKey?: string;
  /** Settles the pending `join()` once the server has answered (or the attempt is over). */
  #resolveJoin?: () => void;
  /** Bumped by every join and teardown, so work that finishes after them is dropped. */
  #run = 0;

  constructor(options: SessionOptions) {
    super();
    this.#options = { ...options };
  }

  get state(): CallState {
    return this.#state;
  }
  get role(): Role {
    return this.#options.role;
  }
  /** The fatal error behind a `failed` state. */
  get error(): ConsultError | undefined {
    return this.#error;
  }
  get localStream(): MediaStream | undefined {
    return this.#localStream;
  }
  get remoteStream(): MediaStream | undefined {
    return this.#remoteStream;
  }
  /** The underlying connection, for statistics. Undefined outside a call. */
  get peerConnection(): RTCPeerConnection | undefined {
    return this.#pc;
  }
  get localMedia(): MediaState {
    return {
      camera: this.#cameraTrack()?.readyState === 'live',
      microphone: this.#microphoneOn && !!this.#audioTrack(),
      videoPaused: this.#videoPaused,
    };
  }
  /** The latest quality report, sampled every second during a call. */
  get quality(): QualityReport | undefined {
    return this.#quality;
  }

  /**
   * Chooses how this side sends video: `auto` follows the link, `hd` and `sd` fix the resolution,
   * `audio-only` turns the camera off (and `auto`, `hd` or `sd` turns it back on).
   */
  async setQuality(preference: QualityPreference): Promise<void> {
    const previous = this.#options.quality ?? 'auto';
    this.#options.quality = preference;
    if (preference === 'audio-only') return this.setCameraEnabled(false);
    if (previous === 'audio-only' && this.#localStream) await this.setCameraEnabled(true);
    if (this.#adapter) await this.#applyProfile(this.#adapter.configure(preference, this.#peerCapabilities.includes('hd')));
  }

  /**
   * A snapshot for support: state, quality figures, security facts, ICE servers (without
   * credentials), the path in use, and the connection's and negotiation's states. It holds no
   * names, messages or addresses.
   */
  async getDiagnostics(): Promise<Record<string, unknown>> {
    const pc = this.#pc;
    const candidates: Record<string, number> = {};
    const codecs = new Set<string>();
    if (pc) {
      (await pc.getStats()).forEach((s) => {
        if (s.type === 'local-candidate' || s.type === 'remote-candidate') {
          const key = `${s.type === 'local-candidate' ? 'local' : 'remote'}-${s.candidateType}-${s.protocol}`;
          candidates[key] = (candidates[key] ?? 0) + 1;
        }
        if (s.type === 'codec') codecs.add(s.mimeType);
      });
    }
    return {
      at: new Date().toISOString(),
      userAgent: typeof navigator === 'object' ? navigator.userAgent : undefined,
      state: this.#state,
      role: this.#options.role,
      error: this.#error?.code,
      signaling: { connected: !!this.#transport && !this.#signalTimer, reconnectAttempts: this.#signalAttempts },
      connectionState: pc?.connectionState,
      iceConnectionState: pc?.iceConnectionState,
      signalingState: pc?.signalingState,
      iceServers: this.#iceServers.map((server) => server.urls),
      iceTransportPolicy: this.#options.iceTransportPolicy ?? 'all',
      candidates,
      codecs: [...codecs],
      localMedia: this.localMedia,
      remoteMedia: this.remoteMedia,
      quality: this.#quality,
      security: pc ? await readSecurityInfo(pc) : undefined,
      verificationCode: this.#verificationCode,
    };
  }
  get remoteMedia(): MediaState {
    return { ...this.#remoteMedia };
  }
  /** For the doctor: a patient is waiting. */
  get knocking(): boolean {
    return this.#knocking;
  }
  /** The other side's display name, cleaned; empty until it arrives or if they gave none. */
  get peerName(): string {
    return this.#peerName;
  }
  /** The verification code of the current connection, once DTLS is up. */
  get verificationCode(): string | undefined {
    return this.#verificationCode;
  }

  /** What protects the call right now (DTLS and SRTP ciphers, direct or relayed), from the browser's statistics. */
  async getSecurityInfo(): Promise<SecurityInfo | undefined> {
    return this.#pc ? readSecurityInfo(this.#pc) : undefined;
  }

  /** Changes the name shown to the other side; during a call it is sent at once. */
  setDisplayName(name: string): void {
    this.#options.displayName = name;
    this.#sendHello();
  }

  /**
   * Sends a chat line over the peer-to-peer control channel. Invisible and control characters are
   * removed. Throws a {@link ConsultError} with code `not-connected` outside a call and
   * `chat-too-long` above {@link MAX_CHAT_CHARS} characters; an empty line is not sent.
   */
  sendMessage(text: string): ChatEntry | undefined {
    if ([...text].length > MAX_CHAT_CHARS) {
      throw new ConsultError(ErrorCode.ChatTooLong, `A message may have at most ${MAX_CHAT_CHARS} characters.`, false);
    }
    const control = this.#control;
    // Right after `connected` the channel may still be opening (a few ms): the line waits for it.
    if (control?.readyState !== 'open' && !(control?.readyState === 'connecting' && this.#state === CallState.Connected)) {
      throw new ConsultError(ErrorCode.NotConnected, 'Messages can be sent once the call is connected.', false);
    }
    const cleaned = cleanText(text);
    if (!cleaned) return undefined;
    const entry: ChatEntry = { id: `${++this.#chatCounter}`, text: cleaned, from: 'local', sentAt: Date.now() };
    const frame = JSON.stringify({ v: PROTOCOL_VERSION, type: 'chat', id: entry.id, text: entry.text, sentAt: entry.sentAt });
    if (control.readyState === 'open') control.send(frame);
    else control.addEventListener('open', () => control.send(frame), { once: true });
    this.emit('message', entry);
    return entry;
  }

  /**
   * Whether `sendFile()` works now: the file-transfer engine is loaded here, the control channel
   * is open, and the other side's `hello` said it takes files. It turns true a moment after
   * `connected` (when that `hello` arrives) and false when the connection goes;
   * `files-available` announces each change.
   */
  get filesAvailable(): boolean {
    return !!this.#files && this.#control?.readyState === 'open' && this.#peerCapabilities.includes('files');
  }

  #announceFilesAvailable(): void {
    const available = this.filesAvailable;
    if (available === this.#filesAvailable) return;
    this.#filesAvailable = available;
    this.emit('files-available', { available });
  }

  /**
   * Offers a file to the other side, peer to peer. The handle's `done` resolves once the other
   * side has the whole file with a matching hash. Throws `not-connected` outside a call (or
   * without the file-transfer engine); limits are checked as the file goes (`file-error`).
   */
  sendFile(file: Blob, options: { name?: string; type?: string } = {}): FileTransfer<SentFile> {
    if (!this.#files || this.#control?.readyState !== 'open') {
      throw new ConsultError(ErrorCode.NotConnected, 'Files can be sent once the call is connected.', false);
    }
    if (!this.#peerCapabilities.includes('files')) {
      throw new ConsultError(ErrorCode.FilesUnavailable, 'The other side cannot receive files.', false);
    }
    return this.#files.sendFile(file, options);
  }

  /** Accepts a file the other side offered (see `file-offer`); undefined when that offer is gone (cancelled, declined, or the call ended). */
  acceptFile(id: string, options: AcceptOptions = {}): FileTransfer<ReceivedFile> | undefined {
    return this.#files?.accept(id, options);
  }

  /** Declines a file the other side offered. */
  declineFile(id: string): void {
    this.#files?.decline(id);
  }

  /** Cancels a transfer in either direction. */
  cancelFile(id: string): void {
    this.#files?.cancel(id);
  }

  /** Changes options before the next `join()`; a running call keeps the ones it started with. */
  configure(options: Partial<SessionOptions>): void {
    this.#options = { ...this.#options, ...options };
  }

  /**
   * Asks for camera and microphone, enters the room and starts the call as soon as both are in.
   * Resolves once the server has let this side into the room (waiting or connecting), or once the
   * attempt has failed; failures are reported as the `failed` state and never reject.
   */
  async join(): Promise<void> {
    if (this.#state !== CallState.Idle && this.#state !== CallState.Ended && this.#state !== CallState.Failed) return;
    const run = ++this.#run;
    this.#error = undefined;
    globalThis.addEventListener?.('online', this.#onOnline);
    this.#remoteMedia = { camera: true, microphone: true };
    this.#setState(CallState.Preparing);
    const { server, room, role } = this.#options;
    if (!server || !room || !role) {
      this.#fail(new ConsultError(ErrorCode.MissingConfiguration, 'server, room and role are required', true));
      return;
    }
    const unsupported = checkEnvironment();
    if (unsupported) {
      this.#fail(unsupported);
      return;
    }

    let transport: Transport;
    try {
      transport = this.#openSignaling(run);
    } catch (error) {
      this.#fail(new ConsultError(ErrorCode.SignalingUnreachable, String(error), true, { cause: error }));
      return;
    }

    // Media and the socket start together: the permission prompt is the slow part.
    const getUserMedia: GetUserMedia =
      this.#options.getUserMedia ?? ((constraints) => navigator.mediaDevices.getUserMedia(constraints));
    try {
      const [media] = await Promise.all([
        acquireLocalMedia(
          getUserMedia,
          this.#options.video === false || this.#options.quality === 'audio-only' ? false : undefined,
        ),
        transport.opened.catch((cause) => {
          throw new ConsultError(ErrorCode.SignalingUnreachable, 'The signaling server cannot be reached.', true, { cause });
        }),
        loadFileTransfer(),
      ]);
      if (run !== this.#run) {
        media.stream.getTracks().forEach((t) => t.stop());
        return;
      }
      this.#localStream = media.stream;
      this.#microphoneOn = true;
      this.emit('local-stream', media.stream);
      media.warnings.forEach((w) => this.emit('error', w));
    } catch (error) {
      if (run !== this.#run) return;
      this.#fail(error instanceof ConsultError ? error : new ConsultError(ErrorCode.MediaFailed, String(error), true, { cause: error }));
      return;
    }
    const inRoom = new Promise<void>((resolve) => (this.#resolveJoin = resolve));
    // After a reload of the page, the ticket kept for this tab takes the place back (unless
    // another call in this page holds that place: then this one is a second participant).
    const key = this.#ticketKey();
    let resume: string | undefined;
    if (!PLACES_IN_USE.has(key)) {
      PLACES_IN_USE.add(key);
      this.#placeKey = key;
      resume = this.#storedTicket();
    }
    transport.send({ type: 'join', room, role, ...(resume ? { resume } : {}) });
    await inRoom;
  }

  /** Hangs up: tells the other side, frees everything, and ends in `ended`. Safe to call at any time. */
  leave(): void {
    if (this.#state === CallState.Idle || this.#state === CallState.Ended || this.#state === CallState.Failed) {
      this.#teardown();
      return;
    }
    this.#transport?.send({ type: 'leave' });
    this.#end('hangup');
  }

  /** For the doctor: lets the waiting patient in. */
  admit(): void {
    this.#transport?.send({ type: 'admit' });
  }

  /** For the doctor: turns the waiting patient away. */
  decline(): void {
    this.#transport?.send({ type: 'decline' });
  }

  /**
   * Switches the camera. Off stops the track, so the camera light goes out; on opens the camera
   * again and swaps the new track in without renegotiating.
   */
  async setCameraEnabled(enabled: boolean): Promise<void> {
    const current = this.#cameraTrack();
    if (!enabled) {
      if (!current) return;
      current.stop();
      this.#localStream?.removeTrack(current);
      await this.#videoSender()?.replaceTrack(null);
    } else {
      if (current?.readyState === 'live' || !this.#localStream) return;
      const run = this.#run;
      const getUserMedia: GetUserMedia =
        this.#options.getUserMedia ?? ((constraints) => navigator.mediaDevices.getUserMedia(constraints));
      let track: MediaStreamTrack;
      try {
        track = await acquireCamera(getUserMedia);
      } catch (error) {
        this.emit('error', error as ConsultError);
        return;
      }
      if (run !== this.#run || !this.#localStream) {
        track.stop();
        return;
      }
      this.#localStream.addTrack(track);
      const sender = this.#videoSender();
      if (sender) await sender.replaceTrack(track);
      else this.#pc?.addTrack(track, this.#localStream);
    }
    this.#announceMedia();
  }

  /** Mutes or unmutes the microphone. The track stays open so unmuting is instant. */
  setMicrophoneEnabled(enabled: boolean): void {
    const track = this.#audioTrack();
    if (!track) return;
    this.#microphoneOn = enabled;
    track.enabled = enabled;
    this.#announceMedia();
  }

  /** Frees everything; the session can `join()` again afterwards. */
  dispose(): void {
    this.#teardown();
    this.removeAllListeners();
  }

  // ---- signaling ------------------------------------------------------------------------------

  /** Opens a signaling connection whose events count only while `run` is current. */
  #openSignaling(run: number): Transport {
    const { server, token } = this.#options;
    const createTransport = this.#options.transport ?? ((url, t) => new WebSocketTransport(url, t));
    const transport = createTransport(server, token);
    this.#transport = transport;
    transport.onMessage = (message) => {
      if (run === this.#run && transport === this.#transport) this.#onSignal(message);
    };
    transport.onInvalid = (code, reason) => {
      if (run === this.#run) this.emit('error', new ConsultError(code as ErrorCode, reason, false));
    };
    transport.onClose = (info) => {
      if (run === this.#run && transport === this.#transport) this.#onTransportClose(info);
    };
    return transport;
  }

  /** After the signaling connection dropped: try again with backoff, and take our place back. */
  #scheduleSignalingReconnect(): void {
    if (this.#signalTimer) return;
    const attempt = this.#signalAttempts++;
    const mediaFlows = this.#pc?.connectionState === 'connected';
    if (attempt >= SIGNALING_MAX_ATTEMPTS && !mediaFlows) {
      this.#fail(new ConsultError(ErrorCode.SignalingUnreachable, 'The connection to the signaling server was lost.', true));
      return;
    }
    const base = SIGNALING_BACKOFF_MS[Math.min(attempt, SIGNALING_BACKOFF_MS.length - 1)]!;
    const delay = base + (attempt === 0 ? 0 : Math.random() * SIGNALING_JITTER_MS);
    const run = this.#run;
    this.#signalTimer = this.#timeout(() => {
      this.#signalTimer = undefined;
      if (run !== this.#run) return;
      let transport: Transport;
      try {
        transport = this.#openSignaling(run);
      } catch {
        this.#scheduleSignalingReconnect();
        return;
      }
      transport.opened.then(
        () => {
          if (run !== this.#run || transport !== this.#transport) return;
          const { room, role } = this.#options;
          transport.send({ type: 'join', room, role, ...(this.#ticket ? { resume: this.#ticket } : {}) });
        },
        () => {
          if (run === this.#run && transport === this.#transport) this.#scheduleSignalingReconnect();
        },
      );
    }, delay);
  }

  /** Reconnects at once (the browser says it is back online), instead of waiting for the backoff. */
  #onOnline = () => {
    if (this.#state === CallState.Idle || this.#state === CallState.Ended || this.#state === CallState.Failed) return;
    if (this.#signalTimer) {
      clearTimeout(this.#signalTimer);
      this.#timers.delete(this.#signalTimer);
      this.#signalTimer = undefined;
      this.#signalAttempts = 0;
      this.#scheduleSignalingReconnect();
    }
    if (this.#pc && this.#pc.connectionState !== 'connected') this.#restartIce();
  };

  /** Starts a new ICE generation; a local offer that never got an answer is rolled back first. */
  #restartIce(): void {
    const pc = this.#pc;
    if (!pc) return;
    if (pc.signalingState === 'have-local-offer') {
      void pc.setLocalDescription({ type: 'rollback' }).then(
        () => pc === this.#pc && pc.restartIce(),
        () => {},
      );
    } else pc.restartIce();
  }

  /**
   * The other side is present (again): start the call, or mend a connection that is not up.
   * `rejoined` is true when this side has just come (back) into a call already under way (a
   * reload): then it offers first whatever its politeness, since the other side still holds a
   * connection to the page that is gone and will not start one.
   */
  #onPeerPresent(rejoined = false): void {
    const pc = this.#pc;
    if (!pc || pc.connectionState === 'closed') {
      this.#startCall(rejoined ? 'offer' : 'auto');
      return;
    }
    // A connection that came back by itself may still hold an offer of this side that went out
    // while the other side was away and will never be answered: both sides then wait for each
    // other, and video stays away (seen after a 16 s outage that made the server drop the patient).
    const unanswered = pc.signalingState === 'have-local-offer';
    if (pc.connectionState === 'connected' && !unanswered) return;
    // Offers and candidates may have been lost while signaling was away: the impolite side
    // starts a new ICE generation, which carries everything again. A side whose own offer went
    // unanswered rolls it back and offers again whatever its politeness; if both do, perfect
    // negotiation settles the collision.
    if (!this.#polite || unanswered) this.#restartIce();
  }

  #onSignal(message: ServerMessage): void {
    switch (message.type) {
      case 'joined':
        this.#polite = message.polite;
        this.#ticket = message.session;
        this.#keepTicket();
        this.#signalAttempts = 0;
        this.#iceServers = this.#options.iceServers ?? message.iceServers;
        if (message.peer) this.#onPeerPresent(true);
        else if (this.#pc?.connectionState !== 'connected') this.#setState(CallState.Waiting);
        this.#settleJoin();
        break;
      case 'knock':
        this.#knocking = message.waiting;
        this.emit('knock', { waiting: message.waiting });
        break;
      case 'admitted': {
        // The server hands TURN credentials only to a patient it let in: they come with `admitted`.
        if (message.iceServers) this.#iceServers = this.#options.iceServers ?? message.iceServers;
        if (message.session) this.#ticket = message.session;
        this.#keepTicket();
        break;
      }
      case 'peer-joined':
        this.#knocking = false;
        this.#onPeerPresent();
        break;
      case 'peer-left':
        if (message.reason === 'left') this.#end('peer-hangup');
        else if (this.#state === CallState.Connected || this.#state === CallState.Connecting) {
          // The other side's signaling dropped; the media path may well still be alive, so keep it.
          if (this.#pc?.connectionState !== 'connected') this.#closePeer(), this.#setState(CallState.Waiting);
        }
        break;
      case 'description':
        if (this.#fromNewPeer(message.description)) {
          // The other side reloaded: its browser has a new certificate, which the connection we
          // hold cannot take. A new connection answers its offer.
          this.#startCall('answer');
        }
        void this.#negotiator?.receiveDescription(message.description);
        break;
      case 'candidate':
        if (message.candidate) void this.#negotiator?.receiveCandidate(message.candidate);
        break;
      case 'error':
        this.#onServerError(message.code, message.message, message.fatal ?? false);
        break;
    }
  }

  #onServerError(code: string, message: string, fatal: boolean): void {
    if (code === SignalingErrorCode.Declined) {
      this.#end('declined');
      return;
    }
    if ((code === SignalingErrorCode.ShuttingDown || code === SignalingErrorCode.SlowConsumer) && this.#ticket) {
      // A server restart (a deploy), or a socket dropped because this tab fell behind reading it
      // (a frozen background tab), is no reason to end a call: media flows on, and we come back.
      if (this.#transport) {
        this.#transport.onClose = this.#transport.onMessage = undefined;
        this.#transport.close();
        this.#transport = undefined;
      }
      this.#scheduleSignalingReconnect();
      return;
    }
    // The server refuses a bad `join` without closing the socket (a client may send a corrected
    // one); this session has no other room or role to offer, so the call cannot start.
    const joinRefused = code === SignalingErrorCode.InvalidRoom || code === SignalingErrorCode.InvalidRole;
    const error = new ConsultError(code as ErrorCode, message, fatal || joinRefused);
    if (error.fatal) this.#fail(error);
    else this.emit('error', error);
  }

  #onTransportClose(info: TransportClose): void {
    if (this.#state === CallState.Ended || this.#state === CallState.Failed) return;
    if (info.code && (Object.values(SignalingErrorCode) as string[]).includes(info.code)) {
      this.#onServerError(info.code, info.reason, true);
      return;
    }
    if (!this.#ticket) {
      // Never got into the room: there is nothing to go back to.
      this.#fail(new ConsultError(ErrorCode.SignalingUnreachable, 'The connection to the signaling server was lost.', true));
      return;
    }
    // Media goes on without the signaling server; only a new negotiation needs it, so reconnect.
    this.#transport = undefined;
    this.#scheduleSignalingReconnect();
  }

  // ---- the peer connection ---------------------------------------------------------------------

  /** An offer whose DTLS fingerprint differs from the one we are connected to comes from a new page. */
  #fromNewPeer(description: { type: string; sdp?: string }): boolean {
    const current = this.#pc?.remoteDescription?.sdp;
    if (description.type !== 'offer' || !current || !description.sdp) return false;
    const fingerprint = (sdp: string) => /a=fingerprint:(.+)/.exec(sdp)?.[1]?.trim();
    return fingerprint(description.sdp) !== fingerprint(current);
  }

  /**
   * Creates the connection. Who adds media first decides who offers: `auto` follows politeness
   * (the impolite side offers), `offer` offers at once, `answer` waits for the other side's offer.
   */
  #startCall(mode: 'auto' | 'offer' | 'answer' = 'auto'): void {
    if (mode !== 'answer' && this.#pc && this.#pc.connectionState !== 'closed' && this.#pc.connectionState !== 'failed') return;
    this.#closePeer();
    const pc = new RTCPeerConnection({
      iceServers: this.#iceServers,
      ...(this.#options.iceTransportPolicy ? { iceTransportPolicy: this.#options.iceTransportPolicy } : {}),
    });
    this.#pc = pc;
    this.#setState(CallState.Connecting);
    this.#remoteStream = new MediaStream();
    this.emit('remote-stream', this.#remoteStream);
    // The impolite side (the doctor) makes the first offer. The polite side adds its tracks and
    // channel only once that offer is applied, so they fill the offered slots and the call starts
    // with one offer/answer instead of two crossing offers and a rollback (bench:connect: ~300 ms).
    let localMediaAdded = false;
    const addLocalMedia = () => {
      if (localMediaAdded || pc !== this.#pc) return;
      localMediaAdded = true;
      this.#openControlChannel(pc);
      const sending = new Set(pc.getSenders().map((sender) => sender.track));
      for (const track of this.#localStream?.getTracks() ?? []) {
        if (!sending.has(track)) pc.addTrack(track, this.#localStream!);
      }
      void this.#prioritiseAudio(pc);
    };
    this.#negotiator = new PerfectNegotiator(pc, this.#polite, {
      sendDescription: (description) => this.#transport?.send({ type: 'description', description }),
      sendCandidate: (candidate) => this.#transport?.send({ type: 'candidate', candidate }),
      onError: (error) => this.emit('error', new ConsultError(ErrorCode.ConnectionFailed, String(error), false, { cause: error })),
      beforeAnswer: addLocalMedia,
    });
    pc.addEventListener('track', ({ track }) => {
      if (pc !== this.#pc || !this.#remoteStream) return;
      this.#remoteStream.addTrack(track);
      this.emit('remote-stream', this.#remoteStream);
    });
    pc.addEventListener('connectionstatechange', () => {
      if (pc === this.#pc) this.#onConnectionState(pc.connectionState);
    });
    if (mode === 'offer' || (mode === 'auto' && !this.#polite)) addLocalMedia();
    this.#sampler = new StatsSampler();
    this.#adapter = new Adapter(this.#options.quality ?? 'auto');
    this.#videoPaused = false;
    this.#scheduleQualitySample(pc);
    // A first connection that never gets going (no candidates, a lost offer) is restarted, and
    // fails at the reconnect limit like any lost connection.
    this.#connectWatchdog = this.#timeout(() => {
      if (pc !== this.#pc || this.#state !== CallState.Connecting) return;
      this.#armReconnectDeadline();
      if (!this.#polite) pc.restartIce();
    }, CONNECT_WATCHDOG_MS);
  }

  /** Voice matters most in a consultation: audio packets go first when the link is congested. */
  async #prioritiseAudio(pc: RTCPeerConnection): Promise<void> {
    for (const sender of pc.getSenders()) {
      if (sender.track?.kind !== 'audio') continue;
      const parameters = sender.getParameters();
      if (!parameters.encodings?.length) continue;
      for (const encoding of parameters.encodings) {
        encoding.priority = 'high';
        encoding.networkPriority = 'high';
      }
      await sender.setParameters(parameters).catch(() => {});
    }
  }

  // ---- quality ---------------------------------------------------------------------------------

  #scheduleQualitySample(pc: RTCPeerConnection): void {
    this.#timeout(async () => {
      if (pc !== this.#pc) return;
      // Chromium may answer getStats() at `connected` from a report cached just before DTLS was
      // up (seen with a werift peer): the code is then derived on a later tick.
      if (!this.#verificationCode && pc.connectionState === 'connected') await this.#deriveVerification(pc).catch(() => {});
      await this.#sampleQuality(pc).catch(() => {});
      if (pc === this.#pc) this.#scheduleQualitySample(pc);
    }, QUALITY_INTERVAL_MS);
  }

  async #sampleQuality(pc: RTCPeerConnection): Promise<void> {
    const sample = await this.#sampler?.sample(pc);
    if (!sample || pc !== this.#pc || !this.#adapter) return;
    const connected = pc.connectionState === 'connected';
    if (connected) {
      const profile = this.#adapter.next(sample.outgoing, sample.receiving);
      if (profile !== this.#currentProfile()) await this.#applyProfile(profile);
    }
    const outgoing = { ...sample.outgoing, level: connected ? grade(sample.outgoing) : ('lost' as const) };
    const incoming = {
      ...sample.incoming,
      level: connected && sample.receiving ? grade(sample.incoming) : ('lost' as const),
    };
    const report: QualityReport = {
      level: worse(outgoing.level, incoming.level),
      outgoing,
      incoming,
      videoPaused: this.#videoPaused,
      profile: this.#adapter.profile,
    };
    const previous = this.#quality;
    this.#quality = report;
    if (
      !previous ||
      previous.level !== report.level ||
      previous.outgoing.level !== report.outgoing.level ||
      previous.incoming.level !== report.incoming.level ||
      previous.videoPaused !== report.videoPaused ||
      previous.profile !== report.profile
    ) {
      this.emit('quality', report);
    }
  }

  #appliedProfile: SendProfile = 'sd';
  #currentProfile(): SendProfile {
    return this.#appliedProfile;
  }

  /** Puts a sending profile into effect: capture size and encoder ceiling, or video paused. */
  async #applyProfile(profile: SendProfile): Promise<void> {
    this.#appliedProfile = profile;
    const sender = this.#videoSender();
    const paused = profile === 'paused';
    if (sender) {
      const parameters = sender.getParameters();
      if (parameters.encodings?.length) {
        for (const encoding of parameters.encodings) {
          encoding.active = !paused;
          if (!paused) encoding.maxBitrate = PROFILES[profile].maxBitrate;
        }
        // Camera video keeps its frame rate and gives up resolution first (a face stays fluid).
        (parameters as RTCRtpSendParameters & { degradationPreference?: string }).degradationPreference = 'maintain-framerate';
        await sender.setParameters(parameters).catch(() => {});
      }
    }
    const track = this.#cameraTrack();
    if (!paused && track) await this.#fitCapture(track, profile);
    if (paused !== this.#videoPaused) {
      this.#videoPaused = paused;
      this.#announceMedia();
    }
  }

  /**
   * Makes the camera capture at the profile's size. Going down, the browser scales the running
   * track. Going up it cannot: Chromium scales a camera only down from the format it opened, and
   * keeps that format while any track of the camera is open. So the camera is closed and opened
   * again at the larger size (a pause of a frame or two) and the new track swapped in without
   * renegotiating; if that fails, SD comes back.
   */
  async #fitCapture(track: MediaStreamTrack, profile: 'hd' | 'sd'): Promise<void> {
    const { width, height } = PROFILES[profile];
    const constraints = { width: { ideal: width }, height: { ideal: height }, frameRate: { ideal: 30, max: 30 } };
    const current = track.getSettings();
    if ((current.width ?? 0) >= width || profile === 'sd') {
      await track.applyConstraints(constraints).catch(() => {});
      return;
    }
    const getUserMedia: GetUserMedia =
      this.#options.getUserMedia ?? ((c) => navigator.mediaDevices.getUserMedia(c));
    const run = this.#run;
    const device = current.deviceId ? { deviceId: { exact: current.deviceId } } : {};
    track.stop();
    this.#localStream?.removeTrack(track);
    let next: MediaStreamTrack;
    try {
      next = await acquireCamera(getUserMedia, { ...constraints, ...device });
    } catch {
      try {
        next = await acquireCamera(getUserMedia, { ...DEFAULT_VIDEO, ...device });
      } catch (error) {
        await this.#videoSender()?.replaceTrack(null);
        this.emit('error', error as ConsultError);
        this.#announceMedia();
        return;
      }
    }
    if (run !== this.#run || !this.#localStream || this.#cameraTrack()) {
      next.stop();
      return;
    }
    this.#localStream.addTrack(next);
    await this.#videoSender()?.replaceTrack(next);
    this.emit('local-stream', this.#localStream);
  }

  #openControlChannel(pc: RTCPeerConnection): void {
    // Negotiated on both sides with a fixed id, so neither has to wait for the other to announce it.
    const control = pc.createDataChannel(CONTROL_CHANNEL_LABEL, { negotiated: true, id: CONTROL_CHANNEL_ID });
    this.#control = control;
    control.addEventListener('open', () => {
      this.#sendHello();
      this.#announceMedia();
    });
    control.addEventListener('close', () => {
      if (control === this.#control) this.#announceFilesAvailable();
    });
    const factory = fileTransferFactory();
    // One engine for the whole call: on a new connection, the files moving carry on there.
    if (this.#files) this.#files.attach(pc);
    else if (factory) {
      const files = factory({
        pc,
        sendControl: (text) => this.#control?.readyState === 'open' && this.#control.send(text),
        ...(this.#options.maxFileSize ? { maxSize: this.#options.maxFileSize } : {}),
        ...(this.#options.acceptFiles?.length ? { accept: this.#options.acceptFiles } : {}),
      });
      this.#files = files;
      files.on('offer', (offer) => this.emit('file-offer', offer));
      files.on('progress', (progress) => this.emit('file-progress', progress));
      files.on('received', (file) => this.emit('file-received', file));
      files.on('sent', (file) => this.emit('file-sent', file));
      files.on('error', (error) => this.emit('file-error', error));
    }
    control.addEventListener('message', ({ data }) => {
      // File-transfer messages share the channel; the engine takes its own and leaves the rest.
      if (this.#files?.handleControl(data)) return;
      const message = parseControlMessage(data);
      if (message) this.#onControl(message);
    });
  }

  #onConnectionState(state: RTCPeerConnectionState): void {
    switch (state) {
      case 'connected':
        this.#clearIceTimers();
        this.#setState(CallState.Connected);
        // A path that came back may have lost the signaling connection on the way: reconnect now.
        if (!this.#transport && !this.#signalTimer && this.#ticket) this.#scheduleSignalingReconnect();
        if (this.#pc) void this.#deriveVerification(this.#pc);
        break;
      case 'disconnected':
        if (this.#state !== CallState.Connected) return;
        this.#setState(CallState.Reconnecting);
        this.#armReconnectDeadline();
        this.#iceDisconnectedTimer = this.#timeout(() => this.#restartIce(), ICE_DISCONNECTED_GRACE_MS);
        break;
      case 'failed':
        if (this.#state === CallState.Connecting || this.#state === CallState.Connected || this.#state === CallState.Reconnecting) {
          this.#setState(CallState.Reconnecting);
          this.#armReconnectDeadline();
          this.#restartIce();
        }
        break;
    }
  }

  #armReconnectDeadline(): void {
    if (this.#reconnectDeadline) return;
    this.#reconnectDeadline = this.#timeout(() => {
      this.#fail(new ConsultError(ErrorCode.ConnectionFailed, 'The connection could not be restored.', true));
    }, RECONNECT_LIMIT_MS);
  }

  #clearIceTimers(): void {
    for (const timer of [this.#iceDisconnectedTimer, this.#reconnectDeadline, this.#connectWatchdog]) {
      if (timer) clearTimeout(timer), this.#timers.delete(timer);
    }
    this.#iceDisconnectedTimer = this.#reconnectDeadline = this.#connectWatchdog = undefined;
  }

  #onControl(message: ControlMessage): void {
    switch (message.type) {
      case 'media':
        this.#remoteMedia = { camera: message.camera, microphone: message.microphone, videoPaused: message.videoPaused === true };
        this.emit('remote-media', this.remoteMedia);
        break;
      case 'hello': {
        this.#peerCapabilities = message.capabilities;
        this.#announceFilesAvailable();
        this.#adapter?.configure(this.#options.quality ?? 'auto', message.capabilities.includes('hd'));
        const name = cleanName(message.name);
        if (name === this.#peerName) break;
        this.#peerName = name;
        this.emit('peer-name', { name });
        break;
      }
      case 'chat': {
        const text = cleanText(message.text);
        if (text) this.emit('message', { id: message.id, text, from: 'remote', sentAt: message.sentAt });
        break;
      }
    }
  }

  #sendHello(): void {
    if (this.#control?.readyState !== 'open') return;
    const name = cleanName(this.#options.displayName ?? '');
    this.#control.send(JSON.stringify({ v: PROTOCOL_VERSION, type: 'hello', name, capabilities: this.#files ? ['chat', 'hd', 'files'] : ['chat', 'hd'] }));
  }

  /** Derives the verification code from the certificates DTLS actually used. */
  async #deriveVerification(pc: RTCPeerConnection): Promise<void> {
    if (this.#verificationCode) return;
    const fingerprints = await dtlsFingerprints(pc);
    if (!fingerprints || pc !== this.#pc) return;
    const code = await verificationCode(fingerprints.local, fingerprints.remote);
    if (pc !== this.#pc || this.#verificationCode === code) return;
    this.#verificationCode = code;
    this.emit('verification', { code });
  }

  #announceMedia(): void {
    const state = this.localMedia;
    this.emit('local-media', state);
    if (this.#control?.readyState === 'open') {
      this.#control.send(JSON.stringify({ v: PROTOCOL_VERSION, type: 'media', ...state }));
    }
  }

  #cameraTrack(): MediaStreamTrack | undefined {
    return this.#localStream?.getVideoTracks()[0];
  }
  #audioTrack(): MediaStreamTrack | undefined {
    return this.#localStream?.getAudioTracks()[0];
  }
  #videoSender(): RTCRtpSender | undefined {
    return this.#pc?.getTransceivers().find((t) => t.receiver.track.kind === 'video' && t.direction !== 'inactive')?.sender;
  }

  // ---- state and teardown ----------------------------------------------------------------------

  #timeout(fn: () => void, ms: number): ReturnType<typeof setTimeout> {
    const timer = setTimeout(() => {
      this.#timers.delete(timer);
      fn();
    }, ms);
    this.#timers.add(timer);
    return timer;
  }

  #setState(state: CallState, extra: Partial<StateChange> = {}): void {
    if (state === this.#state) return;
    const previous = this.#state;
    this.#state = state;
    this.emit('state', { state, previous, ...extra });
  }

  #end(reason: EndReason): void {
    this.#forgetTicket();
    this.#teardown();
    this.#setState(CallState.Ended, { reason });
  }

  #fail(error: ConsultError): void {
    this.#forgetTicket();
    this.#teardown();
    this.#error = error;
    this.emit('error', error);
    this.#setState(CallState.Failed, { error });
  }

  #closePeer(): void {
    this.#clearIceTimers();
    this.#negotiator?.close();
    this.#control?.close();
    this.#pc?.close();
    this.#remoteStream?.getTracks().forEach((t) => t.stop());
    this.#negotiator = this.#control = this.#pc = this.#remoteStream = undefined;
    this.#verificationCode = undefined;
    this.#peerName = '';
    this.#sampler = this.#adapter = this.#quality = undefined;
    this.#appliedProfile = 'sd';
    this.#videoPaused = false;
    this.#peerCapabilities = [];
    this.#announceFilesAvailable();
  }

  /**
   * The place ticket is kept in this tab's sessionStorage while the call lasts, so that a reload
   * returns to the same place (waiting, or in the call without knocking again). It is an opaque,
   * signed token with no personal data in it, gone with the tab or the end of the call.
   */
  #ticketKey(): string {
    const { server, room, role } = this.#options;
    return `video-consult:ticket:${server}|${room}|${role}`;
  }
  #keepTicket(): void {
    if (this.#placeKey !== this.#ticketKey()) return;
    try {
      if (this.#ticket) globalThis.sessionStorage?.setItem(this.#ticketKey(), this.#ticket);
    } catch {
      // Storage may be off (a sandboxed frame, strict privacy settings): a reload then knocks again.
    }
  }
  #storedTicket(): string | undefined {
    try {
      return globalThis.sessionStorage?.getItem(this.#ticketKey()) ?? undefined;
    } catch {
      return undefined;
    }
  }
  #forgetTicket(): void {
    if (this.#placeKey !== this.#ticketKey()) return;
    try {
      globalThis.sessionStorage?.removeItem(this.#ticketKey());
    } catch {
      // As above.
    }
  }

  #settleJoin(): void {
    this.#resolveJoin?.();
    this.#resolveJoin = undefined;
  }

  /** The one way out: stops every track, closes every channel and socket, clears every timer. */
  #teardown(): void {
    this.#run++;
    if (this.#placeKey) PLACES_IN_USE.delete(this.#placeKey);
    this.#placeKey = undefined;
    this.#settleJoin();
    globalThis.removeEventListener?.('online', this.#onOnline);
    this.#ticket = undefined;
    this.#signalAttempts = 0;
    this.#signalTimer = undefined;
    // Before the control channel closes, so the other side hears `file-closed`.
    this.#files?.close();
    this.#files = undefined;
    this.#closePeer();
    for (const timer of this.#timers) clearTimeout(timer);
    this.#timers.clear();
    this.#localStream?.getTracks().forEach((t) => t.stop());
    this.#localStream = undefined;
    if (this.#transport) {
      this.#transport.onMessage = this.#transport.onClose = this.#transport.onInvalid = undefined;
      this.#transport.close();
      this.#transport = undefined;
    }
    this.#knocking = false;
  }
}
