/**
 * A small real project for the report tests: the first individuals and SNPs of the mouse example
 * written as a PLINK set in a folder whose name needs shell quoting, a sheet whose file name and
 * trait name need HTML escaping, a covariate with missing values, a kinship matrix file, and three
 * finished runs (default settings; covariates with the standardized kinship; the kinship file).
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createPlink } from '../../engine/io/plink-write.js';
import { writeSquareMatrix } from '../../engine/io/matrix-text.js';
import { decodeSnp, openPlink } from '../../engine/io/plink.js';
import { DEFAULT_SETTINGS, type ScanSettings } from '../../engine/scan/settings.js';
import { computeKinship } from '../../engine/stats/kinship.js';
import { Project } from '../../engine/store/project.js';
import { recordAndScan } from '../store/helpers.js';

export const ROOT = join(import.meta.dirname, '..', '..');
export const MOUSE = join(ROOT, 'resources', 'example', 'mouse_hs1940');

/** A trait name and a folder name that HTML and the shell both have to handle. */
export const TRAIT = `weight <&> 'g'`;
export const AWKWARD_DIR = `it's <&> $HOME "dir"`;

export interface ReportFixture {
  dir: string;
  prefix: string;
  sheet: string;
  kinshipFile: string;
  projectPath: string;
  runs: { plain: number; covar: number; file: number };
  settings: { plain: ScanSettings; covar: ScanSettings; file: ScanSettings };
}

/** Write the inputs under `root` and run the three scans into a new project (closed on return). */
export async function buildReportFixture(root: string, individuals = 500, snps = 1200): Promise<ReportFixture> {
  const dir = join(root, AWKWARD_DIR);
  mkdirSync(dir, { recursive: true });
  const prefix = join(dir, 'mouse <sub>');
  const src = openPlink(MOUSE);
  try {
    const n = Math.min(individuals, src.fam.iid.length);
    const m = Math.min(snps, src.bim.rs.length);
    const w = createPlink(
      prefix,
      Array.from({ length: n }, (_, i) => ({ fid: src.fam.fid[i]!, iid: src.fam.iid[i]!, sex: src.fam.sex[i]! })),
      Array.from({ length: m }, (_, j) => ({ chr: src.bim.chr[j]!, rs: src.bim.rs[j]!, pos: src.bim.pos[j]!, allele1: src.bim.allele1[j]!, allele0: src.bim.allele0[j]! })),
    );
    const packed = new Uint8Array(src.bed.bytesPerSnp);
    const all = new Int8Array(src.fam.iid.length);
    for (let j = 0; j < m; j++) {
      src.bed.readPacked(j, 1, packed);
      decodeSnp(packed, 0, all.length, all);
      w.writeSnp(all.subarray(0, n));
    }
    w.close();
  } finally {
    src.bed.close();
  }

  // The sheet: trait1 under an awkward name, and trait4 (0/1 with gaps) as a covariate.
  const lines = readFileSync(`${MOUSE}.pheno.csv`, 'utf8').trim().split('\n');
  const header = lines[0]!.split(',');
  const iTrait = header.indexOf('trait1');
  const iCov = header.indexOf('trait4');
  const sheet = join(dir, 'pheno <&>.csv');
  writeFileSync(sheet, [`IID,${TRAIT},cov4`, ...lines.slice(1).map((l) => l.split(',')).map((f) => `${f[0]},${f[iTrait]},${f[iCov]}`)].join('\n') + '\n');

  // A kinship matrix file (standardized, from every SNP) for the third run.
  const set = openPlink(prefix);
  const kinshipFile = join(dir, "K 'file'.txt");
  try {
    const k = computeKinship(set.bed, new Uint8Array(set.bim.rs.length).fill(1), 'standardized');
    writeSquareMatrix(kinshipFile, k.data, k.n);
  } finally {
    set.bed.close();
  }

  const base = { ...DEFAULT_SETTINGS, bfile: prefix, pheno: sheet, trait: TRAIT };
  const settings = {
    plain: { ...base },
    covar: { ...base, covar: sheet, covarNames: ['cov4'], kinship: 'standardized', model: 'additive', method: 'squarem', maf: 0.05, maxMissing: 0.1 } as ScanSettings,
    file: { ...base, kinship: { file: kinshipFile }, model: 'additive' } as ScanSettings,
  };
  const projectPath = join(root, 'report.kinscan');
  const p = Project.open(projectPath, { create: true });
  try {
    const plain = (await recordAndScan(p, settings.plain, { threads: 2 })).run.id;
    const covar = (await recordAndScan(p, settings.covar, { threads: 2 })).run.id;
    const file = (await recordAndScan(p, settings.file, { threads: 2 })).run.id;
    return { dir, prefix, sheet, kinshipFile, projectPath, runs: { plain, covar, file }, settings };
  } finally {
    p.close();
  }
}

/** A tiny valid SVG with an id and a reference to it, as a figure painter would make. */
export function dummySvg(label: string): string {
  return (
    '<?xml version="1.0" encoding="UTF-8"?>\n' +
    '<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" width="120mm" height="60mm" viewBox="0 0 120 60">' +
    '<defs><clipPath id="plot"><rect x="10" y="5" width="105" height="45"/></clipPath></defs>' +
    '<rect x="0" y="0" width="120" height="60" fill="#ffffff"/>' +
    '<g clip-path="url(#plot)"><circle cx="30" cy="30" r="3" fill="#0072b2"/><circle cx="80" cy="20" r="3" fill="#e69f00"/></g>' +
    `<line x1="10" y1="50" x2="115" y2="50" stroke="#000000" stroke-width="0.3"/><text x="60" y="57" font-size="4" text-anchor="middle" font-family="Liberation Sans, Arial, sans-serif">${label}</text>` +
    '</svg>\n'
  );
}
