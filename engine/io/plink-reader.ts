/**
 * A PLINK 1 binary set (.bed/.bim/.fam) as a GenotypeReader: its .bed bytes are already the
 * coding every reader delivers, so batches are the .bed's SNP blocks as they are, in .bim order.
 */
import { basename } from 'node:path';
import type { GenotypeReader, ReadSummary, SnpBatch, SnpRecord } from './genotype-source.js';
import { checkPlinkFiles, openPlink, type Fam } from './plink.js';

export interface PlinkReader extends GenotypeReader {
  readonly format: 'plink';
  /** The .fam as read (parents, sex and phenotype columns kept by the import). */
  readonly fam: Fam;
}

/** Open a PLINK prefix (or any of its three files) for reading. */
export function openPlinkReader(prefixOrFile: string): PlinkReader {
  const { p: prefix, files } = checkPlinkFiles(prefixOrFile);
  const plink = openPlink(prefix);
  const { fam, bim, bed } = plink;
  const duplicates = bim.duplicateRs.length;
  return {
    format: 'plink',
    path: files.bed,
    files: [files.bed, files.bim, files.fam],
    samples: { fid: fam.fid, iid: fam.iid, where: fam.line },
    dosage: false,
    snpsHint: bim.rs.length,
    fam,
    read(onBatch: (batch: SnpBatch) => void, opts = {}): ReadSummary {
      const batchSnps = opts.batchSnps ?? 1024;
      const m = bim.rs.length;
      const buf = new Uint8Array(batchSnps * bed.bytesPerSnp);
      for (let start = 0; start < m; start += batchSnps) {
        const count = Math.min(batchSnps, m - start);
        const packed = buf.subarray(0, count * bed.bytesPerSnp);
        bed.readPacked(start, count, packed);
        const snps: SnpRecord[] = new Array<SnpRecord>(count);
        for (let k = 0; k < count; k++) {
          const j = start + k;
          snps[k] = { chr: bim.chr[j]!, rs: bim.rs[j]!, cm: bim.cm[j]!, pos: bim.pos[j]!, allele1: bim.allele1[j]!, allele0: bim.allele0[j]!, line: j + 1 };
        }
        onBatch({ snps, packed });
        opts.progress?.(start + count, m);
      }
      const warnings = duplicates > 0 ? [`${duplicates} SNP ID${duplicates === 1 ? '' : 's'} occur more than once in ${basename(files.bim)} (e.g. ${bim.duplicateRs.slice(0, 3).join(', ')})`] : [];
      return { snps: m, skipped: [], warnings };
    },
    close: () => bed.close(),
  };
}
