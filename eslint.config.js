// @ts-check
/**
 * Lint config. Besides typescript-eslint's recommended rules, it enforces the
 * layering of the code base with `@typescript-eslint/no-restricted-imports`, one
 * rule set per folder (like VS Code's layer check):
 *
 *   renderer/   -> engine/protocol, engine/figures; never electron, Node builtins, other engine folders
 *   electron/   -> engine/protocol; never other engine folders or renderer/
 *     preload/      sandboxed: 'electron' and engine/protocol (bundled in)
 *   cli/, server/, bench/ -> engine; never electron or renderer
 *   engine/     never electron (package or folder) or renderer/, and inside it
 *               io < qc < stats < scan < store < export < service: a folder imports only
 *               from itself and folders below it. Any layer may import engine/protocol
 *               (types and zod schemas) and engine/figures (pure figure scenes); those two
 *               import nothing else of the engine, and figures nothing of Node.
 *
 * Patterns are regexes on the import specifier as written. Relative specifiers
 * are matched by folder name, so don't name a subfolder after an engine layer.
 * test/layers.test.ts proves the rules fire.
 */
import { builtinModules } from 'node:module';
import { defineConfig } from 'eslint/config';
import tseslint from 'typescript-eslint';
import svelteScripts from './tools/eslint-svelte-scripts.js';

const RULE = '@typescript-eslint/no-restricted-imports';

/** Engine layers from the bottom up. */
const ENGINE_LAYERS = ['io', 'qc', 'stats', 'scan', 'store', 'export', 'service'];

/** Engine folders outside the stack that every layer may import and that import no layer. */
const ENGINE_SHARED = ['protocol', 'figures'];
const sharedMessage = `${ENGINE_SHARED.map((f) => `engine/${f}`).join(' and ')} import no other engine folder.`;

/** @typedef {{ regex: string; message: string; allowTypeImports?: boolean }} Pattern */
/** @typedef {{ name: string; message: string }} RestrictedPath */

/** The 'electron' package and the electron/ folder. */
const noElectron = /** @type {Pattern} */ ({
  regex: '^(\\.\\./)*electron(/|$)',
  message: 'Only electron/ may use Electron or import from electron/.',
});
const noRenderer = /** @type {Pattern} */ ({
  regex: '^(\\.\\./)+renderer(/|$)',
  message: 'Nothing imports from renderer/; talk to it through engine/protocol.',
});
const noFrontEnds = /** @type {Pattern} */ ({
  regex: '^(\\.\\./)+(cli|server)(/|$)',
  message: 'The engine must not import from cli/ or server/.',
});
const onlyProtocolOfEngine = /** @type {Pattern} */ ({
  regex: '(^|/)engine/(?!protocol(/|$))',
  message: 'Outside the engine, import only engine/protocol.',
});
const onlyProtocolAndFiguresOfEngine = /** @type {Pattern} */ ({
  regex: '(^|/)engine/(?!(protocol|figures)(/|$))',
  message: 'The renderer imports only engine/protocol and engine/figures of the engine.',
});
/** engine/protocol and engine/figures import no engine layer (nor each other's siblings). */
const noEngineLayers = /** @type {Pattern[]} */ ([
  { regex: `(^|/)engine/(${ENGINE_LAYERS.join('|')})(/|$)`, message: sharedMessage },
  { regex: `^(\\.\\./)+(${ENGINE_LAYERS.join('|')})(/|$)`, message: sharedMessage },
]);
const noNodeProtocol = /** @type {Pattern} */ ({
  regex: '^node:',
  message: 'No Node builtins here: the renderer and the preload are sandboxed.',
});
/** @type {RestrictedPath[]} */
const noNodeBuiltins = builtinModules
  .filter((name) => !name.startsWith('_'))
  .map((name) => ({ name, message: 'No Node builtins here: the renderer and the preload are sandboxed.' }));

/**
 * Engine folders that `layer` must not import: every layer above it.
 * @param {string} layer
 * @returns {Pattern[]}
 */
function layersAbove(layer) {
  const above = ENGINE_LAYERS.slice(ENGINE_LAYERS.indexOf(layer) + 1);
  if (above.length === 0) return [];
  const alt = above.join('|');
  const message = `engine/${layer} may import only from ${ENGINE_LAYERS.slice(0, ENGINE_LAYERS.indexOf(layer) + 1)
    .map((l) => `engine/${l}`)
    .join(', ')} (layers: ${ENGINE_LAYERS.join(' < ')}).`;
  return [
    { regex: `(^|/)engine/(${alt})(/|$)`, message },
    { regex: `^(\\.\\./)+(${alt})(/|$)`, message },
  ];
}

/**
 * One config object carrying the complete import restrictions for `files`.
 * Later objects replace the rule for files they match, so each carries every pattern it needs.
 * @param {string[]} files
 * @param {Pattern[]} patterns
 * @param {RestrictedPath[]} [paths]
 */
function restrict(files, patterns, paths = []) {
  return { files, rules: { [RULE]: ['error', { paths, patterns }] } };
}

const engineBase = [noElectron, noRenderer, noFrontEnds];

export default defineConfig(
  { ignores: ['dist/', 'out/', 'node_modules/', 'resources/', 'release/', 'test-output/', '.bench-cache/'] },
  tseslint.configs.recommended,
  {
    files: ['**/*.ts', '**/*.js'],
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      // Style only: warn, so numeric kernels written in a terse style don't fail the lint.
      'prefer-const': 'warn',
      '@typescript-eslint/no-unused-expressions': 'warn',
    },
  },

  // Svelte components: lint their <script> blocks with the renderer's rules.
  { files: ['**/*.svelte'], processor: svelteScripts },
  {
    // Variables used only in markup, and `let` props from $props(), look unused or const here.
    files: ['**/*.svelte/*.ts'],
    rules: { '@typescript-eslint/no-unused-vars': 'off', 'prefer-const': 'off' },
  },

  // ---------------------------------------------------------------- layers
  restrict(['engine/**'], engineBase),
  ...ENGINE_LAYERS.map((layer) => restrict([`engine/${layer}/**`], [...engineBase, ...layersAbove(layer)])),
  restrict(['engine/protocol/**'], [...engineBase, ...noEngineLayers, { regex: '^(\\.\\./)+figures(/|$)', message: 'engine/protocol imports no other engine folder.' }]),
  // Pure: painted by the renderer on a canvas and by the engine into files.
  restrict(['engine/figures/**'], [...engineBase, ...noEngineLayers, noNodeProtocol, { regex: '^(\\.\\./)+protocol(/|$)', message: 'engine/figures imports no other engine folder.' }], noNodeBuiltins),

  restrict(['electron/**'], [onlyProtocolOfEngine, noRenderer]),
  restrict(['electron/preload/**'], [onlyProtocolOfEngine, noRenderer, noNodeProtocol, {
    regex: '^(?!electron$|\\.)',
    message: 'The sandboxed preload may import only `electron` and local files (bundled in).',
  }], noNodeBuiltins),
  restrict(['renderer/**'], [
    onlyProtocolAndFiguresOfEngine,
    noElectron,
    noNodeProtocol,
    { regex: '^(\\.\\./)+(cli|server)(/|$)', message: 'The renderer must not import from cli/ or server/.' },
  ], noNodeBuiltins),

  restrict(['cli/**', 'server/**', 'bench/**'], [noElectron, noRenderer]),
);
