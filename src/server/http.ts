/**
 * Plain HTTP on the signaling server's port: `/healthz`, `/metrics`, the demo's files in demo
 * mode, security headers on every answer, and the TLS settings for HTTPS.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { resolve } from 'node:path';
import type { Metrics } from './metrics.js';
import type { ResolvedOptions } from './options.js';
import { serveStatic, type StaticMount } from './static.js';

/** What the HTTP side reads from the running server. */
export interface HttpView {
  readonly secure: boolean;
  readonly metrics: Metrics;
  closing(): boolean;
  connections(): number;
  rooms(): number;
}

export function requestHandler(opts: ResolvedOptions, view: HttpView): (req: IncomingMessage, res: ServerResponse) => void {
  const mounts: StaticMount[] = [
    { prefix: '/dist/', root: resolve(opts.distRoot) },
    { prefix: '/', root: resolve(opts.demoRoot) },
  ];
  return (req, res) => {
    const path = pathOf(req);
    res.setHeader('x-content-type-options', 'nosniff');
    res.setHeader('referrer-policy', 'no-referrer');
    if (view.secure) res.setHeader('strict-transport-security', 'max-age=31536000');
    if (path === '/signal') {
      res.writeHead(426, { 'content-type': 'text/plain; charset=utf-8', upgrade: 'websocket' });
      res.end('This is a WebSocket endpoint.\n');
      return;
    }
    if (path === '/healthz') {
      const closing = view.closing();
      res.writeHead(closing ? 503 : 200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ ok: !closing, connections: view.connections() }) + '\n');
      return;
    }
    if (path === '/metrics') {
      view.metrics.connections = view.connections();
      view.metrics.rooms = view.rooms();
      res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8' });
      res.end(view.metrics.render());
      return;
    }
    if (opts.demo && path !== null) {
      void serveStatic(mounts, req, res, path);
      return;
    }
    res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' });
    res.end('Not found\n');
  };
}

/** The request's path without the query; null for a request target that is no path. */
export function pathOf(req: IncomingMessage): string | null {
  const raw = req.url ?? '/';
  if (!raw.startsWith('/')) return null;
  const q = raw.indexOf('?');
  return q === -1 ? raw : raw.slice(0, q);
}

/** TLS 1.2 and later with forward-secret key exchange only (ECDHE; TLS 1.3 suites all are). */
export function tlsOptions(tls: { cert: string | Buffer; key: string | Buffer }) {
  return {
    cert: tls.cert,
    key: tls.key,
    minVersion: 'TLSv1.2' as const,
    ciphers: [
      'TLS_AES_128_GCM_SHA256',
      'TLS_AES_256_GCM_SHA384',
      'TLS_CHACHA20_POLY1305_SHA256',
      'ECDHE-ECDSA-AES128-GCM-SHA256',
      'ECDHE-RSA-AES128-GCM-SHA256',
      'ECDHE-ECDSA-AES256-GCM-SHA384',
      'ECDHE-RSA-AES256-GCM-SHA384',
      'ECDHE-ECDSA-CHACHA20-POLY1305',
      'ECDHE-RSA-CHACHA20-POLY1305',
    ].join(':'),
    honorCipherOrder: true,
  };
}
