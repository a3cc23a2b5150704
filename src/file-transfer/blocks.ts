/**
 * The arithmetic of blocks and the checks on what the peer sends, as pure functions: the chunk a
 * connection allows, which bytes a block covers, whether an arriving frame is the one expected,
 * whether an offer passes this side's limits. No WebRTC, no I/O: tested in Node.
 */
import { DEFAULT_CHUNK_BYTES, FRAME_HEADER_BYTES, FileErrorCode, MAX_CHUNK_BYTES, MIN_BLOCK_BYTES } from '../protocol/file-transfer.js';
import { isAcceptedType } from './names.js';

/**
 * The sender reads this much of a file in one piece (whole blocks, at least one) and reads the
 * next piece while the current one is sent: fewer round trips to the file, no gap on the wire.
 */
export const READ_BYTES = 256 * 1024;

/** A fault found in what the peer sent: the code that ends the transfer, and why. */
export interface Fault {
  code: FileErrorCode;
  message: string;
}

/** The frame size for a connection whose SCTP max message size is `max` (undefined or NaN: not known). */
export function chunkBytes(max: number | undefined): number {
  if (max === undefined || Number.isNaN(max) || max < MIN_BLOCK_BYTES + FRAME_HEADER_BYTES) return DEFAULT_CHUNK_BYTES;
  return Math.min(max, MAX_CHUNK_BYTES);
}

/** How many blocks a file of `size` bytes has. */
export const blockCount = (size: number, blockSize: number): number => Math.ceil(size / blockSize);

/** The length of block `index` (block i covers bytes `[i·blockSize, min((i+1)·blockSize, size))`); 0 past the end. */
export function blockLength(index: number, blockSize: number, size: number): number {
  return index < blockCount(size, blockSize) ? Math.min(blockSize, size - index * blockSize) : 0;
}

/** How many blocks from `from` one read takes: whole blocks up to {@link READ_BYTES}, at least one, never past the end. */
export const piecesBlocks = (from: number, blockSize: number, blocks: number): number =>
  Math.min(Math.max(1, Math.floor(READ_BYTES / blockSize)), blocks - from);

/** What the receiver knows when a frame arrives. */
export interface Expected {
  /** The next block index expected off the wire. */
  arrived: number;
  blockSize: number;
  /** The offered size, in bytes. */
  size: number;
}

/**
 * Whether a frame of block `index` with `length` payload bytes is the next one, checked in wire
 * order: undefined when it is, else the fault that ends the transfer.
 */
export function frameFault(index: number, length: number, { arrived, blockSize, size }: Expected): Fault | undefined {
  const expected = blockLength(index, blockSize, size);
  if (index >= blockCount(size, blockSize) || length > expected) {
    return { code: FileErrorCode.BeyondSize, message: `block ${index} goes beyond the offered ${size} bytes` };
  }
  if (index < arrived) return { code: FileErrorCode.Duplicate, message: `block ${index} arrived twice` };
  if (index > arrived) return { code: FileErrorCode.OutOfOrder, message: `block ${index} arrived before block ${arrived}` };
  if (length < expected) return { code: FileErrorCode.SizeMismatch, message: `block ${index} has ${length} of ${expected} bytes` };
  return undefined;
}

/** An offer as the receiver checks it (already well-formed: see `parseFileTransferMessage`). */
export interface OfferFacts {
  /** The sanitised name. */
  name: string;
  size: number;
  mime: string;
  blockSize: number;
}

/** This side's limits on offers, and what it holds now. */
export interface OfferLimits {
  maxSize: number;
  accept: readonly string[] | undefined;
  maxPending: number;
  /** Offers waiting for an answer now. */
  pending: number;
  /** Whether a transfer with this offer's id or tag exists. */
  taken: boolean;
}

/** Undefined when this side may show the offer, else why it refuses it (with `file-decline`). */
export function offerFault(offer: OfferFacts, limits: OfferLimits): Fault | undefined {
  const { name, size, mime, blockSize } = offer;
  if (limits.taken) return { code: FileErrorCode.InvalidOffer, message: 'an offer with this id or tag exists' };
  if (blockCount(size, blockSize) > 0xffffffff) return { code: FileErrorCode.InvalidOffer, message: 'too many blocks' };
  if (limits.pending >= limits.maxPending) return { code: FileErrorCode.TooMany, message: 'too many offers at once' };
  if (size > limits.maxSize) return { code: FileErrorCode.TooLarge, message: `${name} is larger than ${limits.maxSize} bytes` };
  if (!isAcceptedType(name, mime, limits.accept))
    return { code: FileErrorCode.TypeNotAccepted, message: `${name}: ${mime || 'this type'} is not accepted` };
  return undefined;
}

/** The codes a receiver refuses an offer with (`file-decline`); anything else ends a transfer with `file-cancel`. */
export const DECLINE_CODES: ReadonlySet<FileErrorCode> = new Set<FileErrorCode>([
  FileErrorCode.Declined,
  FileErrorCode.TooLarge,
  FileErrorCode.TypeNotAccepted,
  FileErrorCode.TooMany,
  FileErrorCode.InvalidOffer,
]);

/** Only a well-formed MIME type travels in an offer; anything else is sent as unknown. */
export function sanitizeMime(mime: string): string {
  return /^[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,126}\/[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,126}$/.test(mime) ? mime : '';
}
