// The CDN build: one self-contained ES module (lit included) that registers <video-consult>, within
// the 25 KiB gzip budget of issue 2. Runs against dist/, so `npm run build` first (`npm test` does).
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import ts from 'typescript';
import { CDN_BUNDLE, GZIP_BUDGET_BYTES, gzipSize } from '../../bench/size.js';

function bundle(): { source: string; ast: ts.SourceFile } {
  assert.ok(existsSync(CDN_BUNDLE), `${CDN_BUNDLE} is missing: run \`npm run build\` first.`);
  const source = readFileSync(CDN_BUNDLE, 'utf8');
  const ast = ts.createSourceFile('video-consult.js', source, ts.ScriptTarget.Latest, false, ts.ScriptKind.JS);
  return { source, ast };
}

/** Every module specifier in the file: static imports, `export … from`, and `import("…")`. */
function specifiers(ast: ts.SourceFile): string[] {
  const found: string[] = [];
  const visit = (node: ts.Node) => {
    if ((ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) && node.moduleSpecifier) {
      found.push(ts.isStringLiteral(node.moduleSpecifier) ? node.moduleSpecifier.text : node.moduleSpecifier.getText(ast));
    } else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword) {
      const [arg] = node.arguments;
      found.push(arg && ts.isStringLiteralLike(arg) ? arg.text : `<computed: ${arg?.getText(ast)}>`);
    }
    ts.forEachChild(node, visit);
  };
  visit(ast);
  return found;
}

function stringLiterals(ast: ts.SourceFile): Set<string> {
  const found = new Set<string>();
  const visit = (node: ts.Node) => {
    if (ts.isStringLiteralLike(node)) found.add(node.text);
    ts.forEachChild(node, visit);
  };
  visit(ast);
  return found;
}

describe('dist/cdn/video-consult.js', () => {
  it(`is at most ${GZIP_BUDGET_BYTES / 1024} KiB gzipped (level 9)`, () => {
    const bytes = gzipSize(Buffer.from(bundle().source, 'utf8'));
    assert.ok(
      bytes <= GZIP_BUDGET_BYTES,
      `the CDN build is ${bytes} bytes gzipped, over the budget of ${GZIP_BUDGET_BYTES} bytes (${bytes - GZIP_BUDGET_BYTES} too many)`,
    );
  });

  it('is one self-contained ES module: nothing left to import (lit is bundled)', () => {
    const { ast } = bundle();
    const syntaxErrors = (ast as unknown as { parseDiagnostics: ts.Diagnostic[] }).parseDiagnostics ?? [];
    assert.equal(syntaxErrors.length, 0, `the bundle does not parse: ${syntaxErrors.map((d) => ts.flattenDiagnosticMessageText(d.messageText, ' ')).join('; ')}`);
    const left = specifiers(ast);
    assert.deepEqual(left, [], `the CDN build still imports ${left.map((s) => JSON.stringify(s)).join(', ')}: it must bundle everything into one file`);
  });

  it('registers the video-consult element', () => {
    const { source, ast } = bundle();
    assert.match(source, /customElements\s*\.\s*define\s*\(/, 'the CDN build never calls customElements.define');
    assert.ok(stringLiterals(ast).has('video-consult'), 'the CDN build has no "video-consult" tag name to register');
  });
});
