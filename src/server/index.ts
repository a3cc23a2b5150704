/**
 * `video-consult/server`: the Node signaling server for `<video-consult>`, and the join tokens a
 * clinic's backend issues for it.
 *
 * ```js
 * import { createSignalingServer, createJoinToken } from 'video-consult/server';
 * const server = await createSignalingServer({ port: 8080, tokenSecret: process.env.VC_TOKEN_SECRET });
 * const patientToken = createJoinToken({ secret: process.env.VC_TOKEN_SECRET, room: 'a1b2', role: 'patient' });
 * ```
 */
export { createSignalingServer, type SignalingServer } from './server.js';
export type { SignalingServerOptions } from './options.js';
export type { LogEntry, LogLevel, LogSink } from './log.js';
export { createJoinToken, verifyJoinToken, type CreateJoinTokenOptions, type JoinTokenClaims, type VerifyResult } from './tokens.js';
export { turnCredentials, type TurnOptions } from './turn.js';
export { MemoryRoomStore, type NodeWatch, type RoomStore } from './store.js';
export type { Delivery, RoomState, Slot, Transition } from './rooms.js';
export { SignalingErrorCode } from '../protocol/signaling.js';
