/**
 * Files between the two browsers of a call: offer and answer on the control channel, blocks on a
 * binary data channel of their own, paced by `bufferedAmountLowThreshold`, checked by SHA-256 per
 * block and per file, acknowledged by the receiver, resumable when the data channel is lost.
 * DOM-free apart from WebRTC, Blob and WebCrypto (and, for received files, a worker writing to the
 * origin-private file system: store.ts). The protocol is in docs/file-transfer.md.
 *
 * The manager is the facade: it routes control messages, ends transfers (one way for both
 * directions) and keeps what both sides share. The parts: transfer.ts (the handles), channels.ts
 * (the binary channels), sender.ts with reader.ts (sending), receiver.ts with intake.ts
 * (receiving), stall.ts (the stall watch) and blocks.ts (block arithmetic and checks).
 */
import {
  FRAME_HEADER_BYTES,
  FileErrorCode,
  TRANSFER_ID_PATTERN,
  encodeFileTransferMessage,
  isFileTransferType,
  parseFileTransferMessage,
  type FileTransferMessage,
  type UnversionedFileMessage,
} from '../protocol/file-transfer.js';
import { FileChannels } from './channels.js';
import { Emitter } from './emitter.js';
import { isAcceptedType } from './names.js';
import { Outcomes } from './outcomes.js';
import { Receiver, type Incoming } from './receiver.js';
import { offerMessage, Sender, waitsOnReceiver, type Outgoing } from './sender.js';
import { DEFAULT_STALL_MS, stallVerdict } from './stall.js';
import { sweepGonePages } from './store.js';
import {
  FileTransferError,
  TransferState,
  type AcceptOptions,
  type FileTransfer,
  type IncomingOffer,
  type ReceivedFile,
  type SentFile,
  type TransferErrorDetail,
  type TransferProgress,
} from './transfer.js';

export { LOW_WATER_BYTES, HIGH_WATER_BYTES } from './channels.js';
export { WINDOW_BYTES } from './sender.js';
export { ACK_EVERY_BYTES } from './intake.js';
export { DEFAULT_STALL_MS, MAX_STALLS, UNANSWERED_STALLS } from './stall.js';
export {
  FileTransfer,
  FileTransferError,
  IncomingOffer,
  TransferState,
  type AcceptOptions,
  type ReceivedFile,
  type SentFile,
  type TransferDirection,
  type TransferErrorDetail,
  type TransferProgress,
} from './transfer.js';

/** Offers waiting for an answer beyond this are declined with `file-too-many`. */
const DEFAULT_MAX_PENDING_OFFERS = 16;

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

type Transfer = Outgoing | Incoming;

const newId = () => crypto.randomUUID();
const isFinal = (t: Transfer) => t.ctl.state === TransferState.Done || t.ctl.state === TransferState.Failed;

/**
 * Sends and receives files over one RTCPeerConnection. The owner routes file-transfer control
 * messages to {@link handleControl}, calls {@link attach} when the call moves to a new
 * RTCPeerConnection, and {@link close} when the call ends.
 */
export class FileTransferManager extends Emitter<FileTransferEvents> {
  #sendText: (text: string) => void;
  #maxSize: number;
  #accept: readonly string[] | undefined;
  #stallMs: number;
  #stallTimer?: ReturnType<typeof setInterval>;
  #channels: FileChannels;
  #sender: Sender;
  #receiver: Receiver;
  /** How recently ended transfers ended: what to answer when the peer speaks of one again. */
  #outcomes = new Outcomes();
  #closed = false;

  constructor(options: FileTransferOptions) {
    super();
    this.#sendText = options.sendControl;
    this.#maxSize = options.maxSize ?? Number.POSITIVE_INFINITY;
    this.#accept = options.accept;
    this.#stallMs = options.stallMs ?? DEFAULT_STALL_MS;
    const send = (message: UnversionedFileMessage) => this.#send(message);
    const fail = (t: Transfer, code: FileErrorCode, message: string, notifyPeer: boolean, announce?: boolean) =>
      this.#fail(t, code, message, notifyPeer, announce);
    const progress = (t: Transfer, bytes: number, force?: boolean) => this.#progress(t, bytes, force);
    const watchStalls = () => this.#watchStalls();
    this.#channels = new FileChannels(options.pc, {
      frame: (data) => this.#receiver.intake.frame(data),
      opened: () => {
        this.#resync();
        this.#sender.opened();
      },
      drained: () => this.#sender.kick(),
      sendingLost: () => this.#sender.lost(),
      receivingLost: () => this.#receiver.lost(),
      askLost: () => this.#receiver.askLost(),
      peerReady: () => {
        this.#resync();
        this.#receiver.askLost();
      },
    });
    this.#sender = new Sender({
      channels: this.#channels,
      send,
      fail,
      progress,
      watchStalls,
      sent: (result) => this.emit('sent', result),
      closed: () => this.#closed,
    });
    this.#receiver = new Receiver({
      send,
      fail,
      progress,
      watchStalls,
      remember: (id, outcome) => this.#outcomes.remember(id, outcome),
      stallMs: this.#stallMs,
      error: (detail) => this.emit('error', detail),
      offered: (offer) => this.emit('offer', offer),
      received: (result) => this.emit('received', result),
      taken: (id) => !!this.#find(id),
      betweenConnections: () => this.#channels.pc.signalingState === 'closed',
      ended: (m) => this.#answerEnded(m),
      limits: {
        maxSize: this.#maxSize,
        accept: this.#accept,
        maxPending: options.maxPendingOffers ?? DEFAULT_MAX_PENDING_OFFERS,
        toDisk: options.receiveToDisk ?? true,
      },
    });
    // What closed pages of this origin received and left on disk goes when a call starts, whether
    // or not a file moves in it.
    void sweepGonePages();
  }

  /** The transfers that have not ended, in both directions. */
  get transfers(): FileTransfer[] {
    return [...this.#sender.outgoing, ...this.#receiver.incoming.values()].filter((t) => !isFinal(t)).map((t) => t.handle as FileTransfer);
  }

  /**
   * Offers a file to the peer. Files are sent one after another in the order they are accepted.
   * The returned transfer's `done` resolves after the receiver confirmed the whole file.
   */
  sendFile(file: Blob, options: { name?: string; type?: string } = {}): FileTransfer<SentFile> {
    const name = options.name ?? (file as File).name ?? 'file';
    const mime = options.type ?? file.type ?? '';
    const id = newId();
    const blockSize = this.#channels.chunkBytes() - FRAME_HEADER_BYTES;
    const t = this.#sender.add(id, file, name, mime, blockSize, () => this.cancel(id));
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
    return this.#receiver.accept(id, options);
  }

  /** Declines an offer by id. */
  decline(id: string): void {
    this.#receiver.decline(id);
  }

  /** Cancels a transfer in either direction (declines it if it is an unanswered offer). */
  cancel(id: string): void {
    const t = this.#find(id);
    if (!t || isFinal(t)) return;
    if (t.dir === 'receive') return this.#receiver.cancel(id);
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
    // A message proves the control channel works: what a move to a new connection lost goes out now.
    this.#resync();
    this.#onMessage(m);
    return true;
  }

  /**
   * Moves to a new RTCPeerConnection (after the call reconnected with a fresh one). Transfers that
   * were moving continue from the receiver's last verified block once the new binary channel opens.
   */
  attach(pc: RTCPeerConnection): void {
    if (this.#closed || pc === this.#channels.pc) return;
    // Control messages in flight on the old connection are lost: each side says again, on the new
    // one, what the other may have missed (see #resync).
    for (const t of this.#sender.outgoing) if (!isFinal(t)) t.resync = true;
    for (const t of this.#receiver.incoming.values()) if (!isFinal(t)) t.resync = t.moved = true;
    this.#channels.attach(pc);
    this.#watchStalls();
  }

  /** Ends every transfer with `file-closed` (telling the peer if possible) and closes the binary channels. Idempotent. */
  close(): void {
    if (this.#closed) return;
    for (const t of [...this.#sender.outgoing, ...this.#receiver.incoming.values()]) {
      if (!isFinal(t)) this.#fail(t, FileErrorCode.Closed, 'the call has ended', true);
    }
    this.#closed = true;
    clearInterval(this.#stallTimer);
    this.#channels.close();
    this.#sender.kick();
    this.removeAllListeners();
  }

  // ---- after a move to a new connection ----------------------------------------------------------

  /**
   * As soon as the new connection's control channel takes messages: a sender offers again what is
   * still unanswered and asks for a resume of what was moving; a receiver accepts again what it
   * accepted and asks to resume it. Repeats are harmless (an offer this side holds, an accept of a
   * moving file, an older epoch are ignored), and a side that ended a transfer meanwhile answers
   * with how it ended (see #answerEnded).
   */
  #resync(): void {
    this.#sender.resync();
    this.#receiver.resync();
  }

  /** Answers the peer about a transfer this side has ended or never had (see `Outcomes.answer`); true if it did. */
  #answerEnded(m: FileTransferMessage): boolean {
    const answer = this.#outcomes.answer(m);
    if (answer) this.#send(answer);
    return !!answer;
  }

  // ---- the stall watch ----------------------------------------------------------------------------

  /** Checks transfers, a few times per `stallMs`: incoming ones for a pause in data while it could flow, outgoing ones for a silent receiver. */
  #watchStalls(): void {
    if (this.#stallTimer || this.#closed) return;
    this.#receiver.intake.quietSince = performance.now();
    this.#stallTimer = setInterval(() => this.#checkStalls(), Math.max(25, this.#stallMs / 4));
  }

  #checkStalls(): void {
    this.#resync();
    const intake = this.#receiver.intake;
    const incoming = [...this.#receiver.incoming.values()];
    const sending = this.#sender.outgoing.filter((t) => t.ctl.state === TransferState.Transferring || t.ctl.state === TransferState.Finishing);
    const writing = intake.taking?.t.ctl.state === TransferState.Transferring ? intake.taking : undefined;
    const verdict = stallVerdict(performance.now(), {
      stallMs: this.#stallMs,
      connected: this.#channels.pc.connectionState === 'connected',
      rxPending: intake.pending,
      quietSince: intake.quietSince,
      writing: writing && { id: writing.t.handle.id, since: writing.since },
      closing: incoming.flatMap((t) =>
        t.ctl.state === TransferState.Finishing && t.closingSince !== undefined ? [{ id: t.handle.id, since: t.closingSince }] : [],
      ),
      sending: sending.map((t) => ({ id: t.handle.id, waitsOnReceiver: waitsOnReceiver(t), unansweredSince: t.unansweredSince })),
      receiving: incoming
        .filter((t) => t.ctl.state === TransferState.Transferring && t.next < t.blocks)
        .map((t) => ({ id: t.handle.id, stalls: t.stalls })),
      busy: !!intake.taking || [...this.#sender.outgoing, ...incoming].some((t) => t.resync),
    });
    for (const { id, since } of verdict.unanswered) {
      const t = this.#find(id);
      if (t?.dir === 'send') t.unansweredSince = since;
    }
    if (verdict.stop) {
      clearInterval(this.#stallTimer);
      this.#stallTimer = undefined;
    } else {
      intake.quietSince = verdict.quietSince;
    }
    for (const { id, code, message } of verdict.fail) {
      const t = this.#find(id);
      if (t) this.#fail(t, code, message, true);
    }
    for (const id of verdict.askAgain) {
      const t = this.#receiver.incoming.get(id);
      if (t) this.#receiver.askAgain(t);
    }
  }

  // ---- shared -----------------------------------------------------------------------------------------

  #onMessage(m: FileTransferMessage): void {
    if (m.type === 'file-offer') return this.#receiver.offer(m);
    const t = this.#find(m.id);
    if (!t || isFinal(t)) return void this.#answerEnded(m); // late messages for ended transfers are normal
    if (m.type === 'file-cancel') {
      const mine = m.code === FileErrorCode.Cancelled ? FileErrorCode.CancelledByPeer : m.code;
      return this.#fail(
        t,
        mine,
        m.code === FileErrorCode.Cancelled ? 'the other side cancelled' : `the other side ended the transfer (${m.code})`,
        false,
      );
    }
    if (t.dir === 'send') this.#sender.onMessage(t, m);
    else this.#receiver.onMessage(t, m);
  }

  #find(id: string): Transfer | undefined {
    return this.#receiver.incoming.get(id) ?? this.#sender.outgoing.find((t) => t.handle.id === id);
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
    const { ctl, handle: h } = t;
    if (t.progressAt) {
      const dt = (now - t.progressAt) / 1000;
      if (dt > 0.05) {
        const rate = (bytes - t.progressBytes) / dt;
        ctl.rate = ctl.rate ? ctl.rate * 0.7 + rate * 0.3 : rate;
        t.progressAt = now;
        t.progressBytes = bytes;
      }
    } else {
      t.progressAt = now;
      t.progressBytes = bytes;
    }
    if (bytes === ctl.bytes && !force) return;
    ctl.bytes = bytes;
    this.emit('progress', { id: h.id, direction: h.direction, name: h.name, size: h.size, bytes, bytesPerSecond: ctl.rate });
  }

  /**
   * The one way a transfer fails: marks it, tells the peer if asked, releases its file, rejects its
   * promise and, unless this side asked for it (`quiet`), fires `error`.
   */
  #fail(t: Transfer, code: FileErrorCode, message: string, notifyPeer: boolean, announce = true): void {
    if (isFinal(t)) return;
    t.ctl.state = TransferState.Failed;
    this.#outcomes.remember(t.handle.id, code);
    if (notifyPeer) this.#send({ type: 'file-cancel', id: t.handle.id, code });
    if (t.dir === 'receive') {
      this.#receiver.release(t, message);
      this.#receiver.forget(t);
    } else {
      this.#sender.forget(t);
    }
    t.ctl.reject(new FileTransferError(code, message, t.handle.id));
    if (announce) this.emit('error', { id: t.handle.id, direction: t.dir, name: t.handle.name, code, message });
    this.#sender.kick();
  }
}
