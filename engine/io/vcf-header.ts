/**
 * A VCF's header: the `##` meta lines (only ##fileformat is looked at, loosely: a missing one is
 * fine, another format is not) and the `#CHROM` line, whose columns after FORMAT are the sample
 * IDs. Read from the ByteLines of an opened file, which it leaves at the #CHROM line.
 */
import { InputError } from './errors.js';
import { quote } from './text-lines.js';
import type { ByteLines } from './vcf-lines.js';

export const VCF_WHAT = 'VCF file';
export const FIXED_COLUMNS = ['CHROM', 'POS', 'ID', 'REF', 'ALT', 'QUAL', 'FILTER', 'INFO', 'FORMAT'] as const;

export interface VcfHeader {
  /** Sample IDs in column order (column 10 on). */
  samples: string[];
  /** 1-based line of the #CHROM line. */
  line: number;
  /** Columns every record must have: 9 fixed + one per sample. */
  columns: number;
  /** The IDs of the ##FORMAT lines (GT, DS, AD...). */
  formats: Set<string>;
}

const utf8 = new TextDecoder('utf-8');

/** The first bytes of known binary files, to name what was given instead of a VCF. */
function binaryKind(b: Uint8Array, s: number, e: number): string | undefined {
  const at = (i: number): number => (s + i < e ? b[s + i]! : -1);
  if (at(0) === 0x6c && at(1) === 0x1b) return 'a PLINK .bed file';
  if (at(0) === 0x42 && at(1) === 0x43 && at(2) === 0x46) return 'a BCF file (binary VCF)';
  if (at(0) === 0x50 && at(1) === 0x4b) return 'a ZIP file (or an Excel workbook)';
  for (let i = s; i < e; i++) {
    const c = b[i]!;
    if (c === 0 || (c < 32 && c !== 9)) return 'a binary file';
  }
  return undefined;
}

function notVcf(path: string, line: number, what: string, hint?: string): InputError {
  return new InputError(
    what,
    { file: path, line },
    hint ?? 'Give a VCF file (plain or bgzipped): it starts with ##fileformat=VCFv4.x and has a #CHROM header line naming the samples',
  );
}

/** Read the header; throws an InputError naming the file and line for anything not a VCF header. */
export function readVcfHeader(path: string, lines: ByteLines): VcfHeader {
  const formats = new Set<string>();
  for (;;) {
    if (!lines.next()) {
      throw lines.lineNo === 0
        ? new InputError('VCF file is empty', { file: path }, 'The file was probably not written completely; export or download it again')
        : notVcf(path, lines.lineNo, 'VCF file ends before its #CHROM header line (the line naming the samples)', 'The file is cut short or is not a VCF; export it again');
    }
    const { buf, start, end, lineNo } = lines;
    if (lineNo === 1) {
      const kind = binaryKind(buf, start, Math.min(end, start + 4096));
      if (kind !== undefined) {
        throw notVcf(
          path,
          1,
          `is ${kind}, not a VCF file`,
          kind.startsWith('a BCF')
            ? 'Convert it to VCF first: bcftools view -Oz -o file.vcf.gz file.bcf'
            : 'Give the VCF file itself (plain text, or compressed with gzip or bgzip)',
        );
      }
    }
    if (end - start >= 2 && buf[start] === 35 && buf[start + 1] === 35) {
      if (lineNo === 1) {
        const text = buf.toString('latin1', start, Math.min(end, start + 200));
        const m = /^##fileformat=(.*)$/.exec(text);
        if (m && !m[1]!.startsWith('VCF')) {
          throw notVcf(path, 1, `says ##fileformat=${m[1]!.slice(0, 40)}, not a VCF`, 'Give a VCF file (##fileformat=VCFv4.x)');
        }
      }
      const format = /^##FORMAT=<ID=([^,>]+)/.exec(buf.toString('latin1', start, Math.min(end, start + 64)));
      if (format) formats.add(format[1]!);
      continue;
    }
    if (end > start && buf[start] === 35) return { ...chromLine(path, utf8.decode(buf.subarray(start, end)), lineNo), formats };
    if (end === start) continue;
    throw notVcf(
      path,
      lineNo,
      lineNo === 1
        ? 'does not start like a VCF file (no ##fileformat=VCF line and no #CHROM header line)'
        : 'has a data line before the #CHROM header line (the line naming the samples is missing)',
      lineNo === 1 ? undefined : 'A VCF needs the tab-separated #CHROM POS ID REF ALT QUAL FILTER INFO FORMAT <samples> line before its records; export the file again',
    );
  }
}

function chromLine(path: string, text: string, line: number): Omit<VcfHeader, 'formats'> {
  const cols = text.split('\t');
  const where = { file: path, line };
  if (cols.length === 1 && text.includes(' ')) {
    throw new InputError('the #CHROM header line is separated by spaces, not tabs', where, 'VCF columns must be separated by tabs; export the file again rather than editing it by hand');
  }
  if (cols[0] !== '#CHROM') {
    throw new InputError(`the header line starts with ${quote(cols[0]!)}, not #CHROM`, where, 'The last header line must be #CHROM POS ID REF ALT QUAL FILTER INFO FORMAT followed by the sample IDs');
  }
  for (let i = 1; i < Math.min(cols.length, FIXED_COLUMNS.length); i++) {
    if (cols[i]!.toUpperCase() !== FIXED_COLUMNS[i]) {
      throw new InputError(
        `column ${i + 1} of the #CHROM line is ${quote(cols[i]!)}, expected ${FIXED_COLUMNS[i]}`,
        where,
        'The #CHROM line must name the columns CHROM POS ID REF ALT QUAL FILTER INFO FORMAT in this order, then the samples',
      );
    }
  }
  if (cols.length < FIXED_COLUMNS.length + 1) {
    throw new InputError(
      cols.length <= 8 ? 'has no FORMAT column and no samples: it is a sites-only VCF without genotypes' : 'has a FORMAT column but no sample columns',
      where,
      'Kinscan needs the genotypes of each sample: give the VCF with its sample columns (GT or DS)',
    );
  }
  const samples = cols.slice(FIXED_COLUMNS.length);
  const seen = new Map<string, number>();
  samples.forEach((id, j) => {
    const column = FIXED_COLUMNS.length + j + 1;
    if (id.length === 0) throw new InputError(`sample column ${column} has an empty sample ID`, where, 'Every sample column of the #CHROM line needs an ID; check for a doubled tab');
    const prev = seen.get(id);
    if (prev !== undefined) {
      throw new InputError(
        `sample ID ${quote(id)} appears twice (columns ${prev} and ${column})`,
        where,
        'Each sample needs its own ID; rename one (bcftools reheader) or remove the duplicate sample',
      );
    }
    seen.set(id, column);
  });
  return { samples, line, columns: cols.length };
}
