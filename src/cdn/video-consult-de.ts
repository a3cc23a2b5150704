/** The script-tag add-on with the German texts of `<video-consult>`: load it next to video-consult.js. */
import { DE } from '../element/strings-de.js';
import { registerStrings } from '../element/strings.js';

registerStrings('de', DE);
