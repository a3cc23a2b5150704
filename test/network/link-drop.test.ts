// The patient's link goes away for ten seconds (a Wi-Fi drop) and comes back, in the middle of a
// file the patient is sending: the call must return by itself and the file arrive whole. Needs
// root; see docs/testing-networks.md.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Call, delay, eventually } from './call.js';
import { skipUnlessReady } from './netns.js';

const skip = skipUnlessReady();
const DOWN_MS = 10_000;
const MiB = 1024 * 1024;
/** Large enough to be mid-way when the link goes (it moves at several MB/s here). */
const FILE_BYTES = 64 * MiB;

describe('the link down for 10 s', { skip }, () => {
  let call: Call;
  before(async () => {
    call = await Call.start();
  });
  after(async () => {
    await call?.close();
  });

  it('shows reconnecting, returns to the call without a click, and a file in transit arrives whole', async () => {
    const { patient, doctor, net } = call;
    const statesBefore = [patient.states.length, doctor.states.length];
    const { hash, atDrop, downAt } = await call.dropLinkDuringFile(FILE_BYTES, 7);
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

    assert.equal(await patient.fileSent(), 'sent');
    const after = await eventually(
      async () => {
        const f = await doctor.files();
        return f.received.length ? f : undefined;
      },
      'the doctor has the file',
      60_000,
    );
    assert.deepEqual(after!.received, [hash], 'the file arrived with the SHA-256 it was sent with');
    assert.deepEqual(after!.errors, []);
    console.log(
      `# the file: ${(atDrop.bytes / MiB).toFixed(1)} of ${FILE_BYTES / MiB} MiB verified when the link went, whole with a matching SHA-256 after it returned`,
    );
  });
});
