/**
 * `npm run bench:server`: how many signaling connections one process holds, the memory each
 * costs, and relay latency at a fixed message rate, for this package's server and, in the same
 * run and under the same load, PeerServer from the `peer` package.
 *
 * Simulated clients are Node WebSocket clients on loopback (no browsers). Each server runs in its
 * own child process (this file with `--target`), so its memory is measured alone. Everything is
 * bounded: a fixed number of connections, a fixed number of messages, timeouts on every wait.
 *
 * Environment: BENCH_CONNECTIONS (default 15000), BENCH_RATE (messages/s, default 2000),
 * BENCH_SECONDS (default 5). The last line is the JSON summary.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import WebSocket from 'ws';

const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 15_000);
const RATE = Number(process.env.BENCH_RATE ?? 2_000);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const CONNECT_CONCURRENCY = 400;
const SELF = fileURLToPath(import.meta.url);

// ---- the server side (child process) ----------------------------------------------------------

async function runTarget(kind: string): Promise<void> {
  const gc = (globalThis as { gc?: () => void }).gc ?? (() => {});
  let port: number;
  if (kind === 'vc') {
    const { createSignalingServer } = await import('../src/server/index.js');
    const server = await createSignalingServer({
      demo: true,
      log: false,
      maxConnections: 100_000,
      maxRooms: 100_000,
      maxConnectionsPerIp: 100_000,
      maxPendingPerIp: 100_000,
      messageRate: 1e9,
      messageBurst: 1e9,
    });
    port = server.port;
  } else {
    const { PeerServer } = await import('peer');
    port = await new Promise<number>((ok) => {
      PeerServer({ port: 0, host: '127.0.0.1', concurrent_limit: 100_000, alive_timeout: 600_000 } as never, (server) =>
        ok((server.address() as { port: number }).port),
      );
    });
  }
  const report = () => {
    gc();
    const m = process.memoryUsage();
    process.stdout.write(JSON.stringify({ rss: m.rss, heap: m.heapUsed + m.external }) + '\n');
  };
  process.stdout.write(JSON.stringify({ port }) + '\n');
  createInterface({ input: process.stdin }).on('line', (line) => {
    if (line === 'mem') report();
    if (line === 'exit') process.exit(0);
  });
}

// ---- the load (parent) ------------------------------------------------------------------------

interface Target {
  child: ChildProcess;
  port: number;
  ask(cmd: string): Promise<Record<string, number>>;
}

async function startTarget(kind: 'vc' | 'peer'): Promise<Target> {
  const child = spawn(
    process.execPath,
    [...(process.env.BENCH_PROF ? ['--cpu-prof', '--cpu-prof-dir=.tmp/prof'] : []), '--expose-gc', '--import', 'tsx', SELF, '--target', kind],
    { stdio: ['pipe', 'pipe', 'inherit'] },
  );
  const lines = createInterface({ input: child.stdout! });
  const queue: Array<(line: string) => void> = [];
  lines.on('line', (line) => queue.shift()?.(line));
  const nextLine = () =>
    new Promise<Record<string, number>>((ok, fail) => {
      const t = setTimeout(() => fail(new Error(`${kind} target did not answer`)), 30_000);
      queue.push((line) => {
        clearTimeout(t);
        ok(JSON.parse(line));
      });
    });
  const first = await nextLine();
  return {
    child,
    port: first.port!,
    ask: (cmd) => {
      const p = nextLine();
      child.stdin!.write(cmd + '\n');
      return p;
    },
  };
}

/** One simulated participant. `onRelay` gets the sequence number of each relayed message. */
interface Sim {
  ws: WebSocket;
  send(seq: number): void;
}

const percentile = (sorted: number[], p: number) =>
  sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]! : NaN;
const round = (x: number, d = 2) => Math.round(x * 10 ** d) / 10 ** d;

async function pool<T>(n: number, concurrency: number, make: (i: number) => Promise<T>): Promise<Array<T | null>> {
  const out: Array<T | null> = new Array(n).fill(null);
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < n) {
        const i = next++;
        out[i] = await make(i).catch(() => null);
      }
    }),
  );
  return out;
}

function waitFor(ws: WebSocket, test: (msg: Record<string, unknown>) => boolean, ms = 20_000): Promise<void> {
  return new Promise((ok, fail) => {
    const t = setTimeout(() => fail(new Error('timeout')), ms);
    const onMessage = (data: WebSocket.RawData) => {
      if (test(JSON.parse(String(data)))) {
        clearTimeout(t);
        ws.off('message', onMessage);
        ok();
      }
    };
    ws.on('message', onMessage);
    ws.once('close', () => fail(new Error('closed')));
  });
}

function open(url: string, protocols: string[] | undefined, localAddress: string): Promise<WebSocket> {
  return new Promise((ok, fail) => {
    const ws = new WebSocket(url, protocols, { localAddress, perMessageDeflate: false });
    ws.on('error', fail);
    ws.once('open', () => ok(ws));
  });
}

/** Connects `pairs` doctor/patient pairs through our server, admitted and ready to relay. */
async function fillVc(port: number, pairs: number, localAddress: string, onRelay: (seq: number) => void): Promise<Array<[Sim, Sim]>> {
  const url = `ws://127.0.0.1:${port}/signal`;
  const made = await pool(pairs, CONNECT_CONCURRENCY / 2, async (i) => {
    const room = `b${i}`;
    const doctor = await open(url, ['video-consult.v1'], localAddress);
    const patient = await open(url, ['video-consult.v1'], localAddress);
    const send = (ws: WebSocket, m: object) => ws.send(JSON.stringify({ v: 1, ...m }));
    const dJoined = waitFor(doctor, (m) => m.type === 'joined');
    send(doctor, { type: 'join', room, role: 'doctor' });
    await dJoined;
    const knocked = waitFor(doctor, (m) => m.type === 'knock');
    send(patient, { type: 'join', room, role: 'patient' });
    await knocked;
    const ready = Promise.all([waitFor(doctor, (m) => m.type === 'peer-joined'), waitFor(patient, (m) => m.type === 'peer-joined')]);
    send(doctor, { type: 'admit' });
    await ready;
    const sim = (ws: WebSocket): Sim => {
      ws.on('message', (data) => {
        const m = JSON.parse(String(data));
        if (m.type === 'candidate') onRelay(Number(m.candidate.sdpMid));
      });
      return {
        ws,
        send: (seq) =>
          send(ws, {
            type: 'candidate',
            candidate: { candidate: 'candidate:1 1 udp 2122260223 192.0.2.1 54400 typ host', sdpMid: String(seq), sdpMLineIndex: 0 },
          }),
      };
    };
    return [sim(doctor), sim(patient)] as [Sim, Sim];
  });
  return made.filter((x): x is [Sim, Sim] => x !== null);
}

/** The same load on PeerServer: two clients per pair sending each other CANDIDATE messages. */
async function fillPeer(port: number, pairs: number, localAddress: string, onRelay: (seq: number) => void): Promise<Array<[Sim, Sim]>> {
  const made = await pool(pairs, CONNECT_CONCURRENCY / 2, async (i) => {
    const ids = [`d${i}`, `p${i}`];
    const sockets = await Promise.all(
      ids.map(async (id) => {
        const ws = await open(`ws://127.0.0.1:${port}/peerjs?key=peerjs&id=${id}&token=t${i}`, undefined, localAddress);
        return ws;
      }),
    );
    // OPEN arrives right after the upgrade; PeerServer queues messages for unknown ids anyway.
    const sim = (ws: WebSocket, dst: string): Sim => {
      ws.on('message', (data) => {
        const m = JSON.parse(String(data));
        if (m.type === 'CANDIDATE') onRelay(Number(m.payload.sdpMid));
      });
      return {
        ws,
        send: (seq) =>
          ws.send(
            JSON.stringify({
              type: 'CANDIDATE',
              dst,
              payload: { candidate: 'candidate:1 1 udp 2122260223 192.0.2.1 54400 typ host', sdpMid: String(seq), sdpMLineIndex: 0 },
            }),
          ),
      };
    };
    return [sim(sockets[0]!, ids[1]!), sim(sockets[1]!, ids[0]!)] as [Sim, Sim];
  });
  return made.filter((x): x is [Sim, Sim] => x !== null);
}

interface Figures {
  connections: number;
  kibPerConnection: number;
  p50Ms: number;
  p99Ms: number;
}

async function measure(kind: 'vc' | 'peer', localAddress: string): Promise<Figures> {
  const target = await startTarget(kind);
  try {
    const before = await target.ask('mem');
    const sent = new Map<number, number>();
    const latencies: number[] = [];
    const onRelay = (seq: number) => {
      const t0 = sent.get(seq);
      if (t0 !== undefined) {
        latencies.push(performance.now() - t0);
        sent.delete(seq);
      }
    };
    const t0 = performance.now();
    const pairs = await (kind === 'vc' ? fillVc : fillPeer)(target.port, Math.floor(CONNECTIONS / 2), localAddress, onRelay);
    const connections = pairs.length * 2;
    console.log(`${kind}: ${connections} connections in ${round((performance.now() - t0) / 1000, 1)} s`);
    await new Promise((ok) => setTimeout(ok, 1000));
    const after = await target.ask('mem');
    const kibPerConnection = connections ? (after.rss! - before.rss!) / 1024 / connections : NaN;
    console.log(
      `${kind}: rss +${round((after.rss! - before.rss!) / 1048576, 1)} MiB, heap+external +${round((after.heap! - before.heap!) / 1048576, 1)} MiB`,
    );
    // Relay at a fixed rate: every 10 ms, RATE/100 messages from random participants.
    const total = RATE * SECONDS;
    const perTick = Math.max(1, Math.round(RATE / 100));
    let seq = 0;
    await new Promise<void>((ok) => {
      const timer = setInterval(() => {
        for (let i = 0; i < perTick && seq < total; i++) {
          const pair = pairs[Math.floor(Math.random() * pairs.length)]!;
          const from = pair[Math.random() < 0.5 ? 0 : 1];
          sent.set(seq, performance.now());
          from.send(seq++);
        }
        if (seq >= total) {
          clearInterval(timer);
          ok();
        }
      }, 10);
    });
    const deadline = Date.now() + 5_000;
    while (sent.size && Date.now() < deadline) await new Promise((ok) => setTimeout(ok, 50));
    latencies.sort((a, b) => a - b);
    console.log(
      `${kind}: relayed ${latencies.length}/${total}, p50 ${round(percentile(latencies, 50))} ms, p99 ${round(percentile(latencies, 99))} ms`,
    );
    for (const [a, b] of pairs) {
      a.ws.terminate();
      b.ws.terminate();
    }
    return {
      connections,
      kibPerConnection: round(kibPerConnection),
      p50Ms: round(percentile(latencies, 50)),
      p99Ms: round(percentile(latencies, 99)),
    };
  } finally {
    target.child.stdin!.write('exit\n');
    await Promise.race([once(target.child, 'exit'), new Promise((ok) => setTimeout(ok, 5000))]);
    target.child.kill('SIGKILL');
  }
}

async function main(): Promise<void> {
  console.log(`bench:server: ${CONNECTIONS} connections, ${RATE} messages/s for ${SECONDS} s, loopback`);
  // Each server gets its own source address, so the first run's TIME_WAIT ports cannot starve the second.
  const ours = await measure('vc', '127.0.0.2');
  let peerServer: Figures | null = null;
  try {
    await import('peer');
    peerServer = await measure('peer', '127.0.0.3');
  } catch (err) {
    console.log(`PeerServer not measured: ${(err as Error).message} (npm install -D peer)`);
  }
  console.log(JSON.stringify({ bench: 'server', ...ours, peerServer }));
}

const targetIndex = process.argv.indexOf('--target');
if (targetIndex !== -1) void runTarget(process.argv[targetIndex + 1]!);
else
  main().catch((err: unknown) => {
    console.error(err);
    process.exit(1);
  });
