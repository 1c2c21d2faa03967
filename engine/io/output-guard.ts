/**
 * The one rule for where an output may go: never over an input. A file is the same as an input
 * when their paths resolve to the same place or they are the same file on disk (a hard or symbolic
 * link). Used by the scan's --out (its PLINK set, sheets, kinship file) and by every export of a
 * run (engine/export/tables/outputs.ts).
 */
import { statSync } from 'node:fs';
import { resolve } from 'node:path';
import { InputError } from './errors.js';

/** Whether two paths name the same file (same resolved path, or same device and inode). */
export function sameFile(a: string, b: string): boolean {
  if (resolve(a) === resolve(b)) return true;
  try {
    const sa = statSync(a);
    const sb = statSync(b);
    return sa.dev === sb.dev && sa.ino === sb.ino;
  } catch {
    return false;
  }
}

/** The .bed, .bim and .fam of a PLINK prefix (a prefix given with one of the extensions works too). */
export function plinkPaths(prefix: string): string[] {
  const base = prefix.replace(/\.(bed|bim|fam)$/i, '');
  // Any other genotype file (VCF, BIMBAM...) is given by its own path.
  return [prefix, ...['.bed', '.bim', '.fam'].map((ext) => base + ext)];
}

/**
 * Refuse to write `out` when it is one of `inputs` (absolute or relative paths). `of` names what
 * the inputs belong to ('run 3', 'the scan'); `hint` says what to do.
 */
export function refuseOverwrite(out: string, inputs: Iterable<string>, of: string, hint = 'Choose another file name for the output'): void {
  for (const p of inputs) {
    if (!p || !sameFile(out, p)) continue;
    const exact = resolve(p) === resolve(out);
    throw new InputError(
      `is ${exact ? '' : 'the same file as '}an input of ${of}${exact ? '' : ` (${resolve(p)})`}, so writing it would destroy that input`,
      { file: out },
      hint,
    );
  }
}
