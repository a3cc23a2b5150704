// The page side of bench/transfer-ab.ts, bundled by esbuild: three connections between the two
// pages, one each for the raw data channel sender, the baseline's FileTransferManager (set on
// `globalThis.benchBaseline` by the baseline's bundle, loaded before this one) and this tree's.
import { FileTransferManager } from '../src/file-transfer/index.js';
import { diskFile, gathered, opened, rawListen, rawSend } from './transfer-page-support.js';

type Kind = 'raw' | 'baseline' | 'ours';
interface Connection {
  pc: RTCPeerConnection;
  control: RTCDataChannel;
  manager: FileTransferManager;
  lastReceived?: Promise<{ hash: string; size: number }>;
}
const connections = new Map<Kind, Connection>();
const get = (kind: Kind) => connections.get(kind)!;
let file: File | undefined;

const bench = {
  /** A connection for `kind`, with its control channel (id 0) and that kind's manager on it (raw's too: it sits idle). */
  setup(kind: Kind): void {
    const pc = new RTCPeerConnection();
    const control = pc.createDataChannel('vc-control', { negotiated: true, id: 0 });
    const Manager =
      kind === 'baseline' ? (globalThis as unknown as { benchBaseline: typeof FileTransferManager }).benchBaseline : FileTransferManager;
    const manager = new Manager({ pc, sendControl: (text) => control.send(text) });
    const connection: Connection = { pc, control, manager };
    connections.set(kind, connection);
    control.onmessage = ({ data }) => manager.handleControl(data);
    manager.on('offer', (offer) => {
      connection.lastReceived = offer.accept().done.then((r) => ({ hash: r.hash, size: r.blob!.size }));
    });
  },
  async offer(kind: Kind): Promise<string> {
    const { pc } = get(kind);
    await pc.setLocalDescription();
    await gathered(pc);
    return pc.localDescription!.sdp;
  },
  async answer(kind: Kind, sdp: string): Promise<string> {
    const { pc } = get(kind);
    await pc.setRemoteDescription({ type: 'offer', sdp });
    await pc.setLocalDescription();
    await gathered(pc);
    return pc.localDescription!.sdp;
  },
  async finish(kind: Kind, sdp: string): Promise<void> {
    const { pc, control } = get(kind);
    await pc.setRemoteDescription({ type: 'answer', sdp });
    await opened(control);
  },
  async prepareFile(size: number): Promise<void> {
    file = await diskFile('bench-ab-source.bin', size);
  },
  async removeFile(): Promise<void> {
    file = undefined;
    await (await navigator.storage.getDirectory()).removeEntry('bench-ab-source.bin').catch(() => {});
  },
  async send(kind: Kind): Promise<{ ms: number; hash: string }> {
    const t0 = performance.now();
    const sent = await get(kind).manager.sendFile(file!).done;
    return { ms: performance.now() - t0, hash: sent.hash };
  },
  async received(kind: Kind): Promise<{ hash: string; size: number } | undefined> {
    return get(kind).lastReceived;
  },
  rawListen(size: number): void {
    rawListen(get('raw').pc, size);
  },
  rawSend(size: number): Promise<number> {
    return rawSend(get('raw').pc, size);
  },
};

(window as unknown as { bench: typeof bench }).bench = bench;
