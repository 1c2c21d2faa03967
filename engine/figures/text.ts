/**
 * Text measurement with the bundled font's metrics (Liberation Sans = Arial's), so layout made here
 * matches what every painter draws. Sizes in pt, lengths in mm.
 */
import { LIBERATION_SANS_BOLD, LIBERATION_SANS_REGULAR, type FontMetricsTable } from './font-metrics.js';
import { MM_PER_PT, type Box, type FontWeight, type TextAnchor, type TextBaseline, type TextItem } from './scene.js';

/** The font family name painters use for the bundled font. */
export const FONT_FAMILY = 'Liberation Sans';

function tableOf(weight: FontWeight): FontMetricsTable {
  return weight === 'bold' ? LIBERATION_SANS_BOLD : LIBERATION_SANS_REGULAR;
}

/** Width of `text` in mm at `sizePt`. */
export function textWidthMm(text: string, sizePt: number, weight: FontWeight = 'normal'): number {
  const t = tableOf(weight);
  let units = 0;
  for (const ch of text) units += t.widths[ch.codePointAt(0)!] ?? t.fallback;
  return (units / t.unitsPerEm) * sizePt * MM_PER_PT;
}

/** Height of capitals in mm at `sizePt`. */
export function capHeightMm(sizePt: number, weight: FontWeight = 'normal'): number {
  const t = tableOf(weight);
  return (t.capHeight / t.unitsPerEm) * sizePt * MM_PER_PT;
}

/** Depth below the baseline of descenders in mm. */
export function descentMm(sizePt: number, weight: FontWeight = 'normal'): number {
  const t = tableOf(weight);
  return (-t.descender / t.unitsPerEm) * sizePt * MM_PER_PT;
}

/** Offset from y to the baseline for a vertical placement (mm, positive = down). */
export function baselineShiftMm(baseline: TextBaseline, sizePt: number, weight: FontWeight = 'normal'): number {
  if (baseline === 'alphabetic') return 0;
  const cap = capHeightMm(sizePt, weight);
  return baseline === 'middle' ? cap / 2 : cap;
}

/** Offset from x to the start of the text for an anchor (mm). */
export function anchorShiftMm(anchor: TextAnchor, widthMm: number): number {
  return anchor === 'start' ? 0 : anchor === 'middle' ? -widthMm / 2 : -widthMm;
}

/**
 * The box a text item covers (capitals to descenders), unrotated or rotated by a multiple of 90
 * degrees. Used for overlap tests and to keep text inside the figure.
 */
export function textBox(t: Pick<TextItem, 'x' | 'y' | 'text' | 'sizePt' | 'anchor' | 'baseline' | 'weight' | 'rotate'>): Box {
  const w = textWidthMm(t.text, t.sizePt, t.weight);
  const cap = capHeightMm(t.sizePt, t.weight);
  const desc = descentMm(t.sizePt, t.weight);
  const x0 = anchorShiftMm(t.anchor, w);
  const base = baselineShiftMm(t.baseline, t.sizePt, t.weight);
  // Unrotated box relative to the anchor point.
  const local = { x: x0, y: base - cap, w, h: cap + desc };
  const r = (((t.rotate ?? 0) % 360) + 360) % 360;
  if (r === 90) return { x: t.x + local.y, y: t.y - (local.x + local.w), w: local.h, h: local.w };
  if (r === 270) return { x: t.x - (local.y + local.h), y: t.y + local.x, w: local.h, h: local.w };
  if (r === 180) return { x: t.x - (local.x + local.w), y: t.y - (local.y + local.h), w: local.w, h: local.h };
  return { x: t.x + local.x, y: t.y + local.y, w: local.w, h: local.h };
}

export function boxesOverlap(a: Box, b: Box, padMm = 0): boolean {
  return a.x < b.x + b.w + padMm && b.x < a.x + a.w + padMm && a.y < b.y + b.h + padMm && b.y < a.y + a.h + padMm;
}

/** Shorten `text` with an ellipsis until it fits in `maxMm`. */
export function fitText(text: string, maxMm: number, sizePt: number, weight: FontWeight = 'normal'): string {
  if (textWidthMm(text, sizePt, weight) <= maxMm) return text;
  let s = text;
  while (s.length > 1 && textWidthMm(s + '\u2026', sizePt, weight) > maxMm) s = s.slice(0, -1);
  return s + '\u2026';
}
