/**
 * The raster layer of a painted scene: the one image that holds a scene's raster content (a point
 * set's low-information points, a heatmap's cells; in 'all-points' mode every point), drawn by
 * engine/figures/rasterize.ts at the export resolution over the union of the clip boxes involved.
 *
 * Paint order: the image is painted where the scene's first raster content is (in leafItems
 * order). Later raster items are composited into the same image in their order, unless a vector
 * item painted since the first one overlaps them: such a point set (the means over a box plot's
 * boxes) stays out of the image and is painted as vector marks in its place, so the order holds.
 * Cells are always in the image. A point set's vector marks are painted at its own position, over
 * the image.
 */
import { rasterize, type RasterItem } from '../../figures/rasterize.js';
import { leafItems, MM_PER_PT, type Box, type Scene, type SceneItem } from '../../figures/scene.js';
import { textBox } from '../../figures/text.js';

export type RasterLayerMode = 'vector-files' | 'all-points';

type Leaf = Exclude<SceneItem, { type: 'group' }>;

export interface RasterLayer {
  /** Index (in leafItems order) of the leaf before which the image is painted. */
  paintAt: number;
  /** Leaf indices whose raster content is in the image. */
  members: Set<number>;
  /** Where the image goes, mm (on the pixel grid). */
  box: Box;
  widthPx: number;
  heightPx: number;
  /** Pixels per inch of the image (the export DPI). */
  dpi: number;
  /** Straight RGBA, widthPx x heightPx. */
  rgba: Uint8ClampedArray;
  /**
   * Whether something painted before the image lies under it, so its transparency matters. When
   * false, compositing the image onto the scene's background gives the same picture.
   */
  overContent: boolean;
}

/** Whether a leaf has content for the raster layer in this mode. */
export function hasRasterContent(item: Leaf, mode: RasterLayerMode): boolean {
  if (item.type === 'cells') return true;
  if (item.type !== 'points') return false;
  if (mode === 'all-points') return item.x.length > 0;
  return item.raster !== undefined && item.raster.includes(1);
}

/** Indices of a point set's points that stay vector marks in this mode (all of them when the set is not in the layer). */
export function vectorPointIndices(item: Extract<Leaf, { type: 'points' }>, mode: RasterLayerMode, inLayer: boolean): Int32Array {
  if (!inLayer) return Int32Array.from({ length: item.x.length }, (_, i) => i);
  if (mode === 'all-points') return new Int32Array(0);
  const flags = item.raster;
  if (!flags) return Int32Array.from({ length: item.x.length }, (_, i) => i);
  let count = 0;
  for (let i = 0; i < flags.length; i++) if (flags[i] === 0) count++;
  const out = new Int32Array(count);
  for (let i = 0, j = 0; i < flags.length; i++) if (flags[i] === 0) out[j++] = i;
  return out;
}

export function intersectBoxes(a: Box, b: Box | undefined): Box | undefined {
  if (!b) return a;
  const x = Math.max(a.x, b.x);
  const y = Math.max(a.y, b.y);
  const w = Math.min(a.x + a.w, b.x + b.w) - x;
  const h = Math.min(a.y + a.h, b.y + b.h) - y;
  return w > 0 && h > 0 ? { x, y, w, h } : undefined;
}

function unionBoxes(a: Box | undefined, b: Box): Box {
  if (!a) return b;
  const x = Math.min(a.x, b.x);
  const y = Math.min(a.y, b.y);
  return { x, y, w: Math.max(a.x + a.w, b.x + b.w) - x, h: Math.max(a.y + a.h, b.y + b.h) - y };
}

function boundsOf(xs: number[], ys: number[], pad: number): Box {
  const x0 = Math.min(...xs) - pad;
  const y0 = Math.min(...ys) - pad;
  return { x: x0, y: y0, w: Math.max(...xs) + pad - x0, h: Math.max(...ys) + pad - y0 };
}

/** A box that holds what a leaf paints (generous: half the line width, miters), before clipping. */
export function itemBounds(item: Leaf): Box {
  switch (item.type) {
    case 'line':
      return boundsOf([item.x1, item.x2], [item.y1, item.y2], (item.widthPt * MM_PER_PT) / 2);
    case 'path': {
      const xs: number[] = [];
      const ys: number[] = [];
      for (let i = 0; i + 1 < item.points.length; i += 2) {
        xs.push(item.points[i]!);
        ys.push(item.points[i + 1]!);
      }
      return xs.length ? boundsOf(xs, ys, item.stroke ? (item.widthPt ?? 0.5) * MM_PER_PT * 2 : 0) : { x: 0, y: 0, w: 0, h: 0 };
    }
    case 'rect':
      return boundsOf([item.x, item.x + item.w], [item.y, item.y + item.h], item.stroke ? ((item.widthPt ?? 0.5) * MM_PER_PT) / 2 : 0);
    case 'text': {
      const r = (((item.rotate ?? 0) % 90) + 90) % 90;
      if (r === 0) return textBox(item);
      // Any other angle: the unrotated box's corners turned about (x, y).
      const box = textBox({ ...item, rotate: 0 });
      const a = ((item.rotate ?? 0) * Math.PI) / 180;
      const xs: number[] = [];
      const ys: number[] = [];
      for (const [cx, cy] of [
        [box.x, box.y],
        [box.x + box.w, box.y],
        [box.x, box.y + box.h],
        [box.x + box.w, box.y + box.h],
      ] as const) {
        const dx = cx - item.x;
        const dy = cy - item.y;
        xs.push(item.x + dx * Math.cos(a) + dy * Math.sin(a));
        ys.push(item.y - dx * Math.sin(a) + dy * Math.cos(a));
      }
      return boundsOf(xs, ys, 0);
    }
    case 'points':
      return item.clip;
    case 'cells':
      return item.box;
  }
}

/** The extent of a leaf's raster content (clip applied), or undefined when it shows nothing. */
function rasterExtent(item: Leaf, clip: Box | undefined): Box | undefined {
  if (item.type === 'points') return intersectBoxes(item.clip, clip);
  if (item.type === 'cells') return intersectBoxes(item.box, clip);
  return undefined;
}

export interface RasterLayerOptions {
  /** Export resolution (pixels per inch). */
  dpi: number;
  /** The grid's pixels per mm, when it must match an output raster exactly (default dpi / 25.4). */
  pxPerMm?: number;
}

/** Draw a scene's raster layer, or undefined when the scene has no raster content in this mode. */
export function buildRasterLayer(scene: Scene, mode: RasterLayerMode, opts: RasterLayerOptions): RasterLayer | undefined {
  const leaves = [...leafItems(scene.items)];
  const members = new Set<number>();
  const items: RasterItem[] = [];
  let extent: Box | undefined;
  // Vector content painted since the first member: a later point set under it stays out of the image.
  const vectorSince: Box[] = [];
  leaves.forEach(({ item, clip }, index) => {
    if (!hasRasterContent(item, mode) || (item.type !== 'points' && item.type !== 'cells')) {
      if (members.size > 0) {
        const b = intersectBoxes(itemBounds(item), clip);
        if (b) vectorSince.push(b);
      }
      return;
    }
    const e = rasterExtent(item, clip);
    if (!e) return;
    if (item.type === 'points' && vectorSince.some((b) => intersectBoxes(b, e))) return;
    members.add(index);
    items.push({ item, clip });
    extent = unionBoxes(extent, e);
  });
  const page: Box = { x: 0, y: 0, w: scene.widthMm, h: scene.heightMm };
  const onPage = extent && intersectBoxes(extent, page);
  if (!onPage || members.size === 0) return undefined;
  const pxPerMm = opts.pxPerMm ?? opts.dpi / 25.4;
  // Snap to the page's pixel grid, so an image at the output resolution maps pixel to pixel.
  const px0 = Math.max(0, Math.floor(onPage.x * pxPerMm + 1e-6));
  const py0 = Math.max(0, Math.floor(onPage.y * pxPerMm + 1e-6));
  const px1 = Math.ceil((onPage.x + onPage.w) * pxPerMm - 1e-6);
  const py1 = Math.ceil((onPage.y + onPage.h) * pxPerMm - 1e-6);
  const widthPx = Math.max(1, px1 - px0);
  const heightPx = Math.max(1, py1 - py0);
  const box: Box = { x: px0 / pxPerMm, y: py0 / pxPerMm, w: widthPx / pxPerMm, h: heightPx / pxPerMm };
  const raster = rasterize({ widthPx, heightPx, pxPerMm, originXMm: box.x, originYMm: box.y }, items, mode === 'all-points' ? 'all' : 'raster-flagged');
  const paintAt = Math.min(...members);
  const transparentBackground = !scene.background || scene.background === 'none' || scene.background === 'transparent';
  const overContent =
    transparentBackground ||
    leaves.slice(0, paintAt).some(({ item, clip }) => {
      const b = intersectBoxes(itemBounds(item), clip);
      return b !== undefined && intersectBoxes(b, box) !== undefined;
    });
  return { paintAt, members, box, widthPx, heightPx, dpi: opts.dpi, rgba: raster.data, overContent };
}

/** Whether two clip boxes (or their absence) are the same. */
export function sameBox(a: Box | undefined, b: Box | undefined): boolean {
  return a === b || (a !== undefined && b !== undefined && a.x === b.x && a.y === b.y && a.w === b.w && a.h === b.h);
}

/** Whether a scene's background is a colour to paint (not transparent). */
export function paintedBackground(scene: Scene): string | undefined {
  const b = scene.background;
  return !b || b === 'none' || b === 'transparent' ? undefined : b;
}
