/**
 * Received blocks, from frame to disk: each frame is checked on arrival, in wire order, then
 * hashed and verified (here, or by the disk worker), written in order, acknowledged every so often,
 * and the file is checked against the transfer hash and closed after the last block.
 */
import { decodeBlockFrame, FileErrorCode, fileHash, type UnversionedFileMessage } from '../protocol/file-transfer.js';
import { frameFault } from './blocks.js';
import { BlockHashMismatch } from './store.js';
import { TransferState, type ReceivedFile, type TransferErrorDetail } from './transfer.js';
import type { Incoming } from './receiver.js';

/** The receiver acknowledges at least every this many bytes (and at the last block, and after `stallMs` without one). */
export const ACK_EVERY_BYTES = 1024 * 1024;
/**
 * The receiver writes verified blocks that are waiting anyway in one piece of up to this size:
 * fewer writes to the disk, fewer Blob parts.
 */
const WRITE_BYTES = 2 * 1024 * 1024;

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

/** What the intake needs from the engine around it. */
export interface IntakeNeeds {
  /** The transfer a frame's tag names, if it is receiving. */
  byTag(tag: number): Incoming | undefined;
  /** Whether the tag was a transfer's that ended (its late frames are dropped quietly). */
  ended(tag: number): boolean;
  send(message: UnversionedFileMessage): boolean;
  /** Ends `t` (see the manager's `fail`); `announce` false for this side's own decline or cancel. */
  fail(t: Incoming, code: FileErrorCode, message: string, notifyPeer: boolean, announce?: boolean): void;
  progress(t: Incoming, bytes: number, force?: boolean): void;
  /** A frame that belongs to no transfer. */
  error(detail: TransferErrorDetail): void;
  /** A file arrived whole, checked and closed. */
  received(t: Incoming, result: ReceivedFile): void;
  watchStalls(): void;
  stallMs: number;
}

export class Intake {
  /** Received blocks are hashed and written one after another, in arrival order. */
  queue: Promise<void> = Promise.resolve();
  /** Frames received and not yet hashed and written. */
  pending = 0;
  /** The incoming transfer whose block the queue is taking now, and since when. */
  taking?: { t: Incoming; since: number };
  /** When data last arrived (or the link last could not carry it): the start of a possible stall. */
  quietSince = 0;

  constructor(private readonly io: IntakeNeeds) {}

  /** A message on the peer's channel. */
  frame(data: unknown): void {
    const frame = data instanceof ArrayBuffer ? decodeBlockFrame(data) : undefined;
    const t = frame && this.io.byTag(frame.tag);
    if (!frame || !t) {
      if (frame && this.io.ended(frame.tag)) return; // in flight when the transfer ended
      this.io.error({
        direction: 'receive',
        code: FileErrorCode.BadFrame,
        message: frame ? `no transfer has tag ${frame.tag}` : 'not a block frame',
      });
      return;
    }
    const state = t.ctl.state;
    if (state !== TransferState.Transferring || (t.sink && !t.opened)) {
      // Offered, or accepted while its file is still being opened: the peer was not told to send yet.
      if (state === TransferState.Offered || state === TransferState.Transferring)
        this.io.fail(t, FileErrorCode.BadFrame, 'a block before the offer was accepted', true);
      return;
    }
    // Frames sent before this side's last resume are void; the resume asked for them again. They
    // still show that the sender is alive, so they do not count as a stall.
    if (frame.epoch < t.epoch) {
      this.quietSince = performance.now();
      return;
    }
    if (frame.epoch > t.epoch) return this.io.fail(t, FileErrorCode.BadFrame, `a block of epoch ${frame.epoch}, which was never asked for`, true);
    // Checked on arrival, in wire order, so the verdict does not depend on hashing speed.
    const { index } = frame;
    const fault = frameFault(index, frame.payload.byteLength, { arrived: t.arrived, blockSize: t.blockSize, size: t.handle.size });
    if (fault) return this.io.fail(t, fault.code, fault.message, true);
    t.arrived = index + 1;
    t.stalls = 0;
    this.quietSince = performance.now();
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
    this.pending++;
    t.pending++;
    this.queue = this.queue
      .then(() => {
        this.taking = { t, since: performance.now() };
        return this.#take(t, block);
      })
      .catch((error: unknown) => this.io.fail(t, FileErrorCode.WriteFailed, `could not write: ${String(error)}`, true))
      .finally(() => {
        this.taking = undefined;
        this.pending--;
        this.quietSince = performance.now();
      });
  }

  /**
   * Takes one block in arrival order: once the disk worker has checked and written it, or once it
   * is verified here and added to the batch, which is written when nothing else of this file
   * waits or it is full.
   */
  async #take(t: Incoming, block: ArrivedBlock): Promise<void> {
    t.pending--;
    if (t.ctl.state !== TransferState.Transferring) return;
    if (block.written) {
      try {
        await unlessStopped(block.written, t);
      } catch (error) {
        if (error instanceof BlockHashMismatch)
          return this.io.fail(t, FileErrorCode.HashMismatch, `block ${block.index} does not match its SHA-256`, true);
        return this.io.fail(t, FileErrorCode.WriteFailed, `could not write: ${String(error)}`, true);
      }
      if (t.ctl.state !== TransferState.Transferring) return;
      t.hashes.set(block.hash, block.index * 32);
      t.next = block.index + 1;
      return this.#written(t);
    }
    const hash = new Uint8Array(await block.digest!);
    if (t.ctl.state !== TransferState.Transferring) return;
    if (!hash.every((b, i) => b === block.hash[i])) {
      return this.io.fail(t, FileErrorCode.HashMismatch, `block ${block.index} does not match its SHA-256`, true);
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
      return this.io.fail(t, FileErrorCode.WriteFailed, `could not write: ${String(error)}`, true);
    }
    if (t.ctl.state !== TransferState.Transferring) return;
    t.next += batch.length;
    return this.#written(t);
  }

  /** Blocks up to `t.next` are written: acknowledges them every so often, and ends the file after the last. */
  async #written(t: Incoming): Promise<void> {
    const bytes = Math.min(t.handle.size, t.next * t.blockSize);
    // Also after a pause as long as stallMs, so that a slow disk does not look like silence to the sender.
    const now = performance.now();
    if ((t.next - t.ackedUpTo) * t.blockSize >= ACK_EVERY_BYTES || t.next === t.blocks || now - t.ackedAt >= this.io.stallMs) {
      t.ackedUpTo = t.next;
      t.ackedAt = now;
      this.io.send({ type: 'file-ack', id: t.handle.id, next: t.next });
      this.io.progress(t, bytes);
    } else {
      t.ctl.bytes = bytes;
    }
    if (t.next === t.blocks && t.end) await this.finish(t);
  }

  /** Every block is written and the end has come: checks the transfer hash, closes the file, confirms it. */
  async finish(t: Incoming): Promise<void> {
    t.ctl.state = TransferState.Finishing;
    const hash = await fileHash(t.hashes);
    if (t.ctl.state !== TransferState.Finishing) return;
    if (hash !== t.end!.hash) return this.io.fail(t, FileErrorCode.HashMismatch, 'the file hash does not match', true);
    let blob: Blob | undefined;
    // Bounded like a write (see the stall watch): a writable that never finishes closing would
    // leave both sides waiting for this file for good.
    t.closingSince = performance.now();
    this.io.watchStalls();
    try {
      if (t.writer) await unlessStopped(t.writer.close(), t);
      else blob = await unlessStopped(t.opened!.finish(t.handle.type), t);
    } catch (error) {
      return this.io.fail(t, FileErrorCode.WriteFailed, `could not close the file: ${String(error)}`, true);
    }
    if (t.ctl.state !== TransferState.Finishing) return;
    t.ctl.state = TransferState.Done;
    this.io.send({ type: 'file-complete', id: t.handle.id });
    this.io.progress(t, t.handle.size, true);
    const { id, name, size, type } = t.handle;
    this.io.received(t, { id, name, size, type, transferHash: hash, blockSize: t.blockSize, hash, ...(blob ? { blob } : {}) });
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
