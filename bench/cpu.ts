// CPU time that Chromium's threads spend while a transfer runs, grouped by what they do, read from
// Linux's /proc: whether the time goes to the JavaScript of the pages (main threads, workers), to
// the threads that carry each packet (the pages' WebRTC and IPC threads, the network service), or
// to the browser process, which reads and stores files.
import { readdirSync, readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';

/** CPU seconds by group of threads. */
export type CpuSeconds = Record<string, number>;

const TICKS_PER_SECOND = 100; // USER_HZ, 100 on every Linux that Chromium supports

/** A thread's or process's name and its fields after the name, from its `stat` file. */
function readStat(path: string): { name: string; fields: string[] } {
  const stat = readFileSync(path, 'utf8');
  const end = stat.lastIndexOf(')');
  return { name: stat.slice(stat.indexOf('(') + 1, end), fields: stat.slice(end + 2).split(' ') };
}

function children(): Map<number, number[]> {
  const byParent = new Map<number, number[]>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const parent = Number(readStat(`/proc/${name}/stat`).fields[1]);
      byParent.set(parent, [...(byParent.get(parent) ?? []), Number(name)]);
    } catch {
      // gone meanwhile
    }
  }
  return byParent;
}

/** The group a process's threads count in, from its command line; renderers' threads are told apart by `threadGroup`. */
function processGroup(cmdline: string): string {
  const type = /--type=([\w-]+)/.exec(cmdline)?.[1];
  if (!type) return 'browser process';
  if (type === 'utility') return /NetworkService/.test(cmdline) ? 'network service' : 'other processes';
  return type === 'renderer' ? 'pages' : 'other processes';
}

function threadGroup(pid: number, tid: number, thread: string): string {
  if (tid === pid) return 'pages: main threads';
  if (thread.startsWith('DedicatedWorker')) return 'pages: workers';
  if (thread.startsWith('WebRTC') || thread === 'Chrome_ChildIOT') return 'pages: WebRTC and IPC';
  return 'pages: other threads';
}

/** Cumulative CPU ticks of every thread of the browser `root` and its descendants, by thread id, with its group. */
function sample(root: number): Map<number, { group: string; ticks: number }> {
  const byParent = children();
  const threads = new Map<number, { group: string; ticks: number }>();
  for (let queue = [root], pid = queue.pop(); pid !== undefined; pid = queue.pop()) {
    queue.push(...(byParent.get(pid) ?? []));
    try {
      const group = processGroup(readFileSync(`/proc/${pid}/cmdline`, 'utf8'));
      for (const tid of readdirSync(`/proc/${pid}/task`).map(Number)) {
        const { name, fields } = readStat(`/proc/${pid}/task/${tid}/stat`);
        const ticks = Number(fields[11]) + Number(fields[12]); // utime + stime
        threads.set(tid, { group: group === 'pages' ? threadGroup(pid, tid, name) : group, ticks });
      }
    } catch {
      // a process or thread that ended meanwhile
    }
  }
  return threads;
}

/**
 * Returns `measure(into, run)`, which runs `run` and adds the CPU seconds each group of threads of
 * the browser process `root` spent meanwhile to `into`; or undefined where there is no /proc to
 * read. A thread that starts meanwhile counts from zero; one that ends meanwhile is left out (the
 * time of a worker that ends with its transfer is lost).
 */
export function cpuMeter(root: number | undefined) {
  if (root === undefined) return undefined;
  try {
    readFileSync(`/proc/${root}/stat`);
  } catch {
    return undefined;
  }
  return async <T>(into: CpuSeconds, run: () => Promise<T>): Promise<T> => {
    const before = sample(root);
    const result = await run();
    for (const [tid, { group, ticks }] of sample(root)) {
      into[group] = (into[group] ?? 0) + (ticks - (before.get(tid)?.ticks ?? 0)) / TICKS_PER_SECOND;
    }
    return result;
  };
}

/**
 * Lines of a table: CPU seconds per GiB moved for each contender, by group of threads, then all
 * groups and the cores they kept busy on average (against the cores this machine has).
 */
export function cpuTable(contenders: { name: string; cpu: CpuSeconds; bytes: number; seconds: number }[]): string[] {
  const total = (cpu: CpuSeconds) => Object.values(cpu).reduce((a, b) => a + b, 0);
  const perGiB = (c: (typeof contenders)[number], s: number) => ((s / c.bytes) * 2 ** 30).toFixed(1);
  const groups = [...new Set(contenders.flatMap((c) => Object.keys(c.cpu)))].sort();
  const row = (label: string, cells: string[]) => `  ${label.padEnd(30)}${cells.map((c) => c.padStart(10)).join('')}`;
  return [
    row(
      'CPU s per GiB moved',
      contenders.map((c) => c.name),
    ),
    ...groups.map((g) =>
      row(
        g,
        contenders.map((c) => perGiB(c, c.cpu[g] ?? 0)),
      ),
    ),
    row(
      'all',
      contenders.map((c) => perGiB(c, total(c.cpu))),
    ),
    row(
      `cores busy (of ${availableParallelism()})`,
      contenders.map((c) => (total(c.cpu) / c.seconds).toFixed(2)),
    ),
  ];
}
