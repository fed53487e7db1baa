// The integrations page: an ISP's view of its OZmap integration. Talks to the
// Worker's API with the session token from the link, and computes the live
// preview in WebAssembly (crates/preview) with the same code the edge uses.
import * as L from './vendor/leaflet-src.esm.js';

const nf = (d = 0) => new Intl.NumberFormat('pt-BR', { maximumFractionDigits: d, minimumFractionDigits: d });
const km2 = (x) => `${nf(2).format(x)} km²`;
const $ = (id) => document.getElementById(id);

const TEXT = {
  states: { never_run: 'Ainda não atualizada', queued: 'Na fila…', running: 'Atualizando…', succeeded: 'Concluída', held: 'Retida — nada foi publicado', failed: 'Falhou — a cobertura publicada foi mantida' },
  codes: {
    ozmap_unauthorized: 'O OZmap recusou a chave de API. Gere uma nova chave no OZmap (Usuário › API) e salve a integração novamente.',
    ozmap_forbidden: 'O usuário da chave não tem o módulo API ou acesso aos projetos da rede no OZmap.',
    ozmap_not_found: 'O endereço não responde como uma API do OZmap. Confira a URL (normalmente https://empresa.ozmap.com.br:9994).',
    ozmap_unavailable: 'O OZmap está indisponível no momento. A cobertura publicada foi mantida; a próxima atualização tentará de novo.',
    ozmap_timeout: 'O OZmap não respondeu a tempo. A cobertura publicada foi mantida; a próxima atualização tentará de novo.',
    ozmap_unreachable: 'Não foi possível conectar ao OZmap. Verifique a URL e se a porta 9994 está aberta para a internet.',
    ozmap_rejected: 'O OZmap recusou a consulta.',
    ozmap_malformed: 'O OZmap enviou uma resposta que não conseguimos ler.',
    ozmap_too_many_pages: 'A paginação do OZmap não terminava; a leitura foi interrompida.',
    ozmap_pagination_loop: 'A paginação do OZmap voltava a uma página já lida; a leitura foi interrompida.',
    no_elements: 'O OZmap não retornou nenhum elemento elegível. A cobertura publicada foi mantida; publique mesmo assim se a rede estiver mesmo vazia.',
    shrink: 'A nova cobertura é bem menor que a publicada, então nada foi publicado. Publique mesmo assim se a mudança for real.',
    stored_config_unreadable: 'A configuração salva não pôde ser lida; salve a integração novamente.',
  },
  excluded: { in_project: 'Em projeto', no_connectable: 'Sem splitter de atendimento ou switch', no_free_port: 'Sem porta livre', bad_coords: 'Coordenadas inválidas' },
  fields: { name: 'Informe o nome.', ozmap_url: 'Informe um endereço https:// válido.', api_key: 'Informe a chave de API.', max_distance_m: 'Entre 10 e 2.000 m.' },
};

// The session comes in the link's fragment (never sent to servers or logs).
const hash = new URLSearchParams(location.hash.slice(1));
if (hash.get('token')) {
  sessionStorage.setItem('token', hash.get('token'));
  sessionStorage.setItem('provider', hash.get('provider') || '');
  history.replaceState(null, '', location.pathname + location.search);
}
const token = sessionStorage.getItem('token');
const provider = sessionStorage.getItem('provider');
const tileUrl = new URLSearchParams(location.search).get('tiles');

const app = { state: {}, wasm: null, preview: null, lastRedrawMs: null };
window.__app = app;

function banner(text) {
  const b = $('banner');
  b.textContent = text;
  b.hidden = !text;
}

async function api(method, path, body) {
  const res = await fetch(`/v1/providers/${provider}${path}`, {
    method,
    headers: { Authorization: `Bearer ${token}`, ...(body ? { 'Content-Type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  const json = res.status === 204 || res.status === 304 ? null : await res.json().catch(() => null);
  if (res.status === 401) banner('Sua sessão expirou ou é inválida. Abra a página de integrações novamente pela plataforma.');
  return { status: res.status, json };
}

// ——— Map ———
const map = L.map('map', { zoomControl: true, zoomSnap: 0.25, attributionControl: Boolean(tileUrl) }).setView([-27.5949, -48.5482], 12);
app.map = map;
if (tileUrl) L.tileLayer(tileUrl, { maxZoom: 19, attribution: '© colaboradores do OpenStreetMap' }).addTo(map);
const published = L.geoJSON(null, { style: { color: '#12805c', weight: 1.5, dashArray: '5 4', fill: false, className: 'published' } }).addTo(map);
const preview = L.geoJSON(null, { style: { color: '#5b3df5', weight: 1.5, fillColor: '#5b3df5', fillOpacity: 0.18, className: 'coverage' } }).addTo(map);
const dots = L.canvas({ padding: 0.2 });
const elementsLayer = L.layerGroup().addTo(map);
// Top left, under the zoom: the top right is where a tested point's answer shows.
L.control.layers(null, { 'Cobertura (prévia)': preview, 'Cobertura publicada': published, 'Elementos elegíveis': elementsLayer }, { collapsed: true, position: 'topleft' }).addTo(map);
const legend = L.control({ position: 'bottomleft' });
legend.onAdd = () => {
  const d = L.DomUtil.create('div', 'map-legend');
  d.dataset.testid = 'map-legend';
  d.innerHTML = '<div><i class="sw preview"></i><span id="lg-preview">Prévia</span></div>'
    + '<div><i class="sw published"></i><span id="lg-published">Publicada: nenhuma</span></div>'
    + '<div><i class="sw dot"></i>Elementos elegíveis</div>';
  return d;
};
legend.addTo(map);
let testPoint = null;

// ——— WebAssembly preview (fails soft) ———
async function loadWasm() {
  try {
    const m = await import('./pkg/preview.js');
    await m.default();
    app.wasm = m;
  } catch (e) {
    console.warn('preview unavailable', e);
    banner('A pré-visualização ao vivo está indisponível neste navegador; a cobertura publicada continua visível.');
    $('preview-note').textContent = 'Pré-visualização indisponível: mostrando a cobertura publicada.';
    $('lg-preview').textContent = 'Publicada (prévia indisponível)';
  }
}

function recompute() {
  const s = app.state;
  const radius = Number($('distance').value);
  if (!app.wasm || !s.elements) return;
  const t0 = performance.now();
  let next;
  try {
    next = new app.wasm.Preview(s.elements, radius);
  } catch (e) {
    $('preview-note').textContent = `Não foi possível calcular: ${e.message}`;
    return;
  }
  const feature = next.feature();
  const stats = next.stats();
  preview.clearLayers();
  preview.addData(feature);
  app.preview?.free();
  app.preview = next;
  app.lastRedrawMs = performance.now() - t0;
  $('preview-area').textContent = km2(stats.area_km2);
  $('preview-area').dataset.km2 = String(stats.area_km2);
  $('preview-parts').textContent = nf().format(stats.parts);
  $('preview-elements').textContent = nf().format(stats.elements);
  const base = s.status?.published?.area_km2;
  if (base) {
    const d = stats.area_km2 - base;
    $('preview-delta').textContent = `${d >= 0 ? '+' : '−'}${km2(Math.abs(d))} (${d >= 0 ? '+' : '−'}${nf(1).format(Math.abs((100 * d) / base))} %)`;
    $('preview-delta').dataset.km2 = String(d);
  }
  $('preview-note').textContent = `Recalculado no navegador em ${nf().format(app.lastRedrawMs)} ms (WebAssembly).`;
  $('lg-preview').textContent = `Prévia: ${nf().format(radius)} m`;
}

let scheduled = false;
function scheduleRecompute() {
  $('distance-out').textContent = $('distance').value;
  if (scheduled) return;
  scheduled = true;
  requestAnimationFrame(() => {
    scheduled = false;
    recompute();
  });
}

map.on('click', (e) => {
  const { lat, lng } = e.latlng.wrap();
  const box = $('answer');
  box.hidden = false;
  box.dataset.lat = String(lat);
  box.dataset.lng = String(lng);
  if (!app.preview) {
    box.className = 'answer';
    box.textContent = 'Teste de endereço indisponível sem a pré-visualização.';
    return;
  }
  const a = app.preview.query(lng, lat);
  testPoint?.remove();
  testPoint = L.circleMarker([lat, lng], { radius: 6, weight: 2, color: '#fff', fillColor: a.covered ? '#12805c' : '#c0262d', fillOpacity: 1, interactive: false, className: `test-point ${a.covered ? 'ok' : 'no'}` }).addTo(map);
  box.dataset.covered = String(a.covered);
  box.dataset.distance = String(a.distance_m ?? '');
  box.className = `answer ${a.covered ? 'ok' : 'no'}`;
  const dist = a.distance_m == null ? '' : `${nf(a.distance_m < 100 ? 1 : 0).format(a.distance_m)} m do elemento elegível mais próximo`;
  box.innerHTML = `<strong>${a.covered ? 'Coberto' : 'Não coberto'}</strong><br><small></small>`;
  box.querySelector('small').textContent = `${dist} · ${lat.toFixed(5)}, ${lng.toFixed(5)} · raio ${$('distance').value} m`;
});

// ——— Data ———
async function loadPublished() {
  const [cov, els] = await Promise.all([api('GET', '/coverage'), api('GET', '/elements')]);
  published.clearLayers();
  if (cov.status === 200 && cov.json) {
    published.addData(cov.json);
    app.state.feature = cov.json;
    const p = cov.json.properties || {};
    $('lg-published').textContent = `Publicada: versão ${p.version}, ${nf().format(p.radius_m)} m`;
    if (!app.wasm) preview.addData(cov.json); // fail soft: show what is published
    const b = published.getBounds();
    if (b.isValid()) map.fitBounds(b, { padding: [20, 20] });
  }
  elementsLayer.clearLayers();
  if (els.status === 200 && els.json) {
    app.state.elements = Float64Array.from(els.json.elements.flat());
    for (const [lng, lat] of els.json.elements) {
      L.circleMarker([lat, lng], { renderer: dots, radius: 2, weight: 0, fillColor: '#1c2333', fillOpacity: 0.6, interactive: false }).addTo(elementsLayer);
    }
  }
  recompute();
}

function field(name) {
  return document.querySelector(`[name="${name}"]`);
}

function fillForm(i) {
  field('name').value = i.name;
  field('ozmap_url').value = i.ozmap_url;
  field('api_key').placeholder = i.api_key_set ? 'chave salva (deixe em branco para manter)' : '';
  $('distance').value = i.max_distance_m;
  $('distance-out').textContent = String(i.max_distance_m);
  field('include_buildings').checked = i.options.include_buildings;
  field('require_free_port').checked = i.options.require_free_port;
  $('guard').value = Math.round(i.options.shrink_guard * 100);
  $('guard-out').textContent = $('guard').value;
  $('who').textContent = i.name;
}

function renderStatus(s) {
  app.state.status = s;
  const el = $('state');
  el.textContent = TEXT.states[s.state] || s.state;
  el.dataset.state = s.state;
  el.className = `state ${{ succeeded: 'ok', held: 'warn', failed: 'bad' }[s.state] || ''}`;
  const last = s.last;
  let detail = '';
  if (last) {
    const when = new Date(last.finished_at).toLocaleString('pt-BR');
    if (last.outcome === 'succeeded') {
      const d = last.diff;
      detail = `Versão ${last.version} publicada em ${when}: ${nf().format(last.eligible)} elementos, ${km2(last.area_km2)}.`;
      if (d) detail += ` Mudança: +${nf().format(d.elements_added)}/−${nf().format(d.elements_removed)} elementos, +${km2(d.area_gained_km2)}/−${km2(d.area_lost_km2)}.`;
    } else {
      detail = `${TEXT.codes[last.code] || last.message} (${when})`;
      if (last.code === 'shrink' && s.published && last.area_km2 != null) {
        detail += ` Nova área: ${km2(last.area_km2)}; publicada: ${km2(s.published.area_km2)}.`;
      }
    }
  }
  $('state-detail').textContent = detail;
  $('force').hidden = !(s.state === 'held');
  const job = s.job;
  $('progress').hidden = !job;
  if (job) {
    const p = job.progress || {};
    $('progress-text').textContent = job.state === 'queued'
      ? 'Na fila…'
      : job.phase === 'publishing'
        ? `Publicando células ${p.cells_done ?? 0}/${p.cells_total ?? '?'}`
        : `Lendo o OZmap: ${nf().format(p.pages || 0)} páginas, ${nf().format((p.boxes || 0) + (p.buildings || 0))} caixas e prédios, ${nf().format(p.eligible || 0)} elegíveis`;
  }
  $('refresh').disabled = Boolean(job);
  const ex = (last || {}).excluded || s.published?.excluded;
  $('excluded').innerHTML = '';
  if (ex) {
    for (const [k, label] of Object.entries(TEXT.excluded)) {
      const dt = document.createElement('dt');
      dt.textContent = label;
      const dd = document.createElement('dd');
      dd.textContent = nf().format(ex[k] || 0);
      dd.dataset.reason = k;
      $('excluded').append(dt, dd);
    }
  }
}

async function renderHistory() {
  const h = await api('GET', '/history');
  const runs = (h.json?.runs || []).filter((r) => r.outcome === 'succeeded').reverse();
  const svg = $('chart');
  svg.innerHTML = '';
  if (runs.length < 1) return;
  const line = (vals, cls) => {
    const max = Math.max(...vals) || 1;
    const pts = vals.map((v, i) => `${vals.length === 1 ? 150 : (i * 300) / (vals.length - 1)},${75 - (v / max) * 65}`).join(' ');
    const p = document.createElementNS('http://www.w3.org/2000/svg', 'polyline');
    p.setAttribute('points', vals.length === 1 ? `0,${75 - 65} 300,${75 - 65}` : pts);
    p.setAttribute('class', cls);
    svg.append(p);
  };
  line(runs.map((r) => r.area_km2 || 0), 'a');
  line(runs.map((r) => r.eligible || 0), 'e');
}

let polling = null;
async function pollStatus() {
  const s = await api('GET', '/status');
  if (s.status !== 200) return;
  const before = app.state.status?.published?.version;
  renderStatus(s.json);
  if (s.json.job) {
    clearTimeout(polling);
    polling = setTimeout(pollStatus, 1000);
  } else {
    polling = null;
    if (s.json.published?.version !== before) await loadPublished();
    await renderHistory();
  }
}

async function refresh(force) {
  const r = await api('POST', `/refresh${force ? '?force=true' : ''}`);
  if (r.status === 202) {
    renderStatus({ ...app.state.status, state: 'queued', job: r.json.job });
    pollStatus();
  }
}

$('refresh').addEventListener('click', () => refresh(false));
$('force').addEventListener('click', () => refresh(true));
$('distance').addEventListener('input', scheduleRecompute);
$('guard').addEventListener('input', () => ($('guard-out').textContent = $('guard').value));
$('download').addEventListener('click', async () => {
  const res = await fetch(`/v1/providers/${provider}/coverage`, { headers: { Authorization: `Bearer ${token}` } });
  if (!res.ok) return banner('Ainda não há cobertura publicada para baixar.');
  const url = URL.createObjectURL(await res.blob());
  const a = Object.assign(document.createElement('a'), { href: url, download: `cobertura-${provider}.geojson` });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
});

$('form').addEventListener('submit', async (e) => {
  e.preventDefault();
  document.querySelectorAll('.err').forEach((x) => (x.textContent = ''));
  const body = {
    name: field('name').value.trim(),
    ozmap_url: field('ozmap_url').value.trim(),
    max_distance_m: Number($('distance').value),
    options: { include_buildings: field('include_buildings').checked, require_free_port: field('require_free_port').checked, shrink_guard: Number($('guard').value) / 100 },
  };
  if (field('api_key').value) body.api_key = field('api_key').value.trim();
  const local = {};
  if (!body.name) local.name = TEXT.fields.name;
  if (!/^(https?:\/\/)?[^\s/]+/.test(body.ozmap_url)) local.ozmap_url = TEXT.fields.ozmap_url;
  if (!(body.max_distance_m >= 10 && body.max_distance_m <= 2000)) local.max_distance_m = TEXT.fields.max_distance_m;
  const show = (fields) => Object.entries(fields).forEach(([k, m]) => {
    const el = document.querySelector(`.err[data-for="${k.split('.')[0]}"]`);
    if (el) el.textContent = m;
  });
  if (Object.keys(local).length) return show(local);
  $('save').disabled = true;
  const r = await api('PUT', '/integration', body);
  $('save').disabled = false;
  if (r.status === 200 || r.status === 201) {
    field('api_key').value = '';
    fillForm(r.json.integration);
    $('save-msg').textContent = 'Salvo. Atualização na fila.';
    pollStatus();
  } else if (r.json?.error?.fields) {
    show(r.json.error.fields);
    $('save-msg').textContent = 'Corrija os campos destacados.';
  } else {
    $('save-msg').textContent = r.json?.error?.message || `Erro ${r.status}`;
  }
});

async function main() {
  if (!token || !provider) {
    banner('Abra esta página pelo link da plataforma: a sessão do provedor não foi encontrada.');
    return;
  }
  await loadWasm();
  const i = await api('GET', '/integration');
  if (i.status === 200) fillForm(i.json);
  else if (i.status === 404) $('state').textContent = 'Nenhuma integração salva ainda: preencha a conexão e salve.';
  const s = await api('GET', '/status');
  if (s.status === 200) renderStatus(s.json);
  await loadPublished();
  await renderHistory();
  if (s.json?.job) pollStatus();
  document.body.dataset.ready = 'true';
}

main();
