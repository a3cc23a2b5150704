// File transfer throughput and memory, side by side in one run, between two headless Chromium
// pages in separate browser contexts on loopback: ours, a raw data channel sender tuned like the
// WebRTC samples (this machine's ceiling), and PeerJS (binary serialization, a local `peer` server).
// Beside them, the work any transfer that meets issue 5 must do, alone (read the file, SHA-256 on
// both sides, write to disk on a worker; no protocol), which splits the gap to raw into that work
// and our protocol; on Linux, the CPU time of Chromium's threads during each, by group. Prints
// figures, never pass/fail; the last line is the JSON of issue 5.
//
//   node --import tsx bench/transfer.ts            (BENCH_MIB=256 BENCH_HEAP_MIB=1024 by default)
import { createServer, type Server } from 'node:http';
import { PeerServer } from 'peer';
import { cpuMeter, cpuTable, type CpuSeconds } from './cpu.js';
import { call, listen, mbps, MiB, startHarness } from './transfer-harness.js';

const SIZE = Number(process.env.BENCH_MIB ?? 256) * MiB;
const HEAP_SIZE = Number(process.env.BENCH_HEAP_MIB ?? 1024) * MiB;

const harness = await startHarness([new URL('./transfer.page.ts', import.meta.url).pathname]);

// The PeerJS broker, on loopback, on a port the OS picked for us a moment ago.
const probe = createServer();
const peerPort = await listen(probe);
await new Promise((r) => probe.close(r));
const peerServer = await new Promise<Server>((resolve) => {
  PeerServer({ host: '127.0.0.1', port: peerPort, path: '/' }, (server) => resolve(server as Server));
});

try {
  const [a, b] = [await harness.openPage('own'), await harness.openPage('default')];
  await Promise.all([call(a, 'setup'), call(b, 'setup')]);
  const answer = await call<string>(b, 'answer', await call<string>(a, 'offer'));
  const maxMessageSize = await call<number>(a, 'finish', answer);
  console.log(`connected: sctp.maxMessageSize ${maxMessageSize}; moving ${SIZE / MiB} MiB each way`);
  await call(a, 'prepareFile', SIZE);

  // Two rounds of raw, ours (received the element's way, and into a writable the page gives) and
  // PeerJS, and the best of each: the first transfers of a run are slower (JIT, SCTP warming up)
  // and the machine drifts, so each contender gets the same chances. The JSON's mbPerS is ours
  // received the element's way.
  const best = { raw: 0, required: 0, ours: 0, oursWritable: 0, peerjs: 0 };
  // CPU time of Chromium's threads during raw, the required work and ours, both rounds.
  const measure = cpuMeter(harness.browser.process()?.pid);
  const cpu = { raw: {} as CpuSeconds, required: {} as CpuSeconds, ours: {} as CpuSeconds };
  const seconds = { raw: 0, required: 0, ours: 0 };
  const timed = async (name: keyof typeof cpu, run: () => Promise<number>) => {
    const ms = measure ? await measure(cpu[name], run) : await run();
    seconds[name] += ms / 1000;
    return mbps(SIZE, ms);
  };
  let peerjsError: unknown;
  try {
    await Promise.all([call(a, 'peerjsOpen', 'bench-a', peerPort), call(b, 'peerjsOpen', 'bench-b', peerPort)]);
    await call(b, 'peerjsListen', SIZE);
  } catch (error) {
    peerjsError = error;
  }
  for (const round of [1, 2]) {
    await call(b, 'rawListen', SIZE);
    const raw = await timed('raw', () => call<number>(a, 'rawSend', SIZE));
    console.log(`round ${round}: raw tuned sender ${raw} MB/s`);
    await call(b, 'requiredListen', SIZE);
    const required = await timed('required', () => call<number>(a, 'requiredSend'));
    console.log(`round ${round}: the required work alone (file read, SHA-256 each side, written to disk on a worker; no protocol) ${required} MB/s`);

    const ours = async () => {
      const sent = await call<{ ms: number; hash: string }>(a, 'oursSend');
      const received = await call<{ hash: string; size: number }>(b, 'oursReceived');
      if (received.hash !== sent.hash || received.size !== SIZE) throw new Error('our transfer arrived different');
      return sent.ms;
    };
    await call(b, 'receiveInto', 'default');
    const oursMbps = await timed('ours', ours);
    console.log(`round ${round}: ours (disk file in; out as the element receives: to disk on a worker; SHA-256, acks) ${oursMbps} MB/s`);
    await call(b, 'receiveInto', 'writable');
    const oursWritableMbps = mbps(SIZE, await ours());
    console.log(`round ${round}: ours into a File System Access writable the page gives ${oursWritableMbps} MB/s`);

    let peerjs = 0;
    if (!peerjsError) {
      try {
        peerjs = mbps(SIZE, await call<number>(a, 'peerjsSend', 'bench-b'));
        console.log(`round ${round}: PeerJS binary ${peerjs} MB/s`);
      } catch (error) {
        peerjsError = error;
      }
    }
    best.raw = Math.max(best.raw, raw);
    best.required = Math.max(best.required, required);
    best.ours = Math.max(best.ours, oursMbps);
    best.oursWritable = Math.max(best.oursWritable, oursWritableMbps);
    best.peerjs = Math.max(best.peerjs, peerjs);
  }
  if (peerjsError) console.log(`PeerJS: not measured (${String(peerjsError)})`);
  const { raw: rawMbPerS, ours: mbPerS } = best;
  const peerjsMbPerS = peerjsError ? null : best.peerjs;

  console.log(
    `best of ${SIZE / MiB} MiB: raw ${rawMbPerS}, the required work alone ${best.required}, ours ${mbPerS}, ours into a writable ${best.oursWritable}, PeerJS ${peerjsMbPerS ?? '-'} MB/s`,
  );
  const ratio = (x: number, y: number) => (x / y).toFixed(3);
  console.log(`  the required work alone / raw ${ratio(best.required, rawMbPerS)}; ours / the required work alone ${ratio(mbPerS, best.required)}`);
  // Where the time goes. With as many cores busy as the machine has, the transfer is bound by CPU:
  // whatever the pages spend reading, hashing and writing is taken from the threads that carry the
  // packets.
  if (measure) {
    const table = cpuTable((['raw', 'required', 'ours'] as const).map((name) => ({ name, cpu: cpu[name], bytes: 2 * SIZE, seconds: seconds[name] })));
    for (const line of table) console.log(line);
  } else {
    console.log('CPU by thread: not measured (it is read from /proc, which this system does not have)');
  }

  // Memory: peak JS memory of both pages while HEAP_SIZE moves with our transfer, once received
  // the element's way and once into a writable.
  await call(a, 'removeFile');
  await call(a, 'prepareFile', HEAP_SIZE);
  const cdps = await Promise.all([a, b].map((p) => p.createCDPSession()));
  // Two figures per page. What it holds: every second, after a garbage collection, the V8 heap
  // plus the ArrayBuffer contents outside it (backingStorageSize, where this Chromium reports it);
  // the JSON's peakHeapMiB is the largest of these peaks. And between those samples, every 100 ms
  // without collecting, the same sum with garbage not yet collected: V8 lets ArrayBuffer garbage
  // grow to about 64 MiB before it collects, whoever allocates it.
  let peakHeap = 0;
  for (const into of ['default', 'writable'] as const) {
    await call(b, 'receiveInto', into);
    for (const cdp of cdps) await cdp.send('HeapProfiler.collectGarbage');
    const held = [0, 0];
    const withGarbage = [0, 0];
    const v8Only = [0, 0];
    // A page's figure includes its workers (the receiver writes files on one).
    const usage = async (i: number) => {
      let used = 0;
      let all = 0;
      for (const cdp of [cdps[i]!, ...[a, b][i]!.workers().map((w) => w.client)]) {
        const u = (await cdp.send('Runtime.getHeapUsage')) as { usedSize: number; backingStorageSize?: number };
        used += u.usedSize;
        all += u.usedSize + (u.backingStorageSize ?? 0);
      }
      v8Only[i] = Math.max(v8Only[i]!, used);
      return all;
    };
    let sampling = true;
    const sampler = (async () => {
      for (let tick = 0; sampling; tick++) {
        if (tick % 10 === 9) {
          const workers = [a, b].flatMap((p) => p.workers().map((w) => w.client));
          await Promise.all([...cdps, ...workers].map((c) => c.send('HeapProfiler.collectGarbage')));
          for (const i of [0, 1]) held[i] = Math.max(held[i]!, await usage(i));
        } else {
          for (const i of [0, 1]) withGarbage[i] = Math.max(withGarbage[i]!, await usage(i));
        }
        await new Promise((r) => setTimeout(r, 100));
      }
    })();
    const big = await call<{ ms: number; hash: string }>(a, 'oursSend');
    sampling = false;
    await sampler;
    const bigReceived = await call<{ hash: string; size: number }>(b, 'oursReceived');
    if (bigReceived.hash !== big.hash || bigReceived.size !== HEAP_SIZE) throw new Error('the large transfer arrived different');
    peakHeap = Math.max(peakHeap, ...held);
    const both = (x: number[]) => `sender ${(x[0]! / MiB).toFixed(1)} MiB, receiver ${(x[1]! / MiB).toFixed(1)} MiB`;
    console.log(
      `${HEAP_SIZE / MiB} MiB with ours ${into === 'default' ? 'received the element’s way' : 'into a writable'}: ${mbps(HEAP_SIZE, big.ms)} MB/s (sampled, with collections)`,
    );
    console.log(`  held (V8 heap + ArrayBuffers, after collecting): ${both(held)}`);
    console.log(`  with uncollected garbage: ${both(withGarbage)}; V8 heap alone: ${both(v8Only)}`);
  }
  await call(a, 'removeFile');
  const peakHeapMiB = Math.round((peakHeap / MiB) * 10) / 10;

  const round = (x: number) => Math.round(x * 1000) / 1000;
  console.log(
    JSON.stringify({
      bench: 'transfer',
      mbPerS,
      rawMbPerS,
      peerjsMbPerS,
      ratioRaw: round(mbPerS / rawMbPerS),
      ratioPeerjs: peerjsMbPerS ? round(mbPerS / peerjsMbPerS) : null,
      peakHeapMiB,
    }),
  );
} finally {
  await harness.close();
  peerServer.close();
}
// The PeerJS server keeps two intervals running after close(), which would keep this process alive.
process.exit(0);
