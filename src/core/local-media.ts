import { ConsultError, ErrorCode } from './errors.js';
import { acquireCamera, acquireLocalMedia, audioConstraints, captureConstraints, DEFAULT_VIDEO, type GetUserMedia } from './media.js';
import { PROFILES } from './quality.js';
import type { SessionEmit } from './session-types.js';

/** What {@link LocalMedia} needs from the call. */
export interface LocalMediaOptions {
  getUserMedia?: GetUserMedia;
  /** The sender of camera video on the current connection, if there is one. */
  videoSender: () => RTCRtpSender | undefined;
  /** The sender of the microphone on the current connection, if there is one. */
  audioSender: () => RTCRtpSender | undefined;
  /** Adds a track to the current connection (when it has no video sender yet). */
  addTrack: (track: MediaStreamTrack, stream: MediaStream) => void;
  /** Tells the call's listeners of a new camera track (`local-stream`) and camera errors. */
  emit: SessionEmit;
  /** Aborted when the call run ends: tracks that arrive later are stopped at once. */
  signal: AbortSignal;
}

/** This side's camera and microphone for one call run: capture, switching, and fitting the capture size. */
export class LocalMedia {
  stream?: MediaStream;
  microphoneOn = true;
  /** The camera and microphone to open (chosen, or remembered); none: the system's default. */
  preferred: { camera?: string; microphone?: string } = {};
  /** Called with each track this side starts to send (to watch it end). */
  onTrack?: (track: MediaStreamTrack) => void;
  #o: LocalMediaOptions;

  constructor(options: LocalMediaOptions) {
    this.#o = options;
    options.signal.addEventListener('abort', () => {
      this.stream?.getTracks().forEach((t) => t.stop());
      this.stream = undefined;
    });
  }

  get #getUserMedia(): GetUserMedia {
    return this.#o.getUserMedia ?? ((constraints) => navigator.mediaDevices.getUserMedia(constraints));
  }
  get cameraTrack(): MediaStreamTrack | undefined {
    return this.stream?.getVideoTracks()[0];
  }
  get audioTrack(): MediaStreamTrack | undefined {
    return this.stream?.getAudioTracks()[0];
  }
  get cameraOn(): boolean {
    return this.cameraTrack?.readyState === 'live';
  }
  get microphoneSending(): boolean {
    return this.microphoneOn && !!this.audioTrack;
  }

  /** Asks for camera (unless `video` is false) and microphone; rejects with a {@link ConsultError}. */
  acquire(video: boolean): ReturnType<typeof acquireLocalMedia> {
    const { camera, microphone } = this.preferred;
    return acquireLocalMedia(this.#getUserMedia, video ? captureConstraints(640, 480, camera) : false, audioConstraints(microphone));
  }

  /** Takes the stream {@link acquire} got, unless the run ended meanwhile. */
  take(stream: MediaStream): boolean {
    if (this.#o.signal.aborted) {
      stream.getTracks().forEach((t) => t.stop());
      return false;
    }
    this.stream = stream;
    this.microphoneOn = true;
    stream.getTracks().forEach((t) => this.onTrack?.(t));
    return true;
  }

  /** Off stops the track (the camera light goes out); on opens the camera again and swaps it in. Resolves true on a change. */
  async setCamera(enabled: boolean): Promise<boolean> {
    const current = this.cameraTrack;
    if (!enabled) {
      if (!current) return false;
      current.stop();
      this.stream?.removeTrack(current);
      await this.#o.videoSender()?.replaceTrack(null);
      return true;
    }
    if (current?.readyState === 'live' || !this.stream) return false;
    let track: MediaStreamTrack;
    try {
      track = await acquireCamera(this.#getUserMedia, captureConstraints(640, 480, this.preferred.camera));
    } catch (error) {
      this.#o.emit('error', error as ConsultError);
      return false;
    }
    if (this.#o.signal.aborted || !this.stream) {
      track.stop();
      return false;
    }
    this.stream.addTrack(track);
    this.onTrack?.(track);
    const sender = this.#o.videoSender();
    if (sender) await sender.replaceTrack(track);
    else this.#o.addTrack(track, this.stream);
    return true;
  }

  /**
   * Opens one camera or microphone alone: `exact` for a device the person chose (it must be that
   * one), else `ideal`. The camera opens at the size the current one has. Rejects with a
   * {@link ConsultError} `device-unavailable`.
   */
  async open(kind: 'camera' | 'microphone', deviceId: string | undefined, exact: boolean): Promise<MediaStreamTrack> {
    const device = deviceId ? { deviceId: exact ? { exact: deviceId } : { ideal: deviceId } } : {};
    try {
      if (kind === 'camera') {
        const { width = 640, height = 480 } = this.cameraTrack?.getSettings() ?? {};
        return await acquireCamera(this.#getUserMedia, { ...captureConstraints(width, height), ...device });
      }
      const [track] = (await this.#getUserMedia({ audio: { ...audioConstraints(), ...device } })).getAudioTracks();
      if (!track) throw new DOMException('no audio track', 'NotFoundError');
      return track;
    } catch (cause) {
      throw new ConsultError(ErrorCode.DeviceUnavailable, `The ${kind} cannot be opened.`, false, { cause });
    }
  }

  /**
   * Puts a new camera or microphone track in place of the one of its kind, on the connection with
   * `replaceTrack` (no renegotiation), and stops the old one. A muted microphone stays muted.
   * Returns false (and stops the track) when the run is over.
   */
  async swap(track: MediaStreamTrack): Promise<boolean> {
    const stream = this.stream;
    if (this.#o.signal.aborted || !stream) {
      track.stop();
      return false;
    }
    const video = track.kind === 'video';
    const old = video ? this.cameraTrack : this.audioTrack;
    if (!video) track.enabled = this.microphoneOn;
    if (old) stream.removeTrack(old);
    stream.addTrack(track);
    old?.stop();
    this.onTrack?.(track);
    const sender = video ? this.#o.videoSender() : this.#o.audioSender();
    if (sender) await sender.replaceTrack(track);
    else this.#o.addTrack(track, stream);
    this.#o.emit('local-stream', stream);
    return true;
  }

  /** Takes a track that ended and could not be replaced out of the stream and off the connection. */
  async drop(track: MediaStreamTrack): Promise<void> {
    this.stream?.removeTrack(track);
    await (track.kind === 'video' ? this.#o.videoSender() : this.#o.audioSender())?.replaceTrack(null);
  }

  /** Mutes or unmutes; the track stays open so unmuting is instant. Returns false without a microphone. */
  setMicrophone(enabled: boolean): boolean {
    const track = this.audioTrack;
    if (!track) return false;
    this.microphoneOn = enabled;
    track.enabled = enabled;
    return true;
  }

  /**
   * Makes the camera capture at the profile's size. Going down, the browser scales the running
   * track. Going up it cannot: Chromium scales a camera only down from the format it opened, and
   * keeps that format while any track of the camera is open. So the camera is closed and opened
   * again at the larger size (a pause of a frame or two) and the new track swapped in without
   * renegotiating; if that fails, SD comes back. Resolves false when the camera was lost.
   */
  async fit(profile: 'hd' | 'sd'): Promise<boolean> {
    const track = this.cameraTrack;
    if (!track) return true;
    const { width, height } = PROFILES[profile];
    const constraints = captureConstraints(width, height);
    const current = track.getSettings();
    if ((current.width ?? 0) >= width || profile === 'sd') {
      await track.applyConstraints(constraints).catch(() => {});
      return true;
    }
    const device = current.deviceId ? { deviceId: { exact: current.deviceId } } : {};
    track.stop();
    this.stream?.removeTrack(track);
    let next: MediaStreamTrack;
    try {
      next = await acquireCamera(this.#getUserMedia, { ...constraints, ...device });
    } catch {
      try {
        next = await acquireCamera(this.#getUserMedia, { ...DEFAULT_VIDEO, ...device });
      } catch (error) {
        await this.#o.videoSender()?.replaceTrack(null);
        this.#o.emit('error', error as ConsultError);
        return false;
      }
    }
    if (this.#o.signal.aborted || !this.stream || this.cameraTrack) {
      next.stop();
      return true;
    }
    this.stream.addTrack(next);
    this.onTrack?.(next);
    await this.#o.videoSender()?.replaceTrack(next);
    this.#o.emit('local-stream', this.stream);
    return true;
  }
}
