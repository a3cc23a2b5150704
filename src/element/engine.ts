/**
 * What the element loads when someone joins, in one piece: the call engine and the English error
 * texts (an error can only happen once a call starts).
 */
import './strings-errors.js';

export { ConsultSession } from '../core/session.js';
