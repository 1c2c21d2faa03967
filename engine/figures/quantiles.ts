/**
 * Sample quantiles and box-plot statistics. Quantiles are R's default (type 7): for sorted values
 * x[0..n-1] and probability p, h = (n - 1) p and Q(p) = x[floor h] + (h - floor h) (x[floor h + 1] - x[floor h]).
 */

/** Type-7 quantile of ascending, finite `sorted` values (NaN when empty). */
export function quantileSorted(sorted: ArrayLike<number>, p: number): number {
  const n = sorted.length;
  if (n === 0) return Number.NaN;
  const h = (n - 1) * Math.max(0, Math.min(1, p));
  const lo = Math.floor(h);
  const hi = Math.min(n - 1, lo + 1);
  return sorted[lo]! + (h - lo) * (sorted[hi]! - sorted[lo]!);
}

/** The finite values of `values`, ascending, as a new array. */
export function sortedFinite(values: ArrayLike<number>): Float64Array {
  let count = 0;
  for (let i = 0; i < values.length; i++) if (Number.isFinite(values[i]!)) count++;
  const out = new Float64Array(count);
  let k = 0;
  for (let i = 0; i < values.length; i++) if (Number.isFinite(values[i]!)) out[k++] = values[i]!;
  return out.sort();
}

export interface BoxStats {
  /** Finite values counted. */
  n: number;
  q1: number;
  median: number;
  q3: number;
  /** Whisker ends: the most extreme values within 1.5 IQR of the box. */
  whiskerLow: number;
  whiskerHigh: number;
  mean: number;
  min: number;
  max: number;
}

/** Tukey box-plot statistics of the finite values (every field NaN and n = 0 when there are none). */
export function boxStats(values: ArrayLike<number>): BoxStats {
  const sorted = sortedFinite(values);
  const n = sorted.length;
  if (n === 0) {
    const nan = Number.NaN;
    return { n: 0, q1: nan, median: nan, q3: nan, whiskerLow: nan, whiskerHigh: nan, mean: nan, min: nan, max: nan };
  }
  const q1 = quantileSorted(sorted, 0.25);
  const median = quantileSorted(sorted, 0.5);
  const q3 = quantileSorted(sorted, 0.75);
  const reach = 1.5 * (q3 - q1);
  let whiskerLow = q1;
  let whiskerHigh = q3;
  let sum = 0;
  for (let i = 0; i < n; i++) {
    const v = sorted[i]!;
    sum += v;
    if (v >= q1 - reach && v < whiskerLow) whiskerLow = v;
    if (v <= q3 + reach && v > whiskerHigh) whiskerHigh = v;
  }
  return { n, q1, median, q3, whiskerLow, whiskerHigh, mean: sum / n, min: sorted[0]!, max: sorted[n - 1]! };
}

/**
 * Type-7 quantile of `values` by selection (average O(n)), without sorting them all. Reorders
 * `values` in place; they must be finite.
 */
export function quantileInPlace(values: Float64Array, p: number): number {
  const n = values.length;
  if (n === 0) return Number.NaN;
  const h = (n - 1) * Math.max(0, Math.min(1, p));
  const k = Math.floor(h);
  const low = selectInPlace(values, k);
  if (k + 1 >= n || h === k) return low;
  // After selection everything past k is >= values[k]: the next order statistic is their minimum.
  let next = Infinity;
  for (let i = k + 1; i < n; i++) if (values[i]! < next) next = values[i]!;
  return low + (h - k) * (next - low);
}

/** The k-th smallest value (from 0); afterwards values[0..k-1] <= values[k] <= values[k+1..]. */
function selectInPlace(values: Float64Array, k: number): number {
  let left = 0;
  let right = values.length - 1;
  while (right > left) {
    // Median of three as the pivot.
    const mid = (left + right) >>> 1;
    const a = values[left]!;
    const b = values[mid]!;
    const c = values[right]!;
    const pivot = a < b ? (b < c ? b : a < c ? c : a) : a < c ? a : b < c ? c : b;
    let i = left;
    let j = right;
    while (i <= j) {
      while (values[i]! < pivot) i++;
      while (values[j]! > pivot) j--;
      if (i <= j) {
        const t = values[i]!;
        values[i] = values[j]!;
        values[j] = t;
        i++;
        j--;
      }
    }
    if (k <= j) right = j;
    else if (k >= i) left = i;
    else return values[k]!;
  }
  return values[k]!;
}
