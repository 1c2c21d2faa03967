/// <reference types="svelte" />
/// <reference types="vite/client" />
import type { KinscanApi } from '../../engine/protocol/api.js';

declare global {
  interface Window {
    /** The one API the preload script exposes; the renderer's only way out. */
    readonly kinscan: KinscanApi;
  }
}
