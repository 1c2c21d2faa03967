/**
 * A run's report with its figures and top hits: the six figures of the run (Manhattan, QQ, PCA,
 * kinship heatmap, and the regional and genotype plots of the top SNP) painted as SVG, the peaks
 * past the genome-wide line clumped, then laid out and written by engine/export/report.
 */
import type { FigureRequestInput } from '../protocol/figures.js';
import { figureRequestSchema } from '../protocol/figures.js';
import type { Project } from '../store/project.js';
import { runFigureScene } from './figures.js';
import { finemapRun } from './finemap.js';
import { clumpHits, type Peak } from './hits.js';
import { reportFinemap, type ReportFinemap } from './report/finemap-words.js';
import { paintScene } from './paint/index.js';
import { GENOME_WIDE, writeReport, type ReportFigure, type ReportHit, type WrittenReport } from './report/index.js';

/** Raster layers of the report's figures (a 1M-SNP Manhattan's grey points): enough for screen and print. */
const REPORT_DPI = 200;

const REPORT_FIGURES: { request: FigureRequestInput; title: string }[] = [
  { request: { kind: 'manhattan', widthMm: 183 }, title: 'Manhattan plot' },
  { request: { kind: 'qq', widthMm: 89 }, title: 'Quantile-quantile plot' },
  { request: { kind: 'pca', widthMm: 89 }, title: 'Principal components of the kinship' },
  { request: { kind: 'kinship', widthMm: 120 }, title: 'Kinship heatmap' },
  { request: { kind: 'region', widthMm: 183 }, title: 'Region around the top SNP' },
  { request: { kind: 'genotype', widthMm: 89 }, title: 'Phenotype by genotype at the top SNP' },
  { request: { kind: 'heritability', widthMm: 89 }, title: 'Heritability: profile likelihood and posterior' },
];

function reportHit(p: Peak): ReportHit {
  return {
    rs: p.rs,
    chr: p.chr,
    pos: p.pos,
    start: p.start,
    end: p.end,
    nSnps: p.nSnps,
    p: p.p,
    negLog10P: p.negLog10P,
    betaA: Number.isFinite(p.betaA) ? p.betaA : null,
    seA: Number.isFinite(p.seA) ? p.seA : null,
    af: Number.isFinite(p.af) ? p.af : null,
    allele1: p.allele1,
    allele0: p.allele0,
  };
}

/** The report's figures as SVG documents. */
export async function reportFigures(project: Project, runId: number, threads?: number): Promise<ReportFigure[]> {
  const out: ReportFigure[] = [];
  const hasH2 = project.run(runId).heritability !== null;
  for (const f of REPORT_FIGURES) {
    if (f.request.kind === 'heritability' && !hasH2) continue;
    const scene = runFigureScene(project, runId, figureRequestSchema.parse(f.request), threads);
    const svg = (await paintScene(scene, 'svg', { dpi: REPORT_DPI })).toString('utf8');
    out.push({ kind: f.request.kind, title: f.title, caption: scene.meta.description, svg });
  }
  return out;
}

/** Write the report of a run to `out` (.html or .pdf). */
export async function writeRunReport(project: Project, runId: number, out: string, threads?: number): Promise<WrittenReport> {
  const figures = await reportFigures(project, runId, threads);
  const hits = clumpHits(project, runId, { p: GENOME_WIDE.p }).map(reportHit);
  return writeReport(project, runId, out, { figures, hits, finemap: reportFinemapOf(project, runId), threshold: GENOME_WIDE });
}

/** The run's credible sets at the genome-wide threshold, or null for a run recorded before Bayes factors. */
function reportFinemapOf(project: Project, runId: number): ReportFinemap | null {
  const run = project.run(runId);
  const hasBf = project.db.prepare('SELECT 1 FROM results WHERE run_id = ? AND log10_bf IS NOT NULL LIMIT 1').pluck().get(runId) !== undefined;
  if (!hasBf && run.rows > 0) return null;
  return reportFinemap(finemapRun(project, runId, { p: GENOME_WIDE.p }), [...run.settings.bayes.priorSd]);
}
