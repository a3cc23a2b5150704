// What bench/transfer.ts and bench/transfer-ab.ts share on the Node side: their page bundled by
// esbuild and served on loopback, one headless Chromium with the test runner's flags, pages in the
// default or their own browser context, and calls into the page's `window.bench`.
import { build } from 'esbuild';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import puppeteer, { type Browser, type Page } from 'puppeteer-core';

// The browser flags the test runner uses (headless, no sandbox, no background networking).
const { chromiumArgs } = (await import('../test/web-test-runner.config.mjs' as string)) as { chromiumArgs: string[] };

export const MiB = 1024 * 1024;
const executablePath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
/** Every run is bounded: a stalled transfer ends the benchmark instead of hanging it. */
const RUN_TIMEOUT_MS = 20 * 60_000;

type Bench = Record<string, (...args: never[]) => unknown>;

export const listen = (server: Server) =>
  new Promise<number>((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port)));

export interface Harness {
  browser: Browser;
  origin: string;
  /**
   * A page with the scripts loaded. The receiver's page goes in the browser's default context,
   * which keeps its data on disk as a patient's or doctor's browser does; the sender's in a context
   * of its own, which is off the record (its origin-private file system lives in memory, behind
   * the browser process).
   */
  openPage(context: 'default' | 'own'): Promise<Page>;
  close(): Promise<void>;
}

/** Serves a page that loads `scripts` (TypeScript entry files, bundled, loaded in this order) and starts Chromium. */
export async function startHarness(scripts: string[]): Promise<Harness> {
  const bundles = await Promise.all(
    scripts.map(async (entry) => {
      const out = await build({
        entryPoints: [entry],
        bundle: true,
        write: false,
        format: 'esm',
        platform: 'browser',
        target: 'es2022',
        logLevel: 'error',
      });
      return out.outputFiles[0]!.text;
    }),
  );
  const html =
    '<!doctype html><meta charset="utf-8"><title>transfer bench</title>' +
    bundles.map((_, i) => `<script type="module" src="/${i}.js"></script>`).join('');
  const http = createServer((req, res) => {
    const script = /^\/(\d+)\.js$/.exec(req.url ?? '');
    const js = script ? bundles[Number(script[1])] : undefined;
    res.writeHead(js !== undefined || req.url === '/' ? 200 : 404, { 'content-type': js !== undefined ? 'text/javascript' : 'text/html' });
    res.end(js ?? (req.url === '/' ? html : ''));
  });
  const origin = `http://127.0.0.1:${await listen(http)}`;
  const browser = await puppeteer.launch({
    executablePath,
    headless: true,
    args: chromiumArgs,
    protocolTimeout: RUN_TIMEOUT_MS,
    dumpio: Boolean(process.env.BENCH_DEBUG),
  });
  return {
    browser,
    origin,
    async openPage(context) {
      const page = context === 'default' ? await browser.newPage() : await (await browser.createBrowserContext()).newPage();
      page.on('pageerror', (e) => console.error(`[page] ${String(e)}`));
      await page.goto(`${origin}/`);
      await page.waitForFunction(() => 'bench' in window);
      return page;
    },
    async close() {
      await browser.close();
      http.close();
    },
  };
}

/** Calls `bench[name](...args)` in the page. */
export const call = <R>(page: Page, name: string, ...args: unknown[]) => (
  process.env.BENCH_DEBUG && console.error(`-> ${name}`),
  page.evaluate((n: string, a: unknown[]) => (window as unknown as { bench: Bench }).bench[n]!(...(a as never[])), name, args) as Promise<R>
);

export const mbps = (bytes: number, ms: number) => Math.round((bytes / 1e6 / (ms / 1000)) * 100) / 100;
