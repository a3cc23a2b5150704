/**
 * The signaling wire protocol: JSON text frames over one WebSocket per participant.
 *
 * Every frame is one object with a protocol version `v` and a `type`. This file is the single
 * source of truth for both the browser and the server; docs/protocol.md describes it for people
 * who write their own peer or server. It has no dependencies at all.
 */

/** The protocol version this build speaks. A frame with another `v` is refused. */
export const PROTOCOL_VERSION = 1;

/**
 * The WebSocket subprotocol a client offers. A join token, when there is one, travels as a second
 * subprotocol `vc-token.<token>`, so that it is checked during the upgrade and never appears in a
 * URL (which proxies and access logs keep).
 */
export const SUBPROTOCOL = 'video-consult.v1';
export const TOKEN_SUBPROTOCOL_PREFIX = 'vc-token.';

/** The largest signaling frame either side accepts, in bytes. An SDP with many codecs is ~8 KiB. */
export const MAX_FRAME_BYTES = 64 * 1024;

export const ROLES = ['doctor', 'patient'] as const;
export type Role = (typeof ROLES)[number];

/** A room id: 1 to 64 characters from a URL-safe alphabet. */
export const ROOM_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;

/** Stable codes the server uses in `error` frames and WebSocket close reasons. */
export const SignalingErrorCode = {
  /** The frame is not JSON, not an object, or a field has the wrong type. */
  InvalidMessage: 'invalid-message',
  /** The frame's `v` is not {@link PROTOCOL_VERSION}. */
  UnsupportedVersion: 'unsupported-version',
  /** The frame's `type` is not one the receiver knows. */
  UnknownType: 'unknown-type',
  /** The frame is larger than {@link MAX_FRAME_BYTES}. */
  MessageTooLarge: 'message-too-large',
  /** A relay or control frame arrived before `join`. */
  NotJoined: 'not-joined',
  /** A second `join` on the same connection. */
  AlreadyJoined: 'already-joined',
  /** The room already holds someone in the requested role, or two people. */
  RoomFull: 'room-full',
  /** The room id does not match {@link ROOM_PATTERN}. */
  InvalidRoom: 'invalid-room',
  /** The role is neither `doctor` nor `patient`. */
  InvalidRole: 'invalid-role',
  /** A relay frame while the other participant is absent or not admitted. */
  NoPeer: 'no-peer',
  /** The server requires a join token and none was given. */
  TokenRequired: 'token-required',
  /** The token's signature does not verify, or it cannot be parsed. */
  TokenInvalid: 'token-invalid',
  /** The token has expired. */
  TokenExpired: 'token-expired',
  /** The token is for another room. */
  TokenWrongRoom: 'token-wrong-room',
  /** The token is for the other role. */
  TokenWrongRole: 'token-wrong-role',
  /** A doctor-only action (admit, decline) from a patient, or a knock answer with no one waiting. */
  NotAllowed: 'not-allowed',
  /** The doctor declined the patient. */
  Declined: 'declined',
  /** Too many frames or connections from one address. */
  RateLimited: 'rate-limited',
  /** The server is at its connection or room limit. */
  ServerFull: 'server-full',
  /** The page's Origin is not on the server's allow-list. */
  OriginNotAllowed: 'origin-not-allowed',
  /** The server is shutting down; reconnect later. */
  ShuttingDown: 'shutting-down',
  /** The same participant connected again elsewhere; this connection is replaced. */
  Replaced: 'replaced',
  /** The connection did not join a room in time after opening. */
  JoinTimeout: 'join-timeout',
  /** The connection stopped reading: more was queued for it than the server holds for anyone. */
  SlowConsumer: 'slow-consumer',
} as const;
export type SignalingErrorCode = (typeof SignalingErrorCode)[keyof typeof SignalingErrorCode];

/** An ICE server as RTCPeerConnection takes it, restricted to what JSON can carry. */
export interface IceServer {
  urls: string | string[];
  username?: string;
  credential?: string;
}

/** A session description, as `RTCSessionDescriptionInit` with a required type. */
export interface Description {
  type: 'offer' | 'answer' | 'pranswer' | 'rollback';
  sdp?: string;
}

/** An ICE candidate, as `RTCIceCandidateInit`. `null` marks the end of candidates. */
export interface Candidate {
  candidate: string;
  sdpMid?: string | null;
  sdpMLineIndex?: number | null;
  usernameFragment?: string | null;
}

// ---- client to server -------------------------------------------------------------------------

/** Enter a room. Sent once, first. `resume` is the id from an earlier `joined` to take its place. */
export interface JoinMessage {
  v: number;
  type: 'join';
  room: string;
  role: Role;
  resume?: string;
}

/** A session description for the other participant. */
export interface DescriptionMessage {
  v: number;
  type: 'description';
  description: Description;
}

/** A trickled ICE candidate for the other participant; `null` ends the candidates. */
export interface CandidateMessage {
  v: number;
  type: 'candidate';
  candidate: Candidate | null;
}

/** The doctor lets the waiting patient in. */
export interface AdmitMessage {
  v: number;
  type: 'admit';
}

/** The doctor declines the waiting patient. */
export interface DeclineMessage {
  v: number;
  type: 'decline';
}

/** Leave the room for good (hang up). Closing the socket without it counts as a drop. */
export interface LeaveMessage {
  v: number;
  type: 'leave';
}

/**
 * Ask for the ICE servers a call would get, instead of joining: the pre-call check's first and only
 * frame. The server answers with `ice-servers` (or a coded `error`) and closes the socket. The
 * connection needs a join token for any room, as a call does, unless the server runs in demo mode.
 */
export interface IceServersRequestMessage {
  v: number;
  type: 'ice-servers';
}

export type ClientMessage =
  JoinMessage | IceServersRequestMessage | DescriptionMessage | CandidateMessage | AdmitMessage | DeclineMessage | LeaveMessage;

// ---- server to client -------------------------------------------------------------------------

/**
 * The answer to `join`. `polite` says which side yields on offer glare (perfect negotiation).
 * `session` lets this participant take its place again after a reload or reconnect.
 * `peer` says whether the other participant is already there and admitted.
 */
export interface JoinedMessage {
  v: number;
  type: 'joined';
  room: string;
  role: Role;
  polite: boolean;
  session: string;
  iceServers: IceServer[];
  peer: boolean;
  /** Whether this participant must wait for the doctor before the call can start. */
  waiting: boolean;
}

/** The other participant is present and admitted: the two may now negotiate. */
export interface PeerJoinedMessage {
  v: number;
  type: 'peer-joined';
  role: Role;
}

/** The other participant left (`left`, they hung up) or dropped (`gone`). */
export interface PeerLeftMessage {
  v: number;
  type: 'peer-left';
  role: Role;
  reason: 'left' | 'gone';
}

/** To the doctor: a patient is waiting (`waiting: true`) or stopped waiting (`false`). */
export interface KnockMessage {
  v: number;
  type: 'knock';
  waiting: boolean;
}

/**
 * To the patient: the doctor admitted them. A `peer-joined` follows. `session` replaces the one
 * from `joined`: it vouches for the admission, so a reconnect does not need a new knock.
 */
export interface AdmittedMessage {
  v: number;
  type: 'admitted';
  /** A place ticket for the admitted place: rejoin with this one, not the one from `joined`. */
  session?: string;
  /** The ICE servers now that the patient is let in, with TURN credentials when TURN is configured. */
  iceServers?: IceServer[];
}

/** A relayed description, as sent by the other participant. */
export interface RelayedDescriptionMessage extends DescriptionMessage {}
/** A relayed candidate, as sent by the other participant. */
export interface RelayedCandidateMessage extends CandidateMessage {}

/**
 * The answer to an `ice-servers` request: STUN, and TURN with credentials that expire after
 * `ttlSeconds` (at most ten minutes, enough for a check). The server closes the socket after it.
 */
export interface IceServersMessage {
  v: number;
  type: 'ice-servers';
  iceServers: IceServer[];
  /** How long the TURN credentials in `iceServers` stay valid, in seconds; absent without TURN. */
  ttlSeconds?: number;
}

/** Something went wrong. `fatal` means the server closes the socket after this frame. */
export interface ErrorMessage {
  v: number;
  type: 'error';
  code: SignalingErrorCode;
  message: string;
  fatal?: boolean;
}

export type ServerMessage =
  | JoinedMessage
  | PeerJoinedMessage
  | PeerLeftMessage
  | KnockMessage
  | AdmittedMessage
  | RelayedDescriptionMessage
  | RelayedCandidateMessage
  | IceServersMessage
  | ErrorMessage;
