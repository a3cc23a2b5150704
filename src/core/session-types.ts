/**
 * The types a call is described by: its states, its events and its options. `session.ts`
 * re-exports them, which is where the package's entries take them from.
 */
import type { Role } from '../protocol/index.js';
import type { IncomingOffer, ReceivedFile, SentFile, TransferErrorDetail, TransferProgress } from '../file-transfer/manager.js';
import type { Transport } from '../signaling/transport.js';
import type { ConsultError } from './errors.js';
import type { GetUserMedia } from './media.js';
import type { QualityPreference, QualityReport } from './quality.js';

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
  /** A screen, window or tab is being shared. */
  screen?: boolean;
}

/** The kinds of device a person can choose. */
export type DeviceKind = 'camera' | 'microphone' | 'speaker';

/** One camera, microphone or speaker as a picker shows it. */
export interface DeviceOption {
  kind: DeviceKind;
  /** The browser's `deviceId`; stable per origin. */
  id: string;
  /** The device's name; empty before the person has allowed camera and microphone. */
  label: string;
  /** For cameras that say so: `user` faces the person, `environment` faces away. */
  facing?: 'user' | 'environment';
}

/** The devices there are and the ones in use (`''`: none, or the system default). */
export interface DeviceList {
  cameras: DeviceOption[];
  microphones: DeviceOption[];
  /** Empty where the browser cannot choose where sound plays (no `setSinkId`). */
  speakers: DeviceOption[];
  camera: string;
  microphone: string;
  speaker: string;
}

/** The camera or microphone in use went away, and what the call uses now. */
export interface DeviceLost {
  kind: 'camera' | 'microphone';
  /** The name of the device that went away. */
  label: string;
  /** The name of the device used now; empty when there is none. */
  fallback: string;
}

/** What a {@link MediaChange} is about. */
export type MediaSource = 'camera' | 'microphone' | 'screen';

/** A camera, microphone or screen share of one side turned on or off. */
export interface MediaChange {
  side: 'local' | 'remote';
  source: MediaSource;
  on: boolean;
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
  /** The list of devices or the device in use changed. */
  devices: DeviceList;
  /** The camera or microphone in use went away; the call goes on with `fallback`. */
  'device-lost': DeviceLost;
  /** A camera, microphone or screen share of either side turned on or off. */
  'media-change': MediaChange;
  /** A screen share started or stopped: the stream of this side's or the other side's screen, or none. */
  'screen-stream': { side: 'local' | 'remote'; stream?: MediaStream };
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
  /** Whether this side may share its screen. Default: the doctor may, the patient may not. */
  screenShare?: boolean;
  /** Remember the chosen camera, microphone and speaker for this site (in `localStorage`; nothing leaves the device). Default: false. */
  rememberDevices?: boolean;
  /** Replaces `navigator.mediaDevices.getUserMedia`, e.g. to add constraints or a processed stream. */
  getUserMedia?: GetUserMedia;
  /** Replaces `navigator.mediaDevices.enumerateDevices`, the list the device pickers and the fallback of a lost device come from. */
  enumerateDevices?: () => Promise<MediaDeviceInfo[]>;
  /** Replaces the WebSocket transport. */
  transport?: (url: string, token?: string) => Transport;
}

/** How a part of the session tells the session's listeners something: the session's own `emit`. */
export type SessionEmit = <K extends keyof SessionEvents>(type: K, detail: SessionEvents[K]) => void;
