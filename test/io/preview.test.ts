import { copyFileSync, readFileSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { InputError } from '../../engine/io/errors.js';
import { readFam, readBim } from '../../engine/io/plink.js';
import { previewFile, type KinshipPreview, type PlinkPreview, type SheetPreview } from '../../engine/io/preview.js';
import { readSheet } from '../../engine/io/sheet.js';
import { tempDir } from '../helpers/tmp.js';
import { copySet, MOUSE, simulatedSet } from '../store/helpers.js';

/** The InputError previewFile throws for `path`; it names the file at fault (`path` unless said) and says what to do. */
function failure(path: string, file = path): InputError {
  try {
    previewFile(path);
  } catch (e) {
    expect(e).toBeInstanceOf(InputError);
    const err = e as InputError;
    expect(err.file).toBe(file);
    expect(err.message.startsWith(file)).toBe(true);
    expect(err.hint.length).toBeGreaterThan(10);
    return err;
  }
  throw new Error(`previewFile(${path}) did not fail`);
}

function write(dir: string, name: string, content: string | Uint8Array): string {
  const p = join(dir, name);
  writeFileSync(p, content);
  return p;
}

function matrixText(n: number, f: (i: number, j: number) => number): string {
  const rows: string[] = [];
  for (let i = 0; i < n; i++) rows.push(Array.from({ length: n }, (_, j) => f(i, j).toFixed(8)).join('\t'));
  return rows.join('\n') + '\n';
}

describe('previewing a file before adding it', () => {
  const dir = tempDir('kinscan-preview-');
  const set = simulatedSet(dir, 'sim', 60, 300, 5);

  it('a PLINK set, from any of its three files: counts from the .fam and .bim, their first lines', () => {
    const fam = readFam(`${set.prefix}.fam`);
    const bim = readBim(`${set.prefix}.bim`);
    for (const ext of ['.bed', '.bim', '.fam']) {
      const p = previewFile(set.prefix + ext) as PlinkPreview;
      expect(p.kind).toBe('plink');
      expect(p.prefix).toBe(set.prefix);
      expect(p.files).toEqual({ bed: `${set.prefix}.bed`, bim: `${set.prefix}.bim`, fam: `${set.prefix}.fam` });
      expect([p.individuals, p.snps]).toEqual([60, 300]);
      expect(p.famHead).toHaveLength(10);
      expect(p.famHead.map((r) => [r[0], r[1]])).toEqual(fam.iid.slice(0, 10).map((iid, i) => [fam.fid[i], iid]));
      expect(p.bimHead.map((r) => r[1])).toEqual(bim.rs.slice(0, 10));
    }
  });

  it('the bundled mouse set: 1,940 individuals and 12,226 SNPs', () => {
    const p = previewFile(`${MOUSE}.bed`) as PlinkPreview;
    expect([p.individuals, p.snps]).toEqual([1940, 12226]);
  });

  it('a .fam with blank lines and no final newline counts its samples as the reader does', () => {
    const prefix = join(dir, 'blank');
    copySet(set.prefix, prefix);
    const lines = readFileSync(`${prefix}.fam`, 'utf8').trimEnd().split('\n');
    writeFileSync(`${prefix}.fam`, `\n${lines.slice(0, 30).join('\r\n')}\n  \t\n\n${lines.slice(30).join('\n')}`);
    expect(readFam(`${prefix}.fam`).iid).toHaveLength(60);
    expect((previewFile(`${prefix}.fam`) as PlinkPreview).individuals).toBe(60);
  });

  it('broken PLINK sets: truncated .bed, empty .bed, missing .bim, wrong .bed magic, .bed under another name', () => {
    const cut = join(dir, 'cut');
    copySet(set.prefix, cut);
    truncateSync(`${cut}.bed`, 3 + 15 * 200);
    expect(failure(`${cut}.bed`).message).toMatch(/size mismatch.*3003 bytes.*truncated/);
    expect(failure(`${cut}.bim`, `${cut}.bed`).message).toMatch(/truncated/);

    const empty = join(dir, 'empty');
    copySet(set.prefix, empty);
    writeFileSync(`${empty}.bed`, '');
    expect(() => previewFile(`${empty}.bed`)).toThrow(/empty\.bed: PLINK \.bed file is empty \(0 bytes\)/);

    const lone = join(dir, 'lone');
    copyFileSync(`${set.prefix}.bed`, `${lone}.bed`);
    copyFileSync(`${set.prefix}.fam`, `${lone}.fam`);
    expect(() => previewFile(`${lone}.bed`)).toThrow(/lone\.bim not found \(found \.bed, \.fam\)/);

    const text = join(dir, 'text');
    copySet(set.prefix, text);
    writeFileSync(`${text}.bed`, 'chr1 rs1 0 100 A G\n');
    expect(failure(`${text}.bed`).message).toMatch(/is a text file, not a PLINK binary \.bed file/);

    const renamed = copy(`${set.prefix}.bed`, join(dir, 'genotypes.dat'));
    expect(failure(renamed).message).toMatch(/is a PLINK \.bed file by its first bytes.*Name it PREFIX\.bed/);

    const famEmpty = join(dir, 'famempty');
    copySet(set.prefix, famEmpty);
    writeFileSync(`${famEmpty}.fam`, '\n\n');
    expect(failure(`${famEmpty}.fam`).message).toMatch(/PLINK \.fam file is empty \(no samples\)/);
  });

  it('a sheet: delimiter, header, the ID column readSheet chooses, column types with missing counts, ranges and values, the first rows', () => {
    const path = write(
      dir,
      'pheno.tsv',
      'batch\tsample\tweight\tsex\tstrain\n' +
        'b1\ts1\t20.5\tM\tA/J\n' +
        'b1\ts2\tNA\tF\tC57\n' +
        'b2\ts3\t-9\tF\tC57\n' +
        'b2\ts4\t31\t.\tA/J\n' +
        'b3\ts5\t18\tM\tDBA\n' +
        Array.from({ length: 10 }, (_, k) => `b4\tt${k}\t${k}\tF\tC57\n`).join(''),
    );
    const p = previewFile(path) as SheetPreview;
    const ref = readSheet(path);
    expect(p.kind).toBe('sheet');
    expect(p).toMatchObject({ delimiter: 'tab', headerLine: 1, rows: 15, idColumn: ref.idColumn });
    expect(p.idColumn).toBe('sample');
    expect(p.fidColumn).toBeUndefined();
    expect(p.columns).toEqual([
      { name: 'sample', type: 'id' },
      { name: 'batch', type: 'text', present: 15, missing: 0, distinct: 4, values: [{ value: 'b4', count: 10 }, { value: 'b1', count: 2 }, { value: 'b2', count: 2 }, { value: 'b3', count: 1 }] },
      { name: 'weight', type: 'numeric', present: 13, missing: 2, min: 0, max: 31 },
      { name: 'sex', type: 'text', present: 14, missing: 1, distinct: 2, values: [{ value: 'F', count: 12 }, { value: 'M', count: 2 }] },
      { name: 'strain', type: 'text', present: 15, missing: 0, distinct: 3, values: [{ value: 'C57', count: 12 }, { value: 'A/J', count: 2 }, { value: 'DBA', count: 1 }] },
    ]);
    expect(p.head).toHaveLength(10);
    expect(p.head.slice(0, 4)).toEqual([
      ['s1', 'b1', 20.5, 'M', 'A/J'],
      ['s2', 'b1', null, 'F', 'C57'],
      ['s3', 'b2', null, 'F', 'C57'],
      ['s4', 'b2', 31, null, 'A/J'],
    ]);
  });

  it('a sheet with FID and IID columns, comma-separated; the mouse phenotypes', () => {
    const path = write(dir, 'fid.csv', 'FID,IID,t\nf1,a,1\nf1,b,2\nf2,a,3\n');
    const p = previewFile(path) as SheetPreview;
    expect(p).toMatchObject({ delimiter: 'comma', idColumn: 'IID', fidColumn: 'FID', rows: 3 });
    expect(p.columns.slice(0, 2)).toEqual([
      { name: 'FID', type: 'fid' },
      { name: 'IID', type: 'id' },
    ]);
    expect(p.head).toEqual([
      ['f1', 'a', 1],
      ['f1', 'b', 2],
      ['f2', 'a', 3],
    ]);
    const mouse = previewFile(`${MOUSE}.pheno.csv`) as SheetPreview;
    expect(mouse.rows).toBe(1940);
    const t1 = mouse.columns.find((c) => c.name === 'trait1');
    expect(t1).toMatchObject({ type: 'numeric', present: 1410, missing: 530 });
  });

  it('broken sheets: ragged rows, a header only, an Excel workbook, text in a numeric column', () => {
    const ragged = write(dir, 'ragged.csv', 'IID,a,b\nx,1,2\ny,3\nz,4,5\n');
    const e = failure(ragged);
    expect(e.line).toBe(3);
    expect(e.message).toMatch(/has 2 fields, but the header \(line 1\) has 3 columns/);
    expect(failure(write(dir, 'header.csv', 'IID,a\n')).message).toMatch(/header row but no data rows/);
    expect(failure(write(dir, 'book.xlsx', Buffer.from([0x50, 0x4b, 0x03, 0x04, 0, 0, 8, 0]))).message).toMatch(/zip file.*Excel.*Save it .* as CSV/);
    expect(failure(write(dir, 'mixed.csv', 'IID,w\na,1\nb,2\nc,x\n')).message).toMatch(/column w: 'x' is not a number/);
  });

  it('a kinship matrix: n and the top-left corner, small and large', () => {
    const small = write(dir, 'k.cXX.txt', matrixText(4, (i, j) => (i === j ? 1 : 0.1 * Math.min(i, j) + 0.05)));
    const p = previewFile(small) as KinshipPreview;
    expect(p.kind).toBe('kinship');
    expect(p.n).toBe(4);
    expect(p.corner).toEqual([
      [1, 0.05, 0.05, 0.05],
      [0.05, 1, 0.15, 0.15],
      [0.05, 0.15, 1, 0.25],
      [0.05, 0.15, 0.25, 1],
    ]);
    // 700 x 700 (4 MB): only its first rows are read.
    const big = write(dir, 'big.txt', matrixText(700, (i, j) => (i === j ? 1 : 1 / (1 + i + j))));
    const q = previewFile(big) as KinshipPreview;
    expect(q.n).toBe(700);
    expect(q.corner).toHaveLength(5);
    expect(q.corner[4]).toEqual([1 / 5, 1 / 6, 1 / 7, 1 / 8, 1].map((x) => Number(x.toFixed(8))));
  });

  it('broken matrices: not square, ragged, asymmetric, cut short', () => {
    expect(failure(write(dir, 'rect.txt', '1 0.1 0.2\n0.1 1 0.3\n')).message).toMatch(/has 2 rows of 3 values, so the matrix is not square/);
    expect(failure(write(dir, 'ragged.txt', '1 0.1 0.2\n0.1 1\n0.2 0.3 1\n')).message).toMatch(/line 2: row 2 has 2 values, but the first row has 3/);
    expect(failure(write(dir, 'asym.txt', '1 0.1 0.2\n0.1 1 0.3\n0.9 0.3 1\n')).message).toMatch(/not symmetric: row 3, column 1 is 0.9 but row 1, column 3 is 0.2/);
    const half = matrixText(700, (i, j) => (i === j ? 1 : 0.01)).split('\n').slice(0, 300).join('\n') + '\n';
    expect(failure(write(dir, 'half.txt', half)).message).toMatch(/first row has 700 values, but the file holds about 300 rows/);
  });

  it("numbers only, far from square: GEMMA's header-less phenotype and covariate files are sheets (the BXD files)", () => {
    // 50 rows of 2 numbers: once refused as a non-square kinship; now read as readSheet reads GEMMA's -p / -c files.
    const noHeader = write(dir, 'noheader.txt', Array.from({ length: 50 }, (_, i) => `${i + 1} ${(i * 0.37).toFixed(2)}`).join('\n') + '\n');
    const p = previewFile(noHeader) as SheetPreview;
    expect(p.kind).toBe('sheet');
    expect(p.headerLine).toBe(0);
    expect(p.rows).toBe(50);
    for (const [file, rows, cols] of [
      ['BXD_pheno.txt', 198, 1],
      ['BXD_covariates2.txt', 198, 2],
      ['BXD_covariates.txt', 198, 2],
    ] as const) {
      const q = previewFile(join(BXD, file)) as SheetPreview;
      expect(q.kind, file).toBe('sheet');
      expect(q.headerLine, file).toBe(0);
      expect(q.rows, file).toBe(rows);
      expect(q.columns.filter((c) => c.type === 'numeric'), file).toHaveLength(cols);
      expect(q, file).toMatchObject({ rows: readSheet(join(BXD, file)).ids.length });
    }
  });

  it('files Kinscan does not read: empty, binary, compressed non-genotypes, BCF, PLINK 2 and text sets, a project', () => {
    expect(failure(write(dir, 'empty.txt', '')).message).toMatch(/is empty \(0 bytes\).*Kinscan reads genotypes \(a PLINK binary set/);
    expect(failure(write(dir, 'blank.txt', '\n \n\t\n')).message).toMatch(/is empty \(only blank lines\)/);
    const noise = Uint8Array.from({ length: 4096 }, (_, k) => (k * 7919) % 251);
    expect(failure(write(dir, 'noise.bin', noise)).message).toMatch(/binary file of a kind Kinscan does not read.*Kinscan reads/);
    expect(failure(write(dir, 'pheno.csv.gz', gzipSync('IID,t\na,1\n'))).message).toMatch(/gzip-compressed.*not a genotype file.*gunzip pheno\.csv\.gz/);
    expect(failure(write(dir, 'calls.bcf', Buffer.from('BCF\u0002\u0002rest'))).message).toMatch(/BCF file \(binary VCF\).*bcftools view -Oz -o calls\.vcf\.gz calls\.bcf/);
    expect(failure(write(dir, 'calls2.bcf.gz', gzipSync(Buffer.from('BCF\u0002\u0002rest')))).message).toMatch(/BCF file \(binary VCF\)/);
    // Named a VCF but not one: the VCF reader says what is wrong.
    expect(failure(write(dir, 'not.vcf', 'IID,t\na,1\n')).message).toMatch(/#CHROM/);
    expect(failure(write(dir, 'geno.pgen', Buffer.from([0x6c, 0x1b, 0x10, 0, 0]))).message).toMatch(/PLINK 2 \.pgen file.*plink2 --pfile/);
    expect(failure(write(dir, 'geno.ped', 'f1 a 0 0 1 -9 A G\n')).message).toMatch(/PLINK text set.*plink --file PREFIX --make-bed/);
    expect(failure(write(dir, 'old.kinscan', Buffer.concat([Buffer.from('SQLite format 3\u0000'), Buffer.alloc(100)]))).message).toMatch(/SQLite database \(a Kinscan project\?\)/);
    expect(failure(join(dir, 'nothing-here.csv')).message).toMatch(/not found \(nothing-here\.csv does not exist\)/);
    expect(failure(dir).message).toMatch(/is a folder, not a file/);
  });
});

const BXD = join(import.meta.dirname, '..', 'fixtures', 'bxd');

function copy(from: string, to: string): string {
  copyFileSync(from, to);
  return to;
}
