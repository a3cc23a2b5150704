// Interop of device switching: a doctor session in this Chromium page, a patient session in a page
// of Firefox ESR, through the real signaling server. Chromium switches its camera and microphone
// with replaceTrack; Firefox must go on decoding what arrives. Firefox's own fake capture offers
// one camera and one microphone, so Firefox opens its camera again (selectDevice with its own id)
// and Chromium must go on decoding.
import { expect } from '@open-wc/testing';
import { ConsultSession } from '../../src/core/session.js';
import { openPeerPage, type PeerPage, signaling } from './harness.js';
import { eventually, uniqueRoom } from './helpers.js';

/** What a connection receives: decoded video frames and audio packets. */
async function inbound(pc: RTCPeerConnection) {
  const out = { framesDecoded: 0, audioPackets: 0 };
  (await pc.getStats()).forEach((r: Record<string, number | string>) => {
    if (r.type !== 'inbound-rtp') return;
    if (r.kind === 'video') out.framesDecoded += Number(r.framesDecoded ?? 0);
    if (r.kind === 'audio') out.audioPackets += Number(r.packetsReceived ?? 0);
  });
  return out;
}

describe('switching devices with Firefox on the other side', () => {
  let doctor: ConsultSession;
  let firefox: PeerPage;
  let player: HTMLVideoElement;

  /** Resolves once Firefox's decoded frames and audio packets have moved on from where they are now. */
  const firefoxKeepsReceiving = () =>
    firefox.runLong(async () => {
      const s = (window as any).patient as ConsultSession;
      const count = async () => {
        const out = { frames: 0, packets: 0 };
        (await s.peerConnection!.getStats()).forEach((r: any) => {
          if (r.type === 'inbound-rtp' && r.kind === 'video') out.frames += r.framesDecoded ?? 0;
          if (r.type === 'inbound-rtp' && r.kind === 'audio') out.packets += r.packetsReceived ?? 0;
        });
        return out;
      };
      const first = await count();
      await (window as any).helpers.eventually(async () => {
        const now = await count();
        return now.frames > first.frames + 10 && now.packets > first.packets + 10;
      }, 'Firefox decodes new frames and receives audio');
      return true;
    });

  before(async () => {
    const { signalUrl } = await signaling();
    const room = uniqueRoom('devices-firefox');
    doctor = new ConsultSession({ server: signalUrl, room, role: 'doctor' });
    await doctor.join();
    const knocked = new Promise<void>((r) => doctor.on('knock', ({ waiting }) => waiting && r()));
    firefox = await openPeerPage({ browser: 'firefox' });
    await firefox.run(
      async (server: string, r: string) => {
        const w = window as any;
        const s = new w.vc.ConsultSession({ server, room: r, role: 'patient' });
        w.patient = s;
        await s.join();
      },
      signalUrl,
      room,
    );
    await knocked;
    doctor.admit();
    await eventually(() => doctor.state === 'connected', 'Chromium connected', 60_000);
    await firefox.runLong(async () => {
      const w = window as any;
      const s = w.patient as ConsultSession;
      await w.helpers.eventually(() => s.state === 'connected', 'Firefox connected', 60_000);
      const video = document.createElement('video');
      video.srcObject = s.remoteStream!;
      document.body.append(video);
      await video.play().catch(() => {});
    });
    player = document.createElement('video');
    player.srcObject = doctor.remoteStream!;
    document.body.append(player);
    await player.play().catch(() => {});
    // The depth camera fake_device_1 gives no frames in Chromium (see devices.test.ts).
    await eventually(() => doctor.devices.cameras.length >= 2, 'Chromium lists its cameras');
  });

  after(async () => {
    doctor?.dispose();
    player?.remove();
    await firefox?.close();
  });

  it('Firefox keeps receiving after Chromium switches camera and microphone', async () => {
    await firefoxKeepsReceiving();
    const camera = doctor.devices.cameras.find((c) => c.label === 'fake_device_2')!;
    const microphone = doctor.devices.microphones.find((m) => m.id !== 'default' && m.id !== doctor.devices.microphone)!;
    const sdp = doctor.peerConnection!.localDescription!.sdp;
    await doctor.selectDevice('camera', camera.id);
    await doctor.selectDevice('microphone', microphone.id);
    expect(doctor.localStream!.getVideoTracks()[0]!.getSettings().deviceId).to.equal(camera.id);
    expect(doctor.localStream!.getAudioTracks()[0]!.getSettings().deviceId).to.equal(microphone.id);
    await firefoxKeepsReceiving();
    expect(doctor.peerConnection!.localDescription!.sdp).to.equal(sdp);
  });

  it('Chromium keeps receiving after Firefox opens its camera again', async () => {
    const switched = await firefox.runLong(async () => {
      const s = (window as any).patient as ConsultSession;
      await (window as any).helpers.eventually(() => s.devices.cameras.length > 0, 'Firefox lists its cameras');
      const before = s.localStream!.getVideoTracks()[0]!;
      const other = s.devices.cameras.find((c) => c.id !== s.devices.camera) ?? s.devices.cameras[0]!;
      await s.selectDevice('camera', other.id);
      const after = s.localStream!.getVideoTracks()[0]!;
      return { cameras: s.devices.cameras.length, replaced: after !== before && before.readyState === 'ended', live: after.readyState === 'live' };
    });
    expect(switched.replaced).to.equal(true);
    expect(switched.live).to.equal(true);
    const first = (await inbound(doctor.peerConnection!)).framesDecoded;
    await eventually(async () => (await inbound(doctor.peerConnection!)).framesDecoded > first + 10, 'Chromium decodes new frames');
  });
});
