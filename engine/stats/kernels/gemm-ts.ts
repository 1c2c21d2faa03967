/**
 * Plain-TypeScript matrix-matrix product, cache-blocked and register-blocked.
 *
 * All matrices are row-major Float64Array views described by (array, offset, leading
 * dimension), so callers can pass sub-blocks of larger matrices without copying.
 */

/**
 * Strided GEMM: C := alpha * A * B + beta * C, where A is m x k (leading dimension lda),
 * B is k x n (ldb) and C is m x n (ldc); beta = 0 means C is overwritten (never read).
 * A and B must not overlap C.
 */
export type GemmStrided = (
  m: number,
  k: number,
  n: number,
  alpha: number,
  a: Float64Array,
  aOff: number,
  lda: number,
  b: Float64Array,
  bOff: number,
  ldb: number,
  beta: number,
  c: Float64Array,
  cOff: number,
  ldc: number,
) => void;

/** Columns of B per cache block (the k x NC block of B stays in L2). */
const NC = 256;
/** Inner-dimension depth per cache block. */
const KC = 128;

/** C := beta * C for an m x n block (beta = 0 writes exact zeros). */
export function scaleBlock(c: Float64Array, cOff: number, ldc: number, m: number, n: number, beta: number): void {
  if (beta === 1) return;
  for (let i = 0; i < m; i++) {
    const row = cOff + i * ldc;
    if (beta === 0) c.fill(0, row, row + n);
    else for (let j = row; j < row + n; j++) c[j] *= beta;
  }
}

export const gemmStridedTS: GemmStrided = (m, k, n, alpha, a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc) => {
  scaleBlock(c, cOff, ldc, m, n, beta);
  if (alpha === 0 || k === 0) return;
  for (let j0 = 0; j0 < n; j0 += NC) {
    const j1 = Math.min(n, j0 + NC);
    for (let p0 = 0; p0 < k; p0 += KC) {
      const p1 = Math.min(k, p0 + KC);
      let i = 0;
      for (; i + 4 <= m; i += 4) rows4(i, p0, p1, j0, j1, alpha, a, aOff, lda, b, bOff, ldb, c, cOff, ldc);
      for (; i < m; i++) rows1(i, p0, p1, j0, j1, alpha, a, aOff, lda, b, bOff, ldb, c, cOff, ldc);
    }
  }
};

/** Register block: four rows of C, two rows of B per pass (each C element loaded once per 2 k). */
function rows4(
  i: number, p0: number, p1: number, j0: number, j1: number, alpha: number,
  a: Float64Array, aOff: number, lda: number, b: Float64Array, bOff: number, ldb: number,
  c: Float64Array, cOff: number, ldc: number,
): void {
  const a0 = aOff + i * lda, a1 = a0 + lda, a2 = a1 + lda, a3 = a2 + lda;
  const c0 = cOff + i * ldc, c1 = c0 + ldc, c2 = c1 + ldc, c3 = c2 + ldc;
  let p = p0;
  for (; p + 2 <= p1; p += 2) {
    const x00 = alpha * a[a0 + p], x01 = alpha * a[a0 + p + 1];
    const x10 = alpha * a[a1 + p], x11 = alpha * a[a1 + p + 1];
    const x20 = alpha * a[a2 + p], x21 = alpha * a[a2 + p + 1];
    const x30 = alpha * a[a3 + p], x31 = alpha * a[a3 + p + 1];
    const b0 = bOff + p * ldb, b1 = b0 + ldb;
    for (let j = j0; j < j1; j++) {
      const u = b[b0 + j], v = b[b1 + j];
      c[c0 + j] += x00 * u + x01 * v;
      c[c1 + j] += x10 * u + x11 * v;
      c[c2 + j] += x20 * u + x21 * v;
      c[c3 + j] += x30 * u + x31 * v;
    }
  }
  if (p < p1) {
    const x0 = alpha * a[a0 + p], x1 = alpha * a[a1 + p], x2 = alpha * a[a2 + p], x3 = alpha * a[a3 + p];
    const b0 = bOff + p * ldb;
    for (let j = j0; j < j1; j++) {
      const u = b[b0 + j];
      c[c0 + j] += x0 * u;
      c[c1 + j] += x1 * u;
      c[c2 + j] += x2 * u;
      c[c3 + j] += x3 * u;
    }
  }
}

/** Remainder rows: one row of C at a time. */
function rows1(
  i: number, p0: number, p1: number, j0: number, j1: number, alpha: number,
  a: Float64Array, aOff: number, lda: number, b: Float64Array, bOff: number, ldb: number,
  c: Float64Array, cOff: number, ldc: number,
): void {
  const a0 = aOff + i * lda;
  const c0 = cOff + i * ldc;
  for (let p = p0; p < p1; p++) {
    const x = alpha * a[a0 + p];
    const b0 = bOff + p * ldb;
    for (let j = j0; j < j1; j++) c[c0 + j] += x * b[b0 + j];
  }
}

/** C (rows x cols) = A (rows x inner) * B (inner x cols), all packed row-major; C overwritten. */
export function gemmTS(
  a: Float64Array, b: Float64Array, c: Float64Array, rows: number, inner: number, cols: number,
): void {
  checkGemmArgs(a, b, c, rows, inner, cols);
  gemmStridedTS(rows, inner, cols, 1, a, 0, inner, b, 0, cols, 0, c, 0, cols);
}

export function checkGemmArgs(
  a: Float64Array, b: Float64Array, c: Float64Array, rows: number, inner: number, cols: number,
): void {
  if (a.length < rows * inner || b.length < inner * cols || c.length < rows * cols) {
    throw new RangeError(`gemm: arrays too short for ${rows}x${inner} * ${inner}x${cols}`);
  }
}
