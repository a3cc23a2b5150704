// Blocked sound, for real: the patient's page runs in a Chromium with a window (on Xvfb) and its
// default autoplay policy, which blocks a video with sound until the person clicks. Headless
// Chromium never blocks sound, and the test runner's Chromium allows it by flag, so this is the one
// place the "Click to hear the other person" path meets a browser that blocks.
//
// Chromium lets a page that captures camera or microphone play sound without a click, so the
// patient here sends a drawn picture and a silent tone instead of a capture: the case of a browser
// (or a page) that blocks sound even during a call.
import { expect } from '@open-wc/testing';
import '../../src/index.js';
import type { VideoConsult } from '../../src/index.js';
import { useConsults, joinAsPatient } from './consults.js';
import { openPeerPage } from './harness.js';
import { createConsult, uniqueRoom, untilKnock, untilState } from './helpers.js';
import type * as Helpers from './helpers.js';
import type * as Ui from './ui-support.js';

const consults = useConsults();

/** What the peer page has on `window` (test/support/peer.ts). */
declare const helpers: typeof Helpers;
declare const ui: typeof Ui;

describe('sound blocked by the browser', () => {
  it('plays the other person muted, and a real click on "Click to hear the other person" plays the sound', async () => {
    const page = await openPeerPage({ browser: 'autoplay' });
    try {
      const room = uniqueRoom('sound');
      const doctor = createConsult({ server: consults.signalUrl, room, consultRole: 'doctor' });
      consults.elements.push(doctor);
      await doctor.join();
      const knocked = untilKnock(doctor);
      await page.run(() => {
        // Not a capture: a canvas and a Web Audio destination, so that Chromium's policy applies.
        navigator.mediaDevices.getUserMedia = async (constraints?: MediaStreamConstraints) => {
          const canvas = Object.assign(document.createElement('canvas'), { width: 320, height: 240 });
          const paint = () => canvas.getContext('2d')!.fillRect(0, 0, 320 * Math.random(), 240);
          setInterval(paint, 100);
          paint();
          const tracks = constraints?.video ? canvas.captureStream(10).getVideoTracks() : [];
          const audio = new AudioContext().createMediaStreamDestination().stream.getAudioTracks();
          return new MediaStream([...tracks, ...audio]);
        };
      });
      expect(await joinAsPatient(page, consults.signalUrl, room)).to.equal('waiting');
      await knocked;
      doctor.admit();
      await untilState(doctor, 'connected');

      const blocked = await page.runLong(async () => {
        const el = document.getElementById('patient') as VideoConsult;
        await helpers.untilState(el, 'connected');
        const video = helpers.remoteVideo(el);
        const button = await helpers.eventually(() => ui.control(el, 'button', 'Click to hear the other person'), 'the unmute button shows');
        await helpers.eventually(() => !video.paused, 'the remote video plays');
        const [x, y] = ui.centre(button);
        return { muted: video.muted, paused: video.paused, x, y, unobscured: ui.hitTest(x, y) === button || button.contains(ui.hitTest(x, y)) };
      });
      expect(blocked).to.include({ muted: true, paused: false, unobscured: true });

      await page.click(blocked.x, blocked.y);

      const playing = await page.runLong(async () => {
        const el = document.getElementById('patient') as VideoConsult;
        const video = helpers.remoteVideo(el);
        await helpers.eventually(() => !video.muted && !video.paused, 'the remote video plays with sound');
        const energy = async () => {
          const stats = await el.getStats();
          let total = 0;
          stats?.forEach((s: { type: string; kind?: string; totalAudioEnergy?: number }) => {
            if (s.type === 'inbound-rtp' && s.kind === 'audio') total = s.totalAudioEnergy ?? 0;
          });
          return total;
        };
        const first = await energy();
        await helpers.eventually(async () => (await energy()) > first, 'the remote audio carries energy');
        await el.updateComplete;
        return { muted: video.muted, paused: video.paused, button: !!el.shadowRoot!.querySelector('[part~="unmute-button"]') };
      });
      expect(playing).to.deep.equal({ muted: false, paused: false, button: false });
    } finally {
      await page.close();
    }
  });
});
