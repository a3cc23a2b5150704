/**
 * `npm run bench:connect`: how long a call takes to set up with `<video-consult>`, beside a minimal
 * hand-written RTCPeerConnection pair signalled through the same server, in the same run.
 *
 * Two Chromium pages in separate browser contexts (fake camera and microphone) load
 * bench/support/index.html from the real signaling server (dist/, demo mode, port 0, loopback).
 * For each call both sides' join is invoked at once; the doctor admits on the knock. A call's time
 * runs from the earlier of the two join invocations to the later of the two first decoded remote
 * video frames (inbound-rtp framesDecoded > 0, polled every 5 ms by the same code for both
 * variants). The variants alternate, one warm-up call of each is not counted.
 *
 * Last line: {"bench":"connect","medianMs":A,"rawMedianMs":B,"ratio":A/B}
 *
 * Options: --calls N (default 10), --trace (print each call's timeline), and for diagnosis only
 * --gum plain (every getUserMedia asks for {audio: true, video: true}, the element's too) or
 * --gum element (the raw pair asks for the element's constraints, 1280x720 ideal).
 */
import { existsSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import puppeteer, { type Browser, type Page } from 'puppeteer-core';
import type { SignalingServer, SignalingServerOptions } from '../src/server/index.js';
import { chromiumArgs, executablePath, fail, median, round1 } from './chromium.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const SERVER_ENTRY = ROOT + 'dist/server/index.js';
const CDN_BUNDLE = ROOT + 'dist/cdn/video-consult.js';
const PAGE_ROOT = ROOT + 'bench/support';

const argv = process.argv.slice(2);
const CALLS = argv.includes('--calls') ? Number(argv[argv.indexOf('--calls') + 1]) : 10;
if (!Number.isInteger(CALLS) || CALLS < 1) fail('--calls takes a positive whole number');
const TRACE = argv.includes('--trace');
const GUM = argv.includes('--gum') ? argv[argv.indexOf('--gum') + 1] : 'as-is';
if (!['as-is', 'plain', 'element'].includes(GUM!)) fail('--gum takes plain or element');
const WARMUP = 1;
const CALL_TIMEOUT_MS = 30_000;
const TOTAL_TIMEOUT_MS = 10 * 60_000;

type Variant = 'element' | 'raw';
type Marks = Array<[string, number]>;
interface SideResult {
  joinAt: number;
  frameAt?: number;
  error?: string;
  marks: Marks;
}
interface CallResult {
  variant: Variant;
  ms: number;
  doctorMs: number;
  patientMs: number;
  doctor: SideResult;
  patient: SideResult;
}

/**
 * The page side, bench/support/bench.js. Reached as `(globalThis as unknown as BenchWindow)` inside
 * page functions (they are serialized, so they can call no helper from this file).
 */
interface BenchWindow {
  benchReady?: boolean;
  bench: {
    prepare(variant: Variant, options: { signalUrl: string; room: string; role: 'doctor' | 'patient'; gum: string }): void;
    go(): number;
    result(): Promise<SideResult>;
    stop(): void;
    visibility(): DocumentVisibilityState;
  };
}

function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout;
  return Promise.race([
    promise.finally(() => clearTimeout(timer)),
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${what}: timed out after ${ms} ms`)), ms);
    }),
  ]);
}

async function runCall(variant: Variant, pages: { doctor: Page; patient: Page }, signalUrl: string, n: number): Promise<CallResult> {
  const room = `bench-${variant}-${n}-${Math.random().toString(36).slice(2, 8)}`;
  await Promise.all(
    (['doctor', 'patient'] as const).map((role) =>
      pages[role].evaluate((v, o) => (globalThis as unknown as BenchWindow).bench.prepare(v, o), variant, { signalUrl, room, role, gum: GUM! }),
    ),
  );
  // Both joins are invoked together (two CDP messages sent back to back).
  await Promise.all([
    pages.doctor.evaluate(() => (globalThis as unknown as BenchWindow).bench.go()),
    pages.patient.evaluate(() => (globalThis as unknown as BenchWindow).bench.go()),
  ]);
  const [doctor, patient] = await withTimeout(
    Promise.all([
      pages.doctor.evaluate(() => (globalThis as unknown as BenchWindow).bench.result()),
      pages.patient.evaluate(() => (globalThis as unknown as BenchWindow).bench.result()),
    ]),
    CALL_TIMEOUT_MS,
    `${variant} call ${n}`,
  );
  await Promise.all([
    pages.doctor.evaluate(() => (globalThis as unknown as BenchWindow).bench.stop()),
    pages.patient.evaluate(() => (globalThis as unknown as BenchWindow).bench.stop()),
  ]);
  if (doctor.frameAt === undefined || patient.frameAt === undefined) {
    throw new CallFailed(
      `${variant} call failed: ${[doctor.error && `doctor: ${doctor.error}`, patient.error && `patient: ${patient.error}`].filter(Boolean).join('; ')}\n` +
        `    doctor : ${formatMarks(doctor.marks)}\n    patient: ${formatMarks(patient.marks)}`,
    );
  }
  const start = Math.min(doctor.joinAt, patient.joinAt);
  return {
    variant,
    ms: Math.max(doctor.frameAt!, patient.frameAt!) - start,
    doctorMs: doctor.frameAt! - start,
    patientMs: patient.frameAt! - start,
    doctor,
    patient,
  };
}

/** One call that did not reach a decoded frame on both sides; the run goes on and counts it. */
class CallFailed extends Error {}

const formatMarks = (marks: Marks) => marks.map(([name, t]) => `${name}@${Math.round(t)}`).join(' ');

/** For each event, the median over calls of when it first happened after that side's join. */
function timelineMedians(results: CallResult[], role: 'doctor' | 'patient'): Array<[string, number, number]> {
  const seen = new Map<string, number[]>();
  for (const r of results) {
    const first = new Map<string, number>();
    for (const [name, t] of r[role].marks) if (!first.has(name)) first.set(name, t);
    first.set('FIRST-FRAME', r[role].frameAt! - r[role].joinAt);
    for (const [name, t] of first) seen.set(name, [...(seen.get(name) ?? []), t]);
  }
  return [...seen].map(([name, ts]) => [name, median(ts), ts.length] as [string, number, number]).sort((a, b) => a[1] - b[1]);
}

async function main() {
  if (!existsSync(SERVER_ENTRY) || !existsSync(CDN_BUNDLE)) fail('dist/ is missing: run `npm run build` first.');
  if (!existsSync(executablePath)) fail(`Chromium is missing at ${executablePath}: apt-get install -y chromium (or set CHROMIUM_PATH).`);

  const { createSignalingServer } = (await import(pathToFileURL(SERVER_ENTRY).href)) as {
    createSignalingServer(options: SignalingServerOptions): Promise<SignalingServer>;
  };
  const server = await createSignalingServer({
    port: 0,
    host: '127.0.0.1',
    demo: true,
    log: false,
    demoRoot: PAGE_ROOT,
    // Every connection comes from 127.0.0.1: keep the per-address limits out of the measurement.
    maxConnectionsPerIp: 1000,
    messageRate: 10_000,
    messageBurst: 10_000,
  });
  let browser: Browser | undefined;
  const deadline = setTimeout(() => {
    console.error(`bench:connect did not finish within ${TOTAL_TIMEOUT_MS / 1000} s`);
    void browser?.close().finally(() => process.exit(1));
    setTimeout(() => process.exit(1), 5000).unref();
  }, TOTAL_TIMEOUT_MS);
  deadline.unref();

  try {
    browser = await puppeteer.launch({ executablePath, headless: true, args: chromiumArgs, protocolTimeout: 60_000 });
    const open = async () => {
      const context = await browser!.createBrowserContext();
      const page = await context.newPage();
      page.on('pageerror', (error) => console.error(`[page] ${(error as Error).message}`));
      await page.goto(server.url.replace(/\/?$/, '/'), { waitUntil: 'load', timeout: 15_000 });
      await page.waitForFunction(() => (globalThis as unknown as BenchWindow).benchReady === true, { timeout: 15_000, polling: 50 });
      return page;
    };
    const pages = { doctor: await open(), patient: await open() };
    const visibility = await Promise.all([
      pages.doctor.evaluate(() => (globalThis as unknown as BenchWindow).bench.visibility()),
      pages.patient.evaluate(() => (globalThis as unknown as BenchWindow).bench.visibility()),
    ]);
    const version = await browser.version();
    console.log(`${version}; server ${server.url}; pages: doctor ${visibility[0]}, patient ${visibility[1]}`);
    console.log(`${CALLS} calls per variant, alternating, after ${WARMUP} warm-up call of each${GUM === 'as-is' ? '' : `; DIAGNOSTIC --gum ${GUM}`}`);

    const results: Record<Variant, CallResult[]> = { element: [], raw: [] };
    const failures: Record<Variant, number> = { element: 0, raw: 0 };
    for (let i = -WARMUP; i < CALLS; i++) {
      const order: Variant[] = (i + WARMUP) % 2 === 0 ? ['element', 'raw'] : ['raw', 'element'];
      for (const variant of order) {
        const label = i < 0 ? 'warm-up' : `call ${String(i + 1).padStart(2)}`;
        let r: CallResult;
        try {
          r = await runCall(variant, pages, server.signalUrl, i);
        } catch (error) {
          if (!(error instanceof CallFailed)) throw error;
          console.log(`${label} ${variant.padEnd(7)}  FAILED: ${error.message}`);
          if (i >= 0) failures[variant]++;
          await Promise.all([
            pages.doctor.evaluate(() => (globalThis as unknown as BenchWindow).bench.stop()),
            pages.patient.evaluate(() => (globalThis as unknown as BenchWindow).bench.stop()),
          ]);
          await new Promise((resolve) => setTimeout(resolve, 250));
          continue;
        }
        console.log(
          `${label} ${variant.padEnd(7)} ${r.ms.toFixed(1).padStart(7)} ms  (doctor ${r.doctorMs.toFixed(1)}, patient ${r.patientMs.toFixed(1)})`,
        );
        if (TRACE) {
          console.log(`    doctor : ${formatMarks(r.doctor.marks)}`);
          console.log(`    patient: ${formatMarks(r.patient.marks)}`);
        }
        if (i >= 0) results[variant].push(r);
        // Let the previous call's teardown settle before the next one starts.
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
    }

    for (const variant of ['element', 'raw'] as const) {
      for (const role of ['doctor', 'patient'] as const) {
        console.log(`\n${variant} ${role}: median ms after its join (calls seen)`);
        for (const [name, t, count] of timelineMedians(results[variant], role)) {
          console.log(`  ${t.toFixed(1).padStart(7)}  ${name}${count < results[variant].length ? ` (${count})` : ''}`);
        }
      }
    }

    if (failures.element || failures.raw) {
      console.log(`\nFAILED calls (no decoded frame within 20 s, left out of the medians): element ${failures.element}, raw ${failures.raw}`);
    }
    if (results.element.length < CALLS / 2 || results.raw.length < CALLS / 2) throw new Error('more than half of the calls failed');
    const medianMs = round1(median(results.element.map((r) => r.ms)));
    const rawMedianMs = round1(median(results.raw.map((r) => r.ms)));
    console.log(`\nmedian element ${medianMs} ms, raw ${rawMedianMs} ms`);
    console.log(JSON.stringify({ bench: 'connect', medianMs, rawMedianMs, ratio: Math.round((medianMs / rawMedianMs) * 100) / 100 }));
  } finally {
    clearTimeout(deadline);
    await browser?.close().catch(() => {});
    await server.close();
  }
}

main().then(
  () => process.exit(0),
  (error) => {
    console.error(error instanceof Error ? (error.stack ?? error.message) : error);
    process.exit(1);
  },
);
