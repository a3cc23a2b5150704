import assert from 'node:assert/strict';
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { createJoinToken } from '../../src/server/index.js';
import { join as roomJoin, type RoomState } from '../../src/server/rooms.js';
import { freePort, requireProgram, TestClient } from './helpers.js';

const CLI = new URL('../../src/server/cli.ts', import.meta.url).pathname;
const secret = 'redis-test-secret-0123456789';

/** A server process on the shared Redis, with its signaling URL. */
interface Node {
  child: ChildProcess;
  url: string;
}

/** Starts one server process on the shared Redis. */
async function startNode(redisUrl: string, children: ChildProcess[], env: Record<string, string> = {}): Promise<Node> {
  const child = spawn(process.execPath, ['--import', 'tsx', CLI, '--port', '0', '--redis-url', redisUrl, '--quiet'], {
    env: { ...process.env, VC_TOKEN_SECRET: secret, ...env },
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
      if (m) ok({ child, url: m[1]! });
    });
    child.on('exit', (code) => fail(new Error(`server exited ${code}: ${err}`)));
  });
}

/**
 * A Redis of its own and a way to start server processes on it; `stop()` ends the processes
 * still running, then Redis.
 */
async function startCluster() {
  const dir = mkdtempSync(join(tmpdir(), 'vc-redis-'));
  const port = await freePort();
  const pidfile = join(dir, 'redis.pid');
  execFileSync('redis-server', [
    '--port',
    String(port),
    '--bind',
    '127.0.0.1',
    '--save',
    '',
    '--appendonly',
    'no',
    '--daemonize',
    'yes',
    '--pidfile',
    pidfile,
    '--dir',
    dir,
  ]);
  // Read the pid now: redis removes its pid file when it stops.
  let pid = 0;
  for (let i = 0; i < 50 && !pid; i++) {
    try {
      pid = Number(readFileSync(pidfile, 'utf8'));
    } catch {
      await new Promise((ok) => setTimeout(ok, 50));
    }
  }
  const redisUrl = `redis://127.0.0.1:${port}`;
  const children: ChildProcess[] = [];
  const clients: TestClient[] = [];
  return {
    node: (env?: Record<string, string>) => startNode(redisUrl, children, env),
    client(url: string, room: string, role: 'doctor' | 'patient') {
      const c = new TestClient(url, { token: createJoinToken({ secret, room, role }) });
      clients.push(c);
      return c;
    },
    async stop() {
      for (const c of clients) c.ws.terminate();
      await Promise.all(
        children.map(async (c) => {
          if (c.exitCode === null && c.signalCode === null) {
            c.kill('SIGTERM');
            await once(c, 'exit');
          }
        }),
      );
      if (pid) process.kill(pid, 'SIGTERM');
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

describe('scale-out on Redis', () => {
  it('puts a doctor on one process and a patient on another in the same room', async (t) => {
    if (!requireProgram(t, 'redis-server', 'redis-server')) return;
    const cluster = await startCluster();
    try {
      const [{ url: urlA }, { url: urlB }] = await Promise.all([cluster.node(), cluster.node()]);
      assert.notEqual(urlA, urlB);
      const room = 'cross-node';
      const client = (url: string, role: 'doctor' | 'patient') => cluster.client(url, room, role);
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
        const racers = [urlA, urlB].map((url) => cluster.client(url, raceRoom, 'doctor'));
        await Promise.all(racers.map((c) => c.open()));
        for (const c of racers) c.send({ type: 'join', room: raceRoom, role: 'doctor' });
        const answers = await Promise.all(racers.map((c) => c.next(undefined, 3000)));
        assert.deepEqual(answers.map((a) => (a.type === 'joined' ? 'joined' : a.code)).sort(), ['joined', 'room-full']);
      }
    } finally {
      await cluster.stop();
    }
  });
});

describe('a process that dies on Redis', () => {
  // Short heartbeats, so that the survivors notice within a second or so; the waits below are
  // only bounds against hanging.
  const env = { VC_REDIS_HEARTBEAT_MS: '200' };
  const bound = 15_000;

  it('is noticed by the others: the peers are told, and tickets bring the places back elsewhere', async (t) => {
    if (!requireProgram(t, 'redis-server', 'redis-server')) return;
    const cluster = await startCluster();
    try {
      const [a, b] = await Promise.all([cluster.node(env), cluster.node(env)]);
      // A call with the doctor on A and the admitted patient on B.
      const room = 'dies-call';
      const doctor = cluster.client(a.url, room, 'doctor');
      const patient = cluster.client(b.url, room, 'patient');
      const dj = await doctor.join(room, 'doctor');
      await patient.join(room, 'patient');
      await doctor.next('knock', bound);
      doctor.send({ type: 'admit' });
      await patient.next('admitted', bound);
      assert.equal((await patient.next('peer-joined', bound)).role, 'doctor');
      await doctor.next('peer-joined', bound);
      // And a patient on A still in the waiting room of a doctor on B.
      const waitRoom = 'dies-waiting';
      const host = cluster.client(b.url, waitRoom, 'doctor');
      await host.join(waitRoom, 'doctor');
      assert.equal((await cluster.client(a.url, waitRoom, 'patient').join(waitRoom, 'patient')).waiting, true);
      assert.equal((await host.next('knock', bound)).waiting, true);

      a.child.kill('SIGKILL');
      assert.deepEqual(await patient.next('peer-left', bound), { v: 1, type: 'peer-left', role: 'doctor', reason: 'gone' });
      assert.deepEqual(await host.next('knock', bound), { v: 1, type: 'knock', waiting: false });
      // The doctor reconnects to B with its ticket, within the grace period: the call goes on.
      const back = cluster.client(b.url, room, 'doctor');
      assert.equal((await back.join(room, 'doctor', dj.session)).peer, true);
      assert.equal((await patient.next('peer-joined', bound)).role, 'doctor');
      const offer = { type: 'offer', sdp: 'v=0\r\ns=again\r\n' };
      back.send({ type: 'description', description: offer });
      assert.deepEqual((await patient.next('description', bound)).description, offer);
    } finally {
      await cluster.stop();
    }
  });

  it('frees its places: a doctor without a ticket gets in instead of room-full', async (t) => {
    if (!requireProgram(t, 'redis-server', 'redis-server')) return;
    const cluster = await startCluster();
    try {
      const [a, b] = await Promise.all([cluster.node(env), cluster.node(env)]);
      const room = 'dies-fresh';
      const doctor = cluster.client(a.url, room, 'doctor');
      const patient = cluster.client(b.url, room, 'patient');
      await doctor.join(room, 'doctor');
      await patient.join(room, 'patient');
      await doctor.next('knock', bound);
      doctor.send({ type: 'admit' });
      await patient.next('admitted', bound);
      await patient.next('peer-joined', bound);
      // A room where the doctor on A is alone: nobody will be told when A dies.
      const alone = 'dies-alone';
      await cluster.client(a.url, alone, 'doctor').join(alone, 'doctor');

      a.child.kill('SIGKILL');
      assert.equal((await patient.next('peer-left', bound)).reason, 'gone');
      // A has been noticed. Whether or not its lone room has been cleaned up yet, a doctor
      // without a ticket gets both places, not room-full.
      const fresh = cluster.client(b.url, room, 'doctor');
      assert.equal((await fresh.join(room, 'doctor')).peer, true);
      assert.equal((await patient.next('peer-joined', bound)).role, 'doctor');
      const lone = cluster.client(b.url, alone, 'doctor');
      assert.equal((await lone.join(alone, 'doctor')).type, 'joined');
    } finally {
      await cluster.stop();
    }
  });

  it('closes the connections of a process that was taken for dead while stalled', async (t) => {
    if (!requireProgram(t, 'redis-server', 'redis-server')) return;
    const cluster = await startCluster();
    try {
      const [a, b] = await Promise.all([cluster.node(env), cluster.node(env)]);
      const room = 'dies-stalled';
      const doctor = cluster.client(a.url, room, 'doctor');
      const patient = cluster.client(b.url, room, 'patient');
      const dj = await doctor.join(room, 'doctor');
      await patient.join(room, 'patient');
      await doctor.next('knock', bound);
      doctor.send({ type: 'admit' });
      await patient.next('admitted', bound);
      await patient.next('peer-joined', bound);
      await doctor.next('peer-joined', bound);

      a.child.kill('SIGSTOP');
      assert.equal((await patient.next('peer-left', bound)).reason, 'gone');
      a.child.kill('SIGCONT');
      // A wakes up to find its places let go: it closes its stale connections rather than keep
      // them in a call the others no longer know about, and takes the doctor back with its ticket.
      await doctor.closed;
      assert.equal(doctor.closeCode, 1011);
      const back = cluster.client(a.url, room, 'doctor');
      assert.equal((await back.join(room, 'doctor', dj.session)).peer, true);
      assert.equal((await patient.next('peer-joined', bound)).role, 'doctor');
    } finally {
      await cluster.stop();
    }
  });
});

describe('a join racing the clean-up after a dead process', () => {
  it("lets the dead process's place go first instead of refusing room-full", () => {
    const state: RoomState = {
      doctor: { place: 'p-doctor', conn: 'dead:1', admitted: true, goneAt: null },
      patient: { place: 'p-patient', conn: 'live:1', admitted: true, goneAt: null },
    };
    const input = {
      conn: 'live:2',
      role: 'doctor' as const,
      room: 'r',
      newPlace: 'p-new',
      issue: (place: string) => `ticket-${place}`,
      iceServers: { waiting: [], admitted: [] },
      now: 1_000,
      graceMs: 60_000,
    };
    const refused = roomJoin(state, input);
    assert.deepEqual(refused.result, { ok: false, code: 'room-full' });
    const t = roomJoin(state, { ...input, goneNodes: ['dead'] });
    assert.deepEqual(t.result, { ok: true, place: 'p-new' });
    assert.equal(t.state?.doctor?.conn, 'live:2');
    // The patient hears the old doctor go, then the new one arrive.
    assert.deepEqual(
      t.deliveries.filter((d) => d.to === 'live:1').map((d) => JSON.parse(d.frame).type),
      ['peer-left', 'peer-joined'],
    );
  });
});
