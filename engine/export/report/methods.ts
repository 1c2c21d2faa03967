/**
 * The report's methods paragraph: a plain, factual description of the run ready to paste into a
 * paper (the individuals and SNPs with the QC thresholds and counts, the model, the kinship, the ML
 * fit and its route, the test, the null fit, lambda_GC, the threshold, software and version), and
 * the short descriptions of the model, method and kinship the report's tables use.
 */
import type { GenotypeFormat } from '../../io/genotype-source.js';
import type { GeneticModel } from '../../scan/settings.js';
import type { FitMethod } from '../../stats/lmm/fit.js';
import { formatCount, formatFixed, formatPercent, formatSig, formatThreshold } from './format.js';
import type { ReportData } from './types.js';

export const MODEL_EQUATION = 'y = Xb + Za + e,  a ~ N(0, σₐ²K),  e ~ N(0, σₑ²I)';

/** The genetic model in words. */
export function modelText(model: GeneticModel): string {
  return model === 'add-dom'
    ? 'additive and dominance effects of each SNP: Xa = allele-1 count − 1 (−1, 0, 1) and Xd = 1 for heterozygotes, −1 for homozygotes'
    : 'the additive effect of each SNP: Xa = allele-1 count − 1 (−1, 0, 1)';
}

/** The test in words. */
export function testText(model: GeneticModel): string {
  return model === 'add-dom'
    ? 'likelihood-ratio test of βa = βd = 0 (2 df); a SNP with only two genotype classes, whose Xd is collinear with Xa, is tested for βa alone (1 df)'
    : 'likelihood-ratio test of βa = 0 (1 df)';
}

/** How the ML fits were found, in words (the route of each method, as engine/stats/lmm/fit.ts takes it). */
export function methodText(method: FitMethod): string {
  switch (method) {
    case 'fast':
      return (
        'the null model by the exact profile-likelihood optimiser (a dense grid in ln δ, δ = σₑ²/σₐ², refined by Brent and Newton steps, ' +
        'both boundaries checked); each SNP’s model by Newton steps on the profile likelihood in ln δ started from the null fit, ' +
        'checked on a sparse grid and at both boundaries'
      );
    case 'em':
      return 'the EM algorithm in the eigenbasis of K (the null model, then each SNP’s model started from the null fit), stopped on the change of the log-likelihood';
    case 'squarem':
      return 'the EM algorithm in the eigenbasis of K accelerated by SQUAREM (the null model, then each SNP’s model started from the null fit), stopped on the change of the log-likelihood';
    case 'exact':
      return 'the exact profile-likelihood optimiser for every model: a dense grid in ln δ (δ = σₑ²/σₐ²), each local maximum refined by Brent and Newton steps, both boundaries checked';
  }
}

function list(items: string[]): string {
  if (items.length <= 1) return items.join('');
  return `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`;
}

function plural(n: number, one: string, many: string): string {
  return `${formatCount(n)} ${n === 1 ? one : many}`;
}

function quoteName(s: string): string {
  return `‘${s}’`;
}

/** The methods paragraph of a report. */
/** Where the genotypes came from, in words. */
const GENOTYPE_SOURCE: Record<GenotypeFormat, string> = {
  plink: 'PLINK binary genotypes',
  vcf: 'read from a VCF file',
  bimbam: 'BIMBAM mean genotypes',
  hapmap: 'read from a HapMap file',
  matrix: 'read from a genotype matrix',
};

export function methodsParagraph(data: Omit<ReportData, 'methods'>): string {
  const sm = data.samples.report;
  const sn = data.snps;
  const nf = data.nullFit;
  const addDom = data.model.model === 'add-dom';
  const covariates = data.covariates.filter((c) => c !== 'intercept');
  /** The sheet's covariates: the PCs come last. */
  const sheetCovariates = covariates.slice(0, covariates.length - data.pcCovariates);
  const versions = [...new Set([data.run.softwareVersion, ...data.run.sessions.map((s) => s.softwareVersion)])];
  const out: string[] = [];

  out.push(
    `Association with ${quoteName(data.run.trait)} was tested in ${plural(sm.genotyped, 'genotyped individual', 'genotyped individuals')} ` +
      `and ${plural(sn.total, 'SNP', 'SNPs')} (${GENOTYPE_SOURCE[data.dataset.format]}${data.dataset.dosage ? ', as dosages' : ''}) with Kinscan ${list(versions)}, fitting a linear mixed model to each SNP.`,
  );

  const dropped: string[] = [];
  if (sm.genotypedOnly > 0) dropped.push(`${formatCount(sm.genotypedOnly)} had no phenotype record`);
  if (sm.missingTrait > 0) dropped.push(`${formatCount(sm.missingTrait)} lacked the trait`);
  if (sm.missingCovariate > 0) dropped.push(`${formatCount(sm.missingCovariate)} lacked a covariate`);
  if ((sm.lowCallRate ?? 0) > 0) dropped.push(`${formatCount(sm.lowCallRate ?? 0)} were called at fewer than ${formatPercent(data.settings.minCallRate)} of the SNPs`);
  out.push(
    `${plural(sm.analysed, 'individual', 'individuals')} with the trait${sheetCovariates.length > 0 ? ' and every covariate' : ''} were analysed` +
      (sm.observations !== undefined ? ` (${formatCount(sm.observations)} observations: repeated measures, fitted with the individual’s genetic effect shared)` : '') +
      (dropped.length > 0 ? ` (of the genotyped individuals, ${list(dropped)})` : '') +
      '.',
  );

  let qc =
    `SNPs were filtered among the analysed individuals: ${formatCount(sn.failedMissing)} with a missing rate above ${formatPercent(sn.maxMissing)} ` +
    `and ${formatCount(sn.failedMaf)} with a minor allele frequency below ${sn.maf} were removed`;
  const also: string[] = [];
  if (sn.failedDuplicate > 0) also.push(`${formatCount(sn.failedDuplicate)} duplicating an earlier SNP’s ID and position`);
  if (sn.singleClass > 0) also.push(`${formatCount(sn.singleClass)} with a single genotype class`);
  if (sn.hwe > 0) also.push(`${formatCount(sn.failedHwe)} with a Hardy-Weinberg exact test p-value below ${formatThreshold(sn.hwe)} (Wigginton et al. 2005)`);
  if (sn.failedCollinear > 0) also.push(`${formatCount(sn.failedCollinear)} whose genotypes the covariates explain with r² > 0.9999 (GEMMA’s rule)`);
  if (also.length > 0) qc += `, as were ${list(also)}`;
  qc += `, leaving ${plural(sn.planned, 'SNP', 'SNPs')}`;
  if (sn.collinearWithCovariates > 0) qc += `, of which ${formatCount(sn.collinearWithCovariates)} were collinear with the covariates and not tested`;
  qc += `; ${plural(sn.tested, 'SNP was', 'SNPs were')} tested.`;
  out.push(qc);

  const k = data.kinship;
  const kinship =
    k.type === 'pedigree'
      ? `the numerator relationship matrix from the pedigree ${k.file ?? ''} (${k.pedigree ? `${formatCount(k.pedigree.animals)} animals, ` : ''}Henderson’s tabular method), restricted to the analysed individuals and centred again`
      : k.type === 'file'
      ? `a relatedness matrix read from the file ${k.file ?? ''}, restricted to the analysed individuals and centred again`
      : `the ${k.type} genomic relationship matrix computed from the ${plural(k.snps, 'SNP', 'SNPs')} that passed the filters ` +
        `(${k.type === 'centered' ? 'GEMMA’s -gk 1' : 'GEMMA’s -gk 2'} definition), restricted to the analysed individuals and centred again`;
  out.push(
    'The model was y = Xb + Za + e, with a ~ N(0, σₐ²K) and e ~ N(0, σₑ²I), where y is the trait, ' +
      `X holds an intercept${sheetCovariates.length > 0 ? `, the covariate${sheetCovariates.length > 1 ? 's' : ''} ${list(sheetCovariates.map(quoteName))}` : ''}` +
      `${data.pcCovariates > 0 ? `, the top ${plural(data.pcCovariates, 'principal component', 'principal components')} of the kinship (as covariates for population structure)` : ''} ` +
      `and the SNP’s additive code (allele-1 count − 1)${addDom ? ' and dominance code (1 for heterozygotes, −1 for homozygotes)' : ''}, ` +
      `Z is the incidence matrix of ${sm.observations !== undefined ? 'the observations to their individuals' : 'the individuals'} and K is ${kinship}. Missing genotypes were set to the SNP’s mean code among the analysed individuals.`,
  );
  out.push(`Variance components and fixed effects were estimated by maximum likelihood (ML): ${methodText(data.model.method)}.`);
  out.push(
    addDom
      ? `Each SNP was tested by a likelihood-ratio test of its additive and dominance effects together against the null model without the SNP (2 degrees of freedom); ` +
          `${plural(sn.oneDf, 'SNP', 'SNPs')} with only two genotype classes among the analysed individuals ${sn.oneDf === 1 ? 'was' : 'were'} tested for the additive effect alone (1 degree of freedom).`
      : 'Each SNP was tested by a likelihood-ratio test of its additive effect against the null model without the SNP (1 degree of freedom).',
  );
  out.push(
    `Under the null model (ML log-likelihood ${formatFixed(nf.logl, 2)}), σₐ² = ${formatSig(nf.sigmaA2, 4)} and σₑ² = ${formatSig(nf.sigmaE2, 4)}, ` +
      `and the relatedness matrix explained a proportion PVE = ${formatFixed(nf.pve, 3)} of the phenotypic variance.`,
  );
  if (data.lambdaGc.value !== null) {
    out.push(
      `The genomic inflation factor was λGC = ${formatFixed(data.lambdaGc.value, 3)}${addDom ? ' (from the p-values as 1-degree-of-freedom chi-square statistics)' : ''}.`,
    );
  }
  const t = data.threshold;
  const peaks = data.hits.filter((h) => h.p < t.p).length;
  out.push(
    `The significance threshold was p < ${formatThreshold(t.p)} (${t.label}); ` +
      `${plural(t.snpsPast, 'SNP', 'SNPs')}${peaks > 0 && t.snpsPast > 0 ? ` in ${plural(peaks, 'peak', 'peaks')}` : ''} reached it.`,
  );
  if (!data.run.complete) out.push(`The scan is incomplete: it was stopped after ${formatCount(sn.tested)} of ${formatCount(sn.planned)} SNPs.`);
  return out.join(' ');
}
