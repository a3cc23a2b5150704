/** The script-tag build of `<video-consult-check>`, the pre-call check: registers it; Lit comes from the chunk it shares with video-consult.js. */
import { define } from '../element/define.js';
import { VideoConsultCheck } from '../element/video-consult-check.js';

export { VideoConsultCheck };
define('video-consult-check', VideoConsultCheck);
