// Hundreds of MiB through the file transfer, each way, between two RTCPeerConnections in this page.
// A file of its own so that its minutes do not eat the other file's time budget. The helpers are
// the same as in file-transfer.test.ts (test files cannot share modules outside test/support).
import { expect } from '@open-wc/testing';
import { FileTransferManager, type FileTransferEvents, type FileTransferOptions } from '../../src/file-transfer/index.js';

const MiB = 1024 * 1024;

// ---- support ------------------------------------------------------------------------------------

/** A file of `size` pseudo-random bytes (xorshift32 from `seed`), built from 1 MiB parts. */
function makeFile(size: number, name = 'data.bin', type = 'application/octet-stream', seed = 1): File {
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
async function fingerprint(blob: Blob): Promise<string> {
  const out: string[] = [String(blob.size)];
  for (let start = 0; start < blob.size; start += 4 * MiB) {
    out.push(hex(await crypto.subtle.digest('SHA-256', await blob.slice(start, start + 4 * MiB).arrayBuffer())));
  }
  return out.join(':');
}

interface Side {
  pc: RTCPeerConnection;
  control: RTCDataChannel;
  /** Every control message this side sent, parsed. */
  sent: Array<Record<string, unknown>>;
  /** Every binary channel created on this side, in order. */
  fileChannels: RTCDataChannel[];
  manager?: FileTransferManager;
}

/** Offer/answer between two connections in this page, A offering. */
async function negotiate(a: RTCPeerConnection, b: RTCPeerConnection): Promise<void> {
  await a.setLocalDescription();
  await b.setRemoteDescription(a.localDescription!);
  await b.setLocalDescription();
  await a.setRemoteDescription(b.localDescription!);
}

const opened = (dc: RTCDataChannel) =>
  dc.readyState === 'open' ? Promise.resolve() : new Promise<void>((r) => dc.addEventListener('open', () => r(), { once: true }));

/** A connection with the control channel as the session has it, and a manager unless `false`. */
function makeSide(options: Partial<FileTransferOptions> | false = {}): Side {
  const pc = new RTCPeerConnection();
  const control = pc.createDataChannel('vc-control', { negotiated: true, id: 0 });
  const side: Side = { pc, control, sent: [], fileChannels: [] };
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

function watchFileChannels(side: Side, pc: RTCPeerConnection): void {
  const create = pc.createDataChannel.bind(pc);
  pc.createDataChannel = (label: string, init?: RTCDataChannelInit) => {
    const dc = create(label, init);
    if (label === 'vc-file') side.fileChannels.push(dc);
    return dc;
  };
}

/** Connects two sides directly (candidates handed over in-page) and waits for the control channels. */
async function connect(a: Side, b: Side): Promise<void> {
  a.pc.addEventListener('icecandidate', ({ candidate }) => candidate && b.pc.addIceCandidate(candidate).catch(() => {}));
  b.pc.addEventListener('icecandidate', ({ candidate }) => candidate && a.pc.addIceCandidate(candidate).catch(() => {}));
  await negotiate(a.pc, b.pc);
  await Promise.all([opened(a.control), opened(b.control)]);
}

const sides: Side[] = [];
afterEach(() => {
  for (const s of sides.splice(0)) {
    s.manager?.close();
    s.pc.close();
  }
});

async function pair(a: Partial<FileTransferOptions> = {}, b: Partial<FileTransferOptions> = {}) {
  const A = makeSide(a);
  const B = makeSide(b);
  sides.push(A, B);
  await connect(A, B);
  return { A, B, a: A.manager!, b: B.manager! };
}

type Ev = FileTransferEvents;
/** The next event of `type` for which `match` holds. */
function next<K extends keyof Ev>(m: FileTransferManager, type: K, match: (d: Ev[K]) => boolean = () => true): Promise<Ev[K]> {
  return new Promise((resolve) => {
    const off = m.on(type, (d) => {
      if (!match(d)) return;
      off();
      resolve(d);
    });
  });
}

/** Accepts every offer on `m` (into a Blob, or into a writable that `writable()` gives). */
function autoAccept(m: FileTransferManager, writable?: (name: string) => Promise<WritableStream<Uint8Array>>) {
  return m.on('offer', async (offer) => {
    offer.accept(writable ? { writable: await writable(offer.name) } : {});
  });
}

/**
 * The same content as {@link makeFile}, written to a file in the origin-private file system: a
 * disk-backed File, like one the person picks, so hundreds of MiB do not sit in the Blob store.
 */
async function makeDiskFile(size: number, name: string, seed: number): Promise<File> {
  const disk = await opfsFile(name);
  const source = makeFile(size, name, '', seed);
  const writer = disk.writable.getWriter();
  for (let start = 0; start < size; start += 8 * MiB) {
    await writer.write(new Uint8Array(await source.slice(start, start + 8 * MiB).arrayBuffer()));
  }
  await writer.close();
  diskFiles.push(name);
  return disk.file();
}
const diskFiles: string[] = [];
afterEach(async () => {
  const dir = await navigator.storage.getDirectory();
  for (const name of diskFiles.splice(0)) await dir.removeEntry(name).catch(() => {});
});

/** A writable file in the origin-private file system, the File System Access API's sandbox. */
async function opfsFile(name: string) {
  const dir = await navigator.storage.getDirectory();
  const handle = await dir.getFileHandle(name, { create: true });
  return { writable: (await handle.createWritable()) as unknown as WritableStream<Uint8Array>, file: () => handle.getFile(), remove: () => dir.removeEntry(name) };
}

describe('file transfer: large files', () => {
  // Disk-backed sources (as a picked file is) and, on one side, a disk-backed destination through
  // the File System Access API; the other side assembles a Blob.
  it('moves 256 MiB from A into a file on disk', async function () {
    this.timeout(150_000);
    const { a, b } = await pair();
    const source = await makeDiskFile(256 * MiB, 'ft-scan-a.dcm', 11);
    const disk = await opfsFile('ft-received-a.dcm');
    diskFiles.push('ft-received-a.dcm');
    autoAccept(b, async () => disk.writable);
    const received = next(b, 'received');
    const sent = await a.sendFile(source).done;
    expect((await received).hash).to.equal(sent.hash);
    const written = await disk.file();
    expect(written.size).to.equal(source.size);
    expect(await fingerprint(written)).to.equal(await fingerprint(source));
  });

  it('moves 256 MiB from B into a Blob', async function () {
    this.timeout(150_000);
    const { a, b } = await pair();
    const source = await makeDiskFile(256 * MiB + 12345, 'ft-scan-b.dcm', 12);
    autoAccept(a);
    const received = next(a, 'received');
    const sent = await b.sendFile(source).done;
    const got = await received;
    expect(got.hash).to.equal(sent.hash);
    expect(await fingerprint(got.blob!)).to.equal(await fingerprint(source));
  });
});

