/**
 * Checks on the sample IDs of headered genotype files (HapMap, matrices): duplicates are an error
 * naming both places; IDs that Excel turned into dates are a warning naming them.
 */
import { InputError } from './errors.js';
import { quote } from './text-lines.js';

/** Throw on the first sample ID seen twice; `where[j]` is sample j's line or column (`unit`). */
export function checkDuplicateSamples(ids: string[], where: Int32Array, unit: 'line' | 'column', file: string, what: string): void {
  const seen = new Map<string, number>();
  for (let j = 0; j < ids.length; j++) {
    const first = seen.get(ids[j]!);
    if (first !== undefined) {
      throw new InputError(
        `sample ID ${quote(ids[j]!)} appears twice in the ${what}, at ${unit} ${where[first]} and ${unit} ${where[j]}`,
        unit === 'line' ? { file, line: where[j]! } : { file },
        'Every sample needs its own ID; rename or remove the repeated one',
      );
    }
    seen.set(ids[j]!, j);
  }
}

const MONTH = '(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*';
const DATE_RES = [
  /^\d{1,2}[/.]\d{1,2}[/.]\d{2,4}$/, // 12/03/2021, 3.12.21
  /^\d{4}-\d{1,2}-\d{1,2}$/, // 2021-03-12
  new RegExp(`^\\d{1,2}[- ]${MONTH}(?:[- ]\\d{2,4})?$`, 'i'), // 3-Dec, 03-Dec-2021
  new RegExp(`^${MONTH}[- ]\\d{1,4}$`, 'i'), // Dec-03, Mar-21
];

/** Does this ID look like a date Excel made of it (1-3 read as 3-Jan, 12.03.21 as 12/03/2021)? */
function looksLikeDate(id: string): boolean {
  return DATE_RES.some((re) => re.test(id));
}

/** A warning naming the sample IDs that look like Excel dates, or undefined. */
export function dateIdWarning(ids: string[], where: Int32Array, unit: 'line' | 'column', what: string): string | undefined {
  const hits: string[] = [];
  let n = 0;
  for (let j = 0; j < ids.length; j++) {
    if (!looksLikeDate(ids[j]!)) continue;
    n++;
    if (hits.length < 5) hits.push(`${quote(ids[j]!)} (${unit} ${where[j]})`);
  }
  if (n === 0) return undefined;
  return `${n} sample ID${n === 1 ? '' : 's'} in the ${what} look like dates: ${hits.join(', ')}${n > hits.length ? ', ...' : ''}; a spreadsheet program may have turned IDs such as 1-3 into dates. Check them against your sample list (store the ID column as text when you edit the file in Excel)`;
}
