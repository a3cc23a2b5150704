import { html, LitElement, nothing, type PropertyValues } from 'lit';
import { STEP_ORDER, audioOutputs, playTestSound, runPrecallCheck, type PrecallReport, type StepId, type StepResult } from '../core/precall/index.js';
import { fire } from './events.js';
import { resolveCheckStrings, type CheckStringsOverrides } from './check-strings.js';
import { checkStyles } from './check-styles.js';
import { renderStep, renderVerdict, type StepView } from './check-templates.js';

/** How long the speakers question waits for an answer before it counts as unconfirmed. */
const SOUND_ANSWER_MS = 30_000;

/**
 * A pre-call check for patients and doctors: browser, camera, microphone, speakers, the
 * connection to the signaling server, the network paths (direct UDP and the TURN relay over UDP,
 * TCP and TLS) and the quality through the relay, each with what it found and what to do. It
 * contacts only the configured signaling server (no room is joined) and ICE servers.
 *
 * It starts by itself when placed on a page, unless it has the `manual` attribute; `run()` starts
 * it (again).
 *
 * @summary Test your setup before a consultation.
 * @tagname video-consult-check
 *
 * @fires vc-check-step - A step finished. Detail: the step's result `{id, status, code, figures, durationMs, paths?}`.
 * @fires vc-check-complete - The check finished. Detail: the whole report (`PrecallReport`), with `text` for support.
 *
 * @slot intro - Shown above the steps, e.g. the practice's instructions.
 *
 * @csspart base - The element's frame.
 * @csspart verdict - The overall result with the advice.
 * @csspart steps - The list of steps.
 * @csspart step - One step; `data-step` names it, `data-status` is `running`, `pass`, `warn`, `fail` or `skip`.
 * @csspart preview - The live camera picture while the camera is checked.
 * @csspart level - The microphone level meter.
 * @csspart button - Every button.
 * @csspart run-button - Runs the check (again).
 * @csspart play-button - Plays the test sound.
 * @csspart heard-yes - "Yes, I heard it".
 * @csspart heard-no - "No, I heard nothing".
 * @csspart copy-button - Copies the report for support.
 * @csspart report - The copyable report.
 *
 * @cssprop [--vc-background=#10151c] - Background of the element.
 * @cssprop [--vc-surface=#1d2530] - Background of the steps.
 * @cssprop [--vc-foreground=#f4f6f8] - Text colour.
 * @cssprop [--vc-muted=#aab4c0] - Secondary text colour.
 * @cssprop [--vc-accent=#1f6fd1] - The main button, focus rings and the level meter.
 * @cssprop [--vc-on-accent=#ffffff] - Text on the accent colour (the main button); keep 4.5:1 against `--vc-accent`.
 * @cssprop [--vc-success=#2fa86a] - Passed steps.
 * @cssprop [--vc-warning=#f0b429] - Warnings.
 * @cssprop [--vc-danger=#e05555] - Problems.
 * @cssprop [--vc-radius=12px] - Corner radius.
 * @cssprop [--vc-font-family=system-ui] - Font; the element loads no web fonts.
 */
export class VideoConsultCheck extends LitElement {
  /** @internal The shadow styles; restyle the element with the CSS custom properties and parts above. */
  static override styles = checkStyles;

  static override properties = {
    server: { reflect: true },
    // Property only: an attribute would put the token in the DOM, where any script and devtools read it.
    token: { attribute: false },
    iceServers: { attribute: false },
    relayPorts: { attribute: 'relay-ports' },
    manual: { type: Boolean, reflect: true },
    audioOnly: { type: Boolean, attribute: 'audio-only', reflect: true },
    strings: { attribute: false },
    _steps: { state: true },
    _running: { state: true },
    _report: { state: true },
    _level: { state: true },
    _askSound: { state: true },
    _outputs: { state: true },
    _copied: { state: true },
  };

  /**
   * The signaling server's WebSocket URL, as for `<video-consult>`. The check opens one WebSocket,
   * asks it for the ICE servers a call would get (unless `iceServers` is set) and closes it; it
   * joins no room.
   */
  server = '';
  /**
   * A join token for any room on the server, when it refuses connections without one (sent as a
   * WebSocket subprotocol, as a call does). A property only, never an attribute.
   */
  token = '';
  /**
   * The ICE servers a call uses (STUN, and TURN with credentials from the clinic's backend). Leave
   * it unset to take them from the signaling server (`server`), which hands out TURN credentials
   * valid for ten minutes.
   */
  iceServers?: RTCIceServer[];
  /** The TURN server's relay port range, e.g. `49152-65535`, named in the firewall advice. */
  relayPorts = '';
  /** Do not start by itself; wait for `run()`. */
  manual = false;
  /** Check sound only, without a camera. */
  audioOnly = false;
  /** Overrides for any of the element's texts. */
  strings?: CheckStringsOverrides;

  private _steps = new Map<StepId, StepResult>();
  private _running = false;
  private _report?: PrecallReport;
  private _level = 0;
  private _askSound = false;
  private _outputs: MediaDeviceInfo[] = [];
  private _copied = false;

  #abort?: AbortController;
  #runs = 0;
  #stream?: MediaStream;
  #answer?: (heard: boolean | undefined) => void;
  #sinkId = '';

  // ---- read-only state -------------------------------------------------------------------------------

  /** The last finished check, or undefined while none has finished. */
  get report(): PrecallReport | undefined {
    return this._report;
  }
  /** Whether a check is running. */
  get running(): boolean {
    return this._running;
  }

  // ---- actions ------------------------------------------------------------------------------------------

  /**
   * Runs the check (stopping one that is still running) and resolves with its report, also sent as
   * `vc-check-complete`. A run that another run or the element's removal stopped resolves with
   * undefined.
   */
  async run(): Promise<PrecallReport | undefined> {
    this.#abort?.abort(new DOMException('replaced by a new run', 'AbortError'));
    const abort = new AbortController();
    this.#abort = abort;
    const run = ++this.#runs;
    const current = () => run === this.#runs && !abort.signal.aborted;
    this._steps = new Map();
    this._report = undefined;
    this._running = true;
    this._askSound = false;
    this._level = 0;
    try {
      const report = await runPrecallCheck({
        server: this.server,
        ...(this.token ? { token: this.token } : {}),
        ...(this.iceServers ? { iceServers: this.iceServers } : {}),
        ...(this.relayPorts ? { relayPortRange: this.relayPorts } : {}),
        video: this.audioOnly ? false : {},
        signal: abort.signal,
        onStream: (stream) => {
          if (!current()) return;
          this.#stream = stream;
          this.requestUpdate();
        },
        onLevel: (level) => {
          if (current()) this._level = level;
        },
        onStep: (step) => {
          if (!current()) return;
          this._steps = new Map(this._steps).set(step.id, step);
          fire(this, 'vc-check-step', step);
        },
        confirmSound: (signal) => this.#askSound(signal),
      });
      if (!current()) return undefined;
      this._report = report;
      fire(this, 'vc-check-complete', report);
      return report;
    } catch (error) {
      if (abort.signal.aborted) return undefined;
      throw error;
    } finally {
      if (run === this.#runs) {
        this._running = false;
        this._askSound = false;
        this.#stream = undefined;
        this.#abort = undefined;
      }
    }
  }

  // ---- lifecycle ----------------------------------------------------------------------------------------

  override connectedCallback(): void {
    super.connectedCallback();
    if (!this.manual && !this._running && !this._report) {
      void this.updateComplete.then(() => {
        if (this.isConnected && !this._running) void this.run();
      });
    }
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    // Taken off the page: no camera left on, no connection left open.
    this.#abort?.abort(new DOMException('element removed', 'AbortError'));
  }

  protected override updated(changed: PropertyValues): void {
    super.updated(changed);
    const video = this.renderRoot.querySelector<HTMLVideoElement>('video');
    if (video && video.srcObject !== (this.#stream ?? null)) video.srcObject = this.#stream ?? null;
  }

  // ---- handlers -------------------------------------------------------------------------------------------

  #askSound(signal: AbortSignal): Promise<boolean | undefined> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => answer(undefined), SOUND_ANSWER_MS);
      const answer = (heard: boolean | undefined) => {
        clearTimeout(timer);
        signal.removeEventListener('abort', onAbort);
        this.#answer = undefined;
        this._askSound = false;
        resolve(heard);
      };
      const onAbort = () => answer(undefined);
      signal.addEventListener('abort', onAbort, { once: true });
      this.#answer = answer;
      this._askSound = true;
      void audioOutputs()
        .then((outputs) => (this._outputs = outputs))
        .catch(() => {});
    });
  }

  #playSound = () => void playTestSound(this.#sinkId || undefined).catch(() => {});
  #heard = () => this.#answer?.(true);
  #notHeard = () => this.#answer?.(false);
  #chooseOutput = (event: Event) => (this.#sinkId = (event.target as HTMLSelectElement).value);
  #runAgain = () => void this.run();
  /** Escape closes the open report and puts focus back on its summary. */
  #reportKey = (event: KeyboardEvent) => {
    const details = event.currentTarget as HTMLDetailsElement;
    if (event.key !== 'Escape' || !details.open) return;
    event.preventDefault();
    details.open = false;
    details.querySelector('summary')?.focus();
  };
  #copy = async () => {
    if (!this._report) return;
    try {
      await navigator.clipboard.writeText(this._report.text);
      this._copied = true;
    } catch {
      // No clipboard permission: select the text so that the person can copy it by hand.
      this.renderRoot.querySelector('textarea')?.select();
    }
  };

  // ---- rendering ----------------------------------------------------------------------------------------------

  override render() {
    const strings = resolveCheckStrings(this.lang || document.documentElement.lang || 'en', this.strings);
    const report = this._report;
    const view: StepView = {
      steps: this._steps,
      running: this._running,
      stream: this.#stream,
      level: this._level,
      askSound: this._askSound,
      outputs: this._outputs,
      playSound: this.#playSound,
      heard: this.#heard,
      notHeard: this.#notHeard,
      chooseOutput: this.#chooseOutput,
    };
    return html`
      <div part="base" class="base" aria-busy=${this._running ? 'true' : 'false'}>
        <h2>${strings.title}</h2>
        <slot name="intro"></slot>
        ${report ? renderVerdict(strings, report) : nothing}
        <ol part="steps" class="steps">
          ${STEP_ORDER.map((id) => renderStep(strings, view, id))}
        </ol>
        <div class="row">
          <button part="button run-button" class="${report ? 'primary' : ''}" ?disabled=${this._running} @click=${this.#runAgain}>
            ${this._running ? strings.running : strings.runAgain}
          </button>
          <button part="button copy-button" ?hidden=${!report} @click=${this.#copy}>
            ${this._copied ? strings.copied : strings.copyReport}
          </button>
        </div>
        <details part="report" ?hidden=${!report} @keydown=${this.#reportKey}>
          <summary>${strings.report}</summary>
          <textarea readonly aria-label=${strings.report} .value=${report?.text ?? ''}></textarea>
        </details>
      </div>
    `;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'video-consult-check': VideoConsultCheck;
  }
  interface HTMLElementEventMap {
    'vc-check-step': CustomEvent<StepResult>;
    'vc-check-complete': CustomEvent<PrecallReport>;
  }
}
