/**
 * The Beta distribution's regularised incomplete beta function I_x(a, b) and its inverse (the
 * quantile), accurate far into the lower tail: the QQ plot's 95% band needs the 2.5% quantile of
 * Beta(1, 10^6), about 2.5e-8, to full relative precision.
 *
 * - I_x(a, b) by the continued fraction of Didonato & Morris / Numerical Recipes (modified Lentz),
 *   on the side of the mean where it converges fast, the other side by I_x(a, b) = 1 − I_{1−x}(b, a).
 *   The prefactor x^a (1 − x)^b / B(a, b) is computed in log space; for large a and b it is written
 *   around the mode (a·log(x/x0) + b·log(y/y0) with Stirling's corrections) so nothing large cancels.
 * - The quantile: closed forms for Beta(1, b) (1 − (1 − q)^(1/b)) and Beta(a, 1) (q^(1/a)); otherwise
 *   a starting value (Abramowitz & Stegun 26.5.22, or the small-parameter tail forms) refined by a
 *   safeguarded Newton iteration inside a shrinking bracket, bisecting (geometrically for the tails)
 *   whenever a Newton step would leave it or converge too slowly.
 */

const HALF_LOG_TWO_PI = 0.5 * Math.log(2 * Math.PI);

/** Stirling's series remainder: log Γ(x) − [(x − ½) log x − x + ½ log 2π], for x ≥ 10. */
function stirlingCorrection(x: number): number {
  const inverse = 1 / x;
  const inverseSquared = inverse * inverse;
  // Bernoulli terms B_2k / (2k (2k − 1) x^(2k − 1)), k = 1..7; the next is below 1e-17 at x = 10.
  const tail = inverseSquared * (-691 / 360360 + inverseSquared * (1 / 156));
  return inverse * (1 / 12 + inverseSquared * (-1 / 360 + inverseSquared * (1 / 1260 + inverseSquared * (-1 / 1680 + inverseSquared * (1 / 1188 + tail)))));
}

/** log Γ(x) for x > 0 (relative error about 1e-15). */
export function logGamma(x: number): number {
  if (!(x > 0)) return x === 0 ? Infinity : NaN;
  if (x >= 10) return (x - 0.5) * Math.log(x) - x + HALF_LOG_TWO_PI + stirlingCorrection(x);
  // Shift up: Γ(x) = Γ(x + n) / (x (x + 1) ... (x + n − 1)).
  let product = 1;
  let shifted = x;
  while (shifted < 10) {
    product *= shifted;
    shifted += 1;
  }
  return logGamma(shifted) - Math.log(product);
}

/** log B(a, b) without cancelling large log-gammas when one or both parameters are large. */
export function logBeta(a: number, b: number): number {
  const small = Math.min(a, b);
  const large = Math.max(a, b);
  if (large < 10) return logGamma(a) + logGamma(b) - logGamma(a + b);
  const sum = a + b;
  if (small < 10) {
    // log Γ(large) − log Γ(small + large) by Stirling, differenced analytically.
    const gammaRatio = -(large - 0.5) * Math.log1p(small / large) - small * Math.log(sum) + small + stirlingCorrection(large) - stirlingCorrection(sum);
    return logGamma(small) + gammaRatio;
  }
  return HALF_LOG_TWO_PI + (a - 0.5) * Math.log(a / sum) + (b - 0.5) * Math.log(b / sum) - 0.5 * Math.log(sum) + stirlingCorrection(a) + stirlingCorrection(b) - stirlingCorrection(sum);
}

/**
 * log( x^a (1 − x)^b / B(a, b) ), the prefactor of the continued fraction, from x itself (never from
 * a rounded 1 − x: b·log(1 − x) would lose x's digits when x is tiny and b large).
 */
function logPrefactor(x: number, a: number, b: number): number {
  if (Math.min(a, b) >= 10) {
    // Around the mode x0 = a / (a + b): a·log(x/x0) + b·log(y/y0) + ½ log(ab / (a + b)) − ½ log 2π − Δ.
    const sum = a + b;
    const x0 = a / sum;
    const y0 = b / sum;
    const termA = a * Math.log1p((x - x0) / x0);
    const termB = b * Math.log1p((x0 - x) / y0);
    return termA + termB + 0.5 * Math.log((a * b) / sum) - HALF_LOG_TWO_PI - (stirlingCorrection(a) + stirlingCorrection(b) - stirlingCorrection(sum));
  }
  return a * Math.log(x) + b * Math.log1p(-x) - logBeta(a, b);
}

const TINY = 1e-300;
const EPSILON = 1e-16;

/**
 * The continued fraction for I_x(a, b) / prefactor · a (Numerical Recipes' betacf, modified Lentz).
 * `y` is 1 − x, given so that the first term 1 − (a + b) x / (a + 1) does not cancel when x is near 1.
 */
function continuedFraction(x: number, y: number, a: number, b: number): number {
  const maxIterations = 1000 + Math.ceil(20 * Math.sqrt(Math.max(a, b)));
  const sum = a + b;
  let c = 1;
  // 1 − (a + b) x / (a + 1), from whichever of x and y is the precise (smaller) one.
  let d = x <= y ? 1 - (sum * x) / (a + 1) : (1 - b + sum * y) / (a + 1);
  if (Math.abs(d) < TINY) d = TINY;
  d = 1 / d;
  let fraction = d;
  for (let m = 1; m <= maxIterations; m++) {
    const twoM = 2 * m;
    // Even step.
    let coefficient = (m * (b - m) * x) / ((a + twoM - 1) * (a + twoM));
    d = 1 + coefficient * d;
    if (Math.abs(d) < TINY) d = TINY;
    c = 1 + coefficient / c;
    if (Math.abs(c) < TINY) c = TINY;
    d = 1 / d;
    fraction *= d * c;
    // Odd step.
    coefficient = (-(a + m) * (sum + m) * x) / ((a + twoM) * (a + twoM + 1));
    d = 1 + coefficient * d;
    if (Math.abs(d) < TINY) d = TINY;
    c = 1 + coefficient / c;
    if (Math.abs(c) < TINY) c = TINY;
    d = 1 / d;
    const delta = d * c;
    fraction *= delta;
    if (Math.abs(delta - 1) < EPSILON) return fraction;
  }
  return fraction;
}

/**
 * Both tails at once: [I_x(a, b), 1 − I_x(a, b)], each with full relative precision when it is the
 * smaller one (the continued fraction gives the tail on its own side of the mean directly).
 */
export function incompleteBetaTails(x: number, a: number, b: number): [number, number] {
  if (!(a > 0) || !(b > 0) || Number.isNaN(x)) return [NaN, NaN];
  if (x <= 0) return [0, 1];
  if (x >= 1) return [1, 0];
  if (x < (a + 1) / (a + b + 2)) {
    const lower = (Math.exp(logPrefactor(x, a, b)) * continuedFraction(x, 1 - x, a, b)) / a;
    return [lower, 1 - lower];
  }
  // The prefactor is symmetric (x^a y^b / B(a, b) = y^b x^a / B(b, a)): take it from the precise x.
  const upper = (Math.exp(logPrefactor(x, a, b)) * continuedFraction(1 - x, x, b, a)) / b;
  return [1 - upper, upper];
}

/** The regularised incomplete beta function I_x(a, b) = P(X ≤ x) for X ~ Beta(a, b). */
export function incompleteBeta(x: number, a: number, b: number): number {
  return incompleteBetaTails(x, a, b)[0];
}

/** The Beta(a, b) density at x. */
export function betaDensity(x: number, a: number, b: number): number {
  if (!(x > 0) || !(x < 1)) return 0;
  return Math.exp((a - 1) * Math.log(x) + (b - 1) * Math.log1p(-x) - logBeta(a, b));
}

/** A first guess for the quantile (Numerical Recipes' invbetai). */
function initialGuess(q: number, a: number, b: number): number {
  if (a >= 1 && b >= 1) {
    const tailProbability = q < 0.5 ? q : 1 - q;
    const t = Math.sqrt(-2 * Math.log(tailProbability));
    let z = (2.30753 + t * 0.27061) / (1 + t * (0.99229 + t * 0.04481)) - t;
    if (q < 0.5) z = -z;
    const al = (z * z - 3) / 6;
    const h = 2 / (1 / (2 * a - 1) + 1 / (2 * b - 1));
    const w = (z * Math.sqrt(al + h)) / h - (1 / (2 * b - 1) - 1 / (2 * a - 1)) * (al + 5 / 6 - 2 / (3 * h));
    return a / (a + b * Math.exp(2 * w));
  }
  const logA = Math.log(a / (a + b));
  const logB = Math.log(b / (a + b));
  const t = Math.exp(a * logA) / a;
  const u = Math.exp(b * logB) / b;
  const w = t + u;
  return q < t / w ? Math.pow(a * w * q, 1 / a) : 1 - Math.pow(b * w * (1 - q), 1 / b);
}

export interface BetaQuantileOptions {
  /** Use the closed forms for a = 1 and b = 1 (default true). False forces the iterative solver. */
  closedForms?: boolean;
}

/**
 * The q-quantile of Beta(a, b): the x with I_x(a, b) = q. Relative precision about 1e-13 in x
 * (absolute near 1), also deep in the lower tail.
 */
export function betaQuantile(q: number, a: number, b: number, options: BetaQuantileOptions = {}): number {
  if (!(a > 0) || !(b > 0) || !(q >= 0) || !(q <= 1)) return NaN;
  if (q === 0) return 0;
  if (q === 1) return 1;
  if (options.closedForms !== false) {
    if (a === 1) return -Math.expm1(Math.log1p(-q) / b);
    if (b === 1) return Math.exp(Math.log(q) / a);
  }
  // Solve on the tail that is small at q, where the tail is computed to full relative precision.
  const useLower = q <= 0.5;
  const target = useLower ? q : 1 - q;
  const residual = (x: number): number => {
    const [lower, upper] = incompleteBetaTails(x, a, b);
    return useLower ? lower - target : target - upper;
  };
  let lo = 0;
  let hi = 1;
  let x = Math.min(1 - 1e-12, Math.max(1e-300, initialGuess(q, a, b)));
  if (!Number.isFinite(x)) x = 0.5;
  for (let iteration = 0; iteration < 300; iteration++) {
    const f = residual(x);
    if (f === 0) return x;
    if (f < 0) lo = x;
    else hi = x;
    const density = betaDensity(x, a, b);
    let next = density > 0 ? x - f / density : NaN;
    // Newton's step must land strictly inside the bracket and shrink it; otherwise bisect.
    if (!(next > lo && next < hi)) {
      next = lo > 0 && hi / lo > 4 ? Math.sqrt(lo * hi) : lo === 0 && hi < 0.25 ? hi / 16 : 0.5 * (lo + hi);
    }
    if (Math.abs(next - x) <= 1e-15 * Math.max(x, next) || hi - lo <= 2e-16 * hi) return next;
    x = next;
  }
  return x;
}
