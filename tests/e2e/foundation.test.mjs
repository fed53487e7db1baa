// The chain is real: workerd serves HTTP, the cron enqueues, the queue
// consumer runs and writes KV, and the page's assets are served.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startWorker, until } from './harness.mjs';

let worker;
before(async () => {
  worker = await startWorker();
});
after(() => worker?.stop());

test('healthz answers with the build version', async () => {
  const res = await fetch(`${worker.url}/healthz`);
  assert.equal(res.status, 200);
  const body = await res.json();
  assert.equal(body.status, 'ok');
  assert.match(body.version, /^\d+\.\d+\.\d+$/);
  assert.equal(body.last_daily_run_ms, null, 'no daily run before the cron fires');
});

test('the cron enqueues and the queue consumer writes KV', async () => {
  const fired = await worker.fireCron();
  assert.equal(fired.status, 200, await fired.text());
  const body = await until(async () => {
    const b = await (await fetch(`${worker.url}/healthz`)).json();
    return b.last_daily_run_ms !== null && b;
  }, { what: 'the queue consumer to record the daily run', timeoutMs: 60_000 });
  assert.ok(body.last_daily_run_ms > 1_600_000_000_000, `a real timestamp: ${body.last_daily_run_ms}`);
});

test('the integrations page is served as a static asset', async () => {
  const res = await fetch(`${worker.url}/`);
  assert.equal(res.status, 200);
  assert.match(await res.text(), /lang="pt-BR"/);
});

test('unknown API routes are a JSON 404', async () => {
  const res = await fetch(`${worker.url}/v1/nope`);
  assert.equal(res.status, 404);
  assert.equal((await res.json()).error.code, 'not_found');
});
