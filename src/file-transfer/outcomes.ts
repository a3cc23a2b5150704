/**
 * How recently ended transfers ended, and what to answer when the peer speaks of one again. After
 * a move to a new connection, the message that ended a transfer (a decline, a cancel, the final
 * confirmation) may have been lost with the old one; the peer's re-sync then gets it again.
 */
import { FileErrorCode, type FileTransferMessage, type UnversionedFileMessage } from '../protocol/file-transfer.js';
import { DECLINE_CODES } from './blocks.js';

/** How a transfer ended: the code it failed with, or `complete` (received whole and confirmed). */
export type Outcome = FileErrorCode | 'complete';

/** Transfers remembered, the oldest forgotten first. */
export const OUTCOMES_REMEMBERED = 256;

export class Outcomes {
  #ended = new Map<string, Outcome>();

  /** Remembers how the transfer `id` ended (the latest word counts). */
  remember(id: string, outcome: Outcome): void {
    this.#ended.delete(id);
    this.#ended.set(id, outcome);
    if (this.#ended.size > OUTCOMES_REMEMBERED) this.#ended.delete(this.#ended.keys().next().value!);
  }

  /** Whether this side remembers how `id` ended. */
  has(id: string): boolean {
    return this.#ended.has(id);
  }

  /**
   * The answer to `m`, about a transfer this side has ended or never had: a re-sync (a repeated
   * offer, accept, resync or resume) gets how it ended; one about a transfer this side never had
   * (a new page after a reload) gets `file-closed`, except an offer, which is new. Anything else
   * is a late message, which is normal: undefined.
   */
  answer(m: FileTransferMessage): UnversionedFileMessage | undefined {
    if (m.type !== 'file-offer' && m.type !== 'file-accept' && m.type !== 'file-resync' && m.type !== 'file-resume') return undefined;
    const outcome = this.#ended.get(m.id) ?? (m.type === 'file-offer' ? undefined : FileErrorCode.Closed);
    if (!outcome) return undefined;
    if (outcome === 'complete') return m.type === 'file-resync' || m.type === 'file-resume' ? { type: 'file-complete', id: m.id } : undefined;
    if (m.type === 'file-offer' && DECLINE_CODES.has(outcome)) return { type: 'file-decline', id: m.id, code: outcome };
    return { type: 'file-cancel', id: m.id, code: outcome };
  }
}
