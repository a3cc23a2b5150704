/**
 * `npm run bench:soak`: legitimate calls' signaling and a mix of hostile clients against one
 * server process with its default limits, for a bounded time. Prints legitimate joins served,
 * p99 relay latency, hostile clients dropped, and the server's memory (RSS and V8 heap + external,
 * after a GC) cold, and after each round once its clients are gone. Memory that keeps growing from
 * round to round is a leak; what the first round adds and later rounds do not (compiled code, the
 * allocator keeping freed pages) is the warm baseline. Loopback only: legitimate calls come from
 * 127.0.1.x, each hostile kind from its own 127.0.2.x address.
 *
 * Environment: SOAK_SECONDS (per round, default 20), SOAK_ROUNDS (default 3), SOAK_CALLS
 * (concurrent calls, default 20).
 */
import { spawn } from 'node:child_process';
import { connect } from 'node:net';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import WebSocket from 'ws';

const SECONDS = Number(process.env.SOAK_SECONDS ?? 20);
const ROUNDS = Math.max(1, Number(process.env.SOAK_ROUNDS ?? 3));
const CALLS = Number(process.env.SOAK_CALLS ?? 20);
const SELF = fileURLToPath(import.meta.url);

if (process.argv[2] === '--target') {
  const { createSignalingServer } = await import('../src/server/index.js');
  const server = await createSignalingServer({ demo: true, log: false, heartbeatMs: 2_000, joinTimeoutMs: 2_000, headersTimeoutMs: 2_000 });
  const gc = (globalThis as { gc?: () => void }).gc ?? (() => {});
  process.stdout.write(JSON.stringify({ port: server.port }) + '\n');
  createInterface({ input: process.stdin }).on('line', (line) => {
    if (line === 'mem') {
      gc();
      const m = process.memoryUsage();
      process.stdout.write(JSON.stringify({ rss: m.rss, heap: m.heapUsed + m.external }) + '\n');
    }
    if (line === 'exit') void server.close().then(() => process.exit(0));
  });
} else {
  await main();
}

async function main(): Promise<void> {
  const child = spawn(process.execPath, ['--expose-gc', '--import', 'tsx', SELF, '--target'], { stdio: ['pipe', 'pipe', 'inherit'] });
  const lines = createInterface({ input: child.stdout! });
  const waiting: Array<(l: string) => void> = [];
  lines.on('line', (l) => waiting.shift()?.(l));
  const ask = (cmd?: string) =>
    new Promise<Record<string, number>>((ok, fail) => {
      const t = setTimeout(() => fail(new Error('server did not answer')), 20_000);
      waiting.push((l) => (clearTimeout(t), ok(JSON.parse(l))));
      if (cmd) child.stdin!.write(cmd + '\n');
    });
  const { port } = await ask();
  const url = `ws://127.0.0.1:${port}/signal`;
  const memStart = await ask('mem');
  let until = 0;
  const stats = {
    joins: 0,
    latencies: [] as number[],
    dropped: { slowReader: 0, flooder: 0, idle: 0, halfOpen: 0, badHandshake: 0 },
    legitErrors: 0,
  };

  const open = (local: string) =>
    new Promise<{ ws: WebSocket; next: (type: string) => Promise<any>; closed: Promise<number> }>((ok, fail) => {
      const ws = new WebSocket(url, ['video-consult.v1'], { localAddress: local });
      const inbox: any[] = [];
      const wake: Array<() => void> = [];
      ws.on('error', () => {});
      ws.on('message', (d) => (inbox.push(JSON.parse(String(d))), wake.splice(0).forEach((f) => f())));
      const closed = new Promise<number>((c) => ws.on('close', (code) => (c(code), wake.splice(0).forEach((f) => f()))));
      const next = async (type: string) => {
        const deadline = Date.now() + 5000;
        for (;;) {
          const i = inbox.findIndex((m) => m.type === type || m.type === 'error');
          if (i >= 0) {
            const m = inbox.splice(i, 1)[0];
            if (m.type === 'error' && type !== 'error') throw new Error(m.code);
            return m;
          }
          if (ws.readyState >= WebSocket.CLOSING || Date.now() > deadline) throw new Error(`no ${type}`);
          await new Promise<void>((r) => {
            wake.push(r);
            setTimeout(r, 200);
          });
        }
      };
      ws.once('open', () => ok({ ws, next, closed }));
      ws.once('close', () => fail(new Error('closed before open')));
    });
  const send = (ws: WebSocket, m: object) => ws.readyState === WebSocket.OPEN && ws.send(JSON.stringify({ v: 1, ...m }));

  async function legitimate(i: number): Promise<void> {
    const local = `127.0.1.${i + 1}`;
    for (let round = 0; Date.now() < until; round++) {
      const room = `soak-${i}-${round}`;
      try {
        const doctor = await open(local);
        const patient = await open(local);
        send(doctor.ws, { type: 'join', room, role: 'doctor' });
        await doctor.next('joined');
        send(patient.ws, { type: 'join', room, role: 'patient' });
        await patient.next('joined');
        await doctor.next('knock');
        send(doctor.ws, { type: 'admit' });
        await patient.next('peer-joined');
        await doctor.next('peer-joined');
        stats.joins += 2;
        for (let k = 0; k < 10; k++) {
          const t0 = performance.now();
          send(doctor.ws, { type: 'candidate', candidate: { candidate: `candidate:${k} 1 udp 1 192.0.2.1 5000 typ host`, sdpMid: '0' } });
          await patient.next('candidate');
          stats.latencies.push(performance.now() - t0);
          await new Promise((r) => setTimeout(r, 50));
        }
        send(patient.ws, { type: 'leave' });
        send(doctor.ws, { type: 'leave' });
        await Promise.all([doctor.closed, patient.closed]);
      } catch {
        stats.legitErrors++;
      }
    }
  }

  async function slowReader(): Promise<void> {
    const sdp = 'v=0\r\na=x:' + 'x'.repeat(50 * 1024) + '\r\n';
    for (let round = 0; Date.now() < until; round++) {
      try {
        const room = `slow-${round}`;
        const a = await open('127.0.2.1');
        const b = await open('127.0.2.1');
        send(a.ws, { type: 'join', room, role: 'doctor' });
        await a.next('joined');
        send(b.ws, { type: 'join', room, role: 'patient' });
        await b.next('joined');
        await a.next('knock');
        send(a.ws, { type: 'admit' });
        await a.next('peer-joined');
        b.ws.pause();
        for (let k = 0; k < 150 && a.ws.readyState === WebSocket.OPEN; k++) send(a.ws, { type: 'description', description: { type: 'offer', sdp } });
        const left = await a.next('peer-left').catch(() => null);
        if (left) stats.dropped.slowReader++;
        a.ws.terminate();
        b.ws.terminate();
      } catch {
        await new Promise((r) => setTimeout(r, 200));
      }
    }
  }

  async function flooder(): Promise<void> {
    while (Date.now() < until) {
      try {
        const c = await open('127.0.2.2');
        for (let k = 0; k < 300; k++) send(c.ws, { type: 'admit' });
        if ((await c.closed) === 4429) stats.dropped.flooder++;
      } catch {
        stats.dropped.flooder++; // refused at the upgrade
        await new Promise((r) => setTimeout(r, 50));
      }
    }
  }

  async function idle(): Promise<void> {
    while (Date.now() < until) {
      const socks = await Promise.all(Array.from({ length: 10 }, () => open('127.0.2.3').catch(() => null)));
      for (const s of socks) if (s && (await s.closed) === 4408) stats.dropped.idle++;
    }
  }

  async function halfOpen(): Promise<void> {
    while (Date.now() < until) {
      await Promise.all(
        Array.from(
          { length: 30 },
          () =>
            new Promise<void>((ok) => {
              const sock = connect({ port, host: '127.0.0.1', localAddress: '127.0.2.4' });
              sock.on('error', () => {});
              sock.on('connect', () => sock.write('GET / HTTP/1.1\r\nHost: x\r\n'));
              sock.resume();
              sock.on('close', () => (stats.dropped.halfOpen++, ok()));
            }),
        ),
      );
    }
  }

  async function badHandshake(): Promise<void> {
    while (Date.now() < until) {
      await new Promise<void>((ok) => {
        const sock = connect({ port, host: '127.0.0.1', localAddress: '127.0.2.5' });
        sock.on('error', () => {});
        sock.on('connect', () =>
          sock.write(
            'GET /signal HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: bad\r\nSec-WebSocket-Version: 12\r\nSec-WebSocket-Protocol: video-consult.v1\r\n\r\n',
          ),
        );
        sock.resume();
        sock.on('close', () => (stats.dropped.badHandshake++, ok()));
      });
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  process.stdout.write(`bench:soak: ${CALLS} concurrent calls and five hostile kinds, ${ROUNDS} rounds of ${SECONDS} s, loopback\n`);
  const tracked = (name: string, p: Promise<void>) => (process.env.SOAK_DEBUG ? p.then(() => process.stderr.write(`${name} done\n`)) : p);
  const after: Array<Record<string, number>> = [];
  for (let r = 0; r < ROUNDS; r++) {
    until = Date.now() + SECONDS * 1000;
    await Promise.all([
      ...Array.from({ length: CALLS }, (_, i) => tracked(`call ${i}`, legitimate(i))),
      tracked('slow', slowReader()),
      tracked('flood', flooder()),
      tracked('idle', idle()),
      tracked('half-open', halfOpen()),
      tracked('bad', badHandshake()),
    ]);
    // Let the server's join and close timers run out, and quiet addresses be forgotten, then measure.
    await new Promise((res) => setTimeout(res, 4_000));
    after.push(await ask('mem'));
  }
  child.stdin!.write('exit\n');
  const sorted = stats.latencies.sort((a, b) => a - b);
  const p99 = sorted[Math.floor(sorted.length * 0.99)] ?? NaN;
  const hostile = Object.values(stats.dropped).reduce((a, b) => a + b, 0);
  const mib = (b: number) => (b / 1048576).toFixed(1);
  const list = (key: 'rss' | 'heap') => after.map((m) => mib(m[key]!)).join(', ');
  const first = after[0]!;
  const last = after[after.length - 1]!;
  process.stdout.write(`legitimate joins served: ${stats.joins} (failed rounds: ${stats.legitErrors})\n`);
  process.stdout.write(`relay latency p99: ${p99.toFixed(2)} ms over ${sorted.length} relays\n`);
  process.stdout.write(`hostile clients dropped: ${hostile} ${JSON.stringify(stats.dropped)}\n`);
  process.stdout.write(`server RSS (MiB): cold ${mib(memStart.rss!)}, after each round ${list('rss')}\n`);
  process.stdout.write(`server heap+external (MiB): cold ${mib(memStart.heap!)}, after each round ${list('heap')}\n`);
  process.stdout.write(
    `from the first round's end to the last: RSS ${(last.rss! - first.rss!) / 1048576 >= 0 ? '+' : ''}${mib(last.rss! - first.rss!)} MiB, heap+external ${last.heap! - first.heap! >= 0 ? '+' : ''}${mib(last.heap! - first.heap!)} MiB\n`,
  );
  process.stdout.write(
    JSON.stringify({
      bench: 'soak',
      seconds: SECONDS,
      rounds: ROUNDS,
      joins: stats.joins,
      legitErrors: stats.legitErrors,
      p99Ms: +p99.toFixed(2),
      rssColdMiB: +mib(memStart.rss!),
      rssAfterMiB: after.map((m) => +mib(m.rss!)),
      heapColdMiB: +mib(memStart.heap!),
      heapAfterMiB: after.map((m) => +mib(m.heap!)),
      hostileDropped: hostile,
      ...stats.dropped,
    }) + '\n',
  );
}
