/**
 * The results-table reader behind `kinscan plot --results`: GEMMA's own .assoc.txt (the fixture
 * GEMMA wrote for mouse trait 1) read against a direct parse, p-values below the double range kept
 * by their text, and broken files refused with the file, the line and what to do.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { negLog10OfText, readResultsTable } from '../../engine/io/results-table.js';
import { inputError, makeTmp } from './tmp.js';

const tmp = makeTmp('results-table');
afterAll(() => tmp.cleanup());

describe('readResultsTable', () => {
  const gemmaText = gunzipSync(readFileSync(join(import.meta.dirname, '../fixtures/mouse_lmm2.assoc.txt.gz'))).toString();
  const gemmaFile = tmp.file('mouse.assoc.txt', gemmaText);

  it("reads GEMMA's -lmm 2 output: every row, chromosomes in file order, -log10 p_lrt", () => {
    const t = readResultsTable(gemmaFile);
    const lines = gemmaText.trim().split('\n').slice(1).map((l) => l.split('\t'));
    expect(t.rs.length).toBe(lines.length);
    expect(t.pColumn).toBe('p_lrt');
    expect(t.df).toBeUndefined();
    for (const k of [0, 1, 500, lines.length - 1]) {
      const f = lines[k]!;
      expect(t.rs[k]).toBe(f[1]);
      expect(t.chrNames[t.chr[k]!]).toBe(f[0]);
      expect(t.pos[k]).toBe(Number(f[2]));
      expect(t.negLog10P[k]).toBeCloseTo(-Math.log10(Number(f[9])), 12);
    }
    expect(t.chrNames.slice(0, 3)).toEqual(['1', '2', '3']);
  });

  it("prefers Kinscan's neglog10_p column and takes the test's df from the df column", () => {
    const f = tmp.file('k.tsv', 'chr\trs\tps\tdf\tp_lrt\tneglog10_p\n1\ta\t10\t2\t1e-400\t400\n1\tb\t20\t1\t0.5\t0.30103\nX\tc\t5\t2\tNA\tNA\n');
    const t = readResultsTable(f);
    expect(t.pColumn).toBe('neglog10_p');
    expect(Array.from(t.negLog10P.subarray(0, 2))).toEqual([400, 0.30103]);
    expect(Number.isNaN(t.negLog10P[2]!)).toBe(true);
    expect(t.df).toBe(2);
    expect(t.chrNames).toEqual(['1', 'X']);
  });

  it('keeps p-values below the double range from their text', () => {
    expect(negLog10OfText('1.5e-350')).toBeCloseTo(350 - Math.log10(1.5), 12);
    expect(negLog10OfText('1')).toBe(0);
    expect(negLog10OfText('0')).toBeNaN();
    expect(negLog10OfText('2')).toBeNaN();
    expect(negLog10OfText('abc')).toBeNaN();
    const f = tmp.file('small.csv', 'CHR,SNP,BP,P\n3,rs1,100,2.5e-320\n');
    expect(readResultsTable(f).negLog10P[0]).toBeCloseTo(320 - Math.log10(2.5), 10);
  });

  it('refuses broken files with the file, the line and what to do', () => {
    expect(inputError(() => readResultsTable(join(tmp.dir, 'nope.tsv'))).message).toMatch(/nope\.tsv.*not found/);
    expect(inputError(() => readResultsTable(tmp.file('empty.tsv', ''))).message).toMatch(/empty/);
    const noP = inputError(() => readResultsTable(tmp.file('nop.tsv', 'chr\trs\tps\tbeta\n1\ta\t1\t0.2\n')));
    expect(noP.message).toMatch(/nop\.tsv, line 1: the header has no p-value/);
    expect(noP.message).toMatch(/Give a Kinscan RESULTS\.tsv/);
    const badP = inputError(() => readResultsTable(tmp.file('badp.tsv', 'chr\trs\tps\tp\n1\ta\t1\t0.2\n1\tb\t2\t1.7\n')));
    expect(badP.message).toMatch(/badp\.tsv, line 3: the p-value '1\.7'/);
    const cut = inputError(() => readResultsTable(tmp.file('cut.tsv', 'chr\trs\tps\tp\n1\ta\t1\t0.2\n1\tb\n')));
    expect(cut.message).toMatch(/cut\.tsv, line 3: has 2 columns where the header has 4/);
    const badPos = inputError(() => readResultsTable(tmp.file('pos.tsv', 'chr\trs\tps\tp\n1\ta\tten\t0.2\n')));
    expect(badPos.message).toMatch(/line 2: the position 'ten'/);
    expect(inputError(() => readResultsTable(tmp.file('hdr.tsv', 'chr\trs\tps\tp\n'))).message).toMatch(/header but no rows/);
    expect(inputError(() => readResultsTable(tmp.file('bin.tsv', new Uint8Array([0, 1, 2, 3])))).message).toMatch(/binary/);
  });
});
