/**
 * The project store's queries on a 1,000,000-SNP run: top hits, the Manhattan series, one SNP's
 * details, a region, and two runs side by side. The project is generated once (seeded) into
 * .bench-cache/: a PLINK set of 1,000,000 SNPs (20 chromosomes, 16 individuals) imported as any
 * dataset is, and two runs whose synthetic rows (chi-square 1-df noise plus a few peaks) are
 * committed block by block through the same results API a scan uses (blocks of 256 rows).
 *
 * Each query is timed on a freshly opened project (empty SQLite page cache), five times; the
 * median is reported. Opening is not timed (its quick_check reads the whole file: about 3 s here).
 *
 *   npx tsc -p tsconfig.build.json && node dist/bench/store-queries.js
 */
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createPlink } from '../engine/io/plink-write.js';
import type { ScanRow } from '../engine/scan/scan.js';
import { DEFAULT_SETTINGS } from '../engine/scan/settings.js';
import { lnChi2UpperTail } from '../engine/stats/chisq.js';
import { Project } from '../engine/store/project.js';
import { ResultWriter } from '../engine/store/results.js';
import { beginSession, endSession, setPrepared } from '../engine/store/runs.js';
import { Rng } from './simulate.js';

export interface QueryTiming {
  name: string;
  ms: number;
  target: number;
}

const SNPS = 1_000_000;
const BLOCK = 256;

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** A generated bench project: SNPs spread evenly over chromosomes 1.., 1 kb apart; one run per peak list. */
export interface BenchProjectSpec {
  /** Folder under .bench-cache/. */
  name: string;
  snps: number;
  chromosomes: number;
  samples: number;
  /** Per run: the SNP indices of its peaks. */
  peaks: number[][];
}

const STORE_SPEC: BenchProjectSpec = {
  name: 'store-1m',
  snps: SNPS,
  chromosomes: 20,
  samples: 16,
  peaks: [
    [123_456, 400_000, 777_777],
    [123_500, 555_555],
  ],
};

const specText = (s: BenchProjectSpec): string =>
  s.name === STORE_SPEC.name
    ? `store-bench v1: ${s.snps} SNPs, ${s.chromosomes} chromosomes, ${s.samples} samples, 2 runs, seed 4`
    : `bench v1: ${s.snps} SNPs, ${s.chromosomes} chromosomes, ${s.samples} samples, peaks ${JSON.stringify(s.peaks)}, seed 4`;
const projectPathOf = (s: BenchProjectSpec): string => join(root, '.bench-cache', s.name, 'bench.kinscan');
const projectPath = projectPathOf(STORE_SPEC);

function log(msg: string): void {
  process.stderr.write(`bench: ${msg}\n`);
}

/** Synthetic rows of one run: 1-df chi-square noise with a few peaks. */
function syntheticRows(seed: number, start: number, count: number, rng: Rng, peaks: number[]): ScanRow[] {
  const rows: ScanRow[] = [];
  for (let j = start; j < start + count; j++) {
    const z = rng.normal();
    let lrt = z * z;
    for (const pk of peaks) {
      const d = Math.abs(j - pk);
      if (d < 200) lrt += 120 * Math.exp(-d / 40) * (0.5 + rng.next());
    }
    const se = 0.05 + 0.05 * rng.next();
    rows.push({
      snp: j,
      af: 0.05 + 0.9 * rng.next(),
      nMiss: rng.next() < 0.1 ? 1 : 0,
      df: 1,
      log10Bf: NaN,
      log10Abf: NaN,
      betaA: Math.sign(z || 1) * Math.sqrt(lrt) * se,
      seA: se,
      betaD: NaN,
      seD: NaN,
      loglH1: -1000 - seed + lrt / 2,
      deltaH1: 0.5 + rng.next(),
      lrt,
      lnP: lnChi2UpperTail(lrt, 1),
      flag: '',
    });
  }
  return rows;
}

function generate(spec: BenchProjectSpec): void {
  const { snps: SNPS, chromosomes: CHROMOSOMES, samples: SAMPLES } = spec;
  const perChr = Math.ceil(SNPS / CHROMOSOMES);
  const chrOf = (j: number): string => String(1 + Math.floor(j / perChr));
  const posOf = (j: number): number => 10_000 + 1000 * (j % perChr);
  const projectPath = projectPathOf(spec);
  const cacheDir = dirname(projectPath);
  rmSync(cacheDir, { recursive: true, force: true });
  mkdirSync(cacheDir, { recursive: true });
  const t0 = performance.now();
  log(`generating the ${SNPS.toLocaleString('en')}-SNP project (seeded, once) in ${cacheDir} ...`);
  const prefix = join(cacheDir, 'geno');
  const ids = Array.from({ length: SAMPLES }, (_, i) => `s${i + 1}`);
  const w = createPlink(
    prefix,
    ids.map((iid) => ({ fid: iid, iid })),
    Array.from({ length: SNPS }, (_, j) => ({ chr: chrOf(j), rs: `rs${j + 1}`, pos: posOf(j), allele1: 'A', allele0: 'G' })),
  );
  const rng = new Rng(4);
  const g = new Int8Array(SAMPLES);
  for (let j = 0; j < SNPS; j++) {
    for (let i = 0; i < SAMPLES; i++) g[i] = Math.floor(rng.next() * 3);
    w.writeSnp(g);
  }
  w.close();
  writeFileSync(`${prefix}.pheno.csv`, 'IID,y\n' + ids.map((id) => `${id},${rng.normal().toFixed(6)}`).join('\n') + '\n');

  const p = Project.open(projectPath, { create: true, command: 'bench' });
  try {
    p.importDataset(prefix);
    log(`  dataset imported (${((performance.now() - t0) / 1000).toFixed(1)} s)`);
    for (const [r, peaks] of spec.peaks.entries()) {
      const k = r + 1;
      const id = p.createRun({ ...DEFAULT_SETTINGS, bfile: prefix, pheno: `${prefix}.pheno.csv`, trait: 'y', model: 'additive' });
      const seq = beginSession(p.db, id);
      setPrepared(p.db, id, SNPS, SAMPLES, {});
      const writer = new ResultWriter(p.db, id);
      const runRng = new Rng(100 + k);
      // Blocks of 256 as a scan commits them; grouped in outer transactions only to generate faster.
      const group = p.db.transaction((from: number) => {
        for (let b = from; b < Math.min(SNPS, from + 64 * BLOCK); b += BLOCK) {
          const count = Math.min(BLOCK, SNPS - b);
          writer.commit(syntheticRows(k, b, count, runRng, [...peaks]), b + count);
        }
      });
      for (let from = 0; from < SNPS; from += 64 * BLOCK) group(from);
      p.db.prepare('UPDATE runs SET lambda_gc = 1 WHERE id = ?').run(id);
      endSession(p.db, id, seq, 'done', 0);
      log(`  run ${id} written (${((performance.now() - t0) / 1000).toFixed(1)} s)`);
    }
    p.db.prepare("INSERT OR REPLACE INTO meta (key, value) VALUES ('bench_spec', ?)").run(specText(spec));
    p.checkpoint();
  } finally {
    p.close();
  }
  for (const ext of ['.bed', '.bim', '.fam', '.pheno.csv']) rmSync(prefix + ext, { force: true });
  log(`  done in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
}

function cached(want: BenchProjectSpec): boolean {
  const projectPath = projectPathOf(want);
  if (!existsSync(projectPath)) return false;
  try {
    const p = Project.open(projectPath, { readonly: true });
    try {
      const spec = p.db.prepare("SELECT value FROM meta WHERE key = 'bench_spec'").pluck().get();
      return spec === specText(want) && p.runs().filter((r) => r.status === 'done').length === want.peaks.length;
    } finally {
      p.close();
    }
  } catch {
    return false;
  }
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

/** Time `fn` on a freshly opened project, `reps` times; the median in ms. */
function time(fn: (p: Project) => unknown, reps = 5): number {
  const ms: number[] = [];
  for (let r = 0; r < reps; r++) {
    // The open (with its quick_check of the whole file) is not what is timed here.
    const p = Project.open(projectPath, { readonly: true, check: 'none' });
    try {
      const t = performance.now();
      fn(p);
      ms.push(performance.now() - t);
    } finally {
      p.close();
    }
  }
  return median(ms);
}

/** A bench project (generated once, seeded); its path. */
export function benchProject(spec: BenchProjectSpec): string {
  if (!cached(spec)) generate(spec);
  return projectPathOf(spec);
}

/** The 1,000,000-SNP bench project (generated once); its path. */
export function storeBenchProject(): string {
  return benchProject(STORE_SPEC);
}

export async function benchStoreQueries(): Promise<QueryTiming[]> {
  storeBenchProject();
  const check = (ok: boolean, what: string): void => {
    if (!ok) throw new Error(`store bench: ${what}`);
  };
  const out: QueryTiming[] = [];
  out.push({
    name: 'top 100 hits',
    ms: time((p) => check(p.topHits(1, 100).length === 100, 'top hits')),
    target: 50,
  });
  out.push({
    name: 'Manhattan series, 1,000,000 SNPs (chr, pos, -log10 p typed arrays)',
    ms: time((p) => check(p.manhattan(1).negLog10P.length === SNPS, 'Manhattan series')),
    target: 300,
  });
  out.push({
    name: "one SNP's details (by ID, in both runs)",
    ms: time((p) => check(p.snpDetails(1, { rs: 'rs400001' })?.runs.length === 2, 'SNP details')),
    target: 50,
  });
  out.push({
    name: 'a 2 Mb region (about 2,000 SNPs)',
    ms: time((p) => check(p.region(1, '9', 20_000_000, 22_000_000).snp.length === 2001, 'region')),
    target: 50,
  });
  out.push({
    name: 'two runs side by side (union of top 100 each)',
    ms: time((p) => check(p.compareRuns([1, 2], 100).snps.length >= 100, 'comparison')),
    target: 100,
  });
  return out;
}

// Run alone: node dist/bench/store-queries.js
if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const rows = await benchStoreQueries();
  const width = Math.max(...rows.map((r) => r.name.length));
  process.stdout.write(`Project store queries on a ${SNPS.toLocaleString('en')}-SNP run (median of 5, fresh open each)\n`);
  for (const r of rows) process.stdout.write(`  ${r.name.padEnd(width)}  ${r.ms.toFixed(1).padStart(8)} ms  (target < ${r.target} ms)${r.ms < r.target ? '' : '  SLOW'}\n`);
}
