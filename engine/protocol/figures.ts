/**
 * What a figure export asks for: one schema, whether the request comes from CLI flags, the UI or a
 * report. Sizes follow journals' columns (single 89 mm, 1.5 columns 120 mm, double 183 mm); raster
 * resolutions 300, 600 or 1000 dpi (any value from 72 to 2400 is accepted).
 */
import { z } from 'zod';

export const FIGURE_KINDS = ['manhattan', 'qq', 'pca', 'kinship', 'region', 'genotype', 'heritability'] as const;
export const figureKindSchema = z.enum(FIGURE_KINDS);
export type FigureKindName = z.infer<typeof figureKindSchema>;

export const EXPORT_FORMATS = ['png', 'tiff', 'svg', 'pdf', 'eps'] as const;
export const exportFormatSchema = z.enum(EXPORT_FORMATS);

/** Journal column widths in mm. */
export const COLUMN_WIDTHS_MM = { single: 89, 'one-and-half': 120, double: 183 } as const;

/** Each figure's width when none is asked for: genome-wide plots across the page, the rest in a column. */
export const DEFAULT_WIDTH_MM: Record<FigureKindName, number> = {
  manhattan: COLUMN_WIDTHS_MM.double,
  region: COLUMN_WIDTHS_MM.double,
  kinship: COLUMN_WIDTHS_MM['one-and-half'],
  qq: COLUMN_WIDTHS_MM.single,
  pca: COLUMN_WIDTHS_MM.single,
  genotype: COLUMN_WIDTHS_MM.single,
  heritability: COLUMN_WIDTHS_MM.single,
};

export const thresholdSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('genome-wide') }),
  z.object({ kind: z.literal('bonferroni'), m: z.number().int().positive(), alpha: z.number().gt(0).lt(1).optional() }),
  z.object({ kind: z.literal('p'), p: z.number().gt(0).lt(1) }),
]);

export const figureRequestSchema = z
  .object({
    kind: figureKindSchema,
    /** Default: DEFAULT_WIDTH_MM of the kind. */
    widthMm: z.number().min(30).max(500).optional(),
    heightMm: z.number().min(20).max(800).optional(),
    palette: z.enum(['okabe-ito', 'grey']).default('okabe-ito'),
    title: z.string().max(300).optional(),
    /** Manhattan: the main line ('genome-wide' 5e-8 with a suggestive 1e-5 line, Bonferroni, or a p). */
    threshold: thresholdSchema.optional(),
    /** Manhattan: a Benjamini-Hochberg line at this q. */
    fdr: z.number().gt(0).lt(1).optional(),
    /** Manhattan: SNP IDs to highlight. */
    highlight: z.array(z.string()).max(100_000).optional(),
    /** Manhattan: one chromosome only. */
    chromosome: z.string().min(1).optional(),
    /** Manhattan: the chromosomes in this order first (the rest after them, in natural order). */
    chromosomeOrder: z.array(z.string().min(1)).max(100_000).optional(),
    /** Manhattan: a region only. Region plot: the window (start..end on the SNP's chromosome), in place of windowBp around the SNP. */
    region: z.object({ chr: z.string().min(1), start: z.number().nonnegative(), end: z.number().positive() }).optional(),
    /** Region and genotype plots: the SNP (ID or chr:pos); default the run's top hit. */
    snp: z.string().min(1).optional(),
    /** Region plot: half-width of the window in bp. */
    windowBp: z.number().int().positive().max(50_000_000).default(500_000),
    /** Region plot: the level of the window's credible set ringed in it (default 0.95). */
    level: z.number().min(0.5).max(0.999).optional(),
    /** PCA: colour by this sheet column. */
    colourBy: z.string().min(1).optional(),
    /** PCA: which PCs (1-based). */
    pcs: z.tuple([z.number().int().min(1).max(10), z.number().int().min(1).max(10)]).default([1, 2]),
    /** Genotype plot: covariate-adjusted phenotype. */
    adjusted: z.boolean().default(false),
  })
  .strict()
  .transform((r) => ({ ...r, widthMm: r.widthMm ?? DEFAULT_WIDTH_MM[r.kind] }));

export type FigureRequest = z.output<typeof figureRequestSchema>;
export type FigureRequestInput = z.input<typeof figureRequestSchema>;

export const exportOptionsSchema = z
  .object({
    format: exportFormatSchema,
    dpi: z.number().int().min(72).max(2400).default(300),
    /** SVG: text as glyph outlines instead of <text>. */
    outlineText: z.boolean().default(false),
  })
  .strict();
export type ExportOptions = z.infer<typeof exportOptionsSchema>;
