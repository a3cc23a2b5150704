import { type ClientMessage, encode, parseServerMessage, type ServerMessage, SUBPROTOCOL, TOKEN_SUBPROTOCOL_PREFIX } from '../protocol/index.js';

/** A client message as the session builds it: the transport adds the protocol version. */
export type OutgoingMessage = ClientMessage extends infer M ? (M extends ClientMessage ? Omit<M, 'v'> : never) : never;

/** Why a transport closed: `code` is a signaling error code when the server gave one. */
export interface TransportClose {
  code?: string;
  reason: string;
}

/**
 * The session's view of the signaling wire. The WebSocket version below is the one that ships;
 * a page with its own signaling can implement this instead.
 */
export interface Transport {
  /** Resolves once the connection is open. Rejects if it cannot be opened. */
  readonly opened: Promise<void>;
  send(message: OutgoingMessage): void;
  /** Called for every valid frame; invalid frames go to `onInvalid`. */
  onMessage?: (message: ServerMessage) => void;
  /** Called for a frame that fails validation. */
  onInvalid?: (code: string, reason: string) => void;
  onClose?: (info: TransportClose) => void;
  close(): void;
}

/** Opens a WebSocket to the signaling server, offering the join token as a subprotocol. */
export class WebSocketTransport implements Transport {
  readonly opened: Promise<void>;
  onMessage?: (message: ServerMessage) => void;
  onInvalid?: (code: string, reason: string) => void;
  onClose?: (info: TransportClose) => void;
  #socket: WebSocket;
  #closed = false;

  constructor(url: string, token?: string) {
    const protocols = [SUBPROTOCOL];
    if (token) protocols.push(TOKEN_SUBPROTOCOL_PREFIX + token);
    this.#socket = new WebSocket(url, protocols);
    this.opened = new Promise((resolve, reject) => {
      this.#socket.addEventListener('open', () => resolve(), { once: true });
      this.#socket.addEventListener('close', () => reject(new Error('signaling connection failed')), { once: true });
    });
    // The promise may be observed late (or never, if the session was torn down first).
    this.opened.catch(() => {});
    this.#socket.addEventListener('message', (event) => {
      if (typeof event.data !== 'string') {
        this.onInvalid?.('invalid-message', 'binary frame');
        return;
      }
      const parsed = parseServerMessage(event.data);
      if (parsed.ok) this.onMessage?.(parsed.message);
      else this.onInvalid?.(parsed.code, parsed.reason);
    });
    this.#socket.addEventListener('close', (event) => {
      if (this.#closed) return;
      this.#closed = true;
      this.onClose?.({ reason: event.reason || `closed (${event.code})`, ...(event.reason ? { code: event.reason } : {}) });
    });
  }

  send(message: OutgoingMessage): void {
    if (this.#socket.readyState === WebSocket.OPEN) this.#socket.send(encode(message));
  }

  close(): void {
    this.#closed = true;
    this.#socket.close(1000);
  }
}
