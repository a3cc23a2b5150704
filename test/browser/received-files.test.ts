// Where received files are kept: on disk in the origin-private file system, one folder per page,
// and what is removed when. The first test must run first in this page: it sees the page's
// folder being made, and what that removes. Pages of other test files share the origin.
import { expect, waitUntil } from '@open-wc/testing';
import { FileErrorCode } from '../../src/file-transfer/index.js';
import { latestSweep, RECEIVED_FOLDER } from '../../src/file-transfer/store.js';
import { openPeerPage } from './harness.js';
import { MiB, makeFile, fingerprint, pair, next, autoAccept } from './file-transfer-support.js';

const root = () => navigator.storage.getDirectory();
type Dir = FileSystemDirectoryHandle & { entries(): AsyncIterable<[string, FileSystemHandle]> };

/** Every entry under the received-files folder: `page/name` → size (a folder is -1). */
async function listReceived(): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  const parent = (await (await root()).getDirectoryHandle(RECEIVED_FOLDER, { create: true })) as Dir;
  for await (const [page, handle] of parent.entries()) {
    if (handle.kind !== 'directory') continue;
    out.set(page, -1);
    for await (const [name, file] of (handle as Dir).entries()) {
      // A file removed between listing and reading is gone: not counted.
      const size =
        file.kind === 'file'
          ? await (file as FileSystemFileHandle).getFile().then(
              (f) => f.size,
              () => undefined,
            )
          : -1;
      if (size !== undefined) out.set(`${page}/${name}`, size);
    }
  }
  return out;
}

async function writeFile(page: string, name: string, bytes: number): Promise<void> {
  const parent = await (await root()).getDirectoryHandle(RECEIVED_FOLDER, { create: true });
  const folder = await parent.getDirectoryHandle(page, { create: true });
  const writable = await (await folder.getFileHandle(name, { create: true })).createWritable();
  await writable.write(new Uint8Array(bytes));
  await writable.close();
}

/** Received files (not folders, not a page's `alive` file) under the received-files folder, outside the folders `except`. */
const filesOf = (list: Map<string, number>, except: string[] = []) =>
  [...list].filter(([path, size]) => size >= 0 && !path.endsWith('/alive') && !except.some((e) => path.startsWith(`${e}/`)));

describe('received files on disk', () => {
  const gone = 'p-gone-00000000';
  const alive = 'p-alive-0000000';

  it('removes what pages that are gone left behind when a call starts, and writes a received file to its own folder', async () => {
    await writeFile(gone, 'left-behind', 1000);
    await writeFile(alive, 'still-open', 1000);
    // Another page of this origin that is still open has marked its folder in the last minute.
    await writeFile(alive, 'alive', 8);
    // Other test files' pages of this origin may have left folders too.
    const earlier = new Set([...(await listReceived()).keys()].filter((path) => !path.includes('/')));

    const earlierSweep = latestSweep();
    const { a, b } = await pair();
    const swept = latestSweep();
    expect(swept, 'a call starting sweeps').to.not.equal(earlierSweep);
    await swept;
    const before = await listReceived();
    expect(before.has(gone), 'a gone page’s folder is removed before any file moves').to.equal(false);
    expect(before.get(`${alive}/still-open`), 'an open page’s file stays').to.equal(1000);

    autoAccept(b);
    const file = makeFile(3 * MiB + 777, 'scan.dcm', 'application/dicom', 5);
    const [received] = await Promise.all([next(b, 'received'), a.sendFile(file).done]);

    expect(await fingerprint(received.blob!)).to.equal(await fingerprint(file));
    expect(received.blob!.type).to.equal('application/dicom');
    const list = await listReceived();
    expect(list.get(`${alive}/still-open`), 'an open page’s file stays').to.equal(1000);
    const ours = filesOf(list, [...earlier]);
    expect(ours.map(([, size]) => size)).to.deep.equal([file.size]);
    expect(ours[0]![0]).to.match(/^p-[0-9a-f-]{36}\/[0-9a-f-]{36}$/);
    expect(list.get(`${ours[0]![0].split('/')[0]}/alive`), 'the page marks its own folder').to.equal(8);
  });

  it('keeps a file in memory, and writes nothing, with receiveToDisk false', async () => {
    const before = filesOf(await listReceived()).length;
    const { a, b } = await pair({}, { receiveToDisk: false });
    autoAccept(b);
    const file = makeFile(MiB + 5, 'note.pdf', 'application/pdf', 6);
    const [received] = await Promise.all([next(b, 'received'), a.sendFile(file).done]);
    expect(await fingerprint(received.blob!)).to.equal(await fingerprint(file));
    expect(filesOf(await listReceived()).length).to.equal(before);
  });

  it('removes the part of a file that was cancelled', async () => {
    const before = filesOf(await listReceived()).length;
    const { a, b } = await pair();
    autoAccept(b);
    const t = a.sendFile(makeFile(64 * MiB, 'big.bin'));
    await next(b, 'progress', (p) => p.bytes >= 4 * MiB);
    expect(filesOf(await listReceived()).length, 'the part is on disk while it arrives').to.equal(before + 1);
    b.cancel(t.id);
    const failed = await t.done.then(
      () => undefined,
      (error: { code: string }) => error.code,
    );
    expect(failed).to.equal(FileErrorCode.CancelledByPeer);
    await waitUntil(async () => filesOf(await listReceived()).length === before, 'the cancelled part is removed', { timeout: 10_000 });
  });
});

describe('received files under a strict Content-Security-Policy', () => {
  it('are kept in memory where the policy forbids a worker from a blob: URL, and arrive whole', async () => {
    const page = await openPeerPage({ path: '/test/support/csp.html' });
    try {
      const result = await page.runLong(async () => {
        const violations: string[] = [];
        document.addEventListener('securitypolicyviolation', (e) => violations.push(e.effectiveDirective));
        const s = (window as any).fileTransferSupport;
        const { a, b } = await s.pair();
        s.autoAccept(b);
        const file = s.makeFile(2 * s.MiB + 3, 'lab.pdf', 'application/pdf', 7);
        const [received] = await Promise.all([s.next(b, 'received'), a.sendFile(file).done]);
        const folder = await (await navigator.storage.getDirectory()).getDirectoryHandle('video-consult-received', { create: true });
        let entries = 0;
        for await (const _ of (folder as any).keys()) entries++;
        return { same: (await s.fingerprint(received.blob)) === (await s.fingerprint(file)), entries, violations };
      });
      expect(result.same).to.equal(true);
      expect(result.entries, 'nothing written to disk').to.equal(0);
      expect(result.violations).to.deep.equal(['worker-src']);
    } finally {
      await page.close();
    }
  });
});
