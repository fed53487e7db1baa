// P7 of anchors.md: /v1/lookup through local `wrangler dev` against a no-op
// route of the same Worker, interleaved in one run on loopback (bounded);
// then the latency of 1,000-point batch lookups.
// Usage: node bench/load.mjs [requests=20000] [concurrency=8]
import { startMock, startWorker } from '../tests/e2e/harness.mjs';
import { api, integration, waitRun, LOOKUP } from '../tests/e2e/api.mjs';
import { rng, offset } from '../tests/e2e/geodesy.mjs';

const total = Number(process.argv[2] || 20_000);
const concurrency = Number(process.argv[3] || 8);
const mock = await startMock(['--isp', 'load-key:Load:41:3000']);
const worker = await startWorker();
try {
  const a = api(worker.url);
  const r = await a.put('/v1/providers/isp-load/integration', integration(mock.url, 'load-key', 'Carga', 300));
  await waitRun(a, 'isp-load', r.json.job.id);
  const els = (await (await fetch(`${mock.url}/__mock/isps/load-key/expected`)).json()).points;
  const rand = rng(5);
  const urls = Array.from({ length: total }, (_, i) => {
    if (i % 2) return [`${worker.url}/v1/ping`, 'ping'];
    const [lng, lat] = offset(els[Math.floor(rand() * els.length)], rand() * 360, rand() * 500);
    return [`${worker.url}/v1/lookup?lat=${lat}&lng=${lng}`, 'lookup'];
  });
  const lat = { ping: [], lookup: [] };
  let errors = 0, next = 0;
  const headers = { Authorization: `Bearer ${LOOKUP}` };
  // Warm-up (KV cache, JIT), not counted.
  for (let i = 0; i < 200; i++) await (await fetch(urls[i][0], { headers })).arrayBuffer();
  const t0 = performance.now();
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (next < urls.length) {
      const [u, kind] = urls[next++];
      const t = performance.now();
      const res = await fetch(u, { headers });
      await res.arrayBuffer();
      lat[kind].push(performance.now() - t);
      if (res.status >= 500) errors++;
    }
  }));
  const secs = (performance.now() - t0) / 1000;
  const q = (v, p) => v.sort((x, y) => x - y)[Math.min(v.length - 1, Math.floor(p * v.length))];
  const out = {
    requests: total, concurrency, seconds: secs, rps: total / secs, errors_5xx: errors,
    lookup_p50_ms: q(lat.lookup, 0.5), lookup_p99_ms: q(lat.lookup, 0.99),
    noop_p50_ms: q(lat.ping, 0.5), noop_p99_ms: q(lat.ping, 0.99),
  };
  out.p50_ratio = out.lookup_p50_ms / out.noop_p50_ms;
  // Batches of 1,000 points over the whole network: many distinct cells each.
  const batch = [];
  for (let i = 0; i < 40; i++) {
    const points = Array.from({ length: 1000 }, () => {
      const [lng, lat] = offset(els[Math.floor(rand() * els.length)], rand() * 360, rand() * 500);
      return { lat, lng };
    });
    const t = performance.now();
    const res = await fetch(`${worker.url}/v1/lookup`, { method: 'POST', headers: { ...headers, 'Content-Type': 'application/json' }, body: JSON.stringify({ points }) });
    const body = await res.json();
    batch.push(performance.now() - t);
    if (res.status !== 200 || body.results.length !== 1000) errors++;
  }
  out.batch_1000_p50_ms = q(batch, 0.5);
  out.errors_5xx = errors;
  console.log(JSON.stringify(out));
} finally {
  worker.stop();
  mock.stop();
}
