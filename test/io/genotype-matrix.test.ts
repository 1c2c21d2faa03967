import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { openGenotypeMatrix } from '../../engine/io/genotype-matrix.js';
import { decodeSnp, openPlink } from '../../engine/io/plink.js';
import { collect, fuzzReader } from './reader-collect.js';
import type { Collected } from './reader-collect.js';
import { inputError, makeTmp } from './tmp.js';

const PREFIX = join(import.meta.dirname, '../../resources/example/mouse_hs1940');
const tmp = makeTmp('matrix');
afterAll(() => { tmp.cleanup(); });

describe('mouse_hs1940 through plink2 --export A / A-transpose (real data)', () => {
  const set = openPlink(PREFIX);
  const N = set.fam.iid.length;
  const M = set.bim.rs.length;
  const bps = set.bed.bytesPerSnp;
  const bed = new Uint8Array(M * bps);
  set.bed.readPacked(0, M, bed);
  set.bed.close();
  const want = new Int8Array(N);
  const out = join(tmp.dir, 'mouse');
  execFileSync('plink2', ['--bfile', PREFIX, '--export', 'A', 'A-transpose', '--out', out], { stdio: 'ignore' });

  // plink2 leaves out the .bim's SNPs at position -9.
  const exported = set.bim.rs.map((_, i) => i).filter((i) => set.bim.pos[i]! >= 0);
  const E = exported.length;

  /** Every exported SNP of the .bim in order, with the .bed's codes (flipped when the file counts the .bim's allele0). */
  function expectBed(got: Collected, placed: boolean): void {
    expect(E).toBe(10300);
    expect(got.snps.length).toBe(E);
    got.snps.forEach((snp, k) => {
      const i = exported[k]!;
      expect(snp.rs).toBe(set.bim.rs[i]);
      if (placed) expect([snp.chr, snp.pos, snp.cm]).toEqual([set.bim.chr[i], set.bim.pos[i], set.bim.cm[i]]);
      decodeSnp(bed, i * bps, N, want);
      const a1 = set.bim.allele1[i]!;
      const a0 = set.bim.allele0[i]!;
      // plink2 counts its REF, the .bim's allele0 (also where the .bim names both alleles alike): the documented flip.
      expect([snp.allele1, snp.allele0]).toEqual([a0, a1]);
      const c = got.counts[k]!;
      for (let j = 0; j < N; j++) {
        const w = want[j]! < 0 ? -1 : 2 - want[j]!;
        if (c[j] !== w) expect(`${snp.rs} sample ${j}: ${c[j]}`).toBe(`${snp.rs} sample ${j}: ${w}`);
      }
    });
  }

  it('.raw (samples as rows) with the .bim as map: the .bed codes, IDs, places, alleles', () => {
    const r = openGenotypeMatrix(out + '.raw', { map: PREFIX + '.bim' });
    expect(r.samples.iid).toEqual(set.fam.iid);
    expect(r.samples.fid).toEqual(set.fam.fid);
    expect(r.samples.where[0]).toBe(2);
    expect(r.snpsHint).toBe(E);
    const got = collect(r);
    expect(got.summary).toEqual({ snps: E, skipped: [], warnings: [] });
    expectBed(got, true);
  });

  it('.raw without a map: counted allele from the header, no places (a warning)', () => {
    const got = collect(openGenotypeMatrix(out + '.raw'));
    expect(got.snps[0]).toMatchObject({ rs: 'rs3683945', allele1: 'G', allele0: '0', chr: '0', pos: 0, line: 7 });
    // Names such as CEL-10_109935001 are not read as places: only 1:123 / chr1_123 forms are.
    expect(got.summary.warnings).toEqual([expect.stringMatching(/^10300 of 10300 SNPs have no chromosome and position/)]);
  });

  it('.traw (samples as columns): the .bed codes, places from its columns, COUNTED/ALT', () => {
    const r = openGenotypeMatrix(out + '.traw');
    expect(r.samples.iid).toEqual(set.fam.iid.map((iid, j) => `${set.fam.fid[j]}_${iid}`));
    expect(r.samples.where[0]).toBe(7);
    const got = collect(r, 500);
    expect(got.batches).toBe(Math.ceil(E / 500));
    expect(got.summary).toEqual({ snps: E, skipped: [], warnings: [] });
    expectBed(got, true);
  });

  /** A nucleotide matrix written here from the .bed and .bim (independent of the reader), first `m` SNPs. */
  function letterMatrix(m: number, samplesAsRows: boolean, name: (i: number) => string): { text: string; alleles: [string, string][] } {
    const forms = [(x: string, y: string) => x + y, (x: string, y: string) => `${x}/${y}`, (x: string, y: string) => `${x}|${y}`];
    const calls: string[][] = [];
    const alleles: [string, string][] = [];
    for (let i = 0; i < m; i++) {
      decodeSnp(bed, i * bps, N, want);
      const a1 = set.bim.allele1[i]!;
      const a0 = set.bim.allele0[i]!;
      const f = forms[i % 3]!;
      calls.push(Array.from(want, (c) => (c < 0 ? (i % 2 ? 'NN' : '') : c === 2 ? f(a1, a1) : c === 1 ? f(a0, a1) : f(a0, a0))));
      // The reader's rule, computed here: allele1 = minor allele, on a tie the allele seen second.
      let copies1 = 0;
      let called = 0;
      for (const c of want) if (c >= 0) { copies1 += c; called++; }
      const seen: string[] = [];
      for (const c of calls[i]!) for (const ch of c.replace(/[/|]/g, '')) if (ch !== 'N' && !seen.includes(ch)) seen.push(ch);
      const copiesOf = (a: string) => (a === a1 ? copies1 : 2 * called - copies1);
      const [first, second] = [seen[0] ?? '0', seen[1] ?? '0'];
      alleles.push(a1 === a0 ? [second, first] : copiesOf(second) <= copiesOf(first) ? [second, first] : [first, second]);
    }
    const ids = set.fam.iid;
    const lines: string[] = [];
    if (samplesAsRows) {
      lines.push(['sample', ...Array.from({ length: m }, (_, i) => name(i))].join(','));
      for (let j = 0; j < N; j++) lines.push([ids[j], ...calls.map((c) => c[j])].join(','));
    } else {
      lines.push(['marker', ...ids].join('\t'));
      for (let i = 0; i < m; i++) lines.push([name(i), ...calls[i]!].join('\t'));
    }
    return { text: lines.join('\n') + '\n', alleles };
  }

  for (const samplesAsRows of [true, false]) {
    it(`nucleotide calls, samples as ${samplesAsRows ? 'rows (CSV)' : 'columns (TSV)'}, places from the SNP names`, () => {
      const m = 1500;
      const name = (i: number) => (i % 5 === 4 ? set.bim.rs[i]! : `${set.bim.chr[i]}:${set.bim.pos[i]}:${set.bim.rs[i]}`);
      const { text, alleles } = letterMatrix(m, samplesAsRows, name);
      const path = tmp.file(`letters-${samplesAsRows}.csv.gz`, gzipSync(text));
      const r = openGenotypeMatrix(path);
      expect(r.samples.iid).toEqual(set.fam.iid);
      const got = collect(r);
      expect(got.snps.length).toBe(m);
      // Names without a place: every fifth (an rs ID), and those at position -9 (10:-9:... is not a place).
      const unplaced = Array.from({ length: m }, (_, i) => i).filter((i) => i % 5 === 4 || set.bim.pos[i]! < 0).length;
      expect(unplaced).toBeGreaterThan(300);
      expect(got.summary.warnings).toEqual([expect.stringMatching(new RegExp(`^${unplaced} of 1500 SNPs have no chromosome and position`))]);
      got.snps.forEach((snp, i) => {
        expect(snp.rs).toBe(name(i));
        if (i % 5 !== 4 && set.bim.pos[i]! >= 0) expect([snp.chr, snp.pos]).toEqual([set.bim.chr[i], set.bim.pos[i]]);
        expect([snp.allele1, snp.allele0]).toEqual(alleles[i]);
        decodeSnp(bed, i * bps, N, want);
        const c = got.counts[i]!;
        const a1 = set.bim.allele1[i]!;
        const same = snp.allele1 === a1 || a1 === set.bim.allele0[i];
        for (let j = 0; j < N; j++) {
          const w = a1 === set.bim.allele0[i] ? (want[j]! < 0 ? -1 : 0) : want[j]! < 0 || same ? want[j]! : 2 - want[j]!;
          if (c[j] !== w) expect(`${snp.rs} sample ${j}: ${c[j]}`).toBe(`${snp.rs} sample ${j}: ${w}`);
        }
      });
    });
  }
});

// --- small files --------------------------------------------------------------

const ROWS = 'ID,rs1,rs2,rs3\nS1,0,1,2\nS2,2,NA,1\nS3,1,0,-9\n';
const COLS = 'SNP\tS1\tS2\tS3\nrs1\tAA\tAG\tGG\nrs2\tCT\tCC\tNN\nrs3\tA/T\tT/T\tT|T\n';

describe('matrices: small files', () => {
  const rows = collect(openGenotypeMatrix(tmp.file('rows.csv', ROWS)));
  const cols = collect(openGenotypeMatrix(tmp.file('cols.tsv', COLS)));

  it('samples as rows, 0/1/2', () => {
    expect(rows.snps.map((s) => [s.rs, s.allele1, s.allele0, s.line])).toEqual([['rs1', 'B', 'A', 2], ['rs2', 'B', 'A', 3], ['rs3', 'B', 'A', 4]]);
    expect(rows.counts.map((c) => Array.from(c))).toEqual([[0, 2, 1], [1, -1, 0], [2, 1, -1]]);
  });

  it('samples as columns, nucleotides: allele1 minor per SNP (tie: the second seen)', () => {
    expect(cols.snps.map((s) => [s.rs, s.allele1, s.allele0])).toEqual([['rs1', 'G', 'A'], ['rs2', 'T', 'C'], ['rs3', 'A', 'T']]);
    expect(cols.counts.map((c) => Array.from(c))).toEqual([[0, 1, 2], [1, 0, -1], [1, 0, 0]]);
  });

  const same = (name: string, text: string | Uint8Array, ref: Collected) =>
    it(name, () => {
      const g = collect(openGenotypeMatrix(tmp.file(`v-${name}`, text)));
      expect(g.snps.map((s) => [s.rs, s.allele1, s.allele0])).toEqual(ref.snps.map((s) => [s.rs, s.allele1, s.allele0]));
      expect(g.counts).toEqual(ref.counts);
      expect(g.summary.warnings.filter((w) => !/no chromosome/.test(w))).toEqual([]);
    });
  same('CRLF rows', ROWS.replace(/\n/g, '\r\n'), rows);
  same('BOM rows', '\ufeff' + ROWS, rows);
  same('gzip rows', gzipSync(ROWS), rows);
  same('semicolons, quotes, trailing separators', ROWS.replace(/,/g, ';').replace('S1', '"S1"').replace(/\n/g, ';\n'), rows);
  same('blank-separated, blank lines', ROWS.replace(/,/g, '  ') + '\n\n', rows);
  same('CRLF columns', COLS.replace(/\n/g, '\r\n'), cols);
  same('BOM columns, gzip', gzipSync('\ufeff' + COLS), cols);

  it('Illumina AA/AB/BB, samples as rows', () => {
    const g = collect(openGenotypeMatrix(tmp.file('ab.csv', 'sample,m1,m2\nS1,AA,AB\nS2,AB,BB\nS3,AA,--\n')));
    expect(g.snps.map((s) => [s.allele1, s.allele0])).toEqual([['B', 'A'], ['A', 'B']]);
    expect(g.counts.map((c) => Array.from(c))).toEqual([[0, 1, 0], [1, 0, -1]]);
  });

  it('map file: orientation, places and alleles from it; SNPs it lacks are named in a warning', () => {
    const map = tmp.file('map.csv', 'marker,chromosome,position\nrs1,2,200\nrs2,X,300\n');
    const g = collect(openGenotypeMatrix(tmp.file('rows-nocorner.csv', ROWS.replace('ID', 'x')), { map }));
    expect(g.snps.map((s) => [s.rs, s.chr, s.pos])).toEqual([['rs1', '2', 200], ['rs2', 'X', 300], ['rs3', '0', 0]]);
    expect(g.summary.warnings).toEqual([expect.stringMatching(/^1 of 3 SNPs have no chromosome and position \(not in the map file .*map\.csv.*e\.g\. rs3/)]);
    const bim = tmp.file('map.bim', '2\trs1\t0.5\t200\tC\tT\n3\trs2\t0\t300\tG\tA\n1\trs3\t0\t5\tT\tA\n');
    const h = collect(openGenotypeMatrix(tmp.file('rows2.csv', ROWS), { map: bim }));
    expect(h.snps.map((s) => [s.rs, s.chr, s.pos, s.cm, s.allele1, s.allele0])).toEqual([['rs1', '2', 200, 0.5, 'C', 'T'], ['rs2', '3', 300, 0, 'G', 'A'], ['rs3', '1', 5, 0, 'T', 'A']]);
    const gemma = tmp.file('map.txt', 'rs1 200 2\nrs2 300 X\nrs3 400 1\n');
    expect(collect(openGenotypeMatrix(tmp.file('rows3.csv', ROWS), { map: gemma })).snps.map((s) => [s.chr, s.pos])).toEqual([['2', 200], ['X', 300], ['1', 400]]);
  });

  it('chr/pos columns after the SNP ID', () => {
    const g = collect(openGenotypeMatrix(tmp.file('info.tsv', 'id\tchr\tpos\tS1\tS2\nm1\tChr01\t10\t0\t1\nm2\tscaffold_12\t20\t2\t2\n')));
    expect(g.snps.map((s) => [s.rs, s.chr, s.pos])).toEqual([['m1', 'Chr01', 10], ['m2', 'scaffold_12', 20]]);
    expect(g.summary.warnings).toEqual([]);
  });

  it('more than two alleles: left out and counted', () => {
    const g = collect(openGenotypeMatrix(tmp.file('multi.tsv', 'SNP\tS1\tS2\nrs1\tAA\tCG\nrs2\tAA\tAC\n')));
    expect(g.snps.map((s) => s.rs)).toEqual(['rs2']);
    expect(g.summary.skipped).toEqual([{ reason: 'more than two alleles', count: 1, examples: [{ id: 'rs1', line: 2 }] }]);
  });

  it('sample IDs like Excel dates: a warning naming them and their lines', () => {
    const g = collect(openGenotypeMatrix(tmp.file('dates.csv', 'ID,rs1\n12/03/2021,0\nS2,1\n3-Jan,2\n')));
    expect(g.summary.warnings[0]).toMatch(/^2 sample IDs in the first column look like dates: '12\/03\/2021' \(line 2\), '3-Jan' \(line 4\)/);
  });
});

describe('matrices: broken files', () => {
  const open = (text: string | Uint8Array, name = 'b.csv') => collect(openGenotypeMatrix(tmp.file(name, text)));

  it('duplicate sample IDs name both lines (rows) or columns', () => {
    expect(inputError(() => open('ID,rs1\nS1,0\nS2,1\nS1,2\n')).message).toMatch(/sample ID 'S1' appears twice in the first column, at line 2 and line 4/);
    expect(inputError(() => open('SNP,S1,S1\nrs1,0,1\n')).message).toMatch(/sample ID 'S1' appears twice in the header, at column 2 and column 3/);
  });

  it('a non-numeric or out-of-range count names the line, sample, SNP and value', () => {
    const e = inputError(() => open('ID,rs1,rs2\nS1,0,1\nS2,x,1\n'));
    expect([e.line, e.what]).toEqual([3, "call 'x' of sample S2 at SNP rs1 (column 2) is not a count 0, 1 or 2"]);
    const r = inputError(() => open('SNP,S1,S2\nrs1,0,3\n'));
    expect([r.line, r.what]).toEqual([2, "call '3' of sample S2 at SNP rs1 (column 3) is not a count 0, 1 or 2"]);
    expect(inputError(() => open('SNP,S1,S2\nrs1,0,0.5\n')).hint).toMatch(/dosages .* BIMBAM/);
  });

  it('a letter that is not a call names it', () => {
    const e = inputError(() => open('SNP\tS1\tS2\nrs1\tAG\tAX\n'));
    expect([e.line, e.what]).toEqual([2, "call 'AX' of sample S2 at SNP rs1 (column 3) is not a genotype call"]);
  });

  it('ragged rows, and a row with another separator', () => {
    const e = inputError(() => open('ID,rs1,rs2\nS1,0,1\nS2,0\n'));
    expect([e.line, e.what]).toEqual([3, 'this row has 2 columns, but the header (line 1) has 3']);
    const d = inputError(() => open('ID\trs1\trs2\nS1,0,1\n'));
    expect(d.hint).toMatch(/header is separated by tabs but this row by ','/);
  });

  it('wrong delimiter (one column), empty file, header only, orientation not told', () => {
    expect(inputError(() => open('ID|rs1|rs2\nS1|0|1\n')).message).toMatch(/header has a single column .*no tab, comma, semicolon or blank/);
    expect(inputError(() => open('')).message).toMatch(/is empty/);
    expect(inputError(() => open('ID,rs1,rs2\n')).message).toMatch(/has a header but no genotype rows/);
    const o = inputError(() => open('x,a,b\nc,0,1\n'));
    expect(o.message).toMatch(/cannot tell whether samples are rows or columns/);
    expect(o.hint).toMatch(/first cell 'sample'.*'SNP'.*map file/);
  });

  it('truncated gzip', () => {
    let text = ROWS;
    for (let i = 0; i < 3000; i++) text += `S${i + 9},${i % 3},${(i * 7) % 3},${(i * 13) % 3}\n`;
    const gz = gzipSync(text);
    expect(inputError(() => open(gz.subarray(0, gz.length >> 1), 'b.csv.gz')).message).toMatch(/damaged or cut short/);
  });

  it('bad map files name the map file and line', () => {
    const m = (text: string) => inputError(() => openGenotypeMatrix(tmp.file('ok.csv', ROWS), { map: tmp.file('bad.map', text) }));
    expect(m('SNP,chr\nrs1,1\n').message).toMatch(/bad\.map, line 1: its header has no position column/);
    expect(m('rs1,1,100\nrs2,1,12x\n').message).toMatch(/position '12x' of SNP rs2 is not a whole number/);
    expect(m('rs1,1\n').message).toMatch(/has 2 columns and no header naming them/);
    expect(m('').message).toMatch(/has no SNPs/);
  });
});

describe('matrices: fuzz', () => {
  it('random bytes and mutations of valid files give only InputErrors', () => {
    fuzzReader(tmp.dir, 'fuzz-rows.csv', (p) => openGenotypeMatrix(p), ROWS + 'S4,0,0,1\n', 100);
    fuzzReader(tmp.dir, 'fuzz-cols.tsv', (p) => openGenotypeMatrix(p), COLS, 100);
    writeFileSync(join(tmp.dir, 'fuzz.map'), 'rs1 1 100\nrs2 1 200\n');
    fuzzReader(tmp.dir, 'fuzz-map.csv', (p) => openGenotypeMatrix(join(tmp.dir, 'fuzz-rows.csv'), { map: p }), 'SNP,chr,pos\nrs1,1,100\nrs2,2,5\n', 100);
  });
});
