/**
 * A tiny ESLint processor that lints the <script> blocks of .svelte files as
 * TypeScript, so the renderer's layer rules (eslint.config.js) also hold inside
 * components. Each block is padded with the newlines and spaces that precede it,
 * so reported lines and columns are those of the .svelte file. No autofix.
 */
const SCRIPT = /<script\b[^>]*>([\s\S]*?)<\/script>/g;

/** @param {string} text */
function preprocess(text) {
  const blocks = [];
  for (const match of text.matchAll(SCRIPT)) {
    const start = match.index + match[0].indexOf('>') + 1;
    const before = text.slice(0, start);
    const lineStart = before.lastIndexOf('\n') + 1;
    const lines = before.split('\n').length - 1;
    const pad = '\n'.repeat(lines) + ' '.repeat(start - lineStart);
    blocks.push({ text: pad + (match[1] ?? ''), filename: `${blocks.length}.ts` });
  }
  return blocks;
}

/** @param {import('eslint').Linter.LintMessage[][]} messages */
function postprocess(messages) {
  return messages.flat();
}

export default {
  meta: { name: 'kinscan/svelte-scripts', version: '1.0.0' },
  preprocess,
  postprocess,
  supportsAutofix: false,
};
