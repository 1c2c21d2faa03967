// Copies the checked-in WebAssembly kernels (dense kernels, the VCF record scanner) next to the compiled engine, so that dist/ alone runs
// them (electron-builder packs dist/engine/**; the loader also looks under engine/ as a fallback).
import { copyFileSync, mkdirSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
for (const dir of [['engine', 'stats', 'kernels', 'wasm'], ['engine', 'io', 'wasm']]) {
  const from = join(root, ...dir);
  const to = join(root, 'dist', ...dir);
  mkdirSync(to, { recursive: true });
  for (const f of readdirSync(from).filter((f) => f.endsWith('.wasm'))) copyFileSync(join(from, f), join(to, f));
}
