/**
 * Worker thread (basis-thread.ts): the kinship and eigendecomposition of one run of a project,
 * when its cache lacks them. Opens the project read-only, reads the run's inputs from it, chooses
 * the individuals and SNPs and computes what the scan would (engine/scan/prepare.ts basisKeys and
 * selectionEigen: the same functions and cache keys), reading the project cache but writing
 * nothing; what it would have stored is posted back, buffers transferred. Any failure is posted as
 * a ThreadError. The project and the genotypes are closed however it ends.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { serializeError } from '../io/thread-errors.js';
import { basisKeys, selectionEigen, selectScan, type PrepareCache, type Progress } from '../scan/prepare.js';
import { ProjectCache } from '../store/cache.js';
import { projectInputs } from '../store/execute.js';
import { Project } from '../store/project.js';
import { runSpec } from '../store/runs.js';
import type { BasisMessage, BasisWorkerData, RunBasis } from './basis-thread.js';

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

function computeBasis(data: BasisWorkerData, progress: Progress): RunBasis {
  const project = Project.open(data.projectPath, { readonly: true, check: 'none' });
  try {
    const spec = runSpec(project.db, data.runId);
    const inputs = projectInputs(project.db, spec);
    try {
      progress('qc', 0, 1);
      const sel = selectScan(spec.settings, inputs);
      progress('qc', 1, 1);
      const cache = new CollectingCache(new ProjectCache(project.db, spec.datasetId, false), spec.datasetId);
      selectionEigen(spec.settings, sel, basisKeys(spec.settings, sel, inputs.kinship), cache, data.threads, progress);
      return cache.found;
    } finally {
      inputs.plink.bed.close();
    }
  } finally {
    project.close();
  }
}

const port = parentPort!;
const post = (m: BasisMessage, transfer: ArrayBuffer[] = []): void => port.postMessage(m, transfer);
try {
  const basis = computeBasis(workerData as BasisWorkerData, (stage, done, total) => post({ type: 'progress', stage, done, total }));
  const buffers = [basis.kinship?.data, basis.eigen?.s, basis.eigen?.u].flatMap((a) => (a ? [a.buffer as ArrayBuffer] : []));
  post({ type: 'basis', basis }, buffers);
} catch (e) {
  post({ type: 'error', error: serializeError(e) });
}
