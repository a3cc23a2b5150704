// The test page's side of the test run: the real signaling server and second pages.
import { executeServerCommand } from '@web/test-runner-commands';

/** The signaling server started for this test run. */
export async function signaling(): Promise<{ url: string; signalUrl: string }> {
  return (await executeServerCommand('vc:signaling')) as { url: string; signalUrl: string };
}

/** A signaling server of a test's own (demo mode), for options of its own or to inspect its logs. */
export async function startSignaling(options: Record<string, unknown> = {}): Promise<{ id: string; url: string; signalUrl: string }> {
  return (await executeServerCommand('vc:signaling-start', options)) as { id: string; url: string; signalUrl: string };
}

/** Every log entry of a server started with `captureLogs: true`. */
export async function signalingLogs(id: string): Promise<unknown[]> {
  return (await executeServerCommand('vc:signaling-logs', { id })) as unknown[];
}

export async function stopSignaling(id: string): Promise<void> {
  await executeServerCommand('vc:signaling-stop', { id });
}

/** A page in its own browser context, driven by functions that run inside it. */
export interface PeerPage {
  /**
   * Every URL the page has requested so far (HTTP and WebSocket), from the browser's network log.
   * Chromium only: Firefox has no CDP network log.
   */
  requests(): Promise<string[]>;
  /** Reloads the page, as a person pressing F5 would. */
  reload(): Promise<void>;
  /**
   * Runs `fn` in the peer page with JSON arguments and returns its (JSON) result. It must finish
   * within the runner's 20 s command limit; use `runLong` for anything that may take longer.
   */
  /** A real mouse click at these page coordinates (a gesture the browser counts as the person's). */
  click(x: number, y: number): Promise<void>;
  run<A extends unknown[], R>(fn: (...args: A) => R | Promise<R>, ...args: A): Promise<R>;
  /** As `run`, for a function that may take longer than one command may: awaited in rounds. */
  runLong<A extends unknown[], R>(fn: (...args: A) => R | Promise<R>, ...args: A): Promise<R>;
  close(): Promise<void>;
}

/**
 * Which browser the page opens in: the test runner's, one started for a browser-wide failure, or
 * Firefox ESR for interop.
 */
export type PeerBrowser = 'default' | 'deny-media' | 'deny-camera' | 'no-devices' | 'autoplay' | 'firefox';

export async function openPeerPage(options: { path?: string; origin?: string; browser?: PeerBrowser } = {}): Promise<PeerPage> {
  const { path = '/test/support/peer.html', origin, browser = 'default' } = options;
  // A browser of its own starts once per run, in rounds, since it may take longer than one command may.
  for (let ready = browser === 'default'; !ready;) {
    ({ ready } = (await executeServerCommand('vc:peer-browser', { browser })) as { ready: boolean });
  }
  const id = (await executeServerCommand('vc:peer-open', { path, origin, browser })) as string;
  return {
    run: async (fn, ...args) => ((await executeServerCommand('vc:peer-eval', { id, source: fn.toString(), args })) as { value: never }).value,
    runLong: async (fn, ...args) => {
      const run = await executeServerCommand('vc:peer-start', { id, source: fn.toString(), args });
      for (;;) {
        const result = (await executeServerCommand('vc:peer-result', { run })) as { done: boolean; value?: never };
        if (result.done) return result.value as never;
      }
    },
    click: async (x, y) => {
      await executeServerCommand('vc:peer-click', { id, x, y });
    },
    requests: async () => (await executeServerCommand('vc:peer-requests', { id })) as string[],
    reload: async () => {
      await executeServerCommand('vc:peer-reload', { id });
    },
    close: async () => {
      await executeServerCommand('vc:peer-close', { id });
    },
  };
}
