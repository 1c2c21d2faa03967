/**
 * Genotype blocks are deflated when that at least halves them, else stored (block-compress.ts):
 * the bundled mouse HS1940 .bed (linkage disequilibrium: deflate shrinks it about 4x) and rare
 * variants are deflated; independent common SNPs (as simulators write them) are stored, and so
 * are the next PROBE_EVERY - 1 blocks without trying. Every block reads back byte for byte through
 * the store's inflate, Adler-32 checked, and the counts equal a count by hand.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { allByteMasks } from '../../engine/qc/snps.js';
import { BlockCompressor, PROBE_EVERY } from '../../engine/store/block-compress.js';
import { inflate } from '../../engine/store/codec.js';
import { Rng } from '../../engine/stats/random.js';

const MOUSE_BED = join(import.meta.dirname, '../../resources/example/mouse_hs1940.bed');
const N = 500;
const BPS = Math.ceil(N / 4);
const CODE = [0b11, 0b10, 0b00];

/** 1024 independent SNPs of Hardy-Weinberg calls at allele frequency `p`, 1% missing; with the counts by hand. */
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

function readsBack(data: Uint8Array, bytes: Uint8Array): void {
  expect(Buffer.from(inflate(data)).equals(Buffer.from(bytes))).toBe(true);
  const damaged = Buffer.from(data);
  damaged[damaged.length >> 1]! ^= 0x10;
  expect(() => inflate(damaged)).toThrow();
}

describe('genotype block compression', () => {
  it('mouse HS1940: every block deflated to under half, read back exactly', () => {
    const bed = readFileSync(MOUSE_BED).subarray(3);
    const n = 1940;
    const bps = Math.ceil(n / 4);
    const c = new BlockCompressor(n, bps, allByteMasks(n));
    let raw = 0;
    let stored = 0;
    for (let at = 0; at < bed.length; at += 1024 * bps) {
      const bytes = bed.subarray(at, Math.min(bed.length, at + 1024 * bps));
      const out = c.compress(bytes);
      expect(out.deflated).toBe(true);
      readsBack(out.data, bytes);
      raw += bytes.length;
      stored += out.data.length;
    }
    expect(stored / raw).toBeLessThan(0.35);
  });

  it('rare variants (p = 0.01) deflated; independent common SNPs (p = 0.3) stored, then stored untried until the next probe', () => {
    const c = new BlockCompressor(N, BPS, allByteMasks(N));
    const rare = block(0.01, 11);
    const common = block(0.3, 12);
    const r = c.compress(rare.bytes);
    expect(r.deflated).toBe(true);
    expect(r.data.length).toBeLessThan(rare.bytes.length / 2);
    expect(Array.from(r.counts.hom1)).toEqual(rare.hom1);
    expect(Array.from(r.counts.het)).toEqual(rare.het);
    expect(Array.from(r.counts.missing)).toEqual(rare.missing);
    readsBack(r.data, rare.bytes);
    const s = c.compress(common.bytes);
    expect(s.deflated).toBe(false);
    // zlib's stored blocks: 2 header bytes, 5 per block of up to 64 KiB, the Adler-32.
    expect(s.data.length).toBeGreaterThanOrEqual(common.bytes.length);
    expect(s.data.length).toBeLessThan(common.bytes.length + 64);
    expect(Array.from(s.counts.het)).toEqual(common.het);
    readsBack(s.data, common.bytes);
    // The next PROBE_EVERY - 1 blocks are stored without trying, rare ones too; then deflate is tried again.
    for (let k = 1; k < PROBE_EVERY; k++) {
      const out = c.compress(rare.bytes);
      expect(out.deflated).toBe(false);
      readsBack(out.data, rare.bytes);
    }
    expect(c.compress(rare.bytes).deflated).toBe(true);
  });

  it('a compressor carried on from another (the importing thread to its helper) decides as one would', () => {
    const blocks = [block(0.3, 1), block(0.01, 2), block(0.01, 3), block(0.3, 4)];
    const one = new BlockCompressor(N, BPS, allByteMasks(N));
    const whole = blocks.map((b) => one.compress(b.bytes).deflated);
    const first = new BlockCompressor(N, BPS, allByteMasks(N));
    const head = [first.compress(blocks[0]!.bytes).deflated];
    const second = new BlockCompressor(N, BPS, allByteMasks(N), first.storing);
    const tail = blocks.slice(1).map((b) => second.compress(b.bytes).deflated);
    expect([...head, ...tail]).toEqual(whole);
    expect(whole).toEqual([false, false, false, false]);
  });
});
