/**
 * Small dense symmetric algebra for the p x p systems of one model fit (p = fixed effects, a handful).
 * Row-major Float64Array, explicit dimension. Large n x n work lives in ./kernels.
 */

/**
 * In-place Cholesky factorisation M = L L^T of a symmetric positive definite p x p matrix.
 * Only the lower triangle is read and L is written there. Returns false if a pivot is not
 * positive relative to the diagonal (the matrix is singular to working precision).
 */
export function choleskyInPlace(m: Float64Array, p: number, relTol = 1e-12): boolean {
  for (let j = 0; j < p; j++) {
    let d = m[j * p + j]!;
    const scale = Math.abs(d);
    for (let k = 0; k < j; k++) d -= m[j * p + k]! * m[j * p + k]!;
    if (!(d > relTol * scale) || !(d > 0)) return false;
    const ljj = Math.sqrt(d);
    m[j * p + j] = ljj;
    for (let i = j + 1; i < p; i++) {
      let v = m[i * p + j]!;
      for (let k = 0; k < j; k++) v -= m[i * p + k]! * m[j * p + k]!;
      m[i * p + j] = v / ljj;
    }
  }
  return true;
}

/** Solve (L L^T) x = b in place in b, with L from choleskyInPlace. */
export function choleskySolveInPlace(l: Float64Array, p: number, b: Float64Array): void {
  for (let i = 0; i < p; i++) {
    let v = b[i]!;
    for (let k = 0; k < i; k++) v -= l[i * p + k]! * b[k]!;
    b[i] = v / l[i * p + i]!;
  }
  for (let i = p - 1; i >= 0; i--) {
    let v = b[i]!;
    for (let k = i + 1; k < p; k++) v -= l[k * p + i]! * b[k]!;
    b[i] = v / l[i * p + i]!;
  }
}

/** Diagonal of (L L^T)^-1, i.e. of M^-1, into out (length p). */
export function choleskyInverseDiagonal(l: Float64Array, p: number, out: Float64Array): void {
  const e = new Float64Array(p);
  for (let j = 0; j < p; j++) {
    e.fill(0);
    e[j] = 1;
    choleskySolveInPlace(l, p, e);
    out[j] = e[j]!;
  }
}

/**
 * Choose a maximal linearly independent subset of columns, in order, from their Gram matrix
 * G = X^T X (p x p): a column is kept when its squared distance to the span of the columns kept
 * before it exceeds relTol times its squared length. Returns the kept column indices.
 * This is how rank-deficient designs (a dominance column collinear with the intercept and Xa,
 * a covariate repeated, a SNP equal to a covariate) are detected, once per SNP.
 */
export function independentColumns(gram: Float64Array, p: number, relTol = 1e-9): number[] {
  const kept: number[] = [];
  // Incremental Cholesky of the kept block.
  const l = new Float64Array(p * p);
  for (let j = 0; j < p; j++) {
    const r = kept.length;
    const row = new Float64Array(r);
    for (let a = 0; a < r; a++) {
      let v = gram[j * p + kept[a]!]!;
      for (let k = 0; k < a; k++) v -= l[a * p + k]! * row[k]!;
      row[a] = v / l[a * p + a]!;
    }
    let d = gram[j * p + j]!;
    for (let k = 0; k < r; k++) d -= row[k]! * row[k]!;
    if (d > relTol * Math.abs(gram[j * p + j]!) && d > 0) {
      for (let k = 0; k < r; k++) l[r * p + k] = row[k]!;
      l[r * p + r] = Math.sqrt(d);
      kept.push(j);
    }
  }
  return kept;
}

/** Least-squares coefficients of y on the columns w (normal equations; w is small and independent). */
export function leastSquares(w: Float64Array[], y: Float64Array): Float64Array {
  const p = w.length;
  const m = new Float64Array(p * p);
  const b = new Float64Array(p);
  for (let a = 0; a < p; a++) {
    for (let c = 0; c < p; c++) {
      let acc = 0;
      for (let i = 0; i < y.length; i++) acc += w[a]![i]! * w[c]![i]!;
      m[a * p + c] = acc;
    }
    let acc = 0;
    for (let i = 0; i < y.length; i++) acc += w[a]![i]! * y[i]!;
    b[a] = acc;
  }
  choleskyInPlace(m, p);
  choleskySolveInPlace(m, p, b);
  return b;
}
