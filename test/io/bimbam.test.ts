import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { openBimbam } from '../../engine/io/bimbam.js';
import { collect, fuzzReader } from './reader-collect.js';
import { inputError, makeTmp } from './tmp.js';

const BXD = join(import.meta.dirname, '../fixtures/bxd');
const GENO = join(BXD, 'BXD_geno.txt.gz');
const ANNO = join(BXD, 'BXD_snps.txt.gz');

const tmp = makeTmp('bimbam');
afterAll(() => { tmp.cleanup(); });

/** The second parse: gunzip, naive split on commas and blanks. */
function naive(path: string): string[][] {
  return gunzipSync(readFileSync(path)).toString('utf8').split('\n').filter((l) => l.trim() !== '').map((l) => l.split(/[, \t]+/).filter((s) => s !== ''));
}

describe('BXD (GEMMA example, real data)', () => {
  const rows = naive(GENO);
  const anno = new Map(naive(ANNO).map((t) => [t[0]!, { pos: Number(t[1]), chr: t[2]! }]));
  const r = openBimbam(GENO, { anno: ANNO });
  const got = collect(r, 1000);

  it('has 7320 SNPs x 198 samples, named 1..198 (the phenotype file rows)', () => {
    expect(rows.length).toBe(7320);
    expect(r.samples.iid.length).toBe(198);
    expect(r.samples.iid.slice(0, 3)).toEqual(['1', '2', '3']);
    expect(r.samples.fid).toEqual(r.samples.iid);
    expect(r.samples.iid[197]).toBe('198');
    const phenoRows = readFileSync(join(BXD, 'BXD_pheno.txt'), 'utf8').trim().split('\n').length;
    expect(phenoRows).toBe(198);
    expect(r.dosage).toBe(true);
    expect(r.format).toBe('bimbam');
    expect(r.files).toEqual([GENO, ANNO]);
    expect(r.snpsHint).toBe(7320);
    expect(got.summary.snps).toBe(7320);
    expect(got.batches).toBe(8);
    expect(got.summary.warnings).toEqual([]);
  });

  it('gives every dosage, allele, chromosome and position of a second parse', () => {
    expect(got.snps.length).toBe(7320);
    let halves = 0;
    for (let s = 0; s < 7320; s++) {
      const t = rows[s]!;
      const snp = got.snps[s]!;
      expect(snp.rs).toBe(t[0]);
      expect(snp.allele1).toBe(t[1]);
      expect(snp.allele0).toBe(t[2]);
      expect(snp.line).toBe(s + 1);
      const a = anno.get(t[0]!)!;
      expect(snp.chr).toBe(a.chr);
      expect(snp.pos).toBe(a.pos);
      const d = got.dosage[s]!;
      const c = got.counts[s]!;
      for (let j = 0; j < 198; j++) {
        const v = Number(t[j + 3]);
        if (d[j] !== Math.fround(v)) expect(`${t[0]} sample ${j + 1}: ${d[j]}`).toBe(`${t[0]} sample ${j + 1}: ${v}`);
        if (c[j] !== Math.round(v)) expect(`${t[0]} ${j}: code ${c[j]}`).toBe(`${t[0]} ${j}: code ${Math.round(v)}`);
        if (v === 0.5) halves++;
      }
    }
    expect(halves).toBe(117497);
  });

  it('without the annotation: chromosome 0, position 0, and a warning', () => {
    const g = collect(openBimbam(GENO));
    expect(g.snps.length).toBe(7320);
    expect(g.snps.every((s) => s.chr === '0' && s.pos === 0)).toBe(true);
    expect(g.summary.warnings).toHaveLength(1);
    expect(g.summary.warnings[0]).toMatch(/no SNP annotation file given: the 7320 SNPs have no chromosome or position/);
  });
});

// --- small files --------------------------------------------------------------

const CLEAN = 'rs1, A, T, 0, 1, 2, NA\nrs2, C, G, 0.25, 1.5, 2, 0\nrs3 G A 1 1 1 1\n';
const ANNO_TEXT = 'rs1 100 1\nrs2 200 2\nrs3 300 X\n';

describe('BIMBAM: awkward but valid files read as the clean one', () => {
  const ref = collect(openBimbam(tmp.file('clean.txt', CLEAN), { anno: tmp.file('anno.txt', ANNO_TEXT) }));

  it('reads the clean file', () => {
    expect(ref.snps.map((s) => [s.rs, s.chr, s.pos, s.allele1, s.allele0])).toEqual([
      ['rs1', '1', 100, 'A', 'T'],
      ['rs2', '2', 200, 'C', 'G'],
      ['rs3', 'X', 300, 'G', 'A'],
    ]);
    expect(Array.from(ref.dosage[0]!)).toEqual([0, 1, 2, NaN]);
    expect(Array.from(ref.dosage[1]!)).toEqual([0.25, 1.5, 2, 0]);
    expect(Array.from(ref.counts[0]!)).toEqual([0, 1, 2, -1]);
    expect(Array.from(ref.counts[1]!)).toEqual([0, 2, 2, 0]);
  });

  const variants: [string, string | Uint8Array, string | Uint8Array][] = [
    ['CRLF', CLEAN.replace(/\n/g, '\r\n'), ANNO_TEXT.replace(/\n/g, '\r\n')],
    ['BOM', '\ufeff' + CLEAN, '\ufeff' + ANNO_TEXT],
    ['gzip', gzipSync(CLEAN), gzipSync(ANNO_TEXT)],
    ['trailing commas, tabs, blank lines', CLEAN.replace(/\n/g, ',\n').replace(/, /g, ',\t') + '\n\n', 'rs1,100,1,extra\nrs2\t200\t2\n\nrs3 300 X\n'],
    ['annotation with a header', CLEAN, 'SNP pos chr\n' + ANNO_TEXT],
  ];
  for (const [name, geno, anno] of variants) {
    it(name, () => {
      const g = collect(openBimbam(tmp.file(`v-${name}.txt`, geno), { anno: tmp.file(`va-${name}.txt`, anno) }));
      expect(g.snps.map((s) => [s.rs, s.chr, s.pos, s.allele1, s.allele0])).toEqual(ref.snps.map((s) => [s.rs, s.chr, s.pos, s.allele1, s.allele0]));
      expect(g.dosage).toEqual(ref.dosage);
      expect(g.counts).toEqual(ref.counts);
      expect(g.summary.warnings).toEqual([]);
    });
  }
});

describe('BIMBAM: warnings', () => {
  it('SNPs missing from the annotation are kept on chromosome 0, counted', () => {
    const g = collect(openBimbam(tmp.file('w1.txt', CLEAN), { anno: tmp.file('w1a.txt', 'rs2 200 2\n') }));
    expect(g.snps.map((s) => s.chr)).toEqual(['0', '2', '0']);
    expect(g.summary.warnings[0]).toMatch(/2 of 3 SNPs are not in the annotation file .*w1a\.txt \(e\.g\. rs1 at line 1, rs3 at line 3\); they are kept on chromosome 0 at position 0/);
  });

  it('duplicate SNP IDs are a warning (QC handles them)', () => {
    const g = collect(openBimbam(tmp.file('w2.txt', CLEAN + 'rs1, A, T, 0, 0, 0, 0\n'), { anno: tmp.file('w2a.txt', ANNO_TEXT) }));
    expect(g.snps.length).toBe(4);
    expect(g.summary.warnings).toEqual([expect.stringMatching(/^1 SNP ID in the BIMBAM file repeat an earlier one: rs1 \(lines 1 and 4\)/)]);
  });
});

describe('BIMBAM: broken files', () => {
  const open = (geno: string | Uint8Array, anno?: string) =>
    collect(openBimbam(tmp.file('b.txt', geno), anno !== undefined ? { anno: tmp.file('ba.txt', anno) } : {}));

  it('a ragged line names the line and both counts', () => {
    const e = inputError(() => open('rs1 A T 0 1 2\nrs2 A T 0 1\n'));
    expect(e.line).toBe(2);
    expect(e.message).toMatch(/SNP rs2 has 5 values, but the first SNP line \(line 1\) has 6 \(SNP ID, 2 alleles, 3 samples\)/);
  });

  it('a non-numeric value names the line, column and value', () => {
    const e = inputError(() => open('rs1 A T 0 1 2\nrs2 A T 0 x1 2\n'));
    expect(e.line).toBe(2);
    expect(e.message).toMatch(/value 'x1' in column 5 \(sample 2\) of SNP rs2 is not a number/);
  });

  it('a value outside 0..2 names the line, SNP and value, with the scale', () => {
    const e = inputError(() => open('rs1 A T 0 1 2\nrs2 A T 0 1 2.5\n'));
    expect(e.line).toBe(2);
    expect(e.snp).toBe('rs2');
    expect(e.message).toMatch(/value 2\.5 \(column 6, sample 3\) is outside 0\.\.2.*0\.\.2 mean-genotype scale/);
    expect(inputError(() => open('rs1 A T -1 1 2\n')).message).toMatch(/value -1 .*outside/);
  });

  it('a header line: not a number, with the hint that BIMBAM has none', () => {
    const e = inputError(() => open('SNP A1 A2 S1 S2\nrs1 A T 0 1\n'));
    expect(e.line).toBe(1);
    expect(e.message).toMatch(/BIMBAM files have no header line/);
  });

  it('wrong delimiter (semicolons): one value per line', () => {
    const e = inputError(() => open('rs1;A;T;0;1;2\nrs2;A;T;0;1;2\n'));
    expect(e.line).toBe(1);
    expect(e.message).toMatch(/first SNP line has 1 value; .*separated by commas or blanks/);
  });

  it('empty file, blank file, truncated gzip, binary file', () => {
    expect(inputError(() => open('')).message).toMatch(/is empty/);
    expect(inputError(() => open('\n\n  \n')).message).toMatch(/is empty/);
    const gz = gzipSync(CLEAN.repeat(200));
    expect(inputError(() => open(gz.subarray(0, gz.length >> 1))).message).toMatch(/damaged or cut short/);
    expect(inputError(() => open(Uint8Array.of(1, 0, 2, 3, 10))).message).toMatch(/binary file/);
  });

  it('annotation problems name the annotation file and line', () => {
    const e = inputError(() => open(CLEAN, 'rs1 100 1\nrs2 2\n'));
    expect(e.file).toMatch(/ba\.txt$/);
    expect(e.line).toBe(2);
    expect(e.message).toMatch(/an annotation line needs 3: SNP ID, position, chromosome/);
    const p = inputError(() => open(CLEAN, 'rs1 1 100\nrs2 chr2 200\n'));
    expect(p.line).toBe(2);
    expect(p.message).toMatch(/position 'chr2' of SNP rs2 is not a whole number.*rs pos chr/);
    expect(inputError(() => open(CLEAN, '')).message).toMatch(/has no SNPs/);
  });

  it('missing files name the file', () => {
    expect(inputError(() => openBimbam(join(tmp.dir, 'nope.txt'))).message).toMatch(/BIMBAM genotype file not found/);
    expect(inputError(() => openBimbam(tmp.file('ok.txt', CLEAN), { anno: join(tmp.dir, 'nope-anno.txt') })).message).toMatch(/BIMBAM SNP annotation file not found/);
  });
});

describe('BIMBAM: fuzz', () => {
  it('random bytes and mutations of a valid file give only InputErrors', () => {
    fuzzReader(tmp.dir, 'fuzz.txt', (p) => openBimbam(p), CLEAN + 'rs4, C, A, 0.1, 0.2, 1.9, 2\n');
  });
});
