/**
 * What only a call in progress shows of devices, screen sharing, picture-in-picture and full
 * screen: the extra buttons of the control bar, the device panel, the shared screen and the
 * "you are sharing" bar, with their texts and styles. The element loads this file with the call
 * engine on the first `join()` (the script-tag build puts both in video-consult-engine.js), so a
 * page that never joins does not pay for it.
 */
import { css, html, nothing, svg, type ReactiveController, type ReactiveControllerHost } from 'lit';
import type { ConsultSession, DeviceKind, DeviceOption } from '../core/session.js';
import { errorText, type MediaStrings, type Strings } from './strings.js';
import type { ConsultError } from '../core/errors.js';

/** The session's device and screen-share members (the element forwards its methods to them). */
export type MediaSession = Pick<
  ConsultSession,
  | 'devices'
  | 'selectDevice'
  | 'canFlipCamera'
  | 'flipCamera'
  | 'cameraFacing'
  | 'startScreenShare'
  | 'stopScreenShare'
  | 'screenSharing'
  | 'remoteScreenStream'
>;

/** The English texts of this file; the German ones are in strings-de.ts, and a page overrides them with `strings`. */
export const MEDIA_EN: Required<MediaStrings> = {
  devices: 'Camera, microphone and speaker',
  camera: 'Camera',
  microphone: 'Microphone',
  speaker: 'Speaker',
  flipCamera: 'Switch camera',
  shareScreen: 'Share screen',
  stopSharing: 'Stop sharing',
  sharing: 'You are sharing your screen.',
  pictureInPicture: 'Picture in picture',
  fullscreen: 'Full screen',
};

/** The texts of this file in the element's language, the page's overrides first. */
export function mediaStrings(strings: Strings): Required<MediaStrings> {
  const own = Object.entries(strings).filter(([key, value]) => key in MEDIA_EN && value);
  return { ...MEDIA_EN, ...Object.fromEntries(own) };
}

const icons = {
  settings: svg`<path d="M19.4 13a7.6 7.6 0 0 0 0-2l2.1-1.6-2-3.5-2.5 1a7.4 7.4 0 0 0-1.7-1L15 3h-4l-.4 2.9a7.4 7.4 0 0 0-1.7 1l-2.5-1-2 3.5L6.6 11a7.6 7.6 0 0 0 0 2l-2.1 1.6 2 3.5 2.5-1c.5.4 1.1.7 1.7 1L11 21h4l.4-2.9c.6-.3 1.2-.6 1.7-1l2.5 1 2-3.5-2.2-1.6ZM13 15.5a3.5 3.5 0 1 1 0-7 3.5 3.5 0 0 1 0 7Z"/>`,
  flip: svg`<path d="M20 5h-3.2L15 3H9L7.2 5H4a2 2 0 0 0-2 2v12a2 2 0 0 0 2 2h16a2 2 0 0 0 2-2V7a2 2 0 0 0-2-2Zm-8 13a5 5 0 0 1-4.9-4H5l3-3 3 3H9.1a3 3 0 0 0 5.1 1.4l1.4 1.4A5 5 0 0 1 12 18Zm4-3-3-3h1.9a3 3 0 0 0-5.1-1.4L8.4 9.2A5 5 0 0 1 16.9 12H19l-3 3Z"/>`,
  screen: svg`<path d="M20 3H4a2 2 0 0 0-2 2v11a2 2 0 0 0 2 2h6v2H8v2h8v-2h-2v-2h6a2 2 0 0 0 2-2V5a2 2 0 0 0-2-2Zm-8 3 4 4h-3v4h-2v-4H8l4-4Z"/>`,
  pip: svg`<path d="M19 7h-8v6h8V7Zm2-4H3a2 2 0 0 0-2 2v14a2 2 0 0 0 2 2h18a2 2 0 0 0 2-2V5a2 2 0 0 0-2-2Zm0 16H3V5h18v14Z"/>`,
  fullscreen: svg`<path d="M7 14H5v5h5v-2H7v-3Zm-2-4h2V7h3V5H5v5Zm12 7h-3v2h5v-5h-2v3ZM14 5v2h3v3h2V5h-5Z"/>`,
};

/** The styles this file adds to the element's shadow root (adopted, so a strict Content-Security-Policy allows them). */
const styles = css`
  video.screen {
    position: absolute;
    inset: 0;
    width: 100%;
    height: 100%;
    object-fit: contain;
  }
  /* The other person shares: their screen fills the stage, their camera goes small to the lower left. */
  .stage:has(video.screen:not([hidden])) video.remote {
    inset: auto auto 12px 12px;
    width: var(--vc-local-video-width);
    max-width: 320px;
    min-width: 96px;
    height: auto;
    aspect-ratio: 4 / 3;
    object-fit: cover;
    border-radius: calc(var(--vc-radius) / 2);
    box-shadow: 0 2px 12px rgb(0 0 0 / 50%);
    z-index: 1;
  }
  .stage:has(video.screen:not([hidden])) .peer-name {
    bottom: 16px;
    left: 16px;
    max-width: 24%;
    z-index: 1;
    font-size: 0.85em;
  }
  /* The back camera is not mirrored: what it films is not the person looking at it. */
  video.local.flat {
    transform: none;
  }
  .notice[data-code='sharing'] {
    border-left-color: var(--vc-accent);
  }
  .side label {
    display: flex;
    flex-direction: column;
    gap: 4px;
  }
  select {
    font: inherit;
    color: inherit;
    min-height: 44px;
    background: var(--vc-background);
    border: 1px solid var(--vc-muted);
    border-radius: calc(var(--vc-radius) / 2);
    padding: 0 8px;
    max-width: 100%;
  }
`;

/** Whether this browser can share a screen, play to a chosen speaker, show a video in its own window, go full screen. */
const canShare = () => typeof navigator.mediaDevices?.getDisplayMedia === 'function';
export const canChooseSpeaker = () => 'setSinkId' in HTMLMediaElement.prototype;
const canPip = () => !!document.pictureInPictureEnabled;
const canFullscreen = (el: Element) => typeof el.requestFullscreen === 'function' && document.fullscreenEnabled;

/** What the extra buttons of the control bar show. */
export interface MediaControlsModel {
  inCall: boolean;
  /** Whether this side may share its screen (the doctor, or the patient with `patient-screen-share`). */
  shareAllowed: boolean;
  panelOpen: boolean;
}

/** What the element does for this file: its device panel, and how it shows a warning or says something to screen readers. */
export interface MediaHooks {
  /** Opens or closes the device panel. */
  toggle(): void;
  close(): void;
  warn(error: ConsultError): void;
  say(text: string): void;
}

interface MediaHost extends ReactiveControllerHost, HTMLElement {
  readonly renderRoot: HTMLElement | DocumentFragment;
}

/**
 * The devices, screen sharing, picture-in-picture and full-screen parts of one element, as a
 * controller: it adds its styles to the element, puts the shared screen into `<video
 * class="screen">`, plays the other person to the chosen speaker, and renders again when the
 * element enters or leaves full screen or picture-in-picture.
 */
export class CallMedia implements ReactiveController {
  #host: MediaHost;
  #session: () => MediaSession | undefined;
  #hooks: MediaHooks;
  /** The texts of the latest render, for what a click says. */
  #strings?: Strings;

  constructor(host: MediaHost, session: () => MediaSession | undefined, hooks: MediaHooks) {
    this.#host = host;
    this.#session = session;
    this.#hooks = hooks;
    host.addController(this);
    const root = host.renderRoot;
    if (root instanceof ShadowRoot && styles.styleSheet) root.adoptedStyleSheets = [...root.adoptedStyleSheets, styles.styleSheet];
    if (host.isConnected) this.hostConnected();
  }

  #update = () => this.#host.requestUpdate();

  hostConnected(): void {
    document.addEventListener('fullscreenchange', this.#update);
  }

  hostDisconnected(): void {
    document.removeEventListener('fullscreenchange', this.#update);
    if (this.#pipVideo() && document.pictureInPictureElement === this.#pipVideo()) void document.exitPictureInPicture().catch(() => {});
  }

  hostUpdated(): void {
    const session = this.#session();
    const screen = this.#video('video.screen');
    const stream = session?.remoteScreenStream ?? null;
    if (screen && screen.srcObject !== stream) {
      screen.srcObject = stream;
      if (stream) void screen.play().catch(() => {});
    }
    const remote = this.#video('video.remote');
    if (remote) {
      remote.onenterpictureinpicture = remote.onleavepictureinpicture = this.#update;
      const speaker = session?.devices?.speaker ?? '';
      // Chromium, and Firefox from 116; Safari has no setSinkId, and the speaker picker is hidden there.
      const sink = remote as HTMLVideoElement & { sinkId?: string; setSinkId?: (id: string) => Promise<void> };
      if (sink.setSinkId && sink.sinkId !== speaker) void sink.setSinkId(speaker).catch(() => {});
    }
  }

  /** `flat` for a self-view that is not mirrored: the back camera. */
  localClass(): string {
    return this.#session()?.cameraFacing === 'environment' ? 'flat' : '';
  }

  /** The other person's shared screen: large, behind their (then small) camera. */
  screen(inCall: boolean) {
    return html`<video part="screen-video" class="screen" autoplay playsinline muted ?hidden=${!inCall || !this.#session()?.remoteScreenStream}></video>`;
  }

  /** While this side shares: the bar that says so, with Stop (shown with the notices). */
  sharingBar(strings: Strings, inCall: boolean) {
    if (!inCall || !this.#session()?.screenSharing) return undefined;
    const s = mediaStrings(strings);
    return html`<div class="notice" data-code="sharing">
      <p>${s.sharing}</p>
      <button part="button stop-sharing-button" class="small" @click=${this.#stop}>${s.stopSharing}</button>
    </div>`;
  }

  /** The control bar's extra buttons; each only where it applies. */
  controls(strings: Strings, m: MediaControlsModel) {
    this.#strings = strings;
    if (!m.inCall) return nothing;
    const s = mediaStrings(strings);
    const session = this.#session();
    const sharing = !!session?.screenSharing;
    const pip = this.#pipVideo();
    const inPip = !!pip && document.pictureInPictureElement === pip;
    const full = document.fullscreenElement === this.#host;
    const button = (name: string, label: string, icon: unknown, action: () => void, pressed?: boolean, expanded?: boolean) =>
      html`<button
        part="button ${name}-button"
        class="icon"
        title=${label}
        aria-label=${label}
        aria-pressed=${pressed === undefined ? nothing : String(pressed)}
        aria-expanded=${expanded === undefined ? nothing : String(expanded)}
        @click=${action}
      >
        <svg viewBox="0 0 24 24" aria-hidden="true">${icon}</svg>
      </button>`;
    return html`${button('devices', s.devices, icons.settings, this.#hooks.toggle, undefined, m.panelOpen)}
    ${session?.canFlipCamera ? button('flip', s.flipCamera, icons.flip, this.#flip) : nothing}
    ${canShare() && m.shareAllowed ? button('share', sharing ? s.stopSharing : s.shareScreen, icons.screen, sharing ? this.#stop : this.#share) : nothing}
    ${canPip() ? button('pip', s.pictureInPicture, icons.pip, () => this.#togglePip(), inPip) : nothing}
    ${canFullscreen(this.#host) ? button('fullscreen', s.fullscreen, icons.fullscreen, () => this.#toggleFullscreen(), full) : nothing}`;
  }

  /** The device panel: a picker for each kind there is, the one in use selected. */
  panel(strings: Strings, open: boolean) {
    const s = mediaStrings(strings);
    const list = this.#session()?.devices;
    const picker = (kind: DeviceKind, label: string, options: DeviceOption[] | undefined, current = '') =>
      options?.length
        ? html`<label
            >${label}
            <select data-kind=${kind} aria-label=${label} @change=${(e: Event) => this.#select(kind, (e.target as HTMLSelectElement).value)}>
              ${options.map((o, i) => html`<option value=${o.id} ?selected=${o.id === current}>${o.label || `${label} ${i + 1}`}</option>`)}
            </select></label
          >`
        : nothing;
    return html`<div part="devices" class="side" role="dialog" aria-labelledby="devices-title" ?hidden=${!open}>
      <header>
        <h2 id="devices-title">${s.devices}</h2>
        <button part="button" class="small" @click=${this.#hooks.close}>${strings.close}</button>
      </header>
      ${picker('camera', s.camera, list?.cameras, list?.camera)}
      ${picker('microphone', s.microphone, list?.microphones, list?.microphone)}
      ${canChooseSpeaker() ? picker('speaker', s.speaker, list?.speakers, list?.speaker) : nothing}
    </div>`;
  }

  #flip = () => void this.#session()?.flipCamera().catch(this.#hooks.warn);
  #select = (kind: DeviceKind, id: string) => void this.#session()?.selectDevice(kind, id).catch(this.#hooks.warn);
  #stop = () => this.#session()?.stopScreenShare();
  #share = () =>
    void this.#session()
      ?.startScreenShare()
      .catch((error: ConsultError) =>
        // A closed picker is the person's own choice: said to screen readers, not shown as a warning.
        error.code === 'screen-share-cancelled' && this.#strings
          ? this.#hooks.say(errorText(this.#strings, error.code).title)
          : this.#hooks.warn(error),
      );

  /** The large video: the shared screen while the other person shares, otherwise their camera. */
  #pipVideo(): HTMLVideoElement | null {
    const screen = this.#video('video.screen');
    return screen && !screen.hidden ? screen : this.#video('video.remote');
  }

  #togglePip(): void {
    const video = this.#pipVideo();
    if (!video) return;
    const done = document.pictureInPictureElement === video ? document.exitPictureInPicture() : video.requestPictureInPicture();
    void done.then(this.#update, () => {});
  }

  #toggleFullscreen(): void {
    const done = document.fullscreenElement === this.#host ? document.exitFullscreen() : this.#host.requestFullscreen();
    void done.catch(() => {});
  }

  #video(selector: string): HTMLVideoElement | null {
    return this.#host.renderRoot.querySelector<HTMLVideoElement>(selector);
  }
}
