// The integrations page in headless Chromium against wrangler dev and the mock.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { startMock, startWorker, until } from './harness.mjs';
import { api, integration, waitRun, LOOKUP } from './api.mjs';
import { launch, ARTIFACTS } from './browser.mjs';

let mock, worker, a, browser, link;
before(async () => {
  mock = await startMock(['--isp', 'page-key:Pagina:21:1500']);
  worker = await startWorker({ vars: { OZMAP_PAGE_SIZE: '200', PAGES_PER_STEP: '3' } });
  a = api(worker.url);
  const r = await a.put('/v1/providers/isp-page/integration', integration(mock.url, 'page-key', 'Fibra Página', 300));
  assert.equal(r.status, 201, r.text);
  await waitRun(a, 'isp-page', r.json.job.id);
  const s = await a.post('/v1/sessions', { provider_id: 'isp-page', ttl_s: 3600 });
  link = `${worker.url}/#provider=isp-page&token=${s.json.token}`;
  browser = await launch();
});
after(async () => {
  await browser?.close();
  worker?.stop();
  mock?.stop();
});

async function open() {
  const page = await browser.newPage({ viewport: { width: 1280, height: 820 } });
  const errors = [];
  page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
  page.on('pageerror', (e) => errors.push(String(e)));
  await page.goto(link);
  await page.waitForSelector('body[data-ready="true"]', { timeout: 60_000 });
  return { page, errors };
}

const areaAt = async (page, radius) => {
  const before = await page.$eval('#preview-area', (el) => el.dataset.km2);
  await page.$eval('#distance', (el, v) => { el.value = String(v); el.dispatchEvent(new Event('input', { bubbles: true })); }, radius);
  await page.waitForFunction((b) => document.querySelector('#preview-area').dataset.km2 !== b, before, { timeout: 10_000 });
  return Number(await page.$eval('#preview-area', (el) => el.dataset.km2));
};

test('the page loads cleanly, shows the coverage and the slider moves the area the right way', async () => {
  const { page, errors } = await open();
  await page.waitForSelector('path.coverage', { timeout: 30_000 });
  await page.waitForSelector('path.published');
  assert.equal(await page.$eval('html', (h) => h.lang), 'pt-BR');
  assert.match(await page.textContent('[data-testid=refresh-state]'), /Concluída/);
  assert.equal(await page.inputValue('[name=name]'), 'Fibra Página');
  assert.equal(await page.inputValue('[name=api_key]'), '', 'the key is never shown');
  await page.screenshot({ path: join(ARTIFACTS, 'page-loaded.png'), fullPage: true });
  const at300 = Number(await page.$eval('#preview-area', (el) => el.dataset.km2));
  const status = (await a.get('/v1/providers/isp-page/status')).json;
  assert.ok(Math.abs(at300 - status.published.area_km2) < 1e-6, `WASM area ${at300} = published ${status.published.area_km2}`);
  const at600 = await areaAt(page, 600);
  const at150 = await areaAt(page, 150);
  assert.ok(at600 > at300 && at150 < at300, `${at150} < ${at300} < ${at600}`);
  assert.ok(Number(await page.$eval('#preview-delta', (el) => el.dataset.km2)) < 0, 'delta against the published version is shown');
  assert.equal(await page.textContent('#lg-preview'), 'Prévia: 150 m', 'the legend follows the slider');
  assert.equal(await page.textContent('#lg-published'), `Publicada: versão ${status.published.version}, 300 m`);
  await page.screenshot({ path: join(ARTIFACTS, 'page-slider-150.png'), fullPage: true });
  const ms = await page.evaluate(() => window.__app.lastRedrawMs);
  console.log(`# preview redraw at 150 m: ${ms.toFixed(1)} ms`);
  assert.deepEqual(errors, []);
  await page.close();
});

test('a clicked point answers like /v1/lookup', async () => {
  const { page, errors } = await open();
  const els = (await a.post('/v1/sessions', { provider_id: 'isp-page' })).json.token;
  const elements = (await a.get('/v1/providers/isp-page/elements', { token: els })).json.elements;
  const box = await page.$('#map').then((m) => m.boundingBox());
  let covered = 0, uncovered = 0;
  for (const [i, [lng, lat]] of elements.slice(0, 200).entries()) {
    if (covered >= 4 && uncovered >= 2) break;
    const target = i % 3 === 2 ? [lat + 0.02, lng + 0.02] : [lat + 0.0015, lng];
    const pt = await page.evaluate(([la, ln]) => window.__app.map.latLngToContainerPoint([la, ln]), target);
    if (pt.x < 5 || pt.y < 5 || pt.x > box.width - 5 || pt.y > box.height - 5) continue;
    await page.mouse.click(box.x + pt.x, box.y + pt.y);
    await page.waitForSelector('#answer:not([hidden])');
    const ans = await page.$eval('#answer', (el) => ({ ...el.dataset }));
    // One marker, where the click was, coloured by the answer.
    const marks = await page.$$eval('path.test-point', (ps) => ps.map((p) => p.getAttribute('class')));
    assert.equal(marks.length, 1);
    assert.match(marks[0], ans.covered === 'true' ? /\bok\b/ : /\bno\b/);
    const res = await a.get(`/v1/lookup?lat=${ans.lat}&lng=${ans.lng}`, { token: LOOKUP });
    assert.equal(res.status, 200);
    const hit = res.json.providers.find((p) => p.id === 'isp-page');
    const d = Number(ans.distance);
    if (Math.abs(d - 300) < 0.05) continue;
    assert.equal(ans.covered === 'true', Boolean(hit), `${ans.lat},${ans.lng}: page ${ans.covered} at ${d} m, edge ${JSON.stringify(hit)}`);
    if (hit) {
      assert.ok(Math.abs(hit.distance_m - d) < 0.05, `page ${d} vs edge ${hit.distance_m}`);
      covered++;
    } else uncovered++;
  }
  assert.ok(covered >= 2 && uncovered >= 1, `checked ${covered} covered and ${uncovered} uncovered clicks`);
  await page.screenshot({ path: join(ARTIFACTS, 'page-point-test.png'), fullPage: true });
  assert.deepEqual(errors, []);
  await page.close();
});

test('"Atualizar agora" shows progress and ends in succeeded', async () => {
  const { page, errors } = await open();
  await fetch(`${mock.url}/__mock/isps/page-key/faults`, { method: 'PUT', body: JSON.stringify({ latency_ms: 150 }) });
  await page.click('[data-testid=refresh-now]');
  await page.waitForSelector('#progress:not([hidden])', { timeout: 10_000 });
  const seen = new Set();
  await until(async () => {
    const t = await page.textContent('[data-testid=refresh-progress]');
    if (t) seen.add(t);
    const st = await page.$eval('[data-testid=refresh-state]', (el) => el.dataset.state);
    return st === 'succeeded' && (await page.$eval('#progress', (el) => el.hidden));
  }, { what: 'the refresh to finish in the page', timeoutMs: 90_000, everyMs: 100 });
  assert.ok([...seen].some((t) => /páginas/.test(t)), `progress in pages was shown: ${[...seen].join(' | ')}`);
  assert.match(await page.textContent('#state-detail'), /Versão 2 publicada/);
  await page.screenshot({ path: join(ARTIFACTS, 'page-refreshed.png'), fullPage: true });
  await fetch(`${mock.url}/__mock/isps/page-key/faults`, { method: 'PUT', body: '{}' });
  assert.deepEqual(errors, []);
  await page.close();
});

test('a held refresh explains itself and "Publicar mesmo assim" publishes it', async () => {
  await fetch(`${mock.url}/__mock/isps/page-key/faults`, { method: 'PUT', body: JSON.stringify({ empty: true }) });
  const r = await a.post('/v1/providers/isp-page/refresh');
  await waitRun(a, 'isp-page', r.json.job.id);
  const { page } = await open();
  assert.match(await page.textContent('[data-testid=refresh-state]'), /Retida/);
  assert.match(await page.textContent('#state-detail'), /nenhum elemento elegível/);
  assert.ok(await page.isVisible('#force'));
  await page.screenshot({ path: join(ARTIFACTS, 'page-held.png'), fullPage: true });
  await fetch(`${mock.url}/__mock/isps/page-key/faults`, { method: 'PUT', body: '{}' });
  await page.click('#force');
  await until(async () => (await page.$eval('[data-testid=refresh-state]', (el) => el.dataset.state)) === 'succeeded', { what: 'forced publish', timeoutMs: 90_000 });
  await page.close();
});

test('the download is the published GeoJSON', async () => {
  const { page } = await open();
  const [dl] = await Promise.all([page.waitForEvent('download'), page.click('[data-testid=download]')]);
  assert.match(dl.suggestedFilename(), /^cobertura-isp-page\.geojson$/);
  const path = join(ARTIFACTS, 'download.geojson');
  await dl.saveAs(path);
  const f = JSON.parse(await (await import('node:fs/promises')).readFile(path, 'utf8'));
  assert.equal(f.geometry.type, 'MultiPolygon');
  await page.close();
});

test('without WebAssembly the page still shows the published coverage and says so', async () => {
  const page = await browser.newPage();
  await page.route('**/pkg/preview.js', (route) => route.fulfill({ status: 404, body: 'gone' }));
  await page.goto(link);
  await page.waitForSelector('body[data-ready="true"]', { timeout: 60_000 });
  await page.waitForSelector('path.published');
  assert.match(await page.textContent('#banner'), /pré-visualização ao vivo está indisponível/);
  assert.equal(await page.textContent('#lg-preview'), 'Publicada (prévia indisponível)', 'the legend says what the fill is');
  await page.screenshot({ path: join(ARTIFACTS, 'page-no-wasm.png'), fullPage: true });
  await page.close();
});

test('field errors appear next to the field', async () => {
  const { page } = await open();
  await page.fill('[name=ozmap_url]', 'http://example.com');
  await page.click('#save');
  await page.waitForFunction(() => document.querySelector('.err[data-for="ozmap_url"]').textContent.length > 0);
  assert.match(await page.textContent('.err[data-for="ozmap_url"]'), /https/);
  await page.close();
});
