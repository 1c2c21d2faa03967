/**
 * The figure and report commands of the kinscan CLI:
 *   kinscan plot KIND (--project P --run ID | --results R.tsv) [options] --out F.png|tiff|svg|pdf|eps
 *   kinscan report --project P --run ID --out F.html|pdf
 */
import { existsSync } from 'node:fs';
import { InputError } from '../engine/io/errors.js';
import { sameFile } from '../engine/io/output-guard.js';
import { readResultsTable } from '../engine/io/results-table.js';
import { runFigureScene, tableFigureScene } from '../engine/export/figures.js';
import { formatOfPath, paintSceneToFile } from '../engine/export/paint/index.js';
import { writeRunReport } from '../engine/export/run-report.js';
import { COLUMN_WIDTHS_MM, exportOptionsSchema, FIGURE_KINDS, figureRequestSchema, type FigureKindName, type FigureRequestInput } from '../engine/protocol/figures.js';
import { Project } from '../engine/store/project.js';
import { parseFlags as parse, UsageError, type Flags } from './report.js';
import { parseBp, parsePThreshold } from './units.js';

export const PLOT_USAGE = `kinscan plot manhattan|qq|pca|kinship|region|genotype|heritability (--project P --run ID | --results R.tsv) --out F.png|tiff|svg|pdf|eps
    --dpi 300|600|1000                 raster resolution (PNG, TIFF; the raster layer of PDF, SVG, EPS)
    --width-mm 89|120|183              physical width (single, 1.5 or double column; default 183)
    --height-mm H                      physical height (default: from the figure kind)
    --palette okabe-ito|grey           colour-blind-safe colours (default) or greyscale
    --threshold 5e-8|bonferroni|P      Manhattan's main line (default 5e-8 with a suggestive 1e-5 line)
    --fdr 0.05                         Manhattan: add a Benjamini-Hochberg line
    --highlight rs1,rs2 --chr N --region CHR:START-END    Manhattan: highlight SNPs, one chromosome, a region
                                       (region plot: --region is its window, instead of --snp and --window)
    --chr-order X,2A,2B,1              Manhattan: chromosomes in this order first (the rest in natural order:
                                       1, 2, ..., 10, X, Y, MT, then other names such as scaffold_2 before scaffold_12)
    --snp RS --window 500kb            region and genotype plots: the SNP (default the top hit), half-window
    --level 0.95                       region plot: the credible set ringed (its posterior coverage, 0.5-0.999)
    --colour-by COLUMN --pcs 1,2       PCA: colour by a sheet column; which PCs
    --adjusted                         genotype plot: covariate-adjusted phenotype
    --title TEXT --outline-text        a title; SVG text as outlines`;

function str(v: string | boolean | undefined): string | undefined {
  return typeof v === 'string' && v !== '' ? v : undefined;
}

function number(v: string | boolean | undefined, name: string): number | undefined {
  const s = str(v);
  if (s === undefined) return undefined;
  const x = Number(s);
  if (!Number.isFinite(x)) throw new UsageError(`--${name} must be a number, got '${s}'`);
  return x;
}

function runIdOf(v: string | boolean | undefined): number {
  const s = str(v);
  if (s === undefined) throw new UsageError('--run is required with --project', true);
  const id = Number(s);
  if (!Number.isInteger(id) || id < 1) throw new UsageError(`--run must be a run id (a whole number from 1), got '${s}'`);
  return id;
}

/** --region chr:start-end (positions in bp, or with kb/Mb units). */
function regionOf(s: string): { chr: string; start: number; end: number } {
  const m = /^([^:]+):([^-]+)-(.+)$/.exec(s);
  if (!m) throw new UsageError(`--region must look like 11:1.5Mb-2.5Mb or 11:1500000-2500000, got '${s}'`);
  const start = parseBp(m[2]!, 'region');
  const end = parseBp(m[3]!, 'region');
  if (!(end > start)) throw new UsageError(`--region must end after it starts, got '${s}'`);
  return { chr: m[1]!, start, end };
}

/** --threshold as the figure's main line: genome-wide 5e-8 (with its suggestive line), Bonferroni over the tested SNPs, or a p. */
function thresholdOf(s: string, testedSnps: () => number): FigureRequestInput['threshold'] {
  const t = parsePThreshold(s, 'threshold');
  if (t.kind === 'bonferroni') return { kind: 'bonferroni', m: testedSnps(), alpha: t.alpha };
  return t.p === 5e-8 ? { kind: 'genome-wide' } : { kind: 'p', p: t.p };
}

/** The figure request of `kinscan plot` flags, validated by the one figure schema. */
function figureRequest(kind: FigureKindName, v: Flags, testedSnps: () => number): ReturnType<typeof figureRequestSchema.parse> {
  const input: FigureRequestInput = { kind };
  const width = number(v['width-mm'], 'width-mm');
  if (width !== undefined) input.widthMm = width;
  const height = number(v['height-mm'], 'height-mm');
  if (height !== undefined) input.heightMm = height;
  const palette = str(v.palette);
  if (palette !== undefined) {
    if (palette !== 'okabe-ito' && palette !== 'grey' && palette !== 'gray') throw new UsageError(`--palette must be okabe-ito or grey, got '${palette}'`);
    input.palette = palette === 'gray' ? 'grey' : palette;
  }
  const title = str(v.title);
  if (title !== undefined) input.title = title;
  const threshold = str(v.threshold);
  if (threshold !== undefined) input.threshold = thresholdOf(threshold, testedSnps);
  const fdr = number(v.fdr, 'fdr');
  if (fdr !== undefined) input.fdr = fdr;
  const highlight = str(v.highlight);
  if (highlight !== undefined) input.highlight = highlight.split(',').map((s) => s.trim()).filter(Boolean);
  const chr = str(v.chr);
  if (chr !== undefined) input.chromosome = chr;
  const chrOrder = str(v['chr-order']);
  if (chrOrder !== undefined) input.chromosomeOrder = chrOrder.split(',').map((s) => s.trim()).filter(Boolean);
  const region = str(v.region);
  if (region !== undefined) input.region = regionOf(region);
  const snp = str(v.snp);
  if (snp !== undefined) input.snp = snp;
  const window = str(v.window);
  if (window !== undefined) input.windowBp = parseBp(window, 'window');
  const level = number(v.level, 'level');
  if (level !== undefined) input.level = level;
  const colourBy = str(v['colour-by']) ?? str(v['color-by']);
  if (colourBy !== undefined) input.colourBy = colourBy;
  const pcs = str(v.pcs);
  if (pcs !== undefined) {
    const m = /^(\d+),(\d+)$/.exec(pcs);
    if (!m) throw new UsageError(`--pcs must be two PC numbers like 1,2, got '${pcs}'`);
    input.pcs = [Number(m[1]), Number(m[2])];
  }
  if (v.adjusted) input.adjusted = true;
  const parsed = figureRequestSchema.safeParse(input);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new UsageError(`${issue.path.join('.') || 'figure'}: ${issue.message}`);
  }
  return parsed.data;
}

const PLOT_FLAGS = {
  project: { type: 'string' },
  run: { type: 'string' },
  results: { type: 'string' },
  out: { type: 'string' },
  format: { type: 'string' },
  dpi: { type: 'string' },
  'width-mm': { type: 'string' },
  'height-mm': { type: 'string' },
  palette: { type: 'string' },
  title: { type: 'string' },
  threshold: { type: 'string' },
  fdr: { type: 'string' },
  highlight: { type: 'string' },
  'chr-order': { type: 'string' },
  chr: { type: 'string' },
  region: { type: 'string' },
  snp: { type: 'string' },
  window: { type: 'string' },
  level: { type: 'string' },
  'colour-by': { type: 'string' },
  'color-by': { type: 'string' },
  pcs: { type: 'string' },
  adjusted: { type: 'boolean' },
  'outline-text': { type: 'boolean' },
  threads: { type: 'string' },
  quiet: { type: 'boolean' },
  help: { type: 'boolean' },
} as const;

/** Refuse an --out that is one of the inputs (a figure must never overwrite data). */
function guardOut(out: string, inputs: string[]): void {
  if (inputs.some((p) => sameFile(out, p))) {
    throw new UsageError(`--out ${out} is one of the inputs; give another file name`);
  }
}

export async function plotCommand(args: string[]): Promise<number> {
  const [kindArg, ...rest] = args;
  if (kindArg === undefined || kindArg === '--help' || kindArg === 'help') {
    process.stdout.write(PLOT_USAGE + '\n');
    return kindArg === undefined ? 2 : 0;
  }
  if (!(FIGURE_KINDS as readonly string[]).includes(kindArg)) {
    throw new UsageError(`plot needs a figure kind first (${FIGURE_KINDS.join(', ')}), got '${kindArg}'`);
  }
  const kind = kindArg as FigureKindName;
  const v = parse(rest, PLOT_FLAGS);
  const out = str(v.out);
  if (out === undefined) throw new UsageError('--out is required (F.png, .tiff, .svg, .pdf or .eps)', true);
  const formatName = str(v.format) ?? formatOfPath(out);
  const options = exportOptionsSchema.safeParse({
    format: formatName,
    ...(str(v.dpi) !== undefined ? { dpi: number(v.dpi, 'dpi') } : {}),
    outlineText: Boolean(v['outline-text']),
  });
  if (!options.success) {
    if (formatName === undefined || options.error.issues.some((i) => i.path[0] === 'format')) {
      throw new UsageError(`cannot tell the figure format from '${out}': end it in .png, .tif/.tiff, .svg, .pdf or .eps, or give --format`);
    }
    throw new UsageError(`--dpi must be a whole number from 72 to 2400 (300, 600 or 1000 for journals), got '${String(v.dpi)}'`);
  }
  const project = str(v.project);
  const results = str(v.results);
  if ((project === undefined) === (results === undefined)) throw new UsageError('give either --project P --run ID, or --results R.tsv', true);
  const threads = number(v.threads, 'threads');
  let scene;
  if (project !== undefined) {
    if (!existsSync(project)) throw new InputError('project not found', { file: project }, 'Check the path; kinscan import or kinscan scan --project makes one');
    const id = runIdOf(v.run);
    guardOut(out, [project]);
    const p = Project.open(project, { readonly: true });
    try {
      const req = figureRequest(kind, v, () => p.run(id).rows);
      scene = runFigureScene(p, id, req, threads);
    } finally {
      p.close();
    }
  } else {
    guardOut(out, [results!]);
    const table = readResultsTable(results!);
    scene = tableFigureScene(table, figureRequest(kind, v, () => table.rs.length));
  }
  await paintSceneToFile(scene, out, options.data);
  if (!v.quiet) {
    const w = scene.widthMm;
    const col = Object.entries(COLUMN_WIDTHS_MM).find(([, mm]) => mm === w)?.[0];
    process.stderr.write(
      `kinscan: ${kind} plot, ${w} x ${scene.heightMm.toFixed(0)} mm${col ? ` (${col} column)` : ''}` +
        `${options.data.format === 'png' || options.data.format === 'tiff' ? ` at ${options.data.dpi} dpi` : ''}, written to ${out}\n`,
    );
  }
  return 0;
}

export async function reportCommand(args: string[]): Promise<number> {
  const v = parse(args, { project: { type: 'string' }, run: { type: 'string' }, out: { type: 'string' }, threads: { type: 'string' }, quiet: { type: 'boolean' } });
  const project = str(v.project);
  if (project === undefined) throw new UsageError('--project is required', true);
  const out = str(v.out);
  if (out === undefined || !/\.(html?|pdf)$/i.test(out)) throw new UsageError('--out must end in .html or .pdf', true);
  if (!existsSync(project)) throw new InputError('project not found', { file: project }, 'Check the path; kinscan import or kinscan scan --project makes one');
  guardOut(out, [project]);
  const id = runIdOf(v.run);
  const threads = number(v.threads, 'threads');
  const p = Project.open(project, { readonly: true });
  try {
    await writeRunReport(p, id, out, threads);
  } finally {
    p.close();
  }
  if (!v.quiet) process.stderr.write(`kinscan: report of run ${id} written to ${out}\n`);
  return 0;
}
