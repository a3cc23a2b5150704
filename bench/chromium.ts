// What the call benches share: the Chromium they launch, with the tests' flags, and the small
// helpers for their figures.

import { chromiumArgs as testChromiumArgs, chromiumPath } from '../test/support/chromium.mjs';

/** Debian's Chromium, or CHROMIUM_PATH. */
export const executablePath = chromiumPath;

/** The tests' flags (test/support/chromium.mjs): one fake camera and microphone, a fake screen. */
export const chromiumArgs = testChromiumArgs();

/** Prints why the bench cannot run and exits with 1. */
export function fail(message: string): never {
  console.error(message);
  process.exit(1);
}

export const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

export const round1 = (x: number): number => Math.round(x * 10) / 10;
