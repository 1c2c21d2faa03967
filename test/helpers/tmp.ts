import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';

/** A fresh temporary folder, removed after the test file. */
export function tempDir(prefix = 'kinscan-'): string {
  const d = mkdtempSync(join(tmpdir(), prefix));
  afterAll(() => rmSync(d, { recursive: true, force: true }));
  return d;
}
