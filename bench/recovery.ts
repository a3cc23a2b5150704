/**
 * `npm run bench:recovery`: how fast a call comes back after its link drops, and how fast the
 * sender adapts to a link that suddenly gets slow. Needs root (network namespaces); uses the
 * harness of test/network (see docs/testing-networks.md).
 *
 * A doctor and a patient in headless Chromium, each in its own network namespace, call through the
 * real signaling server (dist/) on a bridge in a third. Then:
 *
 * - recovery, --drops N (default 5) times: the patient's link goes down for --down-ms (default
 *   5000) and comes back; the time runs from the link returning to both sides decoding new remote
 *   video frames (inbound-rtp framesDecoded advancing, polled every 50 ms). A drop that does not
 *   recover within 30 s counts as 30000 ms.
 * - adaptation, --adapts M (default 3) times: once the patient sends video above 300 kbit/s, a
 *   300 kbit/s cap goes on both directions of its link; the time runs to the first 1-second window
 *   in which its outbound video payload (bytesSent) is under the cap. At most 60 s.
 *
 * Last line: {"bench":"recovery","medianRecoveryMs":A,"worstRecoveryMs":B,"medianAdaptMs":C}
 */
import { Call, delay, median, sentVideoKbps } from '../test/network/call.js';
import { missingPrerequisites } from '../test/network/netns.js';
import type { Party, Sample } from '../test/network/party.js';

const CAP_KBIT = 300;
const RECOVERY_LIMIT_MS = 30_000;
const ADAPT_LIMIT_MS = 60_000;

function option(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  const value = i < 0 ? fallback : Number(process.argv[i + 1]);
  if (!Number.isFinite(value) || value <= 0) throw new Error(`--${name} needs a positive number`);
  return value;
}

/** Ms from now until `party` decodes a frame it had not decoded at `baseline`, or the limit. */
async function untilFramesAdvance(party: Party, baseline: Sample, startedAt: number): Promise<number> {
  while (performance.now() - startedAt < RECOVERY_LIMIT_MS) {
    const now = await party.sample();
    if (now.framesDecoded > baseline.framesDecoded) return now.at - startedAt;
    await delay(50);
  }
  return RECOVERY_LIMIT_MS;
}

async function measureDrop(call: Call, downMs: number): Promise<number> {
  const parties = [call.patient, call.doctor];
  call.net.setLink('a', false);
  try {
    await delay(downMs);
  } finally {
    call.net.setLink('a', true);
  }
  const upAt = performance.now();
  // Frames decoded up to the moment the link returns; anything after is media flowing again.
  const baselines = await Promise.all(parties.map((p) => p.sample()));
  const times = await Promise.all(parties.map((p, k) => untilFramesAdvance(p, baselines[k], upAt)));
  return Math.max(...times);
}

/** Waits (at most 30 s) until the patient's video runs above the cap, so that the cap has something to bite. */
async function untilAboveCap(patient: Party): Promise<boolean> {
  let last = await patient.sample();
  const started = performance.now();
  while (performance.now() - started < 30_000) {
    await delay(1_000);
    const now = await patient.sample();
    if (sentVideoKbps(last, now) > CAP_KBIT * 1.2) return true;
    last = now;
  }
  return false;
}

async function measureAdapt(call: Call): Promise<number> {
  call.net.shape('a', { rateKbit: CAP_KBIT });
  const cappedAt = performance.now();
  try {
    // A rolling one-second window, moved every 250 ms.
    const window: Sample[] = [await call.patient.sample()];
    while (performance.now() - cappedAt < ADAPT_LIMIT_MS) {
      await delay(250);
      const now = await call.patient.sample();
      window.push(now);
      while (window.length > 1 && now.at - window[1].at >= 1_000) window.shift();
      if (now.at - window[0].at >= 1_000 && window[0].at >= cappedAt && sentVideoKbps(window[0], now) < CAP_KBIT) return now.at - cappedAt;
    }
    return ADAPT_LIMIT_MS;
  } finally {
    call.net.shape('a', {});
  }
}

async function main() {
  const drops = option('drops', 5);
  const downMs = option('down-ms', 5_000);
  const adapts = option('adapts', 3);
  const missing = missingPrerequisites();
  if (missing.length) throw new Error(`bench:recovery needs: ${missing.join('; ')}`);

  const call = await Call.start();
  try {
    const recoveries: number[] = [];
    for (let i = 0; i < drops; i++) {
      const ms = await measureDrop(call, downMs);
      recoveries.push(ms);
      console.log(`drop ${i + 1}/${drops}: link down ${downMs} ms, media flowing again ${Math.round(ms)} ms after it returned`);
      // Settle before the next drop: both sides in the call with media both ways.
      await Promise.all([call.patient.untilState('connected', 30_000), call.doctor.untilState('connected', 30_000)]);
      await Promise.all([call.untilMediaFlows(call.patient, 20_000), call.untilMediaFlows(call.doctor, 20_000)]);
    }
    const adaptations: number[] = [];
    for (let i = 0; i < adapts; i++) {
      if (!(await untilAboveCap(call.patient))) {
        console.log(`adapt ${i + 1}/${adapts}: the patient never sent above ${CAP_KBIT * 1.2} kbit/s unshaped; not counted`);
        continue;
      }
      const ms = await measureAdapt(call);
      adaptations.push(ms);
      console.log(`adapt ${i + 1}/${adapts}: video under ${CAP_KBIT} kbit/s ${Math.round(ms)} ms after the cap`);
    }
    if (adaptations.length === 0) throw new Error('no adaptation could be measured');
    console.log(
      JSON.stringify({
        bench: 'recovery',
        medianRecoveryMs: Math.round(median(recoveries)),
        worstRecoveryMs: Math.round(Math.max(...recoveries)),
        medianAdaptMs: Math.round(median(adaptations)),
      }),
    );
  } finally {
    await call.close();
  }
}

// Bounded as a whole, whatever the element does: the finally above removes the namespaces.
const deadline = setTimeout(() => {
  console.error('bench:recovery: gave up after 10 minutes');
  process.exit(1);
}, 600_000);
deadline.unref();

main().then(
  () => process.exit(0),
  (error) => {
    console.error(error instanceof Error ? (error.stack ?? error.message) : error);
    process.exit(1);
  },
);
