/**
 * The data behind a run's figures, gathered from the project alone, checked against independent
 * routes from the source files: the kinship heatmap's matrix against the plain double-precision
 * kinship of the .bed (subset to the analysed individuals and re-centred), the PCs against the
 * eigen-equation of that matrix, the genotype classes against the .bed decoded directly, and the
 * regional r^2 against a direct Pearson correlation.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { genotypeData, kinshipData, manhattanData, pcaData, qqData, regionData } from '../../engine/export/figure-data.js';
import { decodeSnp } from '../../engine/io/plink.js';
import { openScanInputs, selectScan } from '../../engine/scan/prepare.js';
import type { ScanSettings } from '../../engine/scan/settings.js';
import { computeKinship, subsetAndCenter } from '../../engine/stats/kinship.js';
import { Project } from '../../engine/store/project.js';
import { tempDir } from '../helpers/tmp.js';
import { settingsFor, simulatedSet } from '../store/helpers.js';

const dir = tempDir('kinscan-figdata-');
let project: Project;
let runId: number;
let settings: ScanSettings;
let reference: { kc: Float64Array; famIndex: Int32Array; y: Float64Array; age: Float64Array; counts: (snp: number) => Int8Array; tested: number };

beforeAll(async () => {
  const set = simulatedSet(dir, 'fig', 160, 900, 11);
  settings = settingsFor(set, 't1', { covar: set.covar, covarNames: ['age'], model: 'additive' });
  project = Project.open(`${dir}/fig.kinscan`, { create: true });
  runId = project.createRun(settings);
  await project.runScan(runId, { threads: 1 });
  // The independent route: the source files, the plain TypeScript kinship.
  const inputs = openScanInputs(settings);
  const sel = selectScan(settings, inputs);
  const kin = computeKinship(inputs.plink.bed, sel.include, 'centered');
  const nAll = inputs.plink.fam.iid.length;
  const packed = new Uint8Array(inputs.plink.bed.bytesPerSnp);
  const all = new Int8Array(nAll);
  const countsOf = new Map<number, Int8Array>();
  for (let j = 0; j < inputs.plink.bed.nSnps; j++) {
    inputs.plink.bed.readPacked(j, 1, packed);
    decodeSnp(packed, 0, nAll, all);
    countsOf.set(j, Int8Array.from(sel.samples.famIndex, (i) => all[i]!));
  }
  reference = { kc: subsetAndCenter(kin.data, nAll, sel.samples.famIndex), famIndex: sel.samples.famIndex, y: sel.samples.y, age: sel.samples.covariates[0]!, counts: (s) => countsOf.get(s)!, tested: sel.tested.length };
  inputs.plink.bed.close();
}, 120_000);

afterAll(() => project?.close());

describe('figure data from a project', () => {
  it('Manhattan and QQ series: every tested SNP, the run test and lambda', () => {
    const m = manhattanData(project, runId);
    expect(m.negLog10P.length).toBe(project.run(runId).rows);
    expect(m.negLog10P.length).toBeLessThanOrEqual(reference.tested);
    expect(m.label(0)).toMatch(/\S/);
    const q = qqData(project, runId);
    expect(q.df).toBe(1);
    expect(q.lambdaGc).toBe(project.run(runId).lambdaGc);
  });

  it('the kinship is the plain kinship of the .bed, subset to the analysed individuals and re-centred', () => {
    const k = kinshipData(project, runId, 1);
    expect(k.n).toBe(reference.famIndex.length);
    let max = 0;
    let scale = 0;
    for (let i = 0; i < k.k.length; i++) {
      max = Math.max(max, Math.abs(k.k[i]! - reference.kc[i]!));
      scale = Math.max(scale, Math.abs(reference.kc[i]!));
    }
    expect(max / scale).toBeLessThan(1e-10);
    expect(k.description).toMatch(/centred \(GEMMA -gk 1\)/);
  });

  it('PCs satisfy K pc = lambda pc, in decreasing order, with their share of the trace', () => {
    const pca = pcaData(project, runId, { count: 4, colourBy: 'sex', threads: 1 });
    const n = reference.famIndex.length;
    let trace = 0;
    for (let i = 0; i < n; i++) trace += reference.kc[i * n + i]!;
    let prev = Infinity;
    for (let c = 0; c < 4; c++) {
      const pc = pca.pcs[c]!;
      let norm2 = 0;
      for (let i = 0; i < n; i++) norm2 += pc[i]! * pc[i]!;
      const lambda = norm2; // |v sqrt(s)|^2 = s
      expect(lambda / trace).toBeCloseTo(pca.varianceExplained[c]!, 10);
      expect(lambda).toBeLessThanOrEqual(prev + 1e-12);
      prev = lambda;
      let resid = 0;
      for (let i = 0; i < n; i++) {
        let acc = 0;
        for (let j = 0; j < n; j++) acc += reference.kc[i * n + j]! * pc[j]!;
        resid = Math.max(resid, Math.abs(acc - lambda * pc[i]!));
      }
      expect(resid / lambda).toBeLessThan(1e-8);
    }
    expect(pca.colour?.kind).toBe('categorical');
    expect(new Set(pca.colour?.kind === 'categorical' ? pca.colour.values : [])).toEqual(new Set(['M', 'F']));
    const byAge = pcaData(project, runId, { count: 2, colourBy: 'age', threads: 1 });
    expect(byAge.colour?.kind).toBe('continuous');
    expect(() => pcaData(project, runId, { colourBy: 'nope' })).toThrow(/no column 'nope'.*Available columns: .*age/);
  });

  it('genotype classes hold the analysed individuals by their allele-1 count, with their trait values', () => {
    const top = project.topHits(runId, 1)[0]!;
    const g = genotypeData(project, runId, {});
    expect(g.rs).toBe(top.rs);
    const counts = reference.counts(top.snp);
    for (const cls of g.classes) {
      const expected: number[] = [];
      for (let i = 0; i < counts.length; i++) if (counts[i] === cls.count) expected.push(reference.y[i]!);
      expect(Array.from(cls.values)).toEqual(expected);
    }
    expect(g.classes.map((c) => c.label)).toEqual([`${g.allele0}${g.allele0}`, `${g.allele0}${g.allele1}`, `${g.allele1}${g.allele1}`]);
    expect(g.negLog10P).toBeCloseTo(top.negLog10P, 12);
    // Adjusted for the covariate: y minus its least-squares fit on (1, age), plus the mean of y.
    const adj = genotypeData(project, runId, { snp: top.rs, adjusted: true });
    expect(adj.adjusted).toBe(true);
    const age = reference.age;
    const n = age.length;
    const my = reference.y.reduce((a, v) => a + v, 0) / n;
    const ma = age.reduce((a, v) => a + v, 0) / n;
    let sxy = 0;
    let sxx = 0;
    for (let i = 0; i < n; i++) {
      sxy += (age[i]! - ma) * (reference.y[i]! - my);
      sxx += (age[i]! - ma) ** 2;
    }
    const slope = sxy / sxx;
    for (const cls of adj.classes) {
      const expected: number[] = [];
      for (let i = 0; i < n; i++) if (counts[i] === cls.count) expected.push(reference.y[i]! - slope * (age[i]! - ma));
      expect(cls.values.length).toBe(expected.length);
      cls.values.forEach((v, k) => expect(v).toBeCloseTo(expected[k]!, 10));
    }
    expect(() => genotypeData(project, runId, { snp: 'rs_missing' })).toThrow(/has no SNP 'rs_missing'/);
  });

  it('the adjusted phenotype of a run with PCs as covariates is orthogonal to its PCs and covariate', async () => {
    const withPcs = project.createRun({ ...settings, pcs: 2 });
    await project.runScan(withPcs, { threads: 1 });
    // A SNP called in every analysed individual, so the plot shows every residual.
    const top = project.topHits(withPcs, 200).find((h) => reference.counts(h.snp).every((c) => c >= 0))!;
    const adj = genotypeData(project, withPcs, { snp: top.rs, adjusted: true });
    expect(adj.adjusted).toBe(true);
    // Back to one value per analysed individual, in the selection's order.
    const counts = reference.counts(top.snp);
    const n = counts.length;
    const value = new Float64Array(n).fill(Number.NaN);
    const next = [0, 0, 0];
    for (let i = 0; i < n; i++) {
      const c = counts[i]!;
      if (c < 0) continue;
      const cls = adj.classes.find((k) => k.count === c)!;
      value[i] = cls.values[next[c]!++]!;
    }
    const mean = reference.y.reduce((a, v) => a + v, 0) / n;
    // The PCs as the PCA figure has them (an eigendecomposition of the same kinship, scaled the same way).
    const { pcs } = pcaData(project, withPcs, { count: 2 });
    const dot = (a: ArrayLike<number>, b: ArrayLike<number>): number => {
      let sum = 0;
      for (let i = 0; i < n; i++) sum += a[i]! * b[i]!;
      return sum;
    };
    const residual = Float64Array.from(value, (v) => v - mean);
    const norm = Math.sqrt(dot(residual, residual));
    for (const pc of [...pcs, reference.age]) expect(Math.abs(dot(residual, pc)) / (norm * Math.sqrt(dot(pc, pc)))).toBeLessThan(1e-9);
    // And it differs from the adjustment for the covariate alone.
    const ageOnly = genotypeData(project, runId, { snp: top.rs, adjusted: true });
    expect(Math.max(...ageOnly.classes.flatMap((c, k) => Array.from(c.values, (v, j) => Math.abs(v - adj.classes[k]!.values[j]!))))).toBeGreaterThan(1e-3);
  });

  it('the region: SNPs within the window of the lead, r^2 as a direct Pearson correlation', () => {
    const r = regionData(project, runId, { windowBp: 2_000_000 });
    const top = project.topHits(runId, 1)[0]!;
    expect(r.lead.rs).toBe(top.rs);
    expect(r.pos.every((p) => p >= r.start && p <= r.end)).toBe(true);
    const lead = reference.counts(top.snp);
    for (let k = 0; k < r.snp.length; k += Math.max(1, Math.floor(r.snp.length / 7))) {
      const other = reference.counts(r.snp[k]!);
      let n = 0, sa = 0, sb = 0, saa = 0, sbb = 0, sab = 0;
      for (let i = 0; i < lead.length; i++) {
        if (lead[i]! < 0 || other[i]! < 0) continue;
        n++;
        sa += lead[i]!;
        sb += other[i]!;
        saa += lead[i]! * lead[i]!;
        sbb += other[i]! * other[i]!;
        sab += lead[i]! * other[i]!;
      }
      const cov = sab / n - (sa / n) * (sb / n);
      const r2 = (cov * cov) / ((saa / n - (sa / n) ** 2) * (sbb / n - (sb / n) ** 2));
      expect(r.r2[k]).toBeCloseTo(r2, 10);
    }
    expect(r.r2[Array.from(r.snp).indexOf(top.snp)]).toBeCloseTo(1, 12);
  });
});
