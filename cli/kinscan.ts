
import { isInputError } from '../engine/io/errors.js';
import { runCommand, USAGE } from './commands.js';
import { UsageError } from './report.js';

/**
 * kinscan: the command line over the engine. Errors are one sentence on stderr naming the file and
 * what to fix (exit 1 for bad input, 2 for a bad command line); --debug adds the stack trace.
 */
async function main(argv: string[]): Promise<number> {
  const debug = argv.includes('--debug');
  try {
    return await runCommand(argv.filter((a) => a !== '--debug'));
  } catch (e) {
    if (e instanceof UsageError) {
      process.stderr.write(`kinscan: ${e.message}\n${e.showUsage ? '\n' + USAGE : ''}`);
      return 2;
    }
    if (isInputError(e)) {
      process.stderr.write(`kinscan: ${e.message}\n`);
      if (debug) process.stderr.write(`${e.stack ?? ''}\n`);
      return 1;
    }
    const err = e as Error;
    process.stderr.write(`kinscan: internal error: ${err.message ?? String(e)}. Please report it with the command you ran${debug ? '' : ' (rerun with --debug for details)'}.\n`);
    if (debug) process.stderr.write(`${err.stack ?? ''}\n`);
    return 1;
  }
}


main(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
