/**
 * Preload (sandboxed, context-isolated, CommonJS). It defines exactly one thing in the page,
 * `window.kinscan` (the protocol's KinscanApi: call, onEvent), and keeps everything else in the
 * isolated world:
 *   - the MessagePort to the engine that the main process sends on every page load and engine
 *     restart (IPC.port), with the API client over it (engine-connection.ts);
 *   - the native dialogs (engine/protocol/dialogs.ts), which go to the main process with
 *     ipcRenderer.invoke; the main process checks the sender frame and validates the params.
 * Outcomes cross to the main world as data and become Errors there (main-world.ts).
 */
import { contextBridge, ipcRenderer } from 'electron';
import { KinscanError, errorInfoSchema, type ErrorInfo, type KinscanEvent, type Unsubscribe } from '../../engine/protocol/api.js';
import { isDialogMethod } from '../../engine/protocol/dialogs.js';
import { IPC } from '../shared/channels.js';
import { createEngineConnection, type ClientPort } from '../shared/engine-connection.js';
import { installKinscanApi, type BridgeRequest, type BridgeSubscribe, type Outcome } from './main-world.js';

const MAX_REASON = 2000;

const connection = createEngineConnection();

ipcRenderer.on(IPC.port, (event) => {
  // A DOM MessagePort (typed as node's here: this tsconfig has no DOM library).
  const port = event.ports[0] as unknown as ClientPort | undefined;
  if (port) connection.attach(port);
});

ipcRenderer.on(IPC.engineDown, (_event, reason: unknown) => {
  connection.lost(typeof reason === 'string' && reason.length > 0 ? reason.slice(0, MAX_REASON) : 'The engine stopped');
});

function errorInfoOf(e: unknown): ErrorInfo {
  if (e instanceof KinscanError) return { code: e.code, message: e.message, ...(e.hint !== undefined ? { hint: e.hint } : {}) };
  return { code: 'internal', message: e instanceof Error ? e.message : String(e), hint: 'This is a bug in Kinscan; please report it.' };
}

/** The main process answers a dialog with an Outcome; anything else is a bug there. */
function dialogOutcome(raw: unknown): Outcome {
  if (typeof raw === 'object' && raw !== null) {
    if ('result' in raw) return { result: raw.result };
    if ('error' in raw) {
      const error = errorInfoSchema.safeParse(raw.error);
      if (error.success) return { error: error.data };
    }
  }
  return { error: { code: 'internal', message: 'The dialog answered with something unexpected', hint: 'This is a bug in Kinscan; please report it.' } };
}

const request: BridgeRequest = async (method, params) => {
  if (typeof method !== 'string') return { error: { code: 'bad-envelope', message: 'The method must be a string' } };
  if (isDialogMethod(method)) {
    try {
      return dialogOutcome(await ipcRenderer.invoke(IPC.dialog, { method, params }));
    } catch (e) {
      return { error: errorInfoOf(e) };
    }
  }
  return connection.request(method, params).then(
    (result) => ({ result }),
    (e: unknown) => ({ error: errorInfoOf(e) }),
  );
};

const subscribe: BridgeSubscribe = (listener: (event: KinscanEvent) => void): Unsubscribe => {
  if (typeof listener !== 'function') throw new TypeError('onEvent needs a function');
  return connection.onEvent(listener);
};

contextBridge.executeInMainWorld({ func: installKinscanApi, args: [request, subscribe] });
