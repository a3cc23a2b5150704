import type { ErrorCode } from '../core/errors.js';
import type { QualityReport } from '../core/quality.js';
import type { CallState, EndReason } from '../core/session.js';

/** Detail of `vc-state-change`. */
export interface StateChangeDetail {
  state: CallState;
  previous: CallState;
  /** Why the call ended, for `ended`. */
  reason?: EndReason;
  /** The error code, for `failed`. */
  code?: ErrorCode;
}

/** Detail of `vc-error`. */
export interface ErrorDetail {
  code: ErrorCode;
  /** A technical message for logs; show `strings.errors[code]` to people. */
  message: string;
  /** Whether the call ended because of it. */
  fatal: boolean;
}

/** Detail of `vc-knock`. */
export interface KnockDetail {
  /** Whether a patient is waiting now. */
  waiting: boolean;
}

/** Detail of `vc-peer-name`. */
export interface PeerNameDetail {
  /** The other person's display name, cleaned of invisible characters; empty if they gave none. */
  name: string;
}

/** Detail of `vc-message`: a chat line, sent or received. Show `text` as text, never as HTML. */
export interface MessageDetail {
  id: string;
  text: string;
  from: 'local' | 'remote';
  sentAt: number;
}

/** Detail of `vc-verification`. */
export interface VerificationDetail {
  /** 15 digits in groups of three, the same on both sides unless someone is in between. */
  code: string;
}

/** Detail of `vc-quality-change`: the level, the figures for each direction, and whether video is paused. */
export type { QualityReport as QualityDetail } from '../core/quality.js';

/** Dispatches a `vc-` event the way every event of this package goes out: bubbling and composed. */
export function fire<T>(target: EventTarget, type: string, detail: T): boolean {
  return target.dispatchEvent(new CustomEvent<T>(type, { detail, bubbles: true, composed: true }));
}

declare global {
  interface HTMLElementEventMap {
    'vc-state-change': CustomEvent<StateChangeDetail>;
    'vc-error': CustomEvent<ErrorDetail>;
    'vc-knock': CustomEvent<KnockDetail>;
    'vc-peer-name': CustomEvent<PeerNameDetail>;
    'vc-message': CustomEvent<MessageDetail>;
    'vc-verification': CustomEvent<VerificationDetail>;
    'vc-quality-change': CustomEvent<QualityReport>;
  }
}
