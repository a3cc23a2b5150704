// Grants or withdraws a permission of the test page through the DevTools protocol, as a person
// does in the page's site settings: `executeServerCommand('vc:permission', { name, setting })`.
/** A web-test-runner plugin for the Chromium launcher (it needs the page's browser). */
export function permissionsPlugin() {
  return {
    name: 'vc-permissions',
    async executeCommand({ command, payload, session }) {
      if (command !== 'vc:permission') return undefined;
      const page = session.browser.getPage(session.id);
      const cdp = await page.browser().target().createCDPSession();
      try {
        await cdp.send('Browser.setPermission', {
          permission: { name: payload.name },
          setting: payload.setting,
          origin: new URL(page.url()).origin,
        });
      } finally {
        await cdp.detach();
      }
      return true;
    },
  };
}
