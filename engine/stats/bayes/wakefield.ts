import { lnMeanExp, type EffectPrior } from './prior.js';

/**
 * Wakefield's approximate Bayes factor (Wakefield 2009, Genet Epidemiol 33:79) from a SNP's ML
 * estimates beta-hat and their covariance V, for a prior beta ~ N(0, W):
 *
 *   ABF = |V|^(1/2) |V + W|^(-1/2) exp( 1/2 beta-hat' (V^-1 - (V + W)^-1) beta-hat )
 *
 * (the ratio of the estimate's densities under the alternative, N(0, V + W), and the null, N(0, V)).
 * W is the BIMBAM prior of prior.ts in absolute units, W = sigmaE2 diag(sigmaA^2, sigmaD^2), with
 * sigmaE2 the null fit's residual variance, and the ABF averages over the prior's sigmaA list as the
 * exact Bayes factor does. As n grows the estimate's likelihood becomes Gaussian and the ABF tends
 * to the exact Bayes factor.
 */
export interface EffectEstimate {
  betaA: number;
  varA: number;
  /** Omitted (NaN) for the additive test. */
  betaD: number;
  varD: number;
  covAD: number;
}

/** Natural log of Wakefield's ABF; twoDf: the additive + dominance test. */
export function lnWakefieldAbf(est: EffectEstimate, residualVariance: number, prior: EffectPrior, twoDf: boolean): number {
  const { betaA, varA } = est;
  const terms = prior.sigmaA.map((sa) => {
    const wa = residualVariance * sa * sa;
    if (!twoDf) {
      const total = varA + wa;
      return 0.5 * Math.log(varA / total) + (0.5 * betaA * betaA * wa) / (varA * total);
    }
    const wd = wa * prior.dominanceRatio * prior.dominanceRatio;
    const { betaD, varD, covAD } = est;
    const detV = varA * varD - covAD * covAD;
    const ta = varA + wa;
    const td = varD + wd;
    const detT = ta * td - covAD * covAD;
    // beta' V^-1 beta and beta' (V + W)^-1 beta, 2 x 2 inverses written out.
    const qV = (varD * betaA * betaA - 2 * covAD * betaA * betaD + varA * betaD * betaD) / detV;
    const qT = (td * betaA * betaA - 2 * covAD * betaA * betaD + ta * betaD * betaD) / detT;
    return 0.5 * Math.log(detV / detT) + 0.5 * (qV - qT);
  });
  return lnMeanExp(terms);
}
