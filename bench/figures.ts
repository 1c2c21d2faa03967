/**
 * Figures and the report: a 1,000,000-SNP Manhattan plot (the store bench's project, run 1) from
 * the project to a 600 dpi double-column PNG and to a PDF, and the HTML and PDF reports of a mouse
 * trait 1 run (a project made once in .bench-cache/), each as a whole `kinscan` process and in
 * process, with file sizes. Targets: under 3 s for each Manhattan file; the 1M-SNP PDF under 2 MB.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runFigureScene } from '../engine/export/figures.js';
import { paintSceneToFile } from '../engine/export/paint/index.js';
import { figureRequestSchema } from '../engine/protocol/figures.js';
import { Project } from '../engine/store/project.js';
import { storeBenchProject } from './store-queries.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const cache = join(root, '.bench-cache');
const cli = join(root, 'bin', 'kinscan.js');

export interface FigureTiming {
  name: string;
  seconds: number;
  bytes?: number;
  targetSeconds?: number;
  targetBytes?: number;
}

function timedCli(args: string[]): number {
  const t = performance.now();
  const r = spawnSync('node', [cli, ...args, '--quiet'], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`kinscan ${args.join(' ')} failed (${r.status}): ${r.stderr.slice(-2000)}`);
  return (performance.now() - t) / 1000;
}

const size = (p: string): number => statSync(p).size;

function mouseProject(): string {
  const dir = join(cache, 'figures');
  mkdirSync(dir, { recursive: true });
  const path = join(dir, 'mouse.kinscan');
  if (existsSync(path)) {
    // Opened for writing: a project from an older Kinscan is upgraded (a read-only open refuses it).
    const p = Project.open(path, { command: 'bench' });
    const ok = p.runs().some((r) => r.status === 'done');
    p.close();
    if (ok) return path;
    rmSync(path, { force: true });
  }
  const prefix = join(root, 'resources', 'example', 'mouse_hs1940');
  const r = spawnSync('node', [cli, 'scan', '--project', path, '--bfile', prefix, '--pheno', `${prefix}.pheno.csv`, '--trait', 'trait1', '--quiet'], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`mouse scan failed: ${r.stderr}`);
  return path;
}

export async function benchFigures(): Promise<FigureTiming[]> {
  const out: FigureTiming[] = [];
  const dir = join(cache, 'figures');
  mkdirSync(dir, { recursive: true });
  const big = storeBenchProject();
  const req = figureRequestSchema.parse({ kind: 'manhattan', widthMm: 183 });
  for (const [format, dpi] of [['png', 600], ['pdf', 300]] as const) {
    const file = join(dir, `manhattan-1m.${format}`);
    // In process: project series -> scene -> file (the project already open, as in the app).
    const p = Project.open(big, { readonly: true, check: 'none' });
    const t = performance.now();
    const scene = runFigureScene(p, 1, req);
    await paintSceneToFile(scene, file, { format, dpi, outlineText: false });
    const seconds = (performance.now() - t) / 1000;
    p.close();
    out.push({ name: `1M-SNP Manhattan -> ${format.toUpperCase()} (${dpi} dpi, 183 mm), in process`, seconds, bytes: size(file), targetSeconds: 3, ...(format === 'pdf' ? { targetBytes: 2 << 20 } : {}) });
    const cliSeconds = timedCli(['plot', 'manhattan', '--project', big, '--run', '1', '--dpi', String(dpi), '--out', file]);
    out.push({ name: `  the same as a kinscan plot process (incl. start-up and the project's open check)`, seconds: cliSeconds, bytes: size(file) });
  }
  const mouse = mouseProject();
  const run = '1';
  for (const ext of ['html', 'pdf']) {
    const file = join(dir, `mouse-report.${ext}`);
    const seconds = timedCli(['report', '--project', mouse, '--run', run, '--out', file]);
    out.push({ name: `mouse trait 1 report -> ${ext.toUpperCase()} (kinscan report process)`, seconds, bytes: size(file) });
  }
  return out;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  for (const r of await benchFigures()) process.stdout.write(formatFigureTiming(r) + '\n');
}

export function formatFigureTiming(r: FigureTiming): string {
  const mb = r.bytes !== undefined ? `${(r.bytes / 1e6).toFixed(2).padStart(7)} MB` : '';
  const checks = [
    r.targetSeconds !== undefined ? (r.seconds < r.targetSeconds ? `< ${r.targetSeconds} s ok` : `target ${r.targetSeconds} s SLOW`) : '',
    r.targetBytes !== undefined && r.bytes !== undefined ? (r.bytes < r.targetBytes ? `< ${(r.targetBytes / 1048576).toFixed(0)} MiB ok` : 'TOO BIG') : '',
  ].filter(Boolean);
  return `  ${r.name.padEnd(78)} ${r.seconds.toFixed(2).padStart(6)} s ${mb}${checks.length ? '   ' + checks.join(', ') : ''}`;
}
