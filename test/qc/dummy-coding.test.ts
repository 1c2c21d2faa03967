import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readFam } from '../../engine/io/plink.js';
import { readSheet } from '../../engine/io/sheet.js';
import { selectSamples } from '../../engine/qc/samples.js';
import { collectScan } from '../helpers/scan.js';
import { tempDir } from '../helpers/tmp.js';
import { inputError } from '../io/tmp.js';
import { settingsFor, simulatedSet } from '../store/helpers.js';

const dir = tempDir('kinscan-dummy-');
const write = (name: string, text: string): string => {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
};
const ids = ['a', 'b', 'c', 'd', 'e', 'f', 'g'];
const fam = readFam(write('x.fam', ids.map((id) => `${id} ${id} 0 0 1 -9`).join('\n') + '\n'));
const pheno = readSheet(write('p.csv', 'IID,y\n' + ids.map((id, k) => `${id},${k * 1.5 - (k % 3)}`).join('\n') + '\n'));

describe('text covariates are dummy-coded', () => {
  it("k-1 indicators named 'column=level', the first level in sorted order left out, missing stays missing", () => {
    const covar = readSheet(write('c.csv', 'IID,batch,sex,age\na,C,M,30\nb,A,F,31\nc,B,M,32\nd,NA,F,33\ne,A,,34\nf,C,F,35\ng,B,M,36\n'));
    const sel = selectSamples(fam, pheno, 'y', { sheet: covar, names: ['batch', 'sex', 'age'] });
    // d (batch NA) and e (sex empty) are dropped for a missing covariate.
    expect(Array.from(sel.famIndex)).toEqual([0, 1, 2, 5, 6]);
    expect(sel.report.missingCovariate).toBe(2);
    expect(sel.covariateNames).toEqual(['batch=B', 'batch=C', 'sex=M', 'age']);
    const batch = ['C', 'A', 'B', 'C', 'B'];
    const sex = ['M', 'F', 'M', 'F', 'M'];
    expect(sel.covariates.map((c) => Array.from(c))).toEqual([
      batch.map((b) => (b === 'B' ? 1 : 0)),
      batch.map((b) => (b === 'C' ? 1 : 0)),
      sex.map((s) => (s === 'M' ? 1 : 0)),
      [30, 31, 32, 35, 36],
    ]);
  });

  it('levels are those of the analysed individuals: a level only missing-trait rows have gets no column', () => {
    const ph = readSheet(write('p2.csv', 'IID,y\na,1\nb,2\nc,3\nd,NA\ne,5\nf,6\ng,7\n'));
    const covar = readSheet(write('c2.csv', 'IID,batch\na,A\nb,B\nc,A\nd,Z\ne,B\nf,A\ng,B\n'));
    expect(selectSamples(fam, ph, 'y', { sheet: covar, names: ['batch'] }).covariateNames).toEqual(['batch=B']);
  });

  it('an ID-like column (a level per individual, or more than 50), or a single level: errors that say why and what to do', () => {
    const idLike = readSheet(write('c3.csv', 'IID,strain\n' + ids.map((id) => `${id},S_${id}`).join('\n') + '\n'));
    const e = inputError(() => selectSamples(fam, pheno, 'y', { sheet: idLike, names: ['strain'] }));
    expect(e.message).toContain("c3.csv, line 2: the covariate 'strain' has 7 different text values over 7 analysed individuals (e.g. 'S_a', 'S_b', 'S_c'): it looks like an ID or a label, not a category");
    expect(e.hint).toContain("leave 'strain' out of --covar-names");
    const many = Array.from({ length: 120 }, (_, k) => `i${k}`);
    const bigFam = readFam(write('big.fam', many.map((id) => `${id} ${id} 0 0 1 -9`).join('\n') + '\n'));
    const bigPheno = readSheet(write('bp.csv', 'IID,y\n' + many.map((id, k) => `${id},${k % 7}`).join('\n') + '\n'));
    const bigCov = readSheet(write('bc.csv', 'IID,lot\n' + many.map((id, k) => `${id},L${k % 60}`).join('\n') + '\n'));
    expect(inputError(() => selectSamples(bigFam, bigPheno, 'y', { sheet: bigCov, names: ['lot'] })).message).toContain("the covariate 'lot' has 60 different text values over 120 analysed individuals");
    const one = readSheet(write('c4.csv', 'IID,site\n' + ids.map((id) => `${id},north`).join('\n') + '\n'));
    const e1 = inputError(() => selectSamples(fam, pheno, 'y', { sheet: one, names: ['site'] }));
    expect(e1.message).toContain("the covariate 'site' has the same value ('north') in all 7 analysed individuals");
  });
});

describe('a scan with a text covariate equals the scan with its indicator typed in as numbers', () => {
  it('simulated set: sex M/F as text vs a 0/1 column', async () => {
    const set = simulatedSet(dir, 'sim', 90, 400, 5);
    // simulatedSet writes sex as M/F; the same sheet with sex=M written out by hand is the reference.
    const text = readSheet(set.covar);
    const sex = text.text.get('sex')!;
    const numeric = write('sim.covar-num.csv', 'IID,age,sexM\n' + text.ids.map((id, r) => `${id},${text.values.get('age')![r]},${sex[r] === 'M' ? 1 : 0}`).join('\n') + '\n');
    const a = await collectScan(settingsFor(set, 't1', { model: 'additive', covar: set.covar, covarNames: ['age', 'sex'] }), { threads: 1 });
    const b = await collectScan(settingsFor(set, 't1', { model: 'additive', covar: numeric, covarNames: ['age', 'sexM'] }), { threads: 1 });
    expect(a.outcome.prep.samples.covariateNames).toEqual(['age', 'sex=M']);
    expect(a.rows.length).toBe(b.rows.length);
    expect(a.rows.length).toBeGreaterThan(300);
    for (let k = 0; k < a.rows.length; k++) {
      expect(a.rows[k]!.snp).toBe(b.rows[k]!.snp);
      expect(a.rows[k]!.lnP).toBeCloseTo(b.rows[k]!.lnP, 10);
      expect(a.rows[k]!.betaA).toBeCloseTo(b.rows[k]!.betaA, 10);
    }
  });
});
