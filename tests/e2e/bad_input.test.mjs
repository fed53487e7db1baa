// The bad-input matrix: every endpoint, table-driven. Each case gets its
// exact status and error code, and afterwards nothing stored has changed.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { startMock, startWorker } from './harness.mjs';
import { api, integration, waitRun, LOOKUP, PLATFORM } from './api.mjs';

let mock, worker, a, session;
before(async () => {
  mock = await startMock(['--isp', 'bad-key:Bad:31:400']);
  worker = await startWorker();
  a = api(worker.url);
  const r = await a.put('/v1/providers/isp-bad/integration', integration(mock.url, 'bad-key', 'Entrada Ruim', 300));
  await waitRun(a, 'isp-bad', r.json.job.id);
  session = (await a.post('/v1/sessions', { provider_id: 'isp-bad' })).json.token;
});
after(() => {
  worker?.stop();
  mock?.stop();
});

// Tokens signed with the local dev secret, as the platform would, but expired or for nobody.
const b64 = (b) => Buffer.from(b).toString('base64url');
function token(claims, secret = 'dev-session-secret-change-me') {
  const signed = `qs1.${b64(JSON.stringify(claims))}`;
  return `${signed}.${b64(createHmac('sha256', secret).update(signed).digest())}`;
}

async function snapshot() {
  const st = (await a.get('/v1/providers/isp-bad/status')).json;
  const cfg = (await a.get('/v1/providers/isp-bad/integration')).json;
  const cov = await a.get('/v1/providers/isp-bad/coverage');
  const look = (await a.get('/v1/lookup?lat=-27.5949&lng=-48.5482', { token: LOOKUP })).json;
  return { published: st.published, last: st.last?.job_id, job: st.job, cfg, etag: cov.headers.get('etag'), look };
}

const points = (n, p = { lat: -27.59, lng: -48.55 }) => ({ points: Array.from({ length: n }, () => p) });
const P = '/v1/providers/isp-bad';
const CASES = [
  // lookups
  ['GET', '/v1/lookup', LOOKUP, undefined, 400, 'missing_parameter'],
  ['GET', '/v1/lookup?lat=-27.5', LOOKUP, undefined, 400, 'missing_parameter'],
  ['GET', '/v1/lookup?lat=abc&lng=1', LOOKUP, undefined, 400, 'invalid_coordinates'],
  ['GET', '/v1/lookup?lat=NaN&lng=1', LOOKUP, undefined, 400, 'invalid_coordinates'],
  ['GET', '/v1/lookup?lat=inf&lng=1', LOOKUP, undefined, 400, 'invalid_coordinates'],
  ['GET', '/v1/lookup?lat=1e400&lng=1', LOOKUP, undefined, 400, 'invalid_coordinates'],
  ['GET', '/v1/lookup?lat=91&lng=0', LOOKUP, undefined, 400, 'invalid_coordinates'],
  ['GET', '/v1/lookup?lat=0&lng=-180.5', LOOKUP, undefined, 400, 'invalid_coordinates'],
  ['POST', '/v1/lookup', LOOKUP, '{"points": [', 400, 'invalid_json'],
  ['POST', '/v1/lookup', LOOKUP, '', 400, 'invalid_json'],
  ['POST', '/v1/lookup', LOOKUP, { points: [] }, 400, 'invalid_batch'],
  ['POST', '/v1/lookup', LOOKUP, points(1001), 400, 'invalid_batch'],
  ['POST', '/v1/lookup', LOOKUP, { points: [{ lat: '1', lng: 2 }] }, 400, 'invalid_json'],
  ['POST', '/v1/lookup', LOOKUP, { points: [{ lat: 1, lng: 2, alt: 3 }] }, 400, 'invalid_json'],
  ['POST', '/v1/lookup', LOOKUP, { pontos: [] }, 400, 'invalid_json'],
  ['POST', '/v1/lookup', LOOKUP, [[1, 2]], 400, 'invalid_json'],
  ['POST', '/v1/lookup', LOOKUP, { points: [{ lat: 1, lng: 2 }, { lat: 95, lng: 0 }] }, 400, 'invalid_coordinates'],
  ['POST', '/v1/lookup', LOOKUP, `{"points":[${'{"lat":1,"lng":2},'.repeat(20000)}{"lat":1,"lng":2}]}`, 413, 'body_too_large'],
  // integration
  ['PUT', `${P}/integration`, PLATFORM, '{', 400, 'invalid_json'],
  ['PUT', `${P}/integration`, PLATFORM, { name: 1 }, 400, 'invalid_json'],
  ['PUT', `${P}/integration`, PLATFORM, { name: 'x', surprise: true }, 400, 'invalid_json'],
  ['PUT', `${P}/integration`, PLATFORM, { name: 'x', options: { mystery: 1 } }, 400, 'invalid_json'],
  ['PUT', `${P}/integration`, PLATFORM, { name: '', ozmap_url: 'ftp://x', max_distance_m: 5 }, 400, 'validation_failed'],
  ['PUT', `${P}/integration`, PLATFORM, { name: 'x', ozmap_url: 'https://a.ozmap.com.br', max_distance_m: 1e9 }, 400, 'validation_failed'],
  ['PUT', `${P}/integration`, PLATFORM, { name: 'x', ozmap_url: 'http://example.com', max_distance_m: 300 }, 400, 'validation_failed'],
  ['PUT', `${P}/integration`, PLATFORM, { name: 'x'.repeat(101), ozmap_url: 'https://a.b', max_distance_m: 300 }, 400, 'validation_failed'],
  ['PUT', `${P}/integration`, PLATFORM, { name: 'x', ozmap_url: 'https://a.b', max_distance_m: 300, options: { shrink_guard: 2 } }, 400, 'validation_failed'],
  ['PUT', `${P}/integration`, PLATFORM, JSON.stringify({ name: 'x'.repeat(70000) }), 413, 'body_too_large'],
  ['PUT', '/v1/providers/UPPER/integration', PLATFORM, { name: 'x' }, 400, 'invalid_provider_id'],
  ['PUT', '/v1/providers/a.b/integration', PLATFORM, { name: 'x' }, 400, 'invalid_provider_id'],
  // URL parsing resolves an encoded `..` before routing: no route, not a traversal.
  ['GET', '/v1/providers/%2e%2e/status', PLATFORM, undefined, 404, 'not_found'],
  ['GET', '/v1/providers/a%2Fb/status', PLATFORM, undefined, 400, 'invalid_provider_id'],
  ['GET', `/v1/providers/${'a'.repeat(65)}/status`, PLATFORM, undefined, 400, 'invalid_provider_id'],
  ['GET', '/v1/providers/nobody/status', PLATFORM, undefined, 404, 'not_found'],
  ['DELETE', '/v1/providers/nobody/integration', PLATFORM, undefined, 404, 'not_found'],
  ['POST', '/v1/providers/nobody/refresh', PLATFORM, undefined, 404, 'not_found'],
  ['POST', `${P}/refresh?force=maybe`, PLATFORM, undefined, 400, 'invalid_parameter'],
  ['GET', '/v1/providers/nobody/coverage', PLATFORM, undefined, 404, 'not_published'],
  // methods and routes
  ['PATCH', '/v1/lookup', LOOKUP, undefined, 405, 'method_not_allowed'],
  ['GET', '/v1/sessions', PLATFORM, undefined, 405, 'method_not_allowed'],
  ['PUT', `${P}/status`, PLATFORM, {}, 405, 'method_not_allowed'],
  ['DELETE', `${P}/coverage`, PLATFORM, undefined, 405, 'method_not_allowed'],
  ['GET', '/v1/nope', PLATFORM, undefined, 404, 'not_found'],
  ['GET', `${P}/integration/extra`, PLATFORM, undefined, 404, 'not_found'],
  // tokens
  ['GET', `${P}/status`, null, undefined, 401, 'unauthorized'],
  ['GET', `${P}/status`, '', undefined, 401, 'unauthorized'],
  ['GET', `${P}/status`, 'x'.repeat(5000), undefined, 401, 'invalid_token'],
  ['GET', `${P}/status`, token({ sub: 'isp-bad', exp: 1 }), undefined, 401, 'session_expired'],
  ['GET', `${P}/status`, token({ sub: 'isp-bad', exp: 9999999999 }, 'another-secret'), undefined, 401, 'invalid_token'],
  ['GET', `${P}/status`, token({ sub: 'other', exp: 9999999999 }), undefined, 404, 'not_found'],
  ['GET', `${P}/status`, `qs1.${b64('{"sub":"isp-bad"}')}.AAAA`, undefined, 401, 'invalid_token'],
  ['PUT', `${P}/integration`, LOOKUP, { name: 'x' }, 403, 'forbidden'],
  ['POST', '/v1/sessions', PLATFORM, { provider_id: '../x' }, 400, 'invalid_provider_id'],
  ['POST', '/v1/sessions', PLATFORM, { provider_id: 'isp-bad', ttl_s: 'forever' }, 400, 'invalid_json'],
  ['POST', '/v1/sessions', LOOKUP, { provider_id: 'isp-bad' }, 403, 'forbidden'],
];

test('every bad input gets its status and code, and nothing stored changes', async () => {
  const before = await snapshot();
  assert.ok(before.published?.version >= 1);
  for (const [method, path, tok, body, status, code] of CASES) {
    const r = await a.call(method, path, { token: tok, body });
    assert.equal(r.status, status, `${method} ${path.slice(0, 60)}: ${r.text.slice(0, 200)}`);
    assert.equal(r.json?.error?.code, code, `${method} ${path.slice(0, 60)}`);
    assert.ok(r.json.error.message.length > 5, 'a message that says what is wrong');
    assert.ok(!r.text.includes('bad-key'), 'no secret in any error');
  }
  assert.deepEqual(await snapshot(), before);
  // The provider's own session keeps working after all that.
  assert.equal((await a.get(`${P}/status`, { token: session })).status, 200);
});

test('validation errors name every bad field', async () => {
  const r = await a.put(`${P}/integration`, { name: '', ozmap_url: 'ftp://x', max_distance_m: 5, api_key: 'a b' });
  assert.deepEqual(Object.keys(r.json.error.fields).sort(), ['api_key', 'max_distance_m', 'name', 'ozmap_url']);
});
