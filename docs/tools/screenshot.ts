// The pictures in the docs: every state of <video-consult> a person meets, at phone (390x844) and
// desktop (1280x800) size, in the default and a light theme, into docs/images/states/; and the
// README's picture of a call (docs/images/demo-call.png). Run: npm run docs:screenshots
// (after npm run build). Real Chromium, the real server in demo mode, a fake camera.
import { mkdirSync } from 'node:fs';
import puppeteer, { type Browser, type Page } from 'puppeteer-core';
import { createSignalingServer } from '../../dist/server/index.js';

/** The light theme docs/element.md documents; every pair in it meets WCAG AA contrast. */
export const LIGHT_THEME: Record<string, string> = {
  '--vc-background': '#ffffff',
  '--vc-surface': '#eef2f6',
  '--vc-foreground': '#17202b',
  '--vc-muted': '#4f5d6b',
  '--vc-accent': '#1f6fd1',
  '--vc-on-accent': '#ffffff',
  '--vc-danger': '#c62f2f',
  '--vc-warning': '#b7791f',
};

const SIZES = { phone: { width: 390, height: 844 }, desktop: { width: 1280, height: 800 } } as const;
type Size = keyof typeof SIZES;
type Theme = 'default' | 'light';

const out = new URL('../images/states/', import.meta.url).pathname;
mkdirSync(out, { recursive: true });

// Every page of the gallery comes from 127.0.0.1, several at once: more than the 10 HTTP connections
// per address a public server allows.
const server = await createSignalingServer({ port: 0, demo: true, log: false, maxPendingPerIp: 100 });
const browser = await puppeteer.launch({
  executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
  headless: true,
  args: [
    '--no-sandbox',
    '--use-fake-device-for-media-stream=device-count=3',
    '--use-fake-ui-for-media-stream',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    '--no-first-run',
    '--autoplay-policy=no-user-gesture-required',
  ],
});

/** A page with nothing but the element, sized as a phone (the whole screen) or on a desktop page. */
async function open(b: Browser, size: Size, theme: Theme, role: string, room: string, extra: Record<string, unknown> = {}): Promise<Page> {
  const page = await (await b.createBrowserContext()).newPage();
  await page.setViewport(SIZES[size]);
  await page.goto(`${server.url}/?room=${room}&role=${role}`);
  await page.waitForFunction(() => customElements.get('video-consult'), { polling: 100 }); // a page in the background gets no animation frames
  await page.evaluate(
    (size, light, extra) => {
      const el = document.getElementById('consult') as HTMLElement & Record<string, unknown>;
      document.body.replaceChildren(el);
      document.body.style.cssText = size === 'phone' ? 'margin:0;padding:0;max-width:none' : 'margin:0;padding:24px;max-width:none';
      if (size === 'phone') el.style.cssText = 'height:100dvh;border-radius:0';
      for (const [name, value] of Object.entries(light ?? {})) el.style.setProperty(name, value);
      Object.assign(el, { displayName: el.consultRole === 'doctor' ? 'Dr. Anna Weber' : 'Jonas Keller' }, extra);
    },
    size,
    theme === 'light' ? LIGHT_THEME : null,
    extra,
  );
  return page;
}

const el = (page: Page, script: string) => page.evaluate(`(async (el) => { ${script} })(document.getElementById('consult'))`);
const until = (page: Page, condition: string, timeout = 20_000) =>
  page.waitForFunction(`(() => { const el = document.getElementById('consult'); return ${condition}; })()`, { polling: 100, timeout });
// Connected, the other person's video moving, and the first quality report in.
const playing = `el.state === 'connected' && el.shadowRoot.querySelector('video.remote').currentTime > 1 && !el.shadowRoot.querySelector('[part~="incoming"]').hidden`;

async function shot(page: Page, name: string, size: Size, theme: Theme): Promise<void> {
  await page.bringToFront();
  await page.evaluate(() => new Promise(requestAnimationFrame));
  const path = `${out}${name}-${size}-${theme}.png` as const;
  await page.screenshot({ path });
  console.log(`wrote docs/images/states/${name}-${size}-${theme}.png`);
}

async function gallery(size: Size, theme: Theme): Promise<void> {
  const room = `gallery-${size}-${theme}-${Date.now().toString(36)}`;
  const doctor = await open(browser, size, theme, 'doctor', room);
  await shot(doctor, 'idle', size, theme);
  await el(doctor, 'await el.join()');
  const patient = await open(browser, size, theme, 'patient', room);
  await el(patient, 'await el.join()');
  await until(patient, `el.state === 'waiting'`);
  await shot(patient, 'waiting', size, theme);
  await until(doctor, 'el.knocking');
  await shot(doctor, 'knock', size, theme);
  await el(doctor, 'el.admit()');
  await doctor.bringToFront();
  await until(doctor, playing);
  await shot(doctor, 'in-call', size, theme);
  await until(doctor, `!!el.shadowRoot.querySelector('[part~="flip-button"]')`);
  await el(doctor, `el.shadowRoot.querySelector('[part~="devices-button"]').click()`);
  await until(doctor, `el.devices.cameras.length > 1 && !el.shadowRoot.querySelector('[part~="devices"]').hidden`);
  await shot(doctor, 'devices', size, theme);
  await el(doctor, `el.shadowRoot.querySelector('[part~="devices-button"]').click()`);
  if (size === 'desktop') {
    // Phones have no screen sharing; the patient sees the doctor's screen large on either size.
    await el(doctor, 'await el.startScreenShare()');
    await until(patient, `!el.shadowRoot.querySelector('video.screen').hidden && el.shadowRoot.querySelector('video.screen').currentTime > 1`);
    await shot(doctor, 'screen-share-sharing', size, theme);
    await patient.bringToFront();
    await shot(patient, 'screen-share-viewing', size, theme);
    await doctor.bringToFront();
    await el(doctor, 'el.stopScreenShare()');
  }

  await el(doctor, `el.sendMessage('Good morning. How is the knee today?')`);
  await until(patient, `el.messages.length === 1`);
  await el(
    patient,
    `el.sendMessage('Better, thank you. I brought the results from the lab.');
    el.sendFile(new File([new Uint8Array(180_000)], 'lab-results-march.pdf', { type: 'application/pdf' }));`,
  );
  await until(doctor, `el.messages.length === 2`);
  await el(doctor, `el.shadowRoot.querySelector('[part~="chat-button"]').click()`);
  await until(doctor, `!!el.shadowRoot.querySelector('[data-status="offered"]')`);
  await shot(doctor, 'chat-file-offer', size, theme);
  await el(doctor, `el.shadowRoot.querySelector('[part~="info-button"]').click()`);
  await until(doctor, `!!el.shadowRoot.querySelector('.code[data-code]:not([data-code=""])')`);
  await shot(doctor, 'info', size, theme);
  await el(doctor, `el.shadowRoot.querySelector('[part~="info"] details').open = true`);
  await shot(doctor, 'info-details', size, theme);
  await el(doctor, `el.shadowRoot.querySelector('[part~="info"] button').click()`);

  // The patient's network goes away: their page closes without hanging up.
  await patient.browserContext().close();
  await until(doctor, `el.state === 'reconnecting'`, 30_000);
  await shot(doctor, 'reconnecting', size, theme);
  await doctor.browserContext().close();

  // Ended by the other side: no "Try again", since joining again cannot bring them back.
  const room2 = `${room}-end`;
  const d2 = await open(browser, size, theme, 'doctor', room2);
  const p2 = await open(browser, size, theme, 'patient', room2);
  await el(d2, 'await el.join()');
  await el(p2, 'await el.join()');
  await until(d2, 'el.knocking');
  await el(d2, 'el.admit()');
  await until(p2, `el.state === 'connected'`);
  await el(d2, 'el.leave()');
  await until(p2, `el.state === 'ended'`);
  await shot(p2, 'ended', size, theme);

  // Connecting: relay only, with no relay to use, so the browsers keep looking for a path.
  const room3 = `${room}-connecting`;
  const none = { iceTransportPolicy: 'relay', iceServers: [] };
  const d3 = await open(browser, size, theme, 'doctor', room3, none);
  await el(d3, 'await el.join()');
  await el(p2, `el.room = ${JSON.stringify(room3)}; el.iceTransportPolicy = 'relay'; el.iceServers = []; await el.join()`);
  await until(d3, 'el.knocking');
  await el(d3, 'el.admit()');
  await until(p2, `el.state === 'connecting'`);
  await shot(p2, 'connecting', size, theme);

  // Failed: the consultation service cannot be reached (a port nobody listens on).
  const failed = await open(browser, size, theme, 'patient', `${room}-failed`, { server: 'ws://127.0.0.1:9/signal' });
  await el(failed, 'await el.join()');
  await until(failed, `el.state === 'failed'`);
  await shot(failed, 'failed', size, theme);
  for (const page of [d2, p2, d3, failed]) await page.browserContext().close();
}

/** The README's picture: the whole call screen with its controls, the doctor's view on a desktop. */
async function readmePicture(): Promise<void> {
  const room = `readme-${Date.now().toString(36)}`;
  const doctor = await open(browser, 'desktop', 'default', 'doctor', room);
  await doctor.setViewport({ width: 1000, height: 700 });
  await el(doctor, 'await el.join()');
  const patient = await open(browser, 'desktop', 'default', 'patient', room);
  await el(patient, 'await el.join()');
  await until(doctor, 'el.knocking');
  await el(doctor, 'el.admit()');
  await doctor.bringToFront();
  await until(doctor, playing);
  await doctor.screenshot({ path: new URL('../images/demo-call.png', import.meta.url).pathname as `${string}.png` });
  console.log('wrote docs/images/demo-call.png');
  await patient.browserContext().close();
  await doctor.browserContext().close();
}

try {
  const only = process.argv[2];
  if (!only || only === 'readme') await readmePicture();
  for (const size of Object.keys(SIZES) as Size[]) {
    for (const theme of ['default', 'light'] as Theme[]) if (!only || only === `${size}-${theme}`) await gallery(size, theme);
  }
} finally {
  await browser.close();
  await server.close();
}
