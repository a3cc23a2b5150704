// Hundreds of MiB through the file transfer, each way, between two RTCPeerConnections in this page.
// A file of its own so that its minutes do not eat the other file's time budget. The helpers are
// shared with file-transfer.test.ts in file-transfer-support.ts.
import { expect } from '@open-wc/testing';
import { MiB, makeFile, fingerprint, pair, next, autoAccept } from './file-transfer-support.js';

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
  return {
    writable: (await handle.createWritable()) as unknown as WritableStream<Uint8Array>,
    file: () => handle.getFile(),
    remove: () => dir.removeEntry(name),
  };
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
