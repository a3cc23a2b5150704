// Second pages for two-party tests: each opens in its own browser context (no shared storage or
// permissions with the test page), and the test drives it through commands.

/** A web-test-runner plugin with the commands `vc:peer-open`, `vc:peer-eval` and `vc:peer-close`. */
export function peerPagesPlugin() {
  /** @type {Map<string, {page: import('puppeteer-core').Page, context: import('puppeteer-core').BrowserContext, session: string}>} */
  const peers = new Map();
  let nextId = 0;
  return {
    name: 'vc-peer-pages',
    async executeCommand({ command, payload, session }) {
      if (!command.startsWith('vc:peer-')) return undefined;
      const testPage = session.browser.getPage(session.id);
      if (command === 'vc:peer-open') {
        const context = await testPage.browser().createBrowserContext();
        const page = await context.newPage();
        const origin = payload.origin ?? new URL(testPage.url()).origin;
        page.on('pageerror', (error) => console.error(`[peer page] ${error.message}`));
        await page.goto(origin + payload.path);
        // Opening a page hides the test page, which would stop its video rendering.
        await testPage.bringToFront();
        const id = String(++nextId);
        peers.set(id, { page, context, session: session.id });
        return id;
      }
      const peer = peers.get(payload.id);
      if (!peer) throw new Error(`no peer page ${payload.id}`);
      if (command === 'vc:peer-eval') {
        // Wrapped, because a command that answers undefined counts as unknown to the runner.
        const value = await peer.page.evaluate(`(${payload.source})(...${JSON.stringify(payload.args ?? [])})`);
        return { value };
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
