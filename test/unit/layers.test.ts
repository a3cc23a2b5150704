/**
 * The layers of the design, checked: imports flow one way, downward. Every file under src/ is read
 * with TypeScript's parser (so comments and strings that look like imports do not count, and
 * `import type`, `export … from`, `import()` and `typeof import()` all do), and each import is held
 * against the table below. A new folder under src/ fails here until it has a row.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { dirname, join, posix, relative, sep } from 'node:path';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const src = join(root, 'src');

type Layer = 'protocol' | 'signaling' | 'file-transfer' | 'core' | 'element' | 'frameworks' | 'react' | 'cdn' | 'entry' | 'server';

interface Rule {
  /** The other layers this one may import from (its own files it always may). */
  layers: readonly Layer[];
  /** The packages it may import, by name (`lit` covers `lit/decorators.js`). */
  packages: readonly string[];
}

const BROWSER: readonly Layer[] = ['protocol', 'signaling', 'file-transfer', 'core'];

/** What each layer may import. Keep in step with docs/architecture.md. */
const RULES: Record<Layer, Rule> = {
  // The single source of truth for the wire, shared by browser and server: nothing at all.
  protocol: { layers: [], packages: [] },
  signaling: { layers: ['protocol'], packages: [] },
  'file-transfer': { layers: ['protocol'], packages: [] },
  // The call: plain TypeScript over WebRTC. No Lit, no DOM rendering, no Node.
  core: { layers: ['protocol', 'signaling', 'file-transfer'], packages: [] },
  // Lit lives here and nowhere else.
  element: { layers: BROWSER, packages: ['lit', 'lit-html', 'lit-element', '@lit/reactive-element', '@lit/context', '@lit/task'] },
  // The elements' interface as frameworks see it (types shared by react/, jsx.ts and vue.ts).
  frameworks: { layers: [...BROWSER, 'element'], packages: [] },
  // React components made with @lit/react, Lit's own wrapper for React.
  react: { layers: [...BROWSER, 'element', 'frameworks'], packages: ['react', '@lit/react'] },
  // The script-tag builds: register the elements and load the rest on demand.
  cdn: { layers: [...BROWSER, 'element'], packages: [] },
  // The package's entries (src/*.ts): jsx.ts and vue.ts augment React's and Vue's types.
  entry: { layers: [...BROWSER, 'element', 'frameworks'], packages: ['react', 'vue'] },
  // Node (its modules pass by the Node rule), ws and Redis, and the wire's types; nothing from the browser side.
  server: { layers: ['protocol'], packages: ['ws', 'ioredis'] },
};

const LIT = /^(lit|lit-html|lit-element)(\/|$)|^@lit(-labs)?\//;

/** A package's name from a bare specifier: `lit/decorators.js` → `lit`, `@lit/react` → `@lit/react`. */
function packageName(specifier: string): string {
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0]!;
}

function isNodeBuiltin(specifier: string): boolean {
  return specifier.startsWith('node:') || builtinModules.includes(packageName(specifier));
}

/** The layer of a path relative to src/ (posix separators), or undefined for a folder with no row. */
function layerOf(file: string): Layer | undefined {
  const [first, ...rest] = file.split('/');
  if (rest.length === 0) return 'entry';
  return first! in RULES && first !== 'entry' ? (first as Layer) : undefined;
}

interface Import {
  specifier: string;
  line: number;
  /** Only types come through it (`import type`, `export type`, `typeof import()`): gone at run time. */
  typeOnly: boolean;
}

/** Whether an import or export declaration brings in types alone. */
function typeOnly(node: ts.ImportDeclaration | ts.ExportDeclaration): boolean {
  if (ts.isExportDeclaration(node))
    return node.isTypeOnly || (!!node.exportClause && ts.isNamedExports(node.exportClause) && node.exportClause.elements.every((e) => e.isTypeOnly));
  const clause = node.importClause;
  if (!clause) return false;
  if (clause.isTypeOnly) return true;
  const bindings = clause.namedBindings;
  return !clause.name && !!bindings && ts.isNamedImports(bindings) && bindings.elements.length > 0 && bindings.elements.every((e) => e.isTypeOnly);
}

/** Every module specifier a source text names, with its line. */
function importsOf(fileName: string, text: string): Import[] {
  const source = ts.createSourceFile(fileName, text, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
  const found: Import[] = [];
  const add = (node: ts.Node | undefined, typeOnly = false) => {
    if (node && ts.isStringLiteralLike(node))
      found.push({ specifier: node.text, line: source.getLineAndCharacterOfPosition(node.getStart()).line + 1, typeOnly });
  };
  const visit = (node: ts.Node) => {
    if (ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) add(node.moduleSpecifier, typeOnly(node));
    else if (ts.isImportEqualsDeclaration(node) && ts.isExternalModuleReference(node.moduleReference))
      add(node.moduleReference.expression, node.isTypeOnly);
    else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword) add(node.arguments[0]);
    else if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument)) add(node.argument.literal, true);
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

/**
 * The facades, each with the files that are its parts. A part gets what it needs through its
 * constructor and never imports the facade that owns it (its types aside, which are gone at run
 * time); the barrel `file-transfer/index.ts` re-exports the manager and is no part.
 */
const FACADES: { facade: string; parts: (file: string) => boolean }[] = [
  { facade: 'core/session.ts', parts: (f) => f.startsWith('core/') },
  { facade: 'file-transfer/manager.ts', parts: (f) => f.startsWith('file-transfer/') && f !== 'file-transfer/index.ts' },
  { facade: 'element/video-consult.ts', parts: (f) => f.startsWith('element/') },
  { facade: 'element/video-consult-check.ts', parts: (f) => f.startsWith('element/') },
];

/** Whether one import of one file (paths relative to src/) is a part reaching for its own facade. */
function importsItsFacade(file: string, { specifier, typeOnly }: Import): string | null {
  if (typeOnly || !specifier.startsWith('.')) return null;
  const target = posix.normalize(posix.join(posix.dirname(file), specifier)).replace(/\.js$/, '.ts');
  const owner = FACADES.find(({ facade, parts }) => facade === target && facade !== file && parts(file));
  return owner ? `imports its facade ${owner.facade}: a part gets what it needs through its constructor` : null;
}

/** What is wrong with one import of one file (path relative to src/), or null when it keeps to the layers. */
function violation(file: string, specifier: string): string | null {
  const layer = layerOf(file);
  if (!layer) return `src/${file} is in a folder with no layer rule: add it to RULES in test/unit/layers.test.ts`;
  const rule = RULES[layer];
  if (specifier.startsWith('.')) {
    const target = posix.normalize(posix.join(posix.dirname(file), specifier));
    if (target.startsWith('../')) return `imports ${specifier}, outside src/`;
    const to = layerOf(target);
    if (!to) return `imports ${specifier}, in a folder with no layer rule`;
    if (to === layer) return null;
    if (layer === 'protocol') return `imports ${specifier} (${to}): protocol/ imports nothing outside itself`;
    if (!rule.layers.includes(to)) return `imports ${specifier} (${to}) upward: ${layer} may import ${rule.layers.join(', ') || 'nothing'}`;
    return null;
  }
  if (isNodeBuiltin(specifier)) return layer === 'server' ? null : `imports ${specifier}: only server/ imports Node modules`;
  if (LIT.test(specifier) && layer !== 'element' && !(layer === 'react' && specifier === '@lit/react'))
    return `imports ${specifier}: only element/ imports Lit (and react/ its @lit/react wrapper)`;
  if (!rule.packages.includes(packageName(specifier)))
    return `imports the package ${specifier}: ${layer} may import ${rule.packages.length ? rule.packages.slice(0, 6).join(', ') : 'no package'}`;
  return null;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return /\.tsx?$/.test(entry.name) ? [path] : [];
  });
}

const files = sourceFiles(src).map((path) => ({
  file: relative(src, path).split(sep).join('/'),
  imports: importsOf(path, readFileSync(path, 'utf8')),
}));

function problems(only?: (layer: Layer | undefined) => boolean): string[] {
  return files
    .filter(({ file }) => !only || only(layerOf(file)))
    .flatMap(({ file, imports }) =>
      imports.flatMap(({ specifier, line }) => {
        const problem = violation(file, specifier);
        return problem ? [`src/${file}:${line} ${problem}`] : [];
      }),
    );
}

describe('layers: imports flow one way, downward', () => {
  test('the scan reads the imports it should (element/ imports Lit, server/ imports Node, core/ imports protocol/)', () => {
    const all = files.flatMap(({ file, imports }) => imports.map(({ specifier }) => `${layerOf(file)} ${specifier}`));
    assert.ok(
      all.some((i) => /^element lit/.test(i)),
      'no Lit import found in element/',
    );
    assert.ok(
      all.some((i) => /^server node:/.test(i)),
      'no node: import found in server/',
    );
    assert.ok(
      all.some((i) => /^core \.\.\/protocol\//.test(i)),
      'no protocol import found in core/',
    );
    assert.ok(files.length > 50, `only ${files.length} files under src/`);
  });

  test('the rules catch upward imports', () => {
    assert.match(violation('core/session.ts', 'lit') ?? '', /only element\/ imports Lit/);
    assert.match(violation('core/session.ts', '../element/video-consult.js') ?? '', /upward/);
    assert.match(violation('core/session.ts', '../server/rooms.js') ?? '', /upward/);
    assert.match(violation('file-transfer/store.ts', 'node:fs') ?? '', /only server\/ imports Node/);
    assert.match(violation('signaling/transport.ts', 'events') ?? '', /only server\/ imports Node/);
    assert.match(violation('protocol/control.ts', '../core/errors.js') ?? '', /protocol\/ imports nothing/);
    assert.match(violation('protocol/control.ts', 'zod') ?? '', /no package/);
    assert.match(violation('server/rooms.ts', '../core/session.js') ?? '', /upward/);
    assert.match(violation('element/video-consult.ts', '../server/index.js') ?? '', /upward/);
    assert.match(violation('react/video-consult.ts', 'lit') ?? '', /only element\/ imports Lit/);
    assert.match(violation('newlayer/x.ts', '../core/session.js') ?? '', /no layer rule/);
    assert.equal(violation('element/video-consult.ts', 'lit/decorators.js'), null);
    assert.equal(violation('server/http.ts', 'node:http'), null);
    assert.equal(violation('core/session.ts', '../protocol/index.js'), null);
    // type-only imports count as well
    assert.deepEqual(
      importsOf(
        'x.ts',
        "import type { A } from './a.js';\nexport * from './b.js';\ntype C = typeof import('./c.js');\nconst d = import('./d.js');\n// import './e.js'",
      ).map((i) => i.specifier),
      ['./a.js', './b.js', './c.js', './d.js'],
    );
  });

  test('no part imports the facade that owns it (types aside)', () => {
    assert.match(importsItsFacade('core/peer-link.ts', { specifier: './session.js', line: 1, typeOnly: false }) ?? '', /its facade core\/session.ts/);
    assert.equal(importsItsFacade('core/peer-link.ts', { specifier: './session.js', line: 1, typeOnly: true }), null);
    assert.deepEqual(
      importsOf(
        'x.ts',
        "import type { A } from './a.js';\nimport { type B } from './b.js';\nimport { C, type D } from './c.js';\nexport type { E } from './e.js';",
      ).map((i) => i.typeOnly),
      [true, true, false, true],
    );
    assert.deepEqual(
      files.flatMap(({ file, imports }) =>
        imports.flatMap((i) => {
          const problem = importsItsFacade(file, i);
          return problem ? [`src/${file}:${i.line} ${problem}`] : [];
        }),
      ),
      [],
    );
  });

  test('every folder under src/ has a layer rule', () => {
    assert.deepEqual(
      files.filter(({ file }) => !layerOf(file)).map(({ file }) => `src/${file}`),
      [],
    );
  });

  test('protocol/ imports nothing outside itself', () => {
    assert.deepEqual(
      problems((layer) => layer === 'protocol'),
      [],
    );
  });

  test('only element/ imports Lit', () => {
    assert.deepEqual(
      problems().filter((p) => p.includes('Lit')),
      [],
    );
  });

  test('only server/ imports Node modules', () => {
    assert.deepEqual(
      problems().filter((p) => p.includes('Node modules')),
      [],
    );
  });

  test('core/ and the parts below it do not import element/, server/ or anything above them', () => {
    assert.deepEqual(
      problems((layer) => layer === 'core' || layer === 'signaling' || layer === 'file-transfer'),
      [],
    );
  });

  test('server/ imports protocol/ and nothing from the browser side', () => {
    assert.deepEqual(
      problems((layer) => layer === 'server'),
      [],
    );
  });

  test('no file imports upward', () => {
    assert.deepEqual(problems(), []);
  });
});
