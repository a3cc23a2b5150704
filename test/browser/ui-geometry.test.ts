// Where things are on the screen, at a phone's and a desktop's size: in a call with the chat open,
// messages both ways and a file offer, every control a person sees lies inside the viewport and
// the element, no two overlap, a click at a control's centre reaches that control, and real mouse
// clicks on Send, Close, Accept and Decline do what they say.
import { expect, oneEvent } from '@open-wc/testing';
import { sendMouse, setViewport } from '@web/test-runner-commands';
import '../../src/index.js';
import type { VideoConsult } from '../../src/element/video-consult.js';
import { useConsults } from './consults.js';
import { eventually, randomFile } from './helpers.js';
import { centre, control, hitTest, visibleControls } from './ui-support.js';

const consults = useConsults();

const SIZES = [
  { name: 'phone', width: 390, height: 844 },
  { name: 'desktop', width: 1280, height: 800 },
];

after(async () => {
  await setViewport({ width: 800, height: 600 });
});

/** A real click of the mouse at the centre of `el`, after checking that the click would reach it. */
async function click(el: HTMLElement): Promise<void> {
  const [x, y] = centre(el);
  const hit = hitTest(x, y);
  expect(
    hit && (hit === el || el.contains(hit)),
    `a click at the centre of "${el.textContent?.trim()}" reaches it, not ${hit?.outerHTML.slice(0, 80)}`,
  ).to.equal(true);
  await sendMouse({ type: 'click', position: [x, y] });
}

/** Every visible control inside the viewport and the element, at least 44px, none covering another, each reached by a click at its centre. */
function expectLaidOut(el: VideoConsult, where: string): void {
  const box = el.getBoundingClientRect();
  expect(box.right, `${where}: the element fits the viewport's width`).to.be.at.most(innerWidth + 0.5);
  expect(box.bottom, `${where}: the element fits the viewport's height`).to.be.at.most(innerHeight + 0.5);
  const controls = visibleControls(el);
  expect(controls.length, `${where}: controls found`).to.be.at.least(5);
  const rects = controls.map((c) => ({ ...c, r: c.element.getBoundingClientRect() }));
  for (const { role, name, r, element } of rects) {
    const label = `${where}: ${role} "${name}"`;
    expect(r.left >= -0.5 && r.top >= -0.5 && r.right <= innerWidth + 0.5 && r.bottom <= innerHeight + 0.5, `${label} inside the viewport`).to.equal(
      true,
    );
    expect(
      r.left >= box.left - 0.5 && r.top >= box.top - 0.5 && r.right <= box.right + 0.5 && r.bottom <= box.bottom + 0.5,
      `${label} inside the element`,
    ).to.equal(true);
    expect(Math.min(r.width, r.height), `${label} at least 44px`).to.be.at.least(44);
    const [x, y] = centre(element);
    const hit = hitTest(x, y);
    expect(hit === element || element.contains(hit), `${label}: a click at its centre reaches ${hit?.outerHTML.slice(0, 80)}`).to.equal(true);
  }
  for (let i = 0; i < rects.length; i++) {
    for (let j = i + 1; j < rects.length; j++) {
      const a = rects[i]!.r;
      const b = rects[j]!.r;
      const overlap = Math.min(a.right, b.right) - Math.max(a.left, b.left) > 0.5 && Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top) > 0.5;
      expect(overlap, `${where}: ${rects[i]!.role} "${rects[i]!.name}" and ${rects[j]!.role} "${rects[j]!.name}" overlap`).to.equal(false);
    }
  }
}

for (const size of SIZES) {
  describe(`what a person sees at ${size.width}x${size.height} (${size.name})`, () => {
    it('a call with the chat open, messages both ways and file offers: everything reachable, and the mouse works', async () => {
      await setViewport({ width: size.width, height: size.height });
      document.body.style.margin = '0';
      const { doctor, patient } = await consults.startCall({ prefix: `geometry-${size.name}` });
      // The doctor's element is the page; the patient's sits below the fold.
      const filesReady = () => {
        const b = patient.shadowRoot!.querySelector<HTMLElement>('[part~="file-button"]');
        return b && !b.hidden;
      };
      await eventually(filesReady, 'files ready');
      await doctor.updateComplete;
      expectLaidOut(doctor, 'in a call');

      await click(control(doctor, 'button', 'Chat'));
      await doctor.updateComplete;
      const box = control(doctor, 'textbox', 'Write a message') as HTMLTextAreaElement;
      // Send, twice: the second click used to land on the first message drawn over the button.
      for (const text of ['Good morning.', 'How is the knee today?']) {
        box.value = text;
        const arrived = oneEvent(patient, 'vc-message');
        await click(control(doctor, 'button', 'Send'));
        expect((await arrived).detail.text).to.equal(text);
      }
      patient.sendMessage('Better, thank you. I brought the results from the lab, and a long line that wraps over several lines on a phone.');
      const accepted = randomFile(40_000, 'lab-results-march.pdf');
      const declined = randomFile(30_000, 'holiday-photo.jpg', 'image/jpeg');
      const offers = new Promise<void>((resolve) => {
        let seen = 0;
        doctor.addEventListener('vc-file-offer', () => ++seen === 2 && resolve());
      });
      const acceptedTransfer = patient.sendFile(accepted);
      const declinedTransfer = patient.sendFile(declined);
      declinedTransfer.done.catch(() => {});
      await offers;
      await eventually(() => doctor.messages.length === 3, 'messages both ways');
      await doctor.updateComplete;
      expectLaidOut(doctor, 'chat with messages and two file offers');

      const received = oneEvent(doctor, 'vc-file-received');
      await click(control(doctor, 'button', 'Accept: lab-results-march.pdf'));
      expect((await received).detail.name).to.equal('lab-results-march.pdf');
      await acceptedTransfer.done;

      const refused = oneEvent(patient, 'vc-file-error');
      await click(control(doctor, 'button', 'Decline: holiday-photo.jpg'));
      expect((await refused).detail.code).to.equal('file-declined');
      await doctor.updateComplete;
      expectLaidOut(doctor, 'chat after the files');

      const chat = doctor.shadowRoot!.querySelector<HTMLElement>('[part~="chat"]')!;
      await click(control(doctor, 'button', 'Close'));
      await doctor.updateComplete;
      expect(chat.hidden, 'the chat closed').to.equal(true);
      expectLaidOut(doctor, 'after closing the chat');

      await click(control(doctor, 'button', 'Connection security'));
      await eventually(() => doctor.verificationCode, 'verification code');
      await doctor.updateComplete;
      expectLaidOut(doctor, 'security panel');
    });

    it('the device panel and the buttons of devices, flip, screen, picture-in-picture and full screen: everything reachable', async () => {
      await setViewport({ width: size.width, height: size.height });
      document.body.style.margin = '0';
      const { doctor } = await consults.startCall({ prefix: `geometry-devices-${size.name}` });
      await eventually(() => doctor.devices.cameras.length >= 2, 'the device list');
      await doctor.updateComplete;
      for (const name of ['Camera, microphone and speaker', 'Switch camera', 'Share screen', 'Picture in picture', 'Full screen'])
        control(doctor, 'button', name);
      expectLaidOut(doctor, 'in a call with the media buttons');
      await click(control(doctor, 'button', 'Camera, microphone and speaker'));
      await doctor.updateComplete;
      for (const name of ['Camera', 'Microphone']) control(doctor, 'select', name);
      expectLaidOut(doctor, 'device panel');
      await click(control(doctor, 'button', 'Close'));
      await doctor.updateComplete;
      expect(doctor.shadowRoot!.querySelector<HTMLElement>('[part~="devices"]')!.hidden, 'the device panel closed').to.equal(true);
    });

    it('the element fits its container: its width, a height of its own, and a height the page sets', async () => {
      await setViewport({ width: size.width, height: size.height });
      const frame = document.createElement('div');
      frame.style.cssText = 'width: 100%; margin: 0';
      const el = document.createElement('video-consult');
      frame.append(el);
      document.body.append(frame);
      try {
        await el.updateComplete;
        let box = el.getBoundingClientRect();
        expect(box.width).to.equal(frame.getBoundingClientRect().width);
        expect(box.height, 'a height of its own').to.be.within(320, size.height);
        el.style.height = '80vh';
        box = el.getBoundingClientRect();
        expect(box.width, 'a height the page sets leaves the width alone').to.equal(frame.getBoundingClientRect().width);
        expect(Math.round(box.height)).to.equal(Math.round(size.height * 0.8));
        frame.style.width = '300px';
        expect(el.getBoundingClientRect().width).to.equal(300);
      } finally {
        frame.remove();
      }
    });
  });
}
