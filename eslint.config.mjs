// ESLint: JavaScript's and typescript-eslint's recommended rules everywhere, Lit's and the
// web-component rule sets on the elements. The type-aware sets are not on: they build the whole
// program on every run and would make `npm run lint` several times slower than it is (seconds).
// Formatting is Prettier's (prettier.config.mjs); nothing here is about layout.
// A rule is turned off or loosened only with its reason beside it.
import js from '@eslint/js';
import { defineConfig, globalIgnores } from 'eslint/config';
import lit from 'eslint-plugin-lit';
import wc from 'eslint-plugin-wc';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default defineConfig(
  globalIgnores(['**/dist/', 'docs/api/', 'coverage/', '.tmp/', 'run/']),
  { linterOptions: { reportUnusedDisableDirectives: 'error' } },
  js.configs.recommended,
  tseslint.configs.recommended,
  {
    rules: {
      // A leading underscore marks a name that is there on purpose and not read: a property taken
      // out of an object before spreading the rest, or the loop variable of `for await (const _ of …)`.
      '@typescript-eslint/no-unused-vars': [
        'error',
        {
          ignoreRestSiblings: true,
          argsIgnorePattern: '^_',
          varsIgnorePattern: '^_',
          caughtErrorsIgnorePattern: '^_',
          destructuredArrayIgnorePattern: '^_',
        },
      ],
      // `interface RelayedX extends X {}` names a message of its own in the protocol and the API docs.
      '@typescript-eslint/no-empty-object-type': ['error', { allowInterfaces: 'with-single-extends' }],
    },
  },
  {
    files: ['src/element/**/*.ts'],
    extends: [lit.configs['flat/recommended'], wc.configs['flat/recommended']],
    // The web-component rules look for classes that extend HTMLElement; ours extend LitElement.
    settings: { wc: { elementBaseClasses: ['LitElement'] } },
  },
  {
    files: ['test/**', 'bench/**'],
    rules: {
      // Tests and benchmarks read JSON frames off the wire and globals that a page set up, and assert
      // their shape at run time; typing each of them would say nothing the assertions do not.
      // src/ keeps the rule.
      '@typescript-eslint/no-explicit-any': 'off',
    },
  },
  // The browser side: src/ but the server, the demo, browser tests, and pages that tests and
  // benchmarks load.
  {
    files: [
      'src/**',
      'demo/**',
      'examples/**',
      'test/browser/**',
      'test/conformance/page.js',
      'test/support/peer.ts',
      'bench/support/*.js',
      'bench/*.page.ts',
    ],
    ignores: ['src/server/**'],
    languageOptions: { globals: globals.browser },
  },
  {
    files: ['test/browser/**'],
    languageOptions: { globals: globals.mocha },
  },
  // Node: the server, the Node tests, benchmarks, tools and config files.
  {
    files: ['src/server/**', 'test/**', 'bench/**', 'docs/tools/**', '*.mjs', '*.js'],
    ignores: ['test/browser/**', 'test/conformance/page.js', 'test/support/peer.ts', 'bench/support/*.js', 'bench/*.page.ts'],
    languageOptions: { globals: globals.node },
  },
);
