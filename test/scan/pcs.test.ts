import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { simulateGenotypes, simulateTraits, writeSimulation } from '../../bench/simulate.js';
import { isInputError } from '../../engine/io/errors.js';
import { openPlink } from '../../engine/io/plink.js';
import { principalCovariates } from '../../engine/scan/pcs.js';
import type { PreparedScan } from '../../engine/scan/prepare.js';
import type { ScanRow } from '../../engine/scan/scan.js';
import { DEFAULT_SETTINGS, scanSettingsSchema, type ScanSettings } from '../../engine/scan/settings.js';
import { computeKinship } from '../../engine/stats/kinship.js';
import { collectScan, MemoryCache } from '../helpers/scan.js';
import { tempDir } from '../helpers/tmp.js';

/**
 * `pcs`: the top PCs of the kinship as covariates. The reference is the same scan with the same
 * PCs written to a covariate sheet and given as ordinary covariates; the PCs themselves are
 * checked against a dense kinship computed here (eigen-equation, power iteration for the largest).
 */
describe('principal components of the kinship as covariates', () => {
  const dir = tempDir();
  const prefix = join(dir, 'sim');
  // Two subpopulations and families: PC1 separates the subpopulations.
  const sim = simulateGenotypes({ n: 400, m: 2500, seed: 11, pops: 2, fst: 0.1, familySize: 4, missing: 0.005 });
  const traits = simulateTraits(sim, [{ name: 't', polygenic: { snps: 200, variance: 1 }, popEffect: 1, noise: 1, additive: [[700, 0.6]] }], 5);
  // A few individuals without the trait, so the kinship is subset and re-centred before the PCs.
  for (const i of [3, 50, 211]) traits[0]![i] = NaN;
  writeSimulation(prefix, sim, { names: ['t'], values: traits });
  const base: ScanSettings = { ...DEFAULT_SETTINGS, bfile: prefix, pheno: `${prefix}.pheno.csv`, trait: 't' };
  const cache = new MemoryCache();

  /** The run's PCs as a covariate sheet (CSV, IID first), values written so they read back exactly. */
  function writePcSheet(prep: PreparedScan, file: string, extra?: { name: string; values: Float64Array }): string[] {
    const names = [...prep.pcs.names, ...(extra ? [extra.name] : [])];
    const lines = [['IID', ...names].join(',')];
    const fam = prep.plink.fam;
    prep.samples.famIndex.forEach((f, i) => {
      lines.push([fam.iid[f]!, ...prep.pcs.vectors.map((v) => String(v[i]!)), ...(extra ? [String(extra.values[i]!)] : [])].join(','));
    });
    writeFileSync(file, lines.join('\n') + '\n');
    return names;
  }

  function expectSameP(a: ScanRow[], b: ScanRow[]): number {
    expect(a.length).toBe(b.length);
    let worst = 0;
    for (let k = 0; k < a.length; k++) {
      expect(a[k]!.snp).toBe(b[k]!.snp);
      expect(a[k]!.df).toBe(b[k]!.df);
      const pa = -a[k]!.lnP / Math.LN10;
      const pb = -b[k]!.lnP / Math.LN10;
      worst = Math.max(worst, Math.abs(pa - pb) / Math.max(Math.abs(pb), 1e-300));
    }
    expect(worst).toBeLessThanOrEqual(1e-9);
    return worst;
  }

  it('a run with pcs = 3 equals a run with the same three PCs given as covariates from a sheet', async () => {
    // On the worker pool, which is sized for the PC columns too.
    const withPcs = await collectScan({ ...base, pcs: 3 }, { cache, threads: 2 });
    const prep = withPcs.outcome.prep;
    expect(prep.pcs.names).toEqual(['PC1', 'PC2', 'PC3']);
    expect(prep.wStar.length).toBe(4);
    const sheet = join(dir, 'pcs.csv');
    const covarNames = writePcSheet(prep, sheet);
    const viaSheet = await collectScan({ ...base, covar: sheet, covarNames }, { cache, threads: 1 });
    expect(viaSheet.outcome.prep.samples.famIndex).toEqual(prep.samples.famIndex);
    expectSameP(withPcs.rows, viaSheet.rows);
    expect(withPcs.outcome.prep.nullFit.logl).toBeCloseTo(viaSheet.outcome.prep.nullFit.logl, 9);
    // And the PCs change the scan: this trait has a subpopulation shift.
    const without = await collectScan(base, { cache, threads: 1 });
    const moved = without.rows.some((r, k) => Math.abs(r.lnP - withPcs.rows[k]!.lnP) > 1e-3);
    expect(moved).toBe(true);
    expect(withPcs.outcome.prep.nullFit.logl).toBeGreaterThan(without.outcome.prep.nullFit.logl);
  }, 120_000);

  it('the PCs are the largest eigenvectors of the re-centred kinship, and rotate to sqrt(s) e_r', async () => {
    const { outcome } = await collectScan({ ...base, pcs: 3 }, { cache, threads: 1, to: 1 });
    const prep = outcome.prep;
    const n = prep.n;
    // An independent kinship: the single-threaded reference, subset and re-centred here.
    const plink = openPlink(prefix);
    const kin = computeKinship(plink.bed, prep.include, 'centered').data;
    plink.bed.close();
    const nAll = prep.plink.fam.iid.length;
    const idx = prep.samples.famIndex;
    const k = new Float64Array(n * n);
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) k[i * n + j] = kin[idx[i]! * nAll + idx[j]!]!;
    const rowMean = new Float64Array(n);
    let all = 0;
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < n; j++) rowMean[i] = rowMean[i]! + k[i * n + j]! / n;
      all += rowMean[i]! / n;
    }
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) k[i * n + j] = k[i * n + j]! - rowMean[i]! - rowMean[j]! + all;
    const mulK = (v: Float64Array): Float64Array => {
      const out = new Float64Array(n);
      for (let i = 0; i < n; i++) {
        let acc = 0;
        for (let j = 0; j < n; j++) acc += k[i * n + j]! * v[j]!;
        out[i] = acc;
      }
      return out;
    };
    const dot = (a: Float64Array, b: Float64Array): number => a.reduce((acc, x, i) => acc + x * b[i]!, 0);
    for (let r = 0; r < 3; r++) {
      const v = prep.pcs.vectors[r]!;
      const lambda = prep.pcs.eigenvalues[r]!;
      // Scaled as the PCA figure draws it: |v|^2 = lambda.
      expect(dot(v, v)).toBeCloseTo(lambda, 9);
      const kv = mulK(v);
      let res = 0;
      for (let i = 0; i < n; i++) res = Math.max(res, Math.abs(kv[i]! - lambda * v[i]!));
      expect(res).toBeLessThan(1e-9 * lambda);
      if (r > 0) expect(lambda).toBeLessThanOrEqual(prep.pcs.eigenvalues[r - 1]!);
      // Rotated: +-sqrt(lambda) at its eigenvalue's position (the sign is the PC's), zero elsewhere.
      const w = prep.wStar[1 + r]!;
      const at = n - 1 - r;
      expect(prep.s[at]).toBe(lambda);
      for (let i = 0; i < n; i++) expect(Math.abs(Math.abs(w[i]!) - (i === at ? Math.sqrt(lambda) : 0))).toBeLessThan(1e-10);
    }
    // The largest eigenvalue by power iteration from a fixed start.
    let x = Float64Array.from({ length: n }, (_, i) => Math.sin(i + 1));
    let rayleigh = 0;
    for (let it = 0; it < 500; it++) {
      const y = mulK(x);
      rayleigh = dot(x, y) / dot(x, x);
      const norm = Math.sqrt(dot(y, y));
      x = y.map((t) => t / norm);
    }
    expect(prep.pcs.eigenvalues[0]).toBeCloseTo(rayleigh, 8);
    expect(outcome.prep.pcs.shares[0]).toBeCloseTo(prep.pcs.eigenvalues[0]! / prep.s.reduce((a, b) => a + b, 0), 12);
  }, 120_000);

  it('with loco, every chromosome adds the PCs of the genome-wide kinship', async () => {
    const withPcs = await collectScan({ ...base, loco: true, pcs: 2 }, { threads: 1 });
    const sheet = join(dir, 'pcs-loco.csv');
    const covarNames = writePcSheet(withPcs.outcome.prep, sheet);
    const viaSheet = await collectScan({ ...base, loco: true, covar: sheet, covarNames }, { threads: 1 });
    expect(withPcs.outcome.loco!.length).toBeGreaterThan(1);
    expectSameP(withPcs.rows, viaSheet.rows);
  }, 120_000);

  it('names the PC that repeats a covariate of the sheet, and refuses more PCs than the schema allows', async () => {
    const { outcome } = await collectScan({ ...base, pcs: 1 }, { cache, threads: 1, to: 1 });
    const sheet = join(dir, 'dup.csv');
    // A covariate that is twice PC2 plus 3: with pcs = 2 the PCs repeat it.
    const dup = outcome.prep.pcs.vectors[0]!.map(() => 0);
    const two = await collectScan({ ...base, pcs: 2 }, { cache, threads: 1, to: 1 });
    two.outcome.prep.pcs.vectors[1]!.forEach((v, i) => (dup[i] = 2 * v + 3));
    writeFileSync(sheet, ['IID,age', ...Array.from(outcome.prep.samples.famIndex, (f, i) => `${outcome.prep.plink.fam.iid[f]},${dup[i]}`)].join('\n') + '\n');
    await expect(collectScan({ ...base, covar: sheet, covarNames: ['age'], pcs: 2 }, { cache, threads: 1, to: 1 })).rejects.toThrow(/PC2, the principal component added by --pcs/);
    // More PCs than eigenvalues above 0: an eigenvector of eigenvalue 0 is arbitrary.
    const u = Float64Array.from({ length: 16 }, (_, x) => (x % 5 === 0 ? 1 : 0));
    try {
      principalCovariates(Float64Array.of(0, 0, 1, 2), u, 4, 3, 'K.txt');
      expect.unreachable();
    } catch (e) {
      expect(isInputError(e) && e.message).toMatch(/--pcs 3 asks for 3 principal components, but the kinship of the 4 analysed individuals has only 2 with an eigenvalue above 0/);
      expect(isInputError(e) && e.hint).toBe('Use --pcs 2 or fewer');
    }
    expect(principalCovariates(Float64Array.of(0, 0, 1, 2), u, 4, 2, 'K.txt').eigenvalues).toEqual([2, 1]);
    for (const bad of [21, -1, 1.5]) expect(scanSettingsSchema.safeParse({ ...base, pcs: bad }).success, String(bad)).toBe(false);
    expect(scanSettingsSchema.parse({ bfile: '', pheno: '', trait: 't' }).pcs).toBe(0);
  }, 120_000);
});
