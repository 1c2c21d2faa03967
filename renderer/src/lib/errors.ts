import type { ErrorCode } from '../../../engine/protocol/api.js';

/** An error as the UI shows it: what happened, and what to do (the engine's hint), never a stack. */
export interface ShownError {
  message: string;
  hint: string | null;
  code: ErrorCode | 'internal';
}

function isEngineError(e: unknown): e is { message: string; code: ErrorCode; hint?: string } {
  return typeof e === 'object' && e !== null && typeof (e as { code?: unknown }).code === 'string' && typeof (e as { message?: unknown }).message === 'string';
}

/** Anything thrown, as words: a KinscanError keeps its code and hint (checked by shape: errors from the preload cross a realm). */
export function shownError(e: unknown): ShownError {
  if (isEngineError(e)) return { message: e.message, hint: e.hint ?? null, code: e.code };
  return { message: e instanceof Error ? e.message : String(e), hint: null, code: 'internal' };
}

/** A user-readable message from anything thrown. */
export function messageOf(e: unknown): string {
  return shownError(e).message;
}
