// A bounded soak on loopback: mixed lookups (single and batch) and refreshes
// for SOAK_SECONDS (default 600) against wrangler dev and the mock, one of
// whose ISPs fails now and then. Reports 5xx (goal: zero), p99, and the
// workerd resident memory over time.
import { execFileSync } from 'node:child_process';
import { startMock, startWorker, sleep } from '../tests/e2e/harness.mjs';
import { api, integration, waitRun, LOOKUP } from '../tests/e2e/api.mjs';
import { rng, offset } from '../tests/e2e/geodesy.mjs';

const seconds = Number(process.env.SOAK_SECONDS || 600);
const mock = await startMock(['--isp', 'soak-a:A:51:2000', '--isp', 'soak-b:B:52:2000:-48.53,-27.60']);
const worker = await startWorker();
const rss = () => {
  try {
    const out = execFileSync('ps', ['-o', 'rss=', '-C', 'workerd'], { encoding: 'utf8' });
    return out.split('\n').filter(Boolean).reduce((s, x) => s + Number(x), 0) / 1024;
  } catch { return null; }
};
try {
  const a = api(worker.url);
  for (const [id, key] of [['soak-a', 'soak-a'], ['soak-b', 'soak-b']]) {
    const r = await a.put(`/v1/providers/${id}/integration`, integration(mock.url, key, id, 300));
    await waitRun(a, id, r.json.job.id);
  }
  const els = (await (await fetch(`${mock.url}/__mock/isps/soak-a/expected`)).json()).points;
  const rand = rng(9);
  const point = () => { const [lng, lat] = offset(els[Math.floor(rand() * els.length)], rand() * 360, rand() * 500); return { lat, lng }; };
  const lat = [];
  let n = 0, errors = 0, refreshes = 0;
  const memory = [rss()];
  const end = Date.now() + seconds * 1000;
  let lastRefresh = Date.now();
  const workers = Array.from({ length: 4 }, async (_, w) => {
    while (Date.now() < end) {
      const t = performance.now();
      const res = n % 10 === 0
        ? await fetch(`${worker.url}/v1/lookup`, { method: 'POST', headers: { Authorization: `Bearer ${LOOKUP}`, 'Content-Type': 'application/json' }, body: JSON.stringify({ points: Array.from({ length: 100 }, point) }) })
        : await fetch(`${worker.url}/v1/lookup?lat=${point().lat}&lng=${point().lng}`, { headers: { Authorization: `Bearer ${LOOKUP}` } });
      await res.arrayBuffer();
      lat.push(performance.now() - t);
      n++;
      if (res.status >= 500) errors++;
      if (w === 0 && Date.now() - lastRefresh > 15_000) {
        lastRefresh = Date.now();
        refreshes++;
        await fetch(`${mock.url}/__mock/isps/soak-b/faults`, { method: 'PUT', body: JSON.stringify(refreshes % 3 === 0 ? { fail_rate: 0.5 } : {}) });
        await a.post(`/v1/providers/soak-${refreshes % 2 ? 'a' : 'b'}/refresh`);
        memory.push(rss());
      }
    }
  });
  await Promise.all(workers);
  await sleep(1000);
  lat.sort((x, y) => x - y);
  console.log(JSON.stringify({ seconds, requests: n, errors_5xx: errors, refreshes, p50_ms: lat[Math.floor(lat.length / 2)], p99_ms: lat[Math.floor(lat.length * 0.99)],
    workerd_rss_mb_first: memory[0], workerd_rss_mb_max: Math.max(...memory.filter(Boolean)), workerd_rss_mb_last: memory[memory.length - 1] }));
} finally {
  worker.stop();
  mock.stop();
}
