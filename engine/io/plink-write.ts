import { closeSync, openSync, writeFileSync, writeSync } from 'node:fs';

/** Count of allele 1 -> 2-bit .bed code (see plink.ts): 2 -> 0b00, 1 -> 0b10, 0 -> 0b11, missing (-1) -> 0b01. */
function code(count: number): number {
  return count === 2 ? 0 : count === 1 ? 2 : count === 0 ? 3 : 1;
}

export interface PlinkWriter {
  /** Append one SNP: allele-1 counts 0/1/2 (-1 missing) of every sample, in .fam order. */
  writeSnp(counts: ArrayLike<number>): void;
  close(): void;
}

/**
 * Write a PLINK 1 binary set: .fam and .bim at once, the SNP-major .bed streamed SNP by SNP.
 */
export function createPlink(
  prefix: string,
  samples: { fid: string; iid: string; sex?: number; pheno?: number }[],
  snps: { chr: string; rs: string; pos: number; allele1: string; allele0: string }[],
): PlinkWriter {
  writeFileSync(`${prefix}.fam`, samples.map((s) => `${s.fid} ${s.iid} 0 0 ${s.sex ?? 0} ${s.pheno ?? -9}`).join('\n') + '\n');
  writeFileSync(`${prefix}.bim`, snps.map((s) => `${s.chr}\t${s.rs}\t0\t${s.pos}\t${s.allele1}\t${s.allele0}`).join('\n') + '\n');
  const fd = openSync(`${prefix}.bed`, 'w');
  writeSync(fd, Uint8Array.of(0x6c, 0x1b, 0x01));
  const n = samples.length;
  const bps = Math.ceil(n / 4);
  const buf = new Uint8Array(bps * 256);
  let inBuf = 0;
  const flush = (): void => {
    if (inBuf > 0) writeSync(fd, buf, 0, inBuf * bps);
    inBuf = 0;
  };
  return {
    writeSnp(counts) {
      const off = inBuf * bps;
      buf.fill(0, off, off + bps);
      for (let i = 0; i < n; i++) buf[off + (i >> 2)] = buf[off + (i >> 2)]! | (code(counts[i]!) << ((i & 3) << 1));
      inBuf++;
      if (inBuf === 256) flush();
    },
    close() {
      flush();
      closeSync(fd);
    },
  };
}
