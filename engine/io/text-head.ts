/**
 * The first lines of a text file (plain or compressed), without reading the rest: readers learn
 * their samples and layout from them when opened, then stream the whole file in read().
 */
import { forEachLine, isBlank } from './text-lines.js';

const STOP = Symbol('enough lines');

/** Up to `max` non-blank lines from the start of the file, with their 1-based line numbers. */
export function headLines(path: string, what: string, max: number): { line: string; lineNo: number }[] {
  const out: { line: string; lineNo: number }[] = [];
  if (max <= 0) return out;
  try {
    forEachLine(path, what, (line, lineNo) => {
      if (isBlank(line)) return;
      out.push({ line, lineNo });
      if (out.length >= max) throw STOP;
    });
  } catch (e) {
    if (e !== STOP) throw e;
  }
  return out;
}
