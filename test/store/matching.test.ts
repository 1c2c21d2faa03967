import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFam } from '../../engine/io/plink.js';
import { readSheet } from '../../engine/io/sheet.js';
import { selectSamples } from '../../engine/qc/samples.js';
import { matchingReport } from '../../engine/store/matching.js';
import { Project } from '../../engine/store/project.js';
import { tempDir } from '../helpers/tmp.js';
import { copySet, simulatedSet } from './helpers.js';

describe('the ID-matching report of a sheet against a dataset', () => {
  const dir = tempDir('kinscan-matching-');
  const set = simulatedSet(dir, 'sim', 40, 120, 3);
  const fam = readFam(`${set.prefix}.fam`);
  let p: Project;
  let datasetId: number;

  beforeAll(() => {
    p = Project.open(join(dir, 'm.kinscan'), { create: true });
    datasetId = p.importDataset(set.prefix).id;
  });
  afterAll(() => p.close());

  function sheet(name: string, lines: string[]): { id: number; path: string } {
    const path = join(dir, name);
    writeFileSync(path, lines.join('\n') + '\n');
    return { id: p.importSheet(path).id, path };
  }

  it('by IID: matched, only in the genotypes, only in the sheet, with examples and their lines', () => {
    // Individuals 0..29 of the .fam (in another order), skipping 3 and 7, plus three unknown IDs.
    const rows = ['IID,t'];
    const inSheet = Array.from({ length: 30 }, (_, i) => i).filter((i) => i !== 3 && i !== 7).reverse();
    for (const i of inSheet) rows.push(`${fam.iid[i]},${i}`);
    rows.splice(5, 0, 'ghost1,1', 'ghost2,2');
    rows.push('ghost3,3');
    const s = sheet('iid.csv', rows);
    const r = matchingReport(p.db, datasetId, s.id);
    expect(r).toMatchObject({ genotyped: 40, sheetRows: 31, matched: 28, matchedBy: 'IID', idColumn: 'IID' });
    expect(r.fidColumn).toBeUndefined();
    const onlyGeno = [3, 7, 30, 31, 32, 33, 34, 35, 36, 37, 38, 39];
    expect(r.onlyInGenotypes.count).toBe(onlyGeno.length);
    expect(r.onlyInGenotypes.examples).toEqual(onlyGeno.slice(0, 5).map((i) => ({ fid: fam.fid[i], iid: fam.iid[i], line: i + 1 })));
    expect(r.onlyInSheet).toEqual({
      count: 3,
      examples: [
        { fid: '', iid: 'ghost1', line: 6 },
        { fid: '', iid: 'ghost2', line: 7 },
        { fid: '', iid: 'ghost3', line: 32 },
      ],
    });
    // The same counts the scan's sample selection reports.
    const sel = selectSamples(fam, readSheet(s.path), 't');
    expect([sel.report.matched, sel.report.genotypedOnly, sel.report.sheetOnlyCount]).toEqual([r.matched, r.onlyInGenotypes.count, r.onlyInSheet.count]);
    expect(sel.report.sheetOnly).toEqual(['ghost1', 'ghost2', 'ghost3']);
  });

  it('by FID and IID when the sheet has an FID column: a right IID in the wrong family does not match', () => {
    const rows = ['FID\tIID\tt'];
    for (let i = 0; i < 40; i++) rows.push(`${i === 5 ? 'elsewhere' : fam.fid[i]}\t${fam.iid[i]}\t1`);
    const r = matchingReport(p.db, datasetId, sheet('fid.tsv', rows).id);
    expect(r).toMatchObject({ matched: 39, matchedBy: 'FID+IID', idColumn: 'IID', fidColumn: 'FID' });
    expect(r.onlyInGenotypes).toEqual({ count: 1, examples: [{ fid: fam.fid[5], iid: fam.iid[5], line: 6 }] });
    expect(r.onlyInSheet).toEqual({ count: 1, examples: [{ fid: 'elsewhere', iid: fam.iid[5], line: 7 }] });
  });

  it('at most five examples a side; nothing matching is a report, not an error', () => {
    const rows = ['sample,t', ...Array.from({ length: 9 }, (_, k) => `x${k},1`)];
    const r = matchingReport(p.db, datasetId, sheet('none.csv', rows).id);
    expect(r).toMatchObject({ matched: 0, idColumn: 'sample' });
    expect(r.onlyInSheet.count).toBe(9);
    expect(r.onlyInSheet.examples.map((e) => e.iid)).toEqual(['x0', 'x1', 'x2', 'x3', 'x4']);
    expect(r.onlyInGenotypes.count).toBe(40);
    expect(r.onlyInGenotypes.examples).toHaveLength(5);
  });

  it('IIDs that repeat across families and a sheet without FIDs: the scan\'s error, naming the sheet and what to do', () => {
    const prefix = join(dir, 'dup');
    copySet(set.prefix, prefix);
    const lines = fam.iid.map((iid, i) => `${i < 20 ? 'A' : 'B'} ${i < 20 ? iid : fam.iid[i - 20]} 0 0 1 -9`);
    writeFileSync(`${prefix}.fam`, lines.join('\n') + '\n');
    const dup = p.importDataset(prefix).id;
    const s = sheet('plain.csv', ['IID,t', `${fam.iid[0]},1`]);
    expect(() => matchingReport(p.db, dup, s.id)).toThrow(/plain\.csv: individual IDs repeat across families in dup\.fam, and the sheet has no FID column.*Add an FID column/);
  });

  it('unknown ids are InputErrors naming the project', () => {
    expect(() => matchingReport(p.db, 77, 1)).toThrow(/m\.kinscan: has no dataset 77/);
    expect(() => matchingReport(p.db, datasetId, 77)).toThrow(/m\.kinscan: has no sheet 77/);
  });
});
