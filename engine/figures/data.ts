/**
 * What each figure is drawn from: plain typed arrays and strings, gathered by the engine
 * (engine/export/figure-data.ts from a project, or from a results file) or sent to the renderer.
 * Nothing here knows where the numbers came from.
 */

/** Every tested SNP of a run, in file order. */
export interface ManhattanData {
  /** Chromosome names as in the genotype file; `chr` indexes into this. Any order: figures sort naturally. */
  chrNames: string[];
  chr: Int32Array;
  /** Base-pair position. */
  pos: Float64Array;
  negLog10P: Float64Array;
  /** The SNP's index in its dataset (what a hit test returns). */
  snp: Int32Array;
  /** The SNP's ID (rs) for the k-th point, for lead-SNP labels. */
  label: (k: number) => string;
}

export type ThresholdSpec =
  /** Genome-wide 5e-8 (and a suggestive line, 1e-5 unless `suggestive` says otherwise). */
  | { kind: 'genome-wide' }
  /** 0.05 / m, m stated on the figure. */
  | { kind: 'bonferroni'; m: number; alpha?: number }
  /** Any p-value. */
  | { kind: 'p'; p: number };

export interface QqData {
  negLog10P: Float64Array;
  /** Degrees of freedom of the test shown (1: additive, 2: additive + dominance). */
  df: 1 | 2;
  lambdaGc: number;
}

export type SampleColouring =
  | { name: string; kind: 'categorical'; values: string[] }
  | { name: string; kind: 'continuous'; values: Float64Array };

export interface PcaData {
  /** pcs[k][i]: individual i's score on PC k+1 (eigenvector scaled by sqrt(eigenvalue)). */
  pcs: Float64Array[];
  /** Fraction of the kinship's variance (trace) on each PC. */
  varianceExplained: number[];
  sampleIds: string[];
  colour?: SampleColouring;
}

export interface KinshipData {
  n: number;
  /** n x n, row-major, symmetric: the relatedness matrix the scan used. */
  k: Float64Array;
  sampleIds: string[];
  /** 'centred (GEMMA -gk 1), 12,226 SNPs' */
  description: string;
}

export interface RegionData {
  chr: string;
  start: number;
  end: number;
  lead: { snp: number; rs: string; pos: number; negLog10P: number };
  /** Tested SNPs in the window, by position. */
  snp: Int32Array;
  rs: string[];
  pos: Float64Array;
  negLog10P: Float64Array;
  /** r^2 with the lead SNP among the analysed individuals (NaN where unknown). */
  r2: Float64Array;
  /** The region's credible set under one causal variant, when it was computed (drawn as rings). */
  credible?: RegionCredibleSet;
}

/**
 * A credible set: the smallest set of SNPs whose posterior inclusion probabilities (one causal
 * variant in the region) sum to at least `level`.
 */
export interface RegionCredibleSet {
  /** Target coverage, e.g. 0.95. */
  level: number;
  /** The members, as SNP indices (values of RegionData.snp). */
  members: Int32Array;
  /** Posterior inclusion probability of each SNP of RegionData.snp, in the same order; NaN where unknown. */
  pip: Float64Array;
}

export interface GenotypeClass {
  /** Copies of allele 1 (0, 1, 2). */
  count: 0 | 1 | 2;
  /** Genotype written with the alleles, allele 0 first: 'GG', 'GA', 'AA' when allele 1 is A (and allele 0 G). */
  label: string;
  values: Float64Array;
}

export interface GenotypeData {
  rs: string;
  chr: string;
  pos: number;
  allele1: string;
  allele0: string;
  trait: string;
  /** Values are residuals after the covariates (plus the mean), not raw phenotypes. */
  adjusted: boolean;
  classes: GenotypeClass[];
  /** The scan's -log10 p of this SNP, when it was tested. */
  negLog10P?: number;
}

/**
 * The null model's heritability (PVE, h2 = t sigma_a^2 / (t sigma_a^2 + sigma_e^2), t = tr(K)/n) with
 * its three intervals: profile likelihood, posterior under a uniform prior, parametric bootstrap.
 */
export interface HeritabilityFigureData {
  /** The ML estimate of h2. */
  estimate: number;
  /** Coverage of the three intervals, e.g. 0.95. */
  level: number;
  profile: {
    h2: Float64Array;
    /** l(h2) - l_max (<= 0) at each h2; NaN where not finite. */
    relativeLogl: Float64Array;
    lower: number;
    upper: number;
  };
  posterior: {
    h2: Float64Array;
    /** p(h2 | y), normalised on [0, 1]. */
    density: Float64Array;
    mean: number;
    mode: number;
    lower: number;
    upper: number;
  };
  /** The parametric bootstrap's interval, when it was run. */
  bootstrap: { lower: number; upper: number } | null;
  trait?: string;
}
