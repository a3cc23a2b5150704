// The adaptation policy, sample by sample (no browser needed: it is plain logic over figures).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Adapter, grade } from '../../src/core/quality.js';

const sample = (availableKbps: number, lossPercent = 0, rttMs = 20) => ({ availableKbps, lossPercent, rttMs });
const run = (adapter: Adapter, samples: ReturnType<typeof sample>[]) => samples.map((s) => adapter.next(s));

describe('adaptation', () => {
  it('pauses video after two samples below the floor, and tries it again after five paused samples', () => {
    const a = new Adapter('auto', true);
    assert.deepEqual(run(a, [sample(100), sample(100)]), ['sd', 'paused']);
    assert.deepEqual(run(a, [sample(60), sample(60), sample(60), sample(60)]), ['paused', 'paused', 'paused', 'paused']);
    assert.equal(a.next(sample(60)), 'sd', 'a try after five paused samples');
  });

  it('waits twice as long after a try that did not hold, and resets once video holds', () => {
    const a = new Adapter('auto', false);
    run(a, [sample(100), sample(100)]);
    run(
      a,
      Array.from({ length: 5 }, () => sample(60)),
    ); // try
    // Right after the try a low estimate is expected (it climbs from the audio-only rate); heavy
    // loss is what shows the link still cannot carry video.
    assert.deepEqual(run(a, [sample(100), sample(100)]), ['sd', 'sd']);
    assert.deepEqual(run(a, [sample(100, 20), sample(100, 20)]), ['sd', 'paused']); // did not hold
    const waited = run(
      a,
      Array.from({ length: 10 }, () => sample(60)),
    );
    assert.deepEqual(waited.slice(0, 9), Array(9).fill('paused'));
    assert.equal(waited[9], 'sd');
  });

  it('does not judge during an outage (nothing arrives): the profile stays', () => {
    const a = new Adapter('auto', false);
    assert.deepEqual([a.next(sample(20), false), a.next(sample(20), false), a.next(sample(20), false)], ['sd', 'sd', 'sd']);
  });

  it('comes back at once when the estimate clearly recovers', () => {
    const a = new Adapter('auto', false);
    run(a, [sample(100), sample(100)]);
    assert.deepEqual(run(a, [sample(500), sample(500), sample(500)]), ['paused', 'paused', 'sd']);
  });

  it('tries HD after five good samples when the peer supports it, and keeps it while the estimate holds', () => {
    const a = new Adapter('auto', true);
    const profiles = run(
      a,
      Array.from({ length: 10 }, () => sample(3000)),
    );
    assert.equal(profiles[3], 'sd');
    assert.equal(profiles[4], 'hd');
    assert.equal(profiles[9], 'hd');
  });

  it('gives HD up when the estimate does not follow, and never tries without peer support or with sd', () => {
    const a = new Adapter('auto', true);
    run(
      a,
      Array.from({ length: 5 }, () => sample(900)),
    );
    assert.equal(a.profile, 'hd');
    assert.deepEqual(run(a, [sample(900), sample(900), sample(900), sample(900)]).at(-1), 'sd');
    for (const adapter of [new Adapter('auto', false), new Adapter('sd', true)]) {
      assert.ok(
        run(
          adapter,
          Array.from({ length: 20 }, () => sample(5000)),
        ).every((p) => p === 'sd'),
      );
    }
  });

  it('grades figures into levels', () => {
    assert.equal(grade({ lossPercent: 0, rttMs: 40, jitterMs: 5, availableKbps: 3000 }), 'good');
    assert.equal(grade({ lossPercent: 3, rttMs: 40 }), 'fair');
    assert.equal(grade({ lossPercent: 6 }), 'poor');
    assert.equal(grade({ availableKbps: 250 }), 'poor');
    assert.equal(grade({ rttMs: 300 }), 'fair');
  });
});
