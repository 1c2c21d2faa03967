/**
 * VCFs written by plink2 (apt's plink2, run at test time) read back exactly: the bundled mouse set
 * as bgzipped and plain VCF against its own .bed, a --dummy set with missing calls, and DS dosages
 * against plink2's own --export A values.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadPacked, openPlink, type PlinkSet } from '../../engine/io/plink.js';
import { inputError, makeTmp } from './tmp.js';
import { bgzip, countAt, readVcf } from './vcf-helpers.js';

const MOUSE = join(import.meta.dirname, '../../resources/example/mouse_hs1940');
const tmp = makeTmp('vcf-corpus');
afterAll(() => { tmp.cleanup(); });

function plink2(...args: string[]): void {
  const r = spawnSync('plink2', [...args, '--threads', '1'], { cwd: tmp.dir, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`plink2 ${args.join(' ')} failed: ${r.stdout}\n${r.stderr}`);
}

/** The .bed SNP i's codes equal the VCF SNP k's, byte for byte (padding bits zero in both). */
function sameCodes(bed: Uint8Array, i: number, vcf: Uint8Array, k: number, bps: number): boolean {
  for (let x = 0; x < bps; x++) if (bed[i * bps + x] !== vcf[k * bps + x]) return false;
  return true;
}

function expectSameAsBed(set: PlinkSet, vcfPath: string): void {
  const bed = loadPacked(set.bed);
  const v = readVcf(vcfPath, { batchSnps: 777 });
  expect(v.iid).toEqual(set.fam.iid);
  // plink2 leaves out variants with a negative position (mouse has 1,926 at -9).
  const kept = set.bim.pos.reduce<number[]>((a, p, i) => (p >= 0 ? (a.push(i), a) : a), []);
  expect(v.snps.length).toBe(kept.length);
  expect(v.summary).toEqual({ snps: kept.length, skipped: [], warnings: [] });
  const bps = set.bed.bytesPerSnp;
  let differ = 0;
  kept.forEach((i, k) => {
    const s = v.snps[k]!;
    expect([s.chr, s.rs, s.pos]).toEqual([set.bim.chr[i], set.bim.rs[i], set.bim.pos[i]]);
    // plink2 writes the .bim's allele1 (column 5) as ALT, so codes count the same allele: no flip.
    expect([s.allele1, s.allele0]).toEqual([set.bim.allele1[i], set.bim.allele0[i]]);
    if (!sameCodes(bed, i, v.packed, k, bps)) differ++;
  });
  expect(differ).toBe(0);
}

describe('mouse_hs1940 exported by plink2', () => {
  const set = openPlink(MOUSE);
  afterAll(() => { set.bed.close(); });
  beforeAll(() => {
    plink2('--bfile', MOUSE, '--export', 'vcf', 'bgz', 'id-paste=iid', '--out', 'mouse');
    plink2('--bfile', MOUSE, '--export', 'vcf', 'id-paste=iid', '--out', 'mouse-plain');
  });

  it('bgzipped VCF gives the .bed codes of every SNP and sample', () => {
    expect(readFileSync(join(tmp.dir, 'mouse.vcf.gz')).subarray(12, 14).toString()).toBe('BC');
    expectSameAsBed(set, join(tmp.dir, 'mouse.vcf.gz'));
  });

  it('plain VCF gives the same', () => {
    expectSameAsBed(set, join(tmp.dir, 'mouse-plain.vcf'));
  });

  it('cut short (inflated on the helper thread): an InputError naming the file and the line it stopped at', () => {
    const whole = readFileSync(join(tmp.dir, 'mouse.vcf.gz'));
    const p = tmp.file('mouse-cut.vcf.gz', whole.subarray(0, Math.floor(whole.length * 0.8)));
    const e = inputError(() => readVcf(p));
    expect(e.message).toContain(p);
    expect(e.message).toContain('damaged or cut short');
    expect(e.line).toBeGreaterThan(1000);
    expect(e.message).toContain(`line ${e.line}`);
  });

  it('a bad record early in a big file stops the read (and its helper thread) at once', () => {
    const text = gunzipSync(readFileSync(join(tmp.dir, 'mouse.vcf.gz'))).toString('latin1');
    const at = text.indexOf('\n1\t', text.indexOf('#CHROM')) + 1;
    const bad = text.slice(0, at) + text.slice(at).replace('0/1', '0/7');
    const p = tmp.file('mouse-bad.vcf.gz', bgzip(Buffer.from(bad, 'latin1')));
    for (let k = 0; k < 3; k++) {
      const e = inputError(() => readVcf(p));
      expect(e.message).toContain("has GT '0/7'");
    }
  });
});

describe('plink2 --dummy with missing calls (odd sample count: padding bits)', () => {
  beforeAll(() => {
    plink2('--dummy', '37', '500', '0.1', 'acgt', '--seed', '11', '--make-bed', '--out', 'dummy');
    plink2('--bfile', 'dummy', '--export', 'vcf', 'bgz', '--out', 'dummy');
  });

  it('reads the .bed codes, missing included', () => {
    const set = openPlink(join(tmp.dir, 'dummy'));
    try {
      const bed = loadPacked(set.bed);
      let missing = 0;
      for (let i = 0; i < 500; i++) for (let j = 0; j < 37; j++) if (countAt(bed, set.bed.bytesPerSnp, i, j) < 0) missing++;
      expect(missing).toBeGreaterThan(500 * 37 * 0.05);
      expectSameAsBed(set, join(tmp.dir, 'dummy.vcf.gz'));
    } finally {
      set.bed.close();
    }
  });
});

describe('DS dosages against plink2 --export A', () => {
  const n = 13;
  const m = 120;
  beforeAll(() => {
    plink2('--dummy', String(n), String(m), '0.1', 'acgt', 'dosage-freq=0.5', '--seed', '5', '--make-pgen', '--out', 'dos');
    plink2('--pfile', 'dos', '--export', 'vcf', 'vcf-dosage=DS', '--out', 'dos');
    plink2('--pfile', 'dos', '--export', 'A', '--out', 'dos');
  });

  it('gives plink2s dosages (and their rounded codes) for every SNP and sample', () => {
    const v = readVcf(join(tmp.dir, 'dos.vcf'), { dosage: true, batchSnps: 50 });
    expect(v.snps.length).toBe(m);
    const raw = readFileSync(join(tmp.dir, 'dos.raw'), 'utf8').trim().split('\n').map((l) => l.split('\t'));
    const head = raw[0]!;
    let fractional = 0;
    let missing = 0;
    const bps = (n + 3) >> 2;
    for (let i = 0; i < m; i++) {
      const s = v.snps[i]!;
      // .raw columns are ID_countedallele; count ALT either way.
      const [id, counted] = [head[6 + i]!.slice(0, head[6 + i]!.lastIndexOf('_')), head[6 + i]!.slice(head[6 + i]!.lastIndexOf('_') + 1)];
      expect(id).toBe(s.rs);
      expect([s.allele1, s.allele0]).toContain(counted);
      for (let j = 0; j < n; j++) {
        const cell = raw[1 + j]![6 + i]!;
        const d = v.dosage![i * n + j]!;
        const code = countAt(v.packed, bps, i, j);
        if (cell === 'NA') {
          expect(d).toBeNaN();
          expect(code).toBe(-1);
          missing++;
          continue;
        }
        const alt = counted === s.allele1 ? Number(cell) : 2 - Number(cell);
        expect(Math.abs(d - alt)).toBeLessThan(1e-4);
        expect(code).toBe(d < 0.5 ? 0 : d < 1.5 ? 1 : 2);
        if (d !== Math.round(d)) fractional++;
      }
    }
    expect(fractional).toBeGreaterThan(100);
    expect(missing).toBeGreaterThan(20);
  });
});
