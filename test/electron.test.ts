/**
 * End-to-end check of the desktop app: build with electron-vite, launch Electron, check the
 * window, and talk to the engine process through window.kinscan (the preload's MessagePort to the
 * utility process): ping, an error with its code and hint, no Node in the page, and a new port
 * after a reload. Runs only where an Electron binary exists (ELECTRON_OVERRIDE_DIST_PATH pointing
 * at an unpacked Electron build); the npm package's postinstall download cannot happen on an
 * offline machine. The engine process runs the compiled engine (`npm run build:engine`).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PROTOCOL_VERSION } from '../engine/protocol/api.js';

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
const ENGINE_ENTRY = join(ROOT, 'dist', 'engine', 'service', 'hosts', 'utility-process.js');

describe('desktop app', () => {
  it.skipIf(binary === undefined)(
    binary === undefined
      ? 'skipped: no Electron binary on this machine (set ELECTRON_OVERRIDE_DIST_PATH)'
      : 'builds, opens a window titled Kinscan, and the engine process answers through window.kinscan',
    async () => {
      expect(existsSync(ENGINE_ENTRY), 'run `npm run build:engine` first').toBe(true);
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
        const ping = "window.kinscan.call('app.ping', {})";
        await expect(page.evaluate(ping)).resolves.toEqual({ version, protocol: PROTOCOL_VERSION });
        await expect(
          page.evaluate("window.kinscan.call('project.info', {}).then(() => null, (e) => ({ name: e.name, code: e.code, hint: e.hint }))"),
        ).resolves.toEqual({ name: 'KinscanError', code: 'no-project', hint: 'Open or create a project first (or open the example project)' });
        await expect(page.evaluate("[typeof require, typeof process, Object.keys(window.kinscan).sort().join(',')]")).resolves.toEqual([
          'undefined',
          'undefined',
          'call,onEvent',
        ]);
        await expect(page.getByRole('button', { name: 'Open example project' }).isVisible()).resolves.toBe(true);
        // A reload is a new page with a new port to the same engine.
        await page.reload();
        await page.waitForLoadState('domcontentloaded');
        await expect(page.evaluate(ping)).resolves.toEqual({ version, protocol: PROTOCOL_VERSION });
      } finally {
        await app.close();
      }
    },
    180_000,
  );
});
