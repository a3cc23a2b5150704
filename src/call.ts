/**
 * `video-consult/call`: the `<video-consult>` element alone, registered, in English. No pre-call
 * check, no file transfer, no other language: add `video-consult/files` and `video-consult/de` for
 * those. Importing this module registers the element (once, even if the module is loaded twice).
 * @packageDocumentation
 */
import { define } from './element/define.js';
import './element/strings-errors.js';
import { VideoConsult } from './element/video-consult.js';

export { VideoConsult } from './element/video-consult.js';
export type {
  StateChangeDetail,
  ErrorDetail,
  KnockDetail,
  PeerNameDetail,
  MessageDetail,
  VerificationDetail,
  QualityDetail,
  FileOfferDetail,
  FileProgressDetail,
  FileReceivedDetail,
  FileSentDetail,
  FileErrorDetail,
  FilesAvailableDetail,
  DevicesDetail,
  DeviceLostDetail,
  MediaChangeDetail,
  VideoConsultEvents,
} from './element/events.js';
export { EN, registerStrings, resolveStrings, type Strings, type ErrorText } from './element/strings.js';
export {
  ConsultSession,
  CallState,
  type SessionOptions,
  type SessionEvents,
  type StateChange,
  type EndReason,
  type MediaState,
  type ChatEntry,
  type DeviceKind,
  type DeviceList,
  type DeviceLost,
  type DeviceOption,
  type MediaChange,
  type MediaSource,
} from './core/session.js';
export { QualityLevel, type QualityReport, type DirectionQuality, type QualityPreference, type SendProfile } from './core/quality.js';
export type { SecurityInfo } from './core/security.js';
export type { GetUserMedia } from './core/media.js';
export { ConsultError, ErrorCode } from './core/errors.js';
export { type Transport, type TransportClose, type OutgoingMessage, WebSocketTransport } from './signaling/transport.js';
export {
  PROTOCOL_VERSION,
  ROLES,
  ROOM_PATTERN,
  MAX_FRAME_BYTES,
  MAX_CHAT_CHARS,
  type Role,
  type IceServer,
  type ClientMessage,
  type ServerMessage,
  type JoinMessage,
  type DescriptionMessage,
  type CandidateMessage,
  type AdmitMessage,
  type DeclineMessage,
  type LeaveMessage,
  type IceServersRequestMessage,
  type JoinedMessage,
  type PeerJoinedMessage,
  type PeerLeftMessage,
  type KnockMessage,
  type AdmittedMessage,
  type IceServersMessage,
  type RelayedDescriptionMessage,
  type RelayedCandidateMessage,
  type ErrorMessage,
  type Description,
  type Candidate,
} from './protocol/index.js';

define('video-consult', VideoConsult);
