// The stall watch as a pure function: what it decides at each moment, with no timers, channels or
// browser. Times are in milliseconds on one made-up clock.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MAX_STALLS, UNANSWERED_STALLS, stallVerdict, type StallState } from '../../src/file-transfer/stall.js';

const STALL_MS = 1000;

/** A quiet moment: connection up, nothing queued, nothing watched. */
const state = (over: Partial<StallState> = {}): StallState => ({
  stallMs: STALL_MS,
  connected: true,
  rxPending: 0,
  quietSince: 0,
  closing: [],
  sending: [],
  receiving: [],
  busy: false,
  ...over,
});

describe('stall watch: receiving', () => {
  it('asks again once data paused for stallMs while it could flow, and starts a new pause', () => {
    const s = state({ receiving: [{ id: 'r', stalls: 0 }] });
    assert.deepEqual(stallVerdict(STALL_MS - 1, s).askAgain, []);
    const v = stallVerdict(STALL_MS, s);
    assert.deepEqual(v.askAgain, ['r']);
    assert.equal(v.quietSince, STALL_MS);
    assert.deepEqual(v.fail, []);
    assert.equal(v.stop, false);
  });

  it('does not count a pause while the connection is down or blocks wait to be written', () => {
    for (const over of [{ connected: false }, { rxPending: 3 }]) {
      const v = stallVerdict(10 * STALL_MS, state({ receiving: [{ id: 'r', stalls: 0 }], ...over }));
      assert.deepEqual(v.askAgain, [], JSON.stringify(over));
      assert.equal(v.quietSince, 10 * STALL_MS, 'the pause starts again from now');
    }
  });

  it(`fails with file-stalled after ${MAX_STALLS} pauses in a row`, () => {
    const asked = stallVerdict(STALL_MS, state({ receiving: [{ id: 'r', stalls: MAX_STALLS - 1 }] }));
    assert.deepEqual([asked.askAgain, asked.fail], [['r'], []]);
    const failed = stallVerdict(STALL_MS, state({ receiving: [{ id: 'r', stalls: MAX_STALLS }] }));
    assert.deepEqual(failed.askAgain, []);
    assert.deepEqual(
      failed.fail.map((f) => [f.id, f.code]),
      [['r', 'file-stalled']],
    );
    assert.match(failed.fail[0]!.message, /no data for 12 s/);
  });

  it('ends a write that never finishes after 12 × stallMs, and a close as long', () => {
    const limit = MAX_STALLS * STALL_MS;
    const writing = state({ writing: { id: 'w', since: 0 }, closing: [{ id: 'c', since: 0 }], rxPending: 1 });
    assert.deepEqual(stallVerdict(limit, writing).fail, []);
    assert.deepEqual(
      stallVerdict(limit + 1, writing).fail.map((f) => [f.id, f.code]),
      [
        ['w', 'file-write-failed'],
        ['c', 'file-write-failed'],
      ],
    );
  });
});

describe('stall watch: sending', () => {
  const waiting = (unansweredSince?: number) => ({ id: 's', waitsOnReceiver: true, ...(unansweredSince === undefined ? {} : { unansweredSince }) });

  it('starts counting the silence when the sender begins to wait on the receiver', () => {
    const v = stallVerdict(500, state({ sending: [waiting()] }));
    assert.deepEqual(v.unanswered, [{ id: 's', since: 500 }]);
    assert.deepEqual(v.fail, []);
  });

  it(`fails a file with file-stalled after ${UNANSWERED_STALLS} × stallMs without a word, not before`, () => {
    const limit = UNANSWERED_STALLS * STALL_MS;
    assert.deepEqual(stallVerdict(limit, state({ sending: [waiting(0)] })).fail, []);
    const v = stallVerdict(limit + 1, state({ sending: [waiting(0)] }));
    assert.deepEqual(
      v.fail.map((f) => [f.id, f.code]),
      [['s', 'file-stalled']],
    );
    assert.match(v.fail[0]!.message, /has not answered for 14 s/);
  });

  it('forgets the silence while the connection is down or the sender waits on nobody', () => {
    for (const s of [
      state({ connected: false, sending: [waiting(0)] }),
      state({ sending: [{ id: 's', waitsOnReceiver: false, unansweredSince: 0 }] }),
    ]) {
      const v = stallVerdict(100 * STALL_MS, s);
      assert.deepEqual(v.unanswered, [{ id: 's', since: undefined }]);
      assert.deepEqual(v.fail, []);
    }
  });
});

describe('stall watch: when to stop', () => {
  it('stops when nothing is left to watch', () => {
    assert.equal(stallVerdict(STALL_MS, state()).stop, true);
  });

  it('goes on while anything is watched, or a re-sync is due', () => {
    const cases: Array<Partial<StallState>> = [
      { receiving: [{ id: 'r', stalls: 0 }] },
      { writing: { id: 'w', since: 0 } },
      { closing: [{ id: 'c', since: 0 }] },
      { sending: [{ id: 's', waitsOnReceiver: false }] },
      { busy: true },
    ];
    for (const over of cases) assert.equal(stallVerdict(1, state(over)).stop, false, JSON.stringify(over));
  });

  it('stops once the only transfer watched is failed now', () => {
    const v = stallVerdict(MAX_STALLS * STALL_MS + 1, state({ closing: [{ id: 'c', since: 0 }] }));
    assert.deepEqual([v.fail.length, v.stop], [1, true]);
  });
});
