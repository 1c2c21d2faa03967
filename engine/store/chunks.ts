/**
 * Large Float64 arrays (kinship matrices, eigenvectors) as a sequence of BLOB parts, so no single
 * BLOB comes near SQLite's 1 GB limit and no single statement binds a huge buffer.
 */
import { toBlob } from './codec.js';

/** Doubles per part (64 MiB). */
export const PART_DOUBLES = 8 << 20;

/** Cut `data` into parts and hand each to `put(part, blob)`. */
export function writeParts(data: Float64Array, put: (part: number, blob: Buffer) => void, partDoubles = PART_DOUBLES): void {
  if (data.length === 0) {
    put(0, Buffer.alloc(0));
    return;
  }
  for (let start = 0, part = 0; start < data.length; start += partDoubles, part++) {
    put(part, toBlob(data.subarray(start, Math.min(data.length, start + partDoubles))));
  }
}

/** Join parts (in order) into one array of `length` doubles; undefined when the sizes do not add up. */
export function readParts(parts: Iterable<Uint8Array>, length: number): Float64Array | undefined {
  const out = new Float64Array(length);
  const bytes = new Uint8Array(out.buffer);
  let off = 0;
  for (const p of parts) {
    if (off + p.byteLength > bytes.byteLength) return undefined;
    bytes.set(p, off);
    off += p.byteLength;
  }
  return off === bytes.byteLength ? out : undefined;
}

/** The upper triangle (diagonal included, row by row) of a symmetric n x n matrix, or undefined if it is not exactly symmetric. */
export function upperTriangle(a: Float64Array, n: number): Float64Array | undefined {
  for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) if (!Object.is(a[i * n + j], a[j * n + i])) return undefined;
  const out = new Float64Array((n * (n + 1)) / 2);
  let k = 0;
  for (let i = 0; i < n; i++) {
    out.set(a.subarray(i * n + i, (i + 1) * n), k);
    k += n - i;
  }
  return out;
}

export function fromUpperTriangle(t: Float64Array, n: number): Float64Array {
  const a = new Float64Array(n * n);
  let k = 0;
  for (let i = 0; i < n; i++) {
    for (let j = i; j < n; j++) {
      const v = t[k++]!;
      a[i * n + j] = v;
      a[j * n + i] = v;
    }
  }
  return a;
}
