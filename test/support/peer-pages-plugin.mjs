// Second pages for two-party tests: each opens in its own browser context (no shared storage or
// permissions with the test page), and the test drives it through commands.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import puppeteer from 'puppeteer-core';

/**
 * Browsers other than the test runner's, for failures that a flag of the whole browser decides:
 * `deny-media` has no fake permission prompt and camera and microphone denied for the page's
 * origin (a real refusal), `deny-camera` the same with only the camera denied and the microphone
 * allowed, `no-devices` has no fake camera or microphone at all. `autoplay` keeps the fake devices
 * but not `--autoplay-policy=no-user-gesture-required`, and has a window (headful, on Xvfb):
 * headless Chromium never blocks sound, a browser with a window does until the person clicks.
 */
const VARIANTS = {
  'deny-media': ['--use-fake-device-for-media-stream'],
  'deny-camera': ['--use-fake-device-for-media-stream'],
  'no-devices': ['--use-fake-ui-for-media-stream'],
  autoplay: ['--use-fake-device-for-media-stream', '--use-fake-ui-for-media-stream'],
};

const XVFB = process.env.XVFB_PATH ?? '/usr/bin/Xvfb';

/**
 * Starts Xvfb on a display it picks itself (`-displayfd`) and answers the display and a stop
 * function. Missing Xvfb fails the test that needs it, with how to install it; it is never skipped.
 */
function startXvfb() {
  if (!existsSync(XVFB)) {
    const inCi = process.env.CI === 'true' ? ' (CI=true: .ci/run installs it)' : '';
    return Promise.reject(
      new Error(
        `Xvfb is missing at ${XVFB}, and the blocked-sound test needs a browser with a window (headless Chromium never blocks sound). ` +
          `Install it with: apt-get install -y xvfb (or set XVFB_PATH)${inCi}.`,
      ),
    );
  }
  return new Promise((resolve, reject) => {
    // fd 3 is where Xvfb writes the number of the display it took.
    const xvfb = spawn(XVFB, ['-displayfd', '3', '-screen', '0', '1280x800x24', '-nolisten', 'tcp'], { stdio: ['ignore', 'ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    xvfb.stderr.on('data', (d) => (err += d));
    xvfb.stdio[3].on('data', (d) => {
      out += d;
      if (out.includes('\n')) resolve({ display: `:${out.trim()}`, stop: () => xvfb.kill() });
    });
    xvfb.on('error', reject);
    xvfb.on('exit', (code) => reject(new Error(`Xvfb exited (${code}) before it took a display: ${err.trim()}`)));
  });
}

/**
 * Firefox ESR for interop calls, driven over WebDriver BiDi (there is no geckodriver here). Its
 * fake camera and microphone, no permission prompt, host candidates with real addresses instead of
 * mDNS names, loopback candidates (for a TURN server on 127.0.0.1), and autoplay with sound as
 * Chromium's `--autoplay-policy=no-user-gesture-required`.
 */
const FIREFOX_PREFS = {
  'media.navigator.streams.fake': true,
  'media.navigator.permission.disabled': true,
  'media.peerconnection.ice.obfuscate_host_addresses': false,
  'media.peerconnection.ice.loopback': true,
  'media.autoplay.default': 0,
  'media.autoplay.blocking_policy': 0,
};

/** How long one command waits for a browser launch or a running function: the runner allows 20 s. */
const COMMAND_WAIT_MS = 12_000;

const within = (promise, ms) =>
  new Promise((resolve, reject) => {
    const timer = setTimeout(() => resolve({ done: false }), ms);
    promise.then(
      (value) => {
        clearTimeout(timer);
        resolve({ done: true, value });
      },
      (error) => {
        clearTimeout(timer);
        reject(error);
      },
    );
  });

/**
 * A web-test-runner plugin with these commands (`executeServerCommand(name, payload)`):
 *
 * - `vc:peer-browser` `{browser}` → `{ready}`: starts a variant browser (once per run) and waits up
 *   to 12 s for it; asked again until ready, since each command must answer within the runner's
 *   20 s and a browser can take longer on a busy machine. `browser` is `deny-media`, `deny-camera`, `no-devices`,
 *   `autoplay` or `firefox`.
 * - `vc:peer-open` `{path, origin?, browser?}` → id: a page in a new context of the runner's
 *   Chromium or of a variant browser, once the element is defined in it.
 * - `vc:peer-eval` `{id, source, args?}` → `{value}`: runs a function in the page (short ones).
 * - `vc:peer-start` `{id, source, args?}` → run id, then `vc:peer-result` `{run}` → `{done: false}`
 *   or `{done: true, value}`: a longer function, awaited in rounds of up to 12 s.
 * - `vc:peer-requests` `{id}` → every URL the page asked for (Chromium only: it reads the CDP
 *   network log, which Firefox does not have).
 * - `vc:peer-click` `{id, x, y}`: a real mouse click at page coordinates (CDP input events, which
 *   count as the person's gesture, unlike `element.click()`).
 * - `vc:peer-reload` `{id}`, `vc:peer-close` `{id}`.
 * @param {{executablePath: string, baseArgs: string[], firefoxPath: string}} browsers how to start
 *   the variant browsers
 */
export function peerPagesPlugin({ executablePath, baseArgs, firefoxPath }) {
  /** @type {Map<string, {page: import('puppeteer-core').Page, context: import('puppeteer-core').BrowserContext, requests?: string[]}>} */
  const peers = new Map();
  /** @type {Map<string, Promise<import('puppeteer-core').Browser>>} */
  const variants = new Map();
  /** The Xvfb of the `autoplay` browser, once started. */
  let xvfb;
  /** Functions started with `vc:peer-start`, by run id. */
  const runs = new Map();
  let nextId = 0;

  const launchFirefox = () => {
    if (!existsSync(firefoxPath)) {
      const inCi = process.env.CI === 'true' ? ' (CI=true: .ci/run installs it)' : '';
      throw new Error(
        `Firefox ESR is missing at ${firefoxPath}, and the Chromium–Firefox tests need it. ` +
          `Install it with: apt-get install -y firefox-esr (or set FIREFOX_PATH to another Firefox)${inCi}.`,
      );
    }
    return puppeteer.launch({ browser: 'firefox', executablePath: firefoxPath, headless: true, extraPrefsFirefox: FIREFOX_PREFS });
  };

  const variantBrowser = (name) => {
    if (name !== 'firefox' && !VARIANTS[name]) throw new Error(`unknown browser variant ${name}`);
    if (!variants.has(name)) {
      const keep = (a) => !a.startsWith('--use-fake-') && !(name === 'autoplay' && a.startsWith('--autoplay-policy'));
      const args = name === 'firefox' ? [] : [...baseArgs.filter(keep), ...VARIANTS[name]];
      const launched =
        name === 'firefox'
          ? launchFirefox()
          : name === 'autoplay'
            ? (xvfb ??= startXvfb()).then(({ display }) =>
                puppeteer.launch({ executablePath, headless: false, args, env: { ...process.env, DISPLAY: display }, defaultViewport: null }),
              )
            : puppeteer.launch({ executablePath, headless: true, args });
      // A failed launch is not kept, so that the next test tries again and shows the same error.
      launched.catch(() => {
        variants.delete(name);
        if (name === 'autoplay') xvfb = undefined;
      });
      variants.set(name, launched);
    }
    return variants.get(name);
  };

  /**
   * Runs an expression in the page the way a script of the page would. Puppeteer's own evaluate
   * runs with `userGesture: true`, which counts as the person's click and lifts the autoplay block
   * for good, so the `autoplay` browser's pages are driven through this instead.
   */
  const withoutGesture = async (page, expression) => {
    const cdp = await page.createCDPSession();
    try {
      const { result, exceptionDetails } = await cdp.send('Runtime.evaluate', {
        expression,
        awaitPromise: true,
        returnByValue: true,
        userGesture: false,
      });
      if (exceptionDetails) throw new Error(exceptionDetails.exception?.description ?? exceptionDetails.text);
      return result.value;
    } finally {
      await cdp.detach();
    }
  };

  const untilDefined = async (page, gestures = true) => {
    // Every page the tests open uses the element; wait until its module has run.
    if (gestures) return page.waitForFunction(() => globalThis.customElements.get('video-consult'), { polling: 50, timeout: 20_000 });
    await withoutGesture(page, `customElements.whenDefined('video-consult').then(() => true)`);
  };

  return {
    name: 'vc-peer-pages',
    async serverStop() {
      const launched = await Promise.allSettled([...variants.values()]);
      await Promise.all(launched.map((b) => b.status === 'fulfilled' && b.value.close()));
      (await xvfb?.catch(() => undefined))?.stop();
    },
    async executeCommand({ command, payload, session }) {
      if (!command.startsWith('vc:peer-')) return undefined;
      const testPage = session.browser.getPage(session.id);
      if (command === 'vc:peer-browser') {
        const { done } = await within(variantBrowser(payload.browser), COMMAND_WAIT_MS);
        return { ready: done };
      }
      if (command === 'vc:peer-open') {
        const origin = payload.origin ?? new URL(testPage.url()).origin;
        const variant = payload.browser && payload.browser !== 'default' ? payload.browser : undefined;
        const browser = variant ? await variantBrowser(variant) : testPage.browser();
        const context = await browser.createBrowserContext();
        let permissions;
        if (variant === 'deny-media' || variant === 'deny-camera') {
          // Chromium drops these overrides when the session that set them detaches, so it stays
          // attached until the page closes. (Without an override a headless browser with no fake
          // prompt refuses both, so a detached session still looked right for deny-media.)
          const cdp = (permissions = await browser.target().createCDPSession());
          for (const name of ['camera', 'microphone']) {
            await cdp.send('Browser.setPermission', {
              permission: { name },
              setting: name === 'microphone' && variant === 'deny-camera' ? 'granted' : 'denied',
              origin,
              browserContextId: context.id,
            });
          }
        }
        const page = await context.newPage();
        page.on('pageerror', (error) => console.error(`[peer page] ${error.message}`));
        let requests;
        if (variant !== 'firefox') {
          // Every URL the page asks for, HTTP and WebSocket alike, from the browser's own network log.
          requests = [];
          const cdp = await page.createCDPSession();
          await cdp.send('Network.enable');
          cdp.on('Network.requestWillBeSent', (e) => requests.push(e.request.url));
          cdp.on('Network.webSocketCreated', (e) => requests.push(e.url));
        }
        await page.goto(origin + payload.path);
        await untilDefined(page, variant !== 'autoplay');
        // Opening a page hides the test page, which would stop its video rendering.
        await testPage.bringToFront();
        const id = String(++nextId);
        peers.set(id, { page, context, requests, permissions, gestures: variant !== 'autoplay' });
        return id;
      }
      if (command === 'vc:peer-result') {
        const pending = runs.get(payload.run);
        if (!pending) throw new Error(`no started function ${payload.run}`);
        const result = await within(pending, COMMAND_WAIT_MS).catch((error) => {
          runs.delete(payload.run);
          throw error;
        });
        if (result.done) runs.delete(payload.run);
        return result;
      }
      const peer = peers.get(payload.id);
      if (!peer) throw new Error(`no peer page ${payload.id}`);
      const expression = `(${payload.source})(...${JSON.stringify(payload.args ?? [])})`;
      const evaluate = () => (peer.gestures ? peer.page.evaluate(expression) : withoutGesture(peer.page, expression));
      if (command === 'vc:peer-eval') {
        // Wrapped, because a command that answers undefined counts as unknown to the runner.
        return { value: await evaluate() };
      }
      if (command === 'vc:peer-start') {
        const run = String(++nextId);
        const pending = evaluate();
        // Rejections are reported by `vc:peer-result`; this only keeps Node from calling them unhandled.
        pending.catch(() => {});
        runs.set(run, pending);
        return run;
      }
      if (command === 'vc:peer-requests') {
        if (!peer.requests) throw new Error('the request log reads the CDP network log, which only Chromium has');
        return [...peer.requests];
      }
      if (command === 'vc:peer-click') {
        await peer.page.bringToFront();
        await peer.page.mouse.click(payload.x, payload.y);
        return true;
      }
      if (command === 'vc:peer-reload') {
        await peer.page.reload();
        await untilDefined(peer.page, peer.gestures);
        await testPage.bringToFront();
        return true;
      }
      if (command === 'vc:peer-close') {
        peers.delete(payload.id);
        await peer.context.close();
        await peer.permissions?.detach();
        return true;
      }
      return undefined;
    },
  };
}
