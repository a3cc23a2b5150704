/**
 * TURN credentials: the format coturn's `use-auth-secret` expects, handed out in `joined`, and
 * checked against a real coturn with a TURN Allocate over UDP (a valid credential gets a relay
 * address, an expired one gets 401). The browser test of a call forced through the relay lives
 * with the browser tests.
 */
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { createHash, createHmac, randomBytes } from 'node:crypto';
import { createSocket } from 'node:dgram';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { turnCredentials } from '../../src/server/index.js';
import { freePort, requireProgram, startServer } from './helpers.js';

const MAGIC = 0x2112a442;
const ATTR = {
  USERNAME: 0x0006,
  MESSAGE_INTEGRITY: 0x0008,
  ERROR_CODE: 0x0009,
  REALM: 0x0014,
  NONCE: 0x0015,
  REQUESTED_TRANSPORT: 0x0019,
  XOR_RELAYED_ADDRESS: 0x0016,
};

function attr(type: number, value: Buffer): Buffer {
  const pad = (4 - (value.length % 4)) % 4;
  const head = Buffer.alloc(4);
  head.writeUInt16BE(type, 0);
  head.writeUInt16BE(value.length, 2);
  return Buffer.concat([head, value, Buffer.alloc(pad)]);
}

/** A STUN Allocate request, with long-term-credential MESSAGE-INTEGRITY when `auth` is given. */
function allocate(auth?: { username: string; realm: string; nonce: Buffer; password: string }): Buffer {
  const attrs = [attr(ATTR.REQUESTED_TRANSPORT, Buffer.from([17, 0, 0, 0]))];
  if (auth) attrs.push(attr(ATTR.USERNAME, Buffer.from(auth.username)), attr(ATTR.REALM, Buffer.from(auth.realm)), attr(ATTR.NONCE, auth.nonce));
  const body = Buffer.concat(attrs);
  const header = Buffer.alloc(20);
  header.writeUInt16BE(0x0003, 0);
  header.writeUInt32BE(MAGIC, 4);
  randomBytes(12).copy(header, 8);
  if (!auth) {
    header.writeUInt16BE(body.length, 2);
    return Buffer.concat([header, body]);
  }
  header.writeUInt16BE(body.length + 24, 2);
  const key = createHash('md5').update(`${auth.username}:${auth.realm}:${auth.password}`).digest();
  const mac = createHmac('sha1', key)
    .update(Buffer.concat([header, body]))
    .digest();
  return Buffer.concat([header, body, attr(ATTR.MESSAGE_INTEGRITY, mac)]);
}

function parse(msg: Buffer): { type: number; attrs: Map<number, Buffer> } {
  const attrs = new Map<number, Buffer>();
  let at = 20;
  while (at + 4 <= msg.length) {
    const type = msg.readUInt16BE(at);
    const len = msg.readUInt16BE(at + 2);
    attrs.set(type, msg.subarray(at + 4, at + 4 + len));
    at += 4 + len + ((4 - (len % 4)) % 4);
  }
  return { type: msg.readUInt16BE(0), attrs };
}

type Udp = ReturnType<typeof createSocket> & { inbox: Buffer[] };

function udpSocket(): Udp {
  const sock = createSocket('udp4') as Udp;
  sock.inbox = [];
  sock.on('message', (m) => sock.inbox.push(m));
  sock.on('error', () => {});
  return sock;
}

async function exchange(sock: Udp, port: number, request: Buffer): Promise<{ type: number; attrs: Map<number, Buffer> }> {
  // coturn may not be listening yet: retry for a few seconds. Answers to earlier retries are told
  // apart by their transaction id and ignored.
  const id = request.subarray(8, 20);
  const deadline = Date.now() + 5000;
  let resendAt = 0;
  while (Date.now() < deadline) {
    if (Date.now() >= resendAt) {
      sock.send(request, port, '127.0.0.1');
      resendAt = Date.now() + 250;
    }
    await new Promise((ok) => setTimeout(ok, 20));
    for (let reply = sock.inbox.shift(); reply; reply = sock.inbox.shift()) {
      if (reply.length >= 20 && reply.subarray(8, 20).equals(id)) return parse(reply);
    }
  }
  throw new Error('no answer from coturn');
}

/** Runs an authenticated Allocate; returns the STUN error code, or 0 on success. */
async function tryAllocate(port: number, username: string, password: string): Promise<number> {
  // One socket for both requests: coturn ties the nonce to the client's address and port.
  const sock = udpSocket();
  try {
    return await allocateOn(sock, port, username, password);
  } finally {
    sock.close();
  }
}

async function allocateOn(sock: Udp, port: number, username: string, password: string): Promise<number> {
  const challenge = await exchange(sock, port, allocate());
  const realm = challenge.attrs.get(ATTR.REALM)!.toString();
  const nonce = challenge.attrs.get(ATTR.NONCE)!;
  const res = await exchange(sock, port, allocate({ username, realm, nonce, password }));
  if (res.type === 0x0103) {
    assert.ok(res.attrs.has(ATTR.XOR_RELAYED_ADDRESS), 'a relayed address');
    return 0;
  }
  const e = res.attrs.get(ATTR.ERROR_CODE)!;
  return e[2]! * 100 + e[3]!;
}

describe('TURN credentials', () => {
  const secret = 'turn-shared-secret-for-tests';

  it('use the TURN REST form: expiry:random and base64 HMAC-SHA1', () => {
    const c = turnCredentials({ secret, urls: ['turn:127.0.0.1:3478?transport=udp'], ttlSeconds: 600 }, 1_000_000_000);
    assert.match(c.username!, /^1000600:[0-9a-f]{12}$/);
    assert.equal(c.credential, createHmac('sha1', secret).update(c.username!).digest('base64'));
    assert.equal(c.urls, 'turn:127.0.0.1:3478?transport=udp');
  });

  it('are handed out in joined, after the static STUN servers, fresh for each join', async () => {
    const urls = ['turn:turn.example:3478?transport=udp', 'turns:turn.example:443?transport=tcp'];
    const s = await startServer({ iceServers: ['stun:stun.example:3478'], turn: { secret, urls, ttlSeconds: 120 } });
    try {
      const a = await s.client().join('turn-a', 'doctor');
      const b = await s.client().join('turn-b', 'doctor');
      assert.deepEqual(a.iceServers[0], { urls: 'stun:stun.example:3478' });
      assert.deepEqual(a.iceServers[1].urls, urls);
      const expiry = Number(a.iceServers[1].username.split(':')[0]);
      assert.ok(Math.abs(expiry - (Date.now() / 1000 + 120)) < 5);
      assert.notEqual(a.iceServers[1].username, b.iceServers[1].username);
    } finally {
      await s.stop();
    }
  });

  it('are accepted by a real coturn, and refused once expired', async (t) => {
    if (!requireProgram(t, 'turnserver', 'coturn')) return;
    const dir = mkdtempSync(join(tmpdir(), 'vc-turn-'));
    const port = await freePort();
    const relayBase = 40000 + Math.floor(Math.random() * 10000);
    let child: ChildProcess | null = null;
    try {
      child = spawn(
        'turnserver',
        [
          '-n',
          '--listening-ip=127.0.0.1',
          `--listening-port=${port}`,
          `--min-port=${relayBase}`,
          `--max-port=${relayBase + 50}`,
          '--use-auth-secret',
          `--static-auth-secret=${secret}`,
          '--realm=vc.test',
          '--no-tls',
          '--no-dtls',
          '--no-cli',
          '--allow-loopback-peers',
          '--log-file=stdout',
          `--userdb=${join(dir, 'turn.db')}`,
        ],
        { stdio: 'ignore' },
      );
      const fresh = turnCredentials({ secret, urls: [`turn:127.0.0.1:${port}`], ttlSeconds: 600 });
      const expired = turnCredentials({ secret, urls: [`turn:127.0.0.1:${port}`], ttlSeconds: 60 }, Date.now() - 3600_000);
      const forged = { ...fresh, credential: createHmac('sha1', 'wrong-secret').update(fresh.username!).digest('base64') };
      assert.equal(await tryAllocate(port, fresh.username!, fresh.credential!), 0);
      assert.equal(await tryAllocate(port, expired.username!, expired.credential!), 401);
      assert.equal(await tryAllocate(port, forged.username!, forged.credential!), 401);
    } finally {
      if (child && child.exitCode === null) {
        child.kill('SIGTERM');
        await once(child, 'exit');
      }
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
