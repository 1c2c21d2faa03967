/**
 * The project commands of the kinscan CLI:
 *   kinscan scan ... --project P.kinscan [--out F.tsv]   (scanCommand hands over here)
 *   kinscan import  --project P.kinscan [--bfile PREFIX] [--pheno FILE] [--covar FILE] [--kinship FILE]
 *   kinscan runs    --project P.kinscan [--json]
 *   kinscan export  --project P.kinscan --run ID --out F [--format tsv|csv|gemma|xlsx] [--partial]
 *   kinscan hits    --project P.kinscan --run ID [--p 5e-8|bonferroni] [--window 500kb] [--r2 0.1|none] [--json] [--out F.tsv]
 *   kinscan h2      --project P.kinscan --run ID [--json]
 *   kinscan finemap --project P.kinscan --run ID [--p 5e-8|bonferroni] [--window 500kb] [--level 0.95] [--json] [--out F.tsv]
 *   kinscan resume  --project P.kinscan --run ID [--out F.tsv]
 *   kinscan compact --project P.kinscan [--keep-cache]
 */
import { InputError } from '../engine/io/errors.js';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { GenotypeFormat, ReadSummary } from '../engine/io/genotype-source.js';
import { refuseScanOverwrite } from '../engine/scan/run.js';
import { kinshipLabel } from '../engine/protocol/settings.js';
import type { ScanSettings } from '../engine/scan/settings.js';
import { Project, type ExecuteResult, type RunInfo } from '../engine/store/project.js';
import { loadPlink } from '../engine/store/datasets.js';
import type { PlinkSet } from '../engine/io/plink.js';
import { writeRunTsv, writeSummary } from '../engine/store/export.js';
import { exportRunTable, refuseInputOverwrite, tableFormatFor, TABLE_FORMATS, type TableFormat } from '../engine/export/tables/index.js';
import { clumpHits, DEFAULT_CLUMP, peaksTsv, type Peak } from '../engine/export/hits.js';
import { credibleSetsTsv, DEFAULT_FINEMAP, finemapRun } from '../engine/export/finemap.js';
import { formatLnP } from '../engine/stats/chisq.js';
import { describeThreshold, parseBp, parsePThreshold, thresholdP } from './units.js';
import { parseFlags as parse, reportLines, UsageError } from './report.js';
import { makeProgress } from './progress.js';

/** A genotype format in words. */
const FORMAT_WORDS: Record<GenotypeFormat, string> = { plink: 'PLINK', vcf: 'VCF', bimbam: 'BIMBAM', hapmap: 'HapMap', matrix: 'genotype matrix' };

/** What an import skipped or warns about, one line each. */
export function importNotes(summary: ReadSummary): string[] {
  const lines = summary.skipped.map((s) => `skipped ${s.count} record${s.count === 1 ? '' : 's'}: ${s.reason}${s.examples.length ? `, e.g. ${s.examples.map((e) => `${e.id} (line ${e.line})`).join(', ')}` : ''}`);
  return [...lines, ...summary.warnings.map((w) => `note: ${w}`)];
}

function need(v: string | boolean | undefined, name: string): string {
  if (typeof v !== 'string' || v === '') throw new UsageError(`--${name} is required`, true);
  return v;
}

function runId(v: string | boolean | undefined): number {
  const s = need(v, 'run');
  const id = Number(s);
  if (!Number.isInteger(id) || id < 1) throw new UsageError(`--run must be a run id (a whole number from 1), got '${s}'`);
  return id;
}

function threadsOf(v: string | boolean | undefined): number | undefined {
  if (v === undefined) return undefined;
  const x = Number(v);
  if (!Number.isInteger(x) || x < 1 || x > 256) throw new UsageError(`--threads must be a whole number from 1 to 256, got '${String(v)}'`);
  return x;
}

const say = (quiet: boolean, lines: string[]): void => {
  if (!quiet) process.stderr.write(lines.map((l) => `kinscan: ${l}\n`).join(''));
};

function noteInterrupted(p: Project, quiet: boolean): void {
  for (const id of p.interrupted) {
    const r = p.run(id);
    say(quiet, [`run ${id} had been interrupted after ${r.done} of ${r.total ?? '?'} tested SNPs (resume it with kinscan resume --project ${p.path} --run ${id})`]);
  }
}

/** Run (or resume) a project run with a progress bar and Ctrl-C, write --out, report. */
async function execute(p: Project, id: number, how: 'scan' | 'resume', opts: { out?: string; quiet: boolean; threads?: number; scratch?: boolean }): Promise<number> {
  const progress = makeProgress(opts.quiet);
  let stop = false;
  const onSigint = (): void => {
    stop = true;
  };
  let res: ExecuteResult;
  try {
    const run = how === 'scan' ? p.runScan.bind(p) : p.resumeRun.bind(p);
    res = await run(id, {
      progress: progress.update,
      shouldStop: () => stop,
      onScanStart: () => process.on('SIGINT', onSigint),
      ...(opts.threads ? { threads: opts.threads } : {}),
    });
  } finally {
    process.off('SIGINT', onSigint);
    progress.done();
  }
  const { run, summary } = res;
  const complete = run.status === 'done';
  let written = '';
  if (opts.out) {
    if (complete) {
      p.exportRun(id, opts.out);
      written = `: ${opts.out} and its .summary.json`;
    } else {
      writeRunTsv(p.db, id, run.datasetId, `${opts.out}.partial`);
      writeSummary(opts.out, summary);
      written = `; partial results in ${opts.out}.partial, summary marked incomplete`;
    }
  }
  // A scratch project (genotypes other than PLINK scanned without --project) is removed afterwards:
  // its import notes are said here, and it is not named.
  say(opts.quiet, [
    ...(opts.scratch ? importNotes(p.dataset(run.datasetId).importSummary) : []),
    ...reportLines(summary),
    opts.scratch
      ? complete
        ? `done in ${run.wallSeconds.toFixed(1)} s${written}`
        : `STOPPED after ${run.done} of ${run.total} SNPs${written}`
      : complete
        ? `run ${id} done in ${run.wallSeconds.toFixed(1)} s, recorded in ${p.path}${written}`
        : `run ${id} STOPPED after ${run.done} of ${run.total} SNPs (resume it with kinscan resume --project ${p.path} --run ${id})${written}`,
  ]);
  return complete ? 0 : 130;
}

/** The project's own files and every file imported into it (an --out must be none of them). */
function projectFiles(p: Project): string[] {
  return [
    ...['', '-wal', '-shm', '-lock'].map((ext) => p.path + ext),
    ...p.datasets().flatMap((d) => d.files.map((f) => f.path)),
    ...p.sheets().map((s) => s.path),
  ];
}

/** `kinscan scan ... --project P`: record the run (importing inputs if needed), run it, also write --out if given. */
export async function projectScanCommand(
  projectPath: string,
  settings: ScanSettings,
  opts: { out?: string; quiet: boolean; threads?: number; scratch?: boolean },
): Promise<number> {
  const p = Project.open(projectPath, { create: true, command: 'kinscan scan' });
  try {
    noteInterrupted(p, opts.quiet);
    if (opts.out) refuseScanOverwrite(settings, opts.out, projectFiles(p));
    const id = p.createRun(settings);
    return await execute(p, id, 'scan', opts);
  } finally {
    p.close();
  }
}

/**
 * A scan of genotypes that are not a PLINK set, without --project: they are imported into a scratch
 * project in the temporary folder (one way to read every format), scanned there, and the scratch
 * project removed; the results go to opts.out as from any scan.
 */
export async function scratchProjectScanCommand(settings: ScanSettings, opts: { out: string; quiet: boolean; threads?: number }): Promise<number> {
  const dir = mkdtempSync(join(tmpdir(), 'kinscan-scan-'));
  try {
    return await projectScanCommand(join(dir, 'scan.kinscan'), settings, { ...opts, scratch: true });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Genotypes of any format read into a scratch project and handed to fn as a PlinkSet (with its dosages), then removed. */
export function withScratchGenotypes<T>(path: string, opts: { anno?: string; dosage?: boolean }, fn: (plink: PlinkSet) => T): T {
  const dir = mkdtempSync(join(tmpdir(), 'kinscan-genotypes-'));
  try {
    const p = Project.open(join(dir, 'genotypes.kinscan'), { create: true, command: 'kinscan kinship' });
    try {
      const r = p.importDataset(path, opts);
      const plink = loadPlink(p.db, r.id);
      try {
        return fn(plink);
      } finally {
        plink.bed.close();
      }
    } finally {
      p.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function importCommand(args: string[]): Promise<number> {
  const v = parse(args, {
    project: { type: 'string' },
    bfile: { type: 'string' },
    geno: { type: 'string' },
    anno: { type: 'string' },
    dosage: { type: 'boolean' },
    pheno: { type: 'string' },
    covar: { type: 'string' },
    sheet: { type: 'string' },
    'covar-sheet': { type: 'string' },
    kinship: { type: 'string' },
    pedigree: { type: 'string' },
    'unlisted-founders': { type: 'boolean' },
    quiet: { type: 'boolean' },
  });
  const path = need(v.project, 'project');
  if (v.bfile !== undefined && v.geno !== undefined) throw new UsageError('give either --bfile PREFIX or --geno FILE, not both');
  const geno = v.geno ?? v.bfile;
  if (!geno && !v.pheno && !v.covar && !v.kinship && !v.pedigree) throw new UsageError('import needs at least one of --bfile, --geno, --pheno, --covar, --kinship, --pedigree', true);
  if ((v.anno !== undefined || v.dosage) && !geno) throw new UsageError('--anno and --dosage go with --geno FILE');
  if (v['unlisted-founders'] && !v.pedigree) throw new UsageError('--unlisted-founders goes with --pedigree FILE');
  const quiet = Boolean(v.quiet);
  const p = Project.open(path, { create: true, command: 'kinscan import' });
  try {
    noteInterrupted(p, quiet);
    const state = (created: boolean): string => (created ? 'imported' : 'already in the project');
    let imported: number | undefined;
    if (typeof geno === 'string') {
      const progress = makeProgress(quiet);
      const r = p.importDataset(geno, { progress: progress.update, ...(typeof v.anno === 'string' ? { anno: v.anno } : {}), ...(v.dosage ? { dosage: true } : {}) });
      imported = r.id;
      progress.done();
      const d = p.dataset(r.id);
      say(quiet, [`dataset ${d.id}: ${d.name}${d.format === 'plink' ? '' : ` (${FORMAT_WORDS[d.format]}${d.dosage ? ', dosages' : ''})`}, ${d.nSamples} samples x ${d.nSnps} SNPs, ${state(r.created)}`, ...importNotes(r.summary)]);
    }
    for (const [flag, file, worksheet] of [
      ['pheno', v.pheno, v.sheet],
      ['covar', v.covar, v['covar-sheet']],
    ] as const) {
      if (typeof file !== 'string') continue;
      const r = p.importSheet(file, typeof worksheet === 'string' ? { worksheet } : {});
      const s = p.sheet(r.id);
      say(quiet, [
        `sheet ${s.id} (--${flag}): ${s.name}${s.worksheet ? ` (worksheet '${s.worksheet}')` : ''}, ${s.rows} rows${s.positional ? ' in genotype order' : ''}, columns ${s.columns.join(', ')}, ${state(r.created)}`,
        ...s.warnings.map((w) => `  note: ${s.name} ${w}`),
      ]);
    }
    if (typeof v.kinship === 'string') {
      const r = p.importMatrix(v.kinship);
      say(quiet, [`kinship matrix ${r.id}: ${v.kinship}, ${state(r.created)}`]);
    }
    if (typeof v.pedigree === 'string') {
      // A is made over a dataset's individuals: the one just imported, or the project's only one.
      const all = p.datasets();
      const ds = imported !== undefined ? p.dataset(imported) : all.length === 1 ? all[0] : undefined;
      if (!ds) {
        throw new UsageError(
          all.length === 0
            ? '--pedigree makes A over the genotyped individuals: import them first, or give --bfile PREFIX (or --geno FILE) too'
            : `the project holds ${all.length} datasets: give --bfile PREFIX (or --geno FILE) to say over which individuals to make A`,
        );
      }
      const r = p.importPedigree({ pedigree: v.pedigree, ...(v['unlisted-founders'] ? { unlistedFounders: true } : {}) }, ds.id);
      const f = r.pedigree;
      say(quiet, [
        ...f.warnings.map((w) => `warning: ${w}`),
        `pedigree relationship matrix ${r.id}: ${v.pedigree} over the ${ds.nSamples} individuals of dataset ${ds.id} ` +
          `(${f.animals} animals, ${f.inbred} inbred, max F ${f.maxF.toFixed(4)}), ${state(r.created)}`,
      ]);
    }
    return 0;
  } finally {
    p.close();
  }
}

/** A run as `runs --json` lists it. */
function runJson(p: Project, r: RunInfo, datasets: Map<number, string>): Record<string, unknown> {
  return {
    id: r.id,
    status: r.status,
    done: r.done,
    total: r.total,
    rows: r.rows,
    dataset: { id: r.datasetId, name: datasets.get(r.datasetId) },
    pheno_sheet: r.phenoSheetId,
    covar_sheet: r.covarSheetId,
    trait: r.trait,
    model: r.model,
    method: r.method,
    settings: r.settings,
    software_version: r.softwareVersion,
    created_at: r.createdAt,
    started_at: r.startedAt,
    finished_at: r.finishedAt,
    updated_at: r.updatedAt,
    wall_seconds: r.wallSeconds,
    timings_seconds: r.timings,
    analysed: r.analysed,
    null: r.nullFit,
    lambda_gc: r.lambdaGc,
    error: r.error,
    sessions: p.runSessions(r.id),
  };
}

function table(rows: string[][]): string {
  const width = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
  return rows.map((r) => r.map((x, c) => (c === r.length - 1 ? x : x.padEnd(width[c]!))).join('  ')).join('\n') + '\n';
}

export async function runsCommand(args: string[]): Promise<number> {
  const v = parse(args, { project: { type: 'string' }, json: { type: 'boolean' } });
  const p = Project.open(need(v.project, 'project'), { readonly: true });
  try {
    const runs = p.runs();
    const datasets = new Map(p.datasets().map((d) => [d.id, d.name]));
    if (v.json) {
      process.stdout.write(JSON.stringify(runs.map((r) => runJson(p, r, datasets)), null, 2) + '\n');
      return 0;
    }
    if (runs.length === 0) {
      process.stdout.write('no runs yet\n');
      return 0;
    }
    const head = ['ID', 'STATUS', 'SNPS DONE/TOTAL', 'TRAIT', 'MODEL', 'METHOD', 'COVARIATES', 'KINSHIP', 'MAF', 'MAX-MISS', 'LAMBDA_GC', 'DATASET', 'CREATED'];
    const body = runs.map((r) => {
      const s = r.settings;
      return [
        String(r.id),
        r.status,
        `${r.done}/${r.total ?? '?'}`,
        r.trait,
        r.model,
        r.method,
        // The PCs added by --pcs are covariates too: age,sex,PC1-3.
        [...s.covarNames, ...(s.pcs > 0 ? [s.pcs === 1 ? 'PC1' : `PC1-${s.pcs}`] : [])].join(',') || '-',
        kinshipLabel(s.kinship),
        String(s.maf),
        String(s.maxMissing),
        r.lambdaGc === null ? '-' : r.lambdaGc.toFixed(4),
        datasets.get(r.datasetId) ?? String(r.datasetId),
        r.createdAt.replace('T', ' ').slice(0, 19),
      ];
    });
    process.stdout.write(table([head, ...body]));
    return 0;
  } finally {
    p.close();
  }
}

export async function exportCommand(args: string[]): Promise<number> {
  const v = parse(args, {
    project: { type: 'string' },
    run: { type: 'string' },
    out: { type: 'string' },
    format: { type: 'string' },
    partial: { type: 'boolean' },
    quiet: { type: 'boolean' },
  });
  const path = need(v.project, 'project');
  const id = runId(v.run);
  const out = need(v.out, 'out');
  const format = typeof v.format === 'string' ? v.format : tableFormatFor(out);
  if (!(TABLE_FORMATS as readonly string[]).includes(format)) throw new UsageError(`--format must be one of ${TABLE_FORMATS.join(', ')}, got '${format}'`);
  const p = Project.open(path, { readonly: true });
  try {
    const e = await exportRunTable(p, id, format as TableFormat, out, { partial: Boolean(v.partial) });
    say(Boolean(v.quiet), [`run ${id}: ${e.rows} rows written to ${e.path}${e.summary ? ` and ${e.summary}` : ''}${format === 'tsv' ? '' : ` (${format})`}`]);
    return 0;
  } finally {
    p.close();
  }
}

/** r2 flag: a number in [0, 1], or none (peaks by distance alone). */
function r2Of(v: string | boolean | undefined): number | null {
  if (v === undefined) return DEFAULT_CLUMP.r2;
  const s = String(v).trim();
  if (/^none$/i.test(s)) return null;
  const x = s === '' ? NaN : Number(s);
  if (!(x >= 0 && x <= 1)) throw new UsageError(`--r2 must be a number from 0 to 1, or none (distance only), got '${s}'`);
  return x;
}

/** A peak's span in Mb: 36.879-37.132 (or one position). */
function spanMb(peak: Peak): string {
  const mb = (bp: number): string => (bp / 1e6).toFixed(3);
  if (peak.start <= 0) return 'no position';
  return peak.start === peak.end ? mb(peak.start) : `${mb(peak.start)}-${mb(peak.end)}`;
}

/** A short p-value: 3 significant digits, past the double range too (1.23e-350). */
function shortP(lnP: number): string {
  return formatLnP(lnP, 2);
}

function peakJson(peak: Peak): Record<string, unknown> {
  return {
    lead_rs: peak.rs,
    chr: peak.chr,
    ps: peak.pos,
    allele1: peak.allele1,
    allele0: peak.allele0,
    af: peak.af,
    beta_a: peak.betaA,
    se_a: peak.seA,
    beta_d: Number.isNaN(peak.betaD) ? null : peak.betaD,
    se_d: Number.isNaN(peak.seD) ? null : peak.seD,
    df: peak.df,
    p: peak.p,
    p_text: formatLnP(peak.lnP),
    neglog10_p: peak.negLog10P,
    start: peak.start,
    end: peak.end,
    n_snps: peak.nSnps,
    members: peak.memberRs,
  };
}

/** The flags `hits` and `finemap` share (the run, the lead threshold and window, output), and one of their own. */
const PEAK_FLAGS = {
  project: { type: 'string' },
  run: { type: 'string' },
  p: { type: 'string' },
  window: { type: 'string' },
  json: { type: 'boolean' },
  out: { type: 'string' },
  quiet: { type: 'boolean' },
} as const;

function peakArgs<K extends string>(args: string[], own: K, defaults: { p: number; windowBp: number }) {
  const v = parse(args, { ...PEAK_FLAGS, [own]: { type: 'string' } } as typeof PEAK_FLAGS & Record<K, { type: 'string' }>);
  const out = typeof v.out === 'string' ? v.out : undefined;
  if (v.out !== undefined && !out) throw new UsageError('--out needs a file name');
  return {
    v,
    path: need(v.project, 'project'),
    id: runId(v.run),
    threshold: parsePThreshold(typeof v.p === 'string' ? v.p : String(defaults.p), 'p'),
    windowBp: typeof v.window === 'string' ? parseBp(v.window, 'window') : defaults.windowBp,
    out,
    own: (v as Record<string, string | boolean | undefined>)[own],
  };
}

export async function hitsCommand(args: string[]): Promise<number> {
  const { v, path, id, threshold, windowBp, out, own } = peakArgs(args, 'r2', DEFAULT_CLUMP);
  const r2 = r2Of(own);
  const p = Project.open(path, { readonly: true });
  try {
    const run = p.run(id);
    if (out !== undefined) refuseInputOverwrite(p, id, out);
    const pValue = thresholdP(threshold, run.rows);
    const peaks = clumpHits(p, id, { p: pValue, windowBp, r2 });
    const how = `p <= ${describeThreshold(threshold, run.rows)}, window ${windowBp} bp, ${r2 === null ? 'distance only' : `r2 >= ${r2} with the lead`}`;
    if (out !== undefined) writeFileSync(out, peaksTsv(peaks));
    if (v.json) {
      process.stdout.write(JSON.stringify(peaks.map(peakJson), null, 2) + '\n');
    } else if (peaks.length === 0) {
      const best = p.topHits(id, 1)[0];
      process.stdout.write(`no SNP of run ${id} has ${how.split(',')[0]}${best ? ` (best: ${best.rs}, p ${shortP(best.lnP)})` : ''}\n`);
    } else {
      const head = ['LEAD', 'CHR:POS', 'SPAN (Mb)', 'SNPS', 'P', 'BETA_A \u00b1 SE'];
      const body = peaks.map((k) => [k.rs, `${k.chr}:${k.pos}`, spanMb(k), String(k.nSnps), shortP(k.lnP), `${k.betaA.toPrecision(3)} \u00b1 ${k.seA.toPrecision(2)}`]);
      process.stdout.write(table([head, ...body]));
    }
    const unfinished = run.status === 'done' ? '' : `; run ${id} is ${run.status} at ${run.done} of ${run.total ?? '?'} tested SNPs, so these are the peaks so far`;
    say(Boolean(v.quiet), [`run ${id}: ${peaks.length} peak${peaks.length === 1 ? '' : 's'} (${how})${out !== undefined ? `; written to ${out}` : ''}${unfinished}`]);
    return 0;
  } finally {
    p.close();
  }
}

export async function finemapCommand(args: string[]): Promise<number> {
  const { v, path, id, threshold, windowBp, out, own } = peakArgs(args, 'level', DEFAULT_FINEMAP);
  const level = typeof own === 'string' ? Number(own) : DEFAULT_FINEMAP.level;
  if (!(level >= 0.5 && level < 1)) throw new UsageError(`--level must be a probability from 0.5 to below 1 (0.95: 95% credible sets), got '${String(own)}'`);
  const p = Project.open(path, { readonly: true });
  try {
    const run = p.run(id);
    if (out !== undefined) refuseInputOverwrite(p, id, out);
    const fm = finemapRun(p, id, { p: thresholdP(threshold, run.rows), windowBp, level });
    if (out !== undefined) writeFileSync(out, credibleSetsTsv(fm));
    const pct = `${+(level * 100).toFixed(1)}%`;
    if (v.json) process.stdout.write(JSON.stringify(fm, (_k, x: unknown) => (typeof x === 'number' && !Number.isFinite(x) ? null : x), 2) + '\n');
    else if (fm.regions.length === 0) process.stdout.write(`no SNP of run ${id} has p <= ${describeThreshold(threshold, run.rows)}: no region to fine-map\n`);
    else {
      const head = ['REGION', 'LEAD', 'P', 'PPA', 'SNPS', `${pct} SET`, 'TOP SNPS (PIP)'];
      const body = fm.regions.map((r) => [
        `${r.chr}:${(r.start / 1e6).toFixed(2)}-${(r.end / 1e6).toFixed(2)} Mb`,
        r.lead.rs,
        shortP(-r.lead.negLog10P * Math.LN10),
        r.lead.ppa.toFixed(3),
        String(r.snps),
        String(r.members.length),
        r.members
          .slice(0, 4)
          .map((s) => `${s.rs} (${s.pip.toFixed(2)})`)
          .join(', ') + (r.members.length > 4 ? ', ...' : ''),
      ]);
      process.stdout.write(table([head, ...body]));
    }
    say(Boolean(v.quiet), [
      `run ${id}: ${fm.regions.length} region${fm.regions.length === 1 ? '' : 's'} (p <= ${describeThreshold(threshold, run.rows)}, windows of +-${windowBp} bp merged), ${pct} credible sets under one causal variant per region; ` +
        `PPA for a prior probability of association of ${fm.priorProbability}${out !== undefined ? `; written to ${out}` : ''}`,
      ...(fm.unplaced.length > 0
        ? [`${fm.unplaced.length} SNP${fm.unplaced.length === 1 ? '' : 's'} past the threshold with no known position (${fm.unplaced.slice(0, 5).map((s) => s.rs).join(', ')}${fm.unplaced.length > 5 ? ', ...' : ''}) are in no region and not fine-mapped`]
        : []),
    ]);
    return 0;
  } finally {
    p.close();
  }
}

export async function h2Command(args: string[]): Promise<number> {
  const v = parse(args, { project: { type: 'string' }, run: { type: 'string' }, json: { type: 'boolean' }, quiet: { type: 'boolean' } });
  const path = need(v.project, 'project');
  const id = runId(v.run);
  const p = Project.open(path, { readonly: true });
  try {
    const run = p.run(id);
    const h = run.heritability;
    if (!h) {
      throw new InputError(
        `run ${id} has no heritability intervals (${run.total === null ? 'it has not been prepared yet' : 'it was recorded before Kinscan computed them'})`,
        { file: path },
        `Run the scan again with the same settings (kinscan runs --project ${path} shows them)`,
      );
    }
    if (v.json) {
      process.stdout.write(JSON.stringify(h, null, 2) + '\n');
      return 0;
    }
    const pct = `${+(h.level * 100).toFixed(1)}%`;
    const f = (x: number): string => x.toFixed(3);
    const rows = [
      ['INTERVAL', pct, 'ESTIMATE'],
      ['profile likelihood', `${f(h.profile.lower)} - ${f(h.profile.upper)}${h.profile.clipped ? ` (clipped at ${h.profile.clipped === 'both' ? '0 and 1' : h.profile.clipped === 'lower' ? '0' : '1'})` : ''}`, `ML ${f(h.estimate)}`],
      ['posterior (uniform prior)', `${f(h.posterior.lower)} - ${f(h.posterior.upper)}`, `mean ${f(h.posterior.mean)}, mode ${f(h.posterior.mode)}`],
      ['parametric bootstrap', `${f(h.bootstrap.lower)} - ${f(h.bootstrap.upper)}`, `${h.bootstrap.replicates} replicates x ${h.bootstrap.gridPoints} h2 values`],
    ];
    process.stdout.write(table(rows));
    say(Boolean(v.quiet), [
      `run ${id} (${run.trait}): h2 = PVE of the null model (ML), ${f(h.estimate)}. The profile-likelihood interval can fail near 0 and 1; ` +
        'the posterior integrates the fixed effects and the variance scale out under a uniform prior on h2; the bootstrap interval (ALBI) keeps its coverage near 0 and 1 too.',
    ]);
    return 0;
  } finally {
    p.close();
  }
}

export async function resumeCommand(args: string[]): Promise<number> {
  const v = parse(args, { project: { type: 'string' }, run: { type: 'string' }, out: { type: 'string' }, threads: { type: 'string' }, quiet: { type: 'boolean' } });
  const path = need(v.project, 'project');
  const id = runId(v.run);
  const threads = threadsOf(v.threads);
  const quiet = Boolean(v.quiet);
  const p = Project.open(path, { command: 'kinscan resume' });
  try {
    noteInterrupted(p, quiet);
    if (typeof v.out === 'string') refuseScanOverwrite(p.run(id).settings, v.out, projectFiles(p));
    return await execute(p, id, 'resume', { ...(typeof v.out === 'string' ? { out: v.out } : {}), quiet, ...(threads ? { threads } : {}) });
  } finally {
    p.close();
  }
}

export async function compactCommand(args: string[]): Promise<number> {
  const v = parse(args, { project: { type: 'string' }, 'keep-cache': { type: 'boolean' }, quiet: { type: 'boolean' } });
  const p = Project.open(need(v.project, 'project'), { command: 'kinscan compact' });
  try {
    const r = p.compact({ keepCache: Boolean(v['keep-cache']) });
    const mb = (b: number): string => (b / 1e6).toFixed(1);
    say(Boolean(v.quiet), [`${p.path}: ${mb(r.before)} MB -> ${mb(r.after)} MB (${r.droppedCache} cached matrices dropped)`]);
    return 0;
  } finally {
    p.close();
  }
}
