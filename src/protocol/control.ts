/**
 * Messages on the control data channel: JSON text, ordered and reliable, directly between the two
 * browsers (DTLS), never through the signaling server.
 */
import { PROTOCOL_VERSION } from './signaling.js';

/** The control channel is negotiated out of band on both sides with this id, so neither waits for the other. */
export const CONTROL_CHANNEL_ID = 0;
export const CONTROL_CHANNEL_LABEL = 'vc-control';
/** A control message larger than this is refused. */
export const MAX_CONTROL_MESSAGE_CHARS = 64 * 1024;
/** The longest display name, in characters, after cleaning. */
export const MAX_NAME_CHARS = 64;
/** The longest chat message, in characters. Longer ones are refused by the sender and clipped by the receiver. */
export const MAX_CHAT_CHARS = 4000;

/** Introduces one side to the other: its display name (may be empty) and what it can do. Sent again when the name changes. */
export interface HelloMessage {
  v: number;
  type: 'hello';
  name: string;
  capabilities: string[];
}

/** Which of the sender's devices are on, so the other side can show "camera off" instead of a frozen frame. */
export interface MediaStateMessage {
  v: number;
  type: 'media';
  camera: boolean;
  microphone: boolean;
  /** The camera is on but its video is paused because the link is too slow (optional, default false). */
  videoPaused?: boolean;
  /** A screen, window or tab is being shared on the connection's second video slot (optional, default false). */
  screen?: boolean;
}

/** A chat line. `id` (1 to 64 characters) is the sender's, unique among its lines in the call. */
export interface ChatMessage {
  v: number;
  type: 'chat';
  id: string;
  text: string;
  /** The sender's clock, ms since 1970, for display only. */
  sentAt: number;
}

export type ControlMessage = HelloMessage | MediaStateMessage | ChatMessage;

/**
 * Characters that change how text around them is shown without being seen themselves: C0 and C1
 * controls, bidirectional overrides and isolates (which can make `exe.pdf` read as `fdp.exe`),
 * zero-width characters and the byte-order mark.
 */
// eslint-disable-next-line no-control-regex
const INVISIBLE = /[\u0000-\u0008\u000B-\u001F\u007F-\u009F\u200B-\u200F\u202A-\u202E\u2060-\u2064\u2066-\u206F\uFEFF]/g;

/** Cleans a display name: no invisible characters, no line breaks, spaces collapsed, at most {@link MAX_NAME_CHARS}. */
export function cleanName(name: string): string {
  const cleaned = name.replace(INVISIBLE, '').replace(/\s+/g, ' ').trim();
  return [...cleaned].slice(0, MAX_NAME_CHARS).join('').trim();
}

/** Cleans chat text: no invisible characters (line breaks and tabs stay), at most `max` characters. */
export function cleanText(text: string, max = MAX_CHAT_CHARS): string {
  const cleaned = text.replace(INVISIBLE, '').replace(/\r\n?/g, '\n').trim();
  const chars = [...cleaned];
  return chars.length > max ? chars.slice(0, max - 1).join('') + '…' : cleaned;
}

/** Why {@link decodeControlMessage} refused a message. */
export const ControlRejection = {
  /** Longer than {@link MAX_CONTROL_MESSAGE_CHARS}. */
  TooLarge: 'too-large',
  /** Not text, not JSON, or JSON that is not an object. */
  Malformed: 'malformed',
  /** Another protocol version. */
  Version: 'version',
  /** A type this side does not know (or one that belongs to file transfer). */
  UnknownType: 'unknown-type',
  /** A known type with a missing or wrong field. */
  Invalid: 'invalid',
} as const;
export type ControlRejection = (typeof ControlRejection)[keyof typeof ControlRejection];

/** A decoded control message, or why it was refused. */
export type ControlDecodeResult = { ok: true; message: ControlMessage } | { ok: false; reason: ControlRejection };

/** A control message as this side builds it: {@link encodeControlMessage} adds the version. */
export type OutgoingControlMessage = ControlMessage extends infer M ? (M extends ControlMessage ? Omit<M, 'v'> : never) : never;

/** Encodes a control message for the channel, with the protocol version. */
export function encodeControlMessage(message: OutgoingControlMessage): string {
  return JSON.stringify({ v: PROTOCOL_VERSION, ...message });
}

/** Decodes a control message from the channel, with the reason when it is refused. */
export function decodeControlMessage(data: unknown): ControlDecodeResult {
  const refuse = (reason: ControlRejection): ControlDecodeResult => ({ ok: false, reason });
  if (typeof data !== 'string') return refuse(ControlRejection.Malformed);
  if (data.length > MAX_CONTROL_MESSAGE_CHARS) return refuse(ControlRejection.TooLarge);
  let m: unknown;
  try {
    m = JSON.parse(data);
  } catch {
    return refuse(ControlRejection.Malformed);
  }
  if (typeof m !== 'object' || m === null || Array.isArray(m)) return refuse(ControlRejection.Malformed);
  const o = m as Record<string, unknown>;
  if (o.v !== PROTOCOL_VERSION) return refuse(ControlRejection.Version);
  let valid: boolean;
  switch (o.type) {
    case 'media':
      valid =
        typeof o.camera === 'boolean' &&
        typeof o.microphone === 'boolean' &&
        (o.videoPaused === undefined || typeof o.videoPaused === 'boolean') &&
        (o.screen === undefined || typeof o.screen === 'boolean');
      break;
    case 'hello':
      valid =
        typeof o.name === 'string' &&
        o.name.length <= 4 * MAX_NAME_CHARS &&
        Array.isArray(o.capabilities) &&
        o.capabilities.length <= 32 &&
        o.capabilities.every((c) => typeof c === 'string' && c.length <= 64);
      break;
    case 'chat':
      valid =
        typeof o.id === 'string' &&
        o.id.length >= 1 &&
        o.id.length <= 64 &&
        typeof o.text === 'string' &&
        typeof o.sentAt === 'number' &&
        Number.isFinite(o.sentAt);
      break;
    default:
      return refuse(ControlRejection.UnknownType);
  }
  return valid ? { ok: true, message: o as unknown as ControlMessage } : refuse(ControlRejection.Invalid);
}

/** Parses a control message, or returns undefined for anything malformed or unknown. */
export function parseControlMessage(data: unknown): ControlMessage | undefined {
  const decoded = decodeControlMessage(data);
  return decoded.ok ? decoded.message : undefined;
}
