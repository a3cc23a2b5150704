/**
 * The script-tag build of `<video-consult>`: registers the element. What only some calls need comes
 * on demand from this file's own folder, never from another host: file transfer while a call
 * starts, German the first time an element shows it. Lit and the core are shared chunks, so
 * video-consult-check.js on the same page reuses them.
 */
import { define } from '../element/define.js';
import { provideStringsLoader } from '../element/strings.js';
import { VideoConsult } from '../element/video-consult.js';
import { provideFileTransferLoader } from '../file-transfer/registry.js';

export { VideoConsult };
provideFileTransferLoader(() => import('./video-consult-files.js'));
provideStringsLoader('de', () => import('./video-consult-de.js'));
define('video-consult', VideoConsult);
