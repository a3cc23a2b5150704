/**
 * File names and types that come from the other side are untrusted: they are shown in the page and
 * may become the name of a file on disk.
 */

/** Longest name we keep, in UTF-16 code units: well under every file system's 255-byte limit once encoded. */
export const MAX_NAME_LENGTH = 120;
const MAX_EXTENSION_LENGTH = 16;

// C0 and C1 controls; bidi embeddings, overrides, isolates and marks (the "txt.exe" trick,
// CVE-2021-42574); zero-width characters and the BOM.
// eslint-disable-next-line no-control-regex -- control characters are what this removes
const INVISIBLE = /[\u0000-\u001f\u007f-\u009f\u061c\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff]/g;
// Path separators and the characters Windows forbids in names.
const FORBIDDEN = /[/\\:*?"<>|]/g;
// Device names Windows reserves, with or without an extension ("con.txt" is reserved too).
const RESERVED = /^(con|prn|aux|nul|com[0-9¹²³]|lpt[0-9¹²³]|conin\$|conout\$)(\..*)?$/i;

/**
 * Makes a name from the peer safe to show and to save: no directory parts, no `..`, no control
 * or bidi characters, no reserved Windows device names, no leading or trailing dots and spaces,
 * and at most {@link MAX_NAME_LENGTH} characters with the extension kept. Never returns an empty name.
 */
export function sanitizeFileName(raw: string, fallback = 'file'): string {
  let name = String(raw).normalize('NFC').replace(INVISIBLE, '').replace(FORBIDDEN, '_');
  name = name.replace(/\.{2,}/g, '.').replace(/^[.\s]+|[.\s]+$/g, '');
  if (RESERVED.test(name)) name = `_${name}`;
  if (name.length > MAX_NAME_LENGTH) {
    const dot = name.lastIndexOf('.');
    const ext = dot > 0 && name.length - dot <= MAX_EXTENSION_LENGTH ? name.slice(dot) : '';
    // Cut by code points, so no surrogate pair is split in half.
    const stem = Array.from(name.slice(0, name.length - ext.length)).slice(0, MAX_NAME_LENGTH - ext.length);
    while (stem.join('').length > MAX_NAME_LENGTH - ext.length) stem.pop();
    name = stem.join('').replace(/[.\s]+$/, '') + ext;
  }
  return name || fallback;
}

/**
 * Whether a file matches an `accept` list in the form of `<input type="file" accept>`: MIME types
 * (`application/pdf`), wildcards (`image/*`) and extensions (`.pdf`). An empty list accepts everything.
 */
export function isAcceptedType(name: string, mime: string, accept: readonly string[] | undefined): boolean {
  if (!accept || accept.length === 0) return true;
  const lowerName = name.toLowerCase();
  const lowerMime = mime.toLowerCase();
  return accept.some((entry) => {
    const a = entry.trim().toLowerCase();
    if (!a) return false;
    if (a.startsWith('.')) return lowerName.endsWith(a);
    if (a.endsWith('/*')) return lowerMime.startsWith(a.slice(0, -1));
    return lowerMime === a;
  });
}
