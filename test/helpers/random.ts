import { Rng } from '../../bench/simulate.js';

export { Rng };

/** A random n x n orthogonal matrix (row-major), by Gram-Schmidt on Gaussian rows. */
export function randomOrthogonal(n: number, rng: Rng): Float64Array {
  const q = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let k = 0; k < n; k++) q[i * n + k] = rng.normal();
    for (let pass = 0; pass < 2; pass++)
      for (let j = 0; j < i; j++) {
        let d = 0;
        for (let k = 0; k < n; k++) d += q[i * n + k]! * q[j * n + k]!;
        for (let k = 0; k < n; k++) q[i * n + k] = q[i * n + k]! - d * q[j * n + k]!;
      }
    let norm = 0;
    for (let k = 0; k < n; k++) norm += q[i * n + k]! ** 2;
    norm = Math.sqrt(norm);
    for (let k = 0; k < n; k++) q[i * n + k] = q[i * n + k]! / norm;
  }
  return q;
}
