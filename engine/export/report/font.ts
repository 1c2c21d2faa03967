/**
 * The bundled Liberation Sans (Arial's metrics, OFL) as CSS @font-face rules with the fonts inline,
 * so the report looks the same on every machine without a font download. The regular and bold
 * faces are both embedded (about 1.1 MB as base64): a bold synthesised from the regular face would
 * print as a Type 3 font, which journals' PDF checks refuse; italic is synthesised (it prints as
 * the regular TrueType face, slanted). The TTFs are found in resources/fonts/ above this module
 * (from the source tree and from dist/), or in a given folder; without them the page falls back
 * to Arial / Helvetica.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, parse } from 'node:path';
import { fileURLToPath } from 'node:url';

export const FONT_FACES: { file: string; weight: number }[] = [
  { file: 'LiberationSans-Regular.ttf', weight: 400 },
  { file: 'LiberationSans-Bold.ttf', weight: 700 },
];

/** The folder holding the bundled fonts (resources/fonts above this module), or undefined. */
export function findFontDir(fromDir: string = dirname(fileURLToPath(import.meta.url))): string | undefined {
  let dir = fromDir;
  const root = parse(dir).root;
  for (;;) {
    const p = join(dir, 'resources', 'fonts');
    if (existsSync(join(p, FONT_FACES[0]!.file))) return p;
    if (dir === root) return undefined;
    dir = dirname(dir);
  }
}

/** The @font-face rules embedding the faces found in `fontDir` (found when not given); '' when there are none. */
export function fontFaceCss(fontDir: string | undefined = findFontDir()): string {
  if (!fontDir) return '';
  let css = '';
  for (const face of FONT_FACES) {
    const path = join(fontDir, face.file);
    if (!existsSync(path)) continue;
    const data = readFileSync(path).toString('base64');
    css += `@font-face { font-family: 'Liberation Sans'; font-style: normal; font-weight: ${face.weight}; src: url(data:font/ttf;base64,${data}) format('truetype'); }\n`;
  }
  return css;
}
