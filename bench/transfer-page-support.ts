// What the pages of bench/transfer.ts and bench/transfer-ab.ts share: connection set-up helpers,
// the file they send, and the raw data channel sender that is the ceiling for this machine.

export const MiB = 1024 * 1024;

/** Resolves once `pc` has gathered its candidates (no trickle: one offer and one answer carry them). */
export const gathered = (pc: RTCPeerConnection) =>
  new Promise<void>((resolve) => {
    if (pc.iceGatheringState === 'complete') return resolve();
    pc.addEventListener('icegatheringstatechange', () => pc.iceGatheringState === 'complete' && resolve());
  });

export const opened = (dc: RTCDataChannel) =>
  dc.readyState === 'open' ? Promise.resolve() : new Promise<void>((r) => dc.addEventListener('open', () => r(), { once: true }));

/** A file in this context's origin-private file system, written in 8 MiB pieces of varying bytes. */
export async function diskFile(name: string, size: number): Promise<File> {
  const dir = await navigator.storage.getDirectory();
  const handle = await dir.getFileHandle(name, { create: true });
  const writable = await handle.createWritable();
  const piece = new Uint8Array(8 * MiB);
  for (let start = 0, n = 0; start < size; start += piece.length, n++) {
    piece.fill(n & 255, 0, 64);
    await writable.write(piece.subarray(0, Math.min(piece.length, size - start)));
  }
  await writable.close();
  return handle.getFile();
}

/** Raw receiver on its own negotiated channel of `pc`: counts bytes, answers "done" at `size`. */
export function rawListen(pc: RTCPeerConnection, size: number): void {
  const dc = pc.createDataChannel('raw', { negotiated: true, id: 7 });
  dc.binaryType = 'arraybuffer';
  let got = 0;
  dc.onmessage = ({ data }) => {
    got += (data as ArrayBuffer).byteLength;
    if (got >= size) dc.send('done');
  };
}

/**
 * Opens the negotiated channel `id` of `pc`, sets the pacing of webrtc/samples datatransfer
 * (chunk min(maxMessageSize, 256 KiB), threshold one chunk, high water max(8 chunks, 1 MiB)) and
 * times `send` until the receiver answers "done". Returns ms.
 */
async function timedSend(
  pc: RTCPeerConnection,
  label: string,
  id: number,
  send: (dc: RTCDataChannel, chunk: number, high: number) => Promise<void>,
): Promise<number> {
  const dc = pc.createDataChannel(label, { negotiated: true, id });
  dc.binaryType = 'arraybuffer';
  await opened(dc);
  const chunk = Math.min(pc.sctp?.maxMessageSize ?? 65536, 262144);
  const high = Math.max(8 * chunk, MiB);
  dc.bufferedAmountLowThreshold = chunk;
  const done = new Promise<void>((r) => (dc.onmessage = () => r()));
  const t0 = performance.now();
  await send(dc, chunk, high);
  await done;
  const ms = performance.now() - t0;
  dc.close();
  return ms;
}

/** Raw sender as in webrtc/samples datatransfer: its pacing (see `timedSend`), one preallocated buffer. Returns ms. */
export function rawSend(pc: RTCPeerConnection, size: number): Promise<number> {
  return timedSend(pc, 'raw', 7, (dc, chunk, high) => {
    const buffer = new Uint8Array(chunk);
    let sent = 0;
    return new Promise<void>((resolve) => {
      const pump = () => {
        while (sent < size && dc.bufferedAmount <= high) {
          const n = Math.min(chunk, size - sent);
          dc.send(n === chunk ? buffer : buffer.subarray(0, n));
          sent += n;
        }
        if (sent >= size) resolve();
      };
      dc.onbufferedamountlow = pump;
      pump();
    });
  });
}

// ---- the required work alone ----------------------------------------------------------------------
// What any sender and receiver that meet issue 5 must do, and nothing more: read the file, hash
// each 256 KiB block with SHA-256 on both sides, write the blocks to disk on a worker. No headers,
// acknowledgements, window, resume or checks. Measured beside raw and ours, it tells how much of
// the gap to raw is that work and how much is our protocol.

const REQUIRED_CHANNEL_ID = 8;

// Plain JavaScript, run as the receiver's worker: each block is hashed as it comes, then copied
// into one staging buffer and written at its place, in arrival order, as the element's worker does.
const REQUIRED_WORKER = `"use strict";
let access, staging = new Uint8Array(0), at = 0, size = 0, name = "", queue = Promise.resolve();
onmessage = ({ data: m }) => {
  if (m.open) {
    ({ size, name } = m);
    queue = navigator.storage.getDirectory()
      .then((dir) => dir.getFileHandle(name, { create: true }))
      .then((file) => file.createSyncAccessHandle())
      .then((a) => { access = a; access.truncate(0); });
    return;
  }
  const digest = crypto.subtle.digest("SHA-256", m);
  queue = queue.then(async () => {
    await digest;
    if (staging.byteLength < m.byteLength) staging = new Uint8Array(m.byteLength);
    staging.set(new Uint8Array(m));
    if (access.write(staging.subarray(0, m.byteLength), { at }) !== m.byteLength) throw new Error("short write");
    at += m.byteLength;
    if (at < size) return;
    access.close();
    await (await navigator.storage.getDirectory()).removeEntry(name);
    postMessage("done");
  });
};`;

/** The last required-work receiver's worker, ended by the next: until then its thread's CPU time can be read. */
let requiredWorker: Worker | undefined;

/** The required-work receiver on its own negotiated channel of `pc`: answers "done" once `size` bytes are on disk. */
export function requiredListen(pc: RTCPeerConnection, size: number): void {
  const dc = pc.createDataChannel('required', { negotiated: true, id: REQUIRED_CHANNEL_ID });
  dc.binaryType = 'arraybuffer';
  const url = URL.createObjectURL(new Blob([REQUIRED_WORKER], { type: 'text/javascript' }));
  requiredWorker?.terminate();
  const worker = (requiredWorker = new Worker(url));
  URL.revokeObjectURL(url);
  worker.postMessage({ open: true, size, name: 'bench-required.bin' });
  dc.onmessage = ({ data }) => worker.postMessage(data, [data as ArrayBuffer]);
  worker.onmessage = () => dc.send('done');
}

/**
 * The required-work sender: reads `file` with a byte stream into two reused buffers, one block
 * ahead, hashes each block and sends it with the raw sender's pacing. Returns ms.
 */
export function requiredSend(pc: RTCPeerConnection, file: File): Promise<number> {
  return timedSend(pc, 'required', REQUIRED_CHANNEL_ID, async (dc, chunk, high) => {
    const reader = file.stream().getReader({ mode: 'byob' });
    const spare = [new ArrayBuffer(chunk), new ArrayBuffer(chunk)];
    const read = async (): Promise<Uint8Array<ArrayBuffer> | undefined> => {
      let buffer = spare.pop()!;
      let filled = 0;
      while (filled < chunk) {
        const { value, done } = await reader.read(new Uint8Array(buffer, filled, chunk - filled));
        if (done || !value) break;
        buffer = value.buffer as ArrayBuffer;
        filled += value.byteLength;
      }
      if (!filled) return undefined;
      const block = new Uint8Array(buffer, 0, filled);
      await crypto.subtle.digest('SHA-256', block);
      return block;
    };
    let wake: (() => void) | undefined;
    dc.onbufferedamountlow = () => wake?.();
    for (let next = read(); ;) {
      const block = await next;
      if (!block) return;
      next = read();
      while (dc.bufferedAmount > high) await new Promise<void>((r) => (wake = r));
      dc.send(block); // copies: the buffer takes the read after next
      spare.push(block.buffer);
    }
  });
}
