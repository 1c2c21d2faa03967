/** IPC channel names shared by the main process and the preload script. */
export const IPC = {
  /** main -> page: a MessagePort to the engine (event.ports[0]), on every page load and engine restart. */
  port: 'kinscan:port',
  /** main -> page: the engine stopped; the payload is why, in words. A new port follows when it is back. */
  engineDown: 'kinscan:engine-down',
  /** page -> main (invoke): a native dialog, { method, params } of engine/protocol/dialogs.ts. */
  dialog: 'kinscan:dialog',
} as const;
