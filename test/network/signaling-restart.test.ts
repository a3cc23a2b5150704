// The signaling server is killed in the middle of a call and started again on the same address:
// the media must not notice, the clients must come back to the new server, and an ICE restart
// (which needs signaling) must still work afterwards. Needs root; see docs/testing-networks.md.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Call, delay, eventually, joins } from './call.js';
import { skipUnlessReady } from './netns.js';

const skip = skipUnlessReady();
const SERVER_DOWN_MS = 8_000;

describe('the signaling server killed and restarted mid-call', { skip }, () => {
  let call: Call;
  before(async () => {
    call = await Call.start();
  });
  after(async () => {
    await call?.close();
  });

  it('keeps the media flowing, rejoins both clients, and a later ICE restart recovers', async (t) => {
    const { patient, doctor, server, net } = call;
    const parties = [patient, doctor];

    await server.kill();
    const killedAt = performance.now();
    // Media goes peer to peer: frames keep being decoded on both sides, second after second.
    let previous = await Promise.all(parties.map((p) => p.sample()));
    while (performance.now() - killedAt < SERVER_DOWN_MS) {
      await delay(2_000);
      const now = await Promise.all(parties.map((p) => p.sample()));
      for (const [k, party] of parties.entries()) {
        const frames = now[k].framesDecoded - previous[k].framesDecoded;
        const packets = now[k].audioPacketsReceived - previous[k].audioPacketsReceived;
        assert.ok(frames > 5 && packets > 20, `${party.role} got ${frames} frames and ${packets} audio packets in 2 s without the server`);
      }
      previous = now;
    }

    await server.start();
    // Rejoined: the new process has both clients in a room again, and the call is on.
    await eventually(async () => (await joins(doctor)) >= 2, 'both clients joined the restarted server', 30_000, 500);
    await Promise.all([patient.untilState('connected', 10_000), doctor.untilState('connected', 10_000)]);
    await Promise.all([call.untilMediaFlows(patient, 10_000), call.untilMediaFlows(doctor, 10_000)]);

    // Now force an ICE restart: the patient's link goes away until the ICE restart has had time
    // to start (the session restarts ICE ~2.5 s after `disconnected`), then returns.
    const ufragsBefore = (await Promise.all(parties.map((p) => p.sample()))).map((s) => s.iceLocalUfrag);
    const downAt = performance.now();
    net.setLink('a', false);
    try {
      await Promise.all(parties.map((p) => p.untilState('reconnecting', 15_000)));
      await delay(4_000);
    } finally {
      net.setLink('a', true);
    }
    await Promise.all(parties.map((p) => p.untilState('connected', 20_000)));
    await Promise.all(parties.map((p) => call.untilMediaFlows(p, 15_000)));
    const ufragsAfter = (await Promise.all(parties.map((p) => p.sample()))).map((s) => s.iceLocalUfrag);
    if (ufragsBefore.every(Boolean)) {
      for (const [k, party] of parties.entries()) {
        assert.notEqual(ufragsAfter[k], ufragsBefore[k], `${party.role}'s ICE credentials did not change: no ICE restart happened`);
      }
    } else {
      t.diagnostic('this Chromium does not report iceLocalUsernameFragment; ICE restart inferred from recovery only');
    }
    t.diagnostic(`link down ${Math.round(performance.now() - downAt)} ms in all, recovered through the restarted server`);
  });
});
