/**
 * The open WebSockets of this process: each one's state, its queue of frames being handled, and
 * every way the server writes to it or closes it.
 */
import { WebSocket } from 'ws';
import { type Role, SignalingErrorCode } from '../protocol/index.js';
import type { AddressLimits, Bucket } from './limits.js';
import { type Logger, maskIp } from './log.js';
import type { Metrics } from './metrics.js';
import { closeCodeFor, type Delivery, errorDelivery } from './rooms.js';
import type { JoinTokenClaims } from './tokens.js';

/** How long a refused or dropped socket may take to answer the close before it is cut off. */
export const CLOSE_GRACE_MS = 1_000;

const CONN = Symbol('conn');
type SocketWithConn = WebSocket & { [CONN]: Conn };

export interface Conn {
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

/** What happens on a connection's socket, handled elsewhere. */
export interface ConnectionEvents {
  frame(conn: Conn, data: Buffer, isBinary: boolean): void;
  close(conn: Conn): void;
}

export class Connections {
  readonly #conns = new Map<string, Conn>();
  #seq = 0;

  constructor(
    /** This process's id in the store, read anew for each connection: a fenced process takes a new one. */
    readonly nodeId: () => string,
    readonly maxQueuedBytes: number,
    readonly addresses: AddressLimits,
    readonly metrics: Metrics,
    readonly log: Logger,
    readonly events: ConnectionEvents,
  ) {}

  get size(): number {
    return this.#conns.size;
  }

  get(id: string): Conn | undefined {
    return this.#conns.get(id);
  }

  values(): IterableIterator<Conn> {
    return this.#conns.values();
  }

  open(ws: WebSocket, ip: string, key: string, claims: JoinTokenClaims | null): void {
    const now = Date.now();
    const conn: Conn = {
      id: `${this.nodeId()}:${(++this.#seq).toString(36)}`,
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
    this.addresses.attach(key);
    this.metrics.inc('vc_connections_total');
    this.log.debug('connected', { conn: conn.id, ip: maskIp(conn.ip) });
    // Shared listeners find their connection on the socket: thousands of sockets, four functions.
    ws.on('error', this.#listeners.error);
    ws.on('pong', this.#listeners.pong);
    ws.on('message', this.#listeners.message);
    ws.on('close', this.#listeners.close);
  }

  /** Forgets a connection whose socket has closed and whose last step has run. */
  forget(conn: Conn): void {
    this.#conns.delete(conn.id);
    this.addresses.detach(conn.key);
  }

  readonly #listeners = (() => {
    // eslint-disable-next-line @typescript-eslint/no-this-alias -- each listener needs both the socket (its `this`) and the owner
    const conns = this;
    return {
      error(this: WebSocket, err: Error) {
        conns.log.warn('socket error', { conn: (this as SocketWithConn)[CONN].id, error: (err as { code?: string }).code ?? err.message });
      },
      pong(this: WebSocket) {
        (this as SocketWithConn)[CONN].alive = true;
      },
      message(this: WebSocket, data: Buffer, isBinary: boolean) {
        conns.events.frame((this as SocketWithConn)[CONN], data, isBinary);
      },
      close(this: WebSocket) {
        conns.events.close((this as SocketWithConn)[CONN]);
      },
    };
  })();

  /** Runs `step` after everything already pending on this connection. */
  enqueue(conn: Conn, step: () => Promise<void>, what: string): void {
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

  /** Sends a frame to a connection of this process, if it is still open and reads what it gets. */
  deliver(d: Delivery): void {
    const conn = this.#conns.get(d.to);
    if (!conn || conn.ws.readyState !== WebSocket.OPEN) return;
    if (conn.ws.bufferedAmount + d.frame.length > this.maxQueuedBytes) return this.dropSlow(conn);
    if (d.frame.startsWith('{"v":1,"type":"error"')) this.countRefusal((JSON.parse(d.frame) as { code: string }).code);
    conn.ws.send(d.frame);
    if (d.close) this.close(conn, d.close.code, d.close.reason);
  }

  sendError(conn: Conn, code: SignalingErrorCode, message?: string, fatal = false): void {
    this.deliver(errorDelivery(conn.id, code, fatal, message));
  }

  /** Explains a refused connection with a coded error frame and a close code. */
  refuse(ws: WebSocket, ip: string, code: SignalingErrorCode): void {
    ws.on('error', () => {});
    this.countRefusal(code);
    this.log.info('refused', { ip: maskIp(ip), code });
    const d = errorDelivery('', code, true);
    ws.send(d.frame);
    ws.close(d.close!.code, d.close!.reason);
    // A client that never answers the close is cut off.
    setTimeout(() => ws.terminate(), CLOSE_GRACE_MS).unref();
  }

  /** Closes with a code, and cuts the socket off if the client does not answer in time. */
  close(conn: Conn, code: number, reason: string): void {
    conn.closed = true;
    conn.ws.close(code, reason);
    setTimeout(() => conn.ws.terminate(), CLOSE_GRACE_MS).unref();
  }

  /**
   * A receiver that does not read (while perhaps answering pings) would make the server queue
   * frames for it without end: past `maxQueuedBytes` it is dropped, and what was queued goes.
   */
  dropSlow(conn: Conn): void {
    if (conn.closed) return;
    this.log.warn('slow consumer', { conn: conn.id, queued: conn.ws.bufferedAmount });
    this.countRefusal(SignalingErrorCode.SlowConsumer);
    conn.closed = true;
    // The close frame would wait behind everything queued; the socket goes now.
    conn.ws.close(closeCodeFor(SignalingErrorCode.SlowConsumer), SignalingErrorCode.SlowConsumer);
    conn.ws.terminate();
  }

  countRefusal(code: string): void {
    this.metrics.inc('vc_refusals_total', ['code', code]);
  }
}
