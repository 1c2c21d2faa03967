/**
 * The kinscan command line: usage texts, the scan and kinship commands, and the dispatch to the
 * project, figure and report commands. Every command answers --help with its usage (exit 0).
 * Exit codes: 0 done, 1 bad input, 2 bad command line, 3 internal error, 130 stopped (Ctrl-C).
 */
import { existsSync } from 'node:fs';
import type { z } from 'zod';
import { EXIT, parseFlags as parse, reportLines, UsageError } from './report.js';

export { EXIT };
import { detectGenotypeFormat } from '../engine/io/genotype-format.js';
import { writeSquareMatrix } from '../engine/io/matrix-text.js';
import { famPhenotype, openPlinkGenotypes, type PlinkSet } from '../engine/io/plink.js';
import { readSheet } from '../engine/io/sheet.js';
import { selectSamples } from '../engine/qc/samples.js';
import { snpQc, SnpStatus } from '../engine/qc/snps.js';
import { plinkPaths, refuseOverwrite } from '../engine/io/output-guard.js';
import { scanToFiles } from '../engine/scan/run.js';
import { scanSettingsSchema, type ScanSettings, type ScanSettingsInput } from '../engine/scan/settings.js';
import { FIT_METHODS, GENETIC_MODELS, HWE_RANGE, MAF_RANGE, MAX_MISSING_RANGE, MIN_CALL_RATE_RANGE, PCS_RANGE, PRIOR_PROBABILITY_RANGE, PRIOR_SD_RANGE } from '../engine/protocol/settings.js';
import { computeKinship } from '../engine/stats/kinship.js';
import { computeKinshipThreaded } from '../engine/stats/kinship-threads.js';
import { availableParallelism } from 'node:os';
import { VERSION } from '../engine/version.js';
import { makeProgress } from './progress.js';
import { pedigreeKinshipCommand } from './kinship-pedigree.js';

/** The project commands (and SQLite) are loaded only when a project is used. */
const projectCommands = (): Promise<typeof import('./project-commands.js')> => import('./project-commands.js');
/** The figure and report commands (painters, fonts, the browser for PDF) likewise. */
const outputCommands = (): Promise<typeof import('./output-commands.js')> => import('./output-commands.js');
/** `kinscan serve` (the HTTP and WebSocket server, the engine service) likewise. */
const serveCommand = (): Promise<typeof import('./serve-command.js')> => import('./serve-command.js');

const SCAN_USAGE = `  kinscan scan (--bfile PREFIX | --geno FILE [--anno FILE]) [--pheno FILE] --trait NAME [options] --out RESULTS.tsv
      --pheno FILE [--sheet NAME]        phenotypes: CSV, TSV, semicolon-separated (decimal commas read
                                         and reported), an .xlsx workbook (its first worksheet, or NAME),
                                         or GEMMA's headerless -p file (rows in genotype order, columns
                                         named 1, 2, ...); without --pheno, the .fam's phenotype columns
                                         ('1' is column 6, as GEMMA -n 1)
      --geno FILE                        genotypes in any format Kinscan reads, told by the content: VCF or
                                         bgzipped VCF (GT calls; --dosage reads DS), BIMBAM mean genotypes
                                         (GEMMA -g; --anno its SNP annotation, GEMMA -a), HapMap (.hmp.txt),
                                         a CSV/TSV matrix (--anno its SNP map), or a PLINK .bed
      --covar FILE --covar-names a,b     covariates (fixed effects; the intercept is always in); read like
                                         --pheno (--covar-sheet NAME for a workbook); a text column (sex,
                                         batch) is coded as indicators 'batch=B', 'batch=C' (first level the
                                         reference); without --covar-names, every numeric column
      --kinship centered|standardized|FILE   relatedness matrix (default centered, GEMMA -gk 1)
      --pedigree FILE                    the kinship is the pedigree's numerator relationship matrix A
                                         over the genotyped individuals (matched by .fam IID; Henderson's
                                         method, inbreeding included); --unlisted-founders takes genotyped
                                         individuals the pedigree lacks as unrelated founders (else an error)
      --model add-dom|additive           2-df additive + dominance (default) or 1-df additive
      --method fast|em|squarem|exact     ML route: fast (default), the lecture's plain EM, EM with SQUAREM,
                                         or the exact reference optimiser (dense grid + Brent; slow)
      --maf 0.01 --max-miss 0.05         SNP filters among the analysed individuals
      --hwe P                            also drop SNPs whose Hardy-Weinberg exact test p-value among the
                                         analysed individuals is below P (as PLINK --hwe; default 0: off)
      --min-call-rate R                  drop individuals called at fewer than a fraction R of all SNPs,
                                         before the SNP filters (as PLINK --mind 1-R; default 0: off)
      --pcs K                            also adjust for population structure with the top K principal
                                         components of the kinship (0-20, default 0), added as covariates
                                         after --covar-names; with --loco, those of the whole-genome kinship
      --bf-prior-sd 0.05,0.1,0.2,0.4     the Bayes factors' prior sds of the additive effect, in residual
                                         sds (BIMBAM's; the Bayes factor averages over them)
      --bf-dom-ratio 0.25                the dominance effect's prior sd over the additive one's
      --prior-prob 1e-4                  prior probability that a SNP is associated, for the ppa column
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
  kinship: `  kinscan kinship (--bfile PREFIX | --geno FILE [--anno FILE] [--dosage]) [--standardized] [--pheno FILE --trait NAME] [--maf 0.01 --max-miss 0.05] [--threads N] --out K.txt
      Without --pheno, the individuals with a phenotype in .fam column 6 define the SNP filters (as GEMMA).
      --geno takes any genotype file a scan takes; dosages (BIMBAM, VCF DS) are used as GEMMA does.
  kinscan kinship --pedigree FILE --out A.txt
      The pedigree's numerator relationship matrix A (Henderson's tabular method), in GEMMA's matrix
      format: the animals in the file's order, then the parents that have no line of their own; their
      IDs one a line in A.txt.ids. The pedigree: id sire dam (or a PLINK .fam), unknown parents 0 or NA.`,
  import: `  kinscan import --project P.kinscan [--bfile PREFIX] [--pheno FILE [--sheet NAME]] [--covar FILE [--covar-sheet NAME]]
               [--kinship FILE] [--pedigree FILE [--unlisted-founders]]
      Sheets and kinship files are read as kinscan scan reads them (see kinscan scan --help).
      --pedigree stores the pedigree's A over the dataset's individuals (the one imported with it, or
      the project's only one); a scan with --pedigree uses it without reading the pedigree again.`,
  runs: `  kinscan runs --project P.kinscan [--json]       every run: id, status, SNPs done/total, parameters`,
  export: `  kinscan export --project P.kinscan --run ID --out F [--format tsv|csv|gemma|xlsx|credible-sets] [--partial]
      Format from the extension unless given: .tsv/.txt, .csv, .xlsx (results, top hits, credible sets, run),
      .assoc.txt (GEMMA -lmm 2 columns); credible-sets: the 95% sets of kinscan finemap, as a TSV.`,
  hits: `  kinscan hits --project P.kinscan --run ID [--p 5e-8|bonferroni] [--window 500kb] [--r2 0.1|none]
               [--json] [--out PEAKS.tsv]
      SNPs past --p clumped into peaks: each led by its best SNP, joined by those within --window
      with r2 >= --r2 with the lead (from the project's genotypes).`,
  h2: `  kinscan h2 --project P.kinscan --run ID [--json]
      The null model's heritability (PVE, ML) with three intervals: profile likelihood, posterior under a
      uniform prior (mean, mode), parametric bootstrap (ALBI: right coverage near 0 and 1).`,
  finemap: `  kinscan finemap --project P.kinscan --run ID [--p 5e-8|bonferroni] [--window 500kb] [--level 0.95]
               [--json] [--out SETS.tsv]
      Credible sets: each SNP past --p opens a window of +-(--window); overlapping windows merge into a
      region. Under one causal variant per region, each SNP's posterior inclusion probability is its
      share of the region's Bayes factors; the set is the fewest SNPs reaching --level. PPA: the lead's
      posterior probability of association, for the run's prior probability (kinscan scan --prior-prob).`,
  plot: `  kinscan plot manhattan|qq|pca|kinship|region|genotype|heritability (--project P.kinscan --run ID | --results R.tsv)
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
  hwe: { flag: '--hwe', rule: `a p-value from ${HWE_RANGE[0]} to ${HWE_RANGE[1]} (0: no HWE filter)` },
  minCallRate: { flag: '--min-call-rate', rule: `a fraction from ${MIN_CALL_RATE_RANGE[0]} to ${MIN_CALL_RATE_RANGE[1]} (0: no call-rate filter)` },
  'bayes.priorSd': { flag: '--bf-prior-sd', rule: `one or more numbers from ${PRIOR_SD_RANGE[0]} to ${PRIOR_SD_RANGE[1]}, separated by commas` },
  'bayes.dominanceRatio': { flag: '--bf-dom-ratio', rule: `a number from ${PRIOR_SD_RANGE[0]} to ${PRIOR_SD_RANGE[1]}` },
  'bayes.priorProbability': { flag: '--prior-prob', rule: `a probability from ${PRIOR_PROBABILITY_RANGE[0]} to ${PRIOR_PROBABILITY_RANGE[1]}` },
};

/** The command line's message for the schema's first complaint: '--maf must be a number from 0 to 0.5, got 'x''. */
export function settingsUsageError(issues: z.core.$ZodIssue[], given: Record<string, unknown>): UsageError {
  const issue = issues[0]!;
  const key = issue.path[0] === 'bayes' ? `bayes.${String(issue.path[1] ?? '')}` : String(issue.path[0] ?? '');
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
  geno: { type: 'string' },
  anno: { type: 'string' },
  dosage: { type: 'boolean' },
  pheno: { type: 'string' },
  sheet: { type: 'string' },
  trait: { type: 'string' },
  covar: { type: 'string' },
  'covar-sheet': { type: 'string' },
  'covar-names': { type: 'string' },
  kinship: { type: 'string' },
  model: { type: 'string' },
  method: { type: 'string' },
  maf: { type: 'string' },
  'max-miss': { type: 'string' },
  pcs: { type: 'string' },
  pedigree: { type: 'string' },
  'unlisted-founders': { type: 'boolean' },
  hwe: { type: 'string' },
  'min-call-rate': { type: 'string' },
  'bf-prior-sd': { type: 'string' },
  'bf-dom-ratio': { type: 'string' },
  'prior-prob': { type: 'string' },
  out: { type: 'string' },
  threads: { type: 'string' },
  loco: { type: 'boolean' },
  quiet: { type: 'boolean' },
  project: { type: 'string' },
} as const;

/** What the readers of the scan's sheets state (decimal commas read, no header row, #N/A cells), each naming its file. */
function sheetWarnings(settings: ScanSettings): string[] {
  const out: string[] = [];
  for (const [file, worksheet] of [
    [settings.pheno, settings.phenoWorksheet],
    [settings.covar, settings.covarWorksheet],
  ] as const) {
    if (!file) continue;
    for (const w of readSheet(file, worksheet !== undefined ? { worksheet } : {}).warnings) out.push(`${file}: ${w}`);
  }
  return out;
}

async function scanCommand(args: string[]): Promise<number> {
  const v = parse(args, SCAN_FLAGS);
  const threads = v.threads === undefined ? undefined : num(v.threads as string, 'threads', 1, 1, 256);
  if (threads !== undefined && !Number.isInteger(threads)) throw new UsageError(`--threads must be a whole number, got '${v.threads}'`);
  const kin = (v.kinship as string | undefined) ?? 'centered';
  let kinship: ScanSettings['kinship'];
  if (kin === 'centered' || kin === 'standardized') kinship = kin;
  else if (existsSync(kin)) kinship = { file: kin };
  else throw new UsageError(`--kinship must be centered, standardized or an existing matrix file; '${kin}' is neither`);
  if (v.pedigree !== undefined) {
    if (v.kinship !== undefined) throw new UsageError('give either --kinship or --pedigree: the pedigree is the kinship');
    kinship = { pedigree: String(v.pedigree), ...(v['unlisted-founders'] ? { unlistedFounders: true } : {}) };
  } else if (v['unlisted-founders']) throw new UsageError('--unlisted-founders goes with --pedigree FILE');
  let covarNames = v['covar-names'] ? String(v['covar-names']).split(',').map((s) => s.trim()).filter(Boolean) : [];
  if (covarNames.length > 0 && !v.covar) throw new UsageError('--covar-names needs --covar FILE (the sheet that holds those columns)');
  if (v.bfile !== undefined && v.geno !== undefined) throw new UsageError('give either --bfile PREFIX or --geno FILE, not both');
  const geno = (v.geno ?? v.bfile) as string | undefined;
  const bfile = v.project ? String(geno ?? '') : need(geno, v.geno !== undefined ? 'geno' : 'bfile');
  // No --pheno: the .fam's phenotype columns, traits '1', '2', ... (in a project: its sheet with the trait, else those).
  const pheno = String(v.pheno ?? '');
  if (v.sheet !== undefined && !v.pheno) throw new UsageError('--sheet NAME goes with --pheno FILE (the workbook that holds that worksheet)');
  if (v['covar-sheet'] !== undefined && !v.covar) throw new UsageError('--covar-sheet NAME goes with --covar FILE (the workbook that holds that worksheet)');
  const trait = need(v.trait as string | undefined, 'trait');
  const given = {
    ...v,
    maxMissing: v['max-miss'],
    covarNames: v['covar-names'],
    minCallRate: v['min-call-rate'],
    'bayes.priorSd': v['bf-prior-sd'],
    'bayes.dominanceRatio': v['bf-dom-ratio'],
    'bayes.priorProbability': v['prior-prob'],
  };
  const bayes = {
    ...(v['bf-prior-sd'] !== undefined ? { priorSd: String(v['bf-prior-sd']).split(',').map((t) => numberFlag(t)!) } : {}),
    ...(v['bf-dom-ratio'] !== undefined ? { dominanceRatio: numberFlag(v['bf-dom-ratio'])! } : {}),
    ...(v['prior-prob'] !== undefined ? { priorProbability: numberFlag(v['prior-prob'])! } : {}),
  };
  // Checked before a sheet is read for its covariate columns.
  const settings0 = parseScanSettings(
    {
      bfile,
      ...(v.anno !== undefined ? { anno: String(v.anno) } : {}),
      ...(v.dosage ? { dosage: true } : {}),
      pheno,
      ...(v.sheet !== undefined ? { phenoWorksheet: String(v.sheet) } : {}),
      trait,
      ...(v.covar ? { covar: String(v.covar) } : {}),
      ...(v['covar-sheet'] !== undefined ? { covarWorksheet: String(v['covar-sheet']) } : {}),
      covarNames,
      kinship,
      ...(v.model !== undefined ? { model: v.model as ScanSettings['model'] } : {}),
      ...(v.method !== undefined ? { method: v.method as ScanSettings['method'] } : {}),
      ...(v.maf !== undefined ? { maf: numberFlag(v.maf)! } : {}),
      ...(v['max-miss'] !== undefined ? { maxMissing: numberFlag(v['max-miss'])! } : {}),
      ...(v.pcs !== undefined ? { pcs: numberFlag(v.pcs)! } : {}),
      ...(v.hwe !== undefined ? { hwe: numberFlag(v.hwe)! } : {}),
      ...(v['min-call-rate'] !== undefined ? { minCallRate: numberFlag(v['min-call-rate'])! } : {}),
      ...(v.loco ? { loco: true } : {}),
      ...(Object.keys(bayes).length > 0 ? { bayes } : {}),
    },
    given,
  );
  // --covar without --covar-names: all numeric columns of the covariate sheet.
  const allCovariates = Boolean(v.covar) && covarNames.length === 0;
  if (allCovariates) covarNames = [...readSheet(String(v.covar), v['covar-sheet'] !== undefined ? { worksheet: String(v['covar-sheet']) } : {}).values.keys()];
  if (!v.quiet && !v.project) for (const w of sheetWarnings(settings0)) process.stderr.write(`kinscan: note: ${w}\n`);
  const settings = allCovariates ? parseScanSettings({ ...settings0, covarNames }, given) : settings0;
  if (v.project) return (await projectCommands()).projectScanCommand(String(v.project), settings, { ...(v.out ? { out: String(v.out) } : {}), quiet: Boolean(v.quiet), ...(threads ? { threads } : {}) });
  const out = need(v.out as string | undefined, 'out');
  // Genotypes other than a PLINK set are read once into a scratch project, and scanned from there.
  if (v.geno !== undefined && detectGenotypeFormat(bfile) !== 'plink') return (await projectCommands()).scratchProjectScanCommand(settings, { out, quiet: Boolean(v.quiet), ...(threads ? { threads } : {}) });
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
    pedigree: { type: 'string' },
    geno: { type: 'string' },
    anno: { type: 'string' },
    dosage: { type: 'boolean' },
  });
  if (v.pedigree !== undefined) {
    const other = ['bfile', 'geno', 'standardized', 'pheno', 'trait', 'maf', 'max-miss'].filter((k) => v[k] !== undefined);
    if (other.length > 0) throw new UsageError(`--pedigree makes A from the pedigree alone: leave out --${other.join(', --')}`);
    return pedigreeKinshipCommand(need(v.pedigree as string, 'pedigree'), need(v.out as string | undefined, 'out'), Boolean(v.quiet));
  }
  const threads = v.threads === undefined ? undefined : num(v.threads as string, 'threads', 1, 1, 256);
  if (v.bfile !== undefined && v.geno !== undefined) throw new UsageError('give either --bfile PREFIX or --geno FILE, not both');
  const bfile = (v.geno ?? need(v.bfile as string | undefined, 'bfile')) as string;
  const out = need(v.out as string | undefined, 'out');
  const given = { maf: v.maf, maxMissing: v['max-miss'] };
  const filters = scanSettingsSchema.pick({ maf: true, maxMissing: true }).safeParse({
    ...(v.maf !== undefined ? { maf: numberFlag(v.maf) } : {}),
    ...(v['max-miss'] !== undefined ? { maxMissing: numberFlag(v['max-miss']) } : {}),
  });
  if (!filters.success) throw settingsUsageError(filters.error.issues, given);
  refuseOverwrite(out, [...plinkPaths(bfile), ...(typeof v.anno === 'string' ? [v.anno] : []), ...(v.pheno ? [String(v.pheno)] : [])], 'the kinship', 'Choose another file name for --out');
  const write = (plink: Pick<PlinkSet, 'fam' | 'bed' | 'dosage'>): number => writeKinship(plink, filters.data, { pheno: v.pheno as string | undefined, trait: v.trait as string | undefined, standardized: Boolean(v.standardized), threads, quiet: Boolean(v.quiet), out });
  // Genotypes other than a PLINK set are read into a scratch project first (one way to read every format).
  if (v.geno !== undefined && detectGenotypeFormat(bfile) !== 'plink') {
    const opts = { ...(typeof v.anno === 'string' ? { anno: v.anno } : {}), ...(v.dosage ? { dosage: true } : {}) };
    return (await projectCommands()).withScratchGenotypes(bfile, opts, write);
  }
  const plink = openPlinkGenotypes(bfile);
  try {
    return write(plink);
  } finally {
    plink.bed.close();
  }
}

/** `kinscan kinship` on opened genotypes: GEMMA's QC among the individuals with the trait, then K, written to opts.out. */
function writeKinship(
  plink: Pick<PlinkSet, 'fam' | 'bed' | 'dosage'>,
  filters: { maf: number; maxMissing: number },
  opts: { pheno: string | undefined; trait: string | undefined; standardized: boolean; threads: number | undefined; quiet: boolean; out: string },
): number {
  const v = { pheno: opts.pheno, trait: opts.trait };
  let analysed: Int32Array;
  if (v.pheno) {
    analysed = selectSamples(plink.fam, readSheet(String(v.pheno)), need(v.trait as string | undefined, 'trait')).famIndex;
  } else {
    const y = famPhenotype(plink.fam, 1);
    const idx: number[] = [];
    for (let i = 0; i < y.length; i++) if (!Number.isNaN(y[i]!)) idx.push(i);
    analysed = Int32Array.from(idx.length > 0 ? idx : y.map((_, i) => i));
  }
  const { stats } = snpQc(plink.bed, analysed, filters, undefined, plink.dosage);
  const include = stats.status.map((s) => (s === SnpStatus.Pass ? 1 : 0));
  const progress = makeProgress(opts.quiet);
  const mode = opts.standardized ? 'standardized' : 'centered';
  const onKin = (d: number, t: number): void => progress.update('kinship', d, t);
  const kin =
    computeKinshipThreaded(plink.bed, include, mode, opts.threads ?? availableParallelism(), onKin, plink.dosage) ?? computeKinship(plink.bed, include, mode, onKin, plink.dosage);
  progress.done();
  writeSquareMatrix(opts.out, kin.data, kin.n);
  process.stderr.write(`kinscan: ${kin.mode} kinship of ${kin.n} individuals from ${kin.snps} SNPs${plink.dosage ? ' (their dosages)' : ''} written to ${opts.out}\n`);
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
    case 'finemap':
      return (await projectCommands()).finemapCommand(rest);
    case 'h2':
      return (await projectCommands()).h2Command(rest);
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
