/** Nice axis ticks (steps of 1, 2 or 5 times a power of ten) and their labels. */

export interface Ticks {
  values: number[];
  labels: string[];
  /** The step between ticks. */
  step: number;
}

/** A step of 1, 2, 2.5 or 5 x 10^k close to span / target. */
export function niceStep(span: number, target: number): number {
  if (!(span > 0) || !Number.isFinite(span)) return 1;
  const raw = span / Math.max(1, target);
  const p = 10 ** Math.floor(Math.log10(raw));
  const f = raw / p;
  const m = f < 1.5 ? 1 : f < 2.25 ? 2 : f < 3.5 ? 2.5 : f < 7.5 ? 5 : 10;
  return m * p;
}

/** Decimals needed to print multiples of step exactly. */
export function stepDecimals(step: number): number {
  if (!(step > 0)) return 0;
  let d = 0;
  while (d < 12 && Math.abs(Math.round(step * 10 ** d) - step * 10 ** d) > 1e-9 * 10 ** d) d++;
  return d;
}

/** A tick label: a plain decimal with the step's decimals, '−' (U+2212) for minus. */
export function formatTick(v: number, decimals: number): string {
  const s = (Math.abs(v) < 1e-12 ? 0 : v).toFixed(decimals);
  return s.startsWith('-') ? '\u2212' + s.slice(1) : s;
}

/** Ticks covering [lo, hi] (inclusive, with a small tolerance), about `target` of them. */
export function niceTicks(lo: number, hi: number, target = 5): Ticks {
  if (!(hi > lo)) hi = lo + 1;
  const step = niceStep(hi - lo, target);
  const first = Math.ceil(lo / step - 1e-9);
  const last = Math.floor(hi / step + 1e-9);
  const dec = stepDecimals(step);
  const values: number[] = [];
  for (let k = first; k <= last; k++) values.push(Number((k * step).toFixed(dec)));
  return { values, labels: values.map((v) => formatTick(v, dec)), step };
}

/** [lo, hi] widened outwards to multiples of the nice step (for axes that should end on a tick). */
export function niceDomain(lo: number, hi: number, target = 5): [number, number] {
  if (!(hi > lo)) return [lo - 0.5, lo + 0.5];
  const step = niceStep(hi - lo, target);
  return [Math.floor(lo / step + 1e-9) * step, Math.ceil(hi / step - 1e-9) * step];
}
