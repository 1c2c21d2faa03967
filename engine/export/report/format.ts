/**
 * How the report writes numbers, as plain text (the methods paragraph) and as HTML: counts with
 * thousands separators, fixed and significant digits, p-values in scientific notation, bytes,
 * durations. One place, so the page, its print and the paragraph show the same figures.
 */

/** A count with thousands separators: 12,226. */
export function formatCount(n: number): string {
  return Number.isFinite(n) ? Math.round(n).toLocaleString('en-US') : 'NA';
}

export function formatFixed(x: number | null | undefined, digits: number): string {
  return x === null || x === undefined || !Number.isFinite(x) ? 'NA' : x.toFixed(digits);
}

export function formatSig(x: number | null | undefined, digits: number): string {
  return x === null || x === undefined || !Number.isFinite(x) ? 'NA' : x.toPrecision(digits);
}

/** Mantissa and exponent of a p-value (or any positive number), the mantissa to `digits` significant digits. */
export function sciParts(x: number, digits = 2): { mantissa: string; exponent: number } {
  const [m, e] = x.toExponential(digits - 1).split('e') as [string, string];
  return { mantissa: m, exponent: Number(e) };
}

/** Mantissa and exponent of the p-value 10^-negLog10P, also below the double range (1e-400). */
export function sciPartsOfNegLog10(negLog10P: number, digits = 2): { mantissa: string; exponent: number } {
  if (negLog10P < 300) return sciParts(10 ** -negLog10P, digits);
  let exponent = Math.floor(-negLog10P);
  let mantissa = (10 ** (-negLog10P - exponent)).toFixed(digits - 1);
  if (Number(mantissa) >= 10) {
    exponent += 1;
    mantissa = (1).toFixed(digits - 1);
  }
  return { mantissa, exponent };
}

/** A p-value as plain text: 0.0123, 3.4 × 10^-12. */
export function formatP(p: number, digits = 2): string {
  if (!Number.isFinite(p)) return 'NA';
  if (p >= 1e-3) return p.toPrecision(digits);
  const { mantissa, exponent } = sciParts(p, digits);
  return `${mantissa} × 10^${exponent}`;
}

/** A threshold such as 5e-8 in words for text: 5 × 10^-8 (a mantissa of 1 left out: 10^-5). */
export function formatThreshold(p: number): string {
  if (p >= 1e-3) return String(p);
  const { mantissa, exponent } = sciParts(p, 3);
  const m = String(Number(mantissa));
  return m === '1' ? `10^${exponent}` : `${m} × 10^${exponent}`;
}

/** A size in bytes: 5,929,613 bytes (5.9 MB). */
export function formatBytes(n: number): string {
  const units: [number, string][] = [
    [1e9, 'GB'],
    [1e6, 'MB'],
    [1e3, 'kB'],
  ];
  for (const [size, unit] of units) if (n >= size) return `${formatCount(n)} bytes (${(n / size).toFixed(1)} ${unit})`;
  return `${formatCount(n)} bytes`;
}

/** A wall time: 4.6 s, 3 min 12 s, 1 h 05 min. */
export function formatSeconds(s: number): string {
  if (!Number.isFinite(s)) return 'NA';
  if (s < 60) return `${s.toFixed(1)} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min ${String(Math.round(s % 60)).padStart(2, '0')} s`;
  return `${Math.floor(s / 3600)} h ${String(Math.round((s % 3600) / 60)).padStart(2, '0')} min`;
}

/** A percentage of a fraction: 0.05 -> 5%. */
export function formatPercent(x: number): string {
  return `${Number((x * 100).toPrecision(6))}%`;
}

/** An ISO time as 'YYYY-MM-DD HH:MM:SS UTC'. */
export function formatTime(iso: string | null): string {
  if (!iso) return '–';
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : `${d.toISOString().slice(0, 19).replace('T', ' ')} UTC`;
}
