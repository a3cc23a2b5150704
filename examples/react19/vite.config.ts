import { defineConfig } from 'vite';
import { packageAliases } from '../vite-shared.js';

export default defineConfig({
  root: import.meta.dirname,
  base: './',
  // React from this example's own dependencies, also for @lit/react inside the package.
  resolve: { alias: packageAliases, dedupe: ['react', 'react-dom'] },
  build: { outDir: 'dist', emptyOutDir: true },
});
