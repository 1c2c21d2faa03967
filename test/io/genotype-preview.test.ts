/**
 * The preview of genotype files other than PLINK sets (engine/io/genotype-preview.ts, through
 * previewFile): the mouse set converted by plink2 (bgzipped, gzipped and plain VCF, .raw, .traw)
 * and to HapMap by awk, checked against the .bed read by the PLINK reader; BXD's BIMBAM files with
 * and without their annotation; small files for what readers skip, DS dosages, CSV matrices; the
 * sheets that must stay sheets. Only the first batch is read: a file damaged past it previews.
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, truncateSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { InputError } from '../../engine/io/errors.js';
import { LEFT_OUT_SO_FAR, PREVIEW_CALLS, PREVIEW_IDS, PREVIEW_SNPS, type GenotypePreview } from '../../engine/io/genotype-preview.js';
import { openPlink } from '../../engine/io/plink.js';
import { previewFile, type FilePreview } from '../../engine/io/preview.js';
import { tempDir } from '../helpers/tmp.js';
import { vcfText } from './vcf-helpers.js';

const MOUSE = join(import.meta.dirname, '../../resources/example/mouse_hs1940');
const BXD = join(import.meta.dirname, '../fixtures/bxd');

const dir = tempDir('kinscan-genopreview-');
const plink2 = (...args: string[]): void => void execFileSync('plink2', ['--silent', '--bfile', MOUSE, '--chr', '1-2', ...args], { stdio: 'pipe' });
plink2('--export', 'vcf', 'bgz', 'id-paste=iid', '--out', join(dir, 'm'));
plink2('--export', 'vcf', 'id-paste=iid', '--out', join(dir, 'plain'));
plink2('--export', 'A', 'A-transpose', '--out', join(dir, 'm'));
writeFileSync(join(dir, 'gz.vcf.gz'), gzipSync(readFileSync(join(dir, 'plain.vcf'))));

const mouse = openPlink(MOUSE);
const N = mouse.fam.iid.length;
const bps = mouse.bed.bytesPerSnp;
const bed = new Uint8Array(mouse.bim.rs.length * bps);
mouse.bed.readPacked(0, mouse.bim.rs.length, bed);
mouse.bed.close();
const bimIndex = new Map(mouse.bim.rs.map((rs, i) => [rs, i]));
/** SNPs of chromosomes 1 and 2 that plink2 exports (it leaves out position -9). */
const chr12 = mouse.bim.rs.filter((_, i) => (mouse.bim.chr[i] === '1' || mouse.bim.chr[i] === '2') && mouse.bim.pos[i]! >= 0);

function genotypes(p: FilePreview): GenotypePreview {
  expect(p.kind).toBe('genotypes');
  return p as GenotypePreview;
}

/** The preview's SNPs are the .bim's first chromosome-1 SNPs, and its calls the .bed's (counting the preview's allele1). */
function expectMouseSnps(p: GenotypePreview, placed = true): void {
  expect(p.individuals).toBe(N);
  expect(p.sampleIds).toEqual(mouse.fam.iid.slice(0, PREVIEW_IDS));
  expect(p.snps.map((s) => s.rs)).toEqual(chr12.slice(0, PREVIEW_SNPS));
  for (const s of p.snps) {
    const i = bimIndex.get(s.rs)!;
    if (placed) expect([s.chr, s.pos]).toEqual([mouse.bim.chr[i], mouse.bim.pos[i]]);
    const a1 = mouse.bim.allele1[i]!;
    const a0 = mouse.bim.allele0[i]!;
    // A .raw names only the counted allele ('0' for the other); a monomorphic .bim SNP may name both alleles alike (HapMap: allele1 '0').
    if (s.allele0 !== '0' && a1 !== a0) expect([s.allele1, s.allele0].sort()).toEqual([a1, a0].sort());
    else expect([a1, a0, '0']).toContain(s.allele1);
    const bedCalls = (flip: boolean): (number | null)[] =>
      Array.from({ length: PREVIEW_CALLS }, (_, j) => {
        const c = [2, null, 1, 0][(bed[i * bps + (j >> 2)]! >> ((j & 3) * 2)) & 3]!;
        return c === null ? null : flip ? 2 - c : c;
      });
    // Alike alleles do not tell which one a converted file counts: either way round then.
    if (a1 === a0) expect([bedCalls(false), bedCalls(true)], s.rs).toContainEqual(s.calls);
    else expect(s.calls, s.rs).toEqual(bedCalls(s.allele1 !== a1));
  }
}

describe('genotype previews of the mouse set converted by plink2', () => {
  it('a bgzipped VCF: format, compression, individuals, first SNPs and calls; its SNPs counted when added', () => {
    const p = genotypes(previewFile(join(dir, 'm.vcf.gz')));
    expect(p).toMatchObject({ format: 'vcf', compression: 'bgzf', layout: null, plinkExport: null, dosages: false, dosageOption: false, annotation: 'not-needed' });
    expect(p.snpCount).toBeNull();
    expect(p.complete).toBe(false);
    expect(p.skipped).toEqual([]);
    expectMouseSnps(p);
  });

  it('the same VCF plain and gzip-compressed previews alike', () => {
    const bgz = genotypes(previewFile(join(dir, 'm.vcf.gz')));
    for (const [file, compression] of [['plain.vcf', 'none'], ['gz.vcf.gz', 'gzip']] as const) {
      const p = genotypes(previewFile(join(dir, file)));
      expect(p.compression).toBe(compression);
      expect({ ...p, path: '', compression: '' }).toEqual({ ...bgz, path: '', compression: '' });
    }
  });

  it('only the first batch is read: a bgzipped VCF cut short far past it still previews', () => {
    const cut = join(dir, 'cut.vcf.gz');
    writeFileSync(cut, readFileSync(join(dir, 'm.vcf.gz')));
    // The first batch (1,024 of 1,668 SNPs) ends at about 61% of the records.
    truncateSync(cut, Math.floor(statSync(cut).size * 0.85));
    expectMouseSnps(genotypes(previewFile(cut)));
  });

  it('.raw: samples as rows, SNP count known, no positions so a map file is wanted; with the .bim as map, placed', () => {
    const p = genotypes(previewFile(join(dir, 'm.raw')));
    expect(p).toMatchObject({ format: 'matrix', layout: 'samples-as-rows', plinkExport: 'raw', annotation: 'expected', snpCount: chr12.length });
    expect(p.snps.every((s) => s.chr === '0' && s.pos === 0)).toBe(true);
    expectMouseSnps(p, false);
    const q = genotypes(previewFile(join(dir, 'm.raw'), { anno: `${MOUSE}.bim` }));
    expect(q.annotation).toBe('given');
    expectMouseSnps(q);
  });

  it('.traw: samples as columns, placed by its own columns', () => {
    const p = genotypes(previewFile(join(dir, 'm.traw')));
    expect(p).toMatchObject({ format: 'matrix', layout: 'samples-as-columns', plinkExport: 'traw', annotation: 'not-needed', snpCount: null });
    // .traw names samples FID_IID.
    expect(p.sampleIds).toEqual(mouse.fam.iid.slice(0, PREVIEW_IDS).map((iid, j) => `${mouse.fam.fid[j]}_${iid}`));
    expectMouseSnps({ ...p, sampleIds: mouse.fam.iid.slice(0, PREVIEW_IDS) });
  });

  it('HapMap (the VCF turned into HapMap by awk): two-letter calls, placed', () => {
    const hmp = join(dir, 'm.hmp.txt');
    const awk = `BEGIN { FS = "\\t"; OFS = "\\t" }
      /^##/ { next }
      /^#CHROM/ { h = "rs#\\talleles\\tchrom\\tpos\\tstrand\\tassembly#\\tcenter\\tprotLSID\\tassayLSID\\tpanelLSID\\tQCcode"; for (i = 10; i <= NF; i++) h = h "\\t" $i; print h; next }
      { g = $0; for (k = 0; k < 9; k++) g = substr(g, index(g, "\\t") + 1); x = $4; y = $5;
        gsub(/0\\/0/, x x, g); gsub(/0\\/1/, x y, g); gsub(/1\\/1/, y y, g); gsub(/\\.\\/\\./, "NN", g);
        print $3, x "/" y, $1, $2, "+", "NA", "NA", "NA", "NA", "NA", "NA", g }`;
    writeFileSync(join(dir, 'hmp.awk'), awk);
    execFileSync('sh', ['-c', `awk -f "${join(dir, 'hmp.awk')}" "${join(dir, 'plain.vcf')}" > "${hmp}"`]);
    const p = genotypes(previewFile(hmp));
    expect(p).toMatchObject({ format: 'hapmap', compression: 'none', annotation: 'not-needed', dosageOption: false });
    expectMouseSnps(p);
  });

  it('previews close every file they open (the sentinel stops the readers; their finally blocks close)', () => {
    const open = (): number => readdirSync('/proc/self/fd').length;
    const before = open();
    for (let k = 0; k < 2; k++) {
      for (const f of ['m.vcf.gz', 'plain.vcf', 'gz.vcf.gz', 'm.raw', 'm.traw']) previewFile(join(dir, f));
    }
    expect(open()).toBe(before);
  });
});

describe('BXD: BIMBAM mean genotypes with and without their annotation', () => {
  const geno = join(BXD, 'BXD_geno.txt.gz');
  const lines = gunzipSync(readFileSync(geno)).toString('utf8').split('\n').filter((l) => l.trim() !== '');
  const annoLines = gunzipSync(readFileSync(join(BXD, 'BXD_snps.txt.gz'))).toString('utf8').split('\n').filter((l) => l.trim() !== '');

  it('without the annotation: dosages, samples named by row number, an annotation file wanted, count unknown', () => {
    const p = genotypes(previewFile(geno));
    expect(p).toMatchObject({ format: 'bimbam', compression: 'gzip', dosages: true, dosageOption: false, annotation: 'expected', snpCount: null, complete: false });
    const n = lines[0]!.split(/[ ,\t]+/).filter((t) => t !== '').length - 3;
    expect(p.individuals).toBe(n);
    expect(p.sampleIds).toEqual(Array.from({ length: PREVIEW_IDS }, (_, j) => String(j + 1)));
    p.snps.forEach((s, k) => {
      const t = lines[k]!.split(/[ ,\t]+/).filter((x) => x !== '');
      expect([s.rs, s.allele1, s.allele0, s.chr, s.pos, s.line]).toEqual([t[0], t[1], t[2], '0', 0, k + 1]);
      expect(s.calls).toEqual(t.slice(3, 3 + PREVIEW_CALLS).map((v) => (v === 'NA' ? null : Number(v))));
    });
  });

  it('with BXD_snps.txt.gz: placed as the annotation says, the SNP count from it', () => {
    const p = genotypes(previewFile(geno, { anno: join(BXD, 'BXD_snps.txt.gz') }));
    const place = new Map(annoLines.map((l) => l.split(/\s+/)).map(([rs, pos, chr]) => [rs!, { chr: chr!, pos: Number(pos) }]));
    expect(p.annotation).toBe('given');
    expect(p.snpCount).toBe(place.size);
    for (const s of p.snps) expect({ chr: s.chr, pos: s.pos }).toEqual(place.get(s.rs));
  });
});

describe('small files: what readers skip, DS dosages, CSV matrices', () => {
  const samples = ['s1', 's2', 's3'];
  const rec = (pos: number, ref: string, alt: string, calls: string[], format = 'GT'): string[] => ['1', String(pos), `r${pos}`, ref, alt, '.', 'PASS', '.', format, ...calls];

  it('a VCF read whole: the reader\'s skipped SNPs by reason, its warnings', () => {
    const path = join(dir, 'small.vcf');
    writeFileSync(
      path,
      vcfText(samples, [rec(100, 'A', 'G', ['0/0', '0/1', '1/1']), rec(200, 'A', 'G,T', ['0/1', '0/2', '1/1']), rec(300, 'AT', 'A', ['0/0', '0/1', '0/0']), rec(400, 'C', 'T', ['0', './1', '1/1'])]),
    );
    const p = genotypes(previewFile(path));
    expect(p.complete).toBe(true);
    expect(p.snpCount).toBe(2);
    expect(p.snps.map((s) => [s.rs, s.calls])).toEqual([
      ['r100', [0, 1, 2]],
      ['r400', [0, null, 2]],
    ]);
    expect(p.skipped.map((s) => [s.count, s.examples.map((e) => e.line)])).toEqual([
      [1, [4]],
      [1, [5]],
    ]);
    expect(p.skipped.map((s) => s.reason).join(' ')).toMatch(/multi-allelic.*indel|indel.*multi-allelic/);
    expect(p.warnings.join(' ')).toMatch(/haploid/);
  });

  it('a longer VCF: records left out before the first batch ends are counted, their reasons at import', () => {
    const records: string[][] = [];
    let multi = 0;
    let delivered = 0;
    let deliveredWhenFull = -1;
    for (let k = 1; k <= 1500; k++) {
      const m = k % 7 === 0;
      records.push(rec(k * 10, 'A', m ? 'G,C' : 'G', ['0/0', '0/1', '1/1']));
      if (m) {
        if (deliveredWhenFull < 0) multi++;
      } else if (++delivered === 1024) deliveredWhenFull = k;
    }
    const path = join(dir, 'long.vcf');
    writeFileSync(path, vcfText(samples, records));
    const p = genotypes(previewFile(path));
    expect(p.complete).toBe(false);
    expect(p.skipped).toHaveLength(1);
    expect(p.skipped[0]!.reason).toBe(LEFT_OUT_SO_FAR);
    expect(p.skipped[0]!.count).toBe(multi);
    // The 7th record is on line 2 (##fileformat) + 7.
    expect(p.skipped[0]!.examples[0]!.line).toBe(9);
  });

  it('a VCF with DS in its FORMAT: the DS option offered; asked, the calls shown are the dosages', () => {
    const path = join(dir, 'ds.vcf.gz');
    const meta = ['##fileformat=VCFv4.2', '##FORMAT=<ID=GT,Number=1,Type=String,Description="Genotype">', '##FORMAT=<ID=DS,Number=A,Type=Float,Description="Dosage">'];
    writeFileSync(path, gzipSync(vcfText(samples, [rec(100, 'A', 'G', ['0/0:0.1', '0/1:0.95', '1/1:1.8'], 'GT:DS')], meta)));
    const gt = genotypes(previewFile(path));
    expect(gt).toMatchObject({ dosageOption: true, dosages: false });
    expect(gt.snps[0]!.calls).toEqual([0, 1, 2]);
    const ds = genotypes(previewFile(path, { dosage: true }));
    expect(ds).toMatchObject({ dosageOption: true, dosages: true });
    expect(ds.snps[0]!.calls).toEqual([0.1, 0.95, 1.8]);
  });

  it('CSV matrices: letters with samples as rows (placed by their names), counts with SNPs as rows (a map wanted)', () => {
    const letters = ['sample,1:100,1:200,2:300,2:400,3:500', 'a,AG,AA,CC,TT,GG', 'b,GG,AG,CT,TT,GA', 'c,AA,GG,TT,CT,NN'].join('\n') + '\n';
    const p = genotypes(previewFile(writeAndReturn('letters.csv', letters)));
    expect(p).toMatchObject({ format: 'matrix', layout: 'samples-as-rows', annotation: 'not-needed', individuals: 3, sampleIds: ['a', 'b', 'c'], complete: true, snpCount: 5 });
    expect(p.snps.map((s) => [s.chr, s.pos])).toEqual([
      ['1', 100],
      ['1', 200],
      ['2', 300],
      ['2', 400],
      ['3', 500],
    ]);
    const counts = ['SNP\ts1\ts2\ts3\ts4\ts5', 'snpA\t0\t1\t2\t1\t0', 'snpB\t2\t2\t1\tNA\t0'].join('\n') + '\n';
    const q = genotypes(previewFile(writeAndReturn('counts.tsv', counts)));
    expect(q).toMatchObject({ layout: 'samples-as-columns', annotation: 'expected', individuals: 5 });
    expect(q.snps.map((s) => s.calls)).toEqual([
      [0, 1, 2, 1, 0],
      [2, 2, 1, null, 0],
    ]);
  });

  it('sheets stay sheets: the mouse phenotypes, a few 0/1 columns, dummy covariates; 0/1 columns named as SNPs are a matrix', () => {
    expect(previewFile(`${MOUSE}.pheno.csv`).kind).toBe('sheet');
    expect(previewFile(writeAndReturn('few.csv', 'IID,sex,treated,weight\na,0,1,20.5\nb,1,0,21\nc,1,1,19\n')).kind).toBe('sheet');
    const dummies = ['IID,batch1,batch2,batch3,batch4,batch5', 'a,1,0,0,0,0', 'b,0,1,0,0,0', 'c,0,0,1,0,0', 'd,0,0,0,1,1'].join('\n') + '\n';
    expect(previewFile(writeAndReturn('dummies.csv', dummies)).kind).toBe('sheet');
    expect(previewFile(writeAndReturn('snps01.csv', dummies.replace(/batch(\d)/g, 'rs10$1'))).kind).toBe('genotypes');
    for (const f of ['BXD_pheno.txt', 'BXD_covariates.txt', 'BXD_covariates2.txt']) expect(previewFile(join(BXD, f)).kind, f).toBe('sheet');
  });
});

function writeAndReturn(name: string, content: string): string {
  const p = join(dir, name);
  writeFileSync(p, content);
  return p;
}

describe('previews of damaged genotype files: only InputErrors, never another exception', () => {
  const valid = [
    vcfText(['s1', 's2'], [['1', '100', 'rs1', 'A', 'G', '.', 'PASS', '.', 'GT:DS', '0/1:1.0', '1/1:2.0']], ['##fileformat=VCFv4.2', '##FORMAT=<ID=DS,Number=A,Type=Float,Description="d">']),
    'rs1, A, G, 0, 1, 2, 0.5, NA\nrs2, C, T, 1, 1, 0, 2, 1\n',
    'sample,rs1,rs2,rs3,rs4,rs5\na,0,1,2,1,0\nb,2,2,1,0,NA\n',
    'rs#\talleles\tchrom\tpos\tstrand\tassembly#\tcenter\tprotLSID\tassayLSID\tpanelLSID\tQCcode\tS1\tS2\nm1\tA/G\t1\t100\t+\tNA\tNA\tNA\tNA\tNA\tNA\tAA\tAG\n',
  ];
  let k = 0;
  const preview = (content: string | Uint8Array, name: string, dosage: boolean): void => {
    const path = join(dir, `fuzz-${k++ % 8}-${name}`);
    writeFileSync(path, content);
    try {
      previewFile(path, dosage ? { dosage: true } : {});
    } catch (e) {
      if (!(e instanceof InputError)) throw e;
    }
  };

  it('random mutations of valid VCF, BIMBAM, matrix and HapMap texts, plain and gzip-compressed', () => {
    const edit = fc.record({ at: fc.nat(), cut: fc.nat({ max: 4 }), put: fc.constantFrom('', '\t', ',', '\n', '#', 'G,T', '.', '/', 'NA', 'x', '\u0000', '##fileformat=VCFv4.2\n', '9') });
    fc.assert(
      fc.property(fc.nat({ max: valid.length - 1 }), fc.array(edit, { minLength: 1, maxLength: 5 }), fc.boolean(), fc.boolean(), (which, edits, gz, dosage) => {
        let t = valid[which]!;
        for (const e of edits) {
          const at = e.at % (t.length + 1);
          t = t.slice(0, at) + e.put + t.slice(at + e.cut);
        }
        preview(gz ? gzipSync(t) : t, gz ? 'g.txt.gz' : 'g.txt', dosage);
      }),
      { numRuns: 400 },
    );
  });

  it('random bytes, and valid gzip members cut short', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 300 }), (b) => preview(b, 'bytes.vcf.gz', false)), { numRuns: 200 });
    const gz = gzipSync(valid[0]!);
    fc.assert(fc.property(fc.nat({ max: gz.length - 1 }), (n) => preview(gz.subarray(0, n + 1), 'cut.vcf.gz', false)), { numRuns: 100 });
  });
});
