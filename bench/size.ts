/**
 * `npm run bench:size`: the size of the CDN build, dist/cdn/video-consult.js, the one file a clinic
 * page loads with `<script type="module">` (lit included). Gzip at level 9, as servers and CDNs
 * serve it at best. Last line: {"bench":"size","gzipBytes":N}
 */
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { constants, gzipSync } from 'node:zlib';

export const CDN_BUNDLE = fileURLToPath(new URL('../dist/cdn/video-consult.js', import.meta.url));
/** The budget from issue 2, enforced by test/build/size.test.ts. */
export const GZIP_BUDGET_BYTES = 25 * 1024;

export function gzipSize(source: Buffer): number {
  return gzipSync(source, { level: constants.Z_BEST_COMPRESSION }).length;
}

function main() {
  if (!existsSync(CDN_BUNDLE)) {
    console.error(`${CDN_BUNDLE} is missing: run \`npm run build\` first.`);
    process.exit(1);
  }
  const source = readFileSync(CDN_BUNDLE);
  const gzipBytes = gzipSize(source);
  const kib = (n: number) => (n / 1024).toFixed(1);
  console.log(`dist/cdn/video-consult.js: ${source.length} bytes raw (${kib(source.length)} KiB)`);
  console.log(`gzip -9: ${gzipBytes} bytes (${kib(gzipBytes)} KiB), budget ${GZIP_BUDGET_BYTES} bytes (${kib(GZIP_BUDGET_BYTES)} KiB), ${((gzipBytes / GZIP_BUDGET_BYTES) * 100).toFixed(0)} % used`);
  console.log(JSON.stringify({ bench: 'size', gzipBytes }));
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) main();
