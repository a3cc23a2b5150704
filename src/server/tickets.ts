/**
 * Place tickets: the `session` a participant gets in `joined` (and again in `admitted`), and
 * presents in `join.resume` to take its place back.
 *
 * A ticket is signed, so that it survives what the room store does not: a server restart (a
 * deploy) with in-memory rooms, or a place whose grace period ran out. It says which room and role
 * it is for, whether the patient was admitted, and until when it holds. It is a bearer credential
 * like the join token, it never appears in logs, and it is only ever sent to its owner.
 *
 * Format: `base64url(JSON {room, role, adm, exp, n}) + "." + base64url(HMAC-SHA256(secret, first part))`.
 */
import { createHmac, randomBytes } from 'node:crypto';
import { isRole, type Role } from '../protocol/index.js';
import { signatureMatches } from './tokens.js';

interface TicketClaims {
  room: string;
  role: Role;
  /** 1 once the patient was admitted (always 1 for the doctor). */
  adm: 0 | 1;
  /** Expiry, seconds since the epoch. */
  exp: number;
  /** Random, so that every ticket differs. */
  n: string;
}

/** How long a ticket holds: a long consultation day. */
export const TICKET_TTL_SECONDS = 12 * 3600;
const MAX_TICKET_CHARS = 512;

export class TicketSigner {
  constructor(private readonly secret: string) {}

  issue(room: string, role: Role, admitted: boolean, now = Date.now()): string {
    const claims: TicketClaims = {
      room,
      role,
      adm: admitted ? 1 : 0,
      exp: Math.floor(now / 1000) + TICKET_TTL_SECONDS,
      n: randomBytes(9).toString('base64url'),
    };
    const payload = Buffer.from(JSON.stringify(claims)).toString('base64url');
    return `${payload}.${this.#mac(payload).toString('base64url')}`;
  }

  /** Whether `ticket` is a valid, unexpired ticket for this room and role, and if so whether it was admitted. */
  verify(ticket: string, room: string, role: Role, now = Date.now()): { admitted: boolean } | undefined {
    if (typeof ticket !== 'string' || ticket.length > MAX_TICKET_CHARS) return undefined;
    const [payload, mac, extra] = ticket.split('.');
    if (!payload || !mac || extra !== undefined) return undefined;
    if (!signatureMatches(mac, [this.#mac(payload)])) return undefined;
    let claims: Partial<TicketClaims>;
    try {
      claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Partial<TicketClaims>;
    } catch {
      return undefined;
    }
    if (claims.room !== room || claims.role !== role || !isRole(claims.role)) return undefined;
    if (typeof claims.exp !== 'number' || claims.exp * 1000 <= now) return undefined;
    return { admitted: claims.adm === 1 };
  }

  #mac(payload: string): Buffer {
    return createHmac('sha256', this.secret).update(`ticket\n${payload}`).digest();
  }
}
