/**
 * Electron's security checklist, applied to every session and web contents of the app:
 *   - every permission request and check is denied (the app needs none: no camera, no
 *     notifications, no geolocation);
 *   - no request reaches the network (the app is offline; only the dev server under
 *     `electron-vite dev`) or a file outside the built renderer, on top of the page's
 *     Content-Security-Policy (renderer/index.html);
 *   - navigation away from the app's page is cancelled, new windows are denied, <webview> is refused;
 *   - every renderer is sandboxed (app.enableSandbox, before ready).
 * The window's own preferences (context isolation, no Node) are in window.ts.
 */
import { app, session, type Session, type WebContents } from 'electron';
import { isAppUrl, isBlockedRequest, type AppLocation } from './app-url.js';

/** Before app 'ready'. */
export function enableSandboxEverywhere(): void {
  app.enableSandbox();
}

function hardenSession(s: Session, at: AppLocation): void {
  s.setPermissionRequestHandler((_contents, _permission, callback) => callback(false));
  s.setPermissionCheckHandler(() => false);
  s.webRequest.onBeforeRequest((details, callback) => callback({ cancel: isBlockedRequest(details.url, at) }));
}

function guardContents(contents: WebContents, at: AppLocation): void {
  contents.setWindowOpenHandler(() => ({ action: 'deny' }));
  contents.on('will-navigate', (event, url) => {
    if (!isAppUrl(url, at)) event.preventDefault();
  });
  contents.on('will-redirect', (event, url) => {
    if (!isAppUrl(url, at)) event.preventDefault();
  });
  contents.on('will-attach-webview', (event) => event.preventDefault());
}

/** After app 'ready': the default session, every session created later, every web contents. */
export function applySecurityPolicy(at: AppLocation): void {
  hardenSession(session.defaultSession, at);
  app.on('session-created', (s) => hardenSession(s, at));
  app.on('web-contents-created', (_event, contents) => guardContents(contents, at));
}
