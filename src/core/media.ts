import { ConsultError, ErrorCode } from './errors.js';

/** The function the session asks for camera and microphone; `navigator.mediaDevices.getUserMedia` by default. */
export type GetUserMedia = (constraints: MediaStreamConstraints) => Promise<MediaStream>;

/** What {@link acquireLocalMedia} got, and the non-fatal problems met on the way. */
export interface LocalMedia {
  stream: MediaStream;
  warnings: ConsultError[];
}

/**
 * The one place capture constraints are built: a size to aim at, at most 30 frames a second, and
 * the camera chosen (or remembered) if there is one: `ideal`, so a camera that is gone gives way
 * to another instead of failing the call.
 */
export function captureConstraints(width: number, height: number, deviceId?: string): MediaTrackConstraints {
  return {
    width: { ideal: width },
    height: { ideal: height },
    frameRate: { ideal: 30, max: 30 },
    ...(deviceId ? { deviceId: { ideal: deviceId } } : {}),
  };
}

/** Microphone constraints: the browser's voice processing, and the microphone chosen (or remembered) if there is one. */
export function audioConstraints(deviceId?: string): MediaTrackConstraints {
  return { ...DEFAULT_AUDIO, ...(deviceId ? { deviceId: { ideal: deviceId } } : {}) };
}

/**
 * Default capture: SD (640x480), which old laptops encode without strain and about 0.5-1 Mbit/s
 * carries. Capturing 720p from the start made the first frame arrive ~550 ms later (bench:connect).
 */
export const DEFAULT_VIDEO: MediaTrackConstraints = captureConstraints(640, 480);
export const DEFAULT_AUDIO: MediaTrackConstraints = {
  echoCancellation: true,
  noiseSuppression: true,
  autoGainControl: true,
};

const nameOf = (error: unknown) => (error instanceof DOMException || error instanceof Error ? error.name : '');

const isDenied = (error: unknown) => ['NotAllowedError', 'SecurityError', 'PermissionDeniedError'].includes(nameOf(error));
const isMissing = (error: unknown) => ['NotFoundError', 'OverconstrainedError', 'DevicesNotFoundError'].includes(nameOf(error));
const isBusy = (error: unknown) => ['NotReadableError', 'TrackStartError', 'AbortError'].includes(nameOf(error));

/** Checks what the browser offers before anything is asked of the person. */
export function checkEnvironment(): ConsultError | undefined {
  if (typeof isSecureContext === 'boolean' && !isSecureContext) {
    return new ConsultError(ErrorCode.InsecureContext, 'This page is not served over HTTPS.', true);
  }
  if (typeof RTCPeerConnection !== 'function') {
    return new ConsultError(ErrorCode.WebRtcUnsupported, 'This browser has no WebRTC.', true);
  }
  if (!navigator.mediaDevices?.getUserMedia) {
    return new ConsultError(ErrorCode.WebRtcUnsupported, 'This browser cannot capture camera or microphone.', true);
  }
  return undefined;
}

/**
 * Asks for camera and microphone and falls back as far as the call can still be useful: without a
 * camera (missing, held by another program, or refused while the microphone is allowed) the call
 * goes on with audio only, and without a microphone with video only. A refusal of both ends there,
 * with the code that names the remedy.
 */
export async function acquireLocalMedia(
  getUserMedia: GetUserMedia,
  video: MediaTrackConstraints | false = DEFAULT_VIDEO,
  audio: MediaTrackConstraints = DEFAULT_AUDIO,
): Promise<LocalMedia> {
  if (video === false) {
    try {
      return { stream: await getUserMedia({ audio }), warnings: [] };
    } catch (error) {
      throw classifyAudioFailure(error);
    }
  }
  try {
    return { stream: await getUserMedia({ audio, video }), warnings: [] };
  } catch (error) {
    // A browser that was told "camera no, microphone yes" refuses the pair: sound alone may still come.
    if (isDenied(error)) return soundOnly(getUserMedia, audio, error);
    if (!isMissing(error) && !isBusy(error)) throw new ConsultError(ErrorCode.MediaFailed, String(error), true, { cause: error });
    const cameraProblem = isBusy(error)
      ? new ConsultError(ErrorCode.CameraBusy, 'The camera is in use by another program.', false, { cause: error })
      : new ConsultError(ErrorCode.NoCamera, 'No camera was found.', false, { cause: error });
    try {
      return { stream: await getUserMedia({ audio }), warnings: [cameraProblem] };
    } catch (audioError) {
      if (isDenied(audioError)) throw denied(audioError);
      if (isMissing(audioError)) {
        // Either the camera or both devices are missing; a video-only call is still worth having.
        try {
          const stream = await getUserMedia({ video });
          return {
            stream,
            warnings: [new ConsultError(ErrorCode.NoMicrophone, 'No microphone was found.', false, { cause: audioError })],
          };
        } catch (videoError) {
          if (isDenied(videoError)) throw denied(videoError);
          if (isMissing(videoError)) {
            throw new ConsultError(ErrorCode.NoDevices, 'No camera and no microphone were found.', true, { cause: videoError });
          }
          throw cameraProblem.code === ErrorCode.CameraBusy
            ? new ConsultError(ErrorCode.CameraBusy, cameraProblem.message, true, { cause: videoError })
            : new ConsultError(ErrorCode.MediaFailed, String(videoError), true, { cause: videoError });
        }
      }
      throw classifyAudioFailure(audioError);
    }
  }
}

async function soundOnly(getUserMedia: GetUserMedia, audio: MediaTrackConstraints, cameraError: unknown): Promise<LocalMedia> {
  let stream: MediaStream;
  try {
    stream = await getUserMedia({ audio });
  } catch (audioError) {
    throw isDenied(audioError) ? denied(audioError) : classifyAudioFailure(audioError);
  }
  const warning = new ConsultError(ErrorCode.CameraDenied, 'The camera was refused; the call goes on with sound only.', false, {
    cause: cameraError,
  });
  return { stream, warnings: [warning] };
}

/** Opens the camera alone, for turning it back on during a call. */
export async function acquireCamera(getUserMedia: GetUserMedia, video: MediaTrackConstraints = DEFAULT_VIDEO): Promise<MediaStreamTrack> {
  try {
    const [track] = (await getUserMedia({ video })).getVideoTracks();
    if (!track) throw new DOMException('no video track', 'NotFoundError');
    return track;
  } catch (error) {
    if (isDenied(error)) throw new ConsultError(ErrorCode.CameraDenied, 'The camera was refused.', false, { cause: error });
    if (isBusy(error)) throw new ConsultError(ErrorCode.CameraBusy, 'The camera is in use by another program.', false, { cause: error });
    if (isMissing(error)) throw new ConsultError(ErrorCode.NoCamera, 'No camera was found.', false, { cause: error });
    throw new ConsultError(ErrorCode.MediaFailed, String(error), false, { cause: error });
  }
}

function denied(cause: unknown) {
  return new ConsultError(ErrorCode.PermissionDenied, 'Camera and microphone access was refused.', true, { cause });
}

function classifyAudioFailure(error: unknown): ConsultError {
  if (isDenied(error)) return denied(error);
  if (isBusy(error)) return new ConsultError(ErrorCode.MicrophoneBusy, 'The microphone is in use by another program.', true, { cause: error });
  if (isMissing(error)) return new ConsultError(ErrorCode.NoMicrophone, 'No microphone was found.', true, { cause: error });
  return new ConsultError(ErrorCode.MediaFailed, String(error), true, { cause: error });
}
