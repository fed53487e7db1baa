"""Shapely/GEOS baseline (anchors.md): buffer + union_all in an azimuthal
equidistant projection around the centroid, 64 vertices per circle
(quad_segs=16); and prepared contains_xy on the union for point queries."""
import json, statistics, sys, time
import numpy as np
import shapely
from pyproj import Transformer

def main(points_file, queries_file, runs):
    pts = np.array(json.load(open(points_file)))
    lon0, lat0 = pts[:, 0].mean(), pts[:, 1].mean()
    tr = Transformer.from_crs("EPSG:4326", f"+proj=aeqd +lat_0={lat0} +lon_0={lon0} +datum=WGS84 +units=m", always_xy=True)
    x, y = tr.transform(pts[:, 0], pts[:, 1])
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        circles = shapely.buffer(shapely.points(x, y), 300.0, quad_segs=16)
        union = shapely.union_all(circles)
        times.append((time.perf_counter() - t) * 1e3)
    q = np.array(json.load(open(queries_file)))
    qx, qy = tr.transform(q[:, 0], q[:, 1])
    qx, qy = np.tile(qx, 10), np.tile(qy, 10)  # 1M points
    shapely.prepare(union)
    t = time.perf_counter()
    shapely.contains_xy(union, qx, qy)
    ns = (time.perf_counter() - t) * 1e9 / len(qx)
    print(json.dumps({"n": len(pts), "shapely_union_ms": statistics.median(times), "shapely_contains_ns": ns,
                      "shapely_vertices": int(shapely.get_num_coordinates(union))}))

if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], int(sys.argv[3]) if len(sys.argv) > 3 else 3)
