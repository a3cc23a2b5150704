// Network namespaces for the shaped-network tests: two clients ("a", "b") on one bridge that lives
// in a third namespace ("s") with the signaling server. Addresses come from 10.250.0.0/16 and exist
// only inside these namespaces, so no test traffic ever leaves them.
//
//   ns a: eth0 10.250.N.2 ──veth── pa ┐
//                                      ├ br0 10.250.N.1 (ns s: signaling server, shaping, loss)
//   ns b: eth0 10.250.N.3 ──veth── pb ┘
//
// Everything that disturbs a client's link is done on the bridge side, in ns s, so that the
// browser sees a network that misbehaves rather than a local socket that refuses to send: a tbf
// on `pX` caps what the client receives, a tbf on an IFB fed from `pX`'s ingress caps what it
// sends, nftables in the bridge family drops packets at random, and `pX` going down takes the
// client's carrier away.
import { spawnSync } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';

export type Client = 'a' | 'b';

/** Runs `ip`, `tc` or `nft` and throws with its stderr when it fails. */
export function run(cmd: string, args: string[], input?: string): string {
  const r = spawnSync(cmd, args, { input, encoding: 'utf8', timeout: 10_000 });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed: ${r.stderr || r.error?.message || r.status}`);
  return r.stdout;
}

const onPath = (name: string) =>
  (process.env.PATH ?? '').split(delimiter).some((dir) => {
    try {
      accessSync(join(dir, name), constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });

/**
 * What this machine lacks to run the shaped-network tests, with how to get it; empty when ready.
 * `loss: false` leaves out what only random loss and upload caps need (nftables, IFB devices).
 */
export function missingPrerequisites({ loss = true } = {}): string[] {
  const chromium = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
  const missing: string[] = [];
  if (process.getuid?.() !== 0) missing.push('root (network namespaces need CAP_NET_ADMIN and CAP_SYS_ADMIN): run as root');
  if (!onPath('ip')) missing.push('ip: apt-get install -y iproute2');
  if (!onPath('tc')) missing.push('tc: apt-get install -y iproute2');
  if (loss && !onPath('nft')) missing.push('nft: apt-get install -y nftables');
  try {
    accessSync(chromium, constants.X_OK);
  } catch {
    missing.push(`Chromium at ${chromium}: apt-get install -y chromium (or set CHROMIUM_PATH)`);
  }
  if (missing.length === 0) {
    // Root in a container may still be refused namespaces or IFB devices: try once.
    const probe = `vcprobe${process.pid}`;
    try {
      run('ip', ['netns', 'add', probe]);
      if (loss) run('ip', ['-n', probe, 'link', 'add', 'ifb0', 'type', 'ifb']);
    } catch (err) {
      missing.push(`network namespaces${loss ? ' with IFB devices' : ''} (${(err as Error).message.trim()}): needs a privileged container or a VM`);
    } finally {
      spawnSync('ip', ['netns', 'del', probe]);
    }
  }
  return missing;
}

/**
 * The test suites' verdict on missing prerequisites: `undefined` when all is there; otherwise the
 * message to skip with, or (with CI=true, where skipping would hide the gap) a thrown error.
 */
export function skipUnlessReady(): string | undefined {
  const missing = missingPrerequisites();
  if (missing.length === 0) return undefined;
  const message = `shaped-network tests need: ${missing.join('; ')}`;
  if (process.env.CI === 'true') throw new Error(message);
  console.log(`# skipped: ${message}`);
  return message;
}

const PREFIX = 'vc-';
const nsName = (pid: number, id: string) => `${PREFIX}${pid}-${id}`;

/** Pids of the processes in a namespace (ours: we started every one of them). */
function pidsIn(ns: string): number[] {
  const r = spawnSync('ip', ['netns', 'pids', ns], { encoding: 'utf8', timeout: 5_000 });
  return r.status === 0 ? r.stdout.split(/\s+/).filter(Boolean).map(Number) : [];
}

/** Kills what runs in the namespace and deletes it; synchronous so that it can run on exit. */
export function destroyNamespace(ns: string): void {
  for (const pid of pidsIn(ns)) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      /* already gone */
    }
  }
  spawnSync('ip', ['netns', 'del', ns], { timeout: 5_000 });
}

/** Deletes namespaces left by earlier runs of this harness whose process no longer exists. */
export function removeStaleNamespaces(): void {
  const r = spawnSync('ip', ['netns', 'list'], { encoding: 'utf8', timeout: 5_000 });
  for (const line of r.stdout?.split('\n') ?? []) {
    const m = /^(vc-(\d+)-[a-z]+)\b/.exec(line);
    if (!m) continue;
    const pid = Number(m[2]);
    let alive = true;
    try {
      process.kill(pid, 0);
    } catch {
      alive = false;
    }
    if (!alive || pid === process.pid) destroyNamespace(m[1]);
  }
}

export interface Shape {
  /** Rate cap in kbit/s, in both directions of the client's link. */
  rateKbit?: number;
  /** Random loss in percent, in both directions. */
  lossPercent?: number;
}

/** The three namespaces and the operations on each client's link. */
export class TestNetwork {
  readonly ns: Record<Client | 's', string>;
  /** The bridge's address: where the signaling server listens. */
  readonly serverHost: string;
  readonly address: Record<Client, string>;
  #destroyed = false;
  readonly #onExit = () => this.destroy();

  private constructor() {
    this.ns = { a: nsName(process.pid, 'a'), b: nsName(process.pid, 'b'), s: nsName(process.pid, 's') };
    // One /24 per process, so that two runs' logs never show the same addresses.
    const subnet = `10.250.${process.pid % 250}`;
    this.serverHost = `${subnet}.1`;
    this.address = { a: `${subnet}.2`, b: `${subnet}.3` };
  }

  /** Creates the namespaces, the bridge and both links. Cleans up by itself if any step fails. */
  static create(): TestNetwork {
    removeStaleNamespaces();
    const net = new TestNetwork();
    process.once('exit', net.#onExit);
    try {
      net.#build();
    } catch (err) {
      net.destroy();
      throw err;
    }
    return net;
  }

  #ip(ns: string, ...args: string[]) {
    run('ip', ['-n', ns, ...args]);
  }

  #build() {
    const { a, b, s } = this.ns;
    for (const ns of [a, b, s]) {
      run('ip', ['netns', 'add', ns]);
      this.#ip(ns, 'link', 'set', 'lo', 'up');
    }
    this.#ip(s, 'link', 'add', 'br0', 'type', 'bridge');
    this.#ip(s, 'addr', 'add', `${this.serverHost}/24`, 'dev', 'br0');
    this.#ip(s, 'link', 'set', 'br0', 'up');
    for (const client of ['a', 'b'] as const) {
      const port = `p${client}`;
      this.#ip(s, 'link', 'add', port, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', this.ns[client]);
      this.#ip(s, 'link', 'set', port, 'master', 'br0');
      this.#ip(s, 'link', 'set', port, 'up');
      this.#ip(this.ns[client], 'addr', 'add', `${this.address[client]}/24`, 'dev', 'eth0');
      this.#ip(this.ns[client], 'link', 'set', 'eth0', 'up');
      // What the client sends enters pX; an IFB gives that direction an egress queue to shape.
      this.#ip(s, 'link', 'add', `ifb${client}`, 'type', 'ifb');
      this.#ip(s, 'link', 'set', `ifb${client}`, 'up');
      run('tc', ['-n', s, 'qdisc', 'add', 'dev', port, 'handle', 'ffff:', 'ingress']);
      run('tc', [
        '-n',
        s,
        'filter',
        'add',
        'dev',
        port,
        'parent',
        'ffff:',
        'protocol',
        'all',
        'u32',
        'match',
        'u32',
        '0',
        '0',
        'action',
        'mirred',
        'egress',
        'redirect',
        'dev',
        `ifb${client}`,
      ]);
    }
  }

  /**
   * Shapes a client's link in both directions; `{}` lifts every limit. A tbf queue holds about
   * 200 ms at the capped rate, like a modest home router.
   */
  shape(client: Client, { rateKbit, lossPercent }: Shape): void {
    const s = this.ns.s;
    for (const dev of [`p${client}`, `ifb${client}`]) {
      spawnSync('tc', ['-n', s, 'qdisc', 'del', 'dev', dev, 'root'], { timeout: 5_000 });
      if (rateKbit !== undefined) {
        // burst: at least one full-size frame plus some, or tbf refuses to pass anything.
        const burstBytes = Math.max(3_000, Math.round((rateKbit * 1000) / 8 / 50));
        run('tc', ['-n', s, 'qdisc', 'add', 'dev', dev, 'root', 'tbf', 'rate', `${rateKbit}kbit`, 'burst', String(burstBytes), 'latency', '200ms']);
      }
    }
    const table = `vcloss${client}`;
    spawnSync('ip', ['netns', 'exec', s, 'nft', 'delete', 'table', 'bridge', table], { timeout: 5_000, stdio: 'ignore' });
    if (lossPercent) {
      const p = Math.round(lossPercent);
      const port = `p${client}`;
      const drop = `numgen random mod 100 < ${p} drop`;
      run(
        'ip',
        ['netns', 'exec', s, 'nft', '-f', '-'],
        `table bridge ${table} {
          chain forward { type filter hook forward priority 0; policy accept;
            iifname "${port}" ${drop}
            oifname "${port}" ${drop}
          }
          chain input { type filter hook input priority 0; policy accept; iifname "${port}" ${drop}; }
          chain output { type filter hook output priority 0; policy accept; oifname "${port}" ${drop}; }
        }\n`,
      );
    }
  }

  /** Takes the client's carrier away (its side of the link goes NO-CARRIER), or gives it back. */
  setLink(client: Client, up: boolean): void {
    this.#ip(this.ns.s, 'link', 'set', `p${client}`, up ? 'up' : 'down');
  }

  /** Command prefix that runs a program inside a namespace. */
  exec(where: Client | 's'): string[] {
    return ['ip', 'netns', 'exec', this.ns[where]];
  }

  /** Kills whatever still runs in the namespaces and deletes them. Idempotent. */
  destroy(): void {
    if (this.#destroyed) return;
    this.#destroyed = true;
    process.removeListener('exit', this.#onExit);
    for (const ns of Object.values(this.ns)) destroyNamespace(ns);
  }
}
