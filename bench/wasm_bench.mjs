// The wasm32 path (crates/preview, the same code as the Worker) in Node:
// build time, point queries in one batch, and the peak linear memory.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..');
const pkg = await import(join(root, 'build/www/pkg/preview.js'));
const exports = pkg.initSync({ module: readFileSync(join(root, 'build/www/pkg/preview_bg.wasm')) });
const [pointsFile, queriesFile, runsArg] = process.argv.slice(2);
const flat = Float64Array.from(JSON.parse(readFileSync(pointsFile, 'utf8')).flat());
const runs = Number(runsArg || 3);
const times = [];
let p;
let buildMemory;
for (let i = 0; i < runs; i++) {
  p?.free();
  const t = performance.now();
  p = new pkg.Preview(flat, 300);
  times.push(performance.now() - t);
  // Linear memory never shrinks: after the first build it is the build's peak
  // (what a Worker refresh needs; the Worker never builds the query table).
  buildMemory ??= exports.memory.buffer.byteLength / 2 ** 20;
}
const q = Float64Array.from(JSON.parse(readFileSync(queriesFile, 'utf8')).flat());
// The first query builds the bucket table (timed apart, as natively).
const tt = performance.now();
p.query_batch(q.subarray(0, 2));
const tableMs = performance.now() - tt;
const t = performance.now();
const d = p.query_batch(q);
const ns = ((performance.now() - t) * 1e6) / (q.length / 2);
times.sort((a, b) => a - b);
console.log(JSON.stringify({ n: flat.length / 2, wasm_build_ms: times[Math.floor(times.length / 2)], wasm_query_ns: ns, wasm_table_ms: tableMs, wasm_build_memory_mb: buildMemory,
  wasm_memory_mb: exports.memory.buffer.byteLength / 2 ** 20, wasm_hits: d.filter((x) => !Number.isNaN(x)).length }));
