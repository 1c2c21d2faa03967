/**
 * The QC preview on mouse HS1940 (1,940 x 12,226): a project with the bundled set and its sheet,
 * made once into .bench-cache/qc-mouse/. Each case is timed on a freshly opened read-only project
 * (empty SQLite page cache, no counts kept from an earlier call), five times, median reported:
 *   - all genotyped individuals (the counts stored at import);
 *   - trait 1's 1,410 analysed individuals, first call (one pass over the genotype BLOBs);
 *   - trait 1 again with other thresholds (what moving a slider costs: the counts are kept).
 *
 *   npx tsc -p tsconfig.build.json && node dist/bench/qc-preview.js
 */
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Project } from '../engine/store/project.js';
import { qcPreview } from '../engine/store/qc-preview.js';

export interface QcPreviewTiming {
  name: string;
  ms: number;
  target: number;
}

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const mouse = join(root, 'resources', 'example', 'mouse_hs1940');
const cacheDir = join(root, '.bench-cache', 'qc-mouse');
const projectPath = join(cacheDir, 'mouse.kinscan');

function ensureProject(): { datasetId: number; sheetId: number } {
  if (existsSync(projectPath)) {
    try {
      const p = Project.open(projectPath, { readonly: true });
      try {
        const [ds] = p.datasets();
        const [sh] = p.sheets();
        if (ds && sh && p.datasets().length === 1) return { datasetId: ds.id, sheetId: sh.id };
      } finally {
        p.close();
      }
    } catch {
      // Made by another layout or damaged: made again below.
    }
  }
  rmSync(cacheDir, { recursive: true, force: true });
  mkdirSync(cacheDir, { recursive: true });
  const p = Project.open(projectPath, { create: true, command: 'bench' });
  try {
    const ids = { datasetId: p.importDataset(mouse).id, sheetId: p.importSheet(`${mouse}.pheno.csv`).id };
    p.checkpoint();
    return ids;
  } finally {
    p.close();
  }
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

/** Median ms of `timed` on a fresh read-only open, after `warm` (untimed) on the same connection. */
function time(timed: (p: Project) => void, warm?: (p: Project) => void, reps = 5): number {
  const ms: number[] = [];
  for (let r = 0; r < reps; r++) {
    const p = Project.open(projectPath, { readonly: true, check: 'none' });
    try {
      warm?.(p);
      const t = performance.now();
      timed(p);
      ms.push(performance.now() - t);
    } finally {
      p.close();
    }
  }
  return median(ms);
}

export function benchQcPreview(): QcPreviewTiming[] {
  const { datasetId, sheetId } = ensureProject();
  const check = (ok: boolean, what: string): void => {
    if (!ok) throw new Error(`QC preview bench: ${what}`);
  };
  const trait1 = (p: Project, maf = 0.01): void => {
    const q = qcPreview(p.db, { datasetId, sheetId, trait: 'trait1', maf, maxMissing: 0.05 });
    check(q.samples.kept === 1410 && (maf !== 0.01 || q.snps.kept === 10768), `trait1 kept ${q.samples.kept} individuals, ${q.snps.kept} SNPs`);
  };
  return [
    {
      name: 'all 1,940 individuals (stored counts)',
      ms: time((p) => check(qcPreview(p.db, { datasetId, maf: 0.01, maxMissing: 0.05 }).snps.kept === 10783, 'all individuals')),
      target: 50,
    },
    { name: 'trait1, 1,410 analysed individuals, first call', ms: time((p) => trait1(p)), target: 50 },
    { name: 'trait1 again, other thresholds', ms: time((p) => trait1(p, 0.05), (p) => trait1(p)), target: 50 },
  ];
}

// Run alone: node dist/bench/qc-preview.js
if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const rows = benchQcPreview();
  process.stdout.write('QC preview on mouse HS1940, 1,940 x 12,226 (median of 5, fresh open each)\n');
  for (const r of rows) process.stdout.write(`  ${r.name.padEnd(48)} ${r.ms.toFixed(1).padStart(8)} ms  (target < ${r.target} ms)${r.ms < r.target ? '' : '  SLOW'}\n`);
}
