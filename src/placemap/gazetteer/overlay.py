"""User overlays: a CSV of local places and spellings, added in memory without a rebuild.

Columns (header required): ``name, lat, lon`` and optionally ``country`` (ISO
alpha-2), ``feature`` (GeoNames code such as ``PPL`` or ``P.PPL``), ``population``
and ``alternate_names`` (``|``-separated). A row with only ``name`` and
``alternate_names`` and no coordinates is refused: an overlay adds places, and a
spelling of a known place is added by giving that place's point.
"""

from __future__ import annotations

import csv
import io
import os
from pathlib import Path

from placemap.errors import InputError
from placemap.gazetteer import schema
from placemap.gazetteer.store import Gazetteer
from placemap.records import Place

#: The columns an overlay CSV may have.
COLUMNS = ("name", "lat", "lon", "country", "feature", "population", "alternate_names")
# Overlay places get ids below this, clear of GeoNames ids and curated ids.
OVERLAY_ID_BASE = -1_000_000_000


def load_overlay(gaz: Gazetteer, path: str | Path) -> int:
    """Add every row of an overlay CSV to ``gaz``. Returns the number of places added."""
    from placemap.readers import MAX_BYTES, NotRegular, open_regular

    path = Path(path)
    try:
        # A FIFO or a device is refused before it can block or stream without end.
        with open_regular(path) as raw:
            if os.fstat(raw.fileno()).st_size > MAX_BYTES:
                raise InputError(f"{path}: an overlay CSV over {MAX_BYTES // 10**6} MB")
            with io.TextIOWrapper(raw, encoding="utf-8-sig", newline="") as fh:
                reader = csv.reader(fh)
                lines = [(reader.line_num, cells) for cells in reader]
    except NotRegular as err:
        raise InputError(f"{path}: {err}") from err
    except (OSError, UnicodeDecodeError, csv.Error) as err:
        raise InputError(f"{path}: cannot read overlay CSV ({err})") from err
    # names as written by hand too ("name, lat, lon"); a cell past the header's is ignored
    header = [h.strip() for h in lines[0][1]] if lines else []
    if not {"name", "lat", "lon"} <= set(header):
        raise InputError(
            f"{path}: an overlay CSV needs a header row naming the columns name, lat, lon"
        )
    for column in COLUMNS:
        if header.count(column) > 1:
            raise InputError(f"{path}: {header.count(column)} columns named {column!r}")
    rows = [(n, dict(zip(header, cells, strict=False))) for n, cells in lines[1:] if any(cells)]
    next_id = OVERLAY_ID_BASE - len(gaz._overlay_places)
    for lineno, row in rows:
        try:
            lat, lon = float(row.get("lat") or "nan"), float(row.get("lon") or "nan")
            population = int(row.get("population") or 0)
        except (TypeError, ValueError) as err:
            raise InputError(f"{path}, line {lineno}: bad number ({err})") from err
        if not (-90 <= lat <= 90 and -180 <= lon <= 180) or not (row.get("name") or "").strip():
            raise InputError(f"{path}, line {lineno}: needs a name and lat/lon within range")
        if population < 0:
            # ("-1" marks an unknown count in many tables: here an empty cell does)
            raise InputError(
                f"{path}, line {lineno}: population {population} is below 0 (leave the cell "
                "empty where it is not known)"
            )
        country = (row.get("country") or "").strip().upper()
        if country and not schema.is_country_code(country):
            raise InputError(
                f"{path}, line {lineno}: country {country[:40]!r} is no two-letter ISO code"
            )
        feature = (row.get("feature") or "P.PPL").strip()
        fclass, _, fcode = feature.rpartition(".")
        if not fclass:
            fclass = {"PPL": "P", "ADM": "A"}.get(fcode[:3], "L") if fcode else "P"
        name = (row.get("name") or "").strip()
        place = Place(
            geonameid=next_id,
            name=name,
            asciiname=name,
            lat=lat,
            lon=lon,
            feature_class=fclass,
            feature_code=fcode or "PPL",
            country_code=country or None,
            population=population,
            source=f"{schema.SOURCE_OVERLAY} {path.name}",
        )
        alts = [a.strip() for a in (row.get("alternate_names") or "").split("|") if a.strip()]
        gaz.add_overlay_place(place, alts)
        next_id -= 1
    return len(rows)
