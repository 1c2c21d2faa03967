/**
 * The one genotype import: SNPs out of chromosome/position order are sorted (also when the
 * disorder shows only after several blocks were written), dosages are stored beside the 2-bit
 * calls and read back exactly, and the per-SNP counts equal a recount of the stored blocks.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { Rng } from '../../bench/simulate.js';
import { decodeSnp } from '../../engine/io/plink.js';
import { countGenotypes } from '../../engine/qc/snps.js';
import { loadBim, loadPlink } from '../../engine/store/datasets.js';
import { Project } from '../../engine/store/project.js';
import { loadSnpCounts } from '../../engine/store/snp-stats.js';
import { tempDir } from '../helpers/tmp.js';

describe('importing genotypes of any format', () => {
  const dir = tempDir('kinscan-import-');

  it('sorts SNPs found out of order after several blocks, keeping each SNP with its dosages', () => {
    const n = 23;
    const m = 150;
    const rng = new Rng(9);
    // Chromosomes 1, 2, 10 (natural order), positions increasing for the first 100 SNPs of the
    // file, then chromosome 1 again and shuffled positions.
    const snps = Array.from({ length: m }, (_, j) => {
      const chr = j < 100 ? (j < 40 ? '1' : j < 70 ? '2' : '10') : ['1', '2', '10'][j % 3]!;
      const pos = j < 100 ? 1000 + j * 10 : Math.floor(rng.next() * 5000);
      const dosage = Array.from({ length: n }, () => (rng.next() < 0.05 ? NaN : Math.round(rng.next() * 2000) / 1000));
      return { rs: `s${j}`, chr, pos, dosage };
    });
    const geno = join(dir, 'g.txt');
    const anno = join(dir, 'a.txt');
    writeFileSync(geno, snps.map((s) => [s.rs, 'A', 'G', ...s.dosage.map((d) => (Number.isNaN(d) ? 'NA' : d.toFixed(3)))].join(', ')).join('\n') + '\n');
    writeFileSync(anno, snps.map((s) => `${s.rs} ${s.pos} ${s.chr}`).join('\n') + '\n');

    const path = join(dir, 'p.kinscan');
    const p = Project.open(path, { create: true });
    let id: number;
    try {
      const r = p.importDataset(geno, { anno, blockSnps: 16 });
      id = r.id;
      expect(r.summary.warnings.join(' ')).toMatch(/not in chromosome and position order; they were sorted/);
    } finally {
      p.close();
    }
    const db = new Database(path, { readonly: true });
    try {
      const order = snps
        .map((s, k) => ({ ...s, k }))
        .sort((a, b) => Number(a.chr) - Number(b.chr) || a.pos - b.pos || a.k - b.k);
      const bim = loadBim(db, id);
      expect(bim.rs).toEqual(order.map((s) => s.rs));
      expect(Array.from(bim.pos)).toEqual(order.map((s) => s.pos));
      const set = loadPlink(db, id);
      const d = new Float32Array(m * n);
      set.dosage!.readDosage(0, m, d);
      const packed = new Uint8Array(m * set.bed.bytesPerSnp);
      set.bed.readPacked(0, m, packed);
      const calls = new Int8Array(n);
      order.forEach((s, j) => {
        decodeSnp(packed, j * set.bed.bytesPerSnp, n, calls);
        for (let i = 0; i < n; i++) {
          const want = s.dosage[i]!;
          if (Number.isNaN(want)) {
            expect(Number.isNaN(d[j * n + i]!)).toBe(true);
            expect(calls[i]).toBe(-1);
          } else {
            expect(d[j * n + i]).toBeCloseTo(want, 6);
            expect(calls[i]).toBe(want < 0.5 ? 0 : want < 1.5 ? 1 : 2);
          }
        }
      });
      // The stored counts (made while importing, on the helper thread) equal a recount of the blocks.
      const stored = loadSnpCounts(db, id);
      const recount = countGenotypes(set.bed, Int32Array.from({ length: n }, (_, i) => i));
      expect(Array.from(stored.hom1)).toEqual(Array.from(recount.hom1));
      expect(Array.from(stored.het)).toEqual(Array.from(recount.het));
      expect(Array.from(stored.missing)).toEqual(Array.from(recount.missing));
      set.bed.close();
    } finally {
      db.close();
    }
  });

  it('refuses a file with no SNP to test, writing nothing into the project', () => {
    const geno = join(dir, 'indels.vcf');
    writeFileSync(geno, '##fileformat=VCFv4.2\n#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\ta\tb\n1\t10\tx\tAT\tA\t.\t.\t.\tGT\t0/1\t1/1\n');
    const path = join(dir, 'empty.kinscan');
    const p = Project.open(path, { create: true });
    try {
      expect(() => p.importDataset(geno)).toThrow(/indels\.vcf, line 3: has no biallelic SNPs to read \(1 record: indel/);
      expect(p.datasets()).toEqual([]);
    } finally {
      p.close();
    }
  });
});
