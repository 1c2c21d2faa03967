import { describe, expect, it } from 'vitest';
import { findDuplicateSnps, sameIdWarning } from '../../engine/qc/duplicates.js';

/** A map with the given (chr, id, pos) rows; duplicateRs as the .bim reader lists it. */
function bimOf(rows: [string, string, number][]): { chr: string[]; rs: string[]; pos: Float64Array; duplicateRs: string[] } {
  const rs = rows.map((r) => r[1]);
  return { chr: rows.map((r) => r[0]), rs, pos: Float64Array.from(rows, (r) => r[2]), duplicateRs: [...new Set(rs.filter((id, i) => rs.indexOf(id) !== i))] };
}

describe('duplicate SNP IDs', () => {
  it('removes a repeat of an earlier ID and position, keeps the same ID elsewhere with a warning, and never treats "." as an ID', () => {
    const d = findDuplicateSnps(
      bimOf([
        ['1', 'rs1', 100],
        ['1', 'rs2', 200],
        ['1', 'rs1', 100], // the same marker again: removed
        ['2', 'rs2', 200], // same ID, another chromosome: kept
        ['1', 'rs1', 100], // a third copy: removed
        ['1', '.', 300],
        ['1', '.', 300], // no ID: never a duplicate
      ]),
    );
    expect(Array.from(d.duplicate)).toEqual([0, 0, 1, 0, 1, 0, 0]);
    expect(d.count).toBe(2);
    expect(d.sameIdElsewhere).toEqual(['rs2']);
    expect(sameIdWarning(d, 'x.bim')).toBe(
      "the SNP ID 'rs2' occurs at more than one position in x.bim; these SNPs are all tested, so look them up by chromosome and position (chr:pos), not by ID",
    );
  });

  it('costs nothing and says nothing when every ID is unique', () => {
    const d = findDuplicateSnps(bimOf([['1', 'a', 1], ['1', 'b', 2]]));
    expect(d.count).toBe(0);
    expect(sameIdWarning(d, 'x.bim')).toBeNull();
  });
});
