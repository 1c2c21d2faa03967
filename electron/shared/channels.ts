/** IPC channel names shared by the main process and the preload script. */
export const IPC = {
  /** renderer -> main: invoke with a RequestEnvelope, resolves to a ResponseEnvelope. */
  request: 'kinscan:request',
  /** main -> renderer: a KinscanEvent. */
  event: 'kinscan:event',
} as const;
