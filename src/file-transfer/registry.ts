/**
 * How a call finds the file-transfer engine. The engine is a module of its own, so that the
 * script-tag build of `<video-consult>` stays small: `video-consult-files.js` registers it for
 * pages that want files, and the npm entry registers it always. A global symbol is the meeting
 * point, so that it works across separately bundled files.
 */
import type { FileTransferManager, FileTransferOptions } from './manager.js';

export type FileTransferFactory = (options: FileTransferOptions) => FileTransferManager;

const KEY = Symbol.for('video-consult.file-transfer');

/** Makes file transfer available to every call started from now on. */
export function provideFileTransfer(factory: FileTransferFactory): void {
  (globalThis as Record<symbol, unknown>)[KEY] = factory;
}

/** The registered engine, if any. */
export function fileTransferFactory(): FileTransferFactory | undefined {
  return (globalThis as Record<symbol, FileTransferFactory | undefined>)[KEY];
}
