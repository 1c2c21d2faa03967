/**
 * The VCF reader on small files written here: every kind of call and site, the broken corpus
 * (each message names the file and the line), awkward but valid files (CRLF, BOM, gzip) reading
 * the same as clean ones, and a fast-check fuzz (only InputErrors, never a hang).
 */
import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { InputError } from '../../engine/io/errors.js';
import type { ByteChunks } from '../../engine/io/byte-chunks.js';
import { readVcfHeader } from '../../engine/io/vcf-header.js';
import { ByteLines } from '../../engine/io/vcf-lines.js';
import { openVcf, readVcfRecords } from '../../engine/io/vcf.js';
import { M_ALT_END, M_CHROM_END, M_END, M_HALF, M_START, META_WORDS, VcfScanner } from '../../engine/io/vcf-scan-wasm.js';
import { inputError, makeTmp } from './tmp.js';
import { bgzip, countAt, readVcf, vcfText } from './vcf-helpers.js';

const tmp = makeTmp('vcf');
afterAll(() => { tmp.cleanup(); });

const S3 = ['s1', 's2', 's3'];
const rec = (chr: string, pos: string, id: string, ref: string, alt: string, format: string, ...calls: string[]): string[] => [chr, pos, id, ref, alt, '.', 'PASS', '.', format, ...calls];

/** A clean file exercising every kind of call and site. */
const MIXED = vcfText(S3, [
  rec('chr1', '100', 'rs1', 'A', 'G', 'GT', '0/0', '0/1', '1/1'),
  rec('chr1', '200', 'rs2', 'C', 'T', 'GT', '1|0', './.', '0|1'),
  rec('chr1', '300', 'multi', 'A', 'C,G', 'GT', '0/1', '1/2', '0/0'),
  rec('chr1', '400', 'del', 'AT', 'A', 'GT', '0/1', '0/1', '0/0'),
  rec('chr1', '500', 'sv', 'A', '<DEL>', 'GT', '0/1', '0/0', '0/0'),
  rec('chr1', '600', 'star', 'A', '*', 'GT', '0/1', '0/0', '0/0'),
  rec('chr1', '700', 'mono', 'A', '.', 'GT', '0/0', '0/0', '0/0'),
  rec('Chr01', '800', '.', 'g', 't', 'GT:DP:GQ', '1:12:99', '0:3:20', '.:0:0'),
  rec('scaffold_12', '900', 'rs9', 'T', 'A', 'GT:AD', './1:3,4', '0/.', '1/1'),
  ['MT', '1000', 'rs10', 'G', 'A', '50', 'LowQual', 'DP=3', 'GT', '0/1', '1/1', '0/0'],
]);

describe('openVcf: calls and sites', () => {
  const path = tmp.file('mixed.vcf', MIXED);

  it('reads samples as FID = IID, with their columns', () => {
    const r = openVcf(path);
    expect(r.format).toBe('vcf');
    expect(r.samples.iid).toEqual(S3);
    expect(r.samples.fid).toEqual(S3);
    expect(Array.from(r.samples.where)).toEqual([10, 11, 12]);
    expect(r.dosage).toBe(false);
  });

  it('keeps biallelic SNPs, counts ALT copies, skips and counts the rest', () => {
    const v = readVcf(path);
    expect(v.snps.map((s) => [s.chr, s.rs, s.pos, s.allele1, s.allele0, s.line])).toEqual([
      ['chr1', 'rs1', 100, 'G', 'A', 3],
      ['chr1', 'rs2', 200, 'T', 'C', 4],
      ['Chr01', 'Chr01:800', 800, 'T', 'G', 10],
      ['scaffold_12', 'rs9', 900, 'A', 'T', 11],
      ['MT', 'rs10', 1000, 'A', 'G', 12],
    ]);
    const counts = v.snps.map((_, i) => S3.map((_, j) => countAt(v.packed, 1, i, j)));
    expect(counts).toEqual([
      [0, 1, 2],
      [1, -1, 1],
      [2, 0, -1], // haploid 1 and 0 as homozygous, '.' missing
      [-1, -1, 2], // half-missing as missing
      [1, 2, 0], // FILTER LowQual kept, as plink2 does
    ]);
    expect(v.summary.snps).toBe(5);
    expect(v.summary.skipped).toEqual([
      { reason: 'multi-allelic site (more than one ALT allele)', count: 1, examples: [{ id: 'multi', line: 5 }] },
      { reason: 'indel or other non-SNP allele (REF or ALT not a single base)', count: 1, examples: [{ id: 'del', line: 6 }] },
      { reason: 'symbolic ALT allele (such as <DEL> or *)', count: 2, examples: [{ id: 'sv', line: 7 }, { id: 'star', line: 8 }] },
      { reason: "no ALT allele (ALT '.', a monomorphic site)", count: 1, examples: [{ id: 'mono', line: 9 }] },
    ]);
    expect(v.summary.warnings).toEqual([
      '2 haploid calls (such as 0 or 1) read as homozygous (0/0, 1/1)',
      '2 half-missing calls (such as ./1) read as missing',
      "1 SNP without an ID (ID '.') named chromosome:position",
    ]);
  });

  it('gives the same codes whichever FORMAT carries GT (fast and general paths agree)', () => {
    const calls = ['0/0', '0/1', '1/1', './.', '1|0', '0|0', './1', '1/.', '1', '0', '.'];
    const n = 23;
    const rows: string[][] = [];
    for (let i = 0; i < 40; i++) rows.push(Array.from({ length: n }, (_, j) => calls[(i * 7 + j * 3 + ((i * j) % 5)) % (i % 2 ? 8 : calls.length)]!));
    const ids = Array.from({ length: n }, (_, j) => `x${j}`);
    const plain = tmp.file('plainfmt.vcf', vcfText(ids, rows.map((c, i) => rec('1', String(i + 1), `r${i}`, 'A', 'C', 'GT', ...c))));
    const rich = tmp.file('richfmt.vcf', vcfText(ids, rows.map((c, i) => rec('1', String(i + 1), `r${i}`, 'A', 'C', 'DP:GT:GQ', ...c.map((g, j) => (j % 3 === 0 ? `7:${g}` : `7:${g}:30`))))));
    const a = readVcf(plain);
    const b = readVcf(rich);
    expect(b.packed).toEqual(a.packed);
    expect(b.summary).toEqual(a.summary);
    // And both equal the calls as written.
    const want = (g: string): number => (g.includes('.') ? -1 : g.length === 1 ? 2 * Number(g) : Number(g[0]) + Number(g[2]));
    rows.forEach((c, i) => c.forEach((g, j) => expect(countAt(a.packed, 6, i, j)).toBe(want(g))));
  });

  it('GT-only records of any sample count (the WebAssembly fast path, sixteen calls a step) read as written, as the general path reads them', () => {
    const unphased = ['0/0', '0/1', '1/0', '1/1', './.', './1', '1/.', '0/.', './0'];
    const phased = unphased.map((g) => g.replace('/', '|'));
    for (const n of [1, 3, 15, 16, 17, 33, 70]) {
      const rows = Array.from({ length: 12 }, (_, i) => Array.from({ length: n }, (_, j) => (i % 3 === 2 ? phased : unphased)[(i * 5 + j * 7 + ((i * j) % 4)) % 9]!));
      // Two that must leave the fast path: phased and unphased calls mixed, and a haploid call.
      rows.push(Array.from({ length: n }, (_, j) => (j % 2 ? '0|1' : '1/1')));
      rows.push(Array.from({ length: n }, (_, j) => (j === n - 1 ? '1' : '0/1')));
      const ids = Array.from({ length: n }, (_, j) => `x${j}`);
      const fast = readVcf(tmp.file(`stride${n}.vcf`, vcfText(ids, rows.map((c, i) => rec('1', String(i + 1), `r${i}`, 'A', 'C', 'GT', ...c)))));
      const general = readVcf(tmp.file(`general${n}.vcf`, vcfText(ids, rows.map((c, i) => rec('1', String(i + 1), `r${i}`, 'A', 'C', 'GT:DP', ...c.map((g) => `${g}:7`))))));
      expect(fast.packed).toEqual(general.packed);
      expect(fast.summary).toEqual(general.summary);
      const bps = Math.ceil(n / 4);
      const want = (g: string): number => (g.includes('.') ? -1 : g.length === 1 ? 2 * Number(g) : Number(g[0]) + Number(g[2]));
      rows.forEach((c, i) => c.forEach((g, j) => expect(countAt(fast.packed, bps, i, j)).toBe(want(g))));
      // The scanner itself on the records, LF and CR LF: each fast row's fixed columns, codes and
      // half-missing count; the mixed and the haploid rows left to the general path.
      const lines = rows.map((c, i) => rec('1', String(i + 1), `r${i}`, 'A', 'C', 'GT', ...c).join('\t') + (i % 2 ? '\r\n' : '\n'));
      const scanner = new VcfScanner('direct.vcf', n, 32, true);
      scanner.append(Buffer.from(lines.join('')), 0);
      expect(scanner.scan(0, 32)).toBe(rows.length);
      let at = 0;
      rows.forEach((c, i) => {
        const m = META_WORDS * i;
        expect(scanner.meta[m + M_START]).toBe(at);
        expect(scanner.meta[m + M_END]).toBe(at + lines[i]!.trimEnd().length);
        at += lines[i]!.length;
        const half = scanner.meta[m + M_HALF];
        if (i === 13 || (i === 12 && n > 1)) expect(half).toBe(-1);
        else {
          expect(half).toBe(c.filter((g) => g.includes('.') && g !== './.' && g !== '.|.').length);
          expect(scanner.window.toString('latin1', scanner.meta[m + M_START], scanner.meta[m + M_CHROM_END])).toBe('1');
          expect(scanner.window.toString('latin1', scanner.meta[m + M_ALT_END]! - 1, scanner.meta[m + M_ALT_END])).toBe('C');
          expect(scanner.codes.subarray(i * bps, (i + 1) * bps)).toEqual(fast.packed.subarray(i * bps, (i + 1) * bps));
        }
      });
      // The .bed's padding bits of each SNP's last byte stay 0.
      if (n % 4) for (let i = 0; i < rows.length; i++) expect(fast.packed[i * bps + bps - 1]! >> (2 * (n % 4))).toBe(0);
    }
  });

  it('batches: at most batchSnps SNPs each, together the whole file; progress reaches the file size', () => {
    const rows = Array.from({ length: 25 }, (_, i) => rec('2', String(i + 10), `b${i}`, 'A', 'T', 'GT', '0/1', '1/1', '0/0'));
    const p = tmp.file('batches.vcf', vcfText(S3, rows));
    const r = openVcf(p);
    const sizes: number[] = [];
    let last: [number, number] = [0, 0];
    r.read((b) => { sizes.push(b.snps.length); expect(b.packed.length).toBe(b.snps.length); }, { batchSnps: 10, progress: (d, t) => { last = [d, t]; } });
    expect(sizes).toEqual([10, 10, 5]);
    expect(last[0]).toBe(last[1]);
    expect(last[1]).toBe(readFileSync(p).length);
  });
});

describe('openVcf: DS dosages', () => {
  const ds = tmp.file('ds.vcf', vcfText(S3, [
    rec('1', '10', 'd1', 'A', 'G', 'GT:DS', '0/0:0.1', '0/1:1.49', '1/1:2'),
    rec('1', '20', 'd2', 'A', 'G', 'DS', '.', '0.5', '1.5e0'),
    rec('1', '30', 'd3', 'A', 'G', 'GT', '0/1', '1/1', './.'),
    rec('1', '40', 'd4', 'A', 'G', 'GT:DS', '1/1', './.:0.25', '0/1:.'),
  ], ['##fileformat=VCFv4.2', '##FORMAT=<ID=GT,Number=1,Type=String,Description="Genotype">', '##FORMAT=<ID=DS,Number=A,Type=Float,Description="Dosage">']));

  it('reads the dosage of ALT, with rounded codes; a record or sample without DS falls back to its GT', () => {
    const v = readVcf(ds, { dosage: true });
    expect(Array.from(v.dosage!)).toEqual([0.1, 1.49, 2, NaN, 0.5, 1.5, 1, 2, NaN, 2, 0.25, 1].map(Math.fround));
    expect(v.snps.map((_, i) => S3.map((_, j) => countAt(v.packed, 1, i, j)))).toEqual([[0, 1, 2], [-1, 1, 2], [1, 2, -1], [2, 0, 1]]);
  });

  it('without the dosage option reads GT, and tells a DS-only FORMAT to use it', () => {
    const e = inputError(() => readVcf(ds));
    expect(e.line).toBe(6);
    expect(e.message).toContain("FORMAT 'DS' has no GT");
    expect(e.message).toContain('dosage option');
  });

  it('DS out of 0..2 or not a number: an error naming line and sample', () => {
    for (const [bad, what] of [['2.5', 'outside 0 to 2'], ['-0.1', 'outside 0 to 2'], ['1,5', 'not a number'], ['NaN', 'not a number']] as const) {
      const p = tmp.file('dsbad.vcf', vcfText(S3, [rec('1', '1', 'a', 'A', 'C', 'DS', '0', bad, '1')]));
      const e = inputError(() => readVcf(p, { dosage: true }));
      expect(e.message).toContain(p);
      expect(e.line).toBe(3);
      expect(e.message).toContain(`sample 's2' (column 11) has DS '${bad}'`);
      expect(e.message).toContain(what);
    }
  });

  it('DS asked of a file without DS: an error naming the line, with the hint to leave the option out', () => {
    const p = tmp.file('nods.vcf', vcfText(S3, [rec('1', '1', 'a', 'A', 'C', 'GT', '0/0', '0/1', '1/1')]));
    const e = inputError(() => readVcf(p, { dosage: true }));
    expect(e.line).toBe(3);
    expect(e.message).toContain('no DS (dosage) field');
    expect(e.hint).toBe('Leave out the dosage option to read the hard calls (GT) instead');
  });
});

describe('awkward but valid files read the same as clean ones', () => {
  const clean = readVcf(tmp.file('clean.vcf', MIXED));
  const same = (p: string): void => {
    const v = readVcf(p);
    expect(v.iid).toEqual(clean.iid);
    expect(v.snps).toEqual(clean.snps);
    expect(v.packed).toEqual(clean.packed);
    expect(v.summary).toEqual(clean.summary);
  };
  it('CRLF line ends', () => { same(tmp.file('crlf.vcf', MIXED.replace(/\n/g, '\r\n'))); });
  it('a UTF-8 BOM', () => { same(tmp.file('bom.vcf', '\ufeff' + MIXED)); });
  it('gzip (not bgzip), several members, and no final newline', () => {
    const cut = MIXED.indexOf('chr1\t300');
    same(tmp.file('multi.vcf.gz', Buffer.concat([gzipSync(MIXED.slice(0, cut)), gzipSync(MIXED.slice(cut, -1))])));
  });
  it('no ##fileformat line', () => { same(tmp.file('nometa.vcf', MIXED.slice(MIXED.indexOf('\n') + 1).replace(/^/, '##source=x\n'))); });
  it('the text in pieces of any size (lines split anywhere across chunks, a line longer than the window), CRLF, no final newline', () => {
    // 70 samples: the scanner's lines of four bytes a call, with general-path and skipped records
    // between them, and one record of 300,000 samples' width in INFO (past the scanner's window).
    const ids = Array.from({ length: 70 }, (_, j) => `x${j}`);
    const calls = (i: number): string[] => ids.map((_, j) => ['0/0', '0/1', '1|1', './.', './1'][(i + j * 3) % 5]!.replace('|', i % 2 ? '|' : '/'));
    const rows = Array.from({ length: 40 }, (_, i) => {
      if (i % 7 === 3) return rec('2', String(i + 1), `m${i}`, 'A', 'C,G', 'GT', ...calls(i));
      if (i % 5 === 4) return rec('2', String(i + 1), `g${i}`, 'A', 'C', 'GT:DP', ...calls(i).map((g) => `${g}:4`));
      return ['2', String(i + 1), `s${i}`, 'A', 'C', '.', 'PASS', i === 20 ? `X=${'y'.repeat(300_000)}` : '.', 'GT', ...calls(i)];
    });
    const text = vcfText(ids, rows).replace(/\n/g, '\r\n').slice(0, -2);
    const path = tmp.file('pieces.vcf', text);
    const whole = readVcf(path, { batchSnps: 8 });
    expect(whole.snps.length).toBe(34);
    const header = readVcfHeader(path, new ByteLines(pieces(path, text, 1 << 20)));
    for (const size of [1, 2, 3, 15, 16, 17, 64, 281, 4096, 65536]) {
      const snps: unknown[] = [];
      const packed: number[] = [];
      const summary = readVcfRecords(path, header, false, (b) => { snps.push(...b.snps); packed.push(...b.packed); }, 8, undefined, pieces(path, text, size));
      expect(snps).toEqual(whole.snps);
      expect(Uint8Array.from(packed)).toEqual(whole.packed);
      expect(summary).toEqual(whole.summary);
    }
  });
});

/** The text as chunks of `size` bytes. */
function pieces(path: string, text: string, size: number): ByteChunks {
  const bytes = Buffer.from(text);
  let at = 0;
  return { path, compression: 'none', fileBytes: bytes.length, consumed: () => at, next: () => (at < bytes.length ? bytes.subarray(at, (at += size)) : undefined), close: () => undefined };
}

describe('broken corpus: an InputError naming the file and the line', () => {
  const good = vcfText(S3, [rec('1', '100', 'rs1', 'A', 'G', 'GT', '0/0', '0/1', '1/1'), rec('1', '200', 'rs2', 'A', 'G', 'GT', '0/0', '0/1', '1/1')]);
  const cases: { name: string; content: () => string | Uint8Array; line: number | undefined; says: string }[] = [
    { name: 'empty.vcf', content: () => '', line: undefined, says: 'VCF file is empty' },
    { name: 'header-only.vcf', content: () => vcfText(S3, []), line: 2, says: 'has no variant records below its #CHROM header line' },
    { name: 'only-indels.vcf', content: () => vcfText(S3, [rec('1', '5', 'i', 'AC', 'A', 'GT', '0/1', '0/0', '0/0')]), line: 3, says: 'has no biallelic SNPs to read (1 record: indel' },
    { name: 'no-chrom.vcf', content: () => '##fileformat=VCFv4.2\n##source=x\n', line: 2, says: 'ends before its #CHROM header line' },
    { name: 'record-before-chrom.vcf', content: () => '##fileformat=VCFv4.2\n1\t1\ta\tA\tC\t.\t.\t.\tGT\t0/1\n', line: 2, says: 'has a data line before the #CHROM header line' },
    { name: 'sites-only.vcf', content: () => '##fileformat=VCFv4.2\n#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\n', line: 2, says: 'sites-only VCF' },
    { name: 'format-no-samples.vcf', content: () => '##fileformat=VCFv4.2\n#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\n', line: 2, says: 'has a FORMAT column but no sample columns' },
    { name: 'spaces.vcf', content: () => good.replace(/^#CHROM.*$/m, (l) => l.replace(/\t/g, ' ')), line: 2, says: 'separated by spaces, not tabs' },
    { name: 'dup-samples.vcf', content: () => vcfText(['a', 'b', 'a'], []), line: 2, says: "sample ID 'a' appears twice (columns 10 and 12)" },
    { name: 'bcf-ish.vcf', content: () => '##fileformat=BCFv2\n', line: 1, says: 'says ##fileformat=BCFv2, not a VCF' },
    { name: 'ragged-short.vcf', content: () => good.replace('0/1\t1/1\n1\t200', '0/1\n1\t200'), line: 3, says: 'has 11 columns, but the #CHROM header line (line 2) has 12' },
    { name: 'ragged-long.vcf', content: () => good.replace(/1\/1\n$/, '1/1\t0/0\n'), line: 4, says: 'has 13 columns, but the #CHROM header line (line 2) has 12' },
    { name: 'ragged-fixed.vcf', content: () => good.replace('1\t200\trs2\tA\tG\t.\tPASS\t.\tGT\t0/0\t0/1\t1/1', '1\t200\trs2'), line: 4, says: 'has 3 columns' },
    { name: 'ragged-skipped.vcf', content: () => vcfText(S3, [rec('1', '5', 'm', 'A', 'C,T', 'GT', '0/1', '0/0'), rec('1', '6', 'x', 'A', 'C', 'GT', '0/1', '0/0', '0/0')]), line: 3, says: 'has 11 columns' },
    { name: 'gt-0-2.vcf', content: () => good.replace('0/1\t1/1\n1\t200', '0/2\t1/1\n1\t200'), line: 3, says: "sample 's2' (column 11) has GT '0/2', but the site has one ALT allele (G), so allele 2 does not exist" },
    { name: 'gt-letters.vcf', content: () => good.replace(/0\/1\t1\/1\n$/, 'A/G\t1/1\n'), line: 4, says: "sample 's2' (column 11) has GT 'A/G', which is not a VCF genotype" },
    { name: 'gt-triploid.vcf', content: () => good.replace(/0\/1\t1\/1\n$/, '0/1/1\t1/1\n'), line: 4, says: "has GT '0/1/1' with 3 alleles" },
    { name: 'gt-empty-field.vcf', content: () => good.replace(/0\/1\t1\/1\n$/, '\t1/1\n'), line: 4, says: 'has an empty sample field' },
    { name: 'no-gt.vcf', content: () => good.replace(/GT\t0\/0\t0\/1\t1\/1\n$/, 'DP\t3\t4\t5\n'), line: 4, says: "FORMAT 'DP' has no GT (genotype) field" },
    { name: 'pos-text.vcf', content: () => good.replace('\t200\t', '\t2e2\t'), line: 4, says: "POS (column 2) '2e2' is not a whole number" },
    { name: 'pos-negative.vcf', content: () => good.replace('\t200\t', '\t-9\t'), line: 4, says: "POS (column 2) '-9' is not a whole number" },
    { name: 'pos-empty.vcf', content: () => good.replace('\t200\t', '\t\t'), line: 4, says: "POS (column 2) '' is not a whole number" },
    { name: 'chrom-empty.vcf', content: () => good.replace('\n1\t200', '\n\t200'), line: 4, says: 'has an empty CHROM' },
    { name: 'header-in-records.vcf', content: () => good + '#CHROM\tPOS\n', line: 5, says: 'has a header line (starting with #) among the records' },
    { name: 'bed-renamed.vcf.gz', content: () => readFileSync(join(import.meta.dirname, '../../resources/example/mouse_hs1940.bed')).subarray(0, 5000), line: 1, says: 'is a PLINK .bed file, not a VCF file' },
    { name: 'zip.vcf', content: () => Buffer.from('PK\x03\x04rest'), line: 1, says: 'is a ZIP file' },
    { name: 'truncated.vcf.gz', content: () => bgzip(good.repeat(1)).subarray(0, 40), line: 1, says: 'damaged or cut short' },
  ];
  for (const c of cases) {
    it(`${c.name}: ${c.says}`, () => {
      const p = tmp.file(c.name, c.content());
      const e = inputError(() => readVcf(p));
      expect(e.message).toContain(p);
      expect(e.message).toContain(c.says);
      expect(e.line).toBe(c.line);
      if (c.line !== undefined) expect(e.message).toContain(`line ${c.line}`);
      expect(e.hint.length).toBeGreaterThan(10);
    });
  }

  it('a bgzipped VCF cut short in a later block names the line it stopped at', () => {
    const rows = Array.from({ length: 3000 }, (_, i) => rec('1', String(i + 1), `t${i}`, 'A', 'G', 'GT', '0/0', '0/1', '1/1'));
    const whole = bgzip(vcfText(S3, rows));
    const p = tmp.file('cut.vcf.gz', whole.subarray(0, Math.floor(whole.length * 0.6)));
    const e = inputError(() => readVcf(p));
    expect(e.message).toContain('damaged or cut short');
    expect(e.line).toBeGreaterThan(100);
    expect(e.message).toContain(`line ${e.line}`);
  });
});

describe('fuzz', () => {
  const base = vcfText(['a', 'b', 'c', 'd', 'e'], [
    rec('1', '10', 'r1', 'A', 'G', 'GT', '0/0', '0/1', '1/1', './.', '1|0'),
    rec('2', '20', '.', 'C', 'T', 'GT:DS', '0/1:1', '1/1:2', '0/0:0', './.:.', '0:0.3'),
    rec('2', '30', 'm', 'C', 'T,G', 'GT', '0/1', '1/2', '0/0', '0/0', '0/0'),
  ], ['##fileformat=VCFv4.2', '##FORMAT=<ID=DS,Number=1,Type=Float,Description="d">']);
  const expectOnlyInputErrors = (bytes: Uint8Array, name: string): void => {
    const p = tmp.file(name, bytes);
    for (const dosage of [false, true]) {
      try {
        const v = readVcf(p, { dosage });
        expect(v.snps.length).toBeGreaterThan(0);
        expect(v.packed.length).toBe(v.snps.length * 2);
      } catch (e) {
        if (!(e instanceof InputError)) throw e;
        expect(e.message).toContain(p);
      }
    }
  };
  it('random bytes give only InputErrors', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 400 }), (b) => { expectOnlyInputErrors(b, 'fuzz-random.vcf'); }), { numRuns: 300 });
  });
  it('random mutations of a valid file (plain and bgzipped) give only InputErrors', () => {
    const bytes = Buffer.from(base);
    const mutation = fc.array(fc.record({ at: fc.nat(bytes.length - 1), op: fc.constantFrom('set', 'del', 'ins'), byte: fc.constantFrom(9, 10, 13, 32, 44, 46, 47, 48, 49, 50, 58, 65, 124, 0, 255, 35) }), { minLength: 1, maxLength: 6 });
    fc.assert(
      fc.property(mutation, fc.boolean(), (ms, gz) => {
        const b = Array.from(bytes);
        for (const m of ms) {
          const at = Math.min(m.at, b.length - 1);
          if (m.op === 'set') b[at] = m.byte;
          else if (m.op === 'del') b.splice(at, 1);
          else b.splice(at, 0, m.byte);
        }
        const u = Uint8Array.from(b);
        expectOnlyInputErrors(gz ? bgzip(u) : u, gz ? 'fuzz-mut.vcf.gz' : 'fuzz-mut.vcf');
      }),
      { numRuns: 500 },
    );
  });
});
