/**
 * The React component of `<video-consult>`: properties go to the element as properties (the token
 * never becomes an attribute), and each `vc-` event has a callback prop (`onVcStateChange`, …).
 * Works the same in React 18 and 19. Importing it registers the element.
 */
import { createComponent, type EventName } from '@lit/react';
import * as React from 'react';
import { define } from '../element/define.js';
import { VideoConsult as VideoConsultElement } from '../element/video-consult.js';
import type { EventCallbacks, VideoConsultEventMap } from '../frameworks/props.js';

define('video-consult', VideoConsultElement);

/** Each callback prop with the event it listens to, as `@lit/react` takes them. */
export type VideoConsultEventProps = {
  [Name in keyof EventCallbacks<VideoConsultEventMap>]-?: EventName<Parameters<NonNullable<EventCallbacks<VideoConsultEventMap>[Name]>>[0]>;
};

/** Every callback prop names its event: a `vc-` event without one here is a type error. */
const eventNames: Record<keyof VideoConsultEventProps, keyof VideoConsultEventMap> = {
  onVcStateChange: 'vc-state-change',
  onVcError: 'vc-error',
  onVcKnock: 'vc-knock',
  onVcPeerName: 'vc-peer-name',
  onVcMessage: 'vc-message',
  onVcVerification: 'vc-verification',
  onVcQualityChange: 'vc-quality-change',
  onVcFileOffer: 'vc-file-offer',
  onVcFileProgress: 'vc-file-progress',
  onVcFileReceived: 'vc-file-received',
  onVcFileSent: 'vc-file-sent',
  onVcFileError: 'vc-file-error',
  onVcFilesAvailable: 'vc-files-available',
  onVcDevicesChange: 'vc-devices-change',
  onVcDeviceLost: 'vc-device-lost',
  onVcMediaChange: 'vc-media-change',
};
const events = eventNames as VideoConsultEventProps;

/** `<VideoConsult server room consultRole token displayName onVcStateChange … />`; a ref gives the element. */
export const VideoConsult = createComponent({
  react: React,
  tagName: 'video-consult',
  elementClass: VideoConsultElement,
  events,
  displayName: 'VideoConsult',
});

/** The props `<VideoConsult>` takes. */
export type VideoConsultProps = React.ComponentProps<typeof VideoConsult>;
