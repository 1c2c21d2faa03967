/**
 * What the UI's exports wrote, read back by readers that share no code with Kinscan's writers:
 * `file` (libmagic) and sharp (libvips, which reads the pHYs chunk resvg's PNG carries) for a figure,
 * a plain split for the TSV, and the report's HTML searched for its inline figures.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import sharp from 'sharp';

export interface PngFacts {
  /** libmagic's one line, e.g. "PNG image data, 2161 x 1081, 8-bit/color RGB, non-interlaced". */
  magic: string;
  width: number;
  height: number;
  /** Pixels per inch from the file's pHYs chunk (undefined without one). */
  dpi: number | undefined;
}

export async function pngFacts(file: string): Promise<PngFacts> {
  const magic = execFileSync('file', ['-b', file], { encoding: 'utf8' }).trim();
  const meta = await sharp(file).metadata();
  return { magic, width: meta.width ?? 0, height: meta.height ?? 0, dpi: meta.density };
}

export interface Table {
  header: string[];
  rows: string[][];
}

/** A tab-separated file: header and rows, every row as wide as the header (else throws). */
export function readTsv(file: string): Table {
  const lines = readFileSync(file, 'utf8').split('\n').filter((l) => l !== '');
  const [head, ...rest] = lines;
  if (head === undefined) throw new Error(`${file} is empty`);
  const header = head.split('\t');
  const rows = rest.map((l, i) => {
    const cells = l.split('\t');
    if (cells.length !== header.length) throw new Error(`${file} line ${i + 2}: ${cells.length} cells, the header has ${header.length}`);
    return cells;
  });
  return { header, rows };
}

/** The kinds of the report's figures (`<figure class="figure-KIND">` each holding an inline <svg>). */
export function reportFigures(file: string): string[] {
  const html = readFileSync(file, 'utf8');
  const kinds: string[] = [];
  for (const m of html.matchAll(/<figure class="figure-([a-z-]+)">\s*<svg[\s>]/g)) kinds.push(m[1] as string);
  return kinds;
}
