import { SignalingErrorCode } from '../protocol/signaling.js';

/**
 * Every problem a person can meet has one of these stable codes. The element shows the message
 * for the code from its strings table; pages may branch on the code.
 */
export const ErrorCode = {
  ...SignalingErrorCode,
  /** The person (or a browser policy) refused camera and microphone. */
  PermissionDenied: 'permission-denied',
  /** No camera: the call goes on with audio only. */
  NoCamera: 'no-camera',
  /** No microphone: the call goes on without sound from this side. */
  NoMicrophone: 'no-microphone',
  /** Neither a camera nor a microphone. */
  NoDevices: 'no-devices',
  /** The camera was refused but the microphone allowed: the call goes on with audio only. */
  CameraDenied: 'camera-denied',
  /** Another program holds the camera: the call goes on with audio only. */
  CameraBusy: 'camera-busy',
  /** Another program holds the microphone (and the camera, if any). */
  MicrophoneBusy: 'microphone-busy',
  /** The page is not served over HTTPS (or from localhost), so the browser hides camera and WebRTC. */
  InsecureContext: 'insecure-context',
  /** The browser has no WebRTC. */
  WebRtcUnsupported: 'webrtc-unsupported',
  /** The browser blocked the remote sound until the person clicks. */
  AutoplayBlocked: 'autoplay-blocked',
  /** The signaling server could not be reached or closed the connection. */
  SignalingUnreachable: 'signaling-unreachable',
  /** No network path between the two browsers could be found. */
  ConnectionFailed: 'connection-failed',
  /** `join()` was called without `server`, `room` or `role`. */
  MissingConfiguration: 'missing-configuration',
  /** A chat message over the length limit; it was not sent. */
  ChatTooLong: 'chat-too-long',
  /** A chat message or file needs the call to be connected. */
  NotConnected: 'not-connected',
  /** Files cannot be sent: the file-transfer engine is not loaded here or on the other side. */
  FilesUnavailable: 'files-unavailable',
  /** The camera or microphone in use was unplugged: the call goes on with the system default (the detail says which). */
  DeviceLost: 'device-lost',
  /** A camera or microphone stopped on its own (unplugged, taken by another program, a privacy switch) and could not be opened again. */
  DeviceEnded: 'device-ended',
  /** The chosen camera, microphone or speaker could not be used; the one before stays in use. */
  DeviceUnavailable: 'device-unavailable',
  /** The person closed the screen picker or refused it; nothing changed. An outcome, not a failure. */
  ScreenShareCancelled: 'screen-share-cancelled',
  /** Screen share is not possible here: the browser has none, this side may not share, or the call is not connected. */
  ScreenShareUnavailable: 'screen-share-unavailable',
  /** Any other media failure. */
  MediaFailed: 'media-failed',
} as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

/** An error with a stable {@link ErrorCode}. `fatal` errors end the call; others are warnings. */
export class ConsultError extends Error {
  override readonly name = 'ConsultError';
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly fatal: boolean,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
