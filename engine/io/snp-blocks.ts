import type { BedFile } from './plink.js';

/**
 * Visit a .bed file in blocks of SNPs (packed bytes, bytesPerSnp per SNP), reusing one buffer.
 * Never holds more than one block.
 */
export function forEachSnpBlock(
  bed: BedFile,
  blockSize: number,
  fn: (start: number, count: number, packed: Uint8Array) => void,
  from = 0,
  to = bed.nSnps,
): void {
  const buf = new Uint8Array(blockSize * bed.bytesPerSnp);
  for (let start = from; start < to; start += blockSize) {
    const count = Math.min(blockSize, to - start);
    bed.readPacked(start, count, buf);
    fn(start, count, buf);
  }
}

/**
 * Where each selected individual's 2-bit code sits in a SNP's packed bytes:
 * byte = index >> 2, shift = 2 * (index & 3). Decoding a subset with these is one load, shift and mask.
 */
export interface SubsetCodes {
  byte: Int32Array;
  shift: Uint8Array;
}

export function subsetCodes(indices: Int32Array): SubsetCodes {
  const byte = new Int32Array(indices.length);
  const shift = new Uint8Array(indices.length);
  for (let k = 0; k < indices.length; k++) {
    byte[k] = indices[k]! >> 2;
    shift[k] = (indices[k]! & 3) << 1;
  }
  return { byte, shift };
}
