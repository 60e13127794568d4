"""Representative points for first-level divisions: Natural Earth's admin-1 label points,
keyed by the GeoNames id that Natural Earth gives each division.

    python gazetteer/make_admin1_points.py PATH/ne_10m_admin_1_states_provinces.csv \
        > gazetteer/admin1_points.csv

The input is the attribute table of Natural Earth's 1:10m "Admin 1 - States, Provinces"
layer (public domain): its ``latitude``/``longitude`` is a label point inside the division,
``gn_id`` the division's GeoNames id (for a few countries the id of a second-level
division, which is then the division the point belongs to). Rows without a positive id,
and ids that several rows share (a division Natural Earth splits), are left out: the
recipe then places the division from its member towns. Standard library only.
"""

from __future__ import annotations

import csv
import sys
from collections import Counter


def main() -> None:
    with open(sys.argv[1], encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    points: list[tuple[int, float, float]] = []
    for r in rows:
        try:
            gid = int(float(r["gn_id"]))
            lat, lon = float(r["latitude"]), float(r["longitude"])
        except (KeyError, ValueError):
            continue
        if gid > 0 and -90 <= lat <= 90 and -180 <= lon <= 180:
            points.append((gid, round(lat, 5), round(lon, 5)))
    shared = {gid for gid, n in Counter(p[0] for p in points).items() if n > 1}
    out = csv.writer(sys.stdout, lineterminator="\n")
    out.writerow(["geonameid", "lat", "lon"])
    for p in sorted(points):
        if p[0] not in shared:
            out.writerow(p)
    kept = len(points) - sum(1 for p in points if p[0] in shared)
    print(f"{kept} divisions; {len(shared)} ids shared by several rows left out", file=sys.stderr)


if __name__ == "__main__":
    main()
