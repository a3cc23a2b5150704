/**
 * The signaling server: one HTTP(S) server carrying the WebSocket endpoint `/signal` and, in
 * demo mode, the demo's static files. This file starts it and wires its parts together:
 * upgrade.ts lets connections in, connections.ts holds them, handlers.ts answers their frames,
 * upkeep.ts runs the clock, http.ts answers plain requests.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocket } from 'ws';
import { SignalingErrorCode } from '../protocol/index.js';
import { FrameBudgets } from './budgets.js';
import { type Conn, Connections } from './connections.js';
import { MessageHandlers } from './handlers.js';
import { requestHandler, tlsOptions } from './http.js';
import { AddressLimits, trustedProxies } from './limits.js';
import { createLogger, type Logger } from './log.js';
import { Metrics } from './metrics.js';
import { resolveOptions, type ResolvedOptions, type SignalingServerOptions } from './options.js';
import { RedisRoomStore } from './redis-store.js';
import { MemoryRoomStore, type RoomStore } from './store.js';
import { UpgradeGate } from './upgrade.js';
import { Upkeep } from './upkeep.js';

export interface SignalingServer {
  /** The port the server listens on. */
  readonly port: number;
  /** `http://host:port` (https with TLS). */
  readonly url: string;
  /** `ws://host:port/signal` (wss with TLS). */
  readonly signalUrl: string;
  /** Tells every client `shutting-down`, closes every socket and stops listening. Idempotent. */
  close(): Promise<void>;
}

/** How long `close()` waits for clients to close after `shutting-down` before cutting them off. */
const SHUTDOWN_GRACE_MS = 2_000;

export async function createSignalingServer(options: SignalingServerOptions = {}): Promise<SignalingServer> {
  const opts = resolveOptions(options);
  const log = createLogger(options.log);
  const store: RoomStore = options.redisUrl
    ? await RedisRoomStore.connect({ url: options.redisUrl, prefix: options.redisPrefix, heartbeatMs: opts.redisHeartbeatMs }, (err) =>
        log.warn('redis error', { error: err.message }),
      )
    : new MemoryRoomStore();
  const core = new SignalingCore(opts, log, store, !!options.tls);
  const handler = (req: IncomingMessage, res: ServerResponse) => core.onRequest(req, res);
  // Slow or never-finished request headers are cut off after headersTimeoutMs, checked often
  // enough that the timeout holds (Node checks every 30 s by default).
  const httpOptions = {
    headersTimeout: opts.headersTimeoutMs,
    requestTimeout: Math.max(opts.headersTimeoutMs, 30_000),
    connectionsCheckingInterval: Math.min(1_000, Math.ceil(opts.headersTimeoutMs / 2)),
  };
  const http: Server = options.tls ? createHttpsServer({ ...httpOptions, ...tlsOptions(options.tls) }, handler) : createServer(httpOptions, handler);
  http.on('connection', (socket: Socket) => core.onTcp(socket));
  http.on('upgrade', (req, socket, head) => core.onUpgrade(req, socket, head));
  http.on('clientError', (_err, socket) => socket.destroy());
  await new Promise<void>((ok, fail) => {
    const onListenError = (err: Error) => {
      core.abort();
      fail(err);
    };
    http.once('error', onListenError);
    http.listen(opts.port, opts.host, () => {
      http.off('error', onListenError);
      ok();
    });
  });
  http.on('error', (err) => log.error('server error', { error: err.message }));
  const port = (http.address() as AddressInfo).port;
  const shownHost = opts.host === '0.0.0.0' || opts.host === '::' ? 'localhost' : opts.host.includes(':') ? `[${opts.host}]` : opts.host;
  const secure = !!options.tls;
  const url = `${secure ? 'https' : 'http'}://${shownHost}:${port}`;
  log.info('listening', { port, demo: opts.demo, tls: secure, redis: !!options.redisUrl, node: store.nodeId });
  let closing: Promise<void> | null = null;
  return {
    port,
    url,
    signalUrl: `${secure ? 'wss' : 'ws'}://${shownHost}:${port}/signal`,
    close: () => (closing ??= core.shutdown(http)),
  };
}

/** One running server's parts, and its shutdown. */
class SignalingCore {
  readonly metrics = new Metrics();
  readonly onRequest: (req: IncomingMessage, res: ServerResponse) => void;
  readonly #conns: Connections;
  readonly #handlers: MessageHandlers;
  readonly #upkeep: Upkeep;
  readonly #gate: UpgradeGate;
  #closing = false;

  constructor(
    readonly opts: ResolvedOptions,
    readonly log: Logger,
    readonly store: RoomStore,
    readonly tls = false,
  ) {
    const addresses = new AddressLimits({
      maxSockets: opts.maxConnectionsPerIp,
      maxPending: opts.maxPendingPerIp,
      rate: opts.messageRate,
      burst: opts.messageBurst,
    });
    const budgets = new FrameBudgets(addresses, opts.messageRate, opts.messageBurst);
    this.#conns = new Connections(() => store.nodeId, opts.maxQueuedBytes, addresses, this.metrics, log, {
      frame: (conn, data, isBinary) => this.#handlers.onFrame(conn, data, isBinary),
      close: (conn) => this.#handlers.onClose(conn),
    });
    store.setLocalSink((d) => this.#conns.deliver(d));
    this.#upkeep = new Upkeep(opts, log, store, this.#conns, budgets);
    this.#handlers = new MessageHandlers(opts, log, store, this.metrics, this.#conns, budgets, (room) => this.#upkeep.expireLater(room));
    this.#gate = new UpgradeGate(
      opts,
      addresses,
      trustedProxies(opts.trustProxy),
      this.#conns,
      () => this.#closing,
      (ws, ip, key, claims) => this.#conns.open(ws, ip, key, claims),
    );
    this.onRequest = requestHandler(opts, {
      secure: tls,
      metrics: this.metrics,
      closing: () => this.#closing,
      connections: () => this.#conns.size,
      rooms: () => this.#handlers.localRooms.size,
    });
  }

  onTcp(socket: Socket): void {
    this.#gate.onTcp(socket);
  }

  onUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    this.#gate.onUpgrade(req, socket, head);
  }

  /** Undoes the constructor when the server could not start listening. */
  abort(): void {
    this.#upkeep.stop();
    void this.store.close();
  }

  async shutdown(http: Server): Promise<void> {
    this.#closing = true;
    this.#upkeep.stop();
    const stopped = new Promise<void>((ok) => http.close(() => ok()));
    http.closeIdleConnections();
    const conns = [...this.#conns.values()];
    for (const conn of conns) this.#conns.sendError(conn, SignalingErrorCode.ShuttingDown, 'The server is restarting; reconnect shortly.', true);
    const deadline = setTimeout(() => {
      for (const conn of conns) conn.ws.terminate();
    }, SHUTDOWN_GRACE_MS);
    const settled = (c: Conn) => c.chain ?? undefined;
    await Promise.all(
      conns.map((c) =>
        c.ws.readyState === WebSocket.CLOSED ? settled(c) : new Promise<void>((ok) => c.ws.once('close', () => ok())).then(() => settled(c)),
      ),
    );
    clearTimeout(deadline);
    this.#upkeep.cancelExpiries();
    http.closeAllConnections();
    await stopped;
    await this.store.close();
    this.log.info('closed');
  }
}
