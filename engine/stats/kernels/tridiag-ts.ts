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
 * Fusion: the rank-2 update of step k (A22 -= v w^T + w v^T) is applied row by row in the
 * same pass that computes the matrix-vector product of step k+1, so the trailing matrix is
 * streamed through memory once per step instead of twice.
 */

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

/** work must hold 2n doubles (the vector w of the pending update, and y = A22 v). */
export const tridiagonaliseTS: Tridiagonaliser = (w, n, d, e, tau, work) => {
  const wp = work.subarray(0, n); // w of the pending rank-2 update (indexed by absolute column)
  const y = work.subarray(n, 2 * n);
  let pending = false; // whether step k-1 left a rank-2 update to apply
  for (let k = 0; k < n - 1; k++) {
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
};

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
