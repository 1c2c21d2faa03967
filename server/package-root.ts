/**
 * Where the kinscan package lives (the folder of its package.json, found walking up from this
 * module: the same from the TypeScript sources and from dist/), and the pieces `kinscan serve`
 * takes from it: the built renderer and the bundled example.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

function isKinscanPackage(file: string): boolean {
  if (!existsSync(file)) return false;
  try {
    return (JSON.parse(readFileSync(file, 'utf8')) as { name?: unknown }).name === 'kinscan';
  } catch {
    return false;
  }
}

/** The package folder; throws when this module is not inside a kinscan package. */
export function packageRoot(from: string = dirname(fileURLToPath(import.meta.url))): string {
  let dir = from;
  for (;;) {
    if (isKinscanPackage(join(dir, 'package.json'))) return dir;
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`no package.json of kinscan above ${from}`);
    dir = parent;
  }
}

/** The built renderer: out/renderer of `npm run build:app`. */
export const rendererDir = (): string => join(packageRoot(), 'out', 'renderer');

/** The bundled example data (mouse HS1940). */
export const exampleDir = (): string => join(packageRoot(), 'resources', 'example');
