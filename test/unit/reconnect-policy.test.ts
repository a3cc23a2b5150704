// When the session tries the signaling server again: a pure function of the attempt, whether media
// flows and the jitter draw.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { nextDelay, SIGNALING_BACKOFF_MS, SIGNALING_JITTER_MS, SIGNALING_MAX_ATTEMPTS } from '../../src/core/reconnect-policy.js';

const delays = (count: number, mediaFlows: boolean, random = 0) =>
  Array.from({ length: count }, (_, attempt) => nextDelay({ attempt, mediaFlows, random }));

describe('reconnect policy', () => {
  it('retries at once first, then backs off as LiveKit does, holding at 7 s', () => {
    assert.deepEqual(delays(8, false), [0, 300, 1200, 2700, 4800, 7000, 7000, 7000]);
  });

  it('adds up to a second of jitter to every retry but the first', () => {
    assert.equal(nextDelay({ attempt: 0, mediaFlows: false, random: 0.99 }), 0);
    assert.equal(nextDelay({ attempt: 1, mediaFlows: false, random: 0.5 }), 300 + 0.5 * SIGNALING_JITTER_MS);
    assert.equal(nextDelay({ attempt: 4, mediaFlows: false, random: 0.999 }), 4800 + 0.999 * SIGNALING_JITTER_MS);
  });

  it(`gives up after ${SIGNALING_MAX_ATTEMPTS} attempts while no media flows`, () => {
    const all = delays(SIGNALING_MAX_ATTEMPTS + 2, false);
    assert.ok(all.slice(0, SIGNALING_MAX_ATTEMPTS).every((d) => typeof d === 'number'));
    assert.deepEqual(all.slice(SIGNALING_MAX_ATTEMPTS), [null, null]);
    // About 50 s of trying in all (with the mean jitter).
    const total = all.slice(0, SIGNALING_MAX_ATTEMPTS).reduce<number>((sum, d) => sum + d!, 0) + (SIGNALING_MAX_ATTEMPTS - 1) * 500;
    assert.ok(total > 40_000 && total < 60_000, `${total} ms`);
  });

  it('keeps trying while media flows, at the longest delay', () => {
    const last = SIGNALING_BACKOFF_MS.at(-1)!;
    assert.equal(nextDelay({ attempt: SIGNALING_MAX_ATTEMPTS, mediaFlows: true, random: 0 }), last);
    assert.equal(nextDelay({ attempt: 500, mediaFlows: true, random: 0 }), last);
  });
});
