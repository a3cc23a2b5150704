// The example apps in examples/ (React 18, React 19, Vue 3): each type-checks against the built
// declarations, builds with Vite, and places a call in Chromium with a doctor on a page that uses
// the script-tag build in German. The patient's callbacks see the call connect, the doctor sees
// the patient's name (a property, not an attribute), the token never reaches the DOM, and neither
// page requests anything from another origin; the doctor's page loads German and file transfer on
// demand from dist/cdn/. Needs `npm run build` and Chromium (apt-get install -y chromium).
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import puppeteer, { type Browser, type Page } from 'puppeteer-core';
import { build } from 'vite';
import { chromiumArgs, chromiumPath } from '../support/chromium.mjs';
import { createJoinToken, createSignalingServer, type SignalingServer } from '../../src/server/index.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const CHROMIUM = chromiumPath;
const SECRET = 'examples-test-secret-0123456789abcdef';
const CALL_TIMEOUT_MS = 60_000;
const run = promisify(execFile);

const EXAMPLES = [
  { name: 'react18', typecheck: 'tsc' },
  { name: 'react19', typecheck: 'tsc' },
  { name: 'vue', typecheck: 'vue-tsc' },
] as const;

/** The doctor's page: the script-tag build alone, in German, as a clinic's own page would load it. */
const DOCTOR_PAGE = `<!doctype html>
<html lang="de">
  <head><meta charset="utf-8" /><title>Praxis</title>
    <script type="module" src="/dist/cdn/video-consult.js"></script>
  </head>
  <body><video-consult consult-role="doctor" role="doctor" display-name="Dr. Ada" style="display:block;height:480px"></video-consult></body>
</html>`;

function requireChromium(): void {
  if (existsSync(CHROMIUM)) return;
  throw new Error(`Chromium is missing at ${CHROMIUM}: install it with \`apt-get install -y chromium\` (or set CHROMIUM_PATH).`);
}

describe('the example apps', () => {
  let site: string;
  let server: SignalingServer;
  let browser: Browser;

  before(async () => {
    assert.ok(existsSync(`${ROOT}dist/react/index.js`), 'dist/ is missing: run `npm run build` first (`npm test` does).');
    requireChromium();
    site = mkdtempSync(join(tmpdir(), 'vc-examples-'));
    writeFileSync(join(site, 'doctor.html'), DOCTOR_PAGE);
    server = await createSignalingServer({
      port: 0,
      host: '127.0.0.1',
      demo: true,
      demoRoot: site,
      distRoot: `${ROOT}dist`,
      tokenSecret: SECRET,
      log: false,
    });
    browser = await puppeteer.launch({
      executablePath: CHROMIUM,
      headless: true,
      protocolTimeout: CALL_TIMEOUT_MS,
      args: chromiumArgs(),
    });
  });

  after(async () => {
    await browser?.close();
    await server?.close();
    if (site) rmSync(site, { recursive: true, force: true });
  });

  for (const example of EXAMPLES) {
    describe(`examples/${example.name}`, () => {
      it(`type-checks (${example.typecheck})`, async () => {
        const bin = `${ROOT}node_modules/.bin/${example.typecheck}`;
        const result = await run(bin, ['-p', `${ROOT}examples/${example.name}/tsconfig.json`]).catch(
          (error: { stdout: string; stderr: string }) => error,
        );
        assert.equal(`${result.stdout}${result.stderr}`.trim(), '', `${example.typecheck} found problems in examples/${example.name}`);
      });

      it('builds with Vite', async () => {
        await build({
          configFile: `${ROOT}examples/${example.name}/vite.config.ts`,
          build: { outDir: join(site, example.name), emptyOutDir: true },
          logLevel: 'warn',
        });
        assert.ok(existsSync(join(site, example.name, 'index.html')), 'Vite wrote no index.html');
      });

      it('places a call with a doctor on the script-tag page', { timeout: CALL_TIMEOUT_MS * 2 }, async () => {
        assert.ok(existsSync(join(site, example.name, 'index.html')), 'the build failed, so there is nothing to load');
        const room = `ex-${example.name}-${Date.now().toString(36)}`;
        const signal = `ws://127.0.0.1:${server.port}/signal`;
        const token = (role: 'doctor' | 'patient') => createJoinToken({ secret: SECRET, room, role });
        const name = `Pat ${example.name}`;
        const doctor = await open(browser, `${server.url}/doctor.html`);
        const patient = await open(
          browser,
          `${server.url}/${example.name}/index.html?${new URLSearchParams({ server: signal, room, role: 'patient', token: token('patient'), name })}`,
        );

        await doctor.page.evaluate(
          (s, r, t) => Object.assign(document.querySelector('video-consult')!, { server: s, room: r, token: t }),
          signal,
          room,
          token('doctor'),
        );
        // German arrives on demand: the button's name says so. Clicked as a person would.
        await (await doctor.page.waitForSelector('::-p-aria(Sprechstunde beitreten)', { timeout: CALL_TIMEOUT_MS }))!.click();
        await (await doctor.page.waitForSelector('::-p-aria(Hereinlassen)', { timeout: CALL_TIMEOUT_MS }))!.click();

        await patient.page.waitForFunction(() => document.querySelector('#state')?.textContent === 'connected', {
          timeout: CALL_TIMEOUT_MS,
          polling: 100,
        });
        await patient.page.waitForFunction(() => document.querySelector('#peer')?.textContent === 'Dr. Ada', {
          timeout: CALL_TIMEOUT_MS,
          polling: 100,
        });
        await doctor.page.waitForFunction(
          (n) => document.querySelector('video-consult')?.peerName === n,
          { timeout: CALL_TIMEOUT_MS, polling: 100 },
          name,
        );

        const attributes = await patient.page.evaluate(() => document.querySelector('video-consult')!.getAttributeNames());
        assert.ok(!attributes.includes('token'), `the token is an attribute in the DOM: ${attributes.join(', ')}`);
        assert.ok(!attributes.includes('displayname'), `displayName became an attribute: ${attributes.join(', ')}`);

        const cdn = doctor.requests.filter((url) => url.pathname.startsWith('/dist/cdn/')).map((url) => url.pathname);
        for (const part of ['video-consult-de.js', 'video-consult-files.js']) {
          assert.ok(cdn.includes(`/dist/cdn/${part}`), `the doctor's page never loaded ${part}: ${cdn.join(', ')}`);
        }
        for (const side of [doctor, patient]) {
          const elsewhere = side.requests.filter((url) => url.host !== `127.0.0.1:${server.port}` && !['data:', 'blob:'].includes(url.protocol));
          assert.deepEqual(elsewhere.map(String), [], 'a page requested something from another origin');
          assert.deepEqual(side.errors, [], 'a page threw');
        }
        await Promise.all([doctor.page.browserContext().close(), patient.page.browserContext().close()]);
      });
    });
  }
});

async function open(browser: Browser, url: string): Promise<{ page: Page; requests: URL[]; errors: string[] }> {
  const context = await browser.createBrowserContext();
  const page = await context.newPage();
  const requests: URL[] = [];
  const errors: string[] = [];
  page.on('request', (request) => requests.push(new URL(request.url())));
  page.on('pageerror', (error) => errors.push((error as Error).message));
  await page.goto(url, { waitUntil: 'load', timeout: CALL_TIMEOUT_MS });
  return { page, requests, errors };
}
