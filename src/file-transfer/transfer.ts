/**
 * The handles a page holds for files on the move: {@link FileTransfer} for each file in either
 * direction and {@link IncomingOffer} for an offer waiting for an answer, with the types they
 * report. The engine changes a handle only through its {@link TransferControl}; an offer reaches
 * the engine only through the callbacks it was given.
 */
import type { FileErrorCode } from '../protocol/file-transfer.js';

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

export interface AcceptOptions {
  /**
   * Where to write, in order: a File System Access `FileSystemWritableFileStream` (from
   * `showSaveFilePicker()` then `createWritable()`) or any `WritableStream` of bytes. It is closed
   * when the file is complete and aborted if the transfer fails. Without it, the file is assembled
   * as a Blob from its blocks.
   */
  writable?: WritableStream<Uint8Array>;
}

/** Set by {@link FileTransfer}'s static block, the one place that reaches a handle's private state. */
let controlOf: <R>(t: FileTransfer<R>) => TransferControl<R>;

/** One file moving in one direction: progress, a promise, and a way to stop it. */
export class FileTransfer<R = SentFile | ReceivedFile> {
  /** Settles when the transfer ends: resolves on success, rejects with a {@link FileTransferError}. */
  readonly done: Promise<R>;
  #resolve!: (value: R) => void;
  #reject!: (error: FileTransferError) => void;
  #state: TransferState = TransferState.Offered;
  #bytes = 0;
  #rate = 0;
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
      this.#resolve = resolve;
      this.#reject = reject;
    });
    // Whoever holds the handle decides whether to await it; an ignored failure is not an unhandled rejection.
    this.done.catch(() => {});
  }

  static {
    controlOf = <R>(t: FileTransfer<R>): TransferControl<R> => ({
      handle: t,
      get state() {
        return t.#state;
      },
      set state(state: TransferState) {
        t.#state = state;
      },
      get bytes() {
        return t.#bytes;
      },
      set bytes(bytes: number) {
        t.#bytes = bytes;
      },
      get rate() {
        return t.#rate;
      },
      set rate(rate: number) {
        t.#rate = rate;
      },
      resumed: () => void t.resumes++,
      resolve: (value) => t.#resolve(value),
      reject: (error) => t.#reject(error),
    });
  }

  get state(): TransferState {
    return this.#state;
  }

  /** Verified bytes so far (acknowledged by the receiver, on the sending side). */
  get bytes(): number {
    return this.#bytes;
  }

  /** Smoothed bytes per second, 0 until known. */
  get bytesPerSecond(): number {
    return this.#rate;
  }

  /** Stops the transfer and tells the other side. Does nothing once it has ended. */
  cancel(): void {
    this.cancelFn();
  }
}

/**
 * What the engine may change on a handle, and the only way it does: the state, the verified bytes
 * and rate, the count of resumes, and settling `done`.
 * @internal
 */
export interface TransferControl<R> {
  readonly handle: FileTransfer<R>;
  state: TransferState;
  bytes: number;
  rate: number;
  resumed(): void;
  resolve(value: R): void;
  reject(error: FileTransferError): void;
}

/**
 * A new handle and the control the engine keeps for it.
 * @internal
 */
export function newTransfer<R>(
  id: string,
  direction: TransferDirection,
  name: string,
  size: number,
  type: string,
  cancel: () => void,
): TransferControl<R> {
  return controlOf(new FileTransfer<R>(id, direction, name, size, type, cancel));
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
    private readonly answers: { accept(options: AcceptOptions): void; decline(): void },
    private readonly transfer: FileTransfer<ReceivedFile>,
  ) {}

  /**
   * Accepts the file; the returned transfer's `done` resolves with the {@link ReceivedFile}.
   * An offer that has ended meanwhile (the sender cancelled it, the call ended, or it was declined)
   * starts nothing: its ended transfer is returned, whose `done` rejects with the reason, and a
   * `writable` given here is left as it is.
   */
  accept(options: AcceptOptions = {}): FileTransfer<ReceivedFile> {
    if (this.transfer.state === TransferState.Offered) this.answers.accept(options);
    return this.transfer;
  }

  /** Declines the file; the sender's transfer fails with `file-declined`. Does nothing once the offer has ended. */
  decline(): void {
    this.answers.decline();
  }
}
