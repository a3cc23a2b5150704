// The page side of bench/transfer.ts, bundled by esbuild: one RTCPeerConnection per page, driven
// from Node through window.bench. Three senders over the same kind of connection: ours, a raw
// data channel tuned like the WebRTC samples (the ceiling), and PeerJS with binary serialization.
import { Peer, type DataConnection } from 'peerjs';
import { FileTransferManager } from '../src/file-transfer/index.js';

const MiB = 1024 * 1024;
let pc: RTCPeerConnection | undefined;
let control: RTCDataChannel | undefined;
let manager: FileTransferManager | undefined;
let lastReceived: Promise<{ hash: string; size: number }> | undefined;
/**
 * Where the receiver puts files: where `accept()` puts them by default, as the element does (a
 * file in the origin-private file system, written by a worker), or a writable the page gives.
 */
let receiveInto: 'default' | 'writable' = 'default';

const gathered = (p: RTCPeerConnection) =>
  new Promise<void>((resolve) => {
    if (p.iceGatheringState === 'complete') return resolve();
    p.addEventListener('icegatheringstatechange', () => p.iceGatheringState === 'complete' && resolve());
  });
const opened = (dc: RTCDataChannel) =>
  dc.readyState === 'open' ? Promise.resolve() : new Promise<void>((r) => dc.addEventListener('open', () => r(), { once: true }));

/** A file in this context's origin-private file system, written in 8 MiB pieces of varying bytes. */
async function diskFile(name: string, size: number): Promise<File> {
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

const bench = {
  /** Starts a connection with the control channel (id 0) and a transfer manager on it. */
  setup(): void {
    pc = new RTCPeerConnection();
    control = pc.createDataChannel('vc-control', { negotiated: true, id: 0 });
    const m = new FileTransferManager({ pc, sendControl: (t) => control!.send(t) });
    manager = m;
    control.onmessage = ({ data }) => m.handleControl(data);
    m.on('offer', async (offer) => {
      if (receiveInto === 'default') {
        lastReceived = offer.accept().done.then((r) => ({ hash: r.hash, size: r.blob!.size }));
        return;
      }
      const dir = await navigator.storage.getDirectory();
      const handle = await dir.getFileHandle(`received-${offer.id}`, { create: true });
      const writable = (await handle.createWritable()) as unknown as WritableStream<Uint8Array>;
      const t = offer.accept({ writable });
      lastReceived = t.done.then(async (r) => {
        await dir.removeEntry(`received-${offer.id}`);
        return { hash: r.hash, size: r.size };
      });
    });
  },
  /** The receiver's next files go where `accept()` puts them (the element's way) or into a File System Access writable. */
  receiveInto(mode: 'default' | 'writable'): void {
    receiveInto = mode;
  },
  async offer(): Promise<string> {
    await pc!.setLocalDescription();
    await gathered(pc!);
    return pc!.localDescription!.sdp;
  },
  async answer(sdp: string): Promise<string> {
    await pc!.setRemoteDescription({ type: 'offer', sdp });
    await pc!.setLocalDescription();
    await gathered(pc!);
    return pc!.localDescription!.sdp;
  },
  async finish(sdp: string): Promise<number> {
    await pc!.setRemoteDescription({ type: 'answer', sdp });
    await opened(control!);
    return pc!.sctp?.maxMessageSize ?? 0;
  },

  async prepareFile(size: number): Promise<void> {
    (window as unknown as { benchFile: File }).benchFile = await diskFile('bench-source.bin', size);
  },
  async removeFile(): Promise<void> {
    (window as unknown as { benchFile?: File }).benchFile = undefined;
    await (await navigator.storage.getDirectory()).removeEntry('bench-source.bin').catch(() => {});
  },
  /** Ours: a disk-backed File in, a disk file (File System Access writable) out. Returns ms. */
  async oursSend(): Promise<{ ms: number; hash: string }> {
    const file = (window as unknown as { benchFile: File }).benchFile;
    const t0 = performance.now();
    const sent = await manager!.sendFile(file).done;
    return { ms: performance.now() - t0, hash: sent.hash };
  },
  async oursReceived(): Promise<{ hash: string; size: number } | undefined> {
    return lastReceived;
  },

  /** Raw receiver on its own negotiated channel: counts bytes, answers "done" at `size`. */
  rawListen(size: number): void {
    const dc = pc!.createDataChannel('raw', { negotiated: true, id: 7 });
    dc.binaryType = 'arraybuffer';
    let got = 0;
    dc.onmessage = ({ data }) => {
      got += (data as ArrayBuffer).byteLength;
      if (got >= size) dc.send('done');
    };
  },
  /**
   * Raw sender as in webrtc/samples datatransfer: chunk min(maxMessageSize, 256 KiB), threshold
   * one chunk, high water max(8 chunks, 1 MiB), one preallocated buffer. Returns ms.
   */
  async rawSend(size: number): Promise<number> {
    const dc = pc!.createDataChannel('raw', { negotiated: true, id: 7 });
    dc.binaryType = 'arraybuffer';
    await opened(dc);
    const chunk = Math.min(pc!.sctp?.maxMessageSize ?? 65536, 262144);
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
  },

  /** PeerJS: a Peer registered at the local `peer` server; no ICE servers (no public STUN). */
  async peerjsOpen(id: string, port: number): Promise<void> {
    const peer = new Peer(id, { host: '127.0.0.1', port, path: '/', secure: false, config: { iceServers: [] }, debug: 0 });
    (window as unknown as { benchPeer: Peer }).benchPeer = peer;
    await new Promise<void>((resolve, reject) => {
      peer.on('open', () => resolve());
      peer.on('error', reject);
    });
  },
  peerjsListen(size: number): void {
    const peer = (window as unknown as { benchPeer: Peer }).benchPeer;
    peer.on('connection', (conn: DataConnection) => {
      let got = 0;
      conn.on('data', (data) => {
        got += (data as ArrayBuffer).byteLength;
        if (got >= size) conn.send('done');
      });
    });
  },
  /**
   * PeerJS sender with its default (binary) serialization, the file read in 1 MiB slices and
   * handed over while PeerJS's own queue is short, so it is not given the whole file at once.
   */
  async peerjsSend(to: string): Promise<number> {
    const peer = (window as unknown as { benchPeer: Peer }).benchPeer;
    const file = (window as unknown as { benchFile: File }).benchFile;
    const conn = peer.connect(to, { reliable: true });
    await new Promise<void>((r) => conn.on('open', () => r()));
    const done = new Promise<void>((r) => conn.on('data', () => r()));
    const t0 = performance.now();
    for (let start = 0; start < file.size; start += MiB) {
      // bufferSize (PeerJS's own send queue, in messages) is missing from its DataConnection typings.
      while ((conn as unknown as { bufferSize: number }).bufferSize > 8) await new Promise((r) => setTimeout(r, 5));
      await conn.send(await file.slice(start, start + MiB).arrayBuffer());
    }
    await done;
    return performance.now() - t0;
  },
};

(window as unknown as { bench: typeof bench }).bench = bench;
