/**
 * The preload's main-world half (electron/preload/main-world.ts). contextBridge.executeInMainWorld
 * serializes the function and runs it in the page's world, so here its source text runs in a
 * separate realm (node:vm), with nothing of this module around it: it must define
 * `kinscan` there by itself, answer results, and turn error outcomes into that realm's Errors with
 * the code and hint a KinscanError has.
 */
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import type { KinscanEvent } from '../../engine/protocol/api.js';
import { installKinscanApi, type BridgeRequest, type BridgeSubscribe } from '../../electron/preload/main-world.js';

interface PageWorld {
  kinscan: {
    call(method: string, params: unknown): Promise<unknown>;
    onEvent(listener: (event: KinscanEvent) => void): () => void;
  };
  Error: ErrorConstructor;
}

function installInNewRealm(request: BridgeRequest, subscribe: BridgeSubscribe): PageWorld {
  const world = runInNewContext('this') as PageWorld;
  const install = runInNewContext(`(${installKinscanApi.toString()})`, world) as typeof installKinscanApi;
  install(request, subscribe);
  return world;
}

describe('window.kinscan in the main world', () => {
  const listeners = new Set<(event: KinscanEvent) => void>();
  const request: BridgeRequest = async (method, params) =>
    method === 'app.ping'
      ? { result: { version: '1.2.3', protocol: 2, echo: params, series: new Float64Array([1.5, NaN]) } }
      : { error: { code: 'no-project', message: 'No project is open', hint: 'Open or create a project first' } };
  const subscribe: BridgeSubscribe = (listener) => {
    listeners.add(listener);
    return () => listeners.delete(listener);
  };
  const world = installInNewRealm(request, subscribe);

  it('is defined by the serialized function alone, frozen and not replaceable', () => {
    expect(Object.keys(world.kinscan).sort()).toEqual(['call', 'onEvent']);
    expect(Object.isFrozen(world.kinscan)).toBe(true);
    expect(Object.getOwnPropertyDescriptor(world, 'kinscan')).toMatchObject({ writable: false, configurable: false });
  });

  it('resolves with the result', async () => {
    const result = (await world.kinscan.call('app.ping', { a: 1 })) as { echo: unknown; series: Float64Array };
    expect(result).toMatchObject({ version: '1.2.3', echo: { a: 1 } });
    expect(Array.from(result.series)).toEqual([1.5, NaN]);
  });

  it("rejects with that world's Error named KinscanError, with code and hint", async () => {
    const error = await world.kinscan.call('project.info', {}).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(world.Error);
    expect(error).toMatchObject({ name: 'KinscanError', message: 'No project is open', code: 'no-project', hint: 'Open or create a project first' });
  });

  it('subscribes and unsubscribes event listeners', () => {
    const seen: KinscanEvent[] = [];
    const off = world.kinscan.onEvent((e) => seen.push(e));
    for (const l of listeners) l({ type: 'project', path: '/p.kinscan' });
    off();
    for (const l of listeners) l({ type: 'project', path: null });
    expect(seen).toEqual([{ type: 'project', path: '/p.kinscan' }]);
  });
});
