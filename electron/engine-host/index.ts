/**
 * Engine host: the entry script of the Electron utility process
 * (`utilityProcess.fork` from electron/main/engine-host.ts). It relays request
 * envelopes from the main process to the engine and posts responses and events
 * back. It imports engine/protocol only; `process.parentPort` is a global that
 * Electron provides in a utility process.
 *
 * TODO(scan): scans are routed here, never run in the main process: long work runs
 * in this process so the UI and the main process stay responsive (see handle.ts).
 */
import { handleRequest } from './handle.js';

const ctx = { version: process.env['KINSCAN_VERSION'] ?? '0.0.0' };
const port = process.parentPort;

port.on('message', (message) => {
  void handleRequest(message.data, ctx).then((response) => port.postMessage(response));
});
