import { subsetCodes, type SubsetCodes } from '../io/snp-blocks.js';

/** 2-bit code -> Xa = (copies of allele 1) - 1: 0b00 -> 1, 0b10 -> 0, 0b11 -> -1 (0b01 missing). */
const XA = Float64Array.of(1, NaN, 0, -1);
/** 2-bit code -> Xd: heterozygote 1, homozygote -1. */
const XD = Float64Array.of(-1, NaN, 1, -1);

/**
 * Decodes one SNP's genotype columns Xa and Xd for the analysed individuals from packed bytes,
 * a missing call taking the SNP's mean of Xa (and of Xd) over the analysed individuals with a call.
 */
export class GenotypeDecoder {
  readonly n: number;
  private readonly codes: SubsetCodes;
  private readonly raw: Uint8Array;

  constructor(private readonly analysed: Int32Array) {
    this.n = analysed.length;
    this.codes = subsetCodes(analysed);
    this.raw = new Uint8Array(this.n);
  }

  /** Writes Xa (and Xd when given) for the SNP at packed[offset..]. */
  decode(packed: Uint8Array, offset: number, xa: Float64Array, xd?: Float64Array): void {
    const { n, raw } = this;
    const { byte, shift } = this.codes;
    let sumA = 0;
    let sumD = 0;
    let called = 0;
    for (let k = 0; k < n; k++) {
      const code = (packed[offset + byte[k]!]! >> shift[k]!) & 3;
      raw[k] = code;
      if (code !== 1) {
        called++;
        sumA += XA[code]!;
        sumD += XD[code]!;
      }
    }
    const meanA = called > 0 ? sumA / called : 0;
    const meanD = called > 0 ? sumD / called : 0;
    for (let k = 0; k < n; k++) {
      const code = raw[k]!;
      xa[k] = code === 1 ? meanA : XA[code]!;
    }
    if (xd) {
      for (let k = 0; k < n; k++) {
        const code = raw[k]!;
        xd[k] = code === 1 ? meanD : XD[code]!;
      }
    }
  }

  /**
   * Writes Xa = d - 1 (and Xd = 1 - 2 |d - 1|, which is 1 at one copy and -1 at zero or two, as for
   * calls, and in between for dosages in between) for the SNP whose dosages of all samples start at
   * dosage[offset]; a missing dosage (NaN) takes the SNP's mean over the analysed individuals.
   */
  decodeDosage(dosage: Float32Array, offset: number, xa: Float64Array, xd?: Float64Array): void {
    const { n, analysed } = this;
    let sumA = 0;
    let sumD = 0;
    let called = 0;
    for (let k = 0; k < n; k++) {
      const d = dosage[offset + analysed[k]!]!;
      if (d === d) {
        called++;
        sumA += d - 1;
        sumD += 1 - 2 * Math.abs(d - 1);
      }
    }
    const meanA = called > 0 ? sumA / called : 0;
    const meanD = called > 0 ? sumD / called : 0;
    for (let k = 0; k < n; k++) {
      const d = dosage[offset + analysed[k]!]!;
      xa[k] = d === d ? d - 1 : meanA;
      if (xd) xd[k] = d === d ? 1 - 2 * Math.abs(d - 1) : meanD;
    }
  }
}
