// The patient's link goes away for ten seconds (a Wi-Fi drop) and comes back: the call must
// return by itself. Needs root; see docs/testing-networks.md.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Call, delay } from './call.js';
import { skipUnlessReady } from './netns.js';

const skip = skipUnlessReady();
const DOWN_MS = 10_000;

describe('the link down for 10 s', { skip }, () => {
  let call: Call;
  before(async () => {
    call = await Call.start();
  });
  after(async () => {
    await call?.close();
  });

  it('shows reconnecting, then returns to the call without a click', async () => {
    const { patient, doctor, net } = call;
    const statesBefore = [patient.states.length, doctor.states.length];
    net.setLink('a', false);
    const downAt = performance.now();
    try {
      // Both sides stop hearing each other: each must say so while the link is down.
      await Promise.all([patient.untilState('reconnecting', DOWN_MS), doctor.untilState('reconnecting', DOWN_MS)]);
      await delay(DOWN_MS - (performance.now() - downAt));
    } finally {
      net.setLink('a', true);
    }
    const upAt = performance.now();
    await Promise.all([patient.untilState('connected', 20_000), doctor.untilState('connected', 20_000)]);
    await Promise.all([call.untilMediaFlows(patient, 15_000), call.untilMediaFlows(doctor, 15_000)]);
    const recoveredMs = performance.now() - upAt;

    for (const [k, party] of [patient, doctor].entries()) {
      const seen = party.states.slice(statesBefore[k]).map((s) => s.value);
      assert.ok(!seen.includes('failed') && !seen.includes('ended'), `${party.role} went ${seen.join(' → ')}`);
      assert.equal(party.state, 'connected');
    }
    console.log(`# media flowing both ways ${Math.round(recoveredMs)} ms after the link returned`);
  });
});
