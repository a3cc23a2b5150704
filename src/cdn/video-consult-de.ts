/** The script-tag add-on with the German texts of `<video-consult>`: video-consult.js loads it from its own folder when an element shows German; a page may still load it itself. */
import { DE } from '../element/strings-de.js';
import { registerStrings } from '../element/strings.js';

registerStrings('de', DE);
