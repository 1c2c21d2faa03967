/**
 * Genotype files other than PLINK through the dispatcher: data.preview and data.addGenotypes with a
 * bgzipped VCF (the mouse set's chromosomes 1-2 by plink2) and BXD's BIMBAM files with their
 * annotation; the dataset's format and dosage flag, the import's skipped SNPs and warnings; the
 * files root held for the annotation too; the importProgress events of an import (a VCF with
 * 60,000 SNPs, one out of order, so both stages are seen).
 */
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, expect, test } from 'vitest';
import type { ErrorInfo, ImportProgressEvent, KinscanEvent } from '../../engine/protocol/api.js';
import { tempDir } from '../helpers/tmp.js';
import { MOUSE } from '../store/helpers.js';
import { harness, type Harness } from './helpers.js';

const BXD = join(import.meta.dirname, '../fixtures/bxd');
const root = tempDir('kinscan-svc-geno-');
const outside = tempDir('kinscan-svc-geno-out-');
const data = join(root, 'data');
let h: Harness;

async function refusal(p: Promise<unknown>): Promise<ErrorInfo> {
  try {
    await p;
  } catch (e) {
    return e as ErrorInfo;
  }
  throw new Error('the call did not fail');
}

const lines = (text: string): string[] => text.split('\n').filter((l) => l.trim() !== '');

beforeAll(async () => {
  mkdirSync(data, { recursive: true });
  execFileSync('plink2', ['--silent', '--bfile', MOUSE, '--chr', '1-2', '--export', 'vcf', 'bgz', 'id-paste=iid', '--out', join(data, 'mice')], { stdio: 'pipe' });
  for (const f of ['BXD_geno.txt.gz', 'BXD_snps.txt.gz']) copyFileSync(join(BXD, f), join(data, f));
  copyFileSync(join(BXD, 'BXD_snps.txt.gz'), join(outside, 'BXD_snps.txt.gz'));
  h = harness(root);
  await h.api.call('project.create', { path: 'geno.kinscan' });
});

afterAll(async () => {
  await h?.close();
});

test('a bgzipped VCF: previewed as genotypes, added as a VCF dataset with what its reader said', async () => {
  const preview = await h.api.call('data.preview', { path: 'data/mice.vcf.gz' });
  expect(preview).toMatchObject({ kind: 'genotypes', format: 'vcf', compression: 'bgzf', individuals: 1940, annotation: 'not-needed', dosageOption: false });
  const records = lines(gunzipSync(readFileSync(join(data, 'mice.vcf.gz'))).toString('utf8')).filter((l) => !l.startsWith('#'));
  const r = await h.api.call('data.addGenotypes', { path: 'data/mice.vcf.gz' });
  expect(r).toMatchObject({ created: true, dataset: { name: 'mice.vcf.gz', format: 'vcf', dosage: false, nSamples: 1940, nSnps: records.length }, skipped: [], warnings: [] });
  // Once per content: the same file again is the same dataset, with the same summary.
  const again = await h.api.call('data.addGenotypes', { path: join(data, 'mice.vcf.gz') });
  expect(again).toMatchObject({ created: false, dataset: { id: r.dataset.id }, skipped: [], warnings: [] });
  // A VCF carries its positions and has no DS here: neither option is taken.
  expect((await refusal(h.api.call('data.addGenotypes', { path: 'data/mice.vcf.gz', anno: 'data/BXD_snps.txt.gz' }))).message).toMatch(/takes no annotation file/);
});

test('BIMBAM: without the annotation a warning says the SNPs are unplaced; with it, placed; dosages kept', async () => {
  const genoLines = lines(gunzipSync(readFileSync(join(data, 'BXD_geno.txt.gz'))).toString('utf8'));
  const preview = await h.api.call('data.preview', { path: 'data/BXD_geno.txt.gz' });
  expect(preview).toMatchObject({ kind: 'genotypes', format: 'bimbam', annotation: 'expected', dosages: true });
  const withAnno = await h.api.call('data.preview', { path: 'data/BXD_geno.txt.gz', anno: 'data/BXD_snps.txt.gz' });
  expect(withAnno).toMatchObject({ kind: 'genotypes', annotation: 'given' });
  if (withAnno.kind !== 'genotypes') throw new Error('not genotypes');
  expect(withAnno.snps.some((s) => s.pos > 0)).toBe(true);

  const placed = await h.api.call('data.addGenotypes', { path: 'data/BXD_geno.txt.gz', anno: 'data/BXD_snps.txt.gz' });
  expect(placed).toMatchObject({ created: true, dataset: { format: 'bimbam', dosage: true, nSamples: 198, nSnps: genoLines.length }, skipped: [] });
  expect(placed.warnings.join(' ')).not.toMatch(/no SNP annotation file given/);
  const unplaced = await h.api.call('data.addGenotypes', { path: 'data/BXD_geno.txt.gz' });
  expect(unplaced.created).toBe(true);
  expect(unplaced.dataset.id).not.toBe(placed.dataset.id);
  expect(unplaced.warnings.join(' ')).toMatch(/no SNP annotation file given/);

  const list = await h.api.call('data.list', {});
  expect(list.datasets.map((d) => [d.format, d.dosage])).toEqual([
    ['vcf', false],
    ['bimbam', true],
    ['bimbam', true],
  ]);
});

test('the annotation is held to the files root; options a format cannot take are refused in words', async () => {
  for (const call of [
    h.api.call('data.addGenotypes', { path: 'data/BXD_geno.txt.gz', anno: join(outside, 'BXD_snps.txt.gz') }),
    h.api.call('data.preview', { path: 'data/BXD_geno.txt.gz', anno: join(outside, 'BXD_snps.txt.gz') }),
  ]) {
    const e = await refusal(call);
    expect(e.code).toBe('input');
    expect(e.message).toMatch(/outside the folder/);
  }
  expect((await refusal(h.api.call('data.addGenotypes', { path: 'data/BXD_geno.txt.gz', dosage: true }))).hint).toMatch(/BIMBAM genotypes are dosages already/);
  // The old PLINK-only parameter is gone.
  expect((await refusal(h.api.call('data.addGenotypes', { prefix: 'data/mice' } as never))).code).toBe('invalid-params');
  expect((await h.api.call('project.info', {})).datasets).toHaveLength(3);
});

/** A VCF of `m` SNPs over 8 samples on chromosomes 1 and 2, with SNP `swap` and the next in the wrong order of position. */
function simulatedVcf(m: number, swap: number): string {
  const rows: string[] = [];
  let state = 12345;
  const call = (): string => {
    state = (Math.imul(state, 1103515245) + 12345) >>> 0;
    return ['0/0', '0/1', '1/1', '0/1'][state >>> 30]!;
  };
  for (let j = 0; j < m; j++) {
    const chr = j < m / 2 ? 1 : 2;
    const pos = 1000 + 100 * (j < m / 2 ? j : j - m / 2);
    rows.push([chr, pos, `snp${j}`, 'A', 'G', '.', 'PASS', '.', 'GT', ...Array.from({ length: 8 }, call)].join('\t'));
  }
  [rows[swap], rows[swap + 1]] = [rows[swap + 1]!, rows[swap]!];
  return [
    '##fileformat=VCFv4.2',
    '##FORMAT=<ID=GT,Number=1,Type=String,Description="Genotype">',
    ['#CHROM', 'POS', 'ID', 'REF', 'ALT', 'QUAL', 'FILTER', 'INFO', 'FORMAT', ...Array.from({ length: 8 }, (_, i) => `s${i + 1}`)].join('\t'),
    ...rows,
    '',
  ].join('\n');
}

test('an import says how far it has come: reading, then sorting, each to the end, all before the answer', async () => {
  const m = 60_000;
  writeFileSync(join(data, 'progress.vcf'), simulatedVcf(m, 40_000));
  const since = h.events.length;
  let answeredAt = -1;
  const r = await h.api.call('data.addGenotypes', { path: 'data/progress.vcf' }).finally(() => (answeredAt = h.events.length));
  expect(r.dataset.nSnps).toBe(m);
  expect(r.warnings.join(' ')).toMatch(/were sorted/);
  const seen = h.events.slice(since, answeredAt).filter((e: KinscanEvent): e is ImportProgressEvent => e.type === 'importProgress');
  expect(seen.every((e) => e.path === 'data/progress.vcf')).toBe(true);
  expect(seen[0]).toEqual({ type: 'importProgress', path: 'data/progress.vcf', stage: 'reading', fraction: 0, snps: 0 });
  const reading = seen.filter((e) => e.stage === 'reading');
  const sorting = seen.filter((e) => e.stage === 'sorting');
  // Reading first, then sorting; within a stage nothing goes back.
  expect(seen.map((e) => e.stage)).toEqual([...reading.map(() => 'reading'), ...sorting.map(() => 'sorting')]);
  for (const stage of [reading, sorting]) {
    for (let k = 1; k < stage.length; k++) {
      expect(stage[k]!.fraction!).toBeGreaterThanOrEqual(stage[k - 1]!.fraction!);
      expect(stage[k]!.snps).toBeGreaterThanOrEqual(stage[k - 1]!.snps);
    }
  }
  // The VCF reader counts bytes of the file: its last word is the whole file, every SNP read.
  expect(statSync(join(data, 'progress.vcf')).size).toBeGreaterThan(1 << 20);
  expect(reading.at(-1)).toMatchObject({ fraction: 1, snps: m });
  // The swap at SNP 40,000 sent the import to its sort: every SNP placed, with the count known.
  expect(sorting.length).toBeGreaterThanOrEqual(2);
  expect(sorting.at(-1)).toMatchObject({ fraction: 1, snps: m });
  expect(sorting.every((e) => e.snps === m)).toBe(true);
  // The same file again is found by its hash: the start is said, nothing else.
  const since2 = h.events.length;
  await h.api.call('data.addGenotypes', { path: 'data/progress.vcf' });
  expect(h.events.slice(since2).filter((e) => e.type === 'importProgress')).toEqual([seen[0]]);
});
