/**
 * Paint a figure scene as PDF with pdfkit's own vector API: one page of the scene's size in pt,
 * the bundled Liberation Sans faces embedded (subset), text at the scene's baselines (pdfkit's
 * 'alphabetic' baseline; kerning and ligatures off, as text.ts measures), vector marks as paths
 * (one form XObject per marker shape, drawn per point with a `cm`), and the raster layer as one
 * image at the export DPI (with a soft mask only when vector content lies under it).
 *
 * Metadata: Title, Subject (the description and the raster layer's DPI), Keywords (run id),
 * Creator (scene.meta.software), and a custom RasterLayer key. With `creationDate` given the
 * output is byte-for-byte deterministic (pdfkit derives the file ID from the Info dictionary).
 */
import { deflateSync } from 'node:zlib';
import PDFDocument from 'pdfkit';
import { flattenOnto, markerPolygon } from '../../figures/rasterize.js';
import { parseHex } from '../../figures/palette.js';
import { leafItems, MM_PER_PT, type Box, type PointsItem, type Scene, type TextItem } from '../../figures/scene.js';
import { anchorShiftMm, baselineShiftMm, textWidthMm } from '../../figures/text.js';
import { faceOf, fontPath, SYNTHETIC_OBLIQUE, type FontFace } from './fonts.js';
import { buildRasterLayer, paintedBackground, sameBox, vectorPointIndices, type RasterLayer } from './raster-layer.js';

export interface PdfOptions {
  /** Resolution of the raster layer. */
  dpi: number;
  /** CreationDate and ModDate (default now); fix it for reproducible files. */
  creationDate?: Date;
}

/** pt per mm. */
const PT = 1 / MM_PER_PT;

/** A length in mm as pt, to 3 decimals. */
function pt(vMm: number): string {
  const r = Math.round(vMm * PT * 1000) / 1000;
  return Object.is(r, -0) ? '0' : String(r);
}

function num(v: number, decimals = 4): string {
  const f = 10 ** decimals;
  const r = Math.round(v * f) / f;
  return Object.is(r, -0) ? '0' : String(r);
}

const FONT_NAME: Record<FontFace, string> = { regular: 'LiberationSans', bold: 'LiberationSans-Bold', italic: 'LiberationSans-Italic' };

/** Features off so glyphs advance by their widths alone, as text.ts measures. */
const NO_KERNING = { kern: false, liga: false, clig: false, calt: false } as unknown as PDFKit.Mixins.OpenTypeFeatures[];

function rgbOperands(hex: string): string {
  return parseHex(hex)
    .map((c) => num(c / 255, 4))
    .join(' ');
}

/** The raster layer as an image XObject (RGB, Flate; a soft mask when it must stay transparent). */
function addRasterImage(doc: PDFKit.PDFDocument, layer: RasterLayer, background: string | undefined): void {
  const { widthPx, heightPx } = layer;
  const pixels = layer.rgba;
  const transparent = layer.overContent || !background;
  if (!transparent) flattenOnto(pixels, background);
  const rgb = Buffer.alloc(widthPx * heightPx * 3);
  const alpha = transparent ? Buffer.alloc(widthPx * heightPx) : undefined;
  for (let i = 0, j = 0; i < widthPx * heightPx; i++, j += 3) {
    rgb[j] = pixels[4 * i]!;
    rgb[j + 1] = pixels[4 * i + 1]!;
    rgb[j + 2] = pixels[4 * i + 2]!;
    if (alpha) alpha[i] = pixels[4 * i + 3]!;
  }
  const common = { Type: 'XObject', Subtype: 'Image', Width: widthPx, Height: heightPx, BitsPerComponent: 8, Filter: 'FlateDecode', Interpolate: false };
  let smask: PDFKit.PDFKitReference | undefined;
  if (alpha) {
    smask = doc.ref({ ...common, ColorSpace: 'DeviceGray' });
    smask.end(deflateSync(alpha));
  }
  const image = doc.ref({ ...common, ColorSpace: 'DeviceRGB', ...(smask ? { SMask: smask } : {}) });
  image.end(deflateSync(rgb));
  doc.page.xobjects['RasterLayer'] = image;
  const b = layer.box;
  // Image space has its first row at the top of the unit square: flip it into the page's y-down space.
  doc.addContent(`q ${pt(b.w)} 0 0 ${pt(-b.h)} ${pt(b.x)} ${pt(b.y + b.h)} cm /RasterLayer Do Q`);
}

/** The unit marker path (radius 1, y down) as PDF operators. */
function unitMarkerPath(shape: PointsItem['shape']): string {
  const poly = markerPolygon(shape);
  if (poly) {
    let d = '';
    for (let v = 0; v < poly.length; v += 2) d += `${num(poly[v]!)} ${num(poly[v + 1]!)} ${v === 0 ? 'm' : 'l'} `;
    return `${d}h`;
  }
  // Four cubic arcs; kappa = 4 (sqrt 2 - 1) / 3.
  const k = 0.5522847498;
  return [
    '1 0 m',
    `1 ${num(k)} ${num(k)} 1 0 1 c`,
    `${num(-k)} 1 -1 ${num(k)} -1 0 c`,
    `-1 ${num(-k)} ${num(-k)} -1 0 -1 c`,
    `${num(k)} -1 1 ${num(-k)} 1 0 c`,
    'h',
  ].join(' ');
}

/** Vector marks of a point set: a form XObject (named `name`) for the unit marker, one `cm` + `Do` per point. */
function pointMarks(doc: PDFKit.PDFDocument, item: PointsItem, indices: Int32Array, name: string): void {
  if (indices.length === 0) return;
  const stroked = item.stroke !== undefined;
  const strokePt = item.strokePt ?? 0.25;
  let maxStrokeUnits = 0;
  let minRadius = Infinity;
  for (const i of indices) minRadius = Math.min(minRadius, item.radiiMm ? item.radiiMm[i]! : item.radiusMm);
  if (stroked && minRadius > 0) maxStrokeUnits = (strokePt * MM_PER_PT) / minRadius;
  const reach = 1.6 + 2 * maxStrokeUnits + 0.1;
  const form = doc.ref({ Type: 'XObject', Subtype: 'Form', BBox: [-reach, -reach, reach, reach], Resources: {} });
  form.end(`${unitMarkerPath(item.shape)} ${stroked ? 'B' : 'f'}`);
  doc.page.xobjects[name] = form;
  doc.save();
  if (item.fillOpacity !== undefined && item.fillOpacity < 1) doc.fillOpacity(item.fillOpacity);
  const lines: string[] = [];
  if (stroked) lines.push(`${rgbOperands(item.stroke!)} RG`);
  const constantRadius = !item.radiiMm;
  if (stroked && constantRadius) lines.push(`${num((strokePt * MM_PER_PT) / item.radiusMm)} w`);
  let colour = -1;
  for (const i of indices) {
    const x = item.x[i]!;
    const y = item.y[i]!;
    if (!(Number.isFinite(x) && Number.isFinite(y))) continue;
    const c = item.colorIndex[i]! % item.palette.length;
    if (c !== colour) {
      lines.push(`${rgbOperands(item.palette[c]!)} rg`);
      colour = c;
    }
    const r = constantRadius ? item.radiusMm : item.radiiMm![i]!;
    const width = stroked && !constantRadius ? ` ${num((strokePt * MM_PER_PT) / r)} w` : '';
    lines.push(`q${width} ${pt(r)} 0 0 ${pt(r)} ${pt(x)} ${pt(y)} cm /${name} Do Q`);
  }
  doc.addContent(lines.join('\n'));
  doc.restore();
}

function drawText(doc: PDFKit.PDFDocument, item: TextItem): void {
  const face = faceOf(item.weight, item.italic);
  const width = textWidthMm(item.text, item.sizePt, item.weight);
  const x = item.x + anchorShiftMm(item.anchor, width);
  const y = item.y + baselineShiftMm(item.baseline, item.sizePt, item.weight);
  doc.save();
  if (item.rotate) doc.rotate(-item.rotate, { origin: [item.x * PT, item.y * PT] });
  doc.font(FONT_NAME[face]).fontSize(item.sizePt).fillColor(item.fill);
  const oblique = item.weight === 'bold' && item.italic ? (Math.atan(SYNTHETIC_OBLIQUE) * 180) / Math.PI : undefined;
  doc.text(item.text, x * PT, y * PT, { lineBreak: false, baseline: 'alphabetic', features: NO_KERNING, ...(oblique ? { oblique } : {}) });
  doc.restore();
}

function applyDash(doc: PDFKit.PDFDocument, dashPt: number[] | undefined): void {
  // pdfkit's dash() takes arrays, its type declarations only a number: write the operator.
  if (dashPt && dashPt.length > 0 && dashPt.every((d) => d > 0)) doc.addContent(`[${dashPt.map((d) => num(d, 3)).join(' ')}] 0 d`);
}

/** The scene as a one-page PDF. */
export async function sceneToPdf(scene: Scene, opts: PdfOptions): Promise<Buffer> {
  const layer = buildRasterLayer(scene, 'vector-files', { dpi: opts.dpi });
  const { title, description, runId, software } = scene.meta;
  const date = opts.creationDate ?? new Date();
  const rasterNote = layer ? ` Raster layer: ${layer.dpi} dpi.` : '';
  const info: PDFKit.DocumentInfo & { RasterLayer?: string } = {
    Title: title,
    Subject: `${description}${rasterNote}`,
    Creator: software,
    Producer: `${software} (PDFKit)`,
    CreationDate: date,
    ModDate: date,
    ...(runId !== undefined ? { Keywords: `kinscan run ${runId}` } : {}),
    ...(layer ? { RasterLayer: `${layer.dpi} dpi` } : {}),
  };
  const doc = new PDFDocument({
    size: [scene.widthMm * PT, scene.heightMm * PT],
    margin: 0,
    compress: true,
    pdfVersion: '1.4',
    info,
    displayTitle: true,
    font: fontPath('regular'),
  });
  for (const face of ['regular', 'bold', 'italic'] as const) doc.registerFont(FONT_NAME[face], fontPath(face));
  const chunks: Buffer[] = [];
  const finished = new Promise<Buffer>((resolve, reject) => {
    doc.on('data', (c: Buffer) => chunks.push(c));
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });

  const background = paintedBackground(scene);
  if (background) doc.rect(0, 0, scene.widthMm * PT, scene.heightMm * PT).fill(background);
  let openClip: Box | undefined;
  const setClip = (clip: Box | undefined): void => {
    if (sameBox(clip, openClip)) return;
    if (openClip) doc.restore();
    if (clip) {
      doc.save();
      doc.rect(clip.x * PT, clip.y * PT, clip.w * PT, clip.h * PT).clip();
    }
    openClip = clip;
  };
  let index = 0;
  let markerForms = 0;
  for (const { item, clip } of leafItems(scene.items)) {
    if (layer && index === layer.paintAt) {
      setClip(undefined);
      addRasterImage(doc, layer, background);
    }
    const inLayer = layer?.members.has(index) ?? false;
    index++;
    switch (item.type) {
      case 'line':
        setClip(clip);
        doc.save();
        applyDash(doc, item.dashPt);
        doc.lineWidth(item.widthPt).moveTo(item.x1 * PT, item.y1 * PT).lineTo(item.x2 * PT, item.y2 * PT).stroke(item.stroke);
        doc.restore();
        break;
      case 'path': {
        if (item.points.length < 4) break;
        setClip(clip);
        doc.save();
        doc.moveTo(item.points[0]! * PT, item.points[1]! * PT);
        for (let i = 2; i + 1 < item.points.length; i += 2) doc.lineTo(item.points[i]! * PT, item.points[i + 1]! * PT);
        if (item.closed) doc.closePath();
        finishShape(doc, item.fill, item.fillOpacity, item.stroke, item.widthPt, item.dashPt);
        doc.restore();
        break;
      }
      case 'rect':
        setClip(clip);
        doc.save();
        doc.rect(item.x * PT, item.y * PT, item.w * PT, item.h * PT);
        finishShape(doc, item.fill, item.fillOpacity, item.stroke, item.widthPt);
        doc.restore();
        break;
      case 'text':
        setClip(clip);
        drawText(doc, item);
        break;
      case 'points': {
        const indices = vectorPointIndices(item, 'vector-files', inLayer);
        if (indices.length === 0) break;
        setClip(clip);
        doc.save();
        doc.rect(item.clip.x * PT, item.clip.y * PT, item.clip.w * PT, item.clip.h * PT).clip();
        pointMarks(doc, item, indices, `Mk${++markerForms}`);
        doc.restore();
        break;
      }
      case 'cells':
        break;
    }
  }
  setClip(undefined);
  doc.end();
  return finished;
}

function finishShape(doc: PDFKit.PDFDocument, fill: string | undefined, fillOpacity: number | undefined, stroke: string | undefined, widthPt: number | undefined, dashPt?: number[]): void {
  if (fill && fillOpacity !== undefined && fillOpacity < 1) doc.fillOpacity(fillOpacity);
  if (stroke) {
    doc.lineWidth(widthPt ?? 0.5);
    applyDash(doc, dashPt);
  }
  if (fill && stroke) doc.fillAndStroke(fill, stroke);
  else if (fill) doc.fill(fill);
  else if (stroke) doc.stroke(stroke);
}
