/**
 * A figure scene: everything a painter needs to draw one figure, with every layout decision already
 * made. Geometry is in millimetres from the top-left corner (y grows downwards), line widths and
 * font sizes in points (1 pt = 25.4 / 72 mm). Colours are '#rrggbb' strings.
 *
 * Painters (SVG, PDF, EPS, PNG/TIFF in the engine; a canvas in the renderer) draw `items` in order
 * and decide nothing: no ticks, no label placement, no colours of their own. Large point sets are
 * held as typed arrays, never as an object per point.
 *
 * Raster layer: items marked `raster` (a point set's low-information points, a heatmap's cells)
 * are what carries no information at print size. Vector painters draw them as one embedded image
 * at the export DPI (clipped to the item's `clip` box); raster painters draw everything anyway.
 */

export type FigureKind = 'manhattan' | 'qq' | 'pca' | 'kinship' | 'region' | 'genotype' | 'heritability';

export const MM_PER_PT = 25.4 / 72;

/** A box in mm. */
export interface Box {
  x: number;
  y: number;
  w: number;
  h: number;
}

export interface LineItem {
  type: 'line';
  x1: number;
  y1: number;
  x2: number;
  y2: number;
  stroke: string;
  widthPt: number;
  /** Dash pattern in pt (on, off, ...). */
  dashPt?: number[];
}

/** An open or closed path through `points` (x0, y0, x1, y1, ... in mm). */
export interface PathItem {
  type: 'path';
  points: Float64Array;
  closed: boolean;
  fill?: string;
  /** 0..1 */
  fillOpacity?: number;
  stroke?: string;
  widthPt?: number;
  dashPt?: number[];
}

export interface RectItem {
  type: 'rect';
  x: number;
  y: number;
  w: number;
  h: number;
  fill?: string;
  fillOpacity?: number;
  stroke?: string;
  widthPt?: number;
}

export type TextAnchor = 'start' | 'middle' | 'end';
/** Vertical placement of the text relative to y: its baseline, the middle of its capitals, or the top of its capitals. */
export type TextBaseline = 'alphabetic' | 'middle' | 'top';
export type FontWeight = 'normal' | 'bold';

export interface TextItem {
  type: 'text';
  x: number;
  y: number;
  text: string;
  sizePt: number;
  anchor: TextAnchor;
  baseline: TextBaseline;
  weight: FontWeight;
  italic?: boolean;
  fill: string;
  /** Rotation in degrees, counter-clockwise, about (x, y). */
  rotate?: number;
}

export type MarkerShape = 'circle' | 'square' | 'triangle' | 'diamond';

/**
 * A point set: centres in mm, a colour per point from `palette`, one shape and size for the set
 * (or a size per point). `id` carries what a hit test returns (a SNP index, a sample index).
 */
export interface PointsItem {
  type: 'points';
  x: Float64Array;
  y: Float64Array;
  colorIndex: Uint8Array;
  palette: string[];
  shape: MarkerShape;
  /** Marker radius in mm (for every point, unless `radiiMm` is given). */
  radiusMm: number;
  radiiMm?: Float32Array;
  /** Outline of each marker (none when absent). */
  stroke?: string;
  strokePt?: number;
  fillOpacity?: number;
  id?: Int32Array;
  /**
   * Per point: 1 where the point may go into the raster layer of a vector file (it carries no
   * information at print size), 0 where it stays a vector mark. Absent: every point stays vector.
   */
  raster?: Uint8Array;
  /** The plot area the set is clipped to (and the raster layer's extent). */
  clip: Box;
}

/**
 * A grid of coloured cells (a heatmap): `rgb` holds cols x rows colours, row-major, 3 bytes each,
 * drawn over `box` without smoothing. Always raster in vector files, at the export DPI.
 */
export interface CellsItem {
  type: 'cells';
  box: Box;
  cols: number;
  rows: number;
  rgb: Uint8Array;
}

export interface GroupItem {
  type: 'group';
  clip?: Box;
  items: SceneItem[];
}

export type SceneItem = LineItem | PathItem | RectItem | TextItem | PointsItem | CellsItem | GroupItem;

export interface SceneMeta {
  title: string;
  /** What the figure shows, one sentence (SVG <desc>, PDF Subject). */
  description: string;
  runId?: number;
  software: string;
}

export interface Scene {
  kind: FigureKind;
  widthMm: number;
  heightMm: number;
  background: string;
  items: SceneItem[];
  meta: SceneMeta;
}

/** Every leaf item of a scene in paint order, with the clip box in force (groups flattened). */
export function* leafItems(items: SceneItem[], clip?: Box): Generator<{ item: Exclude<SceneItem, GroupItem>; clip: Box | undefined }> {
  for (const item of items) {
    if (item.type === 'group') yield* leafItems(item.items, item.clip ?? clip);
    else yield { item, clip };
  }
}
