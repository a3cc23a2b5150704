import { cleanName } from '../protocol/index.js';
import { ControlChannel } from './control-channel.js';
import { Devices } from './devices.js';
import type { ConsultError } from './errors.js';
import type { FileWiring } from './file-wiring.js';
import type { LocalMedia } from './local-media.js';
import { MediaChanges } from './media-changes.js';
import type { PeerLink } from './peer-link.js';
import type { PlaceTicket } from './place-ticket.js';
import type { QualityController } from './quality-controller.js';
import { ScreenShare } from './screen-share.js';
import { CallState, type MediaState, type SessionEmit, type SessionOptions } from './session-types.js';
import type { SignalingLink } from './signaling-link.js';

/**
 * Everything one session holds: its options and state, and the parts of the current call run.
 * `session.ts` (the course of the call) builds and replaces the parts; `session-features.ts` (what
 * people do in a call) uses them. Both hold the same object; nothing outside the session sees it.
 */
export class SessionParts {
  options: SessionOptions;
  state: CallState = CallState.Idle;
  /** The fatal error behind a `failed` state. */
  error?: ConsultError;
  signaling?: SignalingLink;
  ticket?: PlaceTicket;
  media?: LocalMedia;
  devices?: Devices;
  quality?: QualityController;
  files?: FileWiring;
  iceServers: RTCIceServer[] = [];
  /** For the doctor: a patient is waiting. */
  knocking = false;
  /** The session's `emit`, set by the session once it exists. */
  emit: SessionEmit = () => {};
  readonly control = new ControlChannel({
    route: (data) => !!this.files?.route(data),
    onOpen: () => (this.sendHello(), this.announceMedia()),
    onClose: () => this.announceFilesAvailable(),
    onCapabilities: (capabilities) => {
      this.announceFilesAvailable();
      this.quality?.configure(this.options.quality ?? 'auto', capabilities.includes('hd'));
    },
    onRemoteMedia: () => this.screen.syncRemote(this.peer),
    emit: (type, detail) => {
      if (type === 'remote-media') this.changes.update('remote', detail as MediaState);
      this.emit(type, detail);
    },
  });
  /** Where `media-change` comes from for cameras and microphones, on both sides (the screen share tells of its own). */
  readonly changes = new MediaChanges((change) => this.emit('media-change', change));
  readonly screen = new ScreenShare({
    getDisplayMedia: () => this.options.getDisplayMedia,
    allowed: () => this.options.screenShare ?? this.options.role === 'doctor',
    connectedPeer: () => (this.state === CallState.Connected ? this.peer : undefined),
    remoteSharing: () => !!this.control.remoteMedia.screen,
    onLocalChange: (sharing) => (this.quality?.shareScreen(sharing), this.announceMedia()),
    emit: (type, detail) => this.emit(type, detail),
  });
  #peer?: PeerLink;
  /** What `files-available` last said. */
  #filesAvailable = false;

  constructor(options: SessionOptions) {
    this.options = { ...options };
  }

  /** The current connection. A new one (or none) ends a screen share on either side: the other side's screen shows only once it says so again. */
  get peer(): PeerLink | undefined {
    return this.#peer;
  }
  set peer(link: PeerLink | undefined) {
    if (link === this.#peer) return;
    this.#peer = link;
    this.control.remoteMedia = { ...this.control.remoteMedia, screen: false };
    this.screen.linkChanged(link);
  }

  get localMedia(): MediaState {
    return {
      camera: !!this.media?.cameraOn,
      microphone: !!this.media?.microphoneSending,
      videoPaused: !!this.quality?.paused,
      screen: this.screen.sharing,
    };
  }

  /** Whether `sendFile()` works now (see `ConsultSession.filesAvailable`). */
  get filesAvailable(): boolean {
    return !!this.files?.manager && this.control.isOpen && this.control.capabilities.includes('files');
  }

  /** Introduces this side on the control channel: its name and what it can do. */
  sendHello(): void {
    const name = cleanName(this.options.displayName ?? '');
    this.control.send({ type: 'hello', name, capabilities: this.files?.manager ? ['chat', 'hd', 'files'] : ['chat', 'hd'] });
  }

  /** At the start of a run: the other side counts as sending both until it says otherwise. */
  resetMedia(): void {
    this.control.remoteMedia = { camera: true, microphone: true };
    this.changes.reset('remote', this.control.remoteMedia);
  }

  /** The devices part of a run, over its camera and microphone. */
  createDevices(media: LocalMedia, signal: AbortSignal): Devices {
    const { rememberDevices = false, enumerateDevices } = this.options;
    return new Devices({
      media,
      emit: (type, detail) => this.emit(type, detail),
      onMediaChange: () => this.announceMedia(),
      remember: rememberDevices,
      enumerateDevices,
      signal,
    });
  }

  /** The camera and microphone are open: what they send is the start for `media-change`, and the device list follows. */
  startDevices(): void {
    this.changes.reset('local', this.localMedia);
    void this.devices?.start();
  }

  /** Tells this side's listeners and the other side which devices are on. */
  announceMedia(): void {
    const state = this.localMedia;
    this.changes.update('local', state);
    this.emit('local-media', state);
    this.control.send({ type: 'media', ...state });
  }

  /** Fires `files-available` when what it says changed. */
  announceFilesAvailable(): void {
    const available = this.filesAvailable;
    if (available === this.#filesAvailable) return;
    this.#filesAvailable = available;
    this.emit('files-available', { available });
  }
}
