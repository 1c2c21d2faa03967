/**
 * Independent readers for the painter tests: PNG chunks parsed by hand, pixels decoded by sharp
 * (libvips), PDF rendered by pdftoppm, EPS by Ghostscript, SVG by resvg, TIFF by utif2 and tiffinfo.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Resvg } from '@resvg/resvg-js';
import sharp from 'sharp';
import UTIF from 'utif2';
import { textBox } from '../../engine/figures/text.js';
import type { Box, TextItem } from '../../engine/figures/scene.js';

export interface PngChunk {
  type: string;
  data: Buffer;
}

/** The chunks of a PNG file, checking the signature and each CRC's presence. */
export function pngChunks(png: Buffer): PngChunk[] {
  const signature = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  if (!png.subarray(0, 8).equals(signature)) throw new Error('not a PNG');
  const chunks: PngChunk[] = [];
  for (let o = 8; o < png.length; ) {
    const length = png.readUInt32BE(o);
    chunks.push({ type: png.toString('latin1', o + 4, o + 8), data: png.subarray(o + 8, o + 8 + length) });
    o += 12 + length;
  }
  return chunks;
}

export function pngSize(png: Buffer): { width: number; height: number } {
  const ihdr = pngChunks(png)[0]!;
  return { width: ihdr.data.readUInt32BE(0), height: ihdr.data.readUInt32BE(4) };
}

/** An RGB image in memory. */
export interface RgbImage {
  width: number;
  height: number;
  /** 3 bytes a pixel. */
  data: Buffer;
  /** Pixels per mm. */
  pxPerMm: number;
}

export async function decodeImage(input: Buffer | string, dpi: number): Promise<RgbImage> {
  const { data, info } = await sharp(input).flatten({ background: '#ffffff' }).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  return { width: info.width, height: info.height, data, pxPerMm: dpi / 25.4 };
}

export function rgbaToImage(rgba: Uint8Array, width: number, height: number, dpi: number): RgbImage {
  const data = Buffer.alloc(width * height * 3);
  for (let i = 0; i < width * height; i++) {
    const a = rgba[4 * i + 3]! / 255;
    for (let c = 0; c < 3; c++) data[3 * i + c] = Math.round(rgba[4 * i + c]! * a + 255 * (1 - a));
  }
  return { width, height, data, pxPerMm: dpi / 25.4 };
}

/** The colour of the pixel under a scene point (mm). */
export function pixelAt(img: RgbImage, xMm: number, yMm: number): [number, number, number] {
  const x = Math.min(img.width - 1, Math.floor(xMm * img.pxPerMm));
  const y = Math.min(img.height - 1, Math.floor(yMm * img.pxPerMm));
  const i = 3 * (y * img.width + x);
  return [img.data[i]!, img.data[i + 1]!, img.data[i + 2]!];
}

/** Dark pixels (every channel below 110) whose centres lie in a box (mm). */
export function darkPixelsIn(img: RgbImage, box: Box): number {
  let count = 0;
  const x0 = Math.max(0, Math.ceil(box.x * img.pxPerMm - 0.5));
  const x1 = Math.min(img.width, Math.ceil((box.x + box.w) * img.pxPerMm - 0.5));
  const y0 = Math.max(0, Math.ceil(box.y * img.pxPerMm - 0.5));
  const y1 = Math.min(img.height, Math.ceil((box.y + box.h) * img.pxPerMm - 0.5));
  for (let y = y0; y < y1; y++)
    for (let x = x0; x < x1; x++) {
      const i = 3 * (y * img.width + x);
      if (img.data[i]! < 110 && img.data[i + 1]! < 110 && img.data[i + 2]! < 110) count++;
    }
  return count;
}

export function grow(b: Box, by: number): Box {
  return { x: b.x - by, y: b.y - by, w: b.w + 2 * by, h: b.h + 2 * by };
}

/**
 * Where a text item's ink is, against text.ts's box: dark pixels inside the box (grown by a
 * tolerance) and dark pixels in a ring around it.
 */
export function inkAround(img: RgbImage, t: TextItem, toleranceMm = 0.35, ringMm = 1.5): { inside: number; ring: number } {
  const box = textBox(t);
  const inner = grow(box, toleranceMm);
  const outer = grow(box, toleranceMm + ringMm);
  const inside = darkPixelsIn(img, inner);
  return { inside, ring: darkPixelsIn(img, outer) - inside };
}

export function colourDistance(a: [number, number, number], b: [number, number, number]): number {
  return Math.max(Math.abs(a[0] - b[0]), Math.abs(a[1] - b[1]), Math.abs(a[2] - b[2]));
}

export function run(cmd: string, args: string[]): string {
  return execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

/** A PDF's page rendered by pdftoppm at a DPI. */
export async function renderPdf(pdfPath: string, dir: string, dpi: number): Promise<RgbImage> {
  const prefix = join(dir, `pdf-${dpi}`);
  run('pdftoppm', ['-r', String(dpi), '-png', '-singlefile', pdfPath, prefix]);
  return decodeImage(readFileSync(`${prefix}.png`), dpi);
}

/** An EPS rendered by Ghostscript at a DPI (cropped to its BoundingBox, anti-aliased). */
export async function renderEps(epsPath: string, dir: string, dpi: number): Promise<RgbImage> {
  const out = join(dir, `eps-${dpi}.png`);
  run('gs', ['-q', '-dSAFER', '-dBATCH', '-dNOPAUSE', '-dEPSCrop', '-sDEVICE=png16m', `-r${dpi}`, '-dGraphicsAlphaBits=4', '-dTextAlphaBits=4', `-sOutputFile=${out}`, epsPath]);
  return decodeImage(readFileSync(out), dpi);
}

/** An SVG rendered by resvg at a DPI (width from the SVG's mm), with the bundled fonts only. */
export function renderSvg(svg: string, widthMm: number, dpi: number, fontFiles: string[]): RgbImage {
  const width = Math.round((widthMm / 25.4) * dpi);
  const image = new Resvg(svg, { fitTo: { mode: 'width', value: width }, background: 'white', font: { fontFiles, loadSystemFonts: false, defaultFontFamily: 'Liberation Sans' } }).render();
  return rgbaToImage(image.pixels, image.width, image.height, (image.width / widthMm) * 25.4);
}

/** A TIFF decoded by utif2 (its first image). */
export function decodeTiff(tiff: Buffer, dpi: number): RgbImage {
  const bytes = tiff.buffer.slice(tiff.byteOffset, tiff.byteOffset + tiff.byteLength) as ArrayBuffer;
  const ifds = UTIF.decode(bytes);
  const ifd = ifds[0]!;
  UTIF.decodeImage(bytes, ifd);
  const rgba = UTIF.toRGBA8(ifd);
  return rgbaToImage(rgba, ifd.width, ifd.height, dpi);
}

export function writeTemp(dir: string, name: string, bytes: Buffer | string): string {
  const p = join(dir, name);
  writeFileSync(p, bytes);
  return p;
}
