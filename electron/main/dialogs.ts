/**
 * The native open and save dialogs (engine/protocol/dialogs.ts), answered in the main process for
 * the app's own page only: the sender frame and the params are checked first (dialog-request.ts).
 * Each dialog is modal to the window that asked. Answers are outcomes ({ result } | { error }).
 */
import { BrowserWindow, dialog, ipcMain, type OpenDialogOptions } from 'electron';
import type { ErrorInfo } from '../../engine/protocol/api.js';
import { IPC } from '../shared/channels.js';
import { checkDialogRequest, type ValidDialogRequest } from './dialog-request.js';

type DialogOutcome = { result: unknown } | { error: ErrorInfo };

async function show(win: BrowserWindow, request: ValidDialogRequest): Promise<unknown> {
  if (request.method === 'dialog.openFile') {
    const p = request.params;
    const properties: OpenDialogOptions['properties'] = [p.folder ? 'openDirectory' : 'openFile'];
    if (p.multiple) properties.push('multiSelections');
    const r = await dialog.showOpenDialog(win, {
      ...(p.title !== undefined ? { title: p.title } : {}),
      ...(p.filters !== undefined ? { filters: p.filters } : {}),
      properties,
    });
    return { paths: r.canceled ? [] : r.filePaths };
  }
  const p = request.params;
  const r = await dialog.showSaveDialog(win, {
    ...(p.title !== undefined ? { title: p.title } : {}),
    ...(p.defaultName !== undefined ? { defaultPath: p.defaultName } : {}),
    ...(p.filters !== undefined ? { filters: p.filters } : {}),
  });
  return { path: r.canceled || !r.filePath ? null : r.filePath };
}

export function registerDialogs(isAppUrl: (url: string) => boolean): void {
  ipcMain.handle(IPC.dialog, async (event, raw: unknown): Promise<DialogOutcome> => {
    const frame = event.senderFrame;
    const sender = frame ? { url: frame.url, top: frame === event.sender.mainFrame } : null;
    const checked = checkDialogRequest(sender, raw, isAppUrl);
    if ('error' in checked) return checked;
    const win = BrowserWindow.fromWebContents(event.sender);
    if (!win) return { error: { code: 'internal', message: 'The window that asked for the dialog is gone' } };
    try {
      return { result: await show(win, checked.ok) };
    } catch (e) {
      return { error: { code: 'internal', message: e instanceof Error ? e.message : String(e), hint: 'This is a bug in Kinscan; please report it.' } };
    }
  });
}
