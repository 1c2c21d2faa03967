import { gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { InputError } from '../../engine/io/errors.js';
import { readPedigree, type Pedigree } from '../../engine/io/pedigree.js';
import { inputError, makeTmp } from './tmp.js';

const tmp = makeTmp('pedigree');
afterAll(() => {
  tmp.cleanup();
});

/** Each animal with its parents' names ('0' for unknown), in the reader's order. */
const trios = (p: Pedigree): string[] => p.ids.map((id, k) => `${id} ${p.sire[k]! < 0 ? '0' : p.ids[p.sire[k]!]} ${p.dam[k]! < 0 ? '0' : p.ids[p.dam[k]!]}`);
/** True when every parent comes before its offspring in `order`. */
const parentsFirst = (p: Pedigree): boolean => {
  const pos = new Map<number, number>();
  p.order.forEach((k, i) => pos.set(k, i));
  return p.ids.every((_, k) => [p.sire[k]!, p.dam[k]!].every((q) => q < 0 || pos.get(q)! < pos.get(k)!));
};

// Mrode (2005), example 2.1 ('calf sire dam'): 1 and 2 are founders.
const MRODE = 'calf sire dam\n3 1 2\n4 1 0\n5 4 3\n6 5 2\n';

describe('layouts', () => {
  it('a header of calf/sire/dam; parents never listed are added as founders, after the listed animals', () => {
    const p = readPedigree(tmp.file('mrode.txt', MRODE));
    expect(p.layout).toBe('id sire dam');
    expect(trios(p)).toEqual(['3 1 2', '4 1 0', '5 4 3', '6 5 2', '1 0 0', '2 0 0']);
    expect(p.listed).toBe(4);
    expect(Array.from(p.lines)).toEqual([2, 3, 4, 5]);
    expect(parentsFirst(p)).toBe(true);
    expect(p.warnings).toEqual(["mrode.txt: 2 parents have no line of their own (e.g. '1', '2'): added as founders with unknown parents"]);
  });

  it('CSV, TSV with empty fields, whitespace: the same animals', () => {
    const csv = readPedigree(tmp.file('p.csv', 'animal,father,mother\n1,NA,NA\n2,,\n3,1,2\n'));
    const tsv = readPedigree(tmp.file('p.tsv', 'id\tsire\tdam\n1\t\t\n2\t.\t-\n3\t1\t2\n'));
    const ws = readPedigree(tmp.file('p.txt', '1 0 0\n2   0  0\n 3 1 2 \n'));
    for (const p of [csv, tsv, ws]) {
      expect(trios(p)).toEqual(['1 0 0', '2 0 0', '3 1 2']);
      expect(p.warnings).toEqual([]);
    }
  });

  it('columns named in any position; extra columns ignored', () => {
    const p = readPedigree(tmp.file('q.csv', 'sex,dam,animal,sire,year\nF,0,a,0,2001\nM,a,b,0,2003\n'));
    expect(trios(p)).toEqual(['a 0 0', 'b 0 a']);
  });

  it('PLINK .fam layout, by its header (FID IID) or by the .fam name; animals are IIDs', () => {
    const head = readPedigree(tmp.file('f.txt', 'FID IID father mother sex pheno\nF1 m 0 0 1 -9\nF1 d 0 0 2 -9\nF1 k m d 1 2.5\n'));
    const fam = readPedigree(tmp.file('x.fam', 'F1 m 0 0 1 -9\nF1 d 0 0 2 -9\nF1 k m d 1 2.5\n'));
    for (const p of [head, fam]) {
      expect(p.layout).toBe('plink fam');
      expect(trios(p)).toEqual(['m 0 0', 'd 0 0', 'k m d']);
    }
  });

  it('a BOM, CRLF line ends and gzip give the same pedigree as the clean file', () => {
    const clean = readPedigree(tmp.file('c.txt', MRODE));
    const bom = readPedigree(tmp.file('bom.txt', '\ufeff' + MRODE.replace(/\n/g, '\r\n')));
    const gz = readPedigree(tmp.file('g.txt.gz', gzipSync(Buffer.from(MRODE))));
    for (const p of [bom, gz]) {
      expect(trios(p)).toEqual(trios(clean));
      expect(Array.from(p.order)).toEqual(Array.from(clean.order));
    }
  });

  it('blank and # lines are skipped', () => {
    const p = readPedigree(tmp.file('h.txt', '# my herd\n\nid sire dam\n\na 0 0\n# note\nb a 0\n'));
    expect(trios(p)).toEqual(['a 0 0', 'b a 0']);
    expect(Array.from(p.lines)).toEqual([5, 7]);
  });
});

describe('order', () => {
  it('offspring listed before their parents: re-ordered parents first, stably, with a stated warning', () => {
    const p = readPedigree(tmp.file('late.txt', 'id sire dam\nc a b\nd c b\na 0 0\nb 0 0\ne 0 0\n'));
    // The file's order is kept for A's rows; the order used for Henderson's method puts a and b before c.
    expect(trios(p)).toEqual(['c a b', 'd c b', 'a 0 0', 'b 0 0', 'e 0 0']);
    expect(p.order.length).toBe(5);
    expect(Array.from(p.order, (k) => p.ids[k])).toEqual(['a', 'b', 'c', 'd', 'e']);
    expect(p.warnings).toEqual(['late.txt: 2 animals are listed before their parents; the pedigree was re-ordered parents first (Henderson’s method needs that), which does not change A']);
  });

  it('an animal both a sire and a dam is a stated warning (selfing plants)', () => {
    const p = readPedigree(tmp.file('self.txt', 'id sire dam\np 0 0\nq p p\nr q 0\ns 0 q\n'));
    expect(trios(p)).toEqual(['p 0 0', 'q p p', 'r q 0', 's 0 q']);
    expect(p.warnings).toEqual(["self.txt: 2 animals are both a sire and a dam (e.g. 'p', 'q'): fine for selfing plants or hermaphrodites; otherwise check the sire and dam columns"]);
  });
});

describe('broken corpus', () => {
  const cases: [string, string, string | Uint8Array, RegExp, number | undefined][] = [
    ['empty file', 'empty.txt', '', /empty\.txt: is empty\. A pedigree lists one animal a line/, undefined],
    ['only blank lines', 'blank.txt', '\n  \n\n', /is empty/, undefined],
    ['a header and nothing else', 'head.txt', 'id sire dam\n', /has a header but no animals/, undefined],
    ['a loop of three', 'loop.txt', 'id sire dam\nA C 0\nB A 0\nC B 0\n', /has a loop: A -> B -> C -> A \(each animal a parent of the next, so 'A' would be its own ancestor\); see lines 2, 3, 4\. Correct the sire or dam/, 2],
    ['a loop through a dam, far down', 'loop2.txt', 'id sire dam\nx q 0\ny 0 x\nz 0 y\nq z 0\n', /has a loop: x -> y -> z -> q -> x .*; see lines 2, 3, 4, 5/, 2],
    ['a two-animal loop', 'loop3.txt', 'id sire dam\nu v 0\nv u 0\n', /has a loop: u -> v -> u/, 2],
    ['an animal that is its own sire', 'selfp.txt', 'id sire dam\na 0 0\nb b a\n', /line 3: the animal 'b' is its own sire\. Correct the sire, or write 0/, 3],
    ['an animal that is its own dam', 'selfd.txt', 'a 0 a\n', /line 1: the animal 'a' is its own dam/, 1],
    ['a duplicate animal', 'dup.txt', 'id sire dam\na 0 0\nb a 0\na 0 0\n', /line 4: the animal 'a' is listed twice, on lines 2 and 4\. Keep one line per animal/, 4],
    ['a ragged row', 'ragged.txt', 'id sire dam\na 0 0\nb a\n', /line 3: this row has 2 fields but line 1 has 3\. Give every row the same columns/, 3],
    ['a ragged CSV row', 'ragged.csv', 'a,0,0\nb,a,0,extra\n', /line 2: this row has 4 fields but line 1 has 3/, 2],
    ['too few columns', 'two.txt', 'a 0\nb a\n', /line 1: this row has 2 fields; a pedigree needs animal, sire and dam/, 1],
    ['a missing animal ID', 'noid.csv', 'id,sire,dam\n,0,0\n', /line 2: the animal's ID is missing/, 2],
    ['a header without a dam column', 'nodam.txt', 'id sire weight\na 0 1\n', /line 1: the header names no column for the dam \(mother\)/, 1],
    ['a binary file', 'bin.txt', new Uint8Array([1, 0, 2, 3]), /is a binary file, not text/, undefined],
  ];
  for (const [what, name, content, message, line] of cases) {
    it(what, () => {
      const e = inputError(() => readPedigree(tmp.file(name, content)));
      expect(e.message).toMatch(message);
      expect(e.file).toContain(name);
      expect(e.line).toBe(line);
    });
  }

  it('a file that does not exist', () => {
    expect(inputError(() => readPedigree(tmp.dir + '/none.txt')).message).toMatch(/pedigree file not found/);
  });
});

describe('fuzz', () => {
  const only = (content: Uint8Array | string): void => {
    const path = tmp.file('fuzz.txt', content);
    try {
      const p = readPedigree(path);
      // Whatever reads is a pedigree: parents first, indices in range.
      expect(p.order.length).toBe(p.ids.length);
      expect(parentsFirst(p)).toBe(true);
    } catch (e) {
      if (!(e instanceof InputError)) throw e;
    }
  };

  it('random bytes give a pedigree or an InputError, never another exception', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 300 }), (b) => only(b)), { numRuns: 300 });
  });

  it('random edits of a valid file (tokens swapped in, lines dropped or repeated) likewise', () => {
    const base = MRODE.split('\n');
    const token = fc.constantFrom('0', 'NA', '', '1', '3', '6', 'x', ',', '\t', '\r', '"', '#', ' ', '\ufeff');
    const edit = fc.record({ line: fc.nat(base.length - 1), at: fc.nat(12), text: fc.array(token, { maxLength: 3 }), op: fc.constantFrom('insert', 'drop', 'repeat') });
    fc.assert(
      fc.property(fc.array(edit, { maxLength: 6 }), (edits) => {
        const lines = [...base];
        for (const e of edits) {
          const l = e.line % lines.length;
          if (e.op === 'drop') lines.splice(l, 1);
          else if (e.op === 'repeat') lines.splice(l, 0, lines[l]!);
          else lines[l] = lines[l]!.slice(0, e.at) + e.text.join('') + lines[l]!.slice(e.at);
          if (lines.length === 0) lines.push('');
        }
        only(lines.join('\n'));
      }),
      { numRuns: 400 },
    );
  });

  it('random parent links: a loop is always found, never a hang', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.nat(30), fc.nat(30)), { minLength: 1, maxLength: 30 }), (links) => {
        const rows = links.map(([s, d], i) => `a${i} ${s % 3 === 0 ? '0' : `a${s}`} ${d % 3 === 0 ? '0' : `a${d}`}`);
        only(rows.join('\n'));
      }),
      { numRuns: 300 },
    );
  });
});
