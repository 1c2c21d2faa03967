/** The main window: sandboxed, context-isolated, no Node in the renderer. */
import { BrowserWindow } from 'electron';
import { devServerUrl, iconPath, isAppUrl, preloadPath, rendererIndexPath } from './paths.js';

export function createMainWindow(): BrowserWindow {
  const win = new BrowserWindow({
    title: 'Kinscan',
    width: 1280,
    height: 820,
    minWidth: 800,
    minHeight: 560,
    show: false,
    icon: iconPath(),
    webPreferences: {
      preload: preloadPath(),
      sandbox: true,
      contextIsolation: true,
      nodeIntegration: false,
    },
  });
  win.once('ready-to-show', () => win.show());
  win.webContents.setWindowOpenHandler(() => ({ action: 'deny' }));
  win.webContents.on('will-navigate', (event, url) => {
    if (!isAppUrl(url)) event.preventDefault();
  });
  const dev = devServerUrl();
  void (dev !== undefined ? win.loadURL(dev) : win.loadFile(rendererIndexPath()));
  return win;
}
