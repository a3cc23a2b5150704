import { CheckCode, CheckStatus, StepId, type BrowserName, type Environment, type StepResult } from './types.js';

/**
 * The oldest versions the product supports: the current ESR / extended-stable lines and what the
 * call code relies on (perfect negotiation with implicit rollback, `RTCRtpSender.setParameters`).
 */
export const MIN_VERSIONS: Record<Exclude<BrowserName, 'other'>, number> = { chrome: 110, edge: 110, firefox: 115, safari: 16 };

/**
 * Web views of apps that open links inside themselves. Camera access there is missing or flaky,
 * and the person is better off in their real browser. The markers are what these apps put into
 * the user agent string.
 */
const IN_APP: ReadonlyArray<[string, RegExp]> = [
  ['Facebook', /FBAN|FBAV|FB_IAB/],
  ['Instagram', /Instagram/],
  ['WhatsApp', /WhatsApp/],
  ['LINE', /\bLine\//],
  ['WeChat', /MicroMessenger/],
  ['TikTok', /musical_ly|BytedanceWebview|TikTok/i],
  ['Snapchat', /Snapchat/],
  ['Twitter', /Twitter/],
  ['LinkedIn', /LinkedInApp/],
  ['Telegram', /Telegram/],
  // Android's generic web view marks itself with "; wv)".
  ['Android WebView', /; wv\)/],
];

/** Reads the browser, its major version, the OS and any in-app web view from a user agent string. */
export function describeBrowser(userAgent: string, secureContext: boolean): Environment {
  const match = (re: RegExp) => {
    const m = re.exec(userAgent);
    return m ? Number(m[1]) : null;
  };
  let browser: BrowserName = 'other';
  let browserVersion: number | null = null;
  // Order matters: Edge and most Chromium browsers also say "Chrome"; Chrome also says "Safari".
  if (/Edg(e|A|iOS)?\//.test(userAgent)) {
    browser = 'edge';
    browserVersion = match(/Edg(?:e|A|iOS)?\/(\d+)/);
  } else if (/(Firefox|FxiOS)\//.test(userAgent)) {
    browser = 'firefox';
    browserVersion = match(/(?:Firefox|FxiOS)\/(\d+)/);
  } else if (/(OPR|SamsungBrowser|YaBrowser|Vivaldi)\//.test(userAgent)) {
    browser = 'other';
  } else if (/(Chrome|Chromium|CriOS)\//.test(userAgent)) {
    browser = 'chrome';
    browserVersion = match(/(?:Chrome|Chromium|CriOS)\/(\d+)/);
  } else if (/Safari\//.test(userAgent) && /Version\//.test(userAgent)) {
    browser = 'safari';
    browserVersion = match(/Version\/(\d+)/);
  }
  const os = /Windows/.test(userAgent)
    ? 'Windows'
    : /iPhone|iPad|iPod/.test(userAgent)
      ? 'iOS'
      : /Mac OS X|Macintosh/.test(userAgent)
        ? 'macOS'
        : /Android/.test(userAgent)
          ? 'Android'
          : /CrOS/.test(userAgent)
            ? 'ChromeOS'
            : /Linux/.test(userAgent)
              ? 'Linux'
              : 'other';
  const inApp = IN_APP.find(([, re]) => re.test(userAgent));
  return { browser, browserVersion, os, inAppBrowser: inApp ? inApp[0] : null, secureContext, userAgent };
}

/** Step 1: what the browser can do, before anything is asked of the person. */
export function checkBrowser(env: Environment, started: number): StepResult {
  const hasRtc = typeof RTCPeerConnection === 'function';
  const hasGum = typeof navigator !== 'undefined' && !!navigator.mediaDevices?.getUserMedia;
  const figures = {
    browser: env.browser,
    version: env.browserVersion,
    os: env.os,
    inAppBrowser: env.inAppBrowser,
    secureContext: env.secureContext,
    webrtc: hasRtc,
    getUserMedia: hasGum,
  };
  const result = (status: CheckStatus, code: CheckCode): StepResult => ({
    id: StepId.Browser,
    status,
    code,
    figures,
    durationMs: Math.round(performance.now() - started),
  });
  if (!env.secureContext) return result(CheckStatus.Fail, CheckCode.InsecureContext);
  // An in-app web view usually lacks one of these; either way the remedy is the real browser.
  if (env.inAppBrowser) return result(hasRtc && hasGum ? CheckStatus.Warn : CheckStatus.Fail, CheckCode.InAppBrowser);
  if (!hasRtc || !hasGum) return result(CheckStatus.Fail, CheckCode.WebRtcUnsupported);
  if (env.browser === 'other') return result(CheckStatus.Warn, CheckCode.BrowserUnknown);
  const min = MIN_VERSIONS[env.browser];
  if (env.browserVersion !== null && env.browserVersion < min) return result(CheckStatus.Warn, CheckCode.BrowserOutdated);
  return result(CheckStatus.Pass, CheckCode.BrowserOk);
}
