import type { GetUserMedia } from '../media.js';

/** How a step (or the whole check) came out. `skip`: not run, because an earlier step failed or it was not configured. */
export const CheckStatus = { Pass: 'pass', Warn: 'warn', Fail: 'fail', Skip: 'skip' } as const;
export type CheckStatus = (typeof CheckStatus)[keyof typeof CheckStatus];

/** The seven steps, in the order they are shown. */
export const StepId = {
  Browser: 'browser',
  Camera: 'camera',
  Microphone: 'microphone',
  Speakers: 'speakers',
  Signaling: 'signaling',
  Network: 'network',
  Quality: 'quality',
} as const;
export type StepId = (typeof StepId)[keyof typeof StepId];
export const STEP_ORDER: readonly StepId[] = Object.values(StepId);

/**
 * What a step found, as a stable code. Each has a text (and, where something is wrong, a remedy)
 * in the element's strings; pages and support tools may branch on it.
 */
export const CheckCode = {
  // 1. browser
  BrowserOk: 'browser-ok',
  BrowserOutdated: 'browser-outdated',
  BrowserUnknown: 'browser-unknown',
  InAppBrowser: 'in-app-browser',
  InsecureContext: 'insecure-context',
  WebRtcUnsupported: 'webrtc-unsupported',
  // 2. camera
  CameraOk: 'camera-ok',
  CameraLowResolution: 'camera-low-resolution',
  CameraDenied: 'camera-denied',
  CameraBusy: 'camera-busy',
  NoCamera: 'no-camera',
  CameraFailed: 'camera-failed',
  // 3. microphone
  MicrophoneOk: 'microphone-ok',
  MicrophoneSilent: 'microphone-silent',
  MicrophoneNotMeasured: 'microphone-not-measured',
  MicrophoneDenied: 'microphone-denied',
  MicrophoneBusy: 'microphone-busy',
  NoMicrophone: 'no-microphone',
  // 4. speakers
  SpeakersOk: 'speakers-ok',
  SpeakersNotHeard: 'speakers-not-heard',
  SpeakersUnconfirmed: 'speakers-unconfirmed',
  // 5. signaling
  SignalingOk: 'signaling-ok',
  SignalingSlow: 'signaling-slow',
  SignalingInsecure: 'signaling-insecure',
  SignalingUnreachable: 'signaling-unreachable',
  /** The server took the connection but refused it with a coded error (figure `error`): a token it does not accept, an origin it does not allow, its limits. */
  SignalingRefused: 'signaling-refused',
  // 6. network paths
  NetworkOk: 'network-ok',
  UdpBlocked: 'udp-blocked',
  TurnUnreachable: 'turn-unreachable',
  TurnAuthFailed: 'turn-auth-failed',
  TurnNotConfigured: 'turn-not-configured',
  // 7. quality
  QualityHd: 'quality-hd',
  QualitySd: 'quality-sd',
  QualityUnstable: 'quality-unstable',
  QualityTooSlow: 'quality-too-slow',
  QualityFailed: 'quality-failed',
  // any step
  /** Not run: the page gave it nothing to work with (no server URL, no ICE servers, no way to ask about the sound). */
  NotConfigured: 'not-configured',
  /** Not run, on purpose: the camera in an audio-only check. Does not keep the verdict from `ready`. */
  NotRequested: 'not-requested',
  Skipped: 'skipped',
} as const;
export type CheckCode = (typeof CheckCode)[keyof typeof CheckCode];

/** A measured figure: numbers in the unit its name ends with (`Ms`, `Mbps`, `Percent`, `Db`). */
export type Figure = string | number | boolean | null;

/** One way to reach the network, tried on its own. */
export interface PathResult {
  /** `srflx`: a direct UDP path found through STUN; `turn-udp` / `turn-tcp` / `turn-tls`: the relay forced over that transport. */
  kind: 'srflx' | 'turn-udp' | 'turn-tcp' | 'turn-tls';
  url: string;
  status: CheckStatus;
  /** Time until the candidate appeared, or until the attempt gave up. */
  ms: number;
  /** The ICE candidate error code, when the browser reported one (401: credentials refused, 701: unreachable). */
  errorCode?: number;
}

export interface StepResult {
  id: StepId;
  status: CheckStatus;
  code: CheckCode;
  /** The measured figures, by name. */
  figures: Record<string, Figure>;
  durationMs: number;
  /** For the network step: each path tried. */
  paths?: PathResult[];
}

/**
 * What the clinic should change, or the person should do, in the order to try. Each is a text in
 * the element's strings; `ask-it-firewall` names the TURN hosts and ports from {@link FirewallFacts}.
 */
export const AdviceCode = {
  AllowCamera: 'allow-camera',
  CloseCameraPrograms: 'close-camera-programs',
  ConnectDevice: 'connect-device',
  CheckSpeakers: 'check-speakers',
  OpenInBrowser: 'open-in-browser',
  UpdateBrowser: 'update-browser',
  AnotherBrowser: 'another-browser',
  UseHttps: 'use-https',
  CloseBandwidthPrograms: 'close-bandwidth-programs',
  WiredConnection: 'wired-connection',
  RestartRouter: 'restart-router',
  AskItFirewall: 'ask-it-firewall',
  AnotherNetwork: 'another-network',
  ContactPractice: 'contact-practice',
} as const;
export type AdviceCode = (typeof AdviceCode)[keyof typeof AdviceCode];

/** What a firewall must let through, from the ICE configuration: shown in the IT advice and the report. */
export interface FirewallFacts {
  /** Host names or addresses of the STUN/TURN servers. */
  hosts: string[];
  /** Their ports with the transport, e.g. `3478/udp`, `443/tcp`. */
  ports: string[];
  /** The TURN relay port range, when configured (`relayPortRange`), e.g. `49152-65535/udp`. */
  relayPorts?: string;
}

export interface Verdict {
  status: CheckStatus;
  /**
   * The most important finding: `ready` when every step ran and passed; `incomplete` (status `warn`)
   * when every step that ran passed but some could not run (e.g. no ICE servers, so the network
   * was not tested); otherwise the code of the step that decides.
   */
  code: CheckCode | 'ready' | 'incomplete';
  advice: AdviceCode[];
}

/** The browser and the device, as far as the check may know them: no names, no media. */
export interface Environment {
  browser: BrowserName;
  browserVersion: number | null;
  os: string;
  inAppBrowser: string | null;
  secureContext: boolean;
  userAgent: string;
}

export type BrowserName = 'chrome' | 'edge' | 'firefox' | 'safari' | 'other';

/** The whole result; also the `vc-check-complete` event's detail. JSON-safe. */
export interface PrecallReport {
  version: 1;
  startedAt: string;
  durationMs: number;
  environment: Environment;
  firewall: FirewallFacts;
  steps: StepResult[];
  verdict: Verdict;
  /** A plain-text summary for support requests (see {@link formatReport}). */
  text: string;
}

export interface PrecallOptions {
  /** The signaling server's WebSocket URL, as for `<video-consult>`. Without it the signaling step is skipped. */
  server?: string;
  /** A join token, offered as a subprotocol as a call would (some servers refuse the upgrade without one). The check never joins a room. */
  token?: string;
  /**
   * The ICE servers a call would use (STUN and TURN with credentials). Without them the check asks
   * the signaling server for the ones it hands to calls (`ice-servers`). Without TURN the relay
   * paths and the quality step are skipped.
   */
  iceServers?: RTCIceServer[];
  /** The TURN server's relay port range, for the firewall advice, e.g. `49152-65535`. */
  relayPortRange?: string;
  /** Camera constraints; `false` checks sound only. */
  video?: MediaTrackConstraints | false;
  /** Defaults to `navigator.mediaDevices.getUserMedia`. */
  getUserMedia?: GetUserMedia;
  /** Stops the check; the promise rejects with the signal's reason and every resource is released. */
  signal?: AbortSignal;
  /** Called with the camera and microphone stream for a live preview; it is stopped when the check ends. */
  onStream?: (stream: MediaStream) => void;
  /** Called about ten times a second with the microphone level, 0 to 1, while it is measured. */
  onLevel?: (level: number) => void;
  /** Called as each step finishes. */
  onStep?: (step: StepResult) => void;
  /**
   * Asks the person whether they heard the test sound (`playTestSound`); true, false, or undefined
   * when they did not answer. Without it the speakers step is `skip`.
   */
  confirmSound?: (signal: AbortSignal) => Promise<boolean | undefined>;
  /** How long the microphone is listened to. Default 2500 ms. */
  microphoneMs?: number;
  /** How long each network path may take. Default 5000 ms. */
  pathTimeoutMs?: number;
  /** How long the signaling server may take to accept the WebSocket. Default 5000 ms. */
  signalingTimeoutMs?: number;
  /** How long data is pushed through the relay for the bandwidth figure. Default 3000 ms. */
  throughputMs?: number;
  /** For tests: the user agent string to judge instead of `navigator.userAgent`. */
  userAgent?: string;
}

/** The thresholds the product promises against (DESIGN.md), and the usual limits for a good call. */
export const THRESHOLDS = {
  /** A call needs at least this, up and down. */
  callMbps: 1,
  /** HD video from this. */
  hdMbps: 5,
  /** Above these a call stutters or lags (the figures Daily's call-quality test uses). */
  rttMs: 300,
  lossPercent: 5,
  jitterMs: 30,
  /** A signaling server slower than this to accept is worth a warning. */
  slowSignalingMs: 1500,
  /** Below this microphone level (dBFS) the check calls it silence (test.webrtc.org's figure is -60). */
  silenceDb: -60,
} as const;

export type { GetUserMedia };
