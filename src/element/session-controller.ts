import type { ReactiveController, ReactiveControllerHost } from 'lit';
import { ConsultSession, type SessionEvents } from '../core/session.js';
import { SESSION_EVENT_ROUTES, type EventRoute } from './event-routes.js';
import { fire } from './events.js';

/**
 * What the element does with a session event before the event goes out again as its `vc-` event
 * (update its own lists, say something to screen readers). For an event the page may veto, the
 * handler may return what to do once the page has had its say (`allowed`: not prevented).
 */
export type SessionHandlers = {
  [K in keyof SessionEvents]?: (detail: SessionEvents[K]) => void | ((allowed: boolean) => void);
};

/**
 * The only bridge between an element and its session: it subscribes when the element is connected
 * (to every event of {@link SESSION_EVENT_ROUTES}), unsubscribes (and hangs up) when it is removed,
 * asks the element to render on every change and fires the `vc-` event the table names.
 */
export class SessionController implements ReactiveController {
  readonly session: ConsultSession;
  #unsubscribe: Array<() => void> = [];

  constructor(
    private readonly host: ReactiveControllerHost & HTMLElement,
    private readonly handlers: SessionHandlers,
  ) {
    this.session = new ConsultSession({ server: '', room: '', role: 'patient' });
    host.addController(this);
  }

  hostConnected(): void {
    const types = Object.keys(SESSION_EVENT_ROUTES) as Array<keyof SessionEvents>;
    this.#unsubscribe = types.map((type) => this.session.on(type, (detail) => this.#route(type, detail)));
  }

  hostDisconnected(): void {
    this.#unsubscribe.forEach((off) => off());
    this.#unsubscribe = [];
    // An element taken out of the page must not leave a camera on or a call open. A move within
    // the page (disconnected and connected again in the same task) keeps the call.
    queueMicrotask(() => {
      if (!this.host.isConnected) this.session.leave();
    });
  }

  #route<K extends keyof SessionEvents>(type: K, detail: SessionEvents[K]): void {
    const handler = this.handlers[type] as ((d: SessionEvents[K]) => void | ((allowed: boolean) => void)) | undefined;
    const then = handler?.(detail);
    this.host.requestUpdate();
    const route = SESSION_EVENT_ROUTES[type] as EventRoute<K> | null;
    if (!route) return;
    const send = () => {
      const allowed = fire(this.host, route.type, route.detail(detail), route.cancelable);
      if (then) {
        then(allowed);
        this.host.requestUpdate();
      }
    };
    // A vetoable event goes out after the engine's own event, so that a page deciding at once (in
    // its listener) does not call back into the engine while it is still announcing it.
    if (route.cancelable) queueMicrotask(send);
    else send();
  }
}
