import { html, LitElement, nothing, svg, type PropertyValues } from 'lit';
import { ConsultError } from '../core/errors.js';
import type { QualityPreference, QualityReport } from '../core/quality.js';
import type { SecurityInfo } from '../core/security.js';
import { CallState, type ChatEntry, type MediaState, type StateChange } from '../core/session.js';
import type { Role } from '../protocol/index.js';
import type { FileTransfer, ReceivedFile, SentFile } from '../file-transfer/manager.js';
import {
  fire,
  type ErrorDetail,
  type FileErrorDetail,
  type FilesAvailableDetail,
  type FileOfferDetail,
  type FileProgressDetail,
  type FileReceivedDetail,
  type FileSentDetail,
  type MessageDetail,
  type StateChangeDetail,
} from './events.js';
import { SessionController } from './session-controller.js';
import { errorText, resolveStrings, type Strings } from './strings.js';
import { styles } from './styles.js';

const icons = {
  mic: svg`<path d="M12 14a3 3 0 0 0 3-3V5a3 3 0 0 0-6 0v6a3 3 0 0 0 3 3Zm5-3a5 5 0 0 1-10 0H5a7 7 0 0 0 6 6.92V21h2v-3.08A7 7 0 0 0 19 11h-2Z"/>`,
  micOff: svg`<path d="M19 11a7 7 0 0 1-1.2 3.9l-1.5-1.5c.4-.7.7-1.5.7-2.4h2Zm-4-.2L9 4.8V5a3 3 0 0 1 6 0v5.8ZM4.3 3 3 4.3l6 6V11a3 3 0 0 0 4.4 2.7l1.6 1.6A5 5 0 0 1 7 11H5a7 7 0 0 0 6 6.9V21h2v-3.1a7 7 0 0 0 3.4-1.4l3.3 3.3 1.3-1.3Z"/>`,
  cam: svg`<path d="M17 10.5V7a1 1 0 0 0-1-1H4a1 1 0 0 0-1 1v10a1 1 0 0 0 1 1h12a1 1 0 0 0 1-1v-3.5l4 4v-11l-4 4Z"/>`,
  camOff: svg`<path d="m21 6.5-4 4V7a1 1 0 0 0-1-1H9.8L21 17.2V6.5ZM3.3 2 2 3.3 4.7 6H4a1 1 0 0 0-1 1v10a1 1 0 0 0 1 1h12c.2 0 .4-.1.5-.2l3.2 3.2 1.3-1.3Z"/>`,
  clip: svg`<path d="M16.5 6v11.5a4 4 0 0 1-8 0V5a2.5 2.5 0 0 1 5 0v10.5a1 1 0 0 1-2 0V6H10v9.5a2.5 2.5 0 0 0 5 0V5a4 4 0 0 0-8 0v12.5a5.5 5.5 0 0 0 11 0V6h-1.5Z"/>`,
  chat: svg`<path d="M4 4h16a2 2 0 0 1 2 2v10a2 2 0 0 1-2 2H8l-4 4V6a2 2 0 0 1 2-2Z"/>`,
  shield: svg`<path d="M12 2 4 5v6c0 5 3.4 9.7 8 11 4.6-1.3 8-6 8-11V5l-8-3Zm-1.2 14.2-3.5-3.5 1.4-1.4 2.1 2.1 4.9-4.9 1.4 1.4-6.3 6.3Z"/>`,
  hangUp: svg`<path d="M12 9c-1.6 0-3.2.3-4.6.7v3.1c0 .4-.2.7-.6.9-1 .5-1.9 1.1-2.7 1.8-.2.2-.4.3-.7.3-.3 0-.5-.1-.7-.3L.3 13.1a1 1 0 0 1 0-1.4C3.3 8.8 7.4 7 12 7s8.7 1.8 11.7 4.7a1 1 0 0 1 0 1.4l-2.4 2.4c-.2.2-.4.3-.7.3-.3 0-.5-.1-.7-.3-.8-.7-1.7-1.3-2.7-1.8-.3-.2-.6-.5-.6-.9V9.7C15.2 9.3 13.6 9 12 9Z"/>`,
};

let deprecationShown = false;

/** Failures a second attempt cannot mend: the link, the page or the browser has to change first. */
const FINAL = [
  'token-required',
  'token-invalid',
  'token-expired',
  'token-wrong-room',
  'token-wrong-role',
  'origin-not-allowed',
  'insecure-context',
  'webrtc-unsupported',
  'missing-configuration',
];

const IN_CALL: readonly CallState[] = [CallState.Connecting, CallState.Connected, CallState.Reconnecting];

/**
 * A 1:1 video consultation between a doctor and a patient, peer to peer.
 *
 * Place it on a page with the signaling server's URL, a room and a `consult-role`; the person clicks "Join"
 * (or the page calls `join()`), allows camera and microphone, waits for the doctor to admit them,
 * and the call starts.
 *
 * It fills the width of its container; without a height from the page it is `min(720px, 85vh)`
 * high, and in a portrait box (a phone) the other person's video fills the stage.
 *
 * @summary A 1:1 peer-to-peer video consultation.
 * @tagname video-consult
 *
 * @fires vc-state-change - The call moved to another state. Detail: `{state, previous, reason?, code?}`.
 * @fires vc-error - Something went wrong. Detail: `{code, message, fatal}`; fatal errors also end in `failed`.
 * @fires vc-knock - (Doctor) a patient started or stopped waiting. Detail: `{waiting}`.
 * @fires vc-peer-name - The other person's display name arrived or changed. Detail: `{name}`.
 * @fires vc-message - A chat line was sent or received. Detail: `{id, text, from, sentAt}`.
 * @fires vc-verification - The verification code of the connection is known. Detail: `{code}`.
 * @fires vc-file-offer - The other person offers a file. Cancelable: call `preventDefault()` to decide yourself with `acceptFile()` / `declineFile()`; otherwise the person decides in the chat panel. Detail: `{id, name, size, type}`.
 * @fires vc-file-progress - A file moved on. Detail: `{id, direction, name, size, bytes, bytesPerSecond}`.
 * @fires vc-file-received - A file arrived whole, its hash checked. Detail: `{id, name, size, type, transferHash, blockSize, hash, file}` (`transferHash` is the protocol's hash over block digests, not `sha256sum`'s; `hash` is its deprecated alias).
 * @fires vc-file-sent - The other person has the whole file, its hash checked. Detail: `{id, name, size, transferHash, blockSize, hash}`.
 * @fires vc-file-error - A transfer ended without the file. Detail: `{id, direction, name, code, message}`.
 * @fires vc-files-available - `sendFile()` started or stopped working: `true` once the other side said it takes files (a moment after `connected`), `false` when the connection goes. Detail: `{available}`.
 * @fires vc-quality-change - The connection quality level changed (either direction), or video was paused or resumed. Detail: `{level, outgoing, incoming, videoPaused, profile}`.
 *
 * @attr {'doctor' | 'patient'} role - Deprecated: use `consult-role`. The value is moved there and the attribute removed, since `role` is the element's ARIA role.
 *
 * @slot intro - Shown above the join button before the call, e.g. the practice's instructions.
 * @slot waiting - Shown in the waiting room.
 *
 * @csspart base - The element's frame.
 * @csspart stage - The area with the videos and messages.
 * @csspart remote-video - The other person's video.
 * @csspart local-video - Your own video (mirrored).
 * @csspart status - The message panel (joining, waiting, ended, errors).
 * @csspart notices - Warnings that do not end the call.
 * @csspart controls - The bar with the call buttons.
 * @csspart button - Every button.
 * @csspart join-button - The join button.
 * @csspart hangup-button - The leave button.
 * @csspart admit-button - (Doctor) lets the waiting patient in.
 * @csspart decline-button - (Doctor) turns the waiting patient away.
 * @csspart microphone-button - Mutes and unmutes the microphone.
 * @csspart camera-button - Turns the camera off and on.
 * @csspart quality - The signal bars on a video (with `incoming` or `outgoing`).
 * @csspart incoming - The signal bars of what you receive (with `quality`).
 * @csspart outgoing - The signal bars of what you send (with `quality`).
 * @csspart peer-name - The other person's name on their video.
 * @csspart chat - The chat panel, with the files (a dialog).
 * @csspart files - The list of file transfers.
 * @csspart file-button - The button that picks files to send.
 * @csspart chat-button - The button that opens the chat (with the unread count).
 * @csspart info - The security panel with the verification code (a dialog).
 * @csspart info-button - The button that opens the security panel.
 * @csspart unmute-button - "Click to hear", shown when the browser blocks sound until a click.
 *
 * @cssprop [--vc-background=#10151c] - Background of the element.
 * @cssprop [--vc-surface=#1d2530] - Background of the control bar and notices.
 * @cssprop [--vc-foreground=#f4f6f8] - Text and icon colour.
 * @cssprop [--vc-muted=#aab4c0] - Secondary text colour.
 * @cssprop [--vc-accent=#1f6fd1] - Primary buttons and your own chat lines.
 * @cssprop [--vc-on-accent=#fff] - Text and icons on the accent and danger colours.
 * @cssprop [--vc-danger=#c62f2f] - The leave button and the unread count.
 * @cssprop [--vc-warning=#f0b429] - The edge of warnings.
 * @cssprop [--vc-radius=12px] - Corner radius.
 * @cssprop [--vc-font-family=system-ui] - Font; the element loads no web fonts.
 * @cssprop [--vc-control-size=48px] - Height of the call buttons (at least 44px for touch).
 * @cssprop [--vc-local-video-width=28%] - Width of your own video in the corner (30% in a portrait layout).
 */
export class VideoConsult extends LitElement {
  /** @internal The shadow styles; restyle the element with the CSS custom properties and parts above. */
  static override styles = styles;

  static override properties = {
    server: { reflect: true },
    room: { reflect: true },
    consultRole: { attribute: 'consult-role', reflect: true },
    token: { attribute: false },
    displayName: { attribute: 'display-name' },
    audioOnly: { type: Boolean, attribute: 'audio-only', reflect: true },
    autoJoin: { type: Boolean, attribute: 'auto-join' },
    iceTransportPolicy: { attribute: 'ice-transport-policy' },
    iceServers: { attribute: false },
    quality: { reflect: true },
    maxFileSize: { type: Number, attribute: 'max-file-size' },
    acceptFiles: { attribute: 'accept-files' },
    strings: { attribute: false },
    _warnings: { state: true, attribute: false },
    _soundBlocked: { state: true, attribute: false },
    _panel: { state: true, attribute: false },
    _security: { state: true, attribute: false },
    _said: { state: true, attribute: false },
  };

  /** The signaling server's WebSocket URL, e.g. `wss://consult.example.org/signal`. */
  server = '';
  /** The consultation's room id (letters, digits, `-` and `_`, up to 64). */
  room = '';
  /**
   * Which side this is: `doctor` or `patient`. The attribute `role="doctor|patient"` still works
   * but is deprecated: it is moved to `consult-role` and taken off the element, because `role` is
   * the element's ARIA role.
   */
  consultRole: Role = 'patient';
  /**
   * The join token the clinic's backend issued for this person. A property only: there is no
   * `token` attribute, so the token never shows in the DOM.
   */
  token = '';
  /** The name shown to the other person. Sent only peer to peer, never to the server. */
  displayName = '';
  /** Start without a camera: sound only. */
  audioOnly = false;
  /** Join as soon as the element is on the page, without the join button. */
  autoJoin = false;
  /** `relay` forces every byte through the TURN server. Default: `all`. */
  iceTransportPolicy: RTCIceTransportPolicy | '' = '';
  /** ICE servers to use instead of those the signaling server hands out. */
  iceServers?: RTCIceServer[];
  /**
   * How this side sends video: `auto` (default) follows the link between HD, SD and audio only;
   * `hd` and `sd` fix the resolution; `audio-only` turns the camera off.
   */
  quality: QualityPreference = 'auto';
  /** The largest file, in bytes, this side sends or accepts; 0 for no limit. */
  maxFileSize = 0;
  /** The file types this side sends or accepts, as `<input accept>` takes them (`image/*,.pdf`); empty for all. */
  acceptFiles = '';
  /** Overrides for any of the element's texts. */
  strings?: Partial<Strings>;

  private _warnings: ConsultError[] = [];
  private _soundBlocked = false;
  /** The side panel that is open. */
  private _panel: 'none' | 'chat' | 'info' = 'none';
  private _security?: SecurityInfo;
  /** What the live region says: the latest change a screen reader should hear. */
  private _said = '';
  #knockSince?: Date;
  #peerMedia: MediaState = { camera: true, microphone: true };
  #messages: ChatEntry[] = [];
  #fileRows = new Map<string, FileRow>();
  #unread = 0;

  #lastEndReason?: string;
  #controller = new SessionController(this, {
    state: (change) => this.#onState(change),
    error: (error) => this.#onError(error),
    knock: ({ waiting }) => {
      this.#knockSince = waiting ? new Date() : undefined;
      if (waiting) this.#say(this.#strings().knock);
      fire(this, 'vc-knock', { waiting });
    },
    'remote-media': (media) => {
      if (media.microphone !== this.#peerMedia.microphone) {
        this.#say(media.microphone ? this.#strings().peerMicOn : this.#strings().peerMicOff);
      }
      this.#peerMedia = { ...media };
    },
    'peer-name': ({ name }) => fire(this, 'vc-peer-name', { name }),
    message: (entry) => this.#onMessage(entry),
    verification: ({ code }) => fire(this, 'vc-verification', { code }),
    quality: (report) => fire<QualityReport>(this, 'vc-quality-change', report),
    'file-offer': (offer) => {
      const detail: FileOfferDetail = { id: offer.id, name: offer.name, size: offer.size, type: offer.type };
      this.#fileRows.set(offer.id, { ...detail, direction: 'receive', bytes: 0, bytesPerSecond: 0, status: 'offered' });
      if (this._panel !== 'chat') this.#unread++;
      // Out of the engine's own event, so that a page deciding at once (accept or decline in its
      // listener) does not call back into the engine while it is still announcing the offer.
      queueMicrotask(() => {
        const decideHere = fire(this, 'vc-file-offer', detail, true);
        const row = this.#fileRows.get(offer.id);
        if (!decideHere && row?.status === 'offered') row.status = 'moving';
        this.requestUpdate();
      });
    },
    'file-progress': (p) => {
      const row = this.#fileRows.get(p.id);
      if (row) Object.assign(row, { bytes: p.bytes, bytesPerSecond: p.bytesPerSecond, status: 'moving' });
      fire<FileProgressDetail>(this, 'vc-file-progress', { ...p });
    },
    'file-received': (f) => this.#fileDone(f, 'vc-file-received'),
    'file-sent': (f) => this.#fileDone(f, 'vc-file-sent'),
    'file-error': (e) => {
      const row = e.id ? this.#fileRows.get(e.id) : undefined;
      if (row) Object.assign(row, { status: 'failed', code: e.code });
      fire<FileErrorDetail>(this, 'vc-file-error', { ...e });
    },
    'files-available': ({ available }) => fire<FilesAvailableDetail>(this, 'vc-files-available', { available }),
  });

  // ---- read-only state ---------------------------------------------------------------------------

  /** Where the call is: `idle`, `preparing`, `waiting`, `connecting`, `connected`, `reconnecting`, `ended` or `failed`. */
  get state(): CallState {
    return this.#controller.session.state;
  }
  /** The code of the error that ended the call, when `state` is `failed`. */
  get errorCode(): string | undefined {
    return this.#controller.session.error?.code;
  }
  /** (Doctor) whether a patient is waiting to be admitted. */
  get knocking(): boolean {
    return this.#controller.session.knocking;
  }
  /** Whether this side's camera is sending. */
  get cameraEnabled(): boolean {
    return this.#controller.session.localMedia.camera;
  }
  /** Whether this side's microphone is sending. */
  get microphoneEnabled(): boolean {
    return this.#controller.session.localMedia.microphone;
  }
  /** The other person's display name (cleaned), once it arrived over the peer-to-peer channel. */
  get peerName(): string {
    return this.#controller.session.peerName;
  }
  /** The verification code both people can read to each other, once connected. */
  get verificationCode(): string | undefined {
    return this.#controller.session.verificationCode;
  }
  /** Whether `sendFile()` works now: the call is connected and the other side takes files (see `vc-files-available`). */
  get filesAvailable(): boolean {
    return this.#controller.session.filesAvailable;
  }
  /** The chat lines of this call, oldest first. */
  get messages(): readonly MessageDetail[] {
    return this.#messages;
  }

  // ---- actions -------------------------------------------------------------------------------------

  /** Starts the call: camera and microphone, then the room. Resolves once in the room (or failed). */
  async join(): Promise<void> {
    this._warnings = [];
    this.#controller.session.configure({
      server: this.server,
      room: this.room,
      role: this.consultRole,
      ...(this.token ? { token: this.token } : {}),
      ...(this.iceServers ? { iceServers: this.iceServers } : {}),
      ...(this.iceTransportPolicy ? { iceTransportPolicy: this.iceTransportPolicy } : {}),
      displayName: this.displayName,
      video: !this.audioOnly,
      quality: this.quality,
      maxFileSize: this.maxFileSize || undefined,
      acceptFiles: this.acceptFiles ? this.acceptFiles.split(',').map((t) => t.trim()).filter(Boolean) : undefined,
    });
    this.#messages = [];
    this.#unread = 0;
    for (const row of this.#fileRows.values()) if (row.url) URL.revokeObjectURL(row.url);
    this.#fileRows.clear();
    await this.#controller.session.join();
  }

  /** Hangs up. The other side sees the call end too. */
  leave(): void {
    this.#controller.session.leave();
  }

  /** (Doctor) lets the waiting patient in. */
  admit(): void {
    this.#controller.session.admit();
  }

  /** (Doctor) turns the waiting patient away. */
  decline(): void {
    this.#controller.session.decline();
  }

  /** Turns the camera on or off (the camera light goes out when off). */
  async setCameraEnabled(enabled: boolean): Promise<void> {
    await this.#controller.session.setCameraEnabled(enabled);
  }

  /** Mutes or unmutes the microphone. */
  setMicrophoneEnabled(enabled: boolean): void {
    this.#controller.session.setMicrophoneEnabled(enabled);
  }

  /**
   * Sends a chat line to the other person, peer to peer. Throws a `ConsultError` with code
   * `chat-too-long` (over 4000 characters) or `not-connected`; returns undefined for an empty line.
   */
  sendMessage(text: string): MessageDetail | undefined {
    return this.#controller.session.sendMessage(text);
  }

  /**
   * Offers a file to the other person, peer to peer. The handle's `done` resolves once they have
   * the whole file with a matching hash. Throws a `ConsultError` (`not-connected`,
   * `files-unavailable`) when no file can be sent now.
   */
  sendFile(file: File | Blob, options: { name?: string; type?: string } = {}): FileTransfer<SentFile> {
    const transfer = this.#controller.session.sendFile(file, options);
    this.#fileRows.set(transfer.id, {
      id: transfer.id,
      name: transfer.name,
      size: transfer.size,
      type: transfer.type,
      direction: 'send',
      bytes: 0,
      bytesPerSecond: 0,
      status: 'offered',
    });
    transfer.done.catch(() => {});
    this.requestUpdate();
    return transfer;
  }

  /**
   * Accepts a file the other person offered (after a prevented `vc-file-offer`, or instead of the
   * button). Undefined when the offer is gone: the other person cancelled it, it was declined, or
   * the call ended.
   */
  acceptFile(id: string, options: { writable?: WritableStream<Uint8Array> } = {}): FileTransfer<ReceivedFile> | undefined {
    const transfer = this.#controller.session.acceptFile(id, options);
    transfer?.done.catch(() => {});
    const row = this.#fileRows.get(id);
    if (row && transfer && transfer.state !== 'failed' && row.status !== 'failed') row.status = 'moving';
    this.requestUpdate();
    return transfer;
  }

  /** Declines a file the other person offered. */
  declineFile(id: string): void {
    this.#controller.session.declineFile(id);
    this.#fileRows.delete(id);
    this.requestUpdate();
  }

  /** Cancels a file transfer in either direction. */
  cancelFile(id: string): void {
    this.#controller.session.cancelFile(id);
    this.#fileRows.delete(id);
    this.requestUpdate();
  }

  /** What protects the call right now: DTLS and SRTP ciphers, and whether the path is direct or relayed. */
  async getSecurityInfo(): Promise<SecurityInfo | undefined> {
    return this.#controller.session.getSecurityInfo();
  }

  /** The latest quality report (sampled every second during a call). */
  get connectionQuality(): QualityReport | undefined {
    return this.#controller.session.quality;
  }

  /**
   * A snapshot for support staff: state, quality figures, security facts, ICE configuration, the
   * path in use, and the connection's and negotiation's states. It holds no names, messages or
   * addresses; `JSON.stringify` it to copy.
   */
  async getDiagnostics(): Promise<Record<string, unknown>> {
    return this.#controller.session.getDiagnostics();
  }

  /** The connection's statistics, for diagnostics; undefined outside a call. */
  async getStats(): Promise<RTCStatsReport | undefined> {
    return this.#controller.session.peerConnection?.getStats();
  }

  // ---- lifecycle -------------------------------------------------------------------------------------

  static override get observedAttributes(): string[] {
    return [...super.observedAttributes, 'role'];
  }

  override attributeChangedCallback(name: string, old: string | null, value: string | null): void {
    // The deprecated `role="doctor|patient"` (attribute, or the `role` property that reflects to
    // it): moved to `consult-role` so that it never becomes the host's ARIA role.
    if (name === 'role') {
      if (value === 'doctor' || value === 'patient') {
        this.consultRole = value;
        this.removeAttribute('role');
        if (!deprecationShown) console.warn('<video-consult role> is deprecated: use consult-role.');
        deprecationShown = true;
      }
      return;
    }
    super.attributeChangedCallback(name, old, value);
  }

  override connectedCallback(): void {
    super.connectedCallback();
    // Read after the first update, not now: React (and @lit/react) set properties only after
    // the element is on the page, so `autoJoin` is still false here.
    void this.updateComplete.then(() => {
      if (this.autoJoin && this.isConnected && this.state === CallState.Idle) void this.join();
    });
  }

  protected override updated(changed: PropertyValues): void {
    super.updated(changed);
    if (changed.has('displayName') && changed.get('displayName') !== undefined) {
      this.#controller.session.setDisplayName(this.displayName);
    }
    if (changed.has('quality') && changed.get('quality') !== undefined && this.state !== CallState.Idle) {
      void this.#controller.session.setQuality(this.quality);
    }
    const session = this.#controller.session;
    this.#attach('video.local', session.localStream);
    this.#attach('video.remote', session.remoteStream);
  }

  // ---- handlers ----------------------------------------------------------------------------------------

  #onState(change: StateChange): void {
    if (change.state === CallState.Ended) this.#lastEndReason = change.reason;
    if (change.state === CallState.Preparing) this.#peerMedia = { camera: true, microphone: true };
    this.#say(this.#stateText(change));
    if (change.state === CallState.Idle || change.state === CallState.Preparing) this._soundBlocked = false;
    const detail: StateChangeDetail = {
      state: change.state,
      previous: change.previous,
      ...(change.reason ? { reason: change.reason } : {}),
      ...(change.error ? { code: change.error.code } : {}),
    };
    fire(this, 'vc-state-change', detail);
  }

  #strings(): Strings {
    return resolveStrings(this.lang || document.documentElement.lang || 'en', this.strings);
  }

  #say(text: string): void {
    this._said = text;
  }

  /** One line for the live region about a new state. */
  #stateText({ state, previous, error }: StateChange): string {
    const strings = this.#strings();
    switch (state) {
      case CallState.Preparing:
        return strings.preparing;
      case CallState.Waiting:
        return this.consultRole === 'doctor' ? strings.waitingDoctor : strings.waitingPatient;
      case CallState.Connecting:
        return previous === CallState.Waiting && this.consultRole === 'patient' ? strings.admitted : strings.connecting;
      case CallState.Connected:
        return strings.connected;
      case CallState.Reconnecting:
        return strings.reconnecting;
      case CallState.Ended:
        return this.#endMessage(strings);
      case CallState.Failed:
        return errorText(strings, error?.code ?? 'unknown').title;
      default:
        return '';
    }
  }

  #onError(error: ConsultError): void {
    if (!error.fatal) this._warnings = [...this._warnings.filter((w) => w.code !== error.code), error];
    fire<ErrorDetail>(this, 'vc-error', { code: error.code, message: error.message, fatal: error.fatal });
  }

  /** Gives a video element its stream once, and deals with a browser that blocks sound without a click. */
  #attach(selector: string, stream: MediaStream | undefined): void {
    const video = this.renderRoot.querySelector<HTMLVideoElement>(selector);
    if (!video || video.srcObject === (stream ?? null)) return;
    video.srcObject = stream ?? null;
    if (!stream || video.muted) return;
    video.play().catch((error: unknown) => {
      if ((error as Error)?.name !== 'NotAllowedError' || video.srcObject !== stream) return;
      // Autoplay policy: play muted now, and offer a click that turns the sound on.
      video.muted = true;
      void video.play().catch(() => {});
      this._soundBlocked = true;
      fire<ErrorDetail>(this, 'vc-error', { code: 'autoplay-blocked', message: 'remote audio needs a click', fatal: false });
    });
  }

  #enableSound = () => {
    const video = this.renderRoot.querySelector<HTMLVideoElement>('video.remote');
    if (!video) return;
    video.muted = false;
    void video.play().then(() => (this._soundBlocked = false)).catch(() => {});
  };

  #fileDone(file: ReceivedFile | SentFile, event: 'vc-file-received' | 'vc-file-sent'): void {
    const row = this.#fileRows.get(file.id);
    const blob = 'blob' in file ? file.blob : undefined;
    if (row) Object.assign(row, { status: 'done', bytes: row.size, ...(blob ? { url: URL.createObjectURL(blob) } : {}) });
    if (event === 'vc-file-received') {
      const f = file as ReceivedFile;
      fire<FileReceivedDetail>(this, event, { id: f.id, name: f.name, size: f.size, type: f.type, transferHash: f.transferHash, blockSize: f.blockSize, hash: f.hash, ...(blob ? { file: blob } : {}) });
    } else fire<FileSentDetail>(this, event, { id: file.id, name: file.name, size: file.size, transferHash: file.transferHash, blockSize: file.blockSize, hash: file.hash });
  }

  #sendPicked = (files: Iterable<File>) => {
    for (const file of files) {
      try {
        this.sendFile(file);
      } catch (error) {
        if (error instanceof ConsultError) this.#onError(error);
        else throw error;
      }
    }
  };
  #pickFiles = () => this.renderRoot.querySelector<HTMLInputElement>('input[type="file"]')?.click();
  #onPicked = (event: Event) => {
    const input = event.target as HTMLInputElement;
    this.#sendPicked([...(input.files ?? [])]);
    input.value = '';
  };
  #onDragOver = (event: DragEvent) => {
    if (!this.#controller.session.filesAvailable || !event.dataTransfer?.types.includes('Files')) return;
    event.preventDefault();
    event.dataTransfer.dropEffect = 'copy';
  };
  #onDrop = (event: DragEvent) => {
    if (!this.#controller.session.filesAvailable || !event.dataTransfer?.files.length) return;
    event.preventDefault();
    this.#sendPicked([...event.dataTransfer.files]);
    this._panel = 'chat';
  };

  #onMessage(entry: ChatEntry): void {
    this.#messages = [...this.#messages, entry];
    if (entry.from === 'remote' && this._panel !== 'chat') this.#unread++;
    fire<MessageDetail>(this, 'vc-message', { ...entry });
  }

  #togglePanel(panel: 'chat' | 'info') {
    if (this._panel === panel) return this.#closePanel();
    this._panel = panel;
    if (panel === 'chat') this.#unread = 0;
    if (panel === 'info') void this.getSecurityInfo().then((info) => (this._security = info));
    // Into the panel, so that keyboard and screen reader users land where it opened.
    void this.updateComplete.then(() =>
      this.renderRoot.querySelector<HTMLElement>(panel === 'chat' ? 'textarea' : '[part~="info"] button')?.focus(),
    );
  }
  #toggleChat = () => this.#togglePanel('chat');
  #toggleInfo = () => this.#togglePanel('info');
  /** Closes the open panel and gives the focus back to the button that opens it. */
  #closePanel = () => {
    const panel = this._panel;
    if (panel === 'none') return;
    this._panel = 'none';
    void this.updateComplete.then(() => this.renderRoot.querySelector<HTMLElement>(`[part~="${panel}-button"]`)?.focus());
  };
  #onKey = (event: KeyboardEvent) => {
    if (event.key === 'Escape' && this._panel !== 'none') {
      event.preventDefault();
      this.#closePanel();
    }
  };

  #submitChat = (event: Event) => {
    event.preventDefault();
    const input = this.renderRoot.querySelector<HTMLTextAreaElement>('textarea.chat-input');
    if (!input) return;
    try {
      if (this.sendMessage(input.value) !== undefined || !input.value.trim()) input.value = '';
    } catch (error) {
      // The text stays in the box, so nothing the person wrote is lost.
      if (error instanceof ConsultError) this.#onError(error);
      else throw error;
    }
  };

  #chatKey = (event: KeyboardEvent) => {
    if (event.key === 'Enter' && !event.shiftKey && !event.isComposing) this.#submitChat(event);
  };

  #dismiss(code: string) {
    this._warnings = this._warnings.filter((w) => w.code !== code);
  }

  #toggleCamera = () => void this.setCameraEnabled(!this.cameraEnabled);
  #saveBandwidth = () => void this.setCameraEnabled(false);
  #toggleMicrophone = () => this.setMicrophoneEnabled(!this.microphoneEnabled);
  #join = () => void this.join();
  #leave = () => this.leave();
  #admit = () => this.admit();
  #decline = () => this.decline();

  // ---- rendering -----------------------------------------------------------------------------------------

  override render() {
    const strings = this.#strings();
    const session = this.#controller.session;
    const state = session.state;
    const inCall = IN_CALL.includes(state);
    const hasLocal = !!session.localStream && (inCall || state === CallState.Waiting);
    const remote = session.remoteMedia;
    const doctor = this.consultRole === 'doctor';
    return html`
      <div part="base" class="base" data-state=${state} @dragover=${this.#onDragOver} @drop=${this.#onDrop} @keydown=${this.#onKey}>
        <div part="stage" class="stage">
          <video part="remote-video" class="remote" autoplay playsinline ?hidden=${!inCall}></video>
          <video
            part="local-video"
            class="local ${inCall ? '' : 'alone'}"
            autoplay
            playsinline
            muted
            ?hidden=${!hasLocal || !session.localMedia.camera}
          ></video>
          ${inCall && !remote.camera ? html`<div class="panel"><p class="message">${strings.peerCameraOff}</p></div>` : nothing}
          ${inCall && remote.camera && remote.videoPaused
            ? html`<div class="panel"><p class="message">${strings.videoPausedRemote}</p></div>`
            : nothing}
          ${this.#renderBars(strings, 'incoming', inCall)} ${this.#renderBars(strings, 'outgoing', inCall)}
          ${inCall && !remote.microphone ? html`<span class="badge">${strings.peerMuted}</span>` : nothing}
          <span part="peer-name" class="peer-name" ?hidden=${!inCall || !session.peerName}>${session.peerName}</span>
          <div part="status" class="panel" ?hidden=${state !== CallState.Idle}>
            <slot name="intro"></slot>
            <button part="button join-button" class="primary" @click=${this.#join}>${strings.join}</button>
            <p class="remedy">${strings.joinHint}</p>
          </div>
          <div part="status" class="panel" ?hidden=${state !== CallState.Waiting}>
            ${doctor && session.knocking
              ? html`<p class="message">${strings.knock}</p>
                  ${this.#knockSince
                    ? html`<p class="remedy">${strings.knockSince(this.#knockSince.toLocaleTimeString(this.lang || undefined, { hour: '2-digit', minute: '2-digit' }))}</p>`
                    : nothing}
                  <div class="row">
                    <button part="button admit-button" class="primary" @click=${this.#admit}>${strings.admit}</button>
                    <button part="button decline-button" @click=${this.#decline}>${strings.decline}</button>
                  </div>`
              : html`<p class="message">${doctor ? strings.waitingDoctor : strings.waitingPatient}</p>`}
            <slot name="waiting"></slot>
          </div>
          ${this.#renderPanel(strings, state)} ${this.#renderNotices(strings, inCall)}
        </div>
        <div part="controls" class="controls" ?hidden=${!hasLocal}>
          ${this.#renderToggle(this.microphoneEnabled, strings.microphoneOff, icons.mic, icons.micOff, this.#toggleMicrophone, 'microphone')}
          ${this.#renderToggle(this.cameraEnabled, strings.cameraOff, icons.cam, icons.camOff, this.#toggleCamera, 'camera')}
          <button
            part="button chat-button"
            class="icon"
            title=${strings.chat}
            aria-label=${this.#unread ? `${strings.chat}, ${strings.unread(this.#unread)}` : strings.chat}
            aria-expanded=${this._panel === 'chat' ? 'true' : 'false'}
            ?hidden=${!inCall}
            @click=${this.#toggleChat}
          >
            <svg viewBox="0 0 24 24" aria-hidden="true">${icons.chat}</svg>
            <span class="unread" aria-hidden="true" ?hidden=${this.#unread === 0}>${this.#unread}</span>
          </button>
          <button
            part="button info-button"
            class="icon"
            title=${strings.info}
            aria-label=${strings.info}
            aria-expanded=${this._panel === 'info' ? 'true' : 'false'}
            ?hidden=${!inCall}
            @click=${this.#toggleInfo}
          >
            <svg viewBox="0 0 24 24" aria-hidden="true">${icons.shield}</svg>
          </button>
          <button part="button hangup-button" class="icon danger" title=${strings.hangUp} aria-label=${strings.hangUp} @click=${this.#leave}>
            <svg viewBox="0 0 24 24" aria-hidden="true">${icons.hangUp}</svg>
          </button>
        </div>
        ${this.#renderChat(strings, inCall)} ${this.#renderInfo(strings, inCall)}
        <div class="sr-only" role="status">${this._said}</div>
      </div>
    `;
  }

  /** Warnings that do not end the call, newest last; the box is hidden when there are none. */
  #renderNotices(strings: Strings, inCall: boolean) {
    const session = this.#controller.session;
    const notices: unknown[] = [];
    if (this._soundBlocked) {
      notices.push(html`<button part="button unmute-button" class="primary" @click=${this.#enableSound}>${strings.enableSound}</button>`);
    }
    if (inCall && session.localMedia.videoPaused) {
      notices.push(html`<div class="notice" data-code="video-paused"><p>${strings.videoPausedLocal}</p></div>`);
    } else if (inCall && session.quality?.outgoing.level === 'poor' && this.cameraEnabled) {
      notices.push(html`<div class="notice" data-code="poor-link">
        <p>${strings.poorLink}</p>
        <button part="button" class="small" @click=${this.#saveBandwidth}>${strings.saveBandwidth}</button>
      </div>`);
    }
    for (const w of this._warnings) {
      const text = errorText(strings, w.code);
      notices.push(html`<div class="notice" role="alert" data-code=${w.code}>
        <p><strong>${text.title}</strong> ${text.remedy}</p>
        <button part="button" class="small" @click=${() => this.#dismiss(w.code)}>${strings.dismiss}</button>
      </div>`);
    }
    return html`<div part="notices" class="notices" ?hidden=${notices.length === 0}>${notices}</div>`;
  }

  /** Signal bars for one direction: 4 lit for good, 3 fair, 2 poor, 0 lost; the incoming one also in words. */
  #renderBars(strings: Strings, direction: 'incoming' | 'outgoing', inCall: boolean) {
    const report = this.#controller.session.quality?.[direction];
    const level = report?.level ?? 'good';
    const lit = { good: 4, fair: 3, poor: 2, lost: 0 }[level];
    const label = strings.qualityLabel(direction, strings.levels[level]);
    return html`<span
      part="quality ${direction}"
      class="bars ${direction}"
      data-level=${level}
      role="img"
      aria-label=${label}
      title=${label}
      ?hidden=${!inCall || !report}
    >
      ${[1, 2, 3, 4].map((i) => html`<i class=${i <= lit ? 'on' : ''}></i>`)}
      ${direction === 'incoming' ? html`<b>${strings.levels[level]}</b>` : nothing}
    </span>`;
  }

  #renderChat(strings: Strings, inCall: boolean) {
    return html`<div part="chat" class="side" role="dialog" aria-labelledby="chat-title" ?hidden=${this._panel !== 'chat' || !inCall}>
      <header>
        <h2 id="chat-title">${strings.chat}</h2>
        <button part="button" class="small" @click=${this.#closePanel}>${strings.close}</button>
      </header>
      <ol class="messages" aria-live="polite">
        ${this.#messages.map(
          (m) => html`<li data-from=${m.from}>
            <span class="from">${m.from === 'local' ? strings.you : this.peerName || (this.consultRole === 'doctor' ? strings.patient : strings.doctor)}</span>
            <p>${m.text}</p>
          </li>`,
        )}
      </ol>
      <ul part="files" class="files" aria-label=${strings.files} ?hidden=${this.#fileRows.size === 0}>
        ${[...this.#fileRows.values()].map((row) => this.#renderFile(strings, row))}
      </ul>
      <form @submit=${this.#submitChat}>
        <input type="file" multiple hidden accept=${this.acceptFiles} @change=${this.#onPicked} />
        <button
          part="button file-button"
          class="icon"
          type="button"
          title=${strings.sendFile}
          aria-label=${strings.sendFile}
          ?hidden=${!this.#controller.session.filesAvailable}
          @click=${this.#pickFiles}
        >
          <svg viewBox="0 0 24 24" aria-hidden="true">${icons.clip}</svg>
        </button>
        <textarea class="chat-input" rows="2" aria-label=${strings.chatPlaceholder} placeholder=${strings.chatPlaceholder} @keydown=${this.#chatKey}></textarea>
        <button part="button" class="primary" type="submit">${strings.send}</button>
      </form>
    </div>`;
  }

  #renderFile(strings: Strings, row: FileRow) {
    const left = row.bytesPerSecond > 0 ? (row.size - row.bytes) / row.bytesPerSecond : undefined;
    // Buttons of a row say which file they act on, since a list may hold several.
    const about = (action: string) => `${action}: ${row.name}`;
    let status: unknown = '';
    if (row.status === 'offered' && row.direction === 'receive') {
      status = html`<button part="button" class="small primary" aria-label=${about(strings.accept)} @click=${() => this.acceptFile(row.id)}>${strings.accept}</button>
        <button part="button" class="small" aria-label=${about(strings.decline)} @click=${() => this.declineFile(row.id)}>${strings.decline}</button>`;
    } else if (row.status === 'offered') {
      status = html`${strings.fileWaiting} <button part="button" class="small" aria-label=${about(strings.cancel)} @click=${() => this.cancelFile(row.id)}>${strings.cancel}</button>`;
    } else if (row.status === 'moving') {
      status = html`<progress max=${row.size} .value=${row.bytes} aria-label=${row.name}></progress>
        ${formatBytes(row.bytesPerSecond)}/s${left !== undefined ? ` · ${strings.timeLeft(left)}` : ''}
        <button part="button" class="small" aria-label=${about(strings.cancel)} @click=${() => this.cancelFile(row.id)}>${strings.cancel}</button>`;
    } else if (row.status === 'done') {
      status = row.url
        ? html`<a part="button" class="small" href=${row.url} download=${row.name} aria-label=${about(strings.save)}>${strings.save}</a>`
        : strings.fileDone;
    } else {
      status = errorText(strings, row.code ?? 'file-failed').title;
    }
    return html`<li data-id=${row.id} data-status=${row.status}>
      <span class="file-name" title=${row.name}>${row.name}</span> <span class="file-size">${formatBytes(row.size)}</span>
      <div class="file-status">${status}</div>
    </li>`;
  }

  #renderInfo(strings: Strings, inCall: boolean) {
    const code = this.verificationCode;
    const security = this._security;
    return html`<div part="info" class="side" role="dialog" aria-labelledby="info-title" ?hidden=${this._panel !== 'info' || !inCall}>
      <header>
        <h2 id="info-title">${strings.verifyTitle}</h2>
        <button part="button" class="small" @click=${this.#closePanel}>${strings.close}</button>
      </header>
      <p class="code" data-code=${code ?? ''}>${code ?? strings.verifyPending}</p>
      <p class="remedy">${strings.verifyExplain}</p>
      <h2>${strings.securityTitle}</h2>
      <p>${strings.securityPlain}</p>
      <p class="path">${security?.path === 'relayed' ? strings.pathRelayed : security?.path === 'direct' ? strings.pathDirect : ''}</p>
      <details>
        <summary>${strings.technicalDetails}</summary>
        <dl>
          <dt>${strings.encryption}</dt>
          <dd>${security ? `${security.dtlsState}${security.dtlsCipher ? `, ${security.dtlsCipher}` : ''}` : '–'}</dd>
          <dt>${strings.mediaCipher}</dt>
          <dd>${security?.srtpCipher ?? '–'}</dd>
        </dl>
      </details>
    </div>`;
  }

  /** A toggle keeps one label ("Mute microphone"); `aria-pressed` says whether it is in effect. */
  #renderToggle(on: boolean, label: string, onIcon: unknown, offIcon: unknown, action: () => void, name: string) {
    return html`<button part="button ${name}-button" class="icon" aria-pressed=${on ? 'false' : 'true'} title=${label} aria-label=${label} @click=${action}>
      <svg viewBox="0 0 24 24" aria-hidden="true">${on ? onIcon : offIcon}</svg>
    </button>`;
  }

  #renderPanel(strings: Strings, state: CallState) {
    const session = this.#controller.session;
    const panel = (content: unknown) => html`<div part="status" class="panel">${content}</div>`;
    const retry = html`<button part="button" class="primary" @click=${this.#join}>${strings.tryAgain}</button>`;
    switch (state) {
      case CallState.Preparing:
        return panel(html`<p class="message">${strings.preparing}</p>`);
      case CallState.Connecting:
        return panel(html`<p class="message">${strings.connecting}</p>`);
      case CallState.Reconnecting:
        return panel(html`<p class="message">${strings.reconnecting}</p>`);
      case CallState.Ended:
        // Only after hanging up oneself can joining again help; the other side's leaving or a decline it cannot.
        return panel(html`<p class="message">${this.#endMessage(strings)}</p> ${this.#lastEndReason === 'hangup' ? retry : nothing}`);
      case CallState.Failed: {
        const code = session.error?.code ?? 'unknown';
        const text = errorText(strings, code);
        return panel(html`<p class="message">${text.title}</p>
          <p class="remedy">${text.remedy}</p>
          ${FINAL.includes(code) ? nothing : retry}`);
      }
      default:
        return nothing;
    }
  }

  #endMessage(strings: Strings): string {
    if (this.#lastEndReason === 'declined') return strings.declined;
    if (this.#lastEndReason === 'peer-hangup') return strings.endedByPeer;
    return strings.ended;
  }
}

/** One row of the file list. */
interface FileRow {
  id: string;
  name: string;
  size: number;
  type: string;
  direction: 'send' | 'receive';
  bytes: number;
  bytesPerSecond: number;
  status: 'offered' | 'moving' | 'done' | 'failed';
  code?: string;
  /** For a received file kept as a Blob: where "Save" points. */
  url?: string;
}

const UNITS = ['B', 'KB', 'MB', 'GB'];
function formatBytes(bytes: number): string {
  let value = bytes;
  let unit = 0;
  while (value >= 1000 && unit < UNITS.length - 1) (value /= 1000), unit++;
  return `${value >= 10 || unit === 0 ? Math.round(value) : value.toFixed(1)} ${UNITS[unit]}`;
}

declare global {
  interface HTMLElementTagNameMap {
    'video-consult': VideoConsult;
  }
}
