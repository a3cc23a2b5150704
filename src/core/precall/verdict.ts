import { AdviceCode, CheckCode, CheckStatus, StepId, type StepResult, type Verdict } from './types.js';

/** The order in which findings decide the verdict: what blocks everything else comes first. */
const PRIORITY: readonly StepId[] = [
  StepId.Browser,
  StepId.Signaling,
  StepId.Network,
  StepId.Camera,
  StepId.Microphone,
  StepId.Quality,
  StepId.Speakers,
];

/** What to do about each finding, most useful first (the troubleshooting a clinic's support gives). */
const ADVICE: Partial<Record<CheckCode, AdviceCode[]>> = {
  [CheckCode.InsecureContext]: [AdviceCode.UseHttps, AdviceCode.ContactPractice],
  [CheckCode.WebRtcUnsupported]: [AdviceCode.AnotherBrowser],
  [CheckCode.BrowserUnknown]: [AdviceCode.AnotherBrowser],
  [CheckCode.BrowserOutdated]: [AdviceCode.UpdateBrowser, AdviceCode.AnotherBrowser],
  [CheckCode.InAppBrowser]: [AdviceCode.OpenInBrowser],
  [CheckCode.CameraDenied]: [AdviceCode.AllowCamera],
  [CheckCode.MicrophoneDenied]: [AdviceCode.AllowCamera],
  [CheckCode.CameraBusy]: [AdviceCode.CloseCameraPrograms],
  [CheckCode.MicrophoneBusy]: [AdviceCode.CloseCameraPrograms],
  [CheckCode.NoCamera]: [AdviceCode.ConnectDevice],
  [CheckCode.NoMicrophone]: [AdviceCode.ConnectDevice],
  [CheckCode.CameraFailed]: [AdviceCode.ConnectDevice, AdviceCode.AnotherBrowser],
  [CheckCode.MicrophoneSilent]: [AdviceCode.ConnectDevice],
  [CheckCode.SpeakersNotHeard]: [AdviceCode.CheckSpeakers],
  [CheckCode.SignalingUnreachable]: [AdviceCode.AnotherNetwork, AdviceCode.ContactPractice],
  [CheckCode.SignalingInsecure]: [AdviceCode.ContactPractice],
  [CheckCode.SignalingRefused]: [AdviceCode.ContactPractice],
  [CheckCode.SignalingSlow]: [AdviceCode.CloseBandwidthPrograms, AdviceCode.RestartRouter],
  [CheckCode.UdpBlocked]: [AdviceCode.AskItFirewall],
  [CheckCode.TurnUnreachable]: [AdviceCode.AskItFirewall, AdviceCode.AnotherNetwork, AdviceCode.ContactPractice],
  [CheckCode.TurnAuthFailed]: [AdviceCode.ContactPractice],
  [CheckCode.TurnNotConfigured]: [AdviceCode.ContactPractice],
  [CheckCode.QualityTooSlow]: [AdviceCode.CloseBandwidthPrograms, AdviceCode.WiredConnection, AdviceCode.RestartRouter],
  [CheckCode.QualityUnstable]: [AdviceCode.CloseBandwidthPrograms, AdviceCode.WiredConnection, AdviceCode.RestartRouter],
  [CheckCode.QualityFailed]: [AdviceCode.AskItFirewall, AdviceCode.AnotherNetwork],
};

const RANK: Record<CheckStatus, number> = { pass: 0, skip: 0, warn: 1, fail: 2 };

/**
 * The overall verdict: the worst status, the finding that decides it, and the advice for every
 * finding. `ready` only when every step ran and passed: a skipped step proves nothing, so a check
 * whose network steps could not run is `incomplete` (a warning), never ready.
 */
export function judge(steps: readonly StepResult[]): Verdict {
  const ordered = PRIORITY.map((id) => steps.find((s) => s.id === id)).filter((s): s is StepResult => !!s);
  const worst = ordered.reduce((w, s) => Math.max(w, RANK[s.status]), 0);
  if (worst === 0 && (ordered.length < PRIORITY.length || ordered.some((s) => s.status === CheckStatus.Skip && s.code !== CheckCode.NotRequested))) {
    return { status: CheckStatus.Warn, code: 'incomplete', advice: [] };
  }
  const status = worst === 2 ? CheckStatus.Fail : worst === 1 ? CheckStatus.Warn : CheckStatus.Pass;
  const deciding = ordered.find((s) => RANK[s.status] === worst && worst > 0);
  const advice: AdviceCode[] = [];
  for (const step of ordered) {
    if (step.status !== CheckStatus.Fail && step.status !== CheckStatus.Warn) continue;
    for (const code of ADVICE[step.code] ?? []) if (!advice.includes(code)) advice.push(code);
  }
  return { status, code: deciding?.code ?? 'ready', advice };
}
