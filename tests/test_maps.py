from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from placemap.gazetteer import Gazetteer
from placemap.mapdata import (
    Filters,
    PlaceTable,
    focus_bounds,
    panel,
    report_hits,
    script_json,
    sentence_starts,
    snippets,
    source_href,
    suggested_countries,
    type_word,
)
from placemap.maps import (
    TileSource,
    basemap_geojson,
    collection_map,
    esc,
    file_link,
    index_page,
    render,
    report_filenames,
    report_map,
    safe_filename,
    sentences_naming,
    shared_assets,
    tile_source,
    write_assets,
)
from placemap.pipeline import Geoparser
from placemap.records import Candidate, Mention, Place, Report

PAYLOADS = [
    "<script>window.__pwned=1</script>",
    "`+(window.__pwned=1)+`",
    "${window.__pwned=1}",
    "</script><img src=x onerror=window.__pwned=1>",
    "\\u0060",
    "\u2028\u2029",
    "javascript:window.__pwned=1",
    "<!--<script>",
]

AQERBAT = (
    "Aerial footage shows aircraft hitting vehicles as they tried to retreat from Aqerbat, "
    "Syria. Forces have surrounded the militants near the town of Aqerbat. They are trying "
    "to escape to Deir ez-Zor, the last stronghold.The road from Al-Sukhnah to Palmyra "
    "is cut. Fighting in the provinces of Homs and Hama, and near El-Kder, goes on."
)


@pytest.fixture()
def gp(small_index: Path) -> Geoparser:
    return Geoparser(Gazetteer(small_index))


def _report(gp: Geoparser, text: str, title: str, rid: str | None = None) -> Report:
    return Report(
        id=rid or title,
        text=text,
        title=title,
        date="2024-01-01",
        source=title,
        mentions=tuple(gp.geoparse(text)),
    )


def _data(page: str) -> dict:
    """The JSON a page's script draws, as the browser's JSON.parse would read it."""
    mo = re.search(r'<script type="application/json" id="placemap-data">(.*?)</script>', page, re.S)
    assert mo, "page has no data block"
    return json.loads(mo.group(1))


def _without_data(page: str) -> str:
    return re.sub(
        r'<script type="application/json" id="placemap-data">.*?</script>', "", page, flags=re.S
    )


def test_escape_covers_html_and_template_literals() -> None:
    assert esc("<b>`${x}`\\</b>") == "&lt;b&gt;&#96;&#36;{x}&#96;&#92;&lt;/b&gt;"


@given(st.text())
def test_script_json_is_inert_in_a_script_element_and_reads_back(text: str) -> None:
    out = script_json({"t": [text]})
    assert not set(out) & {"<", ">", "&", "\u2028", "\u2029"}
    assert json.loads(out) == {"t": [text]}


@pytest.mark.parametrize("assets", [None, "assets/"])
def test_untrusted_text_only_reaches_pages_as_escaped_data(
    gp: Geoparser, assets: str | None
) -> None:
    reports = [
        _report(gp, f"{p} Fighting near Palmyra in Syria {p}. {p} Homs province {p}.", p)
        for p in PAYLOADS
    ]
    files = report_filenames(reports)
    pages = [render(report_map(r, assets=assets)) for r in reports]
    pages.append(render(collection_map(reports, links=files, assets=assets)))
    for page in pages:
        data_block = re.search(r'id="placemap-data">(.*?)</script>', page, re.S)
        assert data_block and "<" not in data_block.group(1)
        rest = _without_data(page)
        for p in PAYLOADS:
            if set(p) & set("<>`$"):  # the rest is harmless as HTML text, as in <title>
                assert p not in rest
        assert not re.search(r"href=['\"]?javascript:", rest, re.I)
        for script in re.findall(r"<script>(.*?)</script>", rest, re.S):
            assert "\u2028" not in script and "\u2029" not in script
    # The data holds the text as it was: the browser shows it, as text.
    coll = _data(pages[-1])
    assert [r[0] for r in coll["R"]] == PAYLOADS
    assert coll["H"][0][0][3][0][0].startswith(PAYLOADS[0])
    index = index_page(reports, files)
    assert "__pwned=1</script>" not in index and "<img" not in index
    assert "`" not in index and "${" not in index
    assert not re.search(r"href=['\"]?javascript:", index, re.I)


def test_index_links_only_plain_file_names(gp: Geoparser) -> None:
    r = _report(gp, "Fighting near Palmyra.", "A")
    page = index_page([r, r], ["javascript:alert(1)", "a.html"])
    assert "href='javascript" not in page and "href='a.html'" in page


def test_sentences_are_split_where_scraped_text_lost_the_space() -> None:
    text = "One statement.The next. U.S. forces met.\nNew line! And more"
    starts = sentence_starts(text)
    parts = [text[a:b].strip() for a, b in zip(starts, [*starts[1:], len(text)], strict=True)]
    assert parts == ["One statement.", "The next.", "U.S. forces met.", "New line!", "And more"]


def test_report_popups_hold_every_sentence_with_the_name_marked(gp: Geoparser) -> None:
    report = _report(gp, AQERBAT, "Aqerbat")
    places = PlaceTable()
    hits = report_hits(report, places, Filters(), full=True)
    by_id = {places.rows[h[0]][6]: h for h in hits}
    aq = by_id[162803]
    assert aq[1] == 2  # named twice
    assert places.rows[aq[0]][:2] == [35.0431, 37.4644]
    sentences = aq[3]
    assert len(sentences) == 2
    for s in sentences:
        assert s[0][s[1] : s[2]] == "Aqerbat"
    assert sentences[1][0] == "Forces have surrounded the militants near the town of Aqerbat."
    # Deir ez-Zor, Al-Sukhnah, Palmyra and both governorates are where GeoNames has them.
    coords = {places.rows[h[0]][6]: tuple(places.rows[h[0]][:2]) for h in hits}
    assert coords[170794] == (35.3359, 40.1408)
    assert coords[172425] == (34.8853, 38.8711)
    assert coords[163808] == (34.5624, 38.284)
    assert {169575, 170015} <= set(coords)


def test_sentences_naming_escapes_and_marks(gp: Geoparser) -> None:
    text = "<b>Clashes</b> near Palmyra & beyond."
    report = _report(gp, text, "x")
    palmyra = [m for m in report.mentions if m.text == "Palmyra"]
    assert sentences_naming(text, palmyra) == [
        "&lt;b&gt;Clashes&lt;/b&gt; near <mark>Palmyra</mark> &amp; beyond."
    ]


def test_side_panel_lists_unresolved_names_and_where_to_get_them(gp: Geoparser) -> None:
    report = _report(gp, AQERBAT, "Aqerbat")
    kder = AQERBAT.index("El-Kder")
    unresolved = Mention(kder, kder + 7, "El-Kder", None, 0.0)
    report = Report(report.id, report.text, mentions=(*report.mentions, unresolved))
    info = panel(report, Filters())
    assert info["unresolved"] == [["El-Kder", 1]]
    assert info["suggest"] == ["SY"]
    assert panel(_report(gp, "Floods in Homs.", "x"), Filters())["suggest"] == []


def _place(gid: int, cc: str) -> Place:
    return Place(gid, f"P{gid}", f"P{gid}", 1.0, 2.0, "P", "PPL", cc)


def test_low_confidence_choices_and_country_suggestions() -> None:
    homs, khums = _place(1, "SY"), _place(2, "LY")
    text = "Homs and Russian and Qaryatayn"
    mentions = (
        Mention(0, 4, "Homs", homs, 0.4, (Candidate(homs, "exact", 1), Candidate(khums, "f", 1))),
        Mention(9, 16, "Russian", _place(3, "RU"), 1.0, kind="demonym"),
        Mention(21, 30, "Qaryatayn", None, 0.0, (Candidate(_place(4, "IQ"), "fuzzy", 0.5),)),
    )
    report = Report("r", text, mentions=mentions)
    info = panel(report, Filters(min_confidence=0.5))
    assert info["low"] == [["Homs", "P1 (P.PPL, SY)", 0.4, "P2 (P.PPL, LY)", True]]
    # Demonyms say little about where a village is; candidates count only without places.
    assert suggested_countries(report) == ["SY"]
    only_unresolved = Report("r", text, mentions=mentions[2:])
    assert suggested_countries(only_unresolved) == ["IQ"]


def test_filters_leave_out_low_confidence_and_demonyms() -> None:
    text = "Syrian troops entered Tadmur."
    mentions = (
        Mention(0, 6, "Syrian", _place(163843, "SY"), 1.0, kind="demonym"),
        Mention(22, 28, "Tadmur", _place(163808, "SY"), 0.6),
    )
    report = Report("r", text, mentions=mentions)

    def ids(filters: Filters) -> set[int]:
        places = PlaceTable()
        return {places.rows[h[0]][6] for h in report_hits(report, places, filters, full=False)}

    assert ids(Filters()) == {163808}
    assert ids(Filters(demonyms=True)) == {163808, 163843}
    assert ids(Filters(min_confidence=0.7)) == set()
    assert ids(Filters(min_confidence=0.7, demonyms=True)) == {163843}


def test_pages_are_offline_and_deterministic(gp: Geoparser) -> None:
    reports = [_report(gp, AQERBAT, "Aqerbat"), _report(gp, "Floods in Homs.", "Homs")]
    for build in (
        lambda: render(report_map(reports[0], cluster=True, heatmap=True)),
        lambda: render(collection_map(reports, links=report_filenames(reports))),
    ):
        page = build()
        assert page == build()
        assert not re.search(r"<(script|link|img)[^>]+(src|href)=", page)
        assert "//cdn" not in page and "tile.openstreetmap" not in page


def test_cluster_plugin_is_inlined_only_when_asked(gp: Geoparser) -> None:
    r = _report(gp, "Floods in Homs.", "Homs")
    assert ".marker-cluster-small" not in render(report_map(r))
    assert ".marker-cluster-small" in render(report_map(r, cluster=True))


# Leaflet's banner and stylesheet, its images, the outlines' data, placemap's script
INLINED = (
    "Leaflet 1.9",
    ".leaflet-pane",
    "data:image/png",
    '"MultiPolygon"',
    "window.placemapDraw",
)


def _linked(page: str) -> list[str]:
    return re.findall(r'<(?:script src|link rel="stylesheet" href)="([^"]+)"', page)


def test_shared_pages_link_the_assets_instead_of_inlining_them(
    gp: Geoparser, tmp_path: Path
) -> None:
    reports = [_report(gp, AQERBAT, "Aqerbat"), _report(gp, "Floods in Homs.", "Homs")]
    written = write_assets(tmp_path / "assets")
    assert sorted(p.name for p in (tmp_path / "assets").iterdir()) == sorted(
        p.name for p in written
    )
    for build in (
        lambda: render(report_map(reports[0], assets="assets/")),
        lambda: render(
            collection_map(
                reports, links=report_filenames(reports), assets="assets", cluster=False
            )
        ),
    ):
        page = build()
        assert page == build()
        assert len(page.encode()) < 15_000
        assert not [sign for sign in INLINED if sign in page]
        links = _linked(page)
        assert [re.sub(r"-[0-9a-f]{10}\.", ".", u) for u in links] == [
            "assets/leaflet.css",
            "assets/map.css",
            "assets/leaflet.js",
            "assets/map.js",
            "assets/basemap.js",
            "assets/reference.js",
        ]
        assert all((tmp_path / u).is_file() for u in links)
        assert "//cdn" not in page and "tile.openstreetmap" not in page
        # the outlines come from the shared file, drawn as the inline pages draw them
        assert "L.geoJSON(\n    window.placemapBasemap" in page
        style = '{"color": "#b9b3a8", "fillColor": "#eeeae2", "fillOpacity": 1.0, "weight": 0.6}'
        assert f"style: {style}, interactive: false" in page
        assert page.index("window.placemapBasemap") < page.index("placemapDraw(")
        inline = render(report_map(reports[0]))
        assert f"return {style};" in inline and not _linked(inline)
        assert [sign for sign in INLINED if sign in inline] == list(INLINED)


def test_shared_assets_are_named_by_content_and_hold_the_outlines() -> None:
    assets = {re.sub(r"-[0-9a-f]{10}\.", ".", a.name): a for a in shared_assets()}
    assert list(assets) == [
        "leaflet.css",
        "map.css",
        "leaflet.js",
        "map.js",
        "basemap.js",
        "reference.js",
    ]
    for a in assets.values():
        digest = re.search(r"-([0-9a-f]{10})\.", a.name)
        assert digest and hashlib.sha256(a.text.encode()).hexdigest().startswith(digest[1])
    assert "data:image/png;base64," in assets["leaflet.css"].text
    assert "url(images/" not in assets["leaflet.css"].text
    prefix = "window.placemapBasemap = "
    line = next(x for x in assets["basemap.js"].text.splitlines() if x.startswith(prefix))
    outlines = json.loads(line[len(prefix) :].rstrip(";"))
    assert [f["geometry"] for f in outlines["features"]] == [
        f["geometry"] for f in basemap_geojson()["features"]
    ]
    # the marker cluster plugin only when asked, before placemap's own script
    clustered = [a.name for a in shared_assets(cluster=True)]
    assert not [n for n in assets if "markercluster" in n]
    assert [re.sub(r"-[0-9a-f]{10}\.", ".", n) for n in clustered] == [
        "leaflet.css",
        "leaflet.markercluster.css",
        "leaflet.markercluster.default.css",
        "map.css",
        "leaflet.js",
        "leaflet.markercluster.js",
        "map.js",
        "basemap.js",
        "reference.js",
    ]
    # the towns (GeoNames, largest first) and the division boundaries, as data
    ref = assets["reference.js"].text
    towns = json.loads(re.search(r"window.placemapTowns = (.*);\n", ref)[1])
    assert len(towns) > 30_000 and towns[0][3] == 4 and towns[-1][3] == 0
    damascus = next(t for t in towns if t[2] == "Damascus")
    assert damascus[:2] == [33.51, 36.29] and damascus[3] == 4
    lines = json.loads(re.search(r"window.placemapAdmin1 = (.*);\n", ref)[1])
    assert len(lines) > 5_000


def test_write_assets_rewrites_only_what_differs(tmp_path: Path) -> None:
    folder = tmp_path / "assets"
    paths = write_assets(folder)
    stat = {p: p.stat().st_ino for p in paths}
    paths[0].write_text("stale", "utf-8")
    (folder / "leaflet-0000000000.js").write_text("an older version", "utf-8")
    again = write_assets(folder)
    assert again == paths
    assert paths[0].read_text("utf-8") == shared_assets()[0].text
    assert [p.stat().st_ino == stat[p] for p in paths[1:]] == [True] * (len(paths) - 1)
    # files of other versions stay for the pages that link them; no temporary files left
    assert (folder / "leaflet-0000000000.js").exists()
    assert not [p for p in folder.iterdir() if p.name.startswith(".")]


def test_tiles_are_an_optional_layer_from_a_checked_url(gp: Geoparser) -> None:
    assert tile_source("none") is None
    osm = tile_source("osm")
    assert osm and osm.url.startswith("https://tile.openstreetmap.org/")
    url = "https://tiles.example.org/{z}/{x}/{y}.png"
    custom = tile_source(url)
    assert custom and custom.url == url
    for bad in ("javascript:alert(1)//{z}{x}{y}", "https://x.org/tiles.png", "ftp://a/{z}/{x}/{y}"):
        with pytest.raises(ValueError, match="URL template"):
            tile_source(bad)
    r = _report(gp, "Floods in Homs.", "Homs")
    assert _data(render(report_map(r, tiles=custom)))["tiles"]["url"] == url


def test_collection_groups_reports_by_date_and_source(gp: Geoparser) -> None:
    reports = [
        Report("a", "Homs.", date="2024-03-02", source="/in/feed.jsonl:7"),
        Report("b", "Homs.", source="/in/texts/b.txt"),
    ]
    rows = _data(render(collection_map(reports)))["R"]
    assert [r[5:7] for r in rows] == [["2024-03", "feed.jsonl"], ["", "texts"]]


def test_report_filenames_are_distinct_and_safe() -> None:
    reports = [Report(i, "") for i in ("a b", "a_b", "../../etc", "index", "collection", "")]
    names = report_filenames(reports)
    assert len(set(names)) == len(names)
    assert "index.html" not in names and "collection.html" not in names
    assert all(re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._-]*\.html", n) for n in names)
    assert safe_filename("../../etc") == "etc"


def test_report_filenames_of_repeated_ids_are_numbered_in_order() -> None:
    reports = [Report(i, "") for i in ("x", "X", "x-2", "x", "x", "CON", "con")]
    assert report_filenames(reports) == [
        "x.html",
        "X-2.html",
        "x-2-2.html",
        "x-3.html",
        "x-4.html",
        "CON_.html",
        "con_-2.html",
    ]


def test_report_filenames_of_repeated_ids_cost_linearly() -> None:
    """4x as many reports of one id cost about 4x the work (each tried every number
    from 2 up: 20,000 reports named "index" took 30 s)."""
    from tests.test_linear import lines_run

    maps_py = Path(report_filenames.__code__.co_filename)

    def cost(n: int) -> int:
        reports = [Report("index", "") for _ in range(n)]
        return lines_run(lambda: report_filenames(reports), [maps_py])

    assert cost(1600) < 5 * cost(400)


@pytest.mark.parametrize("assets", [None, "assets/"])
def test_rendering_a_page_compiles_no_template(
    monkeypatch: pytest.MonkeyPatch, gp: Geoparser, assets: str | None
) -> None:
    """branca compiled each macro's output (the map, the basemap layer: its data inline)
    as a new Jinja2 template, five a page and a third of the time of `placemap map`; the
    page's text is placed as written instead (and the bytes are the same)."""
    import jinja2

    report = _report(gp, AQERBAT, "Aqerbat")
    pages = [
        report_map(report, assets=assets),
        report_map(report, assets=assets, cluster=True, heatmap=True),
        collection_map([report, report], links=["a.html", "b.html"], assets=assets),
    ]
    compiled: list[str] = []
    from_string = jinja2.Environment.from_string

    def counting(self: jinja2.Environment, source: str, *args, **kwargs):  # type: ignore[no-untyped-def]
        compiled.append(str(source)[:80])
        return from_string(self, source, *args, **kwargs)

    monkeypatch.setattr(jinja2.Environment, "from_string", counting)
    html = [render(m) for m in pages]
    assert compiled == []
    assert all("L.map(" in h and "placemapDraw(" in h for h in html)


@pytest.fixture()
def run_map(small_index: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path):
    from click.testing import CliRunner

    from placemap.cli import cli

    monkeypatch.setenv("PLACEMAP_GAZETTEER", str(small_index))
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "aq.txt").write_text(AQERBAT, "utf-8")

    def invoke(*args: str):
        argv = ["map", str(tmp_path / "in"), "-o", str(tmp_path / "out"), *args]
        return CliRunner().invoke(cli, argv, catch_exceptions=False)

    return invoke


def test_a_map_out_of_memory_is_its_reports_error(
    run_map, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A MemoryError while drawing one report's map ended the run in a traceback, none of
    # the other maps written (red team round 4, under ulimit -v)
    from placemap import maps

    headline = "Shelling hit <img src=x onerror=alert(1)> Homs"
    (tmp_path / "in" / "big <b>.txt").write_text(f"{headline}\n\nShelling hit Homs.", "utf-8")
    real = maps.report_map

    def report_map(report, **kwargs):  # type: ignore[no-untyped-def]
        if report.id.startswith("big"):
            raise MemoryError
        return real(report, **kwargs)

    monkeypatch.setattr(maps, "report_map", report_map)
    r = run_map()
    assert r.exit_code == 3
    assert "error: " in r.output and "big <b>.txt: out of memory while drawing its map" in r.output
    out = tmp_path / "out"
    assert "Aqerbat" in (out / "aq.html").read_text("utf-8")
    big = (out / "big_b.html").read_text("utf-8")
    assert "<h1>Shelling hit &lt;img src=x onerror=alert(1)&gt; Homs</h1>" in big
    assert "could not be drawn" in big
    assert "big_b.html" in (out / "index.html").read_text("utf-8")


def test_map_command_options_reach_the_pages(run_map, tmp_path: Path) -> None:
    r = run_map("--tiles", "osm", "--cluster", "--heatmap", "--title", "Syria <2017>")
    assert r.exit_code == 0, r.output
    page = (tmp_path / "out" / "aq.html").read_text("utf-8")
    data = _data(page)
    assert (data["cluster"], data["heat"]) == (True, True)
    assert data["tiles"]["url"].startswith("https://tile.openstreetmap.org/")
    coll = (tmp_path / "out" / "collection.html").read_text("utf-8")
    assert "<title>Syria &lt;2017&gt;</title>" in coll
    assert _data(coll)["R"][0][3] == "aq.html"
    index = (tmp_path / "out" / "index.html").read_text("utf-8")
    assert "<h1>Syria &lt;2017&gt;</h1>" in index


def test_map_command_shares_assets_unless_inline(run_map, tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert run_map().exit_code == 0
    shared = {p: (out / p).read_text("utf-8") for p in ("aq.html", "collection.html")}
    assets = sorted(p.name for p in (out / "assets").iterdir())
    # the collection map clusters its places: the plugin's files are written too
    assert sorted(re.sub(r"-[0-9a-f]{10}\.", ".", n) for n in assets) == [
        "basemap.js",
        "leaflet.css",
        "leaflet.js",
        "leaflet.markercluster.css",
        "leaflet.markercluster.default.css",
        "leaflet.markercluster.js",
        "map.css",
        "map.js",
        "reference.js",
    ]
    for name, page in shared.items():
        assert not [sign for sign in INLINED if sign in page]
        links = sorted(u.removeprefix("assets/") for u in _linked(page))
        clustered = [u for u in links if "markercluster" in u]
        assert len(clustered) == (3 if name == "collection.html" else 0)
        assert set(links) <= set(assets)
        assert _data(page)["cluster"] is (name == "collection.html")
    # --cluster clusters the report maps too; --no-cluster neither
    assert run_map("--cluster").exit_code == 0
    clustered = _linked((out / "aq.html").read_text("utf-8"))
    assert len([u for u in clustered if "markercluster" in u]) == 3
    assert all((out / u).is_file() for u in clustered)
    assert run_map("--no-cluster").exit_code == 0
    assert _data((out / "collection.html").read_text("utf-8"))["cluster"] is False

    r = run_map("--assets", "inline", "-o", str(tmp_path / "inline"))
    assert r.exit_code == 0, r.output
    inline = tmp_path / "inline"
    assert sorted(p.name for p in inline.iterdir()) == [
        ".placemap-maps",
        "aq.html",
        "collection.html",
        "index.html",
    ]
    for name, page in shared.items():
        alone = (inline / name).read_text("utf-8")
        assert not _linked(alone)
        assert [sign for sign in INLINED if sign in alone] == list(INLINED)
        assert len(alone) > 20 * len(page)
        # an inline page carries the towns and boundaries around its places itself
        inline_data = _data(alone)
        assert inline_data.pop("towns") and inline_data.pop("admin1")
        assert inline_data == _data(page)


def test_map_command_min_confidence_leaves_places_out(run_map, tmp_path: Path) -> None:
    assert run_map().exit_code == 0
    before = len(_data((tmp_path / "out" / "aq.html").read_text("utf-8"))["H"][0])
    assert run_map("--min-confidence", "1").exit_code == 0
    data = _data((tmp_path / "out" / "aq.html").read_text("utf-8"))
    after = len(data["H"][0])
    assert 0 < after < before
    # the page's counts and its confidence slider start from the option
    assert data["minConfidence"] == 1.0
    assert len(data["P"]) == after


@pytest.mark.parametrize(
    "url",
    [
        "javascript:alert(1)",
        # Leaflet calls a {key} that names a function of the options object
        "https://t.example.org/{z}/{x}/{y}.png?{valueOf}",
        "https://t.example.org/{constructor}/{z}/{x}/{y}.png",
    ],
)
def test_map_command_rejects_a_bad_tile_url(run_map, url: str) -> None:
    r = run_map("--tiles", url)
    assert r.exit_code == 2
    assert "Invalid value for '--tiles': use none, osm or an http(s) URL template" in r.output


def test_tile_urls_with_leaflets_keys_pass() -> None:
    url = "https://{s}.t.example.org/{z}/{x}/{y}{r}.png"
    assert tile_source(url) == TileSource(url, "Tiles: t.example.org")


def test_map_command_opens_the_index(run_map, tmp_path: Path, monkeypatch) -> None:
    opened: list[str] = []
    monkeypatch.setattr("webbrowser.open", opened.append)
    assert run_map("--open").exit_code == 0
    assert opened == [(tmp_path / "out" / "index.html").resolve().as_uri()]
    opened.clear()
    assert run_map().exit_code == 0
    assert opened == []


def test_long_sentences_are_cut_between_words_around_the_name() -> None:
    text = "word " * 40 + "Homs" + " more" * 40 + "."
    start = text.index("Homs")
    m = Mention(start, start + 4, "Homs", _place(1, "SY"), 1.0)
    [snip] = snippets(text, sentence_starts(text), [m], context=20, limit=1)
    assert snip[0] == "…word word word Homs more more more…"
    assert snip[0][snip[1] : snip[2]] == "Homs"


def test_a_place_named_far_apart_in_one_sentence_gets_a_snippet_each_time() -> None:
    # Cut from the first to the last mention, a sentence naming a place at its start and
    # its end was whole in the popup of each place so named: a page grew as the square of
    # its text (red team round 3).
    text = "Homs " + "word " * 400 + "Homs."
    ms = [Mention(at, at + 4, "Homs", _place(1, "SY"), 1.0) for at in (0, len(text) - 5)]
    snips = snippets(text, sentence_starts(text), ms, context=20, limit=1)
    assert [snip[0] for snip in snips] == ["Homs word word word…", "…word word word Homs."]
    assert all(snip[0][snip[1] : snip[2]] == "Homs" for snip in snips)


def test_a_reports_popups_hold_a_few_times_its_text_at_most() -> None:
    # One long sentence naming 81 places, each every 540 characters, put the whole
    # sentence in every place's popup: 15 MB for 200 kB of text (red team round 4).
    # Past a budget of snippets, the places named less show their first mention only.
    from placemap import mapdata

    names = [f"Place{i:02d}" for i in range(80)]
    text = ", ".join(names * 100) + "."
    mentions = []
    for i, name in enumerate(names):
        at = -1
        while (at := text.find(name, at + 1)) >= 0:
            mentions.append(Mention(at, at + len(name), name, _place(i + 1, "SY"), 0.9))
    report = Report("r", text, mentions=tuple(mentions))
    hits = report_hits(report, PlaceTable(), Filters(), full=True)
    chars = sum(len(snip[0]) for hit in hits for snip in hit[3])
    assert len(hits) == 80
    budget = mapdata.SNIPPETS_PER_CHARACTER * len(text) + mapdata.SNIPPETS_BASE
    assert chars < budget + 80 * len(text) / 100  # (every popup the whole text: 80 times)
    assert len(hits[0][3]) == 100 and len(hits[-1][3]) == 1


def test_labels_are_the_reports_spelling_with_the_type_where_two_read_alike(
    gp: Geoparser,
) -> None:
    text = (
        "Clashes in Hasaka city today. Hasaka province is tense. Convoys reached "
        "Hasaka and Palmyra. Palmyra was calm."
    )
    hasaka, province = (
        Place(1, "Al Ḩasakah", "Al Hasakah", 36.5, 40.75, "P", "PPLA", "SY", population=188_000),
        Place(2, "Al Ḩasakah", "Al Hasakah", 36.6, 40.9, "A", "ADM1", "SY"),
    )
    tadmur = Place(163808, "Tadmur", "Tadmur", 34.56, 38.28, "P", "PPL", "SY", population=55_000)

    def at(name: str, k: int, place: Place) -> Mention:
        start = [i for i in range(len(text)) if text.startswith(name, i)][k]
        return Mention(start, start + len(name), name, place, 0.9)

    report = Report(
        "r",
        text,
        mentions=(
            at("Hasaka", 0, hasaka),
            at("Hasaka", 1, province),
            at("Hasaka", 2, hasaka),
            at("Palmyra", 0, tadmur),
            at("Palmyra", 1, tadmur),
        ),
    )
    rows = _data(render(report_map(report)))["P"]
    labels = {r[6]: r[7:9] for r in rows}
    assert labels == {
        1: ["Hasaka (city)", "city"],
        2: ["Hasaka (province)", "province"],
        163808: ["Palmyra", "town"],
    }
    # the gazetteer's name stays beside the label, for the popup and the search
    assert {r[6]: r[2] for r in rows}[163808] == "Tadmur"
    # a dateline's capitals are written as the gazetteer writes the name
    beirut = Place(276781, "Beirut", "Beirut", 33.89, 35.49, "P", "PPLC", "LB")
    dateline = Report("d", "BEIRUT - Talks.", mentions=(Mention(0, 6, "BEIRUT", beirut, 0.9),))
    assert _data(render(report_map(dateline)))["P"][0][7] == "Beirut"


def test_first_view_frames_the_dense_group_and_leaves_far_capitals_out() -> None:
    syria = [(36.5, 40.75, 5, "P.PPLA", "SY"), (37.05, 41.22, 3, "P.PPL", "SY"),
             (35.95, 39.01, 2, "P.PPL", "SY"), (35.33, 40.14, 1, "P.PPLA", "SY"),
             (35.0, 38.5, 2, "A.PCLI", "SY")]  # fmt: skip
    far = [(38.9, -77.04, 1, "P.PPLC", "US"), (55.75, 37.62, 1, "P.PPLC", "RU"),
           (60.0, 100.0, 1, "A.PCLI", "RU")]  # fmt: skip
    focus = focus_bounds(syria + far)
    assert focus == [[35.33, 39.01], [37.05, 41.22]]
    # places spread evenly: all of them
    spread = [(50.45, 30.52, 2, "P.PPLC", "UA"), (38.9, -77.04, 2, "P.PPLC", "US")]
    assert focus_bounds(spread) == [[38.9, -77.04], [50.45, 30.52]]
    assert focus_bounds([]) is None
    # only countries named: they are the focus
    assert focus_bounds([(35.0, 38.5, 1, "A.PCLI", "SY")]) == [[35.0, 38.5], [35.0, 38.5]]


def test_first_view_frames_the_country_a_report_names_most() -> None:
    # a report about Hasaka whose diplomats speak in six capitals: no dense group holds
    # most of the weight, but Syria's places outweigh every other country's twice
    syria = [(36.5, 40.75, 3, "P.PPLA", "SY"), (37.05, 41.22, 1, "P.PPL", "SY"),
             (35.95, 39.01, 1, "P.PPLA", "SY"), (35.0, 38.0, 1, "A.PCLI", "SY")]  # fmt: skip
    far = [(38.9, -77.04, 2, "P.PPLC", "US"), (55.75, 37.62, 2, "P.PPLC", "RU"),
           (39.9, 116.4, 1, "P.PPLC", "CN"), (-35.28, 149.13, 1, "P.PPLC", "AU"),
           (46.2, 6.14, 1, "P.PPLA", "CH"), (-15.78, -47.93, 1, "P.PPLC", "BR")]  # fmt: skip
    everything = [[-35.28, -77.04], [55.75, 149.13]]
    assert focus_bounds(syria + far) == [[35.95, 39.01], [37.05, 41.22]]
    # collections keep everything in such a case; so does a report with no leading country
    assert focus_bounds(syria + far, by_country=False) == everything
    even = [(*q[:4], "US") if q[4] == "RU" else q for q in far]  # the US now weighs 4
    assert focus_bounds(syria + even) == everything


def test_type_words_say_what_a_place_is() -> None:
    def p(code: str, pop: int = 0) -> Place:
        cls, fc = code.split(".")
        return Place(1, "x", "x", 0, 0, cls, fc, "SY", population=pop)

    assert [type_word(p(c)) for c in ("A.PCLI", "A.ADM1", "A.ADM2", "H.STM", "L.RGN")] == [
        "country",
        "province",
        "district",
        "river",
        "region",
    ]
    assert [type_word(p("P.PPL", n)) for n in (500_000, 5_000)] == ["city", "town"]


def test_sources_link_a_url_or_the_file_never_a_script(tmp_path: Path) -> None:
    feed = tmp_path / "in" / "feed one.jsonl"
    feed.parent.mkdir()
    feed.write_text("{}", "utf-8")
    out = tmp_path / "out"
    assert file_link(f"{feed}:12", out) == "../in/feed%20one.jsonl"
    assert file_link(str(feed), out) == "../in/feed%20one.jsonl"
    assert file_link(str(tmp_path / "missing.txt"), out) == ""
    assert file_link("-", out) == ""
    web = Report("a", "x", url="https://example.org/a?b=1")
    assert source_href(web, "../in/a.txt") == "https://example.org/a?b=1"
    for bad in ("javascript:alert(1)", "https://x.org/<script>", "data:text/html,x"):
        assert source_href(Report("a", "x", url=bad), "a.txt") == "a.txt"
    r = Report("a", "Fighting near Homs.", url="https://example.org/a")
    data = _data(render(collection_map([r], sources=[source_href(r)])))
    assert data["R"][0][7] == "https://example.org/a"


def test_outlines_are_cut_at_the_antimeridian() -> None:
    """No ring steps across the map from 180°E to 180°W (a stripe at world scale)."""
    def polygons(f: dict) -> list:
        g = f["geometry"]
        return [g["coordinates"]] if g["type"] == "Polygon" else g["coordinates"]

    steps = []
    for f in basemap_geojson()["features"]:
        for poly in polygons(f):
            for ring in poly:
                assert ring[0] == ring[-1]
                for a, b in zip(ring, ring[1:], strict=False):
                    assert -180 <= a[0] <= 180
                    if abs(a[0] - b[0]) > 180 and abs(a[1]) < 89:
                        steps.append((a, b))
    assert steps == []
    # Russia still reaches both sides of the antimeridian (Chukotka)
    russia = [f for f in basemap_geojson()["features"]
              if any(p[1] > 66 and p[0] < -170 for poly in polygons(f)
                     for ring in poly for p in ring)]  # fmt: skip
    assert russia


def test_map_command_links_reports_to_their_urls(
    small_index: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from click.testing import CliRunner

    from placemap.cli import cli

    monkeypatch.setenv("PLACEMAP_GAZETTEER", str(small_index))
    feed = tmp_path / "feed.jsonl"
    rows = [
        {"id": "a", "text": "Fighting near Palmyra in Syria.", "link": "https://n.example/a"},
        {"id": "b", "text": "Floods in Homs.", "web": "https://n.example/b"},
        {"id": "c", "text": "Floods in Homs.", "link": "javascript:alert(1)"},
    ]
    feed.write_text("".join(json.dumps(r) + "\n" for r in rows), "utf-8")
    runner = CliRunner()
    out = tmp_path / "out"
    r = runner.invoke(cli, ["map", str(feed), "-o", str(out)], catch_exceptions=False)
    assert r.exit_code == 0, r.output
    coll = _data((out / "collection.html").read_text("utf-8"))
    links = [row[7] for row in coll["R"]]
    assert links == ["https://n.example/a", "../feed.jsonl", "../feed.jsonl"]
    r = runner.invoke(
        cli, ["map", str(feed), "-o", str(out), "--url-field", "web"], catch_exceptions=False
    )
    assert r.exit_code == 0, r.output
    coll = _data((out / "collection.html").read_text("utf-8"))
    links = [row[7] for row in coll["R"]]
    assert links == ["../feed.jsonl", "https://n.example/b", "../feed.jsonl"]


def test_a_pages_canonical_url_is_the_reports_url(tmp_path: Path) -> None:
    from placemap.readers import read_reports

    body = "<p>" + "Shelling hit Homs and Hama on Tuesday, residents said. " * 8 + "</p>"
    for i, head in enumerate(
        [
            '<link rel="canonical" href="https://news.example.org/homs-shelling">',
            '<meta property="og:url" content="https://news.example.org/homs-shelling">',
            '<link rel="canonical" href="javascript:alert(1)">',
        ]
    ):
        page = tmp_path / f"p{i}.html"
        page.write_text(
            f"<html><head><title>Homs</title>{head}</head><body><article>"
            f"<h1>Homs shelling</h1>{body}</article></body></html>",
            "utf-8",
        )
        [report] = list(read_reports([page]))
        assert isinstance(report, Report)
        expected = "https://news.example.org/homs-shelling" if i < 2 else None
        assert report.url == expected
