/** Shared helpers for the kernel tests: a seeded generator, test matrices and error norms. */
import type { SymEigen } from '../../engine/stats/kernels/eigen.js';

/** Small seeded generator (mulberry32) returning uniforms in [0, 1). */
export function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Standard normal by Box–Muller. */
export function normal(next: () => number): () => number {
  return () => Math.sqrt(-2 * Math.log(1 - next())) * Math.cos(2 * Math.PI * next());
}

export function randomMatrix(rows: number, cols: number, seed: number): Float64Array {
  const g = normal(rng(seed));
  return Float64Array.from({ length: rows * cols }, g);
}

/** Random symmetric n x n with N(0,1) entries. */
export function randomSymmetric(n: number, seed: number): Float64Array {
  const a = randomMatrix(n, n, seed);
  for (let i = 0; i < n; i++) for (let j = 0; j < i; j++) a[i * n + j] = a[j * n + i];
  return a;
}

/**
 * Genomic-relationship-like PSD matrix: X X^T / p for X (n x p) column-centred 0/1/2
 * genotypes, so rank <= min(n - 1, p) and there are zero eigenvalues when p < n.
 */
export function grmLike(n: number, p: number, seed: number): Float64Array {
  const next = rng(seed);
  const x = new Float64Array(n * p);
  for (let j = 0; j < p; j++) {
    const f = 0.05 + 0.45 * next();
    let mean = 0;
    for (let i = 0; i < n; i++) {
      const g = (next() < f ? 1 : 0) + (next() < f ? 1 : 0);
      x[i * p + j] = g;
      mean += g;
    }
    mean /= n;
    for (let i = 0; i < n; i++) x[i * p + j] -= mean;
  }
  const a = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      let s = 0;
      for (let k = 0; k < p; k++) s += x[i * p + k] * x[j * p + k];
      a[i * n + j] = a[j * n + i] = s / p;
    }
  }
  return a;
}

/** Q diag(lambda) Q^T for a random orthogonal Q (from the eigenvectors of a random matrix). */
export function withSpectrum(lambda: number[], q: SymEigen): Float64Array {
  const n = lambda.length;
  const a = new Float64Array(n * n);
  const u = q.vectorsT;
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      let s = 0;
      for (let k = 0; k < n; k++) s += u[k * n + i] * lambda[k] * u[k * n + j];
      a[i * n + j] = a[j * n + i] = s;
    }
  }
  return a;
}

export function maxAbs(a: Float64Array): number {
  let m = 0;
  for (const x of a) m = Math.max(m, Math.abs(x));
  return m;
}

/** max |A u_k - lambda_k u_k| / max(|A|max, tiny) and max |U^T U - I|. */
export function eigenErrors(a: Float64Array, n: number, r: SymEigen): { residual: number; orthogonality: number } {
  const u = r.vectorsT;
  let res = 0;
  for (let k = 0; k < n; k++) {
    for (let i = 0; i < n; i++) {
      let s = 0;
      for (let j = 0; j < n; j++) s += a[i * n + j] * u[k * n + j];
      res = Math.max(res, Math.abs(s - r.values[k] * u[k * n + i]));
    }
  }
  let orth = 0;
  for (let k = 0; k < n; k++) {
    for (let l = 0; l <= k; l++) {
      let s = 0;
      for (let j = 0; j < n; j++) s += u[k * n + j] * u[l * n + j];
      orth = Math.max(orth, Math.abs(s - (k === l ? 1 : 0)));
    }
  }
  return { residual: res / Math.max(maxAbs(a), Number.MIN_VALUE), orthogonality: orth };
}

export function naiveGemm(a: Float64Array, b: Float64Array, rows: number, inner: number, cols: number): Float64Array {
  const c = new Float64Array(rows * cols);
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < cols; j++) {
      let s = 0;
      for (let k = 0; k < inner; k++) s += a[i * inner + k] * b[k * cols + j];
      c[i * cols + j] = s;
    }
  }
  return c;
}
