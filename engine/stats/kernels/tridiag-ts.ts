/**
 * Householder reduction of a symmetric matrix to tridiagonal form (LAPACK dsytd2 algorithm,
 * unblocked), laid out for row-major storage.
 *
 * Storage: the work matrix w (n x n, row-major) is used through its UPPER triangle only —
 * row i holds A[i, i..n-1] — so every inner loop runs along a contiguous row.
 *
 * Step k builds the reflector H_k = I - tau_k v_k v_k^T that zeroes A[k, k+2..n-1]
 * (v_k has v[k+1] = 1 and support k+1..n-1). On return row k of w holds v_k in
 * columns k+1..n-1 (with the explicit 1), d the diagonal, e[k] = T[k, k+1], tau the scalars:
 *   A = Q T Q^T,  Q = H_0 H_1 ... H_{n-2}.
 *
 * Two variants: tridiagonaliseUnblockedTS (below) and the blocked tridiagonaliseTS (end of file).
 *
 * Fusion (unblocked): the rank-2 update of step k (A22 -= v w^T + w v^T) is applied row by row in the
 * same pass that computes the matrix-vector product of step k+1, so the trailing matrix is
 * streamed through memory once per step instead of twice.
 */

import { gemmStridedTS } from './gemm-ts.js';

export type Tridiagonaliser = (
  w: Float64Array, n: number, d: Float64Array, e: Float64Array, tau: Float64Array, work: Float64Array,
) => void;

/**
 * Householder vector for x = w[off .. off+len-1] (LAPACK dlarfg): overwrites x with v (v[0] = 1)
 * and returns [beta, tau] with H x = beta e_1.
 */
export function householder(w: Float64Array, off: number, len: number): [number, number] {
  const alpha = w[off];
  let ss = 0;
  let scale = 0;
  for (let j = off + 1; j < off + len; j++) scale = Math.max(scale, Math.abs(w[j]));
  if (scale === 0) {
    w[off] = 1;
    return [alpha, 0];
  }
  // Scaled sum of squares avoids overflow/underflow.
  for (let j = off + 1; j < off + len; j++) {
    const t = w[j] / scale;
    ss += t * t;
  }
  const xnorm = scale * Math.sqrt(ss);
  const beta = -Math.sign(alpha || 1) * Math.hypot(alpha, xnorm);
  const tau = (beta - alpha) / beta;
  const inv = 1 / (alpha - beta);
  for (let j = off + 1; j < off + len; j++) w[j] *= inv;
  w[off] = 1;
  return [beta, tau];
}

/**
 * Unblocked reduction of rows k0..n-1 (which must be up to date). work must hold 2n doubles
 * (the vector w of the pending update, and y = A22 v).
 */
export function tridiagonaliseUnblockedTS(
  w: Float64Array, n: number, d: Float64Array, e: Float64Array, tau: Float64Array, work: Float64Array, k0 = 0,
): void {
  const wp = work.subarray(0, n); // w of the pending rank-2 update (indexed by absolute column)
  const y = work.subarray(n, 2 * n);
  let pending = false; // whether step k-1 left a rank-2 update to apply
  for (let k = k0; k < n - 1; k++) {
    const vp = (k - 1) * n; // row of w holding v_{k-1}
    // 1. Bring row k up to date, then build the reflector from it.
    if (pending) rank2Row(w, k * n, k, n, vp, wp);
    d[k] = w[k * n + k];
    const [beta, t] = householder(w, k * n + k + 1, n - k - 1);
    e[k] = beta;
    tau[k] = t;
    // 2. One pass over rows k+1..n-1: finish the pending update and form y = A22 v_k.
    const vk = k * n;
    y.fill(0, k + 1, n);
    for (let i = k + 1; i < n; i++) {
      const row = i * n;
      if (pending) rank2Row(w, row, i, n, vp, wp);
      if (t !== 0) symvRow(w, row, i, n, vk, y);
    }
    // 3. w_k = tau y - (tau^2/2)(y.v) v, the pending update for the next step.
    pending = t !== 0;
    if (pending) {
      let yv = 0;
      for (let j = k + 1; j < n; j++) yv += y[j] * w[vk + j];
      const half = 0.5 * t * t * yv;
      for (let j = k + 1; j < n; j++) wp[j] = t * y[j] - half * w[vk + j];
    }
  }
  // The last step (k = n-2) has a length-1 reflector (tau = 0), so no update is pending here.
  d[n - 1] = w[(n - 1) * n + n - 1];
  tau[n - 1] = 0;
}

/** Row i (columns i..n-1) of A22 -= v w^T + w v^T, with v stored in row vp of w. */
function rank2Row(w: Float64Array, row: number, i: number, n: number, vp: number, wp: Float64Array): void {
  const vi = w[vp + i];
  const wi = wp[i];
  for (let j = i; j < n; j++) w[row + j] -= vi * wp[j] + wi * w[vp + j];
}

/** Contribution of row i of the symmetric A22 (upper storage) to y = A22 v (v in row vk of w). */
function symvRow(w: Float64Array, row: number, i: number, n: number, vk: number, y: Float64Array): void {
  const vi = w[vk + i];
  let dot = w[row + i] * vi;
  for (let j = i + 1; j < n; j++) {
    const aij = w[row + j];
    dot += aij * w[vk + j];
    y[j] += aij * vi;
  }
  y[i] += dot;
}

// ---------------------------------------------------------------------------------------
// Blocked reduction (LAPACK dsytrd + dlatrd, uplo = 'L' read as rows); kernels.c has the
// same algorithm in WebAssembly SIMD.
// ---------------------------------------------------------------------------------------

/** Panel width, rows left to the unblocked code, row block of the trailing update. */
const NB = 32, NX = 128, RB = 64;

/** Doubles of scratch tridiagonaliseTS needs. */
export function tridiagWorkSizeTS(n: number): number {
  return 2 * n + 5 * NB * n + 2 * NB;
}

/**
 * Blocked reduction: panels of NB reflectors are built with level-2 operations against the
 * trailing matrix as of the panel start (plus corrections from the panel), then the trailing
 * matrix gets one rank-2NB update A22 -= V W^T + W V^T by GEMM. work: tridiagWorkSizeTS(n).
 */
export const tridiagonaliseTS: Tridiagonaliser = (w, n, d, e, tau, work) => {
  const wt = work.subarray(2 * n, 2 * n + NB * n); // row j: w_j of the panel (indexed by column)
  const a2 = work.subarray(2 * n + NB * n, 2 * n + 3 * NB * n);
  const b2 = work.subarray(2 * n + 3 * NB * n, 2 * n + 5 * NB * n);
  const t = work.subarray(2 * n + 5 * NB * n, 2 * n + 5 * NB * n + 2 * NB);
  let p = 0;
  for (; n - p > NX + NB; p += NB) {
    reducePanel(w, n, p, d, e, tau, wt, t);
    updateTrailing(w, n, p, wt, a2, b2);
  }
  tridiagonaliseUnblockedTS(w, n, d, e, tau, work, p);
};

/** Panel of reflectors p..p+NB-1: v_j lives in row p+j of w (columns p+j+1..), w_j in row j of wt. */
function reducePanel(
  w: Float64Array, n: number, p: number, d: Float64Array, e: Float64Array, tau: Float64Array,
  wt: Float64Array, t: Float64Array,
): void {
  for (let i = 0; i < NB; i++) {
    const r = p + i;
    const row = r * n;
    // 1. Bring row r (columns r..n-1) up to date with the panel's earlier reflectors.
    for (let j = 0; j < i; j++) {
      const vj = (p + j) * n, wj = j * n;
      const a = wt[wj + r], b = w[vj + r];
      for (let c = r; c < n; c++) w[row + c] -= a * w[vj + c] + b * wt[wj + c];
    }
    // 2. Reflector from the row.
    d[r] = w[row + r];
    const [beta, tr] = householder(w, row + r + 1, n - r - 1);
    e[r] = beta;
    tau[r] = tr;
    // 3. w_i = tau (A22 - V W^T - W V^T) v - (tau/2)(w.v) v, with A22 as of the panel start.
    const s = r + 1;
    const wi = i * n;
    symvTrailing(w, n, s, row, wt, wi);
    for (let j = 0; j < i; j++) {
      t[j] = dotRange(wt, j * n, w, row, s, n); // (W^T v)_j
      t[NB + j] = dotRange(w, (p + j) * n, w, row, s, n); // (V^T v)_j
    }
    for (let j = 0; j < i; j++) {
      const vj = (p + j) * n, wj = j * n, a = t[j], b = t[NB + j];
      for (let c = s; c < n; c++) wt[wi + c] -= a * w[vj + c] + b * wt[wj + c];
    }
    for (let c = s; c < n; c++) wt[wi + c] *= tr;
    const alpha = -0.5 * tr * dotRange(wt, wi, w, row, s, n);
    for (let c = s; c < n; c++) wt[wi + c] += alpha * w[row + c];
  }
}

/** sum over c in [from, to) of x[xo + c] * y[yo + c]. */
function dotRange(x: Float64Array, xo: number, y: Float64Array, yo: number, from: number, to: number): number {
  let s = 0;
  for (let c = from; c < to; c++) s += x[xo + c] * y[yo + c];
  return s;
}

/**
 * y[yo + s..n) = A[s.., s..] v for the trailing matrix (upper storage); v = w[vo + s..].
 * Each row gives a dot product (to y_i) and an axpy (to y_j, j > i); two rows per pass.
 */
function symvTrailing(w: Float64Array, n: number, s: number, vo: number, y: Float64Array, yo: number): void {
  y.fill(0, yo + s, yo + n);
  let i = s;
  for (; i + 2 <= n; i += 2) {
    const r0 = i * n, r1 = r0 + n;
    const v0 = w[vo + i], v1 = w[vo + i + 1];
    let d0 = w[r0 + i] * v0 + w[r0 + i + 1] * v1;
    let d1 = w[r0 + i + 1] * v0 + w[r1 + i + 1] * v1;
    for (let j = i + 2; j < n; j++) {
      const a0 = w[r0 + j], a1 = w[r1 + j], vj = w[vo + j];
      d0 += a0 * vj;
      d1 += a1 * vj;
      y[yo + j] += a0 * v0 + a1 * v1;
    }
    y[yo + i] += d0;
    y[yo + i + 1] += d1;
  }
  if (i < n) y[yo + i] += w[i * n + i] * w[vo + i];
}

/** A22 (rows/columns p+NB..) -= [V W] [W^T; V^T], upper part, by row blocks of RB. */
function updateTrailing(w: Float64Array, n: number, p: number, wt: Float64Array, a2: Float64Array, b2: Float64Array): void {
  const s = p + NB, len = n - s, kk = 2 * NB;
  for (let r = 0; r < len; r++) {
    for (let j = 0; j < NB; j++) {
      a2[r * kk + j] = w[(p + j) * n + s + r];
      a2[r * kk + NB + j] = wt[j * n + s + r];
    }
  }
  for (let j = 0; j < NB; j++) {
    b2.set(wt.subarray(j * n + s, j * n + n), j * len);
    b2.set(w.subarray((p + j) * n + s, (p + j) * n + n), (NB + j) * len);
  }
  for (let r0 = 0; r0 < len; r0 += RB) {
    const rows = Math.min(RB, len - r0);
    gemmStridedTS(rows, kk, len - r0, -1, a2, r0 * kk, kk, b2, r0, len, 1, w, (s + r0) * n + s + r0, n);
  }
}
