/**
 * Where an export of a run may be written: never over one of the run's input files (its PLINK set,
 * phenotype and covariate sheets, kinship matrix, as imported and as named in its settings) nor
 * over the project itself; and written through a temporary file renamed when complete, so a
 * failed export leaves nothing half-written. Also the rule that an unfinished run is exported
 * only on request (--partial).
 */
import { resolve } from 'node:path';
import { InputError } from '../../io/errors.js';
import { plinkPaths, refuseOverwrite } from '../../io/output-guard.js';
import { kinshipInputFile } from '../../protocol/settings.js';
import { sourceFiles } from '../../store/files.js';
import type { Project, RunInfo } from '../../store/project.js';

/** Every file a run was made from, as absolute paths (a PLINK prefix gives its .bed, .bim and .fam). */
export function runInputPaths(project: Project, runId: number): string[] {
  const run = project.run(runId);
  const db = project.db;
  const paths = new Set<string>();
  const add = (p: string | undefined): void => {
    if (p) paths.add(resolve(p));
  };
  for (const f of sourceFiles(db, { dataset: run.datasetId })) add(f.path);
  for (const sheet of [run.phenoSheetId, run.covarSheetId]) {
    if (sheet === null) continue;
    for (const f of sourceFiles(db, { sheet })) add(f.path);
    add(project.sheet(sheet).path);
  }
  if (run.matrixId !== null) for (const f of sourceFiles(db, { matrix: run.matrixId })) add(f.path);
  const s = run.settings;
  if (s.bfile) for (const f of plinkPaths(s.bfile)) add(f);
  add(s.pheno);
  add(s.covar);
  add(kinshipInputFile(s.kinship));
  for (const ext of ['', '-wal', '-shm', '-lock']) add(project.path + ext);
  return [...paths];
}

/** Refuse to write `out` when it is one of the run's inputs or the project (also through a link). */
export function refuseInputOverwrite(project: Project, runId: number, out: string): void {
  refuseOverwrite(out, runInputPaths(project, runId), `run ${runId}`, 'Choose another file name for the export');
}

/** An unfinished run is exported only with `partial` (then the rows committed so far). */
export function requireComplete(project: Project, run: RunInfo, partial: boolean | undefined): void {
  if (run.status === 'done' || partial) return;
  throw new InputError(
    `run ${run.id} is ${run.status} at ${run.done} of ${run.total ?? '?'} tested SNPs, so its results are incomplete`,
    { file: project.path },
    `Finish it with kinscan resume --project ${project.path} --run ${run.id}, or export what is there with --partial`,
  );
}
