import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readFam } from '../../engine/io/plink.js';
import { readSheet } from '../../engine/io/sheet.js';
import { selectSamples } from '../../engine/qc/samples.js';
import { tempDir } from '../helpers/tmp.js';

function famFile(dir: string, rows: string[]): string {
  const p = join(dir, 'x.fam');
  writeFileSync(p, rows.join('\n') + '\n');
  return p;
}
function sheetFile(dir: string, name: string, text: string): string {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
}

describe('matching a phenotype sheet to the genotyped individuals', () => {
  const dir = tempDir();
  const fam = readFam(famFile(dir, ['F1 a 0 0 1 -9', 'F1 b 0 0 2 -9', 'F2 c 0 0 1 -9', 'F2 d 0 0 2 -9', 'F3 e 0 0 1 -9']));

  it('keeps .fam order, drops missing traits (NA, empty, -9) and missing covariates, and reports why', () => {
    const fam6 = readFam(famFile(dir, ['F1 a 0 0 1 -9', 'F1 b 0 0 2 -9', 'F2 c 0 0 1 -9', 'F2 d 0 0 2 -9', 'F3 e 0 0 1 -9', 'F3 f 0 0 1 -9']));
    const ph = readSheet(sheetFile(dir, 'p.csv', 'IID,t\nf,7\ne,5\nd,NA\nc,-9\nb,2\na,1\nzz,3\n'));
    const cv = readSheet(sheetFile(dir, 'c.tsv', 'IID\tage\na\t30\nb\t\ne\t41\nf\t20\n'));
    const sel = selectSamples(fam6, ph, 't', { sheet: cv, names: ['age'] });
    expect(Array.from(sel.famIndex)).toEqual([0, 4, 5]);
    expect(Array.from(sel.y)).toEqual([1, 5, 7]);
    expect(Array.from(sel.covariates[0]!)).toEqual([30, 41, 20]);
    expect(sel.report).toMatchObject({ matched: 6, missingTrait: 2, missingCovariate: 1, analysed: 3 });
  });

  it('counts matched, unmatched and dropped individuals', () => {
    const ph = readSheet(sheetFile(dir, 'p2.csv', 'IID,t\ne,5\nd,NA\nc,3\nb,2\na,1\nzz,3\n'));
    const sel = selectSamples(fam, ph, 't');
    expect(sel.report).toMatchObject({ genotyped: 5, sheetRows: 6, matched: 5, sheetOnlyCount: 1, sheetOnly: ['zz'], missingTrait: 1, analysed: 4, matchedBy: 'IID' });
  });

  it('matches on FID and IID when the sheet has both', () => {
    const ph = readSheet(sheetFile(dir, 'p3.csv', 'FID,IID,t\nF1,a,1\nF9,b,2\nF2,c,3\nF2,d,4\nF3,e,5\n'));
    const sel = selectSamples(fam, ph, 't');
    expect(sel.report.matchedBy).toBe('FID+IID');
    expect(Array.from(sel.famIndex)).toEqual([0, 2, 3, 4]);
  });

  it('says clearly when no ID matches, showing both kinds of ID', () => {
    const ph = readSheet(sheetFile(dir, 'p4.csv', 'IID,t\nA1,1\nA2,2\nA3,3\n'));
    expect(() => selectSamples(fam, ph, 't')).toThrow(/p4\.csv: no individual ID in the sheet matches .*'A1'.*'a'.*Check that the ID column/);
  });

  it('refuses a constant trait', () => {
    const ph = readSheet(sheetFile(dir, 'p5.csv', 'IID,t\na,2\nb,2\nc,2\nd,2\n'));
    expect(() => selectSamples(fam, ph, 't')).toThrow(/p5\.csv: the trait 't' has the same value \(2\) in all 4 analysed individuals/);
  });

  it('refuses a trait name that is not a column, listing the columns', () => {
    const ph = readSheet(sheetFile(dir, 'p6.csv', 'IID,height\na,2\nb,3\nc,2\nd,2\n'));
    expect(() => selectSamples(fam, ph, 'weight')).toThrow(/p6\.csv.*weight.*height/);
  });

  it('refuses a non-numeric trait column', () => {
    const ph = readSheet(sheetFile(dir, 'p7.csv', 'IID,t\na,x\nb,y\nc,z\nd,w\n'));
    expect(() => selectSamples(fam, ph, 't')).toThrow(/p7\.csv.*t.*text/);
  });

  it('needs FIDs when IIDs repeat across families', () => {
    const fam2 = readFam(famFile(dir, ['F1 a 0 0 1 -9', 'F2 a 0 0 2 -9', 'F2 c 0 0 1 -9', 'F3 d 0 0 1 -9']));
    const ph = readSheet(sheetFile(dir, 'p8.csv', 'IID,t\na,1\nc,2\nd,3\n'));
    expect(() => selectSamples(fam2, ph, 't')).toThrow(/p8\.csv.*FID/);
  });
});
