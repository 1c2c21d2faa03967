/**
 * A dataset's relatedness before any run (relatedness.overview and relatedness.scene): the kinship
 * over all its genotyped individuals, built from the SNPs that pass the default filters (MAF 0.01,
 * missing rate 0.05) among the individuals with a .fam phenotype (all of them when none has one),
 * which is the rule of `kinscan kinship` and of GEMMA -gk, then its eigendecomposition over all
 * genotyped individuals (re-centred, as a scan does for its analysed ones) and the top PCs.
 * Everything goes through the scan's own functions and cache keys (basisKeys, selectionEigen,
 * kinshipOf), so a later scan whose filters keep the same SNPs finds this kinship in the project
 * cache, and a scan of all genotyped individuals finds the eigendecomposition too.
 *
 * These run on the worker thread (basis-worker.ts), against a read-only project and a cache that
 * collects what it would store.
 */
import type { KinshipData } from '../figures/data.js';
import type { FigureOptions } from '../figures/frame.js';
import { kinshipHeatmapScene } from '../figures/kinship-heatmap.js';
import type { Scene } from '../figures/scene.js';
import { topPcs } from '../export/figure-data.js';
import type { PlinkSet } from '../io/plink.js';
import type { SampleSelection } from '../qc/samples.js';
import { snpQc, SnpStatus } from '../qc/snps.js';
import { basisKeys, kinshipOf, selectionEigen, type BasisKeys, type PrepareCache, type Progress, type ScanSelection } from '../scan/prepare.js';
import { DEFAULT_SETTINGS, type ScanSettings } from '../scan/settings.js';
import { subsetAndCenter, type KinshipMode } from '../stats/kinship.js';
import { InputError } from '../io/errors.js';
import type { DatasetPcs } from './basis-thread.js';

/** The settings a dataset's relatedness is computed with: the scan's defaults and the chosen kinship. */
function datasetSettings(mode: KinshipMode): ScanSettings {
  return { ...DEFAULT_SETTINGS, covarNames: [], bfile: '', pheno: '', trait: '', kinship: mode };
}

/** The individuals and SNPs of a dataset's relatedness (see the module comment), as a scan's selection. */
export function datasetSelection(plink: PlinkSet, settings: ScanSettings): ScanSelection {
  const { fam, bed } = plink;
  const n = fam.iid.length;
  const phenotyped: number[] = [];
  for (let i = 0; i < n; i++) if (!Number.isNaN(fam.pheno[i]!)) phenotyped.push(i);
  const all = Int32Array.from({ length: n }, (_, i) => i);
  const qcSet = phenotyped.length > 0 ? Int32Array.from(phenotyped) : all;
  const { stats: snpStats, report: snpReport } = snpQc(bed, qcSet, { maf: settings.maf, maxMissing: settings.maxMissing }, undefined, plink.dosage);
  const include = new Uint8Array(bed.nSnps);
  const tested: number[] = [];
  for (let j = 0; j < include.length; j++) {
    if (snpStats.status[j] === SnpStatus.Pass) {
      include[j] = 1;
      tested.push(j);
    }
  }
  if (tested.length === 0) {
    throw new InputError(
      `no SNP passes the filters (MAF >= ${settings.maf}, missing rate <= ${settings.maxMissing}) among the ${qcSet.length} ${phenotyped.length > 0 ? 'individuals with a .fam phenotype' : 'genotyped individuals'}`,
      { file: bed.path },
      'Check that the genotype file holds polymorphic SNPs',
    );
  }
  // Every genotyped individual is in the kinship and its eigendecomposition; there is no trait.
  const samples: SampleSelection = {
    famIndex: all,
    y: new Float64Array(n).fill(Number.NaN),
    covariates: [],
    covariateNames: [],
    report: { genotyped: n, sheetRows: 0, matched: n, sheetOnly: [], sheetOnlyCount: 0, genotypedOnly: 0, missingTrait: 0, missingCovariate: 0, matchedBy: 'IID', analysed: n },
  };
  return { plink, samples, snpStats, snpReport, include, tested: Int32Array.from(tested) };
}

interface Prepared {
  settings: ScanSettings;
  sel: ScanSelection;
  keys: BasisKeys;
}

function prepare(plink: PlinkSet, mode: KinshipMode, progress?: Progress): Prepared {
  const settings = datasetSettings(mode);
  progress?.('qc', 0, 1);
  const sel = datasetSelection(plink, settings);
  progress?.('qc', 1, 1);
  return { settings, sel, keys: basisKeys(settings, sel) };
}

/** The top `count` PCs of a dataset's relatedness (the eigendecomposition from `cache`, or computed and put there). */
export function datasetPcs(plink: PlinkSet, mode: KinshipMode, count: number, cache: PrepareCache, threads: number, progress?: Progress): DatasetPcs {
  const { settings, sel, keys } = prepare(plink, mode, progress);
  const n = sel.samples.famIndex.length;
  const eigen = selectionEigen(settings, sel, keys, cache, threads, progress);
  const { pcs, varianceExplained } = topPcs(eigen.s, eigen.u, n, count);
  return { n, snps: sel.tested.length, sampleIds: [...plink.fam.iid], pcs, varianceExplained };
}

/** The heatmap scene of a dataset's kinship (from `cache`, or computed and put there), re-centred over all genotyped individuals. */
export function datasetKinshipScene(plink: PlinkSet, mode: KinshipMode, figure: FigureOptions, cache: PrepareCache, threads: number, progress?: Progress): Scene {
  const { sel, keys } = prepare(plink, mode, progress);
  let kinship = cache.getKinship(keys.kinship);
  if (!kinship) {
    const kin = kinshipOf(plink.bed, sel.include, mode, threads, progress, plink.dosage);
    kinship = kin.data;
    cache.putKinship(keys.kinship, kin.data, kin.snps);
  }
  const n = sel.samples.famIndex.length;
  const kind = mode === 'centered' ? 'centred (GEMMA -gk 1)' : 'standardized (GEMMA -gk 2)';
  const data: KinshipData = {
    n,
    k: subsetAndCenter(kinship, n, sel.samples.famIndex),
    sampleIds: [...plink.fam.iid],
    description: `${kind}, ${sel.tested.length.toLocaleString('en-US')} SNPs; all ${n.toLocaleString('en-US')} genotyped individuals, re-centred`,
  };
  return kinshipHeatmapScene(data, figure);
}
