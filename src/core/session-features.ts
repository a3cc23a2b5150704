import type { AcceptOptions, FileTransfer, ReceivedFile, SentFile } from '../file-transfer/manager.js';
import { collectDiagnostics } from './diagnostics.js';
import { Emitter } from './emitter.js';
import { EMPTY_DEVICES } from './devices.js';
import { ConsultError, ErrorCode } from './errors.js';
import type { QualityPreference, QualityReport } from './quality.js';
import { readSecurityInfo, type SecurityInfo } from './security.js';
import type { SessionParts } from './session-parts.js';
import {
  CallState,
  type ChatEntry,
  type DeviceKind,
  type DeviceList,
  type MediaState,
  type SessionEvents,
  type SessionOptions,
} from './session-types.js';

/**
 * What people do in a call besides starting and ending it (camera and microphone, chat and
 * names, files, quality) and what a page can read about it, over the parts the session builds.
 * `ConsultSession` adds the course of the call (join, admit, connect, recover, end).
 */
export abstract class SessionFeatures extends Emitter<SessionEvents> {
  readonly #p: SessionParts;

  /** @internal */
  constructor(parts: SessionParts) {
    super();
    this.#p = parts;
    parts.emit = (type, detail) => this.emit(type, detail);
  }

  get state(): CallState {
    return this.#p.state;
  }
  get role(): SessionOptions['role'] {
    return this.#p.options.role;
  }
  /** The fatal error behind a `failed` state. */
  get error(): ConsultError | undefined {
    return this.#p.error;
  }
  get localStream(): MediaStream | undefined {
    return this.#p.media?.stream;
  }
  get remoteStream(): MediaStream | undefined {
    return this.#p.peer?.remoteStream;
  }
  /** The underlying connection, for statistics. Undefined outside a call. */
  get peerConnection(): RTCPeerConnection | undefined {
    return this.#p.peer?.pc;
  }
  get localMedia(): MediaState {
    return this.#p.localMedia;
  }
  /** The latest quality report, sampled every second during a call. */
  get quality(): QualityReport | undefined {
    return this.#p.quality?.report;
  }

  /**
   * Chooses how this side sends video: `auto` follows the link, `hd` and `sd` fix the resolution,
   * `audio-only` turns the camera off (and `auto`, `hd` or `sd` turns it back on).
   */
  async setQuality(preference: QualityPreference): Promise<void> {
    const previous = this.#p.options.quality ?? 'auto';
    this.#p.options.quality = preference;
    if (preference === 'audio-only') return this.setCameraEnabled(false);
    if (previous === 'audio-only' && this.#p.media?.stream) await this.setCameraEnabled(true);
    const quality = this.#p.quality;
    if (quality) await quality.apply(quality.configure(preference, this.#p.control.capabilities.includes('hd')));
  }

  /**
   * A snapshot for support: state, quality figures, security facts, ICE servers (without
   * credentials), the path in use, and the connection's and negotiation's states. It holds no
   * names, messages or addresses.
   */
  async getDiagnostics(): Promise<Record<string, unknown>> {
    return collectDiagnostics({
      pc: this.#p.peer?.pc,
      state: this.#p.state,
      role: this.#p.options.role,
      error: this.#p.error?.code,
      signaling: { connected: !!this.#p.signaling?.connected, reconnectAttempts: this.#p.signaling?.attempts ?? 0 },
      iceServers: this.#p.iceServers,
      iceTransportPolicy: this.#p.options.iceTransportPolicy ?? 'all',
      localMedia: this.localMedia,
      remoteMedia: this.remoteMedia,
      quality: this.quality,
      verificationCode: this.verificationCode,
    });
  }
  get remoteMedia(): MediaState {
    return { ...this.#p.control.remoteMedia };
  }
  /** For the doctor: a patient is waiting. */
  get knocking(): boolean {
    return this.#p.knocking;
  }
  /** The other side's display name, cleaned; empty until it arrives or if they gave none. */
  get peerName(): string {
    return this.#p.control.peerName;
  }
  /** The verification code of the current connection, once DTLS is up. */
  get verificationCode(): string | undefined {
    return this.#p.peer?.verificationCode;
  }

  /** What protects the call right now (DTLS and SRTP ciphers, direct or relayed), from the browser's statistics. */
  async getSecurityInfo(): Promise<SecurityInfo | undefined> {
    return this.#p.peer ? readSecurityInfo(this.#p.peer.pc) : undefined;
  }

  /** Changes the name shown to the other side; during a call it is sent at once. */
  setDisplayName(name: string): void {
    this.#p.options.displayName = name;
    this.#p.sendHello();
  }

  /**
   * Sends a chat line over the peer-to-peer control channel. Invisible and control characters are
   * removed. Throws a {@link ConsultError} with code `not-connected` outside a call and
   * `chat-too-long` above `MAX_CHAT_CHARS` (4,000) characters; an empty line is not sent.
   */
  sendMessage(text: string): ChatEntry | undefined {
    // Right after `connected` the channel may still be opening (a few ms): the line waits for it.
    const entry = this.#p.control.sendChat(text, this.#p.state === CallState.Connected);
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
    return this.#p.filesAvailable;
  }

  /**
   * Offers a file to the other side, peer to peer. The handle's `done` resolves once the other
   * side has the whole file with a matching hash. Throws `not-connected` outside a call (or
   * without the file-transfer engine); limits are checked as the file goes (`file-error`).
   */
  sendFile(file: Blob, options: { name?: string; type?: string } = {}): FileTransfer<SentFile> {
    const files = this.#p.files?.manager;
    if (!files || !this.#p.control.isOpen) {
      throw new ConsultError(ErrorCode.NotConnected, 'Files can be sent once the call is connected.', false);
    }
    if (!this.#p.control.capabilities.includes('files')) {
      throw new ConsultError(ErrorCode.FilesUnavailable, 'The other side cannot receive files.', false);
    }
    return files.sendFile(file, options);
  }

  /** Accepts a file the other side offered (see `file-offer`); undefined when that offer is gone (cancelled, declined, or the call ended). */
  acceptFile(id: string, options: AcceptOptions = {}): FileTransfer<ReceivedFile> | undefined {
    return this.#p.files?.manager?.accept(id, options);
  }

  /** Declines a file the other side offered. */
  declineFile(id: string): void {
    this.#p.files?.manager?.decline(id);
  }

  /** Cancels a transfer in either direction. */
  cancelFile(id: string): void {
    this.#p.files?.manager?.cancel(id);
  }

  /**
   * Switches the camera. Off stops the track, so the camera light goes out; on opens the camera
   * again and swaps the new track in without renegotiating.
   */
  async setCameraEnabled(enabled: boolean): Promise<void> {
    if (await this.#p.media?.setCamera(enabled)) this.#p.announceMedia();
  }

  /** Mutes or unmutes the microphone. The track stays open so unmuting is instant. */
  setMicrophoneEnabled(enabled: boolean): void {
    if (this.#p.media?.setMicrophone(enabled)) this.#p.announceMedia();
  }

  /** The cameras, microphones and speakers there are and the ones in use; empty until camera and microphone are open in a call. `devices` announces each change. */
  get devices(): DeviceList {
    return this.#p.devices?.list ?? EMPTY_DEVICES;
  }

  /**
   * Uses another camera or microphone, swapped in without renegotiating: a muted microphone stays
   * muted, a camera that is off stays off (the choice applies when it turns on). For `speaker` it
   * only records the choice (the element plays sound there). Rejects with a {@link ConsultError}
   * `device-unavailable` when the device cannot be opened; the one in use stays.
   */
  selectDevice(kind: DeviceKind, id: string): Promise<void> {
    return (
      this.#p.devices?.select(kind, id) ??
      Promise.reject(new ConsultError(ErrorCode.DeviceUnavailable, 'Devices can be chosen during a call.', false))
    );
  }

  /** Whether there are at least two cameras to flip between. */
  get canFlipCamera(): boolean {
    return !!this.#p.devices?.canFlip;
  }

  /** Turns to the camera facing the other way (phones), or to the next camera. Rejects with `device-unavailable`. */
  flipCamera(): Promise<void> {
    return (
      this.#p.devices?.flip() ?? Promise.reject(new ConsultError(ErrorCode.DeviceUnavailable, 'The camera can be flipped during a call.', false))
    );
  }

  /** Which way the camera in use faces; undefined for a camera that does not say (most laptop cameras). */
  get cameraFacing(): 'user' | 'environment' | undefined {
    return this.#p.devices?.facing;
  }
}
