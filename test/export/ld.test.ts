/**
 * r^2 between a lead SNP and others, against PLINK 1.9 on the mouse genotypes and against a
 * direct double-precision Pearson correlation with missing calls, from a .bed and from a project.
 *
 * test/fixtures/mouse_ld_plink19.ld is PLINK 1.9's own output (plink1.9 1.90b6.26), made once:
 *   plink1.9 --bfile resources/example/mouse_hs1940 --keep analysed.txt --make-bed --out sorted
 *   plink1.9 --bfile sorted --make-founders --r2 --ld-snp-list leads.txt --ld-window-kb 10000 \
 *            --ld-window 99999 --ld-window-r2 0 --out mouse_ld_plink19
 * with analysed.txt the 1410 individuals a trait1 scan analyses (FID IID) and leads.txt
 * rs13482968 and rs3707673. (--make-bed sorts the .bim and drops SNPs without a position;
 * --make-founders because PLINK computes r^2 over founders only.) Those individuals have no
 * missing call, so PLINK's own treatment of missing calls does not enter.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Rng } from '../../bench/simulate.js';
import { ldR2 } from '../../engine/export/ld.js';
import { openRunSamples } from '../../engine/export/run-samples.js';
import { createPlink } from '../../engine/io/plink-write.js';
import { decodeSnp, openPlink } from '../../engine/io/plink.js';
import { readSheet } from '../../engine/io/sheet.js';
import { selectSamples } from '../../engine/qc/samples.js';
import { DEFAULT_SETTINGS } from '../../engine/scan/settings.js';
import { Project } from '../../engine/store/project.js';
import { tempDir } from '../helpers/tmp.js';

const root = join(import.meta.dirname, '..', '..');
const mouse = join(root, 'resources', 'example', 'mouse_hs1940');

/** Allele counts of SNP j over all samples (-1 missing). */
function counts(bed: ReturnType<typeof openPlink>['bed'], j: number): Int8Array {
  const packed = new Uint8Array(bed.bytesPerSnp);
  bed.readPacked(j, 1, packed);
  const out = new Int8Array(bed.nSamples);
  decodeSnp(packed, 0, bed.nSamples, out);
  return out;
}

/** Squared Pearson correlation over the listed samples called at both SNPs, the textbook way. */
function directR2(a: Int8Array, b: Int8Array, samples: Int32Array): number {
  const x: number[] = [];
  const y: number[] = [];
  for (const i of samples) {
    if (a[i]! >= 0 && b[i]! >= 0) {
      x.push(a[i]!);
      y.push(b[i]!);
    }
  }
  if (x.length < 2) return NaN;
  const mx = x.reduce((s, v) => s + v, 0) / x.length;
  const my = y.reduce((s, v) => s + v, 0) / y.length;
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (let k = 0; k < x.length; k++) {
    sxy += (x[k]! - mx) * (y[k]! - my);
    sxx += (x[k]! - mx) ** 2;
    syy += (y[k]! - my) ** 2;
  }
  return sxx === 0 || syy === 0 ? NaN : (sxy * sxy) / (sxx * syy);
}

describe('ldR2', () => {
  it('equals PLINK 1.9 --r2 on the mouse genotypes (analysed individuals of trait1)', () => {
    const plink = openPlink(mouse);
    try {
      const samples = selectSamples(plink.fam, readSheet(`${mouse}.pheno.csv`), 'trait1').famIndex;
      expect(samples.length).toBe(1410);
      const index = new Map(plink.bim.rs.map((rs, j) => [rs, j]));
      const lines = readFileSync(join(root, 'test', 'fixtures', 'mouse_ld_plink19.ld'), 'utf8').trim().split('\n').slice(1);
      const byLead = new Map<string, { rs: string; r2: number }[]>();
      for (const line of lines) {
        const f = line.trim().split(/\s+/);
        if (!byLead.has(f[2]!)) byLead.set(f[2]!, []);
        byLead.get(f[2]!)!.push({ rs: f[5]!, r2: Number(f[6]) });
      }
      expect([...byLead.keys()].sort()).toEqual(['rs13482968', 'rs3707673']);
      let compared = 0;
      for (const [lead, pairs] of byLead) {
        const snps = Int32Array.from(pairs, (p) => index.get(p.rs)!);
        const ours = ldR2(plink.bed, samples, index.get(lead)!, snps);
        pairs.forEach((p, k) => {
          // No missing call among these individuals, so pairwise-complete is PLINK's rule too.
          const c = counts(plink.bed, snps[k]!);
          expect(samples.every((i) => c[i]! >= 0)).toBe(true);
          // PLINK prints 6 significant digits.
          expect(Math.abs(ours[k]! - p.r2), `${lead} ${p.rs}`).toBeLessThanOrEqual(6e-6 * p.r2 + 1e-12);
          compared++;
        });
      }
      expect(compared).toBe(135);
    } finally {
      plink.bed.close();
    }
  });

  it('is pairwise-complete: equals a direct computation with missing calls; NaN for constant SNPs or < 2 shared calls', () => {
    const dir = tempDir('kinscan-ld-');
    const n = 97;
    const rng = new Rng(11);
    const base = Array.from({ length: n }, () => rng.genotype(0.4));
    const snps: number[][] = [
      base,
      base.map((g) => (rng.next() < 0.2 ? rng.genotype(0.4) : g)), // in LD with SNP 0
      base.map(() => rng.genotype(0.3)), // independent
      base.map((g) => 2 - g), // perfect negative correlation
      base.map(() => 1), // constant
      base.map((_, i) => (i < 1 ? 2 : -1)), // one call
    ];
    // Missing calls everywhere but the constant SNP.
    for (const s of [0, 1, 2, 3]) for (let i = 0; i < n; i++) if (rng.next() < 0.1) snps[s]![i] = -1;
    const prefix = join(dir, 'ld');
    const w = createPlink(
      prefix,
      Array.from({ length: n }, (_, i) => ({ fid: `f${i}`, iid: `i${i}` })),
      snps.map((_, j) => ({ chr: '1', rs: `s${j}`, pos: 1000 * (j + 1), allele1: 'A', allele0: 'C' })),
    );
    for (const s of snps) w.writeSnp(s);
    w.close();
    const plink = openPlink(prefix);
    try {
      // A subset of the individuals, out of any pattern.
      const samples = Int32Array.from({ length: n }, (_, i) => i).filter((i) => i % 5 !== 2);
      const all = Int32Array.from(snps.keys());
      const ours = ldR2(plink.bed, samples, 0, all);
      const lead = counts(plink.bed, 0);
      all.forEach((j, k) => {
        const ref = directR2(lead, counts(plink.bed, j), samples);
        if (Number.isNaN(ref)) expect(ours[k]).toBeNaN();
        else expect(Math.abs(ours[k]! - ref)).toBeLessThan(1e-12);
      });
      expect(ours[0]).toBe(1);
      expect(ours[1]).toBeGreaterThan(0.4);
      expect(ours[2]).toBeLessThan(0.1);
      expect(ours[3]).toBeCloseTo(1, 12);
      expect(ours[4]).toBeNaN();
      expect(ours[5]).toBeNaN();
      // Another lead and the same pairs the other way round.
      const back = ldR2(plink.bed, samples, 1, Int32Array.of(0));
      expect(back[0]).toBeCloseTo(ours[1]!, 14);
      expect(() => ldR2(plink.bed, samples, 0, Int32Array.of(6))).toThrow(RangeError);
    } finally {
      plink.bed.close();
    }
  });

  it("from a project: the run's genotypes and individuals give the same r^2 as the files", () => {
    const dir = tempDir('kinscan-ldp-');
    const n = 60;
    const rng = new Rng(5);
    const prefix = join(dir, 'p');
    const m = 30;
    const w = createPlink(
      prefix,
      Array.from({ length: n }, (_, i) => ({ fid: `f${i}`, iid: `i${i}` })),
      Array.from({ length: m }, (_, j) => ({ chr: '2', rs: `r${j}`, pos: 500 * (j + 1), allele1: 'G', allele0: 'T' })),
    );
    let prev = Array.from({ length: n }, () => rng.genotype(0.5));
    for (let j = 0; j < m; j++) {
      prev = prev.map((g) => (rng.next() < 0.3 ? rng.genotype(0.5) : g));
      w.writeSnp(prev.map((g) => (rng.next() < 0.03 ? -1 : g)));
    }
    w.close();
    // Some individuals lack the trait, so the analysed set is a subset.
    const pheno = join(dir, 'p.csv');
    const values = Array.from({ length: n }, (_, i) => (i % 7 === 3 ? 'NA' : rng.normal().toFixed(4)));
    writeFileSync(pheno, 'IID,t\n' + values.map((v, i) => `i${i},${v}`).join('\n') + '\n');
    const project = Project.open(join(dir, 'p.kinscan'), { create: true });
    try {
      const id = project.createRun({ ...DEFAULT_SETTINGS, bfile: prefix, pheno, trait: 't' });
      const ld = openRunSamples(project, id);
      const plink = openPlink(prefix);
      try {
        const expected = selectSamples(plink.fam, readSheet(pheno), 't').famIndex;
        expect(Array.from(ld.samples)).toEqual(Array.from(expected));
        expect(ld.samples.length).toBe(51);
        const all = Int32Array.from({ length: m }, (_, j) => j);
        expect(Array.from(ldR2(ld.bed, ld.samples, 12, all))).toEqual(Array.from(ldR2(plink.bed, expected, 12, all)));
      } finally {
        plink.bed.close();
        ld.close();
      }
    } finally {
      project.close();
    }
  });
});
