/**
 * Connection quality, from the browser's own statistics: figures for each direction, a level a
 * person understands, and the sending profile the session should use.
 */

export const QualityLevel = { Good: 'good', Fair: 'fair', Poor: 'poor', Lost: 'lost' } as const;
export type QualityLevel = (typeof QualityLevel)[keyof typeof QualityLevel];

/** What one direction of the call looks like over the last sample. */
export interface DirectionQuality {
  level: QualityLevel;
  /** Round-trip time, ms. */
  rttMs?: number;
  /** Packets lost, percent of those sent in the last sample. */
  lossPercent?: number;
  /** Jitter, ms. */
  jitterMs?: number;
  /** Media bitrate (audio and video), kbit/s. */
  bitrateKbps?: number;
  /** For outgoing: what the browser's congestion control thinks the path carries, kbit/s. */
  availableKbps?: number;
  /** `direct` between the browsers or `relayed` through TURN. */
  path?: 'direct' | 'relayed';
}

export interface QualityReport {
  /** The worse of the two directions. */
  level: QualityLevel;
  outgoing: DirectionQuality;
  incoming: DirectionQuality;
  /** Outgoing video is paused to keep the voice clear. */
  videoPaused: boolean;
  /** The sending profile in use. */
  profile: SendProfile;
}

/**
 * Thresholds for the levels. Loss and delay figures follow common VoIP guidance (ITU-T G.114:
 * one-way delay under 150 ms is good; above ~5 % loss speech degrades audibly).
 */
const POOR = { lossPercent: 5, rttMs: 500, jitterMs: 60, availableKbps: 300 };
const FAIR = { lossPercent: 2, rttMs: 250, jitterMs: 30, availableKbps: 1000 };

const ORDER: QualityLevel[] = ['good', 'fair', 'poor', 'lost'];
export const worse = (a: QualityLevel, b: QualityLevel): QualityLevel => (ORDER.indexOf(a) >= ORDER.indexOf(b) ? a : b);

export function grade(d: Omit<DirectionQuality, 'level'>): QualityLevel {
  const over = (t: typeof POOR) =>
    (d.lossPercent ?? 0) >= t.lossPercent ||
    (d.rttMs ?? 0) >= t.rttMs ||
    (d.jitterMs ?? 0) >= t.jitterMs ||
    (d.availableKbps !== undefined && d.availableKbps < t.availableKbps);
  if (over(POOR)) return QualityLevel.Poor;
  if (over(FAIR)) return QualityLevel.Fair;
  return QualityLevel.Good;
}

interface Counters {
  at: number;
  bytesSent: number;
  bytesReceived: number;
  packetsReceived: number;
  packetsLost: number;
  remotePacketsLost: number;
  /** Packets sent, for the loss the other side reports. */
  packetsSent: number;
}

/** Turns consecutive getStats() reports into per-second figures. */
export class StatsSampler {
  #previous?: Counters;

  async sample(
    pc: RTCPeerConnection,
  ): Promise<{ outgoing: Omit<DirectionQuality, 'level'>; incoming: Omit<DirectionQuality, 'level'>; receiving: boolean } | undefined> {
    const report = await pc.getStats();
    const now: Counters = {
      at: performance.now(),
      bytesSent: 0,
      bytesReceived: 0,
      packetsReceived: 0,
      packetsLost: 0,
      remotePacketsLost: 0,
      packetsSent: 0,
    };
    let inJitter = 0;
    let outJitter = 0;
    let remoteRtt: number | undefined;
    let pairRtt: number | undefined;
    let available: number | undefined;
    let path: 'direct' | 'relayed' | undefined;
    report.forEach((s) => {
      switch (s.type) {
        case 'outbound-rtp':
          now.bytesSent += s.bytesSent ?? 0;
          now.packetsSent += s.packetsSent ?? 0;
          break;
        case 'inbound-rtp':
          now.bytesReceived += s.bytesReceived ?? 0;
          now.packetsReceived += s.packetsReceived ?? 0;
          now.packetsLost += Math.max(0, s.packetsLost ?? 0);
          // Audio jitter: video packets of one frame leave in a burst, which reads as jitter.
          if (s.kind === 'audio') inJitter = Math.max(inJitter, (s.jitter ?? 0) * 1000);
          break;
        case 'remote-inbound-rtp':
          now.remotePacketsLost += Math.max(0, s.packetsLost ?? 0);
          if (s.kind === 'audio') outJitter = Math.max(outJitter, (s.jitter ?? 0) * 1000);
          if (typeof s.roundTripTime === 'number') remoteRtt = Math.max(remoteRtt ?? 0, s.roundTripTime * 1000);
          break;
        case 'candidate-pair':
          if (s.nominated && s.state === 'succeeded') {
            if (typeof s.currentRoundTripTime === 'number') pairRtt = s.currentRoundTripTime * 1000;
            if (typeof s.availableOutgoingBitrate === 'number') available = s.availableOutgoingBitrate / 1000;
            const local = report.get(s.localCandidateId);
            const remote = report.get(s.remoteCandidateId);
            path = local?.candidateType === 'relay' || remote?.candidateType === 'relay' ? 'relayed' : 'direct';
          }
          break;
      }
    });
    const previous = this.#previous;
    this.#previous = now;
    if (!previous) return undefined;
    const seconds = Math.max(0.001, (now.at - previous.at) / 1000);
    const received = now.packetsReceived - previous.packetsReceived;
    const lost = now.packetsLost - previous.packetsLost;
    const sent = now.packetsSent - previous.packetsSent;
    const remoteLost = now.remotePacketsLost - previous.remotePacketsLost;
    const rtt = pairRtt ?? remoteRtt;
    const round = (x: number) => Math.round(x * 10) / 10;
    const outgoing: Omit<DirectionQuality, 'level'> = {
      bitrateKbps: round(((now.bytesSent - previous.bytesSent) * 8) / 1000 / seconds),
      lossPercent: sent > 0 ? round((100 * Math.max(0, remoteLost)) / sent) : 0,
      jitterMs: round(outJitter),
      ...(rtt !== undefined ? { rttMs: round(rtt) } : {}),
      ...(available !== undefined ? { availableKbps: Math.round(available) } : {}),
      ...(path ? { path } : {}),
    };
    const incoming: Omit<DirectionQuality, 'level'> = {
      bitrateKbps: round(((now.bytesReceived - previous.bytesReceived) * 8) / 1000 / seconds),
      lossPercent: received + lost > 0 ? round((100 * Math.max(0, lost)) / (received + lost)) : 0,
      jitterMs: round(inJitter),
      ...(rtt !== undefined ? { rttMs: round(rtt) } : {}),
      ...(path ? { path } : {}),
    };
    return { outgoing, incoming, receiving: received > 0 };
  }
}

// ---- adaptation ----------------------------------------------------------------------------------

/** What the sender does: HD or SD video, or audio only because the link cannot carry video. */
export type SendProfile = 'hd' | 'sd' | 'paused';

/** The page's or the person's choice; `auto` lets the link decide. */
export type QualityPreference = 'auto' | 'hd' | 'sd' | 'audio-only';

/** Per profile: capture size and the encoder's ceiling. 720p and 360p-480p figures as in libwebrtc's simulcast table. */
export const PROFILES = {
  hd: { width: 1280, height: 720, maxBitrate: 2_500_000 },
  sd: { width: 640, height: 480, maxBitrate: 800_000 },
} as const;

/** Below this outgoing estimate (kbit/s), video is paused to keep the voice clear. */
const PAUSE_BELOW_KBPS = 150;
/** Video comes back above this estimate. */
const RESUME_ABOVE_KBPS = 300;
/** HD is kept while the estimate stays above this; below, back to SD. */
const HD_KEEP_ABOVE_KBPS = 1200;
/** Outgoing loss (percent) that also pauses video. */
const PAUSE_LOSS_PERCENT = 15;
/** Consecutive samples a condition must hold before the profile changes (hysteresis). */
const SAMPLES_TO_DOWNGRADE = 2;
const SAMPLES_TO_UPGRADE = 3;
/** Good samples in SD before trying HD; doubled after every try that did not hold. */
const SAMPLES_BEFORE_HD_TRY = 5;
/**
 * Samples with video paused before trying it again. While paused only audio is sent, so the
 * estimate cannot show that the link has recovered: video has to try. Doubled after every try
 * that did not hold, up to {@link MAX_SAMPLES_PAUSED}.
 */
const SAMPLES_BEFORE_RESUME_TRY = 5;
const MAX_SAMPLES_PAUSED = 40;
/** SD samples after which a resumed video counts as holding. */
const SAMPLES_TO_HOLD = 10;
/** Samples after a resume during which a low estimate alone does not pause video again. */
const SAMPLES_TO_SETTLE = 8;

/**
 * Chooses the sending profile from the outgoing figures, one sample at a time. Congestion control
 * only estimates as far as we send, so HD is found by trying it after a run of good samples, and
 * given up (with a longer wait before the next try) when the estimate does not follow.
 */
export class Adapter {
  profile: SendProfile;
  #low = 0;
  #high = 0;
  #good = 0;
  #hdWait = SAMPLES_BEFORE_HD_TRY;
  #hdTrial = 0;
  #paused = 0;
  #pauseWait = SAMPLES_BEFORE_RESUME_TRY;
  #sinceResume = Infinity;

  constructor(
    private preference: QualityPreference,
    private peerSupportsHd = false,
  ) {
    this.profile = preference === 'hd' ? 'hd' : 'sd';
  }

  configure(preference: QualityPreference, peerSupportsHd: boolean): SendProfile {
    this.preference = preference;
    this.peerSupportsHd = peerSupportsHd;
    if (preference === 'sd' && this.profile === 'hd') this.profile = 'sd';
    if (preference === 'hd' && this.profile === 'sd' && peerSupportsHd) this.profile = 'hd';
    return this.profile;
  }

  /**
   * The profile for the next second. `flowing` is false when nothing arrived from the other side
   * in the last sample: an outage, not congestion, so the profile stays as it is.
   */
  next(out: Omit<DirectionQuality, 'level'>, flowing = true): SendProfile {
    const available = out.availableKbps;
    const loss = out.lossPercent ?? 0;
    if (available === undefined || !flowing) {
      this.#low = this.#high = this.#good = 0;
      return this.profile;
    }
    // Just after video comes back the estimate starts from the audio-only rate and needs a few
    // seconds to climb: only loss counts against the try until then.
    const settling = this.#sinceResume < SAMPLES_TO_SETTLE;
    const tooLow = (!settling && available < PAUSE_BELOW_KBPS) || loss >= PAUSE_LOSS_PERCENT;
    this.#low = tooLow ? this.#low + 1 : 0;
    this.#high = available > RESUME_ABOVE_KBPS && loss < PAUSE_LOSS_PERCENT ? this.#high + 1 : 0;

    if (this.profile !== 'paused' && this.#low >= SAMPLES_TO_DOWNGRADE) {
      // Paused again soon after a try: wait longer before the next one.
      if (this.#sinceResume < SAMPLES_TO_HOLD) this.#pauseWait = Math.min(MAX_SAMPLES_PAUSED, this.#pauseWait * 2);
      return this.#set('paused');
    }
    if (this.profile === 'paused') {
      this.#paused++;
      if (this.#high >= SAMPLES_TO_UPGRADE || this.#paused >= this.#pauseWait) {
        this.#sinceResume = 0;
        return this.#set('sd');
      }
      return this.profile;
    }
    if (++this.#sinceResume >= SAMPLES_TO_HOLD && this.#sinceResume !== Infinity) this.#pauseWait = SAMPLES_BEFORE_RESUME_TRY;

    const hdAllowed = this.peerSupportsHd && (this.preference === 'auto' || this.preference === 'hd');
    if (this.profile === 'hd') {
      this.#hdTrial++;
      const holding = available >= HD_KEEP_ABOVE_KBPS && loss < POOR.lossPercent;
      // A fresh try gets a few samples for the estimate to climb.
      if (!holding && (this.#hdTrial > SAMPLES_TO_UPGRADE || available < RESUME_ABOVE_KBPS) && this.preference !== 'hd') {
        this.#hdWait *= 2;
        return this.#set('sd');
      }
      if (holding) this.#hdWait = SAMPLES_BEFORE_HD_TRY;
      return this.profile;
    }
    const good = loss < FAIR.lossPercent && (out.rttMs ?? 0) < FAIR.rttMs && available >= RESUME_ABOVE_KBPS;
    this.#good = good ? this.#good + 1 : 0;
    if (hdAllowed && this.#good >= this.#hdWait) return this.#set('hd');
    return this.profile;
  }

  #set(profile: SendProfile): SendProfile {
    this.profile = profile;
    this.#low = this.#high = this.#good = this.#hdTrial = this.#paused = 0;
    return profile;
  }
}
