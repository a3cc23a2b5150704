/**
 * `npm run bench:transfer-capped -- --mbit N`: bench:transfer (the same contenders, figures and
 * JSON line) on a link capped at N Mbit/s instead of bare loopback, to show what each protocol
 * costs when the link, not this machine's CPU, is the limit, as on a patient's home line. Needs
 * root (a network namespace of its own; see docs/testing-networks.md).
 *
 * The benchmark runs in a fresh namespace whose loopback carries all of its traffic (the pages'
 * UDP, the page server, the PeerJS broker) through a tbf of N Mbit/s, in both directions together.
 * A veth pair there gives Chromium an address to gather ICE candidates on (it skips loopback);
 * packets between the namespace's own addresses still go through loopback. No delay is added
 * (netem is missing on some kernels). BENCH_MIB and BENCH_HEAP_MIB pass through.
 */
import { spawn } from 'node:child_process';
import { destroyNamespace, missingPrerequisites, removeStaleNamespaces, run } from '../test/network/netns.js';

const i = process.argv.indexOf('--mbit');
const mbit = i < 0 ? NaN : Number(process.argv[i + 1]);
if (!Number.isFinite(mbit) || mbit <= 0) {
  console.error('usage: npm run bench:transfer-capped -- --mbit <Mbit/s>');
  process.exit(2);
}
const missing = missingPrerequisites({ loss: false });
if (missing.length > 0) {
  console.error(`bench:transfer-capped needs: ${missing.join('; ')}`);
  process.exit(1);
}

removeStaleNamespaces();
// The test harness's naming, so that its sweep of namespaces left behind covers this one too.
const ns = `vc-${process.pid}-cap`;
process.on('exit', () => destroyNamespace(ns));
run('ip', ['netns', 'add', ns]);
const inNs = (...args: string[]) => run('ip', ['-n', ns, ...args]);
inNs('link', 'set', 'lo', 'up');
inNs('link', 'add', 'v0', 'type', 'veth', 'peer', 'name', 'v1');
inNs('link', 'set', 'v0', 'up');
inNs('link', 'set', 'v1', 'up');
inNs('address', 'add', '10.251.0.1/24', 'dev', 'v0');
inNs('-6', 'address', 'add', 'fd00:251::1/64', 'dev', 'v0', 'nodad');
// Burst: at least a jiffy's worth at the rate; queue: 100 ms of it, as a home router might hold.
run('tc', ['-n', ns, 'qdisc', 'add', 'dev', 'lo', 'root', 'tbf', 'rate', `${mbit}mbit`, 'burst', '256kb', 'latency', '100ms']);
console.log(`loopback capped at ${mbit} Mbit/s (tbf, both directions together) in namespace ${ns}`);

const bench = spawn('ip', ['netns', 'exec', ns, process.execPath, '--import', 'tsx', new URL('./transfer.ts', import.meta.url).pathname], {
  stdio: 'inherit',
});
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => bench.kill(signal));
// No code means the benchmark was ended by a signal.
bench.on('exit', (code) => process.exit(code ?? 1));
