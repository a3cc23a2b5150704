/**
 * A minimal typed event emitter, shaped like core's so a ReactiveController can subscribe the same
 * way: `on()` returns its own unsubscribe function. Kept here so file-transfer depends on nothing above it.
 */
export class TransferEmitter<Events> {
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
