/**
 * Eigen-decomposition of a symmetric tridiagonal matrix T (diagonal d, off-diagonal e with
 * e[k] = T[k, k+1]), eigenvectors stored as ROWS of a row-major matrix (Z^T).
 *
 *  - tridiagQL: implicit QL with Wilkinson-type shifts (EISPACK tql2 / JAMA), rotations
 *    applied to pairs of contiguous rows.
 *  - tridiagDC: Cuppen's divide and conquer with Gu–Eisenstat eigenvectors (LAPACK dstedc /
 *    dlaed0-dlaed4 algorithm), QL on small leaves; its work is dominated by GEMM, which is
 *    passed in so the WebAssembly kernels can be used.
 */
import type { GemmStrided } from './gemm-ts.js';

const EPS = 2 ** -52;

/**
 * QL on the tridiagonal (d[0..m-1], e[0..m-2]); rotations are applied to rows
 * z[zOff + i*ldz .. + cols-1], i = 0..m-1 (start from the identity to get Z^T of T, or from
 * Q^T to get (QZ)^T). On return d holds the eigenvalues ascending and the rows are sorted
 * accordingly. e is destroyed; it must have length >= m (e[m-1] is set to 0).
 */
export function tridiagQL(
  d: Float64Array, e: Float64Array, m: number, z: Float64Array, zOff: number, ldz: number, cols: number,
): void {
  if (m === 0) return;
  e[m - 1] = 0;
  // Scale T to unit max-norm: the products in the sweep would over/underflow otherwise.
  let scale = 0;
  for (let i = 0; i < m; i++) scale = Math.max(scale, Math.abs(d[i]), Math.abs(e[i]));
  if (scale === 0) return;
  for (let i = 0; i < m; i++) {
    d[i] /= scale;
    e[i] /= scale;
  }
  let f = 0;
  let tst1 = 0;
  let iterations = 0;
  for (let l = 0; l < m; l++) {
    // Find a small subdiagonal element: T splits at m2.
    tst1 = Math.max(tst1, Math.abs(d[l]) + Math.abs(e[l]));
    let m2 = l;
    while (m2 < m - 1 && Math.abs(e[m2]) > EPS * tst1) m2++;
    // Iterate on the unreduced block l..m2 until e[l] is negligible.
    while (m2 > l && Math.abs(e[l]) > EPS * tst1) {
      if (++iterations > 50 * m) throw new Error('tridiagQL: no convergence');
      f += qlShift(d, e, l, m);
      qlSweep(d, e, l, m2, z, zOff, ldz, cols);
      m2 = l;
      while (m2 < m - 1 && Math.abs(e[m2]) > EPS * tst1) m2++;
    }
    d[l] += f;
    e[l] = 0;
  }
  for (let i = 0; i < m; i++) d[i] *= scale;
  sortRows(d, m, z, zOff, ldz, cols);
}

/** Wilkinson-type shift from the leading 2x2 block at l; shifts d[l..] and returns the shift. */
function qlShift(d: Float64Array, e: Float64Array, l: number, m: number): number {
  const g = d[l];
  const p = (d[l + 1] - g) / (2 * e[l]);
  let r = Math.hypot(p, 1);
  if (p < 0) r = -r;
  d[l] = e[l] / (p + r);
  d[l + 1] = e[l] * (p + r);
  const h = g - d[l];
  for (let i = l + 2; i < m; i++) d[i] -= h;
  return h;
}

/** One implicit QL sweep over the block l..m2 (tql2 inner loop), rotating rows of z. */
function qlSweep(
  d: Float64Array, e: Float64Array, l: number, m2: number,
  z: Float64Array, zOff: number, ldz: number, cols: number,
): void {
  const dl1 = d[l + 1];
  let p = d[m2];
  let c = 1, c2 = 1, c3 = 1, s = 0, s2 = 0;
  const el1 = e[l + 1];
  for (let i = m2 - 1; i >= l; i--) {
    c3 = c2;
    c2 = c;
    s2 = s;
    const g = c * e[i];
    const h = c * p;
    const r = Math.hypot(p, e[i]);
    e[i + 1] = s * r;
    s = e[i] / r;
    c = p / r;
    p = c * d[i] - s * g;
    d[i + 1] = h + s * (c * g + s * d[i]);
    rotateRows(z, zOff + i * ldz, zOff + (i + 1) * ldz, cols, c, s);
  }
  p = (-s * s2 * c3 * el1 * e[l]) / dl1;
  e[l] = s * p;
  d[l] = c * p;
}

/** (x, y) := (c x - s y, s x + c y) on rows x (offset xo) and y (offset yo). */
function rotateRows(z: Float64Array, xo: number, yo: number, cols: number, c: number, s: number): void {
  for (let k = 0; k < cols; k++) {
    const h = z[yo + k];
    const x = z[xo + k];
    z[yo + k] = s * x + c * h;
    z[xo + k] = c * x - s * h;
  }
}

/** Selection sort of d ascending, swapping rows of z along. */
function sortRows(d: Float64Array, m: number, z: Float64Array, zOff: number, ldz: number, cols: number): void {
  for (let i = 0; i < m - 1; i++) {
    let k = i;
    for (let j = i + 1; j < m; j++) if (d[j] < d[k]) k = j;
    if (k === i) continue;
    const t = d[k];
    d[k] = d[i];
    d[i] = t;
    const ri = zOff + i * ldz, rk = zOff + k * ldz;
    for (let j = 0; j < cols; j++) {
      const u = z[ri + j];
      z[ri + j] = z[rk + j];
      z[rk + j] = u;
    }
  }
}

// ---------------------------------------------------------------------------------------
// Divide and conquer
// ---------------------------------------------------------------------------------------

/**
 * Solver of the secular equation (see secularVectors); D, Z, lambda, delta, st, col and zh
 * are views on DcWorkspace.sec / zg / st, so a wasm implementation can take their addresses.
 */
export type SecularSolver = (
  D: Float64Array, Z: Float64Array, rho: number, K: number, lambda: Float64Array,
  delta: Float64Array, st: Float64Array, col: Int32Array, zh: Float64Array,
) => void;

/** Scratch for tridiagDC: zg and st at least n*n doubles each, sec at least 5n. */
export interface DcWorkspace {
  zg: Float64Array;
  st: Float64Array;
  sec: Float64Array;
  /** Defaults to the TypeScript secularVectors. */
  secular?: SecularSolver;
}

export interface DcOptions {
  /** Subproblems of at most this size are solved by QL (LAPACK's SMLSIZ is 25). */
  leaf?: number;
}

/**
 * Divide and conquer on the tridiagonal (d, e) of size n. zt (n x n, row-major) receives the
 * eigenvectors as rows and d the eigenvalues, both in no particular order; the returned
 * permutation lists them ascending: the k-th smallest eigenvalue is d[order[k]], its vector
 * row order[k] of zt (sorting is left to the caller, which copies the result out anyway).
 * e is destroyed.
 */
export function tridiagDC(
  d: Float64Array, e: Float64Array, n: number, zt: Float64Array, ws: DcWorkspace, gemm: GemmStrided,
  options: DcOptions = {},
): Int32Array {
  const order = Int32Array.from({ length: n }, (_, i) => i);
  if (n === 0) return order;
  zt.fill(0, 0, n * n);
  // Scale T to unit max-norm so the deflation tolerances are absolute.
  let scale = 0;
  for (let i = 0; i < n; i++) scale = Math.max(scale, Math.abs(d[i]), i < n - 1 ? Math.abs(e[i]) : 0);
  if (scale === 0) {
    for (let i = 0; i < n; i++) zt[i * n + i] = 1;
    return order;
  }
  for (let i = 0; i < n; i++) {
    d[i] /= scale;
    e[i] /= scale;
  }
  const ctx: DcContext = { d, e, n, zt, ws, gemm, leaf: Math.max(2, options.leaf ?? 25) };
  dcSolve(ctx, 0, n);
  for (let i = 0; i < n; i++) d[i] *= scale;
  return order.sort((x, y) => d[x] - d[y]);
}

interface DcContext {
  d: Float64Array;
  e: Float64Array;
  n: number;
  zt: Float64Array;
  ws: DcWorkspace;
  gemm: GemmStrided;
  leaf: number;
}

/**
 * Solve the subproblem [lo, hi): on return d[lo..hi) are its eigenvalues (not sorted) and
 * rows lo..hi-1, columns lo..hi-1 of zt its eigenvectors (the rest of those rows is zero).
 */
function dcSolve(ctx: DcContext, lo: number, hi: number): void {
  const { d, e, n, zt } = ctx;
  const m = hi - lo;
  if (m <= ctx.leaf) {
    for (let i = lo; i < hi; i++) zt[i * n + i] = 1;
    const dl = d.subarray(lo, hi);
    const el = new Float64Array(m);
    el.set(e.subarray(lo, hi - 1));
    tridiagQL(dl, el, m, zt, lo * n + lo, n, m);
    return;
  }
  // Divide: T = diag(T1 - |b| e_last e_last^T, T2 - |b| e_1 e_1^T) + |b| u u^T.
  const mid = lo + (m >> 1);
  const b = e[mid - 1];
  d[mid - 1] -= Math.abs(b);
  d[mid] -= Math.abs(b);
  dcSolve(ctx, lo, mid);
  dcSolve(ctx, mid, hi);
  dcMerge(ctx, lo, mid, hi, b);
}

/** Support of an eigenvector row within the merged block: top half, bottom half or both. */
const TOP = 1, BOTTOM = 2;

/** Conquer: eigen-decomposition of diag(D1, D2) + rho z z^T and update of the vectors. */
function dcMerge(ctx: DcContext, lo: number, mid: number, hi: number, b: number): void {
  const { d, n, zt, ws } = ctx;
  const m = hi - lo, m1 = mid - lo;
  const { zg, st } = ws;

  // z = (last components of the top vectors, sign(b) * first components of the bottom ones).
  const sgn = b >= 0 ? 1 : -1;
  const z = new Float64Array(m);
  const dd = new Float64Array(m);
  const support = new Uint8Array(m);
  for (let i = 0; i < m; i++) {
    const row = (lo + i) * n;
    z[i] = i < m1 ? zt[row + mid - 1] : sgn * zt[row + mid];
    dd[i] = d[lo + i];
    support[i] = i < m1 ? TOP : BOTTOM;
  }
  let zz = 0;
  for (let i = 0; i < m; i++) zz += z[i] * z[i];
  const nz = Math.sqrt(zz);
  for (let i = 0; i < m; i++) z[i] /= nz;
  const rho = Math.abs(b) * zz;

  // Deflation rotates rows of the block in place (row i of the block at zt[out + i*n]).
  const out = lo * n + lo;
  const { kept, deflated } = deflate(dd, z, rho, support, zt, out, n, m);
  const K = kept.length;

  // Column order of the secular vectors: top-only, both, bottom-only (so each half is one GEMM).
  const order = [...kept.filter((i) => support[i] === TOP), ...kept.filter((i) => support[i] === (TOP | BOTTOM)),
    ...kept.filter((i) => support[i] === BOTTOM)];
  const nTop = order.filter((i) => support[i] !== BOTTOM).length;
  const nTopOnly = order.filter((i) => support[i] === TOP).length;
  const colOf = new Int32Array(m);
  order.forEach((i, c) => (colOf[i] = c));

  // Secular equation: roots and the vectors of the rank-one problem as rows of st (K x K).
  const sec = ws.sec;
  const D = sec.subarray(0, K), Z = sec.subarray(n, n + K), lambda = sec.subarray(2 * n, 2 * n + K);
  const zh = sec.subarray(3 * n, 3 * n + K);
  const col = new Int32Array(sec.buffer, sec.byteOffset + 32 * n, K);
  kept.forEach((i, j) => {
    D[j] = dd[i];
    Z[j] = z[i];
    col[j] = colOf[i];
  });
  if (K === 1) {
    lambda[0] = D[0] + rho * Z[0] * Z[0];
    st[0] = 1;
  } else if (K > 1) {
    (ws.secular ?? secularVectors)(D, Z, rho, K, lambda, zg, st, col, zh);
  }

  // Gather the block's rows into zg: kept ones in column order, then the deflated ones (the
  // block is then overwritten). New vectors = st * kept rows, one GEMM per half.
  const blockRow = (i: number) => zt.subarray(out + i * n, out + i * n + m);
  order.forEach((i, c) => zg.set(blockRow(i), c * m));
  deflated.forEach((i, j) => zg.set(blockRow(i), (K + j) * m));
  if (K > 0) {
    ctx.gemm(K, nTop, m1, 1, st, 0, K, zg, 0, m, 0, zt, out, n);
    ctx.gemm(K, K - nTopOnly, m - m1, 1, st, nTopOnly, K, zg, nTopOnly * m + m1, m, 0, zt, out + m1, n);
  }
  for (let r = 0; r < K; r++) d[lo + r] = lambda[r];
  // Deflated pairs keep their (possibly rotated) vectors.
  deflated.forEach((i, j) => {
    d[lo + K + j] = dd[i];
    zt.set(zg.subarray((K + j) * m, (K + j) * m + m), out + (K + j) * n);
  });
}

/**
 * Deflation (LAPACK dlaed2): drop components with negligible rho*|z_i|, and for nearly equal
 * d_i rotate the pair so one z component vanishes. Rotations act on the block's rows
 * (row i at zt[off + i*ld], length m).
 * Returns the kept indices sorted by dd ascending, and the deflated ones.
 */
function deflate(
  dd: Float64Array, z: Float64Array, rho: number, support: Uint8Array, zt: Float64Array, off: number, ld: number,
  m: number,
): { kept: number[]; deflated: number[] } {
  const sorted = Array.from({ length: m }, (_, i) => i).sort((x, y) => dd[x] - dd[y]);
  let dmax = 0;
  for (let i = 0; i < m; i++) dmax = Math.max(dmax, Math.abs(dd[i]));
  const tol = 8 * EPS * Math.max(dmax, rho);
  const kept: number[] = [];
  const deflated: number[] = [];
  let prev = -1;
  for (const i of sorted) {
    if (rho * Math.abs(z[i]) <= tol) {
      deflated.push(i);
      continue;
    }
    if (prev < 0) {
      prev = i;
      continue;
    }
    // Givens rotation zeroing z[prev]; deflate if the off-diagonal it creates is negligible.
    const tau = Math.hypot(z[i], z[prev]);
    const c = z[i] / tau;
    const s = -z[prev] / tau;
    const t = dd[i] - dd[prev];
    if (Math.abs(t * c * s) <= tol) {
      z[i] = tau;
      z[prev] = 0;
      support[i] |= support[prev];
      rotatePair(zt, off + prev * ld, off + i * ld, m, c, s);
      const dp = dd[prev] * c * c + dd[i] * s * s;
      dd[i] = dd[prev] * s * s + dd[i] * c * c;
      dd[prev] = dp;
      deflated.push(prev);
    } else {
      kept.push(prev);
    }
    prev = i;
  }
  if (prev >= 0) kept.push(prev);
  return { kept, deflated };
}

/** (x, y) := (c x + s y, c y - s x) (BLAS drot). */
function rotatePair(z: Float64Array, xo: number, yo: number, len: number, c: number, s: number): void {
  for (let k = 0; k < len; k++) {
    const x = z[xo + k], y = z[yo + k];
    z[xo + k] = c * x + s * y;
    z[yo + k] = c * y - s * x;
  }
}

/**
 * Roots of 1 + rho * sum z_i^2 / (D_i - lambda) (D strictly increasing, rho > 0, K >= 2) and
 * the normalised eigenvectors of diag(D) + rho z z^T, written as rows of st (K x K) with the
 * component of D_i in column col[i]. delta (>= K*K) is scratch: delta[r*K+i] = D_i - lambda_r;
 * zh (K) too.
 */
export const secularVectors: SecularSolver = (D, Z, rho, K, lambda, delta, st, col, zh) => {
  for (let r = 0; r < K; r++) lambda[r] = secularRoot(D, Z, rho, K, r, delta, r * K);
  // Gu–Eisenstat: recompute z from the computed roots (Löwner), making the vectors orthogonal.
  zh.fill(1, 0, K);
  for (let r = 0; r < K; r++) {
    const row = r * K;
    for (let i = 0; i < K; i++) zh[i] *= i === r ? -delta[row + i] : -delta[row + i] / (D[r] - D[i]);
  }
  for (let i = 0; i < K; i++) zh[i] = Math.sign(Z[i]) * Math.sqrt(Math.max(zh[i], 0) / rho);
  // Eigenvector r: (D - lambda_r)^{-1} zh, normalised.
  for (let r = 0; r < K; r++) {
    const row = r * K;
    let ss = 0;
    for (let i = 0; i < K; i++) {
      const v = zh[i] / delta[row + i];
      delta[row + i] = v;
      ss += v * v;
    }
    const inv = 1 / Math.sqrt(ss);
    for (let i = 0; i < K; i++) st[row + col[i]] = delta[row + i] * inv;
  }
};

/**
 * Root r of the secular equation (in (D_r, D_{r+1}), or above D_{K-1} for the last one),
 * computed as tau relative to the nearer pole (so D_i - lambda is accurate), by a safeguarded
 * Bunch–Nielsen–Sorensen iteration: the parts of the sum left and right of the root are
 * each modelled by one pole plus a constant, and the model's root is taken when it falls
 * inside the current bracket, otherwise the bracket is bisected.
 * Writes D_i - lambda_r to delta[off + i] and returns lambda_r.
 */
function secularRoot(
  D: Float64Array, Z: Float64Array, rho: number, K: number, r: number, delta: Float64Array, off: number,
): number {
  const last = r === K - 1;
  let org: number, lo: number, hi: number;
  if (last) {
    org = r;
    let zz = 0;
    for (let i = 0; i < K; i++) zz += Z[i] * Z[i];
    lo = 0;
    hi = rho * zz * (1 + 4 * EPS) + EPS * Math.abs(D[r]);
  } else {
    const half = (D[r + 1] - D[r]) / 2;
    let f = 1;
    for (let i = 0; i < K; i++) f += (rho * Z[i] * Z[i]) / (D[i] - D[r] - half);
    if (f >= 0) {
      org = r;
      lo = 0;
      hi = half;
    } else {
      org = r + 1;
      lo = D[r] - D[r + 1] + half;
      hi = 0;
    }
  }
  const dOrg = D[org];
  // delta holds P_i = D_i - D_org until the end.
  for (let i = 0; i < K; i++) delta[off + i] = D[i] - dOrg;
  const pr = delta[off + r];
  const pr1 = last ? 0 : delta[off + r + 1];
  let tau = (lo + hi) / 2;
  for (let iter = 0; iter < 200; iter++) {
    // Evaluate f = 1 + psi + phi and the derivatives at tau.
    let psi = 0, dpsi = 0, phi = 0, dphi = 0;
    for (let i = 0; i <= r; i++) {
      const t = (rho * Z[i]) / (delta[off + i] - tau);
      const u = t * Z[i];
      psi += u;
      dpsi += t * t / rho;
    }
    for (let i = r + 1; i < K; i++) {
      const t = (rho * Z[i]) / (delta[off + i] - tau);
      const u = t * Z[i];
      phi += u;
      dphi += t * t / rho;
    }
    const f = 1 + psi + phi;
    if (Math.abs(f) <= EPS * (8 * (phi - psi) + 4)) break;
    if (f < 0) lo = tau;
    else hi = tau;
    if (hi - lo <= 2 * EPS * Math.max(Math.abs(lo), Math.abs(hi))) break;
    // Model root.
    const dr = pr - tau;
    const b1 = dpsi * dr * dr;
    let next = NaN;
    if (last) {
      const c = 1 + psi - b1 / dr;
      if (c > 0) next = tau + dr + b1 / c;
    } else {
      const dr1 = pr1 - tau;
      const b2 = dphi * dr1 * dr1;
      const c = 1 + (psi - b1 / dr) + (phi - b2 / dr1);
      const B = c * (dr + dr1) + b1 + b2;
      const C0 = dr * dr1 * f;
      const disc = B * B - 4 * c * C0;
      if (disc >= 0) {
        const q = 0.5 * (B + (B >= 0 ? 1 : -1) * Math.sqrt(disc));
        const e1 = q !== 0 ? C0 / q : NaN;
        const e2 = c !== 0 ? q / c : NaN;
        if (tau + e1 > lo && tau + e1 < hi) next = tau + e1;
        else if (tau + e2 > lo && tau + e2 < hi) next = tau + e2;
      }
    }
    tau = next > lo && next < hi ? next : (lo + hi) / 2;
  }
  for (let i = 0; i < K; i++) delta[off + i] -= tau;
  return dOrg + tau;
}
