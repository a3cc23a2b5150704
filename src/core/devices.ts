import {
  type ActiveDevices,
  fallbackDevice,
  type FoundDevice,
  isGone,
  nextCamera,
  parseRemembered,
  type RememberedDevices,
  rememberedText,
  sameDeviceList,
  toDeviceList,
} from './device-choice.js';
import { ConsultError, ErrorCode } from './errors.js';
import type { LocalMedia } from './local-media.js';
import type { DeviceKind, DeviceList, SessionEmit } from './session-types.js';

/** Where the chosen devices are kept when `rememberDevices` is on (`localStorage` is per origin). */
export const REMEMBERED_DEVICES_KEY = 'video-consult:devices';

/** Lists the devices; `navigator.mediaDevices.enumerateDevices` by default. */
export type EnumerateDevices = () => Promise<MediaDeviceInfo[]>;

/** What {@link Devices} needs from the call. */
export interface DevicesOptions {
  media: LocalMedia;
  emit: SessionEmit;
  /** This side's camera or microphone turned on or off on its own (a device lost for good). */
  onMediaChange: () => void;
  /** Keep the chosen devices in `localStorage`. */
  remember: boolean;
  enumerateDevices?: EnumerateDevices;
  /** Aborted when the call run ends. */
  signal: AbortSignal;
}

export const EMPTY_DEVICES: DeviceList = { cameras: [], microphones: [], speakers: [], camera: '', microphone: '', speaker: '' };

const canChooseSpeaker = () => typeof HTMLMediaElement !== 'undefined' && 'setSinkId' in HTMLMediaElement.prototype;

/** The facing a camera reports (phones do; laptops and Chromium's fake cameras do not). */
function facingOf(info: MediaDeviceInfo): FoundDevice['facing'] {
  const facing = (info as InputDeviceInfo).getCapabilities?.().facingMode?.[0];
  return facing === 'user' || facing === 'environment' ? facing : undefined;
}

/**
 * The cameras, microphones and speakers of one call run: the list the pickers show, the choice of
 * a device (swapped in without renegotiating), a device that goes away or a track that ends on its
 * own, and the camera flip. Work on devices runs one step at a time.
 */
export class Devices {
  list: DeviceList = EMPTY_DEVICES;
  #o: DevicesOptions;
  #speaker = '';
  #remembered: RememberedDevices = {};
  #queue: Promise<unknown> = Promise.resolve();

  constructor(options: DevicesOptions) {
    this.#o = options;
    if (options.remember) {
      this.#remembered = parseRemembered(globalThis.localStorage?.getItem(REMEMBERED_DEVICES_KEY) ?? null);
      options.media.preferred = { camera: this.#remembered.camera, microphone: this.#remembered.microphone };
      this.#speaker = this.#remembered.speaker ?? '';
    }
    options.media.onTrack = (track) => track.addEventListener('ended', () => this.#enqueue(() => this.#onEnded(track)), { signal: options.signal });
  }

  /** Lists the devices once the camera and microphone are open (their labels need the permission) and follows plugging. */
  start(): Promise<void> {
    navigator.mediaDevices?.addEventListener('devicechange', () => this.#enqueue(() => this.#onDeviceChange()), { signal: this.#o.signal });
    return this.#enqueue(async () => void (await this.refresh()));
  }

  /** At least two cameras to flip between. */
  get canFlip(): boolean {
    return this.list.cameras.length >= 2;
  }

  /** Which way the camera in use faces, where it says so. */
  get facing(): 'user' | 'environment' | undefined {
    return this.list.cameras.find((c) => c.id === this.list.camera)?.facing;
  }

  /**
   * Uses another device. A camera that is off stays off (only the choice is kept, for when it
   * turns on); a muted microphone stays muted. Rejects with `device-unavailable`, the old device kept.
   */
  select(kind: DeviceKind, id: string): Promise<void> {
    return this.#enqueue(async () => {
      if (kind !== 'speaker') {
        const media = this.#o.media;
        const off = kind === 'camera' ? !media.cameraOn : !media.audioTrack;
        if (!off) await media.swap(await media.open(kind, id, true));
        media.preferred = { ...media.preferred, [kind]: id };
      } else this.#speaker = id;
      this.#remember(kind, id);
      await this.refresh();
    });
  }

  /** Turns to the camera facing the other way, or the next camera. */
  flip(): Promise<void> {
    const next = nextCamera(this.list.cameras, this.list.camera);
    if (!next) return Promise.reject(new ConsultError(ErrorCode.DeviceUnavailable, 'There is no other camera.', false));
    return this.select('camera', next.id);
  }

  /** Reads the devices again; fires `devices` when the list or a device in use changed. */
  async refresh(): Promise<DeviceList> {
    const found = await this.#enumerate();
    const next = toDeviceList(found, this.#active(), canChooseSpeaker());
    if (!this.#o.signal.aborted && !sameDeviceList(next, this.list)) {
      this.list = next;
      this.#o.emit('devices', next);
    }
    return next;
  }

  #active(): ActiveDevices {
    const { media } = this.#o;
    return {
      camera: (media.cameraOn && media.cameraTrack?.getSettings().deviceId) || media.preferred.camera || '',
      microphone: media.audioTrack?.getSettings().deviceId || media.preferred.microphone || '',
      speaker: this.#speaker,
    };
  }

  async #enumerate(): Promise<FoundDevice[]> {
    const infos = await (this.#o.enumerateDevices ?? (() => navigator.mediaDevices.enumerateDevices()))().catch(() => []);
    return infos.map((info) => ({
      kind: info.kind,
      deviceId: info.deviceId,
      label: info.label,
      ...(info.kind === 'videoinput' && facingOf(info) ? { facing: facingOf(info) } : {}),
    }));
  }

  /** A device was plugged in or out: a camera or microphone in use that went away is replaced. */
  async #onDeviceChange(): Promise<void> {
    const before = this.list;
    // The new list goes out first (a device plugged in appears in it), then any replacement.
    const list = await this.refresh();
    for (const kind of ['camera', 'microphone'] as const) {
      const track = kind === 'camera' ? this.#o.media.cameraTrack : this.#o.media.audioTrack;
      const options = kind === 'camera' ? list.cameras : list.microphones;
      const id = track?.getSettings().deviceId ?? '';
      if (track && track.readyState === 'live' && isGone(options, id)) {
        const label = [...before.cameras, ...before.microphones].find((d) => d.id === id)?.label ?? track.label;
        await this.#replaceLost(kind, track, label, options, id);
      }
    }
    await this.refresh();
  }

  async #replaceLost(kind: 'camera' | 'microphone', track: MediaStreamTrack, label: string, options: DeviceList['cameras'], id: string) {
    const fallback = fallbackDevice(options, id);
    const replaced = fallback ? await this.#swapTo(kind, fallback.id) : false;
    if (!replaced) await this.#giveUp(track);
    this.#o.emit('device-lost', { kind, label, fallback: replaced ? (fallback?.label ?? '') : '' });
    this.#o.emit('error', new ConsultError(ErrorCode.DeviceLost, `The ${kind} "${label}" went away.`, false));
  }

  /**
   * A track ended on its own (unplugged, taken by the system, permission withdrawn): the same
   * device is opened again once, else the default one; if neither opens, that device is off.
   */
  async #onEnded(track: MediaStreamTrack): Promise<void> {
    const { media } = this.#o;
    const kind = track.kind === 'video' ? 'camera' : 'microphone';
    if (track !== (kind === 'camera' ? media.cameraTrack : media.audioTrack) || this.#o.signal.aborted) return;
    const id = track.getSettings().deviceId ?? '';
    const list = await this.refresh();
    const options = kind === 'camera' ? list.cameras : list.microphones;
    if (isGone(options, id)) return this.#replaceLost(kind, track, track.label, options, id);
    if ((await this.#swapTo(kind, id)) || (await this.#swapTo(kind, undefined))) return void (await this.refresh());
    await this.#giveUp(track);
    this.#o.emit('error', new ConsultError(ErrorCode.DeviceEnded, `The ${kind} stopped and could not be opened again.`, false));
    await this.refresh();
  }

  async #swapTo(kind: 'camera' | 'microphone', id: string | undefined): Promise<boolean> {
    try {
      return await this.#o.media.swap(await this.#o.media.open(kind, id, !!id));
    } catch {
      return false;
    }
  }

  async #giveUp(track: MediaStreamTrack): Promise<void> {
    track.stop();
    await this.#o.media.drop(track);
    this.#o.onMediaChange();
  }

  #remember(kind: DeviceKind, id: string): void {
    if (!this.#o.remember) return;
    this.#remembered = { ...this.#remembered, [kind]: id };
    try {
      globalThis.localStorage?.setItem(REMEMBERED_DEVICES_KEY, rememberedText(this.#remembered));
    } catch {
      // Storage full or refused (private mode): the choice holds for this call only.
    }
  }

  #enqueue<T>(step: () => Promise<T>): Promise<T> {
    const next = this.#queue.then(step, step);
    this.#queue = next.catch(() => {});
    return next;
  }
}
