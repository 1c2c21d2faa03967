/**
 * The Bayesian numbers of a run as the Results screen writes them: log10 Bayes factors to two
 * decimals (as −log10 p), probabilities (PPA, PIP) to three decimals with the ends written as
 * bounds, heritability to three decimals, regions in Mb, the prior probability as '1 in 10,000'.
 * The report writes the same numbers the same way (engine/export/report/html.ts).
 */
import { formatPFromNegLog10 } from './format-p.js';

const MINUS = '−';

function isNum(v: number | null | undefined): v is number {
  return v !== null && v !== undefined && Number.isFinite(v);
}

/** log10 BF: '7.52', '−0.31'; null (a run recorded before Bayes factors) as '—'. */
export function formatLog10Bf(v: number | null | undefined): string {
  if (!isNum(v)) return '—';
  const s = v.toFixed(2);
  return s === '-0.00' ? '0.00' : s.replace('-', MINUS);
}

/**
 * A probability in [0, 1] (PPA, PIP): '0.412'; below 0.001 as p is written ('3.2 × 10⁻⁵') for a
 * PPA, or '< 0.001' for a PIP (`small`: 'bound'); from 0.9995 up as '> 0.999'; null as '—'.
 */
export function formatProbability(v: number | null | undefined, small: 'scientific' | 'bound' = 'scientific'): string {
  if (!isNum(v)) return '—';
  if (v >= 0.9995) return '> 0.999';
  if (v >= 0.001 || v === 0) return v.toFixed(3);
  if (small === 'bound') return '< 0.001';
  return formatPFromNegLog10(-Math.log10(v));
}

/** A p-value threshold as typed in a box ('5e-8'), from the number. */
export function thresholdText(p: number): string {
  return p !== 0 && Math.abs(p) < 1e-3 ? p.toExponential() : String(p);
}

/** Base pairs as Mb to two decimals ('94.12'). */
export function formatMb(bp: number): string {
  return (bp / 1e6).toFixed(2);
}

/** A region as 'chr 11: 94.12–95.30 Mb'. */
export function regionWords(chr: string, start: number, end: number): string {
  return `chr ${chr}: ${formatMb(start)}–${formatMb(end)} Mb`;
}

/** A prior probability as '1 in 10,000' (1e-4), or '0.3' when it is not one in a round number. */
export function priorWords(prior: number): string {
  if (!(prior > 0)) return String(prior);
  const inverse = 1 / prior;
  const rounded = Math.round(inverse);
  if (rounded >= 2 && Math.abs(inverse - rounded) / inverse < 1e-9) return `1 in ${rounded.toLocaleString('en-US')}`;
  return String(prior);
}

/** Heritability and its bounds: '0.412'; null (not known) as '—'. */
export function formatH2(v: number | null | undefined): string {
  return isNum(v) ? v.toFixed(3) : '—';
}

/** An interval '0.312 – 0.504' (either end '—' when not known). */
export function formatInterval(lower: number | null | undefined, upper: number | null | undefined): string {
  return `${formatH2(lower)} – ${formatH2(upper)}`;
}
