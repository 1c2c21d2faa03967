/**
 * The data of a run report: everything the HTML page, its PDF print and the methods paragraph
 * show, gathered once from the project (gather.ts) and plain JSON-able values only, so the same
 * object can cross to the UI.
 */
import type { GenotypeFormat } from '../../io/genotype-source.js';
import type { SampleReport } from '../../qc/samples.js';
import type { ScanSettings } from '../../scan/settings.js';
import type { RunLogLine, RunSession, RunStatus } from '../../store/runs.js';
import type { ReportFinemap } from './finemap-words.js';
import type { HeritabilityView } from '../../protocol/methods.js';

/** A figure painted to SVG by the caller (the report does not paint). */
export interface ReportFigure {
  kind: string;
  title: string;
  caption: string;
  /** A complete SVG document (`<svg ...>...</svg>`, an XML declaration allowed). */
  svg: string;
}

/** One clumped peak of the top-hits table: its lead SNP and its span. */
export interface ReportHit {
  /** Lead SNP. */
  rs: string;
  chr: string;
  /** Lead SNP's position (bp). */
  pos: number;
  /** First and last position (bp) of the peak's SNPs past the threshold. */
  start: number;
  end: number;
  /** SNPs in the peak. */
  nSnps: number;
  /** The lead SNP's p-value (0 below the double range: negLog10P keeps it). */
  p: number;
  /** −log10 of the lead SNP's p-value. */
  negLog10P: number;
  betaA: number | null;
  seA: number | null;
  /** Frequency of allele 1 among the analysed individuals. */
  af: number | null;
  /** Allele 1 (the counted allele, .bim column 5) and allele 0. */
  allele1: string;
  allele0: string;
}

/** The significance threshold the report applies (figures' line, hits, methods). */
export interface ReportThreshold {
  p: number;
  /** How it was chosen, e.g. 'genome-wide (5e-8)' or 'Bonferroni (0.05 / 10,768)'. */
  label: string;
}

export interface ReportInput {
  /** What the file is to the run, in words: 'genotypes (.bed)', 'phenotype sheet'... */
  role: string;
  name: string;
  /** Absolute path at import time. */
  path: string;
  size: number;
  /** Modification time at import (ISO). */
  mtime: string;
  sha256: string;
}

/** One line of an exclusion table: a count and what it counts. */
export interface CountRow {
  label: string;
  count: number;
  /** 'total' lines (what remains) are shown in bold; 'excluded' lines are the exclusions. */
  kind: 'total' | 'excluded' | 'info';
  note?: string;
}

export interface ReportVersion {
  name: string;
  version: string;
  note?: string;
}

export interface ReportData {
  title: string;
  generatedAt: string;
  /** The kinscan that wrote the report (may differ from the one that computed the run). */
  generatedBy: string;
  project: { path: string; name: string };
  run: {
    id: number;
    trait: string;
    status: RunStatus;
    complete: boolean;
    createdAt: string;
    startedAt: string | null;
    finishedAt: string | null;
    wallSeconds: number;
    /** The kinscan version that created the run; sessions may name others (a resume by a newer version). */
    softwareVersion: string;
    sessions: RunSession[];
    log: RunLogLine[];
    blockSize: number;
    error: string | null;
    timings: Record<string, number>;
  };
  /** format: the genotype file's format; dosage: the scan used its dosages. */
  dataset: { name: string; samples: number; snps: number; format: GenotypeFormat; dosage: boolean };
  settings: ScanSettings;
  inputs: ReportInput[];
  samples: { report: SampleReport; rows: CountRow[] };
  snps: {
    total: number;
    failedMissing: number;
    failedMaf: number;
    singleClass: number;
    /** HWE exact test p below `hwe` (0 when the filter was off). */
    failedHwe: number;
    /** Same ID and position as an earlier SNP. */
    failedDuplicate: number;
    /** r2 > 0.9999 on the covariates (GEMMA's rule), removed before the scan. */
    failedCollinear: number;
    /** The HWE p threshold (0: off). */
    hwe: number;
    planned: number;
    collinearWithCovariates: number;
    tested: number;
    /** Tested with 1 df in a 2-df model (Xd collinear: two genotype classes). */
    oneDf: number;
    maf: number;
    maxMissing: number;
    rows: CountRow[];
  };
  covariates: string[];
  /** How many of `covariates` (the last ones) are principal components of the kinship (setting pcs). */
  pcCovariates: number;
  kinship: {
    /** 'centered', 'standardized', 'file' or 'pedigree' (a pedigree's numerator relationship matrix A). */
    type: 'centered' | 'standardized' | 'file' | 'pedigree';
    /** The matrix file's or the pedigree's name (types 'file' and 'pedigree'). */
    file?: string;
    /** A pedigree's animals, and how many of them A was computed over (the genotyped ones and their ancestors), with inbreeding. */
    pedigree?: { animals: number; used: number; inbred: number; meanF: number; maxF: number };
    /** SNPs that built it (0 for a file). */
    snps: number;
    /** t = tr(K) / n over the analysed individuals. */
    scale: number;
    description: string;
  };
  model: {
    model: ScanSettings['model'];
    method: ScanSettings['method'];
    equation: string;
    modelText: string;
    methodText: string;
    testText: string;
  };
  nullFit: {
    logl: number;
    sigmaA2: number;
    sigmaE2: number;
    /** sigma_e^2 / sigma_a^2 (null when sigma_a^2 = 0). */
    delta: number | null;
    pve: number;
    /** Where the optimum lies: 'interior' or a boundary. */
    boundary: string;
    fixed: { name: string; beta: number; se: number }[];
    pveMeaning: string;
  };
  /** The null model's h2 with its three intervals and a plain-words reading; null for a run recorded before them. */
  heritability: (HeritabilityView & { paragraph: string }) | null;
  lambdaGc: { value: number | null; reading: string };
  threshold: ReportThreshold & { snpsPast: number };
  figures: ReportFigure[];
  hits: ReportHit[];
  /** Credible sets around the hits; null for a run recorded before Bayes factors. */
  finemap: ReportFinemap | null;
  versions: ReportVersion[];
  reproduce: { command: string | null; display: string | null; note: string };
  methods: string;
}
