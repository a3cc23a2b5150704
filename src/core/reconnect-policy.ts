/** What a reconnect policy knows when the signaling connection is lost. */
export interface ReconnectContext {
  /** Attempts made since the connection was last good (0 for the first retry). */
  attempt: number;
  /** Whether media flows between the two browsers meanwhile. */
  mediaFlows: boolean;
  /** A number in [0, 1) for the jitter; `Math.random()` in the field, fixed in tests. */
  random: number;
}

/** Decides when to try the signaling server again: a delay in ms, or null to give up. */
export type ReconnectPolicy = (context: ReconnectContext) => number | null;

/**
 * Delays before each attempt to reach the signaling server again, in ms, plus up to
 * {@link SIGNALING_JITTER_MS} of random jitter so that many clients do not return at once.
 * (LiveKit's client uses 0, 0.3, 1.2, 2.7, 4.8 s, then 7 s.)
 */
export const SIGNALING_BACKOFF_MS = [0, 300, 1200, 2700, 4800, 7000];
export const SIGNALING_JITTER_MS = 1000;
/** Attempts before giving up while no media flows (~50 s); with media flowing it keeps trying. */
export const SIGNALING_MAX_ATTEMPTS = 10;

/** The session's policy: the first retry at once, then backoff with jitter; endless while media flows. */
export const nextDelay: ReconnectPolicy = ({ attempt, mediaFlows, random }) => {
  if (attempt >= SIGNALING_MAX_ATTEMPTS && !mediaFlows) return null;
  const base = SIGNALING_BACKOFF_MS[Math.min(attempt, SIGNALING_BACKOFF_MS.length - 1)]!;
  return base + (attempt === 0 ? 0 : random * SIGNALING_JITTER_MS);
};
