/**
 * Units on the command line: a length in base pairs ('500kb', '1.5Mb', '250000', '2e6bp') and a
 * p-value threshold ('5e-8', '0.001', or 'bonferroni': 0.05 / the number of SNPs tested).
 * Bad values are UsageErrors naming the flag.
 */
import { UsageError } from './report.js';

const BP_UNITS: Record<string, number> = { '': 1, b: 1, bp: 1, k: 1e3, kb: 1e3, kbp: 1e3, m: 1e6, mb: 1e6, mbp: 1e6, g: 1e9, gb: 1e9, gbp: 1e9 };

/** A length in base pairs: a number with an optional unit bp, kb or Mb (any case). Whole base pairs only. */
export function parseBp(text: string, flag = 'window'): number {
  const m = /^\s*((?:\d+\.?\d*|\.\d+)(?:e[-+]?\d+)?)\s*([a-z]*)\s*$/i.exec(text);
  const unit = m ? BP_UNITS[m[2]!.toLowerCase()] : undefined;
  if (!m || unit === undefined) {
    throw new UsageError(`--${flag} must be a length such as 500kb, 1.5Mb or 250000 (base pairs), got '${text}'`);
  }
  const bp = Number(m[1]) * unit;
  const whole = Math.round(bp);
  if (!Number.isFinite(bp) || Math.abs(bp - whole) > 1e-6 * Math.max(1, bp)) {
    throw new UsageError(`--${flag} must be a whole number of base pairs, got '${text}' (${bp} bp)`);
  }
  return whole;
}

/** A p-value threshold: a number in (0, 1], or Bonferroni's 0.05 / m for m tested SNPs. */
export type PThreshold = { kind: 'p'; p: number } | { kind: 'bonferroni'; alpha: number };

export function parsePThreshold(text: string, flag = 'p'): PThreshold {
  const t = text.trim();
  if (/^bonferroni$/i.test(t)) return { kind: 'bonferroni', alpha: 0.05 };
  const p = t === '' ? NaN : Number(t);
  if (!(p > 0 && p <= 1)) throw new UsageError(`--${flag} must be a p-value in (0, 1] such as 5e-8, or bonferroni, got '${text}'`);
  return { kind: 'p', p };
}

/** The threshold as a p-value, for a run that tested `tested` SNPs. */
export function thresholdP(t: PThreshold, tested: number): number {
  return t.kind === 'p' ? t.p : t.alpha / Math.max(1, tested);
}

/** How a threshold reads in messages: '5e-8', 'bonferroni 0.05/10768 = 4.64e-6'. */
export function describeThreshold(t: PThreshold, tested: number): string {
  const short = (p: number): string => (p < 1e-3 ? p.toExponential() : String(p));
  return t.kind === 'p' ? short(t.p) : `bonferroni ${t.alpha}/${tested} = ${Number(thresholdP(t, tested).toPrecision(3)).toExponential()}`;
}
