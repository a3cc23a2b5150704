/** Per-address limits: open connections, and frames per second as a token bucket. */

export class ConnectionCounter {
  readonly #counts = new Map<string, number>();
  constructor(readonly max: number) {}

  /** Counts a new connection from `ip`, or returns false if it would exceed the limit. */
  acquire(ip: string): boolean {
    const n = this.#counts.get(ip) ?? 0;
    if (n >= this.max) return false;
    this.#counts.set(ip, n + 1);
    return true;
  }

  release(ip: string): void {
    const n = (this.#counts.get(ip) ?? 0) - 1;
    if (n > 0) this.#counts.set(ip, n);
    else this.#counts.delete(ip);
  }
}

interface Bucket {
  tokens: number;
  at: number;
  /** Connections using this bucket; it is forgotten when the last one closes. */
  users: number;
}

/** A token bucket per address: `rate` frames a second on average, up to `burst` at once. */
export class RateLimiter {
  readonly #buckets = new Map<string, Bucket>();
  constructor(
    readonly rate: number,
    readonly burst: number,
  ) {}

  attach(ip: string): void {
    const b = this.#buckets.get(ip);
    if (b) b.users++;
    else this.#buckets.set(ip, { tokens: this.burst, at: Date.now(), users: 1 });
  }

  detach(ip: string): void {
    const b = this.#buckets.get(ip);
    if (b && --b.users <= 0) this.#buckets.delete(ip);
  }

  /** Takes one token for `ip`; false when the bucket is empty. */
  take(ip: string, now = Date.now()): boolean {
    const b = this.#buckets.get(ip);
    if (!b) return true;
    b.tokens = Math.min(this.burst, b.tokens + ((now - b.at) / 1000) * this.rate);
    b.at = now;
    if (b.tokens < 1) return false;
    b.tokens -= 1;
    return true;
  }
}
