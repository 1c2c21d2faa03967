import { runEm, type EmState } from './em.js';
import type { EigenModel, MlFit } from './model.js';
import { DELTA_MIN_SINGULAR, exactMaximize } from './optimise.js';
import { ProfileLikelihood } from './profile.js';

/**
 * How a scan fits its models: 'fast' is the per-SNP route of engine/scan/fit-block.ts (its null
 * model is fitted 'exact'); the others fit every model here.
 */
export type FitMethod = 'fast' | 'em' | 'squarem' | 'exact';

/** The methods fitModel runs: one model at a time. */
export type ModelFitMethod = Exclude<FitMethod, 'fast'>;

export interface FitOptions {
  method: ModelFitMethod;
  /** EM: start values (b padded to the model's columns) and stopping rule. */
  emStart?: EmState;
  emTol?: number;
  emMaxIter?: number;
}

/**
 * Maximum-likelihood fit of one model in the eigenbasis.
 * - 'exact': dense grid + Brent + Newton + boundaries: the reference optimiser.
 * - 'em': the lecture's plain EM iterations (em.ts) from emStart, stopped on the change of l.
 * - 'squarem': the same EM map accelerated by SQUAREM; reaches boundary optima plain EM stalls short of.
 * The profile evaluator is passed in so that its buffers are reused across SNPs.
 */
export function fitModel(model: EigenModel, prof: ProfileLikelihood, opts: FitOptions): MlFit {
  prof.bind(model);
  if (opts.method === 'em' || opts.method === 'squarem') return fitByEm(model, prof, opts);
  const opt = exactMaximize(prof);
  const delta = Math.exp(opt.t);
  const est = prof.estimates(opt.where === 'sigmaA2=0' ? Infinity : delta);
  return {
    logl: opt.logl,
    delta: opt.where === 'sigmaA2=0' ? Infinity : delta,
    sigmaA2: est.sigmaA2,
    sigmaE2: est.sigmaE2,
    beta: est.beta,
    se: est.se,
    where: opt.where,
    iterations: opt.evaluations,
    converged: opt.converged,
  };
}

function fitByEm(model: EigenModel, prof: ProfileLikelihood, opts: FitOptions): MlFit {
  const p = model.x.length;
  let start = opts.emStart;
  if (!start || !(start.sigmaA2 > 0) || !(start.sigmaE2 > 0)) {
    let v = 0;
    for (let i = 0; i < model.n; i++) v += model.y[i]! * model.y[i]!;
    v /= model.n;
    start = { beta: new Float64Array(p), sigmaA2: v / 2, sigmaE2: v / 2 };
  }
  const deltaMin = prof.kernelIsDefinite ? 0 : DELTA_MIN_SINGULAR;
  const res = runEm(model, start, {
    tol: opts.emTol ?? 1e-10,
    maxIter: opts.emMaxIter ?? 100000,
    deltaMin,
    accelerate: opts.method === 'squarem',
  });
  const delta = res.state.sigmaE2 / res.state.sigmaA2;
  if (deltaMin > 0 && delta <= deltaMin * (1 + 1e-6)) {
    // EM was stopped by the bound on delta: there the ML of b and sigmaA2 has a closed form.
    const est = prof.estimates(deltaMin);
    return { ...est, delta: deltaMin, where: 'delta-min', iterations: res.iterations, converged: res.converged };
  }
  // Standard errors from the GLS covariance at the EM variance components.
  const est = prof.estimates(delta);
  const se = new Float64Array(p);
  const scale = res.state.sigmaA2 / est.sigmaA2;
  for (let j = 0; j < p; j++) se[j] = est.se[j]! * Math.sqrt(scale);
  return {
    logl: res.logl,
    delta,
    sigmaA2: res.state.sigmaA2,
    sigmaE2: res.state.sigmaE2,
    beta: Float64Array.from(res.state.beta),
    se,
    where: 'interior',
    iterations: res.iterations,
    converged: res.converged,
  };
}
