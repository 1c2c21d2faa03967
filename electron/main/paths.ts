/** Where the built app's pieces live, in development and when packaged. */
import { app } from 'electron';
import { join, parse } from 'node:path';
import type { EngineHostOptions } from '../../engine/protocol/engine-host.js';
import type { AppLocation } from './app-url.js';

/** out/main, where this file is bundled to. */
const mainDir = import.meta.dirname;

export const preloadPath = (): string => join(mainDir, '..', 'preload', 'index.cjs');
export const rendererIndexPath = (): string => join(mainDir, '..', 'renderer', 'index.html');
export const iconPath = (): string => join(app.getAppPath(), 'resources', 'icons', 'icon.png');

/**
 * The engine's entry script, compiled by `npm run build:engine` with the rest of the engine
 * (dist/engine/**, packed by electron-builder): its workers and WebAssembly kernels are found
 * beside their modules there, which a bundle would move.
 */
export const engineEntryPath = (): string => join(unpackedAppPath(), 'dist', 'engine', 'service', 'hosts', 'utility-process.js');

/** The app's folder, outside the asar archive when packaged (electron-builder.yml unpacks dist/engine there). */
function unpackedAppPath(): string {
  const appPath = app.getAppPath();
  return app.isPackaged ? appPath.replace(/app\.asar$/, 'app.asar.unpacked') : appPath;
}

/** The dev server's URL under `electron-vite dev`, else undefined. */
export const devServerUrl = (): string | undefined => process.env['ELECTRON_RENDERER_URL'];

export const appLocation = (): AppLocation => ({ devServerUrl: devServerUrl(), rendererIndexFile: rendererIndexPath() });

/** The example data: shipped as an extra resource when packaged, from the repo in development. */
export function exampleDir(): string {
  return app.isPackaged ? join(process.resourcesPath, 'example') : join(app.getAppPath(), 'resources', 'example');
}

/** What the engine process starts with. The desktop app reaches the whole file system (of the home folder's drive). */
export function engineHostOptions(): EngineHostOptions {
  return {
    stateDir: app.getPath('userData'),
    exampleDir: exampleDir(),
    filesRoot: parse(app.getPath('home')).root,
    developer: process.env['KINSCAN_DEVELOPER'] === '1',
  };
}
