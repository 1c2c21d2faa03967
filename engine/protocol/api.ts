/**
 * The protocol every host speaks: the Electron utility process over a MessagePort, `kinscan serve`
 * over a WebSocket. Types and zod schemas only; nothing of the engine's internals, so the renderer,
 * the preload and every host may import it.
 *
 * Wire format (JSON-like values; typed arrays travel as they are over a MessagePort and as binary
 * frames over a WebSocket, see wire.ts):
 *   request   { id, method, params }
 *   response  { id, result } | { id, error: { code, message, hint?, detail? } }
 *   event     { event: KinscanEvent }          (no id: unsolicited)
 * The one dispatcher (engine/service/dispatcher.ts) validates every request's params with
 * `methods[method].params` where untrusted data enters, and never answers with a stack trace
 * (`detail` carries one only when the host runs with the developer flag).
 */
import { z } from 'zod';
import { methods } from './methods.js';

export { methods };

/** Bumped when a message shape changes incompatibly. */
export const PROTOCOL_VERSION = 2;

// ---------------------------------------------------------------- envelopes

export const requestEnvelopeSchema = z
  .object({
    id: z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER),
    method: z.string().min(1).max(100),
    params: z.unknown(),
  })
  .strict();
export type RequestEnvelope = z.infer<typeof requestEnvelopeSchema>;

/**
 * What went wrong, for a biologist: `input` is a problem with their files or choices that the
 * message and hint tell them how to fix; `internal` is a bug to report.
 */
export const ERROR_CODES = [
  'bad-envelope',
  'unknown-method',
  'invalid-params',
  'input',
  'not-found',
  'conflict',
  'no-project',
  'cancelled',
  'unavailable',
  'internal',
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

export const errorInfoSchema = z.object({
  code: z.enum(ERROR_CODES),
  message: z.string(),
  hint: z.string().optional(),
  /** Only with the developer flag: the stack trace. */
  detail: z.string().optional(),
});
export type ErrorInfo = z.infer<typeof errorInfoSchema>;

export interface SuccessEnvelope<R = unknown> {
  id: number;
  result: R;
}
export interface ErrorEnvelope {
  id: number;
  error: ErrorInfo;
}
export type ResponseEnvelope<R = unknown> = SuccessEnvelope<R> | ErrorEnvelope;

export function isErrorEnvelope(r: ResponseEnvelope): r is ErrorEnvelope {
  return 'error' in r;
}

// ---------------------------------------------------------------- events

/** Stages of a run, in order. */
export const RUN_STAGES = ['queued', 'reading', 'qc', 'kinship', 'eigen', 'null-fit', 'scan', 'done'] as const;
export type RunStage = (typeof RUN_STAGES)[number];

export const progressEventSchema = z.object({
  type: z.literal('progress'),
  runId: z.number().int().positive(),
  stage: z.enum(RUN_STAGES),
  /** Units of this stage done (SNPs for qc, kinship and scan). */
  done: z.number().nonnegative(),
  total: z.number().nonnegative(),
  /** Units per second, recent average (0 while unknown). */
  rate: z.number().nonnegative(),
  /** Seconds left in the whole run; null while unknown. */
  etaSeconds: z.number().nonnegative().nullable(),
});
export type ProgressEvent = z.infer<typeof progressEventSchema>;

export const RUN_STATUSES = ['queued', 'running', 'done', 'failed', 'cancelled', 'interrupted'] as const;
export const runStatusEventSchema = z.object({
  type: z.literal('runStatus'),
  runId: z.number().int().positive(),
  status: z.enum(RUN_STATUSES),
  /** Why it failed, in words, when it did. */
  error: errorInfoSchema.optional(),
});
export type RunStatusEvent = z.infer<typeof runStatusEventSchema>;

export const projectEventSchema = z.object({
  type: z.literal('project'),
  /** The open project's path, or null when it was closed. */
  path: z.string().nullable(),
});
export type ProjectEvent = z.infer<typeof projectEventSchema>;

/** Stages of a genotype import: the file read (and stored), then, for a file out of order, the SNPs sorted. */
export const IMPORT_STAGES = ['reading', 'sorting'] as const;

/**
 * A genotype import under way (data.addGenotypes): sent while the file is read, at most about
 * ten a second, so that a long import shows how far it has come. The import's own answer
 * follows when it is done.
 */
export const importProgressEventSchema = z.object({
  type: z.literal('importProgress'),
  /** The file being imported, as data.addGenotypes was given it. */
  path: z.string(),
  stage: z.enum(IMPORT_STAGES),
  /** How much of the stage is done, 0 to 1; null when the reader cannot tell (a file read line by line with no count known up front). */
  fraction: z.number().min(0).max(1).nullable(),
  /** SNPs read so far (reading), or SNPs in all (sorting). */
  snps: z.number().int().nonnegative(),
});
export type ImportProgressEvent = z.infer<typeof importProgressEventSchema>;

export const kinscanEventSchema = z.discriminatedUnion('type', [progressEventSchema, runStatusEventSchema, projectEventSchema, importProgressEventSchema]);
export type KinscanEvent = z.infer<typeof kinscanEventSchema>;

export interface EventEnvelope {
  event: KinscanEvent;
}

/** Anything the engine side sends back: a response or an unsolicited event. */
export type EngineMessage = ResponseEnvelope | EventEnvelope;

// ---------------------------------------------------------------- methods

export type Methods = typeof methods;
export type MethodName = keyof Methods & string;
export type ParamsOf<M extends MethodName> = z.input<Methods[M]['params']>;
export type ResultOf<M extends MethodName> = z.output<Methods[M]['result']>;

export const METHOD_NAMES = Object.keys(methods) as MethodName[];

export function isMethodName(name: string): name is MethodName {
  return Object.prototype.hasOwnProperty.call(methods, name);
}

// ---------------------------------------------------------------- client API

/** Unsubscribes a listener. */
export type Unsubscribe = () => void;

/** The error a client call rejects with: the engine's code, message and hint. */
export class KinscanError extends Error {
  readonly code: ErrorCode;
  readonly hint: string | undefined;
  constructor(info: ErrorInfo) {
    super(info.message);
    this.name = 'KinscanError';
    this.code = info.code;
    this.hint = info.hint;
  }
}

/**
 * The shape of `window.kinscan` in the renderer, whichever host is behind it (the Electron preload
 * over a MessagePort, or the WebSocket client of `kinscan serve`). Calls reject with a KinscanError.
 */
export interface KinscanApi {
  call<M extends MethodName>(method: M, params: ParamsOf<M>): Promise<ResultOf<M>>;
  onEvent(listener: (event: KinscanEvent) => void): Unsubscribe;
}
