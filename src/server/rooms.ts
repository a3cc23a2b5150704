/**
 * The room rules as pure functions: given a room's state and one event, they return the next
 * state and the frames to deliver. No sockets, no timers, no I/O, so the same rules run over an
 * in-memory map or over Redis (where a transition may be retried after a conflicting write).
 *
 * A room holds at most one doctor and one patient. The patient waits until the doctor admits
 * them; only an admitted pair relays descriptions and candidates.
 */
import { type IceServer, PROTOCOL_VERSION, type Role, type ServerMessage, SignalingErrorCode } from '../protocol/index.js';

type Unversioned<T> = T extends unknown ? Omit<T, 'v'> : never;

/** Serialises a server frame with the protocol version. */
export function encodeFrame(message: Unversioned<ServerMessage>): string {
  return JSON.stringify({ v: PROTOCOL_VERSION, ...message });
}
const encode = encodeFrame;

/** One participant's place in a room. */
export interface Slot {
  /**
   * The place's random id, named in every ticket issued for it: only a ticket with this id takes
   * the place back. A place that is given up (leave, decline) or taken anew has a new id.
   */
  place: string;
  /** The connection holding the place (`<node>:<n>`), or null while it is away (grace period). */
  conn: string | null;
  /** Whether the doctor let this participant in. Always true for the doctor. */
  admitted: boolean;
  /** When the connection went away (ms since epoch), while `conn` is null. */
  goneAt: number | null;
}

export interface RoomState {
  doctor: Slot | null;
  patient: Slot | null;
}

/** A frame for one connection, optionally followed by closing it. */
export interface Delivery {
  to: string;
  frame: string;
  close?: { code: number; reason: string };
}

export interface Transition<T> {
  /** The next state; null deletes the room. */
  state: RoomState | null;
  deliveries: Delivery[];
  result: T;
}

/** WebSocket close codes for fatal errors; the close reason is always the error code. */
export const CloseCode = {
  Normal: 1000,
  GoingAway: 1001,
  Unauthenticated: 4401,
  Forbidden: 4403,
  Conflict: 4409,
  Timeout: 4408,
  TooManyRequests: 4429,
  Unavailable: 4503,
} as const;

export function closeCodeFor(code: SignalingErrorCode): number {
  switch (code) {
    case SignalingErrorCode.TokenRequired:
    case SignalingErrorCode.TokenInvalid:
    case SignalingErrorCode.TokenExpired:
      return CloseCode.Unauthenticated;
    case SignalingErrorCode.TokenWrongRoom:
    case SignalingErrorCode.TokenWrongRole:
    case SignalingErrorCode.OriginNotAllowed:
    case SignalingErrorCode.Declined:
      return CloseCode.Forbidden;
    case SignalingErrorCode.RoomFull:
    case SignalingErrorCode.Replaced:
      return CloseCode.Conflict;
    case SignalingErrorCode.RateLimited:
      return CloseCode.TooManyRequests;
    case SignalingErrorCode.JoinTimeout:
    case SignalingErrorCode.SlowConsumer:
      return CloseCode.Timeout;
    case SignalingErrorCode.ServerFull:
      return CloseCode.Unavailable;
    case SignalingErrorCode.ShuttingDown:
      return CloseCode.GoingAway;
    default:
      return 4400;
  }
}

const MESSAGES: Partial<Record<SignalingErrorCode, string>> = {
  [SignalingErrorCode.RoomFull]: 'This room already has someone in that role.',
  [SignalingErrorCode.Declined]: 'The doctor declined the call.',
  [SignalingErrorCode.Replaced]: 'This participant connected again from elsewhere.',
  [SignalingErrorCode.NoPeer]: 'The other participant is not in the call.',
  [SignalingErrorCode.NotAllowed]: 'That action is not allowed now.',
};

/** An `error` frame. Fatal ones are followed by a close with {@link closeCodeFor}. */
export function errorDelivery(to: string, code: SignalingErrorCode, fatal: boolean, message?: string): Delivery {
  const frame = encode({ type: 'error', code, message: message ?? MESSAGES[code] ?? code, ...(fatal ? { fatal: true } : {}) });
  return fatal ? { to, frame, close: { code: closeCodeFor(code), reason: code } } : { to, frame };
}

const other = (role: Role): Role => (role === 'doctor' ? 'patient' : 'doctor');

/** Both are connected and the patient is admitted: they may negotiate. */
const paired = (s: RoomState): boolean => !!(s.doctor?.conn && s.patient?.conn && s.patient.admitted);

const isEmpty = (s: RoomState): boolean => !s.doctor && !s.patient;

/** Drops places whose grace period is over. */
export function expire(state: RoomState | null, now: number, graceMs: number): RoomState | null {
  if (!state) return null;
  const keep = (slot: Slot | null) => (slot && (slot.conn !== null || (slot.goneAt !== null && now - slot.goneAt < graceMs)) ? slot : null);
  const next = { doctor: keep(state.doctor), patient: keep(state.patient) };
  return isEmpty(next) ? null : next;
}

/** A verified place ticket, as presented in `join.resume`. */
export interface PresentedTicket {
  place: string;
  admitted: boolean;
  /** ms since the epoch. */
  issuedAt: number;
}

export interface JoinInput {
  conn: string;
  role: Role;
  room: string;
  /** The ticket from `join.resume`, when it verified for this room and role. */
  ticket?: PresentedTicket;
  /**
   * Set while a store that forgets on restart is just back: a ticket issued before this time
   * (ms) may take a place the store does not hold, in the state the ticket says. Tickets issued
   * since then must match the place the store holds.
   */
  recoverBefore?: number;
  /** The id of the place this join makes, if it makes a new one. */
  newPlace: string;
  /** Signs a ticket for a place of this room and role. */
  issue(place: string, admitted: boolean): string;
  /** ICE servers for a participant still waiting, and (with TURN credentials) for one let in. */
  iceServers: { waiting: IceServer[]; admitted: IceServer[] };
  now: number;
  graceMs: number;
  /**
   * Processes found dead (their heartbeat gone) whose connections may still hold places here: those
   * places go first, as in {@link departNode}, so that a join racing the clean-up is not refused.
   */
  goneNodes?: string[];
}

export type JoinResult = { ok: true; place: string } | { ok: false; code: SignalingErrorCode };

export function join(prev: RoomState | null, input: JoinInput): Transition<JoinResult> {
  const deliveries: Delivery[] = [];
  let before = prev;
  for (const node of input.goneNodes ?? []) {
    const t = departNode(before, node, input.now);
    before = t.state;
    deliveries.push(...t.deliveries);
  }
  const state: RoomState = expire(before, input.now, input.graceMs) ?? { doctor: null, patient: null };
  const { conn, role, ticket } = input;
  const existing = state[role];
  let slot: Slot;
  if (existing && ticket && ticket.place === existing.place) {
    // Taking the place back after a reload, never in a better state than the ticket says: the
    // old socket, if it is somehow still open, goes.
    if (existing.conn && existing.conn !== conn) {
      deliveries.push(errorDelivery(existing.conn, SignalingErrorCode.Replaced, true));
    }
    slot = { ...existing, conn, goneAt: null, admitted: role === 'doctor' || (existing.admitted && ticket.admitted) };
  } else if (existing && existing.conn) {
    deliveries.push(errorDelivery(conn, SignalingErrorCode.RoomFull, true));
    return { state: before, deliveries, result: { ok: false, code: SignalingErrorCode.RoomFull } };
  } else if (!existing && ticket && input.recoverBefore !== undefined && ticket.issuedAt < input.recoverBefore) {
    // A place from before a restart that the store forgot, vouched for by a ticket it signed: an
    // admitted patient comes back admitted, without knocking again.
    slot = { place: ticket.place, conn, admitted: role === 'doctor' || ticket.admitted, goneAt: null };
  } else {
    // A fresh place. A place left in its grace period without its ticket is not inherited: a
    // patient must knock again.
    slot = { place: input.newPlace, conn, admitted: role === 'doctor', goneAt: null };
  }
  const next: RoomState = { ...state, [role]: slot };
  const peer = next[other(role)];
  const nowPaired = paired(next);
  deliveries.push({
    to: conn,
    frame: encode({
      type: 'joined',
      room: input.room,
      role,
      polite: role === 'patient',
      session: input.issue(slot.place, slot.admitted),
      iceServers: slot.admitted ? input.iceServers.admitted : input.iceServers.waiting,
      peer: nowPaired,
      waiting: role === 'patient' && !slot.admitted,
    }),
  });
  if (peer?.conn) {
    if (nowPaired) {
      deliveries.push({ to: peer.conn, frame: encode({ type: 'peer-joined', role }) });
    } else if (role === 'patient') {
      deliveries.push({ to: peer.conn, frame: encode({ type: 'knock', waiting: true }) });
    } else if (!peer.admitted) {
      deliveries.push({ to: conn, frame: encode({ type: 'knock', waiting: true }) });
    }
  }
  return { state: next, deliveries, result: { ok: true, place: slot.place } };
}

/** The doctor's answer to a knock. */
export function answerKnock(
  prev: RoomState | null,
  conn: string,
  admit: boolean,
  issue: (place: string) => string,
  iceServers: IceServer[],
): Transition<SignalingErrorCode | null> {
  const refuse = (code: SignalingErrorCode): Transition<SignalingErrorCode> => ({
    state: prev,
    deliveries: [errorDelivery(conn, code, false)],
    result: code,
  });
  const state = prev;
  if (!state || state.doctor?.conn !== conn) return refuse(SignalingErrorCode.NotAllowed);
  const patient = state.patient;
  if (!patient || !patient.conn || patient.admitted) return refuse(SignalingErrorCode.NotAllowed);
  if (admit) {
    const next: RoomState = { ...state, patient: { ...patient, admitted: true } };
    // TURN credentials come only now: a patient the doctor never lets in gets none.
    const admitted = { type: 'admitted', session: issue(patient.place), iceServers } as const;
    return {
      state: next,
      deliveries: [
        { to: patient.conn, frame: encode(admitted as Unversioned<ServerMessage>) },
        { to: patient.conn, frame: encode({ type: 'peer-joined', role: 'doctor' }) },
        { to: conn, frame: encode({ type: 'peer-joined', role: 'patient' }) },
      ],
      result: null,
    };
  }
  return {
    state: { ...state, patient: null },
    deliveries: [errorDelivery(patient.conn, SignalingErrorCode.Declined, true), { to: conn, frame: encode({ type: 'knock', waiting: false }) }],
    result: null,
  };
}

/**
 * A participant's connection ended: `left` after a `leave` frame (the place is given up),
 * `gone` when the socket closed without one (the place is kept for the grace period if the
 * participant was in, or released if they were only waiting).
 */
export function depart(prev: RoomState | null, conn: string, role: Role, reason: 'left' | 'gone', now: number): Transition<boolean> {
  const state = prev;
  const slot = state?.[role];
  if (!state || !slot || slot.conn !== conn) return { state: prev, deliveries: [], result: false };
  const wasPaired = paired(state);
  const waitingPatient = role === 'patient' && !slot.admitted;
  const keep = reason === 'gone' && !waitingPatient;
  const next: RoomState = { ...state, [role]: keep ? { ...slot, conn: null, goneAt: now } : null };
  const peer = state[other(role)];
  const deliveries: Delivery[] = [];
  if (peer?.conn) {
    if (wasPaired) deliveries.push({ to: peer.conn, frame: encode({ type: 'peer-left', role, reason }) });
    else if (waitingPatient) deliveries.push({ to: peer.conn, frame: encode({ type: 'knock', waiting: false }) });
  }
  return { state: isEmpty(next) ? null : next, deliveries, result: true };
}

/** The process that a connection id (`<node>:<n>`) belongs to. */
export const nodeOf = (conn: string): string => conn.slice(0, conn.indexOf(':'));

/**
 * A process died without closing: the places its connections held go as if their sockets had
 * dropped `now` (peers are told, admitted places are kept for the grace period). Frames for the
 * dead process's own connections are dropped: nobody reads them.
 */
export function departNode(prev: RoomState | null, node: string, now: number): Transition<number> {
  let state = prev;
  let gone = 0;
  const deliveries: Delivery[] = [];
  for (const role of ['doctor', 'patient'] as const) {
    const conn = state?.[role]?.conn;
    if (!conn || nodeOf(conn) !== node) continue;
    const t = depart(state, conn, role, 'gone', now);
    state = t.state;
    deliveries.push(...t.deliveries);
    gone++;
  }
  return { state, deliveries: deliveries.filter((d) => nodeOf(d.to) !== node), result: gone };
}

/** Where a relay frame from `conn` should go, or the error code if nowhere. */
export function relayTarget(state: RoomState | null, conn: string, role: Role): { to: string } | { code: SignalingErrorCode } {
  if (!state || state[role]?.conn !== conn) return { code: SignalingErrorCode.NotJoined };
  if (!paired(state)) return { code: SignalingErrorCode.NoPeer };
  return { to: state[other(role)]!.conn! };
}
