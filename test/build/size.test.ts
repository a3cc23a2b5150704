// The script-tag build in dist/cdn/: the first script of a call page within its budget, everything a
// call page loads before the element works within another, and every file loading only files of
// its own folder (the privacy rule: the element fetches nothing from another host). Runs against
// dist/, so `npm run build` first (`npm test` does).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import ts from 'typescript';
import { CALL_SCRIPT, CDN_DIR, CHECK_SCRIPT, FIRST_LOAD_BUDGET, FIRST_SCRIPT_BUDGET, cdnFiles, loads, total } from '../../bench/size.js';

describe('dist/cdn/', () => {
  it(`the first script of a call page (${CALL_SCRIPT}) is at most ${FIRST_SCRIPT_BUDGET} bytes gzipped (level 9)`, () => {
    const bytes = cdnFiles().get(CALL_SCRIPT)!.gzip;
    assert.ok(
      bytes <= FIRST_SCRIPT_BUDGET,
      `${CALL_SCRIPT} is ${bytes} bytes gzipped, ${bytes - FIRST_SCRIPT_BUDGET} over its budget of ${FIRST_SCRIPT_BUDGET}`,
    );
  });

  it(`a call page loads at most ${FIRST_LOAD_BUDGET} bytes gzipped before the element works (the script and its static imports)`, () => {
    const files = cdnFiles();
    const names = loads(files, [CALL_SCRIPT]);
    const bytes = total(files, names);
    assert.ok(
      bytes <= FIRST_LOAD_BUDGET,
      `${names.join(' + ')} are ${bytes} bytes gzipped, ${bytes - FIRST_LOAD_BUDGET} over the budget of ${FIRST_LOAD_BUDGET}`,
    );
  });

  it('every file parses, and imports nothing but files of its own folder, by literal relative names', () => {
    for (const file of cdnFiles().values()) {
      const ast = ts.createSourceFile(file.name, readSource(file.name), ts.ScriptTarget.Latest, false, ts.ScriptKind.JS);
      const syntaxErrors = (ast as unknown as { parseDiagnostics: ts.Diagnostic[] }).parseDiagnostics ?? [];
      assert.equal(syntaxErrors.length, 0, `${file.name} does not parse`);
      for (const specifier of file.specifiers) {
        assert.match(
          specifier,
          /^(import\()?\.\/[\w.-]+\.js\)?$/,
          `${file.name} imports ${JSON.stringify(specifier)}: the script-tag build may only load files next to it (no bare names, no other folder or host, no computed import())`,
        );
      }
    }
  });

  it('one copy of Lit: the call and the check share it, and no file on demand carries its own', () => {
    const files = cdnFiles();
    const withLit = [...files.values()].filter((f) => definesLit(f.name));
    assert.equal(withLit.length, 1, `Lit is in ${withLit.map((f) => f.name).join(', ') || 'no file'}: it belongs in one chunk`);
    const [lit] = withLit;
    assert.ok(loads(files, [CALL_SCRIPT]).includes(lit!.name), `${CALL_SCRIPT} does not load ${lit!.name}`);
    assert.ok(loads(files, [CHECK_SCRIPT]).includes(lit!.name), `${CHECK_SCRIPT} does not load ${lit!.name}`);
  });

  it('the call engine, file transfer and German are loaded on demand from the same folder, not with the first script', () => {
    const files = cdnFiles();
    const call = files.get(CALL_SCRIPT)!;
    assert.deepEqual(call.dynamicImports.sort(), ['video-consult-de.js', 'video-consult-engine.js', 'video-consult-files.js']);
    const first = loads(files, [CALL_SCRIPT]);
    for (const part of call.dynamicImports) assert.ok(!first.includes(part), `${part} is loaded with the first script`);
  });

  it('registers both elements, each from its own script', () => {
    const files = cdnFiles();
    for (const [script, tag] of [
      [CALL_SCRIPT, 'video-consult'],
      [CHECK_SCRIPT, 'video-consult-check'],
    ] as const) {
      const loaded = loads(files, [script]).map(readSource).join('\n');
      assert.ok(/customElements\s*\.\s*define\s*\(/.test(loaded), `${script} and its imports never call customElements.define`);
      assert.ok(stringLiterals(readSource(script)).has(tag), `${script} has no ${JSON.stringify(tag)} tag name to register`);
    }
  });
});

function readSource(name: string): string {
  return readFileSync(`${CDN_DIR}${name}`, 'utf8');
}

/** Each part of Lit pushes its version onto a global list when it loads: where that code is, Lit is. */
function definesLit(name: string): boolean {
  return /litElementVersions|reactiveElementVersions|litHtmlVersions/.test(readSource(name));
}

function stringLiterals(source: string): Set<string> {
  const ast = ts.createSourceFile('bundle.js', source, ts.ScriptTarget.Latest, false, ts.ScriptKind.JS);
  const found = new Set<string>();
  const visit = (node: ts.Node) => {
    if (ts.isStringLiteralLike(node)) found.add(node.text);
    ts.forEachChild(node, visit);
  };
  visit(ast);
  return found;
}
