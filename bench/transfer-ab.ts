// Our file transfer against a baseline revision of it, in interleaved rounds between two headless
// Chromium pages (as bench:transfer sets them up), with the raw data channel sender as the
// reference in each round. It tells whether a change to src/file-transfer makes transfers faster:
// a single transfer here varies by ±8–10 %, so one run of bench:transfer cannot show a 3 % effect;
// the median of 8 or more rounds can. Prints figures, never pass/fail; the last line is JSON.
//
//   npm run bench:transfer-ab -- [revision]     (HEAD by default; BENCH_MIB=128 BENCH_ROUNDS=8)
import { execFileSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { call, mbps, MiB, startHarness } from './transfer-harness.js';

const revision = process.argv[2] ?? 'HEAD';
const SIZE = Number(process.env.BENCH_MIB ?? 128) * MiB;
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 8);

const root = new URL('..', import.meta.url).pathname;
const commit = execFileSync('git', ['rev-parse', '--short', `${revision}^{commit}`], { cwd: root, encoding: 'utf8' }).trim();
// The baseline's src/ from git, in the ignored .tmp/ (esbuild finds node_modules from there), and
// an entry that hands its manager to the page.
const dir = `${root}.tmp/transfer-ab/${commit}`;
rmSync(dir, { recursive: true, force: true });
mkdirSync(dir, { recursive: true });
execFileSync('tar', ['-x', '-C', dir], { input: execFileSync('git', ['archive', commit, 'src'], { cwd: root, maxBuffer: 256 * MiB }) });
writeFileSync(
  `${dir}/baseline.ts`,
  "import { FileTransferManager } from './src/file-transfer/index.js';\n(globalThis as unknown as { benchBaseline: unknown }).benchBaseline = FileTransferManager;\n",
);

type Kind = 'raw' | 'baseline' | 'ours';
const contenders = ['baseline', 'ours'] as const;
const median = (x: number[]) => {
  const s = [...x].sort((p, q) => p - q);
  return s.length % 2 ? s[s.length >> 1]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};
const round3 = (x: number) => Math.round(x * 1000) / 1000;

const harness = await startHarness([`${dir}/baseline.ts`, new URL('./transfer-ab.page.ts', import.meta.url).pathname]);
try {
  const [a, b] = [await harness.openPage('own'), await harness.openPage('default')];
  for (const kind of ['raw', ...contenders] as Kind[]) {
    await call(a, 'setup', kind);
    await call(b, 'setup', kind);
    await call(a, 'finish', kind, await call<string>(b, 'answer', kind, await call<string>(a, 'offer', kind)));
  }
  await call(a, 'prepareFile', SIZE);
  console.log(`baseline ${commit} against this tree; ${SIZE / MiB} MiB per transfer, ${ROUNDS} rounds`);

  /** One transfer of `kind`; MB/s. Ours and the baseline must deliver the same bytes. */
  const transfer = async (kind: Kind): Promise<number> => {
    if (kind === 'raw') {
      await call(b, 'rawListen', SIZE);
      return mbps(SIZE, await call<number>(a, 'rawSend', SIZE));
    }
    const sent = await call<{ ms: number; hash: string }>(a, 'send', kind);
    const received = await call<{ hash: string; size: number }>(b, 'received', kind);
    if (received.hash !== sent.hash || received.size !== SIZE) throw new Error(`${kind}: the file arrived different`);
    return mbps(SIZE, sent.ms);
  };
  // One of each first, not counted: the first transfers of a run are slower (JIT, SCTP warming up).
  for (const kind of ['raw', ...contenders] as Kind[]) await transfer(kind);

  const ofRaw = { baseline: [] as number[], ours: [] as number[] };
  const oursToBaseline: number[] = [];
  for (let round = 1; round <= ROUNDS; round++) {
    // Raw first in every round; the two contenders swap places from one round to the next.
    const raw = await transfer('raw');
    const speed = { baseline: 0, ours: 0 };
    for (const kind of round % 2 ? contenders : [...contenders].reverse()) speed[kind] = await transfer(kind);
    for (const kind of contenders) ofRaw[kind].push(speed[kind] / raw);
    oursToBaseline.push(speed.ours / speed.baseline);
    console.log(
      `round ${round}: raw ${raw}, baseline ${speed.baseline}, ours ${speed.ours} MB/s; ours/baseline ${round3(speed.ours / speed.baseline)}`,
    );
  }
  const ahead = oursToBaseline.filter((r) => r > 1).length;
  const result = {
    bench: 'transfer-ab',
    baseline: commit,
    mib: SIZE / MiB,
    rounds: ROUNDS,
    baselineRatioRaw: round3(median(ofRaw.baseline)),
    oursRatioRaw: round3(median(ofRaw.ours)),
    oursToBaseline: round3(median(oursToBaseline)),
    oursAhead: ahead,
  };
  console.log(
    `medians: baseline ${result.baselineRatioRaw} of raw, ours ${result.oursRatioRaw} of raw; ours/baseline ${result.oursToBaseline}, ours ahead in ${ahead} of ${ROUNDS} rounds`,
  );
  await call(a, 'removeFile');
  console.log(JSON.stringify(result));
} finally {
  await harness.close();
  rmSync(dir, { recursive: true, force: true });
}
