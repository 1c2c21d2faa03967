/**
 * electron-vite build of the desktop app into out/:
 *   out/main/index.js        main process (ESM)
 *   out/preload/index.cjs    preload (CommonJS, so the renderer can stay sandboxed)
 *   out/renderer/            Svelte UI
 * The engine process the main process forks is not bundled here: it is the compiled engine's
 * dist/engine/service/hosts/utility-process.js (`npm run build:engine`), because the engine finds
 * its worker scripts and WebAssembly kernels beside its own modules, which a bundle would move.
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
        input: { index: at('electron/main/index.ts') },
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
