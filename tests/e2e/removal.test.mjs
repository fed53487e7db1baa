// Deleting a provider and saving it again at once: the save is refused while
// the removal job clears its cells (one cell per step here, so that takes a
// while), then accepted, and the provider ends up fully published.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startMock, startWorker, until } from './harness.mjs';
import { api, integration, waitRun, LOOKUP } from './api.mjs';

let mock, worker, a;
before(async () => {
  mock = await startMock(['--isp', 'rm-key:Remocao:31:400']);
  worker = await startWorker({ vars: { CELLS_PER_STEP: '1' } });
  a = api(worker.url);
});
after(() => {
  worker?.stop();
  mock?.stop();
});

test('saving a provider while its removal runs is refused, then it ends up fully published', async () => {
  // 2 km circles reach many cells, so the removal takes many queue steps.
  const body = integration(mock.url, 'rm-key', 'Remoção', 2000);
  const first = await a.put('/v1/providers/isp-rm/integration', body);
  assert.equal(first.status, 201, first.text);
  const published = (await waitRun(a, 'isp-rm', first.json.job.id)).published;
  assert.ok(published.area_km2 > 30, `area: ${published.area_km2} km²`);
  assert.equal((await a.del('/v1/providers/isp-rm/integration')).status, 202);
  const early = await a.put('/v1/providers/isp-rm/integration', body);
  assert.equal(early.status, 409, early.text);
  assert.equal(early.json.error.code, 'removal_in_progress');
  assert.match(early.json.error.message, /save again/);
  const saved = await until(async () => {
    const r = await a.put('/v1/providers/isp-rm/integration', body);
    return r.status === 201 && r;
  }, { what: 'the save to be accepted after the removal', timeoutMs: 120_000, everyMs: 200 });
  const s = await waitRun(a, 'isp-rm', saved.json.job.id);
  assert.equal(s.state, 'succeeded', JSON.stringify(s.last));
  // Every eligible element's own position is covered, at distance 0: no
  // cell was lost to the removal.
  const pts = (await (await fetch(`${mock.url}/__mock/isps/rm-key/expected`)).json()).points;
  const res = await a.post('/v1/lookup', { points: pts.map(([lng, lat]) => ({ lat, lng })) }, { token: LOOKUP });
  assert.equal(res.status, 200, res.text);
  for (const [i, r] of res.json.results.entries()) {
    const hit = r.providers.find((p) => p.id === 'isp-rm');
    assert.ok(hit && hit.distance_m < 0.01, `element ${i} at ${pts[i]}: ${JSON.stringify(r.providers)}`);
  }
});
