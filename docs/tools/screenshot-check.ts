// Screenshots of the demo's "test your setup" page once the check has finished, on a phone
// (390x844) and a desktop (1280x800): docs/images/precall-check-phone.png and precall-check.png,
// and on a phone with the camera held by another program (precall-check-problem-phone.png).
// The demo server runs with a real coturn on loopback and hands its ICE servers to the check
// (`ice-servers`), so every step runs. Needs `npm run build` first, Chromium and coturn.
//
//   node --import tsx docs/tools/screenshot-check.ts
import puppeteer, { type Page } from 'puppeteer-core';
import { createSignalingServer } from '../../dist/server/index.js';
import { startCoturn } from '../../test/support/coturn.mjs';

const SHOTS = [
  { file: 'precall-check-phone.png', width: 390, height: 844, cameraBusy: false },
  { file: 'precall-check.png', width: 1280, height: 800, cameraBusy: false },
  { file: 'precall-check-problem-phone.png', width: 390, height: 844, cameraBusy: true },
];

/** getUserMedia failing for video the way Chromium does when another program holds the camera. */
function holdCamera(): void {
  const original = navigator.mediaDevices.getUserMedia.bind(navigator.mediaDevices);
  navigator.mediaDevices.getUserMedia = (c?: MediaStreamConstraints) =>
    c?.video ? Promise.reject(new DOMException('Could not start video source', 'NotReadableError')) : original(c);
}

/** Waits for the speakers question and answers it with a mouse click, as a person would. */
async function answerSoundQuestion(page: Page): Promise<void> {
  const yes = await page.waitForFunction(
    () => [...document.getElementById('check')!.shadowRoot!.querySelectorAll('button')].find((b) => b.textContent!.trim() === 'Yes, I heard it'),
    { polling: 200, timeout: 60_000 },
  );
  const element = yes.asElement()!;
  await element.scrollIntoView();
  const box = (await element.boundingBox())!;
  await page.mouse.click(box.x + box.width / 2, box.y + box.height / 2);
}

const turn = await startCoturn();
const server = await createSignalingServer({
  port: 0,
  demo: true,
  log: false,
  iceServers: [turn.urls.stun],
  turn: { secret: turn.secret, urls: [turn.urls.udp, turn.urls.tcp] },
});
const browser = await puppeteer.launch({
  executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
  headless: true,
  args: ['--no-sandbox', '--use-fake-device-for-media-stream', '--use-fake-ui-for-media-stream', '--disable-background-networking', '--no-first-run'],
});
try {
  for (const size of SHOTS) {
    const page = await browser.newPage();
    if (size.cameraBusy) await page.evaluateOnNewDocument(holdCamera);
    await page.setViewport({ width: size.width, height: size.height });
    await page.goto(`${server.url}/check.html`);
    await answerSoundQuestion(page);
    await page.waitForFunction(() => (document.getElementById('check') as unknown as { report?: unknown }).report, { polling: 200, timeout: 60_000 });
    const code = await page.evaluate(
      () => (document.getElementById('check') as unknown as { report: { verdict: { code: string } } }).report.verdict.code,
    );
    await page.evaluate(() => window.scrollTo(0, 0));
    const path = new URL(`../images/${size.file}`, import.meta.url).pathname as `${string}.png`;
    await page.screenshot({ path, fullPage: true });
    console.log(`wrote docs/images/${size.file} (${size.width}x${size.height}, verdict ${code})`);
    await page.close();
  }
} finally {
  await browser.close();
  await server.close();
  await turn.stop();
}
