/**
 * `video-consult/de`: the German texts of `<video-consult>`. Importing this module registers them,
 * so `lang="de"` (or `de-CH`, `de-AT`, …) on the element or the page shows German.
 * @packageDocumentation
 */
import { DE } from './element/strings-de.js';
import { registerStrings } from './element/strings.js';

export { DE } from './element/strings-de.js';

registerStrings('de', DE);
