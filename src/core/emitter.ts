/**
 * The session's typed event emitter: `on()` returns its own unsubscribe function, which is what a
 * Lit ReactiveController calls in `hostDisconnected`. One implementation, in the file-transfer
 * layer below (which must not import from core).
 */
export { Emitter } from '../file-transfer/emitter.js';
