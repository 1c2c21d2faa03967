import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The compiled worker script `name` (e.g. 'kinship-worker.js') beside the module at `moduleUrl`
 * (its import.meta.url). Workers run plain JavaScript, so from the TypeScript sources (under
 * vitest) the copy under dist/ is used. Undefined when it has not been built.
 */
export function workerScriptBeside(moduleUrl: string, name: string): string | undefined {
  const dir = path.dirname(fileURLToPath(moduleUrl));
  let file = path.join(dir, name);
  if (fileURLToPath(moduleUrl).endsWith('.ts')) {
    const at = dir.lastIndexOf(`${path.sep}engine`);
    if (at < 0) return undefined;
    file = path.join(dir.slice(0, at), 'dist', dir.slice(at + 1), name);
  }
  return existsSync(file) ? file : undefined;
}
