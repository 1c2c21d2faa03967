/**
 * `kinscan kinship --pedigree FILE --out A.txt`: a pedigree's numerator relationship matrix A in
 * GEMMA's matrix text format (what GEMMA reads with -k), over the pedigree's animals in the file's
 * order and then the parents that have no line of their own; their IDs one a line in A.txt.ids.
 */
import { writeFileSync } from 'node:fs';
import { writeSquareMatrix } from '../engine/io/matrix-text.js';
import { refuseOverwrite } from '../engine/io/output-guard.js';
import { readPedigree } from '../engine/io/pedigree.js';
import { inbreedingOf, relationshipMatrix } from '../engine/stats/pedigree-relationship.js';
import { EXIT } from './report.js';

export function pedigreeKinshipCommand(pedigree: string, out: string, quiet: boolean): number {
  const idsOut = `${out}.ids`;
  for (const target of [out, idsOut]) refuseOverwrite(target, [pedigree], 'the relationship matrix', 'Choose another file name for --out');
  const ped = readPedigree(pedigree);
  const a = relationshipMatrix(ped);
  const f = inbreedingOf(a.ids, a.data, a.n);
  writeSquareMatrix(out, a.data, a.n);
  writeFileSync(idsOut, a.ids.map((id) => `${id}\n`).join(''));
  if (!quiet) {
    const added = a.n - ped.listed;
    const lines = [
      ...ped.warnings.map((w) => `warning: ${w}`),
      `relationship matrix A of ${a.n} animals (${ped.listed} listed in ${pedigree}${added > 0 ? `, then ${added} parents added as founders` : ''}; ` +
        `${f.inbred} inbred, mean F ${f.meanF.toFixed(4)}, max F ${f.maxF.toFixed(4)}${f.maxF > 0 ? ` (${f.maxFAnimal})` : ''}) written to ${out}, the IDs to ${idsOut}`,
    ];
    process.stderr.write(lines.map((l) => `kinscan: ${l}\n`).join(''));
  }
  return EXIT.ok;
}
