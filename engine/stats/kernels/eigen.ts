/**
 * Symmetric eigen-decomposition A = U diag(values) U^T.
 *
 * Pipeline (same for both back ends):
 *   1. Householder tridiagonalisation, A = Q T Q^T               (tridiag-ts.ts / kernels.c)
 *   2. divide and conquer on T, T = Z diag(values) Z^T           (tridiag-eigen.ts, GEMM-bound)
 *   3. back-transformation U^T = Z^T Q^T with blocked reflectors  (reflectors.ts, GEMM-bound)
 * The TypeScript back end runs everything in TS; the wasm back end keeps all matrices in the
 * wasm linear memory and runs step 1, the secular equations of step 2 and every GEMM there;
 * only the O(n^2) bookkeeping of step 2 (deflation, QL on the small leaves) stays in TS.
 * Peak memory: about 4 n^2 doubles of work space plus the n^2 result.
 *
 * symEigenQL is the textbook reference (tred2 + tql2 style: Q formed explicitly, then implicit
 * QL rotations on it); it is O(6n^3) in rotations and kept for tests and comparison.
 */
import { gemmStridedTS, gemmStridedWasm, requireWasm, type GemmStrided } from './gemm.js';
import { applyReflectorsRight, reflectorScratchSizes } from './reflectors.js';
import { tridiagDC, tridiagQL, type DcOptions, type SecularSolver } from './tridiag-eigen.js';
import { tridiagonaliseTS, tridiagWorkSizeTS, type Tridiagonaliser } from './tridiag-ts.js';
import { createGemmTeam } from './gemm-team.js';
import { allocateViews, wasmKernels, type WasmKernels } from './wasm-loader.js';

export interface SymEigen {
  n: number;
  /** Eigenvalues, ascending. */
  values: Float64Array;
  /** n*n row-major; ROW k is the unit eigenvector of values[k] (i.e. this is U^T). */
  vectorsT: Float64Array;
}

export interface EigenOptions extends DcOptions {
  /** If given, receives the seconds spent in each step (for benchmarks). */
  timings?: { tridiagonalise: number; tridiagonalEigen: number; backTransform: number };
}

/** What differs between the TypeScript and the wasm pipelines. */
interface Backend {
  /** Arrays of the given lengths, contents unspecified (wasm: views on its linear memory). */
  allocate(lengths: number[]): Float64Array[];
  gemm: GemmStrided;
  tridiagonalise: Tridiagonaliser;
  /** Doubles of scratch the tridiagonaliser needs. */
  tridiagWorkSize(n: number): number;
  secular?: SecularSolver;
}

const tsBackend: Backend = {
  allocate: (lengths) => lengths.map((len) => new Float64Array(len)),
  gemm: gemmStridedTS,
  tridiagonalise: tridiagonaliseTS,
  tridiagWorkSize: tridiagWorkSizeTS,
};

function wasmBackend(k: WasmKernels): Backend {
  return {
    allocate: (lengths) => allocateViews(k, lengths),
    gemm: gemmStridedWasm(k),
    tridiagonalise: (w, n, d, e, tau, work) =>
      k.exports.tridiagonalise_f64(w.byteOffset, n, d.byteOffset, e.byteOffset, tau.byteOffset, work.byteOffset, k.packPtr),
    tridiagWorkSize: (n) => k.exports.tridiag_work_size(n),
    secular: (D, Z, rho, K, lambda, delta, st, col, zh) =>
      k.exports.secular_f64(K, D.byteOffset, Z.byteOffset, rho, lambda.byteOffset, delta.byteOffset, st.byteOffset,
        col.byteOffset, zh.byteOffset),
  };
}

/** Eigen-decomposition in plain TypeScript. a (row-major symmetric n x n) is not modified. */
export function symEigen(a: Float64Array, n: number, options: EigenOptions = {}): SymEigen {
  return symEigenWith(tsBackend, a, n, options);
}

/** Eigen-decomposition on the WebAssembly SIMD kernels; throws if they cannot be loaded. */
export function symEigenWasm(a: Float64Array, n: number, options: EigenOptions = {}): SymEigen {
  return symEigenWith(wasmBackend(requireWasm()), a, n, options);
}

/**
 * symEigenWasm when the wasm kernels load, otherwise symEigen. With threads > 1, the GEMMs of the
 * divide and conquer and of the back-transformation are shared with helper threads (gemm-team.ts).
 */
export function symEigenFast(a: Float64Array, n: number, threads = 1, options: EigenOptions = {}): SymEigen {
  const team = threads > 1 && n >= 256 ? createGemmTeam(eigenWorkBytes(n), threads) : undefined;
  if (team) {
    try {
      return symEigenWith({ ...wasmBackend(team.kernels), gemm: team.gemm }, a, n, options);
    } finally {
      team.close();
    }
  }
  const k = wasmKernels();
  return k ? symEigenWith(wasmBackend(k), a, n, options) : symEigen(a, n, options);
}

/** The work arrays of symEigenWith, in doubles. */
function eigenWorkLengths(n: number, tridiagWork: number): number[] {
  const nn = n * n;
  const rs = reflectorScratchSizes(n);
  return [nn, nn, nn, nn, 5 * n, n, n, n, tridiagWork, rs.vt, rs.v, rs.y, rs.y2, rs.tt];
}

/** Bytes of wasm memory the work arrays take (64-byte aligned each), with the kernels' own tridiagonal work size bound. */
function eigenWorkBytes(n: number): number {
  // tridiag_work_size(n) = 2n + 5 TNB n + 2 TNB with TNB = 32 (kernels.c); 200 n is a safe bound.
  return eigenWorkLengths(n, 200 * n).reduce((acc, len) => acc + len * 8 + 64, 0);
}

function checkInput(a: Float64Array, n: number): void {
  if (!Number.isInteger(n) || n < 0) throw new RangeError(`symEigen: bad size ${n}`);
  if (a.length < n * n) throw new RangeError(`symEigen: matrix has ${a.length} entries, need ${n * n}`);
  for (let i = 0; i < n * n; i++) {
    if (!Number.isFinite(a[i])) throw new RangeError(`symEigen: non-finite entry at (${Math.floor(i / n)}, ${i % n})`);
  }
}

function symEigenWith(backend: Backend, a: Float64Array, n: number, options: EigenOptions): SymEigen {
  checkInput(a, n);
  if (n === 0) return { n, values: new Float64Array(0), vectorsT: new Float64Array(0) };
  const nn = n * n;
  const [w, zt, zg, st, sec, d, e, tau, work, vt, v, y, y2, tt] = backend.allocate(eigenWorkLengths(n, backend.tridiagWorkSize(n)));
  const t0 = performance.now();
  // 1. A = Q T Q^T (w: reflectors by rows).
  w.set(a.subarray(0, nn));
  backend.tridiagonalise(w, n, d, e, tau, work);
  const t1 = performance.now();
  // 2. T = Z diag(d) Z^T, zt = Z^T.
  const order = tridiagDC(d, e, n, zt, { zg, st, sec, secular: backend.secular }, backend.gemm, options);
  const t2 = performance.now();
  // 3. U^T = Z^T Q^T (row order does not matter: P Z^T Q^T = P U^T).
  applyReflectorsRight(zt, n, n, w, tau, { vt, v, y, y2, tt }, backend.gemm);
  if (options.timings) {
    const t3 = performance.now();
    Object.assign(options.timings, { tridiagonalise: (t1 - t0) / 1e3, tridiagonalEigen: (t2 - t1) / 1e3, backTransform: (t3 - t2) / 1e3 });
  }
  // Copy out in ascending order of the eigenvalues.
  const values = new Float64Array(n);
  const vectorsT = new Float64Array(nn);
  for (let k = 0; k < n; k++) {
    const r = order[k];
    values[k] = d[r];
    vectorsT.set(zt.subarray(r * n, r * n + n), k * n);
  }
  return { n, values, vectorsT };
}

/**
 * Reference path (EISPACK tred2 + tql2 structure): Q^T formed explicitly, then implicit QL
 * rotating its rows. Plain TypeScript; slow (about 6 n^3 flops in rotations).
 */
export function symEigenQL(a: Float64Array, n: number): SymEigen {
  checkInput(a, n);
  if (n === 0) return { n, values: new Float64Array(0), vectorsT: new Float64Array(0) };
  const nn = n * n;
  const w = Float64Array.from(a.subarray(0, nn));
  const d = new Float64Array(n), e = new Float64Array(n), tau = new Float64Array(n);
  tridiagonaliseTS(w, n, d, e, tau, new Float64Array(tridiagWorkSizeTS(n)));
  const qt = new Float64Array(nn);
  for (let i = 0; i < n; i++) qt[i * n + i] = 1;
  const rs = reflectorScratchSizes(n);
  applyReflectorsRight(qt, n, n, w, tau, {
    vt: new Float64Array(rs.vt), v: new Float64Array(rs.v), y: new Float64Array(rs.y),
    y2: new Float64Array(rs.y2), tt: new Float64Array(rs.tt),
  }, gemmStridedTS);
  tridiagQL(d, e, n, qt, 0, n, n);
  return { n, values: d, vectorsT: qt };
}
