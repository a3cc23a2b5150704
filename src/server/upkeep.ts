/**
 * What the server does on its own, by the clock: the ping/pong heartbeat, the sweep that closes
 * sockets that never joined and forgets quiet addresses, the end of places' grace periods, and
 * clean-up after a process that died (Redis mode).
 */
import { WebSocket } from 'ws';
import { SignalingErrorCode } from '../protocol/index.js';
import type { FrameBudgets } from './budgets.js';
import type { Conn, Connections } from './connections.js';
import type { Logger } from './log.js';
import type { ResolvedOptions } from './options.js';
import { departNode, expire, nodeOf } from './rooms.js';
import type { RoomStore } from './store.js';

/** How often join timeouts are checked and idle addresses forgotten. */
const SWEEP_MS = 1_000;

export class Upkeep {
  readonly #heartbeat: NodeJS.Timeout;
  readonly #sweeper: NodeJS.Timeout;
  /** Ends of grace periods still to come. */
  readonly #timers = new Set<NodeJS.Timeout>();
  #stopped = false;

  constructor(
    readonly opts: ResolvedOptions,
    readonly log: Logger,
    readonly store: RoomStore,
    readonly conns: Connections,
    readonly budgets: FrameBudgets,
  ) {
    store.watchNodes?.({ gone: (node, rooms) => this.#letGo(node, rooms), fenced: () => this.#dropStale() });
    this.#heartbeat = setInterval(() => this.#beat(), opts.heartbeatMs);
    this.#heartbeat.unref();
    this.#sweeper = setInterval(() => this.#sweep(), Math.min(SWEEP_MS, opts.joinTimeoutMs / 2));
    this.#sweeper.unref();
  }

  /** Stops the heartbeat and the sweep; no new grace period starts. */
  stop(): void {
    this.#stopped = true;
    clearInterval(this.#heartbeat);
    clearInterval(this.#sweeper);
  }

  /** Drops the grace periods still running (at shutdown: the store keeps or forgets them). */
  cancelExpiries(): void {
    for (const t of this.#timers) clearTimeout(t);
    this.#timers.clear();
  }

  /** Releases a room's places once their grace period is over, unless they were taken back. */
  expireLater(room: string): void {
    if (this.#stopped) return;
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
   * Another process died without closing (the store tells exactly one survivor): its places go as
   * if their sockets had dropped now, so peers hear `peer-left`, tickets take the places back on
   * any process within the grace period, and after it the places are free.
   */
  async #letGo(node: string, rooms: string[]): Promise<void> {
    let places = 0;
    for (const room of rooms) {
      const gone = await this.store.transact(room, (s) => departNode(s, node, Date.now()));
      if (gone) this.expireLater(room);
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
    for (const conn of this.conns.values()) {
      if (nodeOf(conn.id) !== this.store.nodeId) this.conns.close(conn, 1011, 'internal-error');
    }
  }

  /** Closes sockets that never joined, and forgets quiet addresses. */
  #sweep(): void {
    const now = Date.now();
    for (const conn of this.conns.values()) {
      if (conn.openedAt && !conn.closed && now - conn.openedAt >= this.opts.joinTimeoutMs) {
        this.conns.sendError(conn, SignalingErrorCode.JoinTimeout, 'No join in time.', true);
      }
    }
    this.budgets.sweep(now);
  }

  #beat(): void {
    const suspects: Conn[] = [];
    for (const conn of this.conns.values()) {
      if (conn.ws.readyState !== WebSocket.OPEN) continue;
      if (conn.ws.bufferedAmount > this.opts.maxQueuedBytes) {
        this.conns.dropSlow(conn);
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
}
