// Prettier, set to the style the code was written in, so that formatting changes as little as
// possible: single quotes, semicolons, trailing commas, `(x) =>`, `{ a }`.
//
// printWidth 150: the code has many deliberate one-line calls and table-like rows well past 100
// columns. Measured on the tree before it was first formatted (lines of the existing code that
// `prettier --write` rewrites): 100 → 1724, 120 → 971, 140 → 677, 150 → 646, 160 → 670, 180 → 787.
//
// embeddedLanguageFormatting 'off': Prettier would otherwise re-lay the HTML inside Lit's html``
// templates and the CSS inside css``, where whitespace between inline elements is rendered; those
// templates stay as written.
/** @type {import('prettier').Config} */
export default {
  printWidth: 150,
  singleQuote: true,
  embeddedLanguageFormatting: 'off',
};
