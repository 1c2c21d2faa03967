/**
 * Pedigree files (animal, sire, dam), for the numerator relationship matrix A
 * (engine/stats/pedigree-relationship.ts).
 *
 * Layout, decided from the file and stated in the result:
 * - Fields are split on tabs when the first record holds a tab, else on commas when it holds one,
 *   else on runs of blanks. Blank lines and lines starting with '#' are skipped.
 * - A header is recognised by its names, in any column: the animal (`id`, `animal`, `iid`,
 *   `individual`, `ind`, `calf`, `progeny`, `offspring`), the sire (`sire`, `father`, `pat`,
 *   `dad`, `sire_id`) and the dam (`dam`, `mother`, `mat`, `mom`, `dam_id`). A header with `FID`
 *   and `IID` is PLINK's .fam layout. Without a header: a file named `*.fam` is PLINK's .fam layout
 *   (FID IID father mother sex phenotype), anything else is animal, sire, dam in the first three
 *   columns (further columns, e.g. sex or birth year, are ignored).
 * - In the .fam layout an animal is its IID (the IID is what a .fam names genotypes by); the same
 *   IID in two families is a duplicate.
 * - Unknown parents are `0`, `NA`, `.`, `-`, `*` or empty.
 *
 * Bad input is an InputError naming the file, the line(s) and the fix: an empty file, ragged
 * rows, a duplicate animal (both lines), an animal that is its own parent, a loop (an animal its
 * own ancestor, the cycle named). Stated warnings, not errors: parents listed after their offspring
 * or never listed (added as founders; the animals are re-ordered parents first, stably, because
 * Henderson's method needs parents before offspring), and animals used both as sire and as dam
 * (selfing plants and hermaphrodites are like that).
 */
import { basename } from 'node:path';
import { InputError } from './errors.js';
import { forEachLine, quote, splitWhitespace } from './text-lines.js';

const WHAT = 'pedigree file';

/** The animals of a pedigree and their parents. Index k is the k-th animal in the file's order; animals named only as parents come after, in order of first mention. */
export interface Pedigree {
  file: string;
  /** How the columns were read, for messages. */
  layout: 'id sire dam' | 'plink fam';
  ids: string[];
  /** Index of each animal's sire (-1: unknown). */
  sire: Int32Array;
  /** Index of each animal's dam (-1: unknown). */
  dam: Int32Array;
  /** The animals, parents before offspring (a stable topological order of the file's order). */
  order: Int32Array;
  /** Animals with a line of their own (the first `listed` of ids). */
  listed: number;
  /** 1-based line of each listed animal. */
  lines: Int32Array;
  warnings: string[];
}

const UNKNOWN = new Set(['', '0', 'na', 'n/a', '.', '-', '*']);
const ID_NAMES = new Set(['id', 'animal', 'iid', 'individual', 'ind', 'calf', 'progeny', 'offspring', 'animal_id']);
const SIRE_NAMES = new Set(['sire', 'father', 'pat', 'dad', 'sire_id', 'paternal_id']);
const DAM_NAMES = new Set(['dam', 'mother', 'mat', 'mom', 'dam_id', 'maternal_id']);

function unknown(s: string): boolean {
  return UNKNOWN.has(s.toLowerCase());
}

interface Columns {
  id: number;
  sire: number;
  dam: number;
}

type Splitter = (line: string) => string[];

function splitterFor(line: string): Splitter {
  if (line.includes('\t')) return (l) => l.split('\t').map((s) => s.trim());
  if (line.includes(',')) return (l) => l.split(',').map((s) => s.trim().replace(/^"(.*)"$/, '$1'));
  return splitWhitespace;
}

/** The header's columns, or undefined when the line is data. */
function headerColumns(fields: string[], file: string, line: number): { cols: Columns; layout: Pedigree['layout'] } | undefined {
  const low = fields.map((f) => f.toLowerCase());
  const fid = low.indexOf('fid');
  const find = (names: Set<string>): number => low.findIndex((f) => names.has(f));
  const id = find(ID_NAMES);
  const sire = find(SIRE_NAMES);
  const dam = find(DAM_NAMES);
  if (id < 0 && sire < 0 && dam < 0) return undefined;
  if (id < 0 || sire < 0 || dam < 0) {
    const missing = [id < 0 ? 'the animal (id)' : '', sire < 0 ? 'the sire (father)' : '', dam < 0 ? 'the dam (mother)' : ''].filter(Boolean);
    throw new InputError(
      `the header names no column for ${missing.join(' or ')}`,
      { file, line },
      'Name the columns id, sire and dam (or animal, father, mother; or FID, IID, father, mother as in a PLINK .fam)',
    );
  }
  return { cols: { id, sire, dam }, layout: fid >= 0 && low[id] === 'iid' ? 'plink fam' : 'id sire dam' };
}

/** Read a pedigree file (streamed line by line; gzip read transparently). */
export function readPedigree(path: string): Pedigree {
  const index = new Map<string, number>();
  const ids: string[] = [];
  const sireOf: number[] = [];
  const damOf: number[] = [];
  const lineOf: number[] = [];
  // Parents named before their own line: their index is reserved, their line fills it later.
  const mentioned: number[] = [];
  let split: Splitter | undefined;
  let cols: Columns | undefined;
  let layout: Pedigree['layout'] = 'id sire dam';
  let width = 0;
  let widthLine = 0;
  let records = 0;
  const slot = (name: string): number => {
    let k = index.get(name);
    if (k === undefined) {
      k = ids.length;
      index.set(name, k);
      ids.push(name);
      sireOf.push(-1);
      damOf.push(-1);
      lineOf.push(0);
    }
    return k;
  };

  forEachLine(path, WHAT, (raw, lineNo) => {
    const t = raw.trim();
    if (t === '' || t.startsWith('#')) return;
    if (!split) {
      split = splitterFor(raw);
      const fields = split(raw);
      const head = headerColumns(fields, path, lineNo);
      width = fields.length;
      widthLine = lineNo;
      if (head) {
        cols = head.cols;
        layout = head.layout;
        return;
      }
      if (/\.fam$/i.test(path)) {
        layout = 'plink fam';
        cols = { id: 1, sire: 2, dam: 3 };
      } else cols = { id: 0, sire: 1, dam: 2 };
    }
    const f = split(raw);
    if (f.length !== width) {
      throw new InputError(
        `this row has ${f.length} field${f.length === 1 ? '' : 's'} but ${widthLine === 0 ? 'the first row' : `line ${widthLine}`} has ${width}`,
        { file: path, line: lineNo },
        'Give every row the same columns (an unknown parent is 0 or NA, not left out)',
      );
    }
    const c = cols!;
    const need = Math.max(c.id, c.sire, c.dam) + 1;
    if (f.length < need) {
      throw new InputError(
        `this row has ${f.length} field${f.length === 1 ? '' : 's'}; a pedigree needs ${layout === 'plink fam' ? 'FID, IID, father and mother' : 'animal, sire and dam'}`,
        { file: path, line: lineNo },
        'Write one animal a line: its ID, its sire and its dam (0 or NA when unknown)',
      );
    }
    const id = f[c.id]!;
    if (unknown(id)) {
      throw new InputError(`the animal's ID is missing (${quote(id)})`, { file: path, line: lineNo }, 'Give every animal an ID; 0, NA, . and - mean an unknown parent');
    }
    const k = slot(id);
    if (lineOf[k]! > 0) {
      throw new InputError(
        `the animal ${quote(id)} is listed twice, on lines ${lineOf[k]} and ${lineNo}`,
        { file: path, line: lineNo },
        'Keep one line per animal',
      );
    }
    lineOf[k] = lineNo;
    records++;
    if (k !== records - 1) mentioned.push(k);
    for (const [col, into, role] of [
      [c.sire, sireOf, 'sire'],
      [c.dam, damOf, 'dam'],
    ] as const) {
      const p = f[col]!;
      if (unknown(p)) continue;
      if (p === id) {
        throw new InputError(`the animal ${quote(id)} is its own ${role}`, { file: path, line: lineNo }, `Correct the ${role}, or write 0 when it is unknown`);
      }
      into[k] = slot(p);
    }
  });

  if (records === 0) {
    throw new InputError(
      split ? 'has a header but no animals' : 'is empty',
      { file: path },
      'A pedigree lists one animal a line: its ID, its sire and its dam (0 or NA when unknown)',
    );
  }
  return finish(path, layout, ids, sireOf, damOf, lineOf, records);
}

/**
 * Put the listed animals first in the file's order and the parents without a line after them
 * (a parent named before its own line keeps its place among the listed), check for loops and
 * for sire/dam double roles, and order the animals parents first.
 */
function finish(file: string, layout: Pedigree['layout'], names: string[], sireOf: number[], damOf: number[], lineOf: number[], listed: number): Pedigree {
  const n = names.length;
  // New index: listed animals by line, then founders added, by first mention.
  const byLine = Array.from({ length: n }, (_, k) => k).filter((k) => lineOf[k]! > 0);
  byLine.sort((a, b) => lineOf[a]! - lineOf[b]!);
  const added = Array.from({ length: n }, (_, k) => k).filter((k) => lineOf[k] === 0);
  const perm = [...byLine, ...added];
  const newIndex = new Int32Array(n);
  perm.forEach((old, k) => (newIndex[old] = k));
  const ids = perm.map((old) => names[old]!);
  const sire = new Int32Array(n);
  const dam = new Int32Array(n);
  const lines = new Int32Array(listed);
  for (let k = 0; k < n; k++) {
    const old = perm[k]!;
    sire[k] = sireOf[old]! < 0 ? -1 : newIndex[sireOf[old]!]!;
    dam[k] = damOf[old]! < 0 ? -1 : newIndex[damOf[old]!]!;
    if (k < listed) lines[k] = lineOf[old]!;
  }
  const order = topologicalOrder(file, ids, sire, dam, lines);
  const warnings: string[] = [];
  const name = basename(file);
  if (added.length > 0) {
    warnings.push(
      `${name}: ${added.length} parent${added.length === 1 ? ' has' : 's have'} no line of ${added.length === 1 ? 'its' : 'their'} own ` +
        `(e.g. ${added.slice(0, 3).map((k) => quote(names[k]!)).join(', ')}): added as founders with unknown parents`,
    );
  }
  let late = 0;
  for (let k = 0; k < listed; k++) {
    if ((sire[k]! >= 0 && sire[k]! > k && sire[k]! < listed) || (dam[k]! >= 0 && dam[k]! > k && dam[k]! < listed)) late++;
  }
  if (late > 0) {
    warnings.push(
      `${name}: ${late} animal${late === 1 ? ' is' : 's are'} listed before ${late === 1 ? 'its' : 'their'} parents; ` +
        'the pedigree was re-ordered parents first (Henderson’s method needs that), which does not change A',
    );
  }
  const both = doubleRoles(sire, dam, n);
  if (both.length > 0) {
    warnings.push(
      `${name}: ${both.length} animal${both.length === 1 ? ' is' : 's are'} both a sire and a dam (e.g. ${both.slice(0, 3).map((k) => quote(ids[k]!)).join(', ')}): ` +
        'fine for selfing plants or hermaphrodites; otherwise check the sire and dam columns',
    );
  }
  return { file, layout, ids, sire, dam, order, listed, lines, warnings };
}

function doubleRoles(sire: Int32Array, dam: Int32Array, n: number): number[] {
  const role = new Uint8Array(n);
  for (let k = 0; k < n; k++) {
    if (sire[k]! >= 0) role[sire[k]!]! |= 1;
    if (dam[k]! >= 0) role[dam[k]!]! |= 2;
  }
  const out: number[] = [];
  for (let k = 0; k < n; k++) if (role[k] === 3) out.push(k);
  return out;
}

/**
 * Parents before offspring, keeping the file's order where it already is (each animal placed as
 * soon as its parents are, by an iterative depth-first walk). An animal met again while its own
 * ancestors are being walked closes a loop: that is an error naming the cycle.
 */
function topologicalOrder(file: string, ids: string[], sire: Int32Array, dam: Int32Array, lines: Int32Array): Int32Array {
  const n = ids.length;
  const state = new Uint8Array(n); // 0 new, 1 on the current path, 2 placed
  const order = new Int32Array(n);
  let placed = 0;
  const stack = new Int32Array(n);
  const step = new Uint8Array(n); // 0: sire next, 1: dam next, 2: place
  for (let root = 0; root < n; root++) {
    if (state[root] !== 0) continue;
    let top = 0;
    stack[top++] = root;
    state[root] = 1;
    step[root] = 0;
    while (top > 0) {
      const k = stack[top - 1]!;
      const s = step[k]!;
      if (s < 2) {
        step[k] = s + 1;
        const p = s === 0 ? sire[k]! : dam[k]!;
        if (p < 0 || state[p] === 2) continue;
        if (state[p] === 1) throw loopError(file, ids, lines, stack, top, p);
        state[p] = 1;
        step[p] = 0;
        stack[top++] = p;
        continue;
      }
      state[k] = 2;
      order[placed++] = k;
      top--;
    }
  }
  return order;
}

function loopError(file: string, ids: string[], lines: Int32Array, stack: Int32Array, top: number, again: number): InputError {
  // The stack holds offspring -> parent -> grandparent ...; `again` (on the stack at `from`) is a parent of the top.
  let from = top - 1;
  while (stack[from] !== again) from--;
  const cycle: number[] = [];
  for (let i = top - 1; i >= from; i--) cycle.push(stack[i]!);
  // Written ancestor -> offspring: A is a parent of B, B of C, C of A.
  const names = [ids[again]!, ...cycle.map((k) => ids[k]!)];
  const at = cycle.map((k) => lines[k]).filter((l): l is number => l !== undefined && l > 0);
  return new InputError(
    `the pedigree has a loop: ${names.join(' -> ')} (each animal a parent of the next, so ${quote(ids[again]!)} would be its own ancestor)` +
      (at.length > 0 ? `; see lines ${[...new Set(at)].sort((a, b) => a - b).join(', ')}` : ''),
    { file, ...(at.length > 0 ? { line: Math.min(...at) } : {}) },
    'Correct the sire or dam of one of these animals',
  );
}
