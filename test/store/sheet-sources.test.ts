/**
 * One scan path for every phenotype source: a sheet with IDs, GEMMA's headerless file (rows in .fam
 * order) and the .fam's own phenotype column give the same results, on the command line and in a
 * project, which stores positional sheets (migration 6) and records a .fam-phenotype run without a
 * phenotype file.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import writeXlsxFile from 'write-excel-file/node';
import { describe, expect, it } from 'vitest';
import { reproduceCommand } from '../../engine/export/report/reproduce.js';
import { readSheet } from '../../engine/io/sheet.js';
import { scanToFiles } from '../../engine/scan/run.js';
import { Project } from '../../engine/store/project.js';
import { loadSheet } from '../../engine/store/sheets.js';
import { tempDir } from '../helpers/tmp.js';
import { copySet, settingsFor, simulatedSet } from './helpers.js';

const dir = tempDir('kinscan-sheet-sources-');
const set = simulatedSet(dir, 'sim', 70, 300, 3);
// The same set with t1 in .fam column 6, and t1 as GEMMA's headerless -p file.
const famSet = join(dir, 'famsim');
copySet(set.prefix, famSet);
const pheno = readSheet(set.pheno);
const t1 = pheno.values.get('t1')!;
const famLines = readFileSync(`${set.prefix}.fam`, 'utf8').trim().split('\n');
writeFileSync(`${famSet}.fam`, famLines.map((l, i) => l.split(' ').slice(0, 5).concat(String(t1[i])).join(' ')).join('\n') + '\n');
const gemmaP = join(dir, 't1.gemma.txt');
writeFileSync(gemmaP, Array.from(t1, (x) => String(x)).join('\n') + '\n');

const tsv = (name: string): string => readFileSync(join(dir, name), 'utf8');

describe('the phenotype sources give the same scan', () => {
  it('sheet with IDs, GEMMA headerless file, .fam column 6, and an .xlsx worksheet', async () => {
    await scanToFiles(settingsFor(set, 't1', { model: 'additive' }), join(dir, 'ids.tsv'), { threads: 1 });
    await scanToFiles(settingsFor({ prefix: famSet, pheno: gemmaP }, '1', { model: 'additive' }), join(dir, 'gemma.tsv'), { threads: 1 });
    await scanToFiles(settingsFor({ prefix: famSet, pheno: '' }, '1', { model: 'additive' }), join(dir, 'fam.tsv'), { threads: 1 });
    const book = join(dir, 'pheno.xlsx');
    const rows = readFileSync(set.pheno, 'utf8').trim().split('\n').map((l) => l.split(','));
    await writeXlsxFile([
      { sheet: 'readme', data: [[{ value: 'see the next sheet', type: String }]] },
      { sheet: 'traits', data: rows.map((r, k) => r.map((v, c) => (k > 0 && c > 0 ? { value: Number(v), type: Number } : { value: v, type: String }))) },
    ]).toFile(book);
    await scanToFiles(settingsFor({ prefix: set.prefix, pheno: book }, 't1', { model: 'additive', phenoWorksheet: 'traits' }), join(dir, 'xlsx.tsv'), { threads: 1 });
    const ref = tsv('ids.tsv');
    expect(ref.split('\n').length).toBeGreaterThan(250);
    expect(tsv('gemma.tsv')).toBe(ref);
    expect(tsv('fam.tsv')).toBe(ref);
    expect(tsv('xlsx.tsv')).toBe(ref);
  });
});

describe('in a project', () => {
  it('stores positional sheets, with their warnings', () => {
    const p = Project.open(join(dir, 'p.kinscan'), { create: true });
    try {
      const g = p.importSheet(gemmaP);
      const info = p.sheet(g.id);
      expect(info.positional).toBe(true);
      expect(info.warnings[0]).toContain("read as GEMMA's headerless format");
      const back = loadSheet(p.db, g.id);
      expect(back.positional).toBe(true);
      expect(Array.from(back.values.get('1')!)).toEqual(Array.from(t1));
      // Read another way (no headerless detection), the same file is another sheet.
      expect(p.importSheet(gemmaP, { positional: false }).id).not.toBe(g.id);
    } finally {
      p.close();
    }
  });

  it('records a .fam-phenotype run without a phenotype file (when no sheet has the trait), and reproduces it', async () => {
    const p = Project.open(join(dir, 'fam.kinscan'), { create: true });
    try {

      const famRun = p.createRun(settingsFor({ prefix: famSet, pheno: '' }, '1', { model: 'additive' }));
      const r = p.run(famRun);
      expect(r.settings.pheno).toBe('');
      expect(p.sheet(r.phenoSheetId).name).toBe('famsim.fam (phenotype columns)');
      await p.runScan(famRun, { threads: 1 });
      p.exportRun(famRun, join(dir, 'project-fam.tsv'));
      expect(tsv('project-fam.tsv')).toBe(readFileSync(join(dir, 'fam.tsv'), 'utf8'));
      expect(reproduceCommand(r.settings)).not.toContain('--pheno');
      // A second run on the .fam phenotypes reuses the stored sheet.
      expect(p.run(p.createRun(settingsFor({ prefix: famSet, pheno: '' }, '1'))).phenoSheetId).toBe(r.phenoSheetId);
    } finally {
      p.close();
    }
  });
});
