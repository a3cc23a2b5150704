import { type ServerMessage, SignalingErrorCode } from '../protocol/index.js';
import { loadFileTransfer } from '../file-transfer/registry.js';
import { type Transport, type TransportClose, WebSocketTransport } from '../signaling/transport.js';
import { ConsultError, ErrorCode } from './errors.js';
import { FileWiring } from './file-wiring.js';
import { Devices } from './devices.js';
import { LocalMedia } from './local-media.js';
import { checkEnvironment } from './media.js';
import { type OfferMode, PeerLink } from './peer-link.js';
import { PlaceTicket } from './place-ticket.js';
import { QualityController } from './quality-controller.js';
import { SessionFeatures } from './session-features.js';
import { SessionParts } from './session-parts.js';
import { CallState, type EndReason, type SessionOptions, type StateChange } from './session-types.js';
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
export class ConsultSession extends SessionFeatures {
  readonly #p: SessionParts;
  /** One per `join()`, aborted by the teardown: work of a run that is over is dropped. */
  #run = new AbortController();
  #polite = false;
  /** Settles the pending `join()` once the server has answered (or the attempt is over). */
  #resolveJoin?: () => void;

  constructor(options: SessionOptions) {
    const parts = new SessionParts(options);
    super(parts);
    this.#p = parts;
  }

  /** Changes options before the next `join()`; a running call keeps the ones it started with. */
  configure(options: Partial<SessionOptions>): void {
    this.#p.options = { ...this.#p.options, ...options };
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
    this.#p.error = undefined;
    globalThis.addEventListener?.('online', this.#onOnline, { signal: run });
    this.#p.resetMedia();
    this.#setState(CallState.Preparing);
    const { server, room, role, token, transport: createTransport, getUserMedia, video, quality } = this.#p.options;
    if (!server || !room || !role) {
      return this.#fail(new ConsultError(ErrorCode.MissingConfiguration, 'server, room and role are required', true));
    }
    const unsupported = checkEnvironment();
    if (unsupported) return this.#fail(unsupported);

    const ticket = (this.#p.ticket = new PlaceTicket(server, room, role));
    const signaling = (this.#p.signaling = new SignalingLink({
      open: () => (createTransport ?? ((url, t) => new WebSocketTransport(url, t)))(server, token),
      rejoin: () => ({ type: 'join', room, role, ...(ticket.value ? { resume: ticket.value } : {}) }),
      mediaFlows: () => this.#p.peer?.pc.connectionState === 'connected',
      onMessage: (message) => this.#onSignal(message),
      onInvalid: (code, reason) => this.emit('error', new ConsultError(code as ErrorCode, reason, false)),
      onClose: (info) => this.#onSignalingClose(info),
      onGiveUp: () => this.#fail(signalingLost()),
      signal: run,
    }));
    this.#p.files = new FileWiring({
      sendControl: (text) => this.#p.control.send(text),
      emit: this.#p.emit,
      maxFileSize: this.#p.options.maxFileSize,
      acceptFiles: this.#p.options.acceptFiles,
    });
    const media = (this.#p.media = new LocalMedia({
      getUserMedia,
      videoSender: () => this.#p.peer?.videoSender(),
      audioSender: () => this.#p.peer?.pc.getSenders().find((s) => s.track?.kind === 'audio'),
      addTrack: (track, stream) => this.#p.peer?.addTrack(track, stream),
      emit: this.#p.emit,
      signal: run,
    }));
    const { rememberDevices: remember = false, enumerateDevices } = this.#p.options;
    this.#p.devices = new Devices({
      media,
      emit: this.#p.emit,
      onMediaChange: () => this.#p.announceMedia(),
      remember,
      enumerateDevices,
      signal: run,
    });
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
      this.#p.startDevices();
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
    this.#p.signaling?.send({ type: 'leave' });
    this.#end('hangup');
  }

  // ---- admit ---------------------------------------------------------------------------------------

  /** For the doctor: lets the waiting patient in. */
  admit(): void {
    this.#p.signaling?.send({ type: 'admit' });
  }

  /** For the doctor: turns the waiting patient away. */
  decline(): void {
    this.#p.signaling?.send({ type: 'decline' });
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
        this.#p.ticket?.set(message.session);
        this.#p.signaling?.joined();
        this.#p.iceServers = this.#p.options.iceServers ?? message.iceServers;
        if (message.peer) this.#onPeerPresent(true);
        else if (this.#p.peer?.pc.connectionState !== 'connected') this.#setState(CallState.Waiting);
        this.#settleJoin();
        break;
      case 'knock':
        this.#p.knocking = message.waiting;
        this.emit('knock', { waiting: message.waiting });
        break;
      case 'admitted':
        // The server hands TURN credentials only to a patient it let in: they come with `admitted`.
        if (message.iceServers) this.#p.iceServers = this.#p.options.iceServers ?? message.iceServers;
        this.#p.ticket?.set(message.session);
        break;
      case 'peer-joined':
        this.#p.knocking = false;
        this.#onPeerPresent();
        break;
      case 'peer-left':
        if (message.reason === 'left') this.#end('peer-hangup');
        else if (this.#p.state === CallState.Connected || this.#p.state === CallState.Connecting) {
          // The other side's signaling dropped; the media path may well still be alive, so keep it.
          if (this.#p.peer?.pc.connectionState !== 'connected') {
            this.#closePeer();
            this.#setState(CallState.Waiting);
          }
        }
        break;
      case 'description':
        // The other side reloaded: its browser has a new certificate, which the connection we
        // hold cannot take. A new connection answers its offer.
        if (this.#p.peer?.fromNewPeer(message.description)) this.#startCall('answer');
        void this.#p.peer?.negotiator.receiveDescription(message.description);
        break;
      case 'candidate':
        if (message.candidate) void this.#p.peer?.negotiator.receiveCandidate(message.candidate);
        break;
      case 'error':
        this.#onServerError(message.code, message.message, message.fatal ?? false);
        break;
    }
  }

  #onServerError(code: string, message: string, fatal: boolean): void {
    if (code === SignalingErrorCode.Declined) return this.#end('declined');
    if ((code === SignalingErrorCode.ShuttingDown || code === SignalingErrorCode.SlowConsumer) && this.#p.ticket?.value) {
      // A server restart (a deploy), or a socket dropped because this tab fell behind reading it
      // (a frozen background tab), is no reason to end a call: media flows on, and we come back.
      return this.#p.signaling?.reconnect();
    }
    // The server refuses a bad `join` without closing the socket (a client may send a corrected
    // one); this session has no other room or role to offer, so the call cannot start.
    const joinRefused = code === SignalingErrorCode.InvalidRoom || code === SignalingErrorCode.InvalidRole;
    const error = new ConsultError(code as ErrorCode, message, fatal || joinRefused);
    if (error.fatal) this.#fail(error);
    else this.emit('error', error);
  }

  #onSignalingClose(info: TransportClose): void {
    if (this.#p.state === CallState.Ended || this.#p.state === CallState.Failed) return;
    if (info.code && (Object.values(SignalingErrorCode) as string[]).includes(info.code)) {
      return this.#onServerError(info.code, info.reason, true);
    }
    // Never got into the room: there is nothing to go back to.
    if (!this.#p.ticket?.value) return this.#fail(signalingLost());
    // Media goes on without the signaling server; only a new negotiation needs it, so reconnect.
    this.#p.signaling?.reconnect();
  }

  // ---- connect -------------------------------------------------------------------------------------

  /**
   * The other side is present (again): start the call, or mend a connection that is not up.
   * `rejoined` is true when this side has just come (back) into a call already under way (a
   * reload): then it offers first whatever its politeness, since the other side still holds a
   * connection to the page that is gone and will not start one.
   */
  #onPeerPresent(rejoined = false): void {
    const peer = this.#p.peer;
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
    const current = this.#p.peer?.pc.connectionState;
    if (mode !== 'answer' && current && current !== 'closed' && current !== 'failed') return;
    this.#closePeer();
    const peer: PeerLink = (this.#p.peer = new PeerLink({
      iceServers: this.#p.iceServers,
      iceTransportPolicy: this.#p.options.iceTransportPolicy,
      polite: this.#polite,
      mode,
      localStream: () => this.#p.media?.stream,
      sendDescription: (description) => this.#p.signaling?.send({ type: 'description', description }),
      sendCandidate: (candidate) => this.#p.signaling?.send({ type: 'candidate', candidate }),
      // The control channel first: it is negotiated with a fixed id. Transfers move to the new connection.
      openChannels: (pc) => (this.#p.control.open(pc), this.#p.files?.connect(pc)),
      emit: this.#p.emit,
      onConnectionState: (state) => this.#onConnectionState(peer, state),
      onStuck: () => {
        if (this.#p.state !== CallState.Connecting) return;
        peer.armDeadline();
        if (!this.#polite) peer.pc.restartIce();
      },
      onGiveUp: () => this.#fail(new ConsultError(ErrorCode.ConnectionFailed, 'The connection could not be restored.', true)),
    }));
    this.#setState(CallState.Connecting);
    this.emit('remote-stream', peer.remoteStream);
    this.#p.quality = new QualityController({
      pc: peer.pc,
      preference: this.#p.options.quality ?? 'auto',
      signal: peer.signal,
      // Chromium may answer getStats() at `connected` from a report cached just before DTLS was
      // up (seen with a werift peer): the code is then derived on a later tick.
      beforeSample: async () => (peer.pc.connectionState === 'connected' ? peer.verify() : undefined),
      videoSender: () => peer.videoSender(),
      fit: async (profile) => !this.#p.media || this.#p.media.fit(profile),
      onMediaChange: () => this.#p.announceMedia(),
      emit: this.#p.emit,
    });
  }

  // ---- recover -------------------------------------------------------------------------------------

  #onConnectionState(peer: PeerLink, state: RTCPeerConnectionState): void {
    switch (state) {
      case 'connected':
        peer.clearRecovery();
        this.#setState(CallState.Connected);
        // A path that came back may have lost the signaling connection on the way: reconnect now.
        if (!this.#p.signaling?.present && this.#p.ticket?.value) this.#p.signaling?.reconnect();
        void peer.verify();
        break;
      case 'disconnected':
        if (this.#p.state !== CallState.Connected) return;
        this.#setState(CallState.Reconnecting);
        peer.armDeadline();
        peer.restartAfterGrace();
        break;
      case 'failed':
        if (this.#p.state === CallState.Connecting || this.#p.state === CallState.Connected || this.#p.state === CallState.Reconnecting) {
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
    this.#p.signaling?.online();
    if (this.#p.peer && this.#p.peer.pc.connectionState !== 'connected') this.#p.peer.restartIce();
  };

  // ---- end -----------------------------------------------------------------------------------------

  get #over(): boolean {
    return this.#p.state === CallState.Idle || this.#p.state === CallState.Ended || this.#p.state === CallState.Failed;
  }

  #setState(state: CallState, extra: Partial<StateChange> = {}): void {
    if (state === this.#p.state) return;
    const previous = this.#p.state;
    this.#p.state = state;
    this.emit('state', { state, previous, ...extra });
  }

  #end(reason: EndReason): void {
    this.#p.ticket?.forget();
    this.#teardown();
    this.#setState(CallState.Ended, { reason });
  }

  #fail(error: ConsultError): void {
    this.#p.ticket?.forget();
    this.#teardown();
    this.#p.error = error;
    this.emit('error', error);
    this.#setState(CallState.Failed, { error });
  }

  /** Leaves the current connection (the file-transfer engine stays, for the next one). */
  #closePeer(): void {
    this.#p.peer?.close();
    this.#p.control.close();
    this.#p.peer = this.#p.quality = undefined;
    this.#p.announceFilesAvailable();
  }

  #settleJoin(): void {
    this.#resolveJoin?.();
    this.#resolveJoin = undefined;
  }

  /** The one way out: stops every track, closes every channel and socket, clears every timer. */
  #teardown(): void {
    // Transfers still moving tell the other side on the control channel, so they end first.
    this.#p.files?.close();
    this.#run.abort();
    this.#p.ticket?.release();
    this.#settleJoin();
    this.#closePeer();
    this.#p.files = this.#p.signaling = this.#p.ticket = this.#p.media = this.#p.devices = undefined;
    this.#p.knocking = false;
  }
}
