/**
 * A run's results in the protocol's shapes: the Manhattan series as compact typed arrays
 * (chromosome index Uint16, -log10 p Float32: 18 bytes per SNP with the position and SNP index),
 * the QQ series, a page of hits, one SNP with its genotype classes, a region, runs side by side.
 */
import { finemapRun, type FinemapSnp } from '../export/finemap.js';
import type { FinemapView, HeritabilityView } from '../protocol/methods.js';
import { genotypeData } from '../export/figure-data.js';
import { InputError } from '../io/errors.js';
import type { ResultOf } from '../protocol/api.js';
import type { HitSort } from '../store/queries.js';
import type { Project } from '../store/project.js';
import { ServiceError } from './errors.js';
import { finite, hitRowView, runSummaryView } from './views.js';

/** The Manhattan series of a run, in file order. */
export function manhattanSeries(project: Project, runId: number): ResultOf<'results.manhattan'> {
  const s = project.manhattan(runId);
  if (s.chrNames.length > 0xffff) {
    throw new InputError(
      `the genotypes have ${s.chrNames.length} chromosome names, more than a Manhattan plot can tell apart`,
      { file: project.path },
      'Merge unplaced scaffolds into one chromosome code in the .bim file',
    );
  }
  return { chrNames: s.chrNames, chr: Uint16Array.from(s.chr), pos: s.pos, negLog10P: Float32Array.from(s.negLog10P), snp: s.snp };
}

/** Observed -log10 p sorted descending (p-values that are NaN left out) and the expected -log10((i - 0.5) / m) of each rank i. */
export function qqSeries(project: Project, runId: number): ResultOf<'results.qq'> {
  const run = project.run(runId);
  const s = project.manhattan(runId);
  let m = 0;
  for (const v of s.negLog10P) if (!Number.isNaN(v)) m++;
  const observed = new Float32Array(m);
  let k = 0;
  for (const v of s.negLog10P) if (!Number.isNaN(v)) observed[k++] = v;
  observed.sort().reverse();
  const expected = new Float32Array(m);
  for (let i = 0; i < m; i++) expected[i] = -Math.log10((i + 0.5) / m);
  return { observed, expected, lambdaGc: finite(run.lambdaGc), df: run.model === 'additive' ? 1 : 2 };
}

export interface HitsParams {
  runId: number;
  sort: HitSort;
  order: 'asc' | 'desc';
  filter: { pBelow?: number | undefined; chr?: string | undefined };
  offset: number;
  limit: number;
}

export function hitsPage(project: Project, p: HitsParams): ResultOf<'results.hits'> {
  const prior = project.run(p.runId).settings.bayes.priorProbability;
  const page = project.hitsPage(p.runId, {
    sort: p.sort,
    order: p.order,
    ...(p.filter.pBelow !== undefined ? { pBelow: p.filter.pBelow } : {}),
    ...(p.filter.chr !== undefined ? { chr: p.filter.chr } : {}),
    offset: p.offset,
    limit: p.limit,
  });
  return { total: page.total, rows: page.rows.map((h) => hitRowView(h, prior)) };
}

/** One SNP of a run: its row, its rows in the other runs on the same genotypes, the trait by genotype class. */
export function snpDetail(project: Project, runId: number, q: { snp: number } | { rs: string }, adjusted: boolean): ResultOf<'results.snp'> {
  const run = project.run(runId);
  const d = project.snpDetails(runId, q);
  if (!d) {
    throw new ServiceError('not-found', `The genotypes of run ${runId} have no SNP ${'snp' in q ? `number ${q.snp}` : `'${q.rs}'`}`, 'Give a SNP ID as in the .bim file (second column)');
  }
  // genotypeData finds the SNP by ID: with a repeated ID, by its position instead (ID 'chr:pos').
  const byId = project.snpDescriptions(run.datasetId).findRs(d.info.rs);
  const key = byId === d.info.snp ? d.info.rs : `${d.info.chr}:${d.info.pos}`;
  const g = genotypeData(project, runId, { snp: key, adjusted });
  const inClasses = g.classes.reduce((acc, c) => acc + c.values.length, 0);
  return {
    info: d.info,
    result: d.result ? hitRowView(d.result, run.settings.bayes.priorProbability) : null,
    otherRuns: d.runs
      .filter((r) => r.runId !== runId)
      .map((r) => ({ runId: r.runId, trait: r.trait, model: r.model, status: r.status, negLog10P: finite(-r.result.lnP / Math.LN10), betaA: finite(r.result.betaA), seA: finite(r.result.seA) })),
    genotypes: {
      trait: g.trait,
      adjusted: g.adjusted,
      classes: g.classes.map((c) => ({ count: c.count, label: c.label, n: c.values.length, values: c.values })),
      missing: run.analysed !== null ? Math.max(0, run.analysed - inClasses) : null,
    },
  };
}

export function regionSeries(project: Project, runId: number, chr: string, start: number, end: number): ResultOf<'results.region'> {
  if (end < start) throw new ServiceError('invalid-params', `The region ends (${end}) before it starts (${start})`, 'Give start <= end, in base pairs');
  project.run(runId);
  const r = project.region(runId, chr, start, end);
  return { snp: r.snp, rs: r.rs, pos: r.pos, af: r.af, betaA: r.betaA, seA: r.seA, negLog10P: r.negLog10P };
}

export function compareSeries(project: Project, runIds: number[], top: number, queuePosition: (runId: number) => number | null): ResultOf<'results.compare'> {
  const c = project.compareRuns(runIds, top);
  return { runs: c.runs.map((r) => runSummaryView(r, queuePosition(r.id))), snps: c.snps, negLog10P: c.negLog10P, betaA: c.betaA, seA: c.seA };
}

/** A run's credible sets (engine/export/finemap.ts), numbers made JSON-safe. */
export function finemapView(project: Project, runId: number, opts: { p: number; windowBp: number; level: number }): FinemapView {
  const fm = finemapRun(project, runId, opts);
  const snpView = (s: FinemapSnp): FinemapView['regions'][number]['members'][number] => ({ ...s, negLog10P: finite(s.negLog10P), log10Bf: finite(s.log10Bf), pip: finite(s.pip) });
  return {
    ...fm,
    unplaced: fm.unplaced.map((s) => ({ ...snpView(s), chr: s.chr })),
    regions: fm.regions.map((r) => ({ ...r, lead: { ...snpView(r.lead), ppa: finite(r.lead.ppa) }, members: r.members.map(snpView), coverage: finite(r.coverage) })),
  };
}

/** A run's heritability with its intervals (stored with the run), or null. */
export function heritabilityView(project: Project, runId: number): HeritabilityView | null {
  const h = project.run(runId).heritability;
  if (!h) return null;
  return {
    estimate: finite(h.estimate),
    level: h.level,
    profile: { lower: finite(h.profile.lower), upper: finite(h.profile.upper) },
    posterior: { mean: finite(h.posterior.mean), mode: finite(h.posterior.mode), lower: finite(h.posterior.lower), upper: finite(h.posterior.upper) },
    bootstrap: { lower: finite(h.bootstrap.lower), upper: finite(h.bootstrap.upper), replicates: h.bootstrap.replicates, gridPoints: h.bootstrap.gridPoints },
  };
}
