import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createSignalingServer, type SignalingServer } from '../../src/server/index.js';

/** A raw GET, so that the path reaches the server exactly as written (no URL normalisation). */
function get(port: number, path: string, method = 'GET'): Promise<{ status: number; type: string; body: string }> {
  return new Promise((ok, fail) => {
    const req = request({ host: '127.0.0.1', port, path, method }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d) => (body += d));
      res.on('end', () => ok({ status: res.statusCode ?? 0, type: String(res.headers['content-type'] ?? ''), body }));
    });
    req.on('error', fail);
    req.end();
  });
}

describe('demo static files', () => {
  let dir: string;
  let server: SignalingServer;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'vc-static-'));
    mkdirSync(join(dir, 'demo', 'node_modules', 'lit'), { recursive: true });
    mkdirSync(join(dir, 'dist', 'cdn'), { recursive: true });
    writeFileSync(join(dir, 'demo', 'index.html'), '<!doctype html><title>demo</title>');
    writeFileSync(join(dir, 'demo', 'app.js'), 'export {};');
    writeFileSync(join(dir, 'demo', 'style.css'), 'body{}');
    writeFileSync(join(dir, 'demo', '.env'), 'SECRET=1');
    writeFileSync(join(dir, 'demo', 'node_modules', 'lit', 'index.js'), 'lit');
    writeFileSync(join(dir, 'dist', 'cdn', 'video-consult.js'), 'export const x = 1;');
    writeFileSync(join(dir, 'secret.txt'), 'outside');
    symlinkSync(join(dir, 'secret.txt'), join(dir, 'demo', 'link.txt'));
    server = await createSignalingServer({ demo: true, demoRoot: join(dir, 'demo'), distRoot: join(dir, 'dist'), log: false });
  });
  after(async () => {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('serves the demo at / and the build at /dist/ with their content types', async () => {
    const index = await get(server.port, '/');
    assert.equal(index.status, 200);
    assert.match(index.type, /^text\/html/);
    assert.match(index.body, /demo/);
    assert.match((await get(server.port, '/app.js')).type, /^text\/javascript/);
    assert.match((await get(server.port, '/style.css')).type, /^text\/css/);
    const cdn = await get(server.port, '/dist/cdn/video-consult.js?v=1');
    assert.equal(cdn.status, 200);
    assert.match(cdn.type, /^text\/javascript/);
    assert.equal((await get(server.port, '/app.js', 'HEAD')).status, 200);
    assert.equal((await get(server.port, '/app.js', 'POST')).status, 405);
  });

  it('refuses traversal, dot-files, node_modules and symlinks out of the root', async () => {
    for (const path of [
      '/../secret.txt',
      '/%2e%2e/secret.txt',
      '/%2e%2e%2fsecret.txt',
      '/dist/../secret.txt',
      '/dist/%2e%2e/%2e%2e/secret.txt',
      '/..%5csecret.txt',
      '/app.js%00.html',
      '/.env',
      '/node_modules/lit/index.js',
      '/link.txt',
      '/%E0%A4%A',
      '/missing.html',
    ]) {
      const res = await get(server.port, path);
      assert.equal(res.status, 404, path);
      assert.doesNotMatch(res.body, /outside|SECRET|lit/, path);
    }
  });

  it('serves nothing but the endpoints when demo mode is off', async () => {
    const plain = await createSignalingServer({ demoRoot: join(dir, 'demo'), tokenSecret: 'a-secret-of-enough-length', log: false });
    try {
      assert.equal((await get(plain.port, '/')).status, 404);
      assert.equal((await get(plain.port, '/healthz')).status, 200);
      assert.equal((await get(plain.port, '/signal')).status, 426);
    } finally {
      await plain.close();
    }
  });
});
