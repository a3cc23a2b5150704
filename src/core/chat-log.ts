import type { ChatEntry } from './session.js';

/**
 * The chat of one call as the person sees it: the lines, oldest first, and how many lines and
 * file offers from the other person arrived while the chat was closed.
 */
export class ChatLog {
  #entries: ChatEntry[] = [];
  #unread = 0;

  /** The lines, oldest first (a new array after each change). */
  get entries(): readonly ChatEntry[] {
    return this.#entries;
  }

  /** Lines and offers from the other person not yet seen. */
  get unread(): number {
    return this.#unread;
  }

  /** A line sent or received; one from the other person counts as unread unless the chat is open. */
  add(entry: ChatEntry, chatOpen: boolean): void {
    this.#entries = [...this.#entries, entry];
    if (entry.from === 'remote' && !chatOpen) this.#unread++;
  }

  /** Something else from the other person arrived (a file offer): unread unless the chat is open. */
  notice(chatOpen: boolean): void {
    if (!chatOpen) this.#unread++;
  }

  /** The person opened the chat. */
  read(): void {
    this.#unread = 0;
  }

  /** A new call starts with an empty chat. */
  clear(): void {
    this.#entries = [];
    this.#unread = 0;
  }
}
