/**
 * The React component of `<video-consult-check>`, the pre-call check, with `onVcCheckStep` and
 * `onVcCheckComplete`. Importing it registers the element.
 */
import { createComponent, type EventName } from '@lit/react';
import * as React from 'react';
import type { PrecallReport, StepResult } from '../core/precall/index.js';
import { define } from '../element/define.js';
import { VideoConsultCheck as VideoConsultCheckElement } from '../element/video-consult-check.js';

define('video-consult-check', VideoConsultCheckElement);

/** `<VideoConsultCheck server token onVcCheckComplete … />`; a ref gives the element. */
export const VideoConsultCheck = createComponent({
  react: React,
  tagName: 'video-consult-check',
  elementClass: VideoConsultCheckElement,
  events: {
    onVcCheckStep: 'vc-check-step' as EventName<CustomEvent<StepResult>>,
    onVcCheckComplete: 'vc-check-complete' as EventName<CustomEvent<PrecallReport>>,
  },
  displayName: 'VideoConsultCheck',
});

/** The props `<VideoConsultCheck>` takes. */
export type VideoConsultCheckProps = React.ComponentProps<typeof VideoConsultCheck>;
