/**
 * KinscanService: the application in the terms a user thinks in, for one host (the desktop app's
 * engine process, or `kinscan serve`). It holds at most one open project (for writing, unless opened
 * read-only), that project's run queue (run-queue.ts), the recent-projects list and the files root
 * every path must lie in (file-root.ts), and answers the methods of engine/protocol/methods.ts
 * (routes.ts maps each method to one of these). Events (progress, runStatus, project) go to every
 * listener of onEvent.
 *
 * Opening, creating and closing projects are serialised; methods that work on the open project are
 * counted while they run, so closing waits for them (an export is never cut off by a close).
 */
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { dirname, join } from 'node:path';
import { z } from 'zod';
import { colouringOf, pcaData } from '../export/figure-data.js';
import { runFigureScene } from '../export/figures.js';
import { paintSceneToFile } from '../export/paint/index.js';
import { writeRunReport } from '../export/run-report.js';
import { exportRunTable, refuseInputOverwrite } from '../export/tables/index.js';
import type { PcaData } from '../figures/data.js';
import type { FigureOptions } from '../figures/frame.js';
import { pcaScene } from '../figures/pca.js';
import type { Scene } from '../figures/scene.js';
import { InputError } from '../io/errors.js';
import { previewFile } from '../io/preview.js';
import { PROTOCOL_VERSION, type KinscanEvent, type MethodName, type Methods, type ResultOf, type Unsubscribe } from '../protocol/api.js';
import { DEFAULT_WIDTH_MM } from '../protocol/figures.js';
import type { KinshipMode } from '../stats/kinship.js';
import { loadFam } from '../store/datasets.js';
import { Project, type RunInfo } from '../store/project.js';
import { matchingReport } from '../store/matching.js';
import { qcPreview } from '../store/qc-preview.js';
import { VERSION } from '../version.js';
import { onBasisWorker, storeBasis, type BasisAnswer, type BasisJob, type DatasetPcs } from './basis-thread.js';
import { noProject, ServiceError, toErrorInfo } from './errors.js';
import { FileRoot } from './file-root.js';
import { ImportProgress } from './import-progress.js';
import { RecentProjects } from './recent.js';
import { compareSeries, finemapView, heritabilityView, hitsPage, manhattanSeries, qqSeries, regionSeries, snpDetail } from './results.js';
import { RunQueue } from './run-queue.js';
import { Uploads } from './uploads.js';
import { datasetView, finite, matrixView, runDetailView, runSummaryView, sheetView } from './views.js';

/** The params a method's handler receives: validated, defaults filled in. */
export type ParamsIn<M extends MethodName> = z.output<Methods[M]['params']>;

export interface KinscanServiceOptions {
  /** The bundled example's folder (resources/example: mouse_hs1940.bed/.bim/.fam and mouse_hs1940.pheno.csv). */
  exampleDir: string;
  /** The recent-projects file (JSON), e.g. in the user's application data folder. */
  recentFile: string;
  /** Every path a client gives must lie in this folder (links followed). */
  filesRoot: string;
  /** Worker threads of a scan and of the kinship (default: all cores). */
  threads?: number;
  /** Where the example project is made on first use (default: example.kinscan beside the recent-projects file). */
  exampleProject?: string;
  /** Scans running at once (default 1). */
  concurrentRuns?: number;
  /** What this host is, for the "in use by ..." message another process shows (default 'kinscan app'). */
  command?: string;
  /** Show stack traces in the errors of failed runs (the dispatcher's developer flag). */
  developer?: boolean;
  /** Where files.upload writes (default '<files root>/Kinscan uploads'; the desktop app: its state folder). */
  uploadsDir?: string;
}

/** PCs kept per dataset overview (relatedness.overview gives at most 20). */
const OVERVIEW_PCS = 20;

const EXAMPLE_NAME = 'mouse_hs1940';

interface Open {
  project: Project;
  queue: RunQueue | undefined;
  /** Being closed: no new work starts on it. */
  closing: boolean;
  /** Dataset overviews by `datasetId:kinship`, computed once (a second call meanwhile shares the first's). */
  overviews: Map<string, Promise<DatasetPcs>>;
  /** Runs whose eigendecomposition this service found in, or put into, the project cache. */
  basisCached: Set<number>;
}

export class KinscanService {
  readonly threads: number;
  readonly files: FileRoot;
  private readonly recent: RecentProjects;
  private readonly uploads: Uploads;
  private readonly listeners = new Set<(event: KinscanEvent) => void>();
  private open: Open | undefined;
  private lifecycle: Promise<unknown> = Promise.resolve();
  private readonly inFlight = new Set<Promise<unknown>>();
  private closed = false;

  constructor(private readonly options: KinscanServiceOptions) {
    this.threads = Math.max(1, options.threads ?? availableParallelism());
    this.files = new FileRoot(options.filesRoot);
    this.recent = new RecentProjects(options.recentFile);
    this.uploads = new Uploads(this.files, options.uploadsDir);
  }

  // ------------------------------------------------------------ events

  onEvent(listener: (event: KinscanEvent) => void): Unsubscribe {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  }

  private emit(event: KinscanEvent): void {
    for (const l of [...this.listeners]) {
      try {
        l(event);
      } catch {
        // A listener's failure (a closed channel) must not stop the others or the run.
      }
    }
  }

  // ------------------------------------------------------------ plumbing

  private alive(): void {
    if (this.closed) throw new ServiceError('unavailable', 'Kinscan is shutting down', 'Start it again');
  }

  /** Run `fn` on the open project, counted so that closing waits for it. */
  private async withProject<T>(fn: (project: Project, open: Open) => T | Promise<T>): Promise<T> {
    this.alive();
    const open = this.open;
    if (!open || open.closing) throw noProject();
    const work = (async () => fn(open.project, open))();
    this.inFlight.add(work);
    try {
      return await work;
    } finally {
      this.inFlight.delete(work);
    }
  }

  /** The same, for changes: refused on a read-only project. */
  private async withWriter<T>(fn: (project: Project, queue: RunQueue) => T | Promise<T>): Promise<T> {
    return this.withProject((project, open) => {
      if (project.readonly || !open.queue) {
        throw new ServiceError('conflict', `The project ${project.path} is open read-only`, 'Open it for writing to change it or to run scans');
      }
      return fn(project, open.queue);
    });
  }

  /** Serialise opening, creating and closing. */
  private serial<T>(fn: () => Promise<T>): Promise<T> {
    const next = this.lifecycle.then(fn, fn);
    this.lifecycle = next.catch(() => undefined);
    return next;
  }

  private requireRun(project: Project, runId: number): RunInfo {
    try {
      return project.run(runId);
    } catch (e) {
      if (e instanceof InputError) throw new ServiceError('not-found', `This project has no run ${runId}`, 'Choose one of the runs listed for the project');
      throw e;
    }
  }

  private queuePosition(runId: number): number | null {
    return this.open?.queue?.position(runId) ?? null;
  }

  /**
   * A run as the user sees it now: the one the queue is working on is 'running' from the moment
   * its kinship and eigendecomposition start on their worker thread, before the project records
   * its scan session.
   */
  private live(r: RunInfo): RunInfo {
    return this.open?.queue?.isRunning(r.id) && r.status !== 'running' ? { ...r, status: 'running' } : r;
  }

  // ------------------------------------------------------------ app and projects

  ping(): ResultOf<'app.ping'> {
    return { version: VERSION, protocol: PROTOCOL_VERSION };
  }

  private info(project: Project, open: Open): ResultOf<'project.info'> {
    const cache = project.cacheStats();
    return {
      path: project.path,
      readonly: project.readonly,
      uncleanClose: project.uncleanClose,
      interrupted: project.interrupted,
      datasets: project.datasets().map(datasetView),
      sheets: project.sheets().map(sheetView),
      matrices: project.matrices().map(matrixView),
      // live(): a run the queue is preparing shows as running here too (as in runs.list and its events).
      runs: project.runs().map((r) => runSummaryView(this.live(r), open.queue?.position(r.id) ?? null, project.summary(r.id)?.samples)),
      cache: { entries: cache.entries, bytes: cache.bytes },
      fileBytes: project.fileBytes(),
    };
  }

  projectInfo(): Promise<ResultOf<'project.info'>> {
    return this.withProject((p, open) => this.info(p, open));
  }

  /** Close the open project (after its work in flight); with runs queued or running only when `force` (they are cancelled). */
  private async closeOpen(force: boolean): Promise<boolean> {
    const open = this.open;
    if (!open) return false;
    if (open.queue && open.queue.size > 0 && !force) {
      throw new ServiceError('conflict', `${open.queue.size === 1 ? 'A run is' : `${open.queue.size} runs are`} queued or running in ${open.project.path}`, 'Cancel them (or wait for them to finish) before closing the project');
    }
    open.closing = true;
    await open.queue?.close();
    await Promise.allSettled([...this.inFlight]);
    this.open = undefined;
    open.project.close();
    this.emit({ type: 'project', path: null });
    return true;
  }

  private async openPath(path: string, how: { readonly?: boolean; create?: boolean }): Promise<ResultOf<'project.info'>> {
    await this.closeOpen(false);
    const project = Project.open(path, { ...(how.readonly ? { readonly: true } : { create: how.create ?? false }), command: this.options.command ?? 'kinscan app' });
    const open: Open = { project, queue: undefined, closing: false, overviews: new Map(), basisCached: new Set() };
    if (!project.readonly) {
      open.queue = new RunQueue(project, {
        threads: this.threads,
        ...(this.options.concurrentRuns !== undefined ? { concurrency: this.options.concurrentRuns } : {}),
        emit: (e) => this.emit(e),
        describeError: (e) => toErrorInfo(e, { developer: this.options.developer ?? false }),
      });
    }
    this.open = open;
    this.recent.add(project.path);
    this.emit({ type: 'project', path: project.path });
    return this.info(project, open);
  }

  createProject(p: ParamsIn<'project.create'>): Promise<ResultOf<'project.create'>> {
    this.alive();
    const path = this.files.path(p.path);
    return this.serial(async () => {
      if (existsSync(path)) throw new ServiceError('conflict', `${path} already exists`, 'Open it, or choose a new file name for the project');
      return this.openPath(path, { create: true });
    });
  }

  openProject(p: ParamsIn<'project.open'>): Promise<ResultOf<'project.open'>> {
    this.alive();
    const path = this.files.path(p.path);
    return this.serial(() => this.openPath(path, { readonly: p.readonly ?? false }));
  }

  closeProject(p: ParamsIn<'project.close'>): Promise<ResultOf<'project.close'>> {
    this.alive();
    return this.serial(async () => ({ closed: await this.closeOpen(p.force ?? false) }));
  }

  recentProjects(): ResultOf<'project.recent'> {
    return { projects: this.recent.list() };
  }

  /** Where the example project lives. */
  get exampleProjectPath(): string {
    return this.options.exampleProject ?? join(dirname(this.options.recentFile), 'example.kinscan');
  }

  openExample(): Promise<ResultOf<'project.openExample'>> {
    this.alive();
    return this.serial(async () => {
      const path = this.exampleProjectPath;
      if (!existsSync(path)) this.buildExample(path);
      return this.openPath(path, {});
    });
  }

  /** Make the example project: the mouse PLINK set and its phenotypes imported. A failure leaves no file behind. */
  private buildExample(path: string): void {
    const prefix = join(this.options.exampleDir, EXAMPLE_NAME);
    const pheno = `${prefix}.pheno.csv`;
    if (!existsSync(`${prefix}.bed`) || !existsSync(pheno)) {
      throw new InputError('the example data are missing', { file: this.options.exampleDir }, 'Reinstall Kinscan to restore the example project');
    }
    // On a first start the state folder (where the example project lives) may not exist yet.
    mkdirSync(dirname(path), { recursive: true });
    const project = Project.open(path, { create: true, command: this.options.command ?? 'kinscan app' });
    try {
      project.importDataset(prefix);
      project.importSheet(pheno);
      project.close();
    } catch (e) {
      try {
        project.close();
      } finally {
        for (const ext of ['', '-wal', '-shm', '-lock']) rmSync(path + ext, { force: true });
      }
      throw e;
    }
  }

  // ------------------------------------------------------------ data

  previewData(p: ParamsIn<'data.preview'>): ResultOf<'data.preview'> {
    this.alive();
    const path = this.genotypeOrDataPath(p.path);
    const preview = previewFile(path, {
      ...(p.anno !== undefined ? { anno: this.files.path(p.anno) } : {}),
      ...(p.dosage ? { dosage: true } : {}),
      ...(p.worksheet !== undefined ? { worksheet: p.worksheet } : {}),
    });
    if (preview.kind !== 'sheet') return preview;
    const { fidColumn, worksheet, worksheets, ...rest } = preview;
    return { ...rest, fidColumn: fidColumn ?? null, worksheet: worksheet ?? null, worksheets: worksheets ?? [], head: preview.head.map((row) => row.map((v) => (typeof v === 'number' && !Number.isFinite(v) ? null : v))) };
  }

  addGenotypes(p: ParamsIn<'data.addGenotypes'>): Promise<ResultOf<'data.addGenotypes'>> {
    const path = this.genotypeOrDataPath(p.path, true);
    const anno = p.anno !== undefined ? this.files.path(p.anno) : undefined;
    return this.withWriter((project) => {
      const progress = new ImportProgress(p.path, (e) => this.emit(e));
      progress.start();
      const r = project.importDataset(path, { progress: progress.report, ...(anno !== undefined ? { anno } : {}), ...(p.dosage ? { dosage: true } : {}) });
      return { created: r.created, dataset: datasetView(project.dataset(r.id)), skipped: r.summary.skipped, warnings: r.summary.warnings };
    });
  }

  /**
   * A data file inside the files root. A PLINK .bed/.bim/.fam file, or a prefix whose .bed exists,
   * is a PLINK set, read with its two siblings: all three must lie in the root; `asPrefix` returns
   * the prefix (what the import opens) rather than the file given.
   */
  private genotypeOrDataPath(p: string, asPrefix = false): string {
    const abs = this.files.path(p);
    const plink = /\.(bed|bim|fam)$/i.test(abs) || (!existsSync(abs) && existsSync(`${abs}.bed`));
    if (!plink) return abs;
    const prefix = this.files.plinkPrefix(p);
    return asPrefix ? prefix : abs;
  }

  addSheet(p: ParamsIn<'data.addSheet'>): Promise<ResultOf<'data.addSheet'>> {
    const path = this.files.path(p.path);
    return this.withWriter((project) => {
      const r = project.importSheet(path, p.worksheet !== undefined ? { worksheet: p.worksheet } : {});
      return { created: r.created, sheet: sheetView(project.sheet(r.id)) };
    });
  }

  addKinship(p: ParamsIn<'data.addKinship'>): Promise<ResultOf<'data.addKinship'>> {
    const path = this.files.path(p.path);
    return this.withWriter((project) => {
      const r = project.importMatrix(path);
      const m = project.matrices().find((x) => x.id === r.id)!;
      return { created: r.created, matrix: matrixView(m) };
    });
  }

  addPedigree(p: ParamsIn<'data.addPedigree'>): Promise<ResultOf<'data.addPedigree'>> {
    const path = this.files.path(p.path);
    return this.withWriter((project) => {
      this.requireData(project, { datasetId: p.datasetId });
      const r = project.importPedigree({ pedigree: path, ...(p.unlistedFounders ? { unlistedFounders: true } : {}) }, p.datasetId);
      const m = project.matrices().find((x) => x.id === r.id)!;
      return { created: r.created, matrix: matrixView(m) };
    });
  }

  listData(): Promise<ResultOf<'data.list'>> {
    return this.withProject((project) => ({
      datasets: project.datasets().map(datasetView),
      sheets: project.sheets().map(sheetView),
      matrices: project.matrices().map(matrixView),
    }));
  }

  private requireData(project: Project, ids: { datasetId?: number | undefined; sheetIds?: (number | undefined)[] }): void {
    if (ids.datasetId !== undefined && !project.datasets().some((d) => d.id === ids.datasetId)) {
      throw new ServiceError('not-found', `This project has no genotype dataset ${ids.datasetId}`, 'Choose one of the datasets listed for the project');
    }
    const sheets = new Set(project.sheets().map((s) => s.id));
    for (const id of ids.sheetIds ?? []) {
      if (id !== undefined && !sheets.has(id)) throw new ServiceError('not-found', `This project has no sheet ${id}`, 'Choose one of the sheets listed for the project');
    }
  }

  idMatching(p: ParamsIn<'data.matching'>): Promise<ResultOf<'data.matching'>> {
    return this.withProject((project) => {
      this.requireData(project, { datasetId: p.datasetId, sheetIds: [p.sheetId] });
      const m = matchingReport(project.db, p.datasetId, p.sheetId);
      return { ...m, fidColumn: m.fidColumn ?? null };
    });
  }

  qcPreview(p: ParamsIn<'qc.preview'>): Promise<ResultOf<'qc.preview'>> {
    return this.withProject((project) => {
      this.requireData(project, { datasetId: p.datasetId, sheetIds: [p.sheetId, p.covarSheetId] });
      return qcPreview(project.db, {
        datasetId: p.datasetId,
        maf: p.maf,
        maxMissing: p.maxMissing,
        ...(p.sheetId !== undefined ? { sheetId: p.sheetId } : {}),
        ...(p.trait !== undefined ? { trait: p.trait } : {}),
        ...(p.covarSheetId !== undefined ? { covarSheetId: p.covarSheetId } : {}),
        ...(p.covarNames !== undefined ? { covarNames: p.covarNames } : {}),
        ...(p.hwe !== undefined ? { hwe: p.hwe } : {}),
        ...(p.minCallRate !== undefined ? { minCallRate: p.minCallRate } : {}),
        ...(p.bins !== undefined ? { bins: p.bins } : {}),
      });
    });
  }

  // ------------------------------------------------------------ relatedness

  pcs(p: ParamsIn<'relatedness.pcs'>): Promise<ResultOf<'relatedness.pcs'>> {
    return this.withProject((project) => {
      this.requireRun(project, p.runId);
      const d = pcaData(project, p.runId, { count: p.count ?? 10, threads: this.threads });
      return { sampleIds: d.sampleIds, pcs: d.pcs, varianceExplained: d.varianceExplained.map(finite) };
    });
  }

  /** A job on the relatedness worker thread (basis-thread.ts); what it computed is stored in the project cache when the project is writable. */
  private async onWorker(project: Project, open: Open, job: BasisJob): Promise<BasisAnswer> {
    const answer = await onBasisWorker(project.path, job, { threads: this.threads });
    if (!answer) {
      throw new ServiceError('unavailable', "Kinscan's relatedness worker is missing from this installation", 'Reinstall Kinscan (developers: npm run build:engine)');
    }
    if (!project.readonly && !open.closing) storeBasis(project, answer.basis);
    return answer;
  }

  /** A dataset's kinship, eigendecomposition and top PCs (dataset-basis.ts), computed once per open project on the worker thread. */
  private datasetOverview(project: Project, open: Open, datasetId: number, mode: KinshipMode): Promise<DatasetPcs> {
    const key = `${datasetId}:${mode}`;
    let overview = open.overviews.get(key);
    if (!overview) {
      overview = this.onWorker(project, open, { job: 'dataset', datasetId, mode, pcs: OVERVIEW_PCS }).then((a) => a.overview!);
      open.overviews.set(key, overview);
      overview.catch(() => open.overviews.delete(key));
    }
    return overview;
  }

  relatednessOverview(p: ParamsIn<'relatedness.overview'>): Promise<ResultOf<'relatedness.overview'>> {
    return this.withProject(async (project, open) => {
      this.requireData(project, { datasetId: p.datasetId });
      const o = await this.datasetOverview(project, open, p.datasetId, p.kinship);
      const count = p.count ?? 10;
      return { n: o.n, snps: o.snps, sampleIds: o.sampleIds, pcs: o.pcs.slice(0, count), varianceExplained: o.varianceExplained.slice(0, count).map(finite) };
    });
  }

  relatednessScene(p: ParamsIn<'relatedness.scene'>): Promise<ResultOf<'relatedness.scene'>> {
    return this.withProject(async (project, open) => {
      this.requireData(project, { datasetId: p.datasetId, sheetIds: [p.colourBy?.sheetId] });
      const figure: FigureOptions = { widthMm: p.widthMm ?? DEFAULT_WIDTH_MM[p.figure], palette: 'okabe-ito', software: `kinscan ${VERSION}` };
      // The overview first, also for the heatmap: its kinship is then in the cache, computed once.
      const o = await this.datasetOverview(project, open, p.datasetId, p.kinship);
      if (p.figure === 'kinship') {
        const answer = await this.onWorker(project, open, { job: 'dataset-kinship', datasetId: p.datasetId, mode: p.kinship, figure });
        return { scene: answer.scene! };
      }
      const [x, y] = p.pcs ?? [1, 2];
      if (Math.max(x, y) > o.pcs.length) {
        throw new InputError(`the dataset has ${o.pcs.length} principal components, so PC ${Math.max(x, y)} does not exist`, { file: project.path }, `Choose PCs from 1 to ${o.pcs.length}`);
      }
      const data: PcaData = { pcs: o.pcs, varianceExplained: o.varianceExplained, sampleIds: o.sampleIds };
      if (p.colourBy) {
        const fam = loadFam(project.db, p.datasetId);
        const all = Int32Array.from({ length: o.n }, (_, i) => i);
        data.colour = colouringOf([project.loadSheet(p.colourBy.sheetId)], p.colourBy.column, fam, all);
      }
      return { scene: pcaScene(data, { ...figure, x, y }) };
    });
  }

  // ------------------------------------------------------------ runs

  startRun(p: ParamsIn<'runs.start'>): Promise<ResultOf<'runs.start'>> {
    const s = p.settings;
    // Paths in the settings are imported: they must lie in the files root like any other.
    const settings = {
      ...s,
      bfile: s.bfile ? this.files.plinkPrefix(s.bfile) : '',
      pheno: s.pheno ? this.files.path(s.pheno) : '',
      ...(s.covar !== undefined ? { covar: this.files.path(s.covar) } : {}),
      kinship: typeof s.kinship !== 'object' ? s.kinship : 'file' in s.kinship ? { file: this.files.path(s.kinship.file) } : { ...s.kinship, pedigree: this.files.path(s.kinship.pedigree) },
    };
    return this.withWriter((project, queue) => {
      this.requireData(project, { datasetId: p.datasetId, sheetIds: [p.phenoSheetId, p.covarSheetId] });
      let covarSheetId = p.covarSheetId;
      if (settings.covarNames.length > 0 && covarSheetId === undefined && !settings.covar) {
        if (p.phenoSheetId === undefined) {
          throw new InputError('covariates are named but no sheet holds them', { file: project.path }, 'Choose the covariate sheet (covarSheetId), or the phenotype sheet when it holds them');
        }
        covarSheetId = p.phenoSheetId;
      }
      if (covarSheetId !== undefined && !settings.covar) settings.covar = project.sheet(covarSheetId).path;
      const runId = project.createRun(settings, {
        ...(p.datasetId !== undefined ? { datasetId: p.datasetId } : {}),
        ...(p.phenoSheetId !== undefined ? { phenoSheetId: p.phenoSheetId } : {}),
        ...(covarSheetId !== undefined ? { covarSheetId } : {}),
      });
      return { runId, ...queue.enqueue(runId, p.threads) };
    });
  }

  listRuns(): Promise<ResultOf<'runs.list'>> {
    return this.withProject((project) => ({ runs: project.runs().map((r) => runSummaryView(this.live(r), this.queuePosition(r.id), project.summary(r.id)?.samples)) }));
  }

  getRun(p: ParamsIn<'runs.get'>): Promise<ResultOf<'runs.get'>> {
    return this.withProject((project) => {
      const r = this.requireRun(project, p.runId);
      return { run: runDetailView(this.live(r), this.queuePosition(r.id), project.summary(r.id)?.samples), log: project.runLog(r.id), sessions: project.runSessions(r.id) };
    });
  }

  cancelRun(p: ParamsIn<'runs.cancel'>): Promise<ResultOf<'runs.cancel'>> {
    return this.withWriter(async (project, queue) => {
      this.requireRun(project, p.runId);
      return { runId: p.runId, status: await queue.cancel(p.runId) };
    });
  }

  resumeRun(p: ParamsIn<'runs.resume'>): Promise<ResultOf<'runs.resume'>> {
    return this.withWriter((project, queue) => {
      this.requireRun(project, p.runId);
      return { runId: p.runId, ...queue.enqueue(p.runId) };
    });
  }

  deleteRun(p: ParamsIn<'runs.delete'>): Promise<ResultOf<'runs.delete'>> {
    return this.withWriter((project, queue) => {
      const r = this.requireRun(project, p.runId);
      if (queue.isRunning(p.runId) || queue.position(p.runId) !== null || r.status === 'running') {
        throw new ServiceError('conflict', `Run ${p.runId} is ${r.status === 'queued' ? 'waiting in the queue' : 'running'}`, 'Cancel it first, then delete it');
      }
      project.deleteRun(p.runId);
      return { runId: p.runId, deleted: true as const };
    });
  }

  // ------------------------------------------------------------ results

  manhattan(p: ParamsIn<'results.manhattan'>): Promise<ResultOf<'results.manhattan'>> {
    return this.withProject((project) => {
      this.requireRun(project, p.runId);
      return manhattanSeries(project, p.runId);
    });
  }

  qq(p: ParamsIn<'results.qq'>): Promise<ResultOf<'results.qq'>> {
    return this.withProject((project) => {
      this.requireRun(project, p.runId);
      return qqSeries(project, p.runId);
    });
  }

  hits(p: ParamsIn<'results.hits'>): Promise<ResultOf<'results.hits'>> {
    return this.withProject((project) => {
      this.requireRun(project, p.runId);
      return hitsPage(project, p);
    });
  }

  snp(p: ParamsIn<'results.snp'>): Promise<ResultOf<'results.snp'>> {
    return this.withProject((project) => {
      this.requireRun(project, p.runId);
      return snpDetail(project, p.runId, p.snp !== undefined ? { snp: p.snp } : { rs: p.rs! }, p.adjusted ?? false);
    });
  }

  region(p: ParamsIn<'results.region'>): Promise<ResultOf<'results.region'>> {
    return this.withProject((project) => {
      this.requireRun(project, p.runId);
      return regionSeries(project, p.runId, p.chr, p.start, p.end);
    });
  }

  finemap(p: ParamsIn<'results.finemap'>): Promise<ResultOf<'results.finemap'>> {
    return this.withProject((project) => {
      this.requireRun(project, p.runId);
      return finemapView(project, p.runId, { p: p.p, windowBp: p.windowBp, level: p.level });
    });
  }

  heritability(p: ParamsIn<'results.heritability'>): Promise<ResultOf<'results.heritability'>> {
    return this.withProject((project) => {
      this.requireRun(project, p.runId);
      return { heritability: heritabilityView(project, p.runId) };
    });
  }

  compare(p: ParamsIn<'results.compare'>): Promise<ResultOf<'results.compare'>> {
    return this.withProject((project) => {
      for (const id of p.runIds) this.requireRun(project, id);
      return compareSeries(project, p.runIds, p.top ?? 20, (id) => this.queuePosition(id));
    });
  }

  // ------------------------------------------------------------ figures

  /**
   * One figure of a run as a scene. The PCA and the heatmap need the run's eigendecomposition:
   * computed on the worker thread when the cache lacks it and stored there, then the scene is drawn
   * on the worker too (a heatmap of thousands of individuals takes a second); the others are drawn
   * here from the stored results.
   */
  figureScene(p: ParamsIn<'figures.scene'>): Promise<ResultOf<'figures.scene'>> {
    return this.withProject(async (project, open) => {
      this.requireRun(project, p.runId);
      if (p.figure.kind !== 'pca' && p.figure.kind !== 'kinship') return { scene: runFigureScene(project, p.runId, p.figure, this.threads) };
      // A read-only project keeps nothing: there the scene's worker computes what the cache lacks itself.
      if (!project.readonly && !open.basisCached.has(p.runId)) {
        await this.onWorker(project, open, { job: 'run', runId: p.runId });
        open.basisCached.add(p.runId);
      }
      const answer = await this.onWorker(project, open, { job: 'run-figure', runId: p.runId, figure: p.figure });
      return { scene: answer.scene as Scene };
    });
  }

  // ------------------------------------------------------------ exports

  exportTable(p: ParamsIn<'export.table'>): Promise<ResultOf<'export.table'>> {
    const out = this.files.output(p.out);
    return this.withProject(async (project) => {
      this.requireRun(project, p.runId);
      const r = await exportRunTable(project, p.runId, p.format, out, { partial: p.partial ?? false });
      return { path: r.path, rows: r.rows, summary: r.summary ?? null };
    });
  }

  exportFigure(p: ParamsIn<'export.figure'>): Promise<ResultOf<'export.figure'>> {
    const out = this.files.output(p.out);
    return this.withProject(async (project) => {
      this.requireRun(project, p.runId);
      refuseInputOverwrite(project, p.runId, out);
      const scene = runFigureScene(project, p.runId, p.figure, this.threads);
      const format = await paintSceneToFile(scene, out, { format: p.options.format, dpi: p.options.dpi, outlineText: p.options.outlineText });
      return { path: out, format, description: scene.meta.description };
    });
  }

  exportReport(p: ParamsIn<'export.report'>): Promise<ResultOf<'export.report'>> {
    const out = this.files.output(p.out);
    return this.withProject(async (project) => {
      this.requireRun(project, p.runId);
      refuseInputOverwrite(project, p.runId, out);
      const w = await writeRunReport(project, p.runId, out, this.threads);
      return { path: w.out, format: w.format, bytes: w.bytes };
    });
  }

  listFiles(p: ParamsIn<'files.list'>): ResultOf<'files.list'> {
    this.alive();
    return this.files.list(p.dir);
  }

  uploadFile(p: ParamsIn<'files.upload'>): ResultOf<'files.upload'> {
    this.alive();
    return this.uploads.chunk(p);
  }

  // ------------------------------------------------------------ shutdown

  /** Cancel the queue, wait for work in flight, close the project. Later calls answer 'unavailable'. */
  close(): Promise<void> {
    if (this.closed) return this.lifecycle.then(() => undefined);
    this.closed = true;
    this.uploads.close();
    return this.serial(async () => {
      await this.closeOpen(true);
    });
  }
}
