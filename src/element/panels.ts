import type { ReactiveControllerHost } from 'lit';
import type { SecurityInfo } from '../core/security.js';

/** The side panel that is open. */
export type Panel = 'none' | 'chat' | 'info' | 'devices';

/**
 * Which side panel is open (chat, security or devices), with the keyboard and focus rules of a dialog: the
 * focus moves into a panel that opens and back to its button when it closes; Escape closes it.
 */
export class Panels {
  open: Panel = 'none';
  /** What the security panel shows, read each time it opens. */
  security?: SecurityInfo;

  constructor(
    private readonly host: ReactiveControllerHost & { renderRoot: ParentNode },
    private readonly securityInfo: () => Promise<SecurityInfo | undefined>,
  ) {}

  /** Opens a panel without moving the focus (files dropped on the element show the chat). */
  show(panel: 'chat' | 'info'): void {
    this.#set(panel);
  }

  toggle(panel: Exclude<Panel, 'none'>): void {
    if (this.open === panel) return this.close();
    this.#set(panel);
    if (panel === 'info') {
      void this.securityInfo().then((info) => {
        this.security = info;
        this.host.requestUpdate();
      });
    }
    // Into the panel, so that keyboard and screen reader users land where it opened.
    this.#focus(panel === 'chat' ? 'textarea' : `[part~="${panel}"] ${panel === 'info' ? 'button' : 'select'}`);
  }

  /** Closes the open panel and gives the focus back to the button that opens it. */
  close = (): void => {
    const panel = this.open;
    if (panel === 'none') return;
    this.#set('none');
    this.#focus(`[part~="${panel}-button"]`);
  };

  /** The element's keydown: Escape closes the open panel. */
  key = (event: KeyboardEvent): void => {
    if (event.key === 'Escape' && this.open !== 'none') {
      event.preventDefault();
      this.close();
    }
  };

  #set(panel: Panel): void {
    this.open = panel;
    this.host.requestUpdate();
  }

  #focus(selector: string): void {
    void this.host.updateComplete.then(() => this.host.renderRoot.querySelector<HTMLElement>(selector)?.focus());
  }
}
