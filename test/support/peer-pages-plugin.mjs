// Second pages for two-party tests: each opens in its own browser context (no shared storage or
// permissions with the test page), and the test drives it through commands.
import puppeteer from 'puppeteer-core';

/**
 * Browsers other than the test runner's, for failures that a flag of the whole browser decides:
 * `deny-media` has no fake permission prompt and camera and microphone denied for the page's
 * origin (a real refusal), `no-devices` has no fake camera or microphone at all.
 */
const VARIANTS = {
  'deny-media': ['--use-fake-device-for-media-stream'],
  'no-devices': ['--use-fake-ui-for-media-stream'],
};

/**
 * A web-test-runner plugin with the commands `vc:peer-open`, `vc:peer-eval` and `vc:peer-close`.
 * @param {{executablePath: string, baseArgs: string[]}} browsers how to start the variant browsers
 */
export function peerPagesPlugin({ executablePath, baseArgs }) {
  /** @type {Map<string, {page: import('puppeteer-core').Page, context: import('puppeteer-core').BrowserContext}>} */
  const peers = new Map();
  /** @type {Map<string, Promise<import('puppeteer-core').Browser>>} */
  const variants = new Map();
  let nextId = 0;

  const variantBrowser = (name) => {
    if (!variants.has(name)) {
      const args = [...baseArgs.filter((a) => !a.startsWith('--use-fake-')), ...VARIANTS[name]];
      variants.set(name, puppeteer.launch({ executablePath, headless: true, args }));
    }
    return variants.get(name);
  };

  return {
    name: 'vc-peer-pages',
    async serverStop() {
      await Promise.all([...variants.values()].map(async (b) => (await b).close()));
    },
    async executeCommand({ command, payload, session }) {
      if (!command.startsWith('vc:peer-')) return undefined;
      const testPage = session.browser.getPage(session.id);
      if (command === 'vc:peer-open') {
        const origin = payload.origin ?? new URL(testPage.url()).origin;
        const variant = payload.browser && payload.browser !== 'default' ? payload.browser : undefined;
        if (variant && !VARIANTS[variant]) throw new Error(`unknown browser variant ${variant}`);
        const browser = variant ? await variantBrowser(variant) : testPage.browser();
        const context = await browser.createBrowserContext();
        if (variant === 'deny-media') {
          const cdp = await browser.target().createCDPSession();
          for (const name of ['camera', 'microphone']) {
            await cdp.send('Browser.setPermission', {
              permission: { name },
              setting: 'denied',
              origin,
              browserContextId: context.id,
            });
          }
          await cdp.detach();
        }
        const page = await context.newPage();
        page.on('pageerror', (error) => console.error(`[peer page] ${error.message}`));
        // Every URL the page asks for, HTTP and WebSocket alike, from the browser's own network log.
        const requests = [];
        const cdp = await page.createCDPSession();
        await cdp.send('Network.enable');
        cdp.on('Network.requestWillBeSent', (e) => requests.push(e.request.url));
        cdp.on('Network.webSocketCreated', (e) => requests.push(e.url));
        await page.goto(origin + payload.path);
        // Every page the tests open uses the element; wait until its module has run.
        await page.waitForFunction(() => customElements.get('video-consult'), { polling: 50, timeout: 20_000 });
        // Opening a page hides the test page, which would stop its video rendering.
        await testPage.bringToFront();
        const id = String(++nextId);
        peers.set(id, { page, context, requests });
        return id;
      }
      const peer = peers.get(payload.id);
      if (!peer) throw new Error(`no peer page ${payload.id}`);
      if (command === 'vc:peer-eval') {
        // Wrapped, because a command that answers undefined counts as unknown to the runner.
        const value = await peer.page.evaluate(`(${payload.source})(...${JSON.stringify(payload.args ?? [])})`);
        return { value };
      }
      if (command === 'vc:peer-requests') return [...peer.requests];
      if (command === 'vc:peer-reload') {
        await peer.page.reload();
        await peer.page.waitForFunction(() => customElements.get('video-consult'), { polling: 50, timeout: 20_000 });
        await testPage.bringToFront();
        return true;
      }
      if (command === 'vc:peer-close') {
        peers.delete(payload.id);
        await peer.context.close();
        return true;
      }
      return undefined;
    },
  };
}
