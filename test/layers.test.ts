/**
 * The layer rules in eslint.config.js fire: each case writes a temporary file
 * into the folder under test, lints it with ESLint's Node API, and deletes it.
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..');
const RULE = '@typescript-eslint/no-restricted-imports';
const eslint = new ESLint({ cwd: ROOT });

/** Messages of the layer rule for `code` saved as `file` (relative to the repo root). */
async function layerErrors(file: string, code: string): Promise<string[]> {
  const path = join(ROOT, file);
  const createdDir = mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, code);
  try {
    const messages = (await eslint.lintFiles([path])).flatMap((r) => r.messages);
    const fatal = messages.find((m) => m.fatal);
    if (fatal) throw new Error(`${file} did not parse: ${fatal.message}`);
    return messages.filter((m) => m.ruleId === RULE).map((m) => m.message);
  } finally {
    rmSync(path, { force: true });
    if (createdDir !== undefined) rmSync(createdDir, { recursive: true, force: true });
  }
}

const value = (from: string): string => `import { x } from '${from}';\nexport const y = x;\n`;
const typeOnly = (from: string): string => `import type { X } from '${from}';\nexport type Y = X;\n`;
const svelte = (from: string): string =>
  `<script lang="ts">\n  import { x } from '${from}';\n  let y = $state(x);\n</script>\n\n<p>{y}</p>\n`;

const P = '__layer_probe__';

describe('layer rules reject', () => {
  const cases: [string, string, string][] = [
    ['engine/io imports engine/scan', `engine/io/${P}.ts`, value('../scan/x.js')],
    ['engine/qc imports engine/stats', `engine/qc/${P}.ts`, value('../stats/x.js')],
    ['engine/stats (nested) imports engine/scan', `engine/stats/${P}/${P}.ts`, value('../../scan/x.js')],
    ['engine/store imports engine/export', `engine/store/${P}.ts`, value('../export/x.js')],
    ['engine/export imports engine/service', `engine/export/${P}.ts`, value('../service/x.js')],
    ['engine/protocol imports engine/store', `engine/protocol/${P}.ts`, value('../store/a.js')],
    ['engine/figures imports engine/scan', `engine/figures/${P}.ts`, value('../scan/a.js')],
    ['engine/figures imports engine/protocol', `engine/figures/${P}.ts`, value('../protocol/api.js')],
    ['engine/figures imports node:zlib', `engine/figures/${P}.ts`, value('node:zlib')],
    ['engine/figures imports fs', `engine/figures/${P}.ts`, value('fs')],
    ['renderer imports engine/export', `renderer/src/${P}.ts`, value('../../engine/export/x.js')],
    ['engine/qc imports the electron package', `engine/qc/${P}.ts`, value('electron')],
    ['engine/scan imports electron/', `engine/scan/${P}.ts`, value('../../electron/main/router.js')],
    ['engine/protocol imports renderer/', `engine/protocol/${P}.ts`, value('../../renderer/src/lib/errors.js')],
    ['renderer imports node:fs', `renderer/src/${P}.ts`, value('node:fs')],
    ['renderer imports fs', `renderer/src/${P}.ts`, value('fs')],
    ['renderer imports electron', `renderer/src/${P}.ts`, value('electron')],
    ['renderer imports engine/io', `renderer/src/${P}.ts`, typeOnly('../../engine/io/errors.js')],
    ['renderer imports electron/', `renderer/src/${P}.ts`, value('../../electron/shared/channels.js')],
    ['a Svelte component imports node:fs', `renderer/src/${P}.svelte`, svelte('node:fs')],
    ['a Svelte component imports engine/stats', `renderer/src/${P}.svelte`, svelte('../../engine/stats/x.js')],
    ['electron/main imports engine/stats', `electron/main/${P}.ts`, value('../../engine/stats/x.js')],
    ['electron/main imports renderer/', `electron/main/${P}.ts`, value('../../renderer/src/lib/errors.js')],
    ['the preload imports node:fs', `electron/preload/${P}.ts`, value('node:fs')],
    ['the preload imports a package', `electron/preload/${P}.ts`, value('zod')],
    ['the engine (the utility process entry) imports electron', `engine/service/hosts/${P}.ts`, value('electron')],
    ['cli imports electron/', `cli/${P}.ts`, value('../electron/main/router.js')],
    ['cli imports renderer/', `cli/${P}.ts`, value('../renderer/src/lib/errors.js')],
  ];
  it.each(cases)('%s', async (_name, file, code) => {
    expect(await layerErrors(file, code)).not.toEqual([]);
  });
});

describe('layer rules allow', () => {
  const cases: [string, string, string][] = [
    ['engine/scan imports io, qc, stats', `engine/scan/${P}.ts`,
      `import { a } from '../io/a.js';\nimport { b } from '../qc/b.js';\nimport { c } from '../stats/c.js';\nexport const d = [a, b, c];\n`],
    ['engine/service imports store, export, protocol and figures', `engine/service/${P}.ts`,
      `import { a } from '../store/a.js';\nimport { b } from '../export/b.js';\nimport { c } from '../protocol/api.js';\nimport { d } from '../figures/scene.js';\nexport const e = [a, b, c, d];\n`],
    ['engine/io imports engine/figures', `engine/io/${P}.ts`, value('../figures/scene.js')],
    ['engine/io imports engine/protocol', `engine/io/${P}.ts`, value('../../engine/protocol/api.js')],
    ['engine/figures imports its own files', `engine/figures/${P}.ts`, value('./scene.js')],
    ['renderer imports values from engine/figures', `renderer/src/${P}.ts`, value('../../engine/figures/scene.js')],
    ['engine/io imports Node builtins and its own files', `engine/io/${P}.ts`,
      `import { readFileSync } from 'node:fs';\nimport { InputError } from './errors.js';\nexport const a = [readFileSync, InputError];\n`],
    ['renderer imports types from engine/protocol', `renderer/src/${P}.ts`, typeOnly('../../engine/protocol/api.js')],
    ['renderer imports values from engine/protocol (the API client)', `renderer/src/${P}.ts`, value('../../engine/protocol/client.js')],
    ['the preload imports the API client from engine/protocol', `electron/preload/${P}.ts`, value('../../engine/protocol/client.js')],
    ['a Svelte component imports local files', `renderer/src/${P}.svelte`, svelte('./lib/errors')],
    ['electron/main imports electron, node:, engine/protocol', `electron/main/${P}.ts`,
      `import { app } from 'electron';\nimport { join } from 'node:path';\nimport { paramsSchemas } from '../../engine/protocol/api.js';\nexport const a = [app, join, paramsSchemas];\n`],
    ['the preload imports electron and protocol types', `electron/preload/${P}.ts`,
      `import { ipcRenderer } from 'electron';\nimport type { KinscanApi } from '../../engine/protocol/api.js';\nexport const a: [unknown, KinscanApi | null] = [ipcRenderer, null];\n`],
    ['the utility process entry imports the service and protocol', `engine/service/hosts/${P}.ts`, `import { a } from '../dispatcher.js';\nimport { b } from '../../protocol/api.js';\nexport const c = [a, b];\n`],
    ['cli imports engine/scan', `cli/${P}.ts`, value('../engine/scan/x.js')],
  ];
  it.each(cases)('%s', async (_name, file, code) => {
    expect(await layerErrors(file, code)).toEqual([]);
  });
});
