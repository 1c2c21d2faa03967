import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { openHapmap } from '../../engine/io/hapmap.js';
import { decodeSnp, openPlink } from '../../engine/io/plink.js';
import { collect, fuzzReader } from './reader-collect.js';
import { inputError, makeTmp } from './tmp.js';

const PREFIX = join(import.meta.dirname, '../../resources/example/mouse_hs1940');
const tmp = makeTmp('hapmap');
afterAll(() => { tmp.cleanup(); });

/**
 * plink2's VCF of the mouse set turned into HapMap by awk, independently of the reader: REF/ALT as
 * the alleles column, calls as two letters or IUPAC codes, the sites shuffled (seeded).
 */
const VCF_TO_HAPMAP = `
BEGIN { FS = "\\t"; OFS = "\\t"; srand(11);
  iu["AC"] = "M"; iu["CA"] = "M"; iu["AG"] = "R"; iu["GA"] = "R"; iu["AT"] = "W"; iu["TA"] = "W";
  iu["CG"] = "S"; iu["GC"] = "S"; iu["CT"] = "Y"; iu["TC"] = "Y"; iu["GT"] = "K"; iu["TG"] = "K" }
/^##/ { next }
/^#CHROM/ { h = "rs#\\talleles\\tchrom\\tpos\\tstrand\\tassembly#\\tcenter\\tprotLSID\\tassayLSID\\tpanelLSID\\tQCcode";
  for (i = 10; i <= NF; i++) h = h "\\t" $i; print h > HEADER; next }
{ g = $0; for (k = 0; k < 9; k++) g = substr(g, index(g, "\\t") + 1);
  x = $4; y = $5;
  het = (x == y ? x x : x y); if (IUPAC) het = (x == y ? x : iu[x y]);
  gsub(/0\\/0/, IUPAC ? x : x x, g); gsub(/0\\/1/, het, g); gsub(/1\\/1/, IUPAC ? y : y y, g); gsub(/\\.\\/\\./, IUPAC ? "N" : "NN", g);
  print rand(), $3, x "/" y, $1, $2, "+", "NA", "NA", "NA", "NA", "NA", "NA", g }`;

function hapmapFromVcf(vcf: string, out: string, iupac: boolean): void {
  const header = out + '.header';
  const awk = join(tmp.dir, 'vcf2hmp.awk');
  writeFileSync(awk, VCF_TO_HAPMAP);
  execFileSync('sh', ['-c', `awk -v IUPAC=${iupac ? 1 : 0} -v HEADER="${header}" -f "${awk}" "${vcf}" | sort -t "$(printf '\\t')" -k1,1g | cut -f2- > "${out}.body" && cat "${header}" "${out}.body" > "${out}"`]);
}

describe('mouse_hs1940 through plink2 VCF to HapMap (real data)', () => {
  execFileSync('plink2', ['--bfile', PREFIX, '--export', 'vcf', '--out', join(tmp.dir, 'mouse')], { stdio: 'ignore' });
  const vcf = join(tmp.dir, 'mouse.vcf');
  const set = openPlink(PREFIX);
  const N = set.fam.iid.length;
  const M = set.bim.rs.length;
  const bed = new Uint8Array(M * set.bed.bytesPerSnp);
  set.bed.readPacked(0, M, bed);
  set.bed.close();
  const index = new Map(set.bim.rs.map((rs, i) => [rs, i]));
  const want = new Int8Array(N);

  for (const iupac of [false, true]) {
    it(`${iupac ? 'IUPAC' : 'two-letter'} calls, sites shuffled: the .bed's codes, IDs, positions, alleles (allele1 = minor)`, () => {
      const path = join(tmp.dir, `mouse-${iupac ? 'iupac' : 'two'}.hmp.txt`);
      hapmapFromVcf(vcf, path, iupac);
      const r = openHapmap(path);
      expect(r.samples.iid).toEqual(set.fam.iid.map((iid, j) => `${set.fam.fid[j]}_${iid}`));
      expect(r.samples.where[0]).toBe(12);
      const got = collect(r);
      // plink2 leaves out the .bim's SNPs at position -9.
      const exported = set.bim.rs.filter((_, i) => set.bim.pos[i]! >= 0).length;
      expect(exported).toBe(10300);
      expect(got.summary).toEqual({ snps: exported, skipped: [], warnings: [] });
      const order = got.snps.map((s) => index.get(s.rs)!);
      expect(new Set(order).size).toBe(exported);
      // Shuffled: not in .bim order.
      expect(order.slice(0, 20)).not.toEqual(Array.from({ length: 20 }, (_, i) => i));
      let flipped = 0;
      let monomorphic = 0;
      got.snps.forEach((snp, k) => {
        const i = order[k]!;
        expect([snp.chr, snp.pos]).toEqual([set.bim.chr[i], set.bim.pos[i]]);
        decodeSnp(bed, i * set.bed.bytesPerSnp, N, want);
        if (set.bim.allele1[i] === set.bim.allele0[i]) {
          // The .bim names both alleles alike (G G): the VCF, and so the HapMap, says the site is monomorphic.
          monomorphic++;
          expect([snp.allele1, snp.allele0]).toEqual(['0', set.bim.allele0[i]]);
          const c = got.counts[k]!;
          for (let j = 0; j < N; j++) if (c[j] !== (want[j]! < 0 ? -1 : 0)) expect(`${snp.rs} sample ${j}: ${c[j]}`).toBe('0 or -1');
          return;
        }
        let copies = 0;
        let called = 0;
        for (let j = 0; j < N; j++) if (want[j]! >= 0) { copies += want[j]!; called++; }
        // The .bed counts .bim allele1 (plink2's ALT, listed second): counted by the reader unless it is the major allele.
        const minorIsA1 = copies <= 2 * called - copies;
        expect([snp.allele1, snp.allele0]).toEqual(minorIsA1 ? [set.bim.allele1[i], set.bim.allele0[i]] : [set.bim.allele0[i], set.bim.allele1[i]]);
        if (!minorIsA1) {
          flipped++;
          for (let j = 0; j < N; j++) if (want[j]! >= 0) want[j] = 2 - want[j]!;
        }
        const c = got.counts[k]!;
        for (let j = 0; j < N; j++) if (c[j] !== want[j]) expect(`${snp.rs} sample ${j}: ${c[j]}`).toBe(`${snp.rs} sample ${j}: ${want[j]}`);
      });
      // The .bim's allele1 is the minor allele already (PLINK chose it so), except on ties.
      expect(flipped).toBeLessThan(10);
      expect(monomorphic).toBe(set.bim.rs.filter((_, i) => set.bim.pos[i]! >= 0 && set.bim.allele1[i] === set.bim.allele0[i]).length);
    });
  }
});

// --- small files --------------------------------------------------------------

const HEAD = 'rs#\talleles\tchrom\tpos\tstrand\tassembly#\tcenter\tprotLSID\tassayLSID\tpanelLSID\tQCcode';
const fixed = (rs: string, alleles: string, chr: string, pos: number) => [rs, alleles, chr, pos, '+', 'NA', 'NA', 'NA', 'NA', 'NA', 'NA'].join('\t');
const CLEAN =
  [
    HEAD + '\tS1\tS2\tS3\tS4',
    fixed('m2', 'A/G', 'Chr02', 500) + '\tAA\tAG\tGG\tGG',
    fixed('m1', 'C/T', 'Chr01', 900) + '\tC\tY\tN\tT',
    fixed('m3', 'A/T', 'Chr01', 100) + '\tAT\tNN\tTA\t--',
    fixed('i1', '-/A', 'Chr01', 150) + '\t--\tAA\t-A\tAA',
    fixed('i2', '+/-', 'Chr01', 160) + '\t+\t-\t0\t+',
    fixed('x1', 'A/C/G', 'Chr03', 10) + '\tAA\tCC\tGG\tAC',
  ].join('\n') + '\n';

describe('HapMap: small files', () => {
  const ref = collect(openHapmap(tmp.file('clean.hmp.txt', CLEAN)));

  it('reads calls, chooses the minor allele, leaves out indels and multi-allelic sites', () => {
    expect(ref.snps.map((s) => [s.rs, s.chr, s.pos, s.allele1, s.allele0, s.line])).toEqual([
      ['m2', 'Chr02', 500, 'A', 'G', 2], // A: 3 copies, G: 5
      ['m1', 'Chr01', 900, 'T', 'C', 3], // tie 3:3: the second listed
      ['m3', 'Chr01', 100, 'T', 'A', 4], // tie 2:2
    ]);
    expect(ref.counts.map((c) => Array.from(c))).toEqual([
      [2, 1, 0, 0],
      [0, 1, -1, 2],
      [1, -1, 1, -1],
    ]);
    expect(ref.summary.skipped).toEqual([
      { reason: 'indel', count: 2, examples: [{ id: 'i1', line: 5 }, { id: 'i2', line: 6 }] },
      { reason: 'multi-allelic', count: 1, examples: [{ id: 'x1', line: 7 }] },
    ]);
    expect(ref.summary.warnings).toEqual([]);
  });

  const variants: [string, string | Uint8Array][] = [
    ['CRLF', CLEAN.replace(/\n/g, '\r\n')],
    ['BOM', '\ufeff' + CLEAN],
    ['gzip', gzipSync(CLEAN)],
    ['blanks instead of tabs, lower case calls, blank lines', CLEAN.replace(/\t/g, '  ').replace(/\tAG\t/, '\tag\t') + '\n\n'],
  ];
  for (const [name, text] of variants) {
    it(`${name}: the same as the clean file`, () => {
      const g = collect(openHapmap(tmp.file(`v-${name}.hmp.txt`, text)));
      expect(g.snps.map((s) => [s.rs, s.chr, s.pos, s.allele1, s.allele0])).toEqual(ref.snps.map((s) => [s.rs, s.chr, s.pos, s.allele1, s.allele0]));
      expect(g.counts).toEqual(ref.counts);
      expect(g.summary.skipped.map((s) => s.count)).toEqual([2, 1]);
    });
  }

  it('monomorphic site: allele1 0, counted zero times', () => {
    const g = collect(openHapmap(tmp.file('mono.hmp.txt', HEAD + '\tS1\tS2\n' + fixed('m', 'G', '1', 5) + '\tGG\tNN\n')));
    expect([g.snps[0]!.allele1, g.snps[0]!.allele0]).toEqual(['0', 'G']);
    expect(Array.from(g.counts[0]!)).toEqual([0, -1]);
  });

  it('sample IDs that look like Excel dates are a warning naming them', () => {
    const g = collect(openHapmap(tmp.file('dates.hmp.txt', HEAD + '\t12/03/2021\tS2\t3-Jan\n' + fixed('m', 'A/G', '1', 5) + '\tAA\tAG\tGG\n')));
    expect(g.summary.warnings).toEqual([expect.stringMatching(/2 sample IDs in the HapMap header look like dates: '12\/03\/2021' \(column 12\), '3-Jan' \(column 14\)/)]);
  });
});

describe('HapMap: broken files', () => {
  const open = (text: string | Uint8Array) => collect(openHapmap(tmp.file('b.hmp.txt', text)));
  const row2 = fixed('m2', 'A/G', '1', 500);

  it('a call that is neither listed allele names the line, sample and call', () => {
    const e = inputError(() => open(HEAD + '\tS1\tS2\n' + row2 + '\tAA\tAG\n' + fixed('m9', 'A/G', '1', 9) + '\tR\tY\n'));
    expect(e.line).toBe(3);
    expect(e.message).toMatch(/call 'Y' of sample S2 \(column 13\) at site m9 does not match the site's alleles A\/G/);
    expect(inputError(() => open(HEAD + '\tS1\n' + row2 + '\tAC\n')).message).toMatch(/call 'AC' of sample S1/);
    expect(inputError(() => open(HEAD + '\tS1\n' + row2 + '\tXX\n')).message).toMatch(/call 'XX' of sample S1 \(column 12\) at site m2 is not a SNP call/);
  });

  it('duplicate sample IDs name both columns', () => {
    const e = inputError(() => openHapmap(tmp.file('dup.hmp.txt', HEAD + '\tS1\tS2\tS1\n' + row2 + '\tAA\tAG\tGG\n')));
    expect(e.message).toMatch(/sample ID 'S1' appears twice in the HapMap header, at column 12 and column 14/);
  });

  it('ragged rows name the line and both counts', () => {
    const e = inputError(() => open(HEAD + '\tS1\tS2\n' + row2 + '\tAA\n'));
    expect(e.line).toBe(2);
    expect(e.message).toMatch(/site m2 has 12 columns, but the header \(line 1\) has 13 \(11 fixed, 2 samples\)/);
  });

  it('wrong delimiter, not HapMap, no samples', () => {
    expect(inputError(() => openHapmap(tmp.file('c.hmp.txt', HEAD.replace(/\t/g, ',') + ',S1\n'))).message).toMatch(/first line has a single column/);
    expect(inputError(() => openHapmap(tmp.file('d.hmp.txt', 'SNP\tS1\nm1\tAA\n'))).message).toMatch(/starts with 'SNP', not the HapMap header rs#/);
    expect(inputError(() => openHapmap(tmp.file('e.hmp.txt', HEAD + '\n'))).message).toMatch(/no sample columns after the 11 fixed ones/);
  });

  it('empty file, header only, only indels, bad position, bad alleles', () => {
    expect(inputError(() => open('')).message).toMatch(/is empty/);
    expect(inputError(() => open(HEAD + '\tS1\n')).message).toMatch(/has no biallelic SNP sites/);
    expect(inputError(() => open(HEAD + '\tS1\n' + fixed('i', '-/A', '1', 5) + '\tAA\n')).message).toMatch(/has no biallelic SNP sites \(1 indel left out\)/);
    const p = inputError(() => open(HEAD + '\tS1\n' + fixed('m', 'A/G', '1', 5).replace('\t5\t', '\t5e\t') + '\tAA\n'));
    expect([p.line, p.what]).toEqual([2, "position '5e' of site m is not a whole number"]);
    expect(inputError(() => open(HEAD + '\tS1\n' + fixed('m', 'A/X', '1', 5) + '\tAA\n')).message).toMatch(/alleles 'A\/X' of site m are not bases/);
  });

  it('truncated gzip', () => {
    const gz = gzipSync(CLEAN.repeat(100));
    expect(inputError(() => open(gz.subarray(0, gz.length >> 1))).message).toMatch(/damaged or cut short/);
  });
});

describe('HapMap: fuzz', () => {
  it('random bytes and mutations of a valid file give only InputErrors', () => {
    fuzzReader(tmp.dir, 'fuzz.hmp.txt', openHapmap, CLEAN);
  });
});
