/** The script-tag build of `<video-consult-check>`, the pre-call check: one self-contained module that registers it. */
import { define } from '../element/define.js';
import { VideoConsultCheck } from '../element/video-consult-check.js';

export { VideoConsultCheck };
define('video-consult-check', VideoConsultCheck);
