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

/** Which of the sender's devices are on, so the other side can show "camera off" instead of a frozen frame. */
export interface MediaStateMessage {
  v: number;
  type: 'media';
  camera: boolean;
  microphone: boolean;
}

export type ControlMessage = MediaStateMessage;

/** Parses a control message, or returns undefined for anything malformed or unknown. */
export function parseControlMessage(data: unknown): ControlMessage | undefined {
  if (typeof data !== 'string' || data.length > MAX_CONTROL_MESSAGE_CHARS) return undefined;
  let m: unknown;
  try {
    m = JSON.parse(data);
  } catch {
    return undefined;
  }
  if (typeof m !== 'object' || m === null) return undefined;
  const o = m as Record<string, unknown>;
  if (o.v !== PROTOCOL_VERSION) return undefined;
  if (o.type === 'media' && typeof o.camera === 'boolean' && typeof o.microphone === 'boolean') {
    return o as unknown as MediaStateMessage;
  }
  return undefined;
}
