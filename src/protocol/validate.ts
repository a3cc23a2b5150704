/**
 * Validators for signaling frames. Both sides run every frame they receive through these before
 * looking at it, so a malformed frame becomes a coded error instead of an exception.
 */
import {
  type Candidate,
  type ClientMessage,
  type Description,
  type IceServer,
  MAX_FRAME_BYTES,
  PROTOCOL_VERSION,
  ROLES,
  ROOM_PATTERN,
  type Role,
  type ServerMessage,
  SignalingErrorCode,
} from './signaling.js';

export type ParseResult<T> = { ok: true; message: T } | { ok: false; code: SignalingErrorCode; reason: string };

type Obj = Record<string, unknown>;

/** SDP larger than this is refused even inside a frame that fits. */
const MAX_SDP_CHARS = 60 * 1024;
const MAX_CANDIDATE_CHARS = 1024;
const MAX_ICE_SERVERS = 16;
/** A place ticket (`joined.session`, `join.resume`) is a short signed token. */
const MAX_SESSION_CHARS = 512;

const isObject = (x: unknown): x is Obj => typeof x === 'object' && x !== null && !Array.isArray(x);
const isString = (x: unknown, max: number): x is string => typeof x === 'string' && x.length <= max;
const isOptionalString = (x: unknown, max: number) => x === undefined || x === null || isString(x, max);

export const isRole = (x: unknown): x is Role => ROLES.includes(x as Role);

function isDescription(x: unknown): x is Description {
  if (!isObject(x)) return false;
  if (!['offer', 'answer', 'pranswer', 'rollback'].includes(x.type as string)) return false;
  if (x.type === 'rollback') return x.sdp === undefined || isString(x.sdp, MAX_SDP_CHARS);
  return isString(x.sdp, MAX_SDP_CHARS);
}

function isCandidate(x: unknown): x is Candidate | null {
  if (x === null) return true;
  if (!isObject(x)) return false;
  return (
    isString(x.candidate, MAX_CANDIDATE_CHARS) &&
    isOptionalString(x.sdpMid, 64) &&
    (x.sdpMLineIndex === undefined ||
      x.sdpMLineIndex === null ||
      (Number.isInteger(x.sdpMLineIndex) && (x.sdpMLineIndex as number) >= 0 && (x.sdpMLineIndex as number) < 1024)) &&
    isOptionalString(x.usernameFragment, 256)
  );
}

function isIceServer(x: unknown): x is IceServer {
  if (!isObject(x)) return false;
  const urls = x.urls;
  const urlsOk = isString(urls, 1024) || (Array.isArray(urls) && urls.length > 0 && urls.length <= 8 && urls.every((u) => isString(u, 1024)));
  return urlsOk && isOptionalString(x.username, 1024) && isOptionalString(x.credential, 1024);
}

const isIceServerList = (x: unknown): x is IceServer[] => Array.isArray(x) && x.length <= MAX_ICE_SERVERS && x.every(isIceServer);

/** Decodes one frame to an object with the right version and a string type, or says why not. */
function decodeEnvelope(data: string): ParseResult<Obj & { type: string }> {
  if (data.length > MAX_FRAME_BYTES) {
    return { ok: false, code: SignalingErrorCode.MessageTooLarge, reason: `frame over ${MAX_FRAME_BYTES} bytes` };
  }
  let value: unknown;
  try {
    value = JSON.parse(data);
  } catch {
    return { ok: false, code: SignalingErrorCode.InvalidMessage, reason: 'not JSON' };
  }
  if (!isObject(value)) return { ok: false, code: SignalingErrorCode.InvalidMessage, reason: 'not an object' };
  if (typeof value.type !== 'string') {
    return { ok: false, code: SignalingErrorCode.InvalidMessage, reason: 'no type' };
  }
  if (value.v !== PROTOCOL_VERSION) {
    return { ok: false, code: SignalingErrorCode.UnsupportedVersion, reason: `version must be ${PROTOCOL_VERSION}` };
  }
  return { ok: true, message: value as Obj & { type: string } };
}

const invalid = (type: string, field: string): ParseResult<never> => ({
  ok: false,
  code: SignalingErrorCode.InvalidMessage,
  reason: `${type}: bad ${field}`,
});

/** Parses a frame a client sent to the server. */
export function parseClientMessage(data: string): ParseResult<ClientMessage> {
  const env = decodeEnvelope(data);
  if (!env.ok) return env;
  const m = env.message;
  switch (m.type) {
    case 'join':
      if (!isString(m.room, 64) || !ROOM_PATTERN.test(m.room)) {
        return { ok: false, code: SignalingErrorCode.InvalidRoom, reason: 'join: bad room' };
      }
      if (!isRole(m.role)) return { ok: false, code: SignalingErrorCode.InvalidRole, reason: 'join: bad role' };
      if (!isOptionalString(m.resume, MAX_SESSION_CHARS)) return invalid('join', 'resume');
      return { ok: true, message: m as unknown as ClientMessage };
    case 'description':
      return isDescription(m.description) ? { ok: true, message: m as unknown as ClientMessage } : invalid(m.type, 'description');
    case 'candidate':
      return isCandidate(m.candidate) ? { ok: true, message: m as unknown as ClientMessage } : invalid(m.type, 'candidate');
    case 'admit':
    case 'decline':
    case 'leave':
    case 'ice-servers':
      return { ok: true, message: m as unknown as ClientMessage };
    default:
      return { ok: false, code: SignalingErrorCode.UnknownType, reason: 'unknown type' };
  }
}

const ERROR_CODES = new Set<string>(Object.values(SignalingErrorCode));

/** Parses a frame the server sent to a client. */
export function parseServerMessage(data: string): ParseResult<ServerMessage> {
  const env = decodeEnvelope(data);
  if (!env.ok) return env;
  const m = env.message;
  const ok = { ok: true, message: m as unknown as ServerMessage } as const;
  switch (m.type) {
    case 'joined':
      return isString(m.room, 64) &&
        isRole(m.role) &&
        typeof m.polite === 'boolean' &&
        isString(m.session, MAX_SESSION_CHARS) &&
        typeof m.peer === 'boolean' &&
        typeof m.waiting === 'boolean' &&
        isIceServerList(m.iceServers)
        ? ok
        : invalid(m.type, 'fields');
    case 'peer-joined':
      return isRole(m.role) ? ok : invalid(m.type, 'role');
    case 'peer-left':
      return isRole(m.role) && (m.reason === 'left' || m.reason === 'gone') ? ok : invalid(m.type, 'fields');
    case 'knock':
      return typeof m.waiting === 'boolean' ? ok : invalid(m.type, 'waiting');
    case 'admitted':
      if (m.session !== undefined && !isString(m.session, MAX_SESSION_CHARS)) return invalid(m.type, 'session');
      return m.iceServers === undefined || isIceServerList(m.iceServers) ? ok : invalid(m.type, 'iceServers');
    case 'description':
      return isDescription(m.description) ? ok : invalid(m.type, 'description');
    case 'candidate':
      return isCandidate(m.candidate) ? ok : invalid(m.type, 'candidate');
    case 'ice-servers':
      return isIceServerList(m.iceServers) && (m.ttlSeconds === undefined || (Number.isInteger(m.ttlSeconds) && (m.ttlSeconds as number) > 0))
        ? ok
        : invalid(m.type, 'fields');
    case 'error':
      return isString(m.code, 64) && ERROR_CODES.has(m.code) && isString(m.message, 1024) && (m.fatal === undefined || typeof m.fatal === 'boolean')
        ? ok
        : invalid(m.type, 'fields');
    default:
      return { ok: false, code: SignalingErrorCode.UnknownType, reason: 'unknown type' };
  }
}

/** Serialises a frame, adding the protocol version. */
export function encode(message: { type: string }): string {
  return JSON.stringify({ v: PROTOCOL_VERSION, ...message });
}
