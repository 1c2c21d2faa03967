import { describe, expect, it } from 'vitest';
import { bootstrapTable, invertBootstrap } from '../../engine/stats/heritability/bootstrap-interval.js';
import type { HeritabilityBasis } from '../../engine/stats/heritability/h2-likelihood.js';
import { posteriorGrid } from '../../engine/stats/heritability/posterior-grid.js';
import { profileInterval } from '../../engine/stats/heritability/profile-interval.js';
import { symEigenFast } from '../../engine/stats/kernels/eigen.js';
import { Rng } from '../../engine/stats/random.js';

/**
 * Coverage of the three h2 intervals over simulated traits (issue 12: the bootstrap interval's
 * coverage over 200 traits at h2 in {0.05, 0.5, 0.95} is 95% +- 3%).
 *
 * One kinship: n = 400 individuals, 1000 SNPs (allele frequencies uniform on [0.05, 0.5]) centred by
 * their means, K = G G^T / m (re-centred: K 1 = 0, as the scan's). Fixed effects: intercept + one
 * covariate. Each trait is simulated in the original space, y = X b + g + e, g ~ N(0, sigmaA2 K) drawn
 * as U diag(sqrt(s)) z sigmaA, e ~ N(0, sigmaE2 I), with sigmaA2 = h2 / t and sigmaE2 = 1 - h2 (so the
 * PVE t sigmaA2 / (t sigmaA2 + sigmaE2) is h2), then rotated, y* = U^T y, as the scan does. The
 * bootstrap's acceptance regions depend on s and X* only: one table (the default sizes) serves every trait.
 * Over 1000 other traits at each h2 (not run here), four default tables (seeds 7, 8, 10, 11) covered
 * 0.952-0.956 (h2 = 0.05), 0.960-0.968 (0.5; the profile and posterior intervals 0.961 and 0.965 on
 * those traits) and 0.955-0.961 (0.95); the profile interval 0.976, 0.961 and 0.298, the posterior's
 * 0.969, 0.965 and 0.971. Without pooling neighbours (window 0, 51 true values) two seeds ranged
 * 0.921-0.953 at h2 = 0.5.
 */
describe('coverage of the h2 intervals over 200 simulated traits', () => {
  const n = 400;
  const m = 1000;
  const rng = new Rng(2016);
  const g = new Float64Array(n * m);
  for (let j = 0; j < m; j++) {
    const f = 0.05 + 0.45 * rng.next();
    let mean = 0;
    for (let i = 0; i < n; i++) {
      const v = rng.genotype(f);
      g[i * m + j] = v;
      mean += v;
    }
    mean /= n;
    for (let i = 0; i < n; i++) g[i * m + j] = g[i * m + j]! - mean;
  }
  const k = new Float64Array(n * n);
  for (let i = 0; i < n; i++)
    for (let l = 0; l <= i; l++) {
      let acc = 0;
      for (let j = 0; j < m; j++) acc += g[i * m + j]! * g[l * m + j]!;
      k[i * n + l] = k[l * n + i] = acc / m;
    }
  const eig = symEigenFast(k, n);
  const s = eig.values;
  for (let i = 0; i < n; i++) if (s[i]! < 1e-10) s[i] = 0;
  const ut = eig.vectorsT;
  let trace = 0;
  for (const v of s) trace += v;
  const t = trace / n;
  const rotate = (v: Float64Array): Float64Array => {
    const o = new Float64Array(n);
    for (let q = 0; q < n; q++) {
      let acc = 0;
      for (let i = 0; i < n; i++) acc += ut[q * n + i]! * v[i]!;
      o[q] = acc;
    }
    return o;
  };
  const ones = new Float64Array(n).fill(1);
  const cov = Float64Array.from({ length: n }, () => rng.normal());
  const wStar = [rotate(ones), rotate(cov)];
  const base: HeritabilityBasis = { s, yStar: new Float64Array(n), wStar, kinshipScale: t };

  // The default table: 400 replicates at each of 41 true values, each pooled with 2 neighbours on either side.
  const t0 = performance.now();
  const table = bootstrapTable(base, { seed: 7 });
  const tableMs = performance.now() - t0;

  for (const h2 of [0.05, 0.5, 0.95]) {
    it(`at h2 = ${h2}: bootstrap 95% +- 3%; profile and posterior reported`, () => {
      const traits = 200;
      const sa = Math.sqrt(h2 / t);
      const se = Math.sqrt(1 - h2);
      const covered = { profile: 0, posterior: 0, bootstrap: 0 };
      const width = { profile: 0, posterior: 0, bootstrap: 0 };
      let atZero = 0;
      let atTop = 0;
      const tr = new Rng(Math.round(1000 * h2) + 1);
      const c0 = performance.now();
      for (let r = 0; r < traits; r++) {
        const gz = Float64Array.from(s, (sk) => Math.sqrt(sk) * sa * tr.normal());
        const y = new Float64Array(n);
        for (let i = 0; i < n; i++) {
          let gi = 0;
          for (let q = 0; q < n; q++) gi += ut[q * n + i]! * gz[q]!;
          y[i] = 2 - 0.5 * cov[i]! + gi + se * tr.normal();
        }
        const basis: HeritabilityBasis = { ...base, yStar: rotate(y) };
        const pr = profileInterval(basis);
        const post = posteriorGrid(basis, { gridPoints: 401 });
        const boot = invertBootstrap(table, pr.ml.h2);
        if (pr.ml.where === 'sigmaA2=0') atZero++;
        if (pr.ml.where === 'delta-min') atTop++;
        const ivs = { profile: pr, posterior: post, bootstrap: boot };
        for (const key of ['profile', 'posterior', 'bootstrap'] as const) {
          const iv = ivs[key];
          if (iv.lower <= h2 && h2 <= iv.upper) covered[key]++;
          width[key] += iv.upper - iv.lower;
        }
      }
      const perTraitMs = (performance.now() - c0) / traits;
      const rate = (c: number): number => c / traits;
      console.log(
        `h2 = ${h2}: coverage profile ${rate(covered.profile).toFixed(3)}, posterior ${rate(covered.posterior).toFixed(3)}, ` +
          `bootstrap ${rate(covered.bootstrap).toFixed(3)}; mean widths ${(width.profile / traits).toFixed(3)}, ` +
          `${(width.posterior / traits).toFixed(3)}, ${(width.bootstrap / traits).toFixed(3)}; ML at 0: ${atZero}, at the top: ${atTop}; ` +
          `table ${table.replicates} x ${table.h2.length} ${tableMs.toFixed(0)} ms; ${perTraitMs.toFixed(1)} ms per trait (profile, posterior on 401 nodes, inversion)`,
      );
      expect(Math.abs(rate(covered.bootstrap) - 0.95)).toBeLessThanOrEqual(0.03 + 1e-12);
      // The profile interval is not calibrated near the boundaries (at h2 = 0.95 most ML estimates sit at
      // delta = 1e-5, where its interval is the narrow degenerate rise of a singular K): reported only.
      // The posterior's credible interval is no confidence interval either; a sanity floor here.
      expect(rate(covered.posterior)).toBeGreaterThan(0.85);
    });
  }
});
