/**
 * npm run bench: Kinscan against GEMMA on the same machine, in the same run.
 *
 * Data sets: the bundled mouse_hs1940 (1,940 x 12,226; trait 1 in .fam column 6) and a simulated
 * PLINK set of n = 500, m = 300,000 (seeded, generated once into .bench-cache/). For each, three
 * alternating rounds of
 *   GEMMA:   gemma -gk 1, then gemma -k cXX -lmm 2           (if `gemma` is on the PATH)
 *   Kinscan: kinscan kinship, then kinscan scan --kinship K --model additive; and the one-step
 *            scan (kinship built inside) and the default 2-df scan
 * timed as whole processes (wall time and peak RSS from /usr/bin/time), medians reported with the
 * ratio kinscan / GEMMA, and the agreement of the p-values.
 * Then the project-store query timings (bench/store-queries.ts), the QC preview on mouse
 * (bench/qc-preview.ts), the import of a 1M-SNP bgzipped VCF beside plink2 --make-bed
 * (bench/import-vcf.ts) and the figure and report timings
 * (bench/figures.ts: a 1M-SNP Manhattan to PNG and PDF, the mouse report), and the interactive
 * Manhattan plot in Chromium (bench/ui-plot.ts: draw, hover, zoom at 358,000 SNPs) and the QC
 * screen's slider -> counts on mouse (bench/ui-qc.ts). Nothing in npm test depends on timing.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { simulateGenotypes, simulateTraits, writeSimulation } from './simulate.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const cache = join(root, '.bench-cache');
const cli = join(root, 'bin', 'kinscan.js');
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);

interface Timed {
  wall: number;
  rssMb: number;
}

function timed(cmd: string, args: string[], cwd: string): Timed {
  const r = spawnSync('/usr/bin/time', ['-f', '%e %M', cmd, ...args], { cwd, encoding: 'utf8', maxBuffer: 1 << 26 });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (${r.status}):\n${r.stderr.slice(-2000)}`);
  const last = r.stderr.trim().split('\n').at(-1)!.split(' ');
  return { wall: Number(last[0]), rssMb: Number(last[1]) / 1024 };
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

function hasGemma(): boolean {
  return spawnSync('gemma', ['-h'], { encoding: 'utf8' }).error === undefined;
}

interface DataSet {
  name: string;
  prefix: string;
  pheno: string;
  trait: string;
}

function simulated(): DataSet {
  const dir = join(cache, 'sim500x300k');
  const prefix = join(dir, 'sim');
  if (!existsSync(`${prefix}.bed`) || !existsSync(`${prefix}.pheno.csv`)) {
    mkdirSync(dir, { recursive: true });
    process.stderr.write('bench: generating the n = 500, m = 300,000 set (seeded, once)...\n');
    const sim = simulateGenotypes({ n: 500, m: 300_000, seed: 2026, pops: 2, fst: 0.05, familySize: 4, missing: 0.002, chromosomes: 10 });
    const [y] = simulateTraits(sim, [{ name: 'y', polygenic: { snps: 500, variance: 1 }, popEffect: 0.5, noise: 1, additive: [[1000, 0.5]] }], 7);
    writeSimulation(prefix, sim, { names: ['y'], values: [y!] });
    // GEMMA reads the phenotype from .fam column 6.
    const fam = readFileSync(`${prefix}.fam`, 'utf8').trim().split('\n');
    writeFileSync(`${prefix}.fam`, fam.map((l, i) => l.split(' ').slice(0, 5).concat(y![i]!.toPrecision(10)).join(' ')).join('\n') + '\n');
  }
  return { name: 'simulated n=500 m=300k', prefix, pheno: `${prefix}.pheno.csv`, trait: 'y' };
}

function mouse(): DataSet {
  const prefix = join(root, 'resources', 'example', 'mouse_hs1940');
  return { name: 'mouse_hs1940 n=1940 (1410) m=12k', prefix, pheno: `${prefix}.pheno.csv`, trait: 'trait1' };
}

function readP(path: string, rsCol: string, pCol: string, gz = false): Map<string, number> {
  const text = gz ? gunzipSync(readFileSync(path)).toString() : readFileSync(path, 'utf8');
  const lines = text.trim().split('\n');
  const h = lines[0]!.split('\t');
  const ir = h.indexOf(rsCol);
  const ip = h.indexOf(pCol);
  return new Map(lines.slice(1).map((l) => {
    const f = l.split('\t');
    return [f[ir]!, Number(f[ip])];
  }));
}

function benchDataSet(ds: DataSet, gemma: boolean): string[] {
  const work = join(cache, 'runs', ds.name.replace(/\W+/g, '_'));
  mkdirSync(join(work, 'output'), { recursive: true });
  const g = { gk: [] as Timed[], lmm: [] as Timed[] };
  const k = { kin: [] as Timed[], scan: [] as Timed[], oneStep: [] as Timed[], twoDf: [] as Timed[] };
  for (let r = 0; r < ROUNDS; r++) {
    if (gemma) {
      g.gk.push(timed('gemma', ['-bfile', ds.prefix, '-gk', '1', '-o', 'gk'], work));
      g.lmm.push(timed('gemma', ['-bfile', ds.prefix, '-k', 'output/gk.cXX.txt', '-lmm', '2', '-o', 'lmm'], work));
    }
    k.kin.push(timed('node', [cli, 'kinship', '--bfile', ds.prefix, '--pheno', ds.pheno, '--trait', ds.trait, '--out', 'K.txt', '--quiet'], work));
    k.scan.push(timed('node', [cli, 'scan', '--bfile', ds.prefix, '--pheno', ds.pheno, '--trait', ds.trait, '--kinship', 'K.txt', '--model', 'additive', '--out', 'add.tsv', '--quiet'], work));
    k.oneStep.push(timed('node', [cli, 'scan', '--bfile', ds.prefix, '--pheno', ds.pheno, '--trait', ds.trait, '--model', 'additive', '--out', 'onestep.tsv', '--quiet'], work));
    k.twoDf.push(timed('node', [cli, 'scan', '--bfile', ds.prefix, '--pheno', ds.pheno, '--trait', ds.trait, '--out', 'adddom.tsv', '--quiet'], work));
  }
  const oneStep = { wall: median(k.oneStep.map((x) => x.wall)), rssMb: median(k.oneStep.map((x) => x.rssMb)) };
  const twoDf = { wall: median(k.twoDf.map((x) => x.wall)), rssMb: median(k.twoDf.map((x) => x.rssMb)) };
  const profile = (file: string): string => {
    const t = (JSON.parse(readFileSync(join(work, file), 'utf8')) as { timings_seconds: Record<string, number> }).timings_seconds;
    return Object.entries(t).map(([st, v]) => `${st} ${v.toFixed(2)} s`).join(', ');
  };
  const rows: string[] = [];
  const fmt = (t: Timed[]): string => `${median(t.map((x) => x.wall)).toFixed(2).padStart(7)} s ${median(t.map((x) => x.rssMb)).toFixed(0).padStart(6)} MB`;
  const ratio = (a: Timed[], b: Timed[]): string => (b.length ? (median(a.map((x) => x.wall)) / median(b.map((x) => x.wall))).toFixed(2) : 'n/a');
  const sum = (a: Timed[], b: Timed[]): Timed[] => a.map((x, i) => ({ wall: x.wall + b[i]!.wall, rssMb: Math.max(x.rssMb, b[i]!.rssMb) }));
  rows.push(`\n${ds.name}  (${ROUNDS} alternating rounds, medians; wall time and peak RSS)`);
  rows.push(`  step                      ${'GEMMA'.padStart(18)}   ${'kinscan'.padStart(18)}   kinscan/GEMMA`);
  rows.push(`  kinship (-gk 1)           ${gemma ? fmt(g.gk) : '       not installed'}   ${fmt(k.kin)}   ${ratio(k.kin, g.gk)}`);
  rows.push(`  additive LRT scan         ${gemma ? fmt(g.lmm) : '       not installed'}   ${fmt(k.scan)}   ${ratio(k.scan, g.lmm)}`);
  const kEnd = sum(k.kin, k.scan);
  const gEnd = gemma ? sum(g.gk, g.lmm) : [];
  rows.push(`  end to end                ${gemma ? fmt(gEnd) : '       not installed'}   ${fmt(kEnd)}   ${ratio(kEnd, gEnd)}`);
  rows.push(
    `  one step: kinscan scan --model additive, kinship built inside (no text matrix): ${oneStep.wall.toFixed(2)} s, ${oneStep.rssMb.toFixed(0)} MB` +
      (gemma ? `, ratio to GEMMA end to end ${(oneStep.wall / median(gEnd.map((x) => x.wall))).toFixed(2)}` : ''),
  );
  rows.push(`  2-df add-dom scan (kinship built inside): ${twoDf.wall.toFixed(2)} s, ${twoDf.rssMb.toFixed(0)} MB`);
  rows.push(`  kinscan scan profile (last runs): two-step scan: ${profile('add.summary.json')}; one step: ${profile('onestep.summary.json')}; 2-df: ${profile('adddom.summary.json')}`);
  if (gemma) {
    const gp = readP(join(work, 'output', 'lmm.assoc.txt'), 'rs', 'p_lrt');
    const kp = readP(join(work, 'add.tsv'), 'rs', 'neglog10_p');
    let max = 0;
    let same = gp.size === kp.size;
    for (const [rs, p] of gp) {
      const q = kp.get(rs);
      if (q === undefined) same = false;
      else max = Math.max(max, Math.abs(-Math.log10(p) - q));
    }
    rows.push(`  p-values vs GEMMA: ${same ? 'same' : 'DIFFERENT'} SNP set (${kp.size}), max |d -log10 p| = ${max.toExponential(2)}`);
  }
  return rows;
}

async function main(): Promise<void> {
  mkdirSync(cache, { recursive: true });
  const gemma = hasGemma();
  const out: string[] = [`Kinscan benchmark, ${new Date().toISOString()}, ${cpus().length} cores (${cpus()[0]?.model ?? '?'})`];
  if (!gemma) out.push('GEMMA is not installed (apt-get install gemma): GEMMA columns are empty.');
  const only = process.env.BENCH_ONLY;
  for (const make of [mouse, simulated]) {
    if (only && !make.name.includes(only)) continue;
    out.push(...benchDataSet(make(), gemma));
    process.stderr.write(out.join('\n') + '\n');
    out.length = 0;
  }
  const storeBench = join(dirname(fileURLToPath(import.meta.url)), 'store-queries.js');
  if (existsSync(storeBench) && !process.env.BENCH_SKIP_STORE) {
    const mod = (await import(storeBench)) as { benchStoreQueries?: () => Promise<{ name: string; ms: number; target: number }[]> };
    if (mod.benchStoreQueries) {
      const res = await mod.benchStoreQueries();
      out.push('\nProject store queries on a 1,000,000-SNP run');
      for (const r of res) out.push(`  ${r.name.padEnd(40)} ${r.ms.toFixed(1).padStart(8)} ms   (target < ${r.target} ms) ${r.ms < r.target ? 'ok' : 'SLOW'}`);
    }
  }
  const qcBench = join(dirname(fileURLToPath(import.meta.url)), 'qc-preview.js');
  if (existsSync(qcBench) && !process.env.BENCH_SKIP_STORE) {
    const mod = (await import(qcBench)) as typeof import('./qc-preview.js');
    out.push('\nQC preview on mouse HS1940 (1,940 x 12,226)');
    for (const r of mod.benchQcPreview()) out.push(`  ${r.name.padEnd(48)} ${r.ms.toFixed(1).padStart(8)} ms   (target < ${r.target} ms) ${r.ms < r.target ? 'ok' : 'SLOW'}`);
  }
  const vcfBench = join(dirname(fileURLToPath(import.meta.url)), 'import-vcf.js');
  if (existsSync(vcfBench) && !process.env.BENCH_SKIP_IMPORT) {
    const mod = (await import(vcfBench)) as typeof import('./import-vcf.js');
    out.push(`\nVCF import, 500 samples x 1,000,000 SNPs, bgzipped (${ROUNDS} alternating rounds, medians)${mod.hasPlink2() ? '' : ': not measured (plink2 is not installed)'}`);
    if (mod.hasPlink2()) for (const r of mod.benchImportVcf(ROUNDS)) out.push(mod.formatImportVcfTiming(r));
  }
  const figuresBench = join(dirname(fileURLToPath(import.meta.url)), 'figures.js');
  if (existsSync(figuresBench) && !process.env.BENCH_SKIP_FIGURES) {
    const mod = (await import(figuresBench)) as typeof import('./figures.js');
    out.push('\nFigures and reports');
    for (const r of await mod.benchFigures()) out.push(mod.formatFigureTiming(r));
  }
  const uiBench = join(dirname(fileURLToPath(import.meta.url)), 'ui-plot.js');
  if (existsSync(uiBench) && !process.env.BENCH_SKIP_UI) {
    const mod = (await import(uiBench)) as typeof import('./ui-plot.js');
    const ui = await mod.benchUiPlot().catch((e: unknown) => (e as Error).message);
    out.push(`\nInteractive Manhattan plot in Chromium, 358,000 SNPs${typeof ui === 'string' ? `: not measured (${ui})` : ' (the built app)'}`);
    if (typeof ui !== 'string') for (const r of ui.rows) out.push(mod.formatUiPlotTiming(r));
  }
  const uiQcBench = join(dirname(fileURLToPath(import.meta.url)), 'ui-qc.js');
  if (existsSync(uiQcBench) && !process.env.BENCH_SKIP_UI) {
    const mod = (await import(uiQcBench)) as typeof import('./ui-qc.js');
    const { formatUiPlotTiming } = (await import(uiBench)) as typeof import('./ui-plot.js');
    const qc = await mod.benchUiQc().catch((e: unknown) => (e as Error).message);
    out.push(`\nQC screen in Chromium, mouse HS1940 trait 1: MAF slider -> counts${typeof qc === 'string' ? `: not measured (${qc})` : ' (the built app)'}`);
    if (typeof qc !== 'string') for (const r of qc) out.push(formatUiPlotTiming(r));
  }
  process.stderr.write(out.join('\n') + '\n');
}

main().catch((e: unknown) => {
  process.stderr.write(`bench failed: ${(e as Error).stack ?? String(e)}\n`);
  process.exit(1);
});
