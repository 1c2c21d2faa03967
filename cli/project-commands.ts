/**
 * The project commands of the kinscan CLI:
 *   kinscan scan ... --project P.kinscan [--out F.tsv]   (scanCommand hands over here)
 *   kinscan import  --project P.kinscan [--bfile PREFIX] [--pheno FILE] [--covar FILE] [--kinship FILE]
 *   kinscan runs    --project P.kinscan [--json]
 *   kinscan export  --project P.kinscan --run ID --out F.tsv [--partial]
 *   kinscan resume  --project P.kinscan --run ID [--out F.tsv]
 *   kinscan compact --project P.kinscan [--keep-cache]
 */
import type { ScanSettings } from '../engine/scan/settings.js';
import { Project, type ExecuteResult, type RunInfo } from '../engine/store/project.js';
import { writeRunTsv, writeSummary } from '../engine/store/export.js';
import { parseFlags as parse, reportLines, UsageError } from './report.js';
import { makeProgress } from './progress.js';

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
async function execute(p: Project, id: number, how: 'scan' | 'resume', opts: { out?: string; quiet: boolean; threads?: number }): Promise<number> {
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
  say(opts.quiet, [
    ...reportLines(summary),
    complete
      ? `run ${id} done in ${run.wallSeconds.toFixed(1)} s, recorded in ${p.path}${written}`
      : `run ${id} STOPPED after ${run.done} of ${run.total} SNPs (resume it with kinscan resume --project ${p.path} --run ${id})${written}`,
  ]);
  return complete ? 0 : 130;
}

/** `kinscan scan ... --project P`: record the run (importing inputs if needed), run it, also write --out if given. */
export async function projectScanCommand(
  projectPath: string,
  settings: ScanSettings,
  opts: { out?: string; quiet: boolean; threads?: number },
): Promise<number> {
  const p = Project.open(projectPath, { create: true, command: 'kinscan scan' });
  try {
    noteInterrupted(p, opts.quiet);
    const id = p.createRun(settings);
    return await execute(p, id, 'scan', opts);
  } finally {
    p.close();
  }
}

export async function importCommand(args: string[]): Promise<number> {
  const v = parse(args, {
    project: { type: 'string' },
    bfile: { type: 'string' },
    pheno: { type: 'string' },
    covar: { type: 'string' },
    kinship: { type: 'string' },
    quiet: { type: 'boolean' },
  });
  const path = need(v.project, 'project');
  if (!v.bfile && !v.pheno && !v.covar && !v.kinship) throw new UsageError('import needs at least one of --bfile, --pheno, --covar, --kinship', true);
  const quiet = Boolean(v.quiet);
  const p = Project.open(path, { create: true, command: 'kinscan import' });
  try {
    noteInterrupted(p, quiet);
    const state = (created: boolean): string => (created ? 'imported' : 'already in the project');
    if (typeof v.bfile === 'string') {
      const progress = makeProgress(quiet);
      const r = p.importDataset(v.bfile, { progress: progress.update });
      progress.done();
      const d = p.dataset(r.id);
      say(quiet, [`dataset ${d.id}: ${d.name}, ${d.nSamples} samples x ${d.nSnps} SNPs, ${state(r.created)}`]);
    }
    for (const [flag, file] of [
      ['pheno', v.pheno],
      ['covar', v.covar],
    ] as const) {
      if (typeof file !== 'string') continue;
      const r = p.importSheet(file);
      const s = p.sheet(r.id);
      say(quiet, [`sheet ${s.id} (--${flag}): ${s.name}, ${s.rows} rows, columns ${s.columns.join(', ')}, ${state(r.created)}`]);
    }
    if (typeof v.kinship === 'string') {
      const r = p.importMatrix(v.kinship);
      say(quiet, [`kinship matrix ${r.id}: ${v.kinship}, ${state(r.created)}`]);
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
        s.covarNames.length > 0 ? s.covarNames.join(',') : '-',
        typeof s.kinship === 'object' ? s.kinship.file : s.kinship,
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
  const v = parse(args, { project: { type: 'string' }, run: { type: 'string' }, out: { type: 'string' }, partial: { type: 'boolean' }, quiet: { type: 'boolean' } });
  const path = need(v.project, 'project');
  const id = runId(v.run);
  const out = need(v.out, 'out');
  const p = Project.open(path, { readonly: true });
  try {
    const e = p.exportRun(id, out, { partial: Boolean(v.partial) });
    say(Boolean(v.quiet), [`run ${id}: ${e.rows} rows written to ${e.tsv}${e.summary ? ` and ${e.summary}` : ''}`]);
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
