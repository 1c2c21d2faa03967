import { describe, expect, it } from 'vitest';
import { allByteMasks, byteMasks, countPacked, emptyCounts } from '../../engine/qc/snps.js';

/** Seeded bytes (xorshift). */
function randomBytes(length: number, seed: number): Uint8Array {
  let x = seed >>> 0 || 1;
  return Uint8Array.from({ length }, () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) & 0xff;
  });
}

/** The counts read call by call from the 2-bit codes (0b00 hom allele 1, 0b01 missing, 0b10 het). */
function countOneByOne(packed: Uint8Array, snps: number, bps: number, individuals: number[]): { hom1: number[]; missing: number[]; het: number[] } {
  const out = { hom1: [] as number[], missing: [] as number[], het: [] as number[] };
  for (let s = 0; s < snps; s++) {
    let hom1 = 0;
    let missing = 0;
    let het = 0;
    for (const i of individuals) {
      const code = (packed[s * bps + (i >> 2)]! >> ((i & 3) * 2)) & 3;
      if (code === 0) hom1++;
      else if (code === 1) missing++;
      else if (code === 2) het++;
    }
    out.hom1.push(hom1);
    out.missing.push(missing);
    out.het.push(het);
  }
  return out;
}

describe('genotype counts from packed bytes', () => {
  it('all individuals (the dense path an import takes) and subsets agree with reading each call, whatever n modulo 4', () => {
    for (const n of [1, 2, 3, 4, 5, 7, 8, 13, 501, 1940]) {
      const bps = (n + 3) >> 2;
      const snps = 37;
      const packed = randomBytes(snps * bps, n);
      const all = Array.from({ length: n }, (_, i) => i);
      const masks = allByteMasks(n);
      expect(masks.dense).toBe(true);
      const got = emptyCounts(n, snps + 3);
      countPacked(packed, snps, bps, masks, got, 3);
      const want = countOneByOne(packed, snps, bps, all);
      expect([Array.from(got.hom1.subarray(3)), Array.from(got.missing.subarray(3)), Array.from(got.het.subarray(3))]).toEqual([want.hom1, want.missing, want.het]);
      // Every other individual, and all but the first: not dense once they span two bytes.
      for (const some of [all.filter((i) => i % 2 === 1), all.slice(1)]) {
        if (some.length === 0) continue;
        const sub = byteMasks(Int32Array.from(some));
        if (n >= 8) expect(sub.dense).toBe(false);
        const c = emptyCounts(some.length, snps);
        countPacked(packed, snps, bps, sub, c, 0);
        const w = countOneByOne(packed, snps, bps, some);
        expect([Array.from(c.hom1), Array.from(c.missing), Array.from(c.het)]).toEqual([w.hom1, w.missing, w.het]);
      }
    }
  });
});
