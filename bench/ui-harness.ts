/**
 * A page built from the renderer's own sources (vite + the Svelte plugin, as `npm run build:app`
 * builds the app) for checking one piece of the UI in Chromium on its own (the canvas painter
 * against the engine's PNG, test/renderer/paint-scene.browser.test.ts): an index.html with the app's CSP and an entry module written into a folder,
 * built into <folder>/out, which `kinscan serve` (startServer's rendererDir) can host.
 *
 * The entry is given as source text; it imports renderer modules by the absolute paths of
 * `rendererSource(...)`.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../server/package-root.js';

const repoRoot = packageRoot();

/** The absolute path of a file under renderer/src, for an entry's imports. */
export function rendererSource(relative: string): string {
  return join(repoRoot, 'renderer', 'src', relative);
}

/** The app's Content-Security-Policy, read from renderer/index.html so the page runs under the same rules. */
function appCsp(): string {
  const html = readFileSync(join(repoRoot, 'renderer', 'index.html'), 'utf8');
  const m = /http-equiv="Content-Security-Policy"\s+content="([^"]+)"/.exec(html);
  if (!m) throw new Error('renderer/index.html has no Content-Security-Policy meta tag');
  return m[1]!;
}

/** Build a page whose module is `entrySource` into `dir`/out; returns that folder. */
export async function buildHarnessPage(dir: string, entrySource: string, title: string): Promise<string> {
  mkdirSync(dir, { recursive: true });
  writeFileSync(
    join(dir, 'index.html'),
    `<!doctype html>\n<html lang="en">\n<head>\n<meta charset="UTF-8" />\n<meta http-equiv="Content-Security-Policy" content="${appCsp()}" />\n` +
      `<title>${title}</title>\n</head>\n<body>\n<main id="app"></main>\n<script type="module" src="./entry.js"></script>\n</body>\n</html>\n`,
  );
  writeFileSync(join(dir, 'entry.js'), entrySource);
  const { build } = await import('vite');
  const { svelte } = await import('@sveltejs/vite-plugin-svelte');
  const outDir = join(dir, 'out');
  await build({
    root: dir,
    configFile: false,
    logLevel: 'warn',
    plugins: [svelte({ configFile: false })],
    build: { outDir, emptyOutDir: true, minify: false },
  });
  return outDir;
}
