import type { ReactiveController, ReactiveControllerHost } from 'lit';
import { ConsultError, ErrorCode } from '../core/errors.js';

/** The streams to show: this side's camera and the other person. */
export interface Streams {
  local?: MediaStream;
  remote?: MediaStream;
}

/**
 * Puts the call's streams into the element's `<video class="local">` and `<video class="remote">`
 * after each render, and deals with a browser that blocks sound until a click: the remote video
 * plays muted, {@link soundBlocked} turns true and the element gets an `autoplay-blocked` error.
 */
export class MediaController implements ReactiveController {
  /** The other person plays muted until {@link enableSound} is called from a click. */
  soundBlocked = false;

  constructor(
    private readonly host: ReactiveControllerHost & { renderRoot: ParentNode },
    private readonly streams: () => Streams,
    private readonly onError: (error: ConsultError) => void,
  ) {
    host.addController(this);
  }

  hostUpdated(): void {
    const { local, remote } = this.streams();
    this.#attach('video.local', local);
    this.#attach('video.remote', remote);
  }

  /** Turns the other person's sound on; call it from a click, which is what the browser waits for. */
  enableSound(): void {
    const video = this.#video('video.remote');
    if (!video) return;
    video.muted = false;
    void video
      .play()
      .then(() => this.#setBlocked(false))
      .catch(() => {});
  }

  /** A new call: nothing is blocked until the browser says so. */
  reset(): void {
    this.#setBlocked(false);
  }

  #video(selector: string) {
    return this.host.renderRoot.querySelector<HTMLVideoElement>(selector);
  }

  #setBlocked(blocked: boolean): void {
    if (this.soundBlocked === blocked) return;
    this.soundBlocked = blocked;
    this.host.requestUpdate();
  }

  /** Gives a video element its stream once; a muted video (this side's) needs no sound. */
  #attach(selector: string, stream: MediaStream | undefined): void {
    const video = this.#video(selector);
    if (!video || video.srcObject === (stream ?? null)) return;
    video.srcObject = stream ?? null;
    if (!stream || video.muted) return;
    video.play().catch((error: unknown) => {
      if ((error as Error)?.name !== 'NotAllowedError' || video.srcObject !== stream) return;
      // Autoplay policy: play muted now, and offer a click that turns the sound on.
      video.muted = true;
      void video.play().catch(() => {});
      this.#setBlocked(true);
      this.onError(new ConsultError(ErrorCode.AutoplayBlocked, 'remote audio needs a click', false, { cause: error }));
    });
  }
}
