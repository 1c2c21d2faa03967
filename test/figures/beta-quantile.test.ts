/**
 * The Beta quantile and the regularised incomplete beta function against independent truths:
 * closed forms (Beta(1, b), Beta(a, 1)), the symmetry I_x(a, b) = 1 − I_{1−x}(b, a), and the
 * order-statistic identity P(X_(i) ≤ x) = P(Bin(m, x) ≥ i) summed exactly in rational arithmetic.
 */
import { describe, expect, it } from 'vitest';
import { betaQuantile, incompleteBeta, incompleteBetaTails, logBeta, logGamma } from '../../engine/figures/beta-quantile.js';

const relative = (a: number, b: number): number => Math.abs(a - b) / Math.abs(b);

/** num / den for big integers, as the nearest double (also far below 1e-300 is not needed here). */
function ratio(num: bigint, den: bigint): number {
  if (num === 0n) return 0;
  const bits = (v: bigint): number => v.toString(2).length;
  const shift = 64 - (bits(num) - bits(den));
  const q = shift >= 0 ? (num << BigInt(shift)) / den : num / (den << BigInt(-shift));
  return Number(q) * 2 ** -shift;
}

function binomialCoefficients(m: number): bigint[] {
  const c: bigint[] = [1n];
  for (let k = 1; k <= m; k++) c.push((c[k - 1]! * BigInt(m - k + 1)) / BigInt(k));
  return c;
}

/** P(Bin(m, x) ≥ i) exactly, for x = numerator / denominator. */
function binomialUpperTail(m: number, i: number, numerator: bigint, denominator: bigint): number {
  const c = binomialCoefficients(m);
  let sum = 0n;
  for (let k = i; k <= m; k++) sum += c[k]! * numerator ** BigInt(k) * (denominator - numerator) ** BigInt(m - k);
  return ratio(sum, denominator ** BigInt(m));
}

/** A double as an exact fraction mantissa / 2^exponent. */
function exactFraction(x: number): [bigint, bigint] {
  let scale = 0;
  let v = x;
  while (v !== Math.floor(v)) {
    v *= 2;
    scale++;
  }
  return [BigInt(v), 2n ** BigInt(scale)];
}

describe('logGamma and logBeta', () => {
  it('match factorials and known values', () => {
    let factorial = 1;
    for (let n = 1; n <= 25; n++) {
      expect(Math.abs(logGamma(n + 1) - Math.log((factorial *= n)))).toBeLessThan(1e-13 * Math.max(1, Math.log(factorial)));
    }
    expect(relative(logGamma(0.5), 0.5 * Math.log(Math.PI))).toBeLessThan(1e-14);
    // B(1, b) = 1 / b, B(2, b) = 1 / (b (b + 1)) (exact), for b large: no cancellation of big log-gammas.
    for (const b of [3, 12, 1e3, 1e6, 1e9]) {
      expect(Math.abs(logBeta(1, b) + Math.log(b))).toBeLessThan(1e-13 * Math.log(b) + 1e-15);
      expect(Math.abs(logBeta(2, b) + Math.log(b) + Math.log(b + 1))).toBeLessThan(1e-13 * Math.log(b) + 1e-15);
    }
    // B(a, a) for large a against the duplication formula: B(a, a) = 2^(1 − 2a) B(1/2, a).
    for (const a of [20, 5e5]) expect(relative(logBeta(a, a), (1 - 2 * a) * Math.LN2 + logBeta(0.5, a))).toBeLessThan(1e-13);
  });
});

describe('betaQuantile', () => {
  const qs = [1e-9, 0.001, 0.025, 0.5, 0.975, 0.999, 1 - 1e-9];

  it('Beta(1, b): the iterative solver equals 1 − (1 − q)^(1/b)', () => {
    for (const b of [1, 2, 7, 100, 10_000, 999_999, 1_000_000]) {
      for (const q of qs) {
        const truth = -Math.expm1(Math.log1p(-q) / b);
        expect(relative(betaQuantile(q, 1, b, { closedForms: false }), truth)).toBeLessThan(1e-11);
        expect(relative(betaQuantile(q, 1, b), truth)).toBeLessThan(1e-15);
      }
    }
  });

  it('Beta(a, 1): the iterative solver equals q^(1/a)', () => {
    for (const a of [2, 7, 100, 10_000, 1_000_000]) {
      for (const q of qs) {
        const truth = Math.exp(Math.log(q) / a);
        expect(relative(betaQuantile(q, a, 1, { closedForms: false }), truth)).toBeLessThan(1e-11);
      }
    }
  });

  it('the first order statistic of 10^6 uniforms: 2.5% quantile ≈ 2.53e-8', () => {
    const x = betaQuantile(0.025, 1, 1_000_000);
    expect(x).toBeGreaterThan(2.53e-8);
    expect(x).toBeLessThan(2.54e-8);
    expect(relative(x, -Math.log1p(-0.025) / 1e6)).toBeLessThan(1e-6);
  });

  it('far tails without a closed form: P(Bin(m, x) ≥ 2) and ≥ 3 at the quantile of Beta(i, m − i + 1)', () => {
    const m = 1_000_000;
    for (const q of [0.025, 0.975]) {
      // i = 2: P(Bin ≥ 2) = 1 − (1 − x)^(m−1) (1 + (m − 1) x)
      const x2 = betaQuantile(q, 2, m - 1);
      const tail2 = -Math.expm1((m - 1) * Math.log1p(-x2) + Math.log1p((m - 1) * x2));
      expect(relative(tail2, q)).toBeLessThan(1e-10);
      // i = 3: P(Bin ≥ 3) = 1 − (1 − x)^(m−2) ((1 − x)^2 + m x (1 − x) + C(m, 2) x^2)
      const x3 = betaQuantile(q, 3, m - 2);
      const y = 1 - x3;
      const head = y * y + m * x3 * y + ((m * (m - 1)) / 2) * x3 * x3;
      const tail3 = -Math.expm1((m - 2) * Math.log1p(-x3) + Math.log(head));
      expect(relative(tail3, q)).toBeLessThan(1e-10);
    }
  });

  it('inverts the exact binomial tail for m up to 200', () => {
    for (const m of [1, 2, 5, 17, 60, 200]) {
      for (const i of new Set([1, 2, Math.ceil(m / 3), Math.ceil(m / 2), m - 1, m].filter((v) => v >= 1 && v <= m))) {
        for (const q of [0.025, 0.5, 0.975]) {
          const x = betaQuantile(q, i, m - i + 1);
          const [num, den] = exactFraction(x);
          const tail = binomialUpperTail(m, i, num, den);
          expect(Math.abs(tail - q)).toBeLessThan(1e-12);
        }
      }
    }
  });

  it('returns the ends for q = 0 and q = 1 and NaN for bad parameters', () => {
    expect(betaQuantile(0, 3, 4)).toBe(0);
    expect(betaQuantile(1, 3, 4)).toBe(1);
    expect(betaQuantile(0.5, 0, 4)).toBeNaN();
    expect(betaQuantile(1.5, 3, 4)).toBeNaN();
  });
});

describe('incompleteBeta', () => {
  it('equals the exact binomial sum P(Bin(m, x) ≥ i) at rational x', () => {
    for (const m of [1, 3, 10, 50, 200]) {
      for (const numerator of [1n, 13n, 250n, 500n, 777n, 999n]) {
        const x = Number(numerator) / 1000;
        for (const i of new Set([1, 2, Math.ceil(m / 4), Math.ceil(m / 2), m].filter((v) => v >= 1 && v <= m))) {
          const truth = binomialUpperTail(m, i, numerator, 1000n);
          const value = incompleteBeta(x, i, m - i + 1);
          // x = k / 1000 is itself rounded to a double; relative 1e-12, or 1e-15 absolute near 1.
          expect(Math.abs(value - truth)).toBeLessThan(1e-12 * Math.min(truth, 1 - truth) + 1e-15);
        }
      }
    }
  });

  it('is symmetric: I_x(a, b) = 1 − I_{1−x}(b, a)', () => {
    const params = [
      [0.5, 0.5],
      [1, 3],
      [2.5, 7],
      [30, 4],
      [150, 160],
      [1e4, 3],
      [5e5, 5e5],
    ];
    for (const [a, b] of params) {
      const mean = a! / (a! + b!);
      for (const x of [1e-6, 0.01, 0.3, mean, 0.5, 0.8, 0.999]) {
        const [lower] = incompleteBetaTails(x, a!, b!);
        const [, upperOfMirror] = incompleteBetaTails(1 - x, b!, a!);
        // The continued fraction near the mode of Beta(5e5, 5e5) runs ~10^3 terms: 2e-13 there.
        const tolerance = Math.max(a!, b!) > 1e5 ? 2e-13 : 1e-13;
        expect(Math.abs(lower - upperOfMirror)).toBeLessThan(tolerance);
        expect(Math.abs(incompleteBeta(x, a!, b!) - (1 - incompleteBeta(1 - x, b!, a!)))).toBeLessThan(tolerance);
      }
    }
    // And at the centre of a symmetric Beta the CDF is one half.
    for (const a of [0.5, 3, 40, 1e3, 5e5]) expect(Math.abs(incompleteBeta(0.5, a, a) - 0.5)).toBeLessThan(2e-13);
  });

  it('is a CDF: 0 at 0, 1 at 1, increasing', () => {
    expect(incompleteBeta(0, 2, 3)).toBe(0);
    expect(incompleteBeta(1, 2, 3)).toBe(1);
    let previous = 0;
    for (let x = 0.01; x < 1; x += 0.01) {
      const v = incompleteBeta(x, 40, 60);
      expect(v).toBeGreaterThanOrEqual(previous);
      previous = v;
    }
  });
});
