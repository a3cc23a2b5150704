import type { ServerMessage } from '../protocol/index.js';
import type { OutgoingMessage, Transport, TransportClose } from '../signaling/transport.js';
import { nextDelay, type ReconnectPolicy } from './reconnect-policy.js';

/** What a {@link SignalingLink} needs from the call it serves. */
export interface SignalingLinkOptions {
  /** Opens a new transport; may throw. */
  open: () => Transport;
  /** The message that takes this side's place back on a new connection. */
  rejoin: () => OutgoingMessage;
  /** Whether media flows meanwhile (the policy keeps trying then). */
  mediaFlows: () => boolean;
  onMessage: (message: ServerMessage) => void;
  onInvalid: (code: string, reason: string) => void;
  /** The connection closed by itself; the call decides whether to {@link SignalingLink.reconnect}. */
  onClose: (info: TransportClose) => void;
  /** The policy gave up reconnecting. */
  onGiveUp: () => void;
  /** Aborted when the call run ends: the link closes and ignores everything after. */
  signal: AbortSignal;
  policy?: ReconnectPolicy;
  random?: () => number;
}

/**
 * The call's connection to the signaling server over one {@link Transport} at a time: it opens
 * it, and after a loss opens a new one when the reconnect policy says, and takes the place back.
 */
export class SignalingLink {
  #o: SignalingLinkOptions;
  #transport?: Transport;
  #timer?: ReturnType<typeof setTimeout>;
  #attempts = 0;

  constructor(options: SignalingLinkOptions) {
    this.#o = options;
    options.signal.addEventListener('abort', () => {
      clearTimeout(this.#timer);
      this.#timer = undefined;
      this.#drop();
    });
  }

  /** Whether a transport is open or opening and no retry is pending. */
  get connected(): boolean {
    return !!this.#transport && !this.#timer;
  }
  /** Whether a transport is open or opening. */
  get present(): boolean {
    return !!this.#transport;
  }
  /** Attempts since the connection was last good. */
  get attempts(): number {
    return this.#attempts;
  }

  /** Opens the first transport; throws what the transport factory throws. */
  connect(): Transport {
    const transport = this.#o.open();
    this.#transport = transport;
    const live = () => transport === this.#transport && !this.#o.signal.aborted;
    transport.onMessage = (message) => live() && this.#o.onMessage(message);
    transport.onInvalid = (code, reason) => !this.#o.signal.aborted && this.#o.onInvalid(code, reason);
    transport.onClose = (info) => {
      if (!live()) return;
      this.#transport = undefined;
      this.#o.onClose(info);
    };
    return transport;
  }

  send(message: OutgoingMessage): void {
    this.#transport?.send(message);
  }

  /** The server let this side in: the next loss starts the backoff afresh. */
  joined(): void {
    this.#attempts = 0;
  }

  /** Drops the current transport (if any) and tries again when the policy says; once at a time. */
  reconnect(): void {
    this.#drop();
    if (this.#timer || this.#o.signal.aborted) return;
    const delay = (this.#o.policy ?? nextDelay)({
      attempt: this.#attempts++,
      mediaFlows: this.#o.mediaFlows(),
      random: (this.#o.random ?? Math.random)(),
    });
    if (delay === null) return this.#o.onGiveUp();
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      let transport: Transport;
      try {
        transport = this.connect();
      } catch {
        return this.reconnect();
      }
      transport.opened.then(
        () => transport === this.#transport && !this.#o.signal.aborted && transport.send(this.#o.rejoin()),
        () => transport === this.#transport && this.reconnect(),
      );
    }, delay);
  }

  /** The browser is back online: a pending retry happens now, with the backoff reset. */
  online(): void {
    if (!this.#timer) return;
    clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#attempts = 0;
    this.reconnect();
  }

  #drop(): void {
    const transport = this.#transport;
    this.#transport = undefined;
    if (!transport) return;
    transport.onMessage = transport.onClose = transport.onInvalid = undefined;
    transport.close();
  }
}
