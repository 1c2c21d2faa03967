/**
 * Blocked application of the tridiagonalisation's Householder reflectors from the right:
 *   X := X H_{n-2} ... H_1 H_0      (so Z^T becomes U^T = Z^T Q^T, Q = H_0 ... H_{n-2}),
 * using the compact WY form (LAPACK dlarft, forward / columnwise): for a block of reflectors
 * H_k ... H_{k+b-1} = I - V T V^T, hence X H_{k+b-1} ... H_k = X - (X V) T^T V^T: three GEMMs.
 */
import type { GemmStrided } from './gemm-ts.js';

/** Reflectors per block. */
export const REFLECTOR_BLOCK = 64;

/** Scratch for applyReflectorsRight, sizes in doubles (nb = REFLECTOR_BLOCK). */
export function reflectorScratchSizes(n: number): { vt: number; v: number; y: number; y2: number; tt: number } {
  const nb = REFLECTOR_BLOCK;
  return { vt: nb * n, v: nb * n, y: nb * n, y2: nb * n, tt: 2 * nb * nb };
}

export interface ReflectorScratch {
  vt: Float64Array;
  v: Float64Array;
  y: Float64Array;
  y2: Float64Array;
  /** 2 * nb * nb: T^T, then the Gram matrix V^T V. */
  tt: Float64Array;
}

/**
 * x: rows x n row-major. w: n x n with v_k in row k, columns k+1..n-1 (v_k[k+1] = 1), tau[k]
 * its scalar, for k = 0..n-2.
 */
export function applyReflectorsRight(
  x: Float64Array, rows: number, n: number, w: Float64Array, tau: Float64Array,
  s: ReflectorScratch, gemm: GemmStrided,
): void {
  const nr = n - 1; // number of reflectors
  const nb = REFLECTOR_BLOCK;
  for (let kb = Math.floor((nr - 1) / nb) * nb; kb >= 0; kb -= nb) {
    const ke = Math.min(kb + nb, nr);
    const b = ke - kb;
    const c0 = kb + 1; // first column touched by the block
    const len = n - c0;
    buildBlockVectors(w, n, kb, b, c0, len, s.vt, s.v);
    // Gram matrix G = V^T V (b x b) for the triangular factor, then T^T into tt.
    const g = s.tt.subarray(b * b, 2 * b * b);
    gemm(b, len, b, 1, s.vt, 0, len, s.v, 0, b, 0, g, 0, b);
    buildTriangularFactorT(tau, kb, b, g, s.tt);
    // Y = X[:, c0:] V ; Y2 = Y T^T ; X[:, c0:] -= Y2 V^T
    gemm(rows, len, b, 1, x, c0, n, s.v, 0, b, 0, s.y, 0, b);
    gemm(rows, b, b, 1, s.y, 0, b, s.tt, 0, b, 0, s.y2, 0, b);
    gemm(rows, b, len, -1, s.y2, 0, b, s.vt, 0, len, 1, x, c0, n);
  }
}

/** V^T (b x len) and V (len x b) of the block, zero above the unit entry of each vector. */
function buildBlockVectors(
  w: Float64Array, n: number, kb: number, b: number, c0: number, len: number, vt: Float64Array, v: Float64Array,
): void {
  for (let j = 0; j < b; j++) {
    const k = kb + j;
    const row = j * len;
    vt.fill(0, row, row + (k + 1 - c0));
    vt.set(w.subarray(k * n + k + 1, k * n + n), row + (k + 1 - c0));
  }
  for (let i = 0; i < len; i++) for (let j = 0; j < b; j++) v[i * b + j] = vt[j * len + i];
}

/**
 * Upper-triangular T with H_kb ... H_{kb+b-1} = I - V T V^T (dlarft forward columnwise),
 * stored TRANSPOSED in tt (b x b row-major), i.e. tt = T^T, ready for Y T^T. g = V^T V.
 */
function buildTriangularFactorT(tau: Float64Array, kb: number, b: number, g: Float64Array, tt: Float64Array): void {
  tt.fill(0, 0, b * b);
  for (let i = 0; i < b; i++) {
    const ti = tau[kb + i];
    tt[i * b + i] = ti;
    if (ti === 0) continue;
    // T[0:i, i] = -tau_i T[0:i, 0:i] (V^T v_i), with V^T v_i = G[0:i, i]  (T[j, l] is tt[l*b + j]).
    for (let j = 0; j < i; j++) {
      let acc = 0;
      for (let l = j; l < i; l++) acc += tt[l * b + j] * g[l * b + i];
      tt[i * b + j] = -ti * acc;
    }
  }
}
