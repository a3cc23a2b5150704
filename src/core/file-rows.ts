import type { TransferDirection, TransferState } from '../file-transfer/index.js';

/**
 * Where a row of the file list is. The same words as the engine's {@link TransferState}; its
 * `finishing` (the last acknowledgement or the hash check) shows as `transferring`.
 */
export type FileRowStatus = Exclude<TransferState, 'finishing'>;

/** One file the call offered, moved or refused, as the file list shows it. */
export interface FileRow {
  id: string;
  name: string;
  size: number;
  type: string;
  direction: TransferDirection;
  /** Bytes the receiver has checked and stored. */
  bytes: number;
  bytesPerSecond: number;
  status: FileRowStatus;
  /** Why it failed, for `failed`. */
  code?: string;
  /** For a received file kept as a Blob: where "Save" points (an object URL this list revokes). */
  url?: string;
}

/** Makes and revokes the links of received files; `URL.createObjectURL` and `URL.revokeObjectURL` by default. */
export interface ObjectUrls {
  create(blob: Blob): string;
  revoke(url: string): void;
}

const browserUrls: ObjectUrls = {
  create: (blob) => URL.createObjectURL(blob),
  revoke: (url) => URL.revokeObjectURL(url),
};

/** `done` and `failed` are final: nothing that arrives later moves a row out of them. */
const isFinal = (row: FileRow) => row.status === 'done' || row.status === 'failed';

/**
 * The file list of one call: a row per transfer in either direction, from the offer to `done` (with
 * a link to save a received Blob) or `failed`. It knows no DOM and no engine: the element feeds it
 * the engine's events and the person's actions, and renders {@link FileRows.rows}.
 */
export class FileRows {
  #rows = new Map<string, FileRow>();

  constructor(private readonly urls: ObjectUrls = browserUrls) {}

  /** The rows, in the order the files were first offered. */
  get rows(): FileRow[] {
    return [...this.#rows.values()];
  }

  get(id: string): FileRow | undefined {
    return this.#rows.get(id);
  }

  /** A file this side offers (`send`) or the other side offers (`receive`): a new row, `offered`. */
  offer(file: { id: string; name: string; size: number; type: string }, direction: TransferDirection): FileRow {
    const row: FileRow = {
      id: file.id,
      name: file.name,
      size: file.size,
      type: file.type,
      direction,
      bytes: 0,
      bytesPerSecond: 0,
      status: 'offered',
    };
    this.#rows.set(row.id, row);
    return row;
  }

  /**
   * An offer that leaves the `offered` state without the person's click: accepted (by the page or
   * the button), or left to the page, which decides with `acceptFile()` / `declineFile()`.
   */
  start(id: string): void {
    const row = this.#rows.get(id);
    if (row?.status === 'offered') row.status = 'transferring';
  }

  /** Blocks moved: the row shows the checked bytes and the rate. */
  progress(update: { id: string; bytes: number; bytesPerSecond: number }): void {
    const row = this.#rows.get(update.id);
    if (!row || isFinal(row)) return;
    Object.assign(row, { bytes: update.bytes, bytesPerSecond: update.bytesPerSecond, status: 'transferring' });
  }

  /** The whole file is there, its hash checked; a received Blob gets a link to save it. */
  done(id: string, blob?: Blob): void {
    const row = this.#rows.get(id);
    if (!row || isFinal(row)) return;
    Object.assign(row, { status: 'done', bytes: row.size, ...(blob ? { url: this.urls.create(blob) } : {}) });
  }

  /** The transfer ended without the file. */
  fail(id: string | undefined, code: string): void {
    const row = id === undefined ? undefined : this.#rows.get(id);
    if (!row || isFinal(row)) return;
    Object.assign(row, { status: 'failed', code });
  }

  /** Declined or cancelled by this side: the row goes. */
  remove(id: string): void {
    const row = this.#rows.get(id);
    if (row?.url) this.urls.revoke(row.url);
    this.#rows.delete(id);
  }

  /** A new call: every row goes, and every link is revoked. */
  clear(): void {
    for (const id of [...this.#rows.keys()]) this.remove(id);
  }
}
