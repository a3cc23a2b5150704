/**
 * The pre-call check: seven steps that find what would spoil a consultation (browser, camera,
 * microphone, speakers, signaling server, network paths, quality through the relay) and say what
 * to do about it. DOM-free; `<video-consult-check>` renders it.
 *
 * It contacts only the configured signaling server (a WebSocket opened and closed, no room joined)
 * and the ICE servers configured on the page or, without those, the ones the signaling server offers.
 * @module
 */
import { checkBrowser, describeBrowser } from './browser.js';
import { audioOutputs, canChooseOutput, checkDevices, measureMicrophone } from './devices.js';
import { checkNetwork, firewallFacts, icePaths, type IcePath } from './paths.js';
import { checkQuality } from './quality.js';
import { formatReport } from './report.js';
import { checkSignaling } from './signaling.js';
import { CheckCode, CheckStatus, STEP_ORDER, StepId, type PrecallOptions, type PrecallReport, type StepResult } from './types.js';
import { judge } from './verdict.js';

export * from './types.js';
export { describeBrowser, MIN_VERSIONS } from './browser.js';
export { playTestSound, audioOutputs, canChooseOutput } from './devices.js';
export { icePaths, firewallFacts, type IcePath } from './paths.js';
export { formatReport } from './report.js';
export { judge } from './verdict.js';

/** Which working relay the quality loopback goes through: UDP first, as a call would. */
const RELAY_PREFERENCE: ReadonlyArray<IcePath['kind']> = ['turn-udp', 'turn-tcp', 'turn-tls'];

/**
 * Runs every step and resolves with the report. Steps report through `onStep` as they finish; the
 * device steps and the network steps run side by side. Rejects only when `signal` aborts it.
 */
export async function runPrecallCheck(options: PrecallOptions = {}): Promise<PrecallReport> {
  const controller = new AbortController();
  const signal = controller.signal;
  const outer = options.signal;
  const forward = () => controller.abort(outer?.reason);
  if (outer?.aborted) throw outer.reason;
  outer?.addEventListener('abort', forward, { once: true });

  const startedAt = new Date().toISOString();
  const started = performance.now();
  const environment = describeBrowser(options.userAgent ?? navigator.userAgent, typeof isSecureContext === 'boolean' ? isSecureContext : true);
  let paths: IcePath[] = [];
  const steps = new Map<StepId, StepResult>();
  const finish = (step: StepResult) => {
    if (signal.aborted) throw signal.reason;
    steps.set(step.id, step);
    options.onStep?.(step);
  };
  const skipped = (id: StepId, code: CheckCode = CheckCode.Skipped): StepResult => ({
    id,
    status: CheckStatus.Skip,
    code,
    figures: {},
    durationMs: 0,
  });

  let stream: MediaStream | undefined;
  try {
    const browser = checkBrowser(environment, started);
    finish(browser);
    if (browser.code === CheckCode.InsecureContext || browser.status === CheckStatus.Fail) {
      // Without WebRTC or a secure context nothing else can be tried.
      for (const id of STEP_ORDER) if (id !== StepId.Browser) finish(skipped(id));
    } else {
      const devices = async () => {
        const getUserMedia = options.getUserMedia ?? ((c: MediaStreamConstraints) => navigator.mediaDevices.getUserMedia(c));
        const result = await checkDevices(getUserMedia, options.video ?? {}, performance.now());
        if (signal.aborted) result.stream?.getTracks().forEach((t) => t.stop());
        stream = result.stream;
        if (stream) options.onStream?.(stream);
        finish(result.camera);
        const [audio] = stream?.getAudioTracks() ?? [];
        if (result.microphone.status === CheckStatus.Pass && audio) {
          const begun = performance.now();
          const level = await measureMicrophone(audio, options.microphoneMs ?? 2500, signal, options.onLevel);
          finish({
            ...result.microphone,
            ...level,
            figures: { ...result.microphone.figures, ...level.figures },
            durationMs: result.microphone.durationMs + Math.round(performance.now() - begun),
          });
        } else {
          finish(result.microphone);
        }
        finish(await checkSpeakers(options, signal));
      };
      const network = async () => {
        const signaling = await checkSignaling(options.server, options.token, options.signalingTimeoutMs ?? 5000, signal);
        finish(signaling.step);
        // The page's ICE servers win; without them, the ones the signaling server offered.
        const iceServers = options.iceServers ?? signaling.iceServers;
        const iceServersFrom = options.iceServers ? 'page' : signaling.iceServers ? 'server' : null;
        paths = icePaths(iceServers ?? []);
        const pathTimeoutMs = options.pathTimeoutMs ?? 5000;
        const net = await checkNetwork(paths, pathTimeoutMs, signal);
        finish({ ...net, figures: { ...net.figures, iceServersFrom } });
        const relay = RELAY_PREFERENCE.map((kind) =>
          paths.find((p) => p.kind === kind && net.paths?.some((r) => r.url === p.url && r.status === CheckStatus.Pass)),
        ).find((p) => !!p);
        finish(
          relay
            ? await checkQuality(relay, options.throughputMs ?? 3000, pathTimeoutMs * 2, signal)
            : // No relay to measure through: untestable without TURN, or because the relay failed.
              skipped(StepId.Quality, paths.some((p) => p.kind !== 'srflx') ? CheckCode.Skipped : CheckCode.NotConfigured),
        );
      };
      await Promise.all([devices(), network()]);
    }
  } catch (error) {
    controller.abort(error);
    throw signal.aborted && outer?.aborted ? outer.reason : error;
  } finally {
    outer?.removeEventListener('abort', forward);
    stream?.getTracks().forEach((t) => t.stop());
  }

  const ordered = STEP_ORDER.map((id) => steps.get(id) ?? skipped(id));
  const report: Omit<PrecallReport, 'text'> = {
    version: 1,
    startedAt,
    durationMs: Math.round(performance.now() - started),
    environment,
    firewall: firewallFacts(paths, options.relayPortRange),
    steps: ordered,
    verdict: judge(ordered),
  };
  return { ...report, text: formatReport(report) };
}

/** Step 4: plays nothing itself (that needs a click); asks `confirmSound`, which the element backs with buttons. */
async function checkSpeakers(options: PrecallOptions, signal: AbortSignal): Promise<StepResult> {
  const started = performance.now();
  const outputs = await audioOutputs().catch(() => []);
  const figures = { outputSelectable: canChooseOutput(), outputs: outputs.length, heard: null as boolean | null };
  const step = (status: CheckStatus, code: CheckCode): StepResult => ({
    id: StepId.Speakers,
    status,
    code,
    figures,
    durationMs: Math.round(performance.now() - started),
  });
  if (!options.confirmSound) return step(CheckStatus.Skip, CheckCode.NotConfigured);
  const heard = await options.confirmSound(signal);
  figures.heard = heard ?? null;
  if (heard === true) return step(CheckStatus.Pass, CheckCode.SpeakersOk);
  if (heard === false) return step(CheckStatus.Fail, CheckCode.SpeakersNotHeard);
  return step(CheckStatus.Warn, CheckCode.SpeakersUnconfirmed);
}
