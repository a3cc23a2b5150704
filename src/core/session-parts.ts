import { cleanName } from '../protocol/index.js';
import { ControlChannel } from './control-channel.js';
import type { Devices } from './devices.js';
import type { ConsultError } from './errors.js';
import type { FileWiring } from './file-wiring.js';
import type { LocalMedia } from './local-media.js';
import { MediaChanges } from './media-changes.js';
import type { PeerLink } from './peer-link.js';
import type { PlaceTicket } from './place-ticket.js';
import type { QualityController } from './quality-controller.js';
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
  peer?: PeerLink;
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
    emit: (type, detail) => {
      if (type === 'remote-media') this.changes.update('remote', detail as MediaState);
      this.emit(type, detail);
    },
  });
  /** Where `media-change` comes from, for both sides. */
  readonly changes = new MediaChanges((change) => this.emit('media-change', change));
  /** What `files-available` last said. */
  #filesAvailable = false;

  constructor(options: SessionOptions) {
    this.options = { ...options };
  }

  get localMedia(): MediaState {
    return { camera: !!this.media?.cameraOn, microphone: !!this.media?.microphoneSending, videoPaused: !!this.quality?.paused };
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
