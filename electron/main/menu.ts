/** The application menu: File (Open example project, Quit) and Help (About). */
import { app, Menu, type MenuItemConstructorOptions } from 'electron';

export interface MenuActions {
  openExample(): void;
  about(): void;
}

export function buildAppMenu(actions: MenuActions): Menu {
  const isMac = process.platform === 'darwin';
  const file: MenuItemConstructorOptions = {
    label: '&File',
    submenu: [
      { label: 'Open &example project', accelerator: 'CmdOrCtrl+E', click: () => actions.openExample() },
      { type: 'separator' },
      { role: 'quit' },
    ],
  };
  const develop: MenuItemConstructorOptions = {
    label: '&Develop',
    submenu: [{ role: 'reload' }, { role: 'toggleDevTools' }],
  };
  const help: MenuItemConstructorOptions = {
    role: 'help',
    label: '&Help',
    submenu: [{ label: '&About Kinscan', click: () => actions.about() }],
  };
  const template: MenuItemConstructorOptions[] = [
    ...(isMac ? [{ role: 'appMenu' } satisfies MenuItemConstructorOptions] : []),
    file,
    ...(isMac ? [{ role: 'editMenu' } satisfies MenuItemConstructorOptions] : []),
    ...(app.isPackaged ? [] : [develop]),
    help,
  ];
  return Menu.buildFromTemplate(template);
}
