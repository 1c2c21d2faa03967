/**
 * Principal components of the kinship as covariates (setting `pcs`, `--pcs K`): the top K
 * eigenvectors of the re-centred kinship of the analysed individuals, taken from the
 * eigendecomposition the scan makes anyway, so they cost nothing to compute.
 *
 * A PC is an eigenvector of K, so rotated into the eigenbasis it is sqrt(s_r) e_r, one nonzero
 * entry: the model stays the model of docs/model.md with one more column of X, and the null fit and
 * the per-SNP tests need nothing special. A PC with a positive eigenvalue is orthogonal to the
 * intercept (the re-centred K has 1 in its null space) and to the other PCs; it can still duplicate
 * a sheet covariate, which the covariates' independence check reports by the PC's name.
 */
import { InputError } from '../io/errors.js';

/** The PCs a scan adds as covariates, over its analysed individuals. */
export interface PrincipalCovariates {
  /** PC1, PC2, ...: PC1 has the largest eigenvalue. */
  names: string[];
  /** The eigenvalue of each PC (of the re-centred kinship of the analysed individuals). */
  eigenvalues: number[];
  /** Each eigenvalue's share of the trace (the sum of all eigenvalues). */
  shares: number[];
  /**
   * Each PC over the analysed individuals: its eigenvector scaled by the square root of its
   * eigenvalue (as the PCA figure draws it); sign fixed so the largest |loading| is positive.
   */
  vectors: Float64Array[];
}

export const NO_PCS: PrincipalCovariates = { names: [], eigenvalues: [], shares: [], vectors: [] };

/**
 * The top `count` PCs of an eigendecomposition (s ascending, u = U^T row-major n x n). Every one
 * must have a positive eigenvalue: an eigenvector of eigenvalue 0 is arbitrary (any vector of the
 * null space would do) and describes no structure. `file` is the kinship's source, for the message.
 */
export function principalCovariates(s: Float64Array, u: Float64Array, n: number, count: number, file: string): PrincipalCovariates {
  if (count === 0) return NO_PCS;
  let positive = 0;
  let trace = 0;
  for (let i = 0; i < n; i++) {
    if (s[i]! > 0) positive++;
    trace += s[i]!;
  }
  if (count > positive) {
    throw new InputError(
      `--pcs ${count} asks for ${count} principal components, but the kinship of the ${n} analysed individuals has only ${positive} with an eigenvalue above 0`,
      { file },
      positive > 0 ? `Use --pcs ${positive} or fewer` : 'Leave out --pcs: this kinship describes no structure among these individuals',
    );
  }
  const out: PrincipalCovariates = { names: [], eigenvalues: [], shares: [], vectors: [] };
  // Eigenvalues are ascending: PC k (from 1) is row n - k of U^T.
  for (let k = 1; k <= count; k++) {
    const row = n - k;
    const scale = Math.sqrt(s[row]!);
    const pc = new Float64Array(n);
    let at = 0;
    for (let i = 0; i < n; i++) {
      pc[i] = u[row * n + i]! * scale;
      if (Math.abs(pc[i]!) > Math.abs(pc[at]!)) at = i;
    }
    // The sign of an eigenvector is arbitrary; fixing it keeps the PCs' betas comparable between runs.
    if (pc[at]! < 0) for (let i = 0; i < n; i++) pc[i] = -pc[i]!;
    out.names.push(`PC${k}`);
    out.eigenvalues.push(s[row]!);
    out.shares.push(s[row]! / trace);
    out.vectors.push(pc);
  }
  return out;
}

/** A PC as a run's summary records it. */
export interface PcRecord {
  name: string;
  eigenvalue: number;
  share_of_trace: number;
}

export function pcRecords(pcs: PrincipalCovariates): PcRecord[] {
  return pcs.names.map((name, k) => ({ name, eigenvalue: pcs.eigenvalues[k]!, share_of_trace: pcs.shares[k]! }));
}

/** One line for a run's log and the command line: which PCs were added, with their eigenvalues. */
export function describePcs(pcs: PcRecord[]): string {
  const each = pcs.map((pc) => `${pc.name} (eigenvalue ${pc.eigenvalue.toPrecision(6)}, ${(100 * pc.share_of_trace).toFixed(2)}% of the trace)`);
  return `principal components of the kinship added as covariates: ${each.join(', ')}`;
}
