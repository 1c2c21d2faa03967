/**
 * C printf's `%.Ne` and `%.Nf` for doubles, character for character as glibc prints them: the exact
 * binary value rounded to N digits with ties to even, the exponent signed and at least two digits
 * (`2.025923e-01`, `1.234567e+100`), `nan`, `inf`, `-0.000`.
 *
 * JavaScript's toExponential/toFixed also round the exact binary value, but break exact ties away
 * from zero (1234566.5.toExponential(6) is 1.234567e+6, C prints 1.234566e+06), so an exact tie is
 * detected and rounded with BigInt arithmetic; every other value takes the fast path.
 */

const VIEW = new DataView(new ArrayBuffer(8));

/** |x| = mantissa * 2^exponent exactly, for a finite x. */
function decompose(x: number): { mantissa: bigint; exponent: number } {
  VIEW.setFloat64(0, x);
  const high = VIEW.getUint32(0);
  const low = VIEW.getUint32(4);
  const biased = (high >>> 20) & 0x7ff;
  const fraction = (BigInt(high & 0xfffff) << 32n) | BigInt(low);
  if (biased === 0) return { mantissa: fraction, exponent: -1074 };
  return { mantissa: fraction | (1n << 52n), exponent: biased - 1075 };
}

/** |x| * 10^scale as an exact fraction numerator / denominator. */
function scaled(x: number, scale: number): { numerator: bigint; denominator: bigint } {
  const { mantissa, exponent } = decompose(x);
  let numerator = mantissa;
  let denominator = 1n;
  if (exponent >= 0) numerator <<= BigInt(exponent);
  else denominator <<= BigInt(-exponent);
  if (scale >= 0) numerator *= 10n ** BigInt(scale);
  else denominator *= 10n ** BigInt(-scale);
  return { numerator, denominator };
}

/** round(|x| * 10^scale) with ties to even, exactly. */
function roundScaled(x: number, scale: number): bigint {
  const { numerator, denominator } = scaled(x, scale);
  const whole = numerator / denominator;
  const twiceRest = 2n * (numerator % denominator);
  if (twiceRest > denominator || (twiceRest === denominator && whole % 2n === 1n)) return whole + 1n;
  return whole;
}

/** Whether |x| * 10^scale may lie within rounding distance of a half (then the exact path decides). */
function nearHalf(x: number, scale: number): boolean {
  const t = Math.abs(x) * Math.pow(10, scale);
  // Below 2^30 the product is within 4e-7 of the exact value, so a tie cannot hide from the test.
  if (!Number.isFinite(t) || t >= 2 ** 30) return true;
  const fraction = t - Math.floor(t);
  return Math.abs(fraction - 0.5) < 1e-6;
}

function special(x: number): string | undefined {
  if (Number.isNaN(x)) return 'nan';
  if (x === Infinity) return 'inf';
  if (x === -Infinity) return '-inf';
  return undefined;
}

const isNegative = (x: number): boolean => x < 0 || Object.is(x, -0);

/** C's `%.{digits}f`. */
export function formatFixedC(x: number, digits: number): string {
  const s = special(x);
  if (s !== undefined) return s;
  const sign = isNegative(x) ? '-' : '';
  const a = Math.abs(x);
  if (a < 1e21 && !nearHalf(a, digits)) return sign + a.toFixed(digits);
  const k = roundScaled(a, digits).toString().padStart(digits + 1, '0');
  return sign + (digits > 0 ? `${k.slice(0, k.length - digits)}.${k.slice(k.length - digits)}` : k);
}

/** The exponent part as C prints it: e-05, e+00, e-350. */
export function exponentC(e: number): string {
  return `e${e < 0 ? '-' : '+'}${String(Math.abs(e)).padStart(2, '0')}`;
}

/** floor(log10 |x|) exactly, for finite x != 0. */
function decimalExponent(a: number): number {
  let e = Math.floor(Math.log10(a));
  // log10 can be off by one next to a power of ten: check against the exact value.
  const atLeast = (p: number): boolean => {
    const { numerator, denominator } = scaled(a, -p);
    return numerator >= denominator;
  };
  while (!atLeast(e)) e--;
  while (atLeast(e + 1)) e++;
  return e;
}

/** C's `%.{digits}e`. */
export function formatExpC(x: number, digits: number): string {
  const s = special(x);
  if (s !== undefined) return s;
  const sign = isNegative(x) ? '-' : '';
  const a = Math.abs(x);
  if (a === 0) return `${sign}${(0).toFixed(digits)}${exponentC(0)}`;
  const js = a.toExponential(digits);
  const at = js.indexOf('e');
  let e = Number(js.slice(at + 1));
  if (!nearHalf(a, digits - e)) return sign + js.slice(0, at) + exponentC(e);
  e = decimalExponent(a);
  let k = roundScaled(a, digits - e);
  if (k === 10n ** BigInt(digits + 1)) {
    k /= 10n;
    e++;
  }
  const t = k.toString();
  return sign + t[0] + (digits > 0 ? `.${t.slice(1)}` : '') + exponentC(e);
}

/**
 * A p-value given as ln p, as C's `%.{digits}e` prints p: from exp(ln p) while p is a normal double,
 * and past the double range (p < 2.2e-308) from log10 p, so 1e-350 prints as 1.000000e-350 instead
 * of underflowing to 0 (as engine/stats/chisq.ts formatLnP does, with C's exponent).
 */
export function formatLnPC(lnP: number, digits = 6): string {
  if (Number.isNaN(lnP)) return 'nan';
  if (lnP >= 0) return formatExpC(1, digits);
  if (lnP > -708 || lnP === -Infinity) return formatExpC(Math.exp(lnP), digits);
  const log10p = lnP / Math.LN10;
  let e = Math.floor(log10p);
  let mantissa = formatFixedC(Math.pow(10, log10p - e), digits);
  if (mantissa.startsWith('10')) {
    e += 1;
    mantissa = formatFixedC(Math.pow(10, log10p - e), digits);
  }
  return mantissa + exponentC(e);
}
