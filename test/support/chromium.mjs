// Chromium as the tests and benches launch it. One list, so that a flag changed for the browser
// tests is changed for the conformance, network and example tests and the benches too.

/** Debian's Chromium (apt-get install -y chromium), or CHROMIUM_PATH. */
export const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/**
 * Headless-friendly flags: fake camera and microphone (`fakeDevices` of each; Chromium's default
 * is one), no permission prompts, sound without a click, nothing in the background. The two
 * fake-media flags together also make getDisplayMedia answer at once with a fake screen.
 */
export function chromiumArgs({ fakeDevices } = {}) {
  return [
    '--no-sandbox',
    fakeDevices ? `--use-fake-device-for-media-stream=device-count=${fakeDevices}` : '--use-fake-device-for-media-stream',
    '--use-fake-ui-for-media-stream',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    '--no-first-run',
    '--disable-features=Translate,MediaRouter',
    '--autoplay-policy=no-user-gesture-required',
  ];
}
