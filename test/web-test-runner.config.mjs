// Browser tests: real Chromium from Debian, fake camera and microphone, and the real signaling
// server from dist/ (built by `npm test` first), started on a free port for the run. The interop
// test calls a peer page in Firefox ESR (also from Debian).
import { esbuildPlugin } from '@web/dev-server-esbuild';
import { chromeLauncher } from '@web/test-runner-chrome';
import { existsSync } from 'node:fs';
import { chromiumArgs as baseChromiumArgs, chromiumPath } from './support/chromium.mjs';
import { coturnPlugin } from './support/coturn-plugin.mjs';
import { peerPagesPlugin } from './support/peer-pages-plugin.mjs';
import { permissionsPlugin } from './support/permissions-plugin.mjs';
import { signalingPlugin } from './support/signaling-plugin.mjs';

const executablePath = chromiumPath;
if (!existsSync(executablePath)) {
  console.error(
    `Chromium is missing at ${executablePath}. Install it with: apt-get install -y chromium ` +
      '(or set CHROMIUM_PATH to another Chromium or Chrome).',
  );
  process.exit(1);
}
if (!existsSync(new URL('../dist/server/index.js', import.meta.url))) {
  console.error('dist/ is missing: run `npm run build` first (`npm test` does).');
  process.exit(1);
}

/** A host name that resolves to loopback but is not a secure context, for the insecure-page test. */
export const INSECURE_HOST = 'insecure.test';

export const chromiumArgs = [
  // Three fake cameras and microphones (fake_device_0/1/2). Chromium's second fake camera is a depth
  // camera that gives no frames, so the device tests choose between the first and the third.
  ...baseChromiumArgs({ fakeDevices: 3 }),
  `--host-resolver-rules=MAP ${INSECURE_HOST} 127.0.0.1`,
];

/**
 * A strict Content-Security-Policy for the page the CSP test loads: no inline script or style, no
 * eval, and connections only to this machine.
 */
export const STRICT_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self'",
  "media-src 'self' blob:",
  "connect-src 'self' ws://127.0.0.1:* ws://localhost:*",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

export default {
  rootDir: new URL('..', import.meta.url).pathname,
  files: ['test/browser/**/*.test.ts'],
  nodeResolve: { exportConditions: ['production'] },
  concurrency: 1,
  testFramework: { config: { timeout: 30000 } },
  testsFinishTimeout: 300000,
  browsers: [chromeLauncher({ launchOptions: { executablePath, headless: true, args: chromiumArgs } })],
  middleware: [
    (ctx, next) => {
      if (ctx.path === '/test/support/csp.html') ctx.set('Content-Security-Policy', STRICT_CSP);
      return next();
    },
  ],
  plugins: [
    esbuildPlugin({ ts: true, tsconfig: 'tsconfig.json' }),
    signalingPlugin(),
    // Firefox ESR starts only for the tests that call it; when it is missing those tests fail and say how to install it.
    peerPagesPlugin({ executablePath, baseArgs: chromiumArgs, firefoxPath: process.env.FIREFOX_PATH ?? '/usr/bin/firefox-esr' }),
    coturnPlugin(),
    permissionsPlugin(),
  ],
};
