/**
 * `video-consult/react`: React components for both elements, made with `@lit/react`, for React 18
 * and 19. A component registers its element when it is imported; a bundler drops the one a page
 * does not use, so `import { VideoConsult } from 'video-consult/react'` does not carry the check.
 * File transfer and German: import `video-consult/files` and `video-consult/de` as well.
 * @packageDocumentation
 */
export { VideoConsult, type VideoConsultProps, type VideoConsultEventProps } from './video-consult.js';
export { VideoConsultCheck, type VideoConsultCheckProps } from './video-consult-check.js';
export type { VideoConsultEventMap, VideoConsultCheckEventMap, EventCallbacks, PascalCase } from '../frameworks/props.js';
export type { VideoConsultEvents } from '../element/events.js';
