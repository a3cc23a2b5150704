/**
 * `video-consult/vue`: template types for Vue 3 (`vue-tsc`, Volar): `<video-consult>` and
 * `<video-consult-check>` with their attributes, properties and `@vc-…` events. Add
 * `import type {} from 'video-consult/vue';` once, and tell Vue's compiler that both tags are
 * custom elements (docs/frameworks.md has the whole Vite config).
 * @packageDocumentation
 */
import type { DefineComponent } from 'vue';
import type {
  EventCallbacks,
  VideoConsultAttributes,
  VideoConsultCheckAttributes,
  VideoConsultCheckEventMap,
  VideoConsultCheckProperties,
  VideoConsultEventMap,
  VideoConsultProperties,
} from './frameworks/props.js';

export type {
  EventCallbacks,
  PascalCase,
  VideoConsultAttributes,
  VideoConsultCheckAttributes,
  VideoConsultCheckEventMap,
  VideoConsultCheckProperties,
  VideoConsultEventMap,
  VideoConsultProperties,
} from './frameworks/props.js';

/** What `<video-consult>` takes in a Vue template. */
export type VideoConsultVueProps = VideoConsultAttributes &
  VideoConsultProperties &
  EventCallbacks<VideoConsultEventMap> & { role?: 'doctor' | 'patient' };
/** What `<video-consult-check>` takes in a Vue template. */
export type VideoConsultCheckVueProps = VideoConsultCheckAttributes & VideoConsultCheckProperties & EventCallbacks<VideoConsultCheckEventMap>;

declare module 'vue' {
  interface GlobalComponents {
    'video-consult': DefineComponent<VideoConsultVueProps>;
    'video-consult-check': DefineComponent<VideoConsultCheckVueProps>;
  }
}
