/**
 * Every method of the application API: its params and result as zod schemas. The dispatcher
 * (engine/service/dispatcher.ts) validates params with these where untrusted data enters; results
 * are typed by them (and checked against them when the host runs with the developer flag).
 *
 * Conventions:
 *   - params are strict objects: an unknown key is an error, not silently dropped;
 *   - every string, array and number is bounded;
 *   - ids are positive whole numbers; paths are absolute or relative to the host's files root;
 *   - a number that can be missing or infinite in the engine (NaN, Infinity) is `null` in a plain
 *     result, so JSON carries it; typed arrays keep NaN as it is (they travel as bytes);
 *   - series (Manhattan, QQ, regions, PCs) are typed arrays.
 * Add a method here and in engine/service/routes.ts.
 */
import { z } from 'zod';
import { exportOptionsSchema, figureRequestSchema } from './figures.js';
import { FIT_METHODS, GENETIC_MODELS, HWE_RANGE, KINSHIP_MODES, MIN_CALL_RATE_RANGE, scanSettingsSchema } from './settings.js';

// ---------------------------------------------------------------- building blocks

const none = z.object({}).strict();

/** A database id (runs, datasets, sheets, matrices). */
const id = z.number().int().positive().max(Number.MAX_SAFE_INTEGER);
const count = z.number().int().nonnegative();
/** A file or folder path as the user chose it. */
const path = z
  .string()
  .min(1)
  .max(4096)
  .refine((s) => !s.includes('\u0000'), { message: 'must not contain a NUL character' });
const shortText = z.string().min(1).max(1000);
/** A number the engine may have as NaN or +-Infinity: null then. */
const maybe = z.number().nullable();
const isoTime = z.string();

// ---------------------------------------------------------------- projects and data

/** The genotype formats a dataset can come from (engine/io/genotype-source.ts GENOTYPE_FORMATS). */
export const GENOTYPE_FORMAT_VALUES = ['plink', 'vcf', 'bimbam', 'hapmap', 'matrix'] as const;

export const datasetSchema = z.object({
  id,
  name: z.string(),
  /** The PLINK prefix at import time; for other formats the genotype file's path. */
  prefix: z.string(),
  format: z.enum(GENOTYPE_FORMAT_VALUES),
  /** The genotypes are dosages (BIMBAM; a VCF's DS): scans and kinships use them. */
  dosage: z.boolean(),
  nSamples: count,
  nSnps: count,
  importedAt: isoTime,
  /** What its import skipped (by reason, with examples) and warned about. */
  skipped: z.array(z.lazy(() => skippedSnpsSchema)),
  warnings: z.array(z.string()),
});

export const sheetSchema = z.object({
  id,
  name: z.string(),
  path: z.string(),
  idColumn: z.string(),
  fidColumn: z.string().nullable(),
  rows: count,
  /** Data columns (numeric and text) in file order. */
  columns: z.array(z.string()),
  numericColumns: z.array(z.string()),
  /** GEMMA's headerless format (no IDs): rows matched to the genotypes by order. */
  positional: z.boolean().optional(),
  /** What the reader stated on import (decimal commas read, no header row, #N/A cells), as sentences. */
  warnings: z.array(z.string()).optional(),
  importedAt: isoTime,
});

/** What a pedigree's A records (engine/store/matrices.ts PedigreeMatrixNote): its animals, inbreeding and stated warnings. */
export const pedigreeFactsSchema = z.object({
  /** The dataset whose individuals A is over (null: recorded before this was kept). */
  datasetId: id.nullable(),
  /** Animals in the pedigree file (listed, and parents added as founders). */
  animals: count,
  /** Animals A was computed over: the genotyped ones and their ancestors. */
  used: count,
  /** Genotyped individuals the pedigree lists. */
  covered: count,
  /** Genotyped individuals it does not list, taken as unrelated founders (0 unless unlistedFounders). */
  unlisted: count,
  unlistedFounders: z.boolean(),
  inbred: count,
  meanF: z.number(),
  maxF: z.number(),
  warnings: z.array(z.string()),
});

/** A kinship matrix of the project: a file imported, or a pedigree's A (with `pedigree`). */
export const matrixSchema = z.object({ id, name: z.string(), path: z.string(), n: count, importedAt: isoTime, pedigree: pedigreeFactsSchema.optional() });

export const RUN_STATUS_VALUES = ['queued', 'running', 'done', 'failed', 'cancelled', 'interrupted'] as const;

export const runSummarySchema = z.object({
  id,
  status: z.enum(RUN_STATUS_VALUES),
  /** Place in this host's queue (0: next), null when not waiting. */
  queuePosition: count.nullable(),
  trait: z.string(),
  model: z.enum(GENETIC_MODELS),
  method: z.enum(FIT_METHODS),
  datasetId: id,
  phenoSheetId: id,
  covarSheetId: id.nullable(),
  matrixId: id.nullable(),
  createdAt: isoTime,
  startedAt: isoTime.nullable(),
  finishedAt: isoTime.nullable(),
  /** Tested-SNP positions committed, of total (null until prepared). */
  done: count,
  total: count.nullable(),
  /** Result rows committed. */
  rows: count,
  analysed: count.nullable(),
  lambdaGc: maybe,
  wallSeconds: z.number(),
  /** Why it failed, when it did. */
  error: z.string().nullable(),
  /** Repeated measures (individuals with several sheet rows, Z != I): the individuals and observations analysed; absent without repeats or until the run has ended. */
  repeated: z.object({ individuals: count, observations: count }).optional(),
});
export type RunSummary = z.infer<typeof runSummarySchema>;

export const runDetailSchema = runSummarySchema.extend({
  settings: scanSettingsSchema,
  softwareVersion: z.string(),
  blockSize: count,
  nullFit: z.object({ logl_h0: maybe, sigma_a2: maybe, sigma_e2: maybe, delta: maybe, pve: maybe }).nullable(),
  timings: z.record(z.string(), z.number()).nullable(),
});

export const logLineSchema = z.object({ at: isoTime, level: z.enum(['info', 'warn', 'error']), message: z.string() });

export const sessionSchema = z.object({
  seq: count,
  pid: count,
  host: z.string(),
  softwareVersion: z.string(),
  startedAt: isoTime,
  endedAt: isoTime.nullable(),
  fromPos: count,
  toPos: count.nullable(),
  outcome: z.string().nullable(),
});

export const projectInfoSchema = z.object({
  path: z.string(),
  readonly: z.boolean(),
  /** The previous writer did not close the project (crash, kill, power loss). */
  uncleanClose: z.boolean(),
  /** Runs found cut off when the project was opened (now 'interrupted'). */
  interrupted: z.array(id),
  datasets: z.array(datasetSchema),
  sheets: z.array(sheetSchema),
  matrices: z.array(matrixSchema),
  runs: z.array(runSummarySchema),
  /** Cached kinship matrices and eigendecompositions. */
  cache: z.object({ entries: count, bytes: count }),
  /** Bytes of the project file and its write-ahead log. */
  fileBytes: count,
});
export type ProjectInfo = z.infer<typeof projectInfoSchema>;

export const recentProjectSchema = z.object({ path: z.string(), openedAt: isoTime, exists: z.boolean() });

// ---------------------------------------------------------------- previews

/** A column of a sheet preview: ID columns, numeric columns (range), text columns (most frequent values). */
export const previewColumnSchema = z.discriminatedUnion('type', [
  z.object({ name: z.string(), type: z.enum(['id', 'fid']) }),
  z.object({ name: z.string(), type: z.literal('numeric'), present: count, missing: count, min: z.number().nullable(), max: z.number().nullable() }),
  z.object({
    name: z.string(),
    type: z.literal('text'),
    present: count,
    missing: count,
    distinct: count,
    values: z.array(z.object({ value: z.string(), count })),
  }),
]);

/** SNPs a genotype reader left out, by reason, with up to 5 examples (engine/io/genotype-source.ts SkippedSnps). */
export const skippedSnpsSchema = z.object({ reason: z.string(), count, examples: z.array(z.object({ id: z.string(), line: count })) });

/** An .xlsx workbook's worksheet, by name. */
const worksheetName = z.string().min(1).max(255);

/** What a file is, before it is added (engine/io/preview.ts); a file Kinscan does not read is an 'input' error saying so. */
export const dataPreviewSchema = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('plink'),
    prefix: z.string(),
    files: z.object({ bed: z.string(), bim: z.string(), fam: z.string() }),
    individuals: count,
    snps: count,
    /** The first .fam lines (FID, IID, father, mother, sex, phenotypes...) and .bim lines (chr, SNP, cM, position, allele 1, allele 0), as fields. */
    famHead: z.array(z.array(z.string())),
    bimHead: z.array(z.array(z.string())),
  }),
  z.object({
    kind: z.literal('sheet'),
    path: z.string(),
    delimiter: z.enum(['tab', 'comma', 'semicolon', 'whitespace', 'xlsx']),
    headerLine: count,
    rows: count,
    idColumn: z.string(),
    fidColumn: z.string().nullable(),
    /** The FID column (if any), the ID column, then the data columns in file order. */
    columns: z.array(previewColumnSchema),
    /** The first rows, one cell per column: text as written, numbers as numbers, missing as null. */
    head: z.array(z.array(z.union([z.string(), z.number(), z.null()]))),
    /** An .xlsx workbook: the worksheet read (null for a text file) and all of its worksheets. */
    worksheet: z.string().nullable(),
    worksheets: z.array(z.string()),
  }),
  z.object({
    kind: z.literal('kinship'),
    path: z.string(),
    n: count,
    /** The top-left corner (up to 5 x 5). */
    corner: z.array(z.array(z.number())),
  }),
  /** Any other genotype file (engine/io/genotype-preview.ts): read with the import's reader, its first batch of SNPs only. */
  z.object({
    kind: z.literal('genotypes'),
    path: z.string(),
    format: z.enum(['vcf', 'bimbam', 'hapmap', 'matrix']),
    compression: z.enum(['none', 'gzip', 'bgzf']),
    /** Matrices: samples as rows or as columns (null for other formats, or when only a map file tells). */
    layout: z.enum(['samples-as-rows', 'samples-as-columns']).nullable(),
    /** Matrices written by plink2 --export A (.raw) or A-transpose (.traw). */
    plinkExport: z.enum(['raw', 'traw']).nullable(),
    individuals: count,
    /** The first sample IDs (BIMBAM has none: 1, 2, ... in the phenotype file's row order). */
    sampleIds: z.array(z.string()),
    /** The first SNPs with the first individuals' genotypes: copies of allele1 (0-2, dosages when `dosages`), null missing. */
    snps: z.array(
      z.object({ chr: z.string(), rs: z.string(), pos: z.number().int(), allele1: z.string(), allele0: z.string(), line: count, calls: z.array(z.number().nullable()) }),
    ),
    dosages: z.boolean(),
    /** A VCF whose header declares DS: its dosages can be read instead of the GT calls. */
    dosageOption: z.boolean(),
    /** A SNP annotation or map file: given, wanted (the SNPs read have no chromosome or position), or not needed. */
    annotation: z.enum(['given', 'expected', 'not-needed']),
    /** SNPs in the file when known without reading it all; null: counted when added. */
    snpCount: count.nullable(),
    /** The file was read whole (it is small): skipped and warnings are the import's. */
    complete: z.boolean(),
    skipped: z.array(skippedSnpsSchema),
    warnings: z.array(z.string()),
  }),
]);
export type DataPreview = z.infer<typeof dataPreviewSchema>;

/** One individual as its file writes it (FID '' for a sheet without an FID column) and its 1-based line there. */
const idExample = z.object({ fid: z.string(), iid: z.string(), line: count });
const idExamples = z.object({ count, examples: z.array(idExample) });

/** How a sheet's IDs match a dataset's individuals (the scan's own rules: engine/store/matching.ts). */
export const idMatchingSchema = z.object({
  genotyped: count,
  sheetRows: count,
  matched: count,
  /** IID, or FID and IID when the sheet has a FID column; row order for GEMMA's headerless files. */
  matchedBy: z.enum(['IID', 'FID+IID', 'row order']),
  idColumn: z.string(),
  fidColumn: z.string().nullable(),
  onlyInGenotypes: idExamples,
  onlyInSheet: idExamples,
});

/** The QC preview (engine/store/qc-preview.ts): what a scan with these thresholds keeps. */
export const qcPreviewSchema = z.object({
  /** Whose genotypes the filters count: the trait's analysed individuals, or every genotyped one. */
  individuals: z.enum(['analysed', 'genotyped']),
  /** Per filter, in the order they apply: duplicates, missing rate, MAF, one class, HWE, collinear with the covariates (0 without covariates). */
  snps: z.object({
    total: count,
    failedDuplicate: count,
    failedMissing: count,
    failedMaf: count,
    singleClass: count,
    failedHwe: count,
    failedCollinear: count,
    kept: count,
  }),
  samples: z.object({
    genotyped: count,
    sheetRows: count.optional(),
    matched: count.optional(),
    matchedBy: z.enum(['IID', 'FID+IID', 'row order']).optional(),
    withTrait: count.optional(),
    missingCovariate: count.optional(),
    /** Dropped for a call rate over all SNPs below minCallRate (0 when off). */
    lowCallRate: count,
    kept: count,
  }),
  /** MAFs of the SNPs passing the missingness filter, in equal bins of binWidth over [0, 0.5]. */
  mafHistogram: z.object({ binWidth: z.number(), counts: z.array(count) }),
});

// ---------------------------------------------------------------- results

/** One tested SNP with its row of results (null: not applicable, e.g. beta_d of a 1-df test). */
export const hitRowSchema = z.object({
  snp: count,
  chr: z.string(),
  rs: z.string(),
  pos: z.number(),
  allele1: z.string(),
  allele0: z.string(),
  af: maybe,
  nMiss: count,
  df: count,
  betaA: maybe,
  seA: maybe,
  betaD: maybe,
  seD: maybe,
  loglH1: maybe,
  /** sigma_e2 / sigma_a2 of the alternative fit (null when sigma_a2 = 0). */
  deltaH1: maybe,
  lrt: maybe,
  /** Natural log of p (never underflows). */
  lnP: maybe,
  negLog10P: maybe,
  /** log10 of the SNP's exact Bayes factor (BIMBAM prior) and of Wakefield's approximation; null in runs recorded before Bayes factors. */
  log10Bf: maybe,
  log10Abf: maybe,
  /** Posterior probability of association for the run's prior probability (settings.bayes.priorProbability). */
  ppa: maybe,
  /** '' or why the fit is not to be trusted as it stands: 'below-null', 'not-converged' (or both, comma-separated). */
  flag: z.string(),
});
export type HitRow = z.infer<typeof hitRowSchema>;

/** A SNP of a fine-mapped region: position, evidence, and its posterior inclusion probability there. */
export const finemapSnpSchema = z.object({ snp: count, rs: z.string(), pos: z.number(), negLog10P: maybe, log10Bf: maybe, pip: maybe });

export const credibleRegionSchema = z.object({
  chr: z.string(),
  start: z.number(),
  end: z.number(),
  /** The region's best SNP by p, with its posterior probability of association. */
  lead: finemapSnpSchema.extend({ ppa: maybe }),
  /** SNPs past the threshold in the region; tested SNPs in it. */
  leads: count,
  snps: count,
  /** The credible set, highest posterior inclusion probability first. */
  members: z.array(finemapSnpSchema),
  coverage: maybe,
});
export type CredibleRegionView = z.infer<typeof credibleRegionSchema>;

export const finemapSchema = z.object({
  p: z.number(),
  windowBp: z.number(),
  level: z.number(),
  priorProbability: z.number(),
  regions: z.array(credibleRegionSchema),
  /** SNPs past the threshold with no known position: in no region, not fine-mapped. */
  unplaced: z.array(finemapSnpSchema.extend({ chr: z.string() })),
});
export type FinemapView = z.infer<typeof finemapSchema>;

/**
 * The null model's heritability (PVE, ML) with three intervals at `level`: the profile likelihood's,
 * the posterior's (uniform prior on h2; effects and scale integrated out) with its mean and mode, and
 * the parametric bootstrap's (ALBI's construction: right coverage near 0 and 1). Null bounds: not known.
 */
export const heritabilitySchema = z.object({
  estimate: maybe,
  level: z.number(),
  profile: z.object({ lower: maybe, upper: maybe }),
  posterior: z.object({ mean: maybe, mode: maybe, lower: maybe, upper: maybe }),
  bootstrap: z.object({ lower: maybe, upper: maybe, replicates: count, gridPoints: count }).nullable(),
});
export type HeritabilityView = z.infer<typeof heritabilitySchema>;

export const snpInfoSchema = z.object({
  snp: count,
  chr: z.string(),
  rs: z.string(),
  cm: z.number(),
  pos: z.number(),
  allele1: z.string(),
  allele0: z.string(),
});

export const HIT_SORTS = ['p', 'position', 'beta', 'af', 'rs'] as const;

/** A typed array of one kind (over any buffer: a view on a message's bytes is fine). */
const typed = <T>(ctor: abstract new (...args: never[]) => T, name: string) => z.custom<T>((v) => v instanceof ctor, { message: `expected a ${name}` });
const f64 = typed<Float64Array>(Float64Array, 'Float64Array');
const f32 = typed<Float32Array>(Float32Array, 'Float32Array');
const i32 = typed<Int32Array>(Int32Array, 'Int32Array');
const u16 = typed<Uint16Array>(Uint16Array, 'Uint16Array');
const u8 = typed<Uint8Array>(Uint8Array, 'Uint8Array');

const runIdParams = z.object({ runId: id }).strict();

/**
 * A figure scene (engine/figures/scene.ts: mm geometry, typed-array point sets) as it travels to
 * the renderer, which paints it on a canvas: the same figure an export paints into a file. The
 * protocol imports nothing of engine/figures, so this checks the outline only; the renderer reads
 * it as a Scene.
 */
export const sceneSchema = z.custom<{ widthMm: number; heightMm: number; items: unknown[] }>(
  (v) => typeof v === 'object' && v !== null && typeof (v as { widthMm?: unknown }).widthMm === 'number' && Array.isArray((v as { items?: unknown }).items),
  { message: 'expected a figure scene' },
);

/** The relatedness of a dataset before any run: a kinship over all its genotyped individuals. */
const relatednessParams = {
  datasetId: id,
  kinship: z.enum(KINSHIP_MODES),
};

// ---------------------------------------------------------------- the table

export const methods = {
  /** Liveness: the engine's version and protocol. */
  'app.ping': { params: none, result: z.object({ version: z.string(), protocol: z.number().int() }) },

  /** Create a project file (refused when the file exists) and open it for writing. */
  'project.create': { params: z.object({ path }).strict(), result: projectInfoSchema },
  /** Open a project: for writing (the default, one writer at a time) or read-only. */
  'project.open': { params: z.object({ path, readonly: z.boolean().optional() }).strict(), result: projectInfoSchema },
  /** Close the open project. Refused while runs are running or queued, unless force (they are then cancelled). */
  'project.close': { params: z.object({ force: z.boolean().optional() }).strict(), result: z.object({ closed: z.boolean() }) },
  /** Recently opened projects, newest first. */
  'project.recent': { params: none, result: z.object({ projects: z.array(recentProjectSchema) }) },
  /** Open the bundled example project (mouse HS1940), creating it on first use. */
  'project.openExample': { params: none, result: projectInfoSchema },
  /** The open project: its data, runs, cache and size. */
  'project.info': { params: none, result: projectInfoSchema },

  /**
   * What a file is (PLINK set, other genotype file, sheet, kinship matrix), its first rows and column
   * types. Reads only. anno: a genotype file's annotation/map file; dosage: a VCF's DS read.
   */
  'data.preview': { params: z.object({ path, anno: path.optional(), dosage: z.boolean().optional(), worksheet: worksheetName.optional() }).strict(), result: dataPreviewSchema },
  /**
   * Import genotypes into the project (once per content): a PLINK set (PREFIX or any of its three
   * files) or any other genotype file, its format told by content; anno: BIMBAM's SNP annotation or a
   * matrix's map; dosage: a VCF's DS dosages instead of GT. With what the reader skipped and warned of.
   */
  'data.addGenotypes': {
    params: z.object({ path, anno: path.optional(), dosage: z.boolean().optional() }).strict(),
    result: z.object({ created: z.boolean(), dataset: datasetSchema, skipped: z.array(skippedSnpsSchema), warnings: z.array(z.string()) }),
  },
  /** Import a phenotype or covariate sheet. */
  'data.addSheet': { params: z.object({ path, worksheet: worksheetName.optional() }).strict(), result: z.object({ created: z.boolean(), sheet: sheetSchema }) },
  /** Import a kinship matrix file (n x n in .fam order). */
  'data.addKinship': { params: z.object({ path }).strict(), result: z.object({ created: z.boolean(), matrix: matrixSchema }) },
  /**
   * A pedigree (id, sire, dam) as the kinship of a dataset: its numerator relationship matrix A over
   * the dataset's individuals, stored once (per pedigree content, dataset and founder option).
   * unlistedFounders: genotyped individuals the pedigree lacks are unrelated founders, not an error.
   */
  'data.addPedigree': {
    params: z.object({ path, datasetId: id, unlistedFounders: z.boolean().optional() }).strict(),
    result: z.object({ created: z.boolean(), matrix: matrixSchema }),
  },
  /** The project's datasets, sheets and matrices. */
  'data.list': {
    params: none,
    result: z.object({ datasets: z.array(datasetSchema), sheets: z.array(sheetSchema), matrices: z.array(matrixSchema) }),
  },
  /** How a sheet's IDs match a dataset's individuals, with examples of those that do not. */
  'data.matching': { params: z.object({ datasetId: id, sheetId: id }).strict(), result: idMatchingSchema },

  /** SNPs and individuals kept for given thresholds, with counts per filter and the MAF histogram. */
  'qc.preview': {
    params: z
      .object({
        datasetId: id,
        sheetId: id.optional(),
        trait: shortText.optional(),
        covarSheetId: id.optional(),
        covarNames: z.array(shortText).max(200).optional(),
        maf: z.number().min(0).max(0.5),
        maxMissing: z.number().min(0).max(1),
        hwe: z.number().min(HWE_RANGE[0]).max(HWE_RANGE[1]).optional(),
        minCallRate: z.number().min(MIN_CALL_RATE_RANGE[0]).max(MIN_CALL_RATE_RANGE[1]).optional(),
        bins: z.number().int().min(1).max(1000).optional(),
      })
      .strict(),
    result: qcPreviewSchema,
  },

  /** The top principal components of the relatedness matrix a run used (its eigendecomposition, cached). */
  'relatedness.pcs': {
    params: z.object({ runId: id, count: z.number().int().min(1).max(20).optional() }).strict(),
    result: z.object({ sampleIds: z.array(z.string()), pcs: z.array(f64), varianceExplained: z.array(maybe) }),
  },

  /**
   * A dataset's relatedness before a run: the kinship over all its genotyped individuals (computed
   * once on a worker thread, then cached in the project) and its top principal components.
   */
  'relatedness.overview': {
    params: z.object({ ...relatednessParams, count: z.number().int().min(1).max(20).optional() }).strict(),
    result: z.object({ n: count, snps: count, sampleIds: z.array(z.string()), pcs: z.array(f64), varianceExplained: z.array(maybe) }),
  },
  /** The kinship heatmap or the PCA scatter of a dataset's relatedness (as relatedness.overview), as a scene. */
  'relatedness.scene': {
    params: z
      .object({
        ...relatednessParams,
        figure: z.enum(['kinship', 'pca']),
        pcs: z.tuple([z.number().int().min(1).max(10), z.number().int().min(1).max(10)]).optional(),
        /** PCA: colour by a column of a sheet. */
        colourBy: z.object({ sheetId: id, column: shortText }).strict().optional(),
        widthMm: z.number().min(30).max(500).optional(),
      })
      .strict(),
    result: z.object({ scene: sceneSchema }),
  },

  /** Record a run and queue it (one scan at a time; later runs wait as 'queued'). */
  'runs.start': {
    params: z
      .object({
        settings: scanSettingsSchema,
        datasetId: id.optional(),
        phenoSheetId: id.optional(),
        covarSheetId: id.optional(),
        /** Worker threads of this run's kinship and scan (default: the host's, all cores); results do not depend on it. */
        threads: z.number().int().min(1).max(256).optional(),
      })
      .strict(),
    result: z.object({ runId: id, status: z.enum(['queued', 'running']), queuePosition: count.nullable() }),
  },
  'runs.list': { params: none, result: z.object({ runs: z.array(runSummarySchema) }) },
  /** One run with its settings, log and sessions. */
  'runs.get': { params: runIdParams, result: z.object({ run: runDetailSchema, log: z.array(logLineSchema), sessions: z.array(sessionSchema) }) },
  /** Cancel a run: a queued one leaves the queue (becomes 'cancelled'); a running one stops at its next block. Answers once it has. */
  'runs.cancel': { params: runIdParams, result: z.object({ runId: id, status: z.enum(RUN_STATUS_VALUES) }) },
  /** Queue a cancelled, interrupted, failed (or never started) run again; it continues where it stopped. */
  'runs.resume': { params: runIdParams, result: z.object({ runId: id, status: z.enum(['queued', 'running']), queuePosition: count.nullable() }) },
  /** Delete a run and its results (not while it is running or queued). */
  'runs.delete': { params: runIdParams, result: z.object({ runId: id, deleted: z.literal(true) }) },

  /** A run's Manhattan series in file order: chromosome index into chrNames, position, -log10 p, SNP index. */
  'results.manhattan': {
    params: runIdParams,
    result: z.object({ chrNames: z.array(z.string()), chr: u16, pos: f64, negLog10P: f32, snp: i32 }),
  },
  /** The QQ series: observed -log10 p sorted descending, with the expected -log10 p of each rank. */
  'results.qq': {
    params: runIdParams,
    result: z.object({ observed: f32, expected: f32, lambdaGc: maybe, df: z.union([z.literal(1), z.literal(2)]) }),
  },
  /** A page of a run's results, sorted and filtered, with the total count after the filter. */
  'results.hits': {
    params: z
      .object({
        runId: id,
        sort: z.enum(HIT_SORTS).default('p'),
        order: z.enum(['asc', 'desc']).default('asc'),
        filter: z
          .object({
            /** Only SNPs with p below this. */
            pBelow: z.number().gt(0).max(1).optional(),
            chr: z.string().min(1).max(100).optional(),
          })
          .strict()
          .default({}),
        offset: z.number().int().min(0).max(100_000_000).default(0),
        limit: z.number().int().min(1).max(1000).default(100),
      })
      .strict(),
    result: z.object({ total: count, rows: z.array(hitRowSchema) }),
  },
  /** One SNP in a run: its row, its rows in the other runs on the same genotypes, and the phenotype by genotype class. */
  'results.snp': {
    params: z
      .object({ runId: id, snp: count.max(2 ** 31 - 1).optional(), rs: z.string().min(1).max(500).optional(), adjusted: z.boolean().optional() })
      .strict()
      .refine((p) => (p.snp === undefined) !== (p.rs === undefined), { message: 'give exactly one of snp (index) or rs (ID)', path: ['snp'] }),
    result: z.object({
      info: snpInfoSchema,
      /** This run's row, null when the SNP was not tested (filtered out or collinear). */
      result: hitRowSchema.nullable(),
      otherRuns: z.array(z.object({ runId: id, trait: z.string(), model: z.string(), status: z.string(), negLog10P: maybe, betaA: maybe, seA: maybe })),
      genotypes: z.object({
        trait: z.string(),
        adjusted: z.boolean(),
        /** Per class (copies of allele 1): label (allele 0 first), the trait values of its individuals. */
        classes: z.array(z.object({ count: z.union([z.literal(0), z.literal(1), z.literal(2)]), label: z.string(), n: count, values: f64 })),
        /** Analysed individuals with no call at this SNP (null when the run was never prepared). */
        missing: count.nullable(),
      }),
    }),
  },
  /** A run's tested SNPs in a region (start <= position <= end), by position. */
  'results.region': {
    params: z.object({ runId: id, chr: z.string().min(1).max(100), start: z.number().min(0).max(1e12), end: z.number().min(0).max(1e12) }).strict(),
    result: z.object({ snp: i32, rs: z.array(z.string()), pos: f64, af: f64, betaA: f64, seA: f64, negLog10P: f64 }),
  },
  /**
   * Credible sets: each SNP with p <= `p` opens a window of +-windowBp, overlapping windows merge
   * into a region; in each, under one causal variant, every SNP's posterior inclusion probability
   * (its share of the region's Bayes factors) and the smallest set reaching `level`.
   */
  'results.finemap': {
    params: z
      .object({
        runId: id,
        p: z.number().gt(0).max(1).default(5e-8),
        windowBp: z.number().int().min(0).max(50_000_000).default(500_000),
        level: z.number().min(0.5).max(0.999).default(0.95),
      })
      .strict(),
    result: finemapSchema,
  },
  /** A run's heritability with its intervals; null for a run recorded before Kinscan computed them, or not yet prepared. */
  'results.heritability': {
    params: runIdParams,
    result: z.object({ heritability: heritabilitySchema.nullable() }),
  },
  /** Runs on the same genotypes side by side: the union of their top hits, every run's values there. */
  'results.compare': {
    params: z.object({ runIds: z.array(id).min(2).max(8), top: z.number().int().min(1).max(500).optional() }).strict(),
    result: z.object({ runs: z.array(runSummarySchema), snps: z.array(snpInfoSchema), negLog10P: z.array(f64), betaA: z.array(f64), seA: z.array(f64) }),
  },

  /** One figure of a run as a scene, for the screen: the figure export.figure paints into a file. */
  'figures.scene': {
    params: z.object({ runId: id, figure: figureRequestSchema }).strict(),
    result: z.object({ scene: sceneSchema }),
  },

  /** A run's results as a table file: tsv, csv, gemma (.assoc.txt) or xlsx. */
  'export.table': {
    params: z.object({ runId: id, format: z.enum(['tsv', 'csv', 'gemma', 'xlsx', 'credible-sets']), out: path, partial: z.boolean().optional() }).strict(),
    result: z.object({ path: z.string(), rows: count, summary: z.string().nullable() }),
  },
  /** One figure of a run painted into a file. */
  'export.figure': {
    params: z.object({ runId: id, figure: figureRequestSchema, options: exportOptionsSchema, out: path }).strict(),
    result: z.object({ path: z.string(), format: z.enum(['png', 'tiff', 'svg', 'pdf', 'eps']), description: z.string() }),
  },
  /** A run's report (.html or .pdf). */
  'export.report': {
    params: z.object({ runId: id, out: path }).strict(),
    result: z.object({ path: z.string(), format: z.enum(['html', 'pdf']), bytes: count }),
  },

  /**
   * A file dropped on the browser's window, sent in chunks in order (each at most 8 MiB) into
   * '<files root>/Kinscan uploads/<name>'; the chunk with `final` puts it there under its name, or a
   * numbered one ('mice (2).bed') when the name is taken: nothing is overwritten. `path`: where it
   * is (before `final`, where it is meant to go); `received`: bytes so far. Not in the desktop app.
   */
  'files.upload': {
    params: z
      .object({
        /** A plain file name: no folder part. */
        name: z.string().min(1).max(255),
        offset: count,
        bytes: u8.refine((b) => b.length <= 8 * 1024 * 1024, { message: 'a chunk holds at most 8 MiB' }),
        total: count,
        final: z.boolean(),
      })
      .strict(),
    result: z.object({ path: z.string(), received: count }),
  },
  /** A folder's entries, inside the host's files root (no '..', no links leading out). Default: the root. */
  'files.list': {
    params: z.object({ dir: path.optional() }).strict(),
    result: z.object({
      root: z.string(),
      dir: z.string(),
      /** The parent folder, null at the root. */
      parent: z.string().nullable(),
      entries: z.array(z.object({ name: z.string(), path: z.string(), kind: z.enum(['file', 'directory']), size: count, modifiedAt: isoTime })),
      /** Entries left out beyond the listing limit. */
      truncated: count,
    }),
  },
} as const;
