/**
 * Paint a figure scene as SVG: mm units (width and height in mm, the viewBox in mm), text as
 * <text> in Liberation Sans (or glyph outlines on request), vector marks for the points that
 * carry information, and the raster layer (a point set's raster-flagged points, heatmap cells) as
 * one embedded PNG at the export DPI. Layout comes from the scene; nothing is decided here.
 *
 * Text is placed as engine/figures/text.ts measures it: the baseline shift is applied to y here
 * (viewers treat dominant-baseline differently), the anchor through text-anchor (which, with the
 * bundled font, lands where text.ts says, and keeps alignment if a viewer substitutes a font),
 * kerning off as in the measurement.
 */
import { markerPolygon } from '../../figures/rasterize.js';
import { leafItems, MM_PER_PT, type Box, type PointsItem, type Scene, type TextItem } from '../../figures/scene.js';
import { baselineShiftMm } from '../../figures/text.js';
import { textOutline, type OutlineCommand } from './fonts.js';
import { encodePng } from './png-encode.js';
import { buildRasterLayer, paintedBackground, sameBox, vectorPointIndices, type RasterLayer, type RasterLayerMode } from './raster-layer.js';

export interface SvgOptions {
  /** Resolution of the raster layer. */
  dpi: number;
  /** Text as glyph outlines instead of <text>. */
  outlineText?: boolean;
  /**
   * What goes into the embedded image: 'vector-files' (default) the raster-flagged points and the
   * cells; 'all-points' every point as well (for PNG/TIFF, which render this SVG).
   */
  rasterLayer?: RasterLayerMode;
  /** Pixels per mm of the raster layer when it must match an output raster (default dpi / 25.4). */
  rasterPxPerMm?: number;
  /** zlib level of the embedded PNG (default 6). */
  pngLevel?: number;
}

export const SVG_FONT_FAMILY = 'Liberation Sans, Arial, Helvetica, sans-serif';

/**
 * No kerning and no ligatures, as text.ts measures. On each <text>: resvg honours these as a
 * style on the element only (not inherited from a group, nor as a font-kerning attribute).
 */
const TEXT_STYLE = 'font-kerning:none;font-variant-ligatures:none';

/** mm to 3 decimals (1 um), without trailing zeros. */
export function mm(v: number): string {
  const r = Math.round(v * 1000) / 1000;
  return Object.is(r, -0) ? '0' : String(r);
}

export function escapeXml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' })[c]!);
}

function dashAttr(dashPt: number[] | undefined): string {
  if (!dashPt || dashPt.length === 0) return '';
  return ` stroke-dasharray="${dashPt.map((d) => mm(d * MM_PER_PT)).join(' ')}"`;
}

function strokeAttrs(stroke: string | undefined, widthPt: number | undefined, dashPt?: number[]): string {
  if (!stroke) return '';
  return ` stroke="${stroke}" stroke-width="${mm((widthPt ?? 0.5) * MM_PER_PT)}"${dashAttr(dashPt)}`;
}

function fillAttrs(fill: string | undefined, opacity: number | undefined): string {
  if (!fill) return ' fill="none"';
  return ` fill="${fill}"${opacity !== undefined && opacity < 1 ? ` fill-opacity="${Math.round(opacity * 1000) / 1000}"` : ''}`;
}

export function outlineToPathData(commands: OutlineCommand[]): string {
  let d = '';
  for (const c of commands) {
    d += c.op;
    if (c.op !== 'Z') d += c.points.map(mm).join(' ');
  }
  return d;
}

function textElement(item: TextItem, outline: boolean): string {
  if (outline) return `<path d="${outlineToPathData(textOutline(item))}" fill="${item.fill}"/>`;
  const baseline = baselineShiftMm(item.baseline, item.sizePt, item.weight);
  const rotate = item.rotate ? ` transform="rotate(${mm(-item.rotate)} ${mm(item.x)} ${mm(item.y)})"` : '';
  const anchor = item.anchor === 'start' ? '' : ` text-anchor="${item.anchor}"`;
  const weight = item.weight === 'bold' ? ' font-weight="bold"' : '';
  const style = item.italic ? ' font-style="italic"' : '';
  return (
    `<text x="${mm(item.x)}" y="${mm(item.y + baseline)}" font-size="${mm(item.sizePt * MM_PER_PT)}"${weight}${style}${anchor} fill="${item.fill}"${rotate} style="${TEXT_STYLE}">` +
    `${escapeXml(item.text)}</text>`
  );
}

/** The vector marks of a point set: runs of one colour share a <g> (keeping the paint order). */
function pointMarks(item: PointsItem, indices: Int32Array): string {
  if (indices.length === 0) return '';
  const poly = markerPolygon(item.shape);
  const parts: string[] = [];
  const groupAttrs =
    (item.fillOpacity !== undefined && item.fillOpacity < 1 ? ` fill-opacity="${Math.round(item.fillOpacity * 1000) / 1000}"` : '') +
    strokeAttrs(item.stroke, item.strokePt ?? 0.25);
  let colour = -1;
  for (const i of indices) {
    const c = item.colorIndex[i]! % item.palette.length;
    if (c !== colour) {
      if (colour >= 0) parts.push('</g>');
      parts.push(`<g fill="${item.palette[c]}"${groupAttrs}>`);
      colour = c;
    }
    const x = item.x[i]!;
    const y = item.y[i]!;
    if (!(Number.isFinite(x) && Number.isFinite(y))) continue;
    const r = item.radiiMm ? item.radiiMm[i]! : item.radiusMm;
    if (!poly) {
      parts.push(`<circle cx="${mm(x)}" cy="${mm(y)}" r="${mm(r)}"/>`);
      continue;
    }
    let d = '';
    for (let v = 0; v < poly.length; v += 2) d += `${v === 0 ? 'M' : 'L'}${mm(x + poly[v]! * r)} ${mm(y + poly[v + 1]! * r)}`;
    parts.push(`<path d="${d}Z"/>`);
  }
  parts.push('</g>');
  return parts.join('');
}

function imageElement(layer: RasterLayer, level: number): string {
  const png = encodePng(layer.rgba, layer.widthPx, layer.heightPx, 4, { level, dpi: layer.dpi });
  const b = layer.box;
  return (
    `<image x="${mm(b.x)}" y="${mm(b.y)}" width="${mm(b.w)}" height="${mm(b.h)}" preserveAspectRatio="none" image-rendering="optimizeSpeed" ` +
    `xlink:href="data:image/png;base64,${png.toString('base64')}"/>`
  );
}

function metadata(scene: Scene, layer: RasterLayer | undefined): string {
  const { title, description, runId, software } = scene.meta;
  const lines = [
    '<metadata>',
    '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:dc="http://purl.org/dc/elements/1.1/">',
    '<rdf:Description rdf:about="">',
    `<dc:title>${escapeXml(title)}</dc:title>`,
    `<dc:description>${escapeXml(description)}</dc:description>`,
    `<dc:creator>${escapeXml(software)}</dc:creator>`,
    runId !== undefined ? `<dc:identifier>run ${runId}</dc:identifier>` : '',
    '<dc:format>image/svg+xml</dc:format>',
    '</rdf:Description>',
    '</rdf:RDF>',
    `<kinscan:export xmlns:kinscan="urn:kinscan:figure" software="${escapeXml(software)}"${runId !== undefined ? ` run-id="${runId}"` : ''}` +
      `${layer ? ` raster-layer="${layer.dpi} dpi"` : ''}>` +
      `software: ${escapeXml(software)}${runId !== undefined ? `; run id: ${runId}` : ''}${layer ? `; raster layer: ${layer.dpi} dpi` : ''}</kinscan:export>`,
    '</metadata>',
  ];
  return lines.filter(Boolean).join('\n');
}

/** The scene as an SVG document. */
export function sceneToSvg(scene: Scene, opts: SvgOptions): string {
  const mode = opts.rasterLayer ?? 'vector-files';
  const layer = buildRasterLayer(scene, mode, { dpi: opts.dpi, pxPerMm: opts.rasterPxPerMm });
  const clipIds = new Map<string, string>();
  const defs: string[] = [];
  const clipId = (box: Box): string => {
    const key = `${box.x},${box.y},${box.w},${box.h}`;
    let id = clipIds.get(key);
    if (!id) {
      id = `clip${clipIds.size + 1}`;
      clipIds.set(key, id);
      defs.push(`<clipPath id="${id}"><rect x="${mm(box.x)}" y="${mm(box.y)}" width="${mm(box.w)}" height="${mm(box.h)}"/></clipPath>`);
    }
    return id;
  };
  const body: string[] = [];
  let openClip: Box | undefined;
  const setClip = (clip: Box | undefined): void => {
    if (sameBox(clip, openClip)) return;
    if (openClip) body.push('</g>');
    if (clip) body.push(`<g clip-path="url(#${clipId(clip)})">`);
    openClip = clip;
  };
  let index = 0;
  for (const { item, clip } of leafItems(scene.items)) {
    if (layer && index === layer.paintAt) {
      setClip(undefined);
      body.push(imageElement(layer, opts.pngLevel ?? 6));
    }
    const inLayer = layer?.members.has(index) ?? false;
    index++;
    switch (item.type) {
      case 'line':
        setClip(clip);
        body.push(`<line x1="${mm(item.x1)}" y1="${mm(item.y1)}" x2="${mm(item.x2)}" y2="${mm(item.y2)}"${strokeAttrs(item.stroke, item.widthPt, item.dashPt)}/>`);
        break;
      case 'path': {
        setClip(clip);
        let d = '';
        for (let i = 0; i + 1 < item.points.length; i += 2) d += `${i === 0 ? 'M' : 'L'}${mm(item.points[i]!)} ${mm(item.points[i + 1]!)}`;
        if (item.closed) d += 'Z';
        body.push(`<path d="${d}"${fillAttrs(item.fill, item.fillOpacity)}${strokeAttrs(item.stroke, item.widthPt, item.dashPt)}/>`);
        break;
      }
      case 'rect':
        setClip(clip);
        body.push(
          `<rect x="${mm(item.x)}" y="${mm(item.y)}" width="${mm(item.w)}" height="${mm(item.h)}"${fillAttrs(item.fill, item.fillOpacity)}${strokeAttrs(item.stroke, item.widthPt)}/>`,
        );
        break;
      case 'text':
        setClip(clip);
        body.push(textElement(item, opts.outlineText ?? false));
        break;
      case 'points': {
        const marks = pointMarks(item, vectorPointIndices(item, mode, inLayer));
        if (!marks) break;
        // Marks are clipped to the set's clip box (within the group's, if any).
        setClip(clip);
        body.push(`<g clip-path="url(#${clipId(item.clip)})">${marks}</g>`);
        break;
      }
      case 'cells':
        // Always in the raster layer.
        break;
    }
  }
  setClip(undefined);
  const background = paintedBackground(scene);
  const w = mm(scene.widthMm);
  const h = mm(scene.heightMm);
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" version="1.1" width="${w}mm" height="${h}mm" viewBox="0 0 ${w} ${h}">`,
    `<title>${escapeXml(scene.meta.title)}</title>`,
    `<desc>${escapeXml(scene.meta.description)}</desc>`,
    metadata(scene, layer),
    defs.length ? `<defs>${defs.join('')}</defs>` : '',
    `<g font-family="${SVG_FONT_FAMILY}" stroke-linecap="butt" stroke-linejoin="miter" stroke-miterlimit="10">`,
    background ? `<rect x="0" y="0" width="${w}" height="${h}" fill="${background}"/>` : '',
    ...body,
    '</g>',
    '</svg>',
    '',
  ]
    .filter((l) => l !== '')
    .join('\n');
}
