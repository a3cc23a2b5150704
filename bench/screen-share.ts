/**
 * `npm run bench:screen-share`: how fast a screen share starts and stops, beside a camera track
 * swap (replaceTrack) as the reference, in real headless Chromium over the real signaling server.
 *
 * One page (bench/support/screen-share.html, served by the server from dist/ in demo mode) holds
 * a doctor and a patient ConsultSession in one call. Per run, alternating:
 * - screen: from `startScreenShare()` called (Chromium's fake picker answers getDisplayMedia at
 *   once) to the first frame the patient decodes on the screen slot (inbound-rtp framesDecoded of
 *   that receiver's track, polled every 5 ms); then from `stopScreenShare()` to the patient's
 *   `media-change` {source: 'screen', on: false}.
 * - camera: the doctor's camera sender gets `replaceTrack(null)`; once the patient's camera slot
 *   has decoded nothing for 400 ms, from `replaceTrack(cameraTrack)` called to its first decoded frame.
 * No offer or answer is exchanged for either. Both sessions send SD (`quality: 'sd'`), so that the
 * quality adapter never reopens the camera during the runs. One warm-up run of each is not counted.
 *
 * Last line: {"bench":"screen-share","screenStartMs":A,"cameraSwapMs":B,"ratio":A/B,"screenStopMs":C}
 * Options: --runs N (default 12, at least 10).
 */
import { existsSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import puppeteer, { type Browser } from 'puppeteer-core';
import type { SignalingServer, SignalingServerOptions } from '../src/server/index.js';
import { chromiumArgs, executablePath, fail, median, round1 } from './chromium.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const SERVER_ENTRY = ROOT + 'dist/server/index.js';

const argv = process.argv.slice(2);
const RUNS = argv.includes('--runs') ? Number(argv[argv.indexOf('--runs') + 1]) : 12;
if (!Number.isInteger(RUNS) || RUNS < 10) fail('--runs takes a whole number of at least 10');
const WARMUP = 1;
const TOTAL_TIMEOUT_MS = 10 * 60_000;

interface ScreenRun {
  startMs: number;
  stopMs: number;
  /** From startScreenShare() to the patient's `screen-stream` with a stream (its `media` message said screen: true). */
  screenOnMs: number;
  /** How long getDisplayMedia took, inside startMs. */
  pickerMs: number;
}
interface BenchWindow {
  benchReady?: boolean;
  bench: {
    setup(signalUrl: string, room: string): Promise<void>;
    screen(): Promise<ScreenRun>;
    camera(): Promise<{ startMs: number }>;
    stop(): void;
  };
}

async function main() {
  if (!existsSync(SERVER_ENTRY)) fail('dist/ is missing: run `npm run build` first.');
  if (!existsSync(executablePath)) fail(`Chromium is missing at ${executablePath}: apt-get install -y chromium (or set CHROMIUM_PATH).`);
  const { createSignalingServer } = (await import(pathToFileURL(SERVER_ENTRY).href)) as {
    createSignalingServer(options: SignalingServerOptions): Promise<SignalingServer>;
  };
  const server = await createSignalingServer({ port: 0, host: '127.0.0.1', demo: true, log: false, demoRoot: ROOT + 'bench/support' });
  let browser: Browser | undefined;
  const deadline = setTimeout(() => {
    console.error(`bench:screen-share did not finish within ${TOTAL_TIMEOUT_MS / 1000} s`);
    void browser?.close().finally(() => process.exit(1));
    setTimeout(() => process.exit(1), 5000).unref();
  }, TOTAL_TIMEOUT_MS);
  deadline.unref();
  try {
    browser = await puppeteer.launch({ executablePath, headless: true, args: chromiumArgs, protocolTimeout: 60_000 });
    const page = await browser.newPage();
    page.on('pageerror', (error) => console.error(`[page] ${(error as Error).message}`));
    await page.goto(server.url.replace(/\/?$/, '/') + 'screen-share.html', { waitUntil: 'load', timeout: 15_000 });
    await page.waitForFunction(() => (globalThis as unknown as BenchWindow).benchReady === true, { timeout: 15_000, polling: 50 });
    const room = `bench-screen-${Math.random().toString(36).slice(2, 8)}`;
    await page.evaluate((url, r) => (globalThis as unknown as BenchWindow).bench.setup(url, r), server.signalUrl, room);
    console.log(`${await browser.version()}; server ${server.url}; ${RUNS} runs of each, alternating, after ${WARMUP} warm-up run of each`);

    const screen: ScreenRun[] = [];
    const camera: number[] = [];
    for (let i = -WARMUP; i < RUNS; i++) {
      const label = i < 0 ? 'warm-up' : `run ${String(i + 1).padStart(2)}`;
      const order = (i + WARMUP) % 2 === 0 ? (['screen', 'camera'] as const) : (['camera', 'screen'] as const);
      for (const variant of order) {
        if (variant === 'screen') {
          const r = await page.evaluate(() => (globalThis as unknown as BenchWindow).bench.screen());
          console.log(
            `${label} screen  start ${r.startMs.toFixed(1).padStart(6)} ms (getDisplayMedia ${r.pickerMs.toFixed(1)}, screen: true seen ${r.screenOnMs.toFixed(1)})  stop ${r.stopMs.toFixed(1)} ms`,
          );
          if (i >= 0) screen.push(r);
        } else {
          const r = await page.evaluate(() => (globalThis as unknown as BenchWindow).bench.camera());
          console.log(`${label} camera  swap  ${r.startMs.toFixed(1).padStart(6)} ms`);
          if (i >= 0) camera.push(r.startMs);
        }
      }
    }
    const screenStartMs = round1(median(screen.map((r) => r.startMs)));
    const cameraSwapMs = round1(median(camera));
    const screenStopMs = round1(median(screen.map((r) => r.stopMs)));
    const pickerMs = round1(median(screen.map((r) => r.pickerMs)));
    const screenOnMs = round1(median(screen.map((r) => r.screenOnMs)));
    console.log(
      `\nmedian: screen start ${screenStartMs} ms (of which getDisplayMedia ${pickerMs}; screen: true seen at ${screenOnMs}), ` +
        `camera swap ${cameraSwapMs} ms, screen stop ${screenStopMs} ms`,
    );
    console.log(
      JSON.stringify({
        bench: 'screen-share',
        screenStartMs,
        cameraSwapMs,
        ratio: Math.round((screenStartMs / cameraSwapMs) * 100) / 100,
        screenStopMs,
      }),
    );
    await page.evaluate(() => (globalThis as unknown as BenchWindow).bench.stop());
  } finally {
    clearTimeout(deadline);
    await browser?.close().catch(() => {});
    await server.close();
  }
}

main().then(
  () => process.exit(0),
  (error) => {
    console.error(error instanceof Error ? (error.stack ?? error.message) : error);
    process.exit(1);
  },
);
