/**
 * Errors across a thread boundary. A worker thread's failure is posted to the thread that waits
 * for it as a plain object (structured clone drops an Error's class), and revived there with its
 * type and message: an InputError stays an InputError with the same message, file and hint, so
 * the caller reports it as bad input, not as an internal error.
 */
import { InputError } from './errors.js';

export interface ThreadError {
  /** 'InputError' or the name of another Error class ('RangeError', 'Error'...). */
  name: string;
  message: string;
  stack?: string;
  /** InputError only: where and what to do. */
  input?: { file?: string; line?: number; snp?: string; hint: string; what: string };
}

/** The plain-object form of an error, to post to another thread. */
export function serializeError(e: unknown): ThreadError {
  if (e instanceof InputError) {
    const out: ThreadError = { name: 'InputError', message: e.message, input: { hint: e.hint, what: e.what } };
    if (e.file !== undefined) out.input!.file = e.file;
    if (e.line !== undefined) out.input!.line = e.line;
    if (e.snp !== undefined) out.input!.snp = e.snp;
    if (e.stack !== undefined) out.stack = e.stack;
    return out;
  }
  if (e instanceof Error) return { name: e.name, message: e.message, ...(e.stack !== undefined ? { stack: e.stack } : {}) };
  return { name: 'Error', message: String(e) };
}

/**
 * The error a serialized one stands for, thrown in this thread. An InputError comes back as itself
 * (same message); any other error as an Error whose message names the thread (`what`) and keeps
 * the original message, its stack kept as the cause's.
 */
export function reviveError(t: ThreadError, what: string): Error {
  if (t.name === 'InputError' && t.input) {
    const where: { file?: string; line?: number; snp?: string } = {};
    if (t.input.file !== undefined) where.file = t.input.file;
    if (t.input.line !== undefined) where.line = t.input.line;
    if (t.input.snp !== undefined) where.snp = t.input.snp;
    const e = new InputError(t.input.what, where, t.input.hint);
    if (t.stack !== undefined) e.stack = t.stack;
    return e;
  }
  const cause = new Error(t.message);
  cause.name = t.name;
  if (t.stack !== undefined) cause.stack = t.stack;
  return new Error(`${what} failed: ${t.name !== 'Error' ? `${t.name}: ` : ''}${t.message}`, { cause });
}
