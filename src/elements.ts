/**
 * `video-consult/elements`: the element classes without registering any tag, for pages that
 * register them themselves (under another name, in a scoped registry, or a subclass).
 * Importing this module has no side effects.
 * @packageDocumentation
 */
export { VideoConsult } from './element/video-consult.js';
export { VideoConsultCheck } from './element/video-consult-check.js';
