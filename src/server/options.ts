/**
 * The server's options, each with its default. The command line (cli.ts) maps every one of them
 * to a flag and an environment variable; docs/server.md lists them.
 */
import { fileURLToPath } from 'node:url';
import type { IceServer } from '../protocol/index.js';
import type { LogSink } from './log.js';

/** The package root: this file is src/server/options.ts or dist/server/options.js. */
const PACKAGE_ROOT = fileURLToPath(new URL('../../', import.meta.url));

export interface SignalingServerOptions {
  /** TCP port to listen on; 0 picks a free one. Default `0` (the CLI defaults to 8080). */
  port?: number;
  /**
   * Address to listen on. Default `'127.0.0.1'`: nothing outside this machine can connect until
   * you say so (`'0.0.0.0'` or `'::'` behind TLS or a reverse proxy).
   */
  host?: string;
  /**
   * Demo mode: serve `demoRoot` at `/` and the built package (`distRoot`) at `/dist/`, and allow
   * open rooms without join tokens. Default `false`.
   */
  demo?: boolean;
  /** The directory served at `/` in demo mode. Default `<package>/demo`. */
  demoRoot?: string;
  /** The directory served at `/dist/` in demo mode. Default `<package>/dist`. */
  distRoot?: string;
  /**
   * ICE servers handed to every participant in `joined`: STUN URLs as strings (`stun:host:3478`)
   * or full entries. Default none (the browsers then find only host candidates). TURN servers
   * with time-limited credentials come from `turn`.
   */
  iceServers?: Array<string | IceServer>;
  /** How often to ping each socket, in ms; a socket that missed the previous pong is dropped. Default `15000`. */
  heartbeatMs?: number;
  /**
   * How long a participant's place (and a patient's admission) outlives a dropped connection, in
   * ms, so that a reload returns to the call with `join.resume`. Default `60000`.
   */
  graceMs?: number;
  /** Logging: `undefined` writes JSON lines to stderr, `false` is silent, a function gets each entry. Default stderr. */
  log?: LogSink | false;
}

export interface ResolvedOptions {
  port: number;
  host: string;
  demo: boolean;
  demoRoot: string;
  distRoot: string;
  iceServers: IceServer[];
  heartbeatMs: number;
  graceMs: number;
}

export function resolveOptions(o: SignalingServerOptions): ResolvedOptions {
  const positive = (name: string, v: number | undefined, d: number) => {
    const x = v ?? d;
    if (!Number.isFinite(x) || x <= 0) throw new RangeError(`${name} must be a positive number`);
    return x;
  };
  const port = o.port ?? 0;
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new RangeError('port must be 0..65535');
  return {
    port,
    host: o.host ?? '127.0.0.1',
    demo: o.demo ?? false,
    demoRoot: o.demoRoot ?? PACKAGE_ROOT + 'demo',
    distRoot: o.distRoot ?? PACKAGE_ROOT + 'dist',
    iceServers: (o.iceServers ?? []).map((s) => (typeof s === 'string' ? { urls: s } : s)),
    heartbeatMs: positive('heartbeatMs', o.heartbeatMs, 15_000),
    graceMs: positive('graceMs', o.graceMs, 60_000),
  };
}
