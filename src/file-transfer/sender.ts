/**
 * The sending side: files offered, then sent one block after another on this side's channel under
 * the flow-control marks and the acknowledgement window, resumed where the receiver says, and
 * done when the receiver confirms them.
 */
import { FileErrorCode, fileHash, writeBlockHeader, type FileTransferMessage, type UnversionedFileMessage } from '../protocol/file-transfer.js';
import { blockCount, sanitizeMime } from './blocks.js';
import { HIGH_WATER_BYTES, type FileChannels } from './channels.js';
import { BlockReader, type ReadBlock } from './reader.js';
import { newTransfer, TransferState, type FileTransfer, type SentFile, type TransferControl } from './transfer.js';

/**
 * At most this much of one file is sent but not yet acknowledged. It bounds what the receiver
 * holds in memory while it hashes and writes (a slow disk cannot make it queue the whole file).
 */
export const WINDOW_BYTES = 8 * 1024 * 1024;

/** A file this side sends. */
export interface Outgoing {
  dir: 'send';
  ctl: TransferControl<SentFile>;
  handle: FileTransfer<SentFile>;
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
  reader: BlockReader;
  /** Since when this side waits on the receiver (blocks unacknowledged, a resume or the confirmation) without a word from it. */
  unansweredSince?: number;
  /** The call moved to a new connection: the offer, or the wish to resume, goes out again on its control channel. */
  resync: boolean;
  progressAt: number;
  progressBytes: number;
}

/** What the sending side needs from the engine around it. */
export interface SenderNeeds {
  channels: FileChannels;
  /** Sends a control message; false if it could not go out. */
  send(message: UnversionedFileMessage): boolean;
  fail(t: Outgoing, code: FileErrorCode, message: string, notifyPeer: boolean): void;
  progress(t: Outgoing, bytes: number, force?: boolean): void;
  /** The receiver confirmed a whole file. */
  sent(result: SentFile): void;
  /** Watch for a silent receiver from now on. */
  watchStalls(): void;
  closed(): boolean;
}

/** The sender cannot go on without a word from the receiver: blocks unacknowledged, a resume or the final confirmation. */
export const waitsOnReceiver = (t: Outgoing): boolean =>
  t.ctl.state === TransferState.Finishing || (t.ctl.state === TransferState.Transferring && (t.next > t.acked || t.awaitingResume));

/** The offer of an outgoing file, as sent first and again after a move to a new connection. */
export const offerMessage = (t: Outgoing): UnversionedFileMessage => ({
  type: 'file-offer',
  id: t.handle.id,
  tag: t.tag,
  name: t.handle.name.slice(0, 1024),
  size: t.handle.size,
  mime: sanitizeMime(t.handle.type),
  blockSize: t.blockSize,
});

export class Sender {
  /** Files offered or moving, in the order they were offered. */
  outgoing: Outgoing[] = [];
  #nextTag = 1;
  #pumping = false;
  #wake?: () => void;

  constructor(private readonly io: SenderNeeds) {}

  /** A new outgoing file, in blocks that fit this connection's frames; not offered yet. */
  add(id: string, file: Blob, name: string, mime: string, blockSize: number, cancel: () => void): Outgoing {
    const blocks = blockCount(file.size, blockSize);
    const hashes = new Uint8Array(blocks * 32);
    const ctl = newTransfer<SentFile>(id, 'send', name, file.size, mime, cancel);
    const t: Outgoing = {
      dir: 'send',
      ctl,
      handle: ctl.handle,
      tag: this.#nextTag++,
      blockSize,
      blocks,
      next: 0,
      acked: 0,
      awaitingResume: false,
      epoch: 0,
      endSent: false,
      hashes,
      reader: new BlockReader(file, file.size, blockSize, blocks, hashes),
      resync: false,
      progressAt: 0,
      progressBytes: 0,
    };
    this.outgoing.push(t);
    return t;
  }

  /** A control message from the receiver about `t`. */
  onMessage(t: Outgoing, m: FileTransferMessage): void {
    switch (m.type) {
      case 'file-accept':
        if (t.ctl.state === TransferState.Offered) {
          t.ctl.state = TransferState.Transferring;
          this.io.watchStalls();
          this.kick();
        }
        return;
      case 'file-decline':
        return this.io.fail(t, m.code, m.code === FileErrorCode.Declined ? 'the other side declined' : 'the other side refused', false);
      case 'file-ack':
        if (t.ctl.state === TransferState.Offered) return;
        if (m.next > t.acked) t.unansweredSince = undefined;
        t.acked = Math.max(t.acked, Math.min(m.next, t.next));
        this.io.progress(t, Math.min(t.handle.size, t.acked * t.blockSize));
        this.kick();
        return;
      case 'file-resume':
        // An older resume overtaken by a newer one is void.
        if (t.ctl.state === TransferState.Offered || m.epoch <= t.epoch) return;
        t.epoch = m.epoch;
        t.unansweredSince = undefined;
        t.next = t.acked = Math.min(m.next, t.next);
        t.awaitingResume = false;
        t.endSent = false;
        t.ctl.state = TransferState.Transferring;
        t.ctl.resumed();
        // A channel that never finished closing carries nothing: start afresh.
        this.io.channels.reopenIfDead();
        this.kick();
        return;
      case 'file-complete':
        if (t.ctl.state !== TransferState.Finishing) return;
        return void this.#complete(t);
      default:
        return;
    }
  }

  /**
   * Frames in flight on a lost channel are gone, and only the receiver knows which arrived. Each
   * unfinished outgoing file stops until the receiver says where to continue (`file-resume`, asked
   * for with `file-resync` once this side's new channel is open).
   */
  lost(): void {
    for (const t of this.outgoing) {
      if (t.ctl.state === TransferState.Transferring || t.ctl.state === TransferState.Finishing) t.awaitingResume = true;
    }
  }

  /** After a move to a new connection: offers again what is unanswered, asks to resume what was moving. */
  resync(): void {
    for (const t of this.outgoing) {
      if (!t.resync) continue;
      if (t.ctl.state === TransferState.Offered) t.resync = !this.io.send(offerMessage(t));
      else if (t.awaitingResume) t.resync = !this.io.send({ type: 'file-resync', id: t.handle.id, epoch: t.epoch });
      else t.resync = false;
    }
  }

  /** This side's new channel is open: files that lost their frames ask the receiver where to continue. */
  opened(): void {
    for (const t of this.outgoing) {
      if (t.awaitingResume) this.io.send({ type: 'file-resync', id: t.handle.id, epoch: t.epoch });
    }
    this.kick();
  }

  /** Lets go of a file that ended. */
  forget(t: Outgoing): void {
    this.outgoing = this.outgoing.filter((o) => o !== t);
    t.reader.close();
  }

  /** Wakes the send loop, or starts it. */
  kick(): void {
    const wake = this.#wake;
    this.#wake = undefined;
    wake?.();
    if (!this.#pumping && !this.io.closed()) void this.#pump();
  }

  #sleep(): Promise<void> {
    return new Promise((resolve) => (this.#wake = resolve));
  }

  /** The one send loop: picks the first transfer that may send, reads, hashes and sends a block. */
  async #pump(): Promise<void> {
    this.#pumping = true;
    try {
      while (!this.io.closed()) {
        for (const t of this.outgoing) {
          if (t.ctl.state === TransferState.Transferring && t.next >= t.blocks && !t.endSent && !t.awaitingResume) void this.#sendEnd(t);
        }
        const dc = this.io.channels.channel;
        const t = this.outgoing.find(
          (t) =>
            t.ctl.state === TransferState.Transferring && t.next < t.blocks && !t.awaitingResume && (t.next - t.acked) * t.blockSize < WINDOW_BYTES,
        );
        const waiting = this.outgoing.some((t) => t.ctl.state === TransferState.Transferring || t.ctl.state === TransferState.Offered);
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
          block = await t.reader.block(index, epoch);
        } catch (error) {
          this.io.fail(t, FileErrorCode.ReadFailed, `could not read the file: ${String(error)}`, true);
          continue;
        }
        if (t.ctl.state !== TransferState.Transferring || t.epoch !== epoch || t.next !== index) continue;
        if (dc !== this.io.channels.channel || dc.readyState !== 'open') continue;
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

  async #sendEnd(t: Outgoing): Promise<void> {
    t.endSent = true;
    const epoch = t.epoch;
    const hash = await fileHash(t.hashes);
    if (t.ctl.state !== TransferState.Transferring || t.epoch !== epoch) return;
    t.ctl.state = TransferState.Finishing;
    this.io.send({ type: 'file-end', id: t.handle.id, blocks: t.blocks, hash });
  }

  async #complete(t: Outgoing): Promise<void> {
    t.ctl.state = TransferState.Done;
    this.io.progress(t, t.handle.size, true);
    const hash = await fileHash(t.hashes);
    const result: SentFile = { id: t.handle.id, name: t.handle.name, size: t.handle.size, transferHash: hash, blockSize: t.blockSize, hash };
    this.forget(t);
    t.ctl.resolve(result);
    this.io.sent(result);
  }
}
