/**
 * The pure rasteriser against a slow reference: exact-ish coverage by dense supersampling and
 * plain back-to-front "over" compositing in floating point.
 */
import { describe, expect, it } from 'vitest';
import { createRaster, drawCells, drawPoints, finishRaster, markerPolygon, rasterize } from '../../engine/figures/rasterize.js';
import { parseHex } from '../../engine/figures/palette.js';
import type { CellsItem, MarkerShape, PointsItem } from '../../engine/figures/scene.js';
import { Rng } from '../helpers/random.js';

/** Inside test of a marker of radius r centred at the origin (y down), from its definition. */
function insideMarker(shape: MarkerShape, r: number, x: number, y: number): boolean {
  const poly = markerPolygon(shape);
  if (!poly) return x * x + y * y <= r * r;
  // Convex polygon, clockwise on screen: inside when on the inner side of every edge.
  const n = poly.length / 2;
  for (let i = 0; i < n; i++) {
    const ax = poly[2 * i]! * r;
    const ay = poly[2 * i + 1]! * r;
    const bx = poly[((i + 1) % n) * 2]! * r;
    const by = poly[((i + 1) % n) * 2 + 1]! * r;
    if ((bx - ax) * (y - ay) - (by - ay) * (x - ax) < 0) return false;
  }
  return true;
}

/** Premultiplied RGBA (0..1 floats) of points drawn back to front with 12 x 12 samples a pixel. */
function reference(item: PointsItem, width: number, height: number, pxPerMm: number): Float64Array {
  const out = new Float64Array(width * height * 4); // premultiplied
  const s = 12;
  for (let p = 0; p < item.x.length; p++) {
    const [r, g, b] = parseHex(item.palette[item.colorIndex[p]!]!);
    const radius = (item.radiiMm ? item.radiiMm[p]! : item.radiusMm) * pxPerMm;
    const cx = item.x[p]! * pxPerMm;
    const cy = item.y[p]! * pxPerMm;
    const opacity = item.fillOpacity ?? 1;
    for (let y = Math.max(0, Math.floor(cy - 1.7 * radius)); y < Math.min(height, Math.ceil(cy + 1.7 * radius)); y++)
      for (let x = Math.max(0, Math.floor(cx - 1.7 * radius)); x < Math.min(width, Math.ceil(cx + 1.7 * radius)); x++) {
        const clipX0 = item.clip.x * pxPerMm;
        const clipY0 = item.clip.y * pxPerMm;
        if (x + 0.5 < clipX0 || x + 0.5 > clipX0 + item.clip.w * pxPerMm || y + 0.5 < clipY0 || y + 0.5 > clipY0 + item.clip.h * pxPerMm) continue;
        let hits = 0;
        for (let sy = 0; sy < s; sy++) for (let sx = 0; sx < s; sx++) if (insideMarker(item.shape, radius, x + (sx + 0.5) / s - cx, y + (sy + 0.5) / s - cy)) hits++;
        const a = (hits / (s * s)) * opacity;
        if (a === 0) continue;
        const o = 4 * (y * width + x);
        out[o] = (r / 255) * a + out[o]! * (1 - a);
        out[o + 1] = (g / 255) * a + out[o + 1]! * (1 - a);
        out[o + 2] = (b / 255) * a + out[o + 2]! * (1 - a);
        out[o + 3] = a + out[o + 3]! * (1 - a);
      }
  }
  return out;
}

function randomPoints(n: number, shape: MarkerShape, seed: number, extra: Partial<PointsItem> = {}): PointsItem {
  const rng = new Rng(seed);
  return {
    type: 'points',
    x: Float64Array.from({ length: n }, () => 1 + rng.next() * 8),
    y: Float64Array.from({ length: n }, () => 1 + rng.next() * 4),
    colorIndex: Uint8Array.from({ length: n }, () => Math.floor(rng.next() * 3)),
    palette: ['#0072B2', '#E69F00', '#000000'],
    shape,
    radiusMm: 0.3,
    clip: { x: 0.5, y: 0.5, w: 9, h: 5 },
    ...extra,
  };
}

describe('rasterize points', () => {
  const pxPerMm = 600 / 25.4;
  const width = Math.ceil(10 * pxPerMm);
  const height = Math.ceil(6 * pxPerMm);

  for (const shape of ['circle', 'square', 'triangle', 'diamond'] as const) {
    it(`matches a supersampled back-to-front reference (${shape}, overlapping, 3 colours)`, () => {
      const item = randomPoints(150, shape, shape.length, { radiiMm: Float32Array.from({ length: 150 }, (_, i) => 0.1 + (i % 5) * 0.05) });
      const raster = rasterize({ widthPx: width, heightPx: height, pxPerMm, originXMm: 0, originYMm: 0 }, [{ item }]);
      const ref = reference(item, width, height, pxPerMm);
      let worst = 0;
      let sumAlpha = 0;
      let sumRefAlpha = 0;
      for (let i = 0; i < width * height; i++) {
        const a = ref[4 * i + 3]!;
        sumRefAlpha += a;
        sumAlpha += raster.data[4 * i + 3]! / 255;
        worst = Math.max(worst, Math.abs(raster.data[4 * i + 3]! - a * 255));
        // Colours compared premultiplied, so faint edge pixels weigh little.
        for (let c = 0; c < 3; c++) worst = Math.max(worst, Math.abs((raster.data[4 * i + c]! * raster.data[4 * i + 3]!) / 255 - ref[4 * i + c]! * 255));
      }
      // 1/8-pixel placement, 1/16-pixel radii and 8 x 8 edge samples: an edge pixel may be off by a sixth.
      expect(worst).toBeLessThan(45);
      expect(Math.abs(sumAlpha - sumRefAlpha) / sumRefAlpha).toBeLessThan(0.01);
    });
  }

  it('covers the area of the marker (each shape has the circle area pi r^2)', () => {
    for (const shape of ['circle', 'square', 'triangle', 'diamond'] as const) {
      const item: PointsItem = { type: 'points', x: Float64Array.of(5.03), y: Float64Array.of(3.01), colorIndex: Uint8Array.of(0), palette: ['#000000'], shape, radiusMm: 1, clip: { x: 0, y: 0, w: 10, h: 6 } };
      const raster = rasterize({ widthPx: width, heightPx: height, pxPerMm, originXMm: 0, originYMm: 0 }, [{ item }]);
      let coverage = 0;
      for (let i = 3; i < raster.data.length; i += 4) coverage += raster.data[i]! / 255;
      expect(coverage / (Math.PI * pxPerMm ** 2)).toBeCloseTo(1, 2);
    }
  });

  it('honours the clip box and leaves the rest transparent', () => {
    const item = randomPoints(500, 'circle', 3, { clip: { x: 3, y: 2, w: 2, h: 1.5 } });
    const raster = rasterize({ widthPx: width, heightPx: height, pxPerMm, originXMm: 0, originYMm: 0 }, [{ item }]);
    let outside = 0;
    let inside = 0;
    for (let y = 0; y < height; y++)
      for (let x = 0; x < width; x++) {
        const a = raster.data[4 * (y * width + x) + 3]!;
        const mmX = (x + 0.5) / pxPerMm;
        const mmY = (y + 0.5) / pxPerMm;
        const inClip = mmX >= 3 && mmX <= 5 && mmY >= 2 && mmY <= 3.5;
        if (inClip) inside += a > 0 ? 1 : 0;
        else outside += a > 0 ? 1 : 0;
      }
    expect(outside).toBe(0);
    expect(inside).toBeGreaterThan(0);
  });

  it('draws only the raster-flagged points when asked', () => {
    const base = randomPoints(40, 'circle', 5, { radiusMm: 0.1 });
    const flags = Uint8Array.from({ length: 40 }, (_, i) => i % 2);
    const flaggedOnly: PointsItem = { ...base, raster: flags };
    const grid = { widthPx: width, heightPx: height, pxPerMm, originXMm: 0, originYMm: 0 };
    const some = rasterize(grid, [{ item: flaggedOnly }], 'raster-flagged');
    const keep = (f: (i: number) => boolean): PointsItem => {
      const idx = [...Array(40).keys()].filter(f);
      return { ...base, x: Float64Array.from(idx, (i) => base.x[i]!), y: Float64Array.from(idx, (i) => base.y[i]!), colorIndex: Uint8Array.from(idx, (i) => base.colorIndex[i]!) };
    };
    const expected = rasterize(grid, [{ item: keep((i) => flags[i] === 1) }]);
    expect(Buffer.from(some.data).equals(Buffer.from(expected.data))).toBe(true);
    const all = rasterize(grid, [{ item: flaggedOnly }], 'all');
    expect(Buffer.from(all.data).equals(Buffer.from(rasterize(grid, [{ item: base }]).data))).toBe(true);
    // No flags: nothing is raster content.
    expect(rasterize(grid, [{ item: base }], 'raster-flagged').data.every((v) => v === 0)).toBe(true);
  });

  it('composes a second point set over earlier content in paint order', () => {
    const grid = { widthPx: 40, heightPx: 40, pxPerMm: 10, originXMm: 0, originYMm: 0 };
    const under: PointsItem = { type: 'points', x: Float64Array.of(2), y: Float64Array.of(2), colorIndex: Uint8Array.of(0), palette: ['#ff0000'], shape: 'square', radiusMm: 1.5, clip: { x: 0, y: 0, w: 4, h: 4 } };
    const over: PointsItem = { ...under, palette: ['#0000ff'], radiusMm: 0.8, fillOpacity: 0.5 };
    const raster = createRaster(grid);
    drawPoints(raster, under);
    drawPoints(raster, over);
    finishRaster(raster);
    const centre = 4 * (20 * 40 + 20);
    const [r, g, b, a] = raster.data.subarray(centre, centre + 4);
    // Half blue over red.
    expect(Math.abs(r! - 127.5)).toBeLessThan(3);
    expect(g).toBe(0);
    expect(Math.abs(b! - 127.5)).toBeLessThan(3);
    expect(a).toBe(255);
  });

  it('draws a stroked marker: outline colour on the edge, fill inside', () => {
    const item: PointsItem = { type: 'points', x: Float64Array.of(2), y: Float64Array.of(2), colorIndex: Uint8Array.of(0), palette: ['#ffff00'], shape: 'circle', radiusMm: 1, stroke: '#000000', strokePt: 1.5, clip: { x: 0, y: 0, w: 4, h: 4 } };
    const raster = rasterize({ widthPx: 80, heightPx: 80, pxPerMm: 20, originXMm: 0, originYMm: 0 }, [{ item }]);
    const at = (xMm: number, yMm: number): number[] => {
      const o = 4 * (Math.floor(yMm * 20) * 80 + Math.floor(xMm * 20));
      return [...raster.data.subarray(o, o + 4)];
    };
    expect(at(2, 2)).toEqual([255, 255, 0, 255]);
    expect(at(3, 2)).toEqual([0, 0, 0, 255]);
    expect(at(3.4, 2)[3]).toBe(0);
  });
});

describe('rasterize cells', () => {
  it('is nearest neighbour without smoothing, clipped', () => {
    const cols = 5;
    const rows = 4;
    const rgb = Uint8Array.from({ length: cols * rows * 3 }, (_, i) => (i * 37) % 256);
    const item: CellsItem = { type: 'cells', box: { x: 1, y: 1, w: 5, h: 4 }, cols, rows, rgb };
    const grid = { widthPx: 70, heightPx: 60, pxPerMm: 10, originXMm: 0, originYMm: 0 };
    const raster = createRaster(grid);
    drawCells(raster, item, { x: 0, y: 0, w: 7, h: 4 });
    finishRaster(raster);
    const colours = new Set<string>();
    for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) colours.add(`${rgb[3 * (r * cols + c)]},${rgb[3 * (r * cols + c) + 1]},${rgb[3 * (r * cols + c) + 2]},255`);
    for (let y = 0; y < 60; y++)
      for (let x = 0; x < 70; x++) {
        const o = 4 * (y * 70 + x);
        const px = [...raster.data.subarray(o, o + 4)];
        const mmX = (x + 0.5) / 10;
        const mmY = (y + 0.5) / 10;
        if (mmX > 1 && mmX < 6 && mmY > 1 && mmY < 4) {
          expect(colours.has(px.join(','))).toBe(true);
          const c = Math.floor(mmX - 1);
          const r = Math.floor(mmY - 1);
          expect(px.slice(0, 3)).toEqual([...rgb.subarray(3 * (r * cols + c), 3 * (r * cols + c) + 3)]);
        } else expect(px[3]).toBe(0);
      }
  });
});
