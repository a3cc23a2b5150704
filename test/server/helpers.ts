/** Real `ws` clients against a real server, with a queue of parsed frames to await in order. */
import { once } from 'node:events';
import WebSocket from 'ws';
import { PROTOCOL_VERSION, SUBPROTOCOL, TOKEN_SUBPROTOCOL_PREFIX } from '../../src/protocol/index.js';
import { createSignalingServer, type SignalingServer, type SignalingServerOptions } from '../../src/server/index.js';

export type Frame = Record<string, any> & { type: string };

export class TestClient {
  readonly ws: WebSocket;
  readonly frames: Frame[] = [];
  #waiters: Array<() => void> = [];
  closeCode: number | null = null;
  closeReason = '';
  readonly closed: Promise<void>;

  constructor(url: string, opts: { token?: string; protocols?: string[]; wsOptions?: WebSocket.ClientOptions } = {}) {
    const protocols = opts.protocols ?? [SUBPROTOCOL, ...(opts.token ? [TOKEN_SUBPROTOCOL_PREFIX + opts.token] : [])];
    this.ws = new WebSocket(url, protocols, opts.wsOptions);
    this.ws.on('error', () => {});
    this.ws.on('message', (data) => {
      this.frames.push(JSON.parse(String(data)));
      this.#wake();
    });
    this.closed = new Promise((ok) =>
      this.ws.on('close', (code, reason) => {
        this.closeCode = code;
        this.closeReason = String(reason);
        this.#wake();
        ok();
      }),
    );
  }

  #wake(): void {
    const w = this.#waiters;
    this.#waiters = [];
    for (const f of w) f();
  }

  async open(): Promise<this> {
    if (this.ws.readyState !== WebSocket.OPEN) await once(this.ws, 'open');
    return this;
  }

  send(frame: Record<string, unknown>): void {
    this.ws.send(JSON.stringify({ v: PROTOCOL_VERSION, ...frame }));
  }

  sendRaw(data: string | Buffer, binary = false): void {
    this.ws.send(data, { binary });
  }

  /** The next frame (optionally: the next of this type, failing on any other first). */
  async next(type?: string, timeoutMs = 2000): Promise<Frame> {
    const deadline = Date.now() + timeoutMs;
    while (this.frames.length === 0) {
      if (this.closeCode !== null) throw new Error(`closed (${this.closeCode} ${this.closeReason}) while waiting for ${type ?? 'a frame'}`);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timed out waiting for ${type ?? 'a frame'}`);
      await new Promise<void>((ok) => {
        const t = setTimeout(ok, left);
        this.#waiters.push(() => {
          clearTimeout(t);
          ok();
        });
      });
    }
    const f = this.frames.shift()!;
    if (type && f.type !== type) throw new Error(`expected ${type}, got ${JSON.stringify(f)}`);
    return f;
  }

  /** Asserts no frame arrives within `ms`. */
  async quiet(ms = 100): Promise<void> {
    await new Promise((ok) => setTimeout(ok, ms));
    if (this.frames.length) throw new Error(`unexpected frame ${JSON.stringify(this.frames[0])}`);
  }

  async join(room: string, role: 'doctor' | 'patient', resume?: string): Promise<Frame> {
    await this.open();
    this.send({ type: 'join', room, role, ...(resume ? { resume } : {}) });
    return this.next('joined');
  }

  async waitClosed(timeoutMs = 2000): Promise<void> {
    await Promise.race([this.closed, new Promise((_, fail) => setTimeout(() => fail(new Error('socket did not close')), timeoutMs))]);
  }

  close(): void {
    this.ws.close();
  }
}

export const silent: SignalingServerOptions = { log: false };

/** Starts a server on port 0, returns it with a `client()` factory; `stop()` closes everything. */
export async function startServer(options: SignalingServerOptions = {}) {
  const server: SignalingServer = await createSignalingServer({ log: false, demo: true, ...options });
  const clients: TestClient[] = [];
  return {
    server,
    client(opts?: ConstructorParameters<typeof TestClient>[1]) {
      const c = new TestClient(server.signalUrl, opts);
      clients.push(c);
      return c;
    },
    async stop() {
      for (const c of clients) c.ws.terminate();
      await server.close();
    },
  };
}

/** A doctor and an admitted patient in `room`, with the admission frames consumed. */
export async function admittedPair(s: Awaited<ReturnType<typeof startServer>>, room: string) {
  const doctor = s.client();
  const patient = s.client();
  await doctor.join(room, 'doctor');
  const pj = await patient.join(room, 'patient');
  await doctor.next('knock');
  doctor.send({ type: 'admit' });
  const admitted = await patient.next('admitted');
  await patient.next('peer-joined');
  await doctor.next('peer-joined');
  return { doctor, patient, patientSession: pj.session as string, admittedSession: admitted.session as string };
}

import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestContext } from 'node:test';

/**
 * Whether a system program is installed. Missing, the test says what to install; under CI=true
 * that is a failure, not a skip, so CI cannot go green without the real service.
 */
export function requireProgram(t: TestContext, program: string, debianPackage: string): boolean {
  try {
    execFileSync('sh', ['-c', `command -v ${program}`], { stdio: 'ignore' });
    return true;
  } catch {
    const msg = `${program} is missing: install it with \`apt-get install -y ${debianPackage}\``;
    if (process.env.CI === 'true') throw new Error(msg);
    t.skip(msg);
    return false;
  }
}

/** A self-signed certificate for localhost made with openssl at test time, valid one day; `subjectAltName` as openssl takes it. */
export function selfSignedCertificate(subjectAltName: string): { cert: Buffer; key: Buffer } {
  const dir = mkdtempSync(join(tmpdir(), 'vc-tls-'));
  try {
    const [key, cert] = [join(dir, 'key.pem'), join(dir, 'cert.pem')];
    const args = ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=localhost'];
    execFileSync('openssl', [...args, '-addext', `subjectAltName=${subjectAltName}`, '-keyout', key, '-out', cert], { stdio: 'ignore' });
    return { cert: readFileSync(cert), key: readFileSync(key) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** A free TCP port on loopback. */
export async function freePort(): Promise<number> {
  const { createServer } = await import('node:net');
  return new Promise((ok, fail) => {
    const srv = createServer();
    srv.on('error', fail);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as { port: number }).port;
      srv.close(() => ok(port));
    });
  });
}
