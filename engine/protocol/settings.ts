/**
 * The one schema of a scan's settings. Every place settings come from parses them with it: the
 * command line (cli/commands.ts builds an object from the flags), the protocol's params
 * (engine/protocol/methods.ts, runs.start), and the JSON of a run read back from a project
 * (engine/store/runs.ts). The engine's ScanSettings is this schema's output type; the defaults
 * live here too, so the protocol imports nothing of the engine.
 */
import { z } from 'zod';

export const GENETIC_MODELS = ['add-dom', 'additive'] as const;
/** fast (default), em (the lecture's plain EM), squarem (EM accelerated), exact (reference optimiser, slow). */
export const FIT_METHODS = ['fast', 'em', 'squarem', 'exact'] as const;
export const KINSHIP_MODES = ['centered', 'standardized'] as const;

/** Bounds of the SNP filters. */
export const MAF_RANGE = [0, 0.5] as const;
export const MAX_MISSING_RANGE = [0, 1] as const;
/** A text covariate with more levels than this is a label per individual, not a grouping (engine/qc/dummy-coding.ts; the renderer says so before a run). */
export const MAX_COVARIATE_LEVELS = 50;

/** How many principal components of the kinship a scan may add as covariates. */
export const PCS_RANGE = [0, 20] as const;
/** Bounds of the Hardy-Weinberg p-value threshold (0: no HWE filter). */
export const HWE_RANGE = [0, 1] as const;
/** Bounds of the minimum sample call rate (0: no call-rate filter). */
export const MIN_CALL_RATE_RANGE = [0, 1] as const;

/** Longest path or name accepted (a file path, a column name). */
const MAX_TEXT = 4096;

/** The settings a scan has unless it says otherwise. */
export const DEFAULT_SETTINGS = {
  covarNames: [] as string[],
  kinship: 'centered' as 'centered' | 'standardized' | { file: string } | { pedigree: string; unlistedFounders?: boolean },
  model: 'add-dom' as (typeof GENETIC_MODELS)[number],
  method: 'fast' as (typeof FIT_METHODS)[number],
  maf: 0.01,
  maxMissing: 0.05,
  pcs: 0,
  hwe: 0,
  minCallRate: 0,
  bayes: { priorSd: [0.05, 0.1, 0.2, 0.4], dominanceRatio: 0.25, priorProbability: 1e-4 },
};

/** Bounds of the Bayes factor prior's standard deviations (in residual standard deviations) and of the prior probability of association. */
export const PRIOR_SD_RANGE = [1e-4, 10] as const;
export const PRIOR_PROBABILITY_RANGE = [1e-12, 0.5] as const;

/**
 * The prior of the per-SNP Bayes factors (engine/stats/bayes): BIMBAM's, effects in units of the
 * residual standard deviation, beta_a ~ N(0, sigma^2 sd^2) for each sd of priorSd (the Bayes factor
 * averages over them), beta_d's sd = dominanceRatio * sd; and the prior probability that a SNP is
 * associated, from which each SNP's posterior probability of association (ppa) is computed.
 * A run recorded before Bayes factors reads as the defaults (its rows have no Bayes factor).
 */
export const bayesSettingSchema = z
  .object({
    priorSd: z.array(z.number().min(PRIOR_SD_RANGE[0]).max(PRIOR_SD_RANGE[1])).min(1).max(20),
    dominanceRatio: z.number().min(PRIOR_SD_RANGE[0]).max(PRIOR_SD_RANGE[1]),
    priorProbability: z.number().min(PRIOR_PROBABILITY_RANGE[0]).max(PRIOR_PROBABILITY_RANGE[1]),
  })
  .partial()
  .strict()
  .transform((b) => ({ ...DEFAULT_SETTINGS.bayes, ...b }));

/**
 * A pedigree's numerator relationship matrix A over the genotyped individuals (Henderson's tabular
 * method); a genotyped individual the pedigree does not list is an error unless unlistedFounders.
 */
export const pedigreeKinshipSchema = z.object({ pedigree: z.string().min(1).max(MAX_TEXT), unlistedFounders: z.boolean().optional() }).strict();

export const kinshipSettingSchema = z.union([z.enum(KINSHIP_MODES), z.object({ file: z.string().min(1).max(MAX_TEXT) }).strict(), pedigreeKinshipSchema]);

/** A kinship setting in a word or a path, for tables: centered, standardized, the matrix file, or 'pedigree FILE'. */
export function kinshipLabel(k: z.output<typeof kinshipSettingSchema>): string {
  return typeof k === 'string' ? k : 'file' in k ? k.file : `pedigree ${k.pedigree}${k.unlistedFounders ? ' (unlisted individuals as founders)' : ''}`;
}

/** The file a kinship setting reads (a matrix or a pedigree), if any. */
export function kinshipInputFile(k: z.output<typeof kinshipSettingSchema>): string | undefined {
  return typeof k === 'string' ? undefined : 'file' in k ? k.file : k.pedigree;
}

export const scanSettingsSchema = z
  .object({
    /**
     * The genotypes: a PLINK prefix (path without .bed/.bim/.fam) or any genotype file Kinscan reads
     * (VCF, bgzipped VCF, BIMBAM, HapMap, a CSV/TSV matrix; the format is told by the content);
     * empty in a project: its only dataset.
     */
    bfile: z.string().max(MAX_TEXT),
    /** BIMBAM's SNP annotation file (GEMMA -a), or a CSV/TSV matrix's SNP map. */
    anno: z.string().min(1).max(MAX_TEXT).optional(),
    /** VCF: read the DS dosages rather than the GT calls. */
    dosage: z.boolean().optional(),
    /** Phenotype sheet; empty: in a project its latest sheet with the trait, else (and when none has it) the .fam's phenotype columns, named '1', '2', ... */
    pheno: z.string().max(MAX_TEXT),
    trait: z.string().min(1).max(MAX_TEXT),
    covar: z.string().min(1).max(MAX_TEXT).optional(),
    covarNames: z.array(z.string().min(1).max(MAX_TEXT)).max(1000).default(DEFAULT_SETTINGS.covarNames),
    /** The worksheet of an .xlsx pheno / covar workbook (default: its first). */
    phenoWorksheet: z.string().min(1).max(MAX_TEXT).optional(),
    covarWorksheet: z.string().min(1).max(MAX_TEXT).optional(),
    /** A kinship built from the genotypes, a whitespace n x n matrix file in .fam order, or a pedigree's A. */
    kinship: kinshipSettingSchema.default('centered'),
    model: z.enum(GENETIC_MODELS).default(DEFAULT_SETTINGS.model),
    method: z.enum(FIT_METHODS).default(DEFAULT_SETTINGS.method),
    maf: z.number().min(MAF_RANGE[0]).max(MAF_RANGE[1]).default(DEFAULT_SETTINGS.maf),
    maxMissing: z.number().min(MAX_MISSING_RANGE[0]).max(MAX_MISSING_RANGE[1]).default(DEFAULT_SETTINGS.maxMissing),
    /**
     * The top `pcs` principal components of the kinship of the analysed individuals (its largest
     * eigenvectors), added as covariates after the sheet's covariates (with loco: those of the
     * genome-wide kinship, for every chromosome). A run recorded before this setting existed reads as 0.
     */
    pcs: z.number().int().min(PCS_RANGE[0]).max(PCS_RANGE[1]).default(DEFAULT_SETTINGS.pcs),
    /**
     * SNPs whose Hardy-Weinberg exact test p-value among the analysed individuals is below this are
     * not tested (engine/qc/hwe.ts); 0, the default, tests nothing (GEMMA's -hwe 0). A run recorded
     * before this setting existed reads as 0.
     */
    hwe: z.number().min(HWE_RANGE[0]).max(HWE_RANGE[1]).default(DEFAULT_SETTINGS.hwe),
    /**
     * Individuals called at fewer than this fraction of all SNPs are dropped before the fit (as
     * PLINK's --mind 1 - R; engine/qc/sample-call-rate.ts); 0, the default, drops none. A run
     * recorded before this setting existed reads as 0.
     */
    minCallRate: z.number().min(MIN_CALL_RATE_RANGE[0]).max(MIN_CALL_RATE_RANGE[1]).default(DEFAULT_SETTINGS.minCallRate),
    /** Leave-one-chromosome-out: test each chromosome against the kinship of the other chromosomes. */
    loco: z.boolean().optional(),
    bayes: bayesSettingSchema.default(DEFAULT_SETTINGS.bayes),
  })
  .strict();

/** Everything that defines a scan; recorded with its results. */
export type ScanSettings = z.output<typeof scanSettingsSchema>;
/** What a caller may give (defaults filled in by the schema). */
export type ScanSettingsInput = z.input<typeof scanSettingsSchema>;
