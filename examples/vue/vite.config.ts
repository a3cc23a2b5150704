import vue from '@vitejs/plugin-vue';
import { defineConfig } from 'vite';
import { packageAliases } from '../vite-shared.js';

export default defineConfig({
  root: import.meta.dirname,
  base: './',
  plugins: [
    vue({
      template: {
        // Both tags are custom elements, not Vue components: Vue then sets what the element has
        // as a property (token, iceServers, displayName) and the rest as attributes.
        compilerOptions: { isCustomElement: (tag) => tag === 'video-consult' || tag === 'video-consult-check' },
      },
    }),
  ],
  resolve: { alias: packageAliases },
  build: { outDir: 'dist', emptyOutDir: true },
});
