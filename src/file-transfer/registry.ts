/**
 * How a call finds the file-transfer engine. The engine is a module of its own, so that the
 * script-tag build of `<video-consult>` stays small: `video-consult-files.js` registers it for
 * pages that want files, and the npm entry registers it always. A global symbol is the meeting
 * point, so that it works across separately bundled files. The script-tag build provides a loader
 * instead, so the engine arrives from its own folder while the call starts.
 */
import type { FileTransferManager, FileTransferOptions } from './manager.js';

export type FileTransferFactory = (options: FileTransferOptions) => FileTransferManager;

const KEY = Symbol.for('video-consult.file-transfer');
const LOADER = Symbol.for('video-consult.file-transfer-loader');
type Loader = () => Promise<unknown>;

/** Makes file transfer available to every call started from now on. */
export function provideFileTransfer(factory: FileTransferFactory): void {
  (globalThis as Record<symbol, unknown>)[KEY] = factory;
}

/** The registered engine, if any. */
export function fileTransferFactory(): FileTransferFactory | undefined {
  return (globalThis as Record<symbol, FileTransferFactory | undefined>)[KEY];
}

/** Lets calls fetch the engine when they start, if no page registered it before. */
export function provideFileTransferLoader(load: Loader): void {
  (globalThis as Record<symbol, unknown>)[LOADER] = load;
}

/**
 * Loads the engine if a loader was provided and it is not there yet. Never rejects: a call without
 * files (the file did not load) is better than no call.
 */
export async function loadFileTransfer(): Promise<void> {
  const load = (globalThis as Record<symbol, Loader | undefined>)[LOADER];
  if (load && !fileTransferFactory()) await load().catch(() => undefined);
}
