/**
 * Join tokens: what a clinic's backend hands each participant of one consultation.
 *
 * Format: `base64url(JSON claims) + "." + base64url(HMAC-SHA256(secret, first part))`. The
 * claims are `{ room, role, exp }` (exp in seconds since the epoch) plus `iat`. Only characters
 * allowed in a WebSocket subprotocol are used, so the token travels as `vc-token.<token>`.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { isRole, type Role, ROOM_PATTERN, SignalingErrorCode } from '../protocol/index.js';

export interface JoinTokenClaims {
  room: string;
  role: Role;
  /** Expiry, seconds since the epoch. */
  exp: number;
  /** Issued at, seconds since the epoch. */
  iat: number;
  /** A random id, so that two tokens for the same room and role differ. */
  jti: string;
}

export interface CreateJoinTokenOptions {
  /** The server's token secret (at least 16 characters; `openssl rand -base64 32` makes one). */
  secret: string;
  room: string;
  role: Role;
  /** Lifetime in seconds. Default 7200 (2 hours). */
  ttlSeconds?: number;
  /** The current time in ms, for tests. Default `Date.now()`. */
  now?: number;
}

export type VerifyResult = { ok: true; claims: JoinTokenClaims } | { ok: false; code: SignalingErrorCode };

/** Tokens longer than this are refused unparsed. */
const MAX_TOKEN_CHARS = 1024;
export const MIN_SECRET_CHARS = 16;

function checkSecret(secret: string): void {
  if (typeof secret !== 'string' || secret.length < MIN_SECRET_CHARS) {
    throw new RangeError(`the token secret must be at least ${MIN_SECRET_CHARS} characters`);
  }
}

const sign = (secret: string, payload: string) => createHmac('sha256', secret).update(payload).digest();

/** Issues a join token for one participant of one room. */
export function createJoinToken(o: CreateJoinTokenOptions): string {
  checkSecret(o.secret);
  if (!ROOM_PATTERN.test(o.room)) throw new RangeError('room must match ROOM_PATTERN');
  if (!isRole(o.role)) throw new RangeError('role must be doctor or patient');
  const ttl = o.ttlSeconds ?? 7200;
  if (!Number.isFinite(ttl) || ttl <= 0) throw new RangeError('ttlSeconds must be positive');
  const iat = Math.floor((o.now ?? Date.now()) / 1000);
  const claims: JoinTokenClaims = { room: o.room, role: o.role, exp: iat + Math.ceil(ttl), iat, jti: randomBytes(9).toString('base64url') };
  const payload = Buffer.from(JSON.stringify(claims)).toString('base64url');
  return `${payload}.${sign(o.secret, payload).toString('base64url')}`;
}

/**
 * Checks a token's signature and expiry. `secret` may be a list so that a secret can be rotated:
 * the new one signs, both verify for a while.
 */
export function verifyJoinToken(token: string, o: { secret: string | string[]; now?: number }): VerifyResult {
  const invalid = { ok: false, code: SignalingErrorCode.TokenInvalid } as const;
  if (typeof token !== 'string' || token.length > MAX_TOKEN_CHARS) return invalid;
  const dot = token.indexOf('.');
  if (dot <= 0 || dot !== token.lastIndexOf('.')) return invalid;
  const payload = token.slice(0, dot);
  const secrets = Array.isArray(o.secret) ? o.secret : [o.secret];
  if (
    !signatureMatches(
      token.slice(dot + 1),
      secrets.map((s) => sign(s, payload)),
    )
  )
    return invalid;
  let claims: Record<string, unknown>;
  try {
    claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
  } catch {
    return invalid;
  }
  if (
    typeof claims !== 'object' ||
    claims === null ||
    typeof claims.room !== 'string' ||
    !ROOM_PATTERN.test(claims.room) ||
    !isRole(claims.role) ||
    typeof claims.exp !== 'number' ||
    !Number.isFinite(claims.exp)
  ) {
    return invalid;
  }
  if (claims.exp * 1000 <= (o.now ?? Date.now())) return { ok: false, code: SignalingErrorCode.TokenExpired };
  return { ok: true, claims: claims as unknown as JoinTokenClaims };
}

/**
 * Whether `mac`, as written in a token or ticket, is the base64url of one of `expected`, compared
 * in constant time. Only the canonical spelling passes: base64url's last character has spare bits,
 * and a string that differs from the signed one must not.
 */
export function signatureMatches(mac: string, expected: Buffer[]): boolean {
  const given = Buffer.from(mac, 'base64url');
  if (given.toString('base64url') !== mac) return false;
  return expected.some((e) => given.length === e.length && timingSafeEqual(given, e));
}

/** Reads a duration such as `90`, `90s`, `30m`, `2h` or `7d` as seconds. */
export function parseDuration(text: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([smhd]?)\s*$/i.exec(text);
  if (!m) throw new RangeError(`not a duration: "${text}" (use e.g. 90s, 30m, 2h, 7d)`);
  const unit = { '': 1, s: 1, m: 60, h: 3600, d: 86400 }[m[2]!.toLowerCase() as '' | 's' | 'm' | 'h' | 'd'];
  const seconds = Number(m[1]) * unit;
  if (seconds <= 0) throw new RangeError('a duration must be positive');
  return seconds;
}
