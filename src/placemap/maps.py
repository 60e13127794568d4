"""HTML maps of the places reports mention (folium).

Functions here build and return ``folium.Map`` objects or HTML strings; only the
CLI writes files. Report text is untrusted: every piece of it is escaped before
it enters a page, and popups are built from escaped HTML strings.
"""

from __future__ import annotations

import base64
import html
import json
import re
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

import folium
from branca.element import Element

from placemap.records import Mention, Place, Report

__all__ = ["report_map", "collection_map", "index_page", "render", "PALETTE", "sentences_naming"]

PALETTE = [
    "#1f77b4",
    "#d62728",
    "#2ca02c",
    "#9467bd",
    "#ff7f0e",
    "#17becf",
    "#8c564b",
    "#e377c2",
    "#7f7f7f",
    "#bcbd22",
]


@dataclass
class _PlaceGroup:
    place: Place
    mentions: list[Mention]


def _groups(report: Report, min_confidence: float, demonyms: bool) -> list[_PlaceGroup]:
    by_id: dict[int, _PlaceGroup] = {}
    for m in report.mentions:
        if m.place is None or m.confidence < min_confidence:
            continue
        if m.kind == "demonym" and not demonyms:
            continue
        g = by_id.setdefault(m.place.geonameid, _PlaceGroup(m.place, []))
        g.mentions.append(m)
    return sorted(by_id.values(), key=lambda g: (-len(g.mentions), g.place.geonameid))


_JS_TEMPLATE_CHARS = str.maketrans({"`": "&#96;", "$": "&#36;", "\\": "&#92;"})


def esc(text: str, quote: bool = True) -> str:
    """Escape untrusted text for HTML that folium may also place inside a JavaScript
    template literal (popups, tooltips): backticks, ``${`` and backslashes too."""
    return html.escape(text, quote=quote).translate(_JS_TEMPLATE_CHARS)


def sentences_naming(text: str, mentions: Sequence[Mention], limit: int = 5) -> list[str]:
    """Escaped sentences that contain the mentions, the names wrapped in <mark>."""
    out: list[str] = []
    for m in mentions[:limit]:
        s = max(text.rfind(".", 0, m.start), text.rfind("\n", 0, m.start)) + 1
        e_candidates = [i for i in (text.find(".", m.end), text.find("\n", m.end)) if i != -1]
        e = min(e_candidates) + 1 if e_candidates else len(text)
        s = max(s, m.start - 300)
        e = min(e, m.end + 300)
        out.append(
            esc(text[s : m.start].lstrip())
            + "<mark>"
            + esc(text[m.start : m.end])
            + "</mark>"
            + esc(text[m.end : e].rstrip())
        )
    return out


def _popup_html(g: _PlaceGroup, text: str) -> str:
    p = g.place
    where = ", ".join(x for x in (p.admin1_name, p.country_code) if x)
    gid = p.geonames_id
    conf = max(m.confidence for m in g.mentions)
    rows = "".join(f"<li>{s}</li>" for s in sentences_naming(text, g.mentions))
    return (
        f"<b>{esc(p.name)}</b> ({esc(where)})<br>"
        f"{esc(p.kind)} · GeoNames {gid if gid is not None else '–'} · "
        f"confidence {conf:.2f} · named {len(g.mentions)}×"
        f"<ul style='padding-left:1.2em;margin:4px 0'>{rows}</ul>"
    )


def _new_map(title: str | None) -> folium.Map:
    """A map that works from a file with no network: assets inlined, country outlines."""
    m = folium.Map(location=[20, 0], zoom_start=2, tiles=None, max_zoom=18, prefer_canvas=True)
    # No CDN links: Leaflet and jQuery (folium's popups need it) are inlined below.
    m.default_js = []
    m.default_css = []
    root: Any = m.get_root()
    for name, element in _inline_assets():
        root.header.add_child(element, name=name)
    folium.GeoJson(
        basemap_geojson(),
        name="Countries (Natural Earth)",
        style_function=lambda _f: {
            "fillColor": "#eeeae2",
            "color": "#b9b3a8",
            "weight": 0.6,
            "fillOpacity": 1.0,
        },
        interactive=False,
        control=False,
    ).add_to(m)
    if title:
        root.html.add_child(Element(f"<title>{esc(title)}</title>"))
    root.html.add_child(Element(ATTRIBUTION))
    return m


ATTRIBUTION = (
    "<div style='position:absolute;bottom:2px;left:4px;z-index:1000;font:11px sans-serif;"
    "background:rgba(255,255,255,.8);padding:0 4px'>Places: GeoNames (CC BY 4.0) · "
    "Outlines: Natural Earth · placemap</div>"
)


@lru_cache(maxsize=1)
def _inline_assets() -> tuple[tuple[str, Element], ...]:
    import xstatic.pkg.jquery as xjquery
    import xstatic.pkg.leaflet as xleaflet

    base = Path(xleaflet.BASE_DIR)
    css = (base / "leaflet.css").read_text(encoding="utf-8")

    def data_uri(mo: re.Match[str]) -> str:
        img = base / mo.group(1)
        b64 = base64.b64encode(img.read_bytes()).decode("ascii")
        return f"url(data:image/png;base64,{b64})"

    css = re.sub(r"url\((images/[\w.-]+\.png)\)", data_uri, css)
    js = (base / "leaflet.js").read_text(encoding="utf-8")
    jq = (Path(xjquery.BASE_DIR) / "jquery.min.js").read_text(encoding="utf-8")
    extra_css = ".leaflet-container{background:#d4e4f1}"
    return (
        ("leaflet_css", Element(f"<style>{css}\n{extra_css}</style>")),
        ("leaflet", Element(f"<script>{_script_safe(js)}</script>")),
        ("jquery", Element(f"<script>{_script_safe(jq)}</script>")),
    )


def _script_safe(js: str) -> str:
    """Inline script text cannot contain the end tag of its own element."""
    return js.replace("</script", "<\\/script")


@lru_cache(maxsize=1)
def basemap_geojson() -> dict[str, Any]:
    """Natural Earth 1:110m country outlines (public domain), TopoJSON decoded to GeoJSON."""
    topo = json.loads(
        (resources.files("placemap") / "data" / "countries-110m.json").read_text(encoding="utf-8")
    )
    sx, sy = topo["transform"]["scale"]
    tx, ty = topo["transform"]["translate"]
    arcs = []
    for arc in topo["arcs"]:
        x = y = 0
        pts = []
        for dx, dy in arc:
            x += dx
            y += dy
            pts.append([round(x * sx + tx, 3), round(y * sy + ty, 3)])
        arcs.append(pts)

    def ring(idxs: list[int]) -> list[list[float]]:
        out: list[list[float]] = []
        for i in idxs:
            a = arcs[i] if i >= 0 else arcs[~i][::-1]
            out.extend(a if not out else a[1:])
        return out

    features = []
    for g in topo["objects"]["countries"]["geometries"]:
        if g["type"] == "Polygon":
            geom = {"type": "Polygon", "coordinates": [ring(r) for r in g["arcs"]]}
        elif g["type"] == "MultiPolygon":
            geom = {
                "type": "MultiPolygon",
                "coordinates": [[ring(r) for r in poly] for poly in g["arcs"]],
            }
        else:
            continue
        features.append({"type": "Feature", "properties": {}, "geometry": geom})
    return {"type": "FeatureCollection", "features": features}


_ID_RE = re.compile(r"(?<=_)[0-9a-f]{32}(?![0-9a-f])")


def render(m: folium.Map) -> str:
    """The page's HTML, with folium's random element ids replaced by sequence numbers,
    so that the same input gives the same bytes."""
    ids: dict[str, str] = {}
    page = m.get_root().render()
    return _ID_RE.sub(lambda mo: ids.setdefault(mo.group(0), f"{len(ids):032x}"), page)


def _fit(m: folium.Map, places: list[Place]) -> None:
    if not places:
        return
    lats = [p.lat for p in places]
    lons = [p.lon for p in places]
    if len(places) == 1:
        m.location = [lats[0], lons[0]]
        m.options["zoom"] = 7
        return
    m.fit_bounds([[min(lats), min(lons)], [max(lats), max(lons)]], padding=(30, 30))


def _marker(g: _PlaceGroup, text: str, colour: str) -> folium.CircleMarker:
    """A circle sized by how often the report names the place, with an escaped popup."""
    return folium.CircleMarker(
        [g.place.lat, g.place.lon],
        radius=5 + 3 * min(len(g.mentions), 8) ** 0.5,
        color=colour,
        fill=True,
        fill_opacity=0.7,
        weight=1,
        popup=folium.Popup(_popup_html(g, text), max_width=420),
        tooltip=esc(g.place.name),
    )


def report_map(
    report: Report, *, min_confidence: float = 0.0, demonyms: bool = False
) -> folium.Map:
    """One report's places as circle markers sized by how often they are named."""
    m = _new_map(report.title or report.id)
    groups = _groups(report, min_confidence, demonyms)
    for g in groups:
        _marker(g, report.text, PALETTE[0]).add_to(m)
    _fit(m, [g.place for g in groups])
    _side_panel(m, report)
    return m


def _side_panel(m: folium.Map, report: Report) -> None:
    unresolved = [mm for mm in report.mentions if mm.place is None]
    names = sorted({mm.text for mm in unresolved})
    items = "".join(f"<li>{esc(n)}</li>" for n in names) or "<li>none</li>"
    head = esc(report.title or report.id)
    date = esc(report.date or "")
    panel = (
        "<div id='placemap-panel' style='position:absolute;top:10px;right:10px;z-index:1000;"
        "background:white;padding:8px 12px;max-width:300px;max-height:60%;overflow:auto;"
        "font:13px sans-serif;box-shadow:0 1px 4px rgba(0,0,0,.4)'>"
        f"<b>{head}</b><br><small>{date}</small><br>"
        f"<b>Unresolved names</b><ul style='padding-left:1.2em'>{items}</ul></div>"
    )
    root: Any = m.get_root()
    root.html.add_child(Element(panel))


def collection_map(
    reports: Sequence[Report],
    *,
    min_confidence: float = 0.0,
    demonyms: bool = False,
    title: str = "placemap",
) -> folium.Map:
    """All reports on one map: one toggleable layer per report, coloured by report."""
    m = _new_map(title)
    all_places: list[Place] = []
    for i, r in enumerate(reports):
        colour = PALETTE[i % len(PALETTE)]
        layer = folium.FeatureGroup(name=esc(f"{r.date or ''} {r.title or r.id}".strip()))
        for g in _groups(r, min_confidence, demonyms):
            _marker(g, r.text, colour).add_to(layer)
            all_places.append(g.place)
        layer.add_to(m)
    folium.LayerControl(collapsed=False).add_to(m)
    _fit(m, all_places)
    return m


def safe_filename(report_id: str) -> str:
    name = re.sub(r"[^A-Za-z0-9._-]+", "_", report_id).strip("._") or "report"
    return name[:100]


def index_page(reports: Sequence[Report], files: Sequence[str], title: str = "placemap") -> str:
    """The index: one row per report with its map link, and a link to the collection map."""
    counts: dict[str, int] = defaultdict(int)
    rows = []
    for r, f in zip(reports, files, strict=True):
        places = {m.place.geonameid for m in r.mentions if m.place is not None}
        unresolved = {m.text for m in r.mentions if m.place is None}
        counts["places"] += len(places)
        rows.append(
            f"<tr><td><a href='{esc(f)}'>"
            f"{esc(r.title or r.id)}</a></td>"
            f"<td>{esc(r.date or '')}</td><td>{esc(r.source or '')}</td>"
            f"<td>{len(places)}</td><td>{len(unresolved)}</td></tr>"
        )
    t = esc(title)
    return (
        "<!DOCTYPE html><html><head><meta charset='utf-8'>"
        f"<title>{t}</title><style>body{{font:14px sans-serif;margin:2em}}"
        "table{border-collapse:collapse}td,th{border-bottom:1px solid #ddd;padding:4px 10px;"
        "text-align:left}</style></head><body>"
        f"<h1>{t}</h1><p><a href='collection.html'>All reports on one map</a></p>"
        "<table><tr><th>Report</th><th>Date</th><th>Source</th><th>Places</th>"
        "<th>Unresolved</th></tr>" + "".join(rows) + "</table></body></html>"
    )
