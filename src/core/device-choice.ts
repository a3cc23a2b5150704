/**
 * The decisions about devices that need no browser: the list a picker shows, which device takes
 * over from one that went away, which camera a flip goes to, and what is remembered.
 */
import type { DeviceKind, DeviceList, DeviceOption } from './session-types.js';

/** What `enumerateDevices()` says of one device, with the facing of a camera that reports it. */
export interface FoundDevice {
  kind: MediaDeviceKind;
  deviceId: string;
  label: string;
  facing?: 'user' | 'environment';
}

/** The ids in use (`''`: none, or the system default). */
export type ActiveDevices = Pick<DeviceList, 'camera' | 'microphone' | 'speaker'>;

const KINDS: Record<MediaDeviceKind, DeviceKind> = { videoinput: 'camera', audioinput: 'microphone', audiooutput: 'speaker' };

/** The devices as pickers show them. Speakers only where the browser can choose where sound plays. */
export function toDeviceList(found: readonly FoundDevice[], active: ActiveDevices, speakers: boolean): DeviceList {
  const of = (kind: DeviceKind): DeviceOption[] =>
    found
      // Before permission is given the browser lists devices without ids: nothing to choose yet.
      .filter((d) => KINDS[d.kind] === kind && d.deviceId)
      .map((d) => ({ kind, id: d.deviceId, label: d.label, ...(d.facing ? { facing: d.facing } : {}) }));
  return { cameras: of('camera'), microphones: of('microphone'), speakers: speakers ? of('speaker') : [], ...active };
}

/** Whether two lists show the same devices and the same ones in use. */
export function sameDeviceList(a: DeviceList, b: DeviceList): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/** The device in use is no longer listed (an empty id, the system default, is never gone). */
export function isGone(options: readonly DeviceOption[], id: string): boolean {
  return !!id && id !== 'default' && !options.some((o) => o.id === id);
}

/** The device that takes over from `lostId`: the system default where the browser lists one, else the first other one. */
export function fallbackDevice(options: readonly DeviceOption[], lostId: string): DeviceOption | undefined {
  const others = options.filter((o) => o.id !== lostId);
  return others.find((o) => o.id === 'default') ?? others[0];
}

/**
 * The camera a flip goes to: the first one facing the other way where the cameras say which way
 * they face (phones), else the next one in the list, round (laptops, Chromium's fake cameras).
 */
export function nextCamera(cameras: readonly DeviceOption[], activeId: string): DeviceOption | undefined {
  if (cameras.length < 2) return undefined;
  const index = cameras.findIndex((c) => c.id === activeId);
  const facing = cameras[index]?.facing;
  if (facing) {
    const turned = cameras.find((c) => c.facing && c.facing !== facing);
    if (turned) return turned;
  }
  return cameras[(index + 1) % cameras.length];
}

/** The chosen devices as they are remembered: ids only, nothing else. */
export type RememberedDevices = Partial<Record<DeviceKind, string>>;

/** Reads what `rememberedText` stored; anything malformed counts as nothing remembered. */
export function parseRemembered(text: string | null): RememberedDevices {
  if (!text) return {};
  try {
    const value: unknown = JSON.parse(text);
    if (!value || typeof value !== 'object') return {};
    const out: RememberedDevices = {};
    for (const kind of ['camera', 'microphone', 'speaker'] as const) {
      const id = (value as Record<string, unknown>)[kind];
      if (typeof id === 'string' && id.length > 0 && id.length <= 256) out[kind] = id;
    }
    return out;
  } catch {
    return {};
  }
}

/** The text stored for the chosen devices. */
export function rememberedText(devices: RememberedDevices): string {
  const out: RememberedDevices = {};
  for (const kind of ['camera', 'microphone', 'speaker'] as const) if (devices[kind]) out[kind] = devices[kind];
  return JSON.stringify(out);
}
