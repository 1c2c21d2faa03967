/**
 * The kinscan command line: usage texts, the scan and kinship commands, and the dispatch to the
 * project, figure and report commands. Every command answers --help with its usage (exit 0).
 * Exit codes: 0 done, 1 bad input, 2 bad command line, 3 internal error, 130 stopped (Ctrl-C).
 */
import { existsSync } from 'node:fs';
import type { z } from 'zod';
import { EXIT, parseFlags as parse, reportLines, UsageError } from './report.js';

export { EXIT };
import { writeSquareMatrix } from '../engine/io/matrix-text.js';
import { famPhenotype, openPlinkGenotypes } from '../engine/io/plink.js';
import { readSheet } from '../engine/io/sheet.js';
import { selectSamples } from '../engine/qc/samples.js';
import { snpQc, SnpStatus } from '../engine/qc/snps.js';
import { plinkPaths, refuseOverwrite } from '../engine/io/output-guard.js';
import { scanToFiles } from '../engine/scan/run.js';
import { scanSettingsSchema, type ScanSettings, type ScanSettingsInput } from '../engine/scan/settings.js';
import { FIT_METHODS, GENETIC_MODELS, MAF_RANGE, MAX_MISSING_RANGE, PCS_RANGE } from '../engine/protocol/settings.js';
import { computeKinship } from '../engine/stats/kinship.js';
import { computeKinshipThreaded } from '../engine/stats/kinship-threads.js';
import { availableParallelism } from 'node:os';
import { VERSION } from '../engine/version.js';
import { makeProgress } from './progress.js';

/** The project commands (and SQLite) are loaded only when a project is used. */
const projectCommands = (): Promise<typeof import('./project-commands.js')> => import('./project-commands.js');
/** The figure and report commands (painters, fonts, the browser for PDF) likewise. */
const outputCommands = (): Promise<typeof import('./output-commands.js')> => import('./output-commands.js');
/** `kinscan serve` (the HTTP and WebSocket server, the engine service) likewise. */
const serveCommand = (): Promise<typeof import('./serve-command.js')> => import('./serve-command.js');

const SCAN_USAGE = `  kinscan scan --bfile PREFIX --pheno FILE --trait NAME [options] --out RESULTS.tsv
      --covar FILE --covar-names a,b     covariates (fixed effects; the intercept is always in)
      --kinship centered|standardized|FILE   relatedness matrix (default centered, GEMMA -gk 1)
      --model add-dom|additive           2-df additive + dominance (default) or 1-df additive
      --method fast|em|squarem|exact     ML route: fast (default), the lecture's plain EM, EM with SQUAREM,
                                         or the exact reference optimiser (dense grid + Brent; slow)
      --maf 0.01 --max-miss 0.05         SNP filters among the analysed individuals
      --pcs K                            also adjust for population structure with the top K principal
                                         components of the kinship (0-20, default 0), added as covariates
                                         after --covar-names; with --loco, those of the whole-genome kinship
      --threads N                        worker threads (default: all cores)
      --loco                             leave-one-chromosome-out kinship for each chromosome's SNPs
      RESULTS.tsv ends in a flag column: below-null (the alternative fit landed below the null) or
      not-converged (the fit hit its iteration limit); empty for a sound fit. --out never overwrites an input.
  kinscan scan ... --project P.kinscan [--out RESULTS.tsv]
      Records the run in the project (importing the genotypes and sheets if needed); --out is optional.
      With --project, --bfile and --pheno may be left out: the project's dataset and sheets are used.`;

/** Each command's usage, printed by `kinscan COMMAND --help`. */
export const COMMAND_USAGE: Record<string, string> = {
  scan: SCAN_USAGE,
  kinship: `  kinscan kinship --bfile PREFIX [--standardized] [--pheno FILE --trait NAME] [--maf 0.01 --max-miss 0.05] [--threads N] --out K.txt
      Without --pheno, the individuals with a phenotype in .fam column 6 define the SNP filters (as GEMMA).`,
  import: `  kinscan import --project P.kinscan [--bfile PREFIX] [--pheno FILE] [--covar FILE] [--kinship FILE]`,
  runs: `  kinscan runs --project P.kinscan [--json]       every run: id, status, SNPs done/total, parameters`,
  export: `  kinscan export --project P.kinscan --run ID --out F [--format tsv|csv|gemma|xlsx] [--partial]
      Format from the extension unless given: .tsv/.txt, .csv, .xlsx (results, top hits, run),
      .assoc.txt (GEMMA -lmm 2 columns).`,
  hits: `  kinscan hits --project P.kinscan --run ID [--p 5e-8|bonferroni] [--window 500kb] [--r2 0.1|none]
               [--json] [--out PEAKS.tsv]
      SNPs past --p clumped into peaks: each led by its best SNP, joined by those within --window
      with r2 >= --r2 with the lead (from the project's genotypes).`,
  plot: `  kinscan plot manhattan|qq|pca|kinship|region|genotype (--project P.kinscan --run ID | --results R.tsv)
               --out F.png|tiff|svg|pdf|eps [--dpi 300] [--width-mm 183] [--palette okabe-ito|grey] ...
      Publication figures (kinscan plot --help lists every option).`,
  report: `  kinscan report --project P.kinscan --run ID --out F.html|pdf
      One file documenting the run: inputs and SHA-256, exclusions, model, null fit, figures, top
      hits, versions, the command that reproduces it and a methods paragraph.`,
  resume: `  kinscan resume --project P.kinscan --run ID [--out RESULTS.tsv]   finish a stopped or interrupted run`,
  compact: `  kinscan compact --project P.kinscan [--keep-cache]   drop cached kinship/eigen matrices, shrink the file`,
  serve: `  kinscan serve [--port N] [--open] [--root DIR] [--developer]
      The app in a browser on this computer only (127.0.0.1): prints http://127.0.0.1:PORT/?token=...
      (--port: default a free one; --open: open it in the default browser; --root: the folder the app
      may read and write, default your home folder; --developer: stack traces in errors). Recent
      projects and the example project are kept in KINSCAN_STATE_DIR (default ~/.local/state/kinscan).`,
};

export const USAGE = `kinscan ${VERSION}: mixed-model GWAS (linear mixed model, EM/ML fit, likelihood-ratio test)

Usage:
${Object.values(COMMAND_USAGE).join('\n')}
  kinscan --version
  kinscan COMMAND --help                           that command's usage
Add --debug to any command for stack traces.
Exit codes: 0 done; 1 bad input (a file or a setting: the message names it and says what to do);
2 bad command line; 3 internal error (a bug: please report it); 130 stopped by Ctrl-C (partial results kept).
`;

function num(v: string | undefined, name: string, def: number, lo: number, hi: number): number {
  if (v === undefined) return def;
  const x = Number(v);
  if (!Number.isFinite(x) || x < lo || x > hi) throw new UsageError(`--${name} must be a number from ${lo} to ${hi}, got '${v}'`);
  return x;
}

function need(v: string | undefined, name: string): string {
  if (v === undefined || v === '') throw new UsageError(`--${name} is required`, true);
  return v;
}

/** A number flag as the schema sees it: NaN for text that is not a number (the schema then refuses it). */
function numberFlag(v: unknown): number | undefined {
  if (v === undefined) return undefined;
  const t = String(v).trim();
  return t === '' ? NaN : Number(t);
}

/** The flag of each setting, and what it must be, for messages. */
const SETTING_FLAGS: Record<string, { flag: string; rule: string }> = {
  bfile: { flag: '--bfile', rule: 'a PLINK prefix' },
  pheno: { flag: '--pheno', rule: 'a sheet file' },
  trait: { flag: '--trait', rule: 'a column name of the phenotype sheet' },
  covar: { flag: '--covar', rule: 'a sheet file' },
  covarNames: { flag: '--covar-names', rule: 'column names separated by commas' },
  kinship: { flag: '--kinship', rule: 'centered, standardized or an existing matrix file' },
  model: { flag: '--model', rule: GENETIC_MODELS.join(' or ') },
  method: { flag: '--method', rule: `${FIT_METHODS.slice(0, -1).join(', ')} or ${FIT_METHODS.at(-1)}` },
  maf: { flag: '--maf', rule: `a number from ${MAF_RANGE[0]} to ${MAF_RANGE[1]}` },
  maxMissing: { flag: '--max-miss', rule: `a number from ${MAX_MISSING_RANGE[0]} to ${MAX_MISSING_RANGE[1]}` },
  pcs: { flag: '--pcs', rule: `a whole number from ${PCS_RANGE[0]} to ${PCS_RANGE[1]}` },
};

/** The command line's message for the schema's first complaint: '--maf must be a number from 0 to 0.5, got 'x''. */
export function settingsUsageError(issues: z.core.$ZodIssue[], given: Record<string, unknown>): UsageError {
  const issue = issues[0]!;
  const key = String(issue.path[0] ?? '');
  const known = SETTING_FLAGS[key];
  if (!known) return new UsageError(`invalid scan settings: ${issue.path.join('.') || 'settings'}: ${issue.message}`);
  const raw = given[key];
  return new UsageError(`${known.flag} must be ${known.rule}, got '${Array.isArray(raw) ? raw.join(',') : String(raw)}'`);
}

/** Settings from flags, parsed by the one settings schema (engine/protocol/settings.ts). */
export function parseScanSettings(input: ScanSettingsInput, given: Record<string, unknown>): ScanSettings {
  const r = scanSettingsSchema.safeParse(input);
  if (!r.success) throw settingsUsageError(r.error.issues, given);
  return r.data;
}

/** The options of `kinscan scan` (the report's reproduce command is checked against them). */
export const SCAN_FLAGS = {
  bfile: { type: 'string' },
  pheno: { type: 'string' },
  trait: { type: 'string' },
  covar: { type: 'string' },
  'covar-names': { type: 'string' },
  kinship: { type: 'string' },
  model: { type: 'string' },
  method: { type: 'string' },
  maf: { type: 'string' },
  'max-miss': { type: 'string' },
  pcs: { type: 'string' },
  out: { type: 'string' },
  threads: { type: 'string' },
  loco: { type: 'boolean' },
  quiet: { type: 'boolean' },
  project: { type: 'string' },
} as const;

async function scanCommand(args: string[]): Promise<number> {
  const v = parse(args, SCAN_FLAGS);
  const threads = v.threads === undefined ? undefined : num(v.threads as string, 'threads', 1, 1, 256);
  if (threads !== undefined && !Number.isInteger(threads)) throw new UsageError(`--threads must be a whole number, got '${v.threads}'`);
  const kin = (v.kinship as string | undefined) ?? 'centered';
  let kinship: ScanSettings['kinship'];
  if (kin === 'centered' || kin === 'standardized') kinship = kin;
  else if (existsSync(kin)) kinship = { file: kin };
  else throw new UsageError(`--kinship must be centered, standardized or an existing matrix file; '${kin}' is neither`);
  let covarNames = v['covar-names'] ? String(v['covar-names']).split(',').map((s) => s.trim()).filter(Boolean) : [];
  if (covarNames.length > 0 && !v.covar) throw new UsageError('--covar-names needs --covar FILE (the sheet that holds those columns)');
  const bfile = v.project ? String(v.bfile ?? '') : need(v.bfile as string | undefined, 'bfile');
  const pheno = v.project ? String(v.pheno ?? '') : need(v.pheno as string | undefined, 'pheno');
  const trait = need(v.trait as string | undefined, 'trait');
  const given = { ...v, maxMissing: v['max-miss'], covarNames: v['covar-names'] };
  // Checked before a sheet is read for its covariate columns.
  const settings0 = parseScanSettings(
    {
      bfile,
      pheno,
      trait,
      ...(v.covar ? { covar: String(v.covar) } : {}),
      covarNames,
      kinship,
      ...(v.model !== undefined ? { model: v.model as ScanSettings['model'] } : {}),
      ...(v.method !== undefined ? { method: v.method as ScanSettings['method'] } : {}),
      ...(v.maf !== undefined ? { maf: numberFlag(v.maf)! } : {}),
      ...(v['max-miss'] !== undefined ? { maxMissing: numberFlag(v['max-miss'])! } : {}),
      ...(v.pcs !== undefined ? { pcs: numberFlag(v.pcs)! } : {}),
      ...(v.loco ? { loco: true } : {}),
    },
    given,
  );
  // --covar without --covar-names: all numeric columns of the covariate sheet.
  const allCovariates = Boolean(v.covar) && covarNames.length === 0;
  if (allCovariates) covarNames = [...readSheet(String(v.covar)).values.keys()];
  const settings = allCovariates ? parseScanSettings({ ...settings0, covarNames }, given) : settings0;
  if (v.project) return (await projectCommands()).projectScanCommand(String(v.project), settings, { ...(v.out ? { out: String(v.out) } : {}), quiet: Boolean(v.quiet), ...(threads ? { threads } : {}) });
  const out = need(v.out as string | undefined, 'out');
  const progress = makeProgress(Boolean(v.quiet));
  let stop = false;
  const onSigint = (): void => {
    stop = true;
  };
  try {
    // Ctrl-C during preparation ends the process at once (nothing written yet); during the scan it
    // stops after the blocks in flight and leaves partial results marked incomplete.
    const summary = await scanToFiles(settings, out, {
      progress: progress.update,
      shouldStop: () => stop,
      onScanStart: () => process.on('SIGINT', onSigint),
      ...(threads ? { threads } : {}),
    });
    progress.done();
    const s = summary;
    const lines = [
      ...reportLines(s),
      s.complete
        ? `done in ${s.wall_seconds.toFixed(1)} s: ${out} and its .summary.json`
        : `STOPPED after ${s.snps.tested} SNPs: partial results in ${out}.partial, summary marked incomplete`,
    ];
    if (!v.quiet) process.stderr.write(lines.map((l) => `kinscan: ${l}\n`).join(''));
    return s.complete ? EXIT.ok : EXIT.stopped;
  } finally {
    process.off('SIGINT', onSigint);
  }
}

async function kinshipCommand(args: string[]): Promise<number> {
  const v = parse(args, {
    bfile: { type: 'string' },
    standardized: { type: 'boolean' },
    pheno: { type: 'string' },
    trait: { type: 'string' },
    maf: { type: 'string' },
    'max-miss': { type: 'string' },
    out: { type: 'string' },
    threads: { type: 'string' },
    quiet: { type: 'boolean' },
  });
  const threads = v.threads === undefined ? undefined : num(v.threads as string, 'threads', 1, 1, 256);
  const bfile = need(v.bfile as string | undefined, 'bfile');
  const out = need(v.out as string | undefined, 'out');
  const given = { maf: v.maf, maxMissing: v['max-miss'] };
  const filters = scanSettingsSchema.pick({ maf: true, maxMissing: true }).safeParse({
    ...(v.maf !== undefined ? { maf: numberFlag(v.maf) } : {}),
    ...(v['max-miss'] !== undefined ? { maxMissing: numberFlag(v['max-miss']) } : {}),
  });
  if (!filters.success) throw settingsUsageError(filters.error.issues, given);
  refuseOverwrite(out, [...plinkPaths(bfile), ...(v.pheno ? [String(v.pheno)] : [])], 'the kinship', 'Choose another file name for --out');
  const plink = openPlinkGenotypes(bfile);
  let analysed: Int32Array;
  if (v.pheno) {
    analysed = selectSamples(plink.fam, readSheet(String(v.pheno)), need(v.trait as string | undefined, 'trait')).famIndex;
  } else {
    const y = famPhenotype(plink.fam, 1);
    const idx: number[] = [];
    for (let i = 0; i < y.length; i++) if (!Number.isNaN(y[i]!)) idx.push(i);
    analysed = Int32Array.from(idx.length > 0 ? idx : y.map((_, i) => i));
  }
  const { stats } = snpQc(plink.bed, analysed, filters.data);
  const include = stats.status.map((s) => (s === SnpStatus.Pass ? 1 : 0));
  const progress = makeProgress(Boolean(v.quiet));
  const mode = v.standardized ? 'standardized' : 'centered';
  const onKin = (d: number, t: number): void => progress.update('kinship', d, t);
  const kin = computeKinshipThreaded(plink.bed, include, mode, threads ?? availableParallelism(), onKin) ?? computeKinship(plink.bed, include, mode, onKin);
  progress.done();
  writeSquareMatrix(out, kin.data, kin.n);
  plink.bed.close();
  process.stderr.write(`kinscan: ${kin.mode} kinship of ${kin.n} individuals from ${kin.snps} SNPs written to ${out}\n`);
  return EXIT.ok;
}

export async function runCommand(argv: string[]): Promise<number> {
  const [cmd, ...rest] = argv;
  if (cmd !== undefined && (rest.includes('--help') || rest.includes('-h'))) {
    if (cmd === 'plot') return (await outputCommands()).plotCommand(['--help']);
    const usage = COMMAND_USAGE[cmd];
    if (usage === undefined) throw new UsageError(`unknown command '${cmd}'`, true);
    process.stdout.write(`Usage:\n${usage}\nAdd --debug for stack traces. Exit codes: 0 done, 1 bad input, 2 bad command line, 3 internal error.\n`);
    return EXIT.ok;
  }
  switch (cmd) {
    case 'scan':
      return scanCommand(rest);
    case 'kinship':
      return kinshipCommand(rest);
    case 'import':
      return (await projectCommands()).importCommand(rest);
    case 'runs':
      return (await projectCommands()).runsCommand(rest);
    case 'export':
      return (await projectCommands()).exportCommand(rest);
    case 'hits':
      return (await projectCommands()).hitsCommand(rest);
    case 'plot':
      return (await outputCommands()).plotCommand(rest);
    case 'report':
      return (await outputCommands()).reportCommand(rest);
    case 'resume':
      return (await projectCommands()).resumeCommand(rest);
    case 'compact':
      return (await projectCommands()).compactCommand(rest);
    case 'serve':
      return (await serveCommand()).serveCommand(rest);
    case '--version':
    case 'version':
      process.stdout.write(`kinscan ${VERSION}\n`);
      return 0;
    case undefined:
    case '--help':
    case 'help':
      process.stdout.write(USAGE);
      return cmd === undefined ? EXIT.usage : EXIT.ok;
    default:
      throw new UsageError(`unknown command '${cmd}'`, true);
  }
}
