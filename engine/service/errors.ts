/**
 * Failures in the terms of the protocol: every error the service or the engine throws becomes
 * `{ code, message, hint }` a biologist can act on. InputError (a problem with their files or
 * choices) -> 'input' with its hint; ServiceError (no project open, a run busy, not found...) -> its
 * own code; a zod error -> 'invalid-params' naming the field; anything else -> 'internal', a bug to
 * report. A stack trace goes into `detail` only with the developer flag.
 */
import { ZodError, type z } from 'zod';
import type { ErrorCode, ErrorInfo } from '../protocol/api.js';
import { InputError } from '../io/errors.js';

/** A refusal of the service itself, with the protocol's code. */
export class ServiceError extends Error {
  readonly code: Exclude<ErrorCode, 'internal'>;
  readonly hint: string | undefined;
  constructor(code: Exclude<ErrorCode, 'internal'>, message: string, hint?: string) {
    super(message);
    this.name = 'ServiceError';
    this.code = code;
    this.hint = hint;
  }
}

export const noProject = (): ServiceError =>
  new ServiceError('no-project', 'No project is open', 'Open or create a project first (or open the example project)');

/** An InputError's message ends with its hint: give the message without it (the hint travels beside it). */
export function messageWithoutHint(message: string, hint: string): string {
  if (!hint) return message;
  const bare = hint.replace(/\.$/, '');
  const at = message.lastIndexOf(`. ${bare}`);
  return at > 0 ? `${message.slice(0, at)}.` : message;
}

/** "settings.maf: Too big: expected number to be <=0.5" for the first few issues. */
export function describeZodError(error: z.core.$ZodError, what: string): string {
  const issues = error.issues.slice(0, 3).map((i) => {
    const where = i.path.length > 0 ? i.path.map((p) => (typeof p === 'number' ? `[${p}]` : String(p))).join('.').replace(/\.\[/g, '[') : 'params';
    return `${where}: ${i.message}`;
  });
  const more = error.issues.length > 3 ? ` (and ${error.issues.length - 3} more)` : '';
  return `Invalid ${what}: ${issues.join('; ')}${more}`;
}

function stackOf(e: unknown): string | undefined {
  return e instanceof Error && typeof e.stack === 'string' ? e.stack : undefined;
}

/** Any thrown value as the protocol's error, for a method (`what` names it in messages). */
export function toErrorInfo(e: unknown, opts: { developer: boolean; what?: string }): ErrorInfo {
  const detail = opts.developer ? stackOf(e) : undefined;
  const withDetail = (info: ErrorInfo): ErrorInfo => (detail !== undefined ? { ...info, detail } : info);
  if (e instanceof ServiceError) {
    return withDetail({ code: e.code, message: e.message, ...(e.hint ? { hint: e.hint } : {}) });
  }
  if (e instanceof InputError) {
    return withDetail({ code: 'input', message: messageWithoutHint(e.message, e.hint), ...(e.hint ? { hint: e.hint } : {}) });
  }
  if (e instanceof ZodError) {
    return withDetail({ code: 'invalid-params', message: describeZodError(e, `params of ${opts.what ?? 'the request'}`), hint: 'Check the request against the protocol (engine/protocol/methods.ts)' });
  }
  const message = e instanceof Error ? e.message : String(e);
  return withDetail({
    code: 'internal',
    message: `Something went wrong inside Kinscan: ${firstLine(message)}. Please report it`,
    hint: 'Report it with what you were doing and the Kinscan version (Help > About)',
  });
}

/** The first line of a message, without a trailing period, at most 500 characters (never a stack). */
function firstLine(s: string): string {
  const line = (s.split('\n')[0] ?? '').trim().replace(/\.$/, '');
  return line.length > 500 ? `${line.slice(0, 497)}...` : line || 'an unknown error';
}
