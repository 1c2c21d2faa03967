/**
 * Table exports of one mouse_hs1940 trait1 additive run (made once here, ~8 s), each read back
 * by an independent reader: TSV bytes against Project.exportRun; CSV through csv-parse; the GEMMA
 * layout against GEMMA 0.98.5's own -lmm 2 output (test/fixtures/mouse_lmm2.assoc.txt.gz); XLSX
 * through read-excel-file and unzip.
 */
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, linkSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { parse } from 'csv-parse/sync';
import readXlsxFile from 'read-excel-file/node';
import { beforeAll, describe, expect, it } from 'vitest';
import { CREDIBLE_SET_COLUMNS, credibleSetsTsv, finemapRun } from '../../engine/export/finemap.js';
import { clumpHits, formatPeak, PEAK_COLUMNS } from '../../engine/export/hits.js';
import { exportRunTable, GEMMA_HEADER, tableFormatFor } from '../../engine/export/tables/index.js';
import { DEFAULT_SETTINGS } from '../../engine/scan/settings.js';
import { Project } from '../../engine/store/project.js';
import { VERSION } from '../../engine/version.js';
import { tempDir } from '../helpers/tmp.js';
import { recordAndScan } from '../store/helpers.js';

const root = join(import.meta.dirname, '..', '..');
const example = join(root, 'resources', 'example', 'mouse_hs1940');

const dir = tempDir('kinscan-tables-');
const bfile = join(dir, 'mouse');
const pheno = join(dir, 'mouse.pheno.csv');
let project: Project;
let runId: number;
let tsvLines: string[][];

beforeAll(async () => {
  for (const ext of ['.bed', '.bim', '.fam']) copyFileSync(example + ext, bfile + ext);
  copyFileSync(`${example}.pheno.csv`, pheno);
  project = Project.open(join(dir, 'mouse.kinscan'), { create: true });
  const r = await recordAndScan(project, { ...DEFAULT_SETTINGS, bfile, pheno, trait: 'trait1', model: 'additive' });
  runId = r.run.id;
  project.exportRun(runId, join(dir, 'reference.tsv'));
  tsvLines = readFileSync(join(dir, 'reference.tsv'), 'utf8').replace(/\n$/, '').split('\n').map((l) => l.split('\t'));
  return () => project.close();
}, 120_000);

const gemmaRef = (): string[][] =>
  gunzipSync(readFileSync(join(root, 'test', 'fixtures', 'mouse_lmm2.assoc.txt.gz')))
    .toString()
    .trimEnd()
    .split('\n')
    .map((l) => l.split('\t'));

describe('table exports of a run', () => {
  it('picks the format from the extension', () => {
    expect(['a.tsv', 'a.txt', 'a.csv', 'a.XLSX', 'a.assoc.txt', 'a.out'].map(tableFormatFor)).toEqual(['tsv', 'tsv', 'csv', 'xlsx', 'gemma', 'tsv']);
  });

  it('tsv: the bytes Project.exportRun writes, summary beside it', async () => {
    const out = join(dir, 'run.tsv');
    const e = await exportRunTable(project, runId, 'tsv', out);
    expect(e.rows).toBe(10768);
    expect(readFileSync(out).equals(readFileSync(join(dir, 'reference.tsv')))).toBe(true);
    expect(e.summary).toBe(join(dir, 'run.summary.json'));
    expect(JSON.parse(readFileSync(e.summary!, 'utf8')).samples.analysed).toBe(1410);
  });

  it('csv: csv-parse reads the TSV rows back, value for value', async () => {
    const out = join(dir, 'run.csv');
    const e = await exportRunTable(project, runId, 'csv', out);
    expect(e).toEqual({ rows: 10768, path: out });
    const rows = parse(readFileSync(out, 'utf8'), { relaxColumnCount: false }) as string[][];
    expect(rows).toEqual(tsvLines);
  });

  it("gemma: reads like GEMMA 0.98.5's own -lmm 2 file", async () => {
    const out = join(dir, 'run.assoc.txt');
    const e = await exportRunTable(project, runId, 'gemma', out);
    expect(e.rows).toBe(10768);
    const ours = readFileSync(out, 'utf8').trimEnd().split('\n').map((l) => l.split('\t'));
    const ref = gemmaRef();
    expect(ours[0]!.join('\t')).toBe(GEMMA_HEADER);
    expect(ours[0]).toEqual(ref[0]);
    expect(ours.length).toBe(ref.length);
    const col = (name: string): number => ref[0]!.indexOf(name);
    let maxP = 0;
    let maxLambda = 0;
    let maxLogl = 0;
    for (let i = 1; i < ref.length; i++) {
      const a = ours[i]!;
      const g = ref[i]!;
      expect(a.length).toBe(10);
      // Identity columns and af (%.3f) as text.
      for (const c of ['chr', 'rs', 'ps', 'n_miss', 'allele1', 'allele0', 'af']) expect(a[col(c)], `${g[1]} ${c}`).toBe(g[col(c)]);
      maxP = Math.max(maxP, Math.abs(Math.log10(Number(a[col('p_lrt')])) - Math.log10(Number(g[col('p_lrt')]))));
      maxLambda = Math.max(maxLambda, Math.abs(Number(a[col('l_mle')]) / Number(g[col('l_mle')]) - 1));
      maxLogl = Math.max(maxLogl, Math.abs(Number(a[col('logl_H1')]) - Number(g[col('logl_H1')])));
      // The shapes of %.3f and %.6e.
      expect(a[col('af')]).toMatch(/^\d\.\d{3}$/);
      for (const c of ['logl_H1', 'l_mle', 'p_lrt']) expect(a[col(c)]).toMatch(/^-?\d\.\d{6}e[-+]\d{2,}$/);
    }
    expect(maxP).toBeLessThan(1e-5);
    expect(maxLambda).toBeLessThan(2e-5); // l_mle = 1 / delta_h1, against GEMMA's own optimiser
    expect(maxLogl).toBeLessThan(1e-3); // 7 significant digits of ~ -1584
  });

  it('xlsx: read-excel-file reads the TSV rows back; top hits, credible sets and run sheets; header frozen', async () => {
    const out = join(dir, 'run.xlsx');
    const e = await exportRunTable(project, runId, 'xlsx', out);
    expect(e.rows).toBe(10768);
    const sheets = await readXlsxFile(out);
    expect(sheets.map((s) => s.sheet)).toEqual(['Results', 'Top hits', 'Credible sets', 'Run']);
    const results = sheets[0]!.data;
    expect(results.length).toBe(tsvLines.length);
    expectSameRows(results, tsvLines);

    const peaks = clumpHits(project, runId);
    expect(peaks.length).toBeGreaterThan(0);
    const hits = sheets[1]!.data;
    expect(hits[0]).toEqual([...PEAK_COLUMNS]);
    expectSameRows(hits, [[...PEAK_COLUMNS], ...peaks.map(formatPeak)]);
    expect(hits[1]![0]).toBe('mCV22965443'); // GEMMA's best SNP of trait1

    // The credible sets as kinscan finemap writes them.
    const sets = credibleSetsTsv(finemapRun(project, runId)).trimEnd().split('\n').map((l) => l.split('\t'));
    expect(sets.length).toBeGreaterThan(1);
    expect(sheets[2]!.data[0]).toEqual([...CREDIBLE_SET_COLUMNS]);
    expectSameRows(sheets[2]!.data, sets);

    const run = new Map(sheets[3]!.data.slice(1).map((r) => [String(r[0]), r[1]]));
    const info = project.run(runId);
    const h2 = info.heritability!;
    expect(run.get('heritability h2 (ML)')).toBe(h2.estimate);
    expect(run.get('h2 95% parametric-bootstrap interval (ALBI)')).toBe(`${h2.bootstrap.lower.toFixed(3)}-${h2.bootstrap.upper.toFixed(3)}`);
    expect(run.get('h2 95% profile-likelihood interval')).toMatch(/^0\.5\d\d-0\.6\d\d$/);
    expect(run.get('run')).toBe(runId);
    expect(run.get('trait')).toBe('trait1');
    expect(String(run.get('model'))).toMatch(/^additive/);
    expect(run.get('method')).toBe('fast');
    expect(run.get('individuals analysed')).toBe(1410);
    expect(run.get('SNPs tested')).toBe(10768);
    expect(run.get('lambda_GC')).toBe(info.lambdaGc);
    expect(run.get('null logl_h0 (ML)')).toBe(info.nullFit!.logl_h0);
    expect(run.get('software (run)')).toBe(`kinscan ${VERSION}`);
    expect(run.get('created')).toBe(info.createdAt);

    // The header row is a frozen pane in the sheet's XML (read by unzip, a second reader).
    const xml = execFileSync('unzip', ['-p', out, 'xl/worksheets/sheet1.xml'], { encoding: 'utf8', maxBuffer: 1 << 28 });
    expect(xml).toMatch(/<pane [^>]*ySplit="1"[^>]*state="frozen"/);
  });

  it('xlsx: results split over Results, Results 2, ... at the sheet size', async () => {
    const out = join(dir, 'split.xlsx');
    await exportRunTable(project, runId, 'xlsx', out, { rowsPerSheet: 4000 });
    const sheets = await readXlsxFile(out);
    expect(sheets.map((s) => [s.sheet, s.data.length])).toEqual([
      ['Results', 4001],
      ['Results 2', 4001],
      ['Results 3', 2769],
      ['Top hits', clumpHits(project, runId).length + 1],
      ['Credible sets', sheets[4]!.data.length],
      ['Run', sheets[5]!.data.length],
    ]);
    const joined = [sheets[0]!.data[0]!, ...sheets.slice(0, 3).flatMap((s) => s.data.slice(1))];
    expectSameRows(joined, tsvLines);
  });

  it('refuses an unfinished run unless partial, and never overwrites an input', async () => {
    const queued = project.createRun({ ...DEFAULT_SETTINGS, bfile, pheno, trait: 'trait2', model: 'additive' });
    await expect(exportRunTable(project, queued, 'csv', join(dir, 'q.csv'))).rejects.toThrow(/run \d+ is queued at 0 of \? tested SNPs, so its results are incomplete/);
    const e = await exportRunTable(project, queued, 'gemma', join(dir, 'q.assoc.txt'), { partial: true });
    expect(e.rows).toBe(0);
    expect(readFileSync(join(dir, 'q.assoc.txt'), 'utf8')).toBe(GEMMA_HEADER + '\n');

    const before = readFileSync(pheno);
    for (const target of [pheno, `${bfile}.bim`, project.path]) {
      await expect(exportRunTable(project, runId, 'csv', target)).rejects.toThrow(/is an input of run 1, so writing it would destroy that input/);
    }
    // Also through another name of the same file (a hard link).
    linkSync(pheno, join(dir, 'link.csv'));
    await expect(exportRunTable(project, runId, 'csv', join(dir, 'link.csv'))).rejects.toThrow(/link\.csv: is the same file as an input of run 1 \(.*mouse\.pheno\.csv\)/);
    expect(readFileSync(pheno).equals(before)).toBe(true);
    expect(existsSync(`${bfile}.bim`)).toBe(true);
  });
});

/** Sheet rows against TSV text: text cells equal, numbers equal to the TSV's number, NA and an empty flag empty. */
function expectSameRows(sheet: unknown[][], text: string[][]): void {
  expect(sheet.length).toBe(text.length);
  const bad: string[] = [];
  for (let i = 0; i < text.length && bad.length < 5; i++) {
    const row = sheet[i]!;
    text[i]!.forEach((t, c) => {
      const cell = row[c] ?? null;
      const ok = t === 'NA' || t === '' ? cell === null : typeof cell === 'number' ? cell === Number(t) : cell === t;
      if (!ok) bad.push(`row ${i} col ${c}: ${JSON.stringify(cell)} vs ${t}`);
    });
  }
  expect(bad).toEqual([]);
}
