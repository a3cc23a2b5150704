import type { MediaChange, MediaSource, MediaState } from './session-types.js';

const SOURCES: readonly MediaSource[] = ['camera', 'microphone', 'screen'];

/** The sources that turned on or off between two media states of one side (a missing `screen` counts as off). */
export function mediaChanges(side: MediaChange['side'], before: MediaState, after: MediaState): MediaChange[] {
  return SOURCES.filter((source) => !!before[source] !== !!after[source]).map((source) => ({ side, source, on: !!after[source] }));
}

/**
 * The one place `media-change` comes from: each side's last media state, compared with the next
 * one this side announces or the other side sends.
 */
export class MediaChanges {
  #last: Partial<Record<MediaChange['side'], MediaState>> = {};
  #emit: (change: MediaChange) => void;

  constructor(emit: (change: MediaChange) => void) {
    this.#emit = emit;
  }

  /** Sets a side's state without announcing it (the start of a call). */
  reset(side: MediaChange['side'], state: MediaState): void {
    this.#last[side] = { ...state };
  }

  /** Announces what changed since the side's last state; nothing before its first {@link reset}. */
  update(side: MediaChange['side'], state: MediaState): void {
    const before = this.#last[side];
    this.#last[side] = { ...state };
    if (before) mediaChanges(side, before, state).forEach(this.#emit);
  }
}
