/**
 * Genotype formats and what their readers skipped, in words for the Data screen (previews and
 * datasets alike).
 */
import type { DataPreview, ProjectInfo } from '../../../engine/protocol/methods.js';

type GenotypesPreview = Extract<DataPreview, { kind: 'genotypes' }>;
type Dataset = ProjectInfo['datasets'][number];
type Skipped = GenotypesPreview['skipped'][number];

const COMPRESSION = { none: '', gzip: ' (gzip-compressed)', bgzf: ' (bgzip-compressed)' } as const;

/** "VCF (bgzip-compressed)", "BIMBAM mean genotypes", "HapMap", "genotype matrix, samples as rows (plink2 .raw)". */
export function previewFormatWords(p: GenotypesPreview): string {
  const packed = COMPRESSION[p.compression];
  switch (p.format) {
    case 'vcf':
      return `VCF${packed}`;
    case 'bimbam':
      return `BIMBAM mean genotypes${packed}`;
    case 'hapmap':
      return `HapMap${packed}`;
    case 'matrix': {
      const layout = p.layout === 'samples-as-rows' ? ', samples as rows' : p.layout === 'samples-as-columns' ? ', samples as columns' : '';
      const plink = p.plinkExport === 'raw' ? ' (plink2 .raw)' : p.plinkExport === 'traw' ? ' (plink2 .traw)' : '';
      return `genotype matrix${layout}${plink}${packed}`;
    }
  }
}

const DATASET_FORMATS: Record<Dataset['format'], string> = {
  plink: 'PLINK binary set',
  vcf: 'VCF',
  bimbam: 'BIMBAM mean genotypes',
  hapmap: 'HapMap',
  matrix: 'genotype matrix',
};

/** "VCF, DS dosages", "BIMBAM mean genotypes (dosages)", "PLINK binary set". */
export function datasetFormatWords(d: Dataset): string {
  const words = DATASET_FORMATS[d.format];
  if (!d.dosage) return words;
  return d.format === 'vcf' ? `${words}, DS dosages` : `${words} (dosages)`;
}

const fmt = (n: number): string => n.toLocaleString('en-US');

/** "312 records skipped: multi-allelic site (more than one ALT allele). For example rs1 (line 40), rs2 (line 51)." */
export function skippedWords(s: Skipped, unit: 'line' | 'column' = 'line'): string {
  const examples = s.examples.map((e) => (/^line \d/.test(e.id) ? e.id : `${e.id} (${unit} ${fmt(e.line)})`));
  const more = examples.length > 0 ? ` For example ${examples.join(', ')}${s.count > examples.length ? ', …' : ''}.` : '';
  return `${fmt(s.count)} ${s.count === 1 ? 'record' : 'records'} skipped: ${s.reason}.${more}`;
}
