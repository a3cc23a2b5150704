import type { Candidate, Description } from '../protocol/index.js';
import { ConsultError, ErrorCode } from './errors.js';
import { PerfectNegotiator } from './negotiation.js';
import type { SessionEmit } from './session-types.js';
import { dtlsFingerprints, verificationCode } from './verification.js';

/** How long ICE may stay `disconnected` before it is restarted, in ms (libwebrtc marks a path weak after 2.5 s). */
const ICE_DISCONNECTED_GRACE_MS = 2500;
/** How long a first connection may stay `connecting` before {@link PeerLinkOptions.onStuck}, in ms. */
const CONNECT_WATCHDOG_MS = 10_000;
/** How long the call tries to get a lost path back before {@link PeerLinkOptions.onGiveUp}, in ms. */
const RECONNECT_LIMIT_MS = 30_000;

/** Who offers first: `auto` follows politeness (the impolite side offers), `offer` at once, `answer` waits for the other side's offer. */
export type OfferMode = 'auto' | 'offer' | 'answer';

/** What a {@link PeerLink} needs from the call. */
export interface PeerLinkOptions {
  iceServers: RTCIceServer[];
  iceTransportPolicy?: RTCIceTransportPolicy;
  polite: boolean;
  mode: OfferMode;
  localStream: () => MediaStream | undefined;
  sendDescription: (description: Description) => void;
  sendCandidate: (candidate: Candidate) => void;
  /** Opens this side's data channels on the connection, right before its tracks are added. */
  openChannels: (pc: RTCPeerConnection) => void;
  /** Tells the call's listeners of remote media, the verification code and negotiation errors. */
  emit: SessionEmit;
  onConnectionState: (state: RTCPeerConnectionState) => void;
  /** The first connection has been `connecting` for {@link CONNECT_WATCHDOG_MS}. */
  onStuck: () => void;
  /** A lost path did not come back within {@link RECONNECT_LIMIT_MS} of {@link PeerLink.armDeadline}. */
  onGiveUp: () => void;
}

/**
 * One RTCPeerConnection, from creation to close: negotiation, remote media, the ICE recovery
 * timers and the verification code. A closed link ignores its own late events, so nothing it
 * reports ever concerns a connection the call has left.
 */
export class PeerLink {
  readonly pc: RTCPeerConnection;
  /** The other side's camera video and its audio. */
  readonly remoteStream = new MediaStream();
  /** The other side's screen share slot (a track with frames only while it shares). */
  readonly remoteScreenStream = new MediaStream();
  /** The first video slot's sender: camera video. Set once this side's media is in (an offer made, or an offer being answered). */
  cameraSender?: RTCRtpSender;
  /** The second video slot's sender: a screen share; undefined when the other side offered one video slot only (an older version). */
  screenSender?: RTCRtpSender;
  /** The receivers of the other side's camera video and screen share. */
  cameraReceiver?: RTCRtpReceiver;
  screenReceiver?: RTCRtpReceiver;
  /** The verification code of this connection, once DTLS is up. */
  verificationCode?: string;
  #o: PeerLinkOptions;
  /** Takes the other side's descriptions and candidates. */
  readonly negotiator: PerfectNegotiator;
  #life = new AbortController();
  #grace?: ReturnType<typeof setTimeout>;
  #deadline?: ReturnType<typeof setTimeout>;
  #watchdog?: ReturnType<typeof setTimeout>;
  #mediaAdded = false;

  constructor(options: PeerLinkOptions) {
    this.#o = options;
    const pc = new RTCPeerConnection({
      iceServers: options.iceServers,
      ...(options.iceTransportPolicy ? { iceTransportPolicy: options.iceTransportPolicy } : {}),
    });
    this.pc = pc;
    // The impolite side (the doctor) makes the first offer. The polite side adds its tracks and
    // channel only once that offer is applied, so they fill the offered slots and the call starts
    // with one offer/answer instead of two crossing offers and a rollback (bench:connect: ~300 ms).
    this.negotiator = new PerfectNegotiator(pc, options.polite, {
      sendDescription: options.sendDescription,
      sendCandidate: options.sendCandidate,
      onError: (error) => options.emit('error', new ConsultError(ErrorCode.ConnectionFailed, String(error), false, { cause: error })),
      beforeAnswer: () => this.#addLocalMedia(),
    });
    const { signal } = this.#life;
    pc.addEventListener(
      'track',
      ({ track, transceiver }) => {
        // The second video m-line is the screen slot: its track never goes into the camera's stream.
        if (transceiver === this.#videoTransceivers()[1]) return this.remoteScreenStream.addTrack(track);
        this.remoteStream.addTrack(track);
        options.emit('remote-stream', this.remoteStream);
      },
      { signal },
    );
    pc.addEventListener('connectionstatechange', () => options.onConnectionState(pc.connectionState), { signal });
    if (options.mode === 'offer' || (options.mode === 'auto' && !options.polite)) this.#addLocalMedia();
    // A first connection that never gets going (no candidates, a lost offer) is restarted, and
    // fails at the reconnect limit like any lost connection.
    this.#watchdog = setTimeout(options.onStuck, CONNECT_WATCHDOG_MS);
  }

  /** Aborted when the link closes. */
  get signal(): AbortSignal {
    return this.#life.signal;
  }
  get closed(): boolean {
    return this.#life.signal.aborted;
  }
  /** This side made an offer that has no answer yet. */
  get offerUnanswered(): boolean {
    return this.pc.signalingState === 'have-local-offer';
  }

  /** An offer whose DTLS fingerprint differs from the one we are connected to comes from a new page. */
  fromNewPeer(description: { type: string; sdp?: string }): boolean {
    const current = this.pc.remoteDescription?.sdp;
    if (description.type !== 'offer' || !current || !description.sdp) return false;
    const fingerprint = (sdp: string) => /a=fingerprint:(.+)/.exec(sdp)?.[1]?.trim();
    return fingerprint(description.sdp) !== fingerprint(current);
  }

  /** Starts a new ICE generation; a local offer that never got an answer is rolled back first. */
  restartIce(): void {
    const pc = this.pc;
    if (this.closed) return;
    if (this.offerUnanswered) {
      void pc.setLocalDescription({ type: 'rollback' }).then(
        () => this.closed || pc.restartIce(),
        () => {},
      );
    } else pc.restartIce();
  }

  /** Restarts ICE unless the path comes back within the grace time. */
  restartAfterGrace(): void {
    this.#grace = setTimeout(() => this.restartIce(), ICE_DISCONNECTED_GRACE_MS);
  }

  /** Starts the time limit for getting the path back (once). */
  armDeadline(): void {
    this.#deadline ??= setTimeout(this.#o.onGiveUp, RECONNECT_LIMIT_MS);
  }

  /** The path is up: no recovery is pending. */
  clearRecovery(): void {
    clearTimeout(this.#grace);
    clearTimeout(this.#deadline);
    clearTimeout(this.#watchdog);
    this.#grace = this.#deadline = this.#watchdog = undefined;
  }

  /** Derives the verification code from the certificates DTLS actually used. */
  async verify(): Promise<void> {
    if (this.verificationCode) return;
    const fingerprints = await dtlsFingerprints(this.pc);
    if (!fingerprints || this.closed) return;
    const code = await verificationCode(fingerprints.local, fingerprints.remote);
    if (this.closed || this.verificationCode === code) return;
    this.verificationCode = code;
    this.#o.emit('verification', { code });
  }

  /**
   * Whether the other side takes a screen share: it answered (or offered) the screen slot
   * `sendrecv`. An older version offers one video slot only, or answers the second `recvonly`.
   */
  get screenSlotReady(): boolean {
    const slot = this.#videoTransceivers()[1];
    return !this.closed && !!this.screenSender && slot?.sender === this.screenSender && slot.currentDirection === 'sendrecv';
  }

  /** The sender of camera video (the first video slot), if the connection has one. */
  videoSender(): RTCRtpSender | undefined {
    return this.closed ? undefined : this.cameraSender;
  }

  /** Adds a track that was not there when the connection started (the camera turned on). */
  addTrack(track: MediaStreamTrack, stream: MediaStream): void {
    if (!this.closed) this.pc.addTrack(track, stream);
  }

  /** Closes the connection and everything of it; idempotent. */
  close(): void {
    if (this.closed) return;
    this.#life.abort();
    this.clearRecovery();
    this.negotiator.close();
    this.pc.close();
    this.remoteStream.getTracks().forEach((t) => t.stop());
    this.remoteScreenStream.getTracks().forEach((t) => t.stop());
  }

  /** The video transceivers in the order of their m-lines (creation order: the offer's order on both sides). */
  #videoTransceivers(): RTCRtpTransceiver[] {
    return this.pc.getTransceivers().filter((t) => t.receiver.track.kind === 'video');
  }

  /**
   * Adds this side's media. Two video slots, camera then screen, both `sendrecv` from the start,
   * so that sharing a screen or turning a camera on later is a `replaceTrack` and never a new
   * offer. The side that offers creates them; the side that answers adopts the offered ones in
   * m-line order (its camera track reuses the first through `addTrack`) before its answer is made.
   */
  #addLocalMedia(): void {
    if (this.#mediaAdded || this.closed) return;
    this.#mediaAdded = true;
    this.#o.openChannels(this.pc);
    const stream = this.#o.localStream();
    const sending = new Set(this.pc.getSenders().map((sender) => sender.track));
    for (const track of stream?.getTracks() ?? []) {
      if (!sending.has(track)) this.pc.addTrack(track, stream!);
    }
    const answering = this.pc.signalingState === 'have-remote-offer';
    const video = this.#videoTransceivers();
    if (!answering) {
      if (!video[0]) video.push(this.pc.addTransceiver('video', { direction: 'sendrecv' }));
      video.push(this.pc.addTransceiver('video', { direction: 'sendrecv' }));
    }
    for (const slot of video.slice(0, 2)) slot.direction = 'sendrecv';
    [this.cameraSender, this.screenSender] = [video[0]?.sender, video[1]?.sender];
    [this.cameraReceiver, this.screenReceiver] = [video[0]?.receiver, video[1]?.receiver];
    void this.#prioritiseAudio();
  }

  /** Voice matters most in a consultation: audio packets go first when the link is congested. */
  async #prioritiseAudio(): Promise<void> {
    for (const sender of this.pc.getSenders()) {
      if (sender.track?.kind !== 'audio') continue;
      const parameters = sender.getParameters();
      if (!parameters.encodings?.length) continue;
      for (const encoding of parameters.encodings) {
        encoding.priority = 'high';
        encoding.networkPriority = 'high';
      }
      await sender.setParameters(parameters).catch(() => {});
    }
  }
}
