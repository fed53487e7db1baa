// The edge Worker end to end: real `wrangler dev` (workerd, local KV and
// Queues) against the OZmap mock. Lookups are checked against a brute-force
// answer computed here from the mock's own data with an independent geodesic.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startMock, startWorker, until, ROOT } from './harness.mjs';
import { api, integration, waitRun, LOOKUP, recorded } from './api.mjs';
import { validator } from './openapi.mjs';
import { vincenty, offset, rng } from './geodesy.mjs';

const ISPS = [
  ['isp-ilha', 'ilha-key', 'Fibra Ilha', 11, 700, '-48.5482,-27.5949', 300],
  ['isp-sul', 'sul-key', 'Conecta Sul', 12, 700, '-48.5300,-27.6050', 250],
  ['isp-luz', 'luz-key', 'LuzNet', 13, 500, '-48.5600,-27.5850', 400],
];

let mock, worker, a;
before(async () => {
  mock = await startMock(ISPS.map(([, key, name, seed, boxes, c]) => `--isp=${key}:${name.replace(' ', '_')}:${seed}:${boxes}:${c}`));
  // Log level `log`: every request line and the Worker's console, for the secrets check at the end.
  worker = await startWorker({
    vars: { OZMAP_TIMEOUT_MS: '2000', OZMAP_RETRIES: '1', OZMAP_BACKOFF_MS: '50', OZMAP_PAGE_SIZE: '200', PAGES_PER_STEP: '4', CELLS_PER_STEP: '40' },
    logLevel: 'log',
  });
  a = api(worker.url);
});
after(() => {
  worker?.stop();
  mock?.stop();
});

const expected = async (key) => (await (await fetch(`${mock.url}/__mock/isps/${key}/expected`)).json()).points;
const setFaults = (key, f) => fetch(`${mock.url}/__mock/isps/${key}/faults`, { method: 'PUT', body: JSON.stringify(f) });

/** Brute force: for each provider, the nearest expected element. */
function truth(points, elementsById, radius) {
  return points.map((p) => {
    const out = [];
    for (const [id, els] of Object.entries(elementsById)) {
      let best = Infinity;
      for (const e of els) if (Math.abs(e[1] - p[1]) < 0.05 && Math.abs(e[0] - p[0]) < 0.05) best = Math.min(best, vincenty(p, e));
      out.push({ id, best, radius: radius[id] });
    }
    return out;
  });
}

async function checkLookups(ids, seed, n = 400) {
  const els = {};
  const radius = {};
  for (const [id, key, , , , , r] of ISPS.filter(([id]) => ids.includes(id))) {
    els[id] = await expected(key);
    radius[id] = r;
  }
  const rand = rng(seed);
  const all = Object.values(els).flat();
  const points = Array.from({ length: n }, () => offset(all[Math.floor(rand() * all.length)], rand() * 360, rand() * 600));
  const res = await a.post('/v1/lookup', { points: points.map(([lng, lat]) => ({ lat, lng })) }, { token: LOOKUP });
  assert.equal(res.status, 200, res.text);
  const want = truth(points, els, radius);
  let checked = 0;
  res.json.results.forEach((r, i) => {
    for (const t of want[i]) {
      const hit = r.providers.find((h) => h.id === t.id);
      if (Math.abs(t.best - t.radius) < 1) continue; // within 1 m of the boundary
      assert.equal(Boolean(hit), t.best <= t.radius, `${t.id} at ${points[i]}: exact ${t.best} m, r ${t.radius}`);
      if (hit) {
        assert.ok(Math.abs(hit.distance_m - t.best) < 1, `${t.id}: ${hit.distance_m} vs ${t.best}`);
        checked++;
      }
    }
    const d = r.providers.map((h) => h.distance_m);
    assert.deepEqual(d, [...d].sort((x, y) => x - y), 'sorted by distance');
    for (const h of r.providers) assert.deepEqual(Object.keys(h).sort(), ['distance_m', 'id', 'name', 'updated_at', 'version']);
  });
  assert.ok(checked > n / 3, `enough covered answers checked: ${checked}`);
}

test('three overlapping ISPs: register, cron, lookups equal the brute-force answer', async () => {
  for (const [id, key, name, , , , r] of ISPS) {
    const res = await a.put(`/v1/providers/${id}/integration`, integration(mock.url, key, name, r));
    assert.equal(res.status, 201, res.text);
    assert.equal(res.json.integration.api_key_set, true);
    assert.ok(!res.text.includes(key), 'the key is never returned');
  }
  // The first refreshes run; then the daily cron refreshes everyone again.
  for (const [id] of ISPS) await waitRun(a, id, null);
  const versions = {};
  for (const [id] of ISPS) versions[id] = (await a.get(`/v1/providers/${id}/status`)).json.published.version;
  assert.equal((await worker.fireCron()).status, 200);
  for (const [id] of ISPS) {
    await until(async () => (await a.get(`/v1/providers/${id}/status`)).json.published?.version > versions[id], { what: `daily refresh of ${id}`, timeoutMs: 120_000 });
  }
  const s = (await a.get('/v1/providers/isp-ilha/status')).json;
  assert.equal(s.state, 'succeeded');
  assert.ok(s.published.area_km2 > 1 && s.published.elements > 100, JSON.stringify(s.published));
  for (const k of ['in_project', 'no_connectable', 'no_free_port', 'bad_coords']) assert.ok(k in s.last.excluded);
  assert.ok(s.last.excluded.in_project > 0 && s.last.excluded.bad_coords > 0);
  assert.ok(s.last.counts.pages > 4, 'the job ran over several steps');
  await checkLookups(ISPS.map(([id]) => id), 1);
  const one = await a.get('/v1/lookup?lat=-27.5949&lng=-48.5482', { token: LOOKUP });
  assert.equal(one.status, 200);
  assert.ok(Array.isArray(one.json.providers));
});

test('coverage, elements and history', async () => {
  const cov = await a.get('/v1/providers/isp-ilha/coverage');
  assert.equal(cov.status, 200);
  assert.equal(cov.json.type, 'Feature');
  assert.equal(cov.json.geometry.type, 'MultiPolygon');
  assert.ok(cov.json.properties.area_km2 > 0 && cov.json.properties.version >= 1, JSON.stringify(cov.json.properties));
  const etag = cov.headers.get('etag');
  assert.ok(etag);
  const again = await a.get('/v1/providers/isp-ilha/coverage', { headers: { 'If-None-Match': etag } });
  assert.equal(again.status, 304);
  const platformElements = await a.get('/v1/providers/isp-ilha/elements');
  assert.equal(platformElements.status, 403, 'elements only to the provider session');
  const session = await a.post('/v1/sessions', { provider_id: 'isp-ilha', ttl_s: 600 });
  assert.equal(session.status, 201);
  const el = await a.get('/v1/providers/isp-ilha/elements', { token: session.json.token });
  assert.equal(el.status, 200);
  assert.equal(el.json.elements.length, (await expected('ilha-key')).length);
  const h = await a.get('/v1/providers/isp-ilha/history');
  assert.equal(h.status, 200);
  assert.ok(h.json.runs.length >= 2 && h.json.runs.every((r) => r.outcome === 'succeeded'));
});

test('manual refresh after the network changes: lookups follow', async () => {
  await fetch(`${mock.url}/__mock/isps/sul-key/network`, { method: 'PUT', body: JSON.stringify({ seed: 77, centre: [-48.5200, -27.6100] }) });
  const r = await a.post('/v1/providers/isp-sul/refresh?force=true');
  assert.equal(r.status, 202, r.text);
  const again = await a.post('/v1/providers/isp-sul/refresh');
  assert.equal(again.json.job.id, r.json.job.id, 'idempotent while queued or running');
  assert.equal(again.json.created, false);
  const s = await waitRun(a, 'isp-sul', r.json.job.id);
  assert.equal(s.state, 'succeeded', JSON.stringify(s.last));
  assert.ok(s.last.diff.elements_added > 0 && s.last.diff.elements_removed > 0);
  await checkLookups(['isp-sul', 'isp-ilha'], 2);
});

test('two providers sharing cells refreshed at the same time both remain', async () => {
  const [r1, r2] = await Promise.all([a.post('/v1/providers/isp-ilha/refresh'), a.post('/v1/providers/isp-luz/refresh')]);
  await Promise.all([waitRun(a, 'isp-ilha', r1.json.job.id), waitRun(a, 'isp-luz', r2.json.job.id)]);
  await checkLookups(ISPS.map(([id]) => id), 3);
});

test('an OZmap that fails or returns nothing keeps its coverage, and status says why', async () => {
  const before = (await a.get('/v1/providers/isp-luz/status')).json.published;
  for (const [faults, state, code] of [
    [{ fail_first: 100 }, 'failed', 'ozmap_unavailable'],
    [{ unauthorized_after_pages: 0 }, 'failed', 'ozmap_unauthorized'],
    [{ empty: true }, 'held', 'no_elements'],
  ]) {
    await setFaults('luz-key', faults);
    const r = await a.post('/v1/providers/isp-luz/refresh');
    const s = await waitRun(a, 'isp-luz', r.json.job.id);
    assert.equal(s.state, state, JSON.stringify(s.last));
    assert.equal(s.last.code, code);
    assert.ok(s.last.message.length > 20, s.last.message);
    assert.deepEqual(s.published, before, 'published coverage unchanged');
  }
  await setFaults('luz-key', {});
  await checkLookups(['isp-luz'], 4, 200);
});

test('auth matrix', async () => {
  const s = await a.post('/v1/sessions', { provider_id: 'isp-ilha' });
  const ilha = s.json.token;
  const cases = [
    ['GET', '/v1/lookup?lat=-27.59&lng=-48.55', null, 401, 'unauthorized'],
    ['GET', '/v1/lookup?lat=-27.59&lng=-48.55', 'wrong', 401, 'invalid_token'],
    ['GET', '/v1/lookup?lat=-27.59&lng=-48.55', ilha, 403, 'forbidden'],
    ['GET', '/v1/providers/isp-ilha/status', LOOKUP, 403, 'forbidden'],
    ['PUT', '/v1/providers/isp-ilha/integration', LOOKUP, 403, 'forbidden'],
    // Tenant isolation: every provider-scoped route, with another provider's session.
    ['GET', '/v1/providers/isp-sul/integration', ilha, 404, 'not_found'],
    ['PUT', '/v1/providers/isp-sul/integration', ilha, 404, 'not_found'],
    ['DELETE', '/v1/providers/isp-sul/integration', ilha, 404, 'not_found'],
    ['POST', '/v1/providers/isp-sul/refresh', ilha, 404, 'not_found'],
    ['GET', '/v1/providers/isp-sul/status', ilha, 404, 'not_found'],
    ['GET', '/v1/providers/isp-sul/history', ilha, 404, 'not_found'],
    ['GET', '/v1/providers/isp-sul/coverage', ilha, 404, 'not_found'],
    ['GET', '/v1/providers/isp-sul/elements', ilha, 404, 'not_found'],
    ['POST', '/v1/sessions', ilha, 403, 'forbidden'],
    ['GET', '/v1/providers/isp-ilha/status', `${ilha.slice(0, -2)}xx`, 401, 'invalid_token'],
  ];
  // A PUT carries a valid body, so only the scope can refuse it.
  const sul = integration(mock.url, 'sul-key', 'Conecta Sul', 250);
  const sulBefore = (await a.get('/v1/providers/isp-sul/integration')).json;
  for (const [method, path, token, status, code] of cases) {
    const r = await a.call(method, path, { token, body: method === 'PUT' ? sul : method === 'POST' ? {} : undefined });
    assert.equal(r.status, status, `${method} ${path} with ${token?.slice(0, 8)}: ${r.text}`);
    assert.equal(r.json.error.code, code, `${method} ${path}`);
  }
  assert.equal((await a.get('/v1/providers/isp-ilha/status', { token: ilha })).status, 200);
  assert.deepEqual((await a.get('/v1/providers/isp-sul/integration')).json, sulBefore, 'isp-sul untouched');
});

test('deleting a provider removes it from every lookup', async () => {
  const r = await a.del('/v1/providers/isp-luz/integration');
  assert.equal(r.status, 202);
  assert.equal((await a.get('/v1/providers/isp-luz/integration')).status, 404);

  const luz = await expected('luz-key');
  await until(async () => {
    const res = await a.post('/v1/lookup', { points: luz.slice(0, 200).map(([lng, lat]) => ({ lat, lng })) }, { token: LOOKUP });
    return res.json.results.every((x) => x.providers.every((p) => p.id !== 'isp-luz'));
  }, { what: 'isp-luz to leave every cell', timeoutMs: 60_000 });
  await until(async () => (await a.get('/v1/providers/isp-luz/coverage')).status === 404, { what: 'isp-luz artefacts gone', timeoutMs: 60_000 });
});

test('a provider saved again right after its deletion ends up fully published', async () => {
  const luz = integration(mock.url, 'luz-key', 'LuzNet', 400);
  assert.equal((await a.put('/v1/providers/isp-luz/integration', luz)).status, 201);
  await waitRun(a, 'isp-luz', null);
  assert.equal((await a.del('/v1/providers/isp-luz/integration')).status, 202);
  // While its cells are being cleared, saving it again is refused; locally
  // the queue usually finishes the removal before the next request.
  let saved;
  await until(async () => {
    const r = await a.put('/v1/providers/isp-luz/integration', luz);
    if (r.status === 409) assert.equal(r.json.error.code, 'removal_in_progress');
    else assert.equal(r.status, 201, r.text);
    saved = r.status === 201 ? r : null;
    return saved;
  }, { what: 'isp-luz to be saved again', timeoutMs: 60_000, everyMs: 20 });
  const s = await waitRun(a, 'isp-luz', saved.json.job.id);
  assert.equal(s.state, 'succeeded', JSON.stringify(s.last));
  await checkLookups(['isp-luz'], 5, 200);
});

test('every response seen above matches the OpenAPI document the Worker serves', async () => {
  const doc = await (await fetch(`${worker.url}/v1/openapi.json`)).json();
  const v = validator(doc);
  await a.get('/v1/ping', { token: null });
  const health = await fetch(`${worker.url}/healthz`);
  recorded.push({ method: 'GET', path: '/healthz', status: 200, json: await health.json(), contentType: health.headers.get('content-type') });
  const problems = recorded.flatMap((r) => v.check(r));
  assert.deepEqual(problems.slice(0, 10), []);
  const seen = new Set(recorded.map((r) => v.match(r.path)));
  assert.deepEqual(v.templates.filter((t) => !seen.has(t)), [], 'every documented path exercised');
  assert.ok(recorded.length > 50, `${recorded.length} responses checked`);
});

test('no secret reaches a response or a log line', async () => {
  const vars = Object.fromEntries(
    readFileSync(join(ROOT, '.dev.vars'), 'utf8').split('\n').filter((l) => /^[A-Z_]+=/.test(l)).map((l) => l.split(/=(.*)/s).slice(0, 2)),
  );
  const secrets = [...ISPS.map(([, key]) => key), vars.PLATFORM_TOKEN, vars.LOOKUP_TOKEN, vars.SESSION_SECRET, vars.KEY_ENCRYPTION_KEY];
  assert.ok(secrets.every((x) => typeof x === 'string' && x.length >= 6), 'every secret was read');
  for (const r of recorded) {
    const text = JSON.stringify(r.json) ?? '';
    for (const x of secrets) assert.ok(!text.includes(x), `${r.method} ${r.path} answered a secret`);
  }
  // Session tokens are handed to the platform once; they must not be logged either.
  const sessions = recorded.filter((r) => r.path === '/v1/sessions' && r.json?.token).map((r) => r.json.token);
  assert.ok(sessions.length >= 2);
  const log = worker.transcript();
  assert.match(log, /\/v1\/providers\/isp-ilha\/status/, 'the transcript holds the request lines');
  assert.ok(recorded.length > 50);
  for (const x of [...secrets, ...sessions]) assert.ok(!log.includes(x), `a secret is in the Worker's log: ${x.slice(0, 4)}…`);
});
