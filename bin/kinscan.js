#!/usr/bin/env node
// The CLI is compiled from cli/kinscan.ts into dist/ by `npm ci` (the "prepare" script).
import('../dist/cli/kinscan.js').catch((err) => {
  if (err && err.code === 'ERR_MODULE_NOT_FOUND') {
    process.stderr.write('kinscan: the engine is not built; run `npm run build:engine` in the kinscan folder.\n');
    process.exit(2);
  }
  throw err;
});
