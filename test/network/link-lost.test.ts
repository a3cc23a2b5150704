// The patient's link goes away for longer than the server waits for an answer to its heartbeat, so
// signaling and the media path are lost together: the server drops the patient's socket. When the
// link returns, the patient must join again by itself, the doctor's side restart ICE through the
// server, and a file the patient was sending continue from the last verified block. Needs root;
// see docs/testing-networks.md.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Call, delay, eventually, joins } from './call.js';
import { skipUnlessReady } from './netns.js';

const skip = skipUnlessReady();
/** The server drops a socket that misses one pong: within 5 to 10 s of the link going. */
const HEARTBEAT_MS = 5_000;
const DOWN_MS = 16_000;
const MiB = 1024 * 1024;
const FILE_BYTES = 64 * MiB;

describe('the link down until the server drops the patient', { skip }, () => {
  let call: Call;
  before(async () => {
    call = await Call.start(['--heartbeat-ms', String(HEARTBEAT_MS)]);
  });
  after(async () => {
    await call?.close();
  });

  it('the patient joins again, the call returns, and a file in transit arrives whole', async () => {
    const { patient, doctor, net, server } = call;
    const joinsBefore = await joins(doctor);
    const statesBefore = [patient.states.length, doctor.states.length];
    const { hash, atDrop, downAt } = await call.dropLinkDuringFile(FILE_BYTES, 9);
    try {
      // The server gives up on the patient's socket (it says so in its log).
      await eventually(() => server.output.includes('heartbeat timeout'), 'the server dropped the patient', DOWN_MS, 250);
      await delay(DOWN_MS - (performance.now() - downAt));
    } finally {
      net.setLink('a', true);
    }
    await Promise.all([patient.untilState('connected', 30_000), doctor.untilState('connected', 30_000)]);
    await Promise.all([call.untilMediaFlows(patient, 15_000), call.untilMediaFlows(doctor, 15_000)]);
    // No offer is left waiting for an answer: an offer either side made while the other was away
    // has been rolled back or answered.
    for (const party of [patient, doctor]) {
      const diagnostics = (await party.diagnostics()) as { signalingState?: string } | null;
      assert.equal(diagnostics?.signalingState, 'stable', `${party.role}'s connection is still negotiating`);
    }

    assert.ok((await joins(doctor)) > joinsBefore, 'the patient joined the server again');
    const seen = [patient, doctor].map((party, k) => party.states.slice(statesBefore[k]).map((s) => s.value));
    for (const [k, party] of [patient, doctor].entries()) {
      assert.ok(!seen[k].includes('failed') && !seen[k].includes('ended'), `${party.role} went ${seen[k].join(' → ')}`);
    }

    assert.equal(await patient.fileSent(), 'sent');
    const after = await eventually(
      async () => {
        const f = await doctor.files();
        return f.received.length || f.errors.length ? f : undefined;
      },
      'the doctor has the file',
      60_000,
    );
    assert.deepEqual(after!.errors, []);
    assert.deepEqual(after!.received, [hash], 'the file arrived with the SHA-256 it was sent with');
    console.log(
      `# the file: ${(atDrop.bytes / MiB).toFixed(1)} of ${FILE_BYTES / MiB} MiB verified when the link went, whole after the patient joined again (patient: ${seen[0].join(' → ')}; doctor: ${seen[1].join(' → ')})`,
    );
  });
});
