/**
 * File sizes of a million-point Manhattan-like figure (about 1% of points stay vector): the PDF
 * under 2 MB with only the raster layer as an image, the 600 dpi double-column TIFF under PLOS's
 * 10 MB, and the same figure's geometry agreeing between PNG and PDF.
 */
import { describe, expect, it } from 'vitest';
import { paintScene } from '../../engine/export/paint/index.js';
import { tempDir } from '../helpers/tmp.js';
import { manhattanLikeScene } from './paint-fixture.js';
import { decodeImage, run, writeTemp } from './paint-readers.js';

const dir = tempDir('kinscan-paint-size-');
const scene = manhattanLikeScene(1_000_000, 183, 90);

describe('a 1,000,000-point Manhattan', () => {
  it('is a PDF under 2 MB at 300 and 600 dpi, with one opaque image', async () => {
    for (const dpi of [300, 600]) {
      const pdf = await paintScene(scene, 'pdf', { dpi });
      expect(pdf.length).toBeLessThan(2 * 1024 * 1024);
      const path = writeTemp(dir, `m-${dpi}.pdf`, pdf);
      const rows = run('pdfimages', ['-list', path]).split('\n').slice(2).filter(Boolean).map((r) => r.trim().split(/\s+/));
      // Nothing lies under the points, so the layer needs no soft mask.
      expect(rows.map((r) => r[2])).toEqual(['image']);
      expect(rows[0]![12]).toBe(String(dpi));
    }
  });

  it('is a 600 dpi, 183 mm TIFF under 10 MB', async () => {
    const tiff = await paintScene(scene, 'tiff', { dpi: 600 });
    expect(tiff.length).toBeLessThan(10 * 1000 * 1000);
    const info = run('tiffinfo', [writeTemp(dir, 'm.tif', tiff)]);
    expect(info).toMatch(/Image Width: 4323 /);
  });

  it('looks the same as PNG and as PDF (pdftoppm), pixel for pixel but for edges', async () => {
    const png = await decodeImage(await paintScene(scene, 'png', { dpi: 150 }), 150);
    const pdfPath = writeTemp(dir, 'm-150.pdf', await paintScene(scene, 'pdf', { dpi: 150 }));
    run('pdftoppm', ['-scale-to-x', String(png.width), '-scale-to-y', String(png.height), '-png', '-singlefile', pdfPath, `${dir}/m-150`]);
    const pdf = await decodeImage(`${dir}/m-150.png`, 150);
    let differing = 0;
    for (let i = 0; i < png.data.length; i += 3) {
      const d = Math.max(Math.abs(png.data[i]! - pdf.data[i]!), Math.abs(png.data[i + 1]! - pdf.data[i + 1]!), Math.abs(png.data[i + 2]! - pdf.data[i + 2]!));
      if (d > 96) differing++;
    }
    // Anti-aliasing of vector edges differs between renderers; the picture does not.
    expect(differing / (png.width * png.height)).toBeLessThan(0.01);
  });
});
