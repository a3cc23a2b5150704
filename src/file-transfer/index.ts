export {
  FileTransferManager,
  FileTransfer,
  FileTransferError,
  IncomingOffer,
  TransferState,
  LOW_WATER_BYTES,
  HIGH_WATER_BYTES,
  WINDOW_BYTES,
  ACK_EVERY_BYTES,
  type AcceptOptions,
  type FileTransferEvents,
  type FileTransferOptions,
  type ReceivedFile,
  type SentFile,
  type TransferDirection,
  type TransferErrorDetail,
  type TransferProgress,
} from './manager.js';
export { sanitizeFileName, isAcceptedType, MAX_NAME_LENGTH } from './names.js';
export { FileErrorCode, fileHash } from '../protocol/file-transfer.js';
