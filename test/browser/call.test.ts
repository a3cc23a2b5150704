import { expect, fixture, html, oneEvent } from '@open-wc/testing';
import '../../src/index.js';
import { ConsultSession } from '../../src/index.js';
import type { VideoConsult } from '../../src/element/video-consult.js';
import { useConsults } from './consults.js';
import {
  createConsult,
  eventually,
  localVideo,
  received,
  remoteVideo,
  uniqueRoom,
  untilKnock,
  untilRemoteAudioFlows,
  untilRemoteVideoPlays,
  untilState,
} from './helpers.js';

const consults = useConsults();
const { elements } = consults;

const startCall = (extra: Record<string, unknown> = {}) => consults.startCall({ doctor: extra, patient: extra });

describe('<video-consult> element', () => {
  it('reflects its attributes and starts idle with a join button', async () => {
    const el = await fixture<VideoConsult>(
      html`<video-consult server="ws://localhost:1/signal" room="r1" consult-role="doctor" display-name="Dr. A"></video-consult>`,
    );
    expect(el.server).to.equal('ws://localhost:1/signal');
    expect(el.room).to.equal('r1');
    expect(el.consultRole).to.equal('doctor');
    expect(el.displayName).to.equal('Dr. A');
    expect(el.state).to.equal('idle');
    el.room = 'r2';
    await el.updateComplete;
    expect(el.getAttribute('room')).to.equal('r2');
    const join = el.shadowRoot!.querySelector('[part~="join-button"]') as HTMLButtonElement;
    expect(join.textContent).to.contain('Join');
    expect(join.closest('[hidden]')).to.equal(null);
  });

  it('takes the deprecated role="doctor" as consult-role and leaves the host no ARIA role', async () => {
    const el = await fixture<VideoConsult>(html`<video-consult role="doctor"></video-consult>`);
    expect(el.consultRole).to.equal('doctor');
    expect(el.getAttribute('consult-role')).to.equal('doctor');
    expect(el.hasAttribute('role')).to.equal(false);
    el.role = 'patient';
    await el.updateComplete;
    expect(el.consultRole).to.equal('patient');
    expect(el.hasAttribute('role')).to.equal(false);
  });

  it('never puts the token into the DOM', async () => {
    const el = await fixture<VideoConsult>(html`<video-consult token="from-an-attribute"></video-consult>`);
    expect(el.token).to.equal('');
    el.token = 'secret-token';
    await el.updateComplete;
    expect(el.outerHTML).not.to.contain('secret-token');
    expect(el.shadowRoot!.innerHTML).not.to.contain('secret-token');
  });

  it('speaks German when the page or the element says so', async () => {
    const el = await fixture<VideoConsult>(html`<video-consult lang="de"></video-consult>`);
    const join = el.shadowRoot!.querySelector('[part~="join-button"]')!;
    expect(join.textContent).to.contain('beitreten');
  });

  it('fails with missing-configuration when server, room or consult-role is missing', async () => {
    const el = await fixture<VideoConsult>(html`<video-consult></video-consult>`);
    const failed = oneEvent(el, 'vc-error');
    await el.join();
    expect((await failed).detail.code).to.equal('missing-configuration');
    expect(el.state).to.equal('failed');
    expect(el.shadowRoot!.textContent).to.contain('server, room and consult-role');
  });
});

describe('a call between two elements in one page', () => {
  it('the patient waits until the doctor admits, then both see and hear each other', async () => {
    const { doctor, patient } = await startCall();
    await Promise.all([untilRemoteVideoPlays(doctor), untilRemoteVideoPlays(patient)]);
    await Promise.all([untilRemoteAudioFlows(doctor), untilRemoteAudioFlows(patient)]);
    expect(remoteVideo(doctor).videoWidth).to.be.greaterThan(0);
    expect(remoteVideo(patient).videoWidth).to.be.greaterThan(0);
  });

  it('turning the camera off stops the track and the peer sees "camera off"; on again resumes video', async () => {
    const { doctor, patient } = await startCall();
    await untilRemoteVideoPlays(doctor);
    const track = patient.shadowRoot && (localVideo(patient).srcObject as MediaStream).getVideoTracks()[0];
    await patient.setCameraEnabled(false);
    expect(track!.readyState).to.equal('ended');
    expect(patient.cameraEnabled).to.equal(false);
    await eventually(() => doctor.shadowRoot!.textContent!.includes('Camera is off'), 'doctor shows camera off');
    // Frames stop, measured against the audio that keeps arriving meanwhile (~0.2 s of packets),
    // once the frames that were already in flight have played out.
    await untilRemoteAudioFlows(doctor);
    const frozen = (await received(doctor)).framesDecoded;
    await untilRemoteAudioFlows(doctor);
    expect((await received(doctor)).framesDecoded - frozen).to.be.lessThan(2);

    await patient.setCameraEnabled(true);
    expect(patient.cameraEnabled).to.equal(true);
    await untilRemoteVideoPlays(doctor);
    await eventually(() => !doctor.shadowRoot!.textContent!.includes('Camera is off'), 'doctor no longer shows camera off');
  });

  it('muting the microphone silences what the peer receives and shows it', async () => {
    const { doctor, patient } = await startCall();
    await untilRemoteAudioFlows(doctor);
    patient.setMicrophoneEnabled(false);
    expect(patient.microphoneEnabled).to.equal(false);
    await eventually(() => doctor.shadowRoot!.textContent!.includes('Microphone is muted'), 'doctor shows muted');
    // What was on its way and in the jitter buffer (longer on a busy machine) plays out; then
    // packets go on, carrying silence: over ten of them the received energy must stop growing.
    const silent = await eventually(async () => {
      const before = await received(doctor);
      await untilRemoteAudioFlows(doctor);
      const after = await received(doctor);
      return after.audioEnergy - before.audioEnergy < 1e-4 ? after : undefined;
    }, 'silence arrives');
    patient.setMicrophoneEnabled(true);
    await eventually(async () => (await received(doctor)).audioEnergy > silent!.audioEnergy + 1e-4, 'sound returns');
  });

  it('hanging up ends the call on both sides and leaves no live tracks or connections', async () => {
    const { doctor, patient } = await startCall();
    const localTracks = [doctor, patient].flatMap((el) => (localVideo(el).srcObject as MediaStream).getTracks());
    const ended = oneEvent(patient, 'vc-state-change');
    doctor.leave();
    expect(doctor.state).to.equal('ended');
    const change = await ended;
    expect(change.detail).to.include({ state: 'ended', reason: 'peer-hangup' });
    await doctor.updateComplete;
    await patient.updateComplete;
    expect(localTracks.every((t) => t.readyState === 'ended')).to.equal(true);
    expect(await doctor.getStats()).to.equal(undefined);
    expect(await patient.getStats()).to.equal(undefined);
    expect(localVideo(doctor).srcObject).to.equal(null);
    expect(patient.shadowRoot!.textContent).to.contain('The other person has left');
  });

  it('removing the element from the page hangs up', async () => {
    const { doctor, patient } = await startCall();
    const ended = untilState(doctor, 'ended');
    patient.remove();
    await ended;
  });

  it('a declined patient is told so', async () => {
    const room = uniqueRoom();
    const doctor = createConsult({ server: consults.signalUrl, room, consultRole: 'doctor' });
    const patient = createConsult({ server: consults.signalUrl, room, consultRole: 'patient' });
    elements.push(doctor, patient);
    await doctor.join();
    const knocked = untilKnock(doctor);
    await patient.join();
    await knocked;
    const ended = oneEvent(patient, 'vc-state-change');
    doctor.decline();
    expect((await ended).detail).to.include({ state: 'ended', reason: 'declined' });
    await patient.updateComplete;
    expect(patient.shadowRoot!.textContent).to.contain('could not see you now');
  });
});

describe('glare', () => {
  it('both sides negotiating at once still connect (perfect negotiation)', async () => {
    const room = uniqueRoom('glare');
    const doctor = new ConsultSession({ server: consults.signalUrl, room, role: 'doctor' });
    const patient = new ConsultSession({ server: consults.signalUrl, room, role: 'patient' });
    try {
      const connected = (s: ConsultSession) =>
        new Promise<void>((resolve) => {
          if (s.state === 'connected') resolve();
          const off = s.on('state', ({ state }) => state === 'connected' && (off(), resolve()));
        });
      await doctor.join();
      const knock = new Promise<void>((r) => doctor.on('knock', ({ waiting }) => waiting && r()));
      await patient.join();
      await knock;
      doctor.admit();
      await Promise.all([connected(doctor), connected(patient)]);
      const before = [doctor, patient].map((s) => s.peerConnection!.remoteDescription!.sdp);
      // Both start a new negotiation in the same task: two offers cross on the wire.
      doctor.peerConnection!.restartIce();
      patient.peerConnection!.restartIce();
      await eventually(
        () =>
          [doctor, patient].every((s, i) => s.peerConnection!.signalingState === 'stable' && s.peerConnection!.remoteDescription!.sdp !== before[i]),
        'both renegotiated',
      );
      await Promise.all([connected(doctor), connected(patient)]);
      expect(doctor.peerConnection!.connectionState).to.equal('connected');
      expect(patient.peerConnection!.connectionState).to.equal('connected');
    } finally {
      doctor.dispose();
      patient.dispose();
    }
  });
});

describe('a call between two pages in separate browser contexts', () => {
  it('connects through the server, with video and audio both ways', async () => {
    const { doctor, page: peer } = await consults.startCallWithPeerPage();
    try {
      await untilRemoteVideoPlays(doctor);
      await untilRemoteAudioFlows(doctor);
      const patientSees = await peer.run(async () => {
        const h = (window as any).helpers;
        const el = document.getElementById('patient') as VideoConsult;
        await h.untilState(el, 'connected');
        await h.untilRemoteAudioFlows(el);
        const stats = await h.received(el);
        return { framesDecoded: stats.framesDecoded, width: stats.frameWidth };
      });
      expect(patientSees.width).to.be.greaterThan(0);
      expect(patientSees.framesDecoded).to.be.greaterThan(0);
      const ended = untilState(doctor, 'ended');
      await peer.run(() => (document.getElementById('patient') as VideoConsult).leave());
      await ended;
    } finally {
      await peer.close();
    }
  });
});
