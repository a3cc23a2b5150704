// The page side of bench/transfer.ts, bundled by esbuild: one RTCPeerConnection per page, driven
// from Node through window.bench. Three senders over the same kind of connection: ours, a raw
// data channel tuned like the WebRTC samples (the ceiling), and PeerJS with binary serialization;
// and beside them the work any such transfer must do, alone (see transfer-page-support.ts).
import { Peer, type DataConnection } from 'peerjs';
import { FileTransferManager } from '../src/file-transfer/index.js';
import { diskFile, gathered, MiB, opened, rawListen, rawSend, requiredListen, requiredSend } from './transfer-page-support.js';

let pc: RTCPeerConnection | undefined;
let control: RTCDataChannel | undefined;
let manager: FileTransferManager | undefined;
let lastReceived: Promise<{ hash: string; size: number }> | undefined;
/**
 * Where the receiver puts files: where `accept()` puts them by default, as the element does (a
 * file in the origin-private file system, written by a worker), or a writable the page gives.
 */
let receiveInto: 'default' | 'writable' = 'default';

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

  /** Raw receiver and sender on their own negotiated channel (see transfer-page-support.ts). Send returns ms. */
  rawListen(size: number): void {
    rawListen(pc!, size);
  },
  rawSend(size: number): Promise<number> {
    return rawSend(pc!, size);
  },
  /** The required work alone: the file read, SHA-256 on each side, a worker writing to disk. Send returns ms. */
  requiredListen(size: number): void {
    requiredListen(pc!, size);
  },
  requiredSend(): Promise<number> {
    return requiredSend(pc!, (window as unknown as { benchFile: File }).benchFile);
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
