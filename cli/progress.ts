import { createRequire } from 'node:module';
import type cliProgressModule from 'cli-progress';

/** cli-progress is loaded only when a bar is shown (it is not needed by --quiet or piped runs). */
const loadCliProgress = (): typeof cliProgressModule => createRequire(import.meta.url)('cli-progress') as typeof cliProgressModule;

/**
 * Progress on stderr: a bar with rate and time left on a terminal (cli-progress), nothing otherwise
 * (so logs and CI output stay clean). One bar per stage (kinship, scan).
 */
export function makeProgress(quiet: boolean): { update: (stage: string, done: number, total: number) => void; done: () => void } {
  const tty = Boolean(process.stderr.isTTY) && !quiet;
  let bar: cliProgressModule.SingleBar | undefined;
  let stage = '';
  const stop = (): void => {
    bar?.stop();
    bar = undefined;
  };
  return {
    update(s, done, total) {
      if (!tty) return;
      if (s !== stage || !bar) {
        stop();
        stage = s;
        const cliProgress = loadCliProgress();
        bar = new cliProgress.SingleBar(
          {
            // A one-step stage (the eigendecomposition) has no count to show.
            format: total <= 1 ? `${s.padEnd(8)} ...` : `${s.padEnd(8)} [{bar}] {percentage}% | {value}/{total} | {rate}/s | ETA {eta_formatted}`,
            stream: process.stderr,
            hideCursor: true,
            clearOnComplete: true,
            etaBuffer: 50,
          },
          cliProgress.Presets.legacy,
        );
        bar.start(total, 0, { rate: '0' });
      }
      const secs = (Date.now() - startTimes(s)) / 1000;
      bar.update(done, { rate: secs > 0 ? Math.round(done / secs).toString() : '0' });
    },
    done: stop,
  };
}

const starts = new Map<string, number>();
function startTimes(stage: string): number {
  if (!starts.has(stage)) starts.set(stage, Date.now());
  return starts.get(stage)!;
}
