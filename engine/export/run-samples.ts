/**
 * The individuals a run analysed and the project's genotypes of its dataset: chosen again from the
 * project's copies of the run's sheets the way the scan chose them (trait and covariates present),
 * checked against the count the run recorded. For r^2 (regional plots, clumping) and phenotype by
 * genotype plots, without the SNP filters or the kinship.
 */
import { InputError } from '../io/errors.js';
import type { BedFile, Fam } from '../io/plink.js';
import { selectSamples, type SampleSelection } from '../qc/samples.js';
import { loadFam, openDatasetBed } from '../store/datasets.js';
import type { Project } from '../store/project.js';

/** Close it when done (it holds the genotype reader). */
export interface RunSamples {
  bed: BedFile;
  fam: Fam;
  /** .fam indices of the individuals the run analysed, in .fam order. */
  samples: Int32Array;
  /** Their trait values and covariates. */
  selection: SampleSelection;
  close(): void;
}

export function openRunSamples(project: Project, runId: number): RunSamples {
  const run = project.run(runId);
  const db = project.db;
  const fam = loadFam(db, run.datasetId);
  const pheno = project.loadSheet(run.phenoSheetId);
  const covar = run.covarSheetId !== null && run.settings.covarNames.length > 0 ? { sheet: project.loadSheet(run.covarSheetId), names: run.settings.covarNames } : undefined;
  const selection = selectSamples(fam, pheno, run.trait, covar);
  if (run.analysed !== null && run.analysed !== selection.famIndex.length) {
    throw new InputError(
      `run ${runId} analysed ${run.analysed} individuals, but choosing them again from the project's sheets gives ${selection.famIndex.length}`,
      { file: project.path },
      'Restore the project from a backup copy, or run the scan again',
    );
  }
  const bed = openDatasetBed(db, run.datasetId);
  return { bed, fam, samples: selection.famIndex, selection, close: () => bed.close() };
}

/** Run `use` with the run's samples, closing them afterwards. */
export function withRunSamples<T>(project: Project, runId: number, use: (s: RunSamples) => T): T {
  const s = openRunSamples(project, runId);
  try {
    return use(s);
  } finally {
    s.close();
  }
}
