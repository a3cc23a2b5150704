/** The places (server, room, role) that calls in this page hold, so that only one of them uses the tab's ticket. */
const PLACES_IN_USE = new Set<string>();

/**
 * The ticket (the session id from `joined`) that takes this side's place back after a lost
 * connection. It is kept in this tab's sessionStorage while the call lasts, so that a reload
 * returns to the same place (waiting, or in the call without knocking again). It is an opaque,
 * signed token with no personal data in it, gone with the tab or the end of the call.
 */
export class PlaceTicket {
  /** The current ticket, once the server gave one. */
  value?: string;
  #key: string;
  /** Whether this call holds the place in this page (another call may hold it: then it keeps nothing). */
  #held = false;

  constructor(server: string, room: string, role: string) {
    this.#key = `video-consult:ticket:${server}|${room}|${role}`;
  }

  /** Takes the place in this page, if free, and returns the ticket a reload left behind. */
  claim(): string | undefined {
    if (PLACES_IN_USE.has(this.#key)) return undefined;
    PLACES_IN_USE.add(this.#key);
    this.#held = true;
    return this.#storage((s) => s.getItem(this.#key) ?? undefined);
  }

  /** Takes a ticket from the server and keeps it for a reload. */
  set(ticket: string | undefined): void {
    if (ticket) this.value = ticket;
    if (this.#held && this.value) this.#storage((s) => s.setItem(this.#key, this.value!));
  }

  /** The call is over: the stored ticket goes. */
  forget(): void {
    if (this.#held) this.#storage((s) => s.removeItem(this.#key));
  }

  /** Gives the place in this page up (the stored ticket stays, for a reload). */
  release(): void {
    if (this.#held) PLACES_IN_USE.delete(this.#key);
    this.#held = false;
    this.value = undefined;
  }

  #storage<T>(use: (storage: Storage) => T): T | undefined {
    try {
      const storage = globalThis.sessionStorage;
      return storage ? use(storage) : undefined;
    } catch {
      // Storage may be off (a sandboxed frame, strict privacy settings): a reload then knocks again.
      return undefined;
    }
  }
}
