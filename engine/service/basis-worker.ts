/**
 * Worker thread (basis-thread.ts): one job on a project's relatedness. Opens the project
 * read-only and computes what the scan would (engine/scan/prepare.ts basisKeys and selectionEigen:
 * the same functions and cache keys) for a run's inputs, or for a dataset's genotypes
 * (dataset-basis.ts), or paints a run's figure scene; it reads the project cache but writes
 * nothing: what it would have stored is posted back, buffers transferred. Any failure is posted as
 * a ThreadError. The project and the genotypes are closed however it ends.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { runFigureScene } from '../export/figures.js';
import { serializeError } from '../io/thread-errors.js';
import type { PlinkSet } from '../io/plink.js';
import { basisKeys, selectionEigen, selectScan, type PrepareCache, type Progress } from '../scan/prepare.js';
import { ProjectCache } from '../store/cache.js';
import { loadPlink } from '../store/datasets.js';
import { projectInputs } from '../store/execute.js';
import { Project } from '../store/project.js';
import { runSpec } from '../store/runs.js';
import type { BasisAnswer, BasisJob, BasisMessage, BasisWorkerData, RunBasis } from './basis-thread.js';
import { datasetKinshipScene, datasetPcs } from './dataset-basis.js';

/** Reads the project cache; keeps what would be stored, for the service to store. */
class CollectingCache implements PrepareCache {
  readonly found: RunBasis;

  constructor(
    private readonly project: ProjectCache,
    datasetId: number,
  ) {
    this.found = { datasetId };
  }

  getKinship(key: string): Float64Array | undefined {
    return this.project.getKinship(key);
  }

  putKinship(key: string, data: Float64Array, snps: number): void {
    this.found.kinship = { key, data: ownBuffer(data), snps };
  }

  getEigen(key: string): { s: Float64Array; u: Float64Array } | undefined {
    return this.project.getEigen(key);
  }

  putEigen(key: string, s: Float64Array, u: Float64Array): void {
    this.found.eigen = { key, s: ownBuffer(s), u: ownBuffer(u) };
  }
}

/** The array on an ArrayBuffer of its own (transferable), copied when it views a larger or shared one. */
function ownBuffer(a: Float64Array): Float64Array {
  const whole = a.buffer instanceof ArrayBuffer && a.byteOffset === 0 && a.byteLength === a.buffer.byteLength;
  return whole ? a : Float64Array.from(a);
}

function runBasis(project: Project, runId: number, threads: number, progress: Progress): RunBasis {
  const spec = runSpec(project.db, runId);
  const inputs = projectInputs(project.db, spec);
  try {
    progress('qc', 0, 1);
    const sel = selectScan(spec.settings, inputs);
    progress('qc', 1, 1);
    const cache = new CollectingCache(new ProjectCache(project.db, spec.datasetId, false), spec.datasetId);
    selectionEigen(spec.settings, sel, basisKeys(spec.settings, sel, inputs.kinship), cache, threads, progress);
    return cache.found;
  } finally {
    inputs.plink.bed.close();
  }
}

/** `use` the dataset's genotypes and a collecting cache; the genotypes are closed after. */
function withDataset(project: Project, datasetId: number, use: (plink: PlinkSet, cache: CollectingCache) => Omit<BasisAnswer, 'basis'>): BasisAnswer {
  const plink = loadPlink(project.db, datasetId);
  try {
    const cache = new CollectingCache(new ProjectCache(project.db, datasetId, false), datasetId);
    return { ...use(plink, cache), basis: cache.found };
  } finally {
    plink.bed.close();
  }
}

function doJob(data: BasisWorkerData, progress: Progress): BasisAnswer {
  const project = Project.open(data.projectPath, { readonly: true, check: 'none' });
  const job: BasisJob = data.job;
  try {
    switch (job.job) {
      case 'run':
        return { basis: runBasis(project, job.runId, data.threads, progress) };
      case 'run-figure':
        return { basis: { datasetId: project.run(job.runId).datasetId }, scene: runFigureScene(project, job.runId, job.figure, data.threads) };
      case 'dataset':
        return withDataset(project, job.datasetId, (plink, cache) => ({ overview: datasetPcs(plink, job.mode, job.pcs, cache, data.threads, progress) }));
      case 'dataset-kinship':
        return withDataset(project, job.datasetId, (plink, cache) => ({ scene: datasetKinshipScene(plink, job.mode, job.figure, cache, data.threads, progress) }));
    }
  } finally {
    project.close();
  }
}

const port = parentPort!;
const post = (m: BasisMessage, transfer: ArrayBuffer[] = []): void => port.postMessage(m, transfer);
try {
  const answer = doJob(workerData as BasisWorkerData, (stage, done, total) => post({ type: 'progress', stage, done, total }));
  const { basis } = answer;
  const arrays = [basis.kinship?.data, basis.eigen?.s, basis.eigen?.u, ...(answer.overview?.pcs ?? [])];
  const buffers = arrays.flatMap((a) => (a ? [a.buffer as ArrayBuffer] : []));
  post({ type: 'answer', answer }, buffers);
} catch (e) {
  post({ type: 'error', error: serializeError(e) });
}
