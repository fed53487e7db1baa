// Conformance with a client nobody here wrote: the official OZmap SDK walks
// the mock's pagination and gets the same rows our Rust client got.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT, startMock } from './harness.mjs';

let mock;
before(async () => {
  mock = await startMock(['--isp', 'sdk-key:SDK:11:730']);
});
after(() => mock?.stop());

test('@ozmap/ozmap-sdk findAll and `coverage fetch` read the same boxes and buildings', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sdk-'));
  const line = execFileSync(join(ROOT, 'target/release/coverage'),
    ['fetch', '--ozmap-url', mock.url, '--api-key', 'sdk-key', '--out', join(dir, 'el.json'), '--raw-out', dir, '--page-size', '64'],
    { encoding: 'utf8' });
  const counts = JSON.parse(line);
  assert.equal(counts.boxes + counts.buildings, 730);
  for (const route of ['boxes', 'buildings']) {
    const ours = JSON.parse(readFileSync(join(dir, `${route}.json`), 'utf8')).map((r) => r.id);
    const out = join(dir, `sdk-${route}.json`);
    execFileSync(process.execPath, [join(ROOT, 'tests/e2e/sdk_find_all.mjs'), mock.url, 'sdk-key', route, out],
      { cwd: ROOT, timeout: 60_000, stdio: 'ignore' });
    const theirs = JSON.parse(readFileSync(out, 'utf8'));
    assert.ok(ours.length > 0);
    assert.deepEqual(theirs, ours, `${route}: same rows in the same order`);
    assert.equal(new Set(theirs).size, theirs.length, 'no page read twice');
  }
});

test('the SDK gets a 401 with a wrong key', () => {
  const out = join(mkdtempSync(join(tmpdir(), 'sdk-')), 'ids.json');
  assert.throws(() => execFileSync(process.execPath, [join(ROOT, 'tests/e2e/sdk_find_all.mjs'), mock.url, 'wrong', 'boxes', out],
    { encoding: 'utf8', cwd: ROOT, timeout: 60_000, stdio: 'pipe' }), /status 401/);
});
