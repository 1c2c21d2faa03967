/**
 * `kinscan scan` and `kinscan import` with every sheet source (the built CLI, bin/kinscan.js: run
 * `npm run build:engine` first): no --pheno (the .fam's phenotypes), an .xlsx worksheet by --sheet,
 * GEMMA's headerless --covar (every column a covariate), and the notes the readers state.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import writeXlsxFile from 'write-excel-file/node';
import { describe, expect, it } from 'vitest';
import { readSheet } from '../engine/io/sheet.js';
import { tempDir } from './helpers/tmp.js';
import { copySet, simulatedSet } from './store/helpers.js';

const cli = join(import.meta.dirname, '..', 'bin', 'kinscan.js');
const run = (args: string[]): { code: number | null; stderr: string } => {
  const r = spawnSync('node', [cli, ...args], { encoding: 'utf8' });
  return { code: r.status, stderr: r.stderr };
};

describe('kinscan scan and import with sheets from every source', () => {
  const dir = tempDir('kinscan-cli-sheets-');
  const set = simulatedSet(dir, 'sim', 60, 250, 9);
  const t1 = readSheet(set.pheno).values.get('t1')!;
  const fam = join(dir, 'fam');
  copySet(set.prefix, fam);
  const lines = readFileSync(`${set.prefix}.fam`, 'utf8').trim().split('\n');
  writeFileSync(`${fam}.fam`, lines.map((l, i) => [...l.split(' ').slice(0, 5), String(t1[i])].join(' ')).join('\n') + '\n');
  const age = readSheet(set.covar).values.get('age')!;
  const gemmaC = join(dir, 'c.txt');
  writeFileSync(gemmaC, Array.from(age, (a) => `1\t${a}\t`).join('\n') + '\n');
  const common = ['--model', 'additive', '--threads', '1', '--quiet'];

  it('no --pheno: the .fam phenotype column; --sheet picks a worksheet; a headerless --covar; all the same numbers', async () => {
    const book = join(dir, 'p.xlsx');
    const rows = readFileSync(set.pheno, 'utf8').trim().split('\n').map((l) => l.split(','));
    await writeXlsxFile([
      { sheet: 'notes', data: [[{ value: 'see Phenotypes', type: String }]] },
      { sheet: 'Phenotypes', data: rows.map((r, k) => r.map((v, c) => (k > 0 && c > 0 ? { value: Number(v), type: Number } : { value: v, type: String }))) },
    ]).toFile(book);
    const ref = run(['scan', '--bfile', set.prefix, '--pheno', set.pheno, '--trait', 't1', '--covar', set.covar, '--covar-names', 'age', ...common, '--out', join(dir, 'ref.tsv')]);
    expect(ref.stderr).toBe('');
    expect(ref.code).toBe(0);
    const famRun = run(['scan', '--bfile', fam, '--trait', '1', '--covar', gemmaC, ...common, '--out', join(dir, 'fam.tsv')]);
    expect(famRun.code).toBe(0);
    const xlsx = run(['scan', '--bfile', set.prefix, '--pheno', book, '--sheet', 'Phenotypes', '--trait', 't1', '--covar', set.covar, '--covar-names', 'age', ...common, '--out', join(dir, 'xlsx.tsv')]);
    expect(xlsx.code).toBe(0);
    const reference = readFileSync(join(dir, 'ref.tsv'), 'utf8');
    expect(readFileSync(join(dir, 'fam.tsv'), 'utf8')).toBe(reference);
    expect(readFileSync(join(dir, 'xlsx.tsv'), 'utf8')).toBe(reference);
    const summary = JSON.parse(readFileSync(join(dir, 'fam.summary.json'), 'utf8')) as { covariates: string[] };
    expect(summary.covariates).toEqual(['intercept', '2']);
  });

  it('prints the notes of the readers, and refuses --sheet without --pheno', () => {
    const eu = join(dir, 'eu.csv');
    writeFileSync(eu, readFileSync(set.pheno, 'utf8').replace(/,/g, ';').replace(/(\d)\.(\d)/g, '$1,$2'));
    const r = run(['scan', '--bfile', set.prefix, '--pheno', eu, '--trait', 't1', '--model', 'additive', '--threads', '1', '--out', join(dir, 'eu.tsv')]);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/kinscan: note: .*eu\.csv: numbers are written with decimal commas \(e\.g\. '.*', line 2, column 2\) and were read as such/);
    const bad = run(['scan', '--bfile', set.prefix, '--sheet', 'x', '--trait', '1', '--out', join(dir, 'x.tsv')]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--sheet NAME goes with --pheno FILE');
    const imp = run(['import', '--project', join(dir, 'p.kinscan'), '--bfile', fam, '--covar', gemmaC]);
    expect(imp.code).toBe(0);
    expect(imp.stderr).toContain('c.txt, 60 rows in genotype order, columns 1, 2, imported');
    expect(imp.stderr).toContain("note: c.txt column '1' is 1 on every row: GEMMA's intercept column");
  });
});
