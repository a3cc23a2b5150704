// A peer that is not a browser, written from docs/protocol.md and docs/file-transfer.md alone: it
// imports nothing from src/. Signaling over `ws`, WebRTC from `werift` (pure TypeScript), hashes
// and certificates from node:crypto. It plays the patient: joins, waits, is admitted, answers.
import { createHash, randomUUID, X509Certificate } from 'node:crypto';
import { EventEmitter, once } from 'node:events';
import { RTCPeerConnection, type RTCDataChannel } from 'werift';
import WebSocket from 'ws';

/** What the peer announces as its SCTP max-message-size (werift's default). */
export const OWN_MAX_MESSAGE_BYTES = 65_536;
const HEADER_BYTES = 44;
const MAX_FRAME_BYTES = 262_144;
const ACK_EVERY_BLOCKS = 16;

type Json = Record<string, any>;

const opened = async (channel: RTCDataChannel) => {
  if (channel.readyState !== 'open') await channel.stateChanged.watch((state) => state === 'open');
};

const sha256 = (data: Uint8Array | string) => createHash('sha256').update(data).digest();

/** The transfer hash: SHA-256 over the blocks' SHA-256 digests, in order (docs/file-transfer.md). */
export function transferHash(bytes: Uint8Array, blockSize: number): string {
  const digests = createHash('sha256');
  for (let at = 0; at < bytes.length; at += blockSize) digests.update(sha256(bytes.subarray(at, at + blockSize)));
  return digests.digest('hex');
}

/** The verification code, steps 2 to 6 of docs/protocol.md. */
export function verificationCode(a: string, b: string): string {
  const [first, second] = [a, b].sort();
  const n = sha256(`video-consult verification v1\n${first}\n${second}`).readBigUInt64BE(0) % 10n ** 15n;
  return n.toString().padStart(15, '0').match(/\d{3}/g)!.join(' ');
}

export interface ReceivedFile {
  id: string;
  name: string;
  mime: string;
  blockSize: number;
  bytes: Uint8Array;
  /** The hash the sender announced in `file-end`, which this side checked. */
  announcedHash: string;
}

interface Incoming {
  offer: Json;
  blocks: Buffer[];
  digests: Buffer[];
  end?: Json;
  done: (file: ReceivedFile) => void;
}

/**
 * Events: `signal` (every server frame), `control` (every control message), `hello`, `chat`,
 * `file` (a ReceivedFile), `error` (a protocol violation this side saw).
 */
export class NativePeer extends EventEmitter {
  readonly ws: WebSocket;
  pc?: RTCPeerConnection;
  control?: RTCDataChannel;
  session?: string;
  readonly rtp = { audio: 0, video: 0 };
  /** Payload types of received RTP, per kind. */
  readonly payloadTypes = { audio: new Set<number>(), video: new Set<number>() };
  /** Stream ids of the other side's `vc-file` channels. */
  readonly peerFileChannelIds: number[] = [];
  peerHello?: Json;
  #early: Json[] = [];
  #queue: Promise<void> = Promise.resolve();
  #incoming = new Map<string, Incoming>();
  #byTag = new Map<number, Incoming>();
  #waiting = new Map<string, (m: Json) => void>();
  #fileChannel?: RTCDataChannel;

  constructor(signalUrl: string, token: string, origin: string) {
    super();
    // The token rides as a second subprotocol; an allow-listing server wants a page's Origin.
    this.ws = new WebSocket(signalUrl, ['video-consult.v1', `vc-token.${token}`], { headers: { Origin: origin } });
    this.ws.on('message', (data, isBinary) => {
      if (isBinary) return;
      let m: Json;
      try {
        m = JSON.parse(String(data));
      } catch {
        return;
      }
      if (m.v !== 1) return;
      // One frame at a time, in order: a description is applied before the next frame is looked at.
      this.#queue = this.#queue.then(() => this.#onSignal(m)).catch((error: unknown) => void this.emit('error', error));
    });
  }

  send(m: Json): void {
    this.ws.send(JSON.stringify({ v: 1, ...m }));
  }

  sendControl(m: Json): void {
    this.control!.send(JSON.stringify({ v: 1, ...m }));
  }

  async #onSignal(m: Json): Promise<void> {
    this.emit('signal', m);
    switch (m.type) {
      case 'joined':
      case 'admitted':
        // The latest session wins: the one from `admitted` brings this patient back admitted.
        if (typeof m.session === 'string') this.session = m.session;
        if (m.type === 'joined' && m.peer) this.#createConnection();
        break;
      case 'peer-joined':
        this.#createConnection();
        break;
      case 'description':
        await this.#onDescription(m.description);
        break;
      case 'candidate':
        if (!m.candidate || !m.candidate.candidate) break;
        // A candidate before its description is held, not an error.
        if (!this.pc?.remoteDescription) this.#early.push(m.candidate);
        else await this.pc.addIceCandidate(m.candidate);
        break;
    }
  }

  #createConnection(): void {
    if (this.pc) return;
    const pc = new RTCPeerConnection({ iceServers: [], maxMessageSize: OWN_MAX_MESSAGE_BYTES });
    this.pc = pc;
    pc.onicecandidate = ({ candidate }) => {
      if (!candidate?.candidate) return;
      const { candidate: c, sdpMid, sdpMLineIndex, usernameFragment } = candidate.toJSON();
      this.send({ type: 'candidate', candidate: { candidate: c, sdpMid, sdpMLineIndex, ...(usernameFragment ? { usernameFragment } : {}) } });
    };
    pc.ontrack = ({ track }) => {
      const kind = track.kind as 'audio' | 'video';
      track.onReceiveRtp.subscribe((rtp) => {
        this.rtp[kind]++;
        this.payloadTypes[kind].add(rtp.header.payloadType);
        this.emit('rtp');
      });
    };
    // The control channel: negotiated, id 0, label vc-control; no DCEP open for it.
    const control = pc.createDataChannel('vc-control', { negotiated: true, id: 0, ordered: true });
    this.control = control;
    control.onMessage.subscribe((data) => {
      if (typeof data !== 'string') return;
      let m: Json;
      try {
        m = JSON.parse(data);
      } catch {
        return;
      }
      if (m.v !== 1 || typeof m.type !== 'string') return;
      this.emit('control', m);
      this.#onControl(m);
    });
    pc.onDataChannel.subscribe((channel) => {
      if (channel.label !== 'vc-file') return;
      this.peerFileChannelIds.push(channel.id!);
      channel.onMessage.subscribe((data) => typeof data !== 'string' && this.#onFrame(data));
    });
  }

  async #onDescription(description: Json): Promise<void> {
    const pc = this.pc!;
    // This side is polite (the patient): on glare it would roll back; it never offers first here.
    await pc.setRemoteDescription(description as never);
    for (const candidate of this.#early.splice(0)) await pc.addIceCandidate(candidate);
    if (description.type === 'offer') {
      await pc.setLocalDescription(await pc.createAnswer());
      this.send({ type: 'description', description: { type: 'answer', sdp: pc.localDescription!.sdp } });
    }
  }

  #onControl(m: Json): void {
    if (m.type === 'hello') {
      this.peerHello = m;
      this.emit('hello', m);
    } else if (m.type === 'chat') this.emit('chat', m);
    else if (m.type === 'file-offer') this.#onOffer(m);
    else if (m.type === 'file-end') this.#onEnd(m);
    else if (typeof m.id === 'string' && this.#waiting.has(`${m.type}:${m.id}`)) {
      const resolve = this.#waiting.get(`${m.type}:${m.id}`)!;
      this.#waiting.delete(`${m.type}:${m.id}`);
      resolve(m);
    }
  }

  /** The two DTLS certificates of the handshake, as `sha-256 AB:CD:…` (step 1 and 2 of the page). */
  fingerprints(): { local: string; remote: string } {
    const dtls = this.pc!.dtlsTransports[0]!;
    const local = new X509Certificate(dtls.localCertificate!.certPem).fingerprint256;
    const remote = new X509Certificate(Buffer.from(dtls.dtls!.remoteCertificate!)).fingerprint256;
    return { local: `sha-256 ${local.toUpperCase()}`, remote: `sha-256 ${remote.toUpperCase()}` };
  }

  /** Which DTLS role this side has: it decides the parity of the stream ids it may use. */
  dtlsRole(): 'client' | 'server' {
    return this.pc!.dtlsTransports[0]!.role as 'client' | 'server';
  }

  /** Resolves once at least `packets` RTP packets of audio and of video have arrived. */
  untilRtp(packets: number): Promise<void> {
    return new Promise((resolve) => {
      const check = () => {
        if (this.rtp.audio < packets || this.rtp.video < packets) return;
        this.off('rtp', check);
        resolve();
      };
      this.on('rtp', check);
      check();
    });
  }

  /** Resolves once the control channel is open. */
  controlOpen(): Promise<void> {
    return opened(this.control!);
  }

  /** Resolves with the next file that arrives whole and verified. */
  nextFile(): Promise<ReceivedFile> {
    return once(this, 'file').then(([file]) => file as ReceivedFile);
  }

  // ---- receiving files ---------------------------------------------------------------------------

  #onOffer(m: Json): void {
    // Frames of this block size must fit the message size this side announced.
    if (!Number.isInteger(m.blockSize) || m.blockSize < 1024 || m.blockSize + HEADER_BYTES > OWN_MAX_MESSAGE_BYTES) {
      this.sendControl({ type: 'file-decline', id: m.id, code: 'file-invalid-offer' });
      this.emit('error', new Error(`offer with block size ${m.blockSize}`));
      return;
    }
    const incoming: Incoming = { offer: m, blocks: [], digests: [], done: (file) => this.emit('file', file) };
    this.#incoming.set(m.id, incoming);
    this.#byTag.set(m.tag, incoming);
    this.sendControl({ type: 'file-accept', id: m.id });
  }

  #onFrame(frame: Buffer): void {
    const version = frame.readUInt8(0);
    const kind = frame.readUInt8(1);
    const epoch = frame.readUInt16BE(2);
    const t = this.#byTag.get(frame.readUInt32BE(4));
    const index = frame.readUInt32BE(8);
    if (version !== 1 || kind !== 1 || epoch !== 0 || !t) return void this.emit('error', new Error('unexpected frame'));
    const payload = frame.subarray(HEADER_BYTES);
    const digest = sha256(payload);
    if (index !== t.blocks.length || !digest.equals(frame.subarray(12, HEADER_BYTES))) {
      this.sendControl({ type: 'file-cancel', id: t.offer.id, code: index !== t.blocks.length ? 'file-out-of-order' : 'file-hash-mismatch' });
      return void this.emit('error', new Error(`bad block ${index}`));
    }
    t.blocks.push(Buffer.from(payload));
    t.digests.push(digest);
    const blocks = Math.ceil(t.offer.size / t.offer.blockSize);
    if (t.blocks.length % ACK_EVERY_BLOCKS === 0 || t.blocks.length === blocks) {
      this.sendControl({ type: 'file-ack', id: t.offer.id, next: t.blocks.length });
    }
    this.#maybeFinish(t);
  }

  #onEnd(m: Json): void {
    const t = this.#incoming.get(m.id);
    if (!t) return;
    t.end = m;
    this.#maybeFinish(t);
  }

  /** `file-end` may come before the last frames (another SCTP stream): finish when both are in. */
  #maybeFinish(t: Incoming): void {
    const blocks = Math.ceil(t.offer.size / t.offer.blockSize);
    if (!t.end || t.blocks.length < blocks) return;
    const hash = createHash('sha256').update(Buffer.concat(t.digests)).digest('hex');
    if (hash !== t.end.hash || t.end.blocks !== blocks) {
      this.sendControl({ type: 'file-cancel', id: t.offer.id, code: 'file-hash-mismatch' });
      return void this.emit('error', new Error('transfer hash mismatch'));
    }
    this.#incoming.delete(t.offer.id);
    this.#byTag.delete(t.offer.tag);
    this.sendControl({ type: 'file-complete', id: t.offer.id });
    const bytes = new Uint8Array(Buffer.concat(t.blocks));
    t.done({ id: t.offer.id, name: t.offer.name, mime: t.offer.mime, blockSize: t.offer.blockSize, bytes, announcedHash: t.end.hash });
  }

  // ---- sending files -----------------------------------------------------------------------------

  /** Opens this side's `vc-file` channel with the first stream id its DTLS role allows. */
  async #openFileChannel(): Promise<RTCDataChannel> {
    if (this.#fileChannel) return this.#fileChannel;
    const id = this.dtlsRole() === 'client' ? 2 : 1;
    const channel = this.pc!.createDataChannel('vc-file', { ordered: true, id });
    this.#fileChannel = channel;
    await opened(channel);
    return channel;
  }

  /** The largest block the other side can take in one message (its max-message-size, at most 256 KiB). */
  blockSizeForPeer(): number {
    const remote = /a=max-message-size:(\d+)/.exec(this.pc!.remoteDescription!.sdp)?.[1];
    const max = remote ? Number(remote) : 65_536;
    return Math.min(max || MAX_FRAME_BYTES, MAX_FRAME_BYTES) - HEADER_BYTES;
  }

  /** Offers and sends a file; resolves with the transfer hash once `file-complete` came. */
  async sendFile(name: string, mime: string, bytes: Uint8Array): Promise<{ id: string; hash: string; blockSize: number; channelId: number }> {
    const channel = await this.#openFileChannel();
    const id = randomUUID();
    const tag = 1 + Math.floor(Math.random() * 0xfffffffe);
    const blockSize = this.blockSizeForPeer();
    const answered = Promise.race([this.#waitFor('file-accept', id), this.#waitFor('file-decline', id)]);
    this.sendControl({ type: 'file-offer', id, tag, name, size: bytes.length, mime, blockSize });
    const answer = await answered;
    if (answer.type !== 'file-accept') throw new Error(`declined: ${answer.code}`);
    const complete = this.#waitFor('file-complete', id);
    const blocks = Math.ceil(bytes.length / blockSize);
    for (let index = 0; index < blocks; index++) {
      const payload = bytes.subarray(index * blockSize, (index + 1) * blockSize);
      const header = Buffer.alloc(HEADER_BYTES);
      header.writeUInt8(1, 0);
      header.writeUInt8(1, 1);
      header.writeUInt16BE(0, 2);
      header.writeUInt32BE(tag, 4);
      header.writeUInt32BE(index, 8);
      sha256(payload).copy(header, 12);
      channel.send(Buffer.concat([header, payload]));
    }
    const hash = transferHash(bytes, blockSize);
    this.sendControl({ type: 'file-end', id, blocks, hash });
    await complete;
    return { id, hash, blockSize, channelId: channel.id! };
  }

  #waitFor(type: string, id: string): Promise<Json> {
    return new Promise((resolve) => this.#waiting.set(`${type}:${id}`, resolve));
  }

  async close(): Promise<void> {
    await this.pc?.close();
    this.ws.close();
  }
}
