/**
 * Frame budgets. A connection that has not joined spends from its address's budget, which
 * outlives its connections. A joined one spends from its place's budget (room and role), which
 * outlives reconnects to the place: so a neighbour behind the same NAT who floods uses up only
 * the address's budget and cannot get an admitted patient disconnected.
 */
import type { Role } from '../protocol/index.js';
import { type AddressLimits, type Bucket, isFull, takeToken } from './limits.js';

export class FrameBudgets {
  /** Budgets of places, kept until refilled so that reconnecting does not refill them. */
  readonly #places = new Map<string, Partial<Record<Role, Bucket>>>();

  constructor(
    readonly addresses: AddressLimits,
    readonly rate: number,
    readonly burst: number,
  ) {}

  /** Spends one frame; false when the budget that counts is used up. */
  spend(key: string, place: Bucket | null, now = Date.now()): boolean {
    const paid = this.addresses.take(key, now);
    return place ? takeToken(place, this.rate, this.burst, now) : paid;
  }

  /** The budget of a place; a new one starts with no more than its address has left. */
  forPlace(room: string, role: Role, key: string, now: number): Bucket {
    let places = this.#places.get(room);
    if (!places) this.#places.set(room, (places = {}));
    return (places[role] ??= { tokens: Math.floor(this.addresses.tokens(key, now)), at: now });
  }

  /** Forgets quiet addresses and places whose budgets are full again. */
  sweep(now: number): void {
    this.addresses.sweep(now);
    const full = (b: Bucket | undefined) => !b || isFull(b, this.rate, this.burst, now);
    for (const [room, places] of this.#places) {
      if (full(places.doctor) && full(places.patient)) this.#places.delete(room);
    }
  }
}
