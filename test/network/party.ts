// One side of a call: a headless Chromium started inside a client namespace, showing the demo
// page with its <video-consult id="consult">, and what the page reports back to the test.
import { EventEmitter } from 'node:events';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import puppeteer, { type Browser, type Page } from 'puppeteer-core';
import { chromiumArgs, chromiumPath } from '../support/chromium.mjs';
import type { Client, TestNetwork } from './netns.js';

const CHROMIUM = chromiumPath;

/** The tests' flags, plus what a page nobody looks at needs to keep rendering. */
const CHROMIUM_ARGS = [
  ...chromiumArgs(),
  '--disable-background-timer-throttling',
  '--disable-renderer-backgrounding',
  '--disable-backgrounding-occluded-windows',
];

export type Role = 'doctor' | 'patient';

export interface QualityDetail {
  level: 'good' | 'fair' | 'poor' | 'lost';
  outgoing?: { level: string; rttMs?: number; lossPercent?: number; jitterMs?: number; bitrateKbps?: number; path?: string };
  incoming?: { level: string; rttMs?: number; lossPercent?: number; jitterMs?: number; bitrateKbps?: number; path?: string };
  videoPaused?: boolean;
}

/** The figures the tests read from `getStats()`, summed over streams of a kind. */
export interface Sample {
  /** `performance.now()` of the Node process when the sample was taken. */
  at: number;
  audioPacketsReceived: number;
  framesDecoded: number;
  videoBytesReceived: number;
  /** outbound-rtp video `bytesSent`: payload only, as the cap is compared against. */
  videoBytesSent: number;
  videoHeaderBytesSent: number;
  frameWidthSent: number;
  /** The ICE username fragments of the transport in use; a restart changes them. */
  iceLocalUfrag: string;
  iceState: string;
}

interface Logged<T> {
  at: number;
  value: T;
}

export class Party extends EventEmitter {
  readonly states: Logged<string>[] = [];
  readonly quality: Logged<QualityDetail>[] = [];
  readonly errors: string[] = [];
  knocks = 0;
  #closed = false;

  private constructor(
    readonly role: Role,
    readonly browser: Browser,
    readonly page: Page,
    readonly profileDir: string,
  ) {
    super();
  }

  /** Starts Chromium in `client`'s namespace and opens the demo page for `room`. */
  static async open(net: TestNetwork, client: Client, origin: string, room: string, role: Role): Promise<Party> {
    // puppeteer runs one executable with its own arguments: a wrapper puts it into the namespace.
    // `exec` all the way down keeps one pid, which puppeteer kills on close, and passes the pipe
    // file descriptors (3 and 4) through.
    const dir = mkdtempSync(join(tmpdir(), `vc-net-${client}-`));
    const wrapper = join(dir, 'chromium-in-netns');
    writeFileSync(wrapper, `#!/bin/sh\nexec ${net.exec(client).join(' ')} ${CHROMIUM} "$@"\n`);
    chmodSync(wrapper, 0o755);
    const browser = await puppeteer.launch({
      executablePath: wrapper,
      pipe: true,
      headless: true,
      userDataDir: join(dir, 'profile'),
      args: [...CHROMIUM_ARGS, `--unsafely-treat-insecure-origin-as-secure=${origin}`],
      timeout: 30_000,
      protocolTimeout: 60_000,
    });
    const page = await browser.newPage();
    const party = new Party(role, browser, page, dir);
    page.on('pageerror', (error) => party.errors.push(String((error as Error).message ?? error)));
    page.on('console', (msg) => {
      // The demo has no favicon; nothing else should 404.
      if (msg.text().includes('404') && msg.location().url?.endsWith('/favicon.ico')) return;
      if (msg.type() === 'error' || msg.type() === 'warn') party.errors.push(`${msg.type()}: ${msg.text()}`);
    });
    await page.exposeFunction('__vcReport', (type: string, detail: string) => party.#report(type, JSON.parse(detail)));
    await page.evaluateOnNewDocument(() => {
      const report = (window as unknown as { __vcReport: (t: string, d: string) => void }).__vcReport;
      for (const type of ['vc-state-change', 'vc-quality-change', 'vc-knock']) {
        document.addEventListener(type, (event) => report(type, JSON.stringify((event as CustomEvent).detail ?? null)));
      }
    });
    await page.goto(`${origin}/?${new URLSearchParams({ room, role })}`, { timeout: 20_000 });
    await page.waitForFunction(() => customElements.get('video-consult'), { polling: 50, timeout: 20_000 });
    return party;
  }

  #report(type: string, detail: Record<string, unknown> | null) {
    const at = performance.now();
    if (type === 'vc-state-change' && detail) {
      this.states.push({ at, value: String(detail.state) });
      this.emit('state', detail.state);
    } else if (type === 'vc-quality-change' && detail) {
      this.quality.push({ at, value: detail as unknown as QualityDetail });
      this.emit('quality', detail);
    } else if (type === 'vc-knock' && detail?.waiting) {
      this.knocks++;
      this.emit('knock', true);
    }
  }

  get state(): string {
    return this.states.at(-1)?.value ?? 'idle';
  }

  get qualityLevel(): string | undefined {
    return this.quality.at(-1)?.value.level;
  }

  /** Resolves when `predicate` holds for the latest event of `kind`, now or later; rejects after `timeoutMs`. */
  until<T>(kind: 'state' | 'quality' | 'knock', predicate: (value: T) => boolean, what: string, timeoutMs: number): Promise<T> {
    const current = kind === 'state' ? this.state : kind === 'quality' ? this.quality.at(-1)?.value : this.knocks > 0 ? true : undefined;
    if (current !== undefined && predicate(current as T)) return Promise.resolve(current as T);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.off(kind, on);
        reject(
          new Error(`${this.role}: ${what} did not happen within ${timeoutMs} ms (state ${this.state}, quality ${this.qualityLevel ?? 'none'})`),
        );
      }, timeoutMs);
      const on = (value: T) => {
        if (!predicate(value)) return;
        clearTimeout(timer);
        this.off(kind, on);
        resolve(value);
      };
      this.on(kind, on);
    });
  }

  untilState(state: string, timeoutMs = 20_000): Promise<string> {
    return this.until<string>('state', (s) => s === state, `state ${state}`, timeoutMs);
  }

  join(): Promise<void> {
    return this.page.evaluate(() => (document.getElementById('consult') as unknown as { join(): Promise<void> }).join());
  }

  admit(): Promise<void> {
    return this.page.evaluate(() => (document.getElementById('consult') as unknown as { admit(): void }).admit());
  }

  /** Sets the element's `quality` attribute (auto, hd, sd, audio-only). */
  setQuality(quality: string): Promise<void> {
    return this.page.evaluate((q) => document.getElementById('consult')!.setAttribute('quality', q), quality);
  }

  /** `getDiagnostics()` if the element has it, else undefined. */
  diagnostics(): Promise<unknown> {
    return this.page.evaluate(async () => {
      const el = document.getElementById('consult') as unknown as { getDiagnostics?: () => unknown };
      // It may be a plain object, a JSON string or a promise of either.
      const snapshot = typeof el.getDiagnostics === 'function' ? await el.getDiagnostics() : undefined;
      return typeof snapshot === 'string' ? JSON.parse(snapshot) : JSON.parse(JSON.stringify(snapshot ?? null));
    });
  }

  /**
   * Offers a file of `size` pseudo-random bytes to the other side through the element and returns
   * its SHA-256 (hex) at once; `fileSent()` resolves when the other side confirmed it whole.
   */
  sendFile(size: number, seed: number): Promise<string> {
    return this.page.evaluate(
      async (n, s) => {
        const bytes = new Uint8Array(n);
        const words = new Uint32Array(bytes.buffer, 0, n >> 2);
        let x = s >>> 0 || 1;
        for (let i = 0; i < words.length; i++) {
          x ^= x << 13;
          x ^= x >>> 17;
          x ^= x << 5;
          words[i] = x >>> 0;
        }
        // (No named function in here: the test runner's transform would wrap it in a helper the page lacks.)
        const hash = Array.from(new Uint8Array(await crypto.subtle.digest('SHA-256', bytes)), (v) => v.toString(16).padStart(2, '0')).join('');
        const el = document.getElementById('consult') as unknown as { sendFile(f: File): { done: Promise<unknown> } };
        const w = window as unknown as { __vcFileSent?: Promise<string> };
        w.__vcFileSent = el.sendFile(new File([bytes], 'scan.bin')).done.then(
          () => 'sent',
          (e: { code?: string }) => `failed: ${e.code}`,
        );
        return hash;
      },
      size,
      seed,
    );
  }

  /** What became of the file this side sent: `sent` or `failed: <code>`. */
  fileSent(): Promise<string> {
    return this.page.evaluate(() => (window as unknown as { __vcFileSent: Promise<string> }).__vcFileSent);
  }

  /**
   * Accepts every file the other side offers (the page decides, as a portal may) and keeps, for
   * each received file, its SHA-256 (hex); and the bytes received so far, from `vc-file-progress`.
   */
  acceptFiles(): Promise<void> {
    return this.page.evaluate(() => {
      const el = document.getElementById('consult')!;
      const w = window as unknown as { __vcReceived: string[]; __vcFileBytes: number; __vcFileErrors: string[] };
      w.__vcReceived = [];
      w.__vcFileBytes = 0;
      w.__vcFileErrors = [];
      el.addEventListener('vc-file-offer', (event) => {
        event.preventDefault();
        (el as unknown as { acceptFile(id: string): void }).acceptFile((event as CustomEvent<{ id: string }>).detail.id);
      });
      el.addEventListener('vc-file-progress', (event) => {
        w.__vcFileBytes = (event as CustomEvent<{ bytes: number }>).detail.bytes;
      });
      el.addEventListener('vc-file-error', (event) => {
        w.__vcFileErrors.push((event as CustomEvent<{ code: string }>).detail.code);
      });
      el.addEventListener('vc-file-received', async (event) => {
        const file = (event as CustomEvent<{ file: Blob }>).detail.file;
        const digest = await crypto.subtle.digest('SHA-256', await file.arrayBuffer());
        w.__vcReceived.push(Array.from(new Uint8Array(digest), (v) => v.toString(16).padStart(2, '0')).join(''));
      });
    });
  }

  /** Bytes of the incoming file verified so far, the hashes of the files received whole, and file errors. */
  files(): Promise<{ bytes: number; received: string[]; errors: string[] }> {
    return this.page.evaluate(() => {
      const w = window as unknown as { __vcReceived: string[]; __vcFileBytes: number; __vcFileErrors: string[] };
      return { bytes: w.__vcFileBytes, received: [...w.__vcReceived], errors: [...w.__vcFileErrors] };
    });
  }

  /** Fetches a path from the page's own origin (the signaling server), e.g. `/metrics`. */
  fetchText(path: string): Promise<string> {
    return this.page.evaluate(async (p) => (await fetch(p, { cache: 'no-store' })).text(), path);
  }

  async sample(): Promise<Sample> {
    const figures = await this.page.evaluate(async () => {
      const el = document.getElementById('consult') as unknown as { getStats(): Promise<RTCStatsReport | undefined> };
      const out = {
        audioPacketsReceived: 0,
        framesDecoded: 0,
        videoBytesReceived: 0,
        videoBytesSent: 0,
        videoHeaderBytesSent: 0,
        frameWidthSent: 0,
        iceLocalUfrag: '',
        iceState: '',
      };
      const report = await el.getStats();
      report?.forEach((s: any) => {
        if (s.type === 'inbound-rtp' && s.kind === 'audio') out.audioPacketsReceived += s.packetsReceived ?? 0;
        if (s.type === 'inbound-rtp' && s.kind === 'video') {
          out.framesDecoded += s.framesDecoded ?? 0;
          out.videoBytesReceived += s.bytesReceived ?? 0;
        }
        if (s.type === 'outbound-rtp' && s.kind === 'video') {
          out.videoBytesSent += s.bytesSent ?? 0;
          out.videoHeaderBytesSent += s.headerBytesSent ?? 0;
          out.frameWidthSent = Math.max(out.frameWidthSent, s.frameWidth ?? 0);
        }
        if (s.type === 'transport') {
          out.iceLocalUfrag = s.iceLocalUsernameFragment ?? '';
          out.iceState = s.iceState ?? '';
        }
      });
      return out;
    });
    return { at: performance.now(), ...figures };
  }

  /** Closes the browser (puppeteer kills the process if it does not go) and removes its profile. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await Promise.race([this.browser.close(), new Promise((r) => setTimeout(r, 5_000).unref())]).catch(() => {});
    this.browser.process()?.kill('SIGKILL');
    rmSync(this.profileDir, { recursive: true, force: true, maxRetries: 3 });
  }
}
