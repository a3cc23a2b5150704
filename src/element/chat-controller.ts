import type { ReactiveController, ReactiveControllerHost } from 'lit';
import { ChatLog } from '../core/chat-log.js';
import { ConsultError, ErrorCode } from '../core/errors.js';
import { FileRows } from '../core/file-rows.js';
import type { ChatEntry, ConsultSession } from '../core/session.js';
import type { FileTransfer, ReceivedFile, SentFile } from '../file-transfer/manager.js';
import { chatView, type ChatActions, type ChatModel } from './chat-view.js';
import { fileDrop } from './file-drop.js';
import type { SessionHandlers } from './session-controller.js';
import type { Strings } from './strings.js';

/** What the chat needs from its element. */
export interface ChatHost {
  /** The session of the element, once the engine is loaded (read when needed, never kept). */
  session(): ConsultSession | undefined;
  /** Whether the chat panel is open now (lines that arrive then are read). */
  isOpen(): boolean;
  /** Opens the chat panel (after files were dropped on the element). */
  open(): void;
  /** Shows and fires an error the chat met (a line too long, no files). */
  error(error: ConsultError): void;
}

/**
 * The chat panel's state and actions: the chat log, the file list (its rows follow the session's
 * file events and the person's clicks), the form that sends lines and files, and files dropped on
 * the element.
 */
export class ChatController implements ReactiveController {
  readonly log = new ChatLog();
  readonly files = new FileRows();

  constructor(
    private readonly host: ReactiveControllerHost & { renderRoot: ParentNode },
    private readonly chat: ChatHost,
  ) {
    host.addController(this);
  }

  /** What the chat does with the session's events (the element adds its own). */
  readonly handlers: SessionHandlers = {
    message: (entry) => this.log.add(entry, this.chat.isOpen()),
    'file-offer': (offer) => {
      this.files.offer(offer, 'receive');
      this.log.notice(this.chat.isOpen());
      // Prevented: the page decides with acceptFile() / declineFile(); the row waits for it.
      return (allowed) => allowed || this.files.start(offer.id);
    },
    'file-progress': (p) => this.files.progress(p),
    'file-received': (f) => this.files.done(f.id, f.blob),
    'file-sent': (f) => this.files.done(f.id),
    'file-error': (e) => this.files.fail(e.id, e.code),
  };

  /** Dragging files onto the element sends them, while files can be sent. */
  readonly drop = fileDrop(
    () => !!this.chat.session()?.filesAvailable,
    (files) => {
      this.#send(files);
      this.chat.open();
    },
  );

  /** The chat is read while it is open: the unread count goes when it renders open. */
  hostUpdate(): void {
    if (this.chat.isOpen()) this.log.read();
  }

  /** A new call starts with an empty chat and file list. */
  reset(): void {
    this.log.clear();
    this.files.clear();
  }

  /** As the session's; before the first join (the engine is not loaded yet) it is not connected. */
  sendMessage(text: string): ChatEntry | undefined {
    const session = this.chat.session();
    if (!session) throw new ConsultError(ErrorCode.NotConnected, 'Messages can be sent once the call is connected.', false);
    return session.sendMessage(text);
  }

  sendFile(file: File | Blob, options: { name?: string; type?: string }): FileTransfer<SentFile> {
    const session = this.chat.session();
    if (!session) throw new ConsultError(ErrorCode.NotConnected, 'Files can be sent once the call is connected.', false);
    const transfer = session.sendFile(file, options);
    this.files.offer(transfer, 'send');
    transfer.done.catch(() => {});
    this.host.requestUpdate();
    return transfer;
  }

  acceptFile(id: string, options: { writable?: WritableStream<Uint8Array> }): FileTransfer<ReceivedFile> | undefined {
    const transfer = this.chat.session()?.acceptFile(id, options);
    transfer?.done.catch(() => {});
    if (transfer && transfer.state !== 'failed') this.files.start(id);
    this.host.requestUpdate();
    return transfer;
  }

  declineFile(id: string): void {
    this.chat.session()?.declineFile(id);
    this.#remove(id);
  }

  cancelFile(id: string): void {
    this.chat.session()?.cancelFile(id);
    this.#remove(id);
  }

  /** The chat panel; `close` closes it. */
  render(strings: Strings, model: Omit<ChatModel, 'messages' | 'files'>, close: () => void) {
    return chatView(strings, { ...model, messages: this.log.entries, files: this.files.rows }, { ...this.#actions, close });
  }

  #remove(id: string): void {
    this.files.remove(id);
    this.host.requestUpdate();
  }

  #send(files: Iterable<File>): void {
    for (const file of files) {
      try {
        this.sendFile(file, {});
      } catch (error) {
        this.#failed(error);
      }
    }
  }

  #failed(error: unknown): void {
    if (error instanceof ConsultError) this.chat.error(error);
    else throw error;
  }

  #submit = (event: Event) => {
    event.preventDefault();
    const input = this.host.renderRoot.querySelector<HTMLTextAreaElement>('textarea.chat-input');
    if (!input) return;
    try {
      if (this.sendMessage(input.value) !== undefined || !input.value.trim()) input.value = '';
    } catch (error) {
      // The text stays in the box, so nothing the person wrote is lost.
      this.#failed(error);
    }
  };

  #actions: Omit<ChatActions, 'close'> = {
    submit: this.#submit,
    key: (event) => {
      if (event.key === 'Enter' && !event.shiftKey && !event.isComposing) this.#submit(event);
    },
    pick: () => this.host.renderRoot.querySelector<HTMLInputElement>('input[type="file"]')?.click(),
    picked: (event) => {
      const input = event.target as HTMLInputElement;
      this.#send([...(input.files ?? [])]);
      input.value = '';
    },
    acceptFile: (id) => void this.acceptFile(id, {}),
    declineFile: (id) => this.declineFile(id),
    cancelFile: (id) => this.cancelFile(id),
  };
}
