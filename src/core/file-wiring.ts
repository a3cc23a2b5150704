import type { FileTransferManager } from '../file-transfer/manager.js';
import { fileTransferFactory } from '../file-transfer/registry.js';
import type { SessionEmit } from './session-types.js';

/** What {@link FileWiring} needs from the call. */
export interface FileWiringOptions {
  /** Sends one text message on the control channel of the current connection. */
  sendControl: (text: string) => void;
  /** Tells the call's listeners of the engine's events, as `file-…` events. */
  emit: SessionEmit;
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
  /** The engine, once the first connection built it. */
  manager?: FileTransferManager;

  constructor(options: FileWiringOptions) {
    this.#o = options;
  }

  /** The call has a new connection: the first one builds the engine, later ones move it over. */
  connect(pc: RTCPeerConnection): void {
    if (this.manager) return this.manager.attach(pc);
    const factory = fileTransferFactory();
    if (!factory) return;
    const { sendControl, emit, maxFileSize, acceptFiles } = this.#o;
    const files = factory({
      pc,
      sendControl,
      ...(maxFileSize ? { maxSize: maxFileSize } : {}),
      ...(acceptFiles?.length ? { accept: acceptFiles } : {}),
    });
    this.manager = files;
    files.on('offer', (offer) => emit('file-offer', offer));
    files.on('progress', (progress) => emit('file-progress', progress));
    files.on('received', (file) => emit('file-received', file));
    files.on('sent', (file) => emit('file-sent', file));
    files.on('error', (error) => emit('file-error', error));
  }

  /** Takes a control-channel message that belongs to file transfer; true when it did. */
  route(data: unknown): boolean {
    return !!this.manager?.handleControl(data);
  }

  /** The call is over: every transfer still moving ends with `file-closed`. */
  close(): void {
    this.manager?.close();
    this.manager = undefined;
  }
}
