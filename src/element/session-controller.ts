import type { ReactiveController, ReactiveControllerHost } from 'lit';
import type { ConsultSession, SessionEvents, SessionOptions } from '../core/session.js';
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

/** What the element reads from its session to render. */
export type SessionView = Pick<
  ConsultSession,
  | 'state'
  | 'error'
  | 'knocking'
  | 'localMedia'
  | 'remoteMedia'
  | 'peerName'
  | 'verificationCode'
  | 'filesAvailable'
  | 'quality'
  | 'localStream'
  | 'remoteStream'
  | 'peerConnection'
>;

/** What a session that has not joined yet reads: the element shows this until the engine is loaded. */
const NOT_JOINED: SessionView = {
  state: 'idle',
  error: undefined,
  knocking: false,
  localMedia: { camera: false, microphone: false, videoPaused: false },
  remoteMedia: { camera: true, microphone: true },
  peerName: '',
  verificationCode: undefined,
  filesAvailable: false,
  quality: undefined,
  localStream: undefined,
  remoteStream: undefined,
  peerConnection: undefined,
};

/**
 * The only bridge between an element and its session. The call engine (`ConsultSession` and what
 * only it needs) is loaded on the first {@link load} (the first `join()`), not with the page, so
 * the first screen costs Lit and the element alone. Once loaded, the controller subscribes while
 * the element is connected (to every event of {@link SESSION_EVENT_ROUTES}), unsubscribes (and
 * hangs up) when it is removed, asks the element to render on every change and fires the `vc-`
 * event the table names.
 */
export class SessionController implements ReactiveController {
  #session?: ConsultSession;
  #loading?: Promise<ConsultSession>;
  #unsubscribe: Array<() => void> = [];
  /** Bumped by every leave, so that a join still waiting for the engine does not start after it. */
  #run = 0;

  constructor(
    private readonly host: ReactiveControllerHost & HTMLElement,
    /** The element's parts each bring their own table; for one event they run in this order. */
    private readonly handlers: readonly SessionHandlers[],
    /** Called once the engine is loaded, with its module (the element makes its call-only views from it). */
    private readonly loaded?: (engine: typeof import('./engine.js')) => void,
  ) {
    host.addController(this);
  }

  /** The session, once the engine is loaded. */
  get session(): ConsultSession | undefined {
    return this.#session;
  }

  /** The session's state for rendering; before the engine is loaded, that of a session not joined. */
  get view(): SessionView {
    return this.#session ?? NOT_JOINED;
  }

  /** Loads the engine once and makes the session; the same promise for every caller. */
  load(): Promise<ConsultSession> {
    return (this.#loading ??= import('./engine.js').then((engine) => {
      this.#session = new engine.ConsultSession({ server: '', room: '', role: 'patient' });
      this.loaded?.(engine);
      if (this.host.isConnected) this.hostConnected();
      return this.#session;
    }));
  }

  /** Loads the engine if needed, then joins with these options; a leave (or removal) meanwhile cancels it. */
  async join(options: SessionOptions): Promise<void> {
    const run = this.#run;
    const session = await this.load();
    if (run !== this.#run) return;
    session.configure(options);
    await session.join();
  }

  /** Hangs up, or cancels a join that waits for the engine. */
  leave(): void {
    this.#run++;
    this.#session?.leave();
  }

  hostConnected(): void {
    const session = this.#session;
    if (!session || this.#unsubscribe.length) return;
    const types = Object.keys(SESSION_EVENT_ROUTES) as Array<keyof SessionEvents>;
    this.#unsubscribe = types.map((type) => session.on(type, (detail) => this.#route(type, detail)));
  }

  hostDisconnected(): void {
    this.#unsubscribe.forEach((off) => off());
    this.#unsubscribe = [];
    // An element taken out of the page must not leave a camera on or a call open. A move within
    // the page (disconnected and connected again in the same task) keeps the call.
    queueMicrotask(() => {
      if (!this.host.isConnected) this.leave();
    });
  }

  #route<K extends keyof SessionEvents>(type: K, detail: SessionEvents[K]): void {
    const thens = this.handlers.map((table) => (table[type] as ((d: SessionEvents[K]) => void | ((allowed: boolean) => void)) | undefined)?.(detail));
    this.host.requestUpdate();
    const route = SESSION_EVENT_ROUTES[type] as EventRoute<K> | null;
    if (!route) return;
    const send = () => {
      const allowed = fire(this.host, route.type, route.detail(detail), route.cancelable);
      for (const then of thens) then?.(allowed);
      if (thens.some(Boolean)) this.host.requestUpdate();
    };
    // A vetoable event goes out after the engine's own event, so that a page deciding at once (in
    // its listener) does not call back into the engine while it is still announcing it.
    if (route.cancelable) queueMicrotask(send);
    else send();
  }
}
