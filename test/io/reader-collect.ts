/** Shared by the genotype reader tests: everything a reader hands on, and a fuzz harness. */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { expect } from 'vitest';
import { InputError } from '../../engine/io/errors.js';
import type { GenotypeReader, ReadSummary, SnpRecord } from '../../engine/io/genotype-source.js';

export interface Collected {
  snps: SnpRecord[];
  /** Per SNP, per sample: allele1 count 0/1/2 or -1, decoded here from the packed codes. */
  counts: Int8Array[];
  dosage: Float32Array[];
  summary: ReadSummary;
  batches: number;
}

const CODE_COUNT = [2, -1, 1, 0];

/** Read every SNP of `r`, decoding the packed codes independently of engine/io/plink.ts. */
export function collect(r: GenotypeReader, batchSnps?: number): Collected {
  const n = r.samples.iid.length;
  const bps = Math.ceil(n / 4);
  const out: Collected = { snps: [], counts: [], dosage: [], summary: { snps: 0, skipped: [], warnings: [] }, batches: 0 };
  out.summary = r.read(
    (b) => {
      out.batches++;
      expect(b.packed.length).toBe(b.snps.length * bps);
      b.snps.forEach((s, k) => {
        out.snps.push(s);
        const c = new Int8Array(n);
        for (let j = 0; j < n; j++) c[j] = CODE_COUNT[(b.packed[k * bps + (j >> 2)]! >> (2 * (j & 3))) & 3]!;
        // Padding bits are zero.
        for (let j = n; j < bps * 4; j++) expect((b.packed[k * bps + (j >> 2)]! >> (2 * (j & 3))) & 3).toBe(0);
        out.counts.push(c);
        if (b.dosage) out.dosage.push(b.dosage.slice(k * n, (k + 1) * n));
      });
    },
    batchSnps !== undefined ? { batchSnps } : {},
  );
  r.close();
  return out;
}

/** Open and read `path`; return the InputError, or undefined when it read fine. Anything else is thrown. */
export function tryRead(open: (path: string) => GenotypeReader, path: string): InputError | undefined {
  try {
    collect(open(path));
    return undefined;
  } catch (e) {
    if (e instanceof InputError) return e;
    throw e;
  }
}

/**
 * fast-check: random bytes, and random mutations (bytes changed, cut, lines doubled or dropped) of
 * a valid file, give only InputErrors or a clean read, never another exception.
 */
export function fuzzReader(dir: string, name: string, open: (path: string) => GenotypeReader, valid: string, runs = 150): void {
  const path = join(dir, name);
  const check = (bytes: Uint8Array): void => {
    writeFileSync(path, bytes);
    const e = tryRead(open, path);
    if (e) {
      expect(e.message.length).toBeGreaterThan(10);
      expect(e.file).toBeDefined();
    }
  };
  fc.assert(fc.property(fc.uint8Array({ maxLength: 400 }), check), { numRuns: runs });
  const base = Buffer.from(valid);
  const alphabet = Buffer.from('\t ,;\n\r"01239.-ACGTNRYABna/|#:_\u00ef\u00bb\u00bf');
  const mutation = fc.array(
    fc.tuple(fc.nat({ max: base.length - 1 }), fc.constantFrom('set', 'cut', 'dup', 'drop'), fc.nat({ max: alphabet.length - 1 })),
    { minLength: 1, maxLength: 6 },
  );
  fc.assert(
    fc.property(mutation, (ops) => {
      let b = Buffer.from(base);
      for (const [at, op, k] of ops) {
        const i = at % Math.max(1, b.length);
        if (op === 'set') b[i] = alphabet[k]!;
        else if (op === 'cut') b = b.subarray(0, i);
        else {
          const start = b.lastIndexOf(10, i - 1) + 1;
          let end = b.indexOf(10, i);
          if (end < 0) end = b.length;
          const line = b.subarray(start, Math.min(b.length, end + 1));
          b = op === 'dup' ? Buffer.concat([b.subarray(0, start), line, b.subarray(start)]) : Buffer.concat([b.subarray(0, start), b.subarray(start + line.length)]);
        }
      }
      check(b);
    }),
    { numRuns: runs },
  );
}
