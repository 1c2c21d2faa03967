/**
 * The contract between the desktop app's main process and the engine it forks
 * (engine/service/hosts/utility-process.ts, an Electron utility process; node's worker_threads in
 * the tests): the options the engine starts with, and the control messages the main process sends
 * on the engine's parent port. Requests, responses and events never travel here: they go over a
 * MessagePort that comes with a 'connect' message, straight between a page (or the main process's
 * own client) and the engine.
 */
import { z } from 'zod';

/** The environment variable that carries the engine's options (JSON of EngineHostOptions). */
export const ENGINE_OPTIONS_ENV = 'KINSCAN_ENGINE_OPTIONS';

const folder = z
  .string()
  .min(1)
  .max(4096)
  .refine((s) => !s.includes('\u0000'), { message: 'must not contain a NUL character' });

export const engineHostOptionsSchema = z
  .object({
    /** Where the engine keeps its own state: the recent projects, the example project's copy. */
    stateDir: folder,
    /** Where the bundled example data lives (resources/example, or the packaged app's copy). */
    exampleDir: folder,
    /** The folder every path of the protocol is confined to (the desktop app: the file system's root). */
    filesRoot: folder,
    /** Error responses carry stack traces (`detail`). */
    developer: z.boolean(),
  })
  .strict();
export type EngineHostOptions = z.infer<typeof engineHostOptionsSchema>;

/**
 * 'connect': serve the MessagePort that comes with this message (Electron: the event's ports[0];
 * worker_threads: the message's `port`, which is in its transfer list).
 * 'shutdown': close every port, the service (its project, queue and workers), then exit.
 */
export const engineControlSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('connect') }),
  z.object({ type: z.literal('shutdown') }),
]);
export type EngineControl = z.infer<typeof engineControlSchema>;

/** Exit code of an engine that could not start (bad options, a service that failed to build). */
export const ENGINE_EXIT_START_FAILED = 3;
