/** Figure requests the Results screen builds, and the figure kinds the protocol knows. */
import { FIGURE_KINDS, type FigureRequestInput } from '../../../engine/protocol/figures.js';

/** Whether the protocol knows a figure kind. */
export function hasFigureKind(kind: string): boolean {
  return (FIGURE_KINDS as readonly string[]).includes(kind);
}

/**
 * The regional plot of a credible-set region: the region itself as the window, around its lead
 * `snp`, with the p line at the threshold and the set at `level` ringed.
 */
export function regionFigure(snp: string, region: { chr: string; start: number; end: number }, p: number, level: number): FigureRequestInput {
  return {
    kind: 'region',
    snp,
    region: { chr: region.chr, start: region.start, end: Math.max(region.end, region.start + 1) },
    widthMm: 183,
    ...(p > 0 && p < 1 ? { threshold: { kind: 'p' as const, p } } : {}),
    level,
  };
}
