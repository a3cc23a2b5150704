/**
 * A minimal typed event emitter: `on()` returns its own unsubscribe function, which a Lit
 * ReactiveController calls in `hostDisconnected`. It lives in the lowest layer that needs it; the
 * session in core uses it too.
 */
export class Emitter<Events> {
  #listeners = new Map<keyof Events, Set<(detail: never) => void>>();

  on<K extends keyof Events>(type: K, listener: (detail: Events[K]) => void): () => void {
    let set = this.#listeners.get(type);
    if (!set) this.#listeners.set(type, (set = new Set()));
    set.add(listener as (detail: never) => void);
    return () => set.delete(listener as (detail: never) => void);
  }

  protected emit<K extends keyof Events>(type: K, detail: Events[K]): void {
    for (const listener of [...(this.#listeners.get(type) ?? [])]) {
      (listener as (detail: Events[K]) => void)(detail);
    }
  }

  protected removeAllListeners(): void {
    this.#listeners.clear();
  }
}
