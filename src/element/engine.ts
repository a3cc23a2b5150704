/**
 * What the element loads when someone joins, in one piece: the call engine, the English error
 * texts (an error can only happen once a call starts), and the views only a call shows (devices,
 * screen sharing, picture-in-picture, full screen).
 */
import './strings-errors.js';

export { ConsultSession } from '../core/session.js';
export { CallMedia } from './call-media.js';
export { barsView, infoView } from './in-call-views.js';
