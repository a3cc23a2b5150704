/**
 * `npm run bench:size`: what a page pays for video-consult, gzipped at level 9 (as servers and CDNs
 * serve it at best), each file on its own as a browser fetches it.
 *
 * The script-tag build (dist/cdn/): every file, then what each kind of page loads: the first
 * script of a call page, everything a call page loads before the element works (that script and
 * the chunks it imports), a call that uses files and German (loaded on demand), a check page, and a
 * page with every feature. The npm build: what a bundler adds to an app for `video-consult/call`,
 * the React wrapper of the call element alone, and the full `video-consult` entry.
 * Last line: {"bench":"size",...} with every figure in bytes.
 */
import { nodeResolve } from '@rollup/plugin-node-resolve';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { constants, gzipSync } from 'node:zlib';
import { rollup } from 'rollup';
import { minify } from 'terser';
import ts from 'typescript';

export const ROOT = fileURLToPath(new URL('../', import.meta.url));
export const CDN_DIR = `${ROOT}dist/cdn/`;
/** The file a call page names in its script tag. */
export const CALL_SCRIPT = 'video-consult.js';
export const CHECK_SCRIPT = 'video-consult-check.js';
/** The goal for the first script a patient's browser loads for a call (decimal kB). */
export const FIRST_SCRIPT_BUDGET = 20_000;
/**
 * Everything a call page loads before the element works: video-consult.js (the element, its views
 * and the English texts) and the chunk with Lit, the error codes and the event helper. The call
 * engine (ConsultSession, signaling, negotiation, quality) comes with the first `join()`
 * (video-consult-engine.js), the frame codecs with it or the check: 28 916 bytes before that, about
 * 19 910 after it, so the goal of 20 kB for what a patient's browser loads first is the budget.
 */
export const FIRST_LOAD_BUDGET = 20_000;

export function gzipSize(source: Buffer | string): number {
  return gzipSync(source, { level: constants.Z_BEST_COMPRESSION }).length;
}

export interface CdnFile {
  name: string;
  raw: number;
  gzip: number;
  /** Files it imports statically (loaded before it runs). */
  imports: string[];
  /** Files it loads on demand with import(). */
  dynamicImports: string[];
  /** Every specifier, as written: the privacy test checks that each is a file of this folder. */
  specifiers: string[];
}

/** Every module specifier in a script: static imports, `export … from`, and `import("…")`. */
export function specifiers(source: string): string[] {
  const ast = ts.createSourceFile('bundle.js', source, ts.ScriptTarget.Latest, false, ts.ScriptKind.JS);
  const found: string[] = [];
  const visit = (node: ts.Node) => {
    if ((ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) && node.moduleSpecifier) {
      found.push(ts.isStringLiteral(node.moduleSpecifier) ? node.moduleSpecifier.text : node.moduleSpecifier.getText(ast));
    } else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword) {
      const [arg] = node.arguments;
      found.push(arg && ts.isStringLiteralLike(arg) ? `import(${arg.text})` : `import(<computed: ${arg?.getText(ast)}>)`);
    }
    ts.forEachChild(node, visit);
  };
  visit(ast);
  return found;
}

const local = (specifier: string) => specifier.replace(/^\.\//, '');

export function cdnFiles(): Map<string, CdnFile> {
  if (!existsSync(`${CDN_DIR}${CALL_SCRIPT}`)) throw new Error(`${CDN_DIR}${CALL_SCRIPT} is missing: run \`npm run build\` first.`);
  const files = new Map<string, CdnFile>();
  for (const name of readdirSync(CDN_DIR)
    .filter((n) => n.endsWith('.js'))
    .sort()) {
    const source = readFileSync(`${CDN_DIR}${name}`);
    const found = specifiers(source.toString('utf8'));
    files.set(name, {
      name,
      raw: source.length,
      gzip: gzipSize(source),
      imports: found.filter((s) => !s.startsWith('import(')).map(local),
      dynamicImports: found.filter((s) => s.startsWith('import(')).map((s) => local(s.slice(7, -1))),
      specifiers: found,
    });
  }
  return files;
}

/** The files a page fetches for these scripts: their static imports, and with `onDemand` what they import() too. */
export function loads(files: Map<string, CdnFile>, scripts: string[], onDemand = false): string[] {
  const seen = new Set<string>();
  const visit = (name: string) => {
    if (seen.has(name)) return;
    const file = files.get(name);
    if (!file) throw new Error(`${name} is imported but not in dist/cdn/`);
    seen.add(name);
    [...file.imports, ...(onDemand ? file.dynamicImports : [])].forEach(visit);
  };
  scripts.forEach(visit);
  return [...seen];
}

export const total = (files: Map<string, CdnFile>, names: string[]) => names.reduce((sum, n) => sum + files.get(n)!.gzip, 0);

/** The package's `sideEffects` list, as a bundler reads it: the files it may not drop unused. */
function packageSideEffects(): (id: string) => boolean {
  const { sideEffects } = JSON.parse(readFileSync(`${ROOT}package.json`, 'utf8')) as { sideEffects: string[] };
  const kept = sideEffects.map((p) => `${ROOT}${p.replace(/^\.\//, '')}`);
  return (id) => !id.startsWith(`${ROOT}dist/`) || kept.includes(id);
}

/** What a bundler adds to an app for this program (lit and the package bundled, minified; `external` stays the app's). */
export async function appCost(program: string, external: string[] = []): Promise<number> {
  const entry = '\0app-entry';
  const bundle = await rollup({
    input: entry,
    external,
    treeshake: { moduleSideEffects: packageSideEffects() },
    plugins: [
      { name: 'app-entry', resolveId: (id) => (id === entry ? id : null), load: (id) => (id === entry ? program : null) },
      nodeResolve({ browser: true, rootDir: ROOT }),
    ],
    onwarn: () => undefined,
  });
  const { output } = await bundle.generate({ format: 'es' });
  await bundle.close();
  let bytes = 0;
  for (const chunk of output) {
    if (chunk.type === 'chunk') bytes += gzipSize((await minify(chunk.code, { module: true, format: { comments: false } })).code ?? '');
  }
  return bytes;
}

/** The npm entries as an app imports them (from dist/, where the package's exports point). */
export const APPS = {
  'video-consult/call': `import '${ROOT}dist/call.js';`,
  'video-consult/react, the call element alone': `import { VideoConsult } from '${ROOT}dist/react/index.js'; console.log(VideoConsult);`,
  'video-consult (everything)': `import '${ROOT}dist/index.js';`,
} as const;

async function main() {
  let files: Map<string, CdnFile>;
  try {
    files = cdnFiles();
  } catch (error) {
    console.error((error as Error).message);
    process.exit(1);
  }
  const kB = (n: number) => `${(n / 1000).toFixed(1)} kB`;
  const row = (label: string, bytes: number, extra = '') =>
    console.log(`  ${label.padEnd(58)} ${String(bytes).padStart(7)} B  ${kB(bytes).padStart(8)}${extra}`);
  const budget = (bytes: number, limit: number) => `  budget ${kB(limit)}, ${((bytes / limit) * 100).toFixed(0)} % used`;

  console.log('dist/cdn/, each file gzipped (-9):');
  for (const file of files.values()) row(file.name, file.gzip, `  (${file.raw} B raw)`);

  const first = files.get(CALL_SCRIPT)!.gzip;
  const call = loads(files, [CALL_SCRIPT]);
  const callAll = loads(files, [CALL_SCRIPT], true);
  const check = loads(files, [CHECK_SCRIPT]);
  const every = loads(files, [CALL_SCRIPT, CHECK_SCRIPT], true);
  const figures = {
    firstScript: first,
    firstLoad: total(files, call),
    callWithFilesAndGerman: total(files, callAll),
    checkPage: total(files, check),
    everyFeature: total(files, every),
  };
  console.log('\nscript tags, what a page loads:');
  row(`first script of a call page (${CALL_SCRIPT})`, figures.firstScript, budget(first, FIRST_SCRIPT_BUDGET));
  row(`first load of a call page (${call.length} files)`, figures.firstLoad, budget(figures.firstLoad, FIRST_LOAD_BUDGET));
  row(`a call with files and German (${callAll.length} files, on demand)`, figures.callWithFilesAndGerman);
  row(`a check page (${check.length} files)`, figures.checkPage);
  row(`a page with every feature (${every.length} files)`, figures.everyFeature);

  console.log('\nnpm, what a bundler adds to an app (minified, gzipped, React itself not counted):');
  const apps: Record<string, number> = {};
  if (existsSync(`${ROOT}dist/react/index.js`)) {
    for (const [label, program] of Object.entries(APPS)) {
      apps[label] = await appCost(program, ['react']);
      row(label, apps[label]!);
    }
  }
  console.log(JSON.stringify({ bench: 'size', ...figures, apps }));
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) await main();
