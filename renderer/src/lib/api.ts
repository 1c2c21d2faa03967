/**
 * The renderer's one way out: `window.kinscan` (the protocol's KinscanApi), whichever host is behind
 * it. `host` says which: 'desktop' when the Electron preload defined the API (native dialogs exist),
 * 'browser' when main.ts made it from the page's WebSocket (files are chosen with the host's
 * server-side file browser, `files.list`).
 */
import type { KinscanApi, MethodName, ParamsOf, ResultOf } from '../../../engine/protocol/api.js';

export type HostKind = 'desktop' | 'browser';

let hostKind: HostKind = 'browser';

/** Called once by main.ts before the app mounts. */
export function setHostKind(kind: HostKind): void {
  hostKind = kind;
}

export function host(): HostKind {
  return hostKind;
}

export function api(): KinscanApi {
  return window.kinscan;
}

/** One call of the application API; rejects with a KinscanError (code, message, hint). */
export function call<M extends MethodName>(method: M, params: ParamsOf<M>): Promise<ResultOf<M>> {
  return window.kinscan.call(method, params);
}

import type { z } from 'zod';
import type { dialogMethods, DialogMethodName } from '../../../engine/protocol/dialogs.js';

type DialogParams<M extends DialogMethodName> = z.input<(typeof dialogMethods)[M]['params']>;
type DialogResult<M extends DialogMethodName> = z.output<(typeof dialogMethods)[M]['result']>;

/**
 * A native dialog of the desktop app (the preload routes these to the main process; see
 * engine/protocol/dialogs.ts). Only when host() is 'desktop': a browser has the file browser instead.
 */
export function callDialog<M extends DialogMethodName>(method: M, params: DialogParams<M>): Promise<DialogResult<M>> {
  const untyped = window.kinscan.call as unknown as (m: string, p: unknown) => Promise<DialogResult<M>>;
  return untyped(method, params);
}
