"""HTML maps of the places reports mention (folium + placemap's own page script).

Functions here return ``folium.Map`` objects or HTML strings; the CLI writes the pages,
:func:`write_assets` the files they share.
A map page carries its facts as JSON (``placemap.mapdata``) and draws them with
``data/map.js``: every marker layer, popup and panel is built in the browser with
``textContent``, so untrusted report text never becomes markup. Pages work from a file,
offline. By default Leaflet, its marker cluster plugin, the basemap and the script are
inlined; with ``assets="assets/"`` a page links them instead, as files that
:func:`write_assets` writes once for all the pages of a folder.
"""

from __future__ import annotations

import base64
import hashlib
import html
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

import folium
from branca.element import Element, MacroElement
from jinja2 import Template

from placemap.gazetteer.suggest import FullDataHint
from placemap.mapdata import (
    Filters,
    PlaceTable,
    panel,
    report_hits,
    report_row,
    script_json,
    sentence_starts,
    snippets,
)
from placemap.records import Mention, Report
from placemap.writers import write_text_atomic

__all__ = [
    "PALETTE",
    "Asset",
    "TileSource",
    "collection_map",
    "esc",
    "index_page",
    "render",
    "report_filenames",
    "report_map",
    "safe_filename",
    "sentences_naming",
    "shared_assets",
    "tile_source",
    "write_assets",
]

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


def esc(text: str, quote: bool = True) -> str:
    """Escape untrusted text for HTML, and backticks, ``$`` and backslashes too, so the
    result is also inert inside a JavaScript template literal."""
    return html.escape(text, quote=quote).translate(_JS_TEMPLATE_CHARS)


_JS_TEMPLATE_CHARS = str.maketrans({"`": "&#96;", "$": "&#36;", "\\": "&#92;"})


def sentences_naming(text: str, mentions: Sequence[Mention], limit: int = 5) -> list[str]:
    """Escaped HTML of the sentences that contain the mentions, the names in <mark>."""
    out = []
    for snip in snippets(text, sentence_starts(text), mentions, context=300, limit=limit):
        sentence, marks, pos, parts = snip[0], snip[1:], 0, []
        for s, e in zip(marks[::2], marks[1::2], strict=True):
            parts += [esc(sentence[pos:s]), "<mark>", esc(sentence[s:e]), "</mark>"]
            pos = e
        out.append("".join(parts) + esc(sentence[pos:]))
    return out


# --- tiles --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class TileSource:
    """An online tile layer, offered as an extra layer that starts switched off."""

    url: str
    attribution: str


OSM = TileSource(
    "https://tile.openstreetmap.org/{z}/{x}/{y}.png", "Tiles © OpenStreetMap contributors"
)
_TILE_URL = re.compile(r"https?://[^\s\"'<>\\`]+")


def tile_source(value: str) -> TileSource | None:
    """``none``, ``osm`` or a tile URL template such as ``https://host/{z}/{x}/{y}.png``.

    Raises ValueError for anything else (a URL must be http(s) and have {z}, {x}, {y})."""
    if value == "none":
        return None
    if value == "osm":
        return OSM
    if not _TILE_URL.fullmatch(value) or not all(k in value for k in ("{z}", "{x}", "{y}")):
        raise ValueError(
            "use none, osm or an http(s) URL template with {z}, {x} and {y}, "
            "for example https://tile.example.org/{z}/{x}/{y}.png"
        )
    return TileSource(value, "Tiles: " + value.split("/")[2])


# --- pages --------------------------------------------------------------------------


class _Draw(MacroElement):
    """The page's data as JSON and the call that draws it on the map."""

    _template = Template(
        """{% macro html(this, kwargs) %}<script type="application/json" id="placemap-data">"""
        """{{ this.data }}</script>{% endmacro %}
{% macro script(this, kwargs) %}placemapDraw({{ this._parent.get_name() }},
    document.getElementById("placemap-data"));{% endmacro %}"""
    )

    def __init__(self, data: dict[str, Any]) -> None:
        super().__init__()
        self._name = "PlacemapDraw"
        self.data = script_json(data)


#: How the Natural Earth outlines are drawn, under the report layers, in both modes.
_BASEMAP_STYLE = {"fillColor": "#eeeae2", "color": "#b9b3a8", "weight": 0.6, "fillOpacity": 1.0}


class _SharedBasemap(MacroElement):
    """The country outlines from ``window.placemapBasemap``, set by the shared ``basemap``
    asset: the layer folium.GeoJson would make, without the data in the page."""

    _template = Template(
        """{% macro script(this, kwargs) %}var {{ this.get_name() }} = L.geoJSON(
    window.placemapBasemap, {style: {{ this.style }}, interactive: false}
).addTo({{ this._parent.get_name() }});{% endmacro %}"""
    )

    def __init__(self) -> None:
        super().__init__()
        self._name = "PlacemapBasemap"
        self.style = json.dumps(_BASEMAP_STYLE, sort_keys=True)


def _new_map(title: str, *, cluster: bool, assets: str | None = None) -> folium.Map:
    """A map that works from a file with no network, with the country outlines: the
    assets inlined, or (``assets`` a URL prefix such as ``"assets/"``) linked."""
    m = folium.Map(
        location=[20, 0],
        zoom_start=2,
        tiles=None,
        max_zoom=18,
        prefer_canvas=True,
        font_size="13px",
    )
    m.default_js = []  # no CDN links: Leaflet is inlined or linked below
    m.default_css = []
    root: Any = m.get_root()
    root.header.add_child(Element(f"<title>{esc(title)}</title>"), name="title")
    if assets is None:
        for name, element in _inline_assets(cluster):
            root.header.add_child(element, name=name)
        folium.GeoJson(
            basemap_geojson(),
            name="Countries (Natural Earth)",
            style_function=lambda _f: dict(_BASEMAP_STYLE),
            interactive=False,
            control=False,
        ).add_to(m)
    else:
        for name, element in _linked_assets(cluster, assets):
            root.header.add_child(element, name=name)
        m.add_child(_SharedBasemap())
    return m


def _page_data(
    mode: str,
    title: str,
    places: PlaceTable,
    rows: list[list[Any]],
    hits: list[list[list[Any]]],
    *,
    tiles: TileSource | None,
    cluster: bool,
    heatmap: bool,
) -> dict[str, Any]:
    return {
        "mode": mode,
        "title": title,
        "palette": PALETTE,
        "P": places.rows,
        "R": rows,
        "H": hits,
        "bounds": places.bounds(),
        "tiles": {"url": tiles.url, "attribution": esc(tiles.attribution)} if tiles else None,
        "cluster": cluster,
        "heat": heatmap,
    }


def report_map(
    report: Report,
    *,
    min_confidence: float = 0.0,
    demonyms: bool = False,
    tiles: TileSource | None = None,
    cluster: bool = False,
    heatmap: bool = False,
    assets: str | None = None,
    hint: FullDataHint | None = None,
) -> folium.Map:
    """One report's places as circles sized by how often it names them; each popup has
    every sentence naming the place, and a side panel lists the unresolved names (with
    the countries whose full GeoNames data would resolve them, and the command that adds
    it to the index ``hint`` describes) and the choices made with little confidence.

    The page is self-contained unless ``assets`` is given: the URL prefix, relative to
    the page, of the files :func:`write_assets` writes (``"assets/"``), which it links."""
    filters = Filters(min_confidence, demonyms)
    places = PlaceTable()
    hits = [report_hits(report, places, filters, full=True)]
    title = report.title or report.id
    data = _page_data(
        "report",
        title,
        places,
        [report_row(report, "", 0)],
        hits,
        tiles=tiles,
        cluster=cluster,
        heatmap=heatmap,
    )
    data["panel"] = panel(report, filters, hint)
    m = _new_map(title, cluster=cluster, assets=assets)
    m.add_child(_Draw(data))
    return m


def collection_map(
    reports: Sequence[Report],
    *,
    links: Sequence[str] | None = None,
    min_confidence: float = 0.0,
    demonyms: bool = False,
    title: str = "placemap",
    tiles: TileSource | None = None,
    cluster: bool = False,
    heatmap: bool = False,
    assets: str | None = None,
) -> folium.Map:
    """All reports on one map: one layer per report, coloured by report, with a panel to
    search, group, filter by date and toggle them. ``links`` are the reports' own map
    files, linked from the panel and popups. ``assets`` as for :func:`report_map`."""
    if links is not None and len(links) != len(reports):
        raise ValueError("links must name one file per report")
    filters = Filters(min_confidence, demonyms)
    places = PlaceTable()
    hits = [report_hits(r, places, filters, full=False) for r in reports]
    rows = [
        report_row(r, links[i] if links else "", i % len(PALETTE)) for i, r in enumerate(reports)
    ]
    data = _page_data(
        "collection", title, places, rows, hits, tiles=tiles, cluster=cluster, heatmap=heatmap
    )
    m = _new_map(title, cluster=cluster, assets=assets)
    m.add_child(_Draw(data))
    return m


# --- assets -------------------------------------------------------------------------


def _css_with_data_uris(css: str, base: Path) -> str:
    """Stylesheets name their images by relative URL; a page read from a file has no
    folder beside it, so each image becomes a data URI."""

    def data_uri(mo: re.Match[str]) -> str:
        img = base / mo.group(1)
        b64 = base64.b64encode(img.read_bytes()).decode("ascii")
        return f"url(data:image/png;base64,{b64})"

    return re.sub(r"url\((images/[\w.-]+\.png)\)", data_uri, css)


def _script_safe(js: str) -> str:
    """Inline script text cannot contain the end tag of its own element."""
    return re.sub(r"</(script)", r"<\\/\1", js, flags=re.IGNORECASE)


@lru_cache(maxsize=2)
def _sources(cluster: bool) -> tuple[tuple[tuple[str, str], ...], tuple[tuple[str, str], ...]]:
    """The stylesheets and scripts a page needs, in load order, as (name, text): Leaflet
    (its images as data URIs), the cluster plugin when asked, placemap's own."""
    import xstatic.pkg.leaflet as xleaflet

    base = Path(xleaflet.BASE_DIR)
    css = [("leaflet", _css_with_data_uris((base / "leaflet.css").read_text("utf-8"), base))]
    js = [("leaflet", (base / "leaflet.js").read_text(encoding="utf-8"))]
    if cluster:
        import xstatic.pkg.leaflet_markercluster as xcluster

        cbase = Path(xcluster.BASE_DIR)
        for name in ("MarkerCluster.css", "MarkerCluster.Default.css"):
            css.append((f"leaflet.{name.lower()[:-4]}", (cbase / name).read_text("utf-8")))
        plugin = (cbase / "leaflet.markercluster.js").read_text(encoding="utf-8")
        js.append(("leaflet.markercluster", plugin))
    own = resources.files("placemap") / "data"
    css.append(("map", (own / "map.css").read_text(encoding="utf-8")))
    js.append(("map", (own / "map.js").read_text(encoding="utf-8")))
    return tuple(css), tuple(js)


@lru_cache(maxsize=2)
def _inline_assets(cluster: bool) -> tuple[tuple[str, Element], ...]:
    css, js = _sources(cluster)
    style = "<style>" + "\n".join(text for _n, text in css) + "</style>"
    elements = [("placemap_css", Element(style))]
    for i, (_n, text) in enumerate(js):
        elements.append((f"placemap_js_{i}", Element(f"<script>{_script_safe(text)}</script>")))
    return tuple(elements)


@dataclass(frozen=True, slots=True)
class Asset:
    """A file that pages written with ``assets=`` link: its name carries a hash of its
    content (``leaflet-0123456789.js``), so a page never loads another version's file,
    not even from a browser cache."""

    name: str
    text: str


def _asset(stem: str, ext: str, text: str) -> Asset:
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()[:10]
    return Asset(f"{stem}-{digest}.{ext}", text)


@lru_cache(maxsize=2)
def shared_assets(cluster: bool = False) -> tuple[Asset, ...]:
    """The files of the shared mode, stylesheets then scripts in load order: Leaflet, the
    marker cluster plugin (only with ``cluster``), placemap's map.css and map.js, and the
    Natural Earth outlines as ``basemap-*.js``, which sets ``window.placemapBasemap``."""
    css, js = _sources(cluster)
    # decoded afresh: folium.GeoJson gives the features of the cached copy ids in place
    basemap = json.dumps(basemap_geojson.__wrapped__(), separators=(",", ":"))
    return (
        *(_asset(stem, "css", text) for stem, text in css),
        *(_asset(stem, "js", text) for stem, text in js),
        _asset(
            "basemap",
            "js",
            "/* Natural Earth 1:110m country outlines (public domain), for placemap pages. */\n"
            f"window.placemapBasemap = {basemap};\n",
        ),
    )


def write_assets(folder: Path, *, cluster: bool = False) -> list[Path]:
    """Write the files of :func:`shared_assets` into ``folder`` (each atomically, and only
    when missing or different) and return their paths. Files of other versions are left:
    pages written before still link them."""
    paths = []
    for asset in shared_assets(cluster):
        path = folder / asset.name
        try:
            same = path.read_bytes() == asset.text.encode("utf-8")
        except OSError:
            same = False
        if not same:
            write_text_atomic(path, asset.text)
        paths.append(path)
    return paths


def _linked_assets(cluster: bool, prefix: str) -> list[tuple[str, Element]]:
    """The elements that link the shared assets under the URL prefix, then a script that
    says what is wrong when they did not load (the folder was not copied with the page)."""
    if prefix and not prefix.endswith("/"):
        prefix += "/"
    elements = []
    for i, asset in enumerate(shared_assets(cluster)):
        url = esc(prefix + asset.name)
        if asset.name.endswith(".css"):
            elements.append((f"placemap_css_{i}", Element(f'<link rel="stylesheet" href="{url}">')))
        else:
            elements.append((f"placemap_js_{i}", Element(f'<script src="{url}"></script>')))
    message = script_json(
        f"This map needs the files in the folder {prefix or './'} that placemap wrote beside "
        "it; they are missing or from another version of placemap."
    )
    check = (
        "<script>if (typeof placemapDraw === 'undefined' || "
        "typeof placemapBasemap === 'undefined') {\n"
        "  document.addEventListener('DOMContentLoaded', function () {\n"
        f"    document.body.textContent = {message};\n"
        "  });\n}</script>"
    )
    elements.append(("placemap_assets_check", Element(check)))
    return elements


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


# --- files and the index ------------------------------------------------------------


def safe_filename(report_id: str) -> str:
    """A file name made of letters, digits, dots, dashes and underscores only."""
    name = re.sub(r"[^A-Za-z0-9._-]+", "_", report_id).strip("._-") or "report"
    return name[:100]


def report_filenames(reports: Sequence[Report]) -> list[str]:
    """One distinct ``.html`` file name per report, from its id."""
    used: set[str] = {"index.html", "collection.html"}
    names = []
    for r in reports:
        base = safe_filename(r.id)
        name, k = f"{base}.html", 2
        while name in used:
            name, k = f"{base}-{k}.html", k + 1
        used.add(name)
        names.append(name)
    return names


_LINKABLE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*\.html")

_INDEX_STYLE = (
    "body{font:14px/1.4 system-ui,sans-serif;margin:2em;color:#222}"
    "table{border-collapse:collapse}td,th{border-bottom:1px solid #ddd;padding:4px 10px;"
    "text-align:left;vertical-align:top}th{background:#f4f4f4}td.n{text-align:right}"
    ".src{color:#666;font-size:12px;word-break:break-all}"
)


def _file_link(text: str, href: str) -> str:
    """A link to a file beside the index; anything that is not a plain file name (a URL,
    a ``javascript:`` link) is shown as text."""
    if not _LINKABLE.fullmatch(href):
        return esc(text)
    return f"<a href='{esc(href)}'>{esc(text)}</a>"


def index_page(
    reports: Sequence[Report],
    files: Sequence[str],
    title: str = "placemap",
    *,
    min_confidence: float = 0.0,
    demonyms: bool = False,
) -> str:
    """The index: one row per report (title, date, source file, places on its map,
    unresolved names) linking to its map, and a link to the collection map."""
    filters = Filters(min_confidence, demonyms)
    rows = []
    all_places: set[int] = set()
    for r, f in zip(reports, files, strict=True):
        places = {m.place.geonameid for m in r.mentions if m.place and filters.keeps(m)}
        all_places |= places
        unresolved = {m.text for m in r.mentions if m.place is None}
        rows.append(
            f"<tr><td>{_file_link(r.title or r.id, f)}</td><td>{esc(r.date or '')}</td>"
            f"<td class='src'>{esc(r.source or '')}</td><td class='n'>{len(places)}</td>"
            f"<td class='n'>{len(unresolved)}</td><td>{_file_link('map', f)}</td></tr>"
        )
    t = esc(title)
    return (
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>"
        "<meta name='viewport' content='width=device-width,initial-scale=1'>"
        f"<title>{t}</title><style>{_INDEX_STYLE}</style></head><body>"
        f"<h1>{t}</h1><p>{len(reports)} reports, {len(all_places)} distinct places. "
        "<a href='collection.html'>All reports on one map</a></p>"
        "<table><thead><tr><th>Report</th><th>Date</th><th>Source file</th><th>Places</th>"
        "<th>Unresolved</th><th>Map</th></tr></thead><tbody>"
        + "".join(rows)
        + "</tbody></table></body></html>\n"
    )
