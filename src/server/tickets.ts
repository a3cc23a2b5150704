/**
 * Place tickets: the `session` a participant gets in `joined` (and again in `admitted`), and
 * presents in `join.resume` to take its place back.
 *
 * A ticket names one place: the room, the role, the place's random id, and whether the patient
 * was admitted when it was issued. The room store keeps the id of the place each role holds, so a
 * ticket brings back only that place (a declined or departed participant's place is gone, and its
 * tickets with it), and no more than the state the ticket was issued in. The signature lets a
 * store that has lost everything (a restart with in-memory rooms) take back tickets it issued
 * before, for a short while. A ticket is a bearer credential like the join token, it never
 * appears in logs, and it is only ever sent to its owner.
 *
 * Format: `base64url(JSON {room, role, p, adm, iat, exp}) + "." + base64url(HMAC-SHA256(secret, first part))`.
 */
import { createHmac, randomBytes } from 'node:crypto';
import { isRole, type Role } from '../protocol/index.js';
import { signatureMatches } from './tokens.js';

interface TicketClaims {
  room: string;
  role: Role;
  /** The place's id: random, the same in every ticket for one place. */
  p: string;
  /** 1 once the patient was admitted (always 1 for the doctor). */
  adm: 0 | 1;
  /** Issued at, ms since the epoch. */
  iat: number;
  /** Expiry, seconds since the epoch. */
  exp: number;
}

/** What a valid ticket says. */
export interface VerifiedTicket {
  place: string;
  admitted: boolean;
  /** When it was issued, ms since the epoch. */
  issuedAt: number;
}

/** A fresh, unguessable place id. */
export function newPlaceId(): string {
  return randomBytes(12).toString('base64url');
}

/** How long a ticket holds: a long consultation day. */
export const TICKET_TTL_SECONDS = 12 * 3600;
const MAX_TICKET_CHARS = 512;

export class TicketSigner {
  constructor(private readonly secret: string) {}

  issue(room: string, role: Role, place: string, admitted: boolean, now = Date.now()): string {
    const claims: TicketClaims = {
      room,
      role,
      p: place,
      adm: admitted ? 1 : 0,
      iat: now,
      exp: Math.floor(now / 1000) + TICKET_TTL_SECONDS,
    };
    const payload = Buffer.from(JSON.stringify(claims)).toString('base64url');
    return `${payload}.${this.#mac(payload).toString('base64url')}`;
  }

  /** What `ticket` says, if it is a valid, unexpired ticket for this room and role. */
  verify(ticket: string, room: string, role: Role, now = Date.now()): VerifiedTicket | undefined {
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
    if (typeof claims.p !== 'string' || !claims.p || typeof claims.iat !== 'number') return undefined;
    return { place: claims.p, admitted: claims.adm === 1, issuedAt: claims.iat };
  }

  #mac(payload: string): Buffer {
    return createHmac('sha256', this.secret).update(`ticket\n${payload}`).digest();
  }
}
