import { cleanName, type ServerMessage, SignalingErrorCode } from '../protocol/index.js';
import type { AcceptOptions, FileTransfer, ReceivedFile, SentFile } from '../file-transfer/manager.js';
import { loadFileTransfer } from '../file-transfer/registry.js';
import { type Transport, type TransportClose, WebSocketTransport } from '../signaling/transport.js';
import { ControlChannel } from './control-channel.js';
import { collectDiagnostics } from './diagnostics.js';
import { Emitter } from './emitter.js';
import { ConsultError, ErrorCode } from './errors.js';
import { FileWiring } from './file-wiring.js';
import { LocalMedia } from './local-media.js';
import { checkEnvironment } from './media.js';
import { type OfferMode, PeerLink } from './peer-link.js';
import { PlaceTicket } from './place-ticket.js';
import type { QualityPreference, QualityReport } from './quality.js';
import { QualityController } from './quality-controller.js';
import { readSecurityInfo, type SecurityInfo } from './security.js';
import {
  CallState,
  type ChatEntry,
  type EndReason,
  type MediaState,
  type SessionEmit,
  type SessionEvents,
  type SessionOptions,
  type StateChange,
} from './session-types.js';
import { SignalingLink } from './signaling-link.js';

export {
  CallState,
  type ChatEntry,
  type DeviceKind,
  type DeviceList,
  type DeviceLost,
  type DeviceOption,
  type EndReason,
  type MediaChange,
  type MediaSource,
  type MediaState,
  type SessionEvents,
  type SessionOptions,
  type StateChange,
} from './session-types.js';

const signalingLost = () => new ConsultError(ErrorCode.SignalingUnreachable, 'The connection to the signaling server was lost.', true);

/**
 * One side of a consultation, as a state machine over one RTCPeerConnection and one signaling
 * connection. It owns every resource it creates and frees all of them on its single teardown path.
 * It knows nothing of the DOM, so two sessions can talk to each other in one page.
 */
export class ConsultSession extends Emitter<SessionEvents> {
  #state: CallState = CallState.Idle;
  #options: SessionOptions;
  #error?: ConsultError;
  /** One per `join()`, aborted by the teardown: work of a run that is over is dropped. */
  #run = new AbortController();
  #signaling?: SignalingLink;
  #ticket?: PlaceTicket;
  #media?: LocalMedia;
  #peer?: PeerLink;
  #quality?: QualityController;
  #files?: FileWiring;
  /** The session's `emit`, for its parts. */
  #emit: SessionEmit = (type, detail) => this.emit(type, detail);
  #control = new ControlChannel({
    route: (data) => !!this.#files?.route(data),
    onOpen: () => (this.#sendHello(), this.#announceMedia()),
    onClose: () => this.#announceFilesAvailable(),
    onCapabilities: (capabilities) => {
      this.#announceFilesAvailable();
      this.#quality?.configure(this.#options.quality ?? 'auto', capabilities.includes('hd'));
    },
    emit: this.#emit,
  });
  #iceServers: RTCIceServer[] = [];
  #polite = false;
  #knocking = false;
  /** What `files-available` last said. */
  #filesAvailable = false;
  /** Settles the pending `join()` once the server has answered (or the attempt is over). */
  #resolveJoin?: () => void;

  constructor(options: SessionOptions) {
    super();
    this.#options = { ...options };
  }

  get state(): CallState {
    return this.#state;
  }
  get role(): SessionOptions['role'] {
    return this.#options.role;
  }
  /** The fatal error behind a `failed` state. */
  get error(): ConsultError | undefined {
    return this.#error;
  }
  get localStream(): MediaStream | undefined {
    return this.#media?.stream;
  }
  get remoteStream(): MediaStream | undefined {
    return this.#peer?.remoteStream;
  }
  /** The underlying connection, for statistics. Undefined outside a call. */
  get peerConnection(): RTCPeerConnection | undefined {
    return this.#peer?.pc;
  }
  get localMedia(): MediaState {
    return {
      camera: !!this.#media?.cameraOn,
      microphone: !!this.#media?.microphoneSending,
      videoPaused: !!this.#quality?.paused,
    };
  }
  /** The latest quality report, sampled every second during a call. */
  get quality(): QualityReport | undefined {
    return this.#quality?.report;
  }

  /**
   * Chooses how this side sends video: `auto` follows the link, `hd` and `sd` fix the resolution,
   * `audio-only` turns the camera off (and `auto`, `hd` or `sd` turns it back on).
   */
  async setQuality(preference: QualityPreference): Promise<void> {
    const previous = this.#options.quality ?? 'auto';
    this.#options.quality = preference;
    if (preference === 'audio-only') return this.setCameraEnabled(false);
    if (previous === 'audio-only' && this.#media?.stream) await this.setCameraEnabled(true);
    const quality = this.#quality;
    if (quality) await quality.apply(quality.configure(preference, this.#control.capabilities.includes('hd')));
  }

  /**
   * A snapshot for support: state, quality figures, security facts, ICE servers (without
   * credentials), the path in use, and the connection's and negotiation's states. It holds no
   * names, messages or addresses.
   */
  async getDiagnostics(): Promise<Record<string, unknown>> {
    return collectDiagnostics({
      pc: this.#peer?.pc,
      state: this.#state,
      role: this.#options.role,
      error: this.#error?.code,
      signaling: { connected: !!this.#signaling?.connected, reconnectAttempts: this.#signaling?.attempts ?? 0 },
      iceServers: this.#iceServers,
      iceTransportPolicy: this.#options.iceTransportPolicy ?? 'all',
      localMedia: this.localMedia,
      remoteMedia: this.remoteMedia,
      quality: this.quality,
      verificationCode: this.verificationCode,
    });
  }
  get remoteMedia(): MediaState {
    return { ...this.#control.remoteMedia };
  }
  /** For the doctor: a patient is waiting. */
  get knocking(): boolean {
    return this.#knocking;
  }
  /** The other side's display name, cleaned; empty until it arrives or if they gave none. */
  get peerName(): string {
    return this.#control.peerName;
  }
  /** The verification code of the current connection, once DTLS is up. */
  get verificationCode(): string | undefined {
    return this.#peer?.verificationCode;
  }

  /** What protects the call right now (DTLS and SRTP ciphers, direct or relayed), from the browser's statistics. */
  async getSecurityInfo(): Promise<SecurityInfo | undefined> {
    return this.#peer ? readSecurityInfo(this.#peer.pc) : undefined;
  }

  /** Changes the name shown to the other side; during a call it is sent at once. */
  setDisplayName(name: string): void {
    this.#options.displayName = name;
    this.#sendHello();
  }

  /**
   * Sends a chat line over the peer-to-peer control channel. Invisible and control characters are
   * removed. Throws a {@link ConsultError} with code `not-connected` outside a call and
   * `chat-too-long` above `MAX_CHAT_CHARS` (4,000) characters; an empty line is not sent.
   */
  sendMessage(text: string): ChatEntry | undefined {
    // Right after `connected` the channel may still be opening (a few ms): the line waits for it.
    const entry = this.#control.sendChat(text, this.#state === CallState.Connected);
    if (entry) this.emit('message', entry);
    return entry;
  }

  /**
   * Whether `sendFile()` works now: the file-transfer engine is loaded here, the control channel
   * is open, and the other side's `hello` said it takes files. It turns true a moment after
   * `connected` (when that `hello` arrives) and false when the connection goes;
   * `files-available` announces each change.
   */
  get filesAvailable(): boolean {
    return !!this.#files?.manager && this.#control.isOpen && this.#control.capabilities.includes('files');
  }

  /**
   * Offers a file to the other side, peer to peer. The handle's `done` resolves once the other
   * side has the whole file with a matching hash. Throws `not-connected` outside a call (or
   * without the file-transfer engine); limits are checked as the file goes (`file-error`).
   */
  sendFile(file: Blob, options: { name?: string; type?: string } = {}): FileTransfer<SentFile> {
    const files = this.#files?.manager;
    if (!files || !this.#control.isOpen) {
      throw new ConsultError(ErrorCode.NotConnected, 'Files can be sent once the call is connected.', false);
    }
    if (!this.#control.capabilities.includes('files')) {
      throw new ConsultError(ErrorCode.FilesUnavailable, 'The other side cannot receive files.', false);
    }
    return files.sendFile(file, options);
  }

  /** Accepts a file the other side offered (see `file-offer`); undefined when that offer is gone (cancelled, declined, or the call ended). */
  acceptFile(id: string, options: AcceptOptions = {}): FileTransfer<ReceivedFile> | undefined {
    return this.#files?.manager?.accept(id, options);
  }

  /** Declines a file the other side offered. */
  declineFile(id: string): void {
    this.#files?.manager?.decline(id);
  }

  /** Cancels a transfer in either direction. */
  cancelFile(id: string): void {
    this.#files?.manager?.cancel(id);
  }

  /** Changes options before the next `join()`; a running call keeps the ones it started with. */
  configure(options: Partial<SessionOptions>): void {
    this.#options = { ...this.#options, ...options };
  }

  // ---- join --------------------------------------------------------------------------------------

  /**
   * Asks for camera and microphone, enters the room and starts the call as soon as both are in.
   * Resolves once the server has let this side into the room (waiting or connecting), or once the
   * attempt has failed; failures are reported as the `failed` state and never reject.
   */
  async join(): Promise<void> {
    if (!this.#over) return;
    const run = (this.#run = new AbortController()).signal;
    this.#error = undefined;
    globalThis.addEventListener?.('online', this.#onOnline, { signal: run });
    this.#control.remoteMedia = { camera: true, microphone: true };
    this.#setState(CallState.Preparing);
    const { server, room, role, token, transport: createTransport, getUserMedia, video, quality } = this.#options;
    if (!server || !room || !role) {
      return this.#fail(new ConsultError(ErrorCode.MissingConfiguration, 'server, room and role are required', true));
    }
    const unsupported = checkEnvironment();
    if (unsupported) return this.#fail(unsupported);

    const ticket = (this.#ticket = new PlaceTicket(server, room, role));
    const signaling = (this.#signaling = new SignalingLink({
      open: () => (createTransport ?? ((url, t) => new WebSocketTransport(url, t)))(server, token),
      rejoin: () => ({ type: 'join', room, role, ...(ticket.value ? { resume: ticket.value } : {}) }),
      mediaFlows: () => this.#peer?.pc.connectionState === 'connected',
      onMessage: (message) => this.#onSignal(message),
      onInvalid: (code, reason) => this.emit('error', new ConsultError(code as ErrorCode, reason, false)),
      onClose: (info) => this.#onSignalingClose(info),
      onGiveUp: () => this.#fail(signalingLost()),
      signal: run,
    }));
    this.#files = new FileWiring({
      sendControl: (text) => this.#control.send(text),
      emit: this.#emit,
      maxFileSize: this.#options.maxFileSize,
      acceptFiles: this.#options.acceptFiles,
    });
    const media = (this.#media = new LocalMedia({
      getUserMedia,
      videoSender: () => this.#peer?.videoSender(),
      addTrack: (track, stream) => this.#peer?.addTrack(track, stream),
      emit: this.#emit,
      signal: run,
    }));
    let transport: Transport;
    try {
      transport = signaling.connect();
    } catch (error) {
      return this.#fail(new ConsultError(ErrorCode.SignalingUnreachable, String(error), true, { cause: error }));
    }

    // Media and the socket start together: the permission prompt is the slow part.
    try {
      const [local] = await Promise.all([
        media.acquire(video !== false && quality !== 'audio-only'),
        transport.opened.catch((cause) => {
          throw new ConsultError(ErrorCode.SignalingUnreachable, 'The signaling server cannot be reached.', true, { cause });
        }),
        loadFileTransfer(),
      ]);
      if (!media.take(local.stream)) return;
      this.emit('local-stream', local.stream);
      local.warnings.forEach((w) => this.emit('error', w));
    } catch (error) {
      if (run.aborted) return;
      return this.#fail(error instanceof ConsultError ? error : new ConsultError(ErrorCode.MediaFailed, String(error), true, { cause: error }));
    }
    const inRoom = new Promise<void>((resolve) => (this.#resolveJoin = resolve));
    // After a reload of the page, the ticket kept for this tab takes the place back (unless
    // another call in this page holds that place: then this one is a second participant).
    const resume = ticket.claim();
    transport.send({ type: 'join', room, role, ...(resume ? { resume } : {}) });
    await inRoom;
  }

  /** Hangs up: tells the other side, frees everything, and ends in `ended`. Safe to call at any time. */
  leave(): void {
    if (this.#over) return this.#teardown();
    this.#signaling?.send({ type: 'leave' });
    this.#end('hangup');
  }

  // ---- admit ---------------------------------------------------------------------------------------

  /** For the doctor: lets the waiting patient in. */
  admit(): void {
    this.#signaling?.send({ type: 'admit' });
  }

  /** For the doctor: turns the waiting patient away. */
  decline(): void {
    this.#signaling?.send({ type: 'decline' });
  }

  /**
   * Switches the camera. Off stops the track, so the camera light goes out; on opens the camera
   * again and swaps the new track in without renegotiating.
   */
  async setCameraEnabled(enabled: boolean): Promise<void> {
    if (await this.#media?.setCamera(enabled)) this.#announceMedia();
  }

  /** Mutes or unmutes the microphone. The track stays open so unmuting is instant. */
  setMicrophoneEnabled(enabled: boolean): void {
    if (this.#media?.setMicrophone(enabled)) this.#announceMedia();
  }

  /** Frees everything; the session can `join()` again afterwards. */
  dispose(): void {
    this.#teardown();
    this.removeAllListeners();
  }

  #onSignal(message: ServerMessage): void {
    switch (message.type) {
      case 'joined':
        this.#polite = message.polite;
        this.#ticket?.set(message.session);
        this.#signaling?.joined();
        this.#iceServers = this.#options.iceServers ?? message.iceServers;
        if (message.peer) this.#onPeerPresent(true);
        else if (this.#peer?.pc.connectionState !== 'connected') this.#setState(CallState.Waiting);
        this.#settleJoin();
        break;
      case 'knock':
        this.#knocking = message.waiting;
        this.emit('knock', { waiting: message.waiting });
        break;
      case 'admitted':
        // The server hands TURN credentials only to a patient it let in: they come with `admitted`.
        if (message.iceServers) this.#iceServers = this.#options.iceServers ?? message.iceServers;
        this.#ticket?.set(message.session);
        break;
      case 'peer-joined':
        this.#knocking = false;
        this.#onPeerPresent();
        break;
      case 'peer-left':
        if (message.reason === 'left') this.#end('peer-hangup');
        else if (this.#state === CallState.Connected || this.#state === CallState.Connecting) {
          // The other side's signaling dropped; the media path may well still be alive, so keep it.
          if (this.#peer?.pc.connectionState !== 'connected') {
            this.#closePeer();
            this.#setState(CallState.Waiting);
          }
        }
        break;
      case 'description':
        // The other side reloaded: its browser has a new certificate, which the connection we
        // hold cannot take. A new connection answers its offer.
        if (this.#peer?.fromNewPeer(message.description)) this.#startCall('answer');
        void this.#peer?.negotiator.receiveDescription(message.description);
        break;
      case 'candidate':
        if (message.candidate) void this.#peer?.negotiator.receiveCandidate(message.candidate);
        break;
      case 'error':
        this.#onServerError(message.code, message.message, message.fatal ?? false);
        break;
    }
  }

  #onServerError(code: string, message: string, fatal: boolean): void {
    if (code === SignalingErrorCode.Declined) return this.#end('declined');
    if ((code === SignalingErrorCode.ShuttingDown || code === SignalingErrorCode.SlowConsumer) && this.#ticket?.value) {
      // A server restart (a deploy), or a socket dropped because this tab fell behind reading it
      // (a frozen background tab), is no reason to end a call: media flows on, and we come back.
      return this.#signaling?.reconnect();
    }
    // The server refuses a bad `join` without closing the socket (a client may send a corrected
    // one); this session has no other room or role to offer, so the call cannot start.
    const joinRefused = code === SignalingErrorCode.InvalidRoom || code === SignalingErrorCode.InvalidRole;
    const error = new ConsultError(code as ErrorCode, message, fatal || joinRefused);
    if (error.fatal) this.#fail(error);
    else this.emit('error', error);
  }

  #onSignalingClose(info: TransportClose): void {
    if (this.#state === CallState.Ended || this.#state === CallState.Failed) return;
    if (info.code && (Object.values(SignalingErrorCode) as string[]).includes(info.code)) {
      return this.#onServerError(info.code, info.reason, true);
    }
    // Never got into the room: there is nothing to go back to.
    if (!this.#ticket?.value) return this.#fail(signalingLost());
    // Media goes on without the signaling server; only a new negotiation needs it, so reconnect.
    this.#signaling?.reconnect();
  }

  // ---- connect -------------------------------------------------------------------------------------

  /**
   * The other side is present (again): start the call, or mend a connection that is not up.
   * `rejoined` is true when this side has just come (back) into a call already under way (a
   * reload): then it offers first whatever its politeness, since the other side still holds a
   * connection to the page that is gone and will not start one.
   */
  #onPeerPresent(rejoined = false): void {
    const peer = this.#peer;
    if (!peer || peer.pc.connectionState === 'closed') return this.#startCall(rejoined ? 'offer' : 'auto');
    // A connection that came back by itself may still hold an offer of this side that went out
    // while the other side was away and will never be answered: both sides then wait for each
    // other, and video stays away (seen after a 16 s outage that made the server drop the patient).
    const unanswered = peer.offerUnanswered;
    if (peer.pc.connectionState === 'connected' && !unanswered) return;
    // Offers and candidates may have been lost while signaling was away: the impolite side
    // starts a new ICE generation, which carries everything again. A side whose own offer went
    // unanswered rolls it back and offers again whatever its politeness; if both do, perfect
    // negotiation settles the collision.
    if (!this.#polite || unanswered) peer.restartIce();
  }

  /** Creates the connection; see {@link OfferMode} for who offers first. */
  #startCall(mode: OfferMode = 'auto'): void {
    const current = this.#peer?.pc.connectionState;
    if (mode !== 'answer' && current && current !== 'closed' && current !== 'failed') return;
    this.#closePeer();
    const peer: PeerLink = (this.#peer = new PeerLink({
      iceServers: this.#iceServers,
      iceTransportPolicy: this.#options.iceTransportPolicy,
      polite: this.#polite,
      mode,
      localStream: () => this.#media?.stream,
      sendDescription: (description) => this.#signaling?.send({ type: 'description', description }),
      sendCandidate: (candidate) => this.#signaling?.send({ type: 'candidate', candidate }),
      // The control channel first: it is negotiated with a fixed id. Transfers move to the new connection.
      openChannels: (pc) => (this.#control.open(pc), this.#files?.connect(pc)),
      emit: this.#emit,
      onConnectionState: (state) => this.#onConnectionState(peer, state),
      onStuck: () => {
        if (this.#state !== CallState.Connecting) return;
        peer.armDeadline();
        if (!this.#polite) peer.pc.restartIce();
      },
      onGiveUp: () => this.#fail(new ConsultError(ErrorCode.ConnectionFailed, 'The connection could not be restored.', true)),
    }));
    this.#setState(CallState.Connecting);
    this.emit('remote-stream', peer.remoteStream);
    this.#quality = new QualityController({
      pc: peer.pc,
      preference: this.#options.quality ?? 'auto',
      signal: peer.signal,
      // Chromium may answer getStats() at `connected` from a report cached just before DTLS was
      // up (seen with a werift peer): the code is then derived on a later tick.
      beforeSample: async () => (peer.pc.connectionState === 'connected' ? peer.verify() : undefined),
      videoSender: () => peer.videoSender(),
      fit: async (profile) => !this.#media || this.#media.fit(profile),
      onMediaChange: () => this.#announceMedia(),
      emit: this.#emit,
    });
  }

  // ---- recover -------------------------------------------------------------------------------------

  #onConnectionState(peer: PeerLink, state: RTCPeerConnectionState): void {
    switch (state) {
      case 'connected':
        peer.clearRecovery();
        this.#setState(CallState.Connected);
        // A path that came back may have lost the signaling connection on the way: reconnect now.
        if (!this.#signaling?.present && this.#ticket?.value) this.#signaling?.reconnect();
        void peer.verify();
        break;
      case 'disconnected':
        if (this.#state !== CallState.Connected) return;
        this.#setState(CallState.Reconnecting);
        peer.armDeadline();
        peer.restartAfterGrace();
        break;
      case 'failed':
        if (this.#state === CallState.Connecting || this.#state === CallState.Connected || this.#state === CallState.Reconnecting) {
          this.#setState(CallState.Reconnecting);
          peer.armDeadline();
          peer.restartIce();
        }
        break;
    }
  }

  /** Reconnects at once (the browser says it is back online), instead of waiting for the backoff. */
  #onOnline = () => {
    if (this.#over) return;
    this.#signaling?.online();
    if (this.#peer && this.#peer.pc.connectionState !== 'connected') this.#peer.restartIce();
  };

  // ---- the control channel's messages ----------------------------------------------------------

  #sendHello(): void {
    const name = cleanName(this.#options.displayName ?? '');
    this.#control.send({ type: 'hello', name, capabilities: this.#files?.manager ? ['chat', 'hd', 'files'] : ['chat', 'hd'] });
  }

  #announceMedia(): void {
    const state = this.localMedia;
    this.emit('local-media', state);
    this.#control.send({ type: 'media', ...state });
  }

  #announceFilesAvailable(): void {
    const available = this.filesAvailable;
    if (available === this.#filesAvailable) return;
    this.#filesAvailable = available;
    this.emit('files-available', { available });
  }

  // ---- end -----------------------------------------------------------------------------------------

  get #over(): boolean {
    return this.#state === CallState.Idle || this.#state === CallState.Ended || this.#state === CallState.Failed;
  }

  #setState(state: CallState, extra: Partial<StateChange> = {}): void {
    if (state === this.#state) return;
    const previous = this.#state;
    this.#state = state;
    this.emit('state', { state, previous, ...extra });
  }

  #end(reason: EndReason): void {
    this.#ticket?.forget();
    this.#teardown();
    this.#setState(CallState.Ended, { reason });
  }

  #fail(error: ConsultError): void {
    this.#ticket?.forget();
    this.#teardown();
    this.#error = error;
    this.emit('error', error);
    this.#setState(CallState.Failed, { error });
  }

  /** Leaves the current connection (the file-transfer engine stays, for the next one). */
  #closePeer(): void {
    this.#peer?.close();
    this.#control.close();
    this.#peer = this.#quality = undefined;
    this.#announceFilesAvailable();
  }

  #settleJoin(): void {
    this.#resolveJoin?.();
    this.#resolveJoin = undefined;
  }

  /** The one way out: stops every track, closes every channel and socket, clears every timer. */
  #teardown(): void {
    // Transfers still moving tell the other side on the control channel, so they end first.
    this.#files?.close();
    this.#run.abort();
    this.#ticket?.release();
    this.#settleJoin();
    this.#closePeer();
    this.#files = this.#signaling = this.#ticket = this.#media = undefined;
    this.#knocking = false;
  }
}
