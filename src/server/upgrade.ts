/**
 * The gate in front of `/signal`: TCP connections counted per address until they become
 * WebSockets, and the upgrade checked (path, subprotocol, origin, capacity, per-address limits,
 * join token) before a connection is let in or refused with a coded error.
 */
import type { IncomingMessage } from 'node:http';
import type { BlockList, Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { type WebSocket, WebSocketServer } from 'ws';
import { MAX_FRAME_BYTES, SignalingErrorCode, SUBPROTOCOL, TOKEN_SUBPROTOCOL_PREFIX } from '../protocol/index.js';
import type { Connections } from './connections.js';
import { pathOf } from './http.js';
import { addressKey, type AddressLimits, clientAddress, isTrusted } from './limits.js';
import type { ResolvedOptions } from './options.js';
import { type JoinTokenClaims, verifyJoinToken } from './tokens.js';

/**
 * ws closes a socket whose frame exceeds `maxPayload` with 1009 and no chance to explain. The
 * protocol promises a coded `message-too-large` for oversized frames, so the hard transport cap
 * sits above the protocol's limit: frames between the two get the coded error, frames beyond it
 * (nobody's honest client) lose the connection.
 */
const HARD_PAYLOAD_CAP = MAX_FRAME_BYTES * 2;
/** Marks a TCP socket counted as pending for its address (the key), until it becomes a WebSocket or closes. */
const PENDING = Symbol('pending');
type CountedSocket = Socket & { [PENDING]?: string };

export class UpgradeGate {
  readonly #wss: WebSocketServer;

  constructor(
    readonly opts: ResolvedOptions,
    readonly addresses: AddressLimits,
    readonly proxies: BlockList | null,
    readonly conns: Connections,
    /** Whether the server is shutting down: then nobody new gets in. */
    readonly closing: () => boolean,
    /** A WebSocket let in, with the address it counts under and its token's claims. */
    readonly accepted: (ws: WebSocket, ip: string, key: string, claims: JoinTokenClaims | null) => void,
  ) {
    this.#wss = new WebSocketServer({
      noServer: true,
      clientTracking: false,
      maxPayload: HARD_PAYLOAD_CAP,
      perMessageDeflate: false,
      handleProtocols: (protocols) => (protocols.has(SUBPROTOCOL) ? SUBPROTOCOL : false),
    });
  }

  /**
   * Every TCP connection counts against its address until it becomes a WebSocket, so that one
   * address cannot hold many half-open requests. A trusted proxy carries everyone: it is exempt.
   */
  onTcp(socket: CountedSocket): void {
    if (socket[PENDING] !== undefined) return;
    const peer = socket.remoteAddress ?? '';
    if (this.proxies && isTrusted(this.proxies, peer)) return;
    const key = addressKey(peer);
    if (!this.addresses.acquirePending(key)) {
      socket.destroy();
      return;
    }
    socket[PENDING] = key;
    socket.on('close', this.#onPendingClose);
  }

  /** One listener for every counted socket: thousands of sockets, one function. */
  readonly #onPendingClose = (() => {
    // eslint-disable-next-line @typescript-eslint/no-this-alias -- the listener needs both the socket (its `this`) and the gate
    const gate = this;
    return function (this: CountedSocket) {
      gate.#settlePending(this);
    };
  })();

  #settlePending(upgraded: CountedSocket): void {
    // With TLS the upgrade comes on the TLS socket; the TCP socket counted is its parent.
    const socket = upgraded[PENDING] === undefined ? ((upgraded as { _parent?: CountedSocket })._parent ?? upgraded) : upgraded;
    const key = socket[PENDING];
    if (key === undefined) return;
    socket[PENDING] = '';
    socket.removeListener('close', this.#onPendingClose);
    if (key) this.addresses.releasePending(key);
  }

  onUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    socket.on('error', () => socket.destroy());
    if (pathOf(req) !== '/signal') return refuseUpgrade(socket, 404, 'Not Found');
    if (this.closing()) return refuseUpgrade(socket, 503, 'Service Unavailable');
    const offered = String(req.headers['sec-websocket-protocol'] ?? '')
      .split(',')
      .map((p) => p.trim());
    if (!offered.includes(SUBPROTOCOL)) return refuseUpgrade(socket, 400, 'Bad Request', `subprotocol ${SUBPROTOCOL} required`);
    const ip = clientAddress(req.socket.remoteAddress ?? '', req.headers['x-forwarded-for'], this.proxies);
    const key = addressKey(ip);
    let refusal: SignalingErrorCode | null = null;
    let claims: JoinTokenClaims | null = null;
    const origin = req.headers.origin;
    if (this.opts.allowedOrigins && !(origin && this.opts.allowedOrigins.has(origin))) {
      refusal = SignalingErrorCode.OriginNotAllowed;
    } else if (this.conns.size >= this.opts.maxConnections) {
      refusal = SignalingErrorCode.ServerFull;
    } else if (!this.addresses.hasRoom(key) || !this.addresses.take(key)) {
      // A connection attempt spends from the address's frame budget, so reconnecting is no way
      // around it.
      refusal = SignalingErrorCode.RateLimited;
    } else {
      const token = offered.find((p) => p.startsWith(TOKEN_SUBPROTOCOL_PREFIX))?.slice(TOKEN_SUBPROTOCOL_PREFIX.length);
      if (token !== undefined && this.opts.tokenSecrets.length) {
        const checked = verifyJoinToken(token, { secret: this.opts.tokenSecrets });
        if (checked.ok) claims = checked.claims;
        else refusal = checked.code;
      } else if (!this.opts.demo) {
        refusal = SignalingErrorCode.TokenRequired;
      }
    }
    // A browser sees a refused upgrade only as a failed WebSocket, so refusals are accepted and
    // then explained with a coded error frame and a close code. Nothing is counted for the
    // address before ws has accepted the handshake: a handshake ws rejects costs nothing after.
    this.#wss.handleUpgrade(req, socket, head, (ws) => {
      if (refusal) return this.conns.refuse(ws, ip, refusal);
      if (this.closing() || this.conns.size >= this.opts.maxConnections) return this.conns.refuse(ws, ip, SignalingErrorCode.ServerFull);
      if (!this.addresses.hasRoom(key)) return this.conns.refuse(ws, ip, SignalingErrorCode.RateLimited);
      this.#settlePending(socket as CountedSocket);
      this.accepted(ws, ip, key, claims);
    });
  }
}

/** Refuses an upgrade in plain HTTP, for requests that are no WebSocket client of this protocol. */
function refuseUpgrade(socket: Duplex, status: number, text: string, body = text): void {
  if (socket.writable) {
    socket.end(
      `HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Type: text/plain\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
    );
  }
  socket.destroy();
}
