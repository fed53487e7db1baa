// Helpers for calling the Worker's API in tests.
export const PLATFORM = 'dev-platform-token';
export const LOOKUP = 'dev-lookup-token';

/** Every response seen, for the OpenAPI conformance check. */
export const recorded = [];

export function api(base) {
  const call = async (method, path, { token = PLATFORM, body, headers = {} } = {}) => {
    const h = { ...headers };
    if (token) h.Authorization = `Bearer ${token}`;
    if (body !== undefined) h['Content-Type'] = 'application/json';
    const res = await fetch(`${base}${path}`, { method, headers: h, body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body) });
    const text = await res.text();
    let json = null;
    try { json = JSON.parse(text); } catch {}
    recorded.push({ method, path, status: res.status, json, contentType: res.headers.get('content-type') });
    return { status: res.status, json, text, headers: res.headers };
  };
  return {
    call,
    put: (p, body, o) => call('PUT', p, { ...o, body }),
    get: (p, o) => call('GET', p, o),
    post: (p, body, o) => call('POST', p, { ...o, body }),
    del: (p, o) => call('DELETE', p, o),
  };
}

/** Registers a mock ISP as provider `id`. */
export function integration(mockUrl, key, name, distance = 300, options = undefined) {
  return { name, ozmap_url: mockUrl, api_key: key, max_distance_m: distance, ...(options ? { options } : {}) };
}

/** Waits until the provider's run `jobId` (or any run, if null) has finished. */
export async function waitRun(a, id, jobId, timeoutMs = 120_000) {
  const end = Date.now() + timeoutMs;
  let last;
  while (Date.now() < end) {
    const r = await a.get(`/v1/providers/${id}/status`);
    last = r.json;
    if (r.status === 200 && last.last && (jobId === null || last.last.job_id === jobId) && !last.job) return last;
    await new Promise((ok) => setTimeout(ok, 300));
  }
  throw new Error(`run ${jobId} of ${id} did not finish: ${JSON.stringify(last)}`);
}
