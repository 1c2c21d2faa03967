/**
 * Micro-benchmark of the dense kernels (TypeScript vs WebAssembly SIMD):
 *   - symmetric eigen-decomposition of a GRM-like matrix (default n = 1410), with the time of
 *     each step and the accuracy (max residual |A U - U L| / |A|max, max |U^T U - I|);
 *   - GEMM 1410 x 1410 x 256 (U^T times a block of genotype columns).
 *
 * Build and run:  npx tsc -p tsconfig.build.json && node dist/bench/kernels.js [n ...]
 * Options: --skip-ts (wasm only), --reps=N (GEMM repetitions, best is reported).
 */
import { symEigen, symEigenWasm, type EigenOptions, type SymEigen } from '../engine/stats/kernels/eigen.js';
import { gemm, gemmFast, gemmWasm } from '../engine/stats/kernels/gemm.js';
import { wasmKernels } from '../engine/stats/kernels/wasm-loader.js';

const args = process.argv.slice(2);
const sizes = args.filter((a) => /^\d+$/.test(a)).map(Number);
const skipTs = args.includes('--skip-ts');
const reps = Number(args.find((a) => a.startsWith('--reps='))?.slice(7) ?? 3);

/** Seeded uniform generator (mulberry32). */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** GRM-like K = X X^T / p for centred 0/1/2 genotypes X (n x p). */
function grm(n: number, p: number, seed: number): Float64Array {
  const next = rng(seed);
  const x = new Float64Array(n * p);
  const xt = new Float64Array(p * n);
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
  for (let i = 0; i < n; i++) for (let j = 0; j < p; j++) xt[j * n + i] = x[i * p + j] / p;
  const k = new Float64Array(n * n);
  gemmFast(x, xt, k, n, p, n);
  for (let i = 0; i < n; i++) for (let j = 0; j < i; j++) k[i * n + j] = k[j * n + i]; // exact symmetry
  return k;
}

function transpose(a: Float64Array, rows: number, cols: number): Float64Array {
  const t = new Float64Array(rows * cols);
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) t[j * rows + i] = a[i * cols + j];
  return t;
}

/** Accuracy of a decomposition, computed with GEMM: residual relative to |A|max, and orthogonality. */
function accuracy(a: Float64Array, n: number, r: SymEigen): { residual: number; orthogonality: number } {
  const u = transpose(r.vectorsT, n, n);
  const au = new Float64Array(n * n);
  gemmFast(a, u, au, n, n, n);
  let res = 0, amax = 0;
  for (let i = 0; i < n * n; i++) amax = Math.max(amax, Math.abs(a[i]));
  for (let i = 0; i < n; i++) for (let k = 0; k < n; k++) {
    res = Math.max(res, Math.abs(au[i * n + k] - u[i * n + k] * r.values[k]));
  }
  const utu = new Float64Array(n * n);
  gemmFast(r.vectorsT, u, utu, n, n, n);
  let orth = 0;
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) orth = Math.max(orth, Math.abs(utu[i * n + j] - (i === j ? 1 : 0)));
  return { residual: res / amax, orthogonality: orth };
}

function seconds(f: () => void): number {
  const t = performance.now();
  f();
  return (performance.now() - t) / 1000;
}

function benchEigen(n: number): void {
  const a = grm(n, Math.round(n * 1.5), n);
  // Warm up both paths (JIT, wasm compilation, memory growth) on a small problem.
  const small = grm(200, 300, 1);
  symEigenWasm(small, 200);
  if (!skipTs) symEigen(small, 200);
  const runs: [string, (a: Float64Array, n: number, o: EigenOptions) => SymEigen][] = [['wasm', symEigenWasm]];
  if (!skipTs) runs.push(['ts', symEigen]);
  for (const [name, solve] of runs) for (const run of ['cold', 'warm']) {
    // cold: first call at this size (fresh memory pages are slow to fault in on some VMs)
    const timings = { tridiagonalise: 0, tridiagonalEigen: 0, backTransform: 0 };
    let r: SymEigen | undefined;
    const t = seconds(() => (r = solve(a, n, { timings })));
    const acc = accuracy(a, n, r as SymEigen);
    console.log(
      `eigen ${name.padEnd(4)} ${run} n=${n}: ${t.toFixed(3)} s ` +
        `(tridiagonalise ${timings.tridiagonalise.toFixed(3)}, divide&conquer ${timings.tridiagonalEigen.toFixed(3)}, ` +
        `back-transform ${timings.backTransform.toFixed(3)}); ` +
        `residual ${acc.residual.toExponential(1)}, orthogonality ${acc.orthogonality.toExponential(1)}`,
    );
  }
}

function benchGemm(rows: number, inner: number, cols: number): void {
  const next = rng(7);
  const a = Float64Array.from({ length: rows * inner }, next);
  const b = Float64Array.from({ length: inner * cols }, next);
  const c = new Float64Array(rows * cols);
  const flops = 2 * rows * inner * cols;
  const impls: [string, typeof gemm][] = [['wasm', gemmWasm]];
  if (!skipTs) impls.push(['ts', gemm]);
  for (const [name, f] of impls) {
    f(a, b, c, rows, inner, cols); // warm-up
    let best = Infinity;
    for (let r = 0; r < reps; r++) best = Math.min(best, seconds(() => f(a, b, c, rows, inner, cols)));
    console.log(`gemm  ${name.padEnd(4)} ${rows}x${inner}x${cols}: ${(best * 1000).toFixed(1)} ms, ${(flops / best / 1e9).toFixed(2)} GFLOP/s`);
  }
}

const k = wasmKernels();
console.log(k ? `wasm kernels: ${k.source}` : 'wasm kernels: NOT AVAILABLE (TypeScript only)');
if (!k) process.exit(1);
benchGemm(1410, 1410, 256);
benchGemm(1024, 1024, 1024);
for (const n of sizes.length ? sizes : [1410]) benchEigen(n);
