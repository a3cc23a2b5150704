// The package as a clinic installs it: `npm pack`, then `npm install` of the tarball into a fresh
// folder, offline (its dependencies come from npm's cache, which `npm ci` filled). There the server
// module and its command run in Node; a consumer program type-checks against every entry; and in
// Chromium a page bundled from the installed package finds each element registered by its entry,
// the classes importable without registering, and double registration (the npm entries and the
// script-tag build on one page) harmless. Needs `npm run build` and Chromium.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { nodeResolve } from '@rollup/plugin-node-resolve';
import puppeteer, { type Browser } from 'puppeteer-core';
import { rollup } from 'rollup';
import ts from 'typescript';
import { createSignalingServer, type SignalingServer } from '../../src/server/index.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const run = promisify(execFile);
const version = (name: string) => (JSON.parse(readFileSync(`${ROOT}node_modules/${name}/package.json`, 'utf8')) as { version: string }).version;

/** A page's script: what it finds registered after each import, and whether anything threw. */
const PAGE = `
import { VideoConsult, VideoConsultCheck } from 'video-consult/elements';
const seen = { classesOnly: [customElements.get('video-consult'), customElements.get('video-consult-check')].map(Boolean) };
class ClinicConsult extends VideoConsult {}
customElements.define('clinic-consult', ClinicConsult);
seen.subclassRenders = await (async () => {
  const el = document.createElement('clinic-consult');
  document.body.append(el);
  await el.updateComplete;
  return !!el.shadowRoot?.querySelector('[part~="join-button"]');
})();
await import('video-consult/call');
seen.afterCall = [customElements.get('video-consult') === VideoConsult, !!customElements.get('video-consult-check')];
await import('video-consult/check');
seen.afterCheck = customElements.get('video-consult-check') === VideoConsultCheck;
const files = await import('video-consult/files');
const de = await import('video-consult/de');
const full = await import('video-consult');
seen.fullEntry = [full.VideoConsult === VideoConsult, typeof files.FileTransferManager, typeof de.DE.join, typeof full.runPrecallCheck];
// The script-tag build on the same page brings a second copy of each class: registering it again must not throw.
await import('./cdn/video-consult.js');
await import('./cdn/video-consult-check.js');
seen.stillFirst = customElements.get('video-consult') === VideoConsult && customElements.get('video-consult-check') === VideoConsultCheck;
window.seen = seen;
`;

/** A clinic's TypeScript against every entry's types (Node, React and Vue types from their packages). */
const CONSUMER = `
import { VideoConsult, ConsultSession, CallState, EN, type StateChangeDetail } from 'video-consult';
import { VideoConsult as CallElement, type ErrorDetail } from 'video-consult/call';
import { VideoConsultCheck, type PrecallReport } from 'video-consult/check';
import { FileTransferManager, type ReceivedFile } from 'video-consult/files';
import { DE } from 'video-consult/de';
import { VideoConsult as Unregistered } from 'video-consult/elements';
import { VideoConsult as ReactConsult, type VideoConsultProps } from 'video-consult/react';
import type { VideoConsultJsxProps } from 'video-consult/jsx';
import type { VideoConsultVueProps } from 'video-consult/vue';
import { createJoinToken, createSignalingServer, type SignalingServerOptions } from 'video-consult/server';

export const same: boolean = VideoConsult === CallElement && CallElement === Unregistered;
export const states: string[] = [CallState.Connected, EN.join, DE.join];
export const onState = (e: CustomEvent<StateChangeDetail>, f: CustomEvent<ErrorDetail>): string => e.detail.state + f.detail.code;
export const props: VideoConsultProps = { server: 'wss://x', room: 'r', onVcStateChange: (e) => void e.detail.previous };
export const raw: VideoConsultJsxProps = { 'display-name': 'A', token: 't', 'onvc-error': (e) => void e.detail.fatal };
export const vue: VideoConsultVueProps = { server: 'wss://x', onVcKnock: (e) => void e.detail.waiting };
export const options: SignalingServerOptions = { port: 0, demo: true };
export type Used = [typeof ReactConsult, typeof VideoConsultCheck, PrecallReport, typeof FileTransferManager, ReceivedFile,
  typeof ConsultSession, typeof createJoinToken, typeof createSignalingServer];
`;

interface LockEntry {
  version: string;
  resolved?: string;
  integrity?: string;
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
  [key: string]: unknown;
}

/**
 * A package-lock.json for a clinic's folder that depends on the tarball and on `extra`: every other
 * package pinned as this repository's lockfile pins it (same layout, same integrity), so `npm ci
 * --offline` needs no registry metadata, only the cached tarballs.
 */
function writeConsumerLock(folder: string, tarball: string, extra: Record<string, string>): void {
  const lock = JSON.parse(readFileSync(`${ROOT}package-lock.json`, 'utf8')) as { packages: Record<string, LockEntry> };
  const pkg = JSON.parse(readFileSync(`${ROOT}package.json`, 'utf8')) as Record<string, Record<string, string>> & { version: string };
  const packages: Record<string, unknown> = {};
  /** Where Node finds `name` from the package at `from`: its own node_modules, then each parent's. */
  const locate = (from: string, name: string): string | undefined => {
    for (let at = from; ; at = at.replace(/\/?node_modules\/(@[^/]+\/)?[^/]+$/, '')) {
      const key = `${at ? `${at}/` : ''}node_modules/${name}`;
      if (lock.packages[key]) return key;
      if (!at) return undefined;
    }
  };
  const add = (from: string, name: string, optional: boolean) => {
    const key = locate(from, name);
    if (!key) {
      assert.ok(optional, `${name} (needed by ${from || 'the clinic'}) is not in package-lock.json`);
      return;
    }
    if (packages[key]) return;
    const entry = lock.packages[key]!;
    const { dev: _dev, peer: _peer, devOptional: _devOptional, ...kept } = entry;
    packages[key] = { ...kept, resolved: entry.resolved ?? `https://registry.npmjs.org/${name}/-/${name.split('/').pop()}-${entry.version}.tgz` };
    for (const dep of Object.keys(entry.dependencies ?? {})) add(key, dep, false);
    for (const dep of Object.keys(entry.optionalDependencies ?? {})) add(key, dep, true);
  };
  const file = `file:../${tarball.split('/').pop()}`;
  for (const dep of [...Object.keys(pkg.dependencies!), ...Object.keys(extra)]) add('', dep, false);
  packages['node_modules/video-consult'] = { version: pkg.version, resolved: file, dependencies: pkg.dependencies, bin: pkg.bin };
  const dependencies = { 'video-consult': file, ...extra };
  packages[''] = { name: 'clinic', dependencies };
  writeFileSync(join(folder, 'package.json'), JSON.stringify({ name: 'clinic', private: true, type: 'module', dependencies }));
  writeFileSync(join(folder, 'package-lock.json'), JSON.stringify({ name: 'clinic', lockfileVersion: 3, requires: true, packages }));
}

describe('the packed package, installed', () => {
  let dir: string;
  let consumer: string;
  let tarball: string;
  let server: SignalingServer | undefined;
  let browser: Browser | undefined;

  before(async () => {
    assert.ok(existsSync(`${ROOT}dist/react/index.js`), 'dist/ is missing: run `npm run build` first (`npm test` does).');
    dir = mkdtempSync(join(tmpdir(), 'vc-package-'));
    await run('npm', ['pack', '--silent', '--pack-destination', dir], { cwd: ROOT });
    tarball = join(
      dir,
      readdirSync(dir).find((f) => f.endsWith('.tgz'))!,
    );
    consumer = join(dir, 'clinic');
    mkdirSync(consumer);
    writeConsumerLock(consumer, tarball, { '@types/node': version('@types/node'), '@types/react': version('@types/react'), vue: version('vue') });
    // Offline: every tarball comes from npm's cache, which `npm ci` of this repository filled.
    await run('npm', ['ci', '--offline', '--no-audit', '--no-fund', '--ignore-scripts', '--loglevel=error'], { cwd: consumer });
  });

  after(async () => {
    await browser?.close();
    await server?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('ships dist/, the README and the CHANGELOG, and not the sources, examples or tests', async () => {
    const { stdout } = await run('tar', ['-tzf', tarball]);
    const files = stdout
      .split('\n')
      .filter(Boolean)
      .map((f) => f.replace(/^package\//, ''));
    for (const needed of [
      'package.json',
      'README.md',
      'CHANGELOG.md',
      'dist/custom-elements.json',
      'dist/cdn/video-consult.js',
      'dist/react/index.js',
      'dist/jsx.d.ts',
      'dist/vue.d.ts',
      'dist/server/cli.js',
    ]) {
      assert.ok(files.includes(needed), `${needed} is not in the tarball`);
    }
    assert.deepEqual(
      files.filter((f) => /^(src|examples|test|bench|demo)\//.test(f)),
      [],
      'the tarball carries files that are not for users',
    );
  });

  it('every export in package.json points at a file in the tarball', () => {
    const installed = join(consumer, 'node_modules', 'video-consult');
    const { exports } = JSON.parse(readFileSync(join(installed, 'package.json'), 'utf8')) as {
      exports: Record<string, string | Record<string, string>>;
    };
    for (const [subpath, target] of Object.entries(exports)) {
      for (const file of typeof target === 'string' ? [target] : Object.values(target)) {
        if (file.includes('*')) continue;
        assert.ok(existsSync(join(installed, file)), `${subpath} → ${file} is missing`);
      }
    }
  });

  it('video-consult/server loads in Node as ESM, and its command answers --help', async () => {
    const { stdout } = await run(
      process.execPath,
      [
        '--input-type=module',
        '-e',
        "const m = await import('video-consult/server'); const t = m.createJoinToken({ secret: 'a-secret-of-32-characters-length', room: 'r1', role: 'patient' }); console.log(typeof m.createSignalingServer, m.verifyJoinToken(t, { secret: 'a-secret-of-32-characters-length' }).ok);",
      ],
      { cwd: consumer },
    );
    assert.equal(stdout.trim(), 'function true');
    const help = await run(join(consumer, 'node_modules', '.bin', 'video-consult-server'), ['--help'], { cwd: consumer });
    assert.match(help.stdout, /^Usage: video-consult-server/);
  });

  it('a consumer program type-checks against every entry (NodeNext resolution, strict)', () => {
    const file = join(consumer, 'consumer.ts');
    writeFileSync(file, CONSUMER);
    const program = ts.createProgram([file], {
      module: ts.ModuleKind.NodeNext,
      moduleResolution: ts.ModuleResolutionKind.NodeNext,
      target: ts.ScriptTarget.ES2022,
      lib: ['lib.es2022.d.ts', 'lib.dom.d.ts', 'lib.dom.iterable.d.ts'],
      // A Node backend has Node's types; the server's declarations use Buffer.
      types: ['node'],
      typeRoots: [join(consumer, 'node_modules', '@types')],
      strict: true,
      noEmit: true,
      skipLibCheck: false,
    });
    const problems = ts
      .getPreEmitDiagnostics(program)
      .map((d) => `${d.file?.fileName.replace(consumer, '') ?? ''}: ${ts.flattenDiagnosticMessageText(d.messageText, ' ')}`);
    // Only the package's own declarations and the consumer count; other libraries' .d.ts are theirs.
    assert.deepEqual(
      problems.filter((p) => !p.includes('/node_modules/') || p.includes('/node_modules/video-consult/')),
      [],
    );
  });

  it('in a page: classes without registering, each entry registers its tag, registering twice is harmless', { timeout: 120_000 }, async () => {
    assert.ok(existsSync(CHROMIUM), `Chromium is missing at ${CHROMIUM}: install it with \`apt-get install -y chromium\` (or set CHROMIUM_PATH).`);
    const site = join(consumer, 'site');
    mkdirSync(site);
    cpSync(join(consumer, 'node_modules', 'video-consult', 'dist', 'cdn'), join(site, 'cdn'), { recursive: true });
    writeFileSync(join(consumer, 'page.js'), PAGE);
    const bundle = await rollup({
      input: join(consumer, 'page.js'),
      external: (id) => id.startsWith('./cdn/'),
      plugins: [nodeResolve({ browser: true, rootDir: consumer })],
      onwarn: () => undefined,
    });
    await bundle.write({ dir: site, format: 'es', entryFileNames: 'page.js', chunkFileNames: 'chunk-[hash].js' });
    await bundle.close();
    writeFileSync(
      join(site, 'index.html'),
      '<!doctype html><html lang="en"><head><meta charset="utf-8"><script type="module" src="page.js"></script></head><body></body></html>',
    );
    server = await createSignalingServer({ port: 0, host: '127.0.0.1', demo: true, demoRoot: site, distRoot: site, log: false });
    browser = await puppeteer.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: ['--no-sandbox', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
    });
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push((error as Error).message));
    await page.goto(`${server.url}/index.html`, { waitUntil: 'load' });
    const seen = await page
      .waitForFunction(() => (window as unknown as { seen?: unknown }).seen, { timeout: 30_000, polling: 100 })
      .then((h) => h.jsonValue())
      .catch(() => undefined);
    assert.deepEqual(errors, [], 'the page threw');
    assert.deepEqual(seen, {
      classesOnly: [false, false],
      subclassRenders: true,
      afterCall: [true, false],
      afterCheck: true,
      fullEntry: [true, 'function', 'string', 'function'],
      stillFirst: true,
    });
  });
});
