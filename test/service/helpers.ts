/**
 * A KinscanService in a temporary folder, driven through the real dispatcher and the real API
 * client (in process: the transports have their own tests), with every event recorded.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { createApiClient, type ApiClient } from '../../engine/protocol/client.js';
import type { KinscanEvent, ProgressEvent, RunStatusEvent } from '../../engine/protocol/api.js';
import { createDispatcher, KinscanService, type Dispatcher, type KinscanServiceOptions } from '../../engine/service/index.js';
import { MOUSE, ROOT } from '../store/helpers.js';

export interface Harness {
  service: KinscanService;
  dispatcher: Dispatcher;
  api: ApiClient;
  events: KinscanEvent[];
  /** The first event matching `pred` among those recorded from index `since` (default: from now on), within `ms`. */
  waitFor<E extends KinscanEvent>(pred: (e: KinscanEvent) => e is E, since?: number, ms?: number): Promise<E>;
  /** The run's first final runStatus event (done, cancelled or failed) from event index `since` (default 0). */
  finished(runId: number, since?: number): Promise<RunStatusEvent>;
  close(): Promise<void>;
}

export const isStatus =
  (runId: number, ...statuses: RunStatusEvent['status'][]) =>
  (e: KinscanEvent): e is RunStatusEvent =>
    e.type === 'runStatus' && e.runId === runId && statuses.includes(e.status);

export const isProgress =
  (runId: number, stage?: ProgressEvent['stage']) =>
  (e: KinscanEvent): e is ProgressEvent =>
    e.type === 'progress' && e.runId === runId && (stage === undefined || e.stage === stage);

/** A service whose files root is `dir`, with its state in dir/state. */
export function harness(dir: string, opts: Partial<KinscanServiceOptions> & { developer?: boolean } = {}): Harness {
  mkdirSync(join(dir, 'state'), { recursive: true });
  const service = new KinscanService({
    exampleDir: join(ROOT, 'resources', 'example'),
    recentFile: join(dir, 'state', 'recent.json'),
    filesRoot: dir,
    threads: 2,
    ...opts,
  });
  const dispatcher = createDispatcher(service, { developer: opts.developer ?? true });
  const events: KinscanEvent[] = [];
  const waiters = new Set<(e: KinscanEvent) => void>();
  const api: ApiClient = createApiClient({
    send: (request) => {
      void dispatcher.handle(request).then((response) => api.receive(response));
    },
  });
  dispatcher.onEvent((event) => {
    events.push(event);
    api.receive({ event });
    for (const w of [...waiters]) w(event);
  });
  const waitFor = <E extends KinscanEvent>(pred: (e: KinscanEvent) => e is E, since = events.length, ms = 30_000): Promise<E> =>
    new Promise<E>((resolve, reject) => {
      const seen = events.slice(since).find(pred);
      if (seen) return resolve(seen);
      const timer = setTimeout(() => {
        waiters.delete(w);
        reject(new Error(`no such event within ${ms} ms`));
      }, ms);
      const w = (e: KinscanEvent): void => {
        if (!pred(e)) return;
        clearTimeout(timer);
        waiters.delete(w);
        resolve(e);
      };
      waiters.add(w);
    });
  return {
    service,
    dispatcher,
    api,
    events,
    waitFor,
    finished: (runId, since = 0) => waitFor(isStatus(runId, 'done', 'cancelled', 'failed'), since),
    close: () => dispatcher.close(),
  };
}

export { MOUSE };
