// dist/custom-elements.json tells the truth: for each element, its attributes and properties are
// those of the running element in Chromium (Lit's own records of them), its slots and the parts it
// renders at first are the running element's, its events, parts and CSS custom properties those its
// source fires, writes and reads, and all of it matches the tables in docs/element.md and
// docs/precall-check.md. Tokens are properties only; every path names a file the package ships.
// Needs `npm run build` and Chromium (apt-get install -y chromium).
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import puppeteer, { type Browser } from 'puppeteer-core';
import { createSignalingServer, type SignalingServer } from '../../src/server/index.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

interface Named {
  name: string;
}
interface Declaration {
  kind: string;
  name: string;
  tagName?: string;
  customElement?: boolean;
  attributes?: (Named & { fieldName?: string })[];
  members?: (Named & { kind: string; static?: boolean; privacy?: string })[];
  events?: Named[];
  slots?: Named[];
  cssParts?: Named[];
  cssProperties?: Named[];
}
interface Manifest {
  modules: { path: string; declarations?: Declaration[]; exports?: { kind: string; name: string; declaration: { module?: string } }[] }[];
}

/** What the running element says about itself. */
interface Running {
  observedAttributes: string[];
  /** Lit's reactive properties: name → the attribute it observes, or false. */
  properties: Record<string, string | false>;
  /** Public getters and setters on the prototype chain up to LitElement (read-only properties). */
  accessors: string[];
  slots: string[];
  renderedParts: string[];
}

const ELEMENTS = [
  {
    tag: 'video-consult',
    source: [
      'src/element/video-consult.ts',
      'src/element/call-views.ts',
      'src/element/in-call-views.ts',
      'src/element/call-media.ts',
      'src/element/chat-view.ts',
      'src/element/event-routes.ts',
    ],
    styles: ['src/element/styles.ts'],
    doc: 'docs/element.md',
  },
  {
    tag: 'video-consult-check',
    source: ['src/element/video-consult-check.ts', 'src/element/check-templates.ts'],
    styles: ['src/element/check-styles.ts'],
    doc: 'docs/precall-check.md',
  },
] as const;

const sorted = (values: Iterable<string>) => [...new Set(values)].sort();
const names = (list?: Named[]) => sorted((list ?? []).map((n) => n.name));
const read = (path: string) => readFileSync(`${ROOT}${path}`, 'utf8');

/** Events the source fires: `fire(this, 'vc-…')` and the `vc-…` names it picks between. */
function sourceEvents(source: string): string[] {
  return sorted([...source.matchAll(/['"`](vc-[a-z-]+)['"`]/g)].map((m) => m[1]!));
}

/** Part names written in the templates; a token with `${…}` in it becomes a pattern. */
function sourceParts(source: string): { literal: string[]; patterns: RegExp[] } {
  const tokens = [...source.matchAll(/\bpart="([^"]+)"/g)].flatMap((m) => m[1]!.split(/\s+/));
  const literal = sorted(tokens.filter((t) => !t.includes('${')));
  const patterns = tokens
    .filter((t) => t.includes('${') && !/^\$\{[^}]*\}$/.test(t))
    .map(
      (t) =>
        new RegExp(
          `^${t
            .split(/\$\{[^}]*\}/)
            .map((s) => s.replace(/[.*+?^$()|[\]\\-]/g, '\\$&'))
            .join('[a-z]+(?:-[a-z]+)*')}$`,
        ),
    );
  return { literal, patterns };
}

/** The `--vc-…` custom properties the styles set or read. */
function sourceCssProperties(source: string): string[] {
  return sorted([...source.matchAll(/(--vc-[a-z-]+)/g)].map((m) => m[1]!));
}

/** The rows of the first Markdown table under a heading that matches, as arrays of cells. */
function table(markdown: string, heading: RegExp, header: RegExp): string[][] {
  const lines = markdown.split('\n');
  let i = lines.findIndex((l) => /^#+ /.test(l) && heading.test(l));
  assert.ok(i >= 0, `no heading ${heading} in the docs`);
  while (i < lines.length && !(lines[i]!.startsWith('|') && header.test(lines[i]!))) i++;
  assert.ok(i < lines.length, `no table ${header} under ${heading} in the docs`);
  const rows: string[][] = [];
  for (i += 2; i < lines.length && lines[i]!.startsWith('|'); i++) {
    rows.push(
      lines[i]!.slice(1, -1)
        .split(/(?<!\\)\|/)
        .map((c) => c.trim()),
    );
  }
  return rows;
}

const code = (cell: string) => [...cell.matchAll(/`([^`]+)`/g)].map((m) => m[1]!);

/** What a doc page says an element has. */
function documented(tag: string, markdown: string) {
  if (tag === 'video-consult') {
    const props = table(markdown, /Attributes and properties/, /\| attribute \| property/);
    const parts = table(markdown, /Theming/, /\| part \|/);
    const slotLine = markdown.split('\n').find((l) => l.startsWith('Slots:')) ?? '';
    return {
      attributes: sorted(props.flatMap((r) => code(r[0]!))),
      properties: sorted(props.flatMap((r) => code(r[1]!))),
      events: sorted(table(markdown, /^## Events/, /\| event \|/).flatMap((r) => code(r[0]!))),
      cssProperties: sorted(table(markdown, /Theming/, /\| property \|/).flatMap((r) => code(r[0]!))),
      // A part's row may name more parts after "also" or "with" (`button`: also `join-button`, …).
      parts: sorted(
        parts.flatMap((r) => [
          ...code(r[0]!),
          ...code(
            r[1]!
              .split(/\b(?:also|with)\b/)
              .slice(1)
              .join(' '),
          ),
        ]),
      ),
      slots: sorted(code(slotLine.replace(/\(.*?\)/g, ''))),
    };
  }
  const props = table(markdown, /Properties and attributes/, /\| property \| attribute/);
  const section = markdown.slice(markdown.indexOf('### Parts and custom properties'));
  const partsLine = section.slice(section.indexOf('Parts:'), section.indexOf('Slot'));
  return {
    attributes: sorted(props.flatMap((r) => code(r[1]!))),
    properties: sorted(props.flatMap((r) => code(r[0]!))),
    events: sorted(table(markdown, /### Events/, /\| event \|/).flatMap((r) => code(r[0]!))),
    cssProperties: sorted(table(markdown, /Parts and custom properties/, /\| custom property \|/).flatMap((r) => code(r[0]!))),
    parts: sorted(code(partsLine.replace(/\((?:with|the)[^)]*\)/g, ''))),
    slots: sorted(code(section.slice(section.indexOf('Slot'), section.indexOf('\n\n', section.indexOf('Slot'))))),
  };
}

describe('dist/custom-elements.json', () => {
  let manifest: Manifest;
  let server: SignalingServer;
  let browser: Browser;
  let site: string;
  const running = new Map<string, Running>();

  before(async () => {
    assert.ok(existsSync(`${ROOT}dist/custom-elements.json`), 'dist/ is missing: run `npm run build` first (`npm test` does).');
    assert.ok(existsSync(CHROMIUM), `Chromium is missing at ${CHROMIUM}: install it with \`apt-get install -y chromium\` (or set CHROMIUM_PATH).`);
    manifest = JSON.parse(read('dist/custom-elements.json')) as Manifest;
    site = mkdtempSync(join(tmpdir(), 'vc-manifest-'));
    writeFileSync(
      join(site, 'index.html'),
      '<!doctype html><html lang="en"><head><meta charset="utf-8"><script type="module" src="/dist/cdn/video-consult.js"></script>' +
        '<script type="module" src="/dist/cdn/video-consult-check.js"></script></head><body></body></html>',
    );
    server = await createSignalingServer({ port: 0, host: '127.0.0.1', demo: true, demoRoot: site, distRoot: `${ROOT}dist`, log: false });
    browser = await puppeteer.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: ['--no-sandbox', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
    });
    const page = await browser.newPage();
    await page.goto(`${server.url}/index.html`, { waitUntil: 'load' });
    for (const { tag } of ELEMENTS) {
      running.set(
        tag,
        await page.evaluate(async (tagName) => {
          await customElements.whenDefined(tagName);
          type Lit = CustomElementConstructor & {
            observedAttributes: string[];
            elementProperties: Map<string, { attribute?: string | boolean; state?: boolean }>;
          };
          const Element = customElements.get(tagName) as Lit;
          const properties: Record<string, string | false> = {};
          for (const [name, options] of Element.elementProperties) {
            if (options.state) continue;
            properties[name] = options.attribute === false ? false : typeof options.attribute === 'string' ? options.attribute : name.toLowerCase();
          }
          const accessors: string[] = [];
          for (let proto = Element.prototype; proto && proto.constructor.name !== 'LitElement'; proto = Object.getPrototypeOf(proto)) {
            for (const [name, descriptor] of Object.entries(Object.getOwnPropertyDescriptors(proto))) {
              if (descriptor.get && !name.startsWith('_')) accessors.push(name);
            }
          }
          // Placed without a server, with `manual`, so neither starts a call or a check.
          const el = document.createElement(tagName) as HTMLElement & { updateComplete: Promise<unknown> };
          el.setAttribute('manual', '');
          document.body.append(el);
          await el.updateComplete;
          const root = el.shadowRoot!;
          const slots = [...root.querySelectorAll('slot')].map((s) => s.name);
          const renderedParts = [...root.querySelectorAll('[part]')].flatMap((n) => n.getAttribute('part')!.split(/\s+/));
          el.remove();
          return { observedAttributes: Element.observedAttributes, properties, accessors, slots, renderedParts };
        }, tag),
      );
    }
  });

  after(async () => {
    await browser?.close();
    await server?.close();
    if (site) rmSync(site, { recursive: true, force: true });
  });

  const declaration = (tag: string): Declaration => {
    const found = manifest.modules.flatMap((m) => m.declarations ?? []).filter((d) => d.tagName === tag);
    assert.equal(found.length, 1, `${found.length} declarations with tagName ${tag}`);
    return found[0]!;
  };

  it('declares exactly the two elements, by tag name', () => {
    const elements = manifest.modules.flatMap((m) => m.declarations ?? []).filter((d) => d.customElement);
    assert.deepEqual(sorted(elements.map((d) => d.tagName ?? `(no tag: ${d.name})`)), ['video-consult', 'video-consult-check']);
    const definitions = manifest.modules.flatMap((m) => m.exports ?? []).filter((e) => e.kind === 'custom-element-definition');
    assert.deepEqual(sorted(definitions.map((d) => d.name)), ['video-consult', 'video-consult-check']);
  });

  it('points only at files the package ships', () => {
    const { files } = JSON.parse(read('package.json')) as { files: string[] };
    const paths = manifest.modules.flatMap((m) => [m.path, ...(m.exports ?? []).map((e) => e.declaration.module).filter((p): p is string => !!p)]);
    for (const path of paths) {
      assert.ok(
        files.some((f) => path === f || path.startsWith(`${f}/`)),
        `${path} is not in package.json "files"`,
      );
      assert.ok(existsSync(`${ROOT}${path}`), `${path} does not exist after the build`);
    }
  });

  for (const element of ELEMENTS) {
    describe(`<${element.tag}>`, () => {
      it('attributes: those the running element observes, and no token', () => {
        const live = running.get(element.tag)!;
        assert.deepEqual(names(declaration(element.tag).attributes), sorted(live.observedAttributes));
        assert.ok(!live.observedAttributes.includes('token'), 'the running element observes a token attribute: a token would show in the DOM');
      });

      it('properties: the running reactive properties and public accessors, nothing private', () => {
        const live = running.get(element.tag)!;
        const fields = (declaration(element.tag).members ?? []).filter(
          (m) => m.kind === 'field' && !m.static && m.privacy !== 'private' && m.privacy !== 'protected',
        );
        const manifestFields = names(fields);
        for (const property of Object.keys(live.properties))
          assert.ok(manifestFields.includes(property), `the manifest misses the property ${property}`);
        const known = new Set([...Object.keys(live.properties), ...live.accessors]);
        assert.deepEqual(
          manifestFields.filter((f) => !known.has(f)),
          [],
          'the manifest lists properties the running element does not have',
        );
        const token = fields.find((f) => f.name === 'token');
        assert.ok(token, 'the manifest has no token property');
        assert.equal(live.properties.token, false, 'token is an attribute of the running element');
      });

      it('events: those the source fires', () => {
        assert.deepEqual(names(declaration(element.tag).events), sourceEvents(element.source.map(read).join('\n')));
      });

      it('slots: those the running element renders', () => {
        assert.deepEqual(names(declaration(element.tag).slots), sorted(running.get(element.tag)!.slots));
      });

      it('parts: those the templates write, including every part rendered at first', () => {
        const manifestParts = names(declaration(element.tag).cssParts);
        const { literal, patterns } = sourceParts(element.source.map(read).join('\n'));
        const rendered = running.get(element.tag)!.renderedParts;
        assert.deepEqual(
          literal.filter((p) => !manifestParts.includes(p)),
          [],
          'parts in the templates missing from the manifest',
        );
        const unexplained = manifestParts.filter((p) => !literal.includes(p) && !rendered.includes(p) && !patterns.some((re) => re.test(p)));
        assert.deepEqual(unexplained, [], 'parts in the manifest that no template writes');
        for (const pattern of patterns)
          assert.ok(
            manifestParts.some((p) => pattern.test(p)),
            `no part in the manifest matches the template's ${pattern}`,
          );
        assert.deepEqual(
          sorted(rendered).filter((p) => !manifestParts.includes(p)),
          [],
          'parts the running element renders missing from the manifest',
        );
      });

      it('CSS custom properties: those the styles set or read', () => {
        assert.deepEqual(names(declaration(element.tag).cssProperties), sourceCssProperties(element.styles.map(read).join('\n')));
      });

      it(`matches ${element.doc}`, () => {
        const doc = documented(element.tag, read(element.doc));
        const d = declaration(element.tag);
        const fields = names((d.members ?? []).filter((m) => m.kind === 'field' && !m.static));
        // `lang` is the global HTML attribute, documented for what it picks, not an attribute of the element.
        assert.deepEqual(
          doc.attributes.filter((a) => a !== 'lang'),
          names(d.attributes),
          'attributes',
        );
        assert.deepEqual(
          doc.properties.filter((p) => p !== 'lang' && !fields.includes(p)),
          [],
          'documented properties the element does not have',
        );
        assert.deepEqual(doc.events, names(d.events), 'events');
        assert.deepEqual(doc.cssProperties, names(d.cssProperties), 'CSS custom properties');
        assert.deepEqual(doc.parts, names(d.cssParts), 'parts');
        assert.deepEqual(doc.slots, names(d.slots), 'slots');
      });
    });
  }
});
