import { html, nothing } from 'lit';
import type { ConsultError } from '../core/errors.js';
import type { CallState, EndReason, MediaState } from '../core/session.js';
import { canRetry, endText } from './call-text.js';
import { icons } from './icons.js';
import type { Panel } from './panels.js';
import { errorText, type Strings } from './strings.js';

/** Before the call: the page's intro, the join button and what joining asks for. */
export function joinView(strings: Strings, shown: boolean, join: () => void) {
  return html`<div part="status" class="panel" ?hidden=${!shown}>
    <slot name="intro"></slot>
    <button part="button join-button" class="primary" @click=${join}>${strings.join}</button>
    <p class="remedy">${strings.joinHint}</p>
  </div>`;
}

/** What shows over the other person's video in a call: camera off, video paused, muted, and their name. */
export function peerView(strings: Strings, inCall: boolean, remote: MediaState, name: string) {
  return html`${inCall && !remote.camera ? html`<div class="panel"><p class="message">${strings.peerCameraOff}</p></div>` : nothing}
    ${inCall && remote.camera && remote.videoPaused ? html`<div class="panel"><p class="message">${strings.videoPausedRemote}</p></div>` : nothing}
    ${inCall && !remote.microphone ? html`<span class="badge">${strings.peerMuted}</span>` : nothing}
    <span part="peer-name" class="peer-name" ?hidden=${!inCall || !name}>${name}</span>`;
}

/** The waiting room: for the doctor, who knocks (since when) with "Let in" and "Decline". */
export function waitingView(
  strings: Strings,
  shown: boolean,
  doctor: boolean,
  knocking: boolean,
  since: string | undefined,
  admit: () => void,
  decline: () => void,
) {
  return html`<div part="status" class="panel" ?hidden=${!shown}>
    ${
      doctor && knocking
        ? html`<p class="message">${strings.knock}</p>
          ${since ? html`<p class="remedy">${strings.knockSince(since)}</p>` : nothing}
          <div class="row">
            <button part="button admit-button" class="primary" @click=${admit}>${strings.admit}</button>
            <button part="button decline-button" @click=${decline}>${strings.decline}</button>
          </div>`
        : html`<p class="message">${doctor ? strings.waitingDoctor : strings.waitingPatient}</p>`
    }
    <slot name="waiting"></slot>
  </div>`;
}

/** What the control bar shows. */
export interface ControlsModel {
  shown: boolean;
  inCall: boolean;
  microphone: boolean;
  camera: boolean;
  unread: number;
  panel: Panel;
  /** The buttons of devices, screen sharing, picture-in-picture and full screen, once loaded (call-media.ts). */
  more?: unknown;
}

/** The buttons of the control bar. */
export interface ControlsActions {
  microphone(): void;
  camera(): void;
  chat(): void;
  info(): void;
  leave(): void;
}

/** The control bar: microphone, camera, chat (with the unread count), security panel, the media buttons, leave. */
export function controlsView(strings: Strings, m: ControlsModel, a: ControlsActions) {
  return html`<div part="controls" class="controls" ?hidden=${!m.shown}>
    ${toggleView(m.microphone, strings.microphoneOff, icons.mic, icons.micOff, a.microphone, 'microphone')}
    ${toggleView(m.camera, strings.cameraOff, icons.cam, icons.camOff, a.camera, 'camera')}
    <button
      part="button chat-button"
      class="icon"
      title=${strings.chat}
      aria-label=${m.unread ? `${strings.chat}, ${strings.unread(m.unread)}` : strings.chat}
      aria-expanded=${m.panel === 'chat' ? 'true' : 'false'}
      ?hidden=${!m.inCall}
      @click=${a.chat}
    >
      <svg viewBox="0 0 24 24" aria-hidden="true">${icons.chat}</svg>
      <span class="unread" aria-hidden="true" ?hidden=${m.unread === 0}>${m.unread}</span>
    </button>
    <button part="button info-button" class="icon" title=${strings.info} aria-label=${strings.info} aria-expanded=${m.panel === 'info' ? 'true' : 'false'} ?hidden=${!m.inCall} @click=${a.info}>
      <svg viewBox="0 0 24 24" aria-hidden="true">${icons.shield}</svg>
    </button>
    ${m.more}
    <button part="button hangup-button" class="icon danger" title=${strings.hangUp} aria-label=${strings.hangUp} @click=${a.leave}>
      <svg viewBox="0 0 24 24" aria-hidden="true">${icons.hangUp}</svg>
    </button>
  </div>`;
}

/** A toggle keeps one label ("Mute microphone"); `aria-pressed` says whether it is in effect. */
function toggleView(on: boolean, label: string, onIcon: unknown, offIcon: unknown, action: () => void, name: string) {
  return html`<button part="button ${name}-button" class="icon" aria-pressed=${on ? 'false' : 'true'} title=${label} aria-label=${label} @click=${action}>
    <svg viewBox="0 0 24 24" aria-hidden="true">${on ? onIcon : offIcon}</svg>
  </button>`;
}

/** What the notices box shows besides the warnings. */
export interface NoticeModel {
  inCall: boolean;
  videoPaused: boolean;
  poorLink: boolean;
  warnings: readonly ConsultError[];
  /** Shown first: the bar that says this side shares its screen. */
  sharing?: unknown;
}

/** What the person can do in the notices box. */
export interface NoticeActions {
  saveBandwidth(): void;
  enableSound(): void;
  dismiss(code: string): void;
}

/**
 * Warnings that do not end the call, newest last, each with the texts of its error code; the box is
 * hidden when there are none. Blocked sound offers the click that turns it on instead of "Dismiss".
 */
export function noticesView(strings: Strings, m: NoticeModel, a: NoticeActions) {
  const notices: unknown[] = m.sharing ? [m.sharing] : [];
  if (m.inCall && m.videoPaused) {
    notices.push(html`<div class="notice" data-code="video-paused"><p>${strings.videoPausedLocal}</p></div>`);
  } else if (m.inCall && m.poorLink) {
    notices.push(html`<div class="notice" data-code="poor-link">
      <p>${strings.poorLink}</p>
      <button part="button" class="small" @click=${a.saveBandwidth}>${strings.saveBandwidth}</button>
    </div>`);
  }
  for (const w of m.warnings) {
    const text = errorText(strings, w.code);
    const action =
      w.code === 'autoplay-blocked'
        ? html`<button part="button unmute-button" class="primary" @click=${a.enableSound}>${strings.enableSound}</button>`
        : html`<button part="button" class="small" @click=${() => a.dismiss(w.code)}>${strings.dismiss}</button>`;
    notices.push(html`<div class="notice" role="alert" data-code=${w.code}>
      <p><strong>${text.title}</strong> ${text.remedy}</p>
      ${action}
    </div>`);
  }
  return html`<div part="notices" class="notices" ?hidden=${notices.length === 0}>${notices}</div>`;
}

/** The message panel of a passing state (joining, connecting, ended, failed); nothing for the others. */
export function statusView(strings: Strings, state: CallState, endReason: EndReason | undefined, error: ConsultError | undefined, retry: () => void) {
  const panel = (content: unknown) => html`<div part="status" class="panel">${content}</div>`;
  const again = html`<button part="button" class="primary" @click=${retry}>${strings.tryAgain}</button>`;
  switch (state) {
    case 'preparing':
      return panel(html`<p class="message">${strings.preparing}</p>`);
    case 'connecting':
      return panel(html`<p class="message">${strings.connecting}</p>`);
    case 'reconnecting':
      return panel(html`<p class="message">${strings.reconnecting}</p>`);
    case 'ended':
      // Only after hanging up oneself can joining again help; the other side's leaving or a decline it cannot.
      return panel(html`<p class="message">${endText(strings, endReason)}</p> ${endReason === 'hangup' ? again : nothing}`);
    case 'failed': {
      const code = error?.code ?? 'unknown';
      const text = errorText(strings, code);
      return panel(html`<p class="message">${text.title}</p>
        <p class="remedy">${text.remedy}</p>
        ${canRetry(code) ? again : nothing}`);
    }
    default:
      return nothing;
  }
}
