/**
 * What `<video-consult-check>` shows of a check: the verdict with its advice, and each step with
 * its finding, the help for this browser and system, and the live parts (camera picture, level
 * meter, speaker test). Pure templates over the element's state; the element owns the state.
 */
import { html, nothing } from 'lit';
import { CheckCode, CheckStatus, describeBrowser, StepId, type BrowserName, type PrecallReport, type StepResult } from '../core/precall/index.js';
import { fill, type CheckStrings } from './check-strings.js';

const BRAND: Record<BrowserName, string> = { chrome: 'Chrome', edge: 'Edge', firefox: 'Firefox', safari: 'Safari', other: '' };
const ICON: Record<CheckStatus | 'running', string> = { pass: '✓', warn: '!', fail: '✕', skip: '–', running: '…' };

/** The element's state a step's template reads, and the actions its controls call. */
export interface StepView {
  readonly steps: ReadonlyMap<StepId, StepResult>;
  readonly running: boolean;
  /** The camera and microphone stream while the check holds it. */
  readonly stream: MediaStream | undefined;
  /** The microphone level, 0 to 1. */
  readonly level: number;
  /** Whether the speakers question waits for an answer. */
  readonly askSound: boolean;
  readonly outputs: readonly MediaDeviceInfo[];
  readonly playSound: () => void;
  readonly heard: () => void;
  readonly notHeard: () => void;
  readonly chooseOutput: (event: Event) => void;
}

export function renderVerdict(strings: CheckStrings, report: PrecallReport) {
  const { verdict, firewall } = report;
  const deciding = report.steps.find((s) => s.code === verdict.code);
  const headline = strings.verdicts[verdict.code] ?? (deciding ? finding(strings, deciding) : '');
  const facts = {
    hosts: firewall.hosts.join(', '),
    ports: firewall.ports.join(', '),
    relayPorts: firewall.relayPorts ? fill(strings.relayPortsClause, { relayPorts: firewall.relayPorts }) : '',
  };
  return html`<div part="verdict" class="verdict" role="status" data-status=${verdict.status} data-code=${verdict.code}>
    <p>${headline}</p>
    ${
      verdict.advice.length
        ? html`<ul class="advice" aria-label=${strings.adviceTitle}>
          ${verdict.advice.map((code) => html`<li data-advice=${code}>${fill(strings.advice[code], facts)}</li>`)}
        </ul>`
        : nothing
    }
  </div>`;
}

export function renderStep(strings: CheckStrings, view: StepView, id: StepId) {
  const { running } = view;
  const step = view.steps.get(id);
  const status = step?.status ?? (running ? 'running' : CheckStatus.Skip);
  const statusWord = step ? strings.status[step.status] : running ? strings.running : strings.status.skip;
  return html`<li part="step" data-step=${id} data-status=${status} data-code=${step?.code ?? ''}>
    <span class="icon" role="img" aria-label=${statusWord}>${ICON[status]}</span>
    <div class="body">
      <span class="name">${strings.steps[id]}</span>
      ${step ? html`<p class="finding">${finding(strings, step)}</p>` : nothing}
      ${step ? renderHelp(strings, view, step) : nothing}
      ${renderLive(strings, view, id, step)}
    </div>
  </li>`;
}

/** The live parts: the camera picture, the level meter, the speaker test. */
function renderLive(strings: CheckStrings, view: StepView, id: StepId, step: StepResult | undefined) {
  if (id === StepId.Camera && view.running && view.stream?.getVideoTracks().length) {
    return html`<video part="preview" autoplay playsinline muted></video>`;
  }
  if (id === StepId.Microphone && view.running && view.stream && !step) {
    const percent = Math.round(view.level * 100);
    return html`<p class="help">${strings.micHint}</p>
      <div part="level" class="level" role="meter" aria-label=${strings.steps.microphone} aria-valuemin="0" aria-valuemax="100" aria-valuenow=${percent}>
        <span style="width: ${percent}%"></span>
      </div>`;
  }
  if (id === StepId.Speakers && view.askSound) {
    return html`<p class="help">${strings.soundQuestion}</p>
      <div class="row">
        <button part="button play-button" @click=${view.playSound}>${strings.playSound}</button>
        ${
          view.outputs.length > 1
            ? html`<select aria-label=${strings.outputDevice} @change=${view.chooseOutput}>
              ${view.outputs.map((o, i) => html`<option value=${o.deviceId}>${o.label || `${strings.outputDevice} ${i + 1}`}</option>`)}
            </select>`
            : nothing
        }
        <button part="button heard-yes" class="primary" @click=${view.heard}>${strings.heardYes}</button>
        <button part="button heard-no" @click=${view.notHeard}>${strings.heardNo}</button>
      </div>`;
  }
  return nothing;
}

/** Instructions that depend on the browser and system in use. */
function renderHelp(strings: CheckStrings, view: StepView, step: StepResult) {
  // The browser step finishes first; it knows the browser and the system.
  const facts = view.steps.get(StepId.Browser)?.figures ?? {};
  const browser = (facts.browser as BrowserName | undefined) ?? describeBrowser(navigator.userAgent, true).browser;
  const os = String(facts.os ?? '');
  switch (step.code) {
    case CheckCode.CameraDenied:
    case CheckCode.MicrophoneDenied: {
      const system = strings.systemPermissionHelp[os];
      return html`<p class="help" data-help="permission">${strings.permissionHelp[browser] ?? strings.permissionHelp.other}</p>
        ${system ? html`<p class="help">${system}</p>` : nothing}`;
    }
    case CheckCode.CameraBusy:
    case CheckCode.MicrophoneBusy:
      return html`<p class="help" data-help="busy">${strings.busyHelp}</p>`;
    default:
      return nothing;
  }
}

/** A step's finding in words, with its figures filled in. */
function finding(strings: CheckStrings, step: StepResult): string {
  const figures: Record<string, unknown> = { ...step.figures };
  if (typeof figures.browser === 'string') figures.browser = BRAND[figures.browser as BrowserName] || figures.browser;
  return fill(strings.findings[step.code], figures).replace(/\s+\./g, '.').trim();
}
