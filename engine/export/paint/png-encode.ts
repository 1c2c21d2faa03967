/**
 * A small PNG writer (RGBA or RGB, 8 bits, no interlace) on node:zlib, and chunk surgery on
 * finished PNGs: adding pHYs (pixels per metre) and tEXt chunks before the first IDAT.
 */
import { deflateSync } from 'node:zlib';

const CRC_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

function crc32(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (let i = 0; i < bytes.length; i++) c = CRC_TABLE[(c ^ bytes[i]!) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

/** One PNG chunk: length, type, data, CRC over type and data. */
export function pngChunk(type: string, data: Uint8Array): Buffer {
  const out = Buffer.alloc(12 + data.length);
  out.writeUInt32BE(data.length, 0);
  out.write(type, 4, 'latin1');
  out.set(data, 8);
  out.writeUInt32BE(crc32(out.subarray(4, 8 + data.length)), 8 + data.length);
  return out;
}

const SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

export interface PngEncodeOptions {
  /** zlib level (default 6). */
  level?: number;
  /** Written as a pHYs chunk when given. */
  dpi?: number;
}

/**
 * Encode 8-bit pixels (4 channels RGBA or 3 channels RGB, row-major) as a PNG. Rows use the "Up"
 * filter, which suits flat colours and sparse marks.
 */
export function encodePng(pixels: Uint8Array | Uint8ClampedArray, width: number, height: number, channels: 3 | 4, opts: PngEncodeOptions = {}): Buffer {
  const stride = width * channels;
  const filtered = Buffer.alloc((stride + 1) * height);
  for (let y = 0; y < height; y++) {
    const out = y * (stride + 1);
    const row = y * stride;
    if (y === 0) {
      filtered[out] = 0;
      filtered.set(pixels.subarray(row, row + stride), out + 1);
      continue;
    }
    filtered[out] = 2; // Up
    const above = row - stride;
    for (let i = 0; i < stride; i++) filtered[out + 1 + i] = (pixels[row + i]! - pixels[above + i]!) & 0xff;
  }
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header[8] = 8;
  header[9] = channels === 4 ? 6 : 2;
  const chunks = [SIGNATURE, pngChunk('IHDR', header)];
  if (opts.dpi !== undefined) chunks.push(physChunk(opts.dpi));
  chunks.push(pngChunk('IDAT', deflateSync(filtered, { level: opts.level ?? 6 })), pngChunk('IEND', new Uint8Array(0)));
  return Buffer.concat(chunks);
}

/** A pHYs chunk: pixels per metre = round(dpi / 0.0254) both ways, unit metre. */
export function physChunk(dpi: number): Buffer {
  const data = Buffer.alloc(9);
  const perMetre = Math.round(dpi / 0.0254);
  data.writeUInt32BE(perMetre, 0);
  data.writeUInt32BE(perMetre, 4);
  data[8] = 1;
  return pngChunk('pHYs', data);
}

/** A tEXt chunk (Latin-1 keyword and text; other characters become '?'). */
export function textChunk(keyword: string, text: string): Buffer {
  const latin1 = (s: string): string => s.replace(/[^\x20-\x7e\xa0-\xff\n]/g, '?');
  return pngChunk('tEXt', Buffer.from(`${latin1(keyword).slice(0, 79)}\0${latin1(text)}`, 'latin1'));
}

/**
 * Insert chunks after IHDR (so before any IDAT), dropping existing chunks of the same types that
 * may occur only once (pHYs).
 */
export function insertPngChunks(png: Buffer, extra: Buffer[]): Buffer {
  if (!png.subarray(0, 8).equals(SIGNATURE)) throw new Error('not a PNG');
  const inserting = new Set(extra.map((c) => c.toString('latin1', 4, 8)));
  const kept: Buffer[] = [];
  let offset = 8;
  let afterHeader = -1;
  while (offset < png.length) {
    const length = png.readUInt32BE(offset);
    const type = png.toString('latin1', offset + 4, offset + 8);
    const chunk = png.subarray(offset, offset + 12 + length);
    offset += 12 + length;
    if (type === 'pHYs' && inserting.has('pHYs')) continue;
    kept.push(chunk);
    if (type === 'IHDR') afterHeader = kept.length;
  }
  if (afterHeader < 0) throw new Error('PNG without IHDR');
  return Buffer.concat([SIGNATURE, ...kept.slice(0, afterHeader), ...extra, ...kept.slice(afterHeader)]);
}
