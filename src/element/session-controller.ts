import type { ReactiveController, ReactiveControllerHost } from 'lit';
import { ConsultSession, type SessionEvents } from '../core/session.js';

type Handlers = { [K in keyof SessionEvents]?: (detail: SessionEvents[K]) => void };

/**
 * The only bridge between an element and its session: it subscribes when the element is connected,
 * unsubscribes (and hangs up) when it is removed, and asks the element to render on every change.
 */
export class SessionController implements ReactiveController {
  readonly session: ConsultSession;
  #unsubscribe: Array<() => void> = [];

  constructor(
    private readonly host: ReactiveControllerHost & HTMLElement,
    private readonly handlers: Handlers,
  ) {
    this.session = new ConsultSession({ server: '', room: '', role: 'patient' });
    host.addController(this);
  }

  hostConnected(): void {
    const events: Array<keyof SessionEvents> = [
      'state',
      'error',
      'local-stream',
      'remote-stream',
      'local-media',
      'remote-media',
      'knock',
      'peer-name',
      'message',
      'verification',
      'quality',
      'file-offer',
      'file-progress',
      'file-received',
      'file-sent',
      'file-error',
      'files-available',
    ];
    this.#unsubscribe = events.map((type) =>
      this.session.on(type, (detail) => {
        (this.handlers[type] as ((d: typeof detail) => void) | undefined)?.(detail);
        this.host.requestUpdate();
      }),
    );
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
}
