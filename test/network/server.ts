// The real signaling server, run from dist/ as its own process inside the server namespace, so
// that a test can kill it like a crashed deployment and start it again on the same address.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { TestNetwork } from './netns.js';

const CLI = fileURLToPath(new URL('../../dist/server/cli.js', import.meta.url));
const RESUME_SECRET = `network-tests-${process.pid}-resume-secret`;

export class ServerProcess {
  readonly port: number;
  #child: ChildProcess | undefined;
  #output = '';

  constructor(
    readonly net: TestNetwork,
    port = 8080,
    /** More command-line options for the server, e.g. a shorter `--heartbeat-ms`. */
    readonly extraArgs: string[] = [],
  ) {
    // The namespace is new and empty: a fixed port cannot collide with anything.
    this.port = port;
    if (!existsSync(CLI)) throw new Error('dist/server/cli.js is missing: run `npm run build` first');
  }

  get origin(): string {
    return `http://${this.net.serverHost}:${this.port}`;
  }

  get running(): boolean {
    return this.#child !== undefined && this.#child.exitCode === null && this.#child.signalCode === null;
  }

  /** Starts the server and resolves once it listens; rejects if it exits or stays silent for 10 s. */
  async start(): Promise<void> {
    if (this.running) throw new Error('server already running');
    const args = [
      ...this.net.exec('s'),
      process.execPath,
      CLI,
      '--demo',
      '--host',
      this.net.serverHost,
      '--port',
      String(this.port),
      ...this.extraArgs,
    ];
    // One place-ticket secret for every start, as a deployment keeps it across restarts: an
    // admitted patient then rejoins the restarted server without knocking again.
    const env = { ...process.env, VC_RESUME_SECRET: RESUME_SECRET };
    const child = spawn(args[0], args.slice(1), { stdio: ['ignore', 'pipe', 'pipe'], env });
    this.#child = child;
    this.#output = '';
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => done(new Error(`server did not listen within 10 s:\n${this.#output}`)), 10_000);
      const done = (err?: Error) => {
        clearTimeout(timer);
        child.stdout!.off('data', onData);
        child.off('exit', onExit);
        if (err) reject(err);
        else resolve();
      };
      const onData = (chunk: Buffer) => {
        this.#output += chunk;
        if (this.#output.includes('listening on')) done();
      };
      const onExit = (code: number | null) => done(new Error(`server exited with ${code} before listening:\n${this.#output}`));
      child.stdout!.on('data', onData);
      child.stderr!.on('data', (chunk: Buffer) => (this.#output += chunk));
      child.once('exit', onExit);
    });
  }

  /** Kills the server outright (SIGKILL: no goodbye to the clients), and waits until it is gone. */
  async kill(): Promise<void> {
    const child = this.#child;
    if (!child || !this.running) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    await exited;
  }

  /** What the server printed, for failure messages. */
  get output(): string {
    return this.#output;
  }
}
