// The WebAssembly bindings in Node: values cross intact, bad input is a JS
// Error (not a panic), and the answers equal the native CLI's.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync, mkdtempSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT } from './harness.mjs';

const pkg = await import(join(ROOT, 'build/www/pkg/preview.js'));
pkg.initSync({ module: readFileSync(join(ROOT, 'build/www/pkg/preview_bg.wasm')) });

const points = [[-48.5482, -27.5949], [-48.5470, -27.5960], [-48.6, -27.6], [-48.5, -27.55]];
const flat = Float64Array.from(points.flat());

test('stats and answers equal the native build', () => {
  const p = new pkg.Preview(flat, 300);
  const stats = p.stats();
  const dir = mkdtempSync(join(tmpdir(), 'wasm-'));
  writeFileSync(join(dir, 'p.json'), JSON.stringify(points));
  const queries = [[-48.5482, -27.5949], [-48.55, -27.597], [-48.7, -27.7]];
  writeFileSync(join(dir, 'q.json'), JSON.stringify(queries));
  const native = JSON.parse(execFileSync(join(ROOT, 'target/release/coverage'), ['build', '--points', join(dir, 'p.json'), '--radius', '300'], { encoding: 'utf8' }));
  for (const k of ['elements', 'parts', 'holes', 'vertices']) assert.equal(stats[k], native[k], k);
  // wasm32 and glibc round transcendental functions differently in the last bits.
  assert.ok(Math.abs(stats.area_km2 - native.area_km2) < 1e-9 * native.area_km2, `${stats.area_km2} vs ${native.area_km2}`);
  const answers = JSON.parse(execFileSync(join(ROOT, 'target/release/coverage'), ['lookup', '--points', join(dir, 'p.json'), '--radius', '300', '--queries', join(dir, 'q.json')], { encoding: 'utf8' }));
  queries.forEach(([lng, lat], i) => {
    const got = p.query(lng, lat);
    assert.equal(got.covered, answers[i].covered);
    // The CLI reports to the millimetre.
    assert.ok(Math.abs(got.distance_m - answers[i].distance_m) <= 5e-4 + 1e-9, `${got.distance_m} vs ${answers[i].distance_m}`);
  });
  const f = p.feature();
  assert.equal(f.type, 'Feature');
  assert.equal(f.geometry.type, 'MultiPolygon');
  assert.equal(f.geometry.coordinates.length, stats.parts);
  assert.equal(f.properties.area_km2, stats.area_km2);
  p.free();
});

test('bad input throws a JS Error with a message', () => {
  const cases = [
    [() => new pkg.Preview(Float64Array.from([1, 2, 3]), 300), /pairs/],
    [() => new pkg.Preview(Float64Array.from([NaN, 2]), 300), /finite/],
    [() => new pkg.Preview(Float64Array.from([0, 95]), 300), /latitude/],
    [() => new pkg.Preview(flat, -1), /radius/],
    [() => new pkg.Preview(flat, Infinity), /radius/],
    [() => new pkg.Preview(flat, 300).query(0, 91), /latitude/],
    [() => new pkg.Preview(flat, 300).query(NaN, 0), /finite/],
  ];
  for (const [f, re] of cases) assert.throws(f, (e) => e instanceof Error && re.test(e.message), String(f));
  // The module still works after errors (no poisoned state from a panic).
  assert.equal(new pkg.Preview(flat, 100).stats().elements, 4);
});

test('an empty element list is an empty coverage', () => {
  const p = new pkg.Preview(new Float64Array(), 300);
  assert.equal(p.stats().area_km2, 0);
  assert.deepEqual(p.query(-48.5, -27.6), { covered: false, distance_m: null });
});
