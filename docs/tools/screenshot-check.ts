// Takes a screenshot of the demo's "test your setup" page after the check has finished.
import puppeteer from 'puppeteer-core';
import { createSignalingServer } from '../../dist/server/index.js';

const server = await createSignalingServer({ port: 0, demo: true, log: false });
const browser = await puppeteer.launch({
  executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
  headless: true,
  args: ['--no-sandbox', '--use-fake-device-for-media-stream', '--use-fake-ui-for-media-stream', '--disable-background-networking', '--no-first-run'],
});
try {
  const page = await browser.newPage();
  await page.setViewport({ width: 1000, height: 1400 });
  await page.goto(`${server.url}/check.html`);
  await page.waitForFunction(() => (document.getElementById('check') as any).report, { polling: 200, timeout: 60_000 });
  await page.screenshot({ path: new URL('../images/precall-check.png', import.meta.url).pathname as `${string}.png`, fullPage: true });
  console.log('wrote docs/images/precall-check.png');
} finally {
  await browser.close();
  await server.close();
}
