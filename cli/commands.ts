import { existsSync } from 'node:fs';
import { parseFlags as parse, reportLines, UsageError } from './report.js';
import { writeSquareMatrix } from '../engine/io/matrix-text.js';
import { famPhenotype, openPlinkGenotypes } from '../engine/io/plink.js';
import { readSheet } from '../engine/io/sheet.js';
import { selectSamples } from '../engine/qc/samples.js';
import { snpQc, SnpStatus } from '../engine/qc/snps.js';
import { scanToFiles } from '../engine/scan/run.js';
import { DEFAULT_SETTINGS, type ScanSettings } from '../engine/scan/settings.js';
import { computeKinship } from '../engine/stats/kinship.js';
import { computeKinshipThreaded } from '../engine/stats/kinship-threads.js';
import { availableParallelism } from 'node:os';
import { VERSION } from '../engine/version.js';
import { makeProgress } from './progress.js';

/** The project commands (and SQLite) are loaded only when a project is used. */
const projectCommands = (): Promise<typeof import('./project-commands.js')> => import('./project-commands.js');
/** The figure and report commands (painters, fonts, the browser for PDF) likewise. */
const outputCommands = (): Promise<typeof import('./output-commands.js')> => import('./output-commands.js');

export const USAGE = `kinscan ${VERSION}: mixed-model GWAS (linear mixed model, EM/ML fit, likelihood-ratio test)

Usage:
  kinscan scan --bfile PREFIX --pheno FILE --trait NAME [options] --out RESULTS.tsv
      --covar FILE --covar-names a,b     covariates (fixed effects; the intercept is always in)
      --kinship centered|standardized|FILE   relatedness matrix (default centered, GEMMA -gk 1)
      --model add-dom|additive           2-df additive + dominance (default) or 1-df additive
      --method fast|em|squarem|exact     ML route: fast (default), the lecture's plain EM, EM with SQUAREM,
                                         or the exact reference optimiser (dense grid + Brent; slow)
      --maf 0.01 --max-miss 0.05         SNP filters among the analysed individuals
      --threads N                        worker threads (default: all cores)
      --loco                             leave-one-chromosome-out kinship for each chromosome's SNPs
  kinscan kinship --bfile PREFIX [--standardized] [--pheno FILE --trait NAME] --out K.txt
      Without --pheno, the individuals with a phenotype in .fam column 6 define the SNP filters (as GEMMA).
  kinscan scan ... --project P.kinscan [--out RESULTS.tsv]
      Records the run in the project (importing the genotypes and sheets if needed); --out is optional.
      With --project, --bfile and --pheno may be left out: the project's dataset and sheets are used.
  kinscan import --project P.kinscan [--bfile PREFIX] [--pheno FILE] [--covar FILE] [--kinship FILE]
  kinscan runs --project P.kinscan [--json]       every run: id, status, SNPs done/total, parameters
  kinscan export --project P.kinscan --run ID --out F [--format tsv|csv|gemma|xlsx] [--partial]
      Format from the extension unless given: .tsv/.txt, .csv, .xlsx (results, top hits, run),
      .assoc.txt (GEMMA -lmm 2 columns).
  kinscan hits --project P.kinscan --run ID [--p 5e-8|bonferroni] [--window 500kb] [--r2 0.1|none]
               [--json] [--out PEAKS.tsv]
      SNPs past --p clumped into peaks: each led by its best SNP, joined by those within --window
      with r2 >= --r2 with the lead (from the project's genotypes).
  kinscan plot manhattan|qq|pca|kinship|region|genotype (--project P.kinscan --run ID | --results R.tsv)
               --out F.png|tiff|svg|pdf|eps [--dpi 300] [--width-mm 183] [--palette okabe-ito|grey] ...
      Publication figures (kinscan plot --help lists every option).
  kinscan report --project P.kinscan --run ID --out F.html|pdf
      One file documenting the run: inputs and SHA-256, exclusions, model, null fit, figures, top
      hits, versions, the command that reproduces it and a methods paragraph.
  kinscan resume --project P.kinscan --run ID [--out RESULTS.tsv]   finish a stopped or interrupted run
  kinscan compact --project P.kinscan [--keep-cache]   drop cached kinship/eigen matrices, shrink the file
  kinscan --version
Add --debug to any command for stack traces.
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

async function scanCommand(args: string[]): Promise<number> {
  const v = parse(args, {
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
    out: { type: 'string' },
    threads: { type: 'string' },
    loco: { type: 'boolean' },
    quiet: { type: 'boolean' },
    project: { type: 'string' },
  });
  const threads = v.threads === undefined ? undefined : num(v.threads as string, 'threads', 1, 1, 256);
  if (threads !== undefined && !Number.isInteger(threads)) throw new UsageError(`--threads must be a whole number, got '${v.threads}'`);
  const model = (v.model as string | undefined) ?? DEFAULT_SETTINGS.model;
  if (model !== 'add-dom' && model !== 'additive') throw new UsageError(`--model must be add-dom or additive, got '${model}'`);
  const method = (v.method as string | undefined) ?? DEFAULT_SETTINGS.method;
  if (method !== 'fast' && method !== 'em' && method !== 'squarem' && method !== 'exact') throw new UsageError(`--method must be fast, em, squarem or exact, got '${method}'`);
  const kin = (v.kinship as string | undefined) ?? 'centered';
  let kinship: ScanSettings['kinship'];
  if (kin === 'centered' || kin === 'standardized') kinship = kin;
  else if (existsSync(kin)) kinship = { file: kin };
  else throw new UsageError(`--kinship must be centered, standardized or an existing matrix file; '${kin}' is neither`);
  const covarNames = v['covar-names'] ? String(v['covar-names']).split(',').map((s) => s.trim()).filter(Boolean) : [];
  if (covarNames.length > 0 && !v.covar) throw new UsageError('--covar-names needs --covar FILE (the sheet that holds those columns)');
  const settings: ScanSettings = {
    bfile: v.project ? String(v.bfile ?? '') : need(v.bfile as string | undefined, 'bfile'),
    pheno: v.project ? String(v.pheno ?? '') : need(v.pheno as string | undefined, 'pheno'),
    trait: need(v.trait as string | undefined, 'trait'),
    ...(v.covar ? { covar: String(v.covar) } : {}),
    covarNames: v.covar && covarNames.length === 0 ? [] : covarNames,
    kinship,
    model,
    method,
    maf: num(v.maf as string | undefined, 'maf', DEFAULT_SETTINGS.maf, 0, 0.5),
    maxMissing: num(v['max-miss'] as string | undefined, 'max-miss', DEFAULT_SETTINGS.maxMissing, 0, 1),
    ...(v.loco ? { loco: true } : {}),
  };
  if (v.covar && covarNames.length === 0) {
    // All numeric columns of the covariate sheet.
    settings.covarNames = [...readSheet(String(v.covar)).values.keys()];
  }
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
    return s.complete ? 0 : 130;
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
  const plink = openPlinkGenotypes(need(v.bfile as string | undefined, 'bfile'));
  const out = need(v.out as string | undefined, 'out');
  let analysed: Int32Array;
  if (v.pheno) {
    analysed = selectSamples(plink.fam, readSheet(String(v.pheno)), need(v.trait as string | undefined, 'trait')).famIndex;
  } else {
    const y = famPhenotype(plink.fam, 1);
    const idx: number[] = [];
    for (let i = 0; i < y.length; i++) if (!Number.isNaN(y[i]!)) idx.push(i);
    analysed = Int32Array.from(idx.length > 0 ? idx : y.map((_, i) => i));
  }
  const { stats } = snpQc(plink.bed, analysed, {
    maf: num(v.maf as string | undefined, 'maf', DEFAULT_SETTINGS.maf, 0, 0.5),
    maxMissing: num(v['max-miss'] as string | undefined, 'max-miss', DEFAULT_SETTINGS.maxMissing, 0, 1),
  });
  const include = stats.status.map((s) => (s === SnpStatus.Pass ? 1 : 0));
  const progress = makeProgress(Boolean(v.quiet));
  const mode = v.standardized ? 'standardized' : 'centered';
  const onKin = (d: number, t: number): void => progress.update('kinship', d, t);
  const kin = computeKinshipThreaded(plink.bed, include, mode, threads ?? availableParallelism(), onKin) ?? computeKinship(plink.bed, include, mode, onKin);
  progress.done();
  writeSquareMatrix(out, kin.data, kin.n);
  plink.bed.close();
  process.stderr.write(`kinscan: ${kin.mode} kinship of ${kin.n} individuals from ${kin.snps} SNPs written to ${out}\n`);
  return 0;
}

export async function runCommand(argv: string[]): Promise<number> {
  const [cmd, ...rest] = argv;
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
    case '--version':
    case 'version':
      process.stdout.write(`kinscan ${VERSION}\n`);
      return 0;
    case undefined:
    case '--help':
    case 'help':
      process.stdout.write(USAGE);
      return cmd === undefined ? 2 : 0;
    default:
      throw new UsageError(`unknown command '${cmd}'`, true);
  }
}
