import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { openPlink } from '../../engine/io/plink.js';
import { hweExactP } from '../../engine/qc/hwe.js';
import { countGenotypes } from '../../engine/qc/snps.js';

const ROOT = join(import.meta.dirname, '..', '..');
const MOUSE = join(ROOT, 'resources', 'example', 'mouse_hs1940');

/** a / b as a double, for big integers of any size. */
function ratio(a: bigint, b: bigint): number {
  if (a === 0n) return 0;
  const shift = b.toString(2).length - a.toString(2).length + 64;
  const q = shift >= 0 ? (a << BigInt(shift)) / b : a / (b << BigInt(-shift));
  // q has about 64 bits; scale back in two steps so 2^-shift does not underflow on its own.
  return Number(q) * 2 ** -Math.ceil(shift / 2) * 2 ** -Math.floor(shift / 2);
}

/**
 * The exact test by enumeration in exact integers: every table with the same n and allele counts
 * has weight n! / (hom_r! het! hom_c!) 2^het (its probability times a common factor); the p-value
 * is the weight of the tables no more probable than the observed one over the total weight.
 */
function exactByEnumeration(hom1: number, het: number, hom2: number): number {
  const n = hom1 + het + hom2;
  if (n === 0) return 1;
  const rare = Math.min(2 * hom1 + het, 2 * hom2 + het);
  const fact: bigint[] = [1n];
  for (let i = 1; i <= n; i++) fact.push(fact[i - 1]! * BigInt(i));
  const weight = (h: number): bigint => {
    const hr = (rare - h) / 2;
    return (fact[n]! / (fact[hr]! * fact[h]! * fact[n - h - hr]!)) << BigInt(h);
  };
  const observed = weight(het);
  let total = 0n;
  let tail = 0n;
  for (let h = rare % 2; h <= rare; h += 2) {
    const w = weight(h);
    total += w;
    if (w <= observed) tail += w;
  }
  return ratio(tail, total);
}

describe('Hardy-Weinberg exact test', () => {
  it('gives the hand-enumerated p-values of n = 3 tables', () => {
    // Two copies of the rarer allele: het 0 (weight 3!/(1!0!2!) = 3) or het 2 (3!/(0!2!1!) 4 = 12): P = 0.2, 0.8.
    expect(hweExactP(1, 0, 2)).toBeCloseTo(0.2, 14);
    expect(hweExactP(2, 0, 1)).toBeCloseTo(0.2, 14);
    expect(hweExactP(0, 2, 1)).toBe(1);
    expect(hweExactP(1, 2, 0)).toBe(1);
    // Three copies of each allele: het 1 (3!/(1!1!1!) 2 = 12) or het 3 (3!/(0!3!0!) 8 = 8): P = 0.6, 0.4.
    expect(hweExactP(1, 1, 1)).toBe(1);
    expect(hweExactP(0, 3, 0)).toBeCloseTo(0.4, 14);
    // One table only: monomorphic, one heterozygote, nothing called.
    expect(hweExactP(3, 0, 0)).toBe(1);
    expect(hweExactP(0, 1, 2)).toBe(1);
    expect(hweExactP(0, 0, 0)).toBe(1);
  });

  it('equals exact enumeration in big integers on random tables (1e-12 relative)', () => {
    fc.assert(
      fc.property(fc.nat(120), fc.nat(120), fc.nat(120), (a, b, c) => {
        const p = hweExactP(a, b, c);
        const ref = exactByEnumeration(a, b, c);
        expect(Math.abs(p - ref)).toBeLessThanOrEqual(1e-12 * ref + 1e-300);
      }),
      { numRuns: 400, seed: 11 },
    );
  });

  it('is stable for large n: the most probable table has p = 1, extreme tables a tiny p or 0, never NaN', () => {
    expect(hweExactP(250_000, 500_000, 250_000)).toBeCloseTo(1, 12);
    const tiny = hweExactP(400, 0, 400);
    expect(tiny).toBeGreaterThan(0);
    expect(Math.abs(tiny / exactByEnumeration(400, 0, 400) - 1)).toBeLessThan(1e-12);
    expect(hweExactP(500_000, 0, 500_000)).toBe(0);
    const p = hweExactP(810_000, 180_000, 10_000);
    expect(p).toBeGreaterThanOrEqual(0);
    expect(p).toBeLessThanOrEqual(1);
    // Symmetric in the two homozygote classes.
    expect(hweExactP(10_000, 180_000, 810_000)).toBe(p);
  });

  it('matches plink2 --hardy on every SNP of the mouse set (to the 6 significant digits plink2 prints), with the same counts', () => {
    const lines = gunzipSync(readFileSync(join(ROOT, 'test', 'fixtures', 'hwe', 'mouse_hs1940.hardy.gz'))).toString('utf8').trim().split('\n').slice(1);
    const plink = openPlink(MOUSE);
    try {
      const counts = countGenotypes(plink.bed, Int32Array.from({ length: plink.bed.nSamples }, (_, i) => i));
      expect(lines).toHaveLength(plink.bed.nSnps);
      let worst = 0;
      const exactChecked: number[] = [];
      for (let j = 0; j < lines.length; j++) {
        const [id, homA1, het, twoAx, pText] = lines[j]!.split('\t');
        expect(id).toBe(plink.bim.rs[j]);
        const hom1 = counts.hom1[j]!;
        const h = counts.het[j]!;
        const hom2 = counts.n - counts.missing[j]! - hom1 - h;
        // plink2 reports for the .bim's column 6 (REF for a .bim): HOM_A1_CT is our hom2 (code 0b11).
        expect([hom2, h, hom1]).toEqual([Number(homA1), Number(het), Number(twoAx)]);
        const ref = Number(pText);
        const p = hweExactP(hom1, h, hom2);
        // Half a unit in the 6th significant digit of the printed value.
        const halfUnit = 0.5 * 10 ** (Math.floor(Math.log10(ref)) - 5);
        expect(Math.abs(p - ref), `SNP ${id}: ${p} vs plink2 ${pText}`).toBeLessThanOrEqual(halfUnit * (1 + 1e-9));
        worst = Math.max(worst, Math.abs(p - ref) / ref);
        if (j % 400 === 0) exactChecked.push(j);
      }
      expect(worst).toBeLessThan(5e-6);
      // Beyond plink2's printed digits: exact enumeration over the 1,940 mice, for every 400th SNP.
      for (const j of exactChecked) {
        const hom1 = counts.hom1[j]!;
        const h = counts.het[j]!;
        const hom2 = counts.n - counts.missing[j]! - hom1 - h;
        const ref = exactByEnumeration(hom1, h, hom2);
        expect(Math.abs(hweExactP(hom1, h, hom2) - ref)).toBeLessThanOrEqual(1e-10 * ref);
      }
    } finally {
      plink.bed.close();
    }
  }, 60_000);
});
