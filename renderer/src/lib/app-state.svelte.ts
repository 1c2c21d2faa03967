/**
 * The workstation's state, shared by every screen: the open project, what the user has chosen so
 * far (dataset, sheets, trait, covariates, QC thresholds, kinship), the screen shown, and the
 * latest progress of each run. Choices live here, not in the screens, so that nothing typed or
 * chosen is lost when a screen changes or a call fails. Runes ($state) make it reactive.
 */
import type { ImportProgressEvent, ProgressEvent, ResultOf } from '../../../engine/protocol/api.js';
import type { HIT_SORTS, ProjectInfo } from '../../../engine/protocol/methods.js';
import type { EXPORT_FORMATS, FIGURE_KINDS } from '../../../engine/protocol/figures.js';
import { DEFAULT_SETTINGS, type FIT_METHODS, type GENETIC_MODELS } from '../../../engine/protocol/settings.js';
import { call } from './api';

export const SCREENS = ['data', 'qc', 'relatedness', 'run', 'results'] as const;
export type Screen = (typeof SCREENS)[number];

export const SCREEN_TITLES: Record<Screen, string> = {
  data: 'Data',
  qc: 'Quality control',
  relatedness: 'Relatedness',
  run: 'Run',
  results: 'Results',
};

export interface Choices {
  datasetId: number | null;
  phenoSheetId: number | null;
  trait: string | null;
  /** The sheet the covariates come from (null: the phenotype sheet). */
  covarSheetId: number | null;
  covarNames: string[];
  maf: number;
  maxMissing: number;
  /** Minimum Hardy-Weinberg exact test p (0: off). */
  hwe: number;
  /** Minimum sample call rate over all SNPs (0: off). */
  minCallRate: number;
  /** A mode, a kinship matrix file, or a pedigree's A (the path added with data.addPedigree, and how unlisted individuals are taken). */
  kinship: 'centered' | 'standardized' | { file: string } | { pedigree: string; unlistedFounders?: boolean };
  /** Top principal components of the kinship added as covariates. */
  pcs: number;
  model: (typeof GENETIC_MODELS)[number];
  method: (typeof FIT_METHODS)[number];
  /** Worker threads of the next run (null: all the machine's cores). */
  threads: number | null;
  /** The Relatedness screen's PCA view: the PCs on each axis and the sheet column that colours it. */
  pcaAxes: [number, number];
  pcaColourBy: { sheetId: number; column: string } | null;
}

export function defaultChoices(): Choices {
  return {
    datasetId: null,
    phenoSheetId: null,
    trait: null,
    covarSheetId: null,
    covarNames: [],
    maf: DEFAULT_SETTINGS.maf,
    maxMissing: DEFAULT_SETTINGS.maxMissing,
    hwe: DEFAULT_SETTINGS.hwe,
    minCallRate: DEFAULT_SETTINGS.minCallRate,
    kinship: 'centered',
    pcs: 0,
    model: DEFAULT_SETTINGS.model,
    method: DEFAULT_SETTINGS.method,
    threads: null,
    pcaAxes: [1, 2],
    pcaColourBy: null,
  };
}

/** The Results screen's choices (kept here so that a screen change or a failed call loses none). */
export interface ResultsView {
  /** The significance line of the Manhattan plots and of exported figures. */
  threshold: 'genome-wide' | 'bonferroni' | 'p';
  /** The p of threshold 'p', as typed. */
  thresholdP: string;
  sort: (typeof HIT_SORTS)[number];
  order: 'asc' | 'desc';
  /** The hits table's filters, as typed ('' = none). */
  pBelow: string;
  chr: string;
  figure: {
    kind: (typeof FIGURE_KINDS)[number];
    format: (typeof EXPORT_FORMATS)[number];
    width: 'single' | 'one-and-half' | 'double' | 'custom';
    customMm: string;
    dpi: number;
    palette: 'okabe-ito' | 'grey';
  };
  tableFormat: 'tsv' | 'csv' | 'gemma' | 'xlsx';
  reportFormat: 'html' | 'pdf';
  /** The credible sets' threshold p, window (kb either side) and level (%), as typed. */
  finemap: { p: string; windowKb: string; levelPct: string };
}

export function defaultResultsView(): ResultsView {
  return {
    threshold: 'genome-wide',
    thresholdP: '1e-6',
    sort: 'p',
    order: 'asc',
    pBelow: '',
    chr: '',
    figure: { kind: 'manhattan', format: 'png', width: 'double', customMm: '150', dpi: 300, palette: 'okabe-ito' },
    tableFormat: 'tsv',
    reportFormat: 'html',
    finemap: { p: '5e-8', windowKb: '500', levelPct: '95' },
  };
}

const CHOICES_KEY = 'kinscan.choices:';

/**
 * The choices made for a project, as this browser profile last saved them (a reload or a reopened
 * window finds them again). Read defensively: a stale or foreign value gives the defaults for the
 * fields it lacks, and fillDefaults then drops ids the project no longer has.
 */
function savedChoices(path: string): Choices | null {
  try {
    const raw = window.localStorage.getItem(CHOICES_KEY + path);
    if (!raw) return null;
    const parsed: unknown = JSON.parse(raw);
    if (typeof parsed !== 'object' || parsed === null) return null;
    const defaults = defaultChoices();
    const merged = { ...defaults };
    for (const key of Object.keys(defaults) as (keyof Choices)[]) {
      const value = (parsed as Record<string, unknown>)[key];
      const def = defaults[key];
      const sameKind = value !== undefined && (def === null || value === null || key === 'kinship' || typeof value === typeof def || (Array.isArray(def) && Array.isArray(value)));
      if (sameKind) (merged as Record<string, unknown>)[key] = value;
    }
    return merged;
  } catch {
    return null;
  }
}

/** Keep the project's choices for the next load (called by the shell whenever they change). */
export function saveChoices(path: string, choices: Choices): void {
  try {
    window.localStorage.setItem(CHOICES_KEY + path, JSON.stringify(choices));
  } catch {
    // Storage full or disabled: the choices still hold for this page's life.
  }
}

/** The Data screen's file being looked at before it is added, with the genotype options chosen for it. */
export interface PendingFile {
  path: string;
  /** A genotype file's SNP annotation / map file (BIMBAM, matrices). */
  anno: string | null;
  /** Read a VCF's DS dosages. */
  dosage: boolean;
  /** An .xlsx workbook's worksheet (null: the first). */
  worksheet?: string | null;
}

/** What a genotype import's reader skipped and warned of (data.addGenotypes), shown beside the dataset. */
export type ImportNote = Pick<ResultOf<'data.addGenotypes'>, 'skipped' | 'warnings'> & {
  /** Where the examples are: lines, or columns (a matrix with samples as rows). */
  unit: 'line' | 'column';
};

class AppState {
  project = $state<ProjectInfo | null>(null);
  /** The Data screen's file chosen or dropped, not added yet (kept across screens and failed calls). */
  pendingFile = $state<PendingFile | null>(null);
  /** This session's genotype imports' notes, by dataset id. */
  imports = $state<Record<number, ImportNote>>({});
  screen = $state<Screen>('data');
  choices = $state<Choices>(defaultChoices());
  /** The run the Results screen shows, and the one beside it. */
  resultsRunId = $state<number | null>(null);
  compareRunId = $state<number | null>(null);
  results = $state<ResultsView>(defaultResultsView());
  /** The latest progress event of each run, by run id. */
  progress = $state<Record<number, ProgressEvent>>({});
  /** The latest progress of the genotype import under way (null: none, or none reported yet). */
  importProgress = $state<ImportProgressEvent | null>(null);

  /** Take a project as opened or created: reset choices to its data (its only dataset, its latest sheet). */
  useProject(info: ProjectInfo): void {
    const samePath = this.project?.path === info.path;
    this.project = info;
    if (!samePath) {
      this.choices = savedChoices(info.path) ?? defaultChoices();
      this.resultsRunId = null;
      this.compareRunId = null;
      this.progress = {};
      this.pendingFile = null;
      this.imports = {};
      this.screen = info.runs.some((r) => r.status === 'done') ? 'results' : 'data';
    }
    this.fillDefaults();
  }

  /** Choose the data a new project or a new import makes obvious, without overriding a choice made. */
  fillDefaults(): void {
    const info = this.project;
    if (!info) return;
    const c = this.choices;
    if (c.datasetId === null || !info.datasets.some((d) => d.id === c.datasetId)) c.datasetId = info.datasets.at(-1)?.id ?? null;
    if (c.phenoSheetId === null || !info.sheets.some((s) => s.id === c.phenoSheetId)) c.phenoSheetId = info.sheets.at(-1)?.id ?? null;
    const sheet = info.sheets.find((s) => s.id === c.phenoSheetId);
    if (sheet && (c.trait === null || !sheet.numericColumns.includes(c.trait))) c.trait = sheet.numericColumns[0] ?? null;
    const done = info.runs.filter((r) => r.status === 'done');
    if (this.resultsRunId === null && done.length > 0) this.resultsRunId = done.at(-1)!.id;
  }

  /** Read the open project again (after an import, a run's end). */
  async refresh(): Promise<void> {
    if (!this.project) return;
    this.useProject(await call('project.info', {}));
  }

  closed(): void {
    this.project = null;
    this.pendingFile = null;
    this.imports = {};
    this.choices = defaultChoices();
    this.resultsRunId = null;
    this.compareRunId = null;
    this.progress = {};
  }
}

export const app = new AppState();
