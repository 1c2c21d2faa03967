/** ScanRows packed as doubles (15 per row) to cross a thread boundary without per-object cloning. */
import { flagBits, flagFromBits, type ScanRow } from './fit-block.js';

export const ROW_FIELDS = 15;

export function encodeRows(rows: ScanRow[]): Float64Array {
  const out = new Float64Array(rows.length * ROW_FIELDS);
  rows.forEach((r, k) => {
    out.set([r.snp, r.af, r.nMiss, r.df, r.betaA, r.seA, r.betaD, r.seD, r.loglH1, r.deltaH1, r.lrt, r.lnP, flagBits(r.flag), r.log10Bf, r.log10Abf], k * ROW_FIELDS);
  });
  return out;
}

export function decodeRows(data: Float64Array): ScanRow[] {
  const rows: ScanRow[] = [];
  for (let o = 0; o + ROW_FIELDS <= data.length; o += ROW_FIELDS) {
    rows.push({
      snp: data[o]!,
      af: data[o + 1]!,
      nMiss: data[o + 2]!,
      df: data[o + 3]!,
      betaA: data[o + 4]!,
      seA: data[o + 5]!,
      betaD: data[o + 6]!,
      seD: data[o + 7]!,
      loglH1: data[o + 8]!,
      deltaH1: data[o + 9]!,
      lrt: data[o + 10]!,
      lnP: data[o + 11]!,
      flag: flagFromBits(data[o + 12]!),
      log10Bf: data[o + 13]!,
      log10Abf: data[o + 14]!,
    });
  }
  return rows;
}
