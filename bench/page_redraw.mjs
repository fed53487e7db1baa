// P4 of anchors.md: the integrations page in headless Chromium with a 10k
// element provider; median time from a slider change to the redrawn area
// (WASM build + Leaflet redraw), measured by the page itself.
import { startMock, startWorker } from '../tests/e2e/harness.mjs';
import { api, integration, waitRun } from '../tests/e2e/api.mjs';
import { launch } from '../tests/e2e/browser.mjs';

const n = Number(process.argv[2] || 12_500); // ~10k eligible after exclusions
const mock = await startMock(['--isp', `page-key:P:61:${n}`]);
const worker = await startWorker({ vars: { OZMAP_PAGE_SIZE: '1000', PAGES_PER_STEP: '40', CELLS_PER_STEP: '400' } });
const browser = await launch();
try {
  const a = api(worker.url);
  const r = await a.put('/v1/providers/p/integration', integration(mock.url, 'page-key', 'P', 300));
  await waitRun(a, 'p', r.json.job.id, 600_000);
  const token = (await a.post('/v1/sessions', { provider_id: 'p' })).json.token;
  const page = await browser.newPage({ viewport: { width: 1280, height: 820 } });
  await page.goto(`${worker.url}/#provider=p&token=${token}`);
  await page.waitForSelector('body[data-ready="true"]', { timeout: 120_000 });
  const elements = await page.evaluate(() => window.__app.state.elements.length / 2);
  const times = [];
  for (const radius of [350, 400, 250, 200, 450, 300, 500, 150, 320, 280, 600]) {
    const t = await page.evaluate((v) => new Promise((done) => {
      const el = document.querySelector('#distance');
      const t0 = performance.now();
      el.value = String(v);
      el.dispatchEvent(new Event('input', { bubbles: true }));
      // Two frames: the recompute runs in the first, the browser paints after it.
      requestAnimationFrame(() => requestAnimationFrame(() => done(performance.now() - t0)));
    }), radius);
    times.push({ total: t, wasm_and_layer: await page.evaluate(() => window.__app.lastRedrawMs) });
  }
  const med = (k) => times.map((x) => x[k]).sort((x, y) => x - y)[Math.floor(times.length / 2)];
  console.log(JSON.stringify({ elements, slider_to_paint_ms_p50: med('total'), wasm_build_and_layer_ms_p50: med('wasm_and_layer') }));
} finally {
  await browser.close();
  worker.stop();
  mock.stop();
}
