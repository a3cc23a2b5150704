import { expect, oneEvent } from '@open-wc/testing';
import '../../src/index.js';
import { openPeerPage, type PeerBrowser, type PeerPage } from './harness.js';
import { useConsults } from './consults.js';
import { createConsult, uniqueRoom, untilKnock, untilRemoteAudioFlows, untilState } from './helpers.js';

const consults = useConsults();
const { elements } = consults;
let pageOrigin: string;
before(() => {
  pageOrigin = location.origin;
});

/**
 * Replaces getUserMedia so that asking for a camera fails as a real device would (missing, or held
 * by another program); the microphone still comes from Chromium's fake device.
 */
function failCamera(name: 'NotFoundError' | 'NotReadableError'): () => void {
  const devices = navigator.mediaDevices;
  const original = devices.getUserMedia;
  devices.getUserMedia = (constraints?: MediaStreamConstraints) =>
    constraints?.video ? Promise.reject(new DOMException('camera unavailable', name)) : original.call(devices, constraints);
  return () => {
    devices.getUserMedia = original;
  };
}

/** Joins in a page of its own and answers the `vc-error` codes and the final state the element showed. */
async function joinInPeer(page: PeerPage, server: string, before = '') {
  return page.run(
    async (s: string, room: string, script: string) => {
      if (script) new Function(script)();
      const el = document.createElement('video-consult');
      const codes: string[] = [];
      el.addEventListener('vc-error', (e) => codes.push(e.detail.code));
      Object.assign(el, { server: s, room, consultRole: 'patient' });
      document.body.append(el);
      await el.join();
      await el.updateComplete;
      return { codes, state: el.state, text: el.shadowRoot!.textContent!.replace(/\s+/g, ' ') };
    },
    server,
    uniqueRoom('err'),
    before,
  );
}

async function inPeer(browser: PeerBrowser, origin?: string) {
  return openPeerPage({ browser, ...(origin ? { origin } : {}) });
}

describe('media errors', () => {
  it('permission denied by the browser: fails with permission-denied and says how to allow it', async () => {
    const page = await inPeer('deny-media');
    try {
      const result = await joinInPeer(page, consults.signalUrl);
      expect(result.codes).to.deep.equal(['permission-denied']);
      expect(result.state).to.equal('failed');
      expect(result.text).to.contain('Camera and microphone are blocked');
      expect(result.text).to.contain('allow camera and microphone');
    } finally {
      await page.close();
    }
  });

  it('no camera and no microphone at all: fails with no-devices', async () => {
    const page = await inPeer('no-devices');
    try {
      const result = await joinInPeer(page, consults.signalUrl);
      expect(result.codes).to.deep.equal(['no-devices']);
      expect(result.state).to.equal('failed');
      expect(result.text).to.contain('No camera or microphone was found');
    } finally {
      await page.close();
    }
  });

  it('no camera: warns no-camera and goes on with audio only, and the call still connects', async () => {
    const restore = failCamera('NotFoundError');
    try {
      const room = uniqueRoom();
      const doctor = createConsult({ server: consults.signalUrl, room, consultRole: 'doctor' });
      const patient = createConsult({ server: consults.signalUrl, room, consultRole: 'patient' });
      elements.push(doctor, patient);
      await doctor.join();
      const knocked = untilKnock(doctor);
      const warned = oneEvent(patient, 'vc-error');
      await patient.join();
      expect((await warned).detail).to.include({ code: 'no-camera', fatal: false });
      expect(patient.state).to.equal('waiting');
      expect(patient.cameraEnabled).to.equal(false);
      await patient.updateComplete;
      expect(patient.shadowRoot!.querySelector('[data-code="no-camera"]')!.textContent).to.contain('sound only');
      await knocked;
      doctor.admit();
      await untilState(doctor, 'connected');
      await untilRemoteAudioFlows(doctor);
    } finally {
      restore();
    }
  });

  it('camera busy: warns camera-busy with the remedy and goes on with audio only', async () => {
    const restore = failCamera('NotReadableError');
    try {
      const patient = createConsult({ server: consults.signalUrl, room: uniqueRoom(), consultRole: 'patient' });
      elements.push(patient);
      const warned = oneEvent(patient, 'vc-error');
      await patient.join();
      expect((await warned).detail).to.include({ code: 'camera-busy', fatal: false });
      expect(patient.state).to.equal('waiting');
      await patient.updateComplete;
      expect(patient.shadowRoot!.querySelector('[data-code="camera-busy"]')!.textContent).to.contain('Close other video programs');
    } finally {
      restore();
    }
  });

  it('no microphone: warns no-microphone and goes on with video only', async () => {
    const devices = navigator.mediaDevices;
    const original = devices.getUserMedia;
    devices.getUserMedia = (c?: MediaStreamConstraints) =>
      c?.audio ? Promise.reject(new DOMException('no mic', 'NotFoundError')) : original.call(devices, c);
    try {
      const patient = createConsult({ server: consults.signalUrl, room: uniqueRoom(), consultRole: 'patient' });
      elements.push(patient);
      const warned = oneEvent(patient, 'vc-error');
      await patient.join();
      expect((await warned).detail).to.include({ code: 'no-microphone', fatal: false });
      expect(patient.cameraEnabled).to.equal(true);
      expect(patient.microphoneEnabled).to.equal(false);
    } finally {
      devices.getUserMedia = original;
    }
  });

  it('a page that is not a secure context: fails with insecure-context', async () => {
    // insecure.test resolves to 127.0.0.1 (see the runner's --host-resolver-rules) but, unlike
    // localhost, is not a secure origin, so the browser hides camera and WebRTC APIs.
    const insecureOrigin = pageOrigin.replace(/\/\/[^:/]+/, '//insecure.test');
    const page = await inPeer('default', insecureOrigin);
    try {
      const result = await joinInPeer(page, consults.signalUrl);
      expect(result.codes).to.deep.equal(['insecure-context']);
      expect(result.text).to.contain('https://');
    } finally {
      await page.close();
    }
  });

  it('a browser without WebRTC: fails with webrtc-unsupported', async () => {
    const page = await inPeer('default');
    try {
      const result = await joinInPeer(page, consults.signalUrl, 'delete window.RTCPeerConnection;');
      expect(result.codes).to.deep.equal(['webrtc-unsupported']);
      expect(result.text).to.contain('cannot make video calls');
    } finally {
      await page.close();
    }
  });
});

describe('signaling errors', () => {
  it('an unreachable server: fails with signaling-unreachable', async () => {
    const el = createConsult({ server: 'ws://127.0.0.1:9/signal', room: uniqueRoom(), consultRole: 'patient' });
    elements.push(el);
    const failed = untilState(el, 'failed').catch(() => {});
    await el.join();
    await failed;
    expect(el.errorCode).to.equal('signaling-unreachable');
  });

  it('a third participant in a role already taken: fails with room-full', async () => {
    const room = uniqueRoom();
    const first = createConsult({ server: consults.signalUrl, room, consultRole: 'doctor' });
    const second = createConsult({ server: consults.signalUrl, room, consultRole: 'doctor' });
    elements.push(first, second);
    await first.join();
    await untilState(first, 'waiting');
    const error = oneEvent(second, 'vc-error');
    await second.join();
    expect((await error).detail).to.include({ code: 'room-full', fatal: true });
    expect(first.state).to.equal('waiting');
  });

  it('a room id the server refuses: fails with invalid-room, though the server keeps the socket open', async () => {
    const el = createConsult({ server: consults.signalUrl, room: '../not a room', consultRole: 'patient' });
    elements.push(el);
    const error = oneEvent(el, 'vc-error');
    const failed = untilState(el, 'failed').catch(() => {});
    await el.join();
    await failed;
    expect((await error).detail).to.include({ code: 'invalid-room', fatal: true });
    expect(el.errorCode).to.equal('invalid-room');
  });
});
