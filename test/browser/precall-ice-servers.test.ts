// The pre-call check with its ICE servers from the signaling server (`ice-servers`) instead of the
// page, against the real server and a real coturn: the credentials the server makes allocate a
// relay, a server that wants a token refuses a check without one in words a patient understands,
// and a check whose network steps could not run never says "ready".
import { expect } from '@open-wc/testing';
import { executeServerCommand } from '@web/test-runner-commands';
import { runPrecallCheck, type PrecallOptions, type PrecallReport, type StepResult } from '../../src/core/precall/index.js';
import { VideoConsultCheck } from '../../src/element/video-consult-check.js';
import { startSignaling, stopSignaling } from './harness.js';
import { eventually } from './helpers.js';

if (!customElements.get('video-consult-check')) customElements.define('video-consult-check', VideoConsultCheck);

interface Turn {
  id: string;
  host: string;
  port: number;
  secret: string;
  relayPorts: { min: number; max: number };
  urls: { stun: string; udp: string; tcp: string };
  iceServers: RTCIceServer[];
}

const step = (report: PrecallReport, id: StepResult['id']) => report.steps.find((s) => s.id === id)!;
const outcome = (report: PrecallReport, id: StepResult['id']) => `${step(report, id).status} ${step(report, id).code}`;
const TOKEN_SECRET = 'precall-check-secret-0123456789';

/** A join token as the server's `createJoinToken` makes one (HMAC-SHA256), signed here with WebCrypto. */
async function joinToken(secret: string, room: string, role: 'doctor' | 'patient'): Promise<string> {
  const b64url = (bytes: Uint8Array) =>
    btoa(String.fromCharCode(...bytes))
      .replace(/\+/g, '-')
      .replace(/\//g, '_')
      .replace(/=+$/, '');
  const now = Math.floor(Date.now() / 1000);
  const payload = b64url(new TextEncoder().encode(JSON.stringify({ room, role, exp: now + 600, iat: now, jti: 'precall-test' })));
  const key = await crypto.subtle.importKey('raw', new TextEncoder().encode(secret), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
  const mac = new Uint8Array(await crypto.subtle.sign('HMAC', key, new TextEncoder().encode(payload)));
  return `${payload}.${b64url(mac)}`;
}

let turn: Turn;
/** A server that hands out STUN and TURN (with credentials for the coturn above), in demo mode. */
let open: { id: string; signalUrl: string };
/** The same, but every connection needs a join token. */
let guarded: { id: string; signalUrl: string };
/** A server with no ICE servers at all. */
let bare: { id: string; signalUrl: string };

before(async () => {
  turn = (await executeServerCommand('vc:coturn-start')) as Turn;
  const ice = { iceServers: [turn.urls.stun], turn: { secret: turn.secret, urls: [turn.urls.udp, turn.urls.tcp] } };
  open = await startSignaling(ice);
  guarded = await startSignaling({ ...ice, demo: false, tokenSecret: TOKEN_SECRET });
  bare = await startSignaling();
});
after(async () => {
  await Promise.all([open, guarded, bare].map((s) => stopSignaling(s.id)));
  await executeServerCommand('vc:coturn-stop', { id: turn.id });
});

const quick = (extra: PrecallOptions): PrecallOptions => ({
  // Chromium's fake microphone beeps about once a second: listen long enough to hear one.
  microphoneMs: 1200,
  throughputMs: 1500,
  pathTimeoutMs: 4000,
  confirmSound: async () => true,
  ...extra,
});

describe('runPrecallCheck: ICE servers from the signaling server', () => {
  it('with only `server`, takes STUN and TURN from it: the relay allocates with its credentials and the quality is measured', async function () {
    this.timeout(40_000);
    const report = await runPrecallCheck(quick({ server: open.signalUrl }));
    expect(outcome(report, 'signaling'), report.text).to.equal('pass signaling-ok');
    expect(outcome(report, 'network'), report.text).to.equal('pass network-ok');
    expect(step(report, 'network').figures.iceServersFrom).to.equal('server');
    expect(step(report, 'network').paths!.map((p) => `${p.kind} ${p.status}`)).to.deep.equal(['srflx pass', 'turn-udp pass', 'turn-tcp pass']);
    expect(step(report, 'quality').status).to.equal('pass');
    expect(report.verdict).to.deep.equal({ status: 'pass', code: 'ready', advice: [] });
    // The firewall facts come from the servers' answer; its credentials stay out of the report.
    expect(report.firewall.hosts).to.deep.equal([turn.host]);
    expect(report.text).not.to.match(/\d{10}:[0-9a-f]{12}/);
  });

  it('with a join token, a server that requires one answers too; audio-only leaves the camera out and is still ready', async function () {
    this.timeout(40_000);
    const token = await joinToken(TOKEN_SECRET, 'any-room', 'patient');
    const report = await runPrecallCheck(quick({ server: guarded.signalUrl, token, video: false }));
    expect(outcome(report, 'camera')).to.equal('skip not-requested');
    expect(outcome(report, 'network'), report.text).to.equal('pass network-ok');
    expect(report.verdict.code, report.text).to.equal('ready');
  });

  it('without the token that server requires: the signaling step fails with the code, and nothing is tried on the network', async function () {
    this.timeout(30_000);
    const forged = await joinToken('not-the-secret-0123456789', 'any-room', 'patient');
    for (const [token, code] of [
      [undefined, 'token-required'],
      [forged, 'token-invalid'],
    ] as const) {
      const report = await runPrecallCheck(quick({ server: guarded.signalUrl, ...(token ? { token } : {}) }));
      expect(outcome(report, 'signaling')).to.equal('fail signaling-refused');
      expect(step(report, 'signaling').figures.error).to.equal(code);
      expect(outcome(report, 'network')).to.equal('skip not-configured');
      expect(report.verdict).to.deep.equal({ status: 'fail', code: 'signaling-refused', advice: ['contact-practice'] });
      expect(report.text).to.contain(`error=${code}`);
    }
  });

  it('the page’s ICE servers win over the server’s', async function () {
    this.timeout(30_000);
    const report = await runPrecallCheck(quick({ server: open.signalUrl, iceServers: [{ urls: turn.urls.stun }] }));
    expect(step(report, 'network').figures.iceServersFrom).to.equal('page');
    expect(outcome(report, 'network')).to.equal('warn turn-not-configured');
    expect(outcome(report, 'quality')).to.equal('skip not-configured');
  });
});

describe('runPrecallCheck: never "ready" when steps could not run', () => {
  it('a server with no ICE servers: every step that ran passed, the verdict is incomplete and the report says what was missing', async function () {
    this.timeout(30_000);
    const report = await runPrecallCheck(quick({ server: bare.signalUrl }));
    expect(outcome(report, 'signaling')).to.equal('pass signaling-ok');
    expect(outcome(report, 'network')).to.equal('skip not-configured');
    expect(outcome(report, 'quality')).to.equal('skip not-configured');
    expect(report.verdict).to.deep.equal({ status: 'warn', code: 'incomplete', advice: [] });
    expect(report.text).to.contain('Verdict: WARN incomplete');
    expect(report.text).to.contain('not configured on this page: no ICE servers');
  });

  it('no server and no ICE servers: incomplete, not ready', async function () {
    this.timeout(30_000);
    const report = await runPrecallCheck(quick({}));
    expect(outcome(report, 'signaling')).to.equal('skip not-configured');
    expect(report.verdict.code).to.equal('incomplete');
    expect(report.text).to.contain('not configured on this page: no signaling server URL');
  });
});

describe('<video-consult-check> with `server` only', () => {
  const shadow = (el: VideoConsultCheck) => el.shadowRoot!;
  afterEach(() => document.querySelectorAll('video-consult-check').forEach((el) => el.remove()));

  async function check(props: Partial<VideoConsultCheck>) {
    const el = document.createElement('video-consult-check');
    Object.assign(el, props);
    const done = new Promise<PrecallReport>((resolve) => el.addEventListener('vc-check-complete', (e) => resolve(e.detail), { once: true }));
    document.body.append(el);
    const yes = await eventually(() => shadow(el).querySelector<HTMLButtonElement>('[part~="heard-yes"]'), 'the speakers question', 30_000);
    yes!.click();
    const report = await done;
    await el.updateComplete;
    return {
      el,
      report,
      verdict: shadow(el).querySelector<HTMLElement>('[part~="verdict"]')!,
      item: (id: string) => shadow(el).querySelector<HTMLElement>(`[data-step="${id}"]`)!,
    };
  }

  it('fetches the ICE servers from the server it is given and says "ready"; the token is never an attribute', async function () {
    this.timeout(60_000);
    const token = await joinToken(TOKEN_SECRET, 'consult-1', 'patient');
    const { el, report, verdict, item } = await check({ server: guarded.signalUrl, token });
    expect(report.verdict.code, report.text).to.equal('ready');
    expect(verdict.textContent).to.contain('Everything is ready for your consultation.');
    expect(item('network').dataset.status).to.equal('pass');
    expect(el.hasAttribute('token')).to.equal(false);
    expect(el.outerHTML).not.to.contain(token);
    el.setAttribute('token', 'from-markup');
    expect(el.token).to.equal(token);
  });

  it('with nothing to test the network with, words the skipped steps for patients and keeps the detail in the report', async function () {
    this.timeout(60_000);
    const { el, verdict, item } = await check({ server: bare.signalUrl });
    expect(verdict.dataset.status).to.equal('warn');
    expect(verdict.textContent).to.contain('Everything that was tested works, but not everything could be tested here.');
    expect(verdict.textContent).not.to.contain('ready');
    for (const id of ['network', 'quality']) {
      expect(item(id).dataset.status).to.equal('skip');
      expect(item(id).textContent).to.contain('Could not be tested here.');
    }
    expect(shadow(el).textContent).not.to.contain('Not configured on this page');
    expect(shadow(el).querySelector('textarea')!.value).to.contain('not configured on this page: no ICE servers');
  });

  it('refused for want of a token: says the practice’s service did not let the page connect, and to contact the practice', async function () {
    this.timeout(60_000);
    const { verdict, item } = await check({ server: guarded.signalUrl });
    expect(item('signaling').dataset.status).to.equal('fail');
    expect(verdict.textContent).to.contain('The practice’s service did not let this page connect.');
    expect(verdict.querySelector('[data-advice="contact-practice"]')).to.not.equal(null);
  });
});
