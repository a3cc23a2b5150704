/**
 * Rooms in Redis, so that several server processes share them. A room is one JSON value; a
 * transition is applied optimistically (read, compute, compare-and-set in a Lua script that also
 * publishes the deliveries meant for other processes, so state and notifications commit
 * together) and retried on a conflicting write. Each process subscribes to its own channel and
 * delivers what arrives there to its sockets.
 *
 * A process that dies without closing (`kill -9`, a lost machine) cannot say so: each process
 * keeps a heartbeat key with a short expiry, and the compare-and-set keeps, per process, the set
 * of rooms where its connections hold places. When a heartbeat lapses, one survivor claims the
 * dead process and has its places let go (see {@link NodeWatch}).
 */
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { type Delivery, nodeOf, type RoomState, type Transition } from './rooms.js';
import type { NodeWatch, RoomStore } from './store.js';

/**
 * KEYS[1]: the room. ARGV: expected, next ('' deletes), ttl ms, room id, n, then n changes to the
 * holders' room sets ('+' or '-' followed by the set's key), then channel/message pairs to publish.
 */
const CAS_SCRIPT = `
local cur = redis.call('GET', KEYS[1])
if (cur or '') ~= ARGV[1] then return 0 end
if ARGV[2] == '' then redis.call('DEL', KEYS[1]) else redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3]) end
local n = tonumber(ARGV[5])
for i = 6, 5 + n do
  local key = string.sub(ARGV[i], 2)
  if string.sub(ARGV[i], 1, 1) == '+' then
    redis.call('SADD', key, ARGV[4])
    redis.call('PEXPIRE', key, ARGV[3])
  else
    redis.call('SREM', key, ARGV[4])
  end
end
for i = 6 + n, #ARGV, 2 do redis.call('PUBLISH', ARGV[i], ARGV[i + 1]) end
return 1
`;

/**
 * KEYS: this process's heartbeat, the set of processes, its clean-up claim. ARGV: id, ttl ms.
 * Returns 0 without beating once another process has claimed this one for dead.
 */
const BEAT_SCRIPT = `
if redis.call('EXISTS', KEYS[3]) == 1 then return 0 end
redis.call('SET', KEYS[1], '1', 'PX', ARGV[2])
redis.call('SADD', KEYS[2], ARGV[1])
return 1
`;

/**
 * KEYS: a process's heartbeat and its clean-up claim. ARGV: claimant, claim ms. Claims only while
 * the heartbeat is missing, in one step: a late beat and a claim never both succeed.
 */
const CLAIM_SCRIPT = `
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
if redis.call('SET', KEYS[2], ARGV[1], 'NX', 'PX', ARGV[2]) then return 1 end
return 0
`;

interface Scripts {
  vcCas(key: string, ...args: Array<string | number>): Promise<number>;
  vcBeat(alive: string, nodes: string, claim: string, id: string, ttlMs: number): Promise<number>;
  vcClaim(alive: string, claim: string, claimant: string, claimMs: number): Promise<number>;
}

/** A room key outlives its last write by this much, a backstop for rooms nobody cleans up. */
const ROOM_TTL_MS = 24 * 3600 * 1000;
const MAX_ATTEMPTS = 50;
/** A heartbeat key lives this many periods: one late beat under load does not make a process dead. */
const HEARTBEAT_LIVES = 3;
/** How long a claim on a dead process lasts: if its claimant dies too, another takes over after. */
const CLAIM_MS = 60_000;

export interface RedisStoreOptions {
  /** `redis://[:password@]host:port[/db]`. */
  url: string;
  /** Prefix of every key and channel. Default `'vc:'`. */
  prefix?: string;
  /** This process's id in connection ids. Default random. */
  nodeId?: string;
  /** How often this process renews its heartbeat and looks for dead ones, in ms. Default `2000`. */
  heartbeatMs?: number;
}

export class RedisRoomStore implements RoomStore {
  #nodeId: string;
  readonly #prefix: string;
  readonly #heartbeatMs: number;
  readonly #cmd: Redis;
  readonly #scripts: Scripts;
  readonly #sub: Redis;
  readonly #onError: (err: Error) => void;
  #sink: (delivery: Delivery) => void = () => {};
  #watch: NodeWatch | null = null;
  #timer: NodeJS.Timeout | null = null;
  #ticking = false;
  #closed = false;

  private constructor(o: RedisStoreOptions, cmd: Redis, sub: Redis, onError: (err: Error) => void) {
    this.#nodeId = o.nodeId ?? randomBytes(4).toString('hex');
    this.#prefix = o.prefix ?? 'vc:';
    this.#heartbeatMs = o.heartbeatMs ?? 2_000;
    this.#cmd = cmd;
    this.#sub = sub;
    this.#onError = onError;
    cmd.defineCommand('vcCas', { numberOfKeys: 1, lua: CAS_SCRIPT });
    cmd.defineCommand('vcBeat', { numberOfKeys: 3, lua: BEAT_SCRIPT });
    cmd.defineCommand('vcClaim', { numberOfKeys: 2, lua: CLAIM_SCRIPT });
    this.#scripts = cmd as unknown as Scripts;
  }

  /**
   * Connects both Redis connections, subscribes to this process's channel and starts beating:
   * the process is known alive before it takes a connection.
   */
  static async connect(o: RedisStoreOptions, onError: (err: Error) => void): Promise<RedisRoomStore> {
    const make = () => {
      const r = new Redis(o.url, { lazyConnect: true, maxRetriesPerRequest: 3, enableAutoPipelining: true });
      r.on('error', onError);
      return r;
    };
    const cmd = make();
    const sub = make();
    await Promise.all([cmd.connect(), sub.connect()]);
    const store = new RedisRoomStore(o, cmd, sub, onError);
    sub.on('message', (_channel: string, message: string) => {
      let d: Delivery;
      try {
        d = JSON.parse(message);
      } catch {
        return;
      }
      store.#sink(d);
    });
    await sub.subscribe(store.#channel(store.nodeId));
    await store.#beat();
    store.#timer = setInterval(() => void store.#tick(), store.#heartbeatMs);
    store.#timer.unref();
    return store;
  }

  get nodeId(): string {
    return this.#nodeId;
  }

  #channel(node: string): string {
    return `${this.#prefix}node:${node}`;
  }

  #key(kind: 'alive' | 'places' | 'claim', node: string): string {
    return `${this.#prefix}${kind}:${node}`;
  }

  setLocalSink(sink: (delivery: Delivery) => void): void {
    this.#sink = sink;
  }

  watchNodes(watch: NodeWatch): void {
    this.#watch = watch;
  }

  async isAlive(node: string): Promise<boolean> {
    return node === this.#nodeId || (await this.#cmd.exists(this.#key('alive', node))) === 1;
  }

  async transact<T>(room: string, step: (state: RoomState | null) => Transition<T>): Promise<T> {
    const key = `${this.#prefix}room:${room}`;
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      const cur = (await this.#cmd.get(key)) ?? '';
      const before = cur ? (JSON.parse(cur) as RoomState) : null;
      const t = step(before);
      const next = t.state ? JSON.stringify(t.state) : '';
      const local: Delivery[] = [];
      const publish: string[] = [];
      for (const d of t.deliveries) {
        const node = nodeOf(d.to);
        if (node === this.#nodeId) local.push(d);
        else publish.push(this.#channel(node), JSON.stringify(d));
      }
      if (next === cur && publish.length === 0) {
        for (const d of local) this.#sink(d);
        return t.result;
      }
      const index = this.#holderChanges(before, t.state);
      const done = await this.#scripts.vcCas(key, cur, next, ROOM_TTL_MS, room, index.length, ...index, ...publish);
      if (done === 1) {
        for (const d of local) this.#sink(d);
        return t.result;
      }
      // Someone else changed the room in between: back off a little and recompute.
      await new Promise((ok) => setTimeout(ok, Math.random() * 2 * attempt));
    }
    throw new Error('room update kept conflicting');
  }

  /** Which processes' room sets gain or lose this room, so a dead process's rooms can be found. */
  #holderChanges(before: RoomState | null, after: RoomState | null): string[] {
    const holders = (s: RoomState | null) => new Set([s?.doctor?.conn, s?.patient?.conn].filter((c): c is string => !!c).map(nodeOf));
    const was = holders(before);
    const is = holders(after);
    return [
      ...[...is].filter((n) => !was.has(n)).map((n) => '+' + this.#key('places', n)),
      ...[...was].filter((n) => !is.has(n)).map((n) => '-' + this.#key('places', n)),
    ];
  }

  async read(room: string): Promise<RoomState | null> {
    const cur = await this.#cmd.get(`${this.#prefix}room:${room}`);
    return cur ? (JSON.parse(cur) as RoomState) : null;
  }

  send(deliveries: Delivery[]): void {
    for (const d of deliveries) {
      const node = nodeOf(d.to);
      if (node === this.#nodeId) this.#sink(d);
      else void this.#cmd.publish(this.#channel(node), JSON.stringify(d)).catch(() => {});
    }
  }

  async #tick(): Promise<void> {
    if (this.#ticking || this.#closed) return;
    this.#ticking = true;
    try {
      await this.#beat();
      await this.#findDead();
    } catch (err) {
      this.#onError(err as Error);
    } finally {
      this.#ticking = false;
    }
  }

  async #beat(): Promise<void> {
    const id = this.#nodeId;
    const ttl = this.#heartbeatMs * HEARTBEAT_LIVES;
    if ((await this.#scripts.vcBeat(this.#key('alive', id), `${this.#prefix}nodes`, this.#key('claim', id), id, ttl)) === 1) return;
    // Taken for dead while stalled, and its places let go: carry on under a new id, and let the
    // server drop the connections that went with the old one.
    this.#nodeId = randomBytes(4).toString('hex');
    await this.#sub.subscribe(this.#channel(this.#nodeId));
    await this.#sub.unsubscribe(this.#channel(id));
    this.#watch?.fenced();
    await this.#beat();
  }

  async #findDead(): Promise<void> {
    if (!this.#watch) return;
    const others = (await this.#cmd.smembers(`${this.#prefix}nodes`)).filter((n) => n !== this.#nodeId);
    if (!others.length) return;
    const beats = await this.#cmd.mget(others.map((n) => this.#key('alive', n)));
    // Not awaited: a long clean-up must not hold up this process's own heartbeat.
    for (const [i, node] of others.entries()) {
      if (beats[i] === null) void this.#cleanUp(node).catch(this.#onError);
    }
  }

  /** Lets go of a dead process's places, if this process wins the claim on it. */
  async #cleanUp(node: string): Promise<void> {
    if ((await this.#scripts.vcClaim(this.#key('alive', node), this.#key('claim', node), this.#nodeId, CLAIM_MS)) !== 1) return;
    const places = this.#key('places', node);
    await this.#watch!.gone(node, await this.#cmd.smembers(places));
    // The claim stays as long as a room may, so that the id can never beat again.
    await this.#cmd.multi().set(this.#key('claim', node), this.#nodeId, 'PX', ROOM_TTL_MS).del(places).srem(`${this.#prefix}nodes`, node).exec();
  }

  /** Stops beating and says goodbye: after a clean exit nobody needs to clean up after this process. */
  async close(): Promise<void> {
    this.#closed = true;
    if (this.#timer) clearInterval(this.#timer);
    const id = this.#nodeId;
    await this.#cmd
      .multi()
      .del(this.#key('alive', id), this.#key('places', id))
      .srem(`${this.#prefix}nodes`, id)
      .exec()
      .catch(() => {});
    await Promise.allSettled([this.#sub.quit(), this.#cmd.quit()]);
  }
}
