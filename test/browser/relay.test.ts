import { expect } from '@open-wc/testing';
import { executeServerCommand } from '@web/test-runner-commands';
import '../../src/index.js';
import { ConsultSession } from '../../src/index.js';
import type { VideoConsult } from '../../src/element/video-consult.js';
import { startSignaling, stopSignaling } from './harness.js';
import { createConsult, eventually, uniqueRoom, untilKnock, untilRemoteVideoPlays, untilState } from './helpers.js';

interface Coturn {
  id: string;
  urls: { stun: string; udp: string; tcp: string; tls?: string };
  secret: string;
  iceServers: RTCIceServer[];
}

const startCoturn = async (payload: Record<string, unknown> = {}) => (await executeServerCommand('vc:coturn-start', payload)) as Coturn;
const stopCoturn = (id: string) => executeServerCommand('vc:coturn-stop', { id });

const elements: VideoConsult[] = [];
afterEach(() => {
  for (const el of elements.splice(0)) {
    el.leave();
    el.remove();
  }
});

describe('a call through the TURN relay (real coturn)', () => {
  it('with the relay forced, the call connects over a relayed path with the server-issued credentials', async () => {
    const turn = await startCoturn();
    // The signaling server hands out the TURN URLs with fresh REST credentials, as in production.
    const server = await startSignaling({ turn: { secret: turn.secret, urls: [turn.urls.udp, turn.urls.tcp] } });
    try {
      const room = uniqueRoom('relay');
      const doctor = createConsult({ server: server.signalUrl, room, consultRole: 'doctor', iceTransportPolicy: 'relay' });
      const patient = createConsult({ server: server.signalUrl, room, consultRole: 'patient', iceTransportPolicy: 'relay' });
      elements.push(doctor, patient);
      await doctor.join();
      const knocked = untilKnock(doctor);
      await patient.join();
      await knocked;
      doctor.admit();
      await Promise.all([untilState(doctor, 'connected'), untilState(patient, 'connected')]);
      await untilRemoteVideoPlays(doctor);
      for (const el of [doctor, patient]) {
        const info = await el.getSecurityInfo();
        expect(info!.path).to.equal('relayed');
        const types: string[] = [];
        (await el.getStats())?.forEach((s) => s.type === 'local-candidate' && types.push(s.candidateType));
        expect(types.length).to.be.greaterThan(0);
        expect(types.every((t) => t === 'relay')).to.equal(true);
      }
    } finally {
      await stopSignaling(server.id);
      await stopCoturn(turn.id);
    }
  });

  it('an expired TURN credential is refused (401) and the forced-relay call does not connect', async () => {
    // Credentials that expired a minute ago, for a real coturn.
    const expired = await startCoturn({ ttlSeconds: -60 });
    const server = await startSignaling();
    const room = uniqueRoom('expired');
    const options = { server: server.signalUrl, room, iceTransportPolicy: 'relay' as const, iceServers: expired.iceServers };
    const doctor = new ConsultSession({ ...options, role: 'doctor' });
    const patient = new ConsultSession({ ...options, role: 'patient' });
    const errors: number[] = [];
    const watch = (s: ConsultSession) =>
      s.on('state', ({ state }) => {
        if (state === 'connecting') {
          s.peerConnection!.addEventListener('icecandidateerror', (e) => errors.push((e as RTCPeerConnectionIceErrorEvent).errorCode));
        }
      });
    watch(doctor);
    watch(patient);
    try {
      await doctor.join();
      const knock = new Promise<void>((r) => doctor.on('knock', ({ waiting }) => waiting && r()));
      await patient.join();
      await knock;
      doctor.admit();
      await eventually(() => errors.includes(401), 'a 401 from coturn', 15_000);
      expect(doctor.peerConnection?.connectionState).not.to.equal('connected');
      expect(patient.peerConnection?.connectionState).not.to.equal('connected');
    } finally {
      doctor.dispose();
      patient.dispose();
      await stopSignaling(server.id);
      await stopCoturn(expired.id);
    }
  });
});
