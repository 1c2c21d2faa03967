/**
 * A pure rasteriser for a scene's raster content: point sets (PointsItem) and cell grids
 * (CellsItem) drawn into an RGBA pixel buffer with anti-aliased (coverage-based) edges. The
 * painters in engine/export use it for the raster layer of vector files and for PNG/TIFF; the
 * renderer can use it for canvas ImageData. No Node, no DOM.
 *
 * Pixel (i, j) of a raster covers [originX + i / pxPerMm, originX + (i + 1) / pxPerMm) in mm (and
 * the same in y, downwards). While drawing, pixels are premultiplied RGBA (so "over" is a lerp of
 * all four bytes); `finishRaster` turns them into straight RGBA, as ImageData and PNG expect. The
 * background starts transparent (alpha 0) so the layer composes over other content.
 *
 * Speed: a marker is stamped from a precomputed sprite (coverage of fill and stroke for one
 * shape, size and 1/8-pixel phase), and point sets are drawn front to back, skipping pixels
 * that later points already cover (see drawPoints).
 *
 * Marker shapes share their geometry with the vector painters through `markerPolygon`: every
 * shape covers the same area as the circle of radius r.
 */
import { parseHex } from './palette.js';
import type { Box, CellsItem, MarkerShape, PointsItem } from './scene.js';

/** Where a raster sits in the scene and how fine it is. */
export interface RasterGrid {
  widthPx: number;
  heightPx: number;
  pxPerMm: number;
  /** Scene position (mm) of the raster's top-left corner. */
  originXMm: number;
  originYMm: number;
}

export interface Raster extends RasterGrid {
  /** RGBA, widthPx x heightPx, row-major: premultiplied while drawing, straight after finishRaster. */
  data: Uint8ClampedArray;
  /** Whether anything has been drawn yet. */
  painted: boolean;
}

/** Which points of a PointsItem to draw: only those flagged `raster` (vector files' raster layer) or all. */
export type PointSelection = 'raster-flagged' | 'all';

const SQRT_PI = Math.sqrt(Math.PI);

/**
 * Unit outline of a polygonal marker (x0, y0, x1, y1, ... for radius 1, y down, centred on the
 * point), or undefined for the circle. Equal area with the unit circle: the square's half side is
 * sqrt(pi)/2, the diamond is that square turned 45 degrees, the triangle is equilateral, pointing up,
 * with its centroid on the point.
 */
export function markerPolygon(shape: MarkerShape): Float64Array | undefined {
  if (shape === 'circle') return undefined;
  if (shape === 'square') {
    const s = SQRT_PI / 2;
    return Float64Array.of(-s, -s, s, -s, s, s, -s, s);
  }
  if (shape === 'diamond') {
    const d = (SQRT_PI / 2) * Math.SQRT2;
    return Float64Array.of(0, -d, d, 0, 0, d, -d, 0);
  }
  // Equilateral triangle of area pi: side a = sqrt(4 pi / sqrt 3), circumradius a / sqrt 3.
  const side = Math.sqrt((4 * Math.PI) / Math.sqrt(3));
  const circumradius = side / Math.sqrt(3);
  return Float64Array.of(0, -circumradius, side / 2, circumradius / 2, -side / 2, circumradius / 2);
}

/** A transparent raster. */
export function createRaster(grid: RasterGrid): Raster {
  return { widthPx: grid.widthPx, heightPx: grid.heightPx, pxPerMm: grid.pxPerMm, originXMm: grid.originXMm, originYMm: grid.originYMm, data: new Uint8ClampedArray(grid.widthPx * grid.heightPx * 4), painted: false };
}

/** Pixels of the raster whose centres lie in `box` (mm), as [x0, x1) x [y0, y1). */
function pixelRect(raster: RasterGrid, box: Box | undefined): [number, number, number, number] {
  if (!box) return [0, raster.widthPx, 0, raster.heightPx];
  const k = raster.pxPerMm;
  const clampX = (v: number): number => Math.max(0, Math.min(raster.widthPx, v));
  const clampY = (v: number): number => Math.max(0, Math.min(raster.heightPx, v));
  const x0 = clampX(Math.ceil((box.x - raster.originXMm) * k - 0.5));
  const x1 = clampX(Math.ceil((box.x + box.w - raster.originXMm) * k - 0.5));
  const y0 = clampY(Math.ceil((box.y - raster.originYMm) * k - 0.5));
  const y1 = clampY(Math.ceil((box.y + box.h - raster.originYMm) * k - 0.5));
  return [x0, Math.max(x0, x1), y0, Math.max(y0, y1)];
}

function intersect(a: Box, b: Box | undefined): Box {
  if (!b) return a;
  const x = Math.max(a.x, b.x);
  const y = Math.max(a.y, b.y);
  return { x, y, w: Math.max(0, Math.min(a.x + a.w, b.x + b.w) - x), h: Math.max(0, Math.min(a.y + a.h, b.y + b.h) - y) };
}

// ------------------------------------------------------------------ packed colours

const packBytes = new Uint8Array(4);
const packWord = new Int32Array(packBytes.buffer);

/**
 * A colour as the Int32 its RGBA bytes make in memory (any endianness), premultiplied by alpha (0..1).
 * Signed 32-bit words keep the hot loops in V8's integer representation.
 */
function packPremultiplied(r: number, g: number, b: number, alpha: number): number {
  packBytes[0] = Math.round(r * alpha);
  packBytes[1] = Math.round(g * alpha);
  packBytes[2] = Math.round(b * alpha);
  packBytes[3] = Math.round(255 * alpha);
  return packWord[0]!;
}

/** Coverage weights run 0..FULL (7 bits, so every product below stays inside a positive int32). */
const FULL = 128;
/** Half of FULL in both 16-bit fields: rounds the two bytes a product holds. */
const HALF_EACH = 0x00400040;

/**
 * dst + (src - dst) * weight / FULL on all four bytes at once. With src premultiplied and opaque
 * this is "src over dst" at coverage weight / FULL.
 */
function lerpPacked(dst: number, src: number, weight: number): number {
  const keep = FULL - weight;
  const redBlue = (((src & 0xff00ff) * weight + (dst & 0xff00ff) * keep + HALF_EACH) >> 7) & 0xff00ff;
  const greenAlpha = ((((src >>> 8) & 0xff00ff) * weight + ((dst >>> 8) & 0xff00ff) * keep + HALF_EACH) >> 7) & 0xff00ff;
  return redBlue | (greenAlpha << 8);
}

// ------------------------------------------------------------------ marker sprites

/** Marker centres are placed to 1/PHASES of a pixel. */
const PHASES = 8;

/**
 * Coverage of one marker at one sub-pixel phase, by rows. Row r spans dx in [start, end) relative
 * to the pixel holding the centre; its coverages (0..FULL) sit at covOffset.. in fillCoverage (and
 * strokeCoverage when the marker has an outline).
 */
interface Sprite {
  /** Per row: dy, start, end, covOffset. */
  rows: Int32Array;
  rowCount: number;
  fillCoverage: Uint8Array;
  strokeCoverage: Uint8Array | undefined;
  /** Extent in dx, dy (inclusive). */
  minDx: number;
  maxDx: number;
  minDy: number;
  maxDy: number;
}

/** Signed distance-like function of a marker (<= 0 inside); for polygons, max over edges of the half-plane distance (miter offsets). */
type ShapeField = (x: number, y: number) => number;

function shapeField(shape: MarkerShape, radiusPx: number): ShapeField {
  const poly = markerPolygon(shape);
  if (!poly) return (x, y) => Math.sqrt(x * x + y * y) - radiusPx;
  const n = poly.length / 2;
  const normals = new Float64Array(n * 3);
  for (let i = 0; i < n; i++) {
    const ax = poly[2 * i]! * radiusPx;
    const ay = poly[2 * i + 1]! * radiusPx;
    const bx = poly[(2 * i + 2) % poly.length]! * radiusPx;
    const by = poly[(2 * i + 3) % poly.length]! * radiusPx;
    // Vertices run clockwise on screen (y down); the outward normal of edge a->b is (dy, -dx).
    let nx = by - ay;
    let ny = -(bx - ax);
    const len = Math.hypot(nx, ny);
    nx /= len;
    ny /= len;
    normals[3 * i] = nx;
    normals[3 * i + 1] = ny;
    normals[3 * i + 2] = nx * ax + ny * ay;
  }
  return (x, y) => {
    let worst = -Infinity;
    for (let i = 0; i < n; i++) {
      const d = normals[3 * i]! * x + normals[3 * i + 1]! * y - normals[3 * i + 2]!;
      if (d > worst) worst = d;
    }
    return worst;
  };
}

/** Area of a convex polygon (x0, y0, x1, y1, ...) inside the unit pixel [px, px + 1) x [py, py + 1). */
function areaInPixel(polygon: number[], px: number, py: number): number {
  let pts = polygon;
  // Sutherland-Hodgman against the pixel's four sides.
  const sides: Array<[number, number, number]> = [
    [1, 0, px],
    [-1, 0, -(px + 1)],
    [0, 1, py],
    [0, -1, -(py + 1)],
  ];
  for (const [a, b, c] of sides) {
    const out: number[] = [];
    const n = pts.length / 2;
    for (let i = 0; i < n; i++) {
      const x0 = pts[2 * i]!;
      const y0 = pts[2 * i + 1]!;
      const x1 = pts[(2 * i + 2) % pts.length]!;
      const y1 = pts[(2 * i + 3) % pts.length]!;
      const in0 = a * x0 + b * y0 >= c;
      const in1 = a * x1 + b * y1 >= c;
      if (in0) out.push(x0, y0);
      if (in0 !== in1) {
        const t = (c - a * x0 - b * y0) / (a * (x1 - x0) + b * (y1 - y0));
        out.push(x0 + t * (x1 - x0), y0 + t * (y1 - y0));
      }
    }
    pts = out;
    if (pts.length < 6) return 0;
  }
  let twice = 0;
  for (let i = 0; i < pts.length; i += 2) twice += pts[i]! * pts[(i + 3) % pts.length]! - pts[(i + 2) % pts.length]! * pts[i + 1]!;
  return Math.abs(twice) / 2;
}

/**
 * The marker's polygon offset outwards by h (inwards for h < 0) with miter joins, in pixels about
 * (cx, cy); empty when an inward offset swallows it.
 */
function offsetPolygon(unit: Float64Array, radiusPx: number, h: number, cx: number, cy: number): number[] {
  const n = unit.length / 2;
  const lines: Array<[number, number, number]> = [];
  for (let i = 0; i < n; i++) {
    const ax = unit[2 * i]! * radiusPx;
    const ay = unit[2 * i + 1]! * radiusPx;
    const bx = unit[(2 * i + 2) % unit.length]! * radiusPx;
    const by = unit[(2 * i + 3) % unit.length]! * radiusPx;
    // Clockwise on screen (y down): the outward normal of a->b is (dy, -dx).
    const len = Math.hypot(bx - ax, by - ay);
    const nx = (by - ay) / len;
    const ny = -(bx - ax) / len;
    const d = nx * ax + ny * ay + h;
    if (d <= 0) return [];
    lines.push([nx, ny, d]);
  }
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const [a1, b1, c1] = lines[(i + n - 1) % n]!;
    const [a2, b2, c2] = lines[i]!;
    const det = a1 * b2 - a2 * b1;
    out.push(cx + (c1 * b2 - c2 * b1) / det, cy + (a1 * c2 - a2 * c1) / det);
  }
  return out;
}

/** Supersampling of a circle's edge pixels per axis. */
const CIRCLE_SAMPLES = 16;

function buildSprite(shape: MarkerShape, radiusPx: number, strokePx: number, phaseX: number, phaseY: number): Sprite {
  const field = shapeField(shape, radiusPx);
  const halfStroke = strokePx / 2;
  const poly = markerPolygon(shape);
  let extent = radiusPx;
  if (poly) for (const v of poly) extent = Math.max(extent, Math.abs(v) * radiusPx);
  // Miter joins reach further than the outline by up to 1 / sin(half the sharpest angle) (2 for the triangle).
  extent += halfStroke * (poly ? 2 : 1) + 1;
  const minDx = Math.floor(phaseX - extent);
  const maxDx = Math.ceil(phaseX + extent);
  const minDy = Math.floor(phaseY - extent);
  const maxDy = Math.ceil(phaseY + extent);
  // Exact coverage for polygons: the pixel's area inside the shape (and inside the stroke's band).
  const fillPolygon = poly ? offsetPolygon(poly, radiusPx, 0, phaseX, phaseY) : [];
  const outerPolygon = poly && halfStroke > 0 ? offsetPolygon(poly, radiusPx, halfStroke, phaseX, phaseY) : [];
  const innerPolygon = poly && halfStroke > 0 ? offsetPolygon(poly, radiusPx, -halfStroke, phaseX, phaseY) : [];
  const rows: number[] = [];
  const fillCoverage: number[] = [];
  const strokeCoverage: number[] = [];
  const samples = CIRCLE_SAMPLES * CIRCLE_SAMPLES;
  const rowFill = new Array<number>(maxDx - minDx + 1);
  const rowStroke = new Array<number>(maxDx - minDx + 1);
  for (let dy = minDy; dy <= maxDy; dy++) {
    let first = Infinity;
    let last = -Infinity;
    for (let dx = minDx; dx <= maxDx; dx++) {
      // Pixel centre relative to the marker centre.
      const cx = dx + 0.5 - phaseX;
      const cy = dy + 0.5 - phaseY;
      const d = field(cx, cy);
      let fill = 0;
      let stroke = 0;
      if (d < -halfStroke - 0.75) fill = FULL;
      else if (d <= halfStroke + 0.75) {
        let fillArea: number;
        let strokeArea = 0;
        if (poly) {
          fillArea = areaInPixel(fillPolygon, dx, dy);
          if (halfStroke > 0) strokeArea = areaInPixel(outerPolygon, dx, dy) - (innerPolygon.length ? areaInPixel(innerPolygon, dx, dy) : 0);
        } else {
          let inFill = 0;
          let inStroke = 0;
          for (let sy = 0; sy < CIRCLE_SAMPLES; sy++) {
            for (let sx = 0; sx < CIRCLE_SAMPLES; sx++) {
              const v = field(cx - 0.5 + (sx + 0.5) / CIRCLE_SAMPLES, cy - 0.5 + (sy + 0.5) / CIRCLE_SAMPLES);
              if (v <= 0) inFill++;
              if (halfStroke > 0 && v <= halfStroke && v >= -halfStroke) inStroke++;
            }
          }
          fillArea = inFill / samples;
          strokeArea = inStroke / samples;
        }
        fill = Math.round(fillArea * FULL);
        stroke = Math.round(Math.max(0, strokeArea) * FULL);
      }
      rowFill[dx - minDx] = fill;
      rowStroke[dx - minDx] = stroke;
      if (fill > 0 || stroke > 0) {
        first = Math.min(first, dx);
        last = dx;
      }
    }
    if (last < first) continue;
    rows.push(dy, first, last + 1, fillCoverage.length);
    for (let dx = first; dx <= last; dx++) {
      fillCoverage.push(rowFill[dx - minDx]!);
      strokeCoverage.push(rowStroke[dx - minDx]!);
    }
  }
  return {
    rows: Int32Array.from(rows),
    rowCount: rows.length / 4,
    fillCoverage: Uint8Array.from(fillCoverage),
    strokeCoverage: halfStroke > 0 ? Uint8Array.from(strokeCoverage) : undefined,
    minDx,
    maxDx,
    minDy,
    maxDy,
  };
}

/** The PHASES x PHASES sprites of one marker size, built on first use. */
class SpriteSet {
  private readonly sprites: Array<Sprite | undefined> = new Array<Sprite | undefined>(PHASES * PHASES);
  constructor(
    private readonly shape: MarkerShape,
    private readonly radiusPx: number,
    private readonly strokePx: number,
  ) {}
  get(phaseX: number, phaseY: number): Sprite {
    const slot = phaseY * PHASES + phaseX;
    let sprite = this.sprites[slot];
    if (!sprite) {
      sprite = buildSprite(this.shape, this.radiusPx, this.strokePx, phaseX / PHASES, phaseY / PHASES);
      this.sprites[slot] = sprite;
    }
    return sprite;
  }
}

/** Radii per point are rounded to 1/16 px so sprites can be shared. */
const RADIUS_STEPS_PER_PX = 16;

// ------------------------------------------------------------------ points

export interface DrawPointsOptions {
  /** Which points to draw (default 'all'). */
  select?: PointSelection;
  /** A clip box in force besides the item's own (a group's), mm. */
  clip?: Box;
}

/** Scale all four bytes of a packed colour by weight / FULL. */
function scalePacked(v: number, weight: number): number {
  const redBlue = (((v & 0xff00ff) * weight + HALF_EACH) >> 7) & 0xff00ff;
  const greenAlpha = ((((v >>> 8) & 0xff00ff) * weight + HALF_EACH) >> 7) & 0xff00ff;
  return redBlue | (greenAlpha << 8);
}

/**
 * UNDER[a] = floor((255 - a) * FULL / 255): how much of a layer shows under alpha a. With it,
 * a + round(source * UNDER[a] / FULL) never passes 255 (and colours never pass alpha), so the
 * four bytes add without carries.
 */
const UNDER = Uint8Array.from({ length: 256 }, (_, a) => Math.floor(((255 - a) * FULL) / 255));

/** The alpha byte of a packed word, as a mask (any endianness). */
const ALPHA_MASK = packPremultiplied(0, 0, 0, 1);

/**
 * Draw a point set into a raster, in the set's order (later points over earlier).
 *
 * Points are drawn front to back (last first) with the "under" operator, keeping a bit per pixel
 * that says it is opaque already: covered pixels are skipped 32 at a time, so the bulk of a dense
 * cloud (the bottom of a Manhattan) costs a few word tests per sprite row. The result equals
 * back-to-front drawing up to 8-bit rounding. A raster that already holds content gets the set
 * composited over it from a layer of its own.
 */
export function drawPoints(raster: Raster, item: PointsItem, opts: DrawPointsOptions = {}): void {
  const select = opts.select ?? 'all';
  if (select === 'raster-flagged' && !item.raster) return;
  const clipRect = pixelRect(raster, intersect(item.clip, opts.clip));
  if (clipRect[0] >= clipRect[1] || clipRect[2] >= clipRect[3]) return;
  if (!raster.painted) {
    drawPointsFrontToBack(raster, item, select, clipRect);
    raster.painted = true;
    return;
  }
  const layer = createRaster(raster);
  drawPointsFrontToBack(layer, item, select, clipRect);
  compositeOver(raster, layer, clipRect);
}

/** raster = layer over raster, within a pixel rect (both premultiplied). */
function compositeOver(raster: Raster, layer: Raster, [x0, x1, y0, y1]: [number, number, number, number]): void {
  const below = new Int32Array(raster.data.buffer, raster.data.byteOffset, raster.widthPx * raster.heightPx);
  const above = new Int32Array(layer.data.buffer, layer.data.byteOffset, layer.widthPx * layer.heightPx);
  const aboveBytes = layer.data;
  for (let y = y0; y < y1; y++) {
    for (let i = y * raster.widthPx + x0, end = y * raster.widthPx + x1; i < end; i++) {
      const v = above[i]!;
      if (v === 0) continue;
      const alpha = aboveBytes[4 * i + 3]!;
      if (alpha === 255) below[i] = v;
      else {
        const under = below[i]!;
        const mixed = (v + scalePacked(under, UNDER[alpha]!)) | 0;
        // Over an opaque pixel the result stays opaque (8-bit rounding would leave 254).
        below[i] = raster.data[4 * i + 3] === 255 ? mixed | ALPHA_MASK : mixed;
      }
    }
  }
}

function drawPointsFrontToBack(raster: Raster, item: PointsItem, select: PointSelection, [clipX0, clipX1, clipY0, clipY1]: [number, number, number, number]): void {
  const flags = item.raster;
  const k = raster.pxPerMm;
  const width = raster.widthPx;
  const bytes = raster.data;
  const pixels = new Int32Array(bytes.buffer, bytes.byteOffset, raster.widthPx * raster.heightPx);
  const wordsPerRow = (width + 31) >> 5;
  const opaque = new Int32Array(wordsPerRow * raster.heightPx);
  const opacityWeight = Math.round(Math.max(0, Math.min(1, item.fillOpacity ?? 1)) * FULL);
  const fillColours = Int32Array.from(item.palette, (hex) => {
    const [r, g, b] = parseHex(hex);
    return packPremultiplied(r, g, b, 1);
  });
  const strokePx = item.stroke ? (item.strokePt ?? 0.25) * (25.4 / 72) * k : 0;
  const strokeColour = item.stroke ? packPremultiplied(...parseHex(item.stroke), 1) : 0;
  const sets = new Map<number, SpriteSet>();
  const setFor = (radiusMm: number): SpriteSet => {
    const steps = Math.max(1, Math.round(radiusMm * k * RADIUS_STEPS_PER_PX));
    let set = sets.get(steps);
    if (!set) {
      set = new SpriteSet(item.shape, steps / RADIUS_STEPS_PER_PX, strokePx);
      sets.set(steps, set);
    }
    return set;
  };
  const radii = item.radiiMm;
  // The set's one radius is drawn exactly; radii per point are rounded to share sprites.
  let set = new SpriteSet(item.shape, item.radiusMm * k, strokePx);
  const xs = item.x;
  const ys = item.y;
  const colourIndex = item.colorIndex;
  const paletteSize = fillColours.length;
  const originX = raster.originXMm;
  const originY = raster.originYMm;
  for (let p = xs.length - 1; p >= 0; p--) {
    if (select === 'raster-flagged' && flags![p] === 0) continue;
    const px = (xs[p]! - originX) * k;
    const py = (ys[p]! - originY) * k;
    if (!(Number.isFinite(px) && Number.isFinite(py))) continue;
    if (radii) set = setFor(radii[p]!);
    let cellX = Math.floor(px);
    let cellY = Math.floor(py);
    let phaseX = Math.round((px - cellX) * PHASES);
    let phaseY = Math.round((py - cellY) * PHASES);
    if (phaseX === PHASES) {
      phaseX = 0;
      cellX++;
    }
    if (phaseY === PHASES) {
      phaseY = 0;
      cellY++;
    }
    const sprite = set.get(phaseX, phaseY);
    if (cellX + sprite.maxDx < clipX0 || cellX + sprite.minDx >= clipX1 || cellY + sprite.maxDy < clipY0 || cellY + sprite.minDy >= clipY1) continue;
    const fill = fillColours[colourIndex[p]! % paletteSize]!;
    const rows = sprite.rows;
    const fillCoverage = sprite.fillCoverage;
    const strokeCoverage = sprite.strokeCoverage;
    for (let r = 0; r < sprite.rowCount; r++) {
      const y = cellY + rows[4 * r]!;
      if (y < clipY0 || y >= clipY1) continue;
      const rowStart = cellX + rows[4 * r + 1]!;
      const x0 = Math.max(rowStart, clipX0);
      const x1 = Math.min(cellX + rows[4 * r + 2]!, clipX1);
      if (x0 >= x1) continue;
      const coverageAt = rows[4 * r + 3]! - rowStart;
      const wordBase = y * wordsPerRow;
      const pixelBase = y * width;
      const lastWord = (x1 - 1) >> 5;
      for (let word = x0 >> 5; word <= lastWord; word++) {
        // Bits of this word inside [x0, x1).
        let mask = -1;
        if (word << 5 < x0) mask = -1 << (x0 & 31);
        if (word === lastWord && (x1 & 31) !== 0) mask &= (1 << (x1 & 31)) - 1;
        let free = mask & ~opaque[wordBase + word]!;
        while (free !== 0) {
          const bit = free & -free;
          free ^= bit;
          const x = (word << 5) + 31 - Math.clz32(bit);
          const fillWeight = opacityWeight === FULL ? fillCoverage[coverageAt + x]! : (fillCoverage[coverageAt + x]! * opacityWeight) >> 7;
          let source = fillWeight === FULL ? fill : scalePacked(fill, fillWeight);
          let sourceOpaque = fillWeight === FULL;
          if (strokeCoverage) {
            const strokeWeight = strokeCoverage[coverageAt + x]!;
            if (strokeWeight > 0) source = lerpPacked(source, strokeColour, strokeWeight);
            if (strokeWeight === FULL) sourceOpaque = true;
          }
          if (source === 0) continue;
          const i = pixelBase + x;
          const below = pixels[i]!;
          if (below === 0) pixels[i] = source;
          else pixels[i] = sourceOpaque ? ((below + scalePacked(source, UNDER[bytes[4 * i + 3]!]!)) | 0) | ALPHA_MASK : (below + scalePacked(source, UNDER[bytes[4 * i + 3]!]!)) | 0;
          if (sourceOpaque) opaque[wordBase + word] = opaque[wordBase + word]! | bit;
        }
      }
    }
  }
}

// ------------------------------------------------------------------ cells

/** Draw a cell grid (nearest neighbour, opaque, no smoothing) into a raster: a pixel takes the cell under its centre. */
export function drawCells(raster: Raster, item: CellsItem, clip?: Box): void {
  const [x0, x1, y0, y1] = pixelRect(raster, intersect(item.box, clip));
  if (x0 >= x1 || y0 >= y1 || item.cols <= 0 || item.rows <= 0) return;
  const k = raster.pxPerMm;
  const pixels = new Int32Array(raster.data.buffer, raster.data.byteOffset, raster.widthPx * raster.heightPx);
  const { box, cols, rows, rgb } = item;
  const cellOfColumn = new Int32Array(x1 - x0);
  for (let x = x0; x < x1; x++) {
    const mm = raster.originXMm + (x + 0.5) / k;
    cellOfColumn[x - x0] = Math.max(0, Math.min(cols - 1, Math.floor(((mm - box.x) / box.w) * cols)));
  }
  const rowColours = new Int32Array(cols);
  let lastRow = -1;
  for (let y = y0; y < y1; y++) {
    const mm = raster.originYMm + (y + 0.5) / k;
    const row = Math.max(0, Math.min(rows - 1, Math.floor(((mm - box.y) / box.h) * rows)));
    if (row !== lastRow) {
      for (let c = 0; c < cols; c++) {
        const o = 3 * (row * cols + c);
        rowColours[c] = packPremultiplied(rgb[o]!, rgb[o + 1]!, rgb[o + 2]!, 1);
      }
      lastRow = row;
    }
    const base = y * raster.widthPx;
    for (let x = x0; x < x1; x++) pixels[base + x] = rowColours[cellOfColumn[x - x0]!]!;
  }
  raster.painted = true;
}

// ------------------------------------------------------------------ finishing

/** Turn the raster's premultiplied pixels into straight RGBA, in place; returns its data. */
export function finishRaster(raster: Raster): Uint8ClampedArray {
  const d = raster.data;
  for (let i = 0; i < d.length; i += 4) {
    const alpha = d[i + 3]!;
    if (alpha === 0 || alpha === 255) continue;
    const scale = 255 / alpha;
    d[i] = d[i]! * scale;
    d[i + 1] = d[i + 1]! * scale;
    d[i + 2] = d[i + 2]! * scale;
  }
  return d;
}

/**
 * Composite straight RGBA over an opaque colour, in place (for formats whose image has no
 * transparency): the pixels end opaque.
 */
export function flattenOnto(data: Uint8ClampedArray, background: string): void {
  const [br, bg, bb] = parseHex(background);
  for (let i = 0; i < data.length; i += 4) {
    const alpha = data[i + 3]!;
    if (alpha === 255) continue;
    const a = alpha / 255;
    data[i] = data[i]! * a + br * (1 - a);
    data[i + 1] = data[i + 1]! * a + bg * (1 - a);
    data[i + 2] = data[i + 2]! * a + bb * (1 - a);
    data[i + 3] = 255;
  }
}

/** One raster item with the clip box in force (a group's), as `leafItems` gives them. */
export interface RasterItem {
  item: PointsItem | CellsItem;
  clip?: Box | undefined;
}

/** Draw raster items in paint order into a new transparent raster and return straight RGBA pixels. */
export function rasterize(grid: RasterGrid, items: RasterItem[], select: PointSelection = 'all'): Raster {
  const raster = createRaster(grid);
  for (const { item, clip } of items) {
    if (item.type === 'points') drawPoints(raster, item, { select, clip });
    else drawCells(raster, item, clip);
  }
  finishRaster(raster);
  return raster;
}
