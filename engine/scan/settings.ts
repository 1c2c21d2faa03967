import type { FitMethod } from '../stats/lmm/fit.js';
import type { KinshipMode } from '../stats/kinship.js';

/** The genetic model tested at each SNP. */
export type GeneticModel = 'add-dom' | 'additive';

/** Everything that defines a scan; recorded with its results. */
export interface ScanSettings {
  /** PLINK prefix (path without .bed/.bim/.fam). */
  bfile: string;
  pheno: string;
  trait: string;
  covar?: string;
  covarNames: string[];
  /** A kinship built from the genotypes, or a whitespace n x n matrix file in .fam order. */
  kinship: KinshipMode | { file: string };
  model: GeneticModel;
  /** fast (default), em (the lecture's plain EM), squarem (EM accelerated), exact (reference optimiser, slow). */
  method: FitMethod;
  maf: number;
  maxMissing: number;
  /** Leave-one-chromosome-out: test each chromosome against the kinship of the others. */
  loco?: boolean;
}

export const DEFAULT_SETTINGS: Omit<ScanSettings, 'bfile' | 'pheno' | 'trait'> = {
  covarNames: [],
  kinship: 'centered',
  model: 'add-dom',
  method: 'fast',
  maf: 0.01,
  maxMissing: 0.05,
};
