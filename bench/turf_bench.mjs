// Turf baseline (anchors.md): circle (64 steps) + union, where it finishes.
import * as turf from '@turf/turf';
import { readFileSync } from 'node:fs';

const pts = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const t = performance.now();
const circles = turf.featureCollection(pts.map((p) => turf.circle(p, 0.3, { steps: 64, units: 'kilometers' })));
const u = turf.union(circles);
const ms = performance.now() - t;
console.log(JSON.stringify({ n: pts.length, turf_union_ms: ms, turf_parts: u.geometry.type === 'MultiPolygon' ? u.geometry.coordinates.length : 1 }));
