/**
 * Preload (sandboxed, CommonJS): exposes exactly one object, `window.kinscan`.
 * It only forwards calls over IPC; validation happens in the main process.
 */
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import type {
  KinscanApi,
  KinscanEvent,
  MethodName,
  ParamsOf,
  RequestEnvelope,
  ResponseEnvelope,
  ResultOf,
} from '../../engine/protocol/api.js';
import { IPC } from '../shared/channels.js';

let nextId = 1;

async function call<M extends MethodName>(method: M, params: ParamsOf<M>): Promise<ResultOf<M>> {
  const request: RequestEnvelope = { id: nextId++, method, params };
  const response = (await ipcRenderer.invoke(IPC.request, request)) as ResponseEnvelope<ResultOf<M>>;
  if ('error' in response) throw new Error(response.error.message);
  return response.result;
}

const api: KinscanApi = {
  ping: () => call('ping', {}),
  openExample: () => call('openExample', {}),
  onEvent(listener) {
    const relay = (_e: IpcRendererEvent, event: KinscanEvent): void => listener(event);
    ipcRenderer.on(IPC.event, relay);
    return () => {
      ipcRenderer.removeListener(IPC.event, relay);
    };
  },
};

contextBridge.exposeInMainWorld('kinscan', api);
