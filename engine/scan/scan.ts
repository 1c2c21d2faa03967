import { forEachSnpBlock } from '../io/snp-blocks.js';
import { lnChi2UpperTail } from '../stats/chisq.js';
import { gemmFast } from '../stats/kernels/gemm.js';
import { independentColumns } from '../stats/linalg.js';
import { fitModel } from '../stats/lmm/fit.js';
import type { EigenModel } from '../stats/lmm/model.js';
import { ProfileLikelihood } from '../stats/lmm/profile.js';
import { GenotypeDecoder } from './genotypes.js';
import type { PreparedScan } from './prepare.js';

/** One tested SNP. NaN marks a value that does not apply (beta_d of a 1-df test). */
export interface ScanRow {
  /** Index of the SNP in the .bim. */
  snp: number;
  af: number;
  nMiss: number;
  df: number;
  betaA: number;
  seA: number;
  betaD: number;
  seD: number;
  loglH1: number;
  /** delta = sigmaE2 / sigmaA2 of the alternative fit (Infinity when sigmaA2 = 0). */
  deltaH1: number;
  lrt: number;
  /** Natural log of the p-value (never underflows). */
  lnP: number;
}

export interface ScanProgress {
  done: number;
  total: number;
}

export interface ScanOptions {
  /** Tested SNPs per block (rotated together as one matrix product). */
  blockSize?: number;
  /** Start at this position in prep.tested (resume). */
  from?: number;
  /** Stop before this position in prep.tested (default: all). */
  to?: number;
  onBlock: (rows: ScanRow[], progress: ScanProgress) => void;
  /** Polled between blocks; returning true stops the scan. */
  shouldStop?: () => boolean;
}

/** SNPs skipped inside the scan, with reasons (beyond the QC filters). */
export interface ScanSkips {
  /** Xa collinear with the covariates. */
  collinear: number;
}

/**
 * Test every QC-passing SNP: decode a block of SNPs, rotate all their genotype columns with one
 * matrix product X*^T = X^T U, then for each SNP fit the alternative model by ML (warm-started from
 * the null fit) and compute the LRT against the null. Blocks are delivered in file order.
 */
export function runScan(prep: PreparedScan, opts: ScanOptions): ScanSkips {
  const { n, u, s, yStar, wStar, nullFit, settings, tested, plink, snpStats } = prep;
  const addDom = settings.model === 'add-dom';
  const blockSize = opts.blockSize ?? 256;
  const cols = addDom ? 2 : 1;
  const decoder = new GenotypeDecoder(prep.samples.famIndex);
  const xRaw = new Float64Array(blockSize * cols * n); // rows: SNP-major genotype vectors
  const xRot = new Float64Array(blockSize * cols * n);
  const prof = new ProfileLikelihood(s, wStar.length + cols);
  const c = wStar.length;
  const gram = new Float64Array((c + 2) * (c + 2));
  const skips: ScanSkips = { collinear: 0 };
  const emStartBeta = new Float64Array(c + 2);
  emStartBeta.set(nullFit.beta);

  const bps = plink.bed.bytesPerSnp;
  const from = opts.from ?? 0;
  const to = Math.min(opts.to ?? tested.length, tested.length);
  if (from >= to) return skips;
  let pos = from;

  // Gram entries among W* are the same for every SNP.
  const dot = (a: Float64Array, b: Float64Array): number => {
    let acc = 0;
    for (let i = 0; i < n; i++) acc += a[i]! * b[i]!;
    return acc;
  };
  const wGram = new Float64Array(c * c);
  for (let a = 0; a < c; a++) for (let b = 0; b < c; b++) wGram[a * c + b] = dot(wStar[a]!, wStar[b]!);

  while (pos < to) {
    if (opts.shouldStop?.()) break;
    const count = Math.min(blockSize, to - pos);
    const firstSnp = tested[pos]!;
    const lastSnp = tested[pos + count - 1]!;
    // Decode the block's SNPs (they lie between firstSnp and lastSnp in the file).
    let b = 0;
    forEachSnpBlock(
      plink.bed,
      Math.min(1024, lastSnp - firstSnp + 1),
      (start, cnt, packed) => {
        for (let k = 0; k < cnt && b < count; k++) {
          if (start + k !== tested[pos + b]) continue;
          const xa = xRaw.subarray(b * cols * n, b * cols * n + n);
          const xd = addDom ? xRaw.subarray(b * cols * n + n, b * cols * n + 2 * n) : undefined;
          decoder.decode(packed, k * bps, xa, xd);
          b++;
        }
      },
      firstSnp,
      lastSnp + 1,
    );
    // Rotate: (X^T U) rows are the rotated columns U^T x.
    gemmFast(xRaw.subarray(0, count * cols * n), u, xRot.subarray(0, count * cols * n), count * cols, n, n);

    const rows: ScanRow[] = [];
    for (let k = 0; k < count; k++) {
      const snp = tested[pos + k]!;
      const xaStar = xRot.subarray(k * cols * n, k * cols * n + n);
      const xdStar = addDom ? xRot.subarray(k * cols * n + n, k * cols * n + 2 * n) : undefined;
      // Which SNP columns are identifiable: Xd only with three genotype classes, and neither if
      // collinear with the covariates.
      const candidates = [xaStar];
      if (xdStar && snpStats.classes[snp]! === 3) candidates.push(xdStar);
      const all = [...wStar, ...candidates];
      const p = all.length;
      for (let a = 0; a < p; a++)
        for (let bb = 0; bb <= a; bb++) {
          const v = a < c && bb < c ? wGram[a * c + bb]! : dot(all[a]!, all[bb]!);
          gram[a * p + bb] = v;
          gram[bb * p + a] = v;
        }
      const kept = independentColumns(gram.subarray(0, p * p), p);
      const keptSnpCols = kept.filter((j) => j >= c);
      if (kept.length < c + 1 || !keptSnpCols.includes(c)) {
        skips.collinear++;
        continue;
      }
      const model: EigenModel = { n, s, y: yStar, x: kept.map((j) => all[j]!) };
      const df = keptSnpCols.length;
      const fit = fitModel(model, prof, {
        method: settings.method,
        warmDelta: nullFit.delta,
        emStart: { beta: emStartBeta.subarray(0, c + df), sigmaA2: nullFit.sigmaA2, sigmaE2: nullFit.sigmaE2 },
      });
      const lrt = Math.max(0, 2 * (fit.logl - nullFit.logl));
      const hasD = df === 2;
      rows.push({
        snp,
        af: snpStats.af[snp]!,
        nMiss: snpStats.nMiss[snp]!,
        df,
        betaA: fit.beta[c]!,
        seA: fit.se[c]!,
        betaD: hasD ? fit.beta[c + 1]! : NaN,
        seD: hasD ? fit.se[c + 1]! : NaN,
        loglH1: fit.logl,
        deltaH1: fit.delta,
        lrt,
        lnP: lnChi2UpperTail(lrt, df),
      });
    }
    pos += count;
    opts.onBlock(rows, { done: pos, total: tested.length });
  }
  return skips;
}
