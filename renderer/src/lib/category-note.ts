/**
 * A text column as a categorical covariate, in words, from the sheet preview's facts (its distinct
 * values and the most frequent ones): how many indicator columns the engine makes of it and which
 * level is the reference ("sex: M/F, 1 indicator (F as reference)"), or why the engine would refuse
 * it. The rule is engine/qc/dummy-coding.ts dummyCode's: more than MAX_LEVELS levels, or a
 * different value in every row, is an ID or a label; one level is constant. The engine applies it
 * to the analysed individuals, the preview to the whole sheet, so this is the sheet's view of it.
 */
import type { DataPreview } from '../../../engine/protocol/methods.js';
import { MAX_COVARIATE_LEVELS } from '../../../engine/protocol/settings.js';

type TextColumn = Extract<Extract<DataPreview, { kind: 'sheet' }>['columns'][number], { type: 'text' }>;

/** More levels than this is a label per individual, not a grouping: the engine's limit. */
const MAX_LEVELS = MAX_COVARIATE_LEVELS;

export interface CategoryNote {
  /** The engine would code it (false: it would refuse it, and `text` says why). */
  usable: boolean;
  text: string;
}

/** Levels in the engine's order (code-unit order, as dummyCode sorts them). */
function sorted(levels: string[]): string[] {
  return [...levels].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

export function categoryNote(name: string, c: TextColumn): CategoryNote {
  const fmt = (n: number): string => n.toLocaleString('en-US');
  if (c.distinct > MAX_LEVELS || (c.distinct === c.present && c.present > 2)) {
    return { usable: false, text: `cannot be a covariate: ${fmt(c.distinct)} different values in ${fmt(c.present)} rows, so it looks like an ID or a label, not groups` };
  }
  if (c.distinct < 2) return { usable: false, text: `cannot be a covariate: the same value${c.values[0] ? ` (${c.values[0].value})` : ''} in every row` };
  const indicators = c.distinct - 1;
  const many = `${fmt(indicators)} indicator${indicators === 1 ? '' : 's'}`;
  // The preview lists the most frequent values only: the reference is known when it lists them all.
  if (c.values.length < c.distinct) return { usable: true, text: `${fmt(c.distinct)} categories: ${many} (the first in alphabetical order as reference)` };
  const levels = sorted(c.values.map((v) => v.value));
  return { usable: true, text: `${levels.join('/')}: ${many} (${levels[0]} as reference, named like ${name}=${levels[1]})` };
}
