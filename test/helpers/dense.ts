/** Plain dense matrix algebra on number[][] for reference computations in tests only. */
export type Mat = number[][];

export const zeros = (r: number, c: number): Mat => Array.from({ length: r }, () => new Array<number>(c).fill(0));
export const transpose = (a: Mat): Mat => a[0]!.map((_, j) => a.map((row) => row[j]!));
export function mul(a: Mat, b: Mat): Mat {
  const out = zeros(a.length, b[0]!.length);
  for (let i = 0; i < a.length; i++)
    for (let k = 0; k < b.length; k++) for (let j = 0; j < b[0]!.length; j++) out[i]![j]! += a[i]![k]! * b[k]![j]!;
  return out;
}
export const add = (a: Mat, b: Mat): Mat => a.map((r, i) => r.map((v, j) => v + b[i]![j]!));
export const scale = (a: Mat, s: number): Mat => a.map((r) => r.map((v) => v * s));
export const identity = (n: number): Mat => Array.from({ length: n }, (_, i) => Array.from({ length: n }, (_, j) => (i === j ? 1 : 0)));
export const col = (v: ArrayLike<number>): Mat => Array.from(v, (x) => [x]);
export const trace = (a: Mat): number => a.reduce((s, r, i) => s + r[i]!, 0);

/** Inverse by Gauss-Jordan with partial pivoting. */
export function inverse(a: Mat): Mat {
  const n = a.length;
  const m = a.map((r, i) => [...r, ...identity(n)[i]!]);
  for (let c = 0; c < n; c++) {
    let piv = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(m[r]![c]!) > Math.abs(m[piv]![c]!)) piv = r;
    [m[c], m[piv]] = [m[piv]!, m[c]!];
    const d = m[c]![c]!;
    for (let j = 0; j < 2 * n; j++) m[c]![j]! /= d;
    for (let r = 0; r < n; r++)
      if (r !== c) {
        const f = m[r]![c]!;
        for (let j = 0; j < 2 * n; j++) m[r]![j]! -= f * m[c]![j]!;
      }
  }
  return m.map((r) => r.slice(n));
}

/** ln det of a symmetric positive definite matrix (Cholesky). */
export function logDetSpd(a: Mat): number {
  const n = a.length;
  const l = zeros(n, n);
  let ld = 0;
  for (let j = 0; j < n; j++) {
    let d = a[j]![j]!;
    for (let k = 0; k < j; k++) d -= l[j]![k]! ** 2;
    l[j]![j] = Math.sqrt(d);
    ld += Math.log(d);
    for (let i = j + 1; i < n; i++) {
      let v = a[i]![j]!;
      for (let k = 0; k < j; k++) v -= l[i]![k]! * l[j]![k]!;
      l[i]![j] = v / l[j]![j]!;
    }
  }
  return ld;
}
