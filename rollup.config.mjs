// Builds from one source tree:
//  1. dist/**: unbundled ESM with .d.ts for `npm install` users (lit stays a dependency): the full
//     entry and one entry per part (call, check, files, de, elements, react), and the Node server
//     and its command;
//  2. dist/cdn/: minified ES modules for <script type="module"> tags, split so that a page loads one
//     copy of Lit and the core whatever elements it uses: video-consult.js and
//     video-consult-check.js, which import shared chunks from their own folder, and the parts that
//     video-consult.js loads on demand (video-consult-files.js, video-consult-de.js).
import nodeResolve from '@rollup/plugin-node-resolve';
import terser from '@rollup/plugin-terser';
import typescript from '@rollup/plugin-typescript';
import { builtinModules } from 'node:module';

const dependencies = ['lit', 'ws', 'ioredis'];
const external = (id) => builtinModules.includes(id) || id.startsWith('node:') || dependencies.some((dep) => id === dep || id.startsWith(`${dep}/`));

/**
 * Minifies the CSS inside Lit's css`…` templates, which terser leaves as written (comments,
 * indentation). Only whitespace and comments go; the rules stay as they are.
 */
function minifyLitCss() {
  const minify = (css) =>
    css
      .replace(/\/\*[\s\S]*?\*\//g, '')
      .replace(/\s+/g, ' ')
      .replace(/\s*([{};,>])\s*/g, '$1')
      .replace(/:\s+/g, ':')
      .replace(/;}/g, '}')
      .trim();
  return {
    name: 'minify-lit-css',
    transform(code, id) {
      if (!id.endsWith('styles.ts') && !id.includes('/element/')) return null;
      const out = code.replace(/\bcss\s*`([^`]*)`/g, (_m, body) => 'css`' + minify(body) + '`');
      return out === code ? null : { code: out, map: null };
    },
  };
}

/** Entries of the npm build, besides the server. Each is a subpath export in package.json. */
const ENTRIES = ['index', 'call', 'check', 'files', 'de', 'elements', 'jsx', 'vue', 'react/index'];
/** The script-tag files a page names; the parts video-consult.js loads on demand are built from its import()s. */
const CDN_ENTRIES = ['video-consult', 'video-consult-check'];
/** Names of parts loaded on demand that are not named after their own file: the call engine, which `join()` loads. */
const CDN_PARTS = { engine: 'video-consult-engine' };

export default [
  {
    input: {
      ...Object.fromEntries(ENTRIES.map((name) => [name, `src/${name}.ts`])),
      'server/index': 'src/server/index.ts',
      'server/cli': 'src/server/cli.ts',
    },
    external: (id) => external(id) || ['react', '@lit/react'].includes(id),
    output: {
      dir: 'dist',
      format: 'es',
      preserveModules: true,
      preserveModulesRoot: 'src',
      entryFileNames: '[name].js',
    },
    // The styles ship without comments and indentation here too: a bundler leaves css`…` as written.
    plugins: [minifyLitCss(), typescript({ tsconfig: './tsconfig.json', declaration: true, outDir: 'dist' })],
  },
  {
    input: Object.fromEntries(CDN_ENTRIES.map((name) => [name, `src/cdn/${name}.ts`])),
    // The parts loaded on demand import what they share with video-consult.js from it, not from an extra chunk.
    preserveEntrySignatures: 'allow-extension',
    output: {
      dir: 'dist/cdn',
      format: 'es',
      entryFileNames: '[name].js',
      // A part loaded on demand keeps its plain name (a page may still load it with a tag of its own);
      // code both elements use gets a content hash, so a cache never mixes chunks of two releases.
      chunkFileNames: (chunk) => (chunk.isDynamicEntry ? `${CDN_PARTS[chunk.name] ?? chunk.name}.js` : 'shared-[hash].js'),
      // The frame codecs and validators serve the engine, file transfer and the check, never the
      // first screen of a call: a chunk of their own keeps them out of what a call page loads first
      // (Lit, the error codes and the event helper, which both elements need, stay in one chunk).
      manualChunks: (id) => {
        const path = id.replace(/\\/g, '/');
        if (/\/src\/protocol\/(validate|file-transfer)\.ts$/.test(path)) return 'protocol';
        if (
          /\/node_modules\/(lit|lit-html|lit-element|@lit\/reactive-element)\/|\/src\/(protocol\/signaling|core\/errors|element\/events|element\/define)\.ts$/.test(
            path,
          )
        )
          return 'lit';
        return undefined;
      },
    },
    plugins: [
      nodeResolve({ browser: true }),
      minifyLitCss(),
      typescript({ tsconfig: './tsconfig.json', declaration: false, outDir: 'dist/cdn' }),
      terser({ module: true, ecma: 2022, compress: { passes: 3 }, format: { comments: false } }),
    ],
  },
];
