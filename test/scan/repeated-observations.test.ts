/**
 * Repeated observations (several sheet rows per individual) are fitted with Z != I, as
 * docs/model.md says: y = X b + Z a + e, a ~ N(0, sigma_a^2 K), V = sigma_a^2 Z K Z^T + sigma_e^2 I.
 * The reference is a dense maximum-likelihood fit written here, independent of the engine: V built
 * as a matrix, its log-determinant by Cholesky, b by generalised least squares, the likelihood
 * maximised over delta = sigma_e^2 / sigma_a^2 on a fine log grid and then by golden-section
 * search, both boundaries checked. K is the centred GRM of all genotyped individuals, and (GEMMA's
 * convention, docs/model.md) Z K Z^T is re-centred over the observations before the fit.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Rng, simulateGenotypes, writeSimulation } from '../../bench/simulate.js';
import { DEFAULT_SETTINGS, type ScanSettings } from '../../engine/scan/settings.js';
import { Project } from '../../engine/store/project.js';
import { tempDir } from '../helpers/tmp.js';

/** ML log-likelihood of y ~ N(X b, sigmaA2 K + sigmaE2 I) at delta, with b and the scale profiled out. */
function profileLogl(kObs: Float64Array, n: number, x: Float64Array[], y: Float64Array, delta: number): number {
  // V / sigma_a^2 = K + delta I; its Cholesky factor L.
  const l = new Float64Array(n * n);
  for (let i = 0; i < n; i++)
    for (let j = 0; j <= i; j++) {
      let s = kObs[i * n + j]! + (i === j ? delta : 0);
      for (let k = 0; k < j; k++) s -= l[i * n + k]! * l[j * n + k]!;
      l[i * n + j] = i === j ? Math.sqrt(s) : s / l[j * n + j]!;
    }
  const solveL = (v: Float64Array): Float64Array => {
    const out = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      let s = v[i]!;
      for (let k = 0; k < i; k++) s -= l[i * n + k]! * out[k]!;
      out[i] = s / l[i * n + i]!;
    }
    return out;
  };
  let logDet = 0;
  for (let i = 0; i < n; i++) logDet += 2 * Math.log(l[i * n + i]!);
  // Whitened X and y: GLS is OLS on them.
  const wx = x.map(solveL);
  const wy = solveL(y);
  const p = x.length;
  const xtx = Array.from({ length: p }, (_, a) => Array.from({ length: p }, (_, b) => wx[a]!.reduce((s, v, i) => s + v * wx[b]![i]!, 0)));
  const xty = Array.from({ length: p }, (_, a) => wx[a]!.reduce((s, v, i) => s + v * wy[i]!, 0));
  // Solve xtx b = xty (Gauss-Jordan; p is 2 or 3).
  const m = xtx.map((r, i) => [...r, xty[i]!]);
  for (let c = 0; c < p; c++) {
    let piv = c;
    for (let r = c + 1; r < p; r++) if (Math.abs(m[r]![c]!) > Math.abs(m[piv]![c]!)) piv = r;
    [m[c], m[piv]] = [m[piv]!, m[c]!];
    for (let r = 0; r < p; r++) {
      if (r === c) continue;
      const f = m[r]![c]! / m[c]![c]!;
      for (let k = c; k <= p; k++) m[r]![k] = m[r]![k]! - f * m[c]![k]!;
    }
  }
  const b = m.map((r, i) => r[p]! / r[i]!);
  let rss = 0;
  for (let i = 0; i < n; i++) {
    let fit = 0;
    for (let a = 0; a < p; a++) fit += wx[a]![i]! * b[a]!;
    rss += (wy[i]! - fit) ** 2;
  }
  // sigma_a^2 = rss / n at the maximum over the scale.
  const sigmaA2 = rss / n;
  return -0.5 * (n * Math.log(2 * Math.PI) + n * Math.log(sigmaA2) + logDet + n);
}

/** The ML over delta in [1e-5, 1e5] (GEMMA's range): a log grid, then golden-section search. */
function maxLogl(kObs: Float64Array, n: number, x: Float64Array[], y: Float64Array): number {
  const f = (t: number): number => profileLogl(kObs, n, x, y, Math.exp(t));
  const lo = Math.log(1e-5);
  const hi = Math.log(1e5);
  const steps = 100;
  let best = lo;
  let bestF = f(lo);
  for (let s = 1; s <= steps; s++) {
    const t = lo + ((hi - lo) * s) / steps;
    const v = f(t);
    if (v > bestF) {
      bestF = v;
      best = t;
    }
  }
  let a = Math.max(lo, best - (hi - lo) / steps);
  let b = Math.min(hi, best + (hi - lo) / steps);
  const g = (Math.sqrt(5) - 1) / 2;
  for (let it = 0; it < 60; it++) {
    const c = b - g * (b - a);
    const d = a + g * (b - a);
    if (f(c) > f(d)) b = d;
    else a = c;
  }
  return Math.max(bestF, f((a + b) / 2));
}

describe('repeated observations: Z != I', () => {
  const dir = tempDir('kinscan-repeated-');
  const q = 60;
  const sim = simulateGenotypes({ n: q, m: 80, seed: 31, missing: 0, chromosomes: 2 });
  const prefix = join(dir, 'rep');
  writeSimulation(prefix, sim);
  const rng = new Rng(5);
  // 1 to 4 observations per individual, in a shuffled sheet; the trait has a genetic part shared by
  // an individual's observations and a SNP effect.
  const owner: number[] = [];
  for (let i = 0; i < q; i++) for (let r = 0, k = 1 + Math.floor(rng.next() * 4); r < k; r++) owner.push(i);
  for (let i = owner.length - 1; i > 0; i--) {
    const j = Math.floor(rng.next() * (i + 1));
    [owner[i], owner[j]] = [owner[j]!, owner[i]!];
  }
  const genetic = Float64Array.from({ length: q }, () => rng.normal());
  const snp = 10;
  const y = Float64Array.from(owner, (i) => genetic[i]! + 0.6 * sim.g[snp * q + i]! + rng.normal());
  const pheno = join(dir, 'rep.pheno.csv');
  writeFileSync(pheno, ['IID,y', ...owner.map((i, r) => `${sim.ids[i]},${y[r]!.toFixed(6)}`)].join('\n') + '\n');

  it('equals a dense, independent ML fit of y = X b + Z a + e, SNP by SNP', async () => {
    const settings: ScanSettings = { ...DEFAULT_SETTINGS, bfile: prefix, pheno, trait: 'y', model: 'additive', maf: 0, maxMissing: 1 };
    const p = Project.open(join(dir, 'rep.kinscan'), { create: true });
    let tsv: string;
    let summary;
    try {
      const id = p.createRun(settings);
      const res = await p.runScan(id, { threads: 1 });
      summary = res.summary;
      tsv = join(dir, 'rep.tsv');
      p.exportRun(id, tsv);
    } finally {
      p.close();
    }
    const n = owner.length;
    expect(summary.samples.analysed).toBe(q);
    expect(summary.samples.observations).toBe(n);

    // K: the centred GRM over all q individuals from all SNPs (none is filtered here).
    const m = sim.m;
    const k = new Float64Array(q * q);
    for (let j = 0; j < m; j++) {
      let mean = 0;
      for (let i = 0; i < q; i++) mean += sim.g[j * q + i]!;
      mean /= q;
      for (let a = 0; a < q; a++) for (let b = 0; b < q; b++) k[a * q + b] = k[a * q + b]! + ((sim.g[j * q + a]! - mean) * (sim.g[j * q + b]! - mean)) / m;
    }
    // Observations in .fam order of their individuals, each individual's in sheet order (how the
    // engine orders them; the likelihood does not depend on the order).
    const order = owner.map((i, r) => ({ i, r })).sort((u, v) => u.i - v.i || u.r - v.r);
    const zk = new Float64Array(n * n);
    for (let a = 0; a < n; a++) for (let b = 0; b < n; b++) zk[a * n + b] = k[order[a]!.i * q + order[b]!.i]!;
    // Re-centre over the observations: P Z K Z^T P.
    const rowMean = new Float64Array(n);
    let grand = 0;
    for (let a = 0; a < n; a++) {
      for (let b = 0; b < n; b++) rowMean[a] = rowMean[a]! + zk[a * n + b]! / n;
      grand += rowMean[a]! / n;
    }
    for (let a = 0; a < n; a++) for (let b = 0; b < n; b++) zk[a * n + b] = zk[a * n + b]! - rowMean[a]! - rowMean[b]! + grand;
    const yo = Float64Array.from(order, (o) => y[o.r]!);
    const ones = new Float64Array(n).fill(1);
    const l0 = maxLogl(zk, n, [ones], yo);
    expect(summary.null.logl_h0).toBeCloseTo(l0, 5);

    const lines = readFileSync(tsv, 'utf8').trim().split('\n');
    const h = lines[0]!.split('\t');
    let checked = 0;
    for (const line of lines.slice(1)) {
      const f = line.split('\t');
      const j = Number(f[h.indexOf('rs')]!.replace('snp', '')) - 1;
      // Every third SNP: the dense fits are O(n^3) each.
      if (j % 3 !== 0) continue;
      const xa = Float64Array.from(order, (o) => sim.g[j * q + o.i]! - 1);
      const l1 = maxLogl(zk, n, [ones, xa], yo);
      expect(Number(f[h.indexOf('lrt')]), `snp${j + 1}`).toBeCloseTo(2 * (l1 - l0), 4);
      checked++;
    }
    expect(checked).toBeGreaterThan(20);
  }, 120_000);
});
