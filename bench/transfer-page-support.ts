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
 * Raw sender as in webrtc/samples datatransfer: chunk min(maxMessageSize, 256 KiB), threshold
 * one chunk, high water max(8 chunks, 1 MiB), one preallocated buffer. Returns ms.
 */
export async function rawSend(pc: RTCPeerConnection, size: number): Promise<number> {
  const dc = pc.createDataChannel('raw', { negotiated: true, id: 7 });
  dc.binaryType = 'arraybuffer';
  await opened(dc);
  const chunk = Math.min(pc.sctp?.maxMessageSize ?? 65536, 262144);
  const high = Math.max(8 * chunk, MiB);
  dc.bufferedAmountLowThreshold = chunk;
  const buffer = new Uint8Array(chunk);
  const done = new Promise<void>((r) => (dc.onmessage = () => r()));
  const t0 = performance.now();
  let sent = 0;
  await new Promise<void>((resolve) => {
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
  await done;
  const ms = performance.now() - t0;
  dc.close();
  return ms;
}
