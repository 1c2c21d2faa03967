/**
 * The checks on a dialog request from a page, before the main process shows anything: the sender
 * must be the app's own page in the window's top frame (not a frame inside it), and the request
 * must be one of engine/protocol/dialogs.ts with valid params. Pure, so the tests check it under
 * Node; electron/main/dialogs.ts shows the dialogs.
 */
import type { ErrorInfo } from '../../engine/protocol/api.js';
import { dialogMethods, dialogRequestSchema, type DialogMethodName } from '../../engine/protocol/dialogs.js';
import type { z } from 'zod';

export interface SenderFrame {
  url: string;
  /** The frame is its window's top frame. */
  top: boolean;
}

export type ValidDialogRequest = {
  [M in DialogMethodName]: { method: M; params: z.output<(typeof dialogMethods)[M]['params']> };
}[DialogMethodName];

export function checkDialogRequest(
  sender: SenderFrame | null,
  raw: unknown,
  isAppUrl: (url: string) => boolean,
): { ok: ValidDialogRequest } | { error: ErrorInfo } {
  if (!sender || !sender.top || !isAppUrl(sender.url)) {
    return { error: { code: 'bad-envelope', message: 'A dialog was asked for by a page that is not Kinscan' } };
  }
  const request = dialogRequestSchema.safeParse(raw);
  if (!request.success) return { error: { code: 'bad-envelope', message: 'Malformed dialog request' } };
  const { method, params } = request.data;
  const parsed = dialogMethods[method].params.safeParse(params);
  if (!parsed.success) {
    const first = parsed.error.issues[0];
    const where = first && first.path.length > 0 ? first.path.join('.') : 'params';
    return { error: { code: 'invalid-params', message: `Invalid params for ${method}: ${where}: ${first?.message ?? 'invalid'}` } };
  }
  return { ok: { method, params: parsed.data } as ValidDialogRequest };
}
