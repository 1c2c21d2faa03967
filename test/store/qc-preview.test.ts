import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeSnp, openPlink } from '../../engine/io/plink.js';
import type { ScanSummary } from '../../engine/scan/run.js';
import { MIGRATIONS } from '../../engine/store/migrations.js';
import { Project } from '../../engine/store/project.js';
import { qcPreview, type QcPreview } from '../../engine/store/qc-preview.js';
import { loadSnpCounts } from '../../engine/store/snp-stats.js';
import { tempDir } from '../helpers/tmp.js';
import { MOUSE, settingsFor, simulatedSet, recordAndScan } from './helpers.js';

/** The counts a scan reports, in the preview's terms. */
function fromSummary(s: ScanSummary): { snps: QcPreview['snps']; kept: number; lowCallRate: number; matched: number; withTrait: number; missingCovariate: number } {
  const sn = s.snps;
  return {
    snps: {
      total: sn.total,
      failedDuplicate: sn.failedDuplicate ?? 0,
      failedMissing: sn.failedMissing,
      failedMaf: sn.failedMaf,
      singleClass: sn.singleClass,
      failedHwe: sn.failedHwe ?? 0,
      failedCollinear: sn.failedCollinear ?? 0,
      kept: sn.planned,
    },
    kept: s.samples.analysed,
    lowCallRate: s.samples.lowCallRate ?? 0,
    matched: s.samples.matched,
    withTrait: s.samples.matched - s.samples.missingTrait,
    missingCovariate: s.samples.missingCovariate,
  };
}

function fromPreview(q: QcPreview): ReturnType<typeof fromSummary> {
  return { snps: q.snps, kept: q.samples.kept, lowCallRate: q.samples.lowCallRate, matched: q.samples.matched!, withTrait: q.samples.withTrait!, missingCovariate: q.samples.missingCovariate! };
}

/** Genotype counts by decoding every call of the .bed (the reference). */
function decodedCounts(prefix: string, individuals?: number[]): { hom1: number[]; het: number[]; missing: number[] } {
  const plink = openPlink(prefix);
  try {
    const { bed } = plink;
    const n = bed.nSamples;
    const who = individuals ?? Array.from({ length: n }, (_, i) => i);
    const packed = new Uint8Array(bed.bytesPerSnp);
    const g = new Int8Array(n);
    const out = { hom1: [] as number[], het: [] as number[], missing: [] as number[] };
    for (let j = 0; j < bed.nSnps; j++) {
      bed.readPacked(j, 1, packed);
      decodeSnp(packed, 0, n, g);
      out.hom1.push(who.filter((i) => g[i] === 2).length);
      out.het.push(who.filter((i) => g[i] === 1).length);
      out.missing.push(who.filter((i) => g[i] === -1).length);
    }
    return out;
  } finally {
    plink.bed.close();
  }
}

/** The MAF histogram by direct computation from decoded counts. */
function referenceHistogram(c: { hom1: number[]; het: number[]; missing: number[] }, n: number, maxMissing: number, bins: number): number[] {
  const h = new Array<number>(bins).fill(0);
  for (let j = 0; j < c.hom1.length; j++) {
    if (c.missing[j]! / n > maxMissing) continue;
    const called = n - c.missing[j]!;
    if (called === 0) continue;
    const a1 = 2 * c.hom1[j]! + c.het[j]!;
    const maf = Math.min(a1, 2 * called - a1) / (2 * called);
    // bin k holds [k/(2 bins), (k+1)/(2 bins)): compare by exact rational arithmetic
    let k = 0;
    while (k < bins - 1 && Math.min(a1, 2 * called - a1) * 2 * bins >= (k + 1) * 2 * called) k++;
    expect(maf).toBeGreaterThanOrEqual(k / (2 * bins) - 1e-15);
    h[k]!++;
  }
  return h;
}

describe('QC preview: the counts a scan with the same settings reports', () => {
  const dir = tempDir('kinscan-qcprev-');
  // 1% missing calls, so the missingness filter bites at tight thresholds.
  const set = simulatedSet(dir, 'sim', 150, 700, 31);
  const path = join(dir, 'p.kinscan');
  let p: Project;
  let datasetId: number;
  let phenoId: number;
  let covarId: number;

  beforeAll(() => {
    p = Project.open(path, { create: true });
    datasetId = p.importDataset(set.prefix, { blockSnps: 97 }).id;
    phenoId = p.importSheet(set.pheno).id;
    covarId = p.importSheet(set.covar).id;
  });
  afterAll(() => p.close());

  it('stores the genotype counts over all individuals at import, equal to decoding every call', () => {
    const stored = loadSnpCounts(p.db, datasetId);
    const ref = decodedCounts(set.prefix);
    expect(stored.n).toBe(150);
    expect(Array.from(stored.hom1)).toEqual(ref.hom1);
    expect(Array.from(stored.het)).toEqual(ref.het);
    expect(Array.from(stored.missing)).toEqual(ref.missing);
    expect(ref.missing.some((x) => x > 0)).toBe(true);
  });

  it('without a trait: every genotyped individual, from the stored counts; the histogram by direct computation', () => {
    const ref = decodedCounts(set.prefix);
    for (const [maf, maxMissing] of [
      [0.01, 0.05],
      [0.2, 0.01],
      [0, 1],
    ] as const) {
      const q = qcPreview(p.db, { datasetId, maf, maxMissing });
      expect(q.individuals).toBe('genotyped');
      expect(q.samples).toEqual({ genotyped: 150, lowCallRate: 0, kept: 150 });
      const { snps } = q;
      expect(snps.failedMissing + snps.failedMaf + snps.singleClass + snps.kept).toBe(700);
      expect(snps.failedMissing).toBe(ref.missing.filter((x) => x / 150 > maxMissing).length);
      expect(q.mafHistogram.binWidth).toBe(0.01);
      expect(q.mafHistogram.counts).toEqual(referenceHistogram(ref, 150, maxMissing, 50));
    }
    expect(qcPreview(p.db, { datasetId, maf: 0.01, maxMissing: 0.05, bins: 7 }).mafHistogram.counts).toHaveLength(7);
  });

  it('with a trait (and covariates): the samples and SNPs of a real scan, for several thresholds', async () => {
    const cases = [
      { trait: 't1', maf: 0.01, maxMissing: 0.05 },
      { trait: 't2', maf: 0.05, maxMissing: 0.02 },
      { trait: 't2', maf: 0.15, maxMissing: 0.05, covar: true },
      // The HWE and call-rate filters: 1% of calls are missing at random, so a 99.3% call rate drops some individuals.
      { trait: 't1', maf: 0.01, maxMissing: 0.05, hwe: 0.05, minCallRate: 0.993, covar: true },
    ];
    for (const c of cases) {
      const extra = { ...(c.hwe ? { hwe: c.hwe } : {}), ...(c.minCallRate ? { minCallRate: c.minCallRate } : {}) };
      const settings = settingsFor(set, c.trait, { model: 'additive', maf: c.maf, maxMissing: c.maxMissing, ...extra, ...(c.covar ? { covar: set.covar, covarNames: ['age'] } : {}) });
      const { summary } = await recordAndScan(p, settings, { threads: 1 }, { datasetId, phenoSheetId: phenoId, ...(c.covar ? { covarSheetId: covarId } : {}) });
      const q = qcPreview(p.db, { datasetId, sheetId: phenoId, trait: c.trait, maf: c.maf, maxMissing: c.maxMissing, ...extra, ...(c.covar ? { covarSheetId: covarId, covarNames: ['age'] } : {}) });
      if (c.hwe) {
        expect(q.snps.failedHwe).toBeGreaterThan(0);
        expect(q.samples.lowCallRate).toBeGreaterThan(0);
      }
      expect(q.individuals).toBe('analysed');
      expect(fromPreview(q)).toEqual(fromSummary(summary));
      expect(q.samples).toMatchObject({ genotyped: 150, sheetRows: 150, matchedBy: 'IID' });
    }
    // t2 drops every ninth individual: the counts are among the others.
    const q = qcPreview(p.db, { datasetId, sheetId: phenoId, trait: 't2', maf: 0.05, maxMissing: 0.02 });
    const analysed = Array.from({ length: 150 }, (_, i) => i).filter((i) => i % 9 !== 0);
    expect(q.samples.kept).toBe(analysed.length);
    expect(q.mafHistogram.counts).toEqual(referenceHistogram(decodedCounts(set.prefix, analysed), analysed.length, 0.02, 50));
  });

  it('with a covariate equal to a SNP: that SNP is counted as collinear, as the scan counts it', async () => {
    const plink = openPlink(set.prefix);
    const g = new Int8Array(150);
    const packed = new Uint8Array(plink.bed.bytesPerSnp);
    plink.bed.readPacked(123, 1, packed);
    decodeSnp(packed, 0, 150, g);
    const ids = plink.fam.iid;
    plink.bed.close();
    const file = join(dir, 'snp-covar.csv');
    writeFileSync(file, ['IID,g124', ...ids.map((id, i) => `${id},${g[i]! < 0 ? 'NA' : g[i]}`)].join('\n') + '\n');
    const sheetId = p.importSheet(file).id;
    const settings = settingsFor(set, 't1', { model: 'additive', covar: file, covarNames: ['g124'] });
    const { summary } = await recordAndScan(p, settings, { threads: 1 }, { datasetId, phenoSheetId: phenoId, covarSheetId: sheetId });
    const q = qcPreview(p.db, { datasetId, sheetId: phenoId, trait: 't1', maf: 0.01, maxMissing: 0.05, covarSheetId: sheetId, covarNames: ['g124'] });
    expect(q.snps.failedCollinear).toBe(1);
    expect(fromPreview(q)).toEqual(fromSummary(summary));
  });

  it('a sheet without a trait reports the matching; a bad request is an InputError naming the project', () => {
    const q = qcPreview(p.db, { datasetId, sheetId: phenoId, maf: 0.01, maxMissing: 0.05 });
    expect(q.individuals).toBe('genotyped');
    expect(q.samples).toEqual({ genotyped: 150, lowCallRate: 0, kept: 150, sheetRows: 150, matched: 150, matchedBy: 'IID' });
    expect(() => qcPreview(p.db, { datasetId, trait: 't1', maf: 0.01, maxMissing: 0.05 })).toThrow(/p\.kinscan: the trait 't1' needs the sheet that holds it/);
    expect(() => qcPreview(p.db, { datasetId, maf: 0.7, maxMissing: 0.05 })).toThrow(/minor allele frequency 0\.7 is not between 0 and 0\.5/);
    expect(() => qcPreview(p.db, { datasetId, sheetId: phenoId, trait: 'nope', maf: 0.01, maxMissing: 0.05 })).toThrow(/'nope' not found/);
    expect(() => qcPreview(p.db, { datasetId: 99, maf: 0.01, maxMissing: 0.05 })).toThrow(/has no dataset 99/);
  });

  it('migration 3 counts the genotypes of datasets imported before layout version 3', () => {
    const before = loadSnpCounts(p.db, datasetId);
    const old = join(dir, 'old.kinscan');
    const q = Project.open(old, { create: true });
    const id = q.importDataset(set.prefix).id;
    q.close();
    // Without its counts, as a project written before version 3 holds the dataset; then migration 3 itself.
    const db = new Database(old);
    try {
      db.transaction(() => {
        db.exec('DROP TABLE snp_counts');
        MIGRATIONS.find((m) => m.version === 3)!.up(db);
      })();
      expect(loadSnpCounts(db, id)).toEqual(before);
    } finally {
      db.close();
    }
  });
});

describe('QC preview on mouse HS1940, trait 1', () => {
  const dir = tempDir('kinscan-qcprev-mouse-');
  it('1,410 analysed individuals and 10,768 SNPs to test, as the scan reports', async () => {
    const p = Project.open(join(dir, 'mouse.kinscan'), { create: true });
    try {
      const set = { prefix: MOUSE, pheno: `${MOUSE}.pheno.csv` };
      const { summary } = await recordAndScan(p, settingsFor(set, 'trait1', { model: 'additive' }), { threads: 1 });
      const run = p.runs()[0]!;
      const q = qcPreview(p.db, { datasetId: run.datasetId, sheetId: run.phenoSheetId, trait: 'trait1', maf: 0.01, maxMissing: 0.05 });
      expect(q.snps.kept).toBe(10768);
      expect(q.samples.kept).toBe(1410);
      expect(fromPreview(q)).toEqual(fromSummary(summary));
      // The threshold at a bin edge: bin 0 holds exactly the SNPs failing MAF 0.01.
      expect(q.mafHistogram.counts[0]).toBe(q.snps.failedMaf);
    } finally {
      p.close();
    }
  }, 60_000);
});
