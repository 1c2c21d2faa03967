import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { gemm, gemmFast, gemmStridedTS, gemmStridedWasm, gemmWasm } from '../../engine/stats/kernels/gemm.js';
import { align, allocateViews, candidatePaths, createKernels, reserve, wasmKernels, type WasmApi } from '../../engine/stats/kernels/wasm-loader.js';
import { maxAbs, naiveGemm, randomMatrix } from './helpers.js';

const SHAPES: [number, number, number][] = [
  [1, 1, 1], [1, 5, 1], [3, 1, 4], [2, 3, 2], [7, 13, 5], [4, 4, 4], [5, 9, 3], [17, 3, 33],
  [130, 257, 65], [64, 300, 129], [129, 513, 7], [300, 40, 517],
];

function maxDiff(x: Float64Array, y: Float64Array): number {
  let m = 0;
  for (let i = 0; i < x.length; i++) m = Math.max(m, Math.abs(x[i] - y[i]));
  return m;
}

const IMPLS = [
  ['ts', gemm],
  ['wasm', gemmWasm],
  ['fast', gemmFast],
] as const;

describe('wasm kernels', () => {
  it('load from the source tree', () => {
    expect(wasmKernels()).not.toBeNull();
  });

  it('are looked for next to the module, then under engine/ when running from dist/', () => {
    const saved = process.env.KINSCAN_WASM_DIR;
    delete process.env.KINSCAN_WASM_DIR;
    try {
      const dir = path.join(path.sep, 'repo', 'dist', 'engine', 'stats', 'kernels');
      expect(candidatePaths('kernels.wasm', dir)).toEqual([
        path.join(dir, 'wasm', 'kernels.wasm'),
        path.join(path.sep, 'repo', 'engine', 'stats', 'kernels', 'wasm', 'kernels.wasm'),
      ]);
    } finally {
      if (saved !== undefined) process.env.KINSCAN_WASM_DIR = saved;
    }
  });
});

describe.each(IMPLS)('gemm (%s)', (_name, impl) => {
  it.each(SHAPES)('%i x %i x %i matches the naive triple loop', (rows, inner, cols) => {
    const a = randomMatrix(rows, inner, rows * 1000 + inner);
    const b = randomMatrix(inner, cols, cols * 7 + 1);
    const c = new Float64Array(rows * cols).fill(NaN); // must be overwritten, never read
    impl(a, b, c, rows, inner, cols);
    const want = naiveGemm(a, b, rows, inner, cols);
    expect(maxDiff(c, want)).toBeLessThanOrEqual(1e-13 * Math.max(1, inner) * maxAbs(want) + 1e-300);
  });

  it('handles empty inner dimension (C = 0)', () => {
    const c = new Float64Array(6).fill(NaN);
    impl(new Float64Array(0), new Float64Array(0), c, 2, 0, 3);
    expect(Array.from(c)).toEqual([0, 0, 0, 0, 0, 0]);
  });

  it('rejects arrays that are too short', () => {
    expect(() => impl(new Float64Array(3), new Float64Array(4), new Float64Array(4), 2, 2, 2)).toThrow(RangeError);
  });
});

describe('strided gemm (alpha, beta, sub-blocks)', () => {
  // C[1:1+m, 2:2+n] = alpha * A[.., 3:3+k] * B + beta * C on larger parent arrays.
  const m = 37, k = 29, n = 41, lda = k + 5, ldb = n + 2, ldc = n + 4;
  const a = randomMatrix(m, lda, 1), b = randomMatrix(k, ldb, 2), c0 = randomMatrix(m + 2, ldc, 3);
  function expected(alpha: number, beta: number): Float64Array {
    const c = c0.slice();
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < n; j++) {
        let s = 0;
        for (let p = 0; p < k; p++) s += a[i * lda + 3 + p] * b[p * ldb + j];
        const at = (i + 1) * ldc + 2 + j;
        c[at] = alpha * s + (beta === 0 ? 0 : beta * c[at]);
      }
    }
    return c;
  }
  const cases: [number, number][] = [[1, 0], [-1, 1], [0.5, 2], [2, 0]];

  it.each(cases)('TS alpha=%d beta=%d', (alpha, beta) => {
    const c = c0.slice();
    gemmStridedTS(m, k, n, alpha, a, 3, lda, b, 0, ldb, beta, c, ldc + 2, ldc);
    expect(maxDiff(c, expected(alpha, beta))).toBeLessThan(1e-12);
  });

  it.each(cases)('wasm alpha=%d beta=%d', (alpha, beta) => {
    const kern = wasmKernels();
    expect(kern).not.toBeNull();
    if (!kern) return;
    const [wa, wb, wc] = allocateViews(kern, [a.length, b.length, c0.length]);
    wa.set(a);
    wb.set(b);
    wc.set(c0);
    gemmStridedWasm(kern)(m, k, n, alpha, wa, 3, lda, wb, 0, ldb, beta, wc, ldc + 2, ldc);
    expect(maxDiff(wc, expected(alpha, beta))).toBeLessThan(1e-12);
  });
});

describe('shared memory (for worker threads)', () => {
  it('two instances of kernels-shared.wasm on one shared memory compute independent products', () => {
    const WA = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;
    const memory = new WA.Memory({ initial: 64, maximum: 4096, shared: true });
    expect(memory.buffer).toBeInstanceOf(SharedArrayBuffer);
    const first = createKernels({ memory, shared: true });
    const packBytes = first.exports.gemm_pack_size() * 8;
    const second = createKernels({ memory, shared: true, packPtr: first.dataBase });
    expect(second.source).toMatch(/kernels-shared\.wasm$/);
    const base = align(second.dataBase, 64);
    reserve(first, base + 3 * 8 * 64 * 64 * 2 + packBytes);
    const [rows, inner, cols] = [37, 64, 29];
    const views = (at: number) => [
      new Float64Array(memory.buffer, at, rows * inner),
      new Float64Array(memory.buffer, at + 8 * rows * inner, inner * cols),
      new Float64Array(memory.buffer, at + 8 * (rows * inner + inner * cols), rows * cols),
    ];
    const span = 8 * (rows * inner + inner * cols + rows * cols);
    for (const [k, at, seed] of [[first, base, 1], [second, base + span, 2]] as const) {
      const [a, b, c] = views(at);
      a.set(randomMatrix(rows, inner, seed));
      b.set(randomMatrix(inner, cols, seed + 10));
      gemmStridedWasm(k)(rows, inner, cols, 1, a, 0, inner, b, 0, cols, 0, c, 0, cols);
      expect(maxDiff(c, naiveGemm(a, b, rows, inner, cols))).toBeLessThan(1e-12);
    }
  });
});
