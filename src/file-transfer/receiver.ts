/**
 * The receiving side: offers checked against this side's limits and handed to the page, accepted
 * once there is somewhere to write, and asked to resume from the last written block under a new
 * epoch whenever frames may have been lost. The blocks themselves go through the {@link Intake}.
 */
import { FileErrorCode, MAX_EPOCH, type FileTransferMessage } from '../protocol/file-transfer.js';
import { blockCount, offerFault } from './blocks.js';
import { Intake, type IntakeNeeds } from './intake.js';
import { sanitizeFileName } from './names.js';
import { openSink, type FileSink } from './store.js';
import {
  IncomingOffer,
  newTransfer,
  TransferState,
  type AcceptOptions,
  type FileTransfer,
  type ReceivedFile,
  type TransferControl,
} from './transfer.js';

/** Tags of ended transfers remembered, so their late frames are dropped quietly. */
const ENDED_TAGS_REMEMBERED = 256;

/** A file this side receives. */
export interface Incoming {
  dir: 'receive';
  ctl: TransferControl<ReceivedFile>;
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
  /** Aborts when the transfer ends, so that nothing waits for a write that never finishes. */
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

/** What the receiving side needs from the engine around it. */
export interface ReceiverNeeds extends Pick<IntakeNeeds, 'send' | 'fail' | 'progress' | 'error' | 'watchStalls' | 'stallMs'> {
  /** The page has an offer to answer. */
  offered(offer: IncomingOffer): void;
  /** A file arrived whole. */
  received(result: ReceivedFile): void;
  /** The connection is closed and the call waits for a new one (`attach`). */
  betweenConnections(): boolean;
  /** Something else that the peer's offer id names, on either side (an id is unique on both). */
  taken(id: string): boolean;
  /** The peer offers again a transfer this side has ended or refused: answer how it ended. */
  ended(m: FileTransferMessage): boolean;
  /** Remember how a transfer ended, to answer the peer should it speak of it again. */
  remember(id: string, outcome: FileErrorCode | 'complete'): void;
  limits: { maxSize: number; accept: readonly string[] | undefined; maxPending: number; toDisk: boolean };
}

export class Receiver {
  incoming = new Map<string, Incoming>();
  #byTag = new Map<number, Incoming>();
  #endedTags = new Set<number>();
  readonly intake: Intake;

  constructor(private readonly io: ReceiverNeeds) {
    this.intake = new Intake({
      ...io,
      byTag: (tag) => this.#byTag.get(tag),
      ended: (tag) => this.#endedTags.has(tag),
      received: (t, result) => {
        io.remember(t.handle.id, 'complete');
        this.forget(t);
        t.ctl.resolve(result);
        io.received(result);
      },
    });
  }

  /** A well-formed offer: refused with a code, ignored if it is one this side holds from before a move, or handed to the page. */
  offer(m: Extract<FileTransferMessage, { type: 'file-offer' }>): void {
    const name = sanitizeFileName(m.name);
    const known = this.incoming.get(m.id);
    // Offered again after a move to a new connection (this side had it already).
    if (known?.moved && known.tag === m.tag && known.handle.size === m.size && known.blockSize === m.blockSize) return;
    if (!known && this.io.ended(m)) return;
    const pending = [...this.incoming.values()].filter((t) => t.ctl.state === TransferState.Offered).length;
    const taken = this.io.taken(m.id) || this.#byTag.has(m.tag);
    const fault = offerFault({ name, size: m.size, mime: m.mime, blockSize: m.blockSize }, { ...this.io.limits, pending, taken });
    if (fault) {
      if (!taken) this.io.remember(m.id, fault.code);
      this.io.send({ type: 'file-decline', id: m.id, code: fault.code });
      return this.io.error({ id: m.id, direction: 'receive', name, code: fault.code, message: fault.message });
    }
    const blocks = blockCount(m.size, m.blockSize);
    const ctl = newTransfer<ReceivedFile>(m.id, 'receive', name, m.size, m.mime, () => this.cancel(m.id));
    const answers = { accept: (options: AcceptOptions) => this.accept(m.id, options), decline: () => this.decline(m.id) };
    const offer = new IncomingOffer(m.id, name, m.name, m.size, m.mime, answers, ctl.handle);
    const t: Incoming = {
      dir: 'receive',
      ctl,
      handle: ctl.handle,
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
    this.incoming.set(m.id, t);
    this.#byTag.set(m.tag, t);
    this.io.offered(offer);
  }

  /** Accepts an offer by id; undefined if there is no such offer any more. */
  accept(id: string, options: AcceptOptions): FileTransfer<ReceivedFile> | undefined {
    const t = this.incoming.get(id);
    if (!t) return undefined;
    if (t.ctl.state !== TransferState.Offered) return t.handle;
    t.ctl.state = TransferState.Transferring;
    if (options.writable) {
      t.writer = options.writable.getWriter();
      this.#confirm(t);
    } else {
      // Accepted once there is somewhere to put the blocks: a sink that checks them itself then
      // gets every block, none go the other way first.
      t.sink = openSink(t.handle.size, this.io.limits.toDisk);
      t.sink.then(
        (sink) => {
          t.opened = sink;
          this.#confirm(t);
        },
        (error: unknown) => this.io.fail(t, FileErrorCode.WriteFailed, `could not open the file: ${String(error)}`, true),
      );
    }
    return t.handle;
  }

  /** Tells the peer to start sending, unless the transfer ended while its file was opened. */
  #confirm(t: Incoming): void {
    if (t.ctl.state !== TransferState.Transferring) return;
    // Between two connections the accept goes out with the re-sync on the new one.
    if (!this.io.send({ type: 'file-accept', id: t.handle.id })) {
      if (this.io.betweenConnections()) t.resync = true;
      else if (!t.resync) this.io.fail(t, FileErrorCode.Closed, 'the control channel is not open', false);
    } else if (t.blocks === 0 && t.end) void this.intake.finish(t);
    else this.io.watchStalls();
  }

  /** Declines an offer by id. */
  decline(id: string): void {
    const t = this.incoming.get(id);
    if (!t || t.ctl.state !== TransferState.Offered) return;
    this.io.send({ type: 'file-decline', id, code: FileErrorCode.Declined });
    this.io.fail(t, FileErrorCode.Declined, 'declined', false, false);
  }

  /** Cancels by id: declines an unanswered offer, else ends the transfer and tells the peer. */
  cancel(id: string): void {
    const t = this.incoming.get(id);
    if (!t || t.ctl.state === TransferState.Done || t.ctl.state === TransferState.Failed) return;
    if (t.ctl.state === TransferState.Offered) return this.decline(id);
    this.io.fail(t, FileErrorCode.Cancelled, 'cancelled', true, false);
  }

  /** A control message from the sender about `t`. */
  onMessage(t: Incoming, m: FileTransferMessage): void {
    switch (m.type) {
      case 'file-end':
        if (t.ctl.state !== TransferState.Transferring && t.ctl.state !== TransferState.Offered) return;
        if (m.blocks !== t.blocks) {
          return this.io.fail(t, FileErrorCode.SizeMismatch, `the sender ended after ${m.blocks} of ${t.blocks} blocks`, true);
        }
        t.end = { blocks: m.blocks, hash: m.hash };
        if (t.ctl.state === TransferState.Transferring && t.next === t.blocks) void this.intake.finish(t);
        return;
      case 'file-resync':
        // Unless a newer resume is already on its way, the frames of the sender's epoch may be lost.
        if (m.epoch === t.epoch) void this.#resume(t);
        return;
      default:
        return;
    }
  }

  /** Each unfinished incoming file asks for the rest itself once the peer's new channel is open. */
  lost(): void {
    for (const t of this.incoming.values()) {
      if (t.ctl.state === TransferState.Transferring) t.lost = true;
    }
  }

  /** Asks for the rest of every file whose frames were lost. */
  askLost(): void {
    for (const t of this.incoming.values()) {
      if (t.lost) void this.#resume(t);
    }
  }

  /** After a move to a new connection: accepts again what this side accepted, and asks to resume it. */
  resync(): void {
    for (const t of this.incoming.values()) {
      if (!t.resync) continue;
      // An offer still open is offered again by the sender; a file being closed is confirmed then;
      // a file still being opened is accepted once it is open.
      if (t.ctl.state !== TransferState.Transferring || (t.sink && !t.opened)) {
        t.resync = false;
      } else if (this.io.send({ type: 'file-accept', id: t.handle.id })) {
        t.resync = false;
        void this.#resume(t);
      }
    }
  }

  /** The stall watch found no data for `t` while it could flow: ask again. */
  askAgain(t: Incoming): void {
    t.stalls++;
    void this.#resume(t);
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
    if (t.ctl.state !== TransferState.Transferring || (t.sink && !t.opened) || (t.next >= t.blocks && t.end)) return;
    if (t.epoch >= MAX_EPOCH) return this.io.fail(t, FileErrorCode.Stalled, 'resumed too many times', true);
    const epoch = ++t.epoch;
    await this.intake.queue; // blocks that arrived before are written first
    if (t.epoch !== epoch || t.ctl.state !== TransferState.Transferring) return;
    t.arrived = t.next;
    // Not sent (the control channel is away): the next channel or stall check asks again.
    if (this.io.send({ type: 'file-resume', id: t.handle.id, next: t.next, epoch })) t.ctl.resumed();
    else t.lost = true;
  }

  /** Releases the file of a transfer that failed: aborts the writable, or removes the part on disk. */
  release(t: Incoming, reason: string): void {
    if (t.writer) t.writer.abort(reason).catch(() => {});
    else void t.sink?.then((sink) => sink.discard());
  }

  /** Lets go of a transfer that ended; its tag is remembered so late frames are dropped quietly. */
  forget(t: Incoming): void {
    t.batch = [];
    t.stopping.abort();
    this.incoming.delete(t.handle.id);
    this.#byTag.delete(t.tag);
    this.#endedTags.add(t.tag);
    if (this.#endedTags.size > ENDED_TAGS_REMEMBERED) this.#endedTags.delete(this.#endedTags.values().next().value!);
  }
}
