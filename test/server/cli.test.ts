import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { describe, it } from 'node:test';
import { parseServerArgs } from '../../src/server/cli-args.js';
import { TestClient } from './helpers.js';

const CLI = new URL('../../src/server/cli.ts', import.meta.url).pathname;

describe('command line', () => {
  it('reads flags over environment variables', () => {
    const { options } = parseServerArgs(['--port', '9001', '--demo', '--stun-urls=stun:a:3478,stun:b:3478'], {
      VC_PORT: '7000',
      VC_HOST: '0.0.0.0',
      VC_GRACE_MS: '5',
    });
    assert.equal(options.port, 9001);
    assert.equal(options.host, '0.0.0.0');
    assert.equal(options.demo, true);
    assert.equal(options.graceMs, 5);
    assert.deepEqual(options.iceServers, ['stun:a:3478', 'stun:b:3478']);
    assert.equal(parseServerArgs([], {}).options.port, 8080);
    assert.throws(() => parseServerArgs(['--port', 'x'], {}), /number/);
    assert.throws(() => parseServerArgs(['--nope'], {}), /unknown/);
  });

  it('prints its URL, serves, and on SIGTERM tells clients shutting-down and exits 0', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', CLI, '--port', '0', '--demo', '--quiet'], { stdio: ['ignore', 'pipe', 'pipe'] });
    try {
      let out = '';
      child.stdout.setEncoding('utf8');
      const url = await new Promise<string>((ok, fail) => {
        child.stdout.on('data', (d: string) => {
          out += d;
          const m = /signaling (ws:\/\/\S+)\)/.exec(out);
          if (m) ok(m[1]!);
        });
        child.on('exit', () => fail(new Error('exited early: ' + out)));
      });
      assert.equal(out.trim().split('\n').length, 1);
      const c = new TestClient(url);
      await c.join('cli-room', 'doctor');
      child.kill('SIGTERM');
      const err = await c.next('error', 5000);
      assert.equal(err.code, 'shutting-down');
      await c.waitClosed();
      assert.equal(c.closeCode, 1001);
      const [code] = await once(child, 'exit');
      assert.equal(code, 0);
    } finally {
      child.kill('SIGKILL');
    }
  });
});

describe('starting', () => {
  it('rejects when the port is taken, and without a token secret outside demo mode', async () => {
    const { createSignalingServer } = await import('../../src/server/index.js');
    const first = await createSignalingServer({ demo: true, log: false });
    try {
      await assert.rejects(createSignalingServer({ demo: true, log: false, port: first.port }), /EADDRINUSE/);
      await assert.rejects(createSignalingServer({ log: false }), /tokenSecret is required/);
      await assert.rejects(createSignalingServer({ log: false, tokenSecret: 'short' }), /at least 16/);
    } finally {
      await first.close();
    }
  });
});
