/**
 * The Electron-free parts of the desktop app's main process: which URLs are the app's own page,
 * which requests would reach the network, the checks on a dialog request (sender frame, params),
 * when a dead engine is restarted, and how its death is described.
 */
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ENGINE_EXIT_START_FAILED } from '../engine/protocol/engine-host.js';
import { isAppUrl, isBlockedRequest, type AppLocation } from '../electron/main/app-url.js';
import { checkDialogRequest } from '../electron/main/dialog-request.js';
import { describeEngineExit, LineTail } from '../electron/main/engine-exit.js';
import { RestartPolicy } from '../electron/main/restart-policy.js';

const INDEX = join('/opt', 'Kinscan', 'out', 'renderer', 'index.html');
const built: AppLocation = { devServerUrl: undefined, rendererIndexFile: INDEX };
const dev: AppLocation = { devServerUrl: 'http://localhost:5173/', rendererIndexFile: INDEX };
const indexUrl = pathToFileURL(INDEX).href;

describe('the app page', () => {
  it('is exactly the built index.html, with any query or hash', () => {
    expect(isAppUrl(indexUrl, built)).toBe(true);
    expect(isAppUrl(`${indexUrl}?x=1#/runs`, built)).toBe(true);
    expect(isAppUrl(pathToFileURL('/tmp/dropped.html').href, built)).toBe(false);
    expect(isAppUrl(pathToFileURL(`${INDEX}.evil`).href, built)).toBe(false);
    expect(isAppUrl('https://example.org/', built)).toBe(false);
    expect(isAppUrl('not a url', built)).toBe(false);
  });

  it("is the dev server's origin under electron-vite dev", () => {
    expect(isAppUrl('http://localhost:5173/src/App.svelte', dev)).toBe(true);
    expect(isAppUrl('http://localhost:5174/', dev)).toBe(false);
    expect(isAppUrl('http://localhost:5173.evil.org/', dev)).toBe(false);
    expect(isAppUrl(indexUrl, dev)).toBe(false);
  });

  it('loads nothing from the network (only the dev server and its socket in dev), and no file outside the renderer', () => {
    for (const url of ['https://example.org/a.js', 'http://127.0.0.1:8080/', 'wss://x.org/', 'ftp://x.org/f']) {
      expect(isBlockedRequest(url, built)).toBe(true);
      expect(isBlockedRequest(url, dev)).toBe(true);
    }
    const asset = pathToFileURL(join('/opt', 'Kinscan', 'out', 'renderer', 'assets', 'index-1.js')).href;
    for (const url of [indexUrl, asset, 'data:image/png;base64,AA==', 'devtools://devtools/bundled/x.html', 'blob:file:///x']) {
      expect(isBlockedRequest(url, built)).toBe(false);
    }
    for (const file of ['/etc/passwd', '/opt/Kinscan/out/renderer.html', '/opt/Kinscan/out/main/index.js', '/opt/Kinscan/out/renderer']) {
      expect(isBlockedRequest(pathToFileURL(file).href, built)).toBe(true);
    }
    expect(isBlockedRequest('file:///opt/Kinscan/out/renderer/assets/../../main/index.js', built)).toBe(true);
    expect(isBlockedRequest('http://localhost:5173/@vite/client', dev)).toBe(false);
    expect(isBlockedRequest('ws://localhost:5173/', dev)).toBe(false);
    expect(isBlockedRequest('http://localhost:5173/', built)).toBe(true);
  });
});

describe('dialog requests', () => {
  const ours = (url: string): boolean => isAppUrl(url, built);
  const top = { url: indexUrl, top: true };

  it('accept the app page in its top frame with valid params', () => {
    expect(checkDialogRequest(top, { method: 'dialog.openFile', params: { multiple: true, filters: [{ name: 'PLINK', extensions: ['bed'] }] } }, ours)).toEqual({
      ok: { method: 'dialog.openFile', params: { multiple: true, filters: [{ name: 'PLINK', extensions: ['bed'] }] } },
    });
    expect(checkDialogRequest(top, { method: 'dialog.saveFile', params: { defaultName: 'hits.tsv' } }, ours)).toEqual({
      ok: { method: 'dialog.saveFile', params: { defaultName: 'hits.tsv' } },
    });
  });

  it('refuse other pages, frames inside the page, and no frame', () => {
    const request = { method: 'dialog.openFile', params: {} };
    for (const sender of [null, { url: indexUrl, top: false }, { url: 'https://example.org/', top: true }, { url: pathToFileURL('/tmp/x.html').href, top: true }]) {
      expect(checkDialogRequest(sender, request, ours)).toMatchObject({ error: { code: 'bad-envelope' } });
    }
  });

  it('refuse unknown methods, malformed requests and invalid params', () => {
    expect(checkDialogRequest(top, { method: 'dialog.rmrf', params: {} }, ours)).toMatchObject({ error: { code: 'bad-envelope' } });
    expect(checkDialogRequest(top, 'dialog.openFile', ours)).toMatchObject({ error: { code: 'bad-envelope' } });
    expect(checkDialogRequest(top, { method: 'dialog.openFile', params: {}, extra: 1 }, ours)).toMatchObject({ error: { code: 'bad-envelope' } });
    expect(checkDialogRequest(top, { method: 'dialog.openFile', params: { multiple: 'yes' } }, ours)).toMatchObject({
      error: { code: 'invalid-params', message: expect.stringContaining('multiple') },
    });
    expect(checkDialogRequest(top, { method: 'dialog.saveFile', params: { defaultName: '../../.bashrc' } }, ours)).toMatchObject({ error: { code: 'invalid-params' } });
    expect(checkDialogRequest(top, { method: 'dialog.openFile', params: { filters: [{ name: 'x', extensions: ['b d'] }] } }, ours)).toMatchObject({ error: { code: 'invalid-params' } });
  });
});

describe('engine restarts', () => {
  it('restarts at once, then with doubling delays, and gives up on a crash loop', () => {
    const policy = new RestartPolicy({ maxRestarts: 4, windowMs: 60_000, firstDelayMs: 250, maxDelayMs: 1000 });
    expect([0, 1000, 2000, 3000].map((t) => policy.onDeath(t))).toEqual([250, 500, 1000, 1000]);
    expect(policy.onDeath(4000)).toBeUndefined();
  });

  it('forgets deaths older than the window', () => {
    const policy = new RestartPolicy({ maxRestarts: 2, windowMs: 10_000, firstDelayMs: 100 });
    expect(policy.onDeath(0)).toBe(100);
    expect(policy.onDeath(1000)).toBe(200);
    expect(policy.onDeath(20_000)).toBe(100);
  });

  it('describes a death with its exit code, fatal error and the end of its stderr', () => {
    expect(describeEngineExit({ code: 1, stderrTail: [] })).toBe('The engine stopped unexpectedly (exit code 1)');
    expect(describeEngineExit({ code: ENGINE_EXIT_START_FAILED, stderrTail: ['kinscan engine: KINSCAN_ENGINE_OPTIONS is not set'] })).toBe(
      'The engine could not start. kinscan engine: KINSCAN_ENGINE_OPTIONS is not set',
    );
    expect(describeEngineExit({ code: 133, fatal: 'FatalError at v8::ToLocalChecked', stderrTail: ['a', 'b'] })).toBe(
      'The engine stopped unexpectedly (exit code 133). fatal error: FatalError at v8::ToLocalChecked. a\nb',
    );
    expect(describeEngineExit({ code: 1, stderrTail: ['x'.repeat(5000)] }).length).toBeLessThan(1600);
  });

  it('keeps the last lines of stderr across chunks', () => {
    const tail = new LineTail(2);
    tail.push('Error: no');
    tail.push(' such file\n  at open\n');
    tail.push('\n  at main');
    expect(tail.tail).toEqual(['  at open', '  at main']);
    tail.push('\n');
    expect(tail.tail).toEqual(['  at open', '  at main']);
  });
});
