/**
 * The stall watch, as a pure function of time and state: which transfers have waited too long for
 * data, for a write, for a file to close or for a word from the receiver, and what to do about
 * each. The manager asks it a few times per `stallMs` and carries out the verdict.
 */
import { FileErrorCode } from '../protocol/file-transfer.js';
import type { Fault } from './blocks.js';

/** Default pause in incoming data (connection up, nothing left to write) before the receiver asks again. */
export const DEFAULT_STALL_MS = 5000;
/** Pauses in a row, each answered by asking again, after which a transfer fails with `file-stalled`. */
export const MAX_STALLS = 12;
/**
 * Pauses (of `stallMs`) without a word from the receiver after which a file being sent fails with
 * `file-stalled`: beyond the receiver's own bounds, so an honest receiver's coded reason comes first.
 */
export const UNANSWERED_STALLS = MAX_STALLS + 2;

/** What the watch looks at, taken from the manager at one moment. */
export interface StallState {
  stallMs: number;
  /** The connection is up (`connectionState` is `connected`). */
  connected: boolean;
  /** Received frames not yet hashed and written. */
  rxPending: number;
  /** When data last arrived, or the link last could not carry it: the start of a possible stall. */
  quietSince: number;
  /** The received block being written now: its transfer, and since when. */
  writing?: { id: string; since: number };
  /** Received files whose close began, and when. */
  closing: ReadonlyArray<{ id: string; since: number }>;
  /** Files being sent (transferring or finishing). */
  sending: ReadonlyArray<{
    id: string;
    /** The sender cannot go on without a word from the receiver: blocks unacknowledged, a resume or the final confirmation. */
    waitsOnReceiver: boolean;
    /** Since when it waits on the receiver without a word from it. */
    unansweredSince?: number;
  }>;
  /** Files being received that still expect blocks, with the pauses counted in a row for each. */
  receiving: ReadonlyArray<{ id: string; stalls: number }>;
  /** Something else needs the watch to go on (messages to say again on a new connection). */
  busy: boolean;
}

/** What to do now. */
export interface StallVerdict {
  /** Transfers to end, with the code and why. */
  fail: Array<{ id: string } & Fault>;
  /** Incoming transfers to ask again (`file-resume`): count one more pause for each. */
  askAgain: string[];
  /** The new `unansweredSince` of each file being sent (undefined: it waits on nobody). */
  unanswered: Array<{ id: string; since: number | undefined }>;
  /** The new start of a possible stall. */
  quietSince: number;
  /** Nothing is left to watch: stop asking until a transfer needs it again. */
  stop: boolean;
}

/** `stalls` pauses of `stallMs`, in whole seconds, for messages. */
const seconds = (stalls: number, stallMs: number) => Math.round((stalls * stallMs) / 1000);

/** The verdict on `state` at time `now` (milliseconds, the same clock as the times in `state`). */
export function stallVerdict(now: number, state: StallState): StallVerdict {
  const { stallMs } = state;
  const verdict: StallVerdict = { fail: [], askAgain: [], unanswered: [], quietSince: state.quietSince, stop: false };
  const limit = MAX_STALLS * stallMs;
  // A write or a close that never finishes (a writable that hangs, a worker gone without a word)
  // would hold every file behind it, or leave both sides waiting: after as long as data may
  // pause, its transfer ends and the queue moves on.
  if (state.writing && now - state.writing.since > limit) {
    verdict.fail.push({
      id: state.writing.id,
      code: FileErrorCode.WriteFailed,
      message: `a block waited ${seconds(MAX_STALLS, stallMs)} s to be written`,
    });
  }
  for (const { id, since } of state.closing) {
    if (now - since > limit)
      verdict.fail.push({ id, code: FileErrorCode.WriteFailed, message: `the file did not close in ${seconds(MAX_STALLS, stallMs)} s` });
  }
  // Sending: a receiver that stops answering (a page that hangs, a broken or hostile peer) would
  // leave the file unfinished for good. An honest one is never silent this long: it asks again
  // after each pause and fails a file itself when a write or the close hangs.
  for (const t of state.sending) {
    if (!state.connected || !t.waitsOnReceiver) {
      verdict.unanswered.push({ id: t.id, since: undefined });
      continue;
    }
    const since = t.unansweredSince ?? now;
    verdict.unanswered.push({ id: t.id, since });
    if (now - since > UNANSWERED_STALLS * stallMs) {
      verdict.fail.push({
        id: t.id,
        code: FileErrorCode.Stalled,
        message: `the other side has not answered for ${seconds(UNANSWERED_STALLS, stallMs)} s`,
      });
    }
  }
  const failed = new Set(verdict.fail.map((f) => f.id));
  const receiving = state.receiving.filter((t) => !failed.has(t.id));
  const watched =
    receiving.length || state.writing || state.closing.some((t) => !failed.has(t.id)) || state.sending.some((t) => !failed.has(t.id)) || state.busy;
  if (!watched) {
    verdict.stop = true;
    return verdict;
  }
  // Counted whatever the peer's channel does: if it stays away, the resume this asks for makes the
  // sender open a new one.
  const couldFlow = state.connected && state.rxPending === 0;
  if (!couldFlow) {
    verdict.quietSince = now;
    return verdict;
  }
  if (now - state.quietSince < stallMs) return verdict;
  verdict.quietSince = now;
  for (const t of receiving) {
    if (t.stalls + 1 > MAX_STALLS)
      verdict.fail.push({ id: t.id, code: FileErrorCode.Stalled, message: `no data for ${seconds(MAX_STALLS, stallMs)} s` });
    else verdict.askAgain.push(t.id);
  }
  return verdict;
}
