/**
 * Categorical covariates: a text column (sex M/F, batch A/B/C) as k-1 indicator columns over the
 * analysed individuals, named 'batch=B', 'batch=C'. The first level in sorted order is the
 * reference and gets no column (the intercept is always in, so all k would be collinear with it).
 */
import { InputError } from '../io/errors.js';
import type { Sheet } from '../io/sheet.js';
import { MAX_COVARIATE_LEVELS } from '../protocol/settings.js';
import { quote } from '../io/text-lines.js';

/** More levels than this is not a grouping but a label per individual (the protocol's constant, which the renderer shares). */
const MAX_LEVELS = MAX_COVARIATE_LEVELS;

export interface CodedCovariate {
  /** Indicator names, 'column=level', in sorted level order (reference left out). */
  names: string[];
  /** One 0/1 column per name, over the rows given. */
  columns: Float64Array[];
  /** The level left out. */
  reference: string;
}

/**
 * Dummy-code text column `name` of `sheet` over the sheet rows `rows` (none of them missing). Errors
 * for a column that looks like an ID (more than 50 levels, or one level per individual) and for a
 * column with one level only (nothing to estimate).
 */
export function dummyCode(sheet: Sheet, name: string, rows: Int32Array): CodedCovariate {
  const text = sheet.text.get(name)!;
  const n = rows.length;
  const levels = [...new Set(Array.from(rows, (r) => text[r]!))].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const first = sheet.textFirst.get(name);
  const where = { file: sheet.path, ...(first ? { line: first.line } : {}) };
  if (levels.length > MAX_LEVELS || (levels.length === n && n > 2)) {
    throw new InputError(
      `the covariate '${name}' has ${levels.length} different text values over ${n} analysed individuals (e.g. ${levels.slice(0, 3).map((l) => quote(l)).join(', ')}): it looks like an ID or a label, not a category`,
      where,
      `A text covariate is coded as groups (at most ${MAX_LEVELS}, with several individuals each); leave '${name}' out of --covar-names, or give it as numbers`,
    );
  }
  if (levels.length < 2) {
    throw new InputError(
      `the covariate '${name}' has the same value (${quote(levels[0] ?? '')}) in all ${n} analysed individuals, so it is constant (the intercept is always included)`,
      where,
      `Leave '${name}' out of --covar-names`,
    );
  }
  const index = new Map(levels.map((l, k) => [l, k]));
  const columns = levels.slice(1).map(() => new Float64Array(n));
  for (let i = 0; i < n; i++) {
    const k = index.get(text[rows[i]!]!)!;
    if (k > 0) columns[k - 1]![i] = 1;
  }
  return { names: levels.slice(1).map((l) => `${name}=${l}`), columns, reference: levels[0]! };
}
