"""Joins the JSON lines of every bench step by size into one Markdown table."""
import json, sys
from collections import defaultdict

rows = defaultdict(dict)
for line in open(sys.argv[1]):
    line = line.strip()
    if line.startswith("{"):
        d = json.loads(line)
        rows[d["n"]].update(d)

def f(x, fmt="{:,.0f}"):
    return "—" if x is None else fmt.format(x)

print("| elements | ours native (ms) | ours wasm32 (ms) | wasm/native | Shapely (ms) | Shapely/ours | geo unary_union (ms) | geo/ours | Turf (ms) | peak RSS native (MB) | wasm memory, build (MB) | wasm memory, with query table (MB) | area km² | parts | holes | vertices | query native (ns) | query wasm (ns) | Shapely contains_xy (ns) | query table build (ms) |")
print("|" + "---|" * 20)
for n in sorted(rows):
    r = rows[n]
    ours = r.get("native_build_ms")
    ratio = lambda k: (r[k] / ours) if r.get(k) and ours else None
    print(f"| {n:,} | {f(ours, '{:,.1f}')} | {f(r.get('wasm_build_ms'), '{:,.1f}')} | {f(r.get('wasm_build_ms') and r['wasm_build_ms'] / ours, '{:.2f}×')} "
          f"| {f(r.get('shapely_union_ms'))} | {f(ratio('shapely_union_ms'), '{:.1f}×')} | {f(r.get('geo_union_ms'))} | {f(ratio('geo_union_ms'), '{:.0f}×')} "
          f"| {f(r.get('turf_union_ms'))} | {f(r.get('native_rss_mb'), '{:.0f}')} | {f(r.get('wasm_build_memory_mb'), '{:.0f}')} | {f(r.get('wasm_memory_mb'), '{:.0f}')} | {f(r.get('area_km2'), '{:,.1f}')} "
          f"| {r.get('parts', '—')} | {r.get('holes', '—')} | {f(r.get('vertices'))} | {f(r.get('query_ns'))} | {f(r.get('wasm_query_ns'))} | {f(r.get('shapely_contains_ns'))} | {f(r.get('query_table_ms'))} |")
