// <video-consult-check> in real Chromium against the real signaling server and real coturn: what a
// patient sees for a working setup, a firewall that drops UDP, an unreachable relay, a denied
// permission and a missing camera.
import { expect, fixture, html, oneEvent } from '@open-wc/testing';
import { executeServerCommand } from '@web/test-runner-commands';
import type { PrecallReport, StepResult } from '../../src/core/precall/index.js';
import { VideoConsultCheck } from '../../src/element/video-consult-check.js';
import { signaling } from './harness.js';
import { eventually } from './helpers.js';

// src/index.ts registers the element for pages; this test does not depend on that line.
if (!customElements.get('video-consult-check')) customElements.define('video-consult-check', VideoConsultCheck);

interface Turn {
  id: string;
  host: string;
  port: number;
  relayPorts: { min: number; max: number };
  iceServers: RTCIceServer[];
}

const startTurn = async () => (await executeServerCommand('vc:coturn-start')) as Turn;
const stopTurn = (turn: Turn) => executeServerCommand('vc:coturn-stop', { id: turn.id });
const shadow = (el: VideoConsultCheck) => el.shadowRoot!;
const stepItem = (el: VideoConsultCheck, id: string) => shadow(el).querySelector<HTMLElement>(`[part~="step"][data-step="${id}"]`)!;
const verdict = (el: VideoConsultCheck) => shadow(el).querySelector<HTMLElement>('[part~="verdict"]')!;

/**
 * Runs `fn` in a page of a separate Chromium (see `vc:chromium-open`). A runner command must answer
 * within 20 s, so the result is awaited in rounds of up to 10 s each, at most six.
 */
async function inSeparateChromium<A extends unknown[], R>(
  options: { deny?: boolean; ignoreCertificateErrors?: boolean },
  fn: (...args: A) => Promise<R>,
  ...args: A
): Promise<R> {
  const { id } = (await executeServerCommand('vc:chromium-open', options)) as { id: string };
  try {
    await executeServerCommand('vc:chromium-start', { id, source: fn.toString(), args });
    for (let round = 0; round < 6; round++) {
      const result = (await executeServerCommand('vc:chromium-result', { id, waitMs: 10_000 })) as { done: boolean; value?: R; error?: string };
      if (result.error) throw new Error(`in the separate Chromium: ${result.error}`);
      if (result.done) return result.value as R;
    }
    throw new Error('the separate Chromium did not finish within 60 s');
  } finally {
    await executeServerCommand('vc:chromium-close', { id });
  }
}

let signalUrl: string;
let turn: Turn;
before(async () => {
  ({ signalUrl } = await signaling());
  turn = await startTurn();
});
after(async () => {
  await stopTurn(turn);
});

/** Creates the element (it starts by itself) and answers the speakers question with a click. */
async function checkOn(props: Partial<VideoConsultCheck>, heard: 'yes' | 'no' | 'never' = 'yes', lang = 'en') {
  const el = document.createElement('video-consult-check');
  el.lang = lang;
  Object.assign(el, props);
  const complete = oneEvent(el, 'vc-check-complete');
  document.body.append(el);
  if (heard !== 'never') {
    // Nothing announces the question; it appears once the microphone has been measured.
    const button = await eventually(() => shadow(el).querySelector<HTMLButtonElement>(`[part~="heard-${heard}"]`), 'the speakers question', 30_000);
    button!.click();
  }
  const report = (await complete).detail as PrecallReport;
  await el.updateComplete;
  return { el, report };
}

afterEach(() => {
  for (const el of document.querySelectorAll('video-consult-check')) el.remove();
});

describe('<video-consult-check>: a working setup', () => {
  it('starts by itself, shows every step as it finishes, and ends with "ready" and a copyable report', async function () {
    this.timeout(60_000);
    const steps: string[] = [];
    document.addEventListener('vc-check-step', (e) => steps.push((e as CustomEvent<StepResult>).detail.id));
    const { el, report } = await checkOn({
      server: signalUrl,
      iceServers: turn.iceServers,
      relayPorts: `${turn.relayPorts.min}-${turn.relayPorts.max}`,
    });
    expect(report.verdict.status, report.text).to.equal('pass');
    expect(steps.sort()).to.deep.equal(['browser', 'camera', 'microphone', 'network', 'quality', 'signaling', 'speakers']);
    const statuses = [...shadow(el).querySelectorAll<HTMLElement>('[part~="step"]')].map((li) => `${li.dataset.step} ${li.dataset.status}`);
    expect(statuses).to.deep.equal([
      'browser pass',
      'camera pass',
      'microphone pass',
      'speakers pass',
      'signaling pass',
      'network pass',
      'quality pass',
    ]);
    expect(verdict(el).textContent).to.contain('Everything is ready for your consultation.');
    // HD or not depends on this machine's CPU (the loopback through coturn is CPU-bound).
    expect(stepItem(el, 'quality').textContent).to.match(/(Fast enough for HD video|Good enough for a video call, not for HD): [\d.]+ Mbit\/s/);
    expect(stepItem(el, 'camera').textContent).to.match(/Your camera works \(\d+×\d+\)/);
    expect(shadow(el).querySelector('textarea')!.value).to.equal(report.text);
    expect(el.report).to.equal(report);
    // The camera was shown while it was checked, and is off again.
    expect(shadow(el).querySelector('video')).to.equal(null);
  });

  it('with `manual` waits for run(); run() again replaces the running check', async function () {
    this.timeout(60_000);
    const el = await fixture<VideoConsultCheck>(html`<video-consult-check manual .server=${signalUrl} .iceServers=${[]}></video-consult-check>`);
    expect(el.running).to.equal(false);
    expect(el.report).to.equal(undefined);
    const first = el.run();
    expect(el.running).to.equal(true);
    const second = el.run();
    expect(await first).to.equal(undefined);
    const button = await eventually(() => shadow(el).querySelector<HTMLButtonElement>('[part~="heard-no"]'), 'the speakers question', 30_000);
    button!.click();
    const report = (await second)!;
    expect(report.steps.find((s) => s.id === 'speakers')!.code).to.equal('speakers-not-heard');
    await el.updateComplete;
    expect(shadow(el).querySelector('[data-advice="check-speakers"]')!.textContent).to.contain('Turn the volume up');
  });

  it('taken off the page mid-check, it stops: camera off, no report', async function () {
    this.timeout(30_000);
    const el = document.createElement('video-consult-check');
    el.manual = true;
    document.body.append(el);
    const run = el.run();
    await oneEvent(el, 'vc-check-step'); // the browser step
    const camera = await new Promise<StepResult>((resolve) =>
      el.addEventListener('vc-check-step', (e) => e.detail.id === 'camera' && resolve(e.detail)),
    );
    expect(camera.status).to.equal('pass');
    el.remove();
    expect(await run).to.equal(undefined);
    expect(el.running).to.equal(false);
  });

  it('takes overridden strings', async function () {
    this.timeout(60_000);
    const { el } = await checkOn({
      server: signalUrl,
      iceServers: turn.iceServers,
      strings: { verdicts: { ready: 'Sie sind startklar, Frau Muster.' }, steps: { quality: 'Tempo' } },
    });
    expect(verdict(el).textContent).to.contain('Sie sind startklar, Frau Muster.');
    expect(stepItem(el, 'quality').textContent).to.contain('Tempo');
    expect(stepItem(el, 'camera').textContent).to.contain('Camera');
  });
});

describe('<video-consult-check>: network problems', () => {
  it('UDP to the relay dropped: "UDP blocked, TCP relay works" with the firewall advice naming host and ports', async function () {
    this.timeout(60_000);
    const own = await startTurn();
    try {
      const block = (await executeServerCommand('vc:udp-block', { id: own.id })) as { blocked: boolean; reason?: string };
      if (!block.blocked) {
        console.warn(`skipped: ${block.reason}`);
        this.skip();
      }
      const range = `${own.relayPorts.min}-${own.relayPorts.max}`;
      const { el } = await checkOn({ server: signalUrl, iceServers: own.iceServers, relayPorts: range });
      expect(verdict(el).dataset.status).to.equal('warn');
      expect(verdict(el).textContent).to.contain('UDP blocked, TCP relay works');
      const advice = shadow(el).querySelector('[data-advice="ask-it-firewall"]')!.textContent!;
      expect(advice).to.contain('ask IT to allow WebRTC traffic (UDP, ICE, STUN and TURN)');
      expect(advice).to.contain(`to ${own.host} on ports ${own.port}/udp, ${own.port}/tcp`);
      expect(advice).to.contain(`UDP ports ${range}/udp for the video relay`);
      expect(stepItem(el, 'network').dataset.status).to.equal('warn');
      expect(stepItem(el, 'quality').dataset.status).to.equal('pass');
    } finally {
      await executeServerCommand('vc:udp-unblock', { id: own.id });
      await stopTurn(own);
    }
  });

  it('relay unreachable, in German: a failing verdict with the firewall, network and practice advice', async function () {
    this.timeout(60_000);
    const gone = await startTurn();
    await stopTurn(gone);
    const { el } = await checkOn({ server: signalUrl, iceServers: gone.iceServers }, 'yes', 'de');
    expect(verdict(el).dataset.status).to.equal('fail');
    expect(verdict(el).textContent).to.contain('Ihr Netzwerk blockiert Videoanrufe zur Praxis.');
    const advice = [...shadow(el).querySelectorAll<HTMLElement>('[data-advice]')].map((li) => li.dataset.advice);
    expect(advice).to.deep.equal(['ask-it-firewall', 'another-network', 'contact-practice']);
    expect(shadow(el).querySelector('[data-advice="ask-it-firewall"]')!.textContent).to.contain(
      `Bitten Sie die IT, WebRTC-Verkehr (UDP, ICE, STUN und TURN) zu ${gone.host}`,
    );
    expect(stepItem(el, 'quality').dataset.status).to.equal('skip');
  });
});

describe('<video-consult-check>: camera problems', () => {
  it('permission denied (a Chromium whose prompt says no): where to click in Chrome, and "allow" advice', async function () {
    this.timeout(90_000);
    const value = await inSeparateChromium(
      { deny: true },
      async (server: string) => {
        const { VideoConsultCheck: Check } = await import('/src/element/video-consult-check.ts' as string);
        if (!customElements.get('video-consult-check')) customElements.define('video-consult-check', Check);
        const el = document.createElement('video-consult-check');
        el.server = server;
        el.iceServers = [];
        const done = new Promise((resolve) => el.addEventListener('vc-check-complete', resolve, { once: true }));
        document.body.append(el);
        // Nothing announces the question: poll for it (bounded).
        const root = () => el.shadowRoot!;
        for (let i = 0; i < 300 && !root().querySelector('[part~="heard-yes"]'); i++) await new Promise((r) => setTimeout(r, 100));
        root().querySelector<HTMLButtonElement>('[part~="heard-yes"]')!.click();
        await done;
        await el.updateComplete;
        const item = (id: string) => root().querySelector<HTMLElement>(`[data-step="${id}"]`)!;
        return {
          camera: `${item('camera').dataset.status} ${item('camera').dataset.code}`,
          help: item('camera').querySelector('[data-help="permission"]')?.textContent,
          verdict: root().querySelector('[part~="verdict"]')!.textContent,
        };
      },
      signalUrl,
    );
    expect(value.camera).to.equal('fail camera-denied');
    expect(value.help).to.contain('In Chrome: click the icon left of the address bar, set Camera and Microphone to “Allow”');
    expect(value.verdict).to.contain('The browser is not allowed to use your camera.');
    expect(value.verdict).to.contain('Allow camera and microphone for this page');
  });

  describe('with getUserMedia answering as it does without a camera, or with a busy one', () => {
    // Chromium's fake devices cannot be unplugged: getUserMedia is replaced for these cases with
    // one that rejects video the way Chromium does (NotFoundError / NotReadableError) and passes
    // audio through to the real fake microphone.
    const original = navigator.mediaDevices.getUserMedia.bind(navigator.mediaDevices);
    afterEach(() => {
      navigator.mediaDevices.getUserMedia = original;
    });
    const failVideo = (name: string) => {
      navigator.mediaDevices.getUserMedia = (c?: MediaStreamConstraints) =>
        c?.video ? Promise.reject(new DOMException('video failed', name)) : original(c);
    };

    it('no camera: "No camera was found" with connect-device advice; the microphone still passes', async function () {
      this.timeout(60_000);
      failVideo('NotFoundError');
      const { el } = await checkOn({ server: signalUrl, iceServers: [] });
      expect(stepItem(el, 'camera').dataset.status).to.equal('fail');
      expect(stepItem(el, 'camera').textContent).to.contain('No camera was found.');
      expect(stepItem(el, 'microphone').dataset.status).to.equal('pass');
      expect(shadow(el).querySelector('[data-advice="connect-device"]')!.textContent).to.contain('Connect a camera and a microphone');
    });

    it('camera busy: names the programs that may hold it', async function () {
      this.timeout(60_000);
      failVideo('NotReadableError');
      const { el } = await checkOn({ server: signalUrl, iceServers: [] });
      expect(stepItem(el, 'camera').dataset.code).to.equal('camera-busy');
      expect(stepItem(el, 'camera').querySelector('[data-help="busy"]')!.textContent).to.contain('Close Zoom, Teams, Skype, FaceTime');
    });
  });
});
