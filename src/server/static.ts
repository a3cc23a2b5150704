/**
 * The demo's static files: a small, read-only file server that refuses anything outside its
 * roots (`..`, encoded slashes, NUL, dot-files, node_modules, symlinks pointing out).
 */
import { createReadStream } from 'node:fs';
import { realpath, stat } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { extname, join, sep } from 'node:path';

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.webp': 'image/webp',
  '.ico': 'image/x-icon',
  '.txt': 'text/plain; charset=utf-8',
  '.woff2': 'font/woff2',
  '.ts': 'text/plain; charset=utf-8',
  '.d.ts': 'text/plain; charset=utf-8',
  '.webmanifest': 'application/manifest+json',
};

export interface StaticMount {
  /** URL prefix, ending in '/'. */
  prefix: string;
  /** Directory on disk. */
  root: string;
}

function notFound(res: ServerResponse): void {
  res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' });
  res.end('Not found\n');
}

/** Maps a URL path below a mount to a file path, or null if it is not allowed. */
export function resolveStatic(mount: StaticMount, urlPath: string): string | null {
  if (!urlPath.startsWith(mount.prefix)) return null;
  const rest = urlPath.slice(mount.prefix.length);
  // Segments are decoded one by one so that %2F cannot smuggle a separator past the checks.
  const segments: string[] = [];
  for (const raw of rest.split('/')) {
    let seg: string;
    try {
      seg = decodeURIComponent(raw);
    } catch {
      return null;
    }
    if (seg === '') continue;
    if (seg === '.' || seg === '..' || seg.startsWith('.') || seg === 'node_modules') return null;
    if (/[\\/\0]/.test(seg)) return null;
    segments.push(seg);
  }
  const path = join(mount.root, ...segments);
  return path === mount.root || path.startsWith(mount.root + sep) ? path : null;
}

/** Serves a GET or HEAD from the first mount whose prefix matches; answers 404 otherwise. */
export async function serveStatic(mounts: StaticMount[], req: IncomingMessage, res: ServerResponse, urlPath: string): Promise<void> {
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.writeHead(405, { allow: 'GET, HEAD' });
    res.end();
    return;
  }
  const mount = mounts.find((m) => urlPath.startsWith(m.prefix));
  let path = mount && resolveStatic(mount, urlPath);
  if (!mount || !path) return notFound(res);
  try {
    let info = await stat(path);
    if (info.isDirectory()) {
      path = join(path, 'index.html');
      info = await stat(path);
    }
    // A symlink inside the root must not lead outside it.
    const [real, realRoot] = await Promise.all([realpath(path), realpath(mount.root)]);
    if (!real.startsWith(realRoot + sep) || !info.isFile()) return notFound(res);
    const ext = path.endsWith('.d.ts') ? '.d.ts' : extname(path).toLowerCase();
    res.writeHead(200, {
      'content-type': CONTENT_TYPES[ext] ?? 'application/octet-stream',
      'content-length': info.size,
      'cache-control': 'no-cache',
      'x-content-type-options': 'nosniff',
    });
    if (req.method === 'HEAD') {
      res.end();
      return;
    }
    const stream = createReadStream(real);
    stream.on('error', () => res.destroy());
    stream.pipe(res);
  } catch {
    notFound(res);
  }
}
