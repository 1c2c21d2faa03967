/**
 * The QC preview: how many SNPs and individuals a scan with given thresholds keeps, with the count
 * of each filter and the MAF histogram, answered from the project without running anything.
 *
 * The filters are computed among the individuals a scan analyses (docs/model.md): for a trait,
 * those matched to the sheet with the trait and every covariate present (selectSamples, the scan's
 * own rule); without a trait, every genotyped individual. The genotype counts come from the
 * dataset's stored per-SNP counts (snp-stats.ts) when every individual is analysed, and otherwise
 * from one pass over the packed genotype BLOBs (four individuals per table look-up), counting the
 * analysed individuals or, when fewer bytes hold them, the left-out ones subtracted from the stored
 * counts (the last few such counts are kept with the connection for the next call). The filters are the
 * scan's (applySnpQc), so the counts are exactly the ones its summary reports.
 *
 * The scan's other filters, likewise: the sample call rate (over all SNPs, from one histogram pass
 * kept per connection), duplicate SNPs (from the map), Hardy-Weinberg (from the counts), and, when
 * covariates are chosen, GEMMA's collinearity rule (one pass decoding the genotypes, its r2 per
 * SNP kept per connection, so moving a threshold afterwards costs nothing more).
 */
import { createHash } from 'node:crypto';
import type Database from 'better-sqlite3';
import { InputError } from '../io/errors.js';
import { individualsOf, matchSheet, selectSamples } from '../qc/samples.js';
import { applySnpQc, byteMasks, countPacked, emptyCounts, SnpStatus, summariseDosages, type DosageSummary, type GenotypeCounts } from '../qc/snps.js';
import { covariateR2, markAbove } from '../qc/collinear.js';
import { hwePerSnp } from '../qc/hwe.js';
import { findDuplicateSnps } from '../qc/duplicates.js';
import { dropLowCallRate, lowCallRate, sampleMissingCounts } from '../qc/sample-call-rate.js';
import { forEachSnpBlock } from '../io/snp-blocks.js';
import { getDataset, loadBim, loadFam, openDatasetBed, openDatasetDosage } from './datasets.js';
import { loadSheet } from './sheets.js';
import { loadSnpCounts } from './snp-stats.js';

export interface QcPreviewParams {
  datasetId: number;
  /** The phenotype sheet holding the trait. */
  sheetId?: number;
  /** The trait: filters among the individuals a scan of it analyses. Without one: among all genotyped individuals. */
  trait?: string;
  /** Covariates, as a scan's covariate sheet and names: individuals missing one are not analysed. */
  covarSheetId?: number;
  covarNames?: string[];
  /** Minimum minor allele frequency (a scan's maf). */
  maf: number;
  /** Maximum missing rate (a scan's maxMissing). */
  maxMissing: number;
  /** Minimum Hardy-Weinberg exact test p (a scan's hwe; 0 or absent: off). */
  hwe?: number;
  /** Minimum sample call rate over all SNPs (a scan's minCallRate; 0 or absent: off). */
  minCallRate?: number;
  /** Bins of the MAF histogram over [0, 0.5] (default 50). */
  bins?: number;
}

export interface QcPreview {
  /** Whose genotypes the filters count: the trait's analysed individuals, or every genotyped one. */
  individuals: 'analysed' | 'genotyped';
  snps: {
    total: number;
    /** Missing rate above maxMissing (checked first). */
    failedMissing: number;
    /** Minor allele frequency below maf (checked second). */
    failedMaf: number;
    /** One genotype class among the individuals (monomorphic, or all heterozygous). */
    singleClass: number;
    /** Hardy-Weinberg exact test p below hwe (checked after one class). */
    failedHwe: number;
    /** Same ID and position as an earlier SNP (checked first). */
    failedDuplicate: number;
    /** With covariates: r2 > 0.9999 on them (GEMMA's rule, checked last); 0 without covariates. */
    failedCollinear: number;
    /** Tested by a scan with these settings. */
    kept: number;
  };
  samples: {
    genotyped: number;
    /** With a sheet: its rows, and those matched to the genotypes (and how). */
    sheetRows?: number;
    matched?: number;
    matchedBy?: 'IID' | 'FID+IID' | 'row order';
    /** With a trait: matched individuals with the trait, and those then dropped for a missing covariate. */
    withTrait?: number;
    missingCovariate?: number;
    /** Dropped for a call rate over all SNPs below minCallRate (0 when the filter is off). */
    lowCallRate: number;
    /** Individuals the filters count (a scan's analysed individuals for a trait). */
    kept: number;
  };
  /**
   * Minor allele frequencies of the SNPs that pass the missingness filter (those the MAF filter
   * sees), in `counts.length` equal bins over [0, 0.5]; bin k holds [k w, (k + 1) w), the last bin
   * also 0.5. SNPs with no call at all are not in it.
   */
  mafHistogram: { binWidth: number; counts: number[] };
}

const DEFAULT_BINS = 50;

function checkParams(db: Database.Database, p: QcPreviewParams): number {
  const bad = (what: string, hint: string): InputError => new InputError(what, { file: db.name }, hint);
  if (!(p.maf >= 0 && p.maf <= 0.5)) throw bad(`the minimum minor allele frequency ${p.maf} is not between 0 and 0.5`, 'Give a MAF threshold such as 0.01');
  if (!(p.maxMissing >= 0 && p.maxMissing <= 1)) throw bad(`the maximum missing rate ${p.maxMissing} is not between 0 and 1`, 'Give a missing-rate threshold such as 0.05');
  if (!((p.hwe ?? 0) >= 0 && (p.hwe ?? 0) <= 1)) throw bad(`the Hardy-Weinberg p-value threshold ${p.hwe} is not between 0 and 1`, 'Give 0 (no filter) or a p-value such as 1e-6');
  if (!((p.minCallRate ?? 0) >= 0 && (p.minCallRate ?? 0) <= 1)) throw bad(`the minimum sample call rate ${p.minCallRate} is not between 0 and 1`, 'Give 0 (no filter) or a fraction such as 0.9');
  const bins = p.bins ?? DEFAULT_BINS;
  if (!Number.isInteger(bins) || bins < 1 || bins > 1000) throw bad(`${bins} histogram bins is not a whole number from 1 to 1000`, 'Ask for 50 bins, say');
  if (p.trait !== undefined && p.sheetId === undefined) throw bad(`the trait '${p.trait}' needs the sheet that holds it`, 'Give the phenotype sheet together with the trait');
  if ((p.covarNames?.length ?? 0) > 0 && p.covarSheetId === undefined) throw bad('covariates need the sheet that holds them', 'Give the covariate sheet together with the covariate names');
  return bins;
}

/**
 * Counts among the most recent sets of individuals, per connection (dropped with it), by dataset
 * content and individuals: a user moving the thresholds asks again for the same individuals. The
 * genotypes of a content hash never change, so an entry never goes stale. At most RECENT entries
 * per connection (12 bytes per SNP each).
 */
const recentByDb = new WeakMap<Database.Database, Map<string, GenotypeCounts>>();
const RECENT = 4;

/** Genotype counts among `individuals` (fam indices), from the stored counts of all of them and the BLOBs. */
function countAmong(db: Database.Database, datasetId: number, all: GenotypeCounts, individuals: Int32Array): GenotypeCounts {
  if (individuals.length === all.n) return all;
  const ds = getDataset(db, datasetId);
  const key = `${ds.contentSha256}:${createHash('sha256').update(new Uint8Array(individuals.buffer, individuals.byteOffset, individuals.byteLength)).digest('hex')}`;
  let recent = recentByDb.get(db);
  if (!recent) recentByDb.set(db, (recent = new Map()));
  let counts = recent.get(key);
  if (counts) recent.delete(key);
  else counts = countFromBlobs(db, datasetId, ds.blockSnps, all, individuals);
  recent.set(key, counts);
  if (recent.size > RECENT) recent.delete(recent.keys().next().value!);
  return counts;
}

function countFromBlobs(db: Database.Database, datasetId: number, blockSnps: number, all: GenotypeCounts, individuals: Int32Array): GenotypeCounts {
  const n = all.n;
  const inSet = new Uint8Array(n);
  for (const i of individuals) inSet[i] = 1;
  const left: number[] = [];
  for (let i = 0; i < n; i++) if (!inSet[i]) left.push(i);
  const leftOut = Int32Array.from(left);
  const inMasks = byteMasks(individuals);
  const outMasks = byteMasks(leftOut);
  // Count whichever set touches fewer bytes; the left-out ones are subtracted from the stored counts.
  const subtract = outMasks.pos.length < inMasks.pos.length;
  const masks = subtract ? outMasks : inMasks;
  const m = all.hom1.length;
  const counted = emptyCounts(masks.n, m);
  const bed = openDatasetBed(db, datasetId);
  try {
    const bps = bed.bytesPerSnp;
    forEachSnpBlock(bed, blockSnps, (start, count, packed) => countPacked(packed, count, bps, masks, counted, start));
  } finally {
    bed.close();
  }
  if (!subtract) return counted;
  const out = emptyCounts(individuals.length, m);
  for (let j = 0; j < m; j++) {
    out.hom1[j] = all.hom1[j]! - counted.hom1[j]!;
    out.het[j] = all.het[j]! - counted.het[j]!;
    out.missing[j] = all.missing[j]! - counted.missing[j]!;
  }
  return out;
}

/**
 * Per connection, by dataset content: the per-individual missing counts over all SNPs and the
 * duplicate-SNP marks (neither depends on the thresholds or the individuals), and the r2 on the
 * covariates of the most recent sets of individuals and covariates.
 */
const datasetFactsByDb = new WeakMap<Database.Database, Map<string, { missing?: Int32Array; duplicate?: { mask: Uint8Array; count: number } }>>();
const recentR2ByDb = new WeakMap<Database.Database, Map<string, Float64Array>>();
/** HWE p-values per set of counts (the counts objects are the ones kept above), computed once per set. */
const hweByCounts = new WeakMap<GenotypeCounts, Float64Array>();

function hweOf(counts: GenotypeCounts): Float64Array {
  let p = hweByCounts.get(counts);
  if (!p) hweByCounts.set(counts, (p = hwePerSnp(counts)));
  return p;
}

function datasetFacts(db: Database.Database, datasetId: number): { missing?: Int32Array; duplicate?: { mask: Uint8Array; count: number } } {
  const key = getDataset(db, datasetId).contentSha256;
  let byKey = datasetFactsByDb.get(db);
  if (!byKey) datasetFactsByDb.set(db, (byKey = new Map()));
  let facts = byKey.get(key);
  if (!facts) {
    byKey.set(key, (facts = {}));
    if (byKey.size > RECENT) byKey.delete(byKey.keys().next().value!);
  }
  return facts;
}

function sampleMissing(db: Database.Database, datasetId: number): Int32Array {
  const facts = datasetFacts(db, datasetId);
  if (!facts.missing) {
    const bed = openDatasetBed(db, datasetId);
    try {
      facts.missing = sampleMissingCounts(bed);
    } finally {
      bed.close();
    }
  }
  return facts.missing;
}

function duplicateSnps(db: Database.Database, datasetId: number): { mask: Uint8Array; count: number } {
  const facts = datasetFacts(db, datasetId);
  if (!facts.duplicate) {
    const d = findDuplicateSnps(loadBim(db, datasetId));
    facts.duplicate = { mask: d.duplicate, count: d.count };
  }
  return facts.duplicate;
}

/** GEMMA's r2 of every SNP on the intercept and the covariates among `individuals` (covariateR2), kept for the next call. */
function r2Among(db: Database.Database, datasetId: number, individuals: Int32Array, covariates: Float64Array[], af: Float64Array): Float64Array {
  const h = createHash('sha256').update(getDataset(db, datasetId).contentSha256).update(new Uint8Array(individuals.buffer, individuals.byteOffset, individuals.byteLength));
  for (const c of covariates) h.update(new Uint8Array(c.buffer, c.byteOffset, c.byteLength));
  const key = h.digest('hex');
  let recent = recentR2ByDb.get(db);
  if (!recent) recentR2ByDb.set(db, (recent = new Map()));
  let r2 = recent.get(key);
  if (r2) recent.delete(key);
  else {
    const bed = openDatasetBed(db, datasetId);
    try {
      r2 = covariateR2(bed, individuals, covariates, af, () => true, openDatasetDosage(db, datasetId));
    } finally {
      bed.close();
    }
  }
  recent.set(key, r2);
  if (recent.size > RECENT) recent.delete(recent.keys().next().value!);
  return r2;
}

/** SNPs and individuals kept by a scan with these settings, per filter, with the MAF histogram. */
export function qcPreview(db: Database.Database, params: QcPreviewParams): QcPreview {
  const bins = checkParams(db, params);
  const all = loadSnpCounts(db, params.datasetId);
  const m = all.hom1.length;
  const minCallRate = params.minCallRate ?? 0;
  const missing = minCallRate > 0 ? sampleMissing(db, params.datasetId) : undefined;
  const samples: QcPreview['samples'] = { genotyped: all.n, lowCallRate: 0, kept: all.n };
  let counts = all;
  let individuals: QcPreview['individuals'] = 'genotyped';
  let covariates: Float64Array[] = [];
  let famIndex: Int32Array | undefined;
  if (params.sheetId !== undefined) {
    const fam = loadFam(db, params.datasetId);
    const sheet = loadSheet(db, params.sheetId);
    if (params.trait !== undefined) {
      const covarNames = params.covarNames ?? [];
      const covar = params.covarSheetId !== undefined && covarNames.length > 0 ? { sheet: loadSheet(db, params.covarSheetId), names: covarNames } : undefined;
      let sel = selectSamples(fam, sheet, params.trait, covar);
      if (missing) sel = dropLowCallRate(sel, missing, m, minCallRate, getDataset(db, params.datasetId).name);
      const r = sel.report;
      Object.assign(samples, {
        sheetRows: r.sheetRows,
        matched: r.matched,
        matchedBy: r.matchedBy,
        withTrait: r.matched - r.missingTrait,
        missingCovariate: r.missingCovariate,
        lowCallRate: r.lowCallRate ?? 0,
        kept: r.analysed,
      });
      famIndex = sel.famIndex;
      covariates = sel.covariates;
      individuals = 'analysed';
    } else {
      const match = matchSheet(fam, sheet);
      Object.assign(samples, { sheetRows: sheet.ids.length, matched: match.matched, matchedBy: match.matchedBy });
    }
  }
  if (famIndex === undefined && missing) {
    // Without a trait: every genotyped individual called often enough.
    const keep: number[] = [];
    for (let i = 0; i < all.n; i++) if (!lowCallRate(missing[i]!, m, minCallRate)) keep.push(i);
    samples.lowCallRate = all.n - keep.length;
    samples.kept = keep.length;
    famIndex = Int32Array.from(keep);
  }
  // A dataset with dosages is filtered on them, as the scan does (qc/snps.ts summariseDosages).
  const dosage = openDatasetDosage(db, params.datasetId);
  let dosageSummary: DosageSummary | undefined;
  if (dosage) ({ counts, summary: dosageSummary } = summariseDosages(dosage, individualsOf(famIndex ?? Int32Array.from({ length: all.n }, (_, i) => i))));
  else if (famIndex !== undefined) counts = countAmong(db, params.datasetId, all, individualsOf(famIndex));

  const dup = duplicateSnps(db, params.datasetId);
  const hwe = params.hwe ?? 0;
  const { stats, report } = applySnpQc(counts, { maf: params.maf, maxMissing: params.maxMissing, hwe }, dup.count > 0 ? dup.mask : undefined, dosageSummary, hwe > 0 ? hweOf(counts) : undefined);
  if (covariates.length > 0) {
    const r2 = r2Among(db, params.datasetId, famIndex!, covariates, stats.af);
    report.failedCollinear = markAbove(r2, stats.status, SnpStatus.Pass, SnpStatus.Collinear);
    report.pass -= report.failedCollinear;
  }
  return {
    individuals,
    snps: {
      total: report.total,
      failedMissing: report.failedMissing,
      failedMaf: report.failedMaf,
      singleClass: report.singleClass,
      failedHwe: report.failedHwe,
      failedDuplicate: report.failedDuplicate,
      failedCollinear: report.failedCollinear,
      kept: report.pass,
    },
    samples,
    mafHistogram: mafHistogram(counts, stats.status, bins),
  };
}

/** The MAF histogram of the SNPs not failing missingness; the bin from integer counts, so a MAF on a bin edge lands in the bin it starts. */
function mafHistogram(counts: GenotypeCounts, status: Uint8Array, bins: number): QcPreview['mafHistogram'] {
  const hist = new Array<number>(bins).fill(0);
  const { n, hom1, het, missing } = counts;
  for (let j = 0; j < status.length; j++) {
    if (status[j] === SnpStatus.Missing) continue;
    const called = n - missing[j]!;
    if (called === 0) continue;
    const a1 = 2 * hom1[j]! + het[j]!;
    const minor = Math.min(a1, 2 * called - a1);
    // maf = minor / (2 called); its bin is floor(maf / (0.5 / bins)) = floor(minor * bins / called).
    hist[Math.min(bins - 1, Math.floor((minor * bins) / called))]!++;
  }
  return { binWidth: 0.5 / bins, counts: hist };
}
