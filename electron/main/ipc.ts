/** The IPC boundary with renderers: one request channel in, one event channel out. */
import { BrowserWindow, ipcMain, type IpcMainInvokeEvent } from 'electron';
import type { KinscanEvent, ResponseEnvelope } from '../../engine/protocol/api.js';
import { IPC } from '../shared/channels.js';
import { isAppUrl } from './paths.js';
import type { Route } from './router.js';

function fromOurRenderer(event: IpcMainInvokeEvent): boolean {
  const url = event.senderFrame?.url;
  return url !== undefined && isAppUrl(url);
}

export function registerIpc(route: Route): void {
  ipcMain.handle(IPC.request, (event, raw: unknown): Promise<ResponseEnvelope> => {
    if (!fromOurRenderer(event)) return Promise.resolve({ id: -1, error: { message: 'Request from an untrusted page' } });
    return route(raw);
  });
}

export function broadcast(event: KinscanEvent): void {
  for (const win of BrowserWindow.getAllWindows()) win.webContents.send(IPC.event, event);
}
