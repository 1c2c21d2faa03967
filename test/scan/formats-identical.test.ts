/**
 * The same genotypes in every format give the same scan. The example mouse set (chromosomes 1-4,
 * 1,940 mice x 3,027 SNPs) is written by plink2, an independent writer, as VCF, bgzipped VCF, a
 * samples-as-rows matrix (--export A, with a CSV map) and a SNPs-as-rows matrix (--export
 * A-transpose), and by a small awk script as HapMap (two-letter calls, sites shuffled). Each is
 * imported into a project and scanned (2-df additive + dominance) like the .bed: every SNP has
 * the same -log10 p, |beta_a| and allele frequency (counted allele as each file names it).
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_SETTINGS, type ScanSettings } from '../../engine/scan/settings.js';
import { Project } from '../../engine/store/project.js';
import { tempDir } from '../helpers/tmp.js';

const root = join(import.meta.dirname, '..', '..');
const example = join(root, 'resources', 'example', 'mouse_hs1940');
const pheno = `${example}.pheno.csv`;

interface Row {
  chr: string;
  ps: string;
  allele1: string;
  af: number;
  betaA: number;
  nlp: number;
}

function readResults(path: string): Map<string, Row> {
  const lines = readFileSync(path, 'utf8').trim().split('\n');
  const h = lines[0]!.split('\t');
  const c = (name: string): number => h.indexOf(name);
  const out = new Map<string, Row>();
  for (const l of lines.slice(1)) {
    const f = l.split('\t');
    out.set(f[c('rs')]!, { chr: f[c('chr')]!, ps: f[c('ps')]!, allele1: f[c('allele1')]!, af: Number(f[c('af')]), betaA: Number(f[c('beta_a')]), nlp: Number(f[c('neglog10_p')]) });
  }
  return out;
}

describe('one mouse set in every genotype format gives the same results', () => {
  const dir = tempDir('kinscan-formats-');
  const sub = join(dir, 'sub');
  const files: Record<string, { geno: string; anno?: string }> = {};

  beforeAll(() => {
    const plink2 = (...args: string[]): void => void execFileSync('plink2', ['--silent', '--bfile', example, '--chr', '1-4', ...args], { stdio: 'pipe' });
    plink2('--make-bed', '--out', sub);
    plink2('--export', 'vcf', 'id-paste=iid', '--out', join(dir, 'm'));
    plink2('--export', 'vcf', 'bgz', 'id-paste=iid', '--out', join(dir, 'mz'));
    plink2('--export', 'A', '--out', join(dir, 'm'));
    plink2('--export', 'A-transpose', '--out', join(dir, 'm'));
    // .traw names samples FID_IID: rename the header to IIDs (the .fam's order) so the sheet matches.
    const fam = readFileSync(`${sub}.fam`, 'utf8').trim().split('\n').map((l) => l.split(/\s+/)[1]!);
    const traw = readFileSync(join(dir, 'm.traw'), 'utf8').split('\n');
    traw[0] = [...traw[0]!.split('\t').slice(0, 6), ...fam].join('\t');
    writeFileSync(join(dir, 'm.traw'), traw.join('\n'));
    // The samples-as-rows matrix's map: SNP, chromosome, position from the .bim, as a CSV.
    const bim = readFileSync(`${sub}.bim`, 'utf8').trim().split('\n').map((l) => l.split(/\s+/));
    writeFileSync(join(dir, 'map.csv'), ['snp,chr,pos', ...bim.map((t) => `${t[1]},${t[0]},${t[3]}`)].join('\n') + '\n');
    // HapMap from the VCF, by awk: REF/ALT letters per call, missing NN, the sites shuffled.
    const hmp = execFileSync(
      'sh',
      [
        '-c',
        `awk -F'\\t' 'BEGIN{OFS="\\t"; srand(11)}
          /^##/ {next}
          /^#CHROM/ {printf "rs#\\talleles\\tchrom\\tpos\\tstrand\\tassembly#\\tcenter\\tprotLSID\\tassayLSID\\tpanelLSID\\tQCcode"; for(i=10;i<=NF;i++) printf "\\t%s", $i; printf "\\n"; next}
          { a[0]=$4; a[1]=$5; line=$3"\\t"$4"/"$5"\\t"$1"\\t"$2"\\t+\\tNA\\tNA\\tNA\\tNA\\tNA\\tNA";
            for(i=10;i<=NF;i++){ g=$i; if (substr(g,1,1)=="." ) line=line"\\tNN"; else line=line"\\t"a[substr(g,1,1)]a[substr(g,3,1)] }
            print rand()"\\t"line }' '${join(dir, 'm.vcf')}' | { IFS= read -r head; echo "$head"; sort -k1,1g | cut -f2-; }`,
      ],
      { maxBuffer: 1 << 30 },
    );
    writeFileSync(join(dir, 'm.hmp.txt'), hmp);
    files['VCF'] = { geno: join(dir, 'm.vcf') };
    files['bgzipped VCF'] = { geno: join(dir, 'mz.vcf.gz') };
    files['matrix, samples as rows (.raw + map)'] = { geno: join(dir, 'm.raw'), anno: join(dir, 'map.csv') };
    files['matrix, SNPs as rows (.traw)'] = { geno: join(dir, 'm.traw') };
    files['HapMap, shuffled'] = { geno: join(dir, 'm.hmp.txt') };
  }, 120_000);

  async function scan(name: string, settings: ScanSettings): Promise<Map<string, Row>> {
    const p = Project.open(join(dir, `${name.replace(/\W+/g, '_')}.kinscan`), { create: true });
    try {
      const id = p.createRun(settings);
      await p.runScan(id, { threads: 2 });
      const out = join(dir, `${name.replace(/\W+/g, '_')}.tsv`);
      p.exportRun(id, out);
      return readResults(out);
    } finally {
      p.close();
    }
  }

  it('every format: the same SNPs, -log10 p, |beta_a| and allele frequency as the .bed', async () => {
    const base: ScanSettings = { ...DEFAULT_SETTINGS, bfile: sub, pheno, trait: 'trait1' };
    const bed = await scan('bed', base);
    expect(bed.size).toBeGreaterThan(2500);
    for (const [name, f] of Object.entries(files)) {
      const rows = await scan(name, { ...base, bfile: f.geno, ...(f.anno ? { anno: f.anno } : {}) });
      expect(rows.size, name).toBe(bed.size);
      let worstP = 0;
      let worstBeta = 0;
      for (const [rs, b] of bed) {
        const r = rows.get(rs);
        expect(r, `${name}: ${rs}`).toBeDefined();
        expect([r!.chr, r!.ps], `${name}: ${rs}`).toEqual([b.chr, b.ps]);
        const flipped = r!.allele1 !== b.allele1;
        expect(r!.af, `${name}: ${rs}`).toBeCloseTo(flipped ? 1 - b.af : b.af, 3);
        worstP = Math.max(worstP, Math.abs(r!.nlp - b.nlp));
        worstBeta = Math.max(worstBeta, Math.abs(Math.abs(r!.betaA) - Math.abs(b.betaA)));
      }
      // The genotypes are the same; only the order of the SNPs in the kinship sum may differ.
      expect(worstP, name).toBeLessThan(1e-8);
      expect(worstBeta, name).toBeLessThan(1e-8);
    }
  }, 300_000);
});
