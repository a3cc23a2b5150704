/**
 * The signaling server: one HTTP(S) server carrying the WebSocket endpoint `/signal` and, in
 * demo mode, the demo's static files.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo, BlockList, Socket } from 'node:net';
import { resolve } from 'node:path';
import type { Duplex } from 'node:stream';
import { WebSocket, WebSocketServer } from 'ws';
import {
  type Candidate,
  type ClientMessage,
  type IceServer,
  MAX_FRAME_BYTES,
  parseClientMessage,
  type Role,
  SignalingErrorCode,
  SUBPROTOCOL,
  TOKEN_SUBPROTOCOL_PREFIX,
} from '../protocol/index.js';
import { addressKey, AddressLimits, type Bucket, clientAddress, isFull, isTrusted, takeToken, trustedProxies } from './limits.js';
import { createLogger, type Logger, maskIp, roomTagger } from './log.js';
import { Metrics } from './metrics.js';
import { resolveOptions, type ResolvedOptions, type SignalingServerOptions } from './options.js';
import {
  answerKnock,
  closeCodeFor,
  type Delivery,
  depart,
  departNode,
  encodeFrame as encode,
  errorDelivery,
  expire,
  join,
  nodeOf,
  relayTarget,
  type RoomState,
} from './rooms.js';
import { serveStatic, type StaticMount } from './static.js';
import { RedisRoomStore } from './redis-store.js';
import { MemoryRoomStore, type RoomStore } from './store.js';
import { newPlaceId, TicketSigner } from './tickets.js';
import { type JoinTokenClaims, verifyJoinToken } from './tokens.js';
import { turnCredentials } from './turn.js';

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

/**
 * ws closes a socket whose frame exceeds `maxPayload` with 1009 and no chance to explain. The
 * protocol promises a coded `message-too-large` for oversized frames, so the hard transport cap
 * sits above the protocol's limit: frames between the two get the coded error, frames beyond it
 * (nobody's honest client) lose the connection.
 */
const HARD_PAYLOAD_CAP = MAX_FRAME_BYTES * 2;
/** How long TURN credentials for a pre-call check stay valid, in seconds: long enough for one check. */
const CHECK_TURN_TTL_SECONDS = 120;
/** How long `close()` waits for clients to close after `shutting-down` before cutting them off. */
const SHUTDOWN_GRACE_MS = 2_000;
/** How long a refused or dropped socket may take to answer the close before it is cut off. */
const CLOSE_GRACE_MS = 1_000;
/** How often join timeouts are checked and idle addresses forgotten. */
const SWEEP_MS = 1_000;
/** Marks a TCP socket counted as pending for its address (the key), until it becomes a WebSocket or closes. */
const PENDING = Symbol('pending');
type CountedSocket = Socket & { [PENDING]?: string };

const CONN = Symbol('conn');
type SocketWithConn = WebSocket & { [CONN]: Conn };

interface Conn {
  id: string;
  ws: WebSocket;
  ip: string;
  /** The address the limits count this connection under (IPv6: its /64). */
  key: string;
  /** When the socket opened, until it joins; then 0. */
  openedAt: number;
  /** Once joined: the frame budget of its place, which a reconnect to the place continues. */
  bucket: Bucket | null;
  alive: boolean;
  room: string | null;
  role: Role | null;
  /**
   * Frames are handled one at a time, in order, even when the store is asynchronous: `chain` is
   * the last pending step, null when nothing is pending.
   */
  chain: Promise<void> | null;
  pending: number;
  closed: boolean;
  /** The verified join token's claims, checked against the room and role at `join`. */
  claims: JoinTokenClaims | null;
}

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
  const http: Server = options.tls
    ? createHttpsServer({ ...httpOptions, ...tlsOptions(options.tls) }, handler)
    : createServer(httpOptions, handler);
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

class SignalingCore {
  readonly #conns = new Map<string, Conn>();
  readonly #timers = new Set<NodeJS.Timeout>();
  readonly #wss: WebSocketServer;
  readonly #mounts: StaticMount[];
  readonly #heartbeat: NodeJS.Timeout;
  readonly #sweeper: NodeJS.Timeout;
  readonly #addresses: AddressLimits;
  /** Frame budgets of places (room and role), kept until refilled so that reconnecting does not refill them. */
  readonly #placeBuckets = new Map<string, Partial<Record<Role, Bucket>>>();
  readonly #proxies: BlockList | null;
  /** Rooms with a participant on this process, with how many. */
  readonly #localRooms = new Map<string, number>();
  readonly metrics = new Metrics();
  /** The store, when rooms are in memory and can be read synchronously. */
  readonly #memory: MemoryRoomStore | null;
  readonly #tickets: TicketSigner;
  readonly #roomTag: (room: string) => string;
  #seq = 0;
  #closing = false;
  /** Tickets issued before this (ms) come from an earlier process. */
  readonly #startedAt = Date.now();

  constructor(
    readonly opts: ResolvedOptions,
    readonly log: Logger,
    readonly store: RoomStore,
    readonly tls = false,
  ) {
    this.#wss = new WebSocketServer({
      noServer: true,
      clientTracking: false,
      maxPayload: HARD_PAYLOAD_CAP,
      perMessageDeflate: false,
      handleProtocols: (protocols) => (protocols.has(SUBPROTOCOL) ? SUBPROTOCOL : false),
    });
    this.#mounts = [
      { prefix: '/dist/', root: resolve(opts.distRoot) },
      { prefix: '/', root: resolve(opts.demoRoot) },
    ];
    this.#memory = store instanceof MemoryRoomStore ? store : null;
    this.#tickets = new TicketSigner(opts.resumeSecret);
    this.#roomTag = roomTagger(opts.resumeSecret);
    this.#addresses = new AddressLimits({
      maxSockets: opts.maxConnectionsPerIp,
      maxPending: opts.maxPendingPerIp,
      rate: opts.messageRate,
      burst: opts.messageBurst,
    });
    this.#proxies = trustedProxies(opts.trustProxy);
    store.setLocalSink((d) => this.#deliverLocal(d));
    store.watchNodes?.({ gone: (node, rooms) => this.#letGo(node, rooms), fenced: () => this.#dropStale() });
    this.#heartbeat = setInterval(() => this.#beat(), opts.heartbeatMs);
    this.#heartbeat.unref();
    this.#sweeper = setInterval(() => this.#sweep(), Math.min(SWEEP_MS, opts.joinTimeoutMs / 2));
    this.#sweeper.unref();
  }

  // ---- HTTP ---------------------------------------------------------------------------------

  onRequest(req: IncomingMessage, res: ServerResponse): void {
    const path = pathOf(req);
    res.setHeader('x-content-type-options', 'nosniff');
    res.setHeader('referrer-policy', 'no-referrer');
    if (this.tls) res.setHeader('strict-transport-security', 'max-age=31536000');
    if (path === '/signal') {
      res.writeHead(426, { 'content-type': 'text/plain; charset=utf-8', upgrade: 'websocket' });
      res.end('This is a WebSocket endpoint.\n');
      return;
    }
    if (path === '/healthz') {
      res.writeHead(this.#closing ? 503 : 200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ ok: !this.#closing, connections: this.#conns.size }) + '\n');
      return;
    }
    if (path === '/metrics') {
      this.metrics.connections = this.#conns.size;
      this.metrics.rooms = this.#localRooms.size;
      res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8' });
      res.end(this.metrics.render());
      return;
    }
    if (this.opts.demo && path !== null) {
      void serveStatic(this.#mounts, req, res, path);
      return;
    }
    res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' });
    res.end('Not found\n');
  }

  /**
   * Every TCP connection counts against its address until it becomes a WebSocket, so that one
   * address cannot hold many half-open requests. A trusted proxy carries everyone: it is exempt.
   */
  onTcp(socket: CountedSocket): void {
    if (socket[PENDING] !== undefined) return;
    const peer = socket.remoteAddress ?? '';
    if (this.#proxies && isTrusted(this.#proxies, peer)) return;
    const key = addressKey(peer);
    if (!this.#addresses.acquirePending(key)) {
      socket.destroy();
      return;
    }
    socket[PENDING] = key;
    socket.on('close', this.#onPendingClose);
  }

  /** One listener for every counted socket: thousands of sockets, one function. */
  readonly #onPendingClose = (() => {
    const core = this;
    return function (this: CountedSocket) {
      core.#settlePending(this);
    };
  })();

  #settlePending(upgraded: CountedSocket): void {
    // With TLS the upgrade comes on the TLS socket; the TCP socket counted is its parent.
    const socket = upgraded[PENDING] === undefined ? ((upgraded as { _parent?: CountedSocket })._parent ?? upgraded) : upgraded;
    const key = socket[PENDING];
    if (key === undefined) return;
    socket[PENDING] = '';
    socket.removeListener('close', this.#onPendingClose);
    if (key) this.#addresses.releasePending(key);
  }

  onUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    socket.on('error', () => socket.destroy());
    if (pathOf(req) !== '/signal') return refuseUpgrade(socket, 404, 'Not Found');
    if (this.#closing) return refuseUpgrade(socket, 503, 'Service Unavailable');
    const offered = String(req.headers['sec-websocket-protocol'] ?? '')
      .split(',')
      .map((p) => p.trim());
    if (!offered.includes(SUBPROTOCOL)) return refuseUpgrade(socket, 400, 'Bad Request', `subprotocol ${SUBPROTOCOL} required`);
    const ip = clientAddress(req.socket.remoteAddress ?? '', req.headers['x-forwarded-for'], this.#proxies);
    const key = addressKey(ip);
    let refusal: SignalingErrorCode | null = null;
    let claims: JoinTokenClaims | null = null;
    const origin = req.headers.origin;
    if (this.opts.allowedOrigins && !(origin && this.opts.allowedOrigins.has(origin))) {
      refusal = SignalingErrorCode.OriginNotAllowed;
    } else if (this.#conns.size >= this.opts.maxConnections) {
      refusal = SignalingErrorCode.ServerFull;
    } else if (!this.#addresses.hasRoom(key) || !this.#addresses.take(key)) {
      // A connection attempt spends from the address's frame budget, so reconnecting is no way
      // around it.
      refusal = SignalingErrorCode.RateLimited;
    } else {
      const token = offered.find((p) => p.startsWith(TOKEN_SUBPROTOCOL_PREFIX))?.slice(TOKEN_SUBPROTOCOL_PREFIX.length);
      if (token !== undefined && this.opts.tokenSecrets.length) {
        const checked = verifyJoinToken(token, { secret: this.opts.tokenSecrets });
        if (checked.ok) claims = checked.claims;
        else refusal = checked.code;
      } else if (!this.opts.demo) {
        refusal = SignalingErrorCode.TokenRequired;
      }
    }
    // A browser sees a refused upgrade only as a failed WebSocket, so refusals are accepted and
    // then explained with a coded error frame and a close code. Nothing is counted for the
    // address before ws has accepted the handshake: a handshake ws rejects costs nothing after.
    this.#wss.handleUpgrade(req, socket, head, (ws) => {
      if (refusal) return this.#refuse(ws, ip, refusal);
      if (this.#closing || this.#conns.size >= this.opts.maxConnections) return this.#refuse(ws, ip, SignalingErrorCode.ServerFull);
      if (!this.#addresses.hasRoom(key)) return this.#refuse(ws, ip, SignalingErrorCode.RateLimited);
      this.#settlePending(socket as CountedSocket);
      this.#onConnection(ws, ip, key, claims);
    });
  }

  #refuse(ws: WebSocket, ip: string, code: SignalingErrorCode): void {
    ws.on('error', () => {});
    this.#countRefusal(code);
    this.log.info('refused', { ip: maskIp(ip), code });
    const d = errorDelivery('', code, true);
    ws.send(d.frame);
    ws.close(d.close!.code, d.close!.reason);
    // A client that never answers the close is cut off.
    setTimeout(() => ws.terminate(), CLOSE_GRACE_MS).unref();
  }

  #countRefusal(code: string): void {
    this.metrics.inc('vc_refusals_total', ['code', code]);
  }

  // ---- connections --------------------------------------------------------------------------

  #onConnection(ws: WebSocket, ip: string, key: string, claims: JoinTokenClaims | null): void {
    const now = Date.now();
    const conn: Conn = {
      id: `${this.store.nodeId}:${(++this.#seq).toString(36)}`,
      ws,
      ip,
      key,
      openedAt: now,
      bucket: null,
      claims,
      alive: true,
      room: null,
      role: null,
      chain: null,
      pending: 0,
      closed: false,
    };
    (ws as SocketWithConn)[CONN] = conn;
    this.#conns.set(conn.id, conn);
    this.#addresses.attach(key);
    this.metrics.inc('vc_connections_total');
    this.log.debug('connected', { conn: conn.id, ip: maskIp(conn.ip) });
    // Shared listeners find their connection on the socket: thousands of sockets, four functions.
    ws.on('error', this.#listeners.error);
    ws.on('pong', this.#listeners.pong);
    ws.on('message', this.#listeners.message);
    ws.on('close', this.#listeners.close);
  }

  readonly #listeners = (() => {
    const core = this;
    return {
      error(this: WebSocket, err: Error) {
        core.log.warn('socket error', { conn: (this as SocketWithConn)[CONN].id, error: (err as { code?: string }).code ?? err.message });
      },
      pong(this: WebSocket) {
        (this as SocketWithConn)[CONN].alive = true;
      },
      message(this: WebSocket, data: Buffer, isBinary: boolean) {
        core.#onFrame((this as SocketWithConn)[CONN], data, isBinary);
      },
      close(this: WebSocket) {
        core.#onClose((this as SocketWithConn)[CONN]);
      },
    };
  })();

  /** Runs `step` after everything already pending on this connection. */
  #enqueue(conn: Conn, step: () => Promise<void>, what: string): void {
    conn.pending++;
    conn.chain = (conn.chain ?? Promise.resolve())
      .then(step)
      .catch((err: unknown) => {
        // The room store failed (Redis unreachable): this connection cannot go on consistently.
        this.log.error('handler failed', { conn: conn.id, type: what, error: err instanceof Error ? err.message : String(err) });
        conn.ws.close(1011, 'internal-error');
      })
      .finally(() => {
        if (--conn.pending === 0) conn.chain = null;
      });
  }

  #onFrame(conn: Conn, data: Buffer, isBinary: boolean): void {
    if (conn.closed) return;
    if (!this.#withinRate(conn)) return;
    if (isBinary) return this.#sendError(conn, SignalingErrorCode.InvalidMessage, 'binary frames are not part of the protocol');
    if (data.length > MAX_FRAME_BYTES) {
      return this.#sendError(conn, SignalingErrorCode.MessageTooLarge, `frame over ${MAX_FRAME_BYTES} bytes`);
    }
    const parsed = parseClientMessage(data.toString('utf8'));
    if (!parsed.ok) return this.#sendError(conn, parsed.code, parsed.reason);
    const msg = parsed.message;
    this.metrics.inc('vc_messages_total', ['type', msg.type]);
    // The hot path: with rooms in memory and nothing pending, relay without a promise in sight.
    if (this.#memory && conn.pending === 0 && (msg.type === 'description' || msg.type === 'candidate')) {
      return this.#relay(conn, msg, this.#memory.readSync(conn.room ?? ''));
    }
    this.#enqueue(conn, () => this.#handle(conn, msg), msg.type);
  }

  /**
   * A connection that has not joined spends from its address's budget, which outlives its
   * connections. A joined one spends from its place's budget, which outlives reconnects to the
   * place: so a neighbour behind the same NAT who floods uses up only the address's budget and
   * cannot get an admitted patient disconnected.
   */
  #withinRate(conn: Conn): boolean {
    const now = Date.now();
    const paid = this.#addresses.take(conn.key, now);
    if (conn.bucket ? takeToken(conn.bucket, this.opts.messageRate, this.opts.messageBurst, now) : paid) return true;
    this.log.warn('rate limited', { conn: conn.id, ip: maskIp(conn.ip) });
    this.#sendError(conn, SignalingErrorCode.RateLimited, 'Too many messages.', true);
    return false;
  }

  /** The budget of a place; a new one starts with no more than its address has left. */
  #placeBucket(room: string, role: Role, key: string, now: number): Bucket {
    let places = this.#placeBuckets.get(room);
    if (!places) this.#placeBuckets.set(room, (places = {}));
    return (places[role] ??= { tokens: Math.floor(this.#addresses.tokens(key, now)), at: now });
  }

  #relay(conn: Conn, msg: ClientMessage, state: RoomState | null): void {
    if (!conn.room || !conn.role) return this.#sendError(conn, SignalingErrorCode.NotJoined);
    const target = relayTarget(state, conn.id, conn.role);
    if ('code' in target) return this.#sendError(conn, target.code);
    this.store.send([{ to: target.to, frame: reencodeRelay(msg) }]);
    this.metrics.inc('vc_relayed_total');
  }

  async #handle(conn: Conn, msg: ClientMessage): Promise<void> {
    if (conn.closed) return;
    if (msg.type === 'join') {
      if (conn.room) return this.#sendError(conn, SignalingErrorCode.AlreadyJoined);
      return this.#join(conn, msg.room, msg.role, msg.resume ?? undefined);
    }
    if (msg.type === 'ice-servers') return this.#answerIceServers(conn);
    const room = conn.room;
    const role = conn.role;
    if (!room || !role) return this.#sendError(conn, SignalingErrorCode.NotJoined);
    switch (msg.type) {
      case 'description':
      case 'candidate':
        return this.#relay(conn, msg, await this.store.read(room));
      case 'admit':
      case 'decline':
        if (role !== 'doctor') return this.#sendError(conn, SignalingErrorCode.NotAllowed, 'only the doctor admits or declines');
        await this.store.transact(room, (s) =>
          answerKnock(s, conn.id, msg.type === 'admit', (place) => this.#tickets.issue(room, 'patient', place, true), this.#iceServers(true)),
        );
        this.log.info(msg.type === 'admit' ? 'admitted' : 'declined', { room: this.#roomTag(room) });
        return;
      case 'leave':
        await this.#depart(conn, 'left');
        conn.ws.close(1000, 'left');
        return;
    }
  }

  async #join(conn: Conn, room: string, role: Role, resume: string | undefined): Promise<void> {
    if (conn.claims && conn.claims.room !== room) return this.#sendError(conn, SignalingErrorCode.TokenWrongRoom, 'The token is for another room.', true);
    if (conn.claims && conn.claims.role !== role) return this.#sendError(conn, SignalingErrorCode.TokenWrongRole, 'The token is for the other role.', true);
    if (!this.#localRooms.has(room) && this.#localRooms.size >= this.opts.maxRooms) {
      return this.#sendError(conn, SignalingErrorCode.ServerFull, 'The server has no room for another consultation.', true);
    }
    const ticket = resume !== undefined ? this.#tickets.verify(resume, room, role) : undefined;
    const now = Date.now();
    const since = this.store.forgetsOnRestart ? this.#startedAt : undefined;
    // Only a store shared with other processes can hold places of a dead one.
    const goneNodes = this.store.isAlive ? await this.#deadHolder(room, role) : undefined;
    const result = await this.store.transact(room, (s) =>
      join(s, {
        conn: conn.id,
        role,
        room,
        ...(ticket ? { ticket } : {}),
        ...(since !== undefined && now < since + this.opts.graceMs ? { recoverBefore: since } : {}),
        newPlace: newPlaceId(),
        issue: (place, admitted) => this.#tickets.issue(room, role, place, admitted),
        iceServers: { waiting: this.#iceServers(false), admitted: this.#iceServers(true) },
        now,
        graceMs: this.opts.graceMs,
        ...(goneNodes ? { goneNodes } : {}),
      }),
    );
    if (result.ok) {
      conn.room = room;
      conn.role = role;
      conn.openedAt = 0;
      conn.bucket = this.#placeBucket(room, role, conn.key, Date.now());
      this.#localRooms.set(room, (this.#localRooms.get(room) ?? 0) + 1);
      this.metrics.inc('vc_joins_total', ['role', role]);
      this.log.info('joined', { conn: conn.id, room: this.#roomTag(room), role, resumed: resume !== undefined });
    } else {
      this.log.info('refused', { conn: conn.id, room: this.#roomTag(room), role, code: result.code });
    }
  }

  /** The ICE servers for a participant; TURN credentials only for one who is let in. */
  #iceServers(admitted: boolean): IceServer[] {
    return admitted && this.opts.turn ? [...this.opts.iceServers, turnCredentials(this.opts.turn)] : this.opts.iceServers;
  }

  // ---- the pre-call check's ICE servers ----------------------------------------------------

  /**
   * Answers a pre-call check: the ICE servers a call would get, then the socket closes. The token
   * was checked at the upgrade (any room will do: the check joins none), and the socket counted
   * against the per-address limits like any other. TURN credentials live only as long as a check.
   */
  #answerIceServers(conn: Conn): void {
    if (conn.room) return this.#sendError(conn, SignalingErrorCode.AlreadyJoined, 'ice-servers is sent instead of join');
    const turn = this.opts.turn;
    const ttlSeconds = turn ? Math.min(turn.ttlSeconds ?? CHECK_TURN_TTL_SECONDS, CHECK_TURN_TTL_SECONDS) : undefined;
    const iceServers = turn ? [...this.opts.iceServers, turnCredentials({ ...turn, ttlSeconds })] : this.opts.iceServers;
    conn.ws.send(encode({ type: 'ice-servers', iceServers, ...(ttlSeconds ? { ttlSeconds } : {}) }));
    conn.closed = true;
    conn.ws.close(1000, 'ice-servers');
  }

  async #depart(conn: Conn, reason: 'left' | 'gone'): Promise<void> {
    const room = conn.room;
    const role = conn.role;
    if (!room || !role) return;
    conn.room = null;
    conn.role = null;
    const n = (this.#localRooms.get(room) ?? 1) - 1;
    if (n > 0) this.#localRooms.set(room, n);
    else this.#localRooms.delete(room);
    const kept = await this.store.transact(room, (s) => depart(s, conn.id, role, reason, Date.now()));
    this.log.info(reason === 'left' ? 'left' : 'gone', { conn: conn.id, room: this.#roomTag(room), role });
    if (kept && reason === 'gone') this.#expireLater(room);
  }

  /** Releases a room's places once their grace period is over, unless they were taken back. */
  #expireLater(room: string): void {
    if (this.#closing) return;
    const timer = setTimeout(() => {
      this.#timers.delete(timer);
      void this.store
        .transact(room, (s) => ({ state: expire(s, Date.now(), this.opts.graceMs), deliveries: [], result: null }))
        .catch((err: unknown) => this.log.warn('expiry failed', { error: String(err) }));
    }, this.opts.graceMs + 10);
    timer.unref();
    this.#timers.add(timer);
  }

  /**
   * The process holding this place, if it is dead: a join that races the clean-up after it lets
   * that process's places go first instead of being refused `room-full`.
   */
  async #deadHolder(room: string, role: Role): Promise<string[] | undefined> {
    const holder = (await this.store.read(room))?.[role]?.conn;
    if (!holder || nodeOf(holder) === this.store.nodeId) return undefined;
    return (await this.store.isAlive!(nodeOf(holder))) ? undefined : [nodeOf(holder)];
  }

  /**
   * Another process died without closing (the store tells exactly one survivor): its places go as
   * if their sockets had dropped now, so peers hear `peer-left`, tickets take the places back on
   * any process within the grace period, and after it the places are free.
   */
  async #letGo(node: string, rooms: string[]): Promise<void> {
    let places = 0;
    for (const room of rooms) {
      const gone = await this.store.transact(room, (s) => departNode(s, node, Date.now()));
      if (gone) this.#expireLater(room);
      places += gone;
    }
    this.log.warn('process gone', { node, rooms: rooms.length, places });
  }

  /**
   * This process was taken for dead while stalled, and its places were let go: its connections
   * are stale. They are closed like after a store failure, and the clients reconnect and resume.
   */
  #dropStale(): void {
    this.log.error('taken for dead by the other processes; dropping stale connections', { node: this.store.nodeId });
    for (const conn of this.#conns.values()) {
      if (nodeOf(conn.id) !== this.store.nodeId) this.#closeConn(conn, 1011, 'internal-error');
    }
  }

  #onClose(conn: Conn): void {
    conn.closed = true;
    this.#enqueue(
      conn,
      () =>
        this.#depart(conn, 'gone').finally(() => {
          this.#conns.delete(conn.id);
          this.#addresses.detach(conn.key);
        }),
      'close',
    );
  }

  #deliverLocal(d: Delivery): void {
    const conn = this.#conns.get(d.to);
    if (!conn || conn.ws.readyState !== WebSocket.OPEN) return;
    if (conn.ws.bufferedAmount + d.frame.length > this.opts.maxQueuedBytes) return this.#dropSlow(conn);
    if (d.frame.startsWith('{"v":1,"type":"error"')) this.#countRefusal((JSON.parse(d.frame) as { code: string }).code);
    conn.ws.send(d.frame);
    if (d.close) this.#closeConn(conn, d.close.code, d.close.reason);
  }

  /** Closes with a code, and cuts the socket off if the client does not answer in time. */
  #closeConn(conn: Conn, code: number, reason: string): void {
    conn.closed = true;
    conn.ws.close(code, reason);
    setTimeout(() => conn.ws.terminate(), CLOSE_GRACE_MS).unref();
  }

  /**
   * A receiver that does not read (while perhaps answering pings) would make the server queue
   * frames for it without end: past `maxQueuedBytes` it is dropped, and what was queued goes.
   */
  #dropSlow(conn: Conn): void {
    if (conn.closed) return;
    this.log.warn('slow consumer', { conn: conn.id, queued: conn.ws.bufferedAmount });
    this.#countRefusal(SignalingErrorCode.SlowConsumer);
    conn.closed = true;
    // The close frame would wait behind everything queued; the socket goes now.
    conn.ws.close(closeCodeFor(SignalingErrorCode.SlowConsumer), SignalingErrorCode.SlowConsumer);
    conn.ws.terminate();
  }

  /** Closes sockets that never joined, and forgets quiet addresses. */
  #sweep(): void {
    const now = Date.now();
    for (const conn of this.#conns.values()) {
      if (conn.openedAt && !conn.closed && now - conn.openedAt >= this.opts.joinTimeoutMs) {
        this.#sendError(conn, SignalingErrorCode.JoinTimeout, 'No join in time.', true);
      }
    }
    this.#addresses.sweep(now);
    const full = (b: Bucket | undefined) => !b || isFull(b, this.opts.messageRate, this.opts.messageBurst, now);
    for (const [room, places] of this.#placeBuckets) {
      if (full(places.doctor) && full(places.patient)) this.#placeBuckets.delete(room);
    }
  }

  #sendError(conn: Conn, code: SignalingErrorCode, message?: string, fatal = false): void {
    this.#deliverLocal(errorDelivery(conn.id, code, fatal, message));
  }

  #beat(): void {
    const suspects: Conn[] = [];
    for (const conn of this.#conns.values()) {
      if (conn.ws.readyState !== WebSocket.OPEN) continue;
      if (conn.ws.bufferedAmount > this.opts.maxQueuedBytes) {
        this.#dropSlow(conn);
        continue;
      }
      if (!conn.alive) {
        suspects.push(conn);
        continue;
      }
      conn.alive = false;
      conn.ws.ping();
    }
    // Judge only after pending I/O has been read: when this process was busy, pongs that arrived
    // in time may still sit unread, and a slow server must not drop its clients for it.
    if (suspects.length) {
      setImmediate(() => {
        for (const conn of suspects) {
          if (conn.alive || conn.ws.readyState !== WebSocket.OPEN) continue;
          this.log.info('heartbeat timeout', { conn: conn.id });
          conn.ws.terminate();
        }
      });
    }
  }

  /** Undoes the constructor when the server could not start listening. */
  abort(): void {
    clearInterval(this.#heartbeat);
    clearInterval(this.#sweeper);
    void this.store.close();
  }

  async shutdown(http: Server): Promise<void> {
    this.#closing = true;
    clearInterval(this.#heartbeat);
    clearInterval(this.#sweeper);
    const stopped = new Promise<void>((ok) => http.close(() => ok()));
    http.closeIdleConnections();
    const conns = [...this.#conns.values()];
    for (const conn of conns) this.#sendError(conn, SignalingErrorCode.ShuttingDown, 'The server is restarting; reconnect shortly.', true);
    const deadline = setTimeout(() => {
      for (const conn of conns) conn.ws.terminate();
    }, SHUTDOWN_GRACE_MS);
    const settled = (c: Conn) => c.chain ?? undefined;
    await Promise.all(conns.map((c) => (c.ws.readyState === WebSocket.CLOSED ? settled(c) : new Promise<void>((ok) => c.ws.once('close', () => ok())).then(() => settled(c)))));
    clearTimeout(deadline);
    for (const t of this.#timers) clearTimeout(t);
    this.#timers.clear();
    http.closeAllConnections();
    await stopped;
    await this.store.close();
    this.log.info('closed');
  }
}

function pathOf(req: IncomingMessage): string | null {
  const raw = req.url ?? '/';
  if (!raw.startsWith('/')) return null;
  const q = raw.indexOf('?');
  return q === -1 ? raw : raw.slice(0, q);
}

function refuseUpgrade(socket: Duplex, status: number, text: string, body = text): void {
  if (socket.writable) {
    socket.end(`HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Type: text/plain\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
  }
  socket.destroy();
}

/** Rebuilds a relayed frame from the validated fields only, so nothing else rides along. */
function reencodeRelay(msg: ClientMessage): string {
  if (msg.type === 'description') {
    const { type, sdp } = msg.description;
    return encode({ type: 'description', description: sdp === undefined ? { type } : { type, sdp } });
  }
  if (msg.type === 'candidate') {
    const c = msg.candidate;
    if (c === null) return encode({ type: 'candidate', candidate: null });
    const out: Candidate = { candidate: c.candidate };
    if (c.sdpMid !== undefined) out.sdpMid = c.sdpMid;
    if (c.sdpMLineIndex !== undefined) out.sdpMLineIndex = c.sdpMLineIndex;
    if (c.usernameFragment !== undefined) out.usernameFragment = c.usernameFragment;
    return encode({ type: 'candidate', candidate: out });
  }
  throw new Error(`not a relay frame: ${msg.type}`);
}

/** TLS 1.2 and later with forward-secret key exchange only (ECDHE; TLS 1.3 suites all are). */
function tlsOptions(tls: { cert: string | Buffer; key: string | Buffer }) {
  return {
    cert: tls.cert,
    key: tls.key,
    minVersion: 'TLSv1.2' as const,
    ciphers: [
      'TLS_AES_128_GCM_SHA256',
      'TLS_AES_256_GCM_SHA384',
      'TLS_CHACHA20_POLY1305_SHA256',
      'ECDHE-ECDSA-AES128-GCM-SHA256',
      'ECDHE-RSA-AES128-GCM-SHA256',
      'ECDHE-ECDSA-AES256-GCM-SHA384',
      'ECDHE-RSA-AES256-GCM-SHA384',
      'ECDHE-ECDSA-CHACHA20-POLY1305',
      'ECDHE-RSA-CHACHA20-POLY1305',
    ].join(':'),
    honorCipherOrder: true,
  };
}
