/**
 * electron-vite build of the desktop app into out/:
 *   out/main/index.js        main process (ESM)
 *   out/main/engine-host.js  utility-process entry (ESM), forked by the main process
 *   out/preload/index.cjs    preload (CommonJS, so the renderer can stay sandboxed)
 *   out/renderer/            Svelte UI
 * Building needs no Electron binary; running does.
 */
import { resolve } from 'node:path';
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { defineConfig } from 'electron-vite';

const root = import.meta.dirname;
const at = (path: string): string => resolve(root, path);

export default defineConfig({
  main: {
    build: {
      outDir: at('out/main'),
      rolldownOptions: {
        input: {
          index: at('electron/main/index.ts'),
          'engine-host': at('electron/engine-host/index.ts'),
        },
      },
    },
  },
  preload: {
    build: {
      outDir: at('out/preload'),
      // The preload imports `electron` only (plus inlined local code), as a sandboxed preload must.
      externalizeDeps: false,
      rolldownOptions: {
        input: { index: at('electron/preload/index.ts') },
        output: { format: 'cjs', entryFileNames: '[name].cjs' },
      },
    },
  },
  renderer: {
    root: at('renderer'),
    plugins: [svelte()],
    build: {
      outDir: at('out/renderer'),
      rolldownOptions: {
        input: { index: at('renderer/index.html') },
      },
    },
  },
});
