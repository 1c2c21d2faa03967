/**
 * The linear mixed model of docs/model.md in the eigenbasis of the relatedness matrix.
 *
 *   y = X b + a + e,  a ~ N(0, sigmaA2 K),  e ~ N(0, sigmaE2 I),  K = U S U^T
 *
 * Rotating by U^T makes the covariance diagonal: V* = diag(sigmaA2 s_i + sigmaE2). With
 * delta = sigmaE2 / sigmaA2 everything below is a weighted sum over i with weights 1 / (s_i + delta).
 */
export interface EigenModel {
  /** Number of individuals (rows). */
  n: number;
  /** Eigenvalues s_i >= 0 of K (those below 1e-10 already set to 0). */
  s: Float64Array;
  /** Rotated phenotype y* = U^T y. */
  y: Float64Array;
  /** Rotated design columns X* = U^T X, each of length n (intercept, covariates, then Xa, Xd). */
  x: Float64Array[];
}

/** One maximum-likelihood fit of the model. */
export interface MlFit {
  /** The marginal log-likelihood l at the fit (what enters the LRT). */
  logl: number;
  /** delta = sigmaE2 / sigmaA2; Infinity when sigmaA2 = 0. */
  delta: number;
  sigmaA2: number;
  sigmaE2: number;
  /** Fixed effects in the order of the model's columns. */
  beta: Float64Array;
  /** Their standard errors, sqrt(diag((X^T V^-1 X)^-1)) at the fit. */
  se: Float64Array;
  /** Where the optimum lies: inside, or on the boundary sigmaA2 = 0 or sigmaE2 = 0. */
  where: 'interior' | 'sigmaA2=0' | 'sigmaE2=0' | 'delta-min';
  /** Likelihood evaluations (fast route) or EM iterations (em route). */
  iterations: number;
  converged: boolean;
}

export const LN_2PI = Math.log(2 * Math.PI);
