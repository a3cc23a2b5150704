import { html, type PropertyValues } from 'lit';
import type { QualityReport } from '../core/quality.js';
import type { SecurityInfo } from '../core/security.js';
import type { CallState, ConsultSession, DeviceKind, DeviceList, EndReason } from '../core/session.js';
import type { FileTransfer, ReceivedFile, SentFile } from '../file-transfer/manager.js';
import type { CallMedia } from './call-media.js';
import { Announcer } from './announcer.js';
import { controlsView, joinView, noticesView, peerView, statusView, waitingView } from './call-views.js';
import { ChatController } from './chat-controller.js';
import type { MessageDetail } from './events.js';
import { takeLegacyRole } from './legacy-role.js';
import { MediaController } from './media-controller.js';
import { Panels } from './panels.js';
import { SessionController } from './session-controller.js';
import { sessionOptions } from './session-options.js';
import { resolveStrings, type Strings } from './strings.js';
import { styles } from './styles.js';
import { VideoConsultProperties } from './video-consult-properties.js';
import { Warnings } from './warnings.js';

const IN_CALL: readonly CallState[] = ['connecting', 'connected', 'reconnecting'];

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
 * @fires vc-devices-change - The cameras, microphones or speakers there are, or the ones in use, changed (a device plugged in or out, a choice, a flip). Detail: `{cameras, microphones, speakers, camera, microphone, speaker}`: lists of `{kind, id, label, facing?}` and the ids in use (`''`: the system default).
 * @fires vc-device-lost - The camera or microphone in use went away; the call goes on with another one. Detail: `{kind, label, fallback}` (`fallback`: the name of the device used now, empty when there is none).
 * @fires vc-media-change - A camera, microphone or screen share of either side turned on or off. Detail: `{side, source, on}` (`side`: `local` or `remote`; `source`: `camera`, `microphone` or `screen`).
 *
 * @attr {boolean} remember-devices - Remember the chosen camera, microphone and speaker for this site (in `localStorage`; nothing leaves the device).
 * @attr {boolean} patient-screen-share - Let the patient share a screen too (the doctor always may, where the browser can).
 * @attr {'doctor' | 'patient'} role - Deprecated: use `consult-role`. The value is moved there and the attribute removed, since `role` is the element's ARIA role.
 *
 * @slot intro - Shown above the join button before the call, e.g. the practice's instructions.
 * @slot waiting - Shown in the waiting room.
 *
 * @csspart base - The element's frame.
 * @csspart stage - The area with the videos and messages.
 * @csspart remote-video - The other person's video.
 * @csspart local-video - Your own video (mirrored, except from a back camera).
 * @csspart screen-video - The screen the other person shares (then their camera is small in the lower left corner).
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
 * @csspart devices-button - Opens the device panel (camera, microphone, speaker).
 * @csspart devices - The device panel (a dialog).
 * @csspart flip-button - Switches between the front and the back camera (phones and tablets).
 * @csspart share-button - Starts and stops sharing the screen.
 * @csspart stop-sharing-button - "Stop sharing" in the bar shown while this side shares.
 * @csspart pip-button - Shows the other person in a picture-in-picture window.
 * @csspart fullscreen-button - Shows the element full screen.
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
export class VideoConsult extends VideoConsultProperties {
  /** @internal The shadow styles; restyle the element with the CSS custom properties and parts above. */
  static override styles = styles;

  #warnings = new Warnings(this);
  #endReason?: EndReason;
  #announcer = new Announcer(
    this,
    () => this.#strings(),
    () => this.consultRole,
  );
  #panels = new Panels(this, () => this.getSecurityInfo());
  #chat = new ChatController(this, {
    session: (): ConsultSession | undefined => this.#controller.session,
    isOpen: () => this.#panels.open === 'chat',
    open: () => this.#panels.show('chat'),
    error: this.#warnings.report,
  });
  #controller: SessionController = new SessionController(
    this,
    [
      this.#chat.handlers,
      this.#announcer.handlers,
      {
        state: (change) => {
          if (change.state === 'ended') this.#endReason = change.reason;
          if (change.state === 'idle' || change.state === 'preparing') this.#media.reset();
        },
        error: this.#warnings.add,
      },
    ],
    (engine) => {
      this.#engine = engine;
      this.#more = new engine.CallMedia(this, this.#mediaSession, {
        toggle: () => this.#panels.toggle('devices'),
        close: this.#panels.close,
        warn: this.#warnings.add,
        say: this.#announcer.say,
      });
    },
  );
  /** Devices, screen sharing, picture-in-picture and full screen: loaded with the call engine. */
  #more?: CallMedia;
  /** The call engine's module, with the views only a call shows. */
  #engine?: typeof import('./engine.js');
  /** The session's device and screen-share API. */
  #mediaSession = () => this.#controller.session;
  #media = new MediaController(
    this,
    () => ({ local: this.#controller.view.localStream, remote: this.#controller.view.remoteStream }),
    this.#warnings.report,
  );

  // ---- read-only state ---------------------------------------------------------------------------

  /** Where the call is: `idle`, `preparing`, `waiting`, `connecting`, `connected`, `reconnecting`, `ended` or `failed`. */
  get state(): CallState {
    return this.#controller.view.state;
  }
  /** The code of the error that ended the call, when `state` is `failed`. */
  get errorCode(): string | undefined {
    return this.#controller.view.error?.code;
  }
  /** (Doctor) whether a patient is waiting to be admitted. */
  get knocking(): boolean {
    return this.#controller.view.knocking;
  }
  /** Whether this side's camera is sending. */
  get cameraEnabled(): boolean {
    return this.#controller.view.localMedia.camera;
  }
  /** Whether this side's microphone is sending. */
  get microphoneEnabled(): boolean {
    return this.#controller.view.localMedia.microphone;
  }
  /** The other person's display name (cleaned), once it arrived over the peer-to-peer channel. */
  get peerName(): string {
    return this.#controller.view.peerName;
  }
  /** The verification code both people can read to each other, once connected. */
  get verificationCode(): string | undefined {
    return this.#controller.view.verificationCode;
  }
  /** Whether `sendFile()` works now: the call is connected and the other side takes files (see `vc-files-available`). */
  get filesAvailable(): boolean {
    return this.#controller.view.filesAvailable;
  }
  /** The cameras, microphones and speakers there are, and the ones in use (empty lists before the first `join()`). */
  get devices(): DeviceList {
    return this.#mediaSession()?.devices ?? { cameras: [], microphones: [], speakers: [], camera: '', microphone: '', speaker: '' };
  }
  /** The chat lines of this call, oldest first. */
  get messages(): readonly MessageDetail[] {
    return this.#chat.log.entries;
  }

  // ---- actions -------------------------------------------------------------------------------------

  /** Starts the call: camera and microphone, then the room. Resolves once in the room (or failed). */
  async join(): Promise<void> {
    this.#warnings.clear();
    this.#chat.reset();
    // The call engine is loaded now, with the first join, not with the page.
    await this.#controller.join(sessionOptions(this));
  }

  /** Hangs up. The other side sees the call end too. */
  leave(): void {
    this.#controller.leave();
  }

  /** (Doctor) lets the waiting patient in. */
  admit(): void {
    this.#controller.session?.admit();
  }

  /** (Doctor) turns the waiting patient away. */
  decline(): void {
    this.#controller.session?.decline();
  }

  /** Turns the camera on or off (the camera light goes out when off). */
  async setCameraEnabled(enabled: boolean): Promise<void> {
    await this.#controller.session?.setCameraEnabled(enabled);
  }

  /** Mutes or unmutes the microphone. */
  setMicrophoneEnabled(enabled: boolean): void {
    this.#controller.session?.setMicrophoneEnabled(enabled);
  }

  /**
   * Uses another camera, microphone or speaker (an `id` from `devices`). Rejects with a `ConsultError`
   * `device-unavailable` when it cannot be used. The speaker applies where the browser can choose
   * one (`setSinkId`: Chromium, Firefox from 116; not Safari).
   */
  async selectDevice(kind: DeviceKind, id: string): Promise<void> {
    await this.#mediaSession()?.selectDevice(kind, id);
  }

  /** Switches between the front and the back camera (phones and tablets; see `vc-devices-change`). */
  async flipCamera(): Promise<void> {
    await this.#mediaSession()?.flipCamera();
  }

  /**
   * Asks which screen, window or tab to share, and shares it. Rejects with a `ConsultError`
   * `screen-share-cancelled` (the person closed the picker) or `screen-share-unavailable` (no
   * `getDisplayMedia`, not allowed for this side, or not connected).
   */
  async startScreenShare(): Promise<void> {
    await this.#mediaSession()?.startScreenShare();
  }

  /** Stops sharing the screen. */
  stopScreenShare(): void {
    this.#mediaSession()?.stopScreenShare();
  }

  /**
   * Sends a chat line to the other person, peer to peer. Throws a `ConsultError` with code
   * `chat-too-long` (over 4000 characters) or `not-connected`; returns undefined for an empty line.
   */
  sendMessage(text: string): MessageDetail | undefined {
    return this.#chat.sendMessage(text);
  }

  /**
   * Offers a file to the other person, peer to peer. The handle's `done` resolves once they have
   * the whole file with a matching hash. Throws a `ConsultError` (`not-connected`,
   * `files-unavailable`) when no file can be sent now.
   */
  sendFile(file: File | Blob, options: { name?: string; type?: string } = {}): FileTransfer<SentFile> {
    return this.#chat.sendFile(file, options);
  }

  /**
   * Accepts a file the other person offered (after a prevented `vc-file-offer`, or instead of the
   * button). Undefined when the offer is gone: the other person cancelled it, it was declined, or
   * the call ended.
   */
  acceptFile(id: string, options: { writable?: WritableStream<Uint8Array> } = {}): FileTransfer<ReceivedFile> | undefined {
    return this.#chat.acceptFile(id, options);
  }

  /** Declines a file the other person offered. */
  declineFile(id: string): void {
    this.#chat.declineFile(id);
  }

  /** Cancels a file transfer in either direction. */
  cancelFile(id: string): void {
    this.#chat.cancelFile(id);
  }

  /** What protects the call right now: DTLS and SRTP ciphers, and whether the path is direct or relayed. */
  async getSecurityInfo(): Promise<SecurityInfo | undefined> {
    return this.#controller.session?.getSecurityInfo();
  }

  /** The latest quality report (sampled every second during a call). */
  get connectionQuality(): QualityReport | undefined {
    return this.#controller.view.quality;
  }

  /**
   * A snapshot for support staff: state, quality figures, security facts, ICE configuration, the
   * path in use, and the connection's and negotiation's states. It holds no names, messages or
   * addresses; `JSON.stringify` it to copy.
   */
  async getDiagnostics(): Promise<Record<string, unknown>> {
    return (await this.#controller.load()).getDiagnostics();
  }

  /** The connection's statistics, for diagnostics; undefined outside a call. */
  async getStats(): Promise<RTCStatsReport | undefined> {
    return this.#controller.view.peerConnection?.getStats();
  }

  // ---- lifecycle -------------------------------------------------------------------------------------

  static override get observedAttributes(): string[] {
    return [...super.observedAttributes, 'role'];
  }

  override attributeChangedCallback(name: string, old: string | null, value: string | null): void {
    if (name !== 'role') return super.attributeChangedCallback(name, old, value);
    // The deprecated `role="doctor|patient"` moves to `consult-role`.
    const role = takeLegacyRole(this, value);
    if (role) this.consultRole = role;
  }

  override connectedCallback(): void {
    super.connectedCallback();
    // Read after the first update, not now: React (and @lit/react) set properties only after
    // the element is on the page, so `autoJoin` is still false here.
    void this.updateComplete.then(() => {
      if (this.autoJoin && this.isConnected && this.state === 'idle') void this.join();
    });
  }

  protected override updated(changed: PropertyValues): void {
    super.updated(changed);
    if (changed.has('displayName') && changed.get('displayName') !== undefined) {
      this.#controller.session?.setDisplayName(this.displayName);
    }
    if (changed.has('quality') && changed.get('quality') !== undefined && this.state !== 'idle') {
      void this.#controller.session?.setQuality(this.quality);
    }
  }

  // ---- handlers ----------------------------------------------------------------------------------------

  #strings(): Strings {
    return resolveStrings(this.lang || document.documentElement.lang || 'en', this.strings);
  }

  #noticeActions = {
    saveBandwidth: () => void this.setCameraEnabled(false),
    enableSound: () => this.#media.enableSound(),
    dismiss: this.#warnings.dismiss,
  };
  #controlActions = {
    microphone: () => this.setMicrophoneEnabled(!this.microphoneEnabled),
    camera: () => void this.setCameraEnabled(!this.cameraEnabled),
    chat: () => this.#panels.toggle('chat'),
    info: () => this.#panels.toggle('info'),
    leave: () => this.leave(),
  };
  #join = () => void this.join();
  #admit = () => this.admit();
  #decline = () => this.decline();

  // ---- rendering -----------------------------------------------------------------------------------------

  override render() {
    const strings = this.#strings();
    const session = this.#controller.view;
    const state = session.state;
    const inCall = IN_CALL.includes(state);
    const hasLocal = !!session.localStream && (inCall || state === 'waiting');
    const doctor = this.consultRole === 'doctor';
    const unread = this.#chat.log.unread;
    const knockSince = this.#announcer.knockSince?.toLocaleTimeString(this.lang || undefined, { hour: '2-digit', minute: '2-digit' });
    const warnings = this.#warnings.list.filter((w) => w.code !== 'autoplay-blocked' || this.#media.soundBlocked);
    const poorLink = session.quality?.outgoing.level === 'poor' && this.cameraEnabled;
    const engine = this.#engine;
    const more = this.#more;
    return html`
      <div part="base" class="base" data-state=${state} @dragover=${this.#chat.drop.dragover} @drop=${this.#chat.drop.drop} @keydown=${this.#panels.key}>
        <div part="stage" class="stage">
          ${more?.screen(inCall)}
          <video part="remote-video" class="remote" autoplay playsinline ?hidden=${!inCall}></video>
          <video part="local-video" class="local ${inCall ? '' : 'alone'} ${more?.localClass() ?? ''}" autoplay playsinline muted ?hidden=${!hasLocal || !session.localMedia.camera}></video>
          ${engine?.barsView(strings, 'incoming', session.quality, inCall)} ${engine?.barsView(strings, 'outgoing', session.quality, inCall)}
          ${peerView(strings, inCall, session.remoteMedia, session.peerName)} ${joinView(strings, state === 'idle', this.#join)}
          ${waitingView(strings, state === 'waiting', doctor, session.knocking, knockSince, this.#admit, this.#decline)}
          ${statusView(strings, state, this.#endReason, session.error, this.#join)}
          ${noticesView(
            strings,
            {
              inCall,
              videoPaused: !!session.localMedia.videoPaused,
              poorLink,
              warnings,
              sharing: more?.sharingBar(strings, inCall),
            },
            this.#noticeActions,
          )}
        </div>
        ${controlsView(
          strings,
          {
            shown: hasLocal,
            inCall,
            microphone: this.microphoneEnabled,
            camera: this.cameraEnabled,
            unread,
            panel: this.#panels.open,
            more: more?.controls(strings, { inCall, shareAllowed: doctor || this.patientScreenShare, panelOpen: this.#panels.open === 'devices' }),
          },
          this.#controlActions,
        )}
        ${this.#chat.render(
          strings,
          {
            open: this.#panels.open === 'chat' && inCall,
            peer: this.peerName || (doctor ? strings.patient : strings.doctor),
            canSend: this.filesAvailable,
            accept: this.acceptFiles,
          },
          this.#panels.close,
        )}
        ${engine?.infoView(strings, this.#panels.open === 'info' && inCall, this.verificationCode, this.#panels.security, this.#panels.close)}
        ${more?.panel(strings, this.#panels.open === 'devices' && inCall)}
        <div class="sr-only" role="status">${this.#announcer.said}</div>
      </div>
    `;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'video-consult': VideoConsult;
  }
}
