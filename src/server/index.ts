/**
 * `video-consult/server`: the Node signaling server for `<video-consult>`.
 *
 * ```js
 * import { createSignalingServer } from 'video-consult/server';
 * const server = await createSignalingServer({ port: 8080, demo: true });
 * console.log(server.url);
 * ```
 */
export { createSignalingServer, type SignalingServer } from './server.js';
export type { SignalingServerOptions } from './options.js';
export type { LogEntry, LogLevel, LogSink } from './log.js';
