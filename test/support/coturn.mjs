// A real coturn (Debian's `turnserver`) for tests and benchmarks: started on loopback on free ports
// with the TURN REST API shared secret, and the credentials that go with it.
//
//   const turn = await startCoturn();
//   const pc = new RTCPeerConnection({ iceServers: turn.iceServers() });   // in the browser
//   ...
//   await turn.stop();
//
// Only loopback (or a network namespace of the test's own, see `netns`) is ever used.
import { execFile, spawn } from 'node:child_process';
import { createHmac, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { createSocket } from 'node:dgram';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

const INSTALL_HINT = 'coturn is not installed: run `apt-get install -y coturn` (it provides `turnserver`).';

/**
 * TURN REST API credentials (draft-uberti-behave-turn-rest-00, as coturn's `--use-auth-secret`
 * checks them): username `${expiry}:${id}` with the expiry in Unix seconds, credential
 * base64(HMAC-SHA1(secret, username)).
 *
 * @param {string} secret the shared secret (coturn's `--static-auth-secret`)
 * @param {{ttlSeconds?: number, id?: string, now?: number}} [options] lifetime (default 600 s; a
 *   negative value gives an already expired credential), an opaque id (default `test`), and the
 *   current time in ms (default `Date.now()`)
 * @returns {{username: string, credential: string}}
 */
export function turnCredentials(secret, { ttlSeconds = 600, id = 'test', now = Date.now() } = {}) {
  const username = `${Math.floor(now / 1000) + ttlSeconds}:${id}`;
  const credential = createHmac('sha1', secret).update(username).digest('base64');
  return { username, credential };
}

/**
 * Starts `turnserver` and resolves once it listens on UDP and TCP.
 *
 * @param {object} [options]
 * @param {string} [options.secret] shared secret (default: random)
 * @param {string} [options.realm] default `video-consult.test`
 * @param {string} [options.host] address to listen and relay on (default `127.0.0.1`)
 * @param {string} [options.netns] run inside this existing network namespace (`ip netns exec`);
 *   then `host` must be the namespace's address and `port` is not probed for being free
 * @param {number} [options.port] listening port (default: one free on both UDP and TCP)
 * @param {number} [options.relayPorts] how many relay ports (default 100), from a random base
 * @param {boolean} [options.tls] also listen for TURN over TLS (`turns:`) on a second port, with a
 *   self-signed certificate made by `openssl` (default false)
 * @param {boolean} [options.log] pass coturn's output through to stderr (default false)
 * @returns {Promise<Coturn>}
 *
 * @typedef {object} Coturn
 * @property {string} host
 * @property {number} port the STUN/TURN listening port (UDP and TCP)
 * @property {{min: number, max: number}} relayPorts the relay port range (for firewall advice)
 * @property {string} secret
 * @property {{stun: string, udp: string, tcp: string, tls?: string}} urls
 * @property {(options?: {ttlSeconds?: number, id?: string}) => RTCIceServer[]} iceServers
 *   a STUN entry and one TURN entry with fresh credentials for the UDP, TCP (and TLS) URLs
 * @property {() => Promise<void>} stop ends the process and removes its files (idempotent)
 */
export async function startCoturn(options = {}) {
  const host = options.host ?? '127.0.0.1';
  const secret = options.secret ?? randomBytes(16).toString('hex');
  const realm = options.realm ?? 'video-consult.test';
  const port = options.port ?? (options.netns ? 3478 : await freePort(host));
  const count = options.relayPorts ?? 100;
  const min = 20000 + Math.floor(Math.random() * 400) * 100;
  const relayPorts = { min, max: min + count - 1 };
  const dir = mkdtempSync(join(tmpdir(), 'vc-coturn-'));
  const tlsPort = options.tls ? (options.netns ? 5349 : await freePort(host)) : undefined;
  if (options.tls) {
    await run('openssl', [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-days',
      '1',
      '-subj',
      '/CN=localhost',
      '-keyout',
      join(dir, 'key.pem'),
      '-out',
      join(dir, 'cert.pem'),
    ]);
  }
  const args = [
    '-n',
    '-v',
    `--listening-ip=${host}`,
    `--relay-ip=${host}`,
    `--listening-port=${port}`,
    `--min-port=${relayPorts.min}`,
    `--max-port=${relayPorts.max}`,
    '--use-auth-secret',
    `--static-auth-secret=${secret}`,
    `--realm=${realm}`,
    ...(tlsPort ? [`--tls-listening-port=${tlsPort}`, `--cert=${join(dir, 'cert.pem')}`, `--pkey=${join(dir, 'key.pem')}`] : ['--no-tls']),
    '--no-dtls',
    '--no-cli',
    // Both browsers of a test sit on this machine: without it coturn answers 403 Forbidden IP.
    '--allow-loopback-peers',
    '--log-file=stdout',
    `--userdb=${join(dir, 'turndb')}`,
    `--pidfile=${join(dir, 'turnserver.pid')}`,
  ];
  const [command, argv] = options.netns ? ['ip', ['netns', 'exec', options.netns, 'turnserver', ...args]] : ['turnserver', args];
  const child = spawn(command, argv, { stdio: ['ignore', 'pipe', 'pipe'] });

  let stopped = false;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  const stop = async () => {
    if (!stopped) {
      stopped = true;
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    }
    await exited;
    rmSync(dir, { recursive: true, force: true });
  };

  await new Promise((resolve, reject) => {
    let output = '';
    const seen = { udp: false, tcp: false };
    const timer = setTimeout(() => fail(new Error(`turnserver did not start within 10 s:\n${output.slice(-2000)}`)), 10_000);
    const fail = (error) => {
      clearTimeout(timer);
      void stop();
      reject(error);
    };
    const onData = (chunk) => {
      const text = chunk.toString();
      if (options.log) process.stderr.write(text);
      if (seen.udp && seen.tcp) return;
      output += text;
      if (/UDP listener opened on\s*:/.test(output)) seen.udp = true;
      if (/TCP listener opened on\s*:/.test(output)) seen.tcp = true;
      if (seen.udp && seen.tcp) {
        clearTimeout(timer);
        output = '';
        resolve(undefined);
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.once('error', (error) => fail(error.code === 'ENOENT' ? new Error(INSTALL_HINT) : error));
    child.once('exit', (code) => {
      // `ip netns exec` reports a missing binary through its exit status 255 and stderr.
      if (/No such file or directory|execvp/.test(output)) fail(new Error(INSTALL_HINT));
      else fail(new Error(`turnserver exited with ${code} before listening:\n${output.slice(-2000)}`));
    });
  });

  const where = `${host}:${port}`;
  const urls = {
    stun: `stun:${where}`,
    udp: `turn:${where}?transport=udp`,
    tcp: `turn:${where}?transport=tcp`,
    ...(tlsPort ? { tls: `turns:${host}:${tlsPort}?transport=tcp` } : {}),
  };
  return {
    host,
    port,
    relayPorts,
    secret,
    urls,
    iceServers: (credentialOptions) => [
      { urls: urls.stun },
      { urls: [urls.udp, urls.tcp, ...(urls.tls ? [urls.tls] : [])], ...turnCredentials(secret, credentialOptions) },
    ],
    stop,
  };
}

/** A port that is free for both TCP and UDP on `host` (coturn listens on both). */
async function freePort(host) {
  for (let attempt = 0; attempt < 20; attempt++) {
    const port = await new Promise((resolve, reject) => {
      const server = createServer();
      server.once('error', reject);
      server.listen(0, host, () => {
        const { port } = server.address();
        server.close(() => resolve(port));
      });
    });
    const udpFree = await new Promise((resolve) => {
      const socket = createSocket('udp4');
      socket.once('error', () => resolve(false));
      socket.bind(port, host, () => socket.close(() => resolve(true)));
    });
    if (udpFree) return port;
  }
  throw new Error(`no port free for both TCP and UDP on ${host}`);
}
