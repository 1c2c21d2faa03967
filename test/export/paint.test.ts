/**
 * The painters, checked on the files they write with independent readers: PNG chunks by hand,
 * TIFF by tiffinfo and utif2, SVG by resvg, PDF by pdftoppm/pdffonts/pdfimages/pdfinfo, EPS by
 * Ghostscript. Geometry must agree across formats: a rect of a distinctive colour at a known
 * place, and a text item's ink where text.ts's textBox says.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { MM_PER_PT, type Scene, type TextItem } from '../../engine/figures/scene.js';
import { textBox } from '../../engine/figures/text.js';
import { fontFiles } from '../../engine/export/paint/fonts.js';
import { formatOfPath, paintScene, paintSceneToFile } from '../../engine/export/paint/index.js';
import { tempDir } from '../helpers/tmp.js';
import { CELLS_BOX, INK_TEXT, MARK_RECT, MARK_RGB, PLOT, SHAPE_MARKS, syntheticScene } from './paint-fixture.js';
import {
  colourDistance,
  decodeImage,
  decodeTiff,
  inkAround,
  pixelAt,
  pngChunks,
  pngSize,
  renderEps,
  renderPdf,
  renderSvg,
  run,
  writeTemp,
  type RgbImage,
} from './paint-readers.js';

const dir = tempDir('kinscan-paint-');
const DATE = new Date('2026-01-02T03:04:05Z');
const scene = syntheticScene();
/** The scene's texts, to check their ink in every format. */
const texts = scene.items.filter((i): i is TextItem => i.type === 'text');
const rotated = texts.find((t) => t.rotate === 90)!;
const endAnchored = texts.find((t) => t.anchor === 'end' && t.weight === 'bold')!;
const topBaseline = texts.find((t) => t.baseline === 'top' && t.anchor === 'middle')!;

/** A small scene for the pixel-size checks at high DPI. */
function smallScene(widthMm: number, heightMm: number): Scene {
  return {
    kind: 'qq',
    widthMm,
    heightMm,
    background: '#ffffff',
    items: [{ type: 'rect', x: 2, y: 2, w: 10, h: 5, fill: '#123456' }],
    meta: { title: 'small', description: 'A rect.', software: 'kinscan 0.1.0' },
  };
}

/** The raster layer's expected pixel box: the union of the point set's and the cells' clip boxes on the page grid. */
function expectedLayerPx(dpi: number): { width: number; height: number } {
  const k = dpi / 25.4;
  const cellsClip = { x: CELLS_BOX.x, y: CELLS_BOX.y, w: CELLS_BOX.w, h: CELLS_BOX.h - 4 };
  const x0 = Math.min(PLOT.x, cellsClip.x);
  const y0 = Math.min(PLOT.y, cellsClip.y);
  const x1 = Math.max(PLOT.x + PLOT.w, cellsClip.x + cellsClip.w);
  const y1 = Math.max(PLOT.y + PLOT.h, cellsClip.y + cellsClip.h);
  return { width: Math.ceil(x1 * k - 1e-6) - Math.floor(x0 * k + 1e-6), height: Math.ceil(y1 * k - 1e-6) - Math.floor(y0 * k + 1e-6) };
}

/** The checks every rendering of the synthetic scene must pass. */
function expectGeometry(img: RgbImage, label: string): void {
  const centre = pixelAt(img, MARK_RECT.x + MARK_RECT.w / 2, MARK_RECT.y + MARK_RECT.h / 2);
  expect(colourDistance(centre, MARK_RGB), `${label}: mark colour inside`).toBeLessThanOrEqual(6);
  // Just inside each edge, and just outside.
  expect(colourDistance(pixelAt(img, MARK_RECT.x + 0.3, MARK_RECT.y + 0.3), MARK_RGB), `${label}: top-left corner`).toBeLessThanOrEqual(6);
  expect(colourDistance(pixelAt(img, MARK_RECT.x + MARK_RECT.w - 0.3, MARK_RECT.y + MARK_RECT.h - 0.3), MARK_RGB), `${label}: bottom-right corner`).toBeLessThanOrEqual(6);
  expect(colourDistance(pixelAt(img, MARK_RECT.x - 0.3, MARK_RECT.y + 2), MARK_RGB), `${label}: left of the mark`).toBeGreaterThan(100);
  expect(colourDistance(pixelAt(img, MARK_RECT.x + 2, MARK_RECT.y + MARK_RECT.h + 0.3), MARK_RGB), `${label}: below the mark`).toBeGreaterThan(100);
  for (const t of [INK_TEXT, rotated, endAnchored, topBaseline]) {
    const ink = inkAround(img, t);
    expect(ink.inside, `${label}: ink of "${t.text}" inside its box`).toBeGreaterThan(20);
    expect(ink.ring, `${label}: ink of "${t.text}" outside its box`).toBe(0);
  }
}

describe('PNG', () => {
  for (const dpi of [300, 600, 1000]) {
    it(`is round(mm / 25.4 * dpi) pixels and carries pHYs at ${dpi} dpi`, async () => {
      const png = await paintScene(smallScene(89, 31.3), 'png', { dpi });
      expect(pngSize(png)).toEqual({ width: Math.round((89 / 25.4) * dpi), height: Math.round((31.3 / 25.4) * dpi) });
      const chunks = pngChunks(png);
      const phys = chunks.filter((c) => c.type === 'pHYs');
      expect(phys).toHaveLength(1);
      expect(phys[0]!.data.readUInt32BE(0)).toBe(Math.round(dpi / 0.0254));
      expect(phys[0]!.data.readUInt32BE(4)).toBe(Math.round(dpi / 0.0254));
      expect(phys[0]!.data[8]).toBe(1);
      // Before the image data.
      expect(chunks.findIndex((c) => c.type === 'pHYs')).toBeLessThan(chunks.findIndex((c) => c.type === 'IDAT'));
    });
  }

  it('draws every item where the scene says, with title and software in tEXt', async () => {
    const png = await paintScene(scene, 'png', { dpi: 300 });
    expect(pngSize(png)).toEqual({ width: Math.round((183 / 25.4) * 300), height: Math.round((90 / 25.4) * 300) });
    const text = pngChunks(png)
      .filter((c) => c.type === 'tEXt')
      .map((c) => c.data.toString('latin1').replace('\0', '='));
    expect(text).toEqual(expect.arrayContaining(['Title=Synthetic scene', 'Software=kinscan 0.1.0', 'Comment=kinscan run 42']));
    const img = await decodeImage(png, 300);
    expectGeometry(img, 'PNG');
    // The cells (raster in every format) and the clip of their group.
    const cell = pixelAt(img, CELLS_BOX.x + 1, CELLS_BOX.y + 1);
    expect(colourDistance(cell, [40, 60, 240])).toBeLessThanOrEqual(3);
    expect(pixelAt(img, CELLS_BOX.x + 5, CELLS_BOX.y + CELLS_BOX.h - 2)).toEqual([255, 255, 255]);
  });
});

describe('TIFF', () => {
  let tiff: Buffer;
  let path: string;
  beforeAll(async () => {
    tiff = await paintScene(scene, 'tiff', { dpi: 300 });
    path = writeTemp(dir, 'scene.tif', tiff);
  });

  it('is LZW RGB without alpha at the DPI (tiffinfo)', () => {
    const info = run('tiffinfo', [path]);
    expect(info).toMatch(/Compression Scheme: LZW/);
    expect(info).toMatch(/Samples\/Pixel: 3\b/);
    expect(info).not.toMatch(/Extra Samples/i);
    expect(info).toMatch(/Photometric Interpretation: RGB/);
    expect(info).toMatch(/Resolution: 300, 300 pixels\/inch/);
    expect(info).toMatch(/Image Width: 2161 Image Length: 1063/);
    // Title, software and run as XMP.
    expect(info).toMatch(/XMLPacket[\s\S]*<dc:title>.*Synthetic scene.*<\/dc:title>[\s\S]*kinscan run 42[\s\S]*<xmp:CreatorTool>kinscan 0\.1\.0</);
  });

  it('decodes (utif2) to the size and the geometry of the scene', () => {
    const img = decodeTiff(tiff, 300);
    expect([img.width, img.height]).toEqual([2161, 1063]);
    expectGeometry(img, 'TIFF');
  });

  it('says 600 dpi when asked for 600', async () => {
    const p = writeTemp(dir, 'small600.tif', await paintScene(smallScene(40, 20), 'tiff', { dpi: 600 }));
    expect(run('tiffinfo', [p])).toMatch(/Resolution: 600, 600 pixels\/inch/);
  });
});

describe('SVG', () => {
  const svg = (() => {
    let cached: string | undefined;
    return async (): Promise<string> => (cached ??= (await paintScene(scene, 'svg', { dpi: 300 })).toString('utf8'));
  })();

  it('has mm size, metadata, the vector marks and exactly one image', async () => {
    const s = await svg();
    expect(s).toMatch(/<svg [^>]*width="183mm" height="90mm" viewBox="0 0 183 90"/);
    expect(s).toContain('<title>Synthetic scene</title>');
    expect(s).toContain('<desc>Every item type for the painter tests.</desc>');
    expect(s).toMatch(/<metadata>[\s\S]*kinscan 0\.1\.0[\s\S]*run id: 42[\s\S]*raster layer: 300 dpi[\s\S]*<\/metadata>/);
    // Half of the 100,000 points stay vector (circles), plus 3 circles among the 12 shape marks.
    expect(s.match(/<circle /g)).toHaveLength(50_000 + 3);
    const shapePaths = s.match(/<path d="M[^"]*Z"\/>/g) ?? [];
    expect(shapePaths).toHaveLength(SHAPE_MARKS - 3);
    expect(s.match(/<image /g)).toHaveLength(1);
    // The embedded PNG is the raster layer at the export DPI.
    const href = /xlink:href="data:image\/png;base64,([^"]+)"/.exec(s)![1]!;
    expect(pngSize(Buffer.from(href, 'base64'))).toEqual(expectedLayerPx(300));
    expect(s.match(/<text /g)).toHaveLength(texts.length);
  });

  it('parses and renders (resvg) with the geometry of the scene', async () => {
    const img = renderSvg(await svg(), 183, 300, fontFiles());
    expect([img.width, img.height]).toEqual([2161, 1063]);
    expectGeometry(img, 'SVG');
  });

  it('outlines text on request, in the same place', async () => {
    const s = (await paintScene(scene, 'svg', { dpi: 150, outlineText: true })).toString('utf8');
    expect(s).not.toContain('<text ');
    expectGeometry(renderSvg(s, 183, 300, fontFiles()), 'SVG outlined');
  });

  it('has no image when the scene has no raster content', async () => {
    const s = (await paintScene(syntheticScene(2000, false), 'svg', { dpi: 300 })).toString('utf8');
    expect(s).not.toContain('<image ');
    expect(s).not.toContain('raster layer');
  });
});

describe('PDF', () => {
  let path: string;
  let bytes: Buffer;
  beforeAll(async () => {
    bytes = await paintScene(scene, 'pdf', { dpi: 300, creationDate: DATE });
    path = writeTemp(dir, 'scene.pdf', bytes);
  });

  it('has the scene size in pt and the metadata (pdfinfo)', () => {
    const info = run('pdfinfo', [path]);
    expect(info).toMatch(/Pages:\s+1\n/);
    const [, w, h] = /Page size:\s+([\d.]+) x ([\d.]+) pts/.exec(info)!;
    expect(Number(w)).toBeCloseTo(183 / MM_PER_PT, 1);
    expect(Number(h)).toBeCloseTo(90 / MM_PER_PT, 1);
    expect(info).toMatch(/Title:\s+Synthetic scene/);
    expect(info).toMatch(/Subject:\s+Every item type for the painter tests\. Raster layer: 300 dpi\./);
    expect(info).toMatch(/Keywords:\s+kinscan run 42/);
    expect(info).toMatch(/Creator:\s+kinscan 0\.1\.0/);
    expect(info).toMatch(/CreationDate:\s+Fri Jan  2 03:04:05 2026 UTC/);
  });

  it('embeds Liberation Sans (pdffonts)', () => {
    const rows = run('pdffonts', [path]).split('\n').slice(2).filter(Boolean);
    expect(rows.length).toBeGreaterThanOrEqual(2);
    for (const row of rows) {
      expect(row).toMatch(/^[A-Z]{6}\+LiberationSans/);
      // name type encoding emb sub uni: emb is "yes".
      expect(row).toMatch(/\s+yes\s+yes\s+yes\s+\d+\s+0\s*$/);
    }
    expect(rows.some((r) => r.includes('LiberationSans-Bold'))).toBe(true);
  });

  it('holds exactly one image, the raster layer at the export DPI (pdfimages)', () => {
    const rows = run('pdfimages', ['-list', path]).split('\n').slice(2).filter(Boolean).map((r) => r.trim().split(/\s+/));
    const images = rows.filter((r) => r[2] === 'image');
    expect(images).toHaveLength(1);
    const { width, height } = expectedLayerPx(300);
    expect([Number(images[0]![3]), Number(images[0]![4])]).toEqual([width, height]);
    expect([images[0]![12], images[0]![13]]).toEqual(['300', '300']);
    // Its transparency (vector content lies under it) is the one soft mask of the same size.
    const masks = rows.filter((r) => r[2] === 'smask');
    expect(masks.length).toBeLessThanOrEqual(1);
    for (const m of masks) expect([Number(m[3]), Number(m[4])]).toEqual([width, height]);
  });

  it('holds no image when the scene has no raster content', async () => {
    const p = writeTemp(dir, 'vector.pdf', await paintScene(syntheticScene(2000, false), 'pdf', { dpi: 300 }));
    expect(run('pdfimages', ['-list', p]).split('\n').slice(2).filter(Boolean)).toHaveLength(0);
    expect(run('pdfinfo', [p])).not.toMatch(/Raster layer/);
  });

  it('renders (pdftoppm) with the geometry of the scene', async () => {
    expectGeometry(await renderPdf(path, dir, 300), 'PDF');
  });

  it('is byte-identical for the same creation date', async () => {
    const again = await paintScene(scene, 'pdf', { dpi: 300, creationDate: DATE });
    expect(again.equals(bytes)).toBe(true);
  });
});

describe('EPS', () => {
  let path: string;
  let text: string;
  beforeAll(async () => {
    const bytes = await paintScene(scene, 'eps', { dpi: 300, creationDate: DATE });
    text = bytes.toString('latin1');
    path = writeTemp(dir, 'scene.eps', bytes);
  });

  it('has the DSC header and a BoundingBox of the scene size in pt, rounded up', () => {
    expect(text.startsWith('%!PS-Adobe-3.0 EPSF-3.0\n')).toBe(true);
    const bbox = /^%%BoundingBox: (\d+) (\d+) (\d+) (\d+)$/m.exec(text)!.slice(1).map(Number);
    expect(bbox).toEqual([0, 0, Math.ceil(183 / MM_PER_PT), Math.ceil(90 / MM_PER_PT)]);
    const hires = /^%%HiResBoundingBox: ([\d.]+) ([\d.]+) ([\d.]+) ([\d.]+)$/m.exec(text)!.slice(1).map(Number);
    expect(hires[2]).toBeCloseTo(183 / MM_PER_PT, 2);
    expect(hires[3]).toBeCloseTo(90 / MM_PER_PT, 2);
    expect(text).toMatch(/^%%Title: Synthetic scene$/m);
    expect(text).toMatch(/^%%Creator: kinscan 0\.1\.0$/m);
    expect(text).toMatch(/^%%CreationDate: 2026-01-02T03:04:05Z$/m);
    // One image (the raster layer); text as outlines, no fonts.
    expect(text.match(/ image\n/g)).toHaveLength(1);
    expect(text).not.toMatch(/findfont|show\b/);
  });

  it('renders (Ghostscript) at the BoundingBox size with the geometry of the scene', async () => {
    const img = await renderEps(path, dir, 300);
    // gs crops to the (HiRes)BoundingBox: the scene's width within the rounding up.
    expect(Math.abs(img.width - (183 / 25.4) * 300)).toBeLessThan(3);
    expectGeometry(img, 'EPS');
  });
});

describe('text advance', () => {
  it('is text.ts measure in every format: no kerning, no ligatures', async () => {
    const t: TextItem = { type: 'text', x: 3, y: 12, text: 'AVAWAY To office fifty', sizePt: 14, anchor: 'start', baseline: 'alphabetic', weight: 'normal', fill: '#000000' };
    const small: Scene = { ...smallScene(70, 18), items: [t] };
    const box = textBox(t);
    // The ink of the last letter (y) ends at its advance less a small side bearing.
    const rightInk = (img: RgbImage): number => {
      for (let x = img.width - 1; x >= 0; x--) for (let y = 0; y < img.height; y++) if (img.data[3 * (y * img.width + x)]! < 110) return (x + 1) / img.pxPerMm;
      return 0;
    };
    const renders: Array<[string, RgbImage]> = [
      ['SVG', renderSvg((await paintScene(small, 'svg', { dpi: 300 })).toString(), 70, 300, fontFiles())],
      ['SVG outlined', renderSvg((await paintScene(small, 'svg', { dpi: 300, outlineText: true })).toString(), 70, 300, fontFiles())],
      ['PNG', await decodeImage(await paintScene(small, 'png', { dpi: 300 }), 300)],
      ['PDF', await renderPdf(writeTemp(dir, 'advance.pdf', await paintScene(small, 'pdf', { dpi: 300 })), dir, 300)],
      ['EPS', await renderEps(writeTemp(dir, 'advance.eps', await paintScene(small, 'eps', { dpi: 300 })), dir, 300)],
    ];
    for (const [label, img] of renders) {
      const right = rightInk(img);
      expect(right, label).toBeGreaterThan(box.x + box.w - 0.4);
      expect(right, label).toBeLessThan(box.x + box.w + 0.2);
    }
  });
});

describe('raster layer order', () => {
  // A box plot's shape: points, an opaque box over them, then means on the box.
  const orderScene = (): Scene => ({
    kind: 'genotype',
    widthMm: 40,
    heightMm: 30,
    background: '#ffffff',
    meta: { title: 'order', description: 'paint order', software: 'kinscan test' },
    items: [
      { type: 'points', x: Float64Array.of(10, 20, 30), y: Float64Array.of(15, 15, 15), colorIndex: new Uint8Array(3), palette: ['#0000ff'], shape: 'circle', radiusMm: 2, raster: Uint8Array.of(1, 1, 1), clip: { x: 0, y: 0, w: 40, h: 30 } },
      { type: 'rect', x: 15, y: 5, w: 10, h: 20, fill: '#00ff00' },
      { type: 'points', x: Float64Array.of(20), y: Float64Array.of(15), colorIndex: new Uint8Array(1), palette: ['#ff0000'], shape: 'diamond', radiusMm: 1.5, raster: Uint8Array.of(1), clip: { x: 0, y: 0, w: 40, h: 30 } },
    ],
  });

  it('keeps a point set painted over vector content above it, in every format', async () => {
    const s = orderScene();
    const renders: Array<[string, RgbImage]> = [
      ['PNG', await decodeImage(await paintScene(s, 'png', { dpi: 300 }), 300)],
      ['SVG', renderSvg((await paintScene(s, 'svg', { dpi: 300 })).toString(), 40, 300, fontFiles())],
      ['PDF', await renderPdf(writeTemp(dir, 'order.pdf', await paintScene(s, 'pdf', { dpi: 300 })), dir, 300)],
      ['EPS', await renderEps(writeTemp(dir, 'order.eps', await paintScene(s, 'eps', { dpi: 300 })), dir, 300)],
    ];
    for (const [label, img] of renders) {
      const [r, g, b] = pixelAt(img, 20, 15);
      expect([r > 200, g < 60, b < 60], `${label}: the mean over the box`).toEqual([true, true, true]);
      const [r2, g2, b2] = pixelAt(img, 10, 15);
      expect([r2 < 60, g2 < 60, b2 > 200], `${label}: a point beside the box`).toEqual([true, true, true]);
      const [r3, g3, b3] = pixelAt(img, 17, 15);
      expect([r3 < 60, g3 > 200, b3 < 60], `${label}: the box over the point under it`).toEqual([true, true, true]);
    }
  });
});

describe('formats and files', () => {
  it('maps extensions to formats', () => {
    expect(['a.svg', 'b.PDF', 'c.eps', 'd.png', 'e.tif', 'f.TIFF', 'g.jpg', 'noext'].map(formatOfPath)).toEqual(['svg', 'pdf', 'eps', 'png', 'tiff', 'tiff', undefined, undefined]);
  });

  it('writes through a temporary file and leaves only the result', async () => {
    const out = join(dir, 'files');
    await import('node:fs/promises').then((fs) => fs.mkdir(out));
    const small = smallScene(40, 20);
    for (const name of ['f.svg', 'f.pdf', 'f.eps', 'f.png', 'f.tiff']) await paintSceneToFile(small, join(out, name), { dpi: 150 });
    expect(readdirSync(out).sort()).toEqual(['f.eps', 'f.pdf', 'f.png', 'f.svg', 'f.tiff']);
    expect(readFileSync(join(out, 'f.pdf')).subarray(0, 5).toString()).toBe('%PDF-');
    await expect(paintSceneToFile(small, join(out, 'f.jpg'), { dpi: 150 })).rejects.toThrow(/Unknown figure format/);
    expect(existsSync(join(out, 'f.jpg'))).toBe(false);
  });
});
