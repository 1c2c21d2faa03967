/**
 * `kinscan serve` as a user runs it (the built CLI, bin/kinscan.js): its flags, the URL it prints,
 * a session through that URL, and SIGTERM / Ctrl-C closing the server and the service (the open
 * project released) so that the process exits by itself with 0.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, realpathSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { rendererDir } from '../../server/package-root.js';
import { tempDir } from '../helpers/tmp.js';
import { connectClient, httpRequest, realEngine } from './helpers.js';
import type { RunningServer } from '../../server/serve.js';

const ROOT = join(import.meta.dirname, '..', '..');
const CLI = join(ROOT, 'bin', 'kinscan.js');
const built = existsSync(join(rendererDir(), 'index.html'));

function run(args: string[], env: NodeJS.ProcessEnv = {}): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync('node', [CLI, ...args], { encoding: 'utf8', env: { ...process.env, ...env }, timeout: 20_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** The first line the child prints on stdout (bounded wait). */
function firstLine(child: ChildProcess): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = '';
    const timer = setTimeout(() => reject(new Error(`no URL within 20 s; got '${text}'`)), 20_000);
    child.stdout?.on('data', (d: Buffer) => {
      text += d.toString();
      const nl = text.indexOf('\n');
      if (nl >= 0) {
        clearTimeout(timer);
        resolve(text.slice(0, nl));
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`exited with ${code} before printing a URL`));
    });
  });
}

/** The exit code (bounded wait; the child is killed past it and the test fails). */
function exitCode(child: ChildProcess, limitMs = 10_000): Promise<number | null> {
  return new Promise((resolve, reject) => {
    if (child.exitCode !== null) return resolve(child.exitCode);
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`did not exit within ${limitMs / 1000} s`));
    }, limitMs);
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve(code);
    });
  });
}

/** A RunningServer-shaped view of the child's URL, for the test client. */
function remote(url: string): RunningServer {
  const u = new URL(url);
  return { url, port: Number(u.port), token: u.searchParams.get('token') ?? '', address: () => ({ address: u.hostname, family: 'IPv4', port: Number(u.port) }), close: async () => undefined };
}

describe('kinscan serve (the command)', () => {
  it('answers --help and refuses bad flags with exit 2', () => {
    const help = run(['serve', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/kinscan serve \[--port N\] \[--open\] \[--root DIR\] \[--developer\]/);
    expect(run(['--help']).stdout).toMatch(/kinscan serve/);
    for (const args of [['--port', '70000'], ['--port', 'x'], ['--root', '/nonexistent/kinscan'], ['--bogus']]) {
      const r = run(['serve', ...args]);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr).not.toMatch(/\n\s+at /);
    }
  });

  it.skipIf(built)('says how to build the browser app when out/renderer is missing', () => {
    const r = run(['serve', '--root', tempDir()], { KINSCAN_STATE_DIR: join(tempDir(), 'state') });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/npm run build:app/);
  });

  it.skipIf(!built)(
    built ? 'prints the URL, serves a session through it, and closes on SIGTERM and on Ctrl-C' : 'skipped: the renderer is not built (npm run build:app)',
    async () => {
      const root = realpathSync(tempDir('kinscan-serve-cli-'));
      const state = join(root, '.state');
      mkdirSync(state);
      for (const signal of ['SIGTERM', 'SIGINT'] as const) {
        const child = spawn('node', [CLI, 'serve', '--root', root], { env: { ...process.env, KINSCAN_STATE_DIR: state }, stdio: ['ignore', 'pipe', 'pipe'] });
        let stderr = '';
        child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
        try {
          const url = await firstLine(child);
          expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/\?token=[0-9a-f]{32}$/);
          expect(stderr).toContain(`serving the files under ${root}`);
          const server = remote(url);
          expect((await httpRequest(server.port, '/')).status).toBe(401);
          expect((await httpRequest(server.port, `/?token=${server.token}`)).status).toBe(303);
          const client = connectClient(server);
          const project = `${signal}.kinscan`;
          await client.call('project.create', { path: project });
          expect((await client.call('project.info', {})).path).toBe(join(root, project));
          child.kill(signal);
          expect(await exitCode(child)).toBe(0);
          expect(stderr).toContain(`${signal}: closing`);
          await expect(client.call('app.ping', {})).rejects.toMatchObject({ code: 'unavailable' });
          // The project was closed: another host opens it for writing.
          const other = realEngine(root);
          try {
            const opened = await other.dispatcher.handle({ id: 1, method: 'project.open', params: { path: project } });
            expect('result' in opened ? opened.result : opened.error).toMatchObject({ path: join(root, project), readonly: false, uncleanClose: false });
          } finally {
            await other.dispatcher.close();
          }
        } finally {
          if (child.exitCode === null) child.kill('SIGKILL');
        }
      }
    },
    60_000,
  );
});
