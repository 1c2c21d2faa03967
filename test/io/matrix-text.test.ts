import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { formatG, readSquareMatrix, writeSquareMatrix } from '../../engine/io/matrix-text.js';
import { inputError, makeTmp } from './tmp.js';

const tmp = makeTmp('matrix');
afterAll(() => { tmp.cleanup(); });

/** Deterministic symmetric test matrix with kinship-like values. */
function symmetric(n: number): Float64Array {
  const a = new Float64Array(n * n);
  let s = 12345;
  const rnd = (): number => {
    s = (s * 1103515245 + 12345) % 2147483648;
    return s / 2147483648;
  };
  for (let i = 0; i < n; i++) {
    a[i * n + i] = 0.5 + rnd();
    for (let j = 0; j < i; j++) {
      const v = (rnd() - 0.5) * 0.2 * Math.pow(10, -Math.floor(rnd() * 7));
      a[i * n + j] = v;
      a[j * n + i] = v;
    }
  }
  return a;
}

describe('formatG (printf %.10g)', () => {
  it('matches C printf output', () => {
    const cases: [number, string, string][] = [
      [0.224991591484104, '0.2249915915', '0.225'],
      [1.5e-5, '1.5e-05', '1.5e-05'],
      [123456789012, '1.23456789e+11', '1.235e+11'],
      [1e-4, '0.0001', '0.0001'],
      [-0.5, '-0.5', '-0.5'],
      [1, '1', '1'],
      [100, '100', '100'],
      [9999999999.5, '1e+10', '1e+10'],
      [0.000123456789012, '0.000123456789', '0.0001235'],
      [1.23456789012e-7, '1.23456789e-07', '1.235e-07'],
      [-2.5e-300, '-2.5e-300', '-2.5e-300'],
      [1e21, '1e+21', '1e+21'],
      [0.1 + 0.2, '0.3', '0.3'],
      [12345.678901234, '12345.6789', '1.235e+04'],
      [99999.999999999, '100000', '1e+05'],
      [5e-5, '5e-05', '5e-05'],
      [0.00009999999999999, '0.0001', '0.0001'],
      [0, '0', '0'],
    ];
    for (const [x, g10, g4] of cases) {
      expect(formatG(x)).toBe(g10);
      expect(formatG(x, 4)).toBe(g4);
    }
    expect(formatG(NaN)).toBe('nan');
    expect(formatG(-Infinity)).toBe('-inf');
  });
});

describe('writeSquareMatrix / readSquareMatrix', () => {
  it('writes GEMMA-style tab-separated lines and reads them back', () => {
    const n = 37;
    const a = symmetric(n);
    const p = join(tmp.dir, 'k.cXX.txt');
    writeSquareMatrix(p, a, n);
    const text = readFileSync(p, 'latin1');
    const lines = text.split('\n');
    expect(lines.length).toBe(n + 1);
    expect(lines[n]).toBe('');
    expect(lines[0].split('\t').length).toBe(n);
    expect(lines[0].split('\t')[0]).toBe(formatG(a[0]));
    expect(readdirSync(tmp.dir).some((f) => f.includes('.tmp-'))).toBe(false);
    const m = readSquareMatrix(p);
    expect(m.n).toBe(n);
    for (let i = 0; i < n * n; i++) {
      expect(Math.abs(m.data[i] - a[i])).toBeLessThanOrEqual(1e-9 * Math.abs(a[i]));
    }
  });

  it('reads spaces, CRLF, a BOM and trailing blank lines', () => {
    const p = tmp.file('crlf.txt', '\ufeff1  0.5 0.25\r\n0.5\t1\t0\r\n 0.25 0 1 \r\n\r\n\r\n');
    const m = readSquareMatrix(p);
    expect(m.n).toBe(3);
    expect(Array.from(m.data)).toEqual([1, 0.5, 0.25, 0.5, 1, 0, 0.25, 0, 1]);
  });

  it('accepts asymmetry below 1e-6 relative (rounded output)', () => {
    const m = readSquareMatrix(tmp.file('near.txt', '1 0.1234567\n0.12345671 1\n'));
    expect(m.n).toBe(2);
  });

  it('handles a 2000 x 2000 matrix (about 50 MB) in reasonable time', () => {
    const n = 2000;
    const a = symmetric(n);
    const p = join(tmp.dir, 'big.txt');
    const t0 = performance.now();
    writeSquareMatrix(p, a, n);
    const t1 = performance.now();
    const m = readSquareMatrix(p);
    const t2 = performance.now();
    expect(m.n).toBe(n);
    expect(m.data[1234 * n + 567]).toBeCloseTo(a[1234 * n + 567], 12);
    expect(t1 - t0).toBeLessThan(20000);
    expect(t2 - t1).toBeLessThan(20000);
  }, 60000);
});

describe('bad matrix files', () => {
  it('a row with the wrong number of values', () => {
    const e = inputError(() => readSquareMatrix(tmp.file('ragged.txt', '1 0 0\n0 1 0\n0 1\n')));
    expect(e.message).toContain('ragged.txt, line 3');
    expect(e.message).toContain('row 3 has 2 values, but the first row (line 1) has 3');
    expect(e.message).toContain('must be square');
  });

  it('too few rows', () => {
    const e = inputError(() => readSquareMatrix(tmp.file('short.txt', '1 0 0\n0 1 0\n')));
    expect(e.message).toContain('short.txt, line 2');
    expect(e.message).toContain('has 2 rows of 3 values, so the matrix is not square');
    expect(e.message).toContain('truncated');
  });

  it('too many rows', () => {
    const e = inputError(() => readSquareMatrix(tmp.file('long.txt', '1 0\n0 1\n0 0\n')));
    expect(e.message).toContain('long.txt, line 3');
    expect(e.message).toContain('more than 2 rows');
  });

  it('a non-numeric value: line and column', () => {
    const e = inputError(() => readSquareMatrix(tmp.file('text.txt', '1 0 0\n0 1 abc\n0 0 1\n')));
    expect(e.message).toContain('text.txt, line 2');
    expect(e.message).toContain("column 3: 'abc' is not a number");
    expect(e.message).toContain('only numbers');
  });

  it('nan / inf values', () => {
    expect(inputError(() => readSquareMatrix(tmp.file('nan.txt', '1 nan\nnan 1\n'))).message).toContain("line 1: column 2: 'nan' is not a number");
    expect(inputError(() => readSquareMatrix(tmp.file('inf.txt', '1 0\n0 Infinity\n'))).message).toContain("line 2: column 2: 'Infinity' is not a finite number");
  });

  it('an asymmetric matrix: first offending line', () => {
    const e = inputError(() => readSquareMatrix(tmp.file('asym.txt', '1 0.5 0.2\n0.5 1 0.3\n0.2 0.31 1\n')));
    expect(e.message).toContain('asym.txt, line 3');
    expect(e.message).toContain('not symmetric: row 3, column 2 is 0.31 but row 2, column 3 is 0.3');
    expect(e.message).toContain('must be symmetric');
  });

  it('an empty file', () => {
    const e = inputError(() => readSquareMatrix(tmp.file('empty.txt', '\n\n')));
    expect(e.message).toContain('empty.txt');
    expect(e.message).toContain('kinship matrix file is empty');
  });

  it('a missing file', () => {
    const e = inputError(() => readSquareMatrix(join(tmp.dir, 'none.cXX.txt')));
    expect(e.message).toContain('none.cXX.txt');
    expect(e.message).toContain('not found');
  });
});

describe('formatG10 and appendG10 (the fast paths of the kinship writer)', () => {
  it('give exactly formatG(x, 10) over the range of kinship entries and at every power of ten', async () => {
    const { formatG10, appendG10 } = await import('../../engine/io/matrix-text.js');
    const buf = new Uint8Array(64);
    const bytes = (x: number): string => Buffer.from(buf.subarray(0, appendG10(buf, 0, x))).toString('latin1');
    let seed = 12345;
    const rnd = (): number => ((seed = (seed * 1103515245 + 12345) >>> 0) / 4294967296);
    const xs: number[] = [];
    for (let k = 0; k < 200000; k++) {
      const mag = Math.pow(10, -6 + 16 * rnd());
      xs.push((rnd() < 0.5 ? -1 : 1) * mag * (1 + rnd()));
    }
    for (let e = -6; e <= 10; e++) {
      const p = Number(`1e${e}`);
      for (const f of [1, 1 + 2 ** -52, 1 - 2 ** -53, 1 + 5e-11, 1 - 5e-11, 9.9999999995, 9.99999999949, 5.00000000005]) xs.push(p * f, -p * f);
    }
    xs.push(0, -0, 1, -1, 0.1, 1e-4, 9.9999999995e-5, 0.00012345678905, 123456789.5, 999999999.95, 1e9, 0.3350989657, -0.02268574573);
    for (const x of xs) {
      const want = formatG(x, 10);
      expect(formatG10(x), String(x)).toBe(want);
      expect(bytes(x), String(x)).toBe(want);
    }
  });
});

describe('the kinship writer and reader round-trip exactly', () => {
  it('writes %.10g text token by token and reads back the same doubles', async () => {
    const { mkdtempSync, readFileSync, rmSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const dir = mkdtempSync(join(tmpdir(), 'kinscan-k-'));
    try {
      const n = 123;
      let seed = 99;
      const rnd = (): number => ((seed = (seed * 1103515245 + 12345) >>> 0) / 4294967296);
      const a = new Float64Array(n * n);
      for (let i = 0; i < n; i++)
        for (let j = 0; j <= i; j++) {
          const v = i === j ? 0.5 + rnd() : (rnd() - 0.5) * Math.pow(10, -6 * rnd());
          a[i * n + j] = v;
          a[j * n + i] = v;
        }
      a[1] = a[n] = 0; // an exact zero
      a[2] = a[2 * n] = -3.5e-7; // exponent form
      const path = join(dir, 'k.txt');
      writeSquareMatrix(path, a, n);
      const lines = readFileSync(path, 'utf8').trim().split('\n');
      for (let i = 0; i < n; i++) {
        const t = lines[i]!.split('\t');
        for (let j = 0; j < n; j++) expect(t[j]).toBe(formatG(a[i * n + j]!, 10));
      }
      const back = readSquareMatrix(path);
      for (let x = 0; x < n * n; x++) expect(back.data[x]).toBe(Number(formatG(a[x]!, 10)));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('the byte-level fast path of readSquareMatrix', () => {
  it('reads plain files of every separator and number form exactly as Number() does', async () => {
    const { readSquareMatrixBytes } = await import('../../engine/io/matrix-bytes.js');
    const n = 37;
    const a = symmetric(n);
    const forms: ((x: number, ij: number) => string)[] = [
      (x) => formatG(x, 10),
      (x) => x.toExponential(8),
      (x) => (x < 0 ? x.toFixed(12) : `+${x.toFixed(12)}`),
      (x, ij) => (ij % 2 ? x.toPrecision(15) : x.toExponential(3).toUpperCase()),
    ];
    const seps = ['\t', ' ', ', ', ' \t '];
    forms.forEach((form, f) => {
      const eol = f % 2 ? '\r\n' : '\n';
      const rows: string[] = [];
      for (let i = 0; i < n; i++) rows.push('  ' + Array.from({ length: n }, (_, j) => form(a[i * n + j]!, i + j)).join(seps[f]!) + ' ');
      // The last line without a newline in one form, blank lines between rows in another.
      const text = f === 2 ? rows.join(eol) : f === 3 ? rows.join(eol + eol) + eol : rows.join(eol) + eol;
      const p = tmp.file(`plain${f}.txt`, text);
      const fast = readSquareMatrixBytes(p);
      expect(fast, `form ${f}`).toBeDefined();
      const want = rows.flatMap((r) => r.trim().split(/[ \t,]+/).map(Number));
      expect(Array.from(fast!.data)).toEqual(want);
      expect(readSquareMatrix(p).data).toEqual(fast!.data);
    });
  });

  it('reads long mantissas and large exponents through Number(); gives way to the careful reader otherwise', async () => {
    const { readSquareMatrixBytes } = await import('../../engine/io/matrix-bytes.js');
    // 17 significant digits (numpy's %.18e) and a large exponent are outside Clinger's fast path.
    const p = tmp.file('long.txt', '1.000000000000000055e+00 2.5e-300\n2.5e-300 0.33333333333333331483\n');
    const want = [1.000000000000000055, 2.5e-300, 2.5e-300, 0.33333333333333331483];
    expect(Array.from(readSquareMatrixBytes(p)!.data)).toEqual(want);
    expect(Array.from(readSquareMatrix(p).data)).toEqual(want);
    // A UTF-8 byte order mark, and NaN: the careful reader handles the first and names the second.
    const bom = tmp.file('bom.txt', '\uFEFF1 0.5\n0.5 1\n');
    expect(readSquareMatrixBytes(bom)).toBeUndefined();
    expect(Array.from(readSquareMatrix(bom).data)).toEqual([1, 0.5, 0.5, 1]);
    const bad = tmp.file('nan.txt', '1 0.5\n0.5 nan\n');
    expect(readSquareMatrixBytes(bad)).toBeUndefined();
    expect(inputError(() => readSquareMatrix(bad)).message).toContain('line 2');
  });

  it('a plain file that is not symmetric gets the careful reader\'s message with the line', () => {
    const p = tmp.file('asym.txt', '1 0.5 0.1\n0.5 1 0.2\n0.1 0.3 1\n');
    const e = inputError(() => readSquareMatrix(p));
    expect(e.message).toContain('not symmetric: row 3, column 2 is 0.3 but row 2, column 3 is 0.2');
    expect(e.message).toContain('line 3');
  });
});
