import type { SessionEmit } from './session-types.js';
import { Adapter, grade, PROFILES, type QualityPreference, type QualityReport, type SendProfile, StatsSampler, worse } from './quality.js';

/** How often the statistics are sampled for the quality indicator and adaptation, in ms. */
const QUALITY_INTERVAL_MS = 1000;

/** What a {@link QualityController} needs from the call. */
export interface QualityControllerOptions {
  pc: RTCPeerConnection;
  preference: QualityPreference;
  /** The connection's signal: sampling stops when it aborts. */
  signal: AbortSignal;
  /** Runs before each sample while the connection lives. */
  beforeSample: () => Promise<void>;
  videoSender: () => RTCRtpSender | undefined;
  /** Fits the camera's capture to the profile; resolves false when the camera was lost meanwhile. */
  fit: (profile: 'hd' | 'sd') => Promise<boolean>;
  /** Video was paused or resumed, or the camera lost: the media state changed. */
  onMediaChange: () => void;
  /** Tells the call's listeners of a changed report (`quality`). */
  emit: SessionEmit;
}

/** Samples one connection every second, reports its quality, and puts the adapter's sending profile into effect. */
export class QualityController {
  /** The latest report. */
  report?: QualityReport;
  /** Outgoing video is paused because the link is too slow. */
  paused = false;
  #o: QualityControllerOptions;
  #sampler = new StatsSampler();
  #adapter: Adapter;
  #applied: SendProfile = 'sd';
  /** A screen is being shared on this connection: the camera stays at SD (see {@link shareScreen}). */
  #screen = false;
  #timer?: ReturnType<typeof setTimeout>;

  constructor(options: QualityControllerOptions) {
    this.#o = options;
    this.#adapter = new Adapter(options.preference);
    options.signal.addEventListener('abort', () => clearTimeout(this.#timer));
    this.#schedule();
  }

  /** Takes a new preference or the peer's HD support, and returns the profile to use (not applied). */
  configure(preference: QualityPreference, peerSupportsHd: boolean): SendProfile {
    return this.#adapter.configure(preference, peerSupportsHd);
  }

  #schedule(): void {
    this.#timer = setTimeout(async () => {
      await this.#o.beforeSample().catch(() => {});
      await this.#sample().catch(() => {});
      if (!this.#o.signal.aborted) this.#schedule();
    }, QUALITY_INTERVAL_MS);
  }

  async #sample(): Promise<void> {
    const { pc, signal } = this.#o;
    if (signal.aborted) return;
    const sample = await this.#sampler.sample(pc);
    if (!sample || signal.aborted) return;
    const connected = pc.connectionState === 'connected';
    if (connected) {
      const profile = this.#adapter.next(sample.outgoing, sample.receiving);
      if (profile !== this.#applied) await this.apply(profile);
    }
    const outgoing = { ...sample.outgoing, level: connected ? grade(sample.outgoing) : ('lost' as const) };
    const incoming = { ...sample.incoming, level: connected && sample.receiving ? grade(sample.incoming) : ('lost' as const) };
    const report: QualityReport = {
      level: worse(outgoing.level, incoming.level),
      outgoing,
      incoming,
      videoPaused: this.paused,
      profile: this.#sending,
    };
    const previous = this.report;
    this.report = report;
    if (
      !previous ||
      previous.level !== report.level ||
      previous.outgoing.level !== report.outgoing.level ||
      previous.incoming.level !== report.incoming.level ||
      previous.videoPaused !== report.videoPaused ||
      previous.profile !== report.profile
    ) {
      this.#o.emit('quality', report);
    }
  }

  /**
   * While a screen is shared, the camera sends SD even when the link would carry HD: the face is
   * now the small picture, and the screen (up to 1.5 Mbit/s) needs the room more than the
   * camera's HD (2.5 Mbit/s). The adapter keeps choosing as before; its HD is applied again when
   * the share ends.
   */
  async shareScreen(sharing: boolean): Promise<void> {
    if (sharing === this.#screen) return;
    this.#screen = sharing;
    await this.apply(this.#applied);
  }

  /** The profile the camera sends with: the adapter's, capped at SD during a screen share. */
  get #sending(): SendProfile {
    return this.#screen && this.#adapter.profile === 'hd' ? 'sd' : this.#adapter.profile;
  }

  /** Puts a sending profile into effect: capture size and encoder ceiling, or video paused. */
  async apply(chosen: SendProfile): Promise<void> {
    this.#applied = chosen;
    const profile = this.#screen && chosen === 'hd' ? 'sd' : chosen;
    const sender = this.#o.videoSender();
    const paused = profile === 'paused';
    if (sender) {
      const parameters = sender.getParameters();
      if (parameters.encodings?.length) {
        for (const encoding of parameters.encodings) {
          encoding.active = !paused;
          if (!paused) encoding.maxBitrate = PROFILES[profile].maxBitrate;
        }
        // Camera video keeps its frame rate and gives up resolution first (a face stays fluid).
        (parameters as RTCRtpSendParameters & { degradationPreference?: string }).degradationPreference = 'maintain-framerate';
        await sender.setParameters(parameters).catch(() => {});
      }
    }
    if (!paused && !(await this.#o.fit(profile))) this.#o.onMediaChange();
    if (paused !== this.paused) {
      this.paused = paused;
      this.#o.onMediaChange();
    }
  }
}
