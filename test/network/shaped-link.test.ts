// A patient on a poor link: 300 kbit/s each way with 5 % random loss for a minute, then the
// limit lifted. Needs root; see docs/testing-networks.md.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Call, delay, eventually, sentVideoKbps } from './call.js';
import { skipUnlessReady } from './netns.js';
import type { Sample } from './party.js';

const skip = skipUnlessReady();
const CAP_KBIT = 300;
const LOSS_PERCENT = 5;
const SHAPED_MS = 60_000;
const WINDOW_MS = 5_000;
/** Time the sender's congestion control gets to settle under the cap before it is held to it. */
const SETTLE_MS = 15_000;

describe('a 300 kbit/s link with 5 % loss', { skip }, () => {
  let call: Call;
  before(async () => {
    call = await Call.start();
  });
  after(async () => {
    await call?.close();
  });

  it('keeps the call and its audio, sends video under the cap, says poor, and climbs back once lifted', async (t) => {
    const { patient, doctor, net } = call;
    const parties = [patient, doctor];
    net.shape('a', { rateKbit: CAP_KBIT, lossPercent: LOSS_PERCENT });
    const shapedAt = performance.now();
    const statesBefore = parties.map((p) => p.states.length);

    const windows: { from: Sample; to: Sample }[][] = [];
    let previous = await Promise.all(parties.map((p) => p.sample()));
    for (let i = 0; i < SHAPED_MS / WINDOW_MS; i++) {
      await delay(WINDOW_MS - (performance.now() - previous[0].at));
      const now = await Promise.all(parties.map((p) => p.sample()));
      windows.push(parties.map((_, k) => ({ from: previous[k], to: now[k] })));
      previous = now;
    }
    const report = windows
      .map(([p, d]) => {
        const t = Math.round((p.to.at - shapedAt) / 1000);
        return `${t}s: patient sends ${Math.round(sentVideoKbps(p.from, p.to))} kbit/s, hears ${p.to.audioPacketsReceived - p.from.audioPacketsReceived} pkts; doctor sends ${Math.round(sentVideoKbps(d.from, d.to))} kbit/s, hears ${d.to.audioPacketsReceived - d.from.audioPacketsReceived} pkts`;
      })
      .join('\n');

    for (const [k, party] of parties.entries()) {
      const left = party.states.slice(statesBefore[k]).map((s) => s.value);
      assert.deepEqual(left, [], `${party.role} left "connected" under the cap: ${left.join(' → ')}\n${report}`);
    }
    // Opus sends 50 packets a second; 5 % loss leaves about 237 in five seconds.
    for (const [i, window] of windows.entries()) {
      for (const [k, { from, to }] of window.entries()) {
        const packets = to.audioPacketsReceived - from.audioPacketsReceived;
        assert.ok(packets >= 150, `${parties[k].role} received only ${packets} audio packets in window ${i}\n${report}`);
      }
    }
    for (const window of windows.filter(([p]) => p.from.at - shapedAt >= SETTLE_MS)) {
      for (const [k, { from, to }] of window.entries()) {
        const kbps = sentVideoKbps(from, to);
        assert.ok(kbps < CAP_KBIT, `${parties[k].role} sent video at ${Math.round(kbps)} kbit/s over a ${CAP_KBIT} kbit/s link\n${report}`);
      }
    }
    // What the indicator showed once the sender had settled: poor for most of that time (a
    // momentary "fair" between two updates is not what the user sees).
    const settledAt = shapedAt + SETTLE_MS;
    const endAt = windows.at(-1)![0].to.at;
    for (const party of parties) {
      const shown = new Map<string, number>();
      let level = party.quality.filter((q) => q.at < settledAt).at(-1)?.value.level ?? 'none';
      let since = settledAt;
      for (const q of party.quality.filter((e) => e.at >= settledAt && e.at < endAt)) {
        shown.set(level, (shown.get(level) ?? 0) + q.at - since);
        level = q.value.level;
        since = q.at;
      }
      shown.set(level, (shown.get(level) ?? 0) + endAt - since);
      const share = (shown.get('poor') ?? 0) / (endAt - settledAt);
      const summary = [...shown].map(([l, ms]) => `${l} ${Math.round(ms / 1000)} s`).join(', ');
      assert.ok(share >= 0.5, `${party.role}'s indicator under the cap showed ${summary}: poor less than half the time`);
    }

    // Lifted: the sending bitrate grows past the cap again and the indicator improves.
    const cappedKbps = sentVideoKbps(windows.at(-1)![0].from, windows.at(-1)![0].to);
    net.shape('a', {});
    const improved = Promise.all(
      parties.map((p) => p.until<{ level: string }>('quality', (q) => q.level === 'good' || q.level === 'fair', 'the indicator improving', 45_000)),
    );
    let last = await patient.sample();
    const climbed = await eventually(
      async () => {
        const now = await patient.sample();
        const kbps = sentVideoKbps(last, now);
        last = now;
        return kbps > CAP_KBIT * 1.2 ? kbps : 0;
      },
      `patient's video bitrate above ${CAP_KBIT * 1.2} kbit/s once the cap is lifted (was ${Math.round(cappedKbps)})`,
      45_000,
      3_000,
    ).catch((err: Error) => {
      err.message += `\n${call.pageErrors()}`;
      throw err;
    });
    assert.ok(climbed > cappedKbps);
    t.diagnostic(`patient video ${Math.round(cappedKbps)} kbit/s at the end of the cap, ${Math.round(climbed)} kbit/s after it was lifted`);
    await improved;
    assert.equal(patient.state, 'connected');
    assert.equal(doctor.state, 'connected');
  });
});
