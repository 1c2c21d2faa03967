/**
 * Genotype files other than PLINK through the dispatcher: data.preview and data.addGenotypes with a
 * bgzipped VCF (the mouse set's chromosomes 1-2 by plink2) and BXD's BIMBAM files with their
 * annotation; the dataset's format and dosage flag, the import's skipped SNPs and warnings; the
 * files root held for the annotation too.
 */
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, expect, test } from 'vitest';
import type { ErrorInfo } from '../../engine/protocol/api.js';
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
