/**
 * The server's options, each with its default. The command line (cli.ts) maps every one of them
 * to a flag and an environment variable; docs/server.md lists them.
 */
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import type { IceServer } from '../protocol/index.js';
import type { LogSink } from './log.js';
import { MIN_SECRET_CHARS } from './tokens.js';
import type { TurnOptions } from './turn.js';

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
  /**
   * The secret that signs join tokens (at least 16 characters), or several to rotate secrets
   * (all verify). Required unless `demo` is on; with it, every connection needs a valid token.
   * Default none.
   */
  tokenSecret?: string | string[];
  /**
   * The secret that signs place tickets (the `session` in `joined`), with which a participant takes
   * its place back after a reconnect, an admitted patient without knocking again. Give every
   * process the same one, and keep it across restarts, so that calls survive a deploy.
   * Default: the first `tokenSecret`; without one (demo), a random secret per process.
   */
  resumeSecret?: string;
  /** TURN servers with time-limited REST-API credentials for coturn's `use-auth-secret`. Default none. */
  turn?: TurnOptions;
  /** Serve HTTPS and WSS with this certificate and key (PEM). Default none: plain HTTP. */
  tls?: { cert: string | Buffer; key: string | Buffer };
  /**
   * Page origins allowed to open the WebSocket (`https://clinic.example`). A connection with
   * another Origin, or none, is refused with `origin-not-allowed`. Default none: any origin.
   */
  allowedOrigins?: string[];
  /**
   * Believe `X-Forwarded-For` from these proxies (behind a reverse proxy): `true` for a proxy on
   * this machine (loopback), or a list of proxy addresses and CIDR ranges (`['10.0.0.0/8']`). The
   * client address is then the right-most entry that is not a trusted proxy. From any other peer
   * the header is ignored. Default `false`: the TCP peer is the client.
   */
  trustProxy?: boolean | string[];
  /** Open WebSocket connections allowed per client address (IPv6: per /64). Default `20`. */
  maxConnectionsPerIp?: number;
  /**
   * TCP connections per address that are not WebSockets: HTTP requests, handshakes in progress,
   * refusals being explained. Trusted proxies are exempt. Default `10`.
   */
  maxPendingPerIp?: number;
  /** How long an HTTP request may take to send its headers, in ms; slower ones are cut off. Default `10000`. */
  headersTimeoutMs?: number;
  /**
   * Frames per second allowed per client address, on average, and per connection. The address's
   * budget outlives its connections, so reconnecting does not refill it; when it runs out, the
   * address's heaviest sender is disconnected, not whoever sent the last frame. Default `50`.
   */
  messageRate?: number;
  /** Frames allowed per client address (and per connection) in one burst. Default `200`. */
  messageBurst?: number;
  /** How long a connection may stay open without joining a room, in ms (`join-timeout`). Default `10000`. */
  joinTimeoutMs?: number;
  /**
   * Bytes the server queues for one connection that does not read them; beyond that the
   * connection is dropped (`slow-consumer`), so no client can make the server hold more.
   * Default `524288` (512 KiB, eight of the largest frames).
   */
  maxQueuedBytes?: number;
  /** Open WebSocket connections allowed in this process. Default `10000`. */
  maxConnections?: number;
  /** Rooms with a participant on this process. Default `5000`. */
  maxRooms?: number;
  /** Share rooms between processes through this Redis (`redis://host:6379`). Default none: rooms in memory. */
  redisUrl?: string;
  /** Prefix of the Redis keys and channels. Default `'vc:'`. */
  redisPrefix?: string;
  /**
   * With Redis: how often each process renews its heartbeat key (which expires after three
   * periods) and looks for processes whose key expired, in ms. A process killed without closing
   * is noticed within about four periods; its peers are told and its places are let go.
   * Default `2000`.
   */
  redisHeartbeatMs?: number;
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
  tokenSecrets: string[];
  resumeSecret: string;
  turn: TurnOptions | null;
  allowedOrigins: Set<string> | null;
  trustProxy: boolean | string[];
  maxConnectionsPerIp: number;
  maxPendingPerIp: number;
  headersTimeoutMs: number;
  messageRate: number;
  messageBurst: number;
  joinTimeoutMs: number;
  maxQueuedBytes: number;
  maxConnections: number;
  maxRooms: number;
  redisHeartbeatMs: number;
}

export function resolveOptions(o: SignalingServerOptions): ResolvedOptions {
  const positive = (name: string, v: number | undefined, d: number) => {
    const x = v ?? d;
    if (!Number.isFinite(x) || x <= 0) throw new RangeError(`${name} must be a positive number`);
    return x;
  };
  const tokenSecrets = o.tokenSecret === undefined ? [] : Array.isArray(o.tokenSecret) ? o.tokenSecret : [o.tokenSecret];
  for (const secret of tokenSecrets) {
    if (typeof secret !== 'string' || secret.length < MIN_SECRET_CHARS)
      throw new RangeError(`tokenSecret must be at least ${MIN_SECRET_CHARS} characters`);
  }
  if (o.resumeSecret !== undefined && (typeof o.resumeSecret !== 'string' || o.resumeSecret.length < MIN_SECRET_CHARS)) {
    throw new RangeError(`resumeSecret must be at least ${MIN_SECRET_CHARS} characters`);
  }
  if (!o.demo && tokenSecrets.length === 0) {
    throw new RangeError('tokenSecret is required: rooms without join tokens exist only in demo mode');
  }
  const turn = o.turn ?? null;
  if (turn && (!turn.secret || !turn.urls?.length)) throw new RangeError('turn needs a secret and at least one URL');
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
    tokenSecrets,
    resumeSecret: o.resumeSecret ?? tokenSecrets[0] ?? randomBytes(32).toString('base64url'),
    turn,
    allowedOrigins: o.allowedOrigins?.length ? new Set(o.allowedOrigins.map((x) => x.replace(/\/+$/, ''))) : null,
    trustProxy: o.trustProxy ?? false,
    maxConnectionsPerIp: positive('maxConnectionsPerIp', o.maxConnectionsPerIp, 20),
    maxPendingPerIp: positive('maxPendingPerIp', o.maxPendingPerIp, 10),
    headersTimeoutMs: positive('headersTimeoutMs', o.headersTimeoutMs, 10_000),
    messageRate: positive('messageRate', o.messageRate, 50),
    messageBurst: positive('messageBurst', o.messageBurst, 200),
    joinTimeoutMs: positive('joinTimeoutMs', o.joinTimeoutMs, 10_000),
    maxQueuedBytes: positive('maxQueuedBytes', o.maxQueuedBytes, 512 * 1024),
    maxConnections: positive('maxConnections', o.maxConnections, 10_000),
    maxRooms: positive('maxRooms', o.maxRooms, 5_000),
    redisHeartbeatMs: positive('redisHeartbeatMs', o.redisHeartbeatMs, 2_000),
  };
}
