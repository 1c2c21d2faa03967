/**
 * Paint a figure scene as PNG or TIFF at a DPI: the scene goes through sceneToSvg with every point
 * in the embedded raster layer (a million SVG circles would be slow), drawn on the output's own
 * pixel grid, and resvg renders that SVG at exactly round(widthMm / 25.4 * dpi) pixels wide with
 * the bundled fonts on white.
 *
 * PNG: resvg's PNG plus a pHYs chunk (pixels per metre) and tEXt metadata (title, description,
 * software, run). TIFF: RGB without alpha, LZW with horizontal prediction, XResolution/YResolution
 * in pixels per inch (sharp takes pixels per mm), the metadata as an XMP packet (libvips writes
 * no other text tags).
 */
import { Resvg, type RenderedImage } from '@resvg/resvg-js';
import sharp from 'sharp';
import type { Scene } from '../../figures/scene.js';
import { fontFiles } from './fonts.js';
import { insertPngChunks, physChunk, textChunk } from './png-encode.js';
import { escapeXml, sceneToSvg } from './svg.js';

export interface RasterPaintOptions {
  dpi: number;
}

/** Output width in pixels: round(widthMm / 25.4 * dpi). */
export function pixelWidth(widthMm: number, dpi: number): number {
  return Math.max(1, Math.round((widthMm / 25.4) * dpi));
}

/** The scene rendered by resvg at a DPI, on white. */
function render(scene: Scene, opts: RasterPaintOptions): RenderedImage {
  const width = pixelWidth(scene.widthMm, opts.dpi);
  // The raster layer on the output's pixel grid (width / widthMm pixels per mm), so it maps 1:1.
  const svg = sceneToSvg(scene, { dpi: opts.dpi, rasterLayer: 'all-points', rasterPxPerMm: width / scene.widthMm, pngLevel: 1 });
  const resvg = new Resvg(svg, {
    fitTo: { mode: 'width', value: width },
    background: 'white',
    font: { fontFiles: fontFiles(), loadSystemFonts: false, defaultFontFamily: 'Liberation Sans' },
    imageRendering: 1,
    logLevel: 'off',
  });
  return resvg.render();
}

/** RGBA pixels of the scene rendered at a DPI (opaque, on white), with their size. */
export function renderScene(scene: Scene, opts: RasterPaintOptions): { width: number; height: number; rgba: Buffer } {
  const image = render(scene, opts);
  return { width: image.width, height: image.height, rgba: image.pixels };
}

/** The scene as a PNG at a DPI, with pHYs and text metadata. */
export function sceneToPng(scene: Scene, opts: RasterPaintOptions): Buffer {
  const png = render(scene, opts).asPng();
  const { title, description, runId, software } = scene.meta;
  const text = [textChunk('Title', title), textChunk('Description', description), textChunk('Software', software)];
  if (runId !== undefined) text.push(textChunk('Comment', `kinscan run ${runId}`));
  return insertPngChunks(png, [physChunk(opts.dpi), ...text]);
}

/** Title, description, software and run of a scene as an XMP packet. */
export function xmpPacket(scene: Scene): string {
  const { title, description, runId, software } = scene.meta;
  const alt = (s: string): string => `<rdf:Alt><rdf:li xml:lang="x-default">${escapeXml(s)}</rdf:li></rdf:Alt>`;
  return (
    '<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?>' +
    '<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">' +
    '<rdf:Description rdf:about="" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:xmp="http://ns.adobe.com/xap/1.0/">' +
    `<dc:title>${alt(title)}</dc:title><dc:description>${alt(description)}</dc:description>` +
    (runId !== undefined ? `<dc:identifier>kinscan run ${runId}</dc:identifier>` : '') +
    `<xmp:CreatorTool>${escapeXml(software)}</xmp:CreatorTool>` +
    '</rdf:Description></rdf:RDF></x:xmpmeta><?xpacket end="r"?>'
  );
}

/** The scene as an LZW-compressed RGB TIFF at a DPI. */
export async function sceneToTiff(scene: Scene, opts: RasterPaintOptions): Promise<Buffer> {
  const { width, height, rgba } = renderScene(scene, opts);
  const pixelsPerMm = opts.dpi / 25.4;
  return sharp(rgba, { raw: { width, height, channels: 4 } })
    .removeAlpha()
    .withXmp(xmpPacket(scene))
    .tiff({ compression: 'lzw', predictor: 'horizontal', xres: pixelsPerMm, yres: pixelsPerMm, resolutionUnit: 'inch' })
    .toBuffer();
}
