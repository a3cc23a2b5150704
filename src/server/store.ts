/**
 * Where rooms live. The server talks to rooms only through {@link RoomStore}: in memory for one
 * process (the default), or in Redis so that several processes share rooms (see redis-store.ts).
 */
import type { Delivery, RoomState, Transition } from './rooms.js';

export interface RoomStore {
  /** Names this process in connection ids (`<nodeId>:<n>`), so deliveries find their process. */
  readonly nodeId: string;
  /**
   * True when the rooms die with the process (in memory): for a short while after a start, place
   * tickets from before it may then take back places the store no longer knows.
   */
  readonly forgetsOnRestart?: boolean;
  /** Receives the deliveries addressed to connections of this process. */
  setLocalSink(sink: (delivery: Delivery) => void): void;
  /**
   * Applies `step` to a room atomically, stores the next state and dispatches its deliveries.
   * `step` must be pure: a store may run it again after a conflicting write.
   */
  transact<T>(room: string, step: (state: RoomState | null) => Transition<T>): Promise<T>;
  /** Reads a room without changing it. */
  read(room: string): Promise<RoomState | null>;
  /** Dispatches deliveries that change no state (relayed descriptions and candidates). */
  send(deliveries: Delivery[]): void;
  /**
   * Watches the other processes sharing the rooms; only a store shared between processes has
   * others. See {@link NodeWatch}.
   */
  watchNodes?(watch: NodeWatch): void;
  /** Whether process `node` is alive, as far as the store can tell (its heartbeat is fresh). */
  isAlive?(node: string): Promise<boolean>;
  close(): Promise<void>;
}

/** What a shared store tells its process about processes that die without closing. */
export interface NodeWatch {
  /**
   * Process `node` stopped beating: the places its connections held in `rooms` need to go. Runs
   * on exactly one surviving process per dead one; if it fails, another takes over later.
   */
  gone(node: string, rooms: string[]): Promise<void>;
  /**
   * This process was itself taken for dead (it stalled or lost Redis for longer than its
   * heartbeat) and has a new id now: its places were cleaned up, so its connections are stale.
   */
  fenced(): void;
}

/** Rooms in a Map: one process, no I/O. */
export class MemoryRoomStore implements RoomStore {
  readonly nodeId: string;
  readonly forgetsOnRestart = true;
  readonly #rooms = new Map<string, RoomState>();
  #sink: (delivery: Delivery) => void = () => {};

  constructor(nodeId = 'm') {
    this.nodeId = nodeId;
  }

  get size(): number {
    return this.#rooms.size;
  }

  setLocalSink(sink: (delivery: Delivery) => void): void {
    this.#sink = sink;
  }

  async transact<T>(room: string, step: (state: RoomState | null) => Transition<T>): Promise<T> {
    return this.transactSync(room, step);
  }

  /** The same as {@link transact}, without the promise, for the hot path. */
  transactSync<T>(room: string, step: (state: RoomState | null) => Transition<T>): T {
    const { state, deliveries, result } = step(this.#rooms.get(room) ?? null);
    if (state) this.#rooms.set(room, state);
    else this.#rooms.delete(room);
    this.send(deliveries);
    return result;
  }

  async read(room: string): Promise<RoomState | null> {
    return this.#rooms.get(room) ?? null;
  }

  readSync(room: string): RoomState | null {
    return this.#rooms.get(room) ?? null;
  }

  send(deliveries: Delivery[]): void {
    for (const d of deliveries) this.#sink(d);
  }

  async close(): Promise<void> {
    this.#rooms.clear();
  }
}
