/**
 * Files between the two browsers of a call: offer and answer on the control channel, blocks on a
 * binary data channel of their own, paced by `bufferedAmountLowThreshold`, checked by SHA-256 per
 * block and per file, acknowledged by the receiver, resumable when the data channel is lost.
 * DOM-free apart from WebRTC, Blob and WebCrypto (and, for received files, a worker writing to the
 * origin-private file system: store.ts). The protocol is in docs/file-transfer.md.
 */
import {
  DEFAULT_CHUNK_BYTES,
  FILE_CHANNEL_LABEL,
  FRAME_HEADER_BYTES,
  FileErrorCode,
  MAX_CHUNK_BYTES,
  MAX_EPOCH,
  MIN_BLOCK_BYTES,
  TRANSFER_ID_PATTERN,
  decodeBlockFrame,
  writeBlockHeader,
  encodeFileTransferMessage,
  fileHash,
  isFileTransferType,
  parseFileTransferMessage,
  type FileTransferMessage,
  type UnversionedFileMessage,
} from '../protocol/file-transfer.js';
import { Emitter } from './emitter.js';
import { isAcceptedType, sanitizeFileName } from './names.js';
import { BlockHashMismatch, openSink, sweepGonePages, type FileSink } from './store.js';

/**
 * Flow control as in the WebRTC samples (datatransfer): refill when `bufferedAmount` falls to one
 * chunk, stop at eight chunks. Both far below Chromium's 16 MiB send-buffer ceiling, beyond which
 * `send()` throws (and older Chromium closed the channel).
 */
export const LOW_WATER_BYTES = MAX_CHUNK_BYTES;
export const HIGH_WATER_BYTES = 8 * MAX_CHUNK_BYTES;
/**
 * At most this much of one file is sent but not yet acknowledged. It bounds what the receiver
 * holds in memory while it hashes and writes (a slow disk cannot make it queue the whole file).
 */
export const WINDOW_BYTES = 8 * 1024 * 1024;
/** The receiver acknowledges at least every this many bytes (and at the last block, and after `stallMs` without one). */
export const ACK_EVERY_BYTES = 1024 * 1024;
/**
 * The sender reads this much of a file in one piece (whole blocks, at least one) and reads the
 * next piece while the current one is sent: fewer round trips to the file, no gap on the wire.
 */
const READ_BYTES = 256 * 1024;
/**
 * The receiver writes verified blocks that are waiting anyway in one piece of up to this size:
 * fewer writes to the disk, fewer Blob parts.
 */
const WRITE_BYTES = 2 * 1024 * 1024;
/** Offers waiting for an answer beyond this are declined with `file-too-many`. */
const DEFAULT_MAX_PENDING_OFFERS = 16;
/** Tags of ended transfers remembered, so their late frames are dropped quietly. */
const ENDED_TAGS_REMEMBERED = 256;
/** Default pause in incoming data (connection up, nothing left to write) before the receiver asks again. */
export const DEFAULT_STALL_MS = 5000;
/** Pauses in a row, each answered by asking again, after which a transfer fails with `file-stalled`. */
export const MAX_STALLS = 12;
/**
 * Pauses (of `stallMs`) without a word from the receiver after which a file being sent fails with
 * `file-stalled`: beyond the receiver's own bounds, so an honest receiver's coded reason comes first.
 */
export const UNANSWERED_STALLS = MAX_STALLS + 2;

export const TransferState = {
  /** Sender: offered, waiting for the answer. Receiver: offered, waiting for accept or decline. */
  Offered: 'offered',
  /** Blocks are moving. */
  Transferring: 'transferring',
  /** Sender: all blocks sent, waiting for the receiver's final acknowledgement. Receiver: checking the file hash and closing the file. */
  Finishing: 'finishing',
  Done: 'done',
  Failed: 'failed',
} as const;
export type TransferState = (typeof TransferState)[keyof typeof TransferState];

export type TransferDirection = 'send' | 'receive';

/** An error that ended one transfer. The call goes on. */
export class FileTransferError extends Error {
  override readonly name = 'FileTransferError';
  constructor(
    readonly code: FileErrorCode,
    message: string,
    readonly transferId?: string,
  ) {
    super(message);
  }
}

/** What `done` resolves to on the sending side, after the receiver's final acknowledgement. */
export interface SentFile {
  id: string;
  name: string;
  size: number;
  /**
   * The protocol's transfer hash, hex: SHA-256 over the SHA-256 digests of the `blockSize`-byte
   * blocks, in order. It is not the file's SHA-256 (what `sha256sum` prints) and depends on
   * `blockSize`; docs/file-transfer.md shows how to compute it from a file.
   */
  transferHash: string;
  /** The block size the transfer hash was computed with, in bytes. */
  blockSize: number;
  /** @deprecated The same value as `transferHash`, kept for pages written against the old name. */
  hash: string;
}

/** What `done` resolves to on the receiving side, once the file hash matched and the file is closed. */
export interface ReceivedFile {
  id: string;
  /** The sanitised name. */
  name: string;
  size: number;
  type: string;
  /** The protocol's transfer hash, hex, the one the sender announced and this side checked (see `SentFile.transferHash`). */
  transferHash: string;
  /** The block size the transfer hash was computed with, in bytes. */
  blockSize: number;
  /** @deprecated The same value as `transferHash`, kept for pages written against the old name. */
  hash: string;
  /**
   * The file, when no writable was given to `accept()`: read from the origin-private file system
   * while this page is open (see `receiveToDisk`), or a Blob in memory.
   */
  blob?: Blob;
}

export interface TransferProgress {
  id: string;
  direction: TransferDirection;
  name: string;
  size: number;
  /** Bytes the receiver has verified and written (acknowledged bytes, on the sending side). */
  bytes: number;
  /** A smoothed rate, 0 until known; time left is `(size - bytes) / bytesPerSecond`. */
  bytesPerSecond: number;
}

export interface TransferErrorDetail {
  /** Missing for a frame that belongs to no transfer. */
  id?: string;
  direction: TransferDirection;
  name?: string;
  code: FileErrorCode;
  message: string;
}

/** Events of {@link FileTransferManager}; subscribe with `on(type, listener)`. */
export interface FileTransferEvents {
  /** The peer offers a file that passed this side's limits: call `accept()` or `decline()` on it. */
  offer: IncomingOffer;
  progress: TransferProgress;
  /** A file arrived whole, with a matching hash. */
  received: ReceivedFile;
  /** The peer acknowledged a whole file with a matching hash. */
  sent: SentFile;
  /**
   * A transfer ended with a fault, a refusal by limits, a decline or a cancel by the peer. Not
   * fired for this side's own `cancel()` or `decline()`; their `done` promises still reject.
   */
  error: TransferErrorDetail;
}

export interface FileTransferOptions {
  /**
   * The call's connection. Each manager opens its own binary channel on it (`vc-file`, announced
   * in band) for the files it sends, and reads the peer's for the files it receives.
   */
  pc: RTCPeerConnection;
  /** Sends one JSON text message on the control channel (id 0). May throw when it is not open. */
  sendControl: (text: string) => void;
  /** Largest file this side sends or accepts, in bytes. Default: no limit. */
  maxSize?: number;
  /** Types this side sends or accepts, as in `<input accept>`: `image/*`, `application/pdf`, `.pdf`. Default: all. */
  accept?: readonly string[];
  /** Offers waiting for an answer at once. Default 16. */
  maxPendingOffers?: number;
  /**
   * How long incoming data may pause, while the connection is up and everything received is
   * written, before the receiver asks the sender to continue from its last block (a `file-resume`).
   * After 12 such pauses in a row the transfer fails with `file-stalled`. A block not written
   * after 12 × `stallMs` ends its transfer with `file-write-failed`. A file this side sends fails
   * with `file-stalled` when the receiver, with the connection up, says nothing for 14 × `stallMs`
   * while this side waits on it (for acknowledgements, a resume or the final confirmation): longer
   * than an honest receiver with the same `stallMs` is ever silent. Default 5000 ms.
   */
  stallMs?: number;
  /**
   * Files accepted without a writable go to disk, into the origin-private file system, written by
   * a worker (the page gets a Blob that reads from there); false builds them as Blobs in memory.
   * Blobs are also the fallback where no worker or file system is available. Default true.
   */
  receiveToDisk?: boolean;
}

export interface AcceptOptions {
  /**
   * Where to write, in order: a File System Access `FileSystemWritableFileStream` (from
   * `showSaveFilePicker()` then `createWritable()`) or any `WritableStream` of bytes. It is closed
   * when the file is complete and aborted if the transfer fails. Without it, the file is assembled
   * as a Blob from its blocks.
   */
  writable?: WritableStream<Uint8Array>;
}

/** One file moving in one direction: progress, a promise, and a way to stop it. */
export class FileTransfer<R = SentFile | ReceivedFile> {
  /** Settles when the transfer ends: resolves on success, rejects with a {@link FileTransferError}. */
  readonly done: Promise<R>;
  /** @internal */
  _resolve!: (value: R) => void;
  /** @internal */
  _reject!: (error: FileTransferError) => void;
  /** @internal */
  _state: TransferState = TransferState.Offered;
  /** @internal */
  _bytes = 0;
  /** @internal */
  _rate = 0;
  /** Times the transfer continued after its data channel was lost. */
  resumes = 0;

  constructor(
    readonly id: string,
    readonly direction: TransferDirection,
    readonly name: string,
    readonly size: number,
    readonly type: string,
    private readonly cancelFn: () => void,
  ) {
    this.done = new Promise<R>((resolve, reject) => {
      this._resolve = resolve;
      this._reject = reject;
    });
    // Whoever holds the handle decides whether to await it; an ignored failure is not an unhandled rejection.
    this.done.catch(() => {});
  }

  get state(): TransferState {
    return this._state;
  }

  /** Verified bytes so far (acknowledged by the receiver, on the sending side). */
  get bytes(): number {
    return this._bytes;
  }

  /** Smoothed bytes per second, 0 until known. */
  get bytesPerSecond(): number {
    return this._rate;
  }

  /** Stops the transfer and tells the other side. Does nothing once it has ended. */
  cancel(): void {
    this.cancelFn();
  }
}

/** An offer from the peer, handed out by the `offer` event. */
export class IncomingOffer {
  constructor(
    readonly id: string,
    /** The sanitised name, safe to show and to save. */
    readonly name: string,
    /** The name exactly as the peer sent it (never show or save this one). */
    readonly rawName: string,
    readonly size: number,
    /** The MIME type the peer claims; may be empty. */
    readonly type: string,
    private readonly manager: FileTransferManager,
    private readonly transfer: FileTransfer<ReceivedFile>,
  ) {}

  /**
   * Accepts the file; the returned transfer's `done` resolves with the {@link ReceivedFile}.
   * An offer that has ended meanwhile (the sender cancelled it, the call ended, or it was declined)
   * starts nothing: its ended transfer is returned, whose `done` rejects with the reason, and a
   * `writable` given here is left as it is.
   */
  accept(options: AcceptOptions = {}): FileTransfer<ReceivedFile> {
    if (this.transfer.state === TransferState.Offered) this.manager.accept(this.id, options);
    return this.transfer;
  }

  /** Declines the file; the sender's transfer fails with `file-declined`. Does nothing once the offer has ended. */
  decline(): void {
    this.manager.decline(this.id);
  }
}

interface Outgoing {
  dir: 'send';
  handle: FileTransfer<SentFile>;
  file: Blob;
  tag: number;
  blockSize: number;
  blocks: number;
  /** Next block to send. */
  next: number;
  /** Blocks the receiver acknowledged. */
  acked: number;
  /** The channel died under this transfer: blocks go out again only after the receiver's `file-resume`. */
  awaitingResume: boolean;
  /** The epoch of the receiver's last resume (0 before any), stamped on every frame. */
  epoch: number;
  endSent: boolean;
  hashes: Uint8Array;
  /** The piece of the file being sent, and the one read ahead. */
  reading?: ReadPiece;
  readAhead?: ReadPiece;
  /** The file as a stream from where the last piece ended; pieces are read from it one after another. */
  source?: FileSource;
  /** Buffers of pieces already sent, for the next reads. */
  spare: ArrayBuffer[];
  /** Since when this side waits on the receiver (blocks unacknowledged, a resume or the confirmation) without a word from it. */
  unansweredSince?: number;
  /** The call moved to a new connection: the offer, or the wish to resume, goes out again on its control channel. */
  resync: boolean;
  progressAt: number;
  progressBytes: number;
}

/** Consecutive blocks read from a file in one piece, with their SHA-256, for one epoch. */
interface ReadPiece {
  from: number;
  count: number;
  epoch: number;
  blocks: Promise<ReadBlock[]>;
  /** The memory the piece was read into, once read. */
  buffer?: ArrayBuffer;
}

/** A block as read, inside the frame it goes out in: `payload` is the frame's tail, behind room for the header. */
interface ReadBlock {
  frame: Uint8Array<ArrayBuffer>;
  payload: Uint8Array<ArrayBuffer>;
  hash: ArrayBuffer;
}

/** A byte stream of the file from `position`, read into our own buffers; reads queue on `last`. */
interface FileSource {
  reader?: ReadableStreamBYOBReader;
  /** False where this browser has no BYOB reader for a Blob's stream: read with `slice()` instead. */
  byob?: boolean;
  position: number;
  last: Promise<unknown>;
}

interface Incoming {
  dir: 'receive';
  handle: FileTransfer<ReceivedFile>;
  offer: IncomingOffer;
  tag: number;
  blockSize: number;
  blocks: number;
  /** Next block index expected off the wire. */
  arrived: number;
  /** Frames must carry this epoch; it goes up with each `file-resume` this side sends. */
  epoch: number;
  /** The peer's binary channel closed since the last resume: ask again once a new one is open. */
  lost: boolean;
  /** Stall checks in a row that found no data for this transfer. */
  stalls: number;
  /** Blocks verified and written. */
  next: number;
  ackedUpTo: number;
  /** When this side last acknowledged blocks. */
  ackedAt: number;
  end?: { blocks: number; hash: string };
  hashes: Uint8Array;
  /** Frames received and not yet verified. */
  pending: number;
  /** Verified payloads not yet written: blocks `next` onwards. */
  batch: Uint8Array<ArrayBuffer>[];
  batchBytes: number;
  writer?: WritableStreamDefaultWriter<Uint8Array>;
  /** Where the file goes when no writable was given. */
  sink?: Promise<FileSink>;
  /** The sink, once open (the offer is accepted only then). */
  opened?: FileSink;
  /** Aborts when the transfer ends, so that nothing waits for a write that never finishes (see `unlessStopped`). */
  stopping: AbortController;
  /** When this side began to close the complete file (a writable may never finish closing). */
  closingSince?: number;
  /** The call moved to a new connection since the offer came: the sender offers it again there. */
  moved: boolean;
  /** The call moved to a new connection: the accept and a resume go out again on its control channel. */
  resync: boolean;
  progressAt: number;
  progressBytes: number;
}

type Transfer = Outgoing | Incoming;

/** A block that passed the checks on arrival, on its way to being verified and written. */
interface ArrivedBlock {
  index: number;
  /** The hash the frame carries. */
  hash: Uint8Array;
  /** The block, until it moves to the disk worker. */
  payload: Uint8Array<ArrayBuffer>;
  /** Where this side hashes the block: its SHA-256. */
  digest?: Promise<ArrayBuffer>;
  /** Where the disk worker checks and writes it: settles when it has. */
  written?: Promise<void>;
}

const newId = () => crypto.randomUUID();
/** The codes a receiver refuses an offer with (`file-decline`); anything else ends a transfer with `file-cancel`. */
const DECLINE_CODES = new Set<FileErrorCode>([
  FileErrorCode.Declined,
  FileErrorCode.TooLarge,
  FileErrorCode.TypeNotAccepted,
  FileErrorCode.TooMany,
  FileErrorCode.InvalidOffer,
]);
/** The offer of an outgoing file, as sent first and again after a move to a new connection. */
const offerMessage = (t: Outgoing): UnversionedFileMessage => ({
  type: 'file-offer',
  id: t.handle.id,
  tag: t.tag,
  name: t.handle.name.slice(0, 1024),
  size: t.handle.size,
  mime: sanitizeMime(t.handle.type),
  blockSize: t.blockSize,
});
const isFinal = (t: Transfer) => t.handle._state === TransferState.Done || t.handle._state === TransferState.Failed;
/** The sender cannot go on without a word from the receiver: blocks unacknowledged, a resume or the final confirmation. */
const waitsOnReceiver = (t: Outgoing) =>
  t.handle._state === TransferState.Finishing || (t.handle._state === TransferState.Transferring && (t.next > t.acked || t.awaitingResume));

/**
 * Sends and receives files over one RTCPeerConnection. The owner routes file-transfer control
 * messages to {@link handleControl}, calls {@link attach} when the call moves to a new
 * RTCPeerConnection, and {@link close} when the call ends.
 */
export class FileTransferManager extends Emitter<FileTransferEvents> {
  #pc: RTCPeerConnection;
  #sendText: (text: string) => void;
  #maxSize: number;
  #accept: readonly string[] | undefined;
  #maxPending: number;
  /** This side's binary channel, for the files it sends. */
  #channel?: RTCDataChannel;
  /** The peer's binary channel, for the files it receives. */
  #peerChannel?: RTCDataChannel;
  #stallMs: number;
  #stallTimer?: ReturnType<typeof setInterval>;
  /** When data last arrived (or the link last could not carry it): the start of a possible stall. */
  #quietSince = 0;
  /** Frames received and not yet hashed and written. */
  #rxPending = 0;
  /** The incoming transfer whose block the receive queue is taking now, and since when. */
  #rxTaking?: { t: Incoming; since: number };
  #outgoing: Outgoing[] = [];
  #incoming = new Map<string, Incoming>();
  #incomingByTag = new Map<number, Incoming>();
  #endedTags = new Set<number>();
  /** How recently ended transfers ended, by id: what to answer when the peer speaks of one again. */
  #outcomes = new Map<string, FileErrorCode | 'complete'>();
  #nextTag = 1;
  /** Received blocks are hashed and written one after another, in arrival order. */
  #rx: Promise<void> = Promise.resolve();
  #pumping = false;
  #wake?: () => void;
  #closed = false;
  #receiveToDisk: boolean;

  constructor(options: FileTransferOptions) {
    super();
    this.#pc = options.pc;
    this.#sendText = options.sendControl;
    this.#maxSize = options.maxSize ?? Number.POSITIVE_INFINITY;
    this.#accept = options.accept;
    this.#maxPending = options.maxPendingOffers ?? DEFAULT_MAX_PENDING_OFFERS;
    this.#stallMs = options.stallMs ?? DEFAULT_STALL_MS;
    this.#receiveToDisk = options.receiveToDisk ?? true;
    this.#pc.addEventListener('datachannel', this.#onDataChannel);
    this.#openChannel();
    // What closed pages of this origin received and left on disk goes when a call starts, whether
    // or not a file moves in it.
    void sweepGonePages();
  }

  /** The transfers that have not ended, in both directions. */
  get transfers(): FileTransfer[] {
    return [...this.#outgoing, ...this.#incoming.values()].filter((t) => !isFinal(t)).map((t) => t.handle as FileTransfer);
  }

  /**
   * Offers a file to the peer. Files are sent one after another in the order they are accepted.
   * The returned transfer's `done` resolves after the receiver confirmed the whole file.
   */
  sendFile(file: Blob, options: { name?: string; type?: string } = {}): FileTransfer<SentFile> {
    const name = options.name ?? (file as File).name ?? 'file';
    const mime = options.type ?? file.type ?? '';
    const id = newId();
    const chunk = this.#chunkBytes();
    const blockSize = chunk - FRAME_HEADER_BYTES;
    const blocks = Math.ceil(file.size / blockSize);
    const t: Outgoing = {
      dir: 'send',
      handle: new FileTransfer<SentFile>(id, 'send', name, file.size, mime, () => this.cancel(id)),
      file,
      tag: this.#nextTag++,
      blockSize,
      blocks,
      next: 0,
      acked: 0,
      awaitingResume: false,
      epoch: 0,
      endSent: false,
      hashes: new Uint8Array(blocks * 32),
      spare: [],
      resync: false,
      progressAt: 0,
      progressBytes: 0,
    };
    this.#outgoing.push(t);
    if (this.#closed) {
      this.#fail(t, FileErrorCode.Closed, 'the call has ended', false);
    } else if (file.size > this.#maxSize) {
      this.#fail(t, FileErrorCode.TooLarge, `larger than ${this.#maxSize} bytes`, false);
    } else if (!isAcceptedType(name, mime, this.#accept)) {
      this.#fail(t, FileErrorCode.TypeNotAccepted, `${mime || 'this type'} is not accepted`, false);
    } else if (!this.#send(offerMessage(t))) {
      this.#fail(t, FileErrorCode.Closed, 'the control channel is not open', false);
    }
    return t.handle;
  }

  /**
   * Accepts an offer by id (what {@link IncomingOffer.accept} calls). Undefined if there is no
   * such offer any more: it ended before (the sender cancelled it, or it was declined).
   */
  accept(id: string, options: AcceptOptions = {}): FileTransfer<ReceivedFile> | undefined {
    const t = this.#incoming.get(id);
    if (!t) return undefined;
    if (t.handle._state !== TransferState.Offered) return t.handle;
    t.handle._state = TransferState.Transferring;
    if (options.writable) {
      t.writer = options.writable.getWriter();
      this.#confirm(t);
    } else {
      // Accepted once there is somewhere to put the blocks: a sink that checks them itself then
      // gets every block, none go the other way first.
      t.sink = openSink(t.handle.size, this.#receiveToDisk);
      t.sink.then(
        (sink) => {
          t.opened = sink;
          this.#confirm(t);
        },
        (error: unknown) => this.#fail(t, FileErrorCode.WriteFailed, `could not open the file: ${String(error)}`, true),
      );
    }
    return t.handle;
  }

  /** Tells the peer to start sending, unless the transfer ended while its file was opened. */
  #confirm(t: Incoming): void {
    if (t.handle._state !== TransferState.Transferring) return;
    // Between two connections the accept goes out with the re-sync on the new one.
    if (!this.#send({ type: 'file-accept', id: t.handle.id })) {
      if (!t.resync) this.#fail(t, FileErrorCode.Closed, 'the control channel is not open', false);
    }
    else if (t.blocks === 0 && t.end) void this.#finish(t);
    else this.#watchStalls();
  }

  /** Declines an offer by id. */
  decline(id: string): void {
    const t = this.#incoming.get(id);
    if (!t || t.handle._state !== TransferState.Offered) return;
    this.#send({ type: 'file-decline', id, code: FileErrorCode.Declined });
    this.#fail(t, FileErrorCode.Declined, 'declined', false, false);
  }

  /** Cancels a transfer in either direction (declines it if it is an unanswered offer). */
  cancel(id: string): void {
    const t = this.#find(id);
    if (!t || isFinal(t)) return;
    if (t.dir === 'receive' && t.handle._state === TransferState.Offered) return this.decline(id);
    this.#fail(t, FileErrorCode.Cancelled, 'cancelled', true, false);
  }

  /**
   * Hands a control-channel message to the manager. Returns true if it was a file-transfer message
   * (valid or not), false if it belongs to someone else. Accepts the JSON text or a parsed object.
   */
  handleControl(data: unknown): boolean {
    let raw = data;
    if (typeof data === 'string') {
      try {
        raw = JSON.parse(data);
      } catch {
        return false;
      }
    }
    const type = (raw as { type?: unknown } | null)?.type;
    if (!isFileTransferType(type)) return false;
    if (this.#closed) return true;
    const m = parseFileTransferMessage(raw);
    if (!m) {
      const id = (raw as { id?: unknown }).id;
      if (type === 'file-offer' && typeof id === 'string' && TRANSFER_ID_PATTERN.test(id) && !this.#find(id)) {
        this.#send({ type: 'file-decline', id, code: FileErrorCode.InvalidOffer });
        this.emit('error', { id, direction: 'receive', code: FileErrorCode.InvalidOffer, message: 'malformed offer' });
      }
      return true;
    }
    this.#resync();
    this.#onMessage(m);
    return true;
  }

  /**
   * Moves to a new RTCPeerConnection (after the call reconnected with a fresh one). Transfers that
   * were moving continue from the receiver's last verified block once the new binary channel opens.
   */
  attach(pc: RTCPeerConnection): void {
    if (this.#closed || pc === this.#pc) return;
    this.#pc.removeEventListener('datachannel', this.#onDataChannel);
    this.#dropChannels();
    this.#pc = pc;
    // Control messages in flight on the old connection are lost: each side says again, on the new
    // one, what the other may have missed (see #resync).
    for (const t of this.#outgoing) if (!isFinal(t)) t.resync = true;
    for (const t of this.#incoming.values()) if (!isFinal(t)) t.resync = t.moved = true;
    pc.addEventListener('datachannel', this.#onDataChannel);
    this.#openChannel();
    this.#watchStalls();
  }

  /**
   * After a move to a new connection, as soon as its control channel takes messages: a sender
   * offers again what is still unanswered and asks for a resume of what was moving; a receiver
   * accepts again what it accepted and asks to resume it. Repeats are harmless (an offer this side
   * holds, an accept of a moving file, an older epoch are ignored), and a side that ended a
   * transfer meanwhile answers with how it ended (see #answerEnded).
   */
  #resync(): void {
    for (const t of this.#outgoing) {
      if (!t.resync) continue;
      if (t.handle._state === TransferState.Offered) t.resync = !this.#send(offerMessage(t));
      else if (t.awaitingResume) t.resync = !this.#send({ type: 'file-resync', id: t.handle.id, epoch: t.epoch });
      else t.resync = false;
    }
    for (const t of this.#incoming.values()) {
      if (!t.resync) continue;
      // An offer still open is offered again by the sender; a file being closed is confirmed then;
      // a file still being opened is accepted once it is open.
      if (t.handle._state !== TransferState.Transferring || (t.sink && !t.opened)) {
        t.resync = false;
      } else if (this.#send({ type: 'file-accept', id: t.handle.id })) {
        t.resync = false;
        void this.#resume(t);
      }
    }
  }

  /** Ends every transfer with `file-closed` (telling the peer if possible) and closes the binary channels. Idempotent. */
  close(): void {
    if (this.#closed) return;
    for (const t of [...this.#outgoing, ...this.#incoming.values()]) {
      if (!isFinal(t)) this.#fail(t, FileErrorCode.Closed, 'the call has ended', true);
    }
    this.#closed = true;
    clearInterval(this.#stallTimer);
    this.#pc.removeEventListener('datachannel', this.#onDataChannel);
    this.#dropChannels();
    this.#wake?.();
    this.removeAllListeners();
  }

  // ---- the binary channel -------------------------------------------------------------------------

  /*
   * Each side sends on a channel it opened itself and receives on the one the peer opened, both
   * announced in band, so the browser picks a stream id that no closing channel still holds. (A
   * negotiated id, reopened at once after a reset, can leave the far end's old channel
   * `closing` for good.) Whichever end closes a channel, both ends see it close: the owner opens
   * a new one, and the transfers it carried continue from the receiver's last written block.
   */

  #openChannel(): void {
    const pc = this.#pc;
    if (this.#closed || pc.signalingState === 'closed') return;
    const old = this.#channel;
    const dc = pc.createDataChannel(FILE_CHANNEL_LABEL, { ordered: true });
    dc.binaryType = 'arraybuffer';
    dc.bufferedAmountLowThreshold = LOW_WATER_BYTES;
    this.#channel = dc;
    old?.close();
    dc.addEventListener('open', () => {
      if (dc !== this.#channel) return;
      this.#resync();
      for (const t of this.#outgoing) {
        if (t.awaitingResume) this.#send({ type: 'file-resync', id: t.handle.id, epoch: t.epoch });
      }
      this.#kick();
    });
    dc.addEventListener('bufferedamountlow', () => this.#kick());
    dc.addEventListener('close', () => {
      if (dc !== this.#channel) return;
      this.#channel = undefined;
      this.#sendingLost();
      if (pc === this.#pc) this.#openChannel();
    });
  }

  /** The peer announced its channel (again): frames of the files it sends arrive there from now on. */
  #onDataChannel = ({ channel: dc }: RTCDataChannelEvent): void => {
    if (dc.label !== FILE_CHANNEL_LABEL || this.#closed) return;
    const old = this.#peerChannel;
    this.#peerChannel = dc;
    if (old) {
      old.close();
      this.#receivingLost();
    }
    dc.binaryType = 'arraybuffer';
    dc.addEventListener('message', ({ data }) => {
      if (dc === this.#peerChannel) this.#onFrame(data);
    });
    dc.addEventListener('close', () => {
      if (dc !== this.#peerChannel) return;
      this.#peerChannel = undefined;
      // Ask at once: the sender's end of that channel may never finish closing, and a resume makes
      // it open a new one.
      this.#receivingLost();
      this.#resumeLost();
    });
    const ready = () => {
      if (dc !== this.#peerChannel) return;
      this.#resync();
      this.#resumeLost();
    };
    if (dc.readyState === 'open') ready();
    else dc.addEventListener('open', ready, { once: true });
  };

  /** Closes both channels of the current connection and marks what they carried as lost. */
  #dropChannels(): void {
    const mine = this.#channel;
    const theirs = this.#peerChannel;
    this.#channel = this.#peerChannel = undefined;
    mine?.close();
    theirs?.close();
    this.#sendingLost();
    this.#receivingLost();
  }

  /**
   * Frames in flight on a lost channel are gone, and only the receiver knows which arrived. Each
   * unfinished outgoing file stops until the receiver says where to continue (`file-resume`, asked
   * for with `file-resync` once this side's new channel is open).
   */
  #sendingLost(): void {
    for (const t of this.#outgoing) {
      if (t.handle._state === TransferState.Transferring || t.handle._state === TransferState.Finishing) t.awaitingResume = true;
    }
  }

  #resumeLost(): void {
    for (const t of this.#incoming.values()) {
      if (t.lost) void this.#resume(t);
    }
  }

  /** Each unfinished incoming file asks for the rest itself once the peer's new channel is open. */
  #receivingLost(): void {
    for (const t of this.#incoming.values()) {
      if (t.handle._state === TransferState.Transferring) t.lost = true;
    }
  }

  /**
   * Asks the sender to continue from the last written block, under a new epoch: frames of older
   * epochs, already on their way, are dropped from now on, so whatever the channels did, the next
   * frame that counts is block `next`.
   */
  async #resume(t: Incoming): Promise<void> {
    t.lost = false;
    // Nothing to resume before the accept went out; with every block written, only the end is
    // missing, and a resume from the last block makes the sender send it again.
    if (t.handle._state !== TransferState.Transferring || (t.sink && !t.opened) || (t.next >= t.blocks && t.end)) return;
    if (t.epoch >= MAX_EPOCH) return this.#fail(t, FileErrorCode.Stalled, 'resumed too many times', true);
    const epoch = ++t.epoch;
    await this.#rx; // blocks that arrived before are written first
    if (t.epoch !== epoch || t.handle._state !== TransferState.Transferring) return;
    t.arrived = t.next;
    // Not sent (the control channel is away): the next channel or stall check asks again.
    if (this.#send({ type: 'file-resume', id: t.handle.id, next: t.next, epoch })) t.handle.resumes++;
    else t.lost = true;
  }

  /** Checks transfers, a few times per `stallMs`: incoming ones for a pause in data while it could flow, outgoing ones for a silent receiver. */
  #watchStalls(): void {
    if (this.#stallTimer || this.#closed) return;
    this.#quietSince = performance.now();
    this.#stallTimer = setInterval(() => this.#checkStalls(), Math.max(25, this.#stallMs / 4));
  }

  /** `stalls` pauses of `stallMs`, in whole seconds, for messages. */
  #stallSeconds(stalls: number): number {
    return Math.round((stalls * this.#stallMs) / 1000);
  }

  #checkStalls(): void {
    this.#resync();
    const now = performance.now();
    // A write or a close that never finishes (a writable that hangs, a worker gone without a word)
    // would hold every file behind it, or leave both sides waiting: after as long as data may
    // pause, its transfer ends and the queue moves on.
    const taking = this.#rxTaking;
    if (taking?.t.handle._state === TransferState.Transferring && now - taking.since > MAX_STALLS * this.#stallMs) {
      this.#fail(taking.t, FileErrorCode.WriteFailed, `a block waited ${this.#stallSeconds(MAX_STALLS)} s to be written`, true);
    }
    const closing = [...this.#incoming.values()].filter((t) => t.handle._state === TransferState.Finishing && t.closingSince !== undefined);
    for (const t of closing) {
      if (now - t.closingSince! > MAX_STALLS * this.#stallMs) {
        this.#fail(t, FileErrorCode.WriteFailed, `the file did not close in ${this.#stallSeconds(MAX_STALLS)} s`, true);
      }
    }
    // Sending: a receiver that stops answering (a page that hangs, a broken or hostile peer) would
    // leave the file unfinished for good. An honest one is never silent this long: it asks again
    // after each pause and fails a file itself when a write or the close hangs.
    const connected = this.#pc.connectionState === 'connected';
    const sending = this.#outgoing.filter((t) => t.handle._state === TransferState.Transferring || t.handle._state === TransferState.Finishing);
    for (const t of sending) {
      if (!connected || !waitsOnReceiver(t)) {
        t.unansweredSince = undefined;
      } else if (now - (t.unansweredSince ??= now) > UNANSWERED_STALLS * this.#stallMs) {
        this.#fail(t, FileErrorCode.Stalled, `the other side has not answered for ${this.#stallSeconds(UNANSWERED_STALLS)} s`, true);
      }
    }
    const waiting = [...this.#incoming.values()].filter((t) => t.handle._state === TransferState.Transferring && t.next < t.blocks);
    const resyncing = [...this.#outgoing, ...this.#incoming.values()].some((t) => t.resync);
    if (!waiting.length && !this.#rxTaking && !closing.some((t) => t.handle._state === TransferState.Finishing) && !sending.some((t) => !isFinal(t)) && !resyncing) {
      clearInterval(this.#stallTimer);
      this.#stallTimer = undefined;
      return;
    }
    // Counted whatever the peer's channel does: if it stays away, the resume this sends makes the
    // sender open a new one.
    const couldFlow = this.#pc.connectionState === 'connected' && this.#rxPending === 0;
    if (!couldFlow || now - this.#quietSince < this.#stallMs) {
      if (!couldFlow) this.#quietSince = now;
      return;
    }
    this.#quietSince = now;
    for (const t of waiting) {
      if (++t.stalls > MAX_STALLS) this.#fail(t, FileErrorCode.Stalled, `no data for ${this.#stallSeconds(MAX_STALLS)} s`, true);
      else void this.#resume(t);
    }
  }

  #chunkBytes(): number {
    const max = this.#pc.sctp?.maxMessageSize;
    if (max === undefined || Number.isNaN(max) || max < MIN_BLOCK_BYTES + FRAME_HEADER_BYTES) return DEFAULT_CHUNK_BYTES;
    return Math.min(max, MAX_CHUNK_BYTES);
  }

  // ---- sending --------------------------------------------------------------------------------------

  #kick(): void {
    const wake = this.#wake;
    this.#wake = undefined;
    wake?.();
    if (!this.#pumping && !this.#closed) void this.#pump();
  }

  #sleep(): Promise<void> {
    return new Promise((resolve) => (this.#wake = resolve));
  }

  /** The one send loop: picks the first transfer that may send, reads, hashes and sends a block. */
  async #pump(): Promise<void> {
    this.#pumping = true;
    try {
      while (!this.#closed) {
        for (const t of this.#outgoing) {
          if (t.handle._state === TransferState.Transferring && t.next >= t.blocks && !t.endSent && !t.awaitingResume) void this.#sendEnd(t);
        }
        const dc = this.#channel;
        const t = this.#outgoing.find(
          (t) =>
            t.handle._state === TransferState.Transferring &&
            t.next < t.blocks &&
            !t.awaitingResume &&
            (t.next - t.acked) * t.blockSize < WINDOW_BYTES,
        );
        const waiting = this.#outgoing.some((t) => t.handle._state === TransferState.Transferring || t.handle._state === TransferState.Offered);
        if (!t) {
          if (!waiting) return;
          await this.#sleep();
          continue;
        }
        if (!dc || dc.readyState !== 'open' || dc.bufferedAmount > HIGH_WATER_BYTES) {
          await this.#sleep();
          continue;
        }
        const index = t.next;
        const epoch = t.epoch;
        let block: ReadBlock;
        try {
          block = await this.#block(t, index);
        } catch (error) {
          this.#fail(t, FileErrorCode.ReadFailed, `could not read the file: ${String(error)}`, true);
          continue;
        }
        if (t.handle._state !== TransferState.Transferring || t.epoch !== epoch || t.next !== index) continue;
        if (dc !== this.#channel || dc.readyState !== 'open') continue;
        // The block was read in place; send() copies, so its piece's memory is free once all of it is sent.
        writeBlockHeader(block.frame, t.tag, index, epoch, block.hash);
        try {
          dc.send(block.frame);
        } catch {
          // The channel is closing; the receiver asks for the rest when a new one opens.
          await this.#sleep();
          continue;
        }
        t.next = index + 1;
      }
    } finally {
      this.#pumping = false;
    }
  }

  /** Block `index` and its hash, from the piece read for it; starts reading the next piece. */
  async #block(t: Outgoing, index: number): Promise<ReadBlock> {
    const holds = (p: ReadPiece | undefined) => !!p && p.epoch === t.epoch && index >= p.from && index < p.from + p.count;
    let piece = t.reading;
    if (!piece || !holds(piece)) {
      // The piece before has been sent (send() copies), so its memory takes the next read.
      if (piece?.buffer && t.spare.length < 2) t.spare.push(piece.buffer);
      piece = t.reading = t.readAhead && holds(t.readAhead) ? t.readAhead : this.#read(t, index);
      t.readAhead = undefined;
    }
    const after = piece.from + piece.count;
    if (!t.readAhead && after < t.blocks) t.readAhead = this.#read(t, after);
    return (await piece.blocks)[index - piece.from]!;
  }

  /** Reads whole blocks from `from` in one piece, each into its frame, and hashes each, for the current epoch. */
  #read(t: Outgoing, from: number): ReadPiece {
    const count = Math.min(Math.max(1, Math.floor(READ_BYTES / t.blockSize)), t.blocks - from);
    const epoch = t.epoch;
    const piece: ReadPiece = { from, count, epoch, blocks: Promise.resolve([]) };
    piece.blocks = (async () => {
      const frames = await this.#readFrames(t, from, count);
      piece.buffer = frames[0]!.buffer;
      const payloads = frames.map((frame) => frame.subarray(FRAME_HEADER_BYTES));
      // digest() copies its input at once, so the buffer may be reused as soon as the piece is sent.
      const hashes = await Promise.all(payloads.map((payload) => crypto.subtle.digest('SHA-256', payload)));
      return frames.map((frame, i) => {
        t.hashes.set(new Uint8Array(hashes[i]!), (from + i) * 32);
        return { frame, payload: payloads[i]!, hash: hashes[i]! };
      });
    })();
    piece.blocks.catch(() => {}); // a piece read ahead and never used must not be an unhandled rejection
    return piece;
  }

  /**
   * Blocks `from` to `from + count`, each read into a frame (room for the header, then the block)
   * laid out one after another in one buffer. Read from one stream of the file into reused
   * buffers: far cheaper than a `slice()` and `arrayBuffer()` per piece (a sixth of the time in
   * Chromium), and no garbage. A read that does not continue where the last one ended opens the
   * stream anew.
   */
  #readFrames(t: Outgoing, from: number, count: number): Promise<Uint8Array<ArrayBuffer>[]> {
    const source = (t.source ??= { position: -1, last: Promise.resolve() });
    const stride = FRAME_HEADER_BYTES + t.blockSize;
    const start = from * t.blockSize;
    const lengths = Array.from({ length: count }, (_, i) => Math.min(t.blockSize, t.handle.size - start - i * t.blockSize));
    const read = source.last.then(async () => {
      if (source.byob !== false && (source.position !== start || !source.reader)) {
        source.reader?.cancel().catch(() => {});
        source.reader = byobReader(t.file.slice(start));
        source.byob = !!source.reader;
        source.position = start;
      }
      let buffer = t.spare.pop() ?? new ArrayBuffer(count * stride);
      if (buffer.byteLength < count * stride) buffer = new ArrayBuffer(count * stride);
      const end = Math.min(start + count * t.blockSize, t.handle.size);
      if (!source.reader) {
        // Without a byte stream: the piece in one slice, its blocks copied into their frames.
        const bytes = new Uint8Array(await t.file.slice(start, end).arrayBuffer());
        if (bytes.byteLength !== end - start) throw new Error('the file changed size');
        for (const [i, length] of lengths.entries()) {
          new Uint8Array(buffer, i * stride + FRAME_HEADER_BYTES, length).set(bytes.subarray(i * t.blockSize, i * t.blockSize + length));
        }
      } else {
        for (const [i, length] of lengths.entries()) {
          for (let filled = 0; filled < length; ) {
            const { value, done } = await source.reader.read(new Uint8Array(buffer, i * stride + FRAME_HEADER_BYTES + filled, length - filled));
            if (done || !value) throw new Error('the file changed size');
            buffer = value.buffer as ArrayBuffer;
            filled += value.byteLength;
          }
        }
      }
      source.position = end;
      return lengths.map((length, i) => new Uint8Array(buffer, i * stride, FRAME_HEADER_BYTES + length));
    });
    // A failed read leaves the stream in an unknown place: the next one starts afresh.
    source.last = read.catch(() => {
      source.reader = undefined;
    });
    return read;
  }

  async #sendEnd(t: Outgoing): Promise<void> {
    t.endSent = true;
    const epoch = t.epoch;
    const hash = await fileHash(t.hashes);
    if (t.handle._state !== TransferState.Transferring || t.epoch !== epoch) return;
    t.handle._state = TransferState.Finishing;
    this.#send({ type: 'file-end', id: t.handle.id, blocks: t.blocks, hash });
  }

  // ---- control messages ---------------------------------------------------------------------------

  #onMessage(m: FileTransferMessage): void {
    if (m.type === 'file-offer') return this.#onOffer(m);
    const t = this.#find(m.id);
    if (!t || isFinal(t)) return this.#answerEnded(m); // late messages for ended transfers are normal
    if (t.dir === 'send') {
      switch (m.type) {
        case 'file-accept':
          if (t.handle._state === TransferState.Offered) {
            t.handle._state = TransferState.Transferring;
            this.#watchStalls();
            this.#kick();
          }
          return;
        case 'file-decline':
          return this.#fail(t, m.code, m.code === FileErrorCode.Declined ? 'the other side declined' : 'the other side refused', false);
        case 'file-ack':
          if (t.handle._state === TransferState.Offered) return;
          if (m.next > t.acked) t.unansweredSince = undefined;
          t.acked = Math.max(t.acked, Math.min(m.next, t.next));
          this.#progress(t, Math.min(t.handle.size, t.acked * t.blockSize));
          this.#kick();
          return;
        case 'file-resume':
          // An older resume overtaken by a newer one is void.
          if (t.handle._state === TransferState.Offered || m.epoch <= t.epoch) return;
          t.epoch = m.epoch;
          t.unansweredSince = undefined;
          t.next = t.acked = Math.min(m.next, t.next);
          t.awaitingResume = false;
          t.endSent = false;
          t.handle._state = TransferState.Transferring;
          t.handle.resumes++;
          // A channel that never finished closing carries nothing: start afresh.
          if (this.#channel?.readyState !== 'open' && this.#channel?.readyState !== 'connecting') this.#openChannel();
          this.#kick();
          return;
        case 'file-complete':
          if (t.handle._state !== TransferState.Finishing) return;
          return void this.#completeSend(t);
        case 'file-cancel':
          return this.#onPeerCancel(t, m.code);
        default:
          return;
      }
    }
    switch (m.type) {
      case 'file-end':
        if (t.handle._state !== TransferState.Transferring && t.handle._state !== TransferState.Offered) return;
        if (m.blocks !== t.blocks) {
          return this.#fail(t, FileErrorCode.SizeMismatch, `the sender ended after ${m.blocks} of ${t.blocks} blocks`, true);
        }
        t.end = { blocks: m.blocks, hash: m.hash };
        if (t.handle._state === TransferState.Transferring && t.next === t.blocks) void this.#finish(t);
        return;
      case 'file-resync':
        // Unless a newer resume is already on its way, the frames of the sender's epoch may be lost.
        if (m.epoch === t.epoch) void this.#resume(t);
        return;
      case 'file-cancel':
        return this.#onPeerCancel(t, m.code);
      default:
        return;
    }
  }

  #onPeerCancel(t: Transfer, code: FileErrorCode): void {
    const mine = code === FileErrorCode.Cancelled ? FileErrorCode.CancelledByPeer : code;
    this.#fail(t, mine, code === FileErrorCode.Cancelled ? 'the other side cancelled' : `the other side ended the transfer (${code})`, false);
  }

  /**
   * The peer speaks of a transfer this side has ended or never had. A re-sync after a move to a new
   * connection (a repeated offer, accept, resync or resume) gets how it ended, since the message
   * that said so may have been lost with the old connection; one this side never had (a new page
   * after a reload) gets `file-closed`. Anything else is a late message, which is normal.
   */
  #answerEnded(m: FileTransferMessage): void {
    if (m.type !== 'file-offer' && m.type !== 'file-accept' && m.type !== 'file-resync' && m.type !== 'file-resume') return;
    const outcome = this.#outcomes.get(m.id) ?? (m.type === 'file-offer' ? undefined : FileErrorCode.Closed);
    if (outcome === 'complete') {
      if (m.type === 'file-resync' || m.type === 'file-resume') this.#send({ type: 'file-complete', id: m.id });
    } else if (outcome && m.type === 'file-offer' && DECLINE_CODES.has(outcome)) {
      this.#send({ type: 'file-decline', id: m.id, code: outcome });
    } else if (outcome) {
      this.#send({ type: 'file-cancel', id: m.id, code: outcome });
    }
  }

  #remember(id: string, outcome: FileErrorCode | 'complete'): void {
    this.#outcomes.delete(id);
    this.#outcomes.set(id, outcome);
    if (this.#outcomes.size > ENDED_TAGS_REMEMBERED) this.#outcomes.delete(this.#outcomes.keys().next().value!);
  }

  async #completeSend(t: Outgoing): Promise<void> {
    t.handle._state = TransferState.Done;
    this.#progress(t, t.handle.size, true);
    const hash = await fileHash(t.hashes);
    const result: SentFile = { id: t.handle.id, name: t.handle.name, size: t.handle.size, transferHash: hash, blockSize: t.blockSize, hash };
    this.#forget(t);
    t.handle._resolve(result);
    this.emit('sent', result);
  }

  #onOffer(m: Extract<FileTransferMessage, { type: 'file-offer' }>): void {
    const name = sanitizeFileName(m.name);
    const refuse = (code: FileErrorCode, message: string) => {
      if (!this.#find(m.id)) this.#remember(m.id, code);
      this.#send({ type: 'file-decline', id: m.id, code });
      this.emit('error', { id: m.id, direction: 'receive', name, code, message });
    };
    const known = this.#incoming.get(m.id);
    // Offered again after a move to a new connection (this side may or may not have had it).
    if (known?.moved && known.tag === m.tag && known.handle.size === m.size && known.blockSize === m.blockSize) return;
    if (!known && this.#outcomes.has(m.id)) return this.#answerEnded(m);
    if (this.#find(m.id) || this.#incomingByTag.has(m.tag)) return refuse(FileErrorCode.InvalidOffer, 'an offer with this id or tag exists');
    const blocks = Math.ceil(m.size / m.blockSize);
    if (blocks > 0xffffffff) return refuse(FileErrorCode.InvalidOffer, 'too many blocks');
    const pending = [...this.#incoming.values()].filter((t) => t.handle._state === TransferState.Offered).length;
    if (pending >= this.#maxPending) return refuse(FileErrorCode.TooMany, 'too many offers at once');
    if (m.size > this.#maxSize) return refuse(FileErrorCode.TooLarge, `${name} is larger than ${this.#maxSize} bytes`);
    if (!isAcceptedType(name, m.mime, this.#accept)) return refuse(FileErrorCode.TypeNotAccepted, `${name}: ${m.mime || 'this type'} is not accepted`);
    const handle = new FileTransfer<ReceivedFile>(m.id, 'receive', name, m.size, m.mime, () => this.cancel(m.id));
    const offer = new IncomingOffer(m.id, name, m.name, m.size, m.mime, this, handle);
    const t: Incoming = {
      dir: 'receive',
      handle,
      offer,
      tag: m.tag,
      blockSize: m.blockSize,
      blocks,
      arrived: 0,
      epoch: 0,
      lost: false,
      stalls: 0,
      pending: 0,
      batch: [],
      batchBytes: 0,
      stopping: new AbortController(),
      next: 0,
      ackedUpTo: 0,
      ackedAt: 0,
      hashes: new Uint8Array(blocks * 32),
      moved: false,
      resync: false,
      progressAt: 0,
      progressBytes: 0,
    };
    this.#incoming.set(m.id, t);
    this.#incomingByTag.set(m.tag, t);
    this.emit('offer', offer);
  }

  // ---- receiving ------------------------------------------------------------------------------------

  #onFrame(data: unknown): void {
    const frame = data instanceof ArrayBuffer ? decodeBlockFrame(data) : undefined;
    const t = frame && this.#incomingByTag.get(frame.tag);
    if (!frame || !t) {
      if (frame && this.#endedTags.has(frame.tag)) return; // in flight when the transfer ended
      this.emit('error', { direction: 'receive', code: FileErrorCode.BadFrame, message: frame ? `no transfer has tag ${frame.tag}` : 'not a block frame' });
      return;
    }
    const state = t.handle._state;
    if (state !== TransferState.Transferring || (t.sink && !t.opened)) {
      // Offered, or accepted while its file is still being opened: the peer was not told to send yet.
      if (state === TransferState.Offered || state === TransferState.Transferring) this.#fail(t, FileErrorCode.BadFrame, 'a block before the offer was accepted', true);
      return;
    }
    // Frames sent before this side's last resume are void; the resume asked for them again. They
    // still show that the sender is alive, so they do not count as a stall.
    if (frame.epoch < t.epoch) {
      this.#quietSince = performance.now();
      return;
    }
    if (frame.epoch > t.epoch) return this.#fail(t, FileErrorCode.BadFrame, `a block of epoch ${frame.epoch}, which was never asked for`, true);
    // Checked on arrival, in wire order, so the verdict does not depend on hashing speed.
    const { index } = frame;
    const expected = index < t.blocks ? Math.min(t.blockSize, t.handle.size - index * t.blockSize) : 0;
    if (index >= t.blocks || frame.payload.byteLength > expected) {
      return this.#fail(t, FileErrorCode.BeyondSize, `block ${index} goes beyond the offered ${t.handle.size} bytes`, true);
    }
    if (index < t.arrived) return this.#fail(t, FileErrorCode.Duplicate, `block ${index} arrived twice`, true);
    if (index > t.arrived) return this.#fail(t, FileErrorCode.OutOfOrder, `block ${index} arrived before block ${t.arrived}`, true);
    if (frame.payload.byteLength < expected) {
      return this.#fail(t, FileErrorCode.SizeMismatch, `block ${index} has ${frame.payload.byteLength} of ${expected} bytes`, true);
    }
    t.arrived = index + 1;
    t.stalls = 0;
    this.#quietSince = performance.now();
    const block: ArrivedBlock = { index, hash: frame.hash, payload: frame.payload };
    if (t.opened?.check) {
      // The disk worker hashes, checks and writes the block, off this thread; the frame's buffer
      // moves there, so the hash is kept as a copy.
      block.hash = frame.hash.slice();
      block.written = t.opened.check(index * t.blockSize, frame.payload, block.hash);
      block.written.catch(() => {});
    } else {
      // Hashing starts now, alongside the frames before it; verifying and writing go in order.
      block.digest = crypto.subtle.digest('SHA-256', frame.payload);
      block.digest.catch(() => {});
    }
    this.#rxPending++;
    t.pending++;
    this.#rx = this.#rx
      .then(() => {
        this.#rxTaking = { t, since: performance.now() };
        return this.#takeBlock(t, block);
      })
      .catch((error: unknown) => this.#fail(t, FileErrorCode.WriteFailed, `could not write: ${String(error)}`, true))
      .finally(() => {
        this.#rxTaking = undefined;
        this.#rxPending--;
        this.#quietSince = performance.now();
      });
  }

  /**
   * Takes one block in arrival order: once the disk worker has checked and written it, or once it
   * is verified here and added to the batch, which is written when nothing else of this file
   * waits or it is full.
   */
  async #takeBlock(t: Incoming, block: ArrivedBlock): Promise<void> {
    t.pending--;
    if (t.handle._state !== TransferState.Transferring) return;
    if (block.written) {
      try {
        await unlessStopped(block.written, t);
      } catch (error) {
        if (error instanceof BlockHashMismatch) return this.#fail(t, FileErrorCode.HashMismatch, `block ${block.index} does not match its SHA-256`, true);
        return this.#fail(t, FileErrorCode.WriteFailed, `could not write: ${String(error)}`, true);
      }
      if (t.handle._state !== TransferState.Transferring) return;
      t.hashes.set(block.hash, block.index * 32);
      t.next = block.index + 1;
      return this.#written(t);
    }
    const hash = new Uint8Array(await block.digest!);
    if (t.handle._state !== TransferState.Transferring) return;
    if (!hash.every((b, i) => b === block.hash[i])) {
      return this.#fail(t, FileErrorCode.HashMismatch, `block ${block.index} does not match its SHA-256`, true);
    }
    t.hashes.set(hash, block.index * 32);
    t.batch.push(block.payload);
    t.batchBytes += block.payload.byteLength;
    if (t.pending > 0 && t.batchBytes < WRITE_BYTES) return;
    const batch = t.batch;
    t.batch = [];
    t.batchBytes = 0;
    try {
      // Block by block into the writable's queue (joining them would make one more copy of
      // everything), awaited together.
      const written = t.writer ? Promise.all(batch.map((payload) => t.writer!.write(payload))) : t.opened!.append(t.next * t.blockSize, batch);
      await unlessStopped<unknown>(written, t);
    } catch (error) {
      return this.#fail(t, FileErrorCode.WriteFailed, `could not write: ${String(error)}`, true);
    }
    if (t.handle._state !== TransferState.Transferring) return;
    t.next += batch.length;
    return this.#written(t);
  }

  /** Blocks up to `t.next` are written: acknowledges them every so often, and ends the file after the last. */
  async #written(t: Incoming): Promise<void> {
    const bytes = Math.min(t.handle.size, t.next * t.blockSize);
    // Also after a pause as long as stallMs, so that a slow disk does not look like silence to the sender.
    const now = performance.now();
    if ((t.next - t.ackedUpTo) * t.blockSize >= ACK_EVERY_BYTES || t.next === t.blocks || now - t.ackedAt >= this.#stallMs) {
      t.ackedUpTo = t.next;
      t.ackedAt = now;
      this.#send({ type: 'file-ack', id: t.handle.id, next: t.next });
      this.#progress(t, bytes);
    } else {
      t.handle._bytes = bytes;
    }
    if (t.next === t.blocks && t.end) await this.#finish(t);
  }

  async #finish(t: Incoming): Promise<void> {
    t.handle._state = TransferState.Finishing;
    const hash = await fileHash(t.hashes);
    if (t.handle._state !== TransferState.Finishing) return;
    if (hash !== t.end!.hash) return this.#fail(t, FileErrorCode.HashMismatch, 'the file hash does not match', true);
    let blob: Blob | undefined;
    // Bounded like a write (see #checkStalls): a writable that never finishes closing would leave
    // both sides waiting for this file for good.
    t.closingSince = performance.now();
    this.#watchStalls();
    try {
      if (t.writer) await unlessStopped(t.writer.close(), t);
      else blob = await unlessStopped(t.opened!.finish(t.handle.type), t);
    } catch (error) {
      return this.#fail(t, FileErrorCode.WriteFailed, `could not close the file: ${String(error)}`, true);
    }
    if (t.handle._state !== TransferState.Finishing) return;
    t.handle._state = TransferState.Done;
    this.#send({ type: 'file-complete', id: t.handle.id });
    this.#progress(t, t.handle.size, true);
    const { id, name, size, type } = t.handle;
    const result: ReceivedFile = { id, name, size, type, transferHash: hash, blockSize: t.blockSize, hash, ...(blob ? { blob } : {}) };
    this.#remember(id, 'complete');
    this.#forget(t);
    t.handle._resolve(result);
    this.emit('received', result);
  }

  // ---- shared -----------------------------------------------------------------------------------------

  #find(id: string): Transfer | undefined {
    return this.#incoming.get(id) ?? this.#outgoing.find((t) => t.handle.id === id);
  }

  #send(message: UnversionedFileMessage): boolean {
    if (this.#closed) return false;
    try {
      // A sender that returns false (the session's, while its control channel is not open) did not send.
      return (this.#sendText(encodeFileTransferMessage(message)) as unknown) !== false;
    } catch {
      return false;
    }
  }

  #progress(t: Transfer, bytes: number, force = false): void {
    const now = performance.now();
    const h = t.handle;
    if (t.progressAt) {
      const dt = (now - t.progressAt) / 1000;
      if (dt > 0.05) {
        const rate = (bytes - t.progressBytes) / dt;
        h._rate = h._rate ? h._rate * 0.7 + rate * 0.3 : rate;
        t.progressAt = now;
        t.progressBytes = bytes;
      }
    } else {
      t.progressAt = now;
      t.progressBytes = bytes;
    }
    if (bytes === h._bytes && !force) return;
    h._bytes = bytes;
    this.emit('progress', { id: h.id, direction: h.direction, name: h.name, size: h.size, bytes, bytesPerSecond: h._rate });
  }

  /**
   * The one way a transfer fails: marks it, tells the peer if asked, releases its file, rejects its
   * promise and, unless this side asked for it (`quiet`), fires `error`.
   */
  #fail(t: Transfer, code: FileErrorCode, message: string, notifyPeer: boolean, announce = true): void {
    if (isFinal(t)) return;
    t.handle._state = TransferState.Failed;
    this.#remember(t.handle.id, code);
    if (notifyPeer) this.#send({ type: 'file-cancel', id: t.handle.id, code });
    if (t.dir === 'receive') {
      if (t.writer) t.writer.abort(message).catch(() => {});
      else void t.sink?.then((sink) => sink.discard());
    }
    this.#forget(t);
    const error = new FileTransferError(code, message, t.handle.id);
    t.handle._reject(error);
    if (announce) this.emit('error', { id: t.handle.id, direction: t.dir, name: t.handle.name, code, message });
    this.#kick();
  }

  #forget(t: Transfer): void {
    if (t.dir === 'send') {
      this.#outgoing = this.#outgoing.filter((o) => o !== t);
      t.reading = t.readAhead = undefined;
      t.source?.reader?.cancel().catch(() => {});
      t.source = undefined;
      t.spare = [];
      return;
    }
    t.batch = [];
    t.stopping.abort();
    this.#incoming.delete(t.handle.id);
    this.#incomingByTag.delete(t.tag);
    this.#endedTags.add(t.tag);
    if (this.#endedTags.size > ENDED_TAGS_REMEMBERED) this.#endedTags.delete(this.#endedTags.values().next().value!);
  }
}

/**
 * What `work` gives, or undefined as soon as `t` ends. Listens for the end only while `work` runs,
 * so a file of any number of blocks leaves nothing behind per block.
 */
function unlessStopped<T>(work: Promise<T>, t: Incoming): Promise<T | undefined> {
  const { signal } = t.stopping;
  return new Promise<T | undefined>((resolve, reject) => {
    const stop = () => resolve(undefined);
    if (signal.aborted) stop();
    else signal.addEventListener('abort', stop, { once: true });
    work.then(
      (value) => {
        signal.removeEventListener('abort', stop);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', stop);
        reject(error);
      },
    );
  });
}

/** A reader that fills our own buffers, or undefined where a Blob's stream has none. */
function byobReader(blob: Blob): ReadableStreamBYOBReader | undefined {
  try {
    return blob.stream().getReader({ mode: 'byob' });
  } catch {
    return undefined;
  }
}

/** Only a well-formed MIME type travels in an offer; anything else is sent as unknown. */
function sanitizeMime(mime: string): string {
  return /^[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,126}\/[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,126}$/.test(mime) ? mime : '';
}
