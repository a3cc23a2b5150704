// Two RTCPeerConnections in one page with a FileTransferManager on each, and the helpers the
// file-transfer tests share (file-transfer.test.ts and file-transfer-large.test.ts).
import { FileTransferManager, type FileTransferEvents, type FileTransferOptions } from '../../src/file-transfer/index.js';

export const MiB = 1024 * 1024;

// ---- support ------------------------------------------------------------------------------------

/** A file of `size` pseudo-random bytes (xorshift32 from `seed`), built from 1 MiB parts. */
export function makeFile(size: number, name = 'data.bin', type = 'application/octet-stream', seed = 1): File {
  const parts: Blob[] = [];
  let x = seed >>> 0 || 1;
  for (let done = 0; done < size; done += MiB) {
    const n = Math.min(MiB, size - done);
    const words = new Uint32Array(Math.ceil(n / 4));
    for (let i = 0; i < words.length; i++) {
      x ^= x << 13;
      x ^= x >>> 17;
      x ^= x << 5;
      words[i] = x >>> 0;
    }
    parts.push(new Blob([new Uint8Array(words.buffer, 0, n)]));
  }
  return new File(parts, name, { type });
}

const hex = (b: ArrayBuffer) => Array.from(new Uint8Array(b), (x) => x.toString(16).padStart(2, '0')).join('');

/**
 * SHA-256 of each 4 MiB slice, joined with the size: an independent fingerprint (another slicing
 * than the protocol's blocks), so equal fingerprints mean equal bytes.
 */
/**
 * `file`, made so that reading it fails from byte `readable` on, as it does when the file changes
 * or goes away on disk under the sender: the stream of any part of it errors with NotReadableError
 * there, and so does `arrayBuffer()` of a part that reaches it.
 */
export function unreadableFrom<F extends Blob>(file: F, readable: number): F {
  const unreadable = () => new DOMException('The file could not be read.', 'NotReadableError');
  const slice = Blob.prototype.slice;
  file.slice = (start = 0, end = file.size) => {
    const part = slice.call(file, start, end);
    part.stream = () => {
      const before = slice
        .call(file, start, Math.max(start, Math.min(end, readable)))
        .stream()
        .getReader();
      return new ReadableStream({
        type: 'bytes',
        async pull(controller) {
          const { value, done } = await before.read();
          if (done) controller.error(unreadable());
          else controller.enqueue(value);
        },
      });
    };
    part.arrayBuffer = () => (end <= readable ? Blob.prototype.arrayBuffer.call(part) : Promise.reject(unreadable()));
    return part;
  };
  return file;
}

export async function fingerprint(blob: Blob): Promise<string> {
  const out: string[] = [String(blob.size)];
  for (let start = 0; start < blob.size; start += 4 * MiB) {
    out.push(hex(await crypto.subtle.digest('SHA-256', await blob.slice(start, start + 4 * MiB).arrayBuffer())));
  }
  return out.join(':');
}

export interface Side {
  pc: RTCPeerConnection;
  control: RTCDataChannel;
  /** Every control message this side sent, parsed. */
  sent: Array<Record<string, unknown>>;
  /** Every binary channel this side opened (for the files it sends), in order. */
  fileChannels: RTCDataChannel[];
  /** Every binary channel the peer announced to this side (for the files it receives), in order. */
  peerFileChannels: RTCDataChannel[];
  /** Channels of this side whose `close` event the manager must not hear (as if they stayed `closing`). */
  unheardCloses: Set<RTCDataChannel>;
  manager?: FileTransferManager;
}

/** Offer/answer between two connections in this page, A offering. */
export async function negotiate(a: RTCPeerConnection, b: RTCPeerConnection): Promise<void> {
  await a.setLocalDescription();
  await b.setRemoteDescription(a.localDescription!);
  await b.setLocalDescription();
  await a.setRemoteDescription(b.localDescription!);
}

export const opened = (dc: RTCDataChannel) =>
  dc.readyState === 'open' ? Promise.resolve() : new Promise<void>((r) => dc.addEventListener('open', () => r(), { once: true }));

/** A connection with the control channel as the session has it, and a manager unless `false`. */
export function makeSide(options: Partial<FileTransferOptions> | false = {}): Side {
  const pc = new RTCPeerConnection();
  const control = pc.createDataChannel('vc-control', { negotiated: true, id: 0 });
  const side: Side = { pc, control, sent: [], fileChannels: [], peerFileChannels: [], unheardCloses: new Set() };
  watchFileChannels(side, pc);
  if (options !== false) {
    side.manager = new FileTransferManager({
      pc,
      sendControl: (text) => {
        side.sent.push(JSON.parse(text));
        side.control.send(text);
      },
      ...options,
    });
    control.addEventListener('message', ({ data }) => side.manager!.handleControl(data));
  }
  return side;
}

export function watchFileChannels(side: Side, pc: RTCPeerConnection): void {
  const create = pc.createDataChannel.bind(pc);
  pc.createDataChannel = (label: string, init?: RTCDataChannelInit) => {
    const dc = create(label, init);
    if (label !== 'vc-file') return dc;
    side.fileChannels.push(dc);
    // Registered before the manager's own listener, so it can keep the event from it.
    dc.addEventListener('close', (event) => side.unheardCloses.has(dc) && event.stopImmediatePropagation());
    return dc;
  };
  pc.addEventListener('datachannel', ({ channel }) => {
    if (channel.label === 'vc-file') side.peerFileChannels.push(channel);
  });
}

/** Connects two sides directly (candidates handed over in-page) and waits for the control channels. */
export async function connect(a: Side, b: Side): Promise<void> {
  a.pc.addEventListener('icecandidate', ({ candidate }) => candidate && b.pc.addIceCandidate(candidate).catch(() => {}));
  b.pc.addEventListener('icecandidate', ({ candidate }) => candidate && a.pc.addIceCandidate(candidate).catch(() => {}));
  await negotiate(a.pc, b.pc);
  await Promise.all([opened(a.control), opened(b.control)]);
}

export const sides: Side[] = [];
// Also loaded by peer pages (test/support/peer.ts), which have no test framework.
if (typeof afterEach === 'function') {
  afterEach(() => {
    for (const s of sides.splice(0)) {
      s.manager?.close();
      s.pc.close();
    }
  });
}

export async function pair(a: Partial<FileTransferOptions> = {}, b: Partial<FileTransferOptions> = {}) {
  const A = makeSide(a);
  const B = makeSide(b);
  sides.push(A, B);
  await connect(A, B);
  return { A, B, a: A.manager!, b: B.manager! };
}

export type Ev = FileTransferEvents;
/** The next event of `type` for which `match` holds. */
export function next<K extends keyof Ev>(m: FileTransferManager, type: K, match: (d: Ev[K]) => boolean = () => true): Promise<Ev[K]> {
  return new Promise((resolve) => {
    const off = m.on(type, (d) => {
      if (!match(d)) return;
      off();
      resolve(d);
    });
  });
}

/** Accepts every offer on `m` (into a Blob, or into a writable that `writable()` gives). */
export function autoAccept(m: FileTransferManager, writable?: (name: string) => Promise<WritableStream<Uint8Array>>) {
  return m.on('offer', async (offer) => {
    offer.accept(writable ? { writable: await writable(offer.name) } : {});
  });
}
