/**
 * video-consult: a `<video-consult>` element for 1:1 peer-to-peer video consultations.
 *
 * Importing this module registers the element (once, even if the module is loaded twice).
 * @packageDocumentation
 */
import { VideoConsult } from './element/video-consult.js';

export { VideoConsult } from './element/video-consult.js';
export type { StateChangeDetail, ErrorDetail, KnockDetail } from './element/events.js';
export { STRINGS, resolveStrings, type Strings, type ErrorText } from './element/strings.js';
export { ConsultSession, CallState, type SessionOptions, type SessionEvents, type StateChange, type EndReason, type MediaState } from './core/session.js';
export { ConsultError, ErrorCode } from './core/errors.js';
export { type Transport, type TransportClose, type OutgoingMessage, WebSocketTransport } from './signaling/transport.js';
export { PROTOCOL_VERSION, type Role, type IceServer } from './protocol/index.js';

if (!customElements.get('video-consult')) customElements.define('video-consult', VideoConsult);
