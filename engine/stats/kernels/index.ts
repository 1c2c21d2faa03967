/**
 * Dense linear-algebra kernels: symmetric eigen-decomposition and matrix product, each in
 * plain TypeScript and WebAssembly SIMD, plus choosers that take WebAssembly when it loads.
 */
import { wasmKernels } from './wasm-loader.js';

export { symEigen, symEigenFast, symEigenQL, symEigenWasm, type EigenOptions, type SymEigen } from './eigen.js';
export { gemm, gemmFast, gemmWasm } from './gemm.js';

/** Which implementation the *Fast functions use, and the .wasm file when it is WebAssembly. */
export function kernelBackend(): { backend: 'wasm' | 'ts'; source?: string } {
  const k = wasmKernels();
  return k ? { backend: 'wasm', source: k.source } : { backend: 'ts' };
}
