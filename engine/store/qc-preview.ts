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
 */
import { createHash } from 'node:crypto';
import type Database from 'better-sqlite3';
import { InputError } from '../io/errors.js';
import { matchSheet, selectSamples } from '../qc/samples.js';
import { applySnpQc, byteMasks, countPacked, emptyCounts, SnpStatus, type GenotypeCounts } from '../qc/snps.js';
import { forEachSnpBlock } from '../io/snp-blocks.js';
import { getDataset, loadFam, openDatasetBed } from './datasets.js';
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
    /** Tested by a scan with these settings. */
    kept: number;
  };
  samples: {
    genotyped: number;
    /** With a sheet: its rows, and those matched to the genotypes (and how). */
    sheetRows?: number;
    matched?: number;
    matchedBy?: 'IID' | 'FID+IID';
    /** With a trait: matched individuals with the trait, and those then dropped for a missing covariate. */
    withTrait?: number;
    missingCovariate?: number;
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

/** SNPs and individuals kept by a scan with these settings, per filter, with the MAF histogram. */
export function qcPreview(db: Database.Database, params: QcPreviewParams): QcPreview {
  const bins = checkParams(db, params);
  const all = loadSnpCounts(db, params.datasetId);
  const samples: QcPreview['samples'] = { genotyped: all.n, kept: all.n };
  let counts = all;
  let individuals: QcPreview['individuals'] = 'genotyped';
  if (params.sheetId !== undefined) {
    const fam = loadFam(db, params.datasetId);
    const sheet = loadSheet(db, params.sheetId);
    if (params.trait !== undefined) {
      const covarNames = params.covarNames ?? [];
      const covar = params.covarSheetId !== undefined && covarNames.length > 0 ? { sheet: loadSheet(db, params.covarSheetId), names: covarNames } : undefined;
      const sel = selectSamples(fam, sheet, params.trait, covar);
      const r = sel.report;
      Object.assign(samples, {
        sheetRows: r.sheetRows,
        matched: r.matched,
        matchedBy: r.matchedBy,
        withTrait: r.matched - r.missingTrait,
        missingCovariate: r.missingCovariate,
        kept: r.analysed,
      });
      counts = countAmong(db, params.datasetId, all, sel.famIndex);
      individuals = 'analysed';
    } else {
      const match = matchSheet(fam, sheet);
      Object.assign(samples, { sheetRows: sheet.ids.length, matched: match.matched, matchedBy: match.matchedBy });
    }
  }

  const { stats, report } = applySnpQc(counts, { maf: params.maf, maxMissing: params.maxMissing });
  return {
    individuals,
    snps: { total: report.total, failedMissing: report.failedMissing, failedMaf: report.failedMaf, singleClass: report.singleClass, kept: report.pass },
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
