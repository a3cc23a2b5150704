// The file list's rows: from the offer to done (with a link for a received Blob) or failed, in
// either direction; final states stay final; links are revoked when a row goes.
import assert from 'node:assert/strict';
import { beforeEach, describe, it } from 'node:test';
import { FileRows, type ObjectUrls } from '../../src/core/file-rows.js';

const FILE = { id: 'f1', name: 'report.pdf', size: 1000, type: 'application/pdf' };

describe('file rows', () => {
  let made: string[];
  let revoked: string[];
  let rows: FileRows;
  beforeEach(() => {
    made = [];
    revoked = [];
    const urls: ObjectUrls = {
      create: () => {
        made.push(`blob:${made.length + 1}`);
        return made.at(-1)!;
      },
      revoke: (url) => void revoked.push(url),
    };
    rows = new FileRows(urls);
  });

  it('an offer is a new row, offered, with nothing moved', () => {
    const row = rows.offer(FILE, 'receive');
    assert.deepEqual(row, { ...FILE, direction: 'receive', bytes: 0, bytesPerSecond: 0, status: 'offered' });
    assert.deepEqual(rows.rows, [row]);
  });

  it('progress moves a row to transferring with bytes and rate', () => {
    rows.offer(FILE, 'send');
    rows.progress({ id: 'f1', bytes: 400, bytesPerSecond: 200 });
    assert.deepEqual(rows.get('f1'), { ...FILE, direction: 'send', bytes: 400, bytesPerSecond: 200, status: 'transferring' });
  });

  it('start moves only an offered row', () => {
    rows.offer(FILE, 'receive');
    rows.start('f1');
    assert.equal(rows.get('f1')!.status, 'transferring');
    rows.fail('f1', 'file-stalled');
    rows.start('f1');
    assert.equal(rows.get('f1')!.status, 'failed');
  });

  it('a received Blob gets a link when done; a sent file none', () => {
    rows.offer(FILE, 'receive');
    rows.offer({ ...FILE, id: 'f2' }, 'send');
    rows.done('f1', new Blob(['x']));
    rows.done('f2');
    assert.deepEqual(rows.get('f1'), { ...FILE, direction: 'receive', bytes: 1000, bytesPerSecond: 0, status: 'done', url: 'blob:1' });
    assert.equal(rows.get('f2')!.status, 'done');
    assert.equal(rows.get('f2')!.url, undefined);
  });

  it('done and failed are final', () => {
    rows.offer(FILE, 'receive');
    rows.done('f1', new Blob(['x']));
    rows.fail('f1', 'file-stalled');
    rows.progress({ id: 'f1', bytes: 1, bytesPerSecond: 1 });
    assert.equal(rows.get('f1')!.status, 'done');
    rows.offer({ ...FILE, id: 'f2' }, 'send');
    rows.fail('f2', 'file-declined');
    rows.done('f2');
    rows.progress({ id: 'f2', bytes: 1, bytesPerSecond: 1 });
    assert.deepEqual(rows.get('f2'), { ...FILE, id: 'f2', direction: 'send', bytes: 0, bytesPerSecond: 0, status: 'failed', code: 'file-declined' });
    assert.equal(made.length, 1);
  });

  it('events for unknown ids, or an error without an id, change nothing', () => {
    rows.offer(FILE, 'send');
    rows.progress({ id: 'nope', bytes: 1, bytesPerSecond: 1 });
    rows.done('nope', new Blob(['x']));
    rows.fail(undefined, 'file-failed');
    rows.fail('nope', 'file-failed');
    assert.equal(rows.rows.length, 1);
    assert.equal(rows.get('f1')!.status, 'offered');
    assert.deepEqual(made, []);
  });

  it('remove takes a row out and revokes its link', () => {
    rows.offer(FILE, 'receive');
    rows.done('f1', new Blob(['x']));
    rows.offer({ ...FILE, id: 'f2' }, 'send');
    rows.remove('f2');
    assert.deepEqual(revoked, []);
    rows.remove('f1');
    assert.deepEqual(revoked, ['blob:1']);
    assert.deepEqual(rows.rows, []);
  });

  it('clear empties the list and revokes every link', () => {
    for (const id of ['a', 'b', 'c']) {
      rows.offer({ ...FILE, id }, 'receive');
      rows.done(id, new Blob([id]));
    }
    rows.clear();
    assert.deepEqual(rows.rows, []);
    assert.deepEqual(revoked.sort(), ['blob:1', 'blob:2', 'blob:3']);
  });

  it('rows keep the order of their offers', () => {
    for (const id of ['c', 'a', 'b']) rows.offer({ ...FILE, id }, 'send');
    rows.progress({ id: 'a', bytes: 5, bytesPerSecond: 5 });
    assert.deepEqual(
      rows.rows.map((r) => r.id),
      ['c', 'a', 'b'],
    );
  });
});

describe('chat log', async () => {
  const { ChatLog } = await import('../../src/core/chat-log.js');
  const line = (id: string, from: 'local' | 'remote') => ({ id, text: id, from, sentAt: 0 });

  it('counts lines and offers from the other person while the chat is closed, and none while open', () => {
    const log = new ChatLog();
    log.add(line('1', 'remote'), false);
    log.add(line('2', 'local'), false);
    log.notice(false);
    assert.equal(log.unread, 2);
    log.add(line('3', 'remote'), true);
    log.notice(true);
    assert.equal(log.unread, 2);
    log.read();
    assert.equal(log.unread, 0);
    assert.deepEqual(
      log.entries.map((e) => e.id),
      ['1', '2', '3'],
    );
    log.clear();
    assert.deepEqual([log.entries.length, log.unread], [0, 0]);
  });
});
