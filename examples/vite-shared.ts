// What the example apps share in their Vite config: `video-consult` and its subpaths resolve the
// way they do for an app that installed the package (through package.json `exports`, to dist/).
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Alias } from 'vite';

const root = fileURLToPath(new URL('..', import.meta.url));
const pkg = JSON.parse(readFileSync(`${root}package.json`, 'utf8')) as {
  exports: Record<string, string | { import?: string }>;
};

/** One alias per subpath export that has an ES module (`video-consult/react` → dist/react/index.js). */
export const packageAliases: Alias[] = Object.entries(pkg.exports)
  .map(([subpath, target]) => [subpath, typeof target === 'string' ? target : target.import] as const)
  .filter((entry): entry is readonly [string, string] => !!entry[1] && entry[1].endsWith('.js') && !entry[0].includes('*'))
  .map(([subpath, file]) => ({
    find: new RegExp(`^video-consult${subpath.slice(1).replace(/[/.]/g, '\\$&')}$`),
    replacement: `${root}${file.slice(2)}`,
  }));
