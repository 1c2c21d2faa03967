/**
 * Colours. The default is Okabe and Ito's colour-blind-safe palette; `grey` gives shades that stay
 * apart when printed in black and white. Every figure reads in grey: series differ in lightness as
 * well as hue, and lines differ in dash pattern.
 */

export type PaletteName = 'okabe-ito' | 'grey';

/** Okabe & Ito (2008), in their order, black first. */
export const OKABE_ITO = ['#000000', '#E69F00', '#56B4E9', '#009E73', '#F0E442', '#0072B2', '#D55E00', '#CC79A7'] as const;

/** Okabe-Ito without black and yellow, ordered so neighbours differ in lightness: for categories on white. */
const OKABE_ITO_CATEGORICAL = ['#0072B2', '#E69F00', '#009E73', '#CC79A7', '#56B4E9', '#D55E00', '#000000', '#F0E442'];

const GREYS = ['#000000', '#7a7a7a', '#3d3d3d', '#b0b0b0', '#5c5c5c', '#999999', '#262626', '#c8c8c8'];

/** Up to n distinct category colours (cycling past the palette's length). */
export function categoricalColours(name: PaletteName, n: number): string[] {
  const base = name === 'grey' ? GREYS : OKABE_ITO_CATEGORICAL;
  return Array.from({ length: n }, (_, i) => base[i % base.length]!);
}

/** The two alternating colours of a Manhattan plot's chromosomes. */
export function alternatingColours(name: PaletteName): [string, string] {
  return name === 'grey' ? ['#1a1a1a', '#8c8c8c'] : ['#0072B2', '#56B4E9'];
}

/** Colour of highlights, lead-SNP markers and significance lines. */
export function accentColour(name: PaletteName): string {
  return name === 'grey' ? '#000000' : '#D55E00';
}

export function parseHex(c: string): [number, number, number] {
  const h = c.startsWith('#') ? c.slice(1) : c;
  const v = parseInt(h.length === 3 ? h.replace(/./g, (d) => d + d) : h, 16);
  return [(v >> 16) & 255, (v >> 8) & 255, v & 255];
}

export function toHex(r: number, g: number, b: number): string {
  const c = (x: number): string => Math.max(0, Math.min(255, Math.round(x))).toString(16).padStart(2, '0');
  return `#${c(r)}${c(g)}${c(b)}`;
}

/**
 * A sequential ramp for continuous values, monotone in lightness (so it reads in grey): viridis-like
 * stops for 'okabe-ito', black to light grey for 'grey'. t in [0, 1].
 */
const VIRIDIS = ['#440154', '#3b528b', '#21918c', '#5ec962', '#fde725'];
const GREY_RAMP = ['#111111', '#e8e8e8'];

export function sequentialColour(name: PaletteName, t: number): [number, number, number] {
  const stops = name === 'grey' ? GREY_RAMP : VIRIDIS;
  const u = Math.max(0, Math.min(1, Number.isFinite(t) ? t : 0)) * (stops.length - 1);
  const i = Math.min(stops.length - 2, Math.floor(u));
  const f = u - i;
  const a = parseHex(stops[i]!);
  const b = parseHex(stops[i + 1]!);
  return [a[0] + (b[0] - a[0]) * f, a[1] + (b[1] - a[1]) * f, a[2] + (b[2] - a[2]) * f];
}

/**
 * A diverging ramp around zero for kinship heatmaps: blue (negative) - white (0) - red (positive)
 * in colour, white - grey - black in grey. t in [-1, 1].
 */
export function divergingColour(name: PaletteName, t: number): [number, number, number] {
  const u = Math.max(-1, Math.min(1, Number.isFinite(t) ? t : 0));
  if (name === 'grey') {
    const v = 255 - (u + 1) * 0.5 * 225;
    return [v, v, v];
  }
  const white: [number, number, number] = [247, 247, 247];
  const end = u < 0 ? parseHex('#2166ac') : parseHex('#b2182b');
  const f = Math.abs(u);
  return [white[0] + (end[0] - white[0]) * f, white[1] + (end[1] - white[1]) * f, white[2] + (end[2] - white[2]) * f];
}
