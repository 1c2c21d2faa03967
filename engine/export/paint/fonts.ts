/**
 * The bundled fonts (resources/fonts: Liberation Sans, Arial's metrics) for the painters: where
 * the TTF files are (found from this module's location, from the TypeScript sources and from the
 * compiled dist/ tree alike), the fonts parsed once with opentype.js, and glyph outlines of a
 * scene's text item in scene millimetres.
 *
 * Outlines advance by engine/figures/text.ts's widths (Liberation Sans advance widths, no
 * kerning, no ligatures), so outlined text covers exactly the box the layout measured.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as opentypeModule from 'opentype.js';
import type { Font, PathCommand } from 'opentype.js';
import { MM_PER_PT, type FontWeight, type TextItem } from '../../figures/scene.js';
import { anchorShiftMm, baselineShiftMm, textWidthMm } from '../../figures/text.js';

export type FontFace = 'regular' | 'bold' | 'italic';

const FILE_OF_FACE: Record<FontFace, string> = {
  regular: 'LiberationSans-Regular.ttf',
  bold: 'LiberationSans-Bold.ttf',
  italic: 'LiberationSans-Italic.ttf',
};

let fontsDirCache: string | undefined;

/** The folder holding the bundled TTFs: the first resources/fonts walking up from this module. */
export function fontsDir(): string {
  if (fontsDirCache) return fontsDirCache;
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const candidate = join(dir, 'resources', 'fonts');
    if (existsSync(join(candidate, FILE_OF_FACE.regular))) return (fontsDirCache = candidate);
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`resources/fonts with ${FILE_OF_FACE.regular} not found above ${fileURLToPath(import.meta.url)}`);
    dir = parent;
  }
}

export function fontPath(face: FontFace): string {
  return join(fontsDir(), FILE_OF_FACE[face]);
}

/** Every bundled TTF (for resvg's font list). */
export function fontFiles(): string[] {
  return (Object.keys(FILE_OF_FACE) as FontFace[]).map(fontPath);
}

/** The face a text item is set in; bold italic (not bundled) uses the bold face slanted. */
export function faceOf(weight: FontWeight, italic: boolean | undefined): FontFace {
  return weight === 'bold' ? 'bold' : italic ? 'italic' : 'regular';
}

/** Slant applied to bold italic text, which has no face of its own (tan 12 degrees). */
export const SYNTHETIC_OBLIQUE = Math.tan((12 * Math.PI) / 180);

const parse: (buffer: ArrayBuffer) => Font =
  (opentypeModule as { parse?: (b: ArrayBuffer) => Font }).parse ?? (opentypeModule as unknown as { default: { parse: (b: ArrayBuffer) => Font } }).default.parse;

const loaded = new Map<FontFace, Font>();

/** The parsed font of a face, loaded on first use. */
export function loadFont(face: FontFace): Font {
  let font = loaded.get(face);
  if (!font) {
    const bytes = readFileSync(fontPath(face));
    font = parse(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer);
    loaded.set(face, font);
  }
  return font;
}

/** A path command in scene mm: M/L carry one point, Q two (control, end), C three; Z none. */
export interface OutlineCommand {
  op: 'M' | 'L' | 'Q' | 'C' | 'Z';
  /** x0, y0, x1, y1, ... */
  points: number[];
}

/**
 * The glyph outlines of a text item in scene mm (y down), placed as text.ts lays it out: the
 * anchor shifts the start, the baseline option shifts the baseline, and the whole is rotated
 * counter-clockwise about (x, y) by `rotate` degrees.
 */
export function textOutline(item: TextItem): OutlineCommand[] {
  const face = faceOf(item.weight, item.italic);
  const font = loadFont(face);
  const sizeMm = item.sizePt * MM_PER_PT;
  const width = textWidthMm(item.text, item.sizePt, item.weight);
  const startX = anchorShiftMm(item.anchor, width);
  const baseY = baselineShiftMm(item.baseline, item.sizePt, item.weight);
  const slant = item.weight === 'bold' && item.italic ? SYNTHETIC_OBLIQUE : 0;
  const angle = ((item.rotate ?? 0) * Math.PI) / 180;
  const cos = Math.cos(angle);
  const sin = Math.sin(angle);
  // Local (along the text, down from it) to scene: counter-clockwise on screen means y up.
  const place = (localX: number, localY: number, out: number[]): void => {
    const lx = localX - slant * (localY - baseY);
    out.push(item.x + lx * cos + localY * sin, item.y - lx * sin + localY * cos);
  };
  const commands: OutlineCommand[] = [];
  let penX = startX;
  for (const ch of item.text) {
    const glyphCommands: PathCommand[] = font.charToGlyph(ch).getPath(penX, baseY, sizeMm).commands;
    for (const c of glyphCommands) {
      const points: number[] = [];
      if (c.type === 'Q') place(c.x1!, c.y1!, points);
      if (c.type === 'C') {
        place(c.x1!, c.y1!, points);
        place(c.x2!, c.y2!, points);
      }
      if (c.type !== 'Z') place(c.x!, c.y!, points);
      commands.push({ op: c.type, points });
    }
    penX += textWidthMm(ch, item.sizePt, item.weight);
  }
  return commands;
}
