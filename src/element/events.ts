import type { ErrorCode } from '../core/errors.js';
import type { QualityReport } from '../core/quality.js';
import type { CallState, DeviceList, DeviceLost, EndReason, MediaChange } from '../core/session.js';

/** Detail of `vc-state-change`. */
export interface StateChangeDetail {
  state: CallState;
  previous: CallState;
  /** Why the call ended, for `ended`. */
  reason?: EndReason;
  /** The error code, for `failed`. */
  code?: ErrorCode;
}

/** Detail of `vc-error`. */
export interface ErrorDetail {
  code: ErrorCode;
  /** A technical message for logs; show `strings.errors[code]` to people. */
  message: string;
  /** Whether the call ended because of it. */
  fatal: boolean;
}

/** Detail of `vc-knock`. */
export interface KnockDetail {
  /** Whether a patient is waiting now. */
  waiting: boolean;
}

/** Detail of `vc-peer-name`. */
export interface PeerNameDetail {
  /** The other person's display name, cleaned of invisible characters; empty if they gave none. */
  name: string;
}

/** Detail of `vc-message`: a chat line, sent or received. Show `text` as text, never as HTML. */
export interface MessageDetail {
  id: string;
  text: string;
  from: 'local' | 'remote';
  sentAt: number;
}

/** Detail of `vc-verification`. */
export interface VerificationDetail {
  /** 15 digits in groups of three, the same on both sides unless someone is in between. */
  code: string;
}

/** Detail of `vc-quality-change`: the level, the figures for each direction, and whether video is paused. */
export type { QualityReport as QualityDetail } from '../core/quality.js';

/** Detail of `vc-file-offer` (cancelable: call `preventDefault()` and then `acceptFile()` or `declineFile()` yourself). */
export interface FileOfferDetail {
  id: string;
  /** Sanitised: safe to show and to save. */
  name: string;
  size: number;
  type: string;
}

/** Detail of `vc-file-progress`. */
export interface FileProgressDetail {
  id: string;
  direction: 'send' | 'receive';
  name: string;
  size: number;
  /** Bytes the receiver has checked and stored. */
  bytes: number;
  bytesPerSecond: number;
}

/** Detail of `vc-file-received`. */
export interface FileReceivedDetail {
  id: string;
  name: string;
  size: number;
  type: string;
  /**
   * The protocol's transfer hash, hex: SHA-256 over the SHA-256 digests of the `blockSize`-byte
   * blocks, in order, as the sender announced it and this side checked it. It is not the file's
   * SHA-256 (what `sha256sum` prints); docs/file-transfer.md shows how to compute it from a file.
   */
  transferHash: string;
  /** The block size the transfer hash was computed with, in bytes. */
  blockSize: number;
  /** @deprecated The same value as `transferHash`. */
  hash: string;
  /** The file, unless it was written to a file the page chose. */
  file?: Blob;
}

/** Detail of `vc-file-sent`. */
export interface FileSentDetail {
  id: string;
  name: string;
  size: number;
  /** As in {@link FileReceivedDetail.transferHash}. */
  transferHash: string;
  /** The block size the transfer hash was computed with, in bytes. */
  blockSize: number;
  /** @deprecated The same value as `transferHash`. */
  hash: string;
}

/** Detail of `vc-file-error`. */
export interface FileErrorDetail {
  id?: string;
  direction: 'send' | 'receive';
  name?: string;
  /** `file-declined`, `file-too-large`, `file-type-not-accepted`, `file-cancelled-by-peer`, `file-hash-mismatch`, … */
  code: string;
  message: string;
}

/** Detail of `vc-files-available`. */
export interface FilesAvailableDetail {
  /** Whether `sendFile()` works now (the other side takes files and the call is connected). */
  available: boolean;
}

/** Detail of `vc-devices-change`: the cameras, microphones and speakers there are, and the ones in use. */
export type { DeviceList as DevicesDetail } from '../core/session.js';

/** Detail of `vc-device-lost`: the camera or microphone in use went away, and what the call uses now. */
export type { DeviceLost as DeviceLostDetail } from '../core/session.js';

/** Detail of `vc-media-change`: which side's camera, microphone or screen share turned on or off. */
export type { MediaChange as MediaChangeDetail } from '../core/session.js';

/**
 * The `vc-` events `<video-consult>` fires, by name, with their details: the one list the
 * `HTMLElementEventMap` entries and the re-dispatch of session events are typed from.
 */
export interface VideoConsultEvents {
  'vc-state-change': StateChangeDetail;
  'vc-error': ErrorDetail;
  'vc-knock': KnockDetail;
  'vc-peer-name': PeerNameDetail;
  'vc-message': MessageDetail;
  'vc-verification': VerificationDetail;
  'vc-quality-change': QualityReport;
  'vc-file-offer': FileOfferDetail;
  'vc-file-progress': FileProgressDetail;
  'vc-file-received': FileReceivedDetail;
  'vc-file-sent': FileSentDetail;
  'vc-file-error': FileErrorDetail;
  'vc-files-available': FilesAvailableDetail;
  'vc-devices-change': DeviceList;
  'vc-device-lost': DeviceLost;
  'vc-media-change': MediaChange;
}

/** Dispatches a `vc-` event the way every event of this package goes out: bubbling and composed. */
export function fire<T>(target: EventTarget, type: string, detail: T, cancelable = false): boolean {
  return target.dispatchEvent(new CustomEvent<T>(type, { detail, bubbles: true, composed: true, cancelable }));
}

/** `HTMLElementEventMap`'s entries for `<video-consult>`, made from {@link VideoConsultEvents}. */
type VideoConsultEventMap = { [E in keyof VideoConsultEvents]: CustomEvent<VideoConsultEvents[E]> };

declare global {
  interface HTMLElementEventMap extends VideoConsultEventMap {}
}
