/**
 * The `kinscan scan` command line that recomputes a run from its source files: every setting that
 * changes the results is written out explicitly (defaults too, so a later change of a default does
 * not change what the command does), and every path or name is single-quoted for a POSIX shell.
 *
 * SETTING_FLAGS maps each key of ScanSettings to its flag; a new setting without an entry there
 * does not compile, and the tests check that changing any setting changes the command.
 */
import { InputError } from '../../io/errors.js';
import type { ScanSettings } from '../../scan/settings.js';

/** The scan flag of every setting (covar and covarNames go together; loco is a switch). */
export const SETTING_FLAGS: Record<keyof ScanSettings, string> = {
  bfile: '--bfile',
  anno: '--anno',
  dosage: '--dosage',
  pheno: '--pheno',
  trait: '--trait',
  covar: '--covar',
  covarNames: '--covar-names',
  phenoWorksheet: '--sheet',
  covarWorksheet: '--covar-sheet',
  kinship: '--kinship',
  model: '--model',
  method: '--method',
  maf: '--maf',
  maxMissing: '--max-miss',
  pcs: '--pcs',
  hwe: '--hwe',
  minCallRate: '--min-call-rate',
  loco: '--loco',
  bayes: '--bf-prior-sd',
};

/** Quote a word for a POSIX shell: bare when it holds only safe characters, else in single quotes. */
export function shellQuote(word: string): string {
  if (/^[A-Za-z0-9_@%+=:,./-]+$/.test(word)) return word;
  return `'${word.replace(/'/g, `'\\''`)}'`;
}

/** Always single-quoted (paths and names, so the command reads the same whatever they hold). */
function quoted(word: string): string {
  return `'${word.replace(/'/g, `'\\''`)}'`;
}

export interface ReproduceOptions {
  /** The results file the command writes (default RESULTS.tsv). */
  out?: string;
  /** The program name (default kinscan). */
  program?: string;
}

/** A flag and its value as shell words; a value starting with '-' is attached with '=' so the parser cannot take it for a flag. */
function flag(name: string, value: string, quote: (w: string) => string): string[] {
  return value.startsWith('-') ? [`${name}=${quote(value)}`] : [name, quote(value)];
}

/** The command's words, one flag (with its value) per entry after the first. */
export function reproduceParts(settings: ScanSettings, opts: ReproduceOptions = {}): string[][] {
  const parts: string[][] = [[opts.program ?? 'kinscan', 'scan']];
  const add = (key: keyof ScanSettings, value: string, quote: (w: string) => string = quoted): void => {
    parts.push(flag(SETTING_FLAGS[key], value, quote));
  };
  if (!settings.bfile) {
    throw new InputError('the run names no genotype file', {}, 'Record the run with --bfile');
  }
  // A PLINK prefix (or one of its files) is --bfile; any other genotype file is --geno.
  const plinkLike = /\.(bed|bim|fam)$/i.test(settings.bfile) || !/\.[A-Za-z0-9]+$/.test(settings.bfile.split(/[\\/]/).pop() ?? '');
  if (plinkLike) add('bfile', settings.bfile);
  else parts.push(flag('--geno', settings.bfile, quoted));
  if (settings.anno) add('anno', settings.anno);
  if (settings.dosage) parts.push([SETTING_FLAGS.dosage]);
  // No phenotype file: the trait is a .fam phenotype column ('1', '2', ...), as the scan then reads it.
  if (settings.pheno) add('pheno', settings.pheno);
  if (settings.pheno && settings.phenoWorksheet) add('phenoWorksheet', settings.phenoWorksheet);
  add('trait', settings.trait);
  // The scan uses a covariate sheet only with named covariates (and without names the CLI would take every numeric column).
  if (settings.covar && settings.covarNames.length > 0) {
    for (const name of settings.covarNames) {
      if (name.includes(',') || name.trim() !== name || name === '') {
        throw new InputError(
          `the covariate name '${name}' cannot be written in --covar-names (it holds a comma or surrounding blanks)`,
          { file: settings.covar },
          'Rename the column in the covariate sheet',
        );
      }
    }
    add('covar', settings.covar);
    if (settings.covarWorksheet) add('covarWorksheet', settings.covarWorksheet);
    add('covarNames', settings.covarNames.join(','));
  }
  if (typeof settings.kinship === 'object' && 'pedigree' in settings.kinship) {
    parts.push(flag('--pedigree', settings.kinship.pedigree, quoted));
    if (settings.kinship.unlistedFounders) parts.push(['--unlisted-founders']);
  } else if (typeof settings.kinship === 'object') {
    // A file named like a kinship type would be read as that type: name it as a path.
    const file = settings.kinship.file;
    add('kinship', file === 'centered' || file === 'standardized' ? `./${file}` : file);
  } else add('kinship', settings.kinship, shellQuote);
  add('model', settings.model, shellQuote);
  add('method', settings.method, shellQuote);
  add('maf', String(settings.maf), shellQuote);
  add('maxMissing', String(settings.maxMissing), shellQuote);
  add('pcs', String(settings.pcs), shellQuote);
  add('hwe', String(settings.hwe), shellQuote);
  add('minCallRate', String(settings.minCallRate), shellQuote);
  if (settings.loco) parts.push([SETTING_FLAGS.loco]);
  add('bayes', settings.bayes.priorSd.join(','), shellQuote);
  parts.push(['--bf-dom-ratio', String(settings.bayes.dominanceRatio)]);
  parts.push(['--prior-prob', String(settings.bayes.priorProbability)]);
  parts.push(flag('--out', opts.out ?? 'RESULTS.tsv', quoted));
  return parts;
}

/** The command on one line, ready for a shell. */
export function reproduceCommand(settings: ScanSettings, opts: ReproduceOptions = {}): string {
  return reproduceParts(settings, opts)
    .map((p) => p.join(' '))
    .join(' ');
}

/** The same command over several lines (one flag a line, joined by backslash-newline), for reading. */
export function reproduceCommandLines(settings: ScanSettings, opts: ReproduceOptions = {}): string {
  return reproduceParts(settings, opts)
    .map((p) => p.join(' '))
    .join(' \\\n    ');
}
