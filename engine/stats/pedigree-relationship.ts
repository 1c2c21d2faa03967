/**
 * The numerator relationship matrix A of a pedigree by the tabular method (Henderson 1976; Mrode,
 * "Linear Models for the Prediction of Animal Breeding Values", ch. 2): with animals taken parents
 * first, for an animal i with sire s and dam d (an unknown parent contributes 0)
 *
 *   a_ij = (a_js + a_jd) / 2   for every animal j placed before i,
 *   a_ii = 1 + F_i,  F_i = a_sd / 2   (0 when a parent is unknown).
 *
 * A is 2x the kinship (coancestry) coefficients; A over the genotyped individuals is what GEMMA
 * takes with -k A.txt. Memory is 8 N^2 bytes for N animals (an N x N Float64Array, row-major,
 * stride N), so N is limited to MAX_PEDIGREE_ANIMALS; over a list of IDs, only those animals and
 * their ancestors are used (the others cannot change A among them).
 */
import { basename } from 'node:path';
import { InputError } from '../io/errors.js';
import { readPedigree, type Pedigree } from '../io/pedigree.js';

/** Rows of A made between two mirrorings into their columns (see tabular). */
const BLOCK = 64;

/** 20,000 animals take 3.2 GB (8 N^2 bytes). */
export const MAX_PEDIGREE_ANIMALS = 20_000;

export interface Relationship {
  /** Animals, in the order of A's rows. */
  ids: string[];
  n: number;
  /** Row-major n x n. */
  data: Float64Array;
}

/** Inbreeding in a pedigree, for messages and the run's summary. */
export interface InbreedingSummary {
  /** Animals A was computed over (the list's animals and their ancestors). */
  animals: number;
  /** Of which with F > 0. */
  inbred: number;
  meanF: number;
  maxF: number;
  /** The animal with the largest F (empty when none is inbred). */
  maxFAnimal: string;
}

function gb(bytes: number): string {
  return `${(bytes / 1e9).toFixed(1)} GB`;
}

function checkSize(ped: Pedigree, n: number): void {
  if (n > MAX_PEDIGREE_ANIMALS) {
    throw new InputError(
      `A over ${n.toLocaleString('en-US')} animals would take ${gb(8 * n * n)} of memory (8 N² bytes); Kinscan builds A for up to ${MAX_PEDIGREE_ANIMALS.toLocaleString('en-US')} animals (${gb(8 * MAX_PEDIGREE_ANIMALS ** 2)})`,
      { file: ped.file },
      'Keep only the genotyped animals and their ancestors in the pedigree, or cut generations far back from them',
    );
  }
}

/**
 * A over the animals `use` (indices of ped, which must hold every ancestor of each), with row r
 * the animal use[r]. Computed in the pedigree's parents-first order (position t holds the t-th
 * animal placed), where row t only needs columns 0..t-1 of its parents' rows: each row is half a
 * contiguous pass over two rows, then mirrored into its column. The rows are then put in `use`'s
 * order in place.
 */
function tabular(ped: Pedigree, use: Int32Array): Float64Array {
  const n = use.length;
  checkSize(ped, n);
  const row = new Int32Array(ped.ids.length).fill(-1);
  for (let r = 0; r < n; r++) row[use[r]!] = r;
  // pos[k]: the position of animal k in the parents-first order; rowAt[t]: its row in the result.
  const pos = new Int32Array(ped.ids.length).fill(-1);
  const rowAt = new Int32Array(n);
  let t = 0;
  for (const k of ped.order) {
    if (row[k]! < 0) continue;
    pos[k] = t;
    rowAt[t++] = row[k]!;
  }
  // Parents by position (-1: unknown).
  const sp = new Int32Array(n);
  const dp = new Int32Array(n);
  t = 0;
  for (const k of ped.order) {
    if (row[k]! < 0) continue;
    sp[t] = ped.sire[k]! < 0 ? -1 : pos[ped.sire[k]!]!;
    dp[t] = ped.dam[k]! < 0 ? -1 : pos[ped.dam[k]!]!;
    t++;
  }
  const a = new Float64Array(n * n);
  // a[max(x, y) * n + min(x, y)]: the lower triangle, always made by the time it is read.
  const low = (x: number, y: number): number => (x >= y ? a[x * n + y]! : a[y * n + x]!);
  // Rows in blocks: the columns before a block are complete in every earlier row (the blocks
  // before were mirrored into them), so a row's bulk is a contiguous pass over its parents' rows;
  // within the block the lower triangle is read; then the block is mirrored into its columns, one
  // short contiguous run a row (mirroring row by row would write a column, n pages apart).
  for (let b0 = 0; b0 < n; b0 += BLOCK) {
    const b1 = Math.min(n, b0 + BLOCK);
    for (let r = b0; r < b1; r++) {
      const s = sp[r]!;
      const d = dp[r]!;
      const at = r * n;
      if (s >= 0 && d >= 0) {
        const rs = s * n;
        const rd = d * n;
        for (let c = 0; c < b0; c++) a[at + c] = 0.5 * (a[rs + c]! + a[rd + c]!);
      } else if (s >= 0 || d >= 0) {
        const rp = (s >= 0 ? s : d) * n;
        for (let c = 0; c < b0; c++) a[at + c] = 0.5 * a[rp + c]!;
      }
      for (let c = b0; c < r; c++) a[at + c] = 0.5 * ((s >= 0 ? low(s, c) : 0) + (d >= 0 ? low(d, c) : 0));
      a[at + r] = 1 + (s >= 0 && d >= 0 ? 0.5 * low(s, d) : 0);
    }
    for (let c = 0; c < b1; c++) {
      const rc = c * n;
      for (let r = Math.max(b0, c + 1); r < b1; r++) a[rc + r] = a[r * n + c]!;
    }
  }
  permuteSymmetric(a, n, rowAt);
  return a;
}

/**
 * Move row and column t of a symmetric n x n matrix to row and column to[t], in place (one spare
 * row): rows along the permutation's cycles, then each row's columns.
 */
function permuteSymmetric(a: Float64Array, n: number, to: Int32Array): void {
  const spare = new Float64Array(n);
  const done = new Uint8Array(n);
  for (let start = 0; start < n; start++) {
    if (done[start] || to[start] === start) continue;
    // Carry row `start` to its place, the row there to its place, ... until the cycle closes.
    spare.set(a.subarray(start * n, start * n + n));
    let t = start;
    while (!done[t]) {
      done[t] = 1;
      const dest = to[t]!;
      const keep = a.slice(dest * n, dest * n + n);
      a.set(spare, dest * n);
      spare.set(keep);
      t = dest;
    }
  }
  for (let r = 0; r < n; r++) {
    const base = r * n;
    spare.set(a.subarray(base, base + n));
    for (let t = 0; t < n; t++) a[base + to[t]!] = spare[t]!;
  }
}

/** A over every animal of the pedigree, in the pedigree's order (listed animals in the file's order, then the parents without a line). */
export function relationshipMatrix(ped: Pedigree): Relationship {
  const use = Int32Array.from({ length: ped.ids.length }, (_, k) => k);
  return { ids: ped.ids, n: use.length, data: tabular(ped, use) };
}

/** What to do with IDs the pedigree does not list: refuse (default), or take them as unrelated founders. */
export interface SubsetOptions {
  unlistedAsFounders?: boolean;
  /** Names the list in messages, e.g. "the .fam file x.fam". */
  listName?: string;
}

export interface RelationshipSubset extends Relationship {
  inbreeding: InbreedingSummary;
  /** IDs of the list absent from the pedigree (taken as founders; empty unless allowed). */
  unlisted: string[];
  warnings: string[];
}

/**
 * A over a list of IDs (e.g. the genotyped individuals in .fam order), from the animals of the
 * list and their ancestors only. An ID the pedigree does not have is an error naming examples,
 * unless `unlistedAsFounders` (then it is an unrelated, non-inbred founder, and a warning says so).
 */
export function relationshipOver(ped: Pedigree, list: readonly string[], opts: SubsetOptions = {}): RelationshipSubset {
  const index = new Map<string, number>();
  ped.ids.forEach((id, k) => index.set(id, k));
  const where = new Int32Array(list.length);
  const unlisted: string[] = [];
  const seen = new Map<string, number>();
  for (let r = 0; r < list.length; r++) {
    const id = list[r]!;
    const before = seen.get(id);
    if (before !== undefined) {
      throw new InputError(
        `${opts.listName ?? 'the list of individuals'} names ${JSON.stringify(id)} twice (positions ${before + 1} and ${r + 1}), so A cannot give each its own row`,
        { file: ped.file },
        'Give every genotyped individual its own ID',
      );
    }
    seen.set(id, r);
    const k = index.get(id);
    where[r] = k ?? -1;
    if (k === undefined) unlisted.push(id);
  }
  const from = opts.listName ?? 'the genotyped individuals';
  if (unlisted.length === list.length) {
    throw new InputError(
      `none of the ${list.length} IDs of ${from} is in the pedigree (e.g. ${unlisted.slice(0, 3).map((s) => JSON.stringify(s)).join(', ')}; the pedigree has ${ped.ids.slice(0, 3).map((s) => JSON.stringify(s)).join(', ')}${ped.ids.length > 3 ? ', ...' : ''})`,
      { file: ped.file },
      'Check that the pedigree names animals by the same IDs as the genotypes (the .fam IID)',
    );
  }
  if (unlisted.length > 0 && !opts.unlistedAsFounders) {
    throw new InputError(
      `${unlisted.length} of the ${list.length} IDs of ${from} are not in the pedigree (e.g. ${unlisted.slice(0, 5).map((s) => JSON.stringify(s)).join(', ')})`,
      { file: ped.file },
      'Add them to the pedigree (with 0 for unknown parents), or take them as unrelated founders with --unlisted-founders',
    );
  }
  // The list's animals and all their ancestors, in the pedigree's index order.
  const keep = new Uint8Array(ped.ids.length);
  const stack: number[] = [];
  const mark = (k: number): void => {
    if (k < 0 || keep[k]) return;
    keep[k] = 1;
    stack.push(k);
  };
  for (const k of where) mark(k);
  while (stack.length > 0) {
    const k = stack.pop()!;
    mark(ped.sire[k]!);
    mark(ped.dam[k]!);
  }
  const use: number[] = [];
  for (let k = 0; k < keep.length; k++) if (keep[k]) use.push(k);
  const sub = tabular(ped, Int32Array.from(use));
  const m = use.length;
  const rowOf = new Int32Array(ped.ids.length).fill(-1);
  use.forEach((k, r) => (rowOf[k] = r));
  const n = list.length;
  const data = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    const ri = where[i]! < 0 ? -1 : rowOf[where[i]!]!;
    if (ri < 0) {
      data[i * n + i] = 1;
      continue;
    }
    for (let j = 0; j < n; j++) {
      const rj = where[j]! < 0 ? -1 : rowOf[where[j]!]!;
      if (rj >= 0) data[i * n + j] = sub[ri * m + rj]!;
    }
  }
  const inbreeding = inbreedingOf(use.map((k) => ped.ids[k]!), sub, m);
  const warnings = [...ped.warnings];
  if (unlisted.length > 0) {
    warnings.push(
      `${basename(ped.file)}: ${unlisted.length} of the ${n} IDs of ${from} are not in the pedigree (e.g. ${unlisted.slice(0, 3).map((s) => JSON.stringify(s)).join(', ')}): taken as unrelated founders`,
    );
  }
  return { ids: [...list], n, data, inbreeding, unlisted, warnings };
}

/** F = a_ii - 1 over the animals of A. */
export function inbreedingOf(ids: readonly string[], a: Float64Array, n: number): InbreedingSummary {
  let inbred = 0;
  let sum = 0;
  let maxF = 0;
  let maxFAnimal = '';
  for (let i = 0; i < n; i++) {
    const f = a[i * n + i]! - 1;
    sum += f;
    if (f > 0) inbred++;
    if (f > maxF) {
      maxF = f;
      maxFAnimal = ids[i]!;
    }
  }
  return { animals: n, inbred, meanF: n > 0 ? sum / n : 0, maxF, maxFAnimal };
}

/** What a scan records of a pedigree kinship: the file, its size, inbreeding, and its stated warnings. */
export interface PedigreeNote {
  file: string;
  /** Animals in the pedigree (listed, and parents added as founders). */
  animals: number;
  /** Animals A was computed over: the genotyped ones and their ancestors. */
  used: number;
  /** Genotyped individuals the pedigree does not list, taken as founders (0 unless allowed). */
  unlisted: number;
  inbred: number;
  meanF: number;
  maxF: number;
  warnings: string[];
}

/** A pedigree kinship over a list of IDs: the matrix, and what to record of it. */
export interface PedigreeKinship {
  n: number;
  data: Float64Array;
  pedigree: PedigreeNote;
}

/** Read a pedigree and make its A over `ids` (e.g. the .fam IIDs, in .fam order). */
export function pedigreeKinship(file: string, ids: readonly string[], opts: SubsetOptions = {}): PedigreeKinship {
  const ped = readPedigree(file);
  const r = relationshipOver(ped, ids, opts);
  const f = r.inbreeding;
  return {
    n: r.n,
    data: r.data,
    pedigree: { file, animals: ped.ids.length, used: f.animals, unlisted: r.unlisted.length, inbred: f.inbred, meanF: f.meanF, maxF: f.maxF, warnings: r.warnings },
  };
}
