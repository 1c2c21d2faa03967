import { parseArgs } from 'node:util';
import type { ScanSummary } from '../engine/scan/run.js';

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

/** What a finished (or stopped) scan reports: who was analysed, which SNPs were tested, the null fit. */
export function reportLines(s: ScanSummary): string[] {
  const sm = s.samples;
  const sn = s.snps;
  return [
    `individuals: ${sm.genotyped} genotyped, ${sm.sheetRows} sheet rows, ${sm.matched} matched by ${sm.matchedBy}` +
      (sm.sheetOnlyCount > 0 ? ` (${sm.sheetOnlyCount} sheet IDs not genotyped, e.g. ${sm.sheetOnly.slice(0, 3).join(', ')})` : '') +
      `; dropped ${sm.missingTrait} missing the trait, ${sm.missingCovariate} missing a covariate -> ${sm.analysed} analysed`,
    `SNPs: ${sn.total} in file; dropped ${sn.failedMissing} missing rate > ${sn.maxMissing}, ${sn.failedMaf} MAF < ${sn.maf}, ` +
      `${sn.singleClass} with one genotype class, ${sn.collinearWithCovariates} collinear with covariates -> ${sn.tested} tested`,
    `null model (ML): logl ${s.null.logl_h0.toFixed(4)}, sigma_a2 ${s.null.sigma_a2.toPrecision(5)}, sigma_e2 ${s.null.sigma_e2.toPrecision(5)}, ` +
      `PVE ${s.null.pve.toFixed(4)}; lambda_GC ${s.lambda_gc.toFixed(4)}`,
  ];
}
