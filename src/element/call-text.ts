import type { EndReason, StateChange } from '../core/session.js';
import type { Role } from '../protocol/index.js';
import { errorText, type Strings } from './strings.js';

/** Failures a second attempt cannot mend: the link, the page or the browser has to change first. */
const FINAL = [
  'token-required',
  'token-invalid',
  'token-expired',
  'token-wrong-room',
  'token-wrong-role',
  'origin-not-allowed',
  'insecure-context',
  'webrtc-unsupported',
  'missing-configuration',
];

/** Whether "Try again" can help after a failure with this code. */
export const canRetry = (code: string): boolean => !FINAL.includes(code);

/** What the ended call says, by why it ended. */
export function endText(strings: Strings, reason: EndReason | undefined): string {
  if (reason === 'declined') return strings.declined;
  if (reason === 'peer-hangup') return strings.endedByPeer;
  return strings.ended;
}

/** One line for the live region about a new state. */
export function stateText(strings: Strings, { state, previous, reason, error }: StateChange, role: Role): string {
  switch (state) {
    case 'preparing':
      return strings.preparing;
    case 'waiting':
      return role === 'doctor' ? strings.waitingDoctor : strings.waitingPatient;
    case 'connecting':
      return previous === 'waiting' && role === 'patient' ? strings.admitted : strings.connecting;
    case 'connected':
      return strings.connected;
    case 'reconnecting':
      return strings.reconnecting;
    case 'ended':
      return endText(strings, reason);
    case 'failed':
      return errorText(strings, error?.code ?? 'unknown').title;
    default:
      return '';
  }
}
