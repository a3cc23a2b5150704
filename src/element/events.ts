import type { ErrorCode } from '../core/errors.js';
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

/** Dispatches a `vc-` event the way every event of this package goes out: bubbling and composed. */
export function fire<T>(target: EventTarget, type: string, detail: T): boolean {
  return target.dispatchEvent(new CustomEvent<T>(type, { detail, bubbles: true, composed: true }));
}

declare global {
  interface HTMLElementEventMap {
    'vc-state-change': CustomEvent<StateChangeDetail>;
    'vc-error': CustomEvent<ErrorDetail>;
    'vc-knock': CustomEvent<KnockDetail>;
  }
}
