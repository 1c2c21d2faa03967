import { describe, expect, it } from 'vitest';
import { chi2UpperQuantile, formatLnP, lnChi2UpperTail, lnGamma, negLog10Chi2UpperTail } from '../../engine/stats/chisq.js';

/** ln erfc(x) for large x by its asymptotic series (independent of the implementation under test). */
function lnErfcAsymptotic(x: number): number {
  let term = 1;
  let sum = 1;
  for (let k = 1; k < 12; k++) {
    term *= -(2 * k - 1) / (2 * x * x);
    sum += term;
  }
  return -x * x - Math.log(x * Math.sqrt(Math.PI)) + Math.log(sum);
}

describe('chi-square upper tails', () => {
  it('matches known quantiles', () => {
    expect(Math.exp(lnChi2UpperTail(3.841458820694124, 1))).toBeCloseTo(0.05, 14);
    expect(Math.exp(lnChi2UpperTail(5.991464547107979, 2))).toBeCloseTo(0.05, 14);
    expect(Math.exp(lnChi2UpperTail(7.814727903251178, 3))).toBeCloseTo(0.05, 13);
    expect(Math.exp(lnChi2UpperTail(6.634896601021214, 1))).toBeCloseTo(0.01, 14);
    expect(Math.exp(lnChi2UpperTail(0.454936423119572, 1))).toBeCloseTo(0.5, 14);
    // z = 10 two-sided: 1.523970604832105e-23
    expect(Math.exp(lnChi2UpperTail(100, 1)) / 1.523970604832105e-23).toBeCloseTo(1, 12);
  });

  it('is exact far into the tail (p = 1e-300 and below), where 1 - cdf is 0', () => {
    for (const x of [1400, 3000, 20000]) {
      const want = lnErfcAsymptotic(Math.sqrt(x / 2));
      expect(Math.abs(lnChi2UpperTail(x, 1) - want) / Math.abs(want)).toBeLessThan(1e-13);
    }
    expect(lnChi2UpperTail(1400, 2)).toBe(-700);
    expect(negLog10Chi2UpperTail(20000, 2)).toBeCloseTo(10000 / Math.LN10, 9);
    // chi2_1 at 1375.3 is p ~ 1e-300
    expect(negLog10Chi2UpperTail(1375.3, 1)).toBeGreaterThan(299);
    expect(negLog10Chi2UpperTail(1375.3, 1)).toBeLessThan(302);
  });

  it('handles the origin and small statistics', () => {
    expect(lnChi2UpperTail(0, 1)).toBe(0);
    expect(Math.exp(lnChi2UpperTail(1e-10, 1))).toBeCloseTo(1 - 7.978845608e-6, 12);
  });

  it('inverts itself (the 1-df equivalent used by lambda_GC)', () => {
    for (const x of [1e-6, 0.3, 0.454936423119572, 3.84, 50, 900]) {
      expect(chi2UpperQuantile(lnChi2UpperTail(x, 1), 1) / x).toBeCloseTo(1, 10);
    }
  });

  it('ln Gamma at known points', () => {
    expect(lnGamma(0.5)).toBeCloseTo(Math.log(Math.sqrt(Math.PI)), 14);
    expect(lnGamma(5)).toBeCloseTo(Math.log(24), 14);
    expect(lnGamma(2.5)).toBeCloseTo(Math.log(1.329340388179137), 13);
  });

  it('writes tiny p-values without underflow and never as 0', () => {
    expect(formatLnP(Math.log(0.05))).toBe('5.000000e-2');
    expect(formatLnP(-1000 * Math.LN10)).toBe('1.000000e-1000');
    expect(formatLnP(-2000)).toMatch(/^\d\.\d{6}e-869$/);
    expect(formatLnP(0)).toBe('1.000000e+0');
  });
});
