import { describe, expect, it } from 'vitest';
import { symEigen, symEigenFast, symEigenQL, symEigenWasm, type SymEigen } from '../../engine/stats/kernels/eigen.js';
import { gemmStridedWasm } from '../../engine/stats/kernels/gemm.js';
import { createGemmTeam } from '../../engine/stats/kernels/gemm-team.js';
import { allocateViews } from '../../engine/stats/kernels/wasm-loader.js';
import { eigenErrors, grmLike, maxAbs, randomMatrix, randomSymmetric, withSpectrum } from './helpers.js';

type Solver = (a: Float64Array, n: number) => SymEigen;

const SOLVERS: [string, Solver][] = [
  ['ts', (a, n) => symEigen(a, n)],
  ['wasm', (a, n) => symEigenWasm(a, n)],
  ['fast', symEigenFast],
  ['ts, divide and conquer down to 2x2 leaves', (a, n) => symEigen(a, n, { leaf: 2 })],
  ['wasm, divide and conquer down to 2x2 leaves', (a, n) => symEigenWasm(a, n, { leaf: 2 })],
  ['QL reference', symEigenQL],
];

const TOL = 1e-12;

/** Runs the solver, checks the structural contract and the accuracy bounds; returns the result. */
function check(solve: Solver, a: Float64Array, n: number): SymEigen {
  const copy = a.slice();
  const r = solve(a, n);
  expect(a).toEqual(copy); // input untouched
  expect(r.n).toBe(n);
  expect(r.values.length).toBe(n);
  expect(r.vectorsT.length).toBe(n * n);
  for (let k = 1; k < n; k++) expect(r.values[k]).toBeGreaterThanOrEqual(r.values[k - 1]);
  const { residual, orthogonality } = eigenErrors(a, n, r);
  expect(residual).toBeLessThan(TOL);
  expect(orthogonality).toBeLessThan(TOL);
  return r;
}

function sortedCopy(x: ArrayLike<number>): number[] {
  return Array.from(x).sort((p, q) => p - q);
}

describe.each(SOLVERS)('symEigen (%s)', (_name, solve) => {
  it('n = 0', () => {
    const r = solve(new Float64Array(0), 0);
    expect(r.values.length).toBe(0);
    expect(r.vectorsT.length).toBe(0);
  });

  it('n = 1', () => {
    const r = check(solve, Float64Array.of(-3.5), 1);
    expect(r.values[0]).toBe(-3.5);
    expect(Math.abs(r.vectorsT[0])).toBe(1);
  });

  it('n = 2 (known eigenvalues 1 and 3)', () => {
    const r = check(solve, Float64Array.of(2, 1, 1, 2), 2);
    expect(r.values[0]).toBeCloseTo(1, 14);
    expect(r.values[1]).toBeCloseTo(3, 14);
  });

  it('n = 3 (known eigenvalues 2 - sqrt 2, 2, 2 + sqrt 2)', () => {
    const r = check(solve, Float64Array.of(2, -1, 0, -1, 2, -1, 0, -1, 2), 3);
    expect(r.values[0]).toBeCloseTo(2 - Math.SQRT2, 14);
    expect(r.values[1]).toBeCloseTo(2, 14);
    expect(r.values[2]).toBeCloseTo(2 + Math.SQRT2, 14);
  });

  it.each([4, 7, 31, 64, 101])('random symmetric n = %i', (n) => {
    check(solve, randomSymmetric(n, n), n);
  });

  it('zero matrix', () => {
    const r = check(solve, new Float64Array(25), 5);
    expect(Array.from(r.values)).toEqual([0, 0, 0, 0, 0]);
  });

  it('diagonal matrix (eigenvalues are the sorted diagonal)', () => {
    const diag = [3, -1, 7, 0, 2, 2, -5, 1e-3, 4, 3];
    const n = diag.length;
    const a = new Float64Array(n * n);
    diag.forEach((x, i) => (a[i * n + i] = x));
    const r = check(solve, a, n);
    expect(Array.from(r.values)).toEqual(sortedCopy(diag));
  });

  it('repeated eigenvalues (multiplicities 5, 1, 20, 14)', () => {
    const lambda = [...Array(5).fill(-2), 0.5, ...Array(20).fill(1), ...Array(14).fill(3)];
    const n = lambda.length;
    const a = withSpectrum(lambda, symEigenQL(randomSymmetric(n, 99), n));
    const r = check(solve, a, n);
    const want = sortedCopy(lambda);
    for (let k = 0; k < n; k++) expect(Math.abs(r.values[k] - want[k])).toBeLessThan(1e-12);
  });

  it('identity plus rank one (one simple eigenvalue, the rest repeated)', () => {
    const n = 50;
    const a = new Float64Array(n * n);
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) a[i * n + j] = (i === j ? 1 : 0) + 1 / n;
    const r = check(solve, a, n);
    expect(r.values[n - 1]).toBeCloseTo(2, 13);
    expect(Math.abs(r.values[0] - 1)).toBeLessThan(1e-13);
  });

  it('PSD with many zero eigenvalues (GRM-like, n = 120, rank 40)', () => {
    const n = 120;
    const a = grmLike(n, 40, 5);
    const r = check(solve, a, n);
    const scale = maxAbs(a);
    for (let k = 0; k < n - 40; k++) expect(Math.abs(r.values[k])).toBeLessThan(1e-12 * scale);
    expect(r.values[n - 1]).toBeGreaterThan(0);
  });

  it('all-ones matrix (rank one: eigenvalues 0 and n)', () => {
    const n = 90;
    const a = new Float64Array(n * n).fill(1);
    const r = solve(a, n);
    const { residual, orthogonality } = eigenErrors(a, n, r);
    expect(residual).toBeLessThan(TOL * n); // relative to |A|max; |A|_2 = n
    expect(orthogonality).toBeLessThan(TOL);
    expect(Math.abs(r.values[n - 1] - n)).toBeLessThan(1e-12 * n);
    for (let k = 0; k < n - 1; k++) expect(Math.abs(r.values[k])).toBeLessThan(1e-12 * n);
  });

  it.each([1e-200, 1e-305, 1e200])('entries scaled by %d (no overflow or underflow)', (scale) => {
    const n = 45;
    const base = randomSymmetric(n, 45);
    const r = check(solve, base.map((x) => x * scale), n);
    const ref = symEigenQL(base, n);
    for (let k = 0; k < n; k++) expect(Math.abs(r.values[k] / scale - ref.values[k])).toBeLessThan(1e-12 * maxAbs(base));
  });

  it('graded matrix (entries over 12 orders of magnitude)', () => {
    const n = 40;
    const a = randomSymmetric(n, 4);
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) a[i * n + j] *= 10 ** (-(i + j) * 0.15);
    check(solve, a, n);
  });
});

describe('larger matrices (n = 300)', () => {
  const n = 300;
  const rand = randomSymmetric(n, 300);
  const grm = grmLike(n, 200, 300);

  it.each([['ts', symEigen], ['wasm', symEigenWasm]] as const)('%s: random symmetric and GRM-like', (_name, solve) => {
    check((a, m) => solve(a, m), rand, n);
    check((a, m) => solve(a, m), grm, n);
  });

  it('TS and wasm agree on the eigenvalues', () => {
    const x = symEigen(grm, n);
    const y = symEigenWasm(grm, n);
    for (let k = 0; k < n; k++) expect(Math.abs(x.values[k] - y.values[k])).toBeLessThan(1e-12 * maxAbs(grm));
  });
});

describe('with a GEMM team (helper threads share the GEMMs)', () => {
  it('a split product equals the one-thread product bit for bit', () => {
    const team = createGemmTeam(8 * (3 * 333 * 250) + 4096, 3)!;
    expect(team).toBeDefined();
    try {
      expect(team.ready(20000)).toBe(true);
      const [a, b, c1, c2] = allocateViews(team.kernels, [333 * 250, 250 * 170, 333 * 170, 333 * 170]);
      a!.set(randomMatrix(333, 250, 1));
      b!.set(randomMatrix(250, 170, 2));
      c1!.set(randomMatrix(333, 170, 3));
      c2!.set(c1!);
      gemmStridedWasm(team.kernels)(333, 250, 170, 0.5, a!, 0, 250, b!, 0, 170, 2, c1!, 0, 170);
      team.gemm(333, 250, 170, 0.5, a!, 0, 250, b!, 0, 170, 2, c2!, 0, 170);
      expect(c2).toEqual(c1);
    } finally {
      team.close();
    }
  });

  it('symEigenFast on 2 and 3 threads gives the one-thread result bit for bit (n = 500)', () => {
    const a = grmLike(500, 700, 5);
    const one = check((x, n) => symEigenFast(x, n, 1), a, 500);
    for (const threads of [2, 3]) {
      const r = symEigenFast(a, 500, threads);
      expect(r.values).toEqual(one.values);
      expect(r.vectorsT).toEqual(one.vectorsT);
    }
  });
});

describe('input validation', () => {
  it('rejects a short array and non-finite entries', () => {
    expect(() => symEigen(new Float64Array(3), 2)).toThrow(RangeError);
    expect(() => symEigen(Float64Array.of(1, NaN, NaN, 1), 2)).toThrow(/non-finite/);
  });
});
