/**
 * The element's interface as frameworks see it: its attributes, its properties, and its events as
 * callback props. The React wrapper, the JSX types of the raw tags and the Vue types share these.
 */
import type { CheckStringsOverrides } from '../element/check-strings.js';
import type { VideoConsultEvents } from '../element/events.js';
import type { Strings } from '../element/strings.js';
import type { PrecallReport, StepResult } from '../core/precall/index.js';
import type { QualityPreference } from '../core/quality.js';

/**
 * The events of `<video-consult>`, by name: made from the element's own list of its events, so an
 * event the element gains reaches the React, JSX and Vue types without another edit.
 */
export type VideoConsultEventMap = { [Name in keyof VideoConsultEvents]: CustomEvent<VideoConsultEvents[Name]> };

/** The events of `<video-consult-check>`, by name. */
export interface VideoConsultCheckEventMap {
  'vc-check-step': CustomEvent<StepResult>;
  'vc-check-complete': CustomEvent<PrecallReport>;
}

/** `vc-state-change` → `VcStateChange`. */
export type PascalCase<S extends string> = S extends `${infer Head}-${infer Tail}` ? `${Capitalize<Head>}${PascalCase<Tail>}` : Capitalize<S>;

/** Callbacks named as React and Vue name them: `onVcStateChange` for `vc-state-change`. */
export type EventCallbacks<Events> = {
  [Name in keyof Events & string as `on${PascalCase<Name>}`]?: (event: Events[Name]) => void;
};

/** Listeners as React 19 attaches them to a custom element's own events: `onvc-state-change`. */
export type RawEventListeners<Events> = {
  [Name in keyof Events & string as `on${Name}`]?: (event: Events[Name]) => void;
};

/** The attributes of `<video-consult>`, as written in HTML (strings, or presence for booleans). */
export interface VideoConsultAttributes {
  server?: string;
  room?: string;
  /** `doctor` or `patient`. */
  'consult-role'?: 'doctor' | 'patient';
  'display-name'?: string;
  'audio-only'?: boolean;
  'auto-join'?: boolean;
  'ice-transport-policy'?: RTCIceTransportPolicy | '';
  quality?: QualityPreference;
  'max-file-size'?: number | string;
  'accept-files'?: string;
  lang?: string;
}

/** The properties of `<video-consult>` a page sets (the join token is a property only). */
export interface VideoConsultProperties {
  server?: string;
  room?: string;
  consultRole?: 'doctor' | 'patient';
  token?: string;
  displayName?: string;
  audioOnly?: boolean;
  autoJoin?: boolean;
  iceTransportPolicy?: RTCIceTransportPolicy | '';
  iceServers?: RTCIceServer[];
  quality?: QualityPreference;
  maxFileSize?: number;
  acceptFiles?: string;
  strings?: Partial<Strings>;
}

/** The attributes of `<video-consult-check>`. */
export interface VideoConsultCheckAttributes {
  server?: string;
  'relay-ports'?: string;
  manual?: boolean;
  'audio-only'?: boolean;
  lang?: string;
}

/** The properties of `<video-consult-check>` a page sets. */
export interface VideoConsultCheckProperties {
  server?: string;
  token?: string;
  iceServers?: RTCIceServer[];
  relayPorts?: string;
  manual?: boolean;
  audioOnly?: boolean;
  strings?: CheckStringsOverrides;
}
