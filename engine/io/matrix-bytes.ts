/**
 * The fast path of reading a square matrix file: decimal numbers parsed straight from the file's
 * bytes (no line or token strings), a chunk at a time. It accepts only the plain form kinship
 * tools write (whole rows of n decimal numbers separated by spaces, tabs or commas) and gives up
 * on anything else, so that the careful line reader
 * (matrix-text.ts) can read the unusual file or say exactly what is wrong with it.
 */
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';

/** Exact powers of ten 10^0 .. 10^22. */
export const POW10 = Float64Array.from({ length: 23 }, (_, k) => Number(`1e${k}`));

interface RowCursor {
  row: number;
  /** Values read so far on the current row. */
  k: number;
}

/**
 * Parse whole lines of bytes b[pos, end) (end just after a newline) into out, row by row.
 * Clinger's fast path: an integer below 2^53 times or divided by an exact power of ten is correctly
 * rounded, so every value equals Number(text); longer mantissas and larger exponents go through
 * Number() itself. Returns false on a token that is not a plain decimal, a value that is not
 * finite, a row that does not have exactly n values, or a row beyond the n-th.
 */
function parseRows(b: Uint8Array, pos: number, end: number, out: Float64Array, cur: RowCursor, n: number): boolean {
  let row = cur.row;
  let k = cur.k;
  let i = pos;
  while (i < end) {
    let c = b[i]!;
    if (c === 32 || c === 9 || c === 44 || c === 13) {
      i++;
      continue;
    }
    if (c === 10) {
      if (k !== 0) {
        if (k !== n) return false;
        row++;
        k = 0;
      }
      i++;
      continue;
    }
    if (k >= n || row >= n) return false;
    const start = i;
    let neg = false;
    if (c === 45) {
      neg = true;
      c = b[++i]!;
    } else if (c === 43) c = b[++i]!;
    let mant = 0;
    let digits = 0;
    let scale = 0;
    let seen = false;
    while (c >= 48 && c <= 57) {
      if (digits > 0 || c !== 48) digits++;
      mant = mant * 10 + (c - 48);
      seen = true;
      c = b[++i]!;
    }
    if (c === 46) {
      c = b[++i]!;
      while (c >= 48 && c <= 57) {
        if (digits > 0 || c !== 48) digits++;
        mant = mant * 10 + (c - 48);
        scale--;
        seen = true;
        c = b[++i]!;
      }
    }
    let exp = 0;
    if (c === 101 || c === 69) {
      let eneg = false;
      c = b[++i]!;
      if (c === 45 || c === 43) {
        eneg = c === 45;
        c = b[++i]!;
      }
      let any = false;
      while (c >= 48 && c <= 57 && exp < 1000) {
        exp = exp * 10 + (c - 48);
        any = true;
        c = b[++i]!;
      }
      if (!any) return false;
      if (eneg) exp = -exp;
    }
    if (!seen || !(c === 32 || c === 9 || c === 44 || c === 13 || c === 10)) return false;
    const p = scale + exp;
    if (digits <= 15 && p >= -22 && p <= 22) {
      const v = p < 0 ? mant / POW10[-p]! : mant * POW10[p]!;
      out[row * n + k++] = neg ? -v : v;
    } else {
      // Long mantissas and large exponents: the token through Number(), correctly rounded.
      const v = Number(String.fromCharCode.apply(null, Array.from(b.subarray(start, i))));
      if (!Number.isFinite(v)) return false;
      out[row * n + k++] = v;
    }
  }
  cur.row = row;
  cur.k = k;
  return true;
}

const CHUNK = 1 << 23;

/** buf grown to `size` bytes, its first `have` bytes kept. */
function grow(buf: Buffer<ArrayBuffer>, have: number, size: number): Buffer<ArrayBuffer> {
  const bigger = Buffer.allocUnsafe(size);
  buf.copy(bigger, 0, 0, have);
  return bigger;
}

/**
 * The n x n matrix of a plain numeric text file, or undefined when the file is not in the plain
 * form (or cannot be opened): the caller then reads it carefully. Does not check symmetry.
 */
export function readSquareMatrixBytes(path: string): { n: number; data: Float64Array } | undefined {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch {
    return undefined;
  }
  try {
    if (!fstatSync(fd).isFile()) return undefined;
    let buf = Buffer.allocUnsafe(CHUNK);
    let have = readSync(fd, buf, 0, CHUNK, null);
    if (have === 0) return undefined;
    // n = the number of values on the first line (a long first line grows the buffer).
    let nl = buf.indexOf(10);
    while (nl < 0 || nl >= have) {
      if (have === buf.length) buf = grow(buf, have, buf.length * 2);
      const r = readSync(fd, buf, have, buf.length - have, null);
      if (r === 0) break;
      have += r;
      nl = buf.indexOf(10);
    }
    const firstEnd = nl >= 0 && nl < have ? nl : have;
    const first = buf.toString('latin1', 0, firstEnd).trim();
    if (first === '') return undefined;
    const n = first.split(/[ \t,]+/).length;
    if (n * n > 2 ** 31) return undefined;
    const data = new Float64Array(n * n);
    const cur: RowCursor = { row: 0, k: 0 };
    let eof = false;
    for (;;) {
      if (!eof && have < buf.length) {
        const r = readSync(fd, buf, have, buf.length - have, null);
        if (r === 0) eof = true;
        have += r;
      }
      let end: number;
      if (eof) {
        if (have > 0 && buf[have - 1] !== 10) {
          if (have === buf.length) buf = grow(buf, have, buf.length + 1);
          buf[have++] = 10;
        }
        end = have;
      } else {
        end = buf.lastIndexOf(10, have - 1) + 1;
        if (end === 0) {
          // One line longer than the buffer: grow it and read on.
          buf = grow(buf, have, buf.length * 2);
          continue;
        }
      }
      if (!parseRows(buf, 0, end, data, cur, n)) return undefined;
      buf.copy(buf, 0, end, have);
      have -= end;
      if (eof) break;
    }
    if (cur.row !== n || cur.k !== 0) return undefined;
    return { n, data };
  } finally {
    closeSync(fd);
  }
}
