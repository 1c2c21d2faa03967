/**
 * Typed arrays <-> SQLite BLOBs, and the small conversions between SQLite values and numbers.
 * BLOBs hold the platform's little-endian bytes (every platform Kinscan runs on is little-endian;
 * `assertLittleEndian` refuses to run elsewhere rather than misread a project).
 */
import { endianness } from 'node:os';
import { deflateSync, inflateSync } from 'node:zlib';

export function assertLittleEndian(): void {
  if (endianness() !== 'LE') throw new Error('Kinscan projects store little-endian numbers; this machine is big-endian');
}

/** The bytes of a typed array, as a Buffer view (no copy). */
export function toBlob(a: ArrayBufferView): Buffer {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength);
}

/** A fresh, aligned copy of a BLOB's bytes. */
function alignedCopy(b: Uint8Array): ArrayBuffer {
  const out = new ArrayBuffer(b.byteLength);
  new Uint8Array(out).set(b);
  return out;
}

export function blobToF64(b: Uint8Array): Float64Array {
  if (b.byteLength % 8 !== 0) throw new RangeError(`a Float64 BLOB has ${b.byteLength} bytes, not a multiple of 8`);
  return new Float64Array(alignedCopy(b));
}

export function blobToI32(b: Uint8Array): Int32Array {
  if (b.byteLength % 4 !== 0) throw new RangeError(`an Int32 BLOB has ${b.byteLength} bytes, not a multiple of 4`);
  return new Int32Array(alignedCopy(b));
}

export function blobToU16(b: Uint8Array): Uint16Array {
  if (b.byteLength % 2 !== 0) throw new RangeError(`a Uint16 BLOB has ${b.byteLength} bytes, not a multiple of 2`);
  return new Uint16Array(alignedCopy(b));
}

/** zlib (deflate with an Adler-32 checksum, so damaged bytes are detected on reading). */
export function deflate(bytes: Uint8Array, level = 1): Buffer {
  return deflateSync(bytes, { level });
}

export function inflate(bytes: Uint8Array): Buffer {
  return inflateSync(bytes);
}

/** SQLite has no NaN: a bound NaN is stored as NULL. Read NULL back as NaN. */
export function num(v: unknown): number {
  return v === null || v === undefined ? NaN : (v as number);
}

export function nowIso(): string {
  return new Date().toISOString();
}
