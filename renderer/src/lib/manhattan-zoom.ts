/**
 * What a drag across the Manhattan plot's x axis zooms to: the chromosome most of the dragged
 * points are on, and the base pairs under the drag's ends. The scene gives only positions in mm,
 * so the bp scale is read back from the points: along one chromosome x is linear in position (in
 * the genome view and the chromosome view alike), fixed by its first and last placed SNPs.
 */

export interface ZoomSeries {
  chrNames: string[];
  /** Per row: index into chrNames. */
  chr: ArrayLike<number>;
  /** Per row: bp (negative: unknown). */
  pos: ArrayLike<number>;
}

export interface ZoomPoints {
  /** Point centres in mm. */
  x: ArrayLike<number>;
  /** Per point: its row in the series. */
  id: ArrayLike<number>;
}

export interface ZoomRegion {
  chr: string;
  start: number;
  end: number;
}

/** The region under [x0Mm, x1Mm], or null when no placed point lies under it. */
export function regionUnderDrag(series: ZoomSeries, points: ZoomPoints, x0Mm: number, x1Mm: number): ZoomRegion | null {
  const lo = Math.min(x0Mm, x1Mm);
  const hi = Math.max(x0Mm, x1Mm);
  const counts = new Int32Array(series.chrNames.length);
  for (let i = 0; i < points.x.length; i++) {
    const x = points.x[i]!;
    const row = points.id[i]!;
    if (x >= lo && x <= hi && series.pos[row]! >= 0) counts[series.chr[row]!]! += 1;
  }
  let chr = -1;
  for (let c = 0; c < counts.length; c++) if (counts[c]! > 0 && (chr < 0 || counts[c]! > counts[chr]!)) chr = c;
  if (chr < 0) return null;
  // The chromosome's first and last placed SNPs among the points fix its bp-to-mm line.
  let minPos = Infinity;
  let maxPos = -Infinity;
  let xAtMin = 0;
  let xAtMax = 0;
  for (let i = 0; i < points.x.length; i++) {
    const row = points.id[i]!;
    if (series.chr[row] !== chr) continue;
    const p = series.pos[row]!;
    if (p < 0) continue;
    if (p < minPos) {
      minPos = p;
      xAtMin = points.x[i]!;
    }
    if (p > maxPos) {
      maxPos = p;
      xAtMax = points.x[i]!;
    }
  }
  const name = series.chrNames[chr]!;
  if (maxPos === minPos || xAtMax === xAtMin) return { chr: name, start: Math.max(0, Math.floor(minPos - 5_000)), end: Math.ceil(maxPos + 5_000) };
  const bpPerMm = (maxPos - minPos) / (xAtMax - xAtMin);
  const at = (x: number): number => minPos + (x - xAtMin) * bpPerMm;
  const start = Math.max(0, Math.floor(Math.max(minPos, at(lo))));
  const end = Math.ceil(Math.min(maxPos, at(hi)));
  return { chr: name, start, end: Math.max(end, start + 1) };
}
