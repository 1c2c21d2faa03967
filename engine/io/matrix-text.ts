/**
 * Square (kinship) matrices as text: GEMMA's cXX.txt / sXX.txt style (n lines of n numbers
 * separated by tabs or spaces, row-major, in .fam order), or a CSV/TSV with a header row of IDs
 * (and, optionally, the ID again at the start of each row), which the scan reorders to .fam order.
 */
import { closeSync, openSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import { InputError } from './errors.js';
import { POW10, readSquareMatrixBytes } from './matrix-bytes.js';
import { forEachLine, isBlank, quote } from './text-lines.js';

export interface SquareMatrix {
  n: number;
  /** Row-major n*n values. */
  data: Float64Array;
  /** The individuals of the rows and columns, from an ID header row; absent: in .fam order. */
  ids?: string[];
}

/** Relative tolerance of the symmetry check. */
export const SYMMETRY_RTOL = 1e-6;

const WHAT = 'kinship matrix file';

/**
 * Read an n x n matrix. Checks that every line has the same number of values
 * as the first, that there are as many lines as columns, that every value is
 * a finite number, and that the matrix is symmetric:
 * |a_ij - a_ji| <= 1e-6 * max(|a_ij|, |a_ji|) + 1e-12 * max|diagonal|.
 * Plain files are parsed from their bytes (matrix-bytes.ts); anything else, and every file with a
 * problem, line by line (chunked reads, never the whole file as one string), which names the line.
 */
export function readSquareMatrix(path: string): SquareMatrix {
  const fast = readSquareMatrixBytes(path);
  if (fast && isSymmetric(fast.data, fast.n)) return fast;
  return readSquareMatrixCarefully(path);
}

/** |a_ij - a_ji| <= SYMMETRY_RTOL * max(|a_ij|, |a_ji|) + 1e-12 * max|diagonal| for all i, j. */
function isSymmetric(data: Float64Array, n: number): boolean {
  return asymmetricEntry(data, n) === undefined;
}

/** The first (row, column) of the lower triangle that breaks the symmetry check, by rows. */
function asymmetricEntry(data: Float64Array, n: number): [number, number] | undefined {
  let maxDiag = 0;
  for (let i = 0; i < n; i++) maxDiag = Math.max(maxDiag, Math.abs(data[i * n + i]!));
  const atol = 1e-12 * maxDiag;
  // Tiles of rows x columns, so the transposed entries are read from cache; the first failure by rows is kept.
  const T = 64;
  let bad: [number, number] | undefined;
  for (let i0 = 0; i0 < n; i0 += T) {
    const i1 = Math.min(n, i0 + T);
    for (let j0 = 0; j0 < i1; j0 += T) {
      const j1 = Math.min(i1, j0 + T);
      for (let i = i0; i < i1; i++) {
        const ri = i * n;
        const jEnd = Math.min(j1, i);
        for (let j = j0; j < jEnd; j++) {
          const a = data[ri + j]!;
          const b = data[j * n + i]!;
          if (Math.abs(a - b) > SYMMETRY_RTOL * Math.max(Math.abs(a), Math.abs(b)) + atol) {
            if (!bad || i < bad[0] || (i === bad[0] && j < bad[1])) bad = [i, j];
            break;
          }
        }
      }
    }
    if (bad) return bad;
  }
  return undefined;
}

/** A token as written, without the quotes a CSV writer may put around it. */
function unquote(s: string): string {
  return s.length >= 2 && ((s[0] === '"' && s[s.length - 1] === '"') || (s[0] === "'" && s[s.length - 1] === "'")) ? s.slice(1, -1) : s;
}

function isNumberToken(s: string): boolean {
  return s !== '' && Number.isFinite(Number(s));
}

function readSquareMatrixCarefully(path: string): SquareMatrix {
  let n = -1;
  let firstLine = 0;
  let data = new Float64Array(0);
  let row = 0;
  let lastLine = 0;
  let rowLine = new Int32Array(0);
  // An ID header: its tokens, until the first data row says whether the rows carry IDs too.
  let header: { tokens: string[]; line: number } | undefined;
  let ids: string[] | undefined;
  let rowIds = false;

  forEachLine(path, WHAT, (line, lineNo) => {
    if (isBlank(line)) return;
    lastLine = lineNo;
    let t = line.trim().split(/[ \t,;]+/).map(unquote);
    // A first line with a word in it is a header of IDs (a nan or inf is a broken matrix, not an ID).
    if (n < 0 && header === undefined && !t.every(isNumberToken) && !t.some((x) => /^[+-]?(nan|inf|infinity)$/i.test(x))) {
      // A header row of IDs; split on the delimiter so that an empty corner cell above the row IDs counts.
      let h = t;
      if (/[\t,;]/.test(line)) {
        h = line.split(/[\t,;]/).map((x) => unquote(x.trim()));
        while (h.length > 1 && h[h.length - 1] === '') h.pop();
      }
      header = { tokens: h, line: lineNo };
      return;
    }
    if (header !== undefined && n < 0) {
      const h = header.tokens;
      const withId = t.length > 0 && !isNumberToken(t[0]!);
      if (withId && t.length === h.length + 1) ids = h;
      else if (withId && t.length === h.length) ids = h.slice(1);
      else if (!withId && t.length === h.length) ids = h;
      else {
        throw new InputError(
          `the first row has ${t.length} values but the ID header (line ${header.line}) names ${h.length} columns`,
          { file: path, line: lineNo },
          'Give a header row with one ID per column, then one row per ID (optionally starting with the ID) in the same order',
        );
      }
      rowIds = withId;
      const seen = new Map<string, number>();
      ids.forEach((id, k) => {
        if (id === '') throw new InputError(`column ${k + 1} of the ID header has no ID`, { file: path, line: header!.line }, 'Give every column of the matrix an individual ID');
        const prev = seen.get(id);
        if (prev !== undefined) {
          throw new InputError(`ID '${id}' appears twice in the header (columns ${prev + 1} and ${k + 1})`, { file: path, line: header!.line }, 'Each individual may have one row and one column only');
        }
        seen.set(id, k);
      });
    }
    if (rowIds) {
      const id = t[0]!;
      if (ids !== undefined && row < ids.length && id !== ids[row]) {
        throw new InputError(
          `row ${row + 1} is for '${id}', but column ${row + 1} of the header is '${ids[row]}'`,
          { file: path, line: lineNo },
          'Write the rows in the same order as the header\'s columns, so that the matrix is square by ID',
        );
      }
      t = t.slice(1);
    }
    if (n < 0) {
      n = t.length;
      firstLine = lineNo;
      data = new Float64Array(n * n);
      rowLine = new Int32Array(n);
    } else if (t.length !== n) {
      throw new InputError(
        `row ${row + 1} has ${t.length} values, but the first row (line ${firstLine}) has ${n}`,
        { file: path, line: lineNo },
        'A kinship matrix must be square: n lines of n numbers each; check that the file is complete and not a different format',
      );
    }
    if (row >= n) {
      throw new InputError(
        `has more than ${n} rows, but the rows have ${n} values each, so the matrix is not square`,
        { file: path, line: lineNo },
        'A kinship matrix must be square: n lines of n numbers each',
      );
    }
    rowLine[row] = lineNo;
    const base = row * n;
    for (let j = 0; j < n; j++) {
      const s = t[j];
      const v = Number(s);
      if (!Number.isFinite(v)) {
        throw new InputError(
          `column ${j + 1}: ${quote(s)} is not a ${Number.isNaN(v) ? 'number' : 'finite number'}`,
          { file: path, line: lineNo },
          'A kinship matrix may contain only numbers; recompute it if it holds nan or inf',
        );
      }
      data[base + j] = v;
    }
    row++;
  });

  if (n < 0 && header !== undefined) {
    throw new InputError('has a header row of IDs but no matrix rows', { file: path, line: header.line }, 'Give one row of numbers per ID below the header, or re-export the matrix');
  }
  if (n < 0) {
    throw new InputError(`${WHAT} is empty`, { file: path }, 'Give a matrix with n lines of n numbers, e.g. GEMMA -gk output (.cXX.txt)');
  }
  if (row < n) {
    throw new InputError(
      `has ${row} row${row === 1 ? '' : 's'} of ${n} values, so the matrix is not square (expected ${n} rows)`,
      { file: path, line: lastLine },
      'The file may be truncated; recompute or re-copy the kinship matrix',
    );
  }

  if (ids !== undefined && ids.length !== n) {
    throw new InputError(`the ID header names ${ids.length} individuals but the rows have ${n} values`, { file: path, line: firstLine }, 'Give one header ID per column');
  }
  const bad = asymmetricEntry(data, n);
  if (bad) {
    const [i, j] = bad;
    const a = data[i * n + j];
    const b = data[j * n + i];
    const who = ids ? ` ('${ids[i]}' with '${ids[j]}')` : '';
    throw new InputError(
      `the matrix is not symmetric: row ${i + 1}, column ${j + 1}${who} is ${a} but row ${j + 1}, column ${i + 1} is ${b}`,
      { file: path, line: rowLine[i] },
      'A kinship matrix must be symmetric; check that it was written completely and by a kinship tool (e.g. GEMMA -gk)',
    );
  }
  return ids ? { n, data, ids } : { n, data };
}

/**
 * printf("%.{digits}g") for finite numbers: `digits` significant digits,
 * trailing zeros removed, exponent form (e.g. 1.5e-05) when the exponent is
 * < -4 or >= digits. NaN -> "nan", ±Infinity -> "inf"/"-inf".
 */
export function formatG(x: number, digits = 10): string {
  if (x === 0) return Object.is(x, -0) ? '-0' : '0';
  if (!Number.isFinite(x)) return Number.isNaN(x) ? 'nan' : x > 0 ? 'inf' : '-inf';
  const s = x.toPrecision(digits);
  const e = s.indexOf('e');
  if (e >= 0) return expForm(s.slice(0, e), s.slice(e + 1));
  const ax = x < 0 ? -x : x;
  // toPrecision stays in fixed notation down to 1e-6; %g switches below 1e-4.
  if (ax < 1e-4) {
    const r = x.toExponential(digits - 1);
    const k = r.indexOf('e');
    const exp = Number(r.slice(k + 1));
    if (exp < -4) return expForm(r.slice(0, k), r.slice(k + 1));
    return stripZeros(x.toFixed(digits - 1 - exp));
  }
  return stripZeros(s);
}


/**
 * formatG(x, 10) by integer arithmetic for the common range 1e-4 <= |x| < 1e9 (a kinship's entries):
 * x times an exact power of ten, rounded to a 10-digit integer, the decimal point placed by hand.
 * Three times faster than toPrecision; a value within 1e-4 of a rounding tie takes the exact path,
 * so the text is printf's.
 */
export function formatG10(x: number): string {
  const ax = x < 0 ? -x : x;
  if (!(ax >= 1e-4 && ax < 1e9)) return formatG(x, 10);
  let e = Math.floor(Math.log10(ax));
  let scaled = ax * POW10[9 - e]!;
  if (scaled >= 1e10) {
    e++;
    scaled = ax * POW10[9 - e]!;
  } else if (scaled < 1e9) {
    e--;
    scaled = ax * POW10[9 - e]!;
  }
  const fl = Math.floor(scaled);
  const frac = scaled - fl;
  if (Math.abs(frac - 0.5) < 1e-4 || e > 8) return formatG(x, 10);
  const m = frac > 0.5 ? fl + 1 : fl;
  if (m >= 1e10) return formatG(x, 10);
  const digits = String(m);
  const s = e >= 0 ? `${digits.slice(0, e + 1)}.${digits.slice(e + 1)}` : `0.${'0'.repeat(-e - 1)}${digits}`;
  const out = stripZeros(s);
  return x < 0 ? `-${out}` : out;
}

const DIG = new Uint8Array(10);

/**
 * Append formatG10(x) as ASCII bytes to buf at pos (no intermediate strings); returns the new end.
 * The same arithmetic as formatG10, with the exponent found by comparing with exact powers of ten
 * (a guess the rounding check corrects) and the ten digits taken as two 5-digit integers.
 * Falls back to the string formatter outside the fast path's range and near rounding ties.
 */
export function appendG10(buf: Uint8Array, pos: number, x: number): number {
  const ax = x < 0 ? -x : x;
  if (ax >= 1e-4 && ax < 1e9) {
    let e: number;
    if (ax >= 1) {
      e = 0;
      while (e < 8 && ax >= POW10[e + 1]!) e++;
    } else {
      e = -1;
      while (e > -4 && ax * POW10[-e]! < 1) e--;
    }
    let scaled = ax * POW10[9 - e]!;
    if (scaled >= 1e10) {
      e++;
      scaled = ax * POW10[9 - e]!;
    } else if (scaled < 1e9) {
      e--;
      scaled = ax * POW10[9 - e]!;
    }
    const fl = Math.floor(scaled);
    const frac = scaled - fl;
    const m = frac > 0.5 ? fl + 1 : fl;
    if (Math.abs(frac - 0.5) >= 1e-4 && e <= 8 && m < 1e10) {
      let hi = Math.floor(m / 100000);
      let lo = m - hi * 100000;
      for (let k = 4; k > 0; k--) {
        const qh = (hi / 10) | 0;
        DIG[k] = hi - qh * 10;
        hi = qh;
        const ql = (lo / 10) | 0;
        DIG[k + 5] = lo - ql * 10;
        lo = ql;
      }
      DIG[0] = hi;
      DIG[5] = lo;
      let last = 9;
      while (last > 0 && DIG[last] === 0) last--;
      if (x < 0) buf[pos++] = 45; // '-'
      if (e >= 0) {
        for (let k = 0; k <= e; k++) buf[pos++] = 48 + DIG[k]!;
        if (last > e) {
          buf[pos++] = 46; // '.'
          for (let k = e + 1; k <= last; k++) buf[pos++] = 48 + DIG[k]!;
        }
      } else {
        buf[pos++] = 48;
        buf[pos++] = 46;
        for (let k = 0; k < -e - 1; k++) buf[pos++] = 48;
        for (let k = 0; k <= last; k++) buf[pos++] = 48 + DIG[k]!;
      }
      return pos;
    }
  }
  const str = formatG(x, 10);
  for (let k = 0; k < str.length; k++) buf[pos++] = str.charCodeAt(k);
  return pos;
}

function stripZeros(s: string): string {
  if (s.indexOf('.') < 0) return s;
  let end = s.length;
  while (s.charCodeAt(end - 1) === 48) end--;
  if (s.charCodeAt(end - 1) === 46) end--;
  return s.slice(0, end);
}

function expForm(mant: string, exp: string): string {
  const sign = exp.charCodeAt(0) === 45 ? '-' : '+';
  const digits = exp.replace(/^[+-]/, '');
  return `${stripZeros(mant)}e${sign}${digits.length < 2 ? '0' + digits : digits}`;
}

/**
 * Write an n x n row-major matrix as GEMMA-style text: one line per row,
 * values separated by tabs, formatted like %.{digits}g. Written in chunks
 * to a temporary file beside `path`, then renamed into place.
 */
export function writeSquareMatrix(path: string, data: ArrayLike<number>, n: number, digits = 10): void {
  if (!Number.isInteger(n) || n < 0) throw new RangeError(`writeSquareMatrix: n must be a non-negative integer (got ${n})`);
  if (data.length < n * n) throw new RangeError(`writeSquareMatrix: data has ${data.length} values, needs ${n * n}`);
  if (!Number.isInteger(digits) || digits < 1 || digits > 17) throw new RangeError(`writeSquareMatrix: digits must be 1..17 (got ${digits})`);
  const tmp = `${path}.tmp-${process.pid}`;
  const fd = openSync(tmp, 'w');
  let ok = false;
  try {
    if (digits === 10) {
      // Bytes straight into a buffer: one row is at most n * 17 bytes ("-0.0001234567891\t").
      const buf = Buffer.allocUnsafe(Math.max(1 << 20, 24 * n + 2));
      let pos = 0;
      for (let i = 0; i < n; i++) {
        const base = i * n;
        for (let j = 0; j < n; j++) {
          if (j > 0) buf[pos++] = 9;
          pos = appendG10(buf, pos, data[base + j]!);
        }
        buf[pos++] = 10;
        if (pos > buf.length - 24 * n - 2) {
          writeBytes(fd, buf, pos);
          pos = 0;
        }
      }
      writeBytes(fd, buf, pos);
    } else {
      const CHUNK = 1 << 20;
      let parts: string[] = [];
      let size = 0;
      const cells: string[] = new Array<string>(n);
      for (let i = 0; i < n; i++) {
        const base = i * n;
        for (let j = 0; j < n; j++) cells[j] = formatG(data[base + j]!, digits);
        const line = cells.join('\t') + '\n';
        parts.push(line);
        size += line.length;
        if (size >= CHUNK) {
          writeAll(fd, parts.join(''));
          parts = [];
          size = 0;
        }
      }
      if (parts.length > 0) writeAll(fd, parts.join(''));
    }
    ok = true;
  } finally {
    closeSync(fd);
    if (!ok) {
      try {
        unlinkSync(tmp);
      } catch {
        /* ignore */
      }
    }
  }
  renameSync(tmp, path);
}

function writeBytes(fd: number, buf: Uint8Array, len: number): void {
  let off = 0;
  while (off < len) off += writeSync(fd, buf, off, len - off);
}

function writeAll(fd: number, text: string): void {
  const buf = Buffer.from(text, 'latin1');
  let off = 0;
  while (off < buf.length) off += writeSync(fd, buf, off, buf.length - off);
}
