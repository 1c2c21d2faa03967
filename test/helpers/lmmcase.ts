import type { EigenModel } from '../../engine/stats/lmm/model.js';
import { Rng, randomOrthogonal } from './random.js';

/**
 * A simulated mixed-model data set built directly from an eigendecomposition K = U S U^T
 * (U random orthogonal), so that tests know K, its eigenbasis and the truth exactly.
 */
export interface LmmCase {
  n: number;
  /** Q = U^T, row k = eigenvector k. */
  q: Float64Array;
  s: Float64Array;
  /** Original-space design columns and phenotype. */
  x: Float64Array[];
  y: Float64Array;
  /** The same in the eigenbasis. */
  model: EigenModel;
}

export function rotate(q: Float64Array, v: Float64Array): Float64Array {
  const n = v.length;
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let acc = 0;
    for (let k = 0; k < n; k++) acc += q[i * n + k]! * v[k]!;
    out[i] = acc;
  }
  return out;
}

export function makeCase(opts: { n: number; seed: number; sigmaA2: number; sigmaE2: number; zeroEigen?: number; snpEffect?: number; extraCovariate?: boolean }): LmmCase {
  const { n, seed } = opts;
  const rng = new Rng(seed);
  const q = randomOrthogonal(n, rng);
  const s = new Float64Array(n);
  for (let i = 0; i < n; i++) s[i] = i < (opts.zeroEigen ?? 0) ? 0 : 0.2 + 1.8 * rng.next();
  const ones = new Float64Array(n).fill(1);
  const xa = new Float64Array(n);
  const xd = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const g = rng.genotype(0.35);
    xa[i] = g - 1;
    xd[i] = g === 1 ? 1 : -1;
  }
  const x: Float64Array[] = [ones];
  if (opts.extraCovariate) x.push(Float64Array.from({ length: n }, () => rng.normal()));
  x.push(xa, xd);
  // a = U diag(sqrt(s)) z sigmaA, i.e. a = Q^T (sqrt(s) z) sigmaA.
  const az = new Float64Array(n);
  for (let i = 0; i < n; i++) az[i] = Math.sqrt(s[i]! * opts.sigmaA2) * rng.normal();
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let a = 0;
    for (let k = 0; k < n; k++) a += q[k * n + i]! * az[k]!;
    y[i] = 1.5 + a + Math.sqrt(opts.sigmaE2) * rng.normal() + (opts.snpEffect ?? 0) * xa[i]!;
  }
  const model: EigenModel = { n, s, y: rotate(q, y), x: x.map((c) => rotate(q, c)) };
  return { n, q, s, x, y, model };
}

/** The model restricted to its first p columns (e.g. the null model). */
export function firstColumns(model: EigenModel, p: number): EigenModel {
  return { ...model, x: model.x.slice(0, p) };
}
