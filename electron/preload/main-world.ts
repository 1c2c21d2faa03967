/**
 * `window.kinscan` in the page's main world. contextBridge copies an Error across worlds with its
 * message only, so a KinscanError's code and hint would be lost on the way; instead the preload's
 * bridge resolves every call with an outcome ({ result } or { error }) and this function, run in the
 * main world by contextBridge.executeInMainWorld, turns an error outcome back into an Error named
 * 'KinscanError' with `code` and `hint`, as the WebSocket client's KinscanError has them.
 *
 * contextBridge serializes this function: it must use nothing from outside itself (no imports, no
 * helpers, no closures); test/hosts/main-world.test.ts runs its source text in a separate realm.
 */
import type { ErrorInfo, KinscanEvent, Unsubscribe } from '../../engine/protocol/api.js';

export type Outcome = { result: unknown } | { error: ErrorInfo };
export type BridgeRequest = (method: string, params: unknown) => Promise<Outcome>;
export type BridgeSubscribe = (listener: (event: KinscanEvent) => void) => Unsubscribe;

export function installKinscanApi(request: BridgeRequest, subscribe: BridgeSubscribe): void {
  const call = (method: string, params: unknown): Promise<unknown> =>
    request(method, params).then((outcome) => {
      if ('error' in outcome) {
        const error = new Error(outcome.error.message);
        error.name = 'KinscanError';
        Object.defineProperty(error, 'code', { value: outcome.error.code, enumerable: true });
        Object.defineProperty(error, 'hint', { value: outcome.error.hint, enumerable: true });
        throw error;
      }
      return outcome.result;
    });
  const onEvent = (listener: (event: KinscanEvent) => void): Unsubscribe => subscribe(listener);
  Object.defineProperty(globalThis, 'kinscan', {
    value: Object.freeze({ call, onEvent }),
    enumerable: true,
    configurable: false,
    writable: false,
  });
}
