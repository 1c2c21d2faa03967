/**
 * C printf's %.6e / %.3f as the GEMMA export prints them, checked against C printf itself (awk's
 * printf is the C library's): random doubles of every magnitude, exact ties (where JavaScript and C
 * round differently), denormals, powers of ten; and p-values past the double range.
 */
import { spawnSync } from 'node:child_process';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatExpC, formatFixedC, formatLnPC } from '../../engine/export/tables/c-format.js';
import { csvField } from '../../engine/export/tables/csv.js';
import { tableCell } from '../../engine/export/tables/xlsx.js';

/** C's printf of each value (awk reads the shortest round-trip text exactly with strtod). */
function cPrintf(format: string, values: number[]): string[] {
  const r = spawnSync('awk', [`{ printf "${format}\\n", $1 }`], { input: values.map((v) => (Object.is(v, -0) ? '-0' : String(v))).join('\n') + '\n', encoding: 'utf8' });
  expect(r.status, r.stderr).toBe(0);
  return r.stdout.trimEnd().split('\n');
}

function compare(format: string, values: number[], ours: (x: number) => string): void {
  const ref = cPrintf(format, values);
  const bad = values.map((v, i) => [v, ours(v), ref[i]] as const).filter(([, a, b]) => a !== b);
  expect(bad.slice(0, 5)).toEqual([]);
}

const ties = [
  1234566.5, 1234567.5, -1234566.5, 0.0625, 0.1875, 0.3125, 0.4375, 0.5625, 0.6875, 0.8125, 0.9375, 2.5, 3.5, 0.125, 12345665, 12345675, 1.5, 9999999.5,
  8388608.5, 2 ** 40 + 0.5, 1.0000005, 123456.25,
];

describe('C-style number formatting', () => {
  it('%.6e equals C printf on random doubles, ties, denormals and powers of ten', () => {
    const values = [
      ...fc.sample(fc.double({ noNaN: true, noDefaultInfinity: true }), 3000),
      ...fc.sample(fc.double({ min: -1e4, max: 1e4, noNaN: true }), 2000),
      ...ties,
      ...Array.from({ length: 60 }, (_, k) => 10 ** (k - 30)),
      ...Array.from({ length: 60 }, (_, k) => 9.9999995 * 10 ** (k - 30)),
      5e-324, 2.5e-320, 1e-310, 2.2250738585072014e-308, 1.7976931348623157e308, 0, -0,
    ];
    compare('%.6e', values, (x) => formatExpC(x, 6));
  });

  it('%.3f (and other digit counts) equals C printf', () => {
    const values = [...fc.sample(fc.double({ min: -1e6, max: 1e6, noNaN: true }), 2000), ...fc.sample(fc.double({ min: 0, max: 1, noNaN: true }), 2000), ...ties, 0, -0, 0.0005, 1e21, 3e25];
    compare('%.3f', values, (x) => formatFixedC(x, 3));
    compare('%.0f', values, (x) => formatFixedC(x, 0));
    compare('%.8f', values, (x) => formatFixedC(x, 8));
    // af is a count over 2n: every such fraction for n up to 200 (exact ties among them).
    const af: number[] = [];
    for (let n = 1; n <= 200; n++) for (let k = 0; k <= 2 * n; k++) af.push(k / (2 * n));
    compare('%.3f', af, (x) => formatFixedC(x, 3));
  });

  it('has the shape of %.6e, and prints nan and inf as C does', () => {
    expect(formatExpC(0.2025923, 6)).toBe('2.025923e-01');
    expect(formatExpC(1.234567e-100, 6)).toBe('1.234567e-100');
    expect(formatExpC(-1583.642, 6)).toBe('-1.583642e+03');
    expect(formatExpC(NaN, 6)).toBe('nan');
    expect(formatExpC(Infinity, 6)).toBe('inf');
    expect(formatExpC(0, 6)).toBe('0.000000e+00');
  });

  it('p from ln p: C printf of exp(ln p) in double range, the true exponent beyond it', () => {
    const lnPs = fc.sample(fc.double({ min: -700, max: -1e-9, noNaN: true }), 2000);
    const ref = cPrintf('%.6e', lnPs.map((l) => Math.exp(l)));
    expect(lnPs.map((l) => formatLnPC(l)).filter((s, i) => s !== ref[i])).toEqual([]);
    expect(formatLnPC(0)).toBe('1.000000e+00');
    expect(formatLnPC(-350 * Math.LN10)).toBe('1.000000e-350');
    expect(formatLnPC(Math.log(1.234567) - 400 * Math.LN10)).toBe('1.234567e-400');
    expect(formatLnPC(Math.log(9.9999999) - 1000 * Math.LN10)).toBe('1.000000e-999');
    expect(formatLnPC(-Infinity)).toBe('0.000000e+00');
    for (const l of fc.sample(fc.double({ min: -1e6, max: -709, noNaN: true }), 500)) {
      const s = formatLnPC(l);
      expect(s).toMatch(/^[1-9]\.\d{6}e-\d{3,}$/);
      const [m, e] = s.split('e');
      expect(Math.abs(Math.log10(Number(m)) + Number(e) - l / Math.LN10)).toBeLessThan(5e-7);
    }
  });

  it('XLSX cells: numbers as numbers while Excel can hold them, else their text; NA empty; identifiers as text', () => {
    expect(tableCell('p_lrt', '2.025923e-01')).toBe(0.2025923);
    expect(tableCell('p_lrt', '3.000000e-308')).toBe(3e-308);
    expect(tableCell('p_lrt', '1.234567e-350')).toBe('1.234567e-350');
    expect(tableCell('p_lrt', '1.000000e-310')).toBe('1.000000e-310'); // a denormal: 0 in Excel
    expect(tableCell('beta_d', 'NA')).toBeNull();
    expect(tableCell('lrt', 'inf')).toBe('inf');
    expect(tableCell('lrt', '0')).toBe(0);
    expect(tableCell('chr', '1')).toBe('1');
    expect(tableCell('rs', '1e5')).toBe('1e5');
    expect(tableCell('ps', '3197400')).toBe(3197400);
  });

  it('CSV fields are quoted only when they must be (RFC 4180)', () => {
    expect(['rs1', 'a,b', 'say "hi"', 'two\nlines', ''].map(csvField)).toEqual(['rs1', '"a,b"', '"say ""hi"""', '"two\nlines"', '']);
  });
});
