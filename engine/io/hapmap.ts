/**
 * HapMap genotype files (.hmp.txt), as TASSEL and GAPIT write them: a header
 * `rs# alleles chrom pos strand assembly# center protLSID assayLSID panelLSID QCcode <sample>...`,
 * then one site per line, tab-separated (runs of blanks accepted too).
 *
 * Calls: two letters (AA, AG, GG; NN or -- missing) or IUPAC single letters (A C G T homozygous;
 * R=A/G Y=C/T S=G/C W=A/T K=G/T M=A/C heterozygous; N missing), mixed freely (genotype-calls.ts).
 * Sites whose `alleles` are not two single bases are left out and counted: indels ('-', '+', '0'
 * or longer alleles), multi-allelic sites (A/C/G), and sites with unknown alleles (N). A site with
 * one listed allele is monomorphic (allele1 '0', counted zero times, as PLINK names a missing allele).
 *
 * The counted allele (allele1) is the minor allele among the site's calls, as PLINK chooses it;
 * on a tie the second listed allele. The other is allele0. Sites need not be sorted: the importer
 * sorts them. A call that is neither listed allele is an error naming the line, sample and call.
 */
import { InputError } from './errors.js';
import { flipCounts, minorAlleleIndex, parseCall } from './genotype-calls.js';
import type { GenotypeReader, GenotypeSamples, ReadSummary, SnpBatch } from './genotype-source.js';
import { checkDuplicateSamples, dateIdWarning } from './sample-ids.js';
import { DuplicateIds, SkipTally, SnpBatcher } from './snp-batcher.js';
import { headLines } from './text-head.js';
import { forEachLine, isBlank, parseStrictNumber, quote, splitWhitespace } from './text-lines.js';

const WHAT = 'HapMap file';
const FIXED = 11;
const HEADER_HINT =
  'A HapMap file starts with the header rs# alleles chrom pos strand assembly# center protLSID assayLSID panelLSID QCcode, then one column per sample, separated by tabs';

type SiteAlleles = string[] | 'indel' | 'multi-allelic' | 'unknown alleles';

const BASES = new Set(['A', 'C', 'G', 'T']);

/** The `alleles` column: the site's one or two bases, or why it is left out; undefined if unreadable. */
function siteAlleles(s: string): SiteAlleles | undefined {
  const up = s.toUpperCase();
  if (up.length === 1) {
    if (up === 'N') return 'unknown alleles';
    if (up === '-' || up === '+' || up === '0') return 'indel';
    const pair = parseCall(up);
    if (!pair) return undefined;
    return pair[0] === pair[1] ? [pair[0]!] : [pair[0]!, pair[1]!];
  }
  const parts = up.split('/');
  if (parts.some((p) => p === '-' || p === '+' || p === '0' || p.length > 1)) return 'indel';
  if (parts.some((p) => p === 'N')) return 'unknown alleles';
  if (parts.some((p) => !BASES.has(p))) return undefined;
  const distinct = [...new Set(parts)];
  if (distinct.length > 2) return 'multi-allelic';
  return distinct;
}

/** Per-letter counts of the current site's alleles: index 0 -> 0, index 1 -> 1 (two-letter calls), others -9 (not an allele). */
const pairIdx = new Int8Array(128).fill(-9);
/** The same for one-letter calls: allele 0 -> 0, allele 1 -> 2, their IUPAC letter -> 1, N -> missing. */
const singleIdx = new Int8Array(128).fill(-9);
singleIdx[78] = -1;

/** The IUPAC letter of each pair of bases (char codes a * 128 + b), -1 for none. */
const HET_LETTER = (() => {
  const t = new Int16Array(128 * 128).fill(-1);
  for (const [code, pair] of [['R', 'AG'], ['Y', 'CT'], ['S', 'CG'], ['W', 'AT'], ['K', 'GT'], ['M', 'AC']] as const) {
    t[pair.charCodeAt(0) * 128 + pair.charCodeAt(1)] = code.charCodeAt(0);
    t[pair.charCodeAt(1) * 128 + pair.charCodeAt(0)] = code.charCodeAt(0);
  }
  return t;
})();

/** Any other spelling of a call (A/G, lower case, --): count of allele index 1, -1 missing, -9 not one of the alleles. */
function slowCall(tok: string, a0: number, a1: number): number {
  const call = parseCall(tok);
  if (call === null) return -1;
  if (call === undefined) return -9;
  const x = call.charCodeAt(0);
  const y = call.charCodeAt(1);
  const ix = x === a0 ? 0 : x === a1 ? 1 : -1;
  const iy = y === a0 ? 0 : y === a1 ? 1 : -1;
  return ix < 0 || iy < 0 ? -9 : ix + iy;
}

/**
 * The 11 fixed fields of a site line (split on runs of tabs/blanks) into `out`; returns where the
 * calls start, or -1 when the line has fewer fields. The calls are scanned in place, not split:
 * a site of 2,000 samples would otherwise make 2,000 strings.
 */
function fixedFields(line: string, out: string[]): number {
  const len = line.length;
  let at = 0;
  for (let k = 0; k < FIXED; k++) {
    let c = line.charCodeAt(at);
    while (c === 9 || c === 32) c = line.charCodeAt(++at);
    const start = at;
    while (at < len && c !== 9 && c !== 32) c = line.charCodeAt(++at);
    if (at === start) return -1;
    out[k] = line.slice(start, at);
  }
  return at;
}

/** How many blank-separated fields the line has from `at` on. */
function countFields(line: string, at: number): number {
  let k = 0;
  let inField = false;
  for (let i = at; i < line.length; i++) {
    const c = line.charCodeAt(i);
    const sep = c === 9 || c === 32;
    if (!sep && !inField) k++;
    inField = !sep;
  }
  return k;
}

/** Open a HapMap file (plain or gzip): its header is read now, the sites by read(). */
export function openHapmap(path: string): GenotypeReader {
  const head = headLines(path, WHAT, 1)[0];
  if (!head) throw new InputError('is empty', { file: path }, HEADER_HINT);
  const h = splitWhitespace(head.line);
  if (!/^rs#?$/i.test(h[0] ?? '') || h.length <= FIXED) {
    const why =
      h.length === 1
        ? 'its first line has a single column (the columns are not separated by tabs or blanks)'
        : !/^rs#?$/i.test(h[0]!)
          ? `its first line starts with ${quote(h[0]!)}, not the HapMap header rs#`
          : `its header has ${h.length} columns, no sample columns after the 11 fixed ones`;
    throw new InputError(`is not a HapMap file: ${why}`, { file: path, line: head.lineNo }, HEADER_HINT);
  }
  const width = h.length;
  const n = width - FIXED;
  const iid = h.slice(FIXED);
  const where = new Int32Array(n);
  for (let j = 0; j < n; j++) where[j] = FIXED + 1 + j;
  checkDuplicateSamples(iid, where, 'column', path, 'HapMap header');
  const samples: GenotypeSamples = { fid: iid.slice(), iid, where };
  const dateWarning = dateIdWarning(iid, where, 'column', 'HapMap header');

  return {
    format: 'hapmap',
    path,
    files: [path],
    samples,
    dosage: false,
    snpsHint: undefined,
    read(onBatch: (batch: SnpBatch) => void, ro = {}): ReadSummary {
      const batcher = new SnpBatcher(n, ro.batchSnps, false, onBatch);
      const count = new Int8Array(n);
      const fixed: string[] = new Array<string>(FIXED);
      const skipped = new SkipTally();
      const dups = new DuplicateIds();
      let sites = 0;
      forEachLine(path, WHAT, (line, lineNo) => {
        if (lineNo <= head.lineNo || isBlank(line)) return;
        const t = fixed;
        const callsAt = fixedFields(line, t);
        const rs = t[0]!;
        const ragged = (got: number): InputError =>
          new InputError(
            `site ${rs} has ${got} columns, but the header (line ${head.lineNo}) has ${width} (11 fixed, ${n} samples)`,
            { file: path, line: lineNo },
            'Every site needs one call per sample (NN when missing); check for a cut-short line or a sample column added or removed',
          );
        if (callsAt < 0) throw ragged(splitWhitespace(line).length);
        if (ro.progress && (++sites & 1023) === 0) ro.progress(sites, 0);
        const al = siteAlleles(t[1]!);
        if (al === undefined) {
          throw new InputError(
            `alleles ${quote(t[1]!)} of site ${rs} are not bases`,
            { file: path, line: lineNo },
            'The alleles column lists the site\'s bases, such as A/G',
          );
        }
        if (typeof al === 'string') {
          const got = FIXED + countFields(line, callsAt);
          if (got !== width) throw ragged(got);
          skipped.add(al, rs, lineNo);
          return;
        }
        const pos = parseStrictNumber(t[3]!);
        if (!Number.isInteger(pos)) {
          throw new InputError(
            `position ${quote(t[3]!)} of site ${rs} is not a whole number`,
            { file: path, line: lineNo },
            'The fourth column (pos) is the base-pair position',
          );
        }
        const a0 = al[0]!.charCodeAt(0);
        const a1 = al.length > 1 ? al[1]!.charCodeAt(0) : -1;
        // Fast path for the usual calls (AG, G, R): per-letter tables of this site's alleles.
        const het = a1 < 0 ? -1 : HET_LETTER[a0 * 128 + a1]!;
        pairIdx[a0] = 0;
        singleIdx[a0] = 0;
        if (a1 >= 0) {
          pairIdx[a1] = 1;
          singleIdx[a1] = 2;
        }
        if (het >= 0) singleIdx[het] = 1;
        const len = line.length;
        let at = callsAt;
        for (let j = 0; j < n; j++) {
          let c = line.charCodeAt(at);
          while (c === 9 || c === 32) c = line.charCodeAt(++at);
          const start = at;
          while (at < len && c !== 9 && c !== 32) c = line.charCodeAt(++at);
          const w = at - start;
          if (w === 0) throw ragged(FIXED + j);
          let v = -9;
          if (w === 2) {
            const x = line.charCodeAt(start);
            const y = line.charCodeAt(start + 1);
            if (x < 128 && y < 128) v = x === 78 && y === 78 ? -1 : pairIdx[x]! + pairIdx[y]!;
          } else if (w === 1) {
            const x = line.charCodeAt(start);
            if (x < 128) v = singleIdx[x]!;
          }
          if (v < 0 && v !== -1) v = slowCall(line.slice(start, at), a0, a1);
          if (v === -9) {
            const tok = line.slice(start, at);
            throw new InputError(
              parseCall(tok) === undefined
                ? `call ${quote(tok)} of sample ${iid[j]} (column ${FIXED + 1 + j}) at site ${rs} is not a SNP call`
                : `call ${quote(tok)} of sample ${iid[j]} (column ${FIXED + 1 + j}) at site ${rs} does not match the site's alleles ${t[1]}`,
              { file: path, line: lineNo },
              'Calls are two letters (AA, AG; NN missing) or IUPAC codes (A, R = A/G, ...; N missing) of the alleles listed in the alleles column',
            );
          }
          count[j] = v;
        }
        const extra = countFields(line, at);
        if (extra > 0) throw ragged(width + extra);
        pairIdx[a0] = -9;
        singleIdx[a0] = -9;
        if (a1 >= 0) {
          pairIdx[a1] = -9;
          singleIdx[a1] = -9;
        }
        if (het >= 0) singleIdx[het] = -9;
        let allele1 = al[1] ?? '0';
        let allele0 = al[0]!;
        if (minorAlleleIndex(count, n) === 0) {
          flipCounts(count, n);
          [allele1, allele0] = [allele0, allele1];
        }
        dups.add(rs, lineNo);
        batcher.addCounts({ chr: t[2]!, rs, cm: 0, pos, allele1, allele0, line: lineNo }, count);
      });
      batcher.flush();
      const skippedList = skipped.list();
      if (batcher.delivered === 0) {
        const why = skippedList.length > 0 ? ` (${skippedList.map((s) => `${s.count} ${s.reason}`).join(', ')} left out)` : '';
        throw new InputError(`has no biallelic SNP sites${why}`, { file: path }, 'Kinscan reads SNPs with two alleles, such as A/G');
      }
      const warnings: string[] = [];
      if (dateWarning) warnings.push(dateWarning);
      const dw = dups.warning('HapMap file');
      if (dw) warnings.push(dw);
      ro.progress?.(sites, sites);
      return { snps: batcher.delivered, skipped: skippedList, warnings };
    },
    close(): void {},
  };
}
