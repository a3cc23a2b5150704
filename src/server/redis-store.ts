/**
 * Rooms in Redis, so that several server processes share them. A room is one JSON value; a
 * transition is applied optimistically (read, compute, compare-and-set in a Lua script that also
 * publishes the deliveries meant for other processes, so state and notifications commit
 * together) and retried on a conflicting write. Each process subscribes to its own channel and
 * delivers what arrives there to its sockets.
 */
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import type { Delivery, RoomState, Transition } from './rooms.js';
import type { RoomStore } from './store.js';

/** ARGV: expected, next ('' deletes), ttl ms, then channel/message pairs to publish. */
const CAS_SCRIPT = `
local cur = redis.call('GET', KEYS[1])
if (cur or '') ~= ARGV[1] then return 0 end
if ARGV[2] == '' then redis.call('DEL', KEYS[1]) else redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3]) end
for i = 4, #ARGV, 2 do redis.call('PUBLISH', ARGV[i], ARGV[i + 1]) end
return 1
`;

/** A room key outlives its last write by this much, so rooms of crashed processes disappear. */
const ROOM_TTL_MS = 24 * 3600 * 1000;
const MAX_ATTEMPTS = 50;

export interface RedisStoreOptions {
  /** `redis://[:password@]host:port[/db]`. */
  url: string;
  /** Prefix of every key and channel. Default `'vc:'`. */
  prefix?: string;
  /** This process's id in connection ids. Default random. */
  nodeId?: string;
}

export class RedisRoomStore implements RoomStore {
  readonly nodeId: string;
  readonly #prefix: string;
  readonly #cmd: Redis;
  readonly #sub: Redis;
  #sink: (delivery: Delivery) => void = () => {};

  private constructor(o: RedisStoreOptions, cmd: Redis, sub: Redis) {
    this.nodeId = o.nodeId ?? randomBytes(4).toString('hex');
    this.#prefix = o.prefix ?? 'vc:';
    this.#cmd = cmd;
    this.#sub = sub;
    cmd.defineCommand('vcCas', { numberOfKeys: 1, lua: CAS_SCRIPT });
  }

  /** Connects both Redis connections and subscribes to this process's channel. */
  static async connect(o: RedisStoreOptions, onError: (err: Error) => void): Promise<RedisRoomStore> {
    const make = () => {
      const r = new Redis(o.url, { lazyConnect: true, maxRetriesPerRequest: 3, enableAutoPipelining: true });
      r.on('error', onError);
      return r;
    };
    const cmd = make();
    const sub = make();
    await Promise.all([cmd.connect(), sub.connect()]);
    const store = new RedisRoomStore(o, cmd, sub);
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
    return store;
  }

  #channel(node: string): string {
    return `${this.#prefix}node:${node}`;
  }

  #nodeOf(conn: string): string {
    return conn.slice(0, conn.indexOf(':'));
  }

  setLocalSink(sink: (delivery: Delivery) => void): void {
    this.#sink = sink;
  }

  async transact<T>(room: string, step: (state: RoomState | null) => Transition<T>): Promise<T> {
    const key = `${this.#prefix}room:${room}`;
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      const cur = (await this.#cmd.get(key)) ?? '';
      const t = step(cur ? (JSON.parse(cur) as RoomState) : null);
      const next = t.state ? JSON.stringify(t.state) : '';
      const local: Delivery[] = [];
      const publish: string[] = [];
      for (const d of t.deliveries) {
        const node = this.#nodeOf(d.to);
        if (node === this.nodeId) local.push(d);
        else publish.push(this.#channel(node), JSON.stringify(d));
      }
      if (next === cur && publish.length === 0) {
        for (const d of local) this.#sink(d);
        return t.result;
      }
      const done = await (this.#cmd as unknown as { vcCas(...args: unknown[]): Promise<number> }).vcCas(key, cur, next, ROOM_TTL_MS, ...publish);
      if (done === 1) {
        for (const d of local) this.#sink(d);
        return t.result;
      }
      // Someone else changed the room in between: back off a little and recompute.
      await new Promise((ok) => setTimeout(ok, Math.random() * 2 * attempt));
    }
    throw new Error('room update kept conflicting');
  }

  async read(room: string): Promise<RoomState | null> {
    const cur = await this.#cmd.get(`${this.#prefix}room:${room}`);
    return cur ? (JSON.parse(cur) as RoomState) : null;
  }

  send(deliveries: Delivery[]): void {
    for (const d of deliveries) {
      const node = this.#nodeOf(d.to);
      if (node === this.nodeId) this.#sink(d);
      else void this.#cmd.publish(this.#channel(node), JSON.stringify(d)).catch(() => {});
    }
  }

  async close(): Promise<void> {
    await Promise.allSettled([this.#sub.quit(), this.#cmd.quit()]);
  }
}
