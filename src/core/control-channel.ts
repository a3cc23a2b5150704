import {
  cleanName,
  cleanText,
  CONTROL_CHANNEL_ID,
  CONTROL_CHANNEL_LABEL,
  type ControlMessage,
  decodeControlMessage,
  encodeControlMessage,
  MAX_CHAT_CHARS,
  type OutgoingControlMessage,
} from '../protocol/index.js';
import { ConsultError, ErrorCode } from './errors.js';
import type { ChatEntry, MediaState, SessionEmit } from './session-types.js';

/** What a {@link ControlChannel} needs from the call. */
export interface ControlChannelOptions {
  /** Offers a message to the file-transfer engine first (they share the channel); true when it took it. */
  route: (data: unknown) => boolean;
  /** The channel opened: time to say hello and tell the media state. */
  onOpen: () => void;
  onClose: () => void;
  /** The other side said hello: what it can do. */
  onCapabilities: (capabilities: string[]) => void;
  /** The other side's media state changed; called before `remote-media` is emitted. */
  onRemoteMedia: () => void;
  /** Tells the call's listeners of the other side's name, media state and chat lines. */
  emit: SessionEmit;
}

/**
 * The peer-to-peer control channel of the call (names, chat, media state), on whichever
 * connection the call has now. The messages are encoded and decoded in `protocol/control.ts`.
 */
export class ControlChannel {
  /** The other side's display name, cleaned. */
  peerName = '';
  /** What the other side's `hello` said it can do. */
  capabilities: string[] = [];
  /** The other side's devices, as it last said (both on until it says otherwise). */
  remoteMedia: MediaState = { camera: true, microphone: true };
  #o: ControlChannelOptions;
  #dc?: RTCDataChannel;
  #chatCounter = 0;

  constructor(options: ControlChannelOptions) {
    this.#o = options;
  }

  get isOpen(): boolean {
    return this.#dc?.readyState === 'open';
  }

  /** Opens the channel on a new connection (the old one, if any, is closed first). */
  open(pc: RTCPeerConnection): void {
    this.close();
    // Negotiated on both sides with a fixed id, so neither has to wait for the other to announce it.
    const dc = pc.createDataChannel(CONTROL_CHANNEL_LABEL, { negotiated: true, id: CONTROL_CHANNEL_ID });
    this.#dc = dc;
    dc.addEventListener('open', () => dc === this.#dc && this.#o.onOpen());
    dc.addEventListener('close', () => dc === this.#dc && this.#o.onClose());
    dc.addEventListener('message', ({ data }) => {
      if (dc !== this.#dc || this.#o.route(data)) return;
      const decoded = decodeControlMessage(data);
      if (decoded.ok) this.#receive(decoded.message);
    });
  }

  /** Sends a message if the channel is open; returns whether it went. */
  send(message: OutgoingControlMessage | string): boolean {
    if (!this.isOpen) return false;
    this.#dc!.send(typeof message === 'string' ? message : encodeControlMessage(message));
    return true;
  }

  /**
   * Sends a chat line, cleaned. Throws `chat-too-long` above {@link MAX_CHAT_CHARS} characters and
   * `not-connected` without a channel; right after `connected` (`mayWait`) a channel still opening
   * takes the line once open. An empty line is not sent.
   */
  sendChat(text: string, mayWait: boolean): ChatEntry | undefined {
    if ([...text].length > MAX_CHAT_CHARS) {
      throw new ConsultError(ErrorCode.ChatTooLong, `A message may have at most ${MAX_CHAT_CHARS} characters.`, false);
    }
    const dc = this.#dc;
    if (dc?.readyState !== 'open' && !(dc?.readyState === 'connecting' && mayWait)) {
      throw new ConsultError(ErrorCode.NotConnected, 'Messages can be sent once the call is connected.', false);
    }
    const cleaned = cleanText(text);
    if (!cleaned) return undefined;
    const entry: ChatEntry = { id: `${++this.#chatCounter}`, text: cleaned, from: 'local', sentAt: Date.now() };
    const frame = encodeControlMessage({ type: 'chat', id: entry.id, text: entry.text, sentAt: entry.sentAt });
    if (dc.readyState === 'open') dc.send(frame);
    else dc.addEventListener('open', () => dc.send(frame), { once: true });
    return entry;
  }

  /** Closes the channel and forgets what the other side said; it can be opened again on the next connection. */
  close(): void {
    this.#dc?.close();
    this.#dc = undefined;
    this.peerName = '';
    this.capabilities = [];
  }

  #receive(message: ControlMessage): void {
    switch (message.type) {
      case 'media':
        this.remoteMedia = {
          camera: message.camera,
          microphone: message.microphone,
          videoPaused: message.videoPaused === true,
          screen: message.screen === true,
        };
        this.#o.onRemoteMedia();
        this.#o.emit('remote-media', { ...this.remoteMedia });
        break;
      case 'hello': {
        this.capabilities = message.capabilities;
        this.#o.onCapabilities(message.capabilities);
        const name = cleanName(message.name);
        if (name === this.peerName) break;
        this.peerName = name;
        this.#o.emit('peer-name', { name });
        break;
      }
      case 'chat': {
        const text = cleanText(message.text);
        if (text) this.#o.emit('message', { id: message.id, text, from: 'remote', sentAt: message.sentAt });
        break;
      }
    }
  }
}
