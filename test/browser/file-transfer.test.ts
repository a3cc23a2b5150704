// File transfer between two RTCPeerConnections in this page (and once with a second page): real
// Chromium, real SCTP data channels, no signaling server needed.
import { expect } from '@open-wc/testing';
import { FileErrorCode, isAcceptedType, sanitizeFileName, type FileTransferManager, type ReceivedFile } from '../../src/file-transfer/index.js';
import { encodeBlockFrame, fileHash, FRAME_HEADER_BYTES, PROTOCOL_VERSION } from '../../src/protocol/index.js';
import { openPeerPage } from './harness.js';

import {
  MiB,
  makeFile,
  unreadableFrom,
  fingerprint,
  negotiate,
  opened,
  makeSide,
  connect,
  sides,
  pair,
  next,
  autoAccept,
  type Side,
} from './file-transfer-support.js';

/** Sends `file` from `a` to `b` and resolves with what `b` received, once both sides agree on its hash. */
async function delivered(a: FileTransferManager, b: FileTransferManager, file: File): Promise<ReceivedFile> {
  const [sent, got] = await Promise.all([a.sendFile(file).done, next(b, 'received')]);
  expect(got.hash).to.equal(sent.hash);
  return got;
}

/** `p`, or a failure that says where things stood (from `explain`) if it takes longer than `ms`. */
async function withinOrExplain<T>(p: Promise<T>, ms: number, explain: () => unknown): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`not done after ${ms} ms: ${JSON.stringify(explain())}`)), ms);
  });
  try {
    return await Promise.race([p, late]);
  } finally {
    clearTimeout(timer);
  }
}

/** Rejection code of a promise that must reject. */
async function codeOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (error) {
    return (error as { code: string }).code;
  }
  throw new Error('expected a rejection');
}

// ---- tests --------------------------------------------------------------------------------------

describe('file transfer: names and types', () => {
  it('sanitises hostile names for display and saving', () => {
    expect(sanitizeFileName('../../etc/passwd')).to.equal('._._etc_passwd'.replace(/^\./, ''));
    expect(sanitizeFileName('..\\..\\Windows\\system32\\x.dll')).to.not.match(/[\\/]|\.\./);
    expect(sanitizeFileName('report\u202Efdp.exe')).to.equal('reportfdp.exe');
    expect(sanitizeFileName('a\u0000b\u001fc\u007f.txt')).to.equal('abc.txt');
    expect(sanitizeFileName('CON')).to.equal('_CON');
    expect(sanitizeFileName('lpt1.txt')).to.equal('_lpt1.txt');
    expect(sanitizeFileName('  .hidden. ')).to.equal('hidden');
    expect(sanitizeFileName('..')).to.equal('file');
    expect(sanitizeFileName('')).to.equal('file');
    const long = sanitizeFileName(`${'x'.repeat(5000)}.pdf`);
    expect(long.length).to.be.at.most(120);
    expect(long.endsWith('.pdf')).to.equal(true);
    expect(sanitizeFileName(`${'😀'.repeat(200)}.png`)).to.not.match(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])/);
    expect(sanitizeFileName('Befund Müller.pdf')).to.equal('Befund Müller.pdf');
  });

  it('matches accept lists like <input accept>', () => {
    expect(isAcceptedType('scan.PDF', '', ['.pdf'])).to.equal(true);
    expect(isAcceptedType('rash.jpg', 'image/jpeg', ['image/*'])).to.equal(true);
    expect(isAcceptedType('x.exe', 'application/x-msdownload', ['image/*', 'application/pdf'])).to.equal(false);
    expect(isAcceptedType('x.exe', '', [])).to.equal(true);
  });
});

describe('file transfer: between two connections', () => {
  it('moves a small file with events, progress and matching hashes', async () => {
    const { a, b } = await pair();
    const file = makeFile(700_001, 'lab results.pdf', 'application/pdf', 7);
    const offered = next(b, 'offer');
    const handle = a.sendFile(file);
    const offer = await offered;
    expect([offer.name, offer.size, offer.type]).to.deep.equal(['lab results.pdf', 700_001, 'application/pdf']);
    const progress: number[] = [];
    b.on('progress', (p) => progress.push(p.bytes));
    const received = next(b, 'received');
    const incoming = offer.accept();
    const [sent, got] = await Promise.all([handle.done, incoming.done]);
    expect((await received).id).to.equal(offer.id);
    expect(got.hash).to.equal(sent.hash);
    expect(await fingerprint(got.blob!)).to.equal(await fingerprint(file));
    expect(got.blob!.type).to.equal('application/pdf');
    expect(progress.at(-1)).to.equal(700_001);
    expect(handle.bytes).to.equal(700_001);
    expect(handle.state).to.equal('done');
  });

  it('moves an empty file', async () => {
    const { a, b } = await pair();
    autoAccept(b);
    const received = next(b, 'received');
    await a.sendFile(new File([], 'empty.txt')).done;
    expect((await received).blob!.size).to.equal(0);
  });

  it('sends blocks no larger than the SCTP max message size, paced under the high water mark', async () => {
    const { A, a, b } = await pair();
    autoAccept(b);
    const dc = A.fileChannels[0]!;
    const sizes: number[] = [];
    let maxBuffered = 0;
    const send = dc.send.bind(dc);
    dc.send = ((data: ArrayBuffer) => {
      sizes.push(data.byteLength);
      maxBuffered = Math.max(maxBuffered, dc.bufferedAmount);
      send(data);
    }) as RTCDataChannel['send'];
    await a.sendFile(makeFile(8 * MiB)).done;
    expect(Math.max(...sizes)).to.equal(Math.min(A.pc.sctp!.maxMessageSize, 256 * 1024));
    expect(maxBuffered).to.be.at.most(2 * MiB + 256 * 1024);
    expect(dc.bufferedAmountLowThreshold).to.equal(256 * 1024);
  });

  it('frames several blocks per read, with or without a byte stream of the file, and the file arrives whole', async function () {
    this.timeout(30_000);
    const { A, a, b } = await pair();
    autoAccept(b);
    // A peer that does not state its message size: 64 KiB frames, four blocks to each 256 KiB read.
    Object.defineProperty(A.pc.sctp!, 'maxMessageSize', { value: 64 * 1024 });
    const sizes: number[] = [];
    const dc = A.fileChannels[0]!;
    const send = dc.send.bind(dc);
    dc.send = ((data: Uint8Array<ArrayBuffer>) => {
      sizes.push(data.byteLength);
      send(data);
    }) as RTCDataChannel['send'];
    const received: Blob[] = [];
    b.on('received', (r) => received.push(r.blob!));
    const file = makeFile(3 * MiB + 7, 'byob.bin', '', 51);
    await a.sendFile(file).done;
    // Where a Blob's stream has no BYOB reader, the sender reads with slice() instead.
    const getReader = ReadableStream.prototype.getReader;
    ReadableStream.prototype.getReader = function (this: ReadableStream, options?: { mode?: 'byob' }) {
      if (options?.mode === 'byob') throw new TypeError('no BYOB reader here');
      return getReader.call(this);
    } as typeof getReader;
    try {
      await a.sendFile(makeFile(3 * MiB + 7, 'sliced.bin', '', 52)).done;
    } finally {
      ReadableStream.prototype.getReader = getReader;
    }
    expect(Math.max(...sizes)).to.equal(64 * 1024);
    expect(await fingerprint(received[0]!)).to.equal(await fingerprint(file));
    expect(await fingerprint(received[1]!)).to.equal(await fingerprint(makeFile(3 * MiB + 7, 'sliced.bin', '', 52)));
  });

  it('receives a file of many blocks with nothing left waiting per block', async function () {
    this.timeout(30_000);
    const { A, a, b } = await pair();
    autoAccept(b);
    // 1 KiB blocks: 600 of them.
    Object.defineProperty(A.pc.sctp!, 'maxMessageSize', { value: 1024 + FRAME_HEADER_BYTES });
    // The receiver waits on each write and on its transfer's end together; what waits on the end
    // must go once the write is done, or a file of millions of blocks would hold millions of them.
    const waiting = new Set<unknown>();
    let peak = 0;
    const { addEventListener: add, removeEventListener: remove } = AbortSignal.prototype;
    AbortSignal.prototype.addEventListener = function (this: AbortSignal, type: string, listener: unknown, options?: unknown) {
      if (type === 'abort') peak = Math.max(peak, waiting.add(listener).size);
      return add.call(this, type, listener as EventListener, options as AddEventListenerOptions);
    } as typeof add;
    AbortSignal.prototype.removeEventListener = function (this: AbortSignal, type: string, listener: unknown, options?: unknown) {
      if (type === 'abort') waiting.delete(listener);
      return remove.call(this, type, listener as EventListener, options as EventListenerOptions);
    } as typeof remove;
    try {
      await delivered(a, b, makeFile(600 * 1024 - 5, 'many.bin', '', 53));
    } finally {
      Object.assign(AbortSignal.prototype, { addEventListener: add, removeEventListener: remove });
    }
    expect(peak).to.equal(1);
  });

  it('queues several files and delivers each whole', async () => {
    const { a, b } = await pair();
    autoAccept(b);
    const files = [makeFile(3 * MiB + 5, 'a.bin', '', 1), makeFile(1, 'b.bin', '', 2), makeFile(2 * MiB, 'c.bin', '', 3)];
    const got = new Map<string, Blob>();
    b.on('received', (r) => got.set(r.name, r.blob!));
    await Promise.all(files.map((f) => a.sendFile(f).done));
    for (const f of files) expect(await fingerprint(got.get(f.name)!)).to.equal(await fingerprint(f));
  });

  it('moves a file each way at the same time', async function () {
    this.timeout(60_000);
    const { a, b } = await pair();
    autoAccept(a);
    autoAccept(b);
    const fromA = makeFile(16 * MiB + 1, 'from-a.bin', '', 41);
    const fromB = makeFile(16 * MiB - 1, 'from-b.bin', '', 42);
    const receivedByA = next(a, 'received');
    const receivedByB = next(b, 'received');
    // Both are on the wire together: each side's first progress comes before either finishes.
    const bothMoving = Promise.all([next(a, 'progress', (p) => p.direction === 'receive'), next(b, 'progress', (p) => p.direction === 'receive')]);
    const finished = Promise.race([a.sendFile(fromA).done, b.sendFile(fromB).done]).then(() => 'finished');
    expect(await Promise.race([bothMoving.then(() => 'both moving'), finished])).to.equal('both moving');
    const [gotA, gotB] = await Promise.all([receivedByA, receivedByB]);
    expect(await fingerprint(gotA.blob!)).to.equal(await fingerprint(fromB));
    expect(await fingerprint(gotB.blob!)).to.equal(await fingerprint(fromA));
  });
});

describe('file transfer: decline, cancel and limits', () => {
  it('tells the sender when the receiver declines', async () => {
    const { a, b } = await pair();
    b.on('offer', (offer) => offer.decline());
    const error = next(a, 'error');
    expect(await codeOf(a.sendFile(makeFile(1000)).done)).to.equal('file-declined');
    expect((await error).code).to.equal('file-declined');
  });

  it('lets a listener decline or accept inside the offer event itself', async () => {
    const { a, b } = await pair();
    b.on('offer', (offer) => (offer.name === 'no.txt' ? offer.decline() : offer.accept()));
    const declined = a.sendFile(new File(['no'], 'no.txt'));
    expect(await codeOf(declined.done)).to.equal(FileErrorCode.Declined);
    const accepted = a.sendFile(new File(['yes'], 'yes.txt'));
    const [sent, got] = await Promise.all([accepted.done, next(b, 'received')]);
    expect(got.hash).to.equal(sent.hash);
    expect(await got.blob!.text()).to.equal('yes');
  });

  it('lets the sender cancel mid-transfer, and the next file still goes through', async () => {
    const { a, b } = await pair();
    autoAccept(b);
    const handle = a.sendFile(makeFile(32 * MiB));
    await next(a, 'progress', (p) => p.bytes >= 4 * MiB);
    const peerSees = next(b, 'error');
    handle.cancel();
    expect(await codeOf(handle.done)).to.equal('file-cancelled');
    expect((await peerSees).code).to.equal('file-cancelled-by-peer');
    expect(handle.bytes).to.be.below(32 * MiB);
    const again = makeFile(MiB + 3, 'after.bin', '', 5);
    const received = next(b, 'received');
    await a.sendFile(again).done;
    expect(await fingerprint((await received).blob!)).to.equal(await fingerprint(again));
  });

  it('lets the receiver cancel mid-transfer', async () => {
    const { a, b } = await pair();
    autoAccept(b);
    const handle = a.sendFile(makeFile(32 * MiB));
    const progress = await next(b, 'progress', (p) => p.bytes >= 4 * MiB);
    b.cancel(progress.id);
    expect(await codeOf(handle.done)).to.equal('file-cancelled-by-peer');
    expect(b.transfers).to.have.length(0);
  });

  it('ends the transfer with file-read-failed on both sides when the file cannot be read any more, and the next file goes through', async () => {
    const { a, b } = await pair();
    autoAccept(b);
    const readable = 3 * MiB;
    const file = unreadableFrom(makeFile(16 * MiB, 'vanishing.bin'), readable);
    const handle = a.sendFile(file);
    const [senderSees, receiverSees] = [next(a, 'error'), next(b, 'error')];
    expect(await codeOf(handle.done)).to.equal(FileErrorCode.ReadFailed);
    expect((await senderSees).code).to.equal(FileErrorCode.ReadFailed);
    expect((await receiverSees).code).to.equal(FileErrorCode.ReadFailed);
    expect(handle.bytes).to.be.at.most(readable);
    expect(a.transfers).to.have.length(0);
    expect(b.transfers).to.have.length(0);
    const again = makeFile(MiB + 7, 'after.bin', '', 9);
    const received = next(b, 'received');
    await a.sendFile(again).done;
    expect(await fingerprint((await received).blob!)).to.equal(await fingerprint(again));
  });

  it('refuses files over the receiver maxSize, with the code on both sides', async () => {
    const { a, b } = await pair({}, { maxSize: MiB });
    let offered = false;
    b.on('offer', () => (offered = true));
    const receiverSees = next(b, 'error');
    expect(await codeOf(a.sendFile(makeFile(MiB + 1)).done)).to.equal('file-too-large');
    expect((await receiverSees).code).to.equal('file-too-large');
    expect(offered).to.equal(false);
  });

  it('refuses types the receiver does not accept, with the code on both sides', async () => {
    const { a, b } = await pair({}, { accept: ['image/*', '.pdf'] });
    const receiverSees = next(b, 'error');
    expect(await codeOf(a.sendFile(makeFile(10, 'run-me.exe', 'application/x-msdownload')).done)).to.equal('file-type-not-accepted');
    expect((await receiverSees).code).to.equal('file-type-not-accepted');
    autoAccept(b);
    await a.sendFile(makeFile(10, 'photo.jpg', 'image/jpeg')).done;
  });

  it('refuses to send what its own limits exclude', async () => {
    const { a } = await pair({ maxSize: 100, accept: ['.pdf'] });
    expect(await codeOf(a.sendFile(makeFile(101, 'x.pdf')).done)).to.equal('file-too-large');
    expect(await codeOf(a.sendFile(makeFile(10, 'x.exe')).done)).to.equal('file-type-not-accepted');
  });
});

// ---- hostile peers ------------------------------------------------------------------------------

/** A peer without a manager that writes raw control messages and frames, against B with a manager. */
async function hostilePair(options: Parameters<typeof makeSide>[0] = {}) {
  const A = makeSide(false);
  const B = makeSide(options);
  sides.push(A, B);
  const raw = A.pc.createDataChannel('vc-file');
  raw.binaryType = 'arraybuffer';
  const fromB: Array<Record<string, unknown>> = [];
  const waiters: Array<() => void> = [];
  A.control.addEventListener('message', ({ data }) => {
    fromB.push(JSON.parse(data));
    for (const w of waiters.splice(0)) w();
  });
  await connect(A, B);
  await opened(raw);
  /** Stops B accepting offers by itself. */
  const stopAccepting = autoAccept(B.manager!);
  /** Resolves with B's next control message of `type` for transfer `id`. */
  const answer = async (type: string, id: string) => {
    for (;;) {
      const found = fromB.find((m) => m.type === type && m.id === id);
      if (found) return found;
      await new Promise<void>((r) => waiters.push(r));
    }
  };
  const control = (m: Record<string, unknown>) => A.control.send(JSON.stringify({ v: PROTOCOL_VERSION, ...m }));
  let tag = 100;
  let n = 0;
  /**
   * Offers `size` bytes in blocks of `blockSize`, waits for the accept, and sends the blocks `plan`
   * lists (index, length, whether to corrupt the hash), then an end message unless `end` is false.
   */
  async function send(opts: {
    size: number;
    blockSize?: number;
    plan?: Array<{ index: number; length?: number; badHash?: boolean; epoch?: number }>;
    end?: false | { blocks?: number; hash?: string };
  }) {
    const id = `hostile-${++n}`;
    const t = ++tag;
    const blockSize = opts.blockSize ?? 4096;
    const blocks = Math.ceil(opts.size / blockSize);
    control({ type: 'file-offer', id, tag: t, name: 'x.bin', size: opts.size, mime: '', blockSize });
    await answer('file-accept', id);
    const plan: Array<{ index: number; length?: number; badHash?: boolean; epoch?: number }> =
      opts.plan ?? Array.from({ length: blocks }, (_, index) => ({ index }));
    const hashes = new Uint8Array(blocks * 32);
    for (const step of plan) {
      const length = step.length ?? Math.min(blockSize, opts.size - step.index * blockSize);
      const payload = crypto.getRandomValues(new Uint8Array(length)).buffer;
      const hash = await crypto.subtle.digest('SHA-256', step.badHash ? new ArrayBuffer(1) : payload);
      if (step.index < blocks) hashes.set(new Uint8Array(hash), step.index * 32);
      raw.send(encodeBlockFrame(t, step.index, step.epoch ?? 0, hash, payload));
    }
    if (opts.end !== false) {
      control({ type: 'file-end', id, blocks: opts.end?.blocks ?? blocks, hash: opts.end?.hash ?? (await fileHash(hashes)) });
    }
    return id;
  }
  return { A, B, b: B.manager!, raw, send, control, answer, stopAccepting };
}

describe('file transfer: hostile input ends that transfer and the call goes on', () => {
  const cases: Array<[string, Parameters<Awaited<ReturnType<typeof hostilePair>>['send']>[0], string]> = [
    ['a lying size (more bytes than offered)', { size: 5000, plan: [{ index: 0 }, { index: 1, length: 4096 }] }, FileErrorCode.BeyondSize],
    ['a block beyond the offered size', { size: 5000, plan: [{ index: 0 }, { index: 1 }, { index: 2, length: 10 }] }, FileErrorCode.BeyondSize],
    ['a lying size (fewer bytes, short block)', { size: 8192, plan: [{ index: 0 }, { index: 1, length: 100 }] }, FileErrorCode.SizeMismatch],
    ['an end before all blocks', { size: 8192, plan: [{ index: 0 }], end: { blocks: 1 } }, FileErrorCode.SizeMismatch],
    ['out-of-order blocks', { size: 12288, plan: [{ index: 0 }, { index: 2 }, { index: 1 }] }, FileErrorCode.OutOfOrder],
    ['a duplicate block', { size: 12288, plan: [{ index: 0 }, { index: 0 }] }, FileErrorCode.Duplicate],
    ['a block of a resume never asked for', { size: 12288, plan: [{ index: 0 }, { index: 1, epoch: 3 }] }, FileErrorCode.BadFrame],
    ['a block hash mismatch', { size: 12288, plan: [{ index: 0 }, { index: 1, badHash: true }, { index: 2 }] }, FileErrorCode.HashMismatch],
    ['a file hash mismatch', { size: 12288, end: { hash: '0'.repeat(64) } }, FileErrorCode.HashMismatch],
  ];
  for (const [what, opts, code] of cases) {
    it(`${what} → ${code}`, async () => {
      const h = await hostilePair();
      const error = next(h.b, 'error');
      const id = await h.send(opts);
      const seen = await error;
      expect([seen.id, seen.code]).to.deep.equal([id, code]);
      expect((await h.answer('file-cancel', id)).code).to.equal(code);
      // The call goes on: the same channels carry an honest file afterwards.
      const received = next(h.b, 'received');
      const ok = await h.send({ size: 10_000 });
      expect((await received).id).to.equal(ok);
      expect(h.B.pc.connectionState).to.equal('connected');
    });
  }

  it('a block hash mismatch where this page checks the blocks (kept in memory) → file-hash-mismatch', async () => {
    // Above, the disk worker checks each block; here the page itself does.
    const h = await hostilePair({ receiveToDisk: false });
    const error = next(h.b, 'error');
    const id = await h.send({ size: 12288, plan: [{ index: 0 }, { index: 1, badHash: true }, { index: 2 }] });
    expect([(await error).id, (await error).code]).to.deep.equal([id, FileErrorCode.HashMismatch]);
    const received = next(h.b, 'received');
    const ok = await h.send({ size: 10_000 });
    expect((await received).id).to.equal(ok);
  });

  it('declines a malformed offer (negative size) with file-invalid-offer', async () => {
    const h = await hostilePair();
    const error = next(h.b, 'error');
    h.control({ type: 'file-offer', id: 'bad-1', tag: 5, name: 'x', size: -1, mime: '', blockSize: 4096 });
    expect((await h.answer('file-decline', 'bad-1')).code).to.equal('file-invalid-offer');
    expect((await error).code).to.equal('file-invalid-offer');
  });

  it('a block before the offer was accepted → file-bad-frame, and the offer is gone', async () => {
    const h = await hostilePair();
    h.stopAccepting();
    const offered = next(h.b, 'offer');
    const error = next(h.b, 'error');
    h.control({ type: 'file-offer', id: 'early', tag: 77, name: 'x.bin', size: 4096, mime: '', blockSize: 4096 });
    const offer = await offered;
    const payload = crypto.getRandomValues(new Uint8Array(4096)).buffer;
    h.raw.send(encodeBlockFrame(77, 0, 0, await crypto.subtle.digest('SHA-256', payload), payload));
    expect([(await error).id, (await error).code]).to.deep.equal(['early', FileErrorCode.BadFrame]);
    expect((await h.answer('file-cancel', 'early')).code).to.equal(FileErrorCode.BadFrame);
    // Accepting it now starts nothing: the peer is not told to send.
    const late = offer.accept();
    expect(late.state).to.equal('failed');
    expect(await codeOf(late.done)).to.equal(FileErrorCode.BadFrame);
    expect(h.b.accept('early')).to.equal(undefined);
    autoAccept(h.b);
    const received = next(h.b, 'received');
    const ok = await h.send({ size: 9000 });
    expect((await received).id).to.equal(ok);
    expect(h.B.pc.connectionState).to.equal('connected');
  });

  it('reports a frame that belongs to no transfer without ending anything', async () => {
    const h = await hostilePair();
    const error = next(h.b, 'error');
    h.raw.send(new Uint8Array(10).buffer);
    expect((await error).code).to.equal('file-bad-frame');
    expect((await error).id).to.equal(undefined);
    const received = next(h.b, 'received');
    const ok = await h.send({ size: 9000 });
    expect((await received).id).to.equal(ok);
  });

  it('ignores control messages that are not its own', async () => {
    const { b } = await pair();
    expect(b.handleControl('{"v":1,"type":"media","camera":true,"microphone":true}')).to.equal(false);
    expect(b.handleControl('not json')).to.equal(false);
    expect(b.handleControl({ v: 1, type: 'file-ack', id: 'nope', next: 3 })).to.equal(true);
  });
});

// ---- resume -------------------------------------------------------------------------------------

describe('file transfer: resume', () => {
  /*
   * In one page nothing can cut the network, and a short outage is hidden by SCTP anyway: it
   * retransmits once ICE finds a path again. What loses data for real is the binary channel going
   * away (an SCTP stream reset, or an association that gave up). So these tests restart ICE
   * mid-transfer and, during the restart, close the binary channel at one end or both: whatever
   * was in flight or buffered is gone, the sender opens a new channel, and the transfer must
   * continue from the receiver's last verified block, not from zero, with the file hash matching.
   * Which end notices first, and whether the resume or the close reaches the sender first, varies
   * from run to run; each order must end in a whole file.
   */
  for (const ends of ['both ends', "the receiver's end", "the sender's end"] as const) {
    it(`continues from the last acknowledged block after an ICE restart that lost the channel at ${ends}`, async function () {
      this.timeout(120_000);
      const { A, B, a, b } = await pair();
      autoAccept(b);
      const file = makeFile(40 * MiB, 'mri.zip', '', 21);
      const handle = a.sendFile(file);
      await next(b, 'progress', (p) => p.bytes >= 10 * MiB);
      const ufrag = A.pc.localDescription!.sdp.match(/a=ice-ufrag:(\S+)/)![1];
      A.pc.restartIce();
      const restarted = negotiate(A.pc, B.pc);
      if (ends !== "the receiver's end") A.fileChannels.at(-1)!.close();
      if (ends !== "the sender's end") B.peerFileChannels.at(-1)!.close();
      await restarted;
      expect(A.pc.localDescription!.sdp.match(/a=ice-ufrag:(\S+)/)![1]).to.not.equal(ufrag);
      const received = next(b, 'received');
      const explain = () => ({ bytes: handle.bytes, state: handle.state, resumes: handle.resumes, fromA: A.sent.slice(-3), fromB: B.sent.slice(-3) });
      const sent = await withinOrExplain(handle.done, 100_000, explain);
      const got = await received;
      const resume = B.sent.find((m) => m.type === 'file-resume')!;
      expect(resume, 'the receiver asked to resume').to.not.equal(undefined);
      expect(resume.next as number).to.be.above(0);
      expect(handle.resumes).to.be.at.least(1);
      expect(got.hash).to.equal(sent.hash);
      expect(await fingerprint(got.blob!)).to.equal(await fingerprint(file));
    });
  }

  it("continues when the sender's end of a closed channel never says so", async function () {
    // Seen under load: after the receiver closed its end, the sender's end stayed `closing` and
    // fired no `close`. Here the sender's manager never hears the `close`; the receiver's resume
    // must make it open a new channel.
    this.timeout(60_000);
    const { A, B, a, b } = await pair();
    autoAccept(b);
    const file = makeFile(24 * MiB, 'echo.mp4', '', 26);
    const handle = a.sendFile(file);
    await next(b, 'progress', (p) => p.bytes >= 6 * MiB);
    A.unheardCloses.add(A.fileChannels.at(-1)!);
    B.peerFileChannels.at(-1)!.close();
    const [sent, got] = await Promise.all([handle.done, next(b, 'received')]);
    expect(A.fileChannels.length, 'channels the sender opened').to.equal(2);
    expect(A.fileChannels[1]!.readyState).to.equal('open');
    expect(handle.resumes).to.be.at.least(1);
    expect(got.hash).to.equal(sent.hash);
    expect(await fingerprint(got.blob!)).to.equal(await fingerprint(file));
  });

  /** Makes `dc.send` swallow what `drop` picks, as a path that loses it (or a peer that stops answering) would; returns a count of what it swallowed. */
  function swallow<T>(dc: RTCDataChannel, drop: (data: T) => boolean) {
    const send = dc.send.bind(dc) as (data: T) => void;
    let dropped = 0;
    dc.send = ((data: T) => (drop(data) ? dropped++ : send(data))) as RTCDataChannel['send'];
    return () => dropped;
  }
  /** A's binary channel loses frames while `drop()` says so. */
  const lossy = (A: Side, drop: () => boolean) => swallow(A.fileChannels.at(-1)!, drop);

  it('asks again when data stops while the connection is up, and the file still arrives whole', async function () {
    this.timeout(60_000);
    const { A, B, a, b } = await pair({}, { stallMs: 1000 });
    autoAccept(b);
    let cut = false;
    const dropped = lossy(A, () => cut && !B.sent.some((m) => m.type === 'file-resume'));
    const file = makeFile(12 * MiB, 'scan.dcm', '', 23);
    const handle = a.sendFile(file);
    await next(b, 'progress', (p) => p.bytes >= 2 * MiB);
    cut = true;
    const [sent, got] = await Promise.all([handle.done, next(b, 'received')]);
    expect(dropped()).to.be.above(0);
    expect(handle.resumes).to.equal(1);
    expect(got.hash).to.equal(sent.hash);
    expect(await fingerprint(got.blob!)).to.equal(await fingerprint(file));
  });

  it('ends the transfer with file-stalled on both sides when data never comes again, and the call goes on', async function () {
    this.timeout(60_000);
    const { A, a, b } = await pair({}, { stallMs: 100 });
    autoAccept(b);
    let cut = false;
    lossy(A, () => cut);
    const handle = a.sendFile(makeFile(4 * MiB, 'x.bin', '', 24));
    const error = next(b, 'error');
    await next(b, 'progress', (p) => p.bytes >= MiB);
    cut = true;
    expect((await error).code).to.equal(FileErrorCode.Stalled);
    expect(await codeOf(handle.done)).to.equal(FileErrorCode.Stalled);
    cut = false;
    const small = a.sendFile(makeFile(300_000, 'y.bin', '', 25));
    const [sent, got] = await Promise.all([small.done, next(b, 'received')]);
    expect(got.hash).to.equal(sent.hash);
  });

  it('ends the transfer with file-write-failed on both sides when a write never finishes, and the next file goes through', async function () {
    this.timeout(60_000);
    const { a, b } = await pair({}, { stallMs: 100 });
    // The page's writable takes the first block and never says it is written, as a drive that
    // went away can leave it.
    let writes = 0;
    const hanging = new WritableStream<Uint8Array>({
      write: () => {
        writes++;
        return new Promise<void>(() => {});
      },
    });
    b.on('offer', (offer) => (offer.name === 'stuck.bin' ? offer.accept({ writable: hanging }) : offer.accept()));
    const handle = a.sendFile(makeFile(4 * MiB, 'stuck.bin', '', 27));
    const [senderSees, receiverSees] = [next(a, 'error'), next(b, 'error')];
    expect((await receiverSees).code).to.equal(FileErrorCode.WriteFailed);
    expect(await codeOf(handle.done)).to.equal(FileErrorCode.WriteFailed);
    expect((await senderSees).code).to.equal(FileErrorCode.WriteFailed);
    expect(writes).to.equal(1);
    expect(b.transfers).to.have.length(0);
    const after = makeFile(MiB + 11, 'after.bin', '', 28);
    const got = await delivered(a, b, after);
    expect(await fingerprint(got.blob!)).to.equal(await fingerprint(after));
  });

  it('ends the transfer with file-write-failed on both sides when the file never finishes closing, and the next file goes through', async function () {
    this.timeout(60_000);
    const { a, b } = await pair({}, { stallMs: 100 });
    // The page's writable takes every block but never finishes closing.
    let written = 0;
    let closes = 0;
    const hanging = new WritableStream<Uint8Array>({
      write: (chunk) => {
        written += chunk.byteLength;
      },
      close: () => {
        closes++;
        return new Promise<void>(() => {});
      },
    });
    b.on('offer', (offer) => (offer.name === 'unclosed.bin' ? offer.accept({ writable: hanging }) : offer.accept()));
    const handle = a.sendFile(makeFile(MiB + 5, 'unclosed.bin', '', 29));
    const [senderSees, receiverSees] = [next(a, 'error'), next(b, 'error')];
    expect((await receiverSees).code).to.equal(FileErrorCode.WriteFailed);
    expect(await codeOf(handle.done)).to.equal(FileErrorCode.WriteFailed);
    expect((await senderSees).code).to.equal(FileErrorCode.WriteFailed);
    expect([written, closes]).to.deep.equal([MiB + 5, 1]);
    expect(b.transfers).to.have.length(0);
    const after = makeFile(MiB + 13, 'after.bin', '', 30);
    await delivered(a, b, after);
  });

  /** Keeps B's control messages that `drop` picks from reaching A, as a receiver that stops answering would. */
  const mute = (B: Side, drop: (m: { type: string }) => boolean) => swallow(B.control, (text: string) => drop(JSON.parse(text)));

  it('ends a file with file-stalled on both sides when the receiver stops answering mid-transfer, and the call goes on', async function () {
    this.timeout(60_000);
    const { B, a, b } = await pair({ stallMs: 100 });
    autoAccept(b);
    let silent = false;
    const dropped = mute(B, () => silent);
    const handle = a.sendFile(makeFile(16 * MiB, 'x.bin', '', 31));
    await next(a, 'progress', (p) => p.bytes >= MiB);
    silent = true;
    const receiverSees = next(b, 'error');
    expect(await codeOf(handle.done)).to.equal(FileErrorCode.Stalled);
    expect((await receiverSees).code).to.equal(FileErrorCode.Stalled);
    expect(dropped()).to.be.above(0);
    expect([a.transfers.length, b.transfers.length]).to.deep.equal([0, 0]);
    silent = false;
    const after = makeFile(300_000, 'y.bin', '', 32);
    await delivered(a, b, after);
  });

  it('ends a file with file-stalled on the sender when the receiver never confirms it', async function () {
    this.timeout(60_000);
    const { B, a, b } = await pair({ stallMs: 100 });
    autoAccept(b);
    let silent = true;
    mute(B, (m) => silent && m.type === 'file-complete');
    const file = makeFile(MiB + 7, 'z.bin', '', 33);
    const handle = a.sendFile(file);
    const got = await next(b, 'received');
    expect(await codeOf(handle.done)).to.equal(FileErrorCode.Stalled);
    expect(got.size).to.equal(file.size);
    silent = false;
    const after = makeFile(300_000, 'y.bin', '', 34);
    await delivered(a, b, after);
  });

  it('does not give up on a receiver whose writes are slow but moving', async function () {
    this.timeout(60_000);
    const { a, b } = await pair({ stallMs: 300 }, { stallMs: 1000 });
    // Each block takes a third of the sender's stallMs to write; the whole file takes longer than
    // the sender waits for a word.
    let writes = 0;
    const slow = new WritableStream<Uint8Array>({
      write: () => {
        writes++;
        return new Promise<void>((resolve) => setTimeout(resolve, 100));
      },
    });
    b.on('offer', (offer) => offer.accept({ writable: slow }));
    const file = makeFile(16 * MiB + 3, 'slow.bin', '', 35);
    await delivered(a, b, file);
    expect(writes).to.be.above(60);
  });

  it('does not give up on a receiver whose disk takes longer than the sender waits for four blocks', async function () {
    this.timeout(60_000);
    const { a, b } = await pair({ stallMs: 100 }, { stallMs: 100 });
    // Every block reaches the disk worker 500 ms after the one before: 2 s per MiB, longer than
    // the sender's 1.4 s, so only acknowledgements that come after a pause (not every MiB) keep it.
    const post = Worker.prototype.postMessage as (message: unknown, transfer: Transferable[]) => void;
    let queue = Promise.resolve();
    let delayed = 0;
    Worker.prototype.postMessage = function (this: Worker, message: { op?: string }, transfer: Transferable[] = []) {
      const slow = message?.op === 'check';
      if (slow) delayed++;
      queue = queue.then(() => new Promise<void>((r) => setTimeout(r, slow ? 500 : 0))).then(() => post.call(this, message, transfer));
    } as Worker['postMessage'];
    try {
      autoAccept(b);
      const file = makeFile(2 * MiB + 9, 'slow-disk.bin', '', 36);
      await delivered(a, b, file);
      expect(delayed).to.be.above(8);
    } finally {
      Worker.prototype.postMessage = post as Worker['postMessage'];
    }
  });

  it('continues on a new pair of connections after the old one failed', async function () {
    this.timeout(120_000);
    const { A, B, a, b } = await pair();
    autoAccept(b);
    const file = makeFile(32 * MiB, 'ct.zip', '', 22);
    const handle = a.sendFile(file);
    await next(b, 'progress', (p) => p.bytes >= 8 * MiB);
    // The call reconnects with fresh connections, as the session does after 'failed'.
    A.pc.close();
    B.pc.close();
    const A2 = makeSide(false);
    const B2 = makeSide(false);
    sides.push(A2, B2);
    A.pc = A2.pc;
    B.pc = B2.pc;
    A.control = A2.control;
    B.control = B2.control;
    A2.control.addEventListener('message', ({ data }) => a.handleControl(data));
    B2.control.addEventListener('message', ({ data }) => b.handleControl(data));
    a.attach(A2.pc);
    b.attach(B2.pc);
    const received = next(b, 'received');
    await connect(A2, B2);
    const [sent, got] = await Promise.all([handle.done, received]);
    const resume = B.sent.find((m) => m.type === 'file-resume')!;
    expect(resume.next as number).to.be.above(0);
    expect(got.hash).to.equal(sent.hash);
    expect(await fingerprint(got.blob!)).to.equal(await fingerprint(file));
  });
});

// ---- two pages ----------------------------------------------------------------------------------

describe('file transfer: with a second page in its own browser context', () => {
  it('moves files both ways', async function () {
    this.timeout(120_000);
    const peer = await openPeerPage();
    try {
      await peer.run(async () => {
        const ft = await import('/src/file-transfer/index.ts' as string);
        const w = window as unknown as Record<string, unknown>;
        const pc = new RTCPeerConnection();
        const control = pc.createDataChannel('vc-control', { negotiated: true, id: 0 });
        const manager = new ft.FileTransferManager({ pc, sendControl: (t: string) => control.send(t) });
        control.onmessage = (e) => manager.handleControl(e.data);
        manager.on('offer', (o: { accept(): void }) => o.accept());
        w.ftPc = pc;
        w.ftManager = manager;
        w.ftReceived = new Promise((resolve) => manager.on('received', resolve));
        w.ftControlOpen = new Promise((resolve) => (control.onopen = resolve));
      });
      const A = makeSide();
      sides.push(A);
      await A.pc.setLocalDescription();
      await new Promise<void>((r) =>
        A.pc.iceGatheringState === 'complete'
          ? r()
          : A.pc.addEventListener('icegatheringstatechange', () => A.pc.iceGatheringState === 'complete' && r()),
      );
      const answer = await peer.run(async (offer: string) => {
        const pc = (window as unknown as { ftPc: RTCPeerConnection }).ftPc;
        await pc.setRemoteDescription({ type: 'offer', sdp: offer });
        await pc.setLocalDescription();
        await new Promise<void>((r) =>
          pc.iceGatheringState === 'complete'
            ? r()
            : pc.addEventListener('icegatheringstatechange', () => pc.iceGatheringState === 'complete' && r()),
        );
        return pc.localDescription!.sdp;
      }, A.pc.localDescription!.sdp);
      await A.pc.setRemoteDescription({ type: 'answer', sdp: answer });
      await opened(A.control);
      await peer.run(async () => {
        await (window as unknown as { ftControlOpen: Promise<void> }).ftControlOpen;
      });
      const a = A.manager!;
      autoAccept(a);
      const file = makeFile(32 * MiB + 17, 'referral.pdf', 'application/pdf', 31);
      await a.sendFile(file).done;
      const theirs = await peer.run(async () => {
        const r = await (window as unknown as { ftReceived: Promise<{ blob: Blob; name: string }> }).ftReceived;
        const parts: string[] = [String(r.blob.size)];
        for (let s = 0; s < r.blob.size; s += 4 * 1024 * 1024) {
          const d = await crypto.subtle.digest('SHA-256', await r.blob.slice(s, s + 4 * 1024 * 1024).arrayBuffer());
          parts.push(Array.from(new Uint8Array(d), (x) => x.toString(16).padStart(2, '0')).join(''));
        }
        return { name: r.name, fp: parts.join(':') };
      });
      expect(theirs).to.deep.equal({ name: 'referral.pdf', fp: await fingerprint(file) });
      const received = next(a, 'received');
      const sentHash = await peer.run(async () => {
        const m = (window as unknown as { ftManager: { sendFile(f: File): { done: Promise<{ hash: string }> } } }).ftManager;
        const bytes = new Uint8Array(3 * 1024 * 1024).map((_, i) => (i * 31) & 255);
        return (await m.sendFile(new File([bytes], 'photo.jpg', { type: 'image/jpeg' })).done).hash;
      });
      const got = await received;
      expect(got.hash).to.equal(sentHash);
      const expected = new Uint8Array(3 * MiB).map((_, i) => (i * 31) & 255);
      expect(await fingerprint(got.blob!)).to.equal(await fingerprint(new Blob([expected])));
    } finally {
      await peer.close();
    }
  });
});
