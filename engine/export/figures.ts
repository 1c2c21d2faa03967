/**
 * A run's figures: the data from the project (figure-data.ts), the scene from engine/figures, the
 * file from the painters. The one route from a figure request to a scene, for the CLI, the report
 * and the UI. Without a project, a results table gives the Manhattan and QQ plots.
 */
import { InputError } from '../io/errors.js';
import type { ResultsTable } from '../io/results-table.js';
import type { ManhattanData, QqData, ThresholdSpec } from '../figures/data.js';
import type { FigureOptions } from '../figures/frame.js';
import { genotypeScene } from '../figures/genotype.js';
import { kinshipHeatmapScene } from '../figures/kinship-heatmap.js';
import { manhattanScene } from '../figures/manhattan.js';
import { pcaScene } from '../figures/pca.js';
import { qqScene } from '../figures/qq.js';
import { heritabilityScene } from '../figures/heritability.js';
import { regionScene } from '../figures/region.js';
import type { Scene } from '../figures/scene.js';
import type { FigureRequest } from '../protocol/figures.js';
import { lambdaGc } from '../scan/results.js';
import type { Project } from '../store/project.js';
import { VERSION } from '../version.js';
import { genotypeData, heritabilityData, kinshipData, manhattanData, pcaData, qqData, regionData, snpIdOf } from './figure-data.js';

function baseOptions(req: FigureRequest, runId?: number): FigureOptions {
  const o: FigureOptions = { widthMm: req.widthMm, palette: req.palette, software: `kinscan ${VERSION}` };
  if (req.heightMm !== undefined) o.heightMm = req.heightMm;
  if (req.title !== undefined) o.title = req.title;
  if (runId !== undefined) o.runId = runId;
  return o;
}

/**
 * SNP ids of the highlighted IDs, resolved by `idOf` (rs -> SNP id); an ID that is unknown or was
 * not tested is an error naming it.
 */
function highlightIds(req: FigureRequest, data: ManhattanData, idOf: (rs: string) => number | undefined, where: string): Int32Array | undefined {
  if (!req.highlight || req.highlight.length === 0) return undefined;
  let maxId = 0;
  for (let k = 0; k < data.snp.length; k++) maxId = Math.max(maxId, data.snp[k]!);
  const tested = new Uint8Array(maxId + 1);
  for (let k = 0; k < data.snp.length; k++) tested[data.snp[k]!] = 1;
  const found: number[] = [];
  const missing: string[] = [];
  for (const rs of new Set(req.highlight)) {
    const id = idOf(rs);
    if (id !== undefined && tested[id] === 1) found.push(id);
    else missing.push(rs);
  }
  if (missing.length > 0) {
    throw new InputError(
      `the highlighted SNP${missing.length > 1 ? 's' : ''} ${missing.slice(0, 5).join(', ')}${missing.length > 5 ? ', ...' : ''} ${missing.length > 1 ? 'are' : 'is'} not among the tested SNPs`,
      { file: where },
      'Highlight SNP IDs as written in the .bim file, of SNPs that passed QC',
    );
  }
  return Int32Array.from(found);
}

function manhattanFrom(data: ManhattanData, req: FigureRequest, idOf: (rs: string) => number | undefined, where: string, runId?: number): Scene {
  const threshold: ThresholdSpec = req.threshold ?? { kind: 'genome-wide' };
  const highlight = highlightIds(req, data, idOf, where);
  return manhattanScene(data, {
    ...baseOptions(req, runId),
    threshold,
    ...(req.fdr !== undefined ? { fdr: req.fdr } : {}),
    ...(highlight ? { highlight } : {}),
    ...(req.chromosome !== undefined ? { chromosome: req.chromosome } : {}),
    ...(req.chromosomeOrder !== undefined ? { chromosomeOrder: req.chromosomeOrder } : {}),
    ...(req.region !== undefined ? { region: req.region } : {}),
  });
}

/** The scene of one figure of a run. */
export function runFigureScene(project: Project, runId: number, req: FigureRequest, threads?: number): Scene {
  const opts = baseOptions(req, runId);
  switch (req.kind) {
    case 'manhattan':
      return manhattanFrom(manhattanData(project, runId), req, (rs) => snpIdOf(project, runId, rs), project.path, runId);
    case 'qq':
      return qqScene(qqData(project, runId), opts);
    case 'pca':
      return pcaScene(pcaData(project, runId, { ...(req.colourBy ? { colourBy: req.colourBy } : {}), ...(threads ? { threads } : {}) }), { ...opts, x: req.pcs[0], y: req.pcs[1] });
    case 'kinship':
      return kinshipHeatmapScene(kinshipData(project, runId, threads), opts);
    case 'region':
      return regionScene(
        regionData(project, runId, {
          ...(req.snp ? { snp: req.snp } : {}),
          windowBp: req.windowBp,
          ...(req.level !== undefined ? { level: req.level } : {}),
          ...(req.region ? { range: req.region } : {}),
        }),
        { ...opts, ...(req.threshold?.kind === 'p' ? { threshold: req.threshold.p } : {}) },
      );
    case 'genotype':
      return genotypeScene(genotypeData(project, runId, { ...(req.snp ? { snp: req.snp } : {}), adjusted: req.adjusted }), opts);
    case 'heritability':
      return heritabilityScene(heritabilityData(project, runId), opts);
  }
}

/** The Manhattan or QQ plot of a results table (Kinscan's TSV, GEMMA's .assoc.txt, ...). */
export function tableFigureScene(table: ResultsTable, req: FigureRequest): Scene {
  const snp = Int32Array.from({ length: table.rs.length }, (_, k) => k);
  if (req.kind === 'manhattan') {
    const data: ManhattanData = { chrNames: table.chrNames, chr: table.chr, pos: table.pos, negLog10P: table.negLog10P, snp, label: (k) => table.rs[k]! };
    const rowOf = req.highlight ? new Map(table.rs.map((rs, k) => [rs, k] as const)) : undefined;
    return manhattanFrom(data, req, (rs) => rowOf?.get(rs), table.path);
  }
  if (req.kind === 'qq') {
    const finite = table.negLog10P.filter((v) => !Number.isNaN(v));
    const data: QqData = { negLog10P: table.negLog10P, df: table.df ?? 1, lambdaGc: lambdaGc(Float64Array.from(finite, (v) => -v * Math.LN10)) };
    return qqScene(data, baseOptions(req));
  }
  throw new InputError(
    `a ${req.kind} plot needs the run's genotypes, which a results table does not hold`,
    { file: table.path },
    'Plot it from the project: kinscan plot ' + req.kind + ' --project P.kinscan --run ID',
  );
}

/** What the report says under each figure. */
export function figureCaption(scene: Scene): string {
  return scene.meta.description;
}
