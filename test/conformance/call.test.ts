// Conformance: a peer written from the spec alone (native-peer.ts, werift in Node) calls a
// <video-consult> in real Chromium, through the real signaling server from dist/, configured as
// in production (join tokens required, an Origin allow-list), on loopback.
import assert from 'node:assert/strict';
import { randomBytes, createHash } from 'node:crypto';
import { EventEmitter, once } from 'node:events';
import { existsSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath, pathToFileURL } from 'node:url';
import puppeteer, { type Browser, type Page } from 'puppeteer-core';
import { chromiumArgs, chromiumPath } from '../support/chromium.mjs';
import { NativePeer, OWN_MAX_MESSAGE_BYTES, transferHash, verificationCode } from './native-peer.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const CHROMIUM = chromiumPath;
const SERVER_ENTRY = join(ROOT, 'dist/server/index.js');
const CHROMIUM_ARGS = chromiumArgs();
/** Every wait in this test is for an event; this bounds each, so a broken peer fails by name. */
const STEP_MS = 20_000;
const SECRET = randomBytes(24).toString('base64url');

const missing = [
  !existsSync(CHROMIUM) && `Chromium at ${CHROMIUM} (apt-get install -y chromium, or set CHROMIUM_PATH)`,
  !existsSync(SERVER_ENTRY) && 'dist/ (run `npm run build` first; `npm test` does)',
].filter(Boolean);

/** What test/conformance/page.js gives the test. */
interface Conformance {
  conformance: {
    start(server: string, room: string, token: string): void;
    admit(): void;
    sendMessage(text: string): void;
    sendFile(name: string, size: number): Promise<string>;
  };
}

function within<T>(promise: Promise<T>, what: string, ms = STEP_MS): Promise<T> {
  let timer: NodeJS.Timeout;
  return Promise.race([
    promise.finally(() => clearTimeout(timer)),
    new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`no ${what} within ${ms} ms`)), ms))),
  ]);
}

/** Serves the page and dist/ (the script-tag build and whatever chunks it loads) for Chromium. */
async function servePage(): Promise<{ server: Server; origin: string }> {
  const pages: Record<string, [string, Buffer]> = {
    '/': ['text/html; charset=utf-8', readFileSync(new URL('./page.html', import.meta.url))],
    '/page.js': ['text/javascript', readFileSync(new URL('./page.js', import.meta.url))],
  };
  const types: Record<string, string> = { '.js': 'text/javascript', '.json': 'application/json', '.map': 'application/json' };
  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0]!;
    const own = pages[path];
    if (own) return void res.writeHead(200, { 'content-type': own[0] }).end(own[1]);
    const file = normalize(join(ROOT, path));
    if (path.startsWith('/dist/') && file.startsWith(join(ROOT, 'dist/')) && existsSync(file)) {
      return void res.writeHead(200, { 'content-type': types[extname(file)] ?? 'application/octet-stream' }).end(readFileSync(file));
    }
    res.writeHead(404).end();
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  return { server, origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

describe('conformance: a peer written from docs/protocol.md calls <video-consult> in Chromium', () => {
  let pageServer: Server;
  let origin: string;
  let signaling: { signalUrl: string; close(): Promise<void> };
  let createJoinToken: (o: { secret: string; room: string; role: 'doctor' | 'patient' }) => string;
  let browser: Browser;
  let page: Page;
  /** The element's events, as the page reports them. */
  const element = new EventEmitter();

  before(async () => {
    assert.deepEqual(missing, [], `missing prerequisites: ${missing.join('; ')}`);
    const server = (await import(pathToFileURL(SERVER_ENTRY).href)) as typeof import('../../src/server/index.js');
    createJoinToken = server.createJoinToken;
    ({ server: pageServer, origin } = await servePage());
    signaling = await server.createSignalingServer({ port: 0, host: '127.0.0.1', tokenSecret: SECRET, allowedOrigins: [origin], log: false });
    browser = await puppeteer.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS, pipe: true });
    page = await browser.newPage();
    await page.exposeFunction('report', (type: string, detail: unknown) => element.emit(type, detail));
    await page.goto(origin + '/');
  });

  const peers: NativePeer[] = [];
  after(async () => {
    for (const peer of peers) await peer.close();
    await browser?.close();
    await signaling?.close();
    pageServer?.close();
  });

  it('joins, knocks, is admitted, answers, gets media, names, chat, the same verification code, a file each way, and hangs up', async () => {
    const room = `conformance-${randomBytes(4).toString('hex')}`;
    const doctorToken = createJoinToken({ secret: SECRET, room, role: 'doctor' });
    const patientToken = createJoinToken({ secret: SECRET, room, role: 'patient' });
    const untilState = (state: string) =>
      within(new Promise<Record<string, any>>((ok) => element.on('vc-state-change', (d) => d.state === state && ok(d))), `the element ${state}`);
    const next = (type: string, what = type) =>
      within(
        once(element, type).then(([d]) => d as Record<string, any>),
        what,
      );

    // The doctor: the element, in Chromium, as a clinic page embeds it.
    const doctorWaiting = untilState('waiting');
    await page.evaluate((s, r, t) => (globalThis as unknown as Conformance).conformance.start(s, r, t), signaling.signalUrl, room, doctorToken);
    await doctorWaiting;

    // The patient: the native peer. Join, and wait for the doctor.
    const peer = new NativePeer(signaling.signalUrl, patientToken, origin);
    peers.push(peer);
    const signal = (type: string) =>
      within(new Promise<Record<string, any>>((ok) => peer.on('signal', (m) => m.type === type && ok(m))), `${type} frame`);
    const errors: unknown[] = [];
    peer.on('error', (e) => errors.push(e));
    const joined = signal('joined');
    const knock = next('vc-knock');
    await within(once(peer.ws, 'open'), 'WebSocket open');
    assert.equal(peer.ws.protocol, 'video-consult.v1');
    peer.send({ type: 'join', room, role: 'patient' });
    const { room: joinedRoom, role, polite, peer: present, waiting } = await joined;
    assert.deepEqual(
      { joinedRoom, role, polite, present, waiting },
      { joinedRoom: room, role: 'patient', polite: true, present: false, waiting: true },
    );
    assert.equal((await knock).waiting, true);

    // Admitted: `admitted` brings a new session, then `peer-joined`, then the element's offer.
    const admitted = signal('admitted');
    const peerJoined = signal('peer-joined');
    const offer = signal('description');
    const doctorConnected = untilState('connected');
    const verification = next('vc-verification');
    const peerName = next('vc-peer-name');
    const filesAvailable = next('vc-files-available');
    await page.evaluate(() => (globalThis as unknown as Conformance).conformance.admit());
    const admittedSession = (await admitted).session;
    assert.equal(typeof admittedSession, 'string');
    assert.notEqual(admittedSession, (await joined).session, 'admitted carries a session of its own');
    assert.equal((await peerJoined).role, 'doctor');
    assert.equal((await offer).description.type, 'offer', 'the impolite doctor offered first');
    assert.equal(peer.session, admittedSession, 'the latest session is kept for resume');

    // Names and capabilities on the control channel (id 0, negotiated).
    const doctorHello = within(
      once(peer, 'hello').then(([m]) => m as Record<string, any>),
      'the element hello',
    );
    await within(peer.controlOpen(), 'control channel open');
    peer.sendControl({ type: 'hello', name: 'Native\u202E Patient', capabilities: ['chat', 'files'] });
    peer.sendControl({ type: 'media', camera: false, microphone: false });
    await doctorConnected;
    assert.equal((await doctorHello).name, 'Dr. Conformance');
    assert.deepEqual([...(await doctorHello).capabilities].sort(), ['chat', 'files', 'hd']);
    assert.equal((await peerName).name, 'Native Patient', 'the element cleaned the name of its bidi override');
    assert.equal((await filesAvailable).available, true);

    // The verification code: computed here from the two certificates of the handshake.
    const { local, remote } = peer.fingerprints();
    assert.equal(verificationCode(local, remote), (await verification).code);

    // Chat both ways.
    const chatToPeer = within(
      once(peer, 'chat').then(([m]) => m as Record<string, any>),
      'chat to the peer',
    );
    const chatToElement = next('vc-message', 'chat to the element');
    await page.evaluate(() => (globalThis as unknown as Conformance).conformance.sendMessage('Hello from the browser'));
    const fromElement = await chatToPeer;
    assert.equal(fromElement.text, 'Hello from the browser');
    assert.match(fromElement.id, /^.{1,64}$/);
    assert.equal(typeof fromElement.sentAt, 'number');
    assert.deepEqual(
      { ...(await chatToElement), sentAt: 0 },
      { id: String(fromElement.id), text: 'Hello from the browser', from: 'local', sentAt: 0 },
    );
    const incomingChat = next('vc-message', 'chat from the peer');
    peer.sendControl({ type: 'chat', id: 'n-1', text: 'Hello from the app', sentAt: Date.now() });
    assert.deepEqual({ ...(await incomingChat), sentAt: 0 }, { id: 'n-1', text: 'Hello from the app', from: 'remote', sentAt: 0 });

    // Audio and video RTP from the element, in the codecs the answer chose.
    await within(peer.untilRtp(20), 'audio and video RTP');
    const answer = peer.pc!.localDescription!.sdp;
    const codec = (pt: number) => new RegExp(`a=rtpmap:${pt} ([^/\\r]+)`).exec(answer)?.[1];
    assert.deepEqual([...peer.payloadTypes.audio].map(codec), ['opus']);
    assert.deepEqual(
      [...peer.payloadTypes.video].map(codec).filter((c) => c !== 'rtx'),
      ['VP8'],
    );

    // A file from the element to the peer, in blocks that fit the 64 KiB this peer announced.
    const fromElementFile = peer.nextFile();
    const sent = next('vc-file-sent', 'the element file confirmed');
    const elementSha = await page.evaluate(() => (globalThis as unknown as Conformance).conformance.sendFile('referral.pdf', 300_000));
    const got = await within(fromElementFile, 'the element file at the peer');
    assert.equal(got.name, 'referral.pdf');
    assert.equal(got.blockSize, OWN_MAX_MESSAGE_BYTES - 44);
    assert.equal(createHash('sha256').update(got.bytes).digest('hex'), elementSha, 'the same bytes');
    assert.equal(transferHash(got.bytes, got.blockSize), got.announcedHash);
    const sentDetail = await sent;
    assert.deepEqual(
      { transferHash: sentDetail.transferHash, blockSize: sentDetail.blockSize, hash: sentDetail.hash },
      { transferHash: got.announcedHash, blockSize: got.blockSize, hash: got.announcedHash },
    );
    // The element's vc-file channel has the stream-id parity of its DTLS role, the opposite of ours.
    const ourParity = peer.dtlsRole() === 'client' ? 0 : 1;
    assert.deepEqual(
      peer.peerFileChannelIds.map((id) => id % 2),
      [1 - ourParity],
    );

    // A file from the peer to the element, in the largest blocks the element's message size allows.
    const bytes = randomBytes(700_000);
    const received = next('vc-file-received', 'the peer file at the element');
    const result = await within(peer.sendFile('scan.png', 'image/png', bytes), 'file-complete from the element');
    assert.equal(result.blockSize, 262_100);
    assert.equal(result.channelId % 2, ourParity);
    const arrived = await received;
    assert.deepEqual(
      {
        name: arrived.name,
        size: arrived.size,
        type: arrived.type,
        transferHash: arrived.transferHash,
        blockSize: arrived.blockSize,
        sha256: arrived.sha256,
      },
      {
        name: 'scan.png',
        size: bytes.length,
        type: 'image/png',
        transferHash: result.hash,
        blockSize: 262_100,
        sha256: createHash('sha256').update(bytes).digest('hex'),
      },
    );

    // Hang up: the server closes our socket with 1000 "left", the element ends with peer-hangup.
    const ended = untilState('ended');
    const closed = within(once(peer.ws, 'close'), 'our socket closed');
    peer.send({ type: 'leave' });
    const [code, reason] = (await closed) as [number, Buffer];
    assert.deepEqual([code, String(reason)], [1000, 'left']);
    assert.equal((await ended).reason, 'peer-hangup');
    assert.deepEqual(errors, []);
  });
});
