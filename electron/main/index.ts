/**
 * Electron main process: lifecycle, security policy, the engine process, windows and menu. No
 * statistics and no application logic here: pages talk to the engine over their own MessagePort
 * (Electron's MessagePort pattern), and the main process is one more client of the engine for its
 * menu (over a port of its own).
 *
 *   main ── utilityProcess.fork ──> engine (dist/engine/service/hosts/utility-process.js)
 *   main ── MessageChannelMain: port1 -> engine ('connect'), port2 -> page (IPC.port, every load)
 *   page ── port2 <──────────────────────────────> engine   (requests, responses, events)
 *   page ── ipcRenderer.invoke(IPC.dialog) ──> main         (native dialogs only)
 */
import { app, BrowserWindow, dialog, Menu, type MessagePortMain, type WebContents } from 'electron';
import { KinscanError } from '../../engine/protocol/api.js';
import { IPC } from '../shared/channels.js';
import { createEngineConnection, type ClientPort } from '../shared/engine-connection.js';
import { showAbout } from './about.js';
import { isAppUrl } from './app-url.js';
import { registerDialogs } from './dialogs.js';
import { EngineProcess } from './engine-process.js';
import { buildAppMenu } from './menu.js';
import { appLocation, engineEntryPath, engineHostOptions } from './paths.js';
import { applySecurityPolicy, enableSandboxEverywhere } from './security.js';
import { createMainWindow } from './window.js';

app.setName('Kinscan');
enableSandboxEverywhere();

/** A MessagePortMain as the shared connection's port. */
function clientPort(port: MessagePortMain): ClientPort {
  return {
    postMessage: (message) => port.postMessage(message),
    addEventListener: (type: 'message' | 'close', listener: (event: { data: unknown }) => void) => void port.on(type as 'message', listener),
    start: () => port.start(),
    close: () => port.close(),
  };
}

if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  const at = appLocation();
  const ours = (url: string): boolean => isAppUrl(url, at);
  /** The main process's own client of the engine (the menu's actions). */
  const mainClient = createEngineConnection();

  const handOffPort = (contents: WebContents): void => {
    if (contents.isDestroyed() || !ours(contents.getURL())) return;
    const port = engine.connect();
    if (port) contents.postMessage(IPC.port, null, [port]);
  };

  let gaveUp = false;
  const engine = new EngineProcess({
    entry: engineEntryPath(),
    options: engineHostOptions(),
    onUp() {
      const own = engine.connect();
      if (own) mainClient.attach(clientPort(own));
      for (const win of BrowserWindow.getAllWindows()) handOffPort(win.webContents);
    },
    onDown(reason, restarting) {
      mainClient.lost(reason);
      for (const win of BrowserWindow.getAllWindows()) {
        if (!win.webContents.isDestroyed()) win.webContents.send(IPC.engineDown, reason);
      }
      if (!restarting && !gaveUp) {
        gaveUp = true;
        dialog.showErrorBox('The Kinscan engine stopped', reason);
      }
    },
  });

  const openWindow = (): BrowserWindow => {
    const win = createMainWindow();
    // A new port for every page load (the first, and every reload): the old page's port died with it.
    win.webContents.on('dom-ready', () => handOffPort(win.webContents));
    return win;
  };

  const focusedWindow = (): BrowserWindow | undefined =>
    BrowserWindow.getFocusedWindow() ?? BrowserWindow.getAllWindows()[0];

  const openExampleFromMenu = (): void => {
    // The engine announces the opened project to every page with a 'project' event.
    mainClient.request('project.openExample', {}).catch((e: unknown) => {
      const hint = e instanceof KinscanError && e.hint ? `\n\n${e.hint}` : '';
      dialog.showErrorBox('Could not open the example project', `${e instanceof Error ? e.message : String(e)}${hint}`);
    });
  };

  app.on('second-instance', () => {
    const win = focusedWindow();
    if (win?.isMinimized()) win.restore();
    win?.focus();
  });

  app.on('window-all-closed', () => {
    if (process.platform !== 'darwin') app.quit();
  });

  // Let the engine close its project (and stop its scans) before the app exits.
  let engineStopped = false;
  app.on('will-quit', (event) => {
    if (engineStopped || !engine.running) return;
    event.preventDefault();
    void engine.stop().then(() => {
      engineStopped = true;
      app.quit();
    });
  });

  void app.whenReady().then(() => {
    applySecurityPolicy(at);
    registerDialogs(ours);
    engine.start();
    Menu.setApplicationMenu(
      buildAppMenu({ openExample: openExampleFromMenu, about: () => void showAbout(focusedWindow()) }),
    );
    openWindow();
    app.on('activate', () => {
      if (BrowserWindow.getAllWindows().length === 0) openWindow();
    });
  });
}
