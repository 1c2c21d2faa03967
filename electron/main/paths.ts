/** Where the built app's pieces live, in development and when packaged. */
import { app } from 'electron';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

/** out/main, where this file is bundled to. */
const mainDir = import.meta.dirname;

export const preloadPath = (): string => join(mainDir, '..', 'preload', 'index.cjs');
export const rendererIndexPath = (): string => join(mainDir, '..', 'renderer', 'index.html');
export const engineHostPath = (): string => join(mainDir, 'engine-host.js');
export const iconPath = (): string => join(app.getAppPath(), 'resources', 'icons', 'icon.png');

/** The dev server's URL under `electron-vite dev`, else undefined. */
export const devServerUrl = (): string | undefined => process.env['ELECTRON_RENDERER_URL'];

/** The example project: shipped as an extra resource when packaged, from the repo in development. */
export function exampleProjectDir(): string {
  return app.isPackaged ? join(process.resourcesPath, 'example') : join(app.getAppPath(), 'resources', 'example');
}

/**
 * True for URLs of our own renderer: the dev server, or exactly the built index.html
 * (not any file:// page, e.g. an HTML file dropped onto the window).
 */
export function isAppUrl(url: string): boolean {
  const dev = devServerUrl();
  if (dev !== undefined) return url.startsWith(dev);
  return url.split(/[?#]/, 1)[0] === pathToFileURL(rendererIndexPath()).href;
}
