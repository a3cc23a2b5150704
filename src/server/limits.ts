/**
 * Per-address limits: open WebSockets, HTTP connections that are not (yet) WebSockets, and a
 * token bucket of frames that outlives the connections, so that reconnecting does not refill it.
 */
import { BlockList, isIPv4, isIPv6 } from 'node:net';

/** A token bucket: `rate` a second on average, up to `burst` at once. */
export interface Bucket {
  tokens: number;
  at: number;
}

export function fullBucket(burst: number, now: number): Bucket {
  return { tokens: burst, at: now };
}

/** Takes one token; false when the bucket is empty. */
export function takeToken(b: Bucket, rate: number, burst: number, now: number): boolean {
  b.tokens = Math.min(burst, b.tokens + ((now - b.at) / 1000) * rate);
  b.at = now;
  if (b.tokens < 1) return false;
  b.tokens -= 1;
  return true;
}

export function isFull(b: Bucket, rate: number, burst: number, now: number): boolean {
  return b.tokens + ((now - b.at) / 1000) * rate >= burst;
}

interface Entry extends Bucket {
  /** Open WebSockets of this address. */
  sockets: number;
  /** TCP connections from this address that are not WebSockets (requests, handshakes, refusals). */
  pending: number;
}

export interface AddressLimitOptions {
  maxSockets: number;
  maxPending: number;
  rate: number;
  burst: number;
}

export class AddressLimits {
  readonly #entries = new Map<string, Entry>();
  constructor(readonly o: AddressLimitOptions) {}

  get size(): number {
    return this.#entries.size;
  }

  #entry(key: string, now = Date.now()): Entry {
    let e = this.#entries.get(key);
    if (!e) this.#entries.set(key, (e = { ...fullBucket(this.o.burst, now), sockets: 0, pending: 0 }));
    return e;
  }

  /** Counts a TCP connection that is not a WebSocket; false when the address has too many. */
  acquirePending(key: string): boolean {
    const e = this.#entry(key);
    if (e.pending >= this.o.maxPending) return false;
    e.pending++;
    return true;
  }

  releasePending(key: string): void {
    const e = this.#entries.get(key);
    if (e && e.pending > 0) e.pending--;
  }

  /** Whether the address may open one more WebSocket. */
  hasRoom(key: string): boolean {
    return (this.#entries.get(key)?.sockets ?? 0) < this.o.maxSockets;
  }

  attach(key: string): void {
    this.#entry(key).sockets++;
  }

  detach(key: string): void {
    const e = this.#entries.get(key);
    if (e && e.sockets > 0) e.sockets--;
  }

  /** The tokens left in the address's bucket now. */
  tokens(key: string, now = Date.now()): number {
    const e = this.#entries.get(key);
    return e ? Math.min(this.o.burst, e.tokens + ((now - e.at) / 1000) * this.o.rate) : this.o.burst;
  }

  /** Takes one frame (or one connection attempt) from the address's bucket. */
  take(key: string, now = Date.now()): boolean {
    return takeToken(this.#entry(key, now), this.o.rate, this.o.burst, now);
  }

  /** Forgets addresses with nothing open whose bucket has refilled: they would start afresh anyway. */
  sweep(now = Date.now()): void {
    for (const [key, e] of this.#entries) {
      if (!e.sockets && !e.pending && isFull(e, this.o.rate, this.o.burst, now)) this.#entries.delete(key);
    }
  }
}

/**
 * The key limits are counted under: an IPv4 address as it is, an IPv6 address by its /64, since
 * one subscriber usually holds a whole /64 and could otherwise pick a new address per connection.
 */
export function addressKey(ip: string): string {
  const v4 = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip);
  if (v4) return v4[1]!;
  if (!isIPv6(ip)) return ip;
  const [head, tail] = ip.toLowerCase().split('::') as [string, string | undefined];
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  const groups = tail === undefined ? left : [...left, ...Array<string>(8 - left.length - right.length).fill('0'), ...right];
  return (
    groups
      .slice(0, 4)
      .map((g) => g.replace(/^0+(?=.)/, ''))
      .join(':') + '::/64'
  );
}

/** Strips the IPv4-mapped prefix Node gives IPv4 peers on a dual-stack socket. */
export function plainIp(ip: string): string {
  return /^::ffff:\d+\.\d+\.\d+\.\d+$/i.test(ip) ? ip.slice(7) : ip;
}

/**
 * The proxies whose `X-Forwarded-For` is believed: `true` means this machine only (a proxy on
 * loopback, the documented setup); a list names addresses or CIDR ranges.
 */
export function trustedProxies(option: boolean | string[] | undefined): BlockList | null {
  if (!option || (Array.isArray(option) && option.length === 0)) return null;
  const list = new BlockList();
  const entries = option === true ? ['127.0.0.0/8', '::1'] : option;
  for (const raw of entries) {
    const [addr, bits] = raw.trim().split('/') as [string, string | undefined];
    const type = isIPv4(addr) ? 'ipv4' : isIPv6(addr) ? 'ipv6' : null;
    const prefix = bits === undefined ? undefined : Number(bits);
    if (!type || (prefix !== undefined && (!Number.isInteger(prefix) || prefix < 0 || prefix > (type === 'ipv4' ? 32 : 128)))) {
      throw new RangeError(`trustProxy: not an address or CIDR range: "${raw}"`);
    }
    if (prefix === undefined) list.addAddress(addr, type);
    else list.addSubnet(addr, prefix, type);
  }
  return list;
}

/** Whether `ip` is one of the trusted proxies. */
export function isTrusted(list: BlockList, ip: string): boolean {
  const a = plainIp(ip);
  return isIPv4(a) ? list.check(a, 'ipv4') : isIPv6(a) ? list.check(a, 'ipv6') : false;
}

/**
 * The client's address: the TCP peer, unless the peer is a trusted proxy; then the right-most
 * `X-Forwarded-For` entry that is not itself a trusted proxy (entries further left are written by
 * the client and prove nothing).
 */
export function clientAddress(peer: string, forwarded: string | string[] | undefined, proxies: BlockList | null): string {
  if (!proxies || !isTrusted(proxies, peer)) return plainIp(peer);
  const header = Array.isArray(forwarded) ? forwarded.join(',') : (forwarded ?? '');
  const hops = header
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  for (let i = hops.length - 1; i >= 0; i--) {
    const hop = plainIp(hops[i]!);
    if (!isIPv4(hop) && !isIPv6(hop)) return plainIp(peer);
    if (!isTrusted(proxies, hop)) return hop;
  }
  return plainIp(peer);
}
