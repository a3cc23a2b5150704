/**
 * `video-consult/files`: file transfer for `<video-consult>`. Importing this module makes every
 * call started from then on able to send and receive files; it also exports the engine's API.
 * @packageDocumentation
 */
import { FileTransferManager } from './file-transfer/manager.js';
import { provideFileTransfer } from './file-transfer/registry.js';

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

provideFileTransfer((options) => new FileTransferManager(options));
