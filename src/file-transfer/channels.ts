/**
 * The two binary channels of one side on the call's connection: the one it opened for the files it
 * sends, and the one the peer announced for the files it receives. Tells the engine when either is
 * lost or ready, and moves to a new connection on `attach`.
 *
 * Each side sends on a channel it opened itself and receives on the one the peer opened, both
 * announced in band, so the browser picks a stream id that no closing channel still holds. (A
 * negotiated id, reopened at once after a reset, can leave the far end's old channel `closing` for
 * good.) Whichever end closes a channel, both ends see it close: the owner opens a new one, and the
 * transfers it carried continue from the receiver's last written block.
 */
import { FILE_CHANNEL_LABEL, MAX_CHUNK_BYTES } from '../protocol/file-transfer.js';
import { chunkBytes } from './blocks.js';

/**
 * Flow control as in the WebRTC samples (datatransfer): refill when `bufferedAmount` falls to one
 * chunk, stop at eight chunks. Both far below Chromium's 16 MiB send-buffer ceiling, beyond which
 * `send()` throws (and older Chromium closed the channel).
 */
export const LOW_WATER_BYTES = MAX_CHUNK_BYTES;
export const HIGH_WATER_BYTES = 8 * MAX_CHUNK_BYTES;

/** What the channels tell the engine. */
export interface ChannelEvents {
  /** A message arrived on the peer's channel. */
  frame(data: unknown): void;
  /** This side's (new) channel is open. */
  opened(): void;
  /** This side's channel can take more (`bufferedamountlow`). */
  drained(): void;
  /** Frames in flight on this side's channel are lost (it closed, or the call moved). */
  sendingLost(): void;
  /** Frames in flight on the peer's channel are lost (it closed or was replaced, or the call moved). */
  receivingLost(): void;
  /** The peer's channel closed, or its new one is open: time to ask for what was lost. */
  askLost(): void;
  /** The peer's (new) channel is open. */
  peerReady(): void;
}

export class FileChannels {
  #pc: RTCPeerConnection;
  /** This side's channel, for the files it sends. */
  #channel?: RTCDataChannel;
  /** The peer's channel, for the files it receives. */
  #peerChannel?: RTCDataChannel;
  #closed = false;

  constructor(
    pc: RTCPeerConnection,
    private readonly on: ChannelEvents,
  ) {
    this.#pc = pc;
    pc.addEventListener('datachannel', this.#onDataChannel);
    this.#open();
  }

  /** The connection the channels are on. */
  get pc(): RTCPeerConnection {
    return this.#pc;
  }

  /** This side's channel, if it has one. */
  get channel(): RTCDataChannel | undefined {
    return this.#channel;
  }

  /** The frame size this connection allows. */
  chunkBytes(): number {
    return chunkBytes(this.#pc.sctp?.maxMessageSize);
  }

  /** A channel that is neither open nor opening carries nothing (its end may stay `closing`): start afresh. */
  reopenIfDead(): void {
    const state = this.#channel?.readyState;
    if (state !== 'open' && state !== 'connecting') this.#open();
  }

  /** Moves to a new connection: what the old channels carried is lost, new ones open there. */
  attach(pc: RTCPeerConnection): void {
    this.#pc.removeEventListener('datachannel', this.#onDataChannel);
    this.#drop();
    this.#pc = pc;
    pc.addEventListener('datachannel', this.#onDataChannel);
    this.#open();
  }

  /** Closes both channels and stops listening. */
  close(): void {
    this.#closed = true;
    this.#pc.removeEventListener('datachannel', this.#onDataChannel);
    this.#drop();
  }

  #open(): void {
    const pc = this.#pc;
    if (this.#closed || pc.signalingState === 'closed') return;
    const old = this.#channel;
    const dc = pc.createDataChannel(FILE_CHANNEL_LABEL, { ordered: true });
    dc.binaryType = 'arraybuffer';
    dc.bufferedAmountLowThreshold = LOW_WATER_BYTES;
    this.#channel = dc;
    old?.close();
    dc.addEventListener('open', () => {
      if (dc === this.#channel) this.on.opened();
    });
    dc.addEventListener('bufferedamountlow', () => this.on.drained());
    dc.addEventListener('close', () => {
      if (dc !== this.#channel) return;
      this.#channel = undefined;
      this.on.sendingLost();
      if (pc === this.#pc) this.#open();
    });
  }

  /** The peer announced its channel (again): frames of the files it sends arrive there from now on. */
  #onDataChannel = ({ channel: dc }: RTCDataChannelEvent): void => {
    if (dc.label !== FILE_CHANNEL_LABEL || this.#closed) return;
    const old = this.#peerChannel;
    this.#peerChannel = dc;
    if (old) {
      old.close();
      this.on.receivingLost();
    }
    dc.binaryType = 'arraybuffer';
    dc.addEventListener('message', ({ data }) => {
      if (dc === this.#peerChannel) this.on.frame(data);
    });
    dc.addEventListener('close', () => {
      if (dc !== this.#peerChannel) return;
      this.#peerChannel = undefined;
      // Ask at once: the sender's end of that channel may never finish closing, and a resume makes
      // it open a new one.
      this.on.receivingLost();
      this.on.askLost();
    });
    const ready = () => {
      if (dc === this.#peerChannel) this.on.peerReady();
    };
    if (dc.readyState === 'open') ready();
    else dc.addEventListener('open', ready, { once: true });
  };

  /** Closes both channels of the current connection and marks what they carried as lost. */
  #drop(): void {
    const mine = this.#channel;
    const theirs = this.#peerChannel;
    this.#channel = this.#peerChannel = undefined;
    mine?.close();
    theirs?.close();
    this.on.sendingLost();
    this.on.receivingLost();
  }
}
