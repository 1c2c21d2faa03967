import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { readPedigree } from '../../engine/io/pedigree.js';
import { MAX_PEDIGREE_ANIMALS, relationshipMatrix, relationshipOver } from '../../engine/stats/pedigree-relationship.js';
import { inputError, makeTmp } from '../io/tmp.js';

const tmp = makeTmp('pedigree-a');
afterAll(() => {
  tmp.cleanup();
});

const rows = (a: Float64Array, n: number): number[][] => Array.from({ length: n }, (_, i) => Array.from(a.subarray(i * n, i * n + n)));

describe('Mrode (2005), example 2.1', () => {
  // calf sire dam: 3 = 1 x 2, 4 = 1 x unknown, 5 = 4 x 3, 6 = 5 x 2; 1 and 2 are founders.
  // By hand, parents first (a_ij = (a_j,s + a_j,d) / 2, a_ii = 1 + a_sd / 2):
  //   a_13 = (a_11 + a_12)/2 = 0.5, a_23 = 0.5, a_33 = 1 (1 and 2 unrelated)
  //   a_14 = a_11/2 = 0.5, a_24 = 0, a_34 = a_13/2 = 0.25, a_44 = 1
  //   a_15 = (a_14 + a_13)/2 = 0.5, a_25 = (0 + 0.5)/2 = 0.25, a_35 = (0.25 + 1)/2 = 0.625,
  //   a_45 = (1 + 0.25)/2 = 0.625, a_55 = 1 + a_34/2 = 1.125
  //   a_16 = (0.5 + 0)/2 = 0.25, a_26 = (0.25 + 1)/2 = 0.625, a_36 = (0.625 + 0.5)/2 = 0.5625,
  //   a_46 = (0.625 + 0)/2 = 0.3125, a_56 = (1.125 + 0.25)/2 = 0.6875, a_66 = 1 + a_25/2 = 1.125
  // Mrode's table prints these to 3 decimals (0.563, 0.313, 0.688).
  // Wright's path counting, independently: F_5 (sire 4, dam 3): common ancestor 1, path 4-1-3,
  // n1 = n2 = 1: (1/2)^(1+1+1) = 0.125. F_6 (sire 5, dam 2): 2 is an ancestor of 5 by 5-3-2,
  // n1 = 2, n2 = 0: (1/2)^3 = 0.125.
  const A = [
    [1, 0, 0.5, 0.5, 0.5, 0.25],
    [0, 1, 0.5, 0, 0.25, 0.625],
    [0.5, 0.5, 1, 0.25, 0.625, 0.5625],
    [0.5, 0, 0.25, 1, 0.625, 0.3125],
    [0.5, 0.25, 0.625, 0.625, 1.125, 0.6875],
    [0.25, 0.625, 0.5625, 0.3125, 0.6875, 1.125],
  ];
  const ped = readPedigree(tmp.file('mrode.txt', 'calf sire dam\n1 0 0\n2 0 0\n3 1 2\n4 1 0\n5 4 3\n6 5 2\n'));

  it('A by the tabular method is the hand-computed table, exactly', () => {
    const r = relationshipMatrix(ped);
    expect(r.ids).toEqual(['1', '2', '3', '4', '5', '6']);
    expect(rows(r.data, 6)).toEqual(A);
  });

  it('over a list of IDs (any order): the same entries, and F from the diagonal', () => {
    const r = relationshipOver(ped, ['6', '5', '2']);
    expect(rows(r.data, 3)).toEqual([
      [1.125, 0.6875, 0.625],
      [0.6875, 1.125, 0.25],
      [0.625, 0.25, 1],
    ]);
    // 6, 5, 2 and the ancestors 1, 3, 4: six animals, 5 and 6 inbred with F = 0.125.
    expect(r.inbreeding).toEqual({ animals: 6, inbred: 2, meanF: 0.25 / 6, maxF: 0.125, maxFAnimal: '5' });
  });

  it('parents listed after their offspring, or never listed: the same A', () => {
    const late = readPedigree(tmp.file('late.txt', 'calf sire dam\n6 5 2\n5 4 3\n4 1 0\n3 1 2\n'));
    const r = relationshipOver(late, ['1', '2', '3', '4', '5', '6']);
    expect(rows(r.data, 6)).toEqual(A);
  });
});

describe('inbreeding by Wright’s formula, against the tabular method', () => {
  // 1, 2 founders; 3 and 4 full sibs (1 x 2); 5 = 4 x 3; 6 = 5 x 3 (a backcross to a parent);
  // 8 = 7 x 7, a selfed offspring of the founder 7.
  // F_5: common ancestors 1 (path 4-1-3) and 2 (4-2-3), each (1/2)^3: F_5 = 1/4.
  // F_6 (sire 5, dam 3): 3 itself (path 5-3, n1 = 1, n2 = 0, F_3 = 0): (1/2)^2 = 1/4;
  //   1 by 5-4-1-3 (n1 = 2, n2 = 1): (1/2)^4 = 1/16; 2 by 5-4-2-3: 1/16. (5-3-1-3 passes 3 twice: not a path.)
  //   F_6 = 1/4 + 1/16 + 1/16 = 3/8.
  // F_8 (sire = dam = 7): n1 = n2 = 0: (1/2)^1 (1 + F_7) = 1/2.
  const ped = readPedigree(tmp.file('sibs.txt', 'id sire dam\n1 0 0\n2 0 0\n3 1 2\n4 1 2\n5 4 3\n6 5 3\n7 0 0\n8 7 7\n'));
  it('F = a_ii - 1', () => {
    const r = relationshipMatrix(ped);
    const f = Array.from({ length: 8 }, (_, i) => r.data[i * 8 + i]! - 1);
    expect(f).toEqual([0, 0, 0, 0, 0.25, 0.375, 0, 0.5]);
    expect(ped.warnings[0]).toMatch(/1 animal is both a sire and a dam \(e\.g\. '7'\)/);
  });
});

describe('IDs the pedigree does not have', () => {
  const ped = readPedigree(tmp.file('small.txt', 'id sire dam\na 0 0\nb 0 0\nc a b\n'));
  it('an error naming examples, by default', () => {
    const e = inputError(() => relationshipOver(ped, ['a', 'x', 'c', 'y'], { listName: 'the .fam file g.fam' }));
    expect(e.message).toMatch(/2 of the 4 IDs of the \.fam file g\.fam are not in the pedigree \(e\.g\. "x", "y"\)\. Add them to the pedigree .*--unlisted-founders/);
  });
  it('none matching: says what the pedigree has', () => {
    const e = inputError(() => relationshipOver(ped, ['x', 'y']));
    expect(e.message).toMatch(/none of the 2 IDs of the genotyped individuals is in the pedigree \(e\.g\. "x", "y"; the pedigree has "a", "b", "c"\)/);
  });
  it('unrelated founders when asked, with a warning', () => {
    const r = relationshipOver(ped, ['c', 'x', 'a'], { unlistedAsFounders: true });
    expect(rows(r.data, 3)).toEqual([
      [1, 0, 0.5],
      [0, 1, 0],
      [0.5, 0, 1],
    ]);
    expect(r.unlisted).toEqual(['x']);
    expect(r.warnings.at(-1)).toMatch(/1 of the 3 IDs .* taken as unrelated founders/);
  });
  it('a list naming an ID twice', () => {
    expect(inputError(() => relationshipOver(ped, ['a', 'b', 'a'])).message).toMatch(/names "a" twice \(positions 1 and 3\)/);
  });
});

it('more animals than the memory limit: a clear error before any allocation', () => {
  const n = MAX_PEDIGREE_ANIMALS + 1;
  const lines = Array.from({ length: n }, (_, i) => `f${i} 0 0`);
  const ped = readPedigree(tmp.file('big.txt', lines.join('\n')));
  expect(inputError(() => relationshipMatrix(ped)).message).toMatch(/A over 20,001 animals would take 3\.2 GB of memory \(8 N² bytes\); Kinscan builds A for up to 20,000 animals \(3\.2 GB\)/);
});

describe('properties on random pedigrees', () => {
  /** A random pedigree: animal i's parents are earlier animals or unknown; written to the file in a shuffled order. */
  const pedigreeArb = (lo: number, hi: number) =>
    fc
    .integer({ min: lo, max: hi })
    .chain((n) =>
      fc.tuple(
        fc.constant(n),
        fc.array(fc.tuple(fc.integer({ min: -8, max: hi - 1 }), fc.integer({ min: -8, max: hi - 1 })), { minLength: n, maxLength: n }),
        fc.shuffledSubarray(Array.from({ length: n }, (_, i) => i), { minLength: n, maxLength: n }),
      ),
    )
    .map(([n, links, shuffle]) => {
      const sire = links.map(([s], i) => (s >= 0 && i > 0 ? s % i : -1));
      const dam = links.map(([, d], i) => (d >= 0 && i > 0 ? d % i : -1));
      return { n, sire, dam, shuffle };
    });

  /** The kinship coefficient by its recursive definition (memoised), with animals numbered so parents are older. */
  function naiveKinship(sire: number[], dam: number[]): (i: number, j: number) => number {
    const memo = new Map<string, number>();
    const f = (i: number, j: number): number => {
      if (i < 0 || j < 0) return 0;
      if (i < j) [i, j] = [j, i];
      const key = `${i},${j}`;
      const hit = memo.get(key);
      if (hit !== undefined) return hit;
      // The younger of the two (i) passes on half of each parent's coancestry; with itself, 1/2 (1 + F).
      const v = i === j ? 0.5 * (1 + f(sire[i]!, dam[i]!)) : 0.5 * (f(sire[i]!, j) + f(dam[i]!, j));
      memo.set(key, v);
      return v;
    };
    return f;
  }

  // Small pedigrees, and ones spanning several of the tabular method's blocks of 64 rows.
  it.each([
    [1, 24, 200],
    [65, 220, 12],
  ])('A is symmetric, diag >= 1, positive definite, and 2x the recursive kinship coefficients (%i to %i animals)', (lo, hi, numRuns) => {
    fc.assert(
      fc.property(pedigreeArb(lo, hi), ({ n, sire, dam, shuffle }) => {
        const name = (i: number): string => (i < 0 ? '0' : `an${i}`);
        const text = shuffle.map((i) => `${name(i)} ${name(sire[i]!)} ${name(dam[i]!)}`).join('\n');
        const ped = readPedigree(tmp.file('prop.txt', text));
        const r = relationshipOver(ped, Array.from({ length: n }, (_, i) => name(i)));
        const a = r.data;
        const kin = naiveKinship(sire, dam);
        let asymmetric = 0;
        let off = 0;
        let minDiag = Infinity;
        for (let i = 0; i < n; i++) {
          minDiag = Math.min(minDiag, a[i * n + i]!);
          for (let j = 0; j < n; j++) {
            asymmetric = Math.max(asymmetric, Math.abs(a[i * n + j]! - a[j * n + i]!));
            off = Math.max(off, Math.abs(a[i * n + j]! - 2 * kin(i, j)));
          }
        }
        expect(asymmetric).toBe(0);
        expect(off).toBeLessThan(1e-12);
        expect(minDiag).toBeGreaterThanOrEqual(1);
        // Cholesky succeeds: A = T D T' with D_ii the Mendelian sampling variances, all > 0 (Henderson).
        const l = Float64Array.from(a);
        for (let k = 0; k < n; k++) {
          let d = l[k * n + k]!;
          for (let p = 0; p < k; p++) d -= l[k * n + p]! ** 2;
          expect(d).toBeGreaterThan(0);
          const s = Math.sqrt(d);
          l[k * n + k] = s;
          for (let i = k + 1; i < n; i++) {
            let v = l[i * n + k]!;
            for (let p = 0; p < k; p++) v -= l[i * n + p]! * l[k * n + p]!;
            l[i * n + k] = v / s;
          }
        }
      }),
      { numRuns },
    );
  }, 60_000);
});
