// What the engine answers when the peer speaks of a transfer this side has ended or never had: the
// re-sync after a move to a new connection (no browser).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { PROTOCOL_VERSION, type FileTransferMessage } from '../../src/protocol/index.js';
import { OUTCOMES_REMEMBERED, Outcomes } from '../../src/file-transfer/outcomes.js';

const v = PROTOCOL_VERSION;
const offer = (id: string): FileTransferMessage => ({ v, type: 'file-offer', id, tag: 1, name: 'x', size: 1, mime: '', blockSize: 1024 });
const resync = (id: string): FileTransferMessage => ({ v, type: 'file-resync', id, epoch: 0 });
const accept = (id: string): FileTransferMessage => ({ v, type: 'file-accept', id });
const resume = (id: string): FileTransferMessage => ({ v, type: 'file-resume', id, next: 0, epoch: 1 });

describe('outcomes: answers to a re-sync', () => {
  it('confirms again a file received whole when the sender asks to resume it', () => {
    const o = new Outcomes();
    o.remember('a', 'complete');
    assert.deepEqual(o.answer(resync('a')), { type: 'file-complete', id: 'a' });
    assert.deepEqual(o.answer(resume('a')), { type: 'file-complete', id: 'a' });
    assert.equal(o.answer(offer('a')), undefined);
  });

  it('declines again an offer it declined or refused, and cancels again a transfer that failed', () => {
    const o = new Outcomes();
    o.remember('d', 'file-declined');
    o.remember('t', 'file-too-large');
    o.remember('c', 'file-cancelled');
    assert.deepEqual(o.answer(offer('d')), { type: 'file-decline', id: 'd', code: 'file-declined' });
    assert.deepEqual(o.answer(offer('t')), { type: 'file-decline', id: 't', code: 'file-too-large' });
    assert.deepEqual(o.answer(offer('c')), { type: 'file-cancel', id: 'c', code: 'file-cancelled' });
    assert.deepEqual(o.answer(accept('c')), { type: 'file-cancel', id: 'c', code: 'file-cancelled' });
  });

  it('tells a peer that speaks of a transfer it never had (a new page) that it is closed, but takes a new offer as new', () => {
    const o = new Outcomes();
    for (const m of [resync('n'), accept('n'), resume('n')]) assert.deepEqual(o.answer(m), { type: 'file-cancel', id: 'n', code: 'file-closed' });
    assert.equal(o.answer(offer('n')), undefined);
  });

  it('stays silent on late messages that need no answer', () => {
    const o = new Outcomes();
    o.remember('c', 'file-cancelled');
    const late: FileTransferMessage[] = [
      { v, type: 'file-ack', id: 'c', next: 3 },
      { v, type: 'file-cancel', id: 'c', code: 'file-cancelled' },
      { v, type: 'file-complete', id: 'c' },
      { v, type: 'file-end', id: 'c', blocks: 1, hash: '0'.repeat(64) },
    ];
    for (const m of late) assert.equal(o.answer(m), undefined, m.type);
  });

  it(`remembers the last ${OUTCOMES_REMEMBERED} transfers`, () => {
    const o = new Outcomes();
    for (let i = 0; i <= OUTCOMES_REMEMBERED; i++) o.remember(`t${i}`, 'file-declined');
    assert.equal(o.has('t0'), false);
    assert.equal(o.has('t1'), true);
    assert.equal(o.has(`t${OUTCOMES_REMEMBERED}`), true);
  });
});
