/**
 * Progress on stderr: a one-line bar redrawn in place on a terminal, nothing otherwise
 * (so logs and CI output stay clean).
 */
export function makeProgress(quiet: boolean): { update: (stage: string, done: number, total: number) => void; done: () => void } {
  const tty = Boolean(process.stderr.isTTY) && !quiet;
  let last = 0;
  let drawn = false;
  const start = Date.now();
  return {
    update(stage, done, total) {
      if (!tty) return;
      const now = Date.now();
      if (now - last < 100 && done < total) return;
      last = now;
      const frac = total > 0 ? done / total : 0;
      const width = 30;
      const filled = Math.round(frac * width);
      const secs = (now - start) / 1000;
      process.stderr.write(`\r${stage.padEnd(8)} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${(frac * 100).toFixed(0).padStart(3)}% ${done}/${total} ${secs.toFixed(0)}s `);
      drawn = true;
    },
    done() {
      if (tty && drawn) process.stderr.write('\r\x1b[K');
    },
  };
}
