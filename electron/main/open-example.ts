/** `openExample`, answered in the main process because only it knows where resources are. */
import { stat } from 'node:fs/promises';
import type { OpenExampleResult } from '../../engine/protocol/api.js';
import { exampleProjectDir } from './paths.js';

export async function openExample(): Promise<OpenExampleResult> {
  const dir = exampleProjectDir();
  const info = await stat(dir).catch(() => null);
  if (!info?.isDirectory()) {
    throw new Error(`The example project is missing (${dir}). Reinstall Kinscan to restore it.`);
  }
  // TODO(store): have the engine host open the project once engine/store exists.
  return { path: dir };
}
