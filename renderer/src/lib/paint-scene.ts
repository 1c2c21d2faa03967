/**
 * Paint a figure scene (engine/figures/scene.ts) into a canvas: the screen's painter, beside the
 * engine's SVG, PDF, EPS and PNG painters, drawing the same items in the same order and deciding
 * nothing. Vector items (lines, paths, rects, text) go through the 2D context in device pixels;
 * point sets and heatmap cells go through the pure rasteriser the PNG export uses
 * (engine/figures/rasterize.ts) on the canvas's own pixel grid, then onto the canvas with one
 * drawImage each, so 358,000 points cost one pass over typed arrays, never a path per point.
 *
 * Text uses the bundled Liberation Sans (lib/figure-fonts.ts loads it) with Arial's metrics, the
 * metrics the scene was laid out with; until it has loaded, Arial/Helvetica stand in.
 */
import { drawCells, drawPoints, finishRaster, type Raster } from '../../../engine/figures/rasterize.js';
import { leafItems, MM_PER_PT, type Box, type CellsItem, type PointsItem, type Scene, type TextItem } from '../../../engine/figures/scene.js';
import { baselineShiftMm, FONT_FAMILY } from '../../../engine/figures/text.js';

/** The canvas font stack: the bundled font first, then fonts with the same metrics. */
export const CANVAS_FONT_STACK = `'${FONT_FAMILY}', Arial, Helvetica, sans-serif`;

export interface PaintScale {
  /** CSS pixels per scene millimetre. */
  pxPerMm: number;
  /** Device pixels per CSS pixel (window.devicePixelRatio). */
  devicePixelRatio: number;
}

/** The canvas's backing size in device pixels for a scene at a scale (what `paintScene` fills). */
export function canvasPixelSize(scene: Scene, scale: PaintScale): { width: number; height: number } {
  const k = scale.pxPerMm * scale.devicePixelRatio;
  return { width: Math.max(1, Math.round(scene.widthMm * k)), height: Math.max(1, Math.round(scene.heightMm * k)) };
}

/** Pixels of a k px/mm grid covering `box` (snapped outwards), clipped to the canvas. */
function pixelRect(box: Box, k: number, width: number, height: number): { x: number; y: number; w: number; h: number } | null {
  const x0 = Math.max(0, Math.floor(box.x * k + 1e-6));
  const y0 = Math.max(0, Math.floor(box.y * k + 1e-6));
  const x1 = Math.min(width, Math.ceil((box.x + box.w) * k - 1e-6));
  const y1 = Math.min(height, Math.ceil((box.y + box.h) * k - 1e-6));
  return x1 > x0 && y1 > y0 ? { x: x0, y: y0, w: x1 - x0, h: y1 - y0 } : null;
}

function intersect(a: Box, b: Box | undefined): Box {
  if (!b) return a;
  const x = Math.max(a.x, b.x);
  const y = Math.max(a.y, b.y);
  return { x, y, w: Math.max(0, Math.min(a.x + a.w, b.x + b.w) - x), h: Math.max(0, Math.min(a.y + a.h, b.y + b.h) - y) };
}

/**
 * One scratch canvas for raster items: the rasteriser writes RGBA into a buffer, putImageData puts
 * it here, and drawImage composites it onto the figure (putImageData alone would not blend).
 */
let scratch: HTMLCanvasElement | null = null;
let scratchBuffer = new Uint8ClampedArray(0);

function scratchCanvas(width: number, height: number): CanvasRenderingContext2D {
  scratch ??= document.createElement('canvas');
  if (scratch.width < width) scratch.width = width;
  if (scratch.height < height) scratch.height = height;
  const ctx = scratch.getContext('2d');
  if (!ctx) throw new Error('This display cannot draw figures: the browser gave no 2D canvas.');
  return ctx;
}

/** A transparent raster over a pixel rect, reusing one buffer between paints (it grows, never shrinks). */
function rasterOver(rect: { x: number; y: number; w: number; h: number }, k: number): Raster {
  const bytes = rect.w * rect.h * 4;
  if (scratchBuffer.length < bytes) scratchBuffer = new Uint8ClampedArray(bytes);
  const data = scratchBuffer.subarray(0, bytes);
  data.fill(0);
  const grid = { widthPx: rect.w, heightPx: rect.h, pxPerMm: k, originXMm: rect.x / k, originYMm: rect.y / k };
  return { ...grid, data, painted: false };
}

/** Draw a points or cells item through the rasteriser, composited over what is painted. */
function paintRasterItem(ctx: CanvasRenderingContext2D, item: PointsItem | CellsItem, clip: Box | undefined, k: number): void {
  const extent = intersect(item.type === 'points' ? item.clip : item.box, clip);
  const rect = pixelRect(extent, k, ctx.canvas.width, ctx.canvas.height);
  if (!rect) return;
  const raster = rasterOver(rect, k);
  if (item.type === 'points') drawPoints(raster, item, clip ? { clip } : {});
  else drawCells(raster, item, clip);
  const rgba = finishRaster(raster);
  const image = new ImageData(new Uint8ClampedArray(rgba.buffer as ArrayBuffer, rgba.byteOffset, rgba.length), rect.w, rect.h);
  const off = scratchCanvas(rect.w, rect.h);
  off.putImageData(image, 0, 0);
  ctx.save();
  ctx.setTransform(1, 0, 0, 1, 0, 0);
  ctx.imageSmoothingEnabled = false;
  ctx.drawImage(off.canvas, 0, 0, rect.w, rect.h, rect.x, rect.y, rect.w, rect.h);
  ctx.restore();
}

function setStroke(ctx: CanvasRenderingContext2D, stroke: string, widthPt: number | undefined, dashPt: number[] | undefined): void {
  ctx.strokeStyle = stroke;
  ctx.lineWidth = (widthPt ?? 0.5) * MM_PER_PT;
  ctx.setLineDash(dashPt && dashPt.length > 0 ? dashPt.map((d) => d * MM_PER_PT) : []);
}

function paintText(ctx: CanvasRenderingContext2D, item: TextItem, k: number): void {
  const sizePx = item.sizePt * MM_PER_PT * k;
  ctx.save();
  ctx.setTransform(1, 0, 0, 1, 0, 0);
  ctx.font = `${item.italic ? 'italic ' : ''}${item.weight === 'bold' ? 'bold ' : ''}${sizePx}px ${CANVAS_FONT_STACK}`;
  // As text.ts measures: no kerning, no ligatures.
  ctx.fontKerning = 'none';
  ctx.textAlign = item.anchor === 'start' ? 'left' : item.anchor === 'end' ? 'right' : 'center';
  ctx.textBaseline = 'alphabetic';
  ctx.fillStyle = item.fill;
  ctx.translate(item.x * k, item.y * k);
  // Scene rotation is counter-clockwise on screen; the canvas turns clockwise (y down).
  if (item.rotate) ctx.rotate((-item.rotate * Math.PI) / 180);
  ctx.fillText(item.text, 0, baselineShiftMm(item.baseline, item.sizePt, item.weight) * k);
  ctx.restore();
}

/**
 * Paint `scene` into `ctx`, whose canvas is `canvasPixelSize(scene, scale)` device pixels. The
 * canvas is cleared first; the scene's background (white for every figure) is painted unless
 * it is transparent.
 */
export function paintScene(ctx: CanvasRenderingContext2D, scene: Scene, scale: PaintScale): void {
  const k = scale.pxPerMm * scale.devicePixelRatio;
  ctx.save();
  ctx.setTransform(1, 0, 0, 1, 0, 0);
  ctx.clearRect(0, 0, ctx.canvas.width, ctx.canvas.height);
  if (scene.background && scene.background !== 'none' && scene.background !== 'transparent') {
    ctx.fillStyle = scene.background;
    ctx.fillRect(0, 0, ctx.canvas.width, ctx.canvas.height);
  }
  // Vector items are given in mm: the transform maps them to device pixels.
  ctx.setTransform(k, 0, 0, k, 0, 0);
  ctx.lineCap = 'butt';
  ctx.lineJoin = 'miter';
  ctx.miterLimit = 10;
  let openClip: Box | undefined;
  const setClip = (clip: Box | undefined): void => {
    if (clip === openClip) return;
    if (openClip) ctx.restore();
    if (clip) {
      ctx.save();
      ctx.beginPath();
      ctx.rect(clip.x, clip.y, clip.w, clip.h);
      ctx.clip();
    }
    openClip = clip;
  };
  for (const { item, clip } of leafItems(scene.items)) {
    switch (item.type) {
      case 'line':
        setClip(clip);
        setStroke(ctx, item.stroke, item.widthPt, item.dashPt);
        ctx.beginPath();
        ctx.moveTo(item.x1, item.y1);
        ctx.lineTo(item.x2, item.y2);
        ctx.stroke();
        break;
      case 'path': {
        setClip(clip);
        const p = item.points;
        if (p.length < 2) break;
        ctx.beginPath();
        ctx.moveTo(p[0]!, p[1]!);
        for (let i = 2; i + 1 < p.length; i += 2) ctx.lineTo(p[i]!, p[i + 1]!);
        if (item.closed) ctx.closePath();
        if (item.fill) {
          ctx.globalAlpha = item.fillOpacity ?? 1;
          ctx.fillStyle = item.fill;
          ctx.fill();
          ctx.globalAlpha = 1;
        }
        if (item.stroke) {
          setStroke(ctx, item.stroke, item.widthPt, item.dashPt);
          ctx.stroke();
        }
        break;
      }
      case 'rect':
        setClip(clip);
        if (item.fill) {
          ctx.globalAlpha = item.fillOpacity ?? 1;
          ctx.fillStyle = item.fill;
          ctx.fillRect(item.x, item.y, item.w, item.h);
          ctx.globalAlpha = 1;
        }
        if (item.stroke) {
          setStroke(ctx, item.stroke, item.widthPt, undefined);
          ctx.strokeRect(item.x, item.y, item.w, item.h);
        }
        break;
      case 'text':
        setClip(clip);
        paintText(ctx, item, k);
        break;
      case 'points':
      case 'cells':
        // Clipped by the rasteriser itself (the item's box and the group's).
        setClip(undefined);
        paintRasterItem(ctx, item, clip, k);
        break;
    }
  }
  setClip(undefined);
  ctx.restore();
}
