/**
 * End-to-end check of the desktop app: build with electron-vite, launch Electron,
 * check the window. Runs only where an Electron binary exists
 * (ELECTRON_OVERRIDE_DIST_PATH pointing at an unpacked Electron build); the npm
 * package's postinstall download cannot happen on an offline machine.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..');

/** The Electron executable under ELECTRON_OVERRIDE_DIST_PATH, if there is one. */
function electronBinary(): string | undefined {
  const dist = process.env['ELECTRON_OVERRIDE_DIST_PATH'];
  if (!dist) return undefined;
  const name =
    process.platform === 'win32'
      ? 'electron.exe'
      : process.platform === 'darwin'
        ? 'Electron.app/Contents/MacOS/Electron'
        : 'electron';
  const binary = join(dist, name);
  return existsSync(binary) ? binary : undefined;
}

const binary = electronBinary();
const version = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;

describe('desktop app', () => {
  it.skipIf(binary === undefined)(
    binary === undefined
      ? 'skipped: no Electron binary on this machine (set ELECTRON_OVERRIDE_DIST_PATH)'
      : 'builds, opens a window titled Kinscan, and the engine host answers ping',
    async () => {
      execFileSync(process.execPath, [join(ROOT, 'node_modules/electron-vite/bin/electron-vite.js'), 'build'], {
        cwd: ROOT,
        stdio: 'pipe',
      });
      const { _electron } = await import('playwright-core');
      const env = Object.fromEntries(
        Object.entries(process.env).filter(
          (entry): entry is [string, string] => entry[1] !== undefined && entry[0] !== 'ELECTRON_RUN_AS_NODE',
        ),
      );
      const args = [ROOT, ...(process.getuid?.() === 0 ? ['--no-sandbox'] : [])];
      const app = await _electron.launch({ executablePath: binary, args, cwd: ROOT, env, timeout: 60_000 });
      try {
        const page = await app.firstWindow();
        await page.waitForLoadState('domcontentloaded');
        const title = await app.evaluate(({ BrowserWindow }) => BrowserWindow.getAllWindows()[0]?.getTitle());
        expect(title).toBe('Kinscan');
        await expect(page.evaluate('window.kinscan.ping()')).resolves.toEqual({ version });
        await expect(page.getByRole('button', { name: 'Open example project' }).isVisible()).resolves.toBe(true);
      } finally {
        await app.close();
      }
    },
    180_000,
  );
});
