/**
 * Electron main process: lifecycle, window, menu, and routing between the
 * renderer (IPC) and the engine host (utility process). No statistics here.
 */
import { app, BrowserWindow, dialog, Menu } from 'electron';
import { showAbout } from './about.js';
import { EngineHost } from './engine-host.js';
import { broadcast, registerIpc } from './ipc.js';
import { buildAppMenu } from './menu.js';
import { openExample } from './open-example.js';
import { engineHostPath } from './paths.js';
import { createRouter } from './router.js';
import { createMainWindow } from './window.js';

app.setName('Kinscan');

if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  const engine = new EngineHost({ scriptPath: engineHostPath(), version: app.getVersion(), onEvent: broadcast });
  const route = createRouter({
    local: { openExample },
    forward: (method, params) => engine.request(method, params),
  });

  const focusedWindow = (): BrowserWindow | undefined =>
    BrowserWindow.getFocusedWindow() ?? BrowserWindow.getAllWindows()[0];

  const openExampleFromMenu = (): void => {
    openExample().then(
      (result) => broadcast({ type: 'projectOpened', path: result.path }),
      (e: unknown) => dialog.showErrorBox('Could not open the example project', e instanceof Error ? e.message : String(e)),
    );
  };

  app.on('second-instance', () => {
    const win = focusedWindow();
    if (win?.isMinimized()) win.restore();
    win?.focus();
  });

  app.on('window-all-closed', () => {
    if (process.platform !== 'darwin') app.quit();
  });

  app.on('will-quit', () => engine.stop());

  void app.whenReady().then(() => {
    registerIpc(route);
    Menu.setApplicationMenu(
      buildAppMenu({ openExample: openExampleFromMenu, about: () => void showAbout(focusedWindow()) }),
    );
    createMainWindow();
    app.on('activate', () => {
      if (BrowserWindow.getAllWindows().length === 0) createMainWindow();
    });
  });
}
