import type { ReactiveControllerHost } from 'lit';
import type { Role } from '../protocol/index.js';
import { stateText } from './call-text.js';
import type { SessionHandlers } from './session-controller.js';
import type { Strings } from './strings.js';

/**
 * What the element's live region says: the latest change a screen reader should hear (a new call
 * state, a patient knocking, the other person's microphone going on or off), and since when the
 * patient waits.
 */
export class Announcer {
  /** The text of the live region. */
  said = '';
  /** When the waiting patient knocked; undefined when nobody waits. */
  knockSince?: Date;
  #peerMicrophone = true;

  constructor(
    private readonly host: ReactiveControllerHost,
    private readonly strings: () => Strings,
    private readonly role: () => Role,
  ) {}

  /** What it does with the session's events. */
  readonly handlers: SessionHandlers = {
    state: (change) => {
      if (change.state === 'preparing') this.#peerMicrophone = true;
      this.say(stateText(this.strings(), change, this.role()));
    },
    knock: ({ waiting }) => {
      this.knockSince = waiting ? new Date() : undefined;
      if (waiting) this.say(this.strings().knock);
    },
    'remote-media': ({ microphone }) => {
      if (microphone !== this.#peerMicrophone) this.say(microphone ? this.strings().peerMicOn : this.strings().peerMicOff);
      this.#peerMicrophone = microphone;
    },
  };

  /** Says a line in the live region. */
  say = (text: string): void => {
    if (text === this.said) return;
    this.said = text;
    this.host.requestUpdate();
  };
}
