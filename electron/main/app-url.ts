/**
 * Which URLs are the app's own page, and which requests the page may make: nothing from the
 * network (only the dev server under `electron-vite dev`), and no file outside the built renderer's
 * folder. Pure (no Electron), so test/app-routing.test.ts checks it under Node.
 */
import { dirname, relative, isAbsolute } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export interface AppLocation {
  /** The dev server's URL under `electron-vite dev`, else undefined. */
  devServerUrl: string | undefined;
  /** The built renderer's index.html. */
  rendererIndexFile: string;
}

function parse(url: string): URL | undefined {
  try {
    return new URL(url);
  } catch {
    return undefined;
  }
}

/**
 * True for the app's own page: a page of the dev server's origin, or exactly the built index.html
 * (not any file:// page, e.g. an HTML file dropped onto the window).
 */
export function isAppUrl(url: string, at: AppLocation): boolean {
  const u = parse(url);
  if (!u) return false;
  if (at.devServerUrl !== undefined) {
    const dev = parse(at.devServerUrl);
    return dev !== undefined && u.origin === dev.origin;
  }
  if (u.protocol !== 'file:') return false;
  u.search = '';
  u.hash = '';
  return u.href === pathToFileURL(at.rendererIndexFile).href;
}

const NETWORK_SCHEMES = new Set(['http:', 'https:', 'ws:', 'wss:', 'ftp:']);

function insideRendererFolder(u: URL, at: AppLocation): boolean {
  let file: string;
  try {
    file = fileURLToPath(u);
  } catch {
    return false;
  }
  const rel = relative(dirname(at.rendererIndexFile), file);
  return rel !== '' && !rel.startsWith('..') && !isAbsolute(rel);
}

/**
 * A request the page must not make: one that would reach the network (anything but the dev
 * server: the app loads no remote content), or a file outside the built renderer's folder.
 */
export function isBlockedRequest(url: string, at: AppLocation): boolean {
  const u = parse(url);
  if (!u) return true;
  if (u.protocol === 'file:') return !insideRendererFolder(u, at);
  if (!NETWORK_SCHEMES.has(u.protocol)) return false;
  if (at.devServerUrl === undefined) return true;
  const dev = parse(at.devServerUrl);
  if (!dev) return true;
  // The dev server's page, and its hot-reload socket on the same host and port.
  return !(u.host === dev.host && (u.protocol === dev.protocol || u.protocol === (dev.protocol === 'https:' ? 'wss:' : 'ws:')));
}
