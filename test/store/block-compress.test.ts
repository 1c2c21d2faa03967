/**
 * A genotype block's deflate level follows its calls' entropy (block-compress.ts): rare variants
 * (under one bit per genotype) are deflated, common ones kept in zlib's stored blocks; both read
 * back byte for byte through the store's inflate, Adler-32 checked, and the counts equal a count
 * by hand.
 */
import { describe, expect, it } from 'vitest';
import { allByteMasks } from '../../engine/qc/snps.js';
import { compressBlock, genotypeEntropy } from '../../engine/store/block-compress.js';
import { inflate } from '../../engine/store/codec.js';
import { Rng } from '../../engine/stats/random.js';

const N = 500;
const BPS = Math.ceil(N / 4);
const CODE = [0b11, 0b10, 0b00];

/** 1024 SNPs of Hardy-Weinberg calls at allele frequency `p`, 1% missing; with the counts by hand. */
function block(p: number, seed: number): { bytes: Uint8Array; hom1: number[]; het: number[]; missing: number[] } {
  const rng = new Rng(seed);
  const bytes = new Uint8Array(1024 * BPS);
  const hom1: number[] = [];
  const het: number[] = [];
  const missing: number[] = [];
  for (let s = 0; s < 1024; s++) {
    let a = 0;
    let h = 0;
    let m = 0;
    for (let j = 0; j < N; j++) {
      const g = (rng.next() < p ? 1 : 0) + (rng.next() < p ? 1 : 0);
      const miss = rng.next() < 0.01;
      const code = miss ? 0b01 : CODE[g]!;
      if (miss) m++;
      else if (g === 2) a++;
      else if (g === 1) h++;
      bytes[s * BPS + (j >> 2)]! |= code << (2 * (j & 3));
    }
    hom1.push(a);
    het.push(h);
    missing.push(m);
  }
  return { bytes, hom1, het, missing };
}

describe('genotype block compression', () => {
  it('the entropy of Hardy-Weinberg calls at p = 0.5 is 1.57 bits, at p = 0.01 0.22 (1% missing)', () => {
    for (const [p, bits] of [[0.5, 1.566], [0.01, 0.221]] as const) {
      const b = block(p, 7);
      const c = compressBlock(b.bytes, N, BPS, allByteMasks(N));
      // h(0.01) + 0.99 H(genotypes): H(1/4, 1/2, 1/4) = 1.5 bits; at p = 0.01, H = 0.142 bits; h(0.01) = 0.081.
      expect(genotypeEntropy(c.counts)).toBeCloseTo(bits, 1);
    }
  });

  for (const [what, p, deflated] of [['rare variants (p = 0.01)', 0.01, true], ['common variants (p = 0.3)', 0.3, false]] as const) {
    it(`${what}: ${deflated ? 'deflated' : 'stored'}, read back exactly, counted exactly`, () => {
      const b = block(p, 11);
      const c = compressBlock(b.bytes, N, BPS, allByteMasks(N));
      expect(Array.from(c.counts.hom1)).toEqual(b.hom1);
      expect(Array.from(c.counts.het)).toEqual(b.het);
      expect(Array.from(c.counts.missing)).toEqual(b.missing);
      if (deflated) expect(c.data.length).toBeLessThan(b.bytes.length / 2);
      else {
        // zlib's stored blocks: 2 header bytes, 5 per block of up to 64 KiB, the Adler-32.
        expect(c.data.length).toBeGreaterThanOrEqual(b.bytes.length);
        expect(c.data.length).toBeLessThan(b.bytes.length + 64);
      }
      expect(Buffer.from(inflate(c.data)).equals(Buffer.from(b.bytes))).toBe(true);
      const damaged = Buffer.from(c.data);
      damaged[damaged.length >> 1]! ^= 0x10;
      expect(() => inflate(damaged)).toThrow();
    });
  }
});
