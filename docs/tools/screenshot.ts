// Takes the README's screenshot: the demo page in a call, doctor's view. Run: npm run docs:screenshot
import puppeteer from 'puppeteer-core';
import { createSignalingServer } from '../../dist/server/index.js';

const server = await createSignalingServer({ port: 0, demo: true, log: false });
const browser = await puppeteer.launch({
  executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
  headless: true,
  args: [
    '--no-sandbox',
    '--use-fake-device-for-media-stream',
    '--use-fake-ui-for-media-stream',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    '--no-first-run',
  ],
});
try {
  const room = 'demo-' + Date.now().toString(36);
  const doctor = await (await browser.createBrowserContext()).newPage();
  await doctor.setViewport({ width: 1000, height: 820 });
  await doctor.goto(`${server.url}/?room=${room}&role=doctor`);
  await doctor.evaluate(() => (document.getElementById('consult') as any).join());
  const patient = await (await browser.createBrowserContext()).newPage();
  await patient.goto(`${server.url}/?room=${room}&role=patient`);
  await patient.evaluate(() => (document.getElementById('consult') as any).join());
  await doctor.bringToFront();
  await doctor.waitForFunction(() => (document.getElementById('consult') as any).knocking, { polling: 100 });
  await doctor.evaluate(() => (document.getElementById('consult') as any).admit());
  await doctor.waitForFunction(
    () => {
      const el = document.getElementById('consult') as any;
      const video = el.shadowRoot.querySelector('video.remote') as HTMLVideoElement;
      return el.state === 'connected' && video.videoWidth > 0 && video.currentTime > 1;
    },
    { polling: 100, timeout: 20_000 },
  );
  await doctor.screenshot({ path: new URL('../images/demo-call.png', import.meta.url).pathname as `${string}.png` });
  console.log('wrote docs/images/demo-call.png');
} finally {
  await browser.close();
  await server.close();
}
