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
/** How many principal components of the kinship a scan may add as covariates. */
export const PCS_RANGE = [0, 20] as const;

/** Longest path or name accepted (a file path, a column name). */
const MAX_TEXT = 4096;

/** The settings a scan has unless it says otherwise. */
export const DEFAULT_SETTINGS = {
  covarNames: [] as string[],
  kinship: 'centered' as 'centered' | 'standardized' | { file: string },
  model: 'add-dom' as (typeof GENETIC_MODELS)[number],
  method: 'fast' as (typeof FIT_METHODS)[number],
  maf: 0.01,
  maxMissing: 0.05,
  pcs: 0,
};

export const kinshipSettingSchema = z.union([z.enum(KINSHIP_MODES), z.object({ file: z.string().min(1).max(MAX_TEXT) }).strict()]);

export const scanSettingsSchema = z
  .object({
    /** PLINK prefix (path without .bed/.bim/.fam); empty in a project: its only dataset. */
    bfile: z.string().max(MAX_TEXT),
    /** Phenotype sheet; empty in a project: its latest sheet with the trait. */
    pheno: z.string().max(MAX_TEXT),
    trait: z.string().min(1).max(MAX_TEXT),
    covar: z.string().min(1).max(MAX_TEXT).optional(),
    covarNames: z.array(z.string().min(1).max(MAX_TEXT)).max(1000).default(DEFAULT_SETTINGS.covarNames),
    /** A kinship built from the genotypes, or a whitespace n x n matrix file in .fam order. */
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
    /** Leave-one-chromosome-out: test each chromosome against the kinship of the other chromosomes. */
    loco: z.boolean().optional(),
  })
  .strict();

/** Everything that defines a scan; recorded with its results. */
export type ScanSettings = z.output<typeof scanSettingsSchema>;
/** What a caller may give (defaults filled in by the schema). */
export type ScanSettingsInput = z.input<typeof scanSettingsSchema>;
