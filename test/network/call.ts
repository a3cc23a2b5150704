// A doctor and a patient in a call across the test network: the patient in namespace "a" (the
// link the tests disturb), the doctor in "b", the signaling server in "s".
import { TestNetwork } from './netns.js';
import { Party, type Sample } from './party.js';
import { ServerProcess } from './server.js';

export const delay = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Polls `check` every `everyMs` until it returns a truthy value. Only for what no event announces
 * (statistics); bounded by `timeoutMs`.
 */
export async function eventually<T>(check: () => T | Promise<T>, what: string, timeoutMs: number, everyMs = 200): Promise<T> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (performance.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms: ${what}`);
    await delay(everyMs);
  }
}

/** Payload bitrate of the sent video between two samples, in kbit/s. */
export const sentVideoKbps = (from: Sample, to: Sample) => ((to.videoBytesSent - from.videoBytesSent) * 8) / (to.at - from.at);

/** Joins the running server process has accepted, all roles, from its /metrics. */
export async function joins(party: Party): Promise<number> {
  const text = await party.fetchText('/metrics').catch(() => '');
  return [...text.matchAll(/^vc_joins_total\{[^}]*\}\s+(\d+)/gm)].reduce((sum, m) => sum + Number(m[1]), 0);
}

export const median = (values: number[]) => {
  const sorted = [...values].sort((x, y) => x - y);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};

export class Call {
  private constructor(
    readonly net: TestNetwork,
    readonly server: ServerProcess,
    readonly patient: Party,
    readonly doctor: Party,
  ) {}

  /** Builds the network, starts the server (with `serverArgs`) and both browsers, and connects the call. */
  static async start(serverArgs: string[] = []): Promise<Call> {
    const net = TestNetwork.create();
    const parties: Party[] = [];
    const server = new ServerProcess(net, undefined, serverArgs);
    try {
      await server.start();
      const room = `net-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
      const [patient, doctor] = await Promise.all([
        Party.open(net, 'a', server.origin, room, 'patient').then((p) => (parties.push(p), p)),
        Party.open(net, 'b', server.origin, room, 'doctor').then((p) => (parties.push(p), p)),
      ]);
      const call = new Call(net, server, patient, doctor);
      const knocked = doctor.until('knock', Boolean, 'a knock', 20_000);
      await Promise.all([doctor.join(), patient.join()]);
      await knocked;
      await doctor.admit();
      await Promise.all([patient.untilState('connected', 30_000), doctor.untilState('connected', 30_000)]);
      await Promise.all([call.untilMediaFlows(patient, 15_000), call.untilMediaFlows(doctor, 15_000)]);
      return call;
    } catch (err) {
      const seen = parties.map((p) => `${p.role}: ${p.states.map((s) => s.value).join(' → ')}; ${p.errors.slice(-5).join(' | ')}`);
      if (err instanceof Error) err.message += `\n${seen.join('\n')}`;
      await Promise.all(parties.map((p) => p.close()));
      await server.kill();
      net.destroy();
      throw err;
    }
  }

  /**
   * Resolves once `party` decodes new video frames and receives new audio packets (10 frames and
   * 10 packets past the first sample), with the time that took in ms.
   */
  async untilMediaFlows(party: Party, timeoutMs: number, everyMs = 100): Promise<number> {
    const started = performance.now();
    const first = await party.sample();
    let now = first;
    await eventually(
      async () => {
        now = await party.sample();
        return now.framesDecoded >= first.framesDecoded + 10 && now.audioPacketsReceived >= first.audioPacketsReceived + 10;
      },
      `${party.role} receives video and audio`,
      timeoutMs,
      everyMs,
    ).catch((err: Error) => {
      const fig = (s: Sample) =>
        `frames ${s.framesDecoded}, audio packets ${s.audioPacketsReceived}, video bytes sent ${s.videoBytesSent}, ICE ${s.iceState} (${s.iceLocalUfrag})`;
      err.message += `: from ${fig(first)} to ${fig(now)}\n${this.pageErrors()}`;
      throw err;
    });
    return performance.now() - started;
  }

  /**
   * The patient sends the doctor (who accepts it) a file of `bytes` pseudo-random bytes; once 4 MiB
   * have arrived, the patient's link goes down. Returns the file's SHA-256, what the doctor had
   * when the link went (nothing whole yet), and when that was.
   */
  async dropLinkDuringFile(bytes: number, seed: number): Promise<{ hash: string; atDrop: Awaited<ReturnType<Party['files']>>; downAt: number }> {
    await this.doctor.acceptFiles();
    const hash = await this.patient.sendFile(bytes, seed);
    await eventually(async () => (await this.doctor.files()).bytes >= 4 * 1024 * 1024, 'the file is under way', 30_000, 50);
    this.net.setLink('a', false);
    const downAt = performance.now();
    const atDrop = await this.doctor.files();
    if (atDrop.received.length) throw new Error('the file had arrived before the link went');
    return { hash, atDrop, downAt };
  }

  /** Everything each page logged as an error or warning, for a failure message. */
  pageErrors(): string {
    return [this.patient, this.doctor]
      .map((p) => {
        const q = p.quality.at(-1)?.value;
        const quality = q ? `${q.level}${q.videoPaused ? ', video paused' : ''}` : 'none';
        // Repeated messages (a reconnecting socket's refusals) once each.
        const errors = [...new Set(p.errors)].slice(-6).join(' | ') || 'none';
        return `${p.role} states ${p.states.map((s) => s.value).join(' → ')}; quality ${quality}; errors: ${errors}`;
      })
      .join('\n');
  }

  async close(): Promise<void> {
    await Promise.all([this.patient.close(), this.doctor.close()]);
    await this.server.kill();
    this.net.destroy();
  }
}
