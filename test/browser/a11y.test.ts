// What a keyboard and a screen reader meet: axe-core in every state a person sees, in the default
// theme, a light theme and under prefers-color-scheme: dark; panels as dialogs; the live region.
import { expect, oneEvent } from '@open-wc/testing';
import { emulateMedia, sendKeys, setViewport } from '@web/test-runner-commands';
import '../../src/index.js';
import type { VideoConsult } from '../../src/element/video-consult.js';
import { useConsults } from './consults.js';
import { createConsult, eventually, randomFile, uniqueRoom, untilKnock, untilState } from './helpers.js';
import { applyTheme, control, LIGHT_THEME, seriousViolations } from './ui-support.js';

const consults = useConsults();
const { elements } = consults;

const THEMES: Array<[string, Record<string, string> | undefined, 'light' | 'dark']> = [
  ['default theme', undefined, 'light'],
  ['light theme', LIGHT_THEME, 'light'],
  ['prefers-color-scheme: dark', undefined, 'dark'],
];

/** No serious or critical axe violation in `el`, in each theme. */
async function expectAccessible(el: VideoConsult, what: string): Promise<void> {
  await el.updateComplete;
  try {
    for (const [theme, tokens, scheme] of THEMES) {
      await emulateMedia({ colorScheme: scheme });
      applyTheme(el, tokens);
      expect(await seriousViolations(el), `${what}, ${theme}`).to.deep.equal([]);
    }
  } finally {
    applyTheme(el, undefined);
    await emulateMedia({ colorScheme: 'light' });
  }
}

const said = (el: VideoConsult) => el.shadowRoot!.querySelector('[role="status"]')!.textContent!.trim();
const add = (el: VideoConsult) => (elements.push(el), el);

async function filesReady(el: VideoConsult): Promise<void> {
  const button = () => el.shadowRoot!.querySelector<HTMLElement>('[part~="file-button"]');
  await eventually(() => button() && !button()!.hidden, 'file button');
}

const SIZES = [
  { name: 'phone', width: 390, height: 844 },
  { name: 'desktop', width: 1280, height: 800 },
];

after(async () => {
  await setViewport({ width: 800, height: 600 });
});

for (const size of SIZES)
  describe(`axe-core finds nothing serious in any state, at ${size.width}x${size.height} (${size.name})`, () => {
    before(async () => {
      await setViewport({ width: size.width, height: size.height });
    });

    it('idle', async () => {
      const el = add(createConsult({ server: consults.signalUrl, room: uniqueRoom('a11y'), consultRole: 'patient' }));
      await expectAccessible(el, 'idle');
    });

    it('waiting (patient) and a knock (doctor)', async () => {
      const room = uniqueRoom('a11y');
      const doctor = add(createConsult({ server: consults.signalUrl, room, consultRole: 'doctor' }));
      const patient = add(createConsult({ server: consults.signalUrl, room, consultRole: 'patient' }));
      await doctor.join();
      await expectAccessible(doctor, 'doctor waiting');
      const knocked = untilKnock(doctor);
      await patient.join();
      await untilState(patient, 'waiting');
      await knocked;
      await expectAccessible(patient, 'patient waiting');
      await expectAccessible(doctor, 'knock');
      // Something about who knocks that the server does not learn: since when they wait.
      expect(doctor.shadowRoot!.textContent).to.match(/Waiting since \S+/);
    });

    it('connecting', async () => {
      // Relay only, with no relay to use: the two browsers keep looking for a path.
      const room = uniqueRoom('a11y');
      const none = { iceTransportPolicy: 'relay', iceServers: [] };
      const doctor = add(createConsult({ server: consults.signalUrl, room, consultRole: 'doctor', ...none }));
      const patient = add(createConsult({ server: consults.signalUrl, room, consultRole: 'patient', ...none }));
      await doctor.join();
      const knocked = untilKnock(doctor);
      await patient.join();
      await knocked;
      doctor.admit();
      await untilState(patient, 'connecting');
      await expectAccessible(patient, 'connecting');
    });

    it('in a call, with the device panel open', async () => {
      const { doctor } = await consults.startCall({ prefix: 'a11y-devices' });
      await eventually(() => doctor.devices.cameras.length >= 2, 'the device list');
      control(doctor, 'button', 'Camera, microphone and speaker').click();
      await eventually(() => !doctor.shadowRoot!.querySelector<HTMLElement>('[part~="devices"]')!.hidden, 'the device panel');
      await expectAccessible(doctor, 'device panel');
    });

    it('in a call, with the chat open, messages both ways and a file offer, and with the security panel open', async () => {
      const { doctor, patient } = await consults.startCall({ prefix: 'a11y' });
      await expectAccessible(doctor, 'in a call');
      // The quality indicator says the level in words, not only in bars.
      const quality = doctor.shadowRoot!.querySelector<HTMLElement>('[part~="quality"][part~="incoming"]')!;
      await eventually(() => !quality.hidden, 'the quality indicator');
      expect(quality.textContent!.trim()).to.match(/^(good|fair|poor) connection$|^connection lost$/);
      await filesReady(patient);
      doctor.sendMessage('Good morning. How is the knee?');
      patient.sendMessage('Better, thank you.');
      const offered = oneEvent(doctor, 'vc-file-offer');
      patient.sendFile(randomFile(20_000, 'lab-results.pdf')).done.catch(() => {});
      await offered;
      control(doctor, 'button', /^Chat/).click();
      await eventually(() => doctor.messages.length === 2, 'both messages');
      await expectAccessible(doctor, 'chat with a file offer');
      control(doctor, 'button', 'Connection security').click();
      await eventually(() => doctor.verificationCode, 'verification code');
      await expectAccessible(doctor, 'security panel');
      // Plain words first; the cipher names only behind "Technical details".
      const details = doctor.shadowRoot!.querySelector<HTMLDetailsElement>('[part~="info"] details')!;
      expect(details.open).to.equal(false);
      expect(control(doctor, 'button', 'Technical details').localName).to.equal('summary');
      await eventually(() => /AEAD_AES_|AES_CM_128_|SRTP_/.test(details.querySelector('dl')!.textContent!), 'cipher names');
      expect(doctor.shadowRoot!.querySelector('[part~="info"]')!.textContent).to.contain('encrypted straight between your two devices');
    });

    it('reconnecting', async () => {
      const { doctor, page } = await consults.startCallWithPeerPage({ prefix: 'a11y' });
      // The patient's page goes away without hanging up, as a lost network would.
      await page.close();
      await untilState(doctor, 'reconnecting', 30_000);
      await expectAccessible(doctor, 'reconnecting');
    });

    it('ended, by either side', async () => {
      const { doctor, patient } = await consults.startCall({ prefix: 'a11y' });
      const ended = untilState(patient, 'ended');
      doctor.leave();
      await ended;
      await expectAccessible(patient, 'ended by the other side');
      await expectAccessible(doctor, 'ended by hanging up');
    });

    it('failed', async () => {
      const el = add(createConsult({ server: 'ws://127.0.0.1:9/signal', room: uniqueRoom('a11y'), consultRole: 'patient' }));
      await el.join();
      expect(el.state).to.equal('failed');
      await expectAccessible(el, 'failed');
    });
  });

describe('the host is not given an ARIA role', () => {
  it('consult-role leaves role alone; role="doctor" is moved off the host', async () => {
    const el = add(createConsult({}));
    el.setAttribute('role', 'doctor');
    expect(el.hasAttribute('role')).to.equal(false);
    expect(el.consultRole).to.equal('doctor');
    expect(await seriousViolations(el)).to.deep.equal([]);
  });
});

describe('keyboard and screen reader', () => {
  it('a panel is a dialog: focus moves in, Escape closes it, focus returns to its button; it follows the controls in tab order', async () => {
    const { doctor } = await consults.startCall({ prefix: 'a11y' });
    const chatButton = control(doctor, 'button', 'Chat');
    chatButton.focus();
    await sendKeys({ press: 'Enter' });
    await doctor.updateComplete;
    const dialog = doctor.shadowRoot!.querySelector<HTMLElement>('[role="dialog"]:not([hidden])')!;
    expect(dialog.getAttribute('aria-labelledby')).to.be.a('string');
    expect(doctor.shadowRoot!.getElementById(dialog.getAttribute('aria-labelledby')!)!.textContent).to.equal('Chat');
    expect(chatButton.getAttribute('aria-expanded')).to.equal('true');
    await eventually(() => doctor.shadowRoot!.activeElement === control(doctor, 'textbox', 'Write a message'), 'focus in the text box');
    // Tab order follows the DOM: every control of the bar comes before the panel.
    const bar = doctor.shadowRoot!.querySelector('[part~="controls"]')!;
    expect(bar.compareDocumentPosition(dialog) & Node.DOCUMENT_POSITION_FOLLOWING).to.not.equal(0);

    await sendKeys({ press: 'Escape' });
    await doctor.updateComplete;
    expect(dialog.hidden).to.equal(true);
    await eventually(() => doctor.shadowRoot!.activeElement === chatButton, 'focus back on the chat button');
    expect(chatButton.getAttribute('aria-expanded')).to.equal('false');
  });

  it('toggles keep one label and say whether they are pressed', async () => {
    const { doctor } = await consults.startCall({ prefix: 'a11y' });
    const mic = control(doctor, 'button', 'Mute microphone');
    expect(mic.getAttribute('aria-pressed')).to.equal('false');
    mic.click();
    await doctor.updateComplete;
    expect(control(doctor, 'button', 'Mute microphone')).to.equal(mic);
    expect(mic.getAttribute('aria-pressed')).to.equal('true');
    expect(doctor.microphoneEnabled).to.equal(false);
    const camera = control(doctor, 'button', 'Turn camera off');
    camera.click();
    await eventually(() => camera.getAttribute('aria-pressed') === 'true', 'the camera button pressed');
    expect(doctor.cameraEnabled).to.equal(false);
    expect(control(doctor, 'button', 'Turn camera off')).to.equal(camera);
  });

  it('one live region, in the DOM from the start, announces the call and the other person muting', async () => {
    const room = uniqueRoom('a11y');
    const doctor = add(createConsult({ server: consults.signalUrl, room, consultRole: 'doctor' }));
    const patient = add(createConsult({ server: consults.signalUrl, room, consultRole: 'patient' }));
    await doctor.updateComplete;
    await patient.updateComplete;
    const region = patient.shadowRoot!.querySelector('[role="status"]');
    expect(patient.shadowRoot!.querySelectorAll('[role="status"], [role="alert"], [aria-live="assertive"]').length).to.equal(1);

    await doctor.join();
    const knocked = untilKnock(doctor);
    await patient.join();
    expect(said(patient)).to.equal('You are in the waiting room. The doctor will let you in shortly.');
    await knocked;
    await doctor.updateComplete;
    expect(said(doctor)).to.equal('A patient is waiting to be let in.');
    const admitted = new Promise<string>((resolve) =>
      patient.addEventListener('vc-state-change', function on(e) {
        if (e.detail.state !== 'connecting') return;
        patient.removeEventListener('vc-state-change', on);
        void patient.updateComplete.then(() => resolve(said(patient)));
      }),
    );
    doctor.admit();
    expect(await admitted).to.equal('The doctor let you in. Connecting…');
    await untilState(patient, 'connected');
    await patient.updateComplete;
    expect(said(patient)).to.equal('Connected.');

    doctor.setMicrophoneEnabled(false);
    await eventually(() => said(patient) === 'The other person turned their microphone off.', 'mute announced');
    doctor.setMicrophoneEnabled(true);
    await eventually(() => said(patient) === 'The other person turned their microphone on.', 'unmute announced');
    // The same element all along: a region inserted on each change is not reliably announced.
    expect(patient.shadowRoot!.querySelector('[role="status"]')).to.equal(region);
  });

  it('"Try again" only where trying again can help', async () => {
    const { doctor, patient } = await consults.startCall({ prefix: 'a11y' });
    const ended = untilState(patient, 'ended');
    doctor.leave();
    await ended;
    await patient.updateComplete;
    await doctor.updateComplete;
    const buttons = (el: VideoConsult) =>
      [...el.shadowRoot!.querySelectorAll<HTMLElement>('button')].filter((b) => b.checkVisibility()).map((b) => b.textContent!.trim());
    expect(patient.shadowRoot!.textContent).to.contain('The other person has left');
    expect(buttons(patient)).not.to.include('Try again');
    // Who hung up may have done so by mistake.
    expect(buttons(doctor)).to.include('Try again');

    const unreachable = add(createConsult({ server: 'ws://127.0.0.1:9/signal', room: uniqueRoom('a11y'), consultRole: 'patient' }));
    await unreachable.join();
    await unreachable.updateComplete;
    expect(buttons(unreachable)).to.include('Try again');

    const incomplete = add(createConsult({ room: uniqueRoom('a11y'), consultRole: 'patient' }));
    await incomplete.join();
    await incomplete.updateComplete;
    expect(incomplete.errorCode).to.equal('missing-configuration');
    expect(buttons(incomplete)).not.to.include('Try again');
  });
});
