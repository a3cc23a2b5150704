/**
 * video-consult: a `<video-consult>` element for 1:1 peer-to-peer video consultations.
 *
 * This entry carries everything: it registers `<video-consult>` and `<video-consult-check>`, file
 * transfer and the German texts (each once, even if loaded twice). To pay only for what a page
 * uses, import `video-consult/call`, `video-consult/check`, `video-consult/files` and
 * `video-consult/de` instead (docs/frameworks.md).
 * @packageDocumentation
 */
export * from './call.js';
export * from './check.js';
export * from './files.js';
export * from './de.js';
