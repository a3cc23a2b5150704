/**
 * Where a received file goes when the page gave no writable: to disk in the origin-private file
 * system, written by a worker, or else into a Blob built from its blocks.
 *
 * Why a disk file: in Chromium every `new Blob()` costs about 15 ms of CPU per MiB between the page
 * and the browser process, about a sixth of what moving that MiB over the data channel costs in
 * all. A worker writes the same MiB with `createSyncAccessHandle()` in about 1.5 ms, and the page
 * gets a File that reads from disk.
 *
 * Files stay while the page that received them is open (the page may save or upload them after the
 * call). Each page keeps its files in its own folder, `video-consult-received/<random>`, whose
 * `alive` file its worker rewrites every minute. Whenever a call starts, a page removes the folders
 * whose `alive` file is missing or older than an hour: those of pages that are gone.
 *
 * The worker starts from a blob: URL, so the npm build and the single-file build need no extra
 * file. Where it cannot (no worker, no origin-private file system, a Content-Security-Policy
 * without `blob:` in `worker-src`, too little quota), files are built as Blobs as before.
 */

/** The folder of received files in the origin-private file system, one sub-folder per page. */
export const RECEIVED_FOLDER = 'video-consult-received';
/** How often a page marks its folder as still in use, and after how long without that it counts as gone. */
const ALIVE_EVERY_MS = 60_000;
const GONE_AFTER_MS = 60 * 60_000;
/** Room left in the origin's quota beyond the file itself before a file goes to disk. */
const QUOTA_MARGIN_BYTES = 64 * 1024 * 1024;

/** Receives one file's blocks, and hands over the whole file at the end. */
export interface FileSink {
  /**
   * Adds blocks the caller has verified, which start at byte `at` and follow the blocks added
   * before. Their buffers may be moved to a worker: do not use them again.
   */
  append(at: number, blocks: Uint8Array<ArrayBuffer>[]): Promise<void>;
  /**
   * Where the sink verifies blocks itself, off the page's thread: checks `block` against its
   * SHA-256 `hash` and writes it at byte `at`. Rejects with a {@link BlockHashMismatch} if it does
   * not match. The block's buffer is moved to the worker: do not use it again.
   */
  check?(at: number, block: Uint8Array<ArrayBuffer>, hash: Uint8Array): Promise<void>;
  /** The whole file. */
  finish(type: string): Promise<Blob>;
  /** Drops what was written. */
  discard(): void;
}

/** A block given to {@link FileSink.check} does not match its hash; nothing of it was written. */
export class BlockHashMismatch extends Error {}

/** Blocks held by the browser as Blob parts (which it keeps on disk when they are large). */
class BlobSink implements FileSink {
  #parts: Blob[] = [];
  async append(_at: number, blocks: Uint8Array<ArrayBuffer>[]): Promise<void> {
    this.#parts.push(new Blob(blocks));
  }
  async finish(type: string): Promise<Blob> {
    const blob = new Blob(this.#parts, { type });
    this.#parts = [];
    return blob;
  }
  discard(): void {
    this.#parts = [];
  }
}

// Plain JavaScript, run as the worker. Messages are handled one after another, in order.
const WORKER_SOURCE = `"use strict";
const files = new Map();
let queue = Promise.resolve();
const parent = async () => (await navigator.storage.getDirectory()).getDirectoryHandle(${JSON.stringify(RECEIVED_FOLDER)}, { create: true });
const folder = async (page) => (await parent()).getDirectoryHandle(page, { create: true });
const opened = (name) => {
  const f = files.get(name);
  if (!f) throw new Error("not open");
  return f;
};
// Bytes reach the file through one reused buffer: the kernel took about three times as long to
// write a buffer just moved here from the page as to copy it into this one and write that.
let staging = new Uint8Array(0);
const write = (f, parts, at) => {
  const length = parts.reduce((n, part) => n + part.byteLength, 0);
  if (staging.byteLength < length) staging = new Uint8Array(length);
  let filled = 0;
  for (const part of parts) {
    staging.set(part, filled);
    filled += part.byteLength;
  }
  if (f.access.write(staging.subarray(0, length), { at }) !== length) throw new Error("short write");
};
async function handle(m) {
  if (m.op === "claim") {
    const alive = await (await folder(m.page)).getFileHandle("alive", { create: true });
    const touch = async () => {
      const access = await alive.createSyncAccessHandle();
      access.write(new Float64Array([Date.now()]), { at: 0 });
      access.close();
    };
    await touch();
    setInterval(() => (queue = queue.then(touch).catch(() => {})), ${ALIVE_EVERY_MS});
  } else if (m.op === "open") {
    const file = await (await folder(m.page)).getFileHandle(m.name, { create: true });
    const access = await file.createSyncAccessHandle();
    access.truncate(0);
    files.set(m.name, { access });
  } else if (m.op === "append") {
    write(opened(m.name), m.parts, m.at);
  } else if (m.op === "check") {
    const f = opened(m.name);
    // Hashed together, checked and written in order: no byte that fails its check is written.
    const digests = m.blocks.map((b) => crypto.subtle.digest("SHA-256", b.data));
    for (const [i, b] of m.blocks.entries()) {
      const hash = new Uint8Array(await digests[i]);
      if (hash.some((x, k) => x !== b.hash[k])) throw Object.assign(new Error("mismatch"), { mismatch: true });
      write(f, [b.data], b.at);
    }
  } else if (m.op === "finish" || m.op === "discard") {
    const f = files.get(m.name);
    files.delete(m.name);
    // No flush(): readers see what was written at once. Forcing it onto the drive would only hold
    // back the confirmation to the sender (about 90 ms per 128 MiB here, far longer on a slow
    // drive), for a copy that lives no longer than its page.
    f?.access.close();
    if (m.op === "discard") await (await folder(m.page)).removeEntry(m.name).catch(() => {});
  }
}
onmessage = ({ data: m }) => {
  queue = queue.then(() => handle(m)).then(
    () => m.seq && postMessage({ seq: m.seq }),
    (e) => m.seq && postMessage({ seq: m.seq, error: String(e), mismatch: e?.mismatch === true }),
  );
};
postMessage({ seq: 0 });`;

interface Reply {
  seq: number;
  error?: string;
  /** The error is a block that did not match its hash. */
  mismatch?: boolean;
}

/** The page's writer of received files: one worker and one folder, for as long as the page lives. */
class DiskStore {
  readonly page = `p-${crypto.randomUUID()}`;
  #worker: Worker;
  #calls = new Map<number, { resolve: () => void; reject: (e: Error) => void }>();
  #seq = 0;

  private constructor(worker: Worker) {
    this.#worker = worker;
    worker.onmessage = ({ data }: MessageEvent<Reply>) => {
      const call = this.#calls.get(data.seq);
      this.#calls.delete(data.seq);
      if (data.mismatch) call?.reject(new BlockHashMismatch(data.error));
      else if (data.error !== undefined) call?.reject(new Error(data.error));
      else call?.resolve();
    };
    worker.onerror = (event) => {
      event.preventDefault();
      for (const call of this.#calls.values()) call.reject(new Error(`the file writer stopped: ${event.message}`));
      this.#calls.clear();
    };
  }

  /** Starts the worker, or resolves undefined where this page cannot write files that way. */
  static async start(): Promise<DiskStore | undefined> {
    if (typeof Worker !== 'function' || !navigator.storage?.getDirectory) return undefined;
    let url: string | undefined;
    try {
      await navigator.storage.getDirectory();
      url = URL.createObjectURL(new Blob([WORKER_SOURCE], { type: 'text/javascript' }));
      const worker = new Worker(url);
      const started = await new Promise<boolean>((resolve) => {
        worker.onmessage = () => resolve(true);
        worker.onerror = (event) => {
          event.preventDefault();
          resolve(false);
        };
      });
      if (!started) {
        worker.terminate();
        return undefined;
      }
      const store = new DiskStore(worker);
      // A sweep still running (the call's start began one) would take this page's folder for a
      // gone page's while its `alive` file is not there yet: the folder is made after it.
      await sweeping;
      await store.#call({ op: 'claim' });
      return store;
    } catch {
      return undefined;
    } finally {
      if (url) URL.revokeObjectURL(url);
    }
  }

  /** A file open for writing, or undefined if it could not be opened. */
  async open(size: number): Promise<FileSink | undefined> {
    const { quota, usage } = await navigator.storage.estimate().catch(() => ({ quota: 0, usage: 0 }));
    if (quota !== undefined && usage !== undefined && quota - usage < size + QUOTA_MARGIN_BYTES) return undefined;
    const name = crypto.randomUUID();
    try {
      await this.#call({ op: 'open', name });
    } catch {
      return undefined;
    }
    // Blocks to check go to the worker together once the current task is done: a message per
    // task, not per block.
    let queued: { at: number; data: Uint8Array<ArrayBuffer>; hash: Uint8Array }[] = [];
    let posted: Promise<void> | undefined;
    const post = () => {
      const blocks = queued;
      queued = [];
      posted = undefined;
      return this.#call({ op: 'check', name, blocks }, transferables(blocks.map((b) => b.data)));
    };
    return {
      append: (at, blocks) => this.#call({ op: 'append', name, at, parts: blocks }, transferables(blocks)),
      check: (at, data, hash) => {
        queued.push({ at, data, hash });
        return (posted ??= Promise.resolve().then(post));
      },
      finish: async (type) => {
        await this.#call({ op: 'finish', name });
        const root = await navigator.storage.getDirectory();
        const folder = await (await root.getDirectoryHandle(RECEIVED_FOLDER)).getDirectoryHandle(this.page);
        const file = await (await folder.getFileHandle(name)).getFile();
        return new Blob([file], { type }); // refers to the file on disk, copies nothing
      },
      discard: () => void this.#call({ op: 'discard', name }).catch(() => {}),
    };
  }

  #call(message: Record<string, unknown>, transfer: Transferable[] = []): Promise<void> {
    const seq = ++this.#seq;
    return new Promise<void>((resolve, reject) => {
      this.#calls.set(seq, { resolve, reject });
      this.#worker.postMessage({ ...message, page: this.page, seq }, transfer);
    });
  }
}

/** The distinct buffers under `views`, to move with a message. */
const transferables = (views: Uint8Array<ArrayBuffer>[]): ArrayBuffer[] => [...new Set(views.map((v) => v.buffer))];

let disk: Promise<DiskStore | undefined> | undefined;
let sweeping: Promise<void> | undefined;
let latest: Promise<void> | undefined;

/**
 * Removes the received files of pages that are gone: the folders whose `alive` file is missing or
 * older than an hour. On the page's own thread (it needs no worker, so it runs where workers are
 * not allowed too); a call while a sweep runs gets that sweep.
 */
export function sweepGonePages(): Promise<void> {
  return (sweeping ??= latest = sweep().finally(() => (sweeping = undefined)));
}

/** This page's latest sweep, running or done. */
export const latestSweep = (): Promise<void> | undefined => latest;

async function sweep(): Promise<void> {
  try {
    if (!navigator.storage?.getDirectory) return;
    // No folder means nothing to remove; none is made here.
    const parent = await (await navigator.storage.getDirectory()).getDirectoryHandle(RECEIVED_FOLDER);
    const names: string[] = [];
    for await (const name of (parent as FileSystemDirectoryHandle & { keys(): AsyncIterable<string> }).keys()) names.push(name);
    for (const name of names) {
      const seen = await parent
        .getDirectoryHandle(name)
        .then((folder) => folder.getFileHandle('alive'))
        .then((alive) => alive.getFile())
        .then(
          (alive) => alive.lastModified,
          () => 0,
        );
      if (Date.now() - seen > GONE_AFTER_MS) await parent.removeEntry(name, { recursive: true }).catch(() => {});
    }
  } catch {
    // No such folder, or this page may not use the origin-private file system.
  }
}

/**
 * Where a received file of `size` bytes goes: a file on disk through the page's worker where it
 * can, else a Blob. `toDisk: false` always gives a Blob.
 */
export async function openSink(size: number, toDisk = true): Promise<FileSink> {
  if (toDisk) {
    disk ??= DiskStore.start();
    const sink = await (await disk)?.open(size);
    if (sink) return sink;
  }
  return new BlobSink();
}
