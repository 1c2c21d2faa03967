/**
 * The engine's side of a MessagePort, whichever runtime made it. Electron's MessagePortMain (in the
 * utility process) delivers `{ data, ports }` events and queues messages until start(); node's
 * worker_threads MessagePort delivers the value itself and starts when a listener is added. Both
 * send by structured clone, so typed arrays arrive as typed arrays. servePort speaks to HostPort
 * only; these two adapters are the only place the difference lives.
 */
import type { MessagePort as NodeMessagePort } from 'node:worker_threads';
import type { EngineMessage } from '../../protocol/api.js';

export interface HostPort {
  /** Send one message to the other side (structured clone). Throws if the value cannot be cloned. */
  post(message: EngineMessage): void;
  /** Every message that arrives, as sent (not yet validated). */
  onMessage(listener: (data: unknown) => void): void;
  /** The other side went away (its page reloaded or closed, its process died). */
  onClose(listener: () => void): void;
  close(): void;
}

/** What Electron's MessagePortMain offers (structurally: the engine does not import Electron). */
export interface ElectronMessagePort {
  postMessage(message: unknown): void;
  on(event: 'message', listener: (event: { data: unknown }) => void): unknown;
  on(event: 'close', listener: () => void): unknown;
  start(): void;
  close(): void;
}

export function fromElectronPort(port: ElectronMessagePort): HostPort {
  return {
    post: (message) => port.postMessage(message),
    onMessage(listener) {
      port.on('message', (event) => listener(event.data));
      port.start();
    },
    onClose: (listener) => void port.on('close', listener),
    close: () => port.close(),
  };
}

export function fromNodePort(port: NodeMessagePort): HostPort {
  return {
    post: (message) => port.postMessage(message),
    onMessage: (listener) => void port.on('message', listener),
    onClose: (listener) => void port.on('close', listener),
    close: () => port.close(),
  };
}
