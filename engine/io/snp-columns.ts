/**
 * A VCF batch's SNP descriptions as columns, to post from the reading thread to the storing one:
 * structured clone copies a string per column far faster than a thousand strings per column (or a
 * thousand small objects). The values come from a VCF's tab-separated columns (CHROM, ID, REF,
 * ALT, or an ID made of CHROM:POS), so none holds a tab: each column is its values joined by tabs.
 */
import type { SnpRecord } from './genotype-source.js';

export interface SnpColumns {
  /** The SNPs' chromosomes, IDs and alleles, each column's values joined by tabs. */
  chr: string;
  rs: string;
  allele1: string;
  allele0: string;
  cm: Float64Array;
  pos: Float64Array;
  line: Float64Array;
}

const TAB = '\t';

export function toSnpColumns(snps: readonly SnpRecord[]): SnpColumns {
  const k = snps.length;
  const chr = new Array<string>(k);
  const rs = new Array<string>(k);
  const allele1 = new Array<string>(k);
  const allele0 = new Array<string>(k);
  const out = { cm: new Float64Array(k), pos: new Float64Array(k), line: new Float64Array(k) };
  for (let s = 0; s < k; s++) {
    const r = snps[s]!;
    chr[s] = r.chr;
    rs[s] = r.rs;
    allele1[s] = r.allele1;
    allele0[s] = r.allele0;
    out.cm[s] = r.cm;
    out.pos[s] = r.pos;
    out.line[s] = r.line;
  }
  return { chr: chr.join(TAB), rs: rs.join(TAB), allele1: allele1.join(TAB), allele0: allele0.join(TAB), ...out };
}

export function fromSnpColumns(c: SnpColumns): SnpRecord[] {
  const k = c.pos.length;
  if (k === 0) return [];
  const chr = c.chr.split(TAB);
  const rs = c.rs.split(TAB);
  const allele1 = c.allele1.split(TAB);
  const allele0 = c.allele0.split(TAB);
  if (chr.length !== k || rs.length !== k || allele1.length !== k || allele0.length !== k) throw new Error(`a batch of ${k} SNPs arrived with ${chr.length}, ${rs.length}, ${allele1.length} and ${allele0.length} values (a tab in a VCF column?)`);
  const out = new Array<SnpRecord>(k);
  for (let s = 0; s < k; s++) out[s] = { chr: chr[s]!, rs: rs[s]!, cm: c.cm[s]!, pos: c.pos[s]!, allele1: allele1[s]!, allele0: allele0[s]!, line: c.line[s]! };
  return out;
}
