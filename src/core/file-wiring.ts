import type { AcceptOptions, FileTransfer, FileTransferManager, ReceivedFile, SentFile } from '../file-transfer/manager.js';
import { fileTransferFactory } from '../file-transfer/registry.js';
import type { SessionEvents } from './session-types.js';

/** The session events the file-transfer engine's events become. */
type FileEvents = Pick<SessionEvents, 'file-offer' | 'file-progress' | 'file-received' | 'file-sent' | 'file-error'>;

/** What {@link FileWiring} needs from the call. */
export interface FileWiringOptions {
  /** Sends one text message on the control channel of the current connection. */
  sendControl: (text: string) => void;
  emit: <K extends keyof FileEvents>(type: K, detail: SessionEvents[K]) => void;
  maxFileSize?: number;
  acceptFiles?: string[];
}

/**
 * Connects the file-transfer engine (when the page loaded one) to the call. One engine serves
 * the whole call: when the call moves to a new RTCPeerConnection it is handed the new one, so
 * transfers in flight continue there instead of ending.
 */
export class FileWiring {
  #o: FileWiringOptions;
  #manager?: FileTransferManager;

  constructor(options: FileWiringOptions) {
    this.#o = options;
  }

  /** Whether the engine is there. */
  get loaded(): boolean {
    return !!this.#manager;
  }

  /** The call has a new connection: the first one builds the engine, later ones move it over. */
  connect(pc: RTCPeerConnection): void {
    if (this.#manager) return this.#manager.attach(pc);
    const factory = fileTransferFactory();
    if (!factory) return;
    const { sendControl, emit, maxFileSize, acceptFiles } = this.#o;
    const files = factory({
      pc,
      sendControl,
      ...(maxFileSize ? { maxSize: maxFileSize } : {}),
      ...(acceptFiles?.length ? { accept: acceptFiles } : {}),
    });
    this.#manager = files;
    files.on('offer', (offer) => emit('file-offer', offer));
    files.on('progress', (progress) => emit('file-progress', progress));
    files.on('received', (file) => emit('file-received', file));
    files.on('sent', (file) => emit('file-sent', file));
    files.on('error', (error) => emit('file-error', error));
  }

  /** Takes a control-channel message that belongs to file transfer; true when it did. */
  route(data: unknown): boolean {
    return !!this.#manager?.handleControl(data);
  }

  send(file: Blob, options: { name?: string; type?: string }): FileTransfer<SentFile> | undefined {
    return this.#manager?.sendFile(file, options);
  }
  accept(id: string, options: AcceptOptions): FileTransfer<ReceivedFile> | undefined {
    return this.#manager?.accept(id, options);
  }
  decline(id: string): void {
    this.#manager?.decline(id);
  }
  cancel(id: string): void {
    this.#manager?.cancel(id);
  }

  /** The call is over: every transfer still moving ends with `file-closed`. */
  close(): void {
    this.#manager?.close();
    this.#manager = undefined;
  }
}
