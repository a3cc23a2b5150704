// What the call benches share: the Chromium they launch, with the flags of
// test/web-test-runner.config.mjs (copied: that file exits when something is missing), and the
// small helpers for their figures.

/** Debian's Chromium, or CHROMIUM_PATH. */
export const executablePath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/**
 * Fake camera and microphone, no permission prompts, sound without a click, nothing in the
 * background. The two fake-media flags together also make getDisplayMedia answer at once with a
 * fake screen (Chromium 156 headless; without the fake device it waits for a picker, without the
 * fake UI it fails with NotReadableError).
 */
export const chromiumArgs = [
  '--no-sandbox',
  '--use-fake-device-for-media-stream',
  '--use-fake-ui-for-media-stream',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-features=Translate,MediaRouter',
  '--autoplay-policy=no-user-gesture-required',
];

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
