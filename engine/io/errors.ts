/**
 * The one error type for bad input. Its message is a sentence a user can act on:
 * which file, where in it (line or SNP), what is wrong, and what to do.
 */
export interface InputErrorWhere {
  /** Path of the offending file, as the user gave it. */
  file?: string;
  /** 1-based line number in a text file. */
  line?: number;
  /** SNP identifier (rs) or 0-based SNP index, for genotype problems. */
  snp?: string;
}

export class InputError extends Error {
  readonly file: string | undefined;
  readonly line: number | undefined;
  readonly snp: string | undefined;
  /** What the user should do about it. */
  readonly hint: string;
  /** What is wrong, without the place and the hint. */
  readonly what: string;

  constructor(what: string, where: InputErrorWhere, hint: string) {
    const place = [
      where.file !== undefined ? where.file : undefined,
      where.line !== undefined ? `line ${where.line}` : undefined,
      where.snp !== undefined ? `SNP ${where.snp}` : undefined,
    ]
      .filter((s): s is string => s !== undefined)
      .join(', ');
    super(`${place ? place + ': ' : ''}${what}${hint ? '. ' + hint : ''}`.replace(/\.\.$/, '.'));
    this.name = 'InputError';
    this.file = where.file;
    this.line = where.line;
    this.snp = where.snp;
    this.hint = hint;
    this.what = what;
  }
}

export function isInputError(e: unknown): e is InputError {
  return e instanceof InputError;
}
