/**
 * The client's frames and what the server does with them: check the budget and the frame, then
 * join, relay, admit or decline, leave, or answer a pre-call check's `ice-servers`. The rules of a
 * room live in rooms.ts; this file reads and writes them through the room store.
 */
import {
  type Candidate,
  type ClientMessage,
  type IceServer,
  MAX_FRAME_BYTES,
  parseClientMessage,
  type Role,
  SignalingErrorCode,
} from '../protocol/index.js';
import type { FrameBudgets } from './budgets.js';
import type { Conn, Connections } from './connections.js';
import { type Logger, maskIp, roomTagger } from './log.js';
import type { Metrics } from './metrics.js';
import type { ResolvedOptions } from './options.js';
import { answerKnock, depart, encodeFrame as encode, join, nodeOf, relayTarget, type RoomState } from './rooms.js';
import { MemoryRoomStore, type RoomStore } from './store.js';
import { newPlaceId, TicketSigner } from './tickets.js';
import { turnCredentials } from './turn.js';

/** How long TURN credentials for a pre-call check stay valid, in seconds: long enough for one check. */
const CHECK_TURN_TTL_SECONDS = 120;

export class MessageHandlers {
  /** Rooms with a participant on this process, with how many. */
  readonly localRooms = new Map<string, number>();
  /** The store, when rooms are in memory and can be read synchronously. */
  readonly #memory: MemoryRoomStore | null;
  readonly #tickets: TicketSigner;
  readonly #roomTag: (room: string) => string;
  /** Tickets issued before this (ms) come from an earlier process. */
  readonly #startedAt = Date.now();

  constructor(
    readonly opts: ResolvedOptions,
    readonly log: Logger,
    readonly store: RoomStore,
    readonly metrics: Metrics,
    readonly conns: Connections,
    readonly budgets: FrameBudgets,
    /** Called when a place is kept for its grace period, to release it after. */
    readonly expireLater: (room: string) => void,
  ) {
    this.#memory = store instanceof MemoryRoomStore ? store : null;
    this.#tickets = new TicketSigner(opts.resumeSecret);
    this.#roomTag = roomTagger(opts.resumeSecret);
  }

  onFrame(conn: Conn, data: Buffer, isBinary: boolean): void {
    if (conn.closed) return;
    if (!this.#withinRate(conn)) return;
    if (isBinary) return this.conns.sendError(conn, SignalingErrorCode.InvalidMessage, 'binary frames are not part of the protocol');
    if (data.length > MAX_FRAME_BYTES) {
      return this.conns.sendError(conn, SignalingErrorCode.MessageTooLarge, `frame over ${MAX_FRAME_BYTES} bytes`);
    }
    const parsed = parseClientMessage(data.toString('utf8'));
    if (!parsed.ok) return this.conns.sendError(conn, parsed.code, parsed.reason);
    const msg = parsed.message;
    this.metrics.inc('vc_messages_total', ['type', msg.type]);
    // The hot path: with rooms in memory and nothing pending, relay without a promise in sight.
    if (this.#memory && conn.pending === 0 && (msg.type === 'description' || msg.type === 'candidate')) {
      return this.#relay(conn, msg, this.#memory.readSync(conn.room ?? ''));
    }
    this.conns.enqueue(conn, () => this.#handle(conn, msg), msg.type);
  }

  /** The socket closed: the place is kept for its grace period, then the connection is forgotten. */
  onClose(conn: Conn): void {
    conn.closed = true;
    this.conns.enqueue(conn, () => this.#depart(conn, 'gone').finally(() => this.conns.forget(conn)), 'close');
  }

  #withinRate(conn: Conn): boolean {
    if (this.budgets.spend(conn.key, conn.bucket)) return true;
    this.log.warn('rate limited', { conn: conn.id, ip: maskIp(conn.ip) });
    this.conns.sendError(conn, SignalingErrorCode.RateLimited, 'Too many messages.', true);
    return false;
  }

  #relay(conn: Conn, msg: ClientMessage, state: RoomState | null): void {
    if (!conn.room || !conn.role) return this.conns.sendError(conn, SignalingErrorCode.NotJoined);
    const target = relayTarget(state, conn.id, conn.role);
    if ('code' in target) return this.conns.sendError(conn, target.code);
    this.store.send([{ to: target.to, frame: reencodeRelay(msg) }]);
    this.metrics.inc('vc_relayed_total');
  }

  async #handle(conn: Conn, msg: ClientMessage): Promise<void> {
    if (conn.closed) return;
    if (msg.type === 'join') {
      if (conn.room) return this.conns.sendError(conn, SignalingErrorCode.AlreadyJoined);
      return this.#join(conn, msg.room, msg.role, msg.resume ?? undefined);
    }
    if (msg.type === 'ice-servers') return this.#answerIceServers(conn);
    const room = conn.room;
    const role = conn.role;
    if (!room || !role) return this.conns.sendError(conn, SignalingErrorCode.NotJoined);
    switch (msg.type) {
      case 'description':
      case 'candidate':
        return this.#relay(conn, msg, await this.store.read(room));
      case 'admit':
      case 'decline':
        if (role !== 'doctor') return this.conns.sendError(conn, SignalingErrorCode.NotAllowed, 'only the doctor admits or declines');
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
    if (conn.claims && conn.claims.room !== room)
      return this.conns.sendError(conn, SignalingErrorCode.TokenWrongRoom, 'The token is for another room.', true);
    if (conn.claims && conn.claims.role !== role)
      return this.conns.sendError(conn, SignalingErrorCode.TokenWrongRole, 'The token is for the other role.', true);
    if (!this.localRooms.has(room) && this.localRooms.size >= this.opts.maxRooms) {
      return this.conns.sendError(conn, SignalingErrorCode.ServerFull, 'The server has no room for another consultation.', true);
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
      conn.bucket = this.budgets.forPlace(room, role, conn.key, Date.now());
      this.localRooms.set(room, (this.localRooms.get(room) ?? 0) + 1);
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

  /**
   * Answers a pre-call check: the ICE servers a call would get, then the socket closes. The token
   * was checked at the upgrade (any room will do: the check joins none), and the socket counted
   * against the per-address limits like any other. TURN credentials live only as long as a check.
   */
  #answerIceServers(conn: Conn): void {
    if (conn.room) return this.conns.sendError(conn, SignalingErrorCode.AlreadyJoined, 'ice-servers is sent instead of join');
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
    const n = (this.localRooms.get(room) ?? 1) - 1;
    if (n > 0) this.localRooms.set(room, n);
    else this.localRooms.delete(room);
    const kept = await this.store.transact(room, (s) => depart(s, conn.id, role, reason, Date.now()));
    this.log.info(reason === 'left' ? 'left' : 'gone', { conn: conn.id, room: this.#roomTag(room), role });
    if (kept && reason === 'gone') this.expireLater(room);
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
