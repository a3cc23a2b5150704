/**
 * video-consult: a `<video-consult>` element for 1:1 peer-to-peer video consultations.
 *
 * Importing this module registers the element (once, even if the module is loaded twice).
 * @packageDocumentation
 */
import { define } from './element/define.js';
import { DE } from './element/strings-de.js';
import { registerStrings } from './element/strings.js';
import { FileTransferManager } from './file-transfer/manager.js';
import { provideFileTransfer } from './file-transfer/registry.js';
import { VideoConsultCheck } from './element/video-consult-check.js';
import { VideoConsult } from './element/video-consult.js';

export { VideoConsult } from './element/video-consult.js';
export { VideoConsultCheck } from './element/video-consult-check.js';
export { CHECK_STRINGS, resolveCheckStrings, type CheckStrings, type CheckStringsOverrides } from './element/check-strings.js';
export {
  runPrecallCheck,
  playTestSound,
  formatReport,
  CheckStatus,
  CheckCode,
  AdviceCode,
  StepId,
  THRESHOLDS,
  type PrecallOptions,
  type PrecallReport,
  type StepResult,
  type PathResult,
  type Verdict,
  type Figure,
  type Environment,
  type BrowserName,
  type FirewallFacts,
} from './core/precall/index.js';
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
} from './element/events.js';
export {
  FileTransferManager,
  FileTransfer,
  FileTransferError,
  IncomingOffer,
  TransferState,
  FileErrorCode,
  sanitizeFileName,
  MAX_NAME_LENGTH,
  type AcceptOptions,
  type FileTransferEvents,
  type FileTransferOptions,
  type ReceivedFile,
  type SentFile,
  type TransferDirection,
  type TransferErrorDetail,
  type TransferProgress,
} from './file-transfer/index.js';
export { provideFileTransfer, type FileTransferFactory } from './file-transfer/registry.js';
export { EN, registerStrings, resolveStrings, type Strings, type ErrorText } from './element/strings.js';
export { DE } from './element/strings-de.js';
export {
  ConsultSession,
  CallState,
  type SessionOptions,
  type SessionEvents,
  type StateChange,
  type EndReason,
  type MediaState,
  type ChatEntry,
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
  type JoinedMessage,
  type PeerJoinedMessage,
  type PeerLeftMessage,
  type KnockMessage,
  type AdmittedMessage,
  type RelayedDescriptionMessage,
  type RelayedCandidateMessage,
  type ErrorMessage,
  type Description,
  type Candidate,
} from './protocol/index.js';

// The npm entry always carries file transfer and German; the script-tag build loads them as add-ons.
provideFileTransfer((options) => new FileTransferManager(options));
registerStrings('de', DE);
define('video-consult', VideoConsult);
define('video-consult-check', VideoConsultCheck);
