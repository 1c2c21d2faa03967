import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  CODE_TO_COUNT,
  GENO_LUT,
  decodeSnp,
  famPhenotype,
  loadPacked,
  openBed,
  openPlink,
  plinkPrefix,
  readBim,
  readFam,
} from '../../engine/io/plink.js';
import { inputError, makeTmp } from './tmp.js';

const PREFIX = join(import.meta.dirname, '../../resources/example/mouse_hs1940');
const N = 1940;
const M = 12226;

// --- synthetic PLINK sets -------------------------------------------------

/** allele1 count -> 2-bit .bed code */
const COUNT_TO_CODE: Record<number, number> = { 2: 0b00, [-1]: 0b01, 1: 0b10, 0: 0b11 };

function encodeBed(genos: number[][], nSamples: number, mode = 0x01): Uint8Array {
  const bps = Math.ceil(nSamples / 4);
  const out = new Uint8Array(3 + genos.length * bps);
  out.set([0x6c, 0x1b, mode]);
  genos.forEach((g, s) => {
    for (let j = 0; j < nSamples; j++) {
      out[3 + s * bps + (j >> 2)] |= COUNT_TO_CODE[g[j]] << (2 * (j & 3));
    }
  });
  return out;
}

const tmp = makeTmp('plink');
afterAll(() => { tmp.cleanup(); });

function famText(n: number): string {
  return Array.from({ length: n }, (_, i) => `F${i} S${i} 0 0 ${(i % 2) + 1} ${i === 0 ? -9 : i / 10}`).join('\n') + '\n';
}
function bimText(m: number): string {
  return Array.from({ length: m }, (_, i) => `1\trs${i}\t0\t${1000 + i}\tA\tG`).join('\n') + '\n';
}
/** Writes name.{bed,bim,fam}; returns the prefix. */
function writeSet(name: string, genos: number[][], nSamples: number, opts: { bed?: Uint8Array; fam?: string; bim?: string } = {}): string {
  tmp.file(`${name}.fam`, opts.fam ?? famText(nSamples));
  tmp.file(`${name}.bim`, opts.bim ?? bimText(genos.length));
  tmp.file(`${name}.bed`, opts.bed ?? encodeBed(genos, nSamples));
  return join(tmp.dir, name);
}

// --- real data --------------------------------------------------------------

describe('mouse_hs1940 (real data)', () => {
  const set = openPlink(PREFIX);
  afterAll(() => { set.bed.close(); });

  it('has 1940 samples and 12,226 SNPs', () => {
    expect(set.fam.iid.length).toBe(N);
    expect(set.bim.rs.length).toBe(M);
    expect(set.bed.nSamples).toBe(N);
    expect(set.bed.nSnps).toBe(M);
    expect(set.bed.bytesPerSnp).toBe(485);
    expect(set.prefix).toBe(PREFIX);
  });

  it('reads the first .bim row: 1 rs3683945 0 3197400 A G', () => {
    const b = set.bim;
    expect([b.chr[0], b.rs[0], b.cm[0], b.pos[0], b.allele1[0], b.allele0[0]]).toEqual(['1', 'rs3683945', 0, 3197400, 'A', 'G']);
    expect(b.cm[1]).toBeCloseTo(0.1);
    expect(b.duplicateRs).toEqual([]);
    expect(b.pos).toBeInstanceOf(Float64Array);
  });

  it('reads the .fam, including the extra GEMMA phenotype columns', () => {
    const f = set.fam;
    expect([f.fid[0], f.iid[0], f.father[0], f.mother[0], f.sex[0]]).toEqual(['1_3', 'A048005080', 'H2.3:C5.2(3)', 'H2.3:G2.2(3)', 2]);
    expect(f.pheno[0]).toBe(0.224991591484104);
    expect(f.phenos.length).toBe(6);
    expect(f.phenos[0]).toBe(f.pheno);
    expect(Number.isNaN(f.phenos[2][0])).toBe(true); // NA
    expect(f.phenos[5][0]).toBe(-0.285427742494795);
    expect(f.pheno.filter((v) => !Number.isNaN(v)).length).toBe(1410); // GEMMA: 1410 analysed with -n 1
    expect(f.iidUnique).toBe(true);
    expect(f.line[0]).toBe(1);
    expect(f.line[N - 1]).toBe(N);
    expect(famPhenotype(f, 1)).toBe(f.pheno);
  });

  it('accepts the prefix with a .bed, .bim or .fam extension', () => {
    for (const ext of ['.bed', '.bim', '.fam', '.BED']) {
      const s = openPlink(PREFIX + ext);
      expect(s.prefix).toBe(PREFIX);
      expect(s.bed.nSnps).toBe(M);
      s.bed.close();
    }
    expect(plinkPrefix('a/b.c.fam')).toBe('a/b.c');
    expect(plinkPrefix('a/b')).toBe('a/b');
  });

  it('decodes the first SNP like a manual bit-by-bit decode', () => {
    const raw = readFileSync(PREFIX + '.bed');
    const manual: number[] = [];
    for (let j = 0; j < N; j++) {
      const byte = raw[3 + (j >> 2)];
      const lo = (byte >> (2 * (j % 4))) & 1;
      const hi = (byte >> (2 * (j % 4) + 1)) & 1;
      // PLINK: 00 hom allele1, 10 het (lo=0, hi=1), 11 hom allele0, 01 missing (lo=1, hi=0)
      manual.push(lo === 0 && hi === 0 ? 2 : lo === 0 && hi === 1 ? 1 : lo === 1 && hi === 1 ? 0 : -1);
    }
    const packed = new Uint8Array(set.bed.bytesPerSnp);
    set.bed.readPacked(0, 1, packed);
    const g = new Int8Array(N);
    decodeSnp(packed, 0, N, g);
    expect(Array.from(g)).toEqual(manual);
    const counts = [0, 0, 0, 0]; // missing, 0, 1, 2
    for (const v of g) counts[v + 1]++;
    expect(counts[0]).toBe(0); // GEMMA n_miss = 0
    expect(counts[1] + counts[2] + counts[3]).toBe(N);
    expect(counts[2]).toBeGreaterThan(0);
  });

  it('allele1 frequencies of the first SNPs match GEMMA af over the 1410 phenotyped mice', () => {
    const P = loadPacked(set.bed);
    const g = new Int8Array(N);
    const expected = [0.443, 0.443, 0.365]; // mouse_lmm2.assoc.txt: rs3683945, rs3707673, rs6269442
    expected.forEach((af, snp) => {
      decodeSnp(P, snp * set.bed.bytesPerSnp, N, g);
      let sum = 0;
      let n = 0;
      for (let i = 0; i < N; i++) {
        if (!Number.isNaN(set.fam.pheno[i]) && g[i] >= 0) {
          sum += g[i];
          n++;
        }
      }
      expect(n).toBe(1410);
      expect(sum / n / 2).toBeCloseTo(af, 3);
    });
  });

  it('loadPacked (shared) equals the file body; readPacked reads any block', () => {
    const raw = readFileSync(PREFIX + '.bed');
    const P = loadPacked(set.bed, true);
    expect(P.buffer).toBeInstanceOf(SharedArrayBuffer);
    expect(P.length).toBe(M * 485);
    expect(Buffer.from(P).equals(raw.subarray(3))).toBe(true);
    const block = new Uint8Array(7 * 485 + 10);
    set.bed.readPacked(5000, 7, block);
    expect(Buffer.from(block.subarray(0, 7 * 485)).equals(raw.subarray(3 + 5000 * 485, 3 + 5007 * 485))).toBe(true);
    set.bed.readPacked(M - 1, 1, block); // last SNP
    expect(Buffer.from(block.subarray(0, 485)).equals(raw.subarray(raw.length - 485))).toBe(true);
    expect(() => { set.bed.readPacked(M - 1, 2, block); }).toThrow(RangeError);
    expect(() => { set.bed.readPacked(0, 1, new Uint8Array(10)); }).toThrow(RangeError);
  });
});

// --- decoding ----------------------------------------------------------------

describe('decodeSnp', () => {
  it('maps codes 00/01/10/11 to 2/missing/1/0', () => {
    expect(Array.from(CODE_TO_COUNT)).toEqual([2, -1, 1, 0]);
    // byte 0b11_10_01_00: samples 0..3 have codes 00, 01, 10, 11
    expect(Array.from(GENO_LUT.subarray(4 * 0b11100100, 4 * 0b11100100 + 4))).toEqual([2, -1, 1, 0]);
  });

  it('decodes sample counts that are not a multiple of 4, at an offset', () => {
    const genos = [
      [2, 1, 0, -1, 2, 0, 1],
      [0, 0, 1, 2, -1, -1, 2],
    ];
    const bed = encodeBed(genos, 7);
    const g = new Int8Array(7);
    decodeSnp(bed, 3, 7, g);
    expect(Array.from(g)).toEqual(genos[0]);
    decodeSnp(bed, 3 + 2, 7, g);
    expect(Array.from(g)).toEqual(genos[1]);
  });

  it('round-trips through a synthetic PLINK set with 1..9 samples', () => {
    for (let n = 1; n <= 9; n++) {
      const genos = Array.from({ length: 5 }, (_, s) => Array.from({ length: n }, (_, j) => ((s * 7 + j * 3) % 4) - 1));
      const prefix = writeSet(`rt${n}`, genos, n);
      const set = openPlink(prefix);
      const P = loadPacked(set.bed);
      const g = new Int8Array(n);
      genos.forEach((want, s) => {
        decodeSnp(P, s * set.bed.bytesPerSnp, n, g);
        expect(Array.from(g)).toEqual(want);
      });
      set.bed.close();
    }
  });
});

// --- bad input ------------------------------------------------------------------

describe('missing files', () => {
  it('names the missing .bim', () => {
    const prefix = writeSet('nobim', [[0, 1]], 2);
    rmSync(prefix + '.bim');
    const e = inputError(() => openPlink(prefix));
    expect(e.message).toContain('nobim.bim not found');
    expect(e.message).toContain('found .bed, .fam');
    expect(e.message).toMatch(/check the prefix/i);
  });

  it('names all three when the prefix is wrong', () => {
    const e = inputError(() => openPlink(join(tmp.dir, 'nosuch')));
    expect(e.message).toContain('nosuch.bed, nosuch.bim, nosuch.fam not found');
  });

  it('readFam / readBim / openBed on a missing file', () => {
    expect(inputError(() => readFam(join(tmp.dir, 'x.fam'))).message).toMatch(/x\.fam.*PLINK \.fam file not found.*Check the path/);
    expect(inputError(() => readBim(join(tmp.dir, 'x.bim'))).message).toMatch(/x\.bim.*PLINK \.bim file not found/);
    expect(inputError(() => openBed(join(tmp.dir, 'x.bed'), 4, 1)).message).toMatch(/x\.bed.*PLINK \.bed file not found/);
  });
});

describe('bad .bed', () => {
  it('rejects a text file renamed to .bed', () => {
    const p = tmp.file('text.bed', '1 rs1 0 100 A G\n1 rs2 0 200 A G\n');
    const e = inputError(() => openBed(p, 4, 2));
    expect(e.message).toContain('text.bed');
    expect(e.message).toContain('is a text file, not a PLINK binary .bed file');
    expect(e.message).toContain('plink --make-bed');
  });

  it('rejects wrong magic bytes in a binary file', () => {
    const p = tmp.file('junk.bed', Uint8Array.of(0x1f, 0x8b, 0x08, 0, 0, 0));
    const e = inputError(() => openBed(p, 4, 1));
    expect(e.message).toContain('junk.bed');
    expect(e.message).toContain('found 0x1f 0x8b 0x08');
    expect(e.message).toContain('plink --make-bed');
  });

  it('rejects a PLINK 2 .pgen renamed to .bed', () => {
    const p = tmp.file('pgen.bed', Uint8Array.of(0x6c, 0x1b, 0x10, 1, 0, 0, 0, 2, 0, 0, 0));
    const e = inputError(() => openBed(p, 2, 1));
    expect(e.message).toContain('pgen.bed');
    expect(e.message).toContain('PLINK 2 .pgen');
    expect(e.message).toContain('plink2 --pfile <prefix> --make-bed');
  });

  it('rejects individual-major mode (0x00) and tells how to convert', () => {
    const prefix = writeSet('indmaj', [[0, 1, 2, 2]], 4, { bed: encodeBed([[0, 1, 2, 2]], 4, 0x00) });
    const e = inputError(() => openPlink(prefix));
    expect(e.message).toContain('indmaj.bed');
    expect(e.message).toContain('individual-major');
    expect(e.message).toContain('plink --bfile <prefix> --make-bed');
  });

  it('rejects a truncated .bed: expected vs actual bytes, and blames .bim/.fam counts as a possible cause', () => {
    const genos = Array.from({ length: 10 }, () => [0, 1, 2, 0, 1]);
    const full = encodeBed(genos, 5);
    const prefix = writeSet('trunc', genos, 5, { bed: full.subarray(0, full.length - 3) });
    const e = inputError(() => openPlink(prefix));
    expect(e.message).toContain('trunc.bed');
    expect(e.message).toContain(`the file is ${full.length - 3} bytes, expected ${full.length} bytes`);
    expect(e.message).toContain('5 samples from trunc.fam, 10 SNPs from trunc.bim');
    expect(e.message).toContain('truncated');
    expect(e.message).toMatch(/trunc\.bim \(SNP count\) or trunc\.fam \(sample count\) does not belong/);
  });

  it('says how many SNPs a mismatched .bed would hold', () => {
    const genos = Array.from({ length: 12 }, () => [0, 1, 2, 0]);
    const prefix = writeSet('extra', genos, 4, { bim: bimText(10) });
    const e = inputError(() => openPlink(prefix));
    expect(e.message).toContain('expected 13 bytes');
    expect(e.message).toContain('its size fits 12 SNPs at 4 samples');
    expect(e.message).toContain('longer than expected');
  });

  it('rejects an empty .bed', () => {
    const p = tmp.file('empty.bed', new Uint8Array(0));
    const e = inputError(() => openBed(p, 4, 1));
    expect(e.message).toContain('empty.bed');
    expect(e.message).toContain('empty (0 bytes)');
    expect(e.message).toContain('--make-bed');
  });
});

describe('bad .bim', () => {
  it('reports a line with the wrong number of columns', () => {
    const p = tmp.file('cols.bim', '1 rs1 0 100 A G\n1 rs2 0 200 A G\n1 rs3 0 300 A\n');
    const e = inputError(() => readBim(p));
    expect(e.message).toContain('cols.bim, line 3');
    expect(e.message).toContain('has 5 columns');
    expect(e.message).toContain('exactly 6');
    expect(e.line).toBe(3);
  });

  it('reports a non-numeric position with line and SNP', () => {
    const p = tmp.file('pos.bim', '1 rs1 0 100 A G\n1 rs2 0 12kb A G\n');
    const e = inputError(() => readBim(p));
    expect(e.message).toContain('pos.bim, line 2');
    expect(e.message).toContain("SNP 'rs2'");
    expect(e.message).toContain("base-pair position (column 4) '12kb' is not a whole number");
    expect(e.message).toContain('use 0 when it is unknown');
  });

  it('reports a non-numeric cM', () => {
    const e = inputError(() => readBim(tmp.file('cm.bim', '1 rs1 x 100 A G\n')));
    expect(e.message).toContain('cm.bim, line 1');
    expect(e.message).toContain("genetic position (column 3) 'x' is not a number");
  });

  it('accepts duplicate SNP IDs and records them', () => {
    const b = readBim(tmp.file('dup.bim', '1 . 0 100 A G\n1 rs1 0 200 A G\n1 . 0 300 C T\n1 rs1 0 400 A G\n1 rs2 0 500 A G\n'));
    expect(b.rs.length).toBe(5);
    expect(b.duplicateRs.sort()).toEqual(['.', 'rs1']);
  });

  it('rejects an empty .bim', () => {
    const e = inputError(() => readBim(tmp.file('empty.bim', '\n\n')));
    expect(e.message).toContain('empty.bim');
    expect(e.message).toContain('empty (no SNPs)');
    expect(e.message).toContain('one line per SNP');
  });

  it('rejects a binary file given as .bim', () => {
    const e = inputError(() => readBim(tmp.file('bin.bim', Uint8Array.of(0x6c, 0x1b, 0x01, 0, 0))));
    expect(e.message).toContain('bin.bim');
    expect(e.message).toContain('binary file, not text');
  });

  it('accepts CRLF, tabs and spaces mixed, and trailing blank lines', () => {
    const b = readBim(tmp.file('crlf.bim', '1\trs1  0 100\tA G\r\n2 rs2\t0.5\t200 C\tT\r\n\r\n\r\n'));
    expect(b.rs).toEqual(['rs1', 'rs2']);
    expect(b.allele0).toEqual(['G', 'T']);
    expect(Array.from(b.cm)).toEqual([0, 0.5]);
    expect(Array.from(b.pos)).toEqual([100, 200]);
    expect(b.chr).toEqual(['1', '2']);
  });
});

describe('bad .fam', () => {
  it('reports a line with too few columns', () => {
    const p = tmp.file('cols.fam', 'F1 S1 0 0 1 -9\nF2 S2 0 0 1\n');
    const e = inputError(() => readFam(p));
    expect(e.message).toContain('cols.fam, line 2');
    expect(e.message).toContain('has 5 columns');
    expect(e.message).toContain('needs 6 (FID IID father mother sex phenotype)');
  });

  it('reports a line whose column count differs from the first line', () => {
    const e = inputError(() => readFam(tmp.file('ragged.fam', 'F1 S1 0 0 1 1 2\nF2 S2 0 0 1 1\n')));
    expect(e.message).toContain('ragged.fam, line 2');
    expect(e.message).toContain('has 6 columns, but line 1 has 7');
  });

  it('rejects a duplicate FID+IID, naming both lines', () => {
    const e = inputError(() => readFam(tmp.file('dup.fam', 'F1 S1 0 0 1 1\nF1 S2 0 0 1 1\nF1 S1 0 0 2 1\n')));
    expect(e.message).toContain('dup.fam, line 3');
    expect(e.message).toContain("FID 'F1' IID 'S1' appears twice (lines 1 and 3)");
    expect(e.message).toContain('must be unique');
  });

  it('keeps the same IID in different families, and says IIDs are not unique', () => {
    const f = readFam(tmp.file('iid.fam', 'F1 S1 0 0 1 1\nF2 S1 0 0 1 2\n'));
    expect(f.iid).toEqual(['S1', 'S1']);
    expect(f.fid).toEqual(['F1', 'F2']);
    expect(f.iidUnique).toBe(false);
  });

  it('reads missing phenotypes (-9, NA, ., nan) as NaN and sexes 1/2/0', () => {
    const f = readFam(tmp.file('miss.fam', 'a a 0 0 1 -9\nb b 0 0 2 NA\nc c 0 0 0 .\nd d 0 0 M 1.5\ne e 0 0 F -9.0\nf f 0 0 x nan\n'));
    expect(Array.from(f.pheno).map((v) => (Number.isNaN(v) ? 'NaN' : v))).toEqual(['NaN', 'NaN', 'NaN', 1.5, 'NaN', 'NaN']);
    expect(Array.from(f.sex)).toEqual([1, 2, 0, 1, 2, 0]);
  });

  it('reads text phenotypes as NaN but famPhenotype reports them', () => {
    const f = readFam(tmp.file('text.fam', 'a a 0 0 1 1.0\nb b 0 0 2 case\n'));
    expect(Number.isNaN(f.pheno[1])).toBe(true);
    const e = inputError(() => famPhenotype(f, 1));
    expect(e.message).toContain('text.fam, line 2');
    expect(e.message).toContain("'case' is not a number");
    expect(e.message).toContain('NA or -9 for missing');
    const e2 = inputError(() => famPhenotype(f, 3));
    expect(e2.message).toContain('phenotype number 3 does not exist');
  });

  it('rejects an empty .fam', () => {
    const e = inputError(() => readFam(tmp.file('empty.fam', '')));
    expect(e.message).toContain('empty.fam');
    expect(e.message).toContain('empty (no samples)');
    expect(e.message).toContain('one line per sample');
  });

  it('accepts CRLF, a BOM, tabs/spaces and trailing blank lines', () => {
    const f = readFam(tmp.file('crlf.fam', '\ufeffF1\tS1 0 0  1\t0.5\r\nF2 S2\t0\t0 2 -9\r\n\r\n  \r\n'));
    expect(f.fid).toEqual(['F1', 'F2']);
    expect(f.iid).toEqual(['S1', 'S2']);
    expect(f.pheno[0]).toBe(0.5);
    expect(Number.isNaN(f.pheno[1])).toBe(true);
  });

  it('a .fam whose sample count does not match the .bed is reported by openPlink', () => {
    const genos = [[0, 1, 2, 0, 1, 2, 0, 1]];
    const prefix = writeSet('famcount', genos, 8, { fam: famText(4) });
    const e = inputError(() => openPlink(prefix));
    expect(e.message).toContain('famcount.bed');
    expect(e.message).toContain('4 samples from famcount.fam');
  });
});

describe('openPlinkGenotypes (samples and genotypes without the SNP table)', () => {
  it('counts the .bim and opens the same .bed as openPlink', async () => {
    const { openPlink, openPlinkGenotypes } = await import('../../engine/io/plink.js');
    const { join } = await import('node:path');
    const prefix = join(import.meta.dirname, '..', '..', 'resources', 'example', 'mouse_hs1940');
    const full = openPlink(prefix);
    const light = openPlinkGenotypes(prefix);
    expect(light.nSnps).toBe(12226);
    expect(light.bed.nSnps).toBe(full.bed.nSnps);
    expect(light.fam.iid).toEqual(full.fam.iid);
    const a = new Uint8Array(full.bed.bytesPerSnp * 3);
    const b = new Uint8Array(full.bed.bytesPerSnp * 3);
    full.bed.readPacked(100, 3, a);
    light.bed.readPacked(100, 3, b);
    expect(b).toEqual(a);
    full.bed.close();
    light.bed.close();
  });
});
