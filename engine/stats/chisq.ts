/**
 * Upper tails of the chi-square distribution, computed directly in log space.
 *
 * p = P(chi2_df > x) = Q(df/2, x/2), the regularised upper incomplete gamma function.
 * Never 1 - cdf: that loses every digit once p < 1e-16. Here ln p is accurate to about
 * 1e-14 relative down to p = 1e-300 and far below (ln p is returned, so p = 1e-5000 is fine).
 */

const LN_SQRT_PI = 0.5723649429247001; // ln Γ(1/2)
const LN10 = Math.LN10;

/** ln Γ(a) for a > 0 (Lanczos, g = 7, n = 9; exact shortcuts for a = 1/2 and integers <= 20). */
export function lnGamma(a: number): number {
  if (a === 0.5) return LN_SQRT_PI;
  if (Number.isInteger(a) && a >= 1 && a <= 20) {
    let f = 0;
    for (let k = 2; k < a; k++) f += Math.log(k);
    return f;
  }
  if (a < 0.5) return Math.log(Math.PI / Math.abs(Math.sin(Math.PI * a))) - lnGamma(1 - a);
  const c = [
    0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313,
    -176.61502916214059, 12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6,
    1.5056327351493116e-7,
  ];
  const x = a - 1;
  let s = c[0]!;
  for (let k = 1; k < 9; k++) s += c[k]! / (x + k);
  const t = x + 7.5;
  return 0.5 * Math.log(2 * Math.PI) + (x + 0.5) * Math.log(t) - t + Math.log(s);
}

/** ln Q(a, x), the regularised upper incomplete gamma function, for a > 0, x >= 0. */
export function lnUpperGamma(a: number, x: number): number {
  if (!(x > 0)) return 0; // Q(a, 0) = 1
  if (x === Infinity) return -Infinity;
  const lnPrefix = -x + a * Math.log(x) - lnGamma(a);
  if (x < a + 1) {
    // Series for P(a, x); Q = 1 - P is not small here (Q > ~0.2), so no cancellation.
    let term = 1 / a;
    let sum = term;
    for (let k = 1; k < 10000; k++) {
      term *= x / (a + k);
      sum += term;
      if (Math.abs(term) < Math.abs(sum) * 1e-17) break;
    }
    const p = Math.exp(lnPrefix) * sum;
    return Math.log1p(-p);
  }
  // Continued fraction for Q(a, x) (modified Lentz), evaluated entirely as a ratio: ln Q = lnPrefix + ln(cf).
  const tiny = 1e-300;
  let b = x + 1 - a;
  let c = 1 / tiny;
  let d = 1 / b;
  let h = d;
  for (let i = 1; i < 10000; i++) {
    const an = -i * (i - a);
    b += 2;
    d = an * d + b;
    if (Math.abs(d) < tiny) d = tiny;
    c = b + an / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    const del = d * c;
    h *= del;
    if (Math.abs(del - 1) < 1e-16) break;
  }
  return lnPrefix + Math.log(h);
}

/** ln P(chi2_df > x). df = 2 has the closed form ln p = -x/2. */
export function lnChi2UpperTail(x: number, df: number): number {
  if (!(df > 0)) throw new RangeError(`chi-square needs df > 0, got ${df}`);
  if (!(x > 0)) return 0;
  if (df === 2) return -x / 2;
  return lnUpperGamma(df / 2, x / 2);
}

/** -log10 of the chi-square upper tail. */
export function negLog10Chi2UpperTail(x: number, df: number): number {
  return -lnChi2UpperTail(x, df) / LN10;
}

/**
 * The chi-square quantile with upper tail probability exp(lnP): the x with P(chi2_df > x) = p.
 * Used for the genomic-control lambda (1-df equivalent of a p-value). Bisection on ln p, which is
 * monotone in x; 200 steps reach double precision over the whole range.
 */
export function chi2UpperQuantile(lnP: number, df: number): number {
  if (lnP >= 0) return 0;
  let lo = 0;
  let hi = 1;
  while (lnChi2UpperTail(hi, df) > lnP) hi *= 2;
  for (let i = 0; i < 200; i++) {
    const mid = 0.5 * (lo + hi);
    if (lnChi2UpperTail(mid, df) > lnP) lo = mid;
    else hi = mid;
    if (hi - lo <= 1e-15 * hi) break;
  }
  return 0.5 * (lo + hi);
}

/** The median of chi2_1, used to scale lambda_GC. */
export const CHI2_1_MEDIAN = 0.454936423119572;

/**
 * A probability given by its natural log, written as text without underflow:
 * 1.234567e-05, or 3.141593e-512 when exp(lnP) is below the double range. Never "0".
 */
export function formatLnP(lnP: number, digits = 6): string {
  if (lnP >= 0) return (1).toExponential(digits);
  if (lnP > -700) return Math.exp(lnP).toExponential(digits);
  const log10p = lnP / LN10;
  let e = Math.floor(log10p);
  let m = Math.pow(10, log10p - e);
  if (Number(m.toFixed(digits)) >= 10) {
    m /= 10;
    e += 1;
  }
  return `${m.toFixed(digits)}e${e}`;
}
