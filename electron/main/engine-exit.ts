/**
 * Why the engine process stopped, in words for the window and for a bug report: its exit code
 * (the start failure code of engine/protocol/engine-host.ts named), Electron's fatal-error report if
 * there was one, and the last lines it wrote to stderr (where Node prints an uncaught error).
 * Pure, so the tests check it under Node.
 */
import { ENGINE_EXIT_START_FAILED } from '../../engine/protocol/engine-host.js';

export interface EngineExit {
  code: number;
  /** Electron's 'error' event of the utility process (type and location), if it fired. */
  fatal?: string | undefined;
  /** The last lines of its stderr, oldest first. */
  stderrTail: readonly string[];
}

/** At most this many characters of stderr go into the message. */
const MAX_TAIL_CHARS = 1500;

export function describeEngineExit(exit: EngineExit): string {
  const what =
    exit.code === ENGINE_EXIT_START_FAILED
      ? 'The engine could not start'
      : `The engine stopped unexpectedly (exit code ${exit.code})`;
  const parts = [what];
  if (exit.fatal) parts.push(`fatal error: ${exit.fatal}`);
  const tail = exit.stderrTail.join('\n').trim();
  if (tail) parts.push(tail.length > MAX_TAIL_CHARS ? `…${tail.slice(-MAX_TAIL_CHARS)}` : tail);
  return parts.join('. ');
}

/** Keeps the last `max` lines of a stream. */
export class LineTail {
  private readonly lines: string[] = [];
  private partial = '';
  constructor(private readonly max = 20) {}

  push(chunk: string): void {
    const pieces = (this.partial + chunk).split(/\r?\n/);
    this.partial = pieces.pop() ?? '';
    for (const line of pieces) this.add(line);
    if (this.partial.length > 4000) {
      this.add(this.partial);
      this.partial = '';
    }
  }

  /** The lines so far (a last line without its newline included). */
  get tail(): string[] {
    return this.partial ? [...this.lines, this.partial].slice(-this.max) : [...this.lines];
  }

  clear(): void {
    this.lines.length = 0;
    this.partial = '';
  }

  private add(line: string): void {
    if (line.trim() === '') return;
    this.lines.push(line);
    if (this.lines.length > this.max) this.lines.shift();
  }
}
