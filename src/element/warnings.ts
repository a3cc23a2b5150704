import type { ReactiveControllerHost } from 'lit';
import type { ConsultError } from '../core/errors.js';
import { errorDetail } from './event-routes.js';
import { fire } from './events.js';

/**
 * The warnings the element shows in its notices box until they are dismissed: one per code, newest
 * last. A fatal error is not kept here; it shows in the failed panel.
 */
export class Warnings {
  #list: readonly ConsultError[] = [];

  constructor(private readonly host: ReactiveControllerHost & HTMLElement) {}

  /** The warnings shown now, oldest first. */
  get list(): readonly ConsultError[] {
    return this.#list;
  }

  /** Shows a warning (replacing one with the same code); a fatal error is left to the failed panel. */
  add = (error: ConsultError): void => {
    if (error.fatal) return;
    this.#set([...this.#list.filter((w) => w.code !== error.code), error]);
  };

  /** An error the element met itself (a chat line too long, no files, blocked sound): shown, and fired as `vc-error` like the session's. */
  report = (error: ConsultError): void => {
    this.add(error);
    fire(this.host, 'vc-error', errorDetail(error));
  };

  dismiss = (code: string): void => this.#set(this.#list.filter((w) => w.code !== code));

  clear(): void {
    this.#set([]);
  }

  #set(list: readonly ConsultError[]): void {
    this.#list = list;
    this.host.requestUpdate();
  }
}
