// A person who allows the microphone but not the camera still gets the consultation, with sound.
import { expect } from '@open-wc/testing';
import '../../src/index.js';
import { openPeerPage } from './harness.js';
import { useConsults } from './consults.js';
import { createConsult, uniqueRoom, untilKnock, untilRemoteAudioFlows, untilState } from './helpers.js';

const consults = useConsults();

describe('camera refused, microphone allowed', () => {
  it('continues as a sound-only call and says why the camera is off', async () => {
    const room = uniqueRoom('sound-only');
    const doctor = createConsult({ server: consults.signalUrl, room, consultRole: 'doctor' });
    consults.elements.push(doctor);
    await doctor.join();
    // A browser in which this page's camera is denied and its microphone granted (a real refusal).
    const page = await openPeerPage({ browser: 'deny-camera' });
    try {
      const knocked = untilKnock(doctor);
      const joined = await page.run(
        async (server: string, r: string) => {
          const el = document.createElement('video-consult');
          const codes: string[] = [];
          el.addEventListener('vc-error', (e) => codes.push(`${e.detail.code}${e.detail.fatal ? ' (fatal)' : ''}`));
          Object.assign(el, { server, room: r, consultRole: 'patient', id: 'patient' });
          document.body.append(el);
          await el.join();
          await el.updateComplete;
          const notice = el.shadowRoot!.querySelector('[part~="notices"] [role="alert"]');
          return {
            state: el.state,
            codes,
            camera: el.cameraEnabled,
            microphone: el.microphoneEnabled,
            notice: notice?.textContent?.replace(/\s+/g, ' ') ?? '',
          };
        },
        consults.signalUrl,
        room,
      );
      expect(joined.codes).to.deep.equal(['camera-denied']);
      expect(joined.state).to.equal('waiting');
      expect(joined.camera).to.equal(false);
      expect(joined.microphone).to.equal(true);
      expect(joined.notice).to.contain('The camera is blocked. The call continues with sound only.');
      await knocked;
      doctor.admit();
      await untilState(doctor, 'connected');
      // The doctor hears the patient, and sees that their camera is off.
      await untilRemoteAudioFlows(doctor);
      await doctor.updateComplete;
      expect(doctor.shadowRoot!.textContent).to.contain('Camera is off');
    } finally {
      await page.close();
    }
  });
});
