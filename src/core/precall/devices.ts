import { ErrorCode, type ConsultError } from '../errors.js';
import { acquireLocalMedia, DEFAULT_AUDIO, DEFAULT_VIDEO, type GetUserMedia } from '../media.js';
import { CheckCode, CheckStatus, StepId, THRESHOLDS, type Figure, type StepResult } from './types.js';

/** Below this the other side sees a postage stamp; the fake and most built-in cameras give 640x480 or more. */
const MIN_GOOD_HEIGHT = 360;

export interface DeviceResults {
  camera: StepResult;
  microphone: StepResult;
  /** Live while the check runs; the caller stops it. */
  stream?: MediaStream;
}

type PermissionFigure = PermissionState | 'unknown';

async function permissionState(name: 'camera' | 'microphone'): Promise<PermissionFigure> {
  try {
    // `camera` and `microphone` are not in TypeScript's PermissionName list everywhere.
    return (await navigator.permissions.query({ name: name as PermissionName })).state;
  } catch {
    return 'unknown'; // Firefox before 131 and older Safari cannot be asked.
  }
}

/**
 * Steps 2 and 3, with one permission prompt: opens camera and microphone the way a call does (and
 * falls back the way a call does), then describes what it got.
 */
export async function checkDevices(getUserMedia: GetUserMedia, video: MediaTrackConstraints | false, started: number): Promise<DeviceResults> {
  const [cameraPermission, microphonePermission] = await Promise.all([permissionState('camera'), permissionState('microphone')]);
  const step = (id: StepId, status: CheckStatus, code: CheckCode, figures: Record<string, Figure>): StepResult => ({
    id,
    status,
    code,
    figures,
    durationMs: Math.round(performance.now() - started),
  });
  let stream: MediaStream;
  let warnings: ConsultError[];
  try {
    ({ stream, warnings } = await acquireLocalMedia(getUserMedia, video === false ? false : { ...DEFAULT_VIDEO, ...video }, DEFAULT_AUDIO));
  } catch (error) {
    const code = (error as ConsultError).code;
    const camera: Record<string, Figure> = { permission: cameraPermission, error: code ?? String(error) };
    const microphone: Record<string, Figure> = { permission: microphonePermission, error: code ?? String(error) };
    switch (code) {
      case ErrorCode.PermissionDenied:
        return {
          camera: step(StepId.Camera, CheckStatus.Fail, CheckCode.CameraDenied, camera),
          microphone: step(StepId.Microphone, CheckStatus.Fail, CheckCode.MicrophoneDenied, microphone),
        };
      case ErrorCode.NoDevices:
        return {
          camera: step(StepId.Camera, CheckStatus.Fail, CheckCode.NoCamera, camera),
          microphone: step(StepId.Microphone, CheckStatus.Fail, CheckCode.NoMicrophone, microphone),
        };
      case ErrorCode.CameraBusy:
      case ErrorCode.MicrophoneBusy:
        // Both held (or the microphone alone, when there is no camera): the remedy is the same.
        return {
          camera: step(
            StepId.Camera,
            code === ErrorCode.CameraBusy ? CheckStatus.Fail : CheckStatus.Skip,
            code === ErrorCode.CameraBusy ? CheckCode.CameraBusy : CheckCode.Skipped,
            camera,
          ),
          microphone: step(StepId.Microphone, CheckStatus.Fail, CheckCode.MicrophoneBusy, microphone),
        };
      case ErrorCode.NoMicrophone:
        return {
          camera: step(StepId.Camera, CheckStatus.Skip, CheckCode.Skipped, camera),
          microphone: step(StepId.Microphone, CheckStatus.Fail, CheckCode.NoMicrophone, microphone),
        };
      default:
        return {
          camera: step(StepId.Camera, CheckStatus.Fail, CheckCode.CameraFailed, camera),
          microphone: step(StepId.Microphone, CheckStatus.Skip, CheckCode.Skipped, microphone),
        };
    }
  }

  const [videoTrack] = stream.getVideoTracks();
  const [audioTrack] = stream.getAudioTracks();
  const cameraFigures: Record<string, Figure> = { permission: await permissionState('camera') };
  let camera: StepResult;
  if (video === false) {
    camera = step(StepId.Camera, CheckStatus.Skip, CheckCode.NotRequested, cameraFigures);
  } else if (videoTrack) {
    const settings = videoTrack.getSettings();
    cameraFigures.width = settings.width ?? null;
    cameraFigures.height = settings.height ?? null;
    cameraFigures.frameRate = settings.frameRate ? Math.round(settings.frameRate) : null;
    cameraFigures.device = videoTrack.label || null;
    const low = (settings.height ?? 0) < MIN_GOOD_HEIGHT;
    camera = step(StepId.Camera, low ? CheckStatus.Warn : CheckStatus.Pass, low ? CheckCode.CameraLowResolution : CheckCode.CameraOk, cameraFigures);
  } else {
    // Only the camera refused: the call would go on with sound, but the check says which to allow.
    const code = warnings.some((w) => w.code === ErrorCode.CameraDenied)
      ? CheckCode.CameraDenied
      : warnings.some((w) => w.code === ErrorCode.CameraBusy)
        ? CheckCode.CameraBusy
        : CheckCode.NoCamera;
    camera = step(StepId.Camera, CheckStatus.Fail, code, cameraFigures);
  }
  const microphoneFigures: Record<string, Figure> = { permission: await permissionState('microphone'), device: audioTrack?.label || null };
  const microphone = audioTrack
    ? step(StepId.Microphone, CheckStatus.Pass, CheckCode.MicrophoneOk, microphoneFigures)
    : step(StepId.Microphone, CheckStatus.Fail, CheckCode.NoMicrophone, microphoneFigures);
  return { camera, microphone, stream };
}

/**
 * Listens to the microphone for `ms` and reports its loudest moment: silence is a warning (a muted
 * headset, the wrong input selected). Reports the level to `onLevel` as it goes, for a meter.
 */
export async function measureMicrophone(
  track: MediaStreamTrack,
  ms: number,
  signal: AbortSignal,
  onLevel?: (level: number) => void,
): Promise<{ status: CheckStatus; code: CheckCode; figures: Record<string, Figure> }> {
  const context = new AudioContext();
  try {
    // Autoplay policy: without a click on the page the context may stay suspended and hear nothing.
    if (context.state === 'suspended') await Promise.race([context.resume(), new Promise((r) => setTimeout(r, 500))]);
    if (context.state !== 'running') {
      return { status: CheckStatus.Warn, code: CheckCode.MicrophoneNotMeasured, figures: { peakDb: null } };
    }
    const source = context.createMediaStreamSource(new MediaStream([track]));
    const analyser = context.createAnalyser();
    analyser.fftSize = 2048;
    source.connect(analyser);
    const samples = new Float32Array(analyser.fftSize);
    let peak = 0;
    await new Promise<void>((resolve, reject) => {
      // A level meter samples at a steady rate: this is the meter's clock, not a wait for something.
      const timer = setInterval(() => {
        analyser.getFloatTimeDomainData(samples);
        let sum = 0;
        for (const s of samples) sum += s * s;
        const rms = Math.sqrt(sum / samples.length);
        peak = Math.max(peak, rms);
        onLevel?.(Math.min(1, rms * 4));
      }, 100);
      const done = setTimeout(finish, ms);
      function finish() {
        clearInterval(timer);
        clearTimeout(done);
        signal.removeEventListener('abort', abort);
        resolve();
      }
      function abort() {
        finish();
        reject(signal.reason);
      }
      signal.addEventListener('abort', abort);
    });
    source.disconnect();
    const peakDb = peak > 0 ? Math.round(20 * Math.log10(peak)) : -Infinity;
    const silent = peakDb < THRESHOLDS.silenceDb;
    return {
      status: silent ? CheckStatus.Warn : CheckStatus.Pass,
      code: silent ? CheckCode.MicrophoneSilent : CheckCode.MicrophoneOk,
      figures: { peakDb: Number.isFinite(peakDb) ? peakDb : null },
    };
  } finally {
    void context.close();
  }
}

/** Whether the page may choose the loudspeaker (`setSinkId`): Chrome and Edge, Firefox 116+, Safari not yet. */
export const canChooseOutput = () => typeof AudioContext !== 'undefined' && 'setSinkId' in AudioContext.prototype;

/**
 * Plays a short two-tone chime for the speakers step, on the chosen output where the browser
 * allows it. Resolves when it has played. Call it from a click: browsers only play sound after one.
 */
export async function playTestSound(sinkId?: string): Promise<void> {
  const context = new AudioContext();
  try {
    if (sinkId && canChooseOutput()) await (context as AudioContext & { setSinkId(id: string): Promise<void> }).setSinkId(sinkId);
    if (context.state === 'suspended') await context.resume();
    const gain = context.createGain();
    gain.gain.value = 0.2;
    gain.connect(context.destination);
    const start = context.currentTime + 0.05;
    let ended: Promise<unknown> = Promise.resolve();
    for (const [i, frequency] of [660, 880].entries()) {
      const osc = context.createOscillator();
      osc.frequency.value = frequency;
      osc.connect(gain);
      osc.start(start + i * 0.35);
      osc.stop(start + i * 0.35 + 0.3);
      ended = new Promise((resolve) => osc.addEventListener('ended', resolve, { once: true }));
    }
    await ended;
  } finally {
    void context.close();
  }
}

/** The audio outputs the person can choose from (labels appear once the microphone is allowed). */
export async function audioOutputs(): Promise<MediaDeviceInfo[]> {
  if (!canChooseOutput() || !navigator.mediaDevices?.enumerateDevices) return [];
  return (await navigator.mediaDevices.enumerateDevices()).filter((d) => d.kind === 'audiooutput');
}
