/**
 * Chromosome names in natural order, for any organism: 1, 2, ..., 10, ..., then X, Y, XY, MT, then
 * every other name (Chr01 = 1; scaffold_2 before scaffold_12). A 'chr'/'Chr'/'chromosome' prefix
 * is ignored when ordering; the name is shown as given.
 */

const SEX_AND_MT: Record<string, number> = { X: 0, Y: 1, XY: 2, MT: 3, M: 3 };

interface ChrKey {
  group: number;
  num: number;
  parts: (string | number)[];
}

function keyOf(name: string): ChrKey {
  const bare = name.trim().replace(/^chr(omosome)?[_\s-]?/i, '');
  if (/^\d+$/.test(bare)) return { group: 0, num: Number(bare), parts: [] };
  const sex = SEX_AND_MT[bare.toUpperCase()];
  if (sex !== undefined) return { group: 1, num: sex, parts: [] };
  const parts = (bare.match(/\d+|\D+/g) ?? []).map((t) => (/^\d+$/.test(t) ? Number(t) : t.toLowerCase()));
  return { group: 2, num: 0, parts };
}

export function compareChromosomes(a: string, b: string): number {
  const ka = keyOf(a);
  const kb = keyOf(b);
  if (ka.group !== kb.group) return ka.group - kb.group;
  if (ka.num !== kb.num) return ka.num - kb.num;
  const n = Math.min(ka.parts.length, kb.parts.length);
  for (let i = 0; i < n; i++) {
    const x = ka.parts[i]!;
    const y = kb.parts[i]!;
    if (x === y) continue;
    if (typeof x === 'number' && typeof y === 'number') return x - y;
    if (typeof x === 'number') return -1;
    if (typeof y === 'number') return 1;
    return x < y ? -1 : 1;
  }
  if (ka.parts.length !== kb.parts.length) return ka.parts.length - kb.parts.length;
  return a < b ? -1 : a > b ? 1 : 0;
}

/** The distinct names in natural order. */
export function naturalChromosomeOrder(names: Iterable<string>): string[] {
  return [...new Set(names)].sort(compareChromosomes);
}
