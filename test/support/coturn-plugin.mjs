// Network and permission conditions for browser tests: real coturn servers, UDP to one of them
// dropped by nftables, a bandwidth cap in a network namespace, and a page whose camera and
// microphone are denied. Everything a test starts is undone by its stop command, and
// whatever a test forgot is undone when the runner stops.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { launch } from 'puppeteer-core';
import { startCoturn } from './coturn.mjs';

const run = promisify(execFile);
const isRoot = () => typeof process.getuid === 'function' && process.getuid() === 0;

/**
 * A condition this machine cannot set up: the test is skipped with the reason, except under
 * `CI=true`, where every case must run and the command fails instead.
 */
function cannot(reason) {
  if (process.env.CI === 'true') throw new Error(`${reason}; CI=true requires it`);
  return reason;
}

/**
 * A web-test-runner plugin with these commands (`executeServerCommand(name, payload)`):
 *
 * - `vc:coturn-start` `{ttlSeconds?, rateKbit?, tls?}` → `{id, host, port, relayPorts, urls, secret, iceServers}`:
 *   a coturn on loopback (see `coturn.mjs`). With `rateKbit`, it runs in a network namespace of its
 *   own behind a veth pair whose browser-side egress is capped by `tbf` (root only; otherwise
 *   `{id: null, reason}`, and under `CI=true` it fails).
 * - `vc:coturn-stop` `{id}`: stops it (and removes its namespace and UDP block).
 * - `vc:udp-block` `{id}` → `{blocked: true}` or `{blocked: false, reason}` (under `CI=true` it fails instead): drops every UDP packet to
 *   that coturn's listening port with an nftables table of its own (root and `nft` needed).
 * - `vc:udp-unblock` `{id}`: removes that table.
 * - `vc:chromium-open` `{deny?, ignoreCertificateErrors?, path?}` → `{id}`: a separate headless
 *   Chromium with one page at the test server's origin (`path` defaults to `/`). With `deny` its
 *   fake prompt denies camera and microphone (`--use-fake-ui-for-media-stream=deny`); with
 *   `ignoreCertificateErrors` it accepts the self-signed certificate of a `tls` coturn.
 * - `vc:chromium-start` `{id, source, args?}`: starts a function in that page;
 *   `vc:chromium-result` `{id, waitMs?}` → `{done: false}` or `{done: true, value}` / `{done: true, error}`
 *   (each command must answer within the runner's 20 s, so a long function is awaited in rounds);
 *   `vc:chromium-close` `{id}`.
 */
export function coturnPlugin() {
  /** @type {Map<string, {turn: import('./coturn.mjs').Coturn, netns?: string, table?: string}>} */
  const servers = new Map();
  /** Separate Chromium instances, by id. */
  const browsers = new Map();
  let nextId = 0;

  async function unblock(entry) {
    if (!entry.table) return;
    const table = entry.table;
    entry.table = undefined;
    await run('nft', ['delete', 'table', 'inet', table]).catch(() => {});
  }

  async function stopServer(id) {
    const entry = servers.get(id);
    if (!entry) return;
    servers.delete(id);
    await unblock(entry);
    await entry.turn.stop();
    if (entry.netns) await run('ip', ['netns', 'delete', entry.netns]).catch(() => {});
  }

  /** A namespace `vcpc<pid><n>` at 10.213.<n>.2 behind a veth pair; egress towards it capped. */
  async function cappedNamespace(n, rateKbit) {
    const netns = `vcpc${process.pid}-${n}`;
    const outside = `vcpc${n}o`;
    const inside = `vcpc${n}i`;
    const subnet = `10.213.${n % 250}`;
    const steps = [
      ['ip', 'netns', 'add', netns],
      ['ip', 'link', 'add', outside, 'type', 'veth', 'peer', 'name', inside],
      ['ip', 'link', 'set', inside, 'netns', netns],
      ['ip', 'addr', 'add', `${subnet}.1/30`, 'dev', outside],
      ['ip', 'link', 'set', outside, 'up'],
      ['ip', 'netns', 'exec', netns, 'ip', 'addr', 'add', `${subnet}.2/30`, 'dev', inside],
      ['ip', 'netns', 'exec', netns, 'ip', 'link', 'set', inside, 'up'],
      ['ip', 'netns', 'exec', netns, 'ip', 'link', 'set', 'lo', 'up'],
      // Both legs of the loopback (browser → relay and relay → browser) cross the veth pair; the cap
      // on the browser side bounds what goes up to the relay, and so the whole loop.
      ['tc', 'qdisc', 'add', 'dev', outside, 'root', 'tbf', 'rate', `${rateKbit}kbit`, 'burst', '32kb', 'latency', '400ms'],
    ];
    try {
      for (const [command, ...args] of steps) await run(command, args);
    } catch (error) {
      await run('ip', ['netns', 'delete', netns]).catch(() => {});
      await run('ip', ['link', 'delete', outside]).catch(() => {});
      throw error;
    }
    return { netns, host: `${subnet}.2` };
  }

  return {
    name: 'vc-coturn',
    async serverStop() {
      await Promise.all([...servers.keys()].map(stopServer));
      await Promise.all([...browsers.values()].map((b) => b.close()));
    },
    async executeCommand({ command, payload = {}, session }) {
      if (command === 'vc:coturn-start') {
        const id = String(++nextId);
        let place = {};
        if (payload.rateKbit) {
          if (!isRoot()) return { id: null, reason: cannot('a bandwidth cap needs root (network namespace and tc)') };
          place = await cappedNamespace(nextId, payload.rateKbit);
        }
        let turn;
        try {
          turn = await startCoturn({ tls: !!payload.tls, ...(place.host ? { host: place.host, netns: place.netns } : {}) });
        } catch (error) {
          if (place.netns) await run('ip', ['netns', 'delete', place.netns]).catch(() => {});
          throw error;
        }
        servers.set(id, { turn, netns: place.netns });
        const { host, port, relayPorts, urls, secret } = turn;
        return { id, host, port, relayPorts, urls, secret, iceServers: turn.iceServers({ ttlSeconds: payload.ttlSeconds ?? 600 }) };
      }
      if (command === 'vc:coturn-stop') {
        await stopServer(payload.id);
        return true;
      }
      if (command === 'vc:udp-block') {
        const entry = servers.get(payload.id);
        if (!entry) throw new Error(`no coturn ${payload.id}`);
        if (!isRoot()) return { blocked: false, reason: cannot('blocking UDP needs root (nftables)') };
        const table = `vc_udp_block_${process.pid}_${payload.id}`;
        try {
          await run('nft', ['add', 'table', 'inet', table]);
        } catch (error) {
          if (error.code === 'ENOENT') return { blocked: false, reason: cannot('nft is missing: apt-get install -y nftables') };
          throw error;
        }
        entry.table = table;
        await run('nft', ['add', 'chain', 'inet', table, 'out', '{ type filter hook output priority 0 ; }']);
        await run('nft', ['add', 'rule', 'inet', table, 'out', 'ip', 'daddr', entry.turn.host, 'udp', 'dport', String(entry.turn.port), 'drop']);
        return { blocked: true };
      }
      if (command === 'vc:udp-unblock') {
        const entry = servers.get(payload.id);
        if (entry) await unblock(entry);
        return true;
      }
      if (command === 'vc:chromium-open') {
        // `--use-fake-ui-for-media-stream` answers every prompt of the test browser with "allow" and
        // overrides permission settings (CDP Browser.setPermission 'denied' has no effect there),
        // so a denial runs in a Chromium of its own whose fake prompt answers "deny": the page
        // meets Chromium's real NotAllowedError path. Chromium also verifies TURN-over-TLS
        // certificates (a self-signed one gives ICE error 701), hence the second switch.
        const testPage = session.browser.getPage(session.id);
        const origin = new URL(testPage.url()).origin;
        const browser = await launch({
          executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
          headless: true,
          args: [
            '--no-sandbox',
            '--use-fake-device-for-media-stream',
            payload.deny ? '--use-fake-ui-for-media-stream=deny' : '--use-fake-ui-for-media-stream',
            ...(payload.ignoreCertificateErrors ? ['--ignore-certificate-errors'] : []),
            '--disable-background-networking',
            '--disable-component-update',
            '--disable-sync',
            '--no-first-run',
            '--autoplay-policy=no-user-gesture-required',
          ],
        });
        const id = String(++nextId);
        browsers.set(id, browser);
        const page = await browser.newPage();
        page.on('pageerror', (error) => console.error(`[separate page] ${error.message}`));
        // Any page of the test server's origin will do (a secure context that can import the
        // sources); the function imports what it needs.
        await page.goto(origin + (payload.path ?? '/'));
        return { id };
      }
      if (command === 'vc:chromium-start' || command === 'vc:chromium-result') {
        const browser = browsers.get(payload.id);
        if (!browser) throw new Error(`no separate Chromium ${payload.id}`);
        const [page] = (await browser.pages()).slice(-1);
        if (command === 'vc:chromium-start') {
          await page.evaluate(
            `window.__vcResult = Promise.resolve().then(() => (${payload.source})(...${JSON.stringify(payload.args ?? [])}))` +
              '.then((value) => ({ done: true, value }), (error) => ({ done: true, error: String(error && error.stack || error) }));',
          );
          return true;
        }
        // Answers within the runner's 20 s command limit: done, or not yet (ask again).
        return page.evaluate(
          `Promise.race([window.__vcResult, new Promise((resolve) => setTimeout(() => resolve({ done: false }), ${Math.min(payload.waitMs ?? 10_000, 15_000)}))])`,
        );
      }
      if (command === 'vc:chromium-close') {
        const browser = browsers.get(payload.id);
        browsers.delete(payload.id);
        await browser?.close();
        return true;
      }
      return undefined;
    },
  };
}
