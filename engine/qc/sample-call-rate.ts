/**
 * The sample call-rate filter (setting minCallRate): an individual called at fewer than that
 * fraction of the SNPs is dropped before the fit. As PLINK's --mind, the call rate is over all
 * SNPs of the genotypes, before any SNP filter (so it does not depend on the MAF or missingness
 * thresholds, nor on which individuals are analysed), and the SNP filters are then counted among
 * the individuals that remain.
 */
import { basename } from 'node:path';
import { InputError } from '../io/errors.js';
import type { BedFile } from '../io/plink.js';
import { forEachSnpBlock } from '../io/snp-blocks.js';
import { individualsOf, type SampleSelection } from './samples.js';

/**
 * Missing calls per individual (.fam order) over all SNPs. One pass: per byte position, a
 * histogram of the 256 byte values (one increment per byte), from which each of the byte's four
 * individuals' missing count (code 0b01) is read off at the end.
 */
export function sampleMissingCounts(bed: BedFile): Int32Array {
  const bps = bed.bytesPerSnp;
  const hist = new Float64Array(bps * 256);
  forEachSnpBlock(bed, 1024, (_start, count, packed) => {
    for (let s = 0; s < count; s++) {
      const off = s * bps;
      for (let b = 0; b < bps; b++) hist[(b << 8) | packed[off + b]!]!++;
    }
  });
  const out = new Int32Array(bed.nSamples);
  for (let i = 0; i < bed.nSamples; i++) {
    const row = (i >> 2) << 8;
    const sh = (i & 3) << 1;
    let miss = 0;
    for (let v = 0; v < 256; v++) if (((v >> sh) & 3) === 1) miss += hist[row | v]!;
    out[i] = miss;
  }
  return out;
}

/** An individual's call rate over nSnps SNPs is below the limit (0: no limit). */
export function lowCallRate(missing: number, nSnps: number, minCallRate: number): boolean {
  return minCallRate > 0 && (nSnps - missing) / nSnps < minCallRate;
}

/**
 * Drop from a selection the individuals whose call rate (over all nSnps SNPs; `missing` per .fam
 * individual) is below minCallRate, counting them in report.lowCallRate. Fewer than 3 left is an
 * error naming the genotypes and the setting.
 */
export function dropLowCallRate(sel: SampleSelection, missing: Int32Array, nSnps: number, minCallRate: number, genotypes: string): SampleSelection {
  if (!(minCallRate > 0)) return { ...sel, report: { ...sel.report, lowCallRate: 0 } };
  const keep: number[] = [];
  for (let k = 0; k < sel.famIndex.length; k++) if (!lowCallRate(missing[sel.famIndex[k]!]!, nSnps, minCallRate)) keep.push(k);
  // Counted in individuals (an individual with repeated observations is dropped with all of them).
  const kept = individualsOf(Int32Array.from(keep, (k) => sel.famIndex[k]!)).length;
  const dropped = sel.report.analysed - kept;
  if (kept < 3) {
    throw new InputError(
      `only ${kept} of the ${sel.report.analysed} individuals with the trait are called at ${minCallRate * 100}% or more of the ${nSnps} SNPs`,
      { file: genotypes },
      `Lower the minimum sample call rate (--min-call-rate; now ${minCallRate}), or check ${basename(genotypes)} for individuals typed on another panel`,
    );
  }
  if (dropped === 0) return { ...sel, report: { ...sel.report, lowCallRate: 0 } };
  const pick = (v: Float64Array): Float64Array => Float64Array.from(keep, (k) => v[k]!);
  return {
    famIndex: Int32Array.from(keep, (k) => sel.famIndex[k]!),
    y: pick(sel.y),
    covariates: sel.covariates.map(pick),
    covariateNames: sel.covariateNames,
    report: { ...sel.report, lowCallRate: dropped, analysed: kept, ...(sel.report.observations !== undefined ? { observations: keep.length } : {}) },
  };
}
