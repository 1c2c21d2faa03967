import { runCommand, USAGE } from './commands.js';
import { errorExit } from './report.js';

/**
 * kinscan: the command line over the engine. Errors are one sentence on stderr naming the file and
 * what to fix (exit 1 for bad input, 2 for a bad command line, 3 for an internal error: a bug;
 * cli/report.ts errorExit); --debug adds the stack trace.
 */
async function main(argv: string[]): Promise<number> {
  const debug = argv.includes('--debug');
  try {
    return await runCommand(argv.filter((a) => a !== '--debug'));
  } catch (e) {
    const { code, text } = errorExit(e, debug, USAGE);
    process.stderr.write(text);
    return code;
  }
}

main(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
