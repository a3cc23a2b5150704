// The test page's side of the test run: the real signaling server and second pages.
import { executeServerCommand } from '@web/test-runner-commands';

/** The signaling server started for this test run. */
export async function signaling(): Promise<{ url: string; signalUrl: string }> {
  return (await executeServerCommand('vc:signaling')) as { url: string; signalUrl: string };
}

/** A page in its own browser context, driven by functions that run inside it. */
export interface PeerPage {
  /** Runs `fn` in the peer page with JSON arguments and returns its (JSON) result. */
  run<A extends unknown[], R>(fn: (...args: A) => R | Promise<R>, ...args: A): Promise<R>;
  close(): Promise<void>;
}

/** Which browser the page opens in: the test runner's, or one started for a browser-wide failure. */
export type PeerBrowser = 'default' | 'deny-media' | 'no-devices';

export async function openPeerPage(
  options: { path?: string; origin?: string; browser?: PeerBrowser } = {},
): Promise<PeerPage> {
  const { path = '/test/support/peer.html', origin, browser = 'default' } = options;
  const id = (await executeServerCommand('vc:peer-open', { path, origin, browser })) as string;
  return {
    run: async (fn, ...args) =>
      ((await executeServerCommand('vc:peer-eval', { id, source: fn.toString(), args })) as { value: never }).value,
    close: async () => {
      await executeServerCommand('vc:peer-close', { id });
    },
  };
}
