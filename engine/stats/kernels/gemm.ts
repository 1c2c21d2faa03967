/**
 * Matrix-matrix product C = A B (row-major), in plain TypeScript and in WebAssembly SIMD.
 *
 *   gemm      plain TypeScript (cache- and register-blocked)
 *   gemmWasm  WebAssembly SIMD128 (packed panels, 4x4 f64x2 micro-kernel); throws if the
 *             wasm kernels cannot be loaded
 *   gemmFast  gemmWasm when available, else gemm
 */
import { checkGemmArgs, gemmStridedTS, gemmTS, type GemmStrided } from './gemm-ts.js';
import { allocateViews, wasmKernels, type WasmKernels } from './wasm-loader.js';

export type { GemmStrided } from './gemm-ts.js';
export { gemmStridedTS } from './gemm-ts.js';

/** C (rows x cols) = A (rows x inner) * B (inner x cols), all row-major, C overwritten. */
export function gemm(a: Float64Array, b: Float64Array, c: Float64Array, rows: number, inner: number, cols: number): void {
  gemmTS(a, b, c, rows, inner, cols);
}

/** Same as gemm, computed by the WebAssembly kernel (operands are copied into wasm memory). */
export function gemmWasm(
  a: Float64Array, b: Float64Array, c: Float64Array, rows: number, inner: number, cols: number,
): void {
  checkGemmArgs(a, b, c, rows, inner, cols);
  const k = requireWasm();
  const [wa, wb, wc] = allocateViews(k, [rows * inner, inner * cols, rows * cols]);
  wa.set(a.subarray(0, rows * inner));
  wb.set(b.subarray(0, inner * cols));
  k.exports.gemm_f64(rows, inner, cols, 1, wa.byteOffset, inner, wb.byteOffset, cols, 0, wc.byteOffset, cols, k.packPtr);
  c.set(wc);
}

/** gemmWasm if the WebAssembly kernels load, otherwise the TypeScript gemm. */
export const gemmFast = (
  a: Float64Array, b: Float64Array, c: Float64Array, rows: number, inner: number, cols: number,
): void => {
  if (wasmKernels()) gemmWasm(a, b, c, rows, inner, cols);
  else gemm(a, b, c, rows, inner, cols);
};

export function requireWasm(): WasmKernels {
  const k = wasmKernels();
  if (!k) throw new Error('WebAssembly kernels unavailable (kernels.wasm not found or not loadable)');
  return k;
}

/**
 * Strided GEMM on the wasm kernel for operands that are views on its memory (as allocated
 * by allocateViews): no copies. Operands elsewhere are handled by the TypeScript kernel.
 */
export function gemmStridedWasm(k: WasmKernels): GemmStrided {
  return (m, kk, n, alpha, a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc) => {
    const buf = k.memory.buffer;
    if (a.buffer !== buf || b.buffer !== buf || c.buffer !== buf) {
      gemmStridedTS(m, kk, n, alpha, a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc);
      return;
    }
    k.exports.gemm_f64(
      m, kk, n, alpha, a.byteOffset + 8 * aOff, lda, b.byteOffset + 8 * bOff, ldb,
      beta, c.byteOffset + 8 * cOff, ldc, k.packPtr,
    );
  };
}
