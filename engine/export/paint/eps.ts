/**
 * Paint a figure scene as Encapsulated PostScript (EPSF-3.0, LanguageLevel 3), written by hand:
 * no maintained library exists (Ghostscript's eps2write is AGPL and serves the tests only).
 *
 * The page is set up in scene units: origin at the top-left, y down, 1 unit = 1 mm. Text is
 * filled glyph outlines (opentype.js, as text.ts lays it out), point sets use one marker procedure
 * each (defined once in the prolog), and the raster layer is one image (Flate + ASCII85): opaque
 * RGB when nothing lies under it, else an ImageType 3 image whose mask keeps the pixels at least
 * half covered. PostScript has no transparency: a fill opacity below 1 is painted as the fill
 * colour mixed with the scene's background.
 */
import { deflateSync } from 'node:zlib';
import { flattenOnto, markerPolygon } from '../../figures/rasterize.js';
import { parseHex } from '../../figures/palette.js';
import { leafItems, MM_PER_PT, type Box, type PointsItem, type Scene } from '../../figures/scene.js';
import { textOutline, type OutlineCommand } from './fonts.js';
import { buildRasterLayer, paintedBackground, sameBox, vectorPointIndices, type RasterLayer } from './raster-layer.js';

export interface EpsOptions {
  /** Resolution of the raster layer. */
  dpi: number;
  /** %%CreationDate (default now). */
  creationDate?: Date;
}

/** mm to 3 decimals. */
function n3(v: number): string {
  const r = Math.round(v * 1000) / 1000;
  return Object.is(r, -0) ? '0' : String(r);
}

function n4(v: number): string {
  const r = Math.round(v * 10000) / 10000;
  return Object.is(r, -0) ? '0' : String(r);
}

/** A DSC comment value: printable ASCII on one line. */
function dscText(s: string): string {
  return s.replace(/[^\x20-\x7e]/g, '?').slice(0, 250);
}

/** The colour as setrgbcolor operands, mixed with `under` at `opacity` (PostScript has no alpha). */
function rgb(hex: string, opacity = 1, under = '#ffffff'): string {
  const c = parseHex(hex);
  const b = parseHex(under);
  return c.map((v, i) => n4((v * opacity + b[i]! * (1 - opacity)) / 255)).join(' ');
}

/** ASCII85 (Adobe) of bytes, 72 characters a line, ending with ~>. */
export function ascii85(bytes: Uint8Array): string {
  const out: string[] = [];
  let line = '';
  const push = (s: string): void => {
    line += s;
    if (line.length >= 72) {
      out.push(line);
      line = '';
    }
  };
  const full = bytes.length - (bytes.length % 4);
  for (let i = 0; i < full; i += 4) {
    let v = ((bytes[i]! << 24) | (bytes[i + 1]! << 16) | (bytes[i + 2]! << 8) | bytes[i + 3]!) >>> 0;
    if (v === 0) {
      push('z');
      continue;
    }
    const chars = new Array<string>(5);
    for (let k = 4; k >= 0; k--) {
      chars[k] = String.fromCharCode(33 + (v % 85));
      v = Math.floor(v / 85);
    }
    push(chars.join(''));
  }
  const rest = bytes.length - full;
  if (rest > 0) {
    let v = 0;
    for (let k = 0; k < 4; k++) v = v * 256 + (k < rest ? bytes[full + k]! : 0);
    const chars = new Array<string>(5);
    for (let k = 4; k >= 0; k--) {
      chars[k] = String.fromCharCode(33 + (v % 85));
      v = Math.floor(v / 85);
    }
    push(chars.slice(0, rest + 1).join(''));
  }
  out.push(`${line}~>`);
  return out.join('\n');
}

function pathOps(commands: OutlineCommand[]): string {
  const parts: string[] = [];
  let cx = 0;
  let cy = 0;
  for (const c of commands) {
    const p = c.points;
    switch (c.op) {
      case 'M':
        parts.push(`${n3(p[0]!)} ${n3(p[1]!)} m`);
        [cx, cy] = [p[0]!, p[1]!];
        break;
      case 'L':
        parts.push(`${n3(p[0]!)} ${n3(p[1]!)} l`);
        [cx, cy] = [p[0]!, p[1]!];
        break;
      case 'Q': {
        // Quadratic to cubic: controls at 2/3 of the way to the quadratic's control point.
        const [qx, qy, x, y] = p as [number, number, number, number];
        parts.push(`${n3(cx + (2 / 3) * (qx - cx))} ${n3(cy + (2 / 3) * (qy - cy))} ${n3(x + (2 / 3) * (qx - x))} ${n3(y + (2 / 3) * (qy - y))} ${n3(x)} ${n3(y)} c`);
        [cx, cy] = [x, y];
        break;
      }
      case 'C':
        parts.push(`${p.map(n3).join(' ')} c`);
        [cx, cy] = [p[4]!, p[5]!];
        break;
      case 'Z':
        parts.push('h');
        break;
    }
  }
  return parts.join(' ');
}

/** The unit marker (radius 1, y down) as a path. */
function unitMarker(shape: PointsItem['shape']): string {
  const poly = markerPolygon(shape);
  if (!poly) return '0 0 1 0 360 arc h';
  let d = '';
  for (let v = 0; v < poly.length; v += 2) d += `${n4(poly[v]!)} ${n4(poly[v + 1]!)} ${v === 0 ? 'm' : 'l'} `;
  return `${d}h`;
}

/** The raster layer as PostScript: one image, masked when content lies under it. */
function rasterImage(layer: RasterLayer, background: string | undefined): string {
  const { widthPx: w, heightPx: h } = layer;
  const pixels = layer.rgba;
  const masked = layer.overContent || !background;
  if (!masked) flattenOnto(pixels, background);
  const stride = masked ? 4 : 3;
  const samples = Buffer.alloc(w * h * stride);
  for (let i = 0, j = 0; i < w * h; i++, j += stride) {
    if (masked) {
      // InterleaveType 1: the mask sample precedes each pixel's colour.
      samples[j] = pixels[4 * i + 3]! >= 128 ? 255 : 0;
      samples[j + 1] = pixels[4 * i]!;
      samples[j + 2] = pixels[4 * i + 1]!;
      samples[j + 3] = pixels[4 * i + 2]!;
    } else {
      samples[j] = pixels[4 * i]!;
      samples[j + 1] = pixels[4 * i + 1]!;
      samples[j + 2] = pixels[4 * i + 2]!;
    }
  }
  const data = ascii85(deflateSync(samples));
  const b = layer.box;
  const matrix = `[${w} 0 0 ${h} 0 0]`;
  const source = '/DataSource currentfile /ASCII85Decode filter /FlateDecode filter';
  const imageDict = `/ImageType 1 /Width ${w} /Height ${h} /BitsPerComponent 8 /Decode [0 1 0 1 0 1] /ImageMatrix ${matrix}`;
  const dict = masked
    ? `<< /ImageType 3 /InterleaveType 1 /DataDict << ${imageDict} ${source} >> /MaskDict << /ImageType 1 /Width ${w} /Height ${h} /BitsPerComponent 8 /Decode [1 0] /ImageMatrix ${matrix} >> >>`
    : `<< ${imageDict} ${source} >>`;
  return [
    `%%BeginObject: raster layer ${layer.dpi} dpi`,
    `gsave ${n3(b.x)} ${n3(b.y)} translate ${n3(b.w)} ${n3(b.h)} scale /DeviceRGB setcolorspace`,
    `${dict} image`,
    data,
    'grestore',
    '%%EndObject',
  ].join('\n');
}

/** The scene as an EPS file. */
export function sceneToEps(scene: Scene, opts: EpsOptions): string {
  const layer = buildRasterLayer(scene, 'vector-files', { dpi: opts.dpi });
  const background = paintedBackground(scene);
  const under = background ?? '#ffffff';
  const widthPt = scene.widthMm / MM_PER_PT;
  const heightPt = scene.heightMm / MM_PER_PT;
  const procs: string[] = [];
  const body: string[] = [];
  if (background) body.push(`${rgb(background)} rg 0 0 ${n3(scene.widthMm)} ${n3(scene.heightMm)} rectfill`);
  let openClip: Box | undefined;
  const setClip = (clip: Box | undefined): void => {
    if (sameBox(clip, openClip)) return;
    if (openClip) body.push('grestore');
    if (clip) body.push(`gsave ${n3(clip.x)} ${n3(clip.y)} ${n3(clip.w)} ${n3(clip.h)} rectclip`);
    openClip = clip;
  };
  const strokeState = (widthPt: number, dashPt: number[] | undefined): string =>
    `${n4(widthPt * MM_PER_PT)} setlinewidth [${(dashPt ?? []).map((d) => n4(d * MM_PER_PT)).join(' ')}] 0 setdash`;
  let index = 0;
  for (const { item, clip } of leafItems(scene.items)) {
    if (layer && index === layer.paintAt) {
      setClip(undefined);
      body.push(rasterImage(layer, background));
    }
    const inLayer = layer?.members.has(index) ?? false;
    index++;
    switch (item.type) {
      case 'line':
        setClip(clip);
        body.push(`gsave ${rgb(item.stroke)} rg ${strokeState(item.widthPt, item.dashPt)} newpath ${n3(item.x1)} ${n3(item.y1)} m ${n3(item.x2)} ${n3(item.y2)} l stroke grestore`);
        break;
      case 'path':
      case 'rect': {
        setClip(clip);
        let path: string;
        if (item.type === 'rect') path = `${n3(item.x)} ${n3(item.y)} m ${n3(item.x + item.w)} ${n3(item.y)} l ${n3(item.x + item.w)} ${n3(item.y + item.h)} l ${n3(item.x)} ${n3(item.y + item.h)} l h`;
        else {
          const p = item.points;
          const ops: string[] = [];
          for (let i = 0; i + 1 < p.length; i += 2) ops.push(`${n3(p[i]!)} ${n3(p[i + 1]!)} ${i === 0 ? 'm' : 'l'}`);
          if (item.closed) ops.push('h');
          path = ops.join(' ');
        }
        const fill = item.fill ? `gsave ${rgb(item.fill, item.fillOpacity ?? 1, under)} rg fill grestore ` : '';
        const stroke = item.stroke ? `${rgb(item.stroke)} rg ${strokeState(item.widthPt ?? 0.5, item.type === 'path' ? item.dashPt : undefined)} stroke` : '';
        body.push(`gsave newpath ${path} ${fill}${stroke} grestore`);
        break;
      }
      case 'text':
        setClip(clip);
        body.push(`gsave ${rgb(item.fill)} rg newpath ${pathOps(textOutline(item))} fill grestore`);
        break;
      case 'points': {
        const indices = vectorPointIndices(item, 'vector-files', inLayer);
        if (indices.length === 0) break;
        setClip(clip);
        const name = `P${procs.length + 1}`;
        const unit = unitMarker(item.shape);
        const strokeMm = (item.strokePt ?? 0.25) * MM_PER_PT;
        // x y r P: the marker of radius r at (x, y); the outline keeps its width at any radius.
        procs.push(
          item.stroke
            ? `/${name} { gsave 3 1 roll translate dup dup scale ${n4(strokeMm)} exch div setlinewidth newpath ${unit} gsave fill grestore ${rgb(item.stroke)} rg stroke grestore } bind def`
            : `/${name} { gsave 3 1 roll translate dup scale newpath ${unit} fill grestore } bind def`,
        );
        const lines: string[] = [`gsave ${n3(item.clip.x)} ${n3(item.clip.y)} ${n3(item.clip.w)} ${n3(item.clip.h)} rectclip`];
        let colour = -1;
        for (const i of indices) {
          const x = item.x[i]!;
          const y = item.y[i]!;
          if (!(Number.isFinite(x) && Number.isFinite(y))) continue;
          const c = item.colorIndex[i]! % item.palette.length;
          if (c !== colour) {
            lines.push(`${rgb(item.palette[c]!, item.fillOpacity ?? 1, under)} rg`);
            colour = c;
          }
          lines.push(`${n3(x)} ${n3(y)} ${n3(item.radiiMm ? item.radiiMm[i]! : item.radiusMm)} ${name}`);
        }
        lines.push('grestore');
        body.push(lines.join('\n'));
        break;
      }
      case 'cells':
        break;
    }
  }
  setClip(undefined);
  const { title, description, runId, software } = scene.meta;
  const date = (opts.creationDate ?? new Date()).toISOString().replace(/\.\d{3}Z$/, 'Z');
  return [
    '%!PS-Adobe-3.0 EPSF-3.0',
    `%%BoundingBox: 0 0 ${Math.ceil(widthPt - 1e-9)} ${Math.ceil(heightPt - 1e-9)}`,
    `%%HiResBoundingBox: 0 0 ${widthPt.toFixed(3)} ${heightPt.toFixed(3)}`,
    `%%Title: ${dscText(title)}`,
    `%%Creator: ${dscText(software)}`,
    `%%CreationDate: ${date}`,
    '%%LanguageLevel: 3',
    '%%DocumentData: Clean7Bit',
    '%%Pages: 1',
    '%%EndComments',
    `% ${dscText(description)}`,
    runId !== undefined ? `% kinscan run ${runId}` : '',
    layer ? `% raster layer: ${layer.dpi} dpi` : '',
    '%%BeginProlog',
    '/kinscan 40 dict def kinscan begin',
    '/m /moveto load def /l /lineto load def /c /curveto load def /h /closepath load def /rg /setrgbcolor load def',
    ...procs,
    'end',
    '%%EndProlog',
    '%%Page: 1 1',
    'save kinscan begin',
    // Scene units: mm from the top-left corner, y down.
    `0 ${n4(heightPt)} translate ${(1 / MM_PER_PT).toFixed(8)} ${(-1 / MM_PER_PT).toFixed(8)} scale`,
    '0 setlinecap 0 setlinejoin 10 setmiterlimit',
    ...body,
    'end restore',
    'showpage',
    '%%Trailer',
    '%%EOF',
    '',
  ]
    .filter((l) => l !== '')
    .join('\n');
}
