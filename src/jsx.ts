/**
 * `video-consult/jsx`: JSX types for the raw `<video-consult>` and `<video-consult-check>` tags in
 * React, for pages that do not use the components of `video-consult/react`. Add
 * `import type {} from 'video-consult/jsx';` once. React 19 sets the properties (`token`,
 * `iceServers`, …) and attaches `onvc-…` listeners; React 18 passes everything as attributes and
 * drops the listeners, so use `video-consult/react` there.
 * @packageDocumentation
 */
import type { DetailedHTMLProps, HTMLAttributes } from 'react';
import type { VideoConsult } from './element/video-consult.js';
import type { VideoConsultCheck } from './element/video-consult-check.js';
import type {
  RawEventListeners,
  VideoConsultAttributes,
  VideoConsultCheckAttributes,
  VideoConsultCheckEventMap,
  VideoConsultCheckProperties,
  VideoConsultEventMap,
  VideoConsultProperties,
} from './frameworks/props.js';

export type {
  RawEventListeners,
  VideoConsultAttributes,
  VideoConsultCheckAttributes,
  VideoConsultCheckEventMap,
  VideoConsultCheckProperties,
  VideoConsultEventMap,
  VideoConsultProperties,
} from './frameworks/props.js';

/** React's own props of an HTML element, but `role`, which `<video-consult>` takes as its side. */
export type HtmlProps<E> = Omit<DetailedHTMLProps<HTMLAttributes<E>, E>, 'role'>;

/** What the raw `<video-consult>` tag takes in JSX. */
export type VideoConsultJsxProps = HtmlProps<VideoConsult> &
  VideoConsultAttributes &
  VideoConsultProperties &
  RawEventListeners<VideoConsultEventMap> & { role?: 'doctor' | 'patient' };
/** What the raw `<video-consult-check>` tag takes in JSX. */
export type VideoConsultCheckJsxProps = HtmlProps<VideoConsultCheck> &
  VideoConsultCheckAttributes &
  VideoConsultCheckProperties &
  RawEventListeners<VideoConsultCheckEventMap>;

declare module 'react' {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace JSX {
    interface IntrinsicElements {
      'video-consult': VideoConsultJsxProps;
      'video-consult-check': VideoConsultCheckJsxProps;
    }
  }
}
