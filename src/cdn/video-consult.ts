/**
 * The script-tag build of `<video-consult>`: one self-contained module that registers the element.
 * The pre-call check is a file of its own (video-consult-check.js), so a consultation page does not
 * carry it.
 */
import { define } from '../element/define.js';
import { VideoConsult } from '../element/video-consult.js';

export { VideoConsult };
define('video-consult', VideoConsult);
