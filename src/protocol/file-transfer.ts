/**
 * The file-transfer wire protocol: JSON messages that travel on the control data channel
 * (`vc-control`, id 0) and binary block frames on data channels of their own (`vc-file`, one
 * opened by each side for what it sends, announced in band). Both are direct between the two
 * browsers over DTLS; the signaling server never sees any of it. Described for people who write their own peer in docs/file-transfer.md.
 */
import { PROTOCOL_VERSION } from './signaling.js';

/** Label of the binary channels; each side opens one, in band, for the blocks it sends. */
export const FILE_CHANNEL_LABEL = 'vc-file';

/**
 * Largest message we ever send, even when the peer advertises more: Chromium's and WebKit's
 * `sctp.maxMessageSize`, and the chunk the WebRTC samples use.
 */
export const MAX_CHUNK_BYTES = 256 * 1024;
/** What the spec says a peer that announces no `a=max-message-size` can take (w3c/webrtc-pc#1700). */
export const DEFAULT_CHUNK_BYTES = 64 * 1024;
/** A receiver refuses offers whose blocks could not be a whole SCTP message of at least this. */
export const MIN_BLOCK_BYTES = 1024;

/**
 * Stable codes for everything that can end a transfer. The same code is reported on both sides
 * when the receiver refuses or detects a fault; pages may branch on them.
 */
export const FileErrorCode = {
  /** The receiver (or its page) declined the offer. */
  Declined: 'file-declined',
  /** This side cancelled. */
  Cancelled: 'file-cancelled',
  /** The other side cancelled. */
  CancelledByPeer: 'file-cancelled-by-peer',
  /** Larger than the receiving side's (or this side's) `maxSize`. */
  TooLarge: 'file-too-large',
  /** Not in the receiving side's (or this side's) accepted types. */
  TypeNotAccepted: 'file-type-not-accepted',
  /** Too many offers waiting for an answer. */
  TooMany: 'file-too-many',
  /** The offer itself was malformed (size, block size, name, id). */
  InvalidOffer: 'file-invalid-offer',
  /** A block frame that cannot be parsed, or a frame for a transfer that never existed. */
  BadFrame: 'file-bad-frame',
  /** A block at or beyond the offered size, or a last block longer than the offered size allows. */
  BeyondSize: 'file-beyond-size',
  /** Fewer bytes than offered: a short block, or an end message with the wrong block count. */
  SizeMismatch: 'file-size-mismatch',
  /** A block that skips ahead of the next expected one. */
  OutOfOrder: 'file-out-of-order',
  /** A block that was already received. */
  Duplicate: 'file-duplicate-block',
  /** A block's SHA-256, or the whole file's, does not match. */
  HashMismatch: 'file-hash-mismatch',
  /** The file could not be read on the sending side (deleted, permission revoked). */
  ReadFailed: 'file-read-failed',
  /** The receiving side could not write (disk full, the save was aborted). */
  WriteFailed: 'file-write-failed',
  /** The transfer layer was closed (the call ended) before the transfer finished. */
  Closed: 'file-closed',
  /** No data arrived for about a minute while the connection was up, though the receiver asked again. */
  Stalled: 'file-stalled',
} as const;
export type FileErrorCode = (typeof FileErrorCode)[keyof typeof FileErrorCode];
const FILE_ERROR_CODES = new Set<string>(Object.values(FileErrorCode));
export const isFileErrorCode = (x: unknown): x is FileErrorCode => typeof x === 'string' && FILE_ERROR_CODES.has(x);

/** Sender → receiver: a file is ready. `tag` names the transfer in block frames. */
export interface FileOfferMessage {
  v: number;
  type: 'file-offer';
  id: string;
  tag: number;
  name: string;
  size: number;
  mime: string;
  /** Payload bytes per block; every block but the last has exactly this many. */
  blockSize: number;
}
/** Receiver → sender: send the blocks. */
export interface FileAcceptMessage {
  v: number;
  type: 'file-accept';
  id: string;
}
/** Receiver → sender: no. `code` says why (declined, too large, type not accepted, ...). */
export interface FileDeclineMessage {
  v: number;
  type: 'file-decline';
  id: string;
  code: FileErrorCode;
}
/** Receiver → sender: blocks `[0, next)` are verified and written. */
export interface FileAckMessage {
  v: number;
  type: 'file-ack';
  id: string;
  next: number;
}
/**
 * Receiver → sender, when blocks may have been lost (its binary channel closed, the sender asked
 * with `file-resync`, or nothing arrived for a while): send again from block `next`, with frames
 * stamped `epoch`. Each resume of a transfer has a higher epoch (1 … 65535); the receiver drops
 * frames of an older epoch, which were on their way before it asked.
 */
export interface FileResumeMessage {
  v: number;
  type: 'file-resume';
  id: string;
  next: number;
  epoch: number;
}
/**
 * Sender → receiver: its binary channel closed under this transfer, so frames stamped `epoch` (the
 * sender's current one) may be lost. The receiver answers with a `file-resume` of a higher epoch,
 * unless it already sent one.
 */
export interface FileResyncMessage {
  v: number;
  type: 'file-resync';
  id: string;
  epoch: number;
}
/** Sender → receiver: all `blocks` are sent; `hash` is the file hash (see {@link fileHash}), hex. */
export interface FileEndMessage {
  v: number;
  type: 'file-end';
  id: string;
  blocks: number;
  hash: string;
}
/** Receiver → sender: every block verified, the file hash matches and the file is written. */
export interface FileCompleteMessage {
  v: number;
  type: 'file-complete';
  id: string;
}
/** Either side: this transfer is over. `code` is `file-cancelled` or the fault that ended it. */
export interface FileCancelMessage {
  v: number;
  type: 'file-cancel';
  id: string;
  code: FileErrorCode;
}

export type FileTransferMessage =
  | FileOfferMessage
  | FileAcceptMessage
  | FileDeclineMessage
  | FileAckMessage
  | FileResumeMessage
  | FileResyncMessage
  | FileEndMessage
  | FileCompleteMessage
  | FileCancelMessage;

export const FILE_MESSAGE_TYPES = [
  'file-offer',
  'file-accept',
  'file-decline',
  'file-ack',
  'file-resume',
  'file-resync',
  'file-end',
  'file-complete',
  'file-cancel',
] as const;

/** Longest offered name we look at at all (it is shortened much further for display). */
export const MAX_OFFER_NAME_CHARS = 1024;
export const TRANSFER_ID_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;
const MIME_PATTERN = /^$|^[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,126}\/[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,126}$/;
const MAX_FILE_MESSAGE_CHARS = 4096;
const isCount = (x: unknown, max = Number.MAX_SAFE_INTEGER): x is number => Number.isSafeInteger(x) && (x as number) >= 0 && (x as number) <= max;

/** True if `type` names a file-transfer message, so a control-channel router knows whom to hand it. */
export const isFileTransferType = (type: unknown): boolean => (FILE_MESSAGE_TYPES as readonly unknown[]).includes(type);

/**
 * Parses a file-transfer control message (JSON text or an already parsed object), or returns
 * undefined for anything malformed, oversized, of another version or of another type.
 */
export function parseFileTransferMessage(data: unknown): FileTransferMessage | undefined {
  let m: unknown = data;
  if (typeof data === 'string') {
    if (data.length > MAX_FILE_MESSAGE_CHARS) return undefined;
    try {
      m = JSON.parse(data);
    } catch {
      return undefined;
    }
  }
  if (typeof m !== 'object' || m === null || Array.isArray(m)) return undefined;
  const o = m as Record<string, unknown>;
  if (o.v !== PROTOCOL_VERSION || typeof o.id !== 'string' || !TRANSFER_ID_PATTERN.test(o.id)) return undefined;
  const ok = o as unknown as FileTransferMessage;
  switch (o.type) {
    case 'file-offer':
      return isCount(o.tag, 0xffffffff) &&
        o.tag !== 0 &&
        typeof o.name === 'string' &&
        o.name.length <= MAX_OFFER_NAME_CHARS &&
        isCount(o.size) &&
        typeof o.mime === 'string' &&
        MIME_PATTERN.test(o.mime) &&
        isCount(o.blockSize) &&
        o.blockSize >= MIN_BLOCK_BYTES &&
        o.blockSize <= MAX_CHUNK_BYTES
        ? ok
        : undefined;
    case 'file-accept':
    case 'file-complete':
      return ok;
    case 'file-resync':
      return isCount(o.epoch, MAX_EPOCH) ? ok : undefined;
    case 'file-decline':
    case 'file-cancel':
      return isFileErrorCode(o.code) ? ok : undefined;
    case 'file-ack':
      return isCount(o.next, 0xffffffff) ? ok : undefined;
    case 'file-resume':
      return isCount(o.next, 0xffffffff) && isCount(o.epoch, MAX_EPOCH) && o.epoch !== 0 ? ok : undefined;
    case 'file-end':
      return isCount(o.blocks, 0xffffffff) && typeof o.hash === 'string' && /^[0-9a-f]{64}$/.test(o.hash) ? ok : undefined;
    default:
      return undefined;
  }
}

/** A message as the manager builds it, before the version is added. */
export type UnversionedFileMessage = FileTransferMessage extends infer M ? (M extends unknown ? Omit<M, 'v'> : never) : never;

/** Serialises a file-transfer message for the control channel, adding the protocol version. */
export function encodeFileTransferMessage(message: UnversionedFileMessage): string {
  return JSON.stringify({ v: PROTOCOL_VERSION, ...message });
}

// ---- binary block frames ------------------------------------------------------------------------

/** Frame layout version (byte 0). */
export const FRAME_VERSION = 1;
/** Frame kind (byte 1): a block of file data. */
export const FRAME_KIND_BLOCK = 1;
/**
 * Big-endian header: version u8, kind u8, epoch u16 (0 until the first `file-resume`), tag u32,
 * block index u32, then the payload's SHA-256 (32 bytes). The payload follows; header plus payload
 * never exceed the chunk size.
 */
export const FRAME_HEADER_BYTES = 44;
/** The highest epoch: a transfer resumes at most this many times. */
export const MAX_EPOCH = 0xffff;

export interface BlockFrame {
  tag: number;
  index: number;
  epoch: number;
  hash: Uint8Array<ArrayBuffer>;
  payload: Uint8Array<ArrayBuffer>;
}

/** Builds a block frame around `payload`. */
export function encodeBlockFrame(tag: number, index: number, epoch: number, hash: ArrayBuffer, payload: ArrayBuffer | Uint8Array): ArrayBuffer {
  const bytes = payload instanceof Uint8Array ? payload : new Uint8Array(payload);
  const frame = new Uint8Array(FRAME_HEADER_BYTES + bytes.byteLength);
  frame.set(bytes, FRAME_HEADER_BYTES);
  writeBlockHeader(frame, tag, index, epoch, hash);
  return frame.buffer;
}

/**
 * Writes a block frame's header into the first `FRAME_HEADER_BYTES` of `frame`, whose payload is
 * already in place behind it: a sender reads each block straight into its frame, so no block is
 * copied to be framed.
 */
export function writeBlockHeader(frame: Uint8Array, tag: number, index: number, epoch: number, hash: ArrayBuffer): void {
  const view = new DataView(frame.buffer, frame.byteOffset, FRAME_HEADER_BYTES);
  view.setUint8(0, FRAME_VERSION);
  view.setUint8(1, FRAME_KIND_BLOCK);
  view.setUint16(2, epoch);
  view.setUint32(4, tag);
  view.setUint32(8, index);
  frame.set(new Uint8Array(hash), 12);
}

/** Reads a block frame without copying, or returns undefined if it is not one. */
export function decodeBlockFrame(data: ArrayBuffer): BlockFrame | undefined {
  if (!(data instanceof ArrayBuffer) || data.byteLength < FRAME_HEADER_BYTES) return undefined;
  const view = new DataView(data);
  if (view.getUint8(0) !== FRAME_VERSION || view.getUint8(1) !== FRAME_KIND_BLOCK) return undefined;
  return {
    tag: view.getUint32(4),
    index: view.getUint32(8),
    epoch: view.getUint16(2),
    hash: new Uint8Array(data, 12, 32),
    payload: new Uint8Array(data, FRAME_HEADER_BYTES),
  };
}

/**
 * The whole-file hash. WebCrypto has no streaming digest (w3c/webcrypto#73), so the file hash is
 * SHA-256 over the concatenated SHA-256 digests of the blocks, in order. With the block size in
 * the offer this commits to every byte of the file, and each side computes it from what it read
 * or received, never from the other side's per-block hashes.
 */
export async function fileHash(blockHashes: Uint8Array): Promise<string> {
  return toHex(await crypto.subtle.digest('SHA-256', blockHashes as Uint8Array<ArrayBuffer>));
}

export const toHex = (bytes: ArrayBuffer | Uint8Array): string =>
  Array.from(bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes), (b) => b.toString(16).padStart(2, '0')).join('');
