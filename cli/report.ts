import { parseArgs } from 'node:util';
import { isInputError } from '../engine/io/errors.js';
import { describePcs } from '../engine/scan/pcs.js';
import type { ScanSummary } from '../engine/scan/run.js';

/** Exit codes of every command. */
export const EXIT = { ok: 0, input: 1, usage: 2, internal: 3, stopped: 130 } as const;

/** System errors about a file the user named (missing, a folder, no permission, disk full): bad input, not a bug. */
const FILE_PROBLEMS: Record<string, string> = {
  ENOENT: 'no such file or folder',
  ENOTDIR: 'a part of the path is not a folder',
  EISDIR: 'is a folder, not a file',
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  EROFS: 'on a read-only medium',
  ENOSPC: 'the disk is full',
  EEXIST: 'already exists',
};

/**
 * What the command line prints and returns for an error: a usage problem (exit 2, with the usage
 * when asked), bad input (exit 1: an InputError, or a system error about a named file), or an
 * internal error (exit 3: a bug, to be reported). One sentence each; the stack with `debug`.
 */
export function errorExit(e: unknown, debug: boolean, usage: string): { code: number; text: string } {
  const stack = (x: unknown): string => (debug && x instanceof Error && x.stack ? `${x.stack}\n` : '');
  if (e instanceof UsageError) return { code: EXIT.usage, text: `kinscan: ${e.message}\n${e.showUsage ? '\n' + usage : ''}` };
  if (isInputError(e)) return { code: EXIT.input, text: `kinscan: ${e.message}\n${stack(e)}` };
  const sys = e as NodeJS.ErrnoException;
  const problem = typeof sys?.code === 'string' ? FILE_PROBLEMS[sys.code] : undefined;
  if (problem !== undefined && typeof sys.path === 'string') {
    return { code: EXIT.input, text: `kinscan: ${sys.path}: ${problem} (${sys.code}). Check the path and that you may read and write there\n${stack(e)}` };
  }
  const message = e instanceof Error ? e.message : String(e);
  return {
    code: EXIT.internal,
    text: `kinscan: internal error: ${message}. Please report it with the command you ran${debug ? '' : ' (rerun with --debug for details)'}.\n${stack(e)}`,
  };
}

/** A command line usage problem (exit 2, with the usage text when showUsage). */
export class UsageError extends Error {
  constructor(
    message: string,
    readonly showUsage = false,
  ) {
    super(message);
  }
}

export type Flags = Record<string, string | boolean | undefined>;

/** node:util parseArgs, strict, with its errors turned into UsageErrors. */
export function parseFlags(args: string[], options: NonNullable<NonNullable<Parameters<typeof parseArgs>[0]>['options']>): Flags {
  try {
    return parseArgs({ args, options, allowPositionals: false, strict: true }).values as Flags;
  } catch (e) {
    throw new UsageError((e as Error).message.replace(/^TypeError \[[A-Z_]+\]: /, ''), true);
  }
}

/** A pedigree kinship in one line: its size and inbreeding. */
function pedigreeLine(p: NonNullable<ScanSummary['kinship']['pedigree']>): string {
  return (
    `kinship: the relationship matrix A of the pedigree ${p.file} (${p.animals} animals; ${p.used} of them the genotyped individuals and their ancestors` +
    `${p.unlisted > 0 ? `, ${p.unlisted} genotyped individuals not in it taken as founders` : ''}); ${p.inbred} inbred, mean F ${p.meanF.toFixed(4)}, max F ${p.maxF.toFixed(4)}`
  );
}

/** What a finished (or stopped) scan reports: who was analysed, which SNPs were tested, the null fit. */
export function reportLines(s: ScanSummary): string[] {
  const sm = s.samples;
  const sn = s.snps;
  const flagged =
    sn.flagged > 0
      ? [`${sn.flagged} tested SNP${sn.flagged === 1 ? '' : 's'} flagged (${sn.flaggedBelowNull} below-null, ${sn.flaggedNotConverged} not-converged): see the flag column`]
      : [];
  return [
    `individuals: ${sm.genotyped} genotyped, ${sm.sheetRows} sheet rows, ${sm.matched} matched by ${sm.matchedBy}` +
      (sm.sheetOnlyCount > 0 ? ` (${sm.sheetOnlyCount} sheet IDs not genotyped, e.g. ${sm.sheetOnly.slice(0, 3).join(', ')})` : '') +
      `; dropped ${sm.missingTrait} missing the trait, ${sm.missingCovariate} missing a covariate` +
      (sm.lowCallRate ? `, ${sm.lowCallRate} with a call rate below ${s.settings.minCallRate}` : '') +
      ` -> ${sm.analysed} analysed`,
    `SNPs: ${sn.total} in file; dropped ` +
      (sn.failedDuplicate ? `${sn.failedDuplicate} duplicates (same ID and position), ` : '') +
      `${sn.failedMissing} missing rate > ${sn.maxMissing}, ${sn.failedMaf} MAF < ${sn.maf}, ${sn.singleClass} with one genotype class, ` +
      (sn.hwe ? `${sn.failedHwe ?? 0} HWE p < ${sn.hwe < 1e-3 ? sn.hwe.toExponential() : sn.hwe}, ` : '') +
      // Collinear by GEMMA's r2 > 0.9999 rule before the scan, or found not identifiable when fitted (with the PCs).
      `${(sn.failedCollinear ?? 0) + sn.collinearWithCovariates} collinear with covariates -> ${sn.tested} tested`,
    ...(s.warnings ?? []).map((w) => `warning: ${w}`),
    ...(s.kinship.pedigree ? [pedigreeLine(s.kinship.pedigree)] : []),
    `null model (ML): logl ${s.null.logl_h0.toFixed(4)}, sigma_a2 ${s.null.sigma_a2.toPrecision(5)}, sigma_e2 ${s.null.sigma_e2.toPrecision(5)}, ` +
      `PVE ${s.null.pve.toFixed(4)}; lambda_GC ${s.lambda_gc.toFixed(4)}`,
    ...(s.heritability
      ? [
          `h2 (PVE) ${s.heritability.estimate.toFixed(3)}, ${+(s.heritability.level * 100).toFixed(1)}% intervals: profile likelihood ${s.heritability.profile.lower.toFixed(3)}-${s.heritability.profile.upper.toFixed(3)}, ` +
            `posterior ${s.heritability.posterior.lower.toFixed(3)}-${s.heritability.posterior.upper.toFixed(3)} (mean ${s.heritability.posterior.mean.toFixed(3)}), bootstrap ${s.heritability.bootstrap.lower.toFixed(3)}-${s.heritability.bootstrap.upper.toFixed(3)}`,
        ]
      : []),
    ...(s.pcs && s.pcs.length > 0 ? [describePcs(s.pcs)] : []),
    ...flagged,
  ];
}
