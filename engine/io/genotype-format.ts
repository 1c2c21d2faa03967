/**
 * Which genotype format a file is, by its content (the file name only breaks no ties): PLINK 1's
 * .bed magic bytes, a VCF's ##fileformat / #CHROM header, HapMap's `rs# alleles chrom pos` header,
 * BIMBAM's header-less `rs, allele, allele, dosages...` lines, else a CSV/TSV matrix with a header.
 * gzip and BGZF files are looked into decompressed. openGenotypes opens the right reader.
 */
import { closeSync, existsSync, statSync } from 'node:fs';
import { basename } from 'node:path';
import { openBimbam } from './bimbam.js';
import { openByteChunks } from './byte-chunks.js';
import { InputError } from './errors.js';
import type { GenotypeFormat, GenotypeReader } from './genotype-source.js';
import { openGenotypeMatrix } from './genotype-matrix.js';
import { openHapmap } from './hapmap.js';
import { openInput, readFully } from './open-input.js';
import { plinkPrefix } from './plink.js';
import { openPlinkReader } from './plink-reader.js';
import { openVcf } from './vcf.js';

export interface OpenGenotypesOptions {
  /** BIMBAM's SNP annotation file (GEMMA's -a), or a matrix's SNP map. */
  anno?: string;
  /** VCF: read DS dosages instead of GT calls. */
  dosage?: boolean;
}

const WHAT = 'genotype file';

/** The first lines of a (possibly compressed) text file, at most `maxBytes` of it. */
function firstLines(path: string, maxLines: number, maxBytes = 1 << 20): string[] {
  const chunks = openByteChunks(path, WHAT);
  try {
    let text = '';
    for (let c = chunks.next(); c; c = chunks.next()) {
      text += Buffer.from(c.buffer, c.byteOffset, c.byteLength).toString('utf8');
      if (text.split('\n').length > maxLines || text.length >= maxBytes) break;
    }
    if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    return text.split('\n').slice(0, maxLines).map((l) => l.replace(/\r$/, ''));
  } finally {
    chunks.close();
  }
}

function hasBedMagic(path: string): boolean {
  const fd = openInput(path, WHAT);
  try {
    const b = new Uint8Array(3);
    return readFully(fd, b, 0, 3, 0) === 3 && b[0] === 0x6c && b[1] === 0x1b;
  } finally {
    closeSync(fd);
  }
}

const NUMBER_OR_NA = /^(?:[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?|NA)$/;

/** BIMBAM: no header; each line `id, allele1, allele0, v1, v2, ...` with the values numbers or NA. */
function looksLikeBimbam(lines: string[]): boolean {
  const data = lines.filter((l) => l.trim().length > 0).slice(0, 5);
  if (data.length === 0) return false;
  return data.every((l) => {
    const t = l.split(/[\s,]+/).filter((x) => x.length > 0);
    return t.length >= 4 && !NUMBER_OR_NA.test(t[1]!) && !NUMBER_OR_NA.test(t[2]!) && t.slice(3).every((x) => NUMBER_OR_NA.test(x));
  });
}

/** The format of a genotype file (or of a PLINK prefix), from its content. */
export function detectGenotypeFormat(path: string): GenotypeFormat {
  // A PLINK prefix is not a file: a missing path that is one (or names one of its files) is read as
  // PLINK, whose reader names the files it lacks.
  if (!existsSync(path) && (existsSync(`${plinkPrefix(path)}.bed`) || /\.(bed|bim|fam)$/i.test(path) || !/\.[A-Za-z0-9]+$/.test(basename(path)))) return 'plink';
  if (existsSync(path) && statSync(path).isFile() && hasBedMagic(path)) return 'plink';
  const lines = firstLines(path, 64);
  const first = lines.find((l) => l.trim().length > 0) ?? '';
  if (first.startsWith('##fileformat=VCF') || first.startsWith('#CHROM')) return 'vcf';
  const head = first.split(/\t|\s+/).map((x) => x.toLowerCase());
  if (head[0] === 'rs#' || (head[0] === 'rs' && head[1] === 'alleles' && head[2] === 'chrom')) return 'hapmap';
  if (looksLikeBimbam(lines)) return 'bimbam';
  if (first.trim().length === 0) {
    throw new InputError(`${WHAT} is empty`, { file: path }, 'Give a VCF, PLINK .bed, BIMBAM, HapMap or CSV/TSV genotype file');
  }
  return 'matrix';
}

/** Open any supported genotype input with the reader for its format. */
export function openGenotypes(path: string, opts: OpenGenotypesOptions = {}): GenotypeReader {
  const format = detectGenotypeFormat(path);
  if (opts.anno && (format === 'plink' || format === 'vcf' || format === 'hapmap')) {
    throw new InputError(
      `is a ${format === 'plink' ? 'PLINK' : format === 'vcf' ? 'VCF' : 'HapMap'} file, which carries its own SNP positions, so it takes no annotation file (${basename(opts.anno)})`,
      { file: path },
      'Leave out --anno; it is for BIMBAM genotypes and for CSV/TSV matrices',
    );
  }
  if (opts.dosage && format !== 'vcf') {
    throw new InputError(
      `is not a VCF file, so it has no DS dosages to read`,
      { file: path },
      format === 'bimbam' ? 'Leave out the dosage option: BIMBAM genotypes are dosages already' : 'Leave out the dosage option',
    );
  }
  switch (format) {
    case 'plink':
      return openPlinkReader(path);
    case 'vcf':
      return openVcf(path, { dosage: opts.dosage ?? false });
    case 'hapmap':
      return openHapmap(path);
    case 'bimbam':
      return openBimbam(path, opts.anno ? { anno: opts.anno } : {});
    case 'matrix':
      return openGenotypeMatrix(path, opts.anno ? { map: opts.anno } : {});
  }
}
