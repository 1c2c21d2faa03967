import { crc32, deflateRawSync } from 'node:zlib';
import { openVcf } from '../../engine/io/vcf.js';
import type { ReadSummary, SnpRecord } from '../../engine/io/genotype-source.js';

export interface VcfRead {
  iid: string[];
  snps: SnpRecord[];
  /** All SNPs' packed codes, back to back. */
  packed: Uint8Array;
  dosage: Float32Array | undefined;
  summary: ReadSummary;
}

/** Every batch of a VCF, joined. */
export function readVcf(path: string, opts: { dosage?: boolean; batchSnps?: number } = {}): VcfRead {
  const r = openVcf(path, opts.dosage ? { dosage: true } : {});
  const snps: SnpRecord[] = [];
  const packed: Uint8Array[] = [];
  const dosage: Float32Array[] = [];
  const summary = r.read(
    (b) => {
      snps.push(...b.snps);
      packed.push(b.packed.slice());
      if (b.dosage) dosage.push(b.dosage.slice());
    },
    opts.batchSnps !== undefined ? { batchSnps: opts.batchSnps } : {},
  );
  r.close();
  const join = <T extends Uint8Array | Float32Array>(parts: T[], make: (n: number) => T): T => {
    const out = make(parts.reduce((s, p) => s + p.length, 0));
    let o = 0;
    for (const p of parts) {
      out.set(p, o);
      o += p.length;
    }
    return out;
  };
  return {
    iid: r.samples.iid,
    snps,
    packed: join(packed, (n) => new Uint8Array(n)),
    dosage: r.dosage ? join(dosage, (n) => new Float32Array(n)) : undefined,
    summary,
  };
}

/** Sample j's ALT count (0, 1, 2; -1 missing) of SNP i from packed codes. */
export function countAt(packed: Uint8Array, bps: number, i: number, j: number): number {
  return [2, -1, 1, 0][(packed[i * bps + (j >> 2)]! >> ((j & 3) * 2)) & 3]!;
}

/** A small VCF text: header with `samples`, then the records (tab-joined columns). */
export function vcfText(samples: string[], records: string[][], meta = ['##fileformat=VCFv4.2']): string {
  return [...meta, ['#CHROM', 'POS', 'ID', 'REF', 'ALT', 'QUAL', 'FILTER', 'INFO', 'FORMAT', ...samples].join('\t'), ...records.map((r) => r.join('\t'))].join('\n') + '\n';
}

/** BGZF as bgzip writes it: blocks of at most 64 KiB, each a gzip member with the BC extra field, then the empty EOF block. */
export function bgzip(text: string | Uint8Array): Uint8Array {
  const data = typeof text === 'string' ? Buffer.from(text) : Buffer.from(text);
  const blocks: Buffer[] = [];
  for (let at = 0; at <= data.length; at += 0xff00) {
    const raw = data.subarray(at, Math.min(at + 0xff00, data.length));
    if (raw.length === 0 && at > 0) break;
    blocks.push(block(deflateRawSync(raw), raw));
  }
  blocks.push(block(deflateRawSync(Buffer.alloc(0)), Buffer.alloc(0)));
  return Buffer.concat(blocks);
}

function block(cdata: Buffer, raw: Buffer): Buffer {
  const head = Buffer.from([31, 139, 8, 4, 0, 0, 0, 0, 0, 255, 6, 0, 66, 67, 2, 0, 0, 0]);
  const size = head.length + cdata.length + 8;
  head.writeUInt16LE(size - 1, 16);
  const tail = Buffer.alloc(8);
  tail.writeUInt32LE(crc32(raw) >>> 0, 0);
  tail.writeUInt32LE(raw.length, 4);
  return Buffer.concat([head, cdata, tail]);
}
