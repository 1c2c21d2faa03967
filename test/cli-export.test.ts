/**
 * `kinscan export` in each format and `kinscan hits`, through the built CLI (node bin/kinscan.js,
 * after npm run build:engine), on a small simulated project with a 2-df run; the refusal to write
 * over an input; and the units of cli/units.ts.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import readXlsxFile from 'read-excel-file/node';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseBp, parsePThreshold, thresholdP } from '../cli/units.js';
import { clumpHits, peaksTsv } from '../engine/export/hits.js';
import { GEMMA_HEADER } from '../engine/export/tables/index.js';
import { Project } from '../engine/store/project.js';
import { tempDir } from './helpers/tmp.js';
import { settingsFor, simulatedSet, type SimSet, recordAndScan } from './store/helpers.js';

const cli = join(import.meta.dirname, '..', 'bin', 'kinscan.js');
const dir = tempDir('kinscan-cli-export-');
const projectPath = join(dir, 'sim.kinscan');
let set: SimSet;
let tsv: string[][];

function kinscan(...args: string[]): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync('node', [cli, ...args], { encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

beforeAll(async () => {
  set = simulatedSet(dir);
  const p = Project.open(projectPath, { create: true });
  await recordAndScan(p, settingsFor(set, 't1', { model: 'add-dom' }));
  p.exportRun(1, join(dir, 'reference.tsv'));
  p.close();
  tsv = readFileSync(join(dir, 'reference.tsv'), 'utf8').replace(/\n$/, '').split('\n').map((l) => l.split('\t'));
}, 60_000);

describe('kinscan export', () => {
  const run = ['--project', projectPath, '--run', '1'];

  it('writes each format, chosen from the extension or by --format', async () => {
    const t = kinscan('export', ...run, '--out', join(dir, 'a.tsv'));
    expect(t.code, t.stderr).toBe(0);
    expect(t.stderr).toMatch(new RegExp(`run 1: ${tsv.length - 1} rows written to .*a\\.tsv and .*a\\.summary\\.json`));
    expect(readFileSync(join(dir, 'a.tsv')).equals(readFileSync(join(dir, 'reference.tsv')))).toBe(true);

    expect(kinscan('export', ...run, '--out', join(dir, 'a.csv')).code).toBe(0);
    expect(parse(readFileSync(join(dir, 'a.csv'), 'utf8'))).toEqual(tsv);
    // --format wins over the extension.
    expect(kinscan('export', ...run, '--format', 'csv', '--out', join(dir, 'csv.txt')).code).toBe(0);
    expect(readFileSync(join(dir, 'csv.txt'), 'utf8')).toBe(readFileSync(join(dir, 'a.csv'), 'utf8'));

    const g = kinscan('export', ...run, '--out', join(dir, 'a.assoc.txt'));
    expect(g.stderr).toMatch(new RegExp(`${tsv.length - 1} rows written to .*a\\.assoc\\.txt \\(gemma\\)`));
    const gemma = readFileSync(join(dir, 'a.assoc.txt'), 'utf8').trimEnd().split('\n').map((l) => l.split('\t'));
    expect(gemma[0]!.join('\t')).toBe(GEMMA_HEADER);
    expect(gemma.length).toBe(tsv.length);
    // p_lrt is the run's test: here the 2-df p of an add-dom run.
    const tp = tsv[0]!.indexOf('p_lrt');
    expect(tsv.slice(1).some((r) => r[tsv[0]!.indexOf('df')] === '2')).toBe(true);
    for (let i = 1; i < tsv.length; i++) {
      expect(gemma[i]![1]).toBe(tsv[i]![1]);
      expect(Number(gemma[i]![9]) / Number(tsv[i]![tp]) - 1).toBeCloseTo(0, 6);
    }

    expect(kinscan('export', ...run, '--out', join(dir, 'a.xlsx')).code).toBe(0);
    const sheets = await readXlsxFile(join(dir, 'a.xlsx'));
    expect(sheets.map((s) => [s.sheet, s.sheet === 'Results' ? s.data.length : 0])).toEqual([
      ['Results', tsv.length],
      ['Top hits', 0],
      ['Credible sets', 0],
      ['Run', 0],
    ]);
    expect(sheets[0]!.data[1]![1]).toBe(tsv[1]![1]);
  });

  it('refuses a bad format (usage) and an input file as --out (input error), leaving it untouched', () => {
    const bad = kinscan('export', ...run, '--format', 'parquet', '--out', join(dir, 'x.tsv'));
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--format must be one of tsv, csv, gemma, xlsx, credible-sets, got 'parquet'/);
    for (const target of [`${set.prefix}.bim`, set.pheno, projectPath]) {
      const before = readFileSync(target);
      const r = kinscan('export', ...run, '--format', 'csv', '--out', target);
      expect(r.code, r.stderr).toBe(1);
      expect(r.stderr.trim().split('\n').length).toBe(1);
      expect(r.stderr).toMatch(/is an input of run 1, so writing it would destroy that input\. Choose another file name for the export/);
      expect(readFileSync(target).equals(before)).toBe(true);
    }
  });
});

describe('kinscan hits', () => {
  const run = ['--project', projectPath, '--run', '1'];

  it('prints the peaks as a table, as JSON, and writes them as TSV', () => {
    const t = kinscan('hits', ...run, '--p', '1e-4', '--window', '250kb');
    expect(t.code, t.stderr).toBe(0);
    const p = Project.open(projectPath, { readonly: true });
    const peaks = clumpHits(p, 1, { p: 1e-4, windowBp: 250_000, r2: 0.1 });
    p.close();
    expect(peaks.length).toBeGreaterThan(0);
    const lines = t.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^LEAD\s+CHR:POS\s+SPAN \(Mb\)\s+SNPS\s+P\s+BETA_A ± SE$/);
    expect(lines.length).toBe(peaks.length + 1);
    expect(lines[1]!.split(/\s+/).slice(0, 2)).toEqual([peaks[0]!.rs, `${peaks[0]!.chr}:${peaks[0]!.pos}`]);
    expect(t.stderr).toMatch(new RegExp(`run 1: ${peaks.length} peaks? \\(p <= 1e-4, window 250000 bp, r2 >= 0\\.1 with the lead\\)`));

    const j = kinscan('hits', ...run, '--p', '1e-4', '--window', '0.25Mb', '--json', '--out', join(dir, 'peaks.tsv'));
    expect(j.code, j.stderr).toBe(0);
    const json = JSON.parse(j.stdout) as { lead_rs: string; n_snps: number; members: string[] }[];
    expect(json.map((k) => [k.lead_rs, k.n_snps, k.members])).toEqual(peaks.map((k) => [k.rs, k.nSnps, k.memberRs]));
    expect(readFileSync(join(dir, 'peaks.tsv'), 'utf8')).toBe(peaksTsv(peaks));
  });

  it('takes bonferroni and distance-only clumping; refuses bad values and an input as --out', () => {
    const b = kinscan('hits', ...run, '--p', 'bonferroni', '--r2', 'none');
    expect(b.code, b.stderr).toBe(0);
    const m = tsv.length - 1;
    expect(b.stderr).toContain(`p <= bonferroni 0.05/${m} = ${Number((0.05 / m).toPrecision(3)).toExponential()}, window 500000 bp, distance only`);
    expect(kinscan('hits', ...run, '--window', 'wide').stderr).toMatch(/--window must be a length such as 500kb/);
    expect(kinscan('hits', ...run, '--r2', '2').code).toBe(2);
    expect(kinscan('hits', ...run, '--p', '0').code).toBe(2);
    const before = readFileSync(set.pheno);
    const r = kinscan('hits', ...run, '--out', set.pheno);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/is an input of run 1/);
    expect(readFileSync(set.pheno).equals(before)).toBe(true);
    const none = kinscan('hits', ...run, '--p', '1e-200');
    expect(none.code).toBe(0);
    expect(none.stdout).toMatch(/^no SNP of run 1 has p <= 1e-200 \(best: \S+, p \d\.\d\de-\d+\)$/m);
  });
});

describe('cli/units', () => {
  it('parses lengths in base pairs', () => {
    expect(['500kb', '1.5Mb', '250000', '2e6bp', '1.5 mb', '500K', '0', '3Gb'].map((s) => parseBp(s))).toEqual([500_000, 1_500_000, 250_000, 2_000_000, 1_500_000, 500_000, 0, 3e9]);
    for (const bad of ['', 'kb', '-5kb', '1.2345kb', '5 furlongs', '1e400']) expect(() => parseBp(bad, 'window'), bad).toThrow(/--window must/);
  });

  it('parses p thresholds', () => {
    expect(parsePThreshold('5e-8')).toEqual({ kind: 'p', p: 5e-8 });
    expect(parsePThreshold('Bonferroni')).toEqual({ kind: 'bonferroni', alpha: 0.05 });
    expect(thresholdP(parsePThreshold('bonferroni'), 10_000)).toBeCloseTo(5e-6, 20);
    expect(thresholdP(parsePThreshold('0.001'), 10_000)).toBe(0.001);
    for (const bad of ['0', '1.5', '-1e-8', 'x', '', '1e-400']) expect(() => parsePThreshold(bad, 'p'), bad).toThrow(/--p must be a p-value/);
  });
});
