/** Help > About. */
import { app, dialog, type BrowserWindow } from 'electron';

export async function showAbout(parent: BrowserWindow | undefined): Promise<void> {
  const options = {
    type: 'info' as const,
    title: 'About Kinscan',
    message: `Kinscan ${app.getVersion()}`,
    detail: [
      'Offline desktop workstation for mixed-model GWAS.',
      '',
      `Electron ${process.versions.electron}, Chromium ${process.versions.chrome}, Node ${process.versions.node}`,
    ].join('\n'),
  };
  await (parent ? dialog.showMessageBox(parent, options) : dialog.showMessageBox(options));
}
