import assert from 'node:assert/strict';
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { createJoinToken } from '../../src/server/index.js';
import { freePort, requireProgram, TestClient } from './helpers.js';

const CLI = new URL('../../src/server/cli.ts', import.meta.url).pathname;
const secret = 'redis-test-secret-0123456789';

/** Starts one server process on the shared Redis; resolves with its signaling URL. */
async function startNode(redisUrl: string, children: ChildProcess[]): Promise<string> {
  const child = spawn(process.execPath, ['--import', 'tsx', CLI, '--port', '0', '--redis-url', redisUrl, '--quiet'], {
    env: { ...process.env, VC_TOKEN_SECRET: secret },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let out = '';
  let err = '';
  child.stderr.on('data', (d) => (err += d));
  return new Promise((ok, fail) => {
    child.stdout.on('data', (d) => {
      out += d;
      const m = /signaling (ws:\/\/\S+)\)/.exec(out);
      if (m) ok(m[1]!);
    });
    child.on('exit', (code) => fail(new Error(`server exited ${code}: ${err}`)));
  });
}

describe('scale-out on Redis', () => {
  it('puts a doctor on one process and a patient on another in the same room', async (t) => {
    if (!requireProgram(t, 'redis-server', 'redis-server')) return;
    const dir = mkdtempSync(join(tmpdir(), 'vc-redis-'));
    const port = await freePort();
    const pidfile = join(dir, 'redis.pid');
    execFileSync('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--daemonize', 'yes', '--pidfile', pidfile, '--dir', dir]);
    // Read the pid now: redis removes its pid file when it stops.
    let pid = 0;
    for (let i = 0; i < 50 && !pid; i++) {
      try {
        pid = Number(readFileSync(pidfile, 'utf8'));
      } catch {
        await new Promise((ok) => setTimeout(ok, 50));
      }
    }
    const children: ChildProcess[] = [];
    const clients: TestClient[] = [];
    try {
      const redisUrl = `redis://127.0.0.1:${port}`;
      const [urlA, urlB] = await Promise.all([startNode(redisUrl, children), startNode(redisUrl, children)]);
      assert.notEqual(urlA, urlB);
      const room = 'cross-node';
      const client = (url: string, role: 'doctor' | 'patient') => {
        const c = new TestClient(url, { token: createJoinToken({ secret, room, role }) });
        clients.push(c);
        return c;
      };
      const doctor = client(urlA, 'doctor');
      const patient = client(urlB, 'patient');
      await doctor.join(room, 'doctor');
      const pj = await patient.join(room, 'patient');
      assert.equal(pj.waiting, true);
      assert.equal((await doctor.next('knock', 3000)).waiting, true);
      doctor.send({ type: 'admit' });
      const admitted = await patient.next('admitted', 3000);
      assert.equal((await patient.next('peer-joined', 3000)).role, 'doctor');
      assert.equal((await doctor.next('peer-joined', 3000)).role, 'patient');
      const offer = { type: 'offer', sdp: 'v=0\r\ns=cross\r\n' };
      doctor.send({ type: 'description', description: offer });
      assert.deepEqual((await patient.next('description', 3000)).description, offer);
      patient.send({ type: 'description', description: { type: 'answer', sdp: 'v=0\r\n' } });
      assert.equal((await doctor.next('description', 3000)).description.type, 'answer');
      // The room is shared: a second doctor on the patient's process is refused.
      const second = client(urlB, 'doctor');
      await second.open();
      second.send({ type: 'join', room, role: 'doctor' });
      assert.equal((await second.next('error', 3000)).code, 'room-full');
      // The patient reloads onto the doctor's process and is back in the call with the ticket
      // from `admitted` (the one from the waiting room would bring back only a waiting place).
      patient.ws.terminate();
      assert.equal((await doctor.next('peer-left', 3000)).reason, 'gone');
      const back = client(urlA, 'patient');
      const bj = await back.join(room, 'patient', admitted.session);
      assert.equal(bj.peer, true);
      assert.equal((await doctor.next('peer-joined', 3000)).role, 'patient');
      // A patient who hung up has no place to come back to on any process.
      back.send({ type: 'leave' });
      assert.equal((await doctor.next('peer-left', 3000)).reason, 'left');
      const departed = client(urlB, 'patient');
      const dj = await departed.join(room, 'patient', bj.session);
      assert.equal(dj.waiting, true);
      assert.equal((await doctor.next('knock', 3000)).waiting, true);
      // Racing joins for one place on two processes: exactly one wins.
      for (let i = 0; i < 5; i++) {
        const raceRoom = `race-${i}`;
        const racers = [urlA, urlB].map((url) => {
          const c = new TestClient(url, { token: createJoinToken({ secret, room: raceRoom, role: 'doctor' }) });
          clients.push(c);
          return c;
        });
        await Promise.all(racers.map((c) => c.open()));
        for (const c of racers) c.send({ type: 'join', room: raceRoom, role: 'doctor' });
        const answers = await Promise.all(racers.map((c) => c.next(undefined, 3000)));
        assert.deepEqual(answers.map((a) => (a.type === 'joined' ? 'joined' : a.code)).sort(), ['joined', 'room-full']);
      }
    } finally {
      for (const c of clients) c.ws.terminate();
      await Promise.all(
        children.map(async (c) => {
          if (c.exitCode === null) {
            c.kill('SIGTERM');
            await once(c, 'exit');
          }
        }),
      );
      if (pid) process.kill(pid, 'SIGTERM');
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
