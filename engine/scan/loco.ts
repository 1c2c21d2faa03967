import { InputError } from '../io/errors.js';
import type { KinshipMode } from '../stats/kinship.js';
import type { PrincipalCovariates } from './pcs.js';
import { fitBasis, kinshipOf, type PreparedScan, type Progress, type ScanSelection, type Timings } from './prepare.js';
import type { ScanSettings } from './settings.js';

/** One chromosome of a leave-one-chromosome-out scan. */
export interface LocoPart {
  chr: string;
  /** SNPs of the other chromosomes that built this chromosome's kinship. */
  kinshipSnps: number;
  prep: PreparedScan;
}

/** Chromosomes in order of first appearance among the tested SNPs, with their tested SNPs. */
export function chromosomesOf(sel: ScanSelection): { chr: string; tested: Int32Array }[] {
  const order: string[] = [];
  const byChr = new Map<string, number[]>();
  for (const j of sel.tested) {
    const c = sel.plink.bim.chr[j]!;
    let list = byChr.get(c);
    if (!list) {
      list = [];
      byChr.set(c, list);
      order.push(c);
    }
    list.push(j);
  }
  return order.map((chr) => ({ chr, tested: Int32Array.from(byChr.get(chr)!) }));
}

/**
 * Leave-one-chromosome-out (--loco): each chromosome's SNPs are tested with a kinship built from
 * the other chromosomes only. The kinship is a sum over SNPs, so with S = m K (all m SNPs) and
 * S_c = m_c K_c (chromosome c's), K_-c = (S - S_c) / (m - m_c): one genome-wide kinship plus one
 * per chromosome over its own SNPs (twice the work of one kinship in all), never one per
 * chromosome over the rest. Each part has its own eigenbasis and null fit; parts are produced one
 * at a time, so one eigenbasis is held at once. fn returns false to stop (e.g. the scan was cancelled).
 * The PCs added as covariates (`pcs`, from the genome-wide kinship) are the same for every chromosome.
 */
export async function forEachLocoPart(
  settings: ScanSettings,
  sel: ScanSelection,
  kinAll: Float64Array,
  mAll: number,
  threads: number,
  pcs: PrincipalCovariates,
  fn: (part: LocoPart) => Promise<boolean>,
  progress?: Progress,
): Promise<void> {
  const mode = settings.kinship as KinshipMode;
  const chromosomes = chromosomesOf(sel);
  const nn = kinAll.length;
  const kLoco = new Float64Array(nn);
  for (const { chr, tested } of chromosomes) {
    const t0 = performance.now();
    const include = new Uint8Array(sel.include.length);
    for (const j of tested) include[j] = 1;
    const mc = tested.length;
    const rest = mAll - mc;
    if (rest <= 0) {
      throw new InputError(`--loco needs SNPs on at least two chromosomes; all tested SNPs are on chromosome ${chr}`, { file: sel.plink.bim.path }, 'Run without --loco');
    }
    const kc = kinshipOf(sel.plink.bed, include, mode, threads, progress, sel.plink.dosage).data;
    for (let x = 0; x < nn; x++) kLoco[x] = (mAll * kinAll[x]! - mc * kc[x]!) / rest;
    const t1 = performance.now();
    const basis = fitBasis(settings, sel, { kinship: kLoco }, threads, undefined, pcs);
    const timings: Timings = { kinship: (t1 - t0) / 1000, 'eigen+null': (performance.now() - t1) / 1000 };
    // A chromosome's part reports no h2 of its own: the summary's is the genome-wide null model's.
    const goOn = await fn({ chr, kinshipSnps: rest, prep: { settings, ...sel, tested, ...basis, kinshipSnps: rest, heritability: null, timings } });
    if (!goOn) break;
  }
}
