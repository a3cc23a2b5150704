import type { Candidate, Description } from '../protocol/index.js';

/** How the negotiator talks to the other side: the session wires these to the signaling transport. */
export interface NegotiationSignals {
  sendDescription(description: Description): void;
  sendCandidate(candidate: Candidate): void;
  onError(error: unknown): void;
  /**
   * Called once a remote offer is applied and before the answer is made. A side that adds its
   * tracks here (instead of up front) answers with them in the offered slots, so a call starts
   * with one offer instead of two crossing ones.
   */
  beforeAnswer?(): void;
}

/** Candidates held for a description that has not come yet; a generation has a few dozen at most. */
const MAX_EARLY_CANDIDATES = 200;

/**
 * The perfect-negotiation pattern (W3C webrtc-pc, "Perfect negotiation example"): either side may
 * start a negotiation at any time; on glare the polite side rolls its own offer back and the
 * impolite side ignores the incoming one. Candidates trickle as they are found.
 */
export class PerfectNegotiator {
  #makingOffer = false;
  #ignoreOffer = false;
  #settingRemoteAnswer = false;
  #closed = false;
  /**
   * Candidates that came before the description they belong to. Signaling may deliver them first
   * (another implementation, a relay that reorders), and `addIceCandidate` refuses a candidate
   * with no remote description to match: they wait here and are applied after it.
   */
  #early: Candidate[] = [];
  /** Set while a remote description is being applied: candidates wait for it to finish. */
  #applyingRemote = false;

  constructor(
    readonly pc: RTCPeerConnection,
    readonly polite: boolean,
    private readonly signals: NegotiationSignals,
  ) {
    pc.addEventListener('negotiationneeded', this.#onNegotiationNeeded);
    pc.addEventListener('icecandidate', this.#onIceCandidate);
  }

  #onNegotiationNeeded = async () => {
    try {
      this.#makingOffer = true;
      await this.pc.setLocalDescription();
      if (this.#closed) return;
      this.signals.sendDescription(this.pc.localDescription!.toJSON() as Description);
    } catch (error) {
      if (!this.#closed) this.signals.onError(error);
    } finally {
      this.#makingOffer = false;
    }
  };

  #onIceCandidate = ({ candidate }: RTCPeerConnectionIceEvent) => {
    // The end-of-candidates marker is implied by trickle ICE; an empty candidate string carries nothing.
    if (candidate && candidate.candidate && !this.#closed) this.signals.sendCandidate(candidate.toJSON() as Candidate);
  };

  /** Applies a description from the other side, answering offers. */
  async receiveDescription(description: Description): Promise<void> {
    if (this.#closed) return;
    try {
      const readyForOffer = !this.#makingOffer && (this.pc.signalingState === 'stable' || this.#settingRemoteAnswer);
      const offerCollision = description.type === 'offer' && !readyForOffer;
      this.#ignoreOffer = !this.polite && offerCollision;
      if (this.#ignoreOffer) return;
      this.#settingRemoteAnswer = description.type === 'answer';
      this.#applyingRemote = true;
      try {
        await this.pc.setRemoteDescription(description);
      } finally {
        this.#applyingRemote = false;
      }
      this.#settingRemoteAnswer = false;
      await this.#applyEarlyCandidates();
      if (description.type === 'offer' && !this.#closed) {
        this.signals.beforeAnswer?.();
        await this.pc.setLocalDescription();
        if (this.#closed) return;
        this.signals.sendDescription(this.pc.localDescription!.toJSON() as Description);
      }
    } catch (error) {
      this.#settingRemoteAnswer = false;
      if (!this.#closed) this.signals.onError(error);
    }
  }

  /**
   * Adds a trickled candidate. One that comes before its description (no remote description yet,
   * one being applied, or an ICE username fragment that the current one does not have, as after an
   * ICE restart) is held and applied once that description is in. Failures are expected for
   * candidates of an offer we ignored, and of an ICE generation that is already over (a
   * rolled-back offer, an ICE restart): those are dropped.
   */
  async receiveCandidate(candidate: Candidate): Promise<void> {
    if (this.#closed) return;
    if (this.#applyingRemote || !this.pc.remoteDescription || this.#isStale(candidate)) {
      this.#early.push(candidate);
      // A peer that never sends the description must not make this grow without end.
      if (this.#early.length > MAX_EARLY_CANDIDATES) this.#early.shift();
      return;
    }
    await this.#addCandidate(candidate);
  }

  async #applyEarlyCandidates(): Promise<void> {
    const ready = this.#early.filter((c) => !this.#isStale(c));
    this.#early = this.#early.filter((c) => this.#isStale(c));
    for (const candidate of ready) await this.#addCandidate(candidate);
  }

  async #addCandidate(candidate: Candidate): Promise<void> {
    const ignoring = this.#ignoreOffer;
    try {
      await this.pc.addIceCandidate(candidate);
    } catch (error) {
      if (ignoring || this.#ignoreOffer || this.#closed || this.#isStale(candidate)) return;
      this.signals.onError(error);
    }
  }

  #isStale(candidate: Candidate): boolean {
    const ufrag = candidate.usernameFragment;
    const sdp = this.pc.remoteDescription?.sdp;
    return !!ufrag && !!sdp && !sdp.includes(`a=ice-ufrag:${ufrag}`);
  }

  close(): void {
    this.#closed = true;
    this.#early = [];
    this.pc.removeEventListener('negotiationneeded', this.#onNegotiationNeeded);
    this.pc.removeEventListener('icecandidate', this.#onIceCandidate);
  }
}
