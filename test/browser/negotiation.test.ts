// The negotiator between two real RTCPeerConnections in one page, over a wire that can reorder.
import { expect } from '@open-wc/testing';
import { PerfectNegotiator } from '../../src/core/negotiation.js';
import type { Candidate, Description } from '../../src/protocol/index.js';

interface Side {
  pc: RTCPeerConnection;
  negotiator: PerfectNegotiator;
  errors: unknown[];
}

const gathered = (pc: RTCPeerConnection) =>
  pc.iceGatheringState === 'complete'
    ? Promise.resolve()
    : new Promise<void>((resolve) => pc.addEventListener('icegatheringstatechange', () => pc.iceGatheringState === 'complete' && resolve()));

const connected = (pc: RTCPeerConnection) =>
  new Promise<void>((resolve, reject) => {
    const check = () => {
      if (pc.connectionState === 'connected') resolve();
      if (pc.connectionState === 'failed') reject(new Error('connection failed'));
    };
    pc.addEventListener('connectionstatechange', check);
    check();
  });

/**
 * Two sides whose wire delivers every candidate at once but holds each description until its
 * sender has gathered all its candidates: every candidate reaches the other side before the
 * description it belongs to. The descriptions carry no candidates (taken before gathering).
 */
function pairWithCandidatesFirst(): { doctor: Side; patient: Side; sent: Description[]; close(): void } {
  const sent: Description[] = [];
  const make = (polite: boolean, deliver: () => Side) => {
    const pc = new RTCPeerConnection();
    const errors: unknown[] = [];
    const negotiator = new PerfectNegotiator(pc, polite, {
      sendDescription: (description: Description) => {
        sent.push(description);
        void gathered(pc).then(() => deliver().negotiator.receiveDescription(description));
      },
      sendCandidate: (candidate: Candidate) => void deliver().negotiator.receiveCandidate(candidate),
      onError: (error) => errors.push(error),
    });
    return { pc, negotiator, errors };
  };
  const doctor: Side = make(false, () => patient);
  const patient: Side = make(true, () => doctor);
  return {
    doctor,
    patient,
    sent,
    close() {
      for (const side of [doctor, patient]) {
        side.negotiator.close();
        side.pc.close();
      }
    },
  };
}

describe('negotiation', () => {
  it('holds candidates that arrive before their description and applies them after it, with no error', async () => {
    const { doctor, patient, sent, close } = pairWithCandidatesFirst();
    try {
      doctor.pc.createDataChannel('probe');
      await Promise.all([connected(doctor.pc), connected(patient.pc)]);
      expect(patient.errors.map(String)).to.deep.equal([]);
      expect(doctor.errors.map(String)).to.deep.equal([]);
      // The connection came from the held candidates: the descriptions carried none.
      expect(sent.map((d) => d.type)).to.deep.equal(['offer', 'answer']);
      expect(sent.filter((d) => d.sdp!.includes('a=candidate'))).to.deep.equal([]);
    } finally {
      close();
    }
  });
});
