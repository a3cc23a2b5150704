// Builds from one source tree:
//  1. dist/**: unbundled ESM with .d.ts for `npm install` users (lit stays a dependency), and the
//     Node server and its command;
//  2. dist/cdn/video-consult.js and dist/cdn/video-consult-check.js: one minified, self-contained
//     module each (lit included) for a <script type="module"> tag.
import nodeResolve from '@rollup/plugin-node-resolve';
import terser from '@rollup/plugin-terser';
import typescript from '@rollup/plugin-typescript';
import { builtinModules } from 'node:module';

const dependencies = ['lit', 'ws', 'ioredis'];
const external = (id) =>
  builtinModules.includes(id) ||
  id.startsWith('node:') ||
  dependencies.some((dep) => id === dep || id.startsWith(`${dep}/`));

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

export default [
  {
    input: {
      index: 'src/index.ts',
      'server/index': 'src/server/index.ts',
      'server/cli': 'src/server/cli.ts',
    },
    external,
    output: {
      dir: 'dist',
      format: 'es',
      preserveModules: true,
      preserveModulesRoot: 'src',
      entryFileNames: '[name].js',
    },
    plugins: [typescript({ tsconfig: './tsconfig.json', declaration: true, outDir: 'dist' })],
  },
  ...['video-consult', 'video-consult-check', 'video-consult-files', 'video-consult-de'].map((name) => ({
    input: `src/cdn/${name}.ts`,
    output: { file: `dist/cdn/${name}.js`, format: 'es' },
    plugins: [
      nodeResolve({ browser: true }),
      minifyLitCss(),
      typescript({ tsconfig: './tsconfig.json', declaration: false, outDir: 'dist/cdn' }),
      terser({ module: true, ecma: 2022, compress: { passes: 3 }, format: { comments: false } }),
    ],
  })),
];
