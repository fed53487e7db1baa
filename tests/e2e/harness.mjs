// Starts the real stack for end-to-end tests: the OZmap mock (when asked)
// and `wrangler dev` (workerd with local KV and Queues), each on a free
// loopback port, with state in a fresh temporary directory.
import { spawn } from 'node:child_process';
import { mkdtempSync, existsSync, copyFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export const ROOT = resolve(import.meta.dirname, '../..');

export async function freePort() {
  return new Promise((ok, fail) => {
    const s = createServer();
    s.once('error', fail);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => ok(port));
    });
  });
}

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/**
 * Polls `fn` until it returns a truthy value or `timeoutMs` passes; stops at
 * once when `gone()` says there is nothing left to wait for.
 */
export async function until(fn, { timeoutMs = 60_000, everyMs = 250, what = 'condition', gone = () => false } = {}) {
  const end = Date.now() + timeoutMs;
  let last;
  while (Date.now() < end) {
    if (gone()) throw new Error(`gave up waiting for ${what}: the process exited`);
    try {
      const v = await fn();
      if (v) return v;
    } catch (e) {
      last = e;
    }
    await sleep(everyMs);
  }
  throw new Error(`timed out waiting for ${what}${last ? `: ${last.message}` : ''}`);
}

function spawnLogged(name, cmd, args, opts) {
  const child = spawn(cmd, args, { ...opts, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  const log = [];
  const keep = (d) => log.push(d.toString());
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  // The tail, for error messages; the whole of it, for checks on what was logged.
  child.log = () => `--- ${name} ---\n${log.slice(-400).join('')}`;
  child.transcript = () => log.join('');
  return child;
}

function kill(child) {
  if (child && child.exitCode === null) {
    try {
      process.kill(-child.pid, 'SIGTERM');
    } catch {}
  }
}

/** Starts the OZmap mock binary (built by `make test` beforehand). */
export async function startMock(args = []) {
  const port = await freePort();
  const bin = join(ROOT, 'target/release/ozmap-mock');
  const child = spawnLogged('ozmap-mock', bin, ['--port', String(port), ...args], { cwd: ROOT });
  const url = `http://127.0.0.1:${port}`;
  await until(async () => (await fetch(`${url}/healthz`)).ok, { what: 'the OZmap mock', timeoutMs: 30_000, gone: () => child.exitCode !== null }).catch((e) => {
    kill(child);
    throw new Error(`${e.message}\n${child.log()}`);
  });
  return { url, port, child, stop: () => kill(child) };
}

/**
 * Starts `wrangler dev` on a free port with fresh local state. `logLevel`
 * `log` also prints every request and the Worker's own console lines.
 */
export async function startWorker({ vars = {}, logLevel = 'warn' } = {}) {
  const port = await freePort();
  const inspector = await freePort();
  const state = mkdtempSync(join(tmpdir(), 'wrangler-state-'));
  if (!existsSync(join(ROOT, '.dev.vars'))) copyFileSync(join(ROOT, '.dev.vars.example'), join(ROOT, '.dev.vars'));
  const varArgs = Object.entries(vars).flatMap(([k, v]) => ['--var', `${k}:${v}`]);
  const child = spawnLogged(
    'wrangler dev',
    join(ROOT, 'node_modules/.bin/wrangler'),
    ['dev', '--ip', '127.0.0.1', '--port', String(port), '--inspector-port', String(inspector),
      '--test-scheduled', '--persist-to', state, '--show-interactive-dev-session=false', '--log-level', logLevel, ...varArgs],
    { cwd: ROOT, env: { ...process.env, WRANGLER_SEND_METRICS: 'false', CLOUDFLARE_CF_FETCH_ENABLED: 'false', CI: 'true' } },
  );
  const url = `http://127.0.0.1:${port}`;
  await until(async () => (await fetch(`${url}/healthz`)).ok, { what: 'wrangler dev', timeoutMs: 180_000, everyMs: 500, gone: () => child.exitCode !== null }).catch((e) => {
    kill(child);
    throw new Error(`${e.message}\n${child.log()}`);
  });
  return {
    url,
    port,
    child,
    log: () => child.log(),
    /** Everything wrangler and the Worker printed so far. */
    transcript: () => child.transcript(),
    /** Fires the daily cron through wrangler's local scheduled route. */
    fireCron: () => fetch(`${url}/__scheduled?cron=${encodeURIComponent('0 6 * * *')}`),
    stop: () => {
      kill(child);
      rmSync(state, { recursive: true, force: true });
    },
  };
}
