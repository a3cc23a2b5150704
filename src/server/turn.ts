/**
 * TURN credentials in the form of the "TURN REST API" draft (draft-uberti-behave-turn-rest),
 * which coturn checks with `--use-auth-secret --static-auth-secret=<secret>`:
 * username `<expiry unix seconds>:<anything>`, password base64(HMAC-SHA1(secret, username)).
 */
import { createHmac, randomBytes } from 'node:crypto';
import type { IceServer } from '../protocol/index.js';

export interface TurnOptions {
  /** The secret shared with coturn (`static-auth-secret`). */
  secret: string;
  /** TURN URLs, e.g. `turn:turn.example.org:3478?transport=udp`, `turns:turn.example.org:443?transport=tcp`. */
  urls: string[];
  /** How long credentials stay valid, in seconds. Default 3600. */
  ttlSeconds?: number;
}

/** One ICE server entry with fresh credentials, valid for `ttlSeconds` from `now`. */
export function turnCredentials(o: TurnOptions, now = Date.now()): IceServer {
  const expiry = Math.floor(now / 1000) + Math.ceil(o.ttlSeconds ?? 3600);
  // The part after the colon only makes usernames unique; coturn reads the expiry before it.
  const username = `${expiry}:${randomBytes(6).toString('hex')}`;
  const credential = createHmac('sha1', o.secret).update(username).digest('base64');
  return { urls: o.urls.length === 1 ? o.urls[0]! : [...o.urls], username, credential };
}
