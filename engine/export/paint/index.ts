/**
 * Paint a figure scene into a file of any export format: SVG, PDF and EPS (vectors, with one
 * raster layer at the export DPI), PNG and TIFF (at the DPI, carrying it). The format follows the
 * file's extension; files are written through a temporary file and renamed into place.
 */
import { extname } from 'node:path';
import { writeFileAtomic } from '../../io/atomic-write.js';
import type { Scene } from '../../figures/scene.js';
import { sceneToEps } from './eps.js';
import { sceneToPdf } from './pdf.js';
import { sceneToPng, sceneToTiff } from './raster.js';
import { sceneToSvg } from './svg.js';

export type ExportFormat = 'svg' | 'pdf' | 'eps' | 'png' | 'tiff';

export interface PaintOptions {
  /** Resolution of PNG/TIFF, and of the raster layer of SVG/PDF/EPS. */
  dpi: number;
  /** SVG only: text as glyph outlines (EPS always outlines, PDF embeds the font). */
  outlineText?: boolean;
  /** PDF and EPS: the creation date written (default now); fix it for reproducible files. */
  creationDate?: Date;
}

export interface PaintFileOptions extends PaintOptions {
  /** The format, when not the one the file's extension names. */
  format?: ExportFormat;
}

const FORMAT_OF_EXTENSION: Record<string, ExportFormat> = {
  '.svg': 'svg',
  '.pdf': 'pdf',
  '.eps': 'eps',
  '.png': 'png',
  '.tif': 'tiff',
  '.tiff': 'tiff',
};

/** The export format a file name asks for (by extension, any case), or undefined. */
export function formatOfPath(path: string): ExportFormat | undefined {
  return FORMAT_OF_EXTENSION[extname(path).toLowerCase()];
}

/** The scene painted in a format. */
export async function paintScene(scene: Scene, format: ExportFormat, opts: PaintOptions): Promise<Buffer> {
  switch (format) {
    case 'svg':
      return Buffer.from(sceneToSvg(scene, { dpi: opts.dpi, outlineText: opts.outlineText ?? false }), 'utf8');
    case 'pdf':
      return sceneToPdf(scene, { dpi: opts.dpi, creationDate: opts.creationDate });
    case 'eps':
      return Buffer.from(sceneToEps(scene, { dpi: opts.dpi, creationDate: opts.creationDate }), 'latin1');
    case 'png':
      return sceneToPng(scene, { dpi: opts.dpi });
    case 'tiff':
      return sceneToTiff(scene, { dpi: opts.dpi });
  }
}

/** Paint the scene into `path` (format from its extension unless given), through a temporary file renamed into place. */
export async function paintSceneToFile(scene: Scene, path: string, opts: PaintFileOptions): Promise<ExportFormat> {
  const format = opts.format ?? formatOfPath(path);
  if (!format) throw new Error(`Unknown figure format for ${path}: use .svg, .pdf, .eps, .png, .tif or .tiff`);
  const bytes = await paintScene(scene, format, opts);
  writeFileAtomic(path, bytes);
  return format;
}
