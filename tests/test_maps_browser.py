"""The pages in a real headless browser (Debian's chromium driven by Playwright), with
the network off: no script error, no failed request, markers drawn, popups, layers,
and report text full of script-injection payloads that must not run."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from placemap.gazetteer import Gazetteer
from placemap.maps import (
    collection_map,
    index_page,
    render,
    report_filenames,
    report_map,
    write_assets,
)
from placemap.pipeline import Geoparser
from placemap.records import Mention, Place, Report

pytestmark = pytest.mark.browser

CHROMIUM = Path("/usr/bin/chromium")
sync_api = pytest.importorskip("playwright.sync_api")
if not CHROMIUM.exists():
    pytest.skip(f"{CHROMIUM} is not installed", allow_module_level=True)

AQERBAT = (
    "Syrian government forces have surrounded the militants near the town of Aqerbat. "
    "The militants are trying to escape to Deir ez-Zor. The road from Al-Sukhnah to "
    "Palmyra is cut. Homs and Hama provinces are calm. Shelling hit Aqerbat again."
)
RAQQA = "Convoys left Deir ez-Zor in Syria heading south towards Palmyra."

PAYLOADS = [
    "<script>window.__pwned=1</script>",
    "</script><script>window.__pwned=1</script>",
    "<img src=x onerror=window.__pwned=1>",
    "`;window.__pwned=1;`",
    "${window.__pwned=1}",
    "\u2028window.__pwned=1\u2029",
    "javascript:window.__pwned=1",
    "<a href=javascript:window.__pwned=1>x</a>",
    "'\"><svg onload=window.__pwned=1>",
]


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with sync_api.sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=str(CHROMIUM))
        yield b
        b.close()


class Page:
    """A page opened offline that records script errors and failed requests."""

    def __init__(self, browser: Any, path: Path) -> None:
        self.context = browser.new_context(offline=True, viewport={"width": 1200, "height": 800})
        self.page = self.context.new_page()
        self.problems: list[str] = []
        self.requests: list[str] = []
        self.page.on("request", lambda r: self.requests.append(r.url))
        self.page.on("pageerror", lambda e: self.problems.append(f"pageerror: {e}"))
        self.page.on(
            "console",
            lambda m: self.problems.append(f"console: {m.text}") if m.type == "error" else None,
        )
        self.page.on("requestfailed", lambda r: self.problems.append(f"request failed: {r.url}"))
        self.page.goto(path.as_uri())
        self.page.wait_for_load_state("load")

    def js(self, expr: str) -> Any:
        return self.page.evaluate(expr)

    def close(self) -> None:
        self.context.close()


@pytest.fixture(scope="module")
def gp(small_index: Path) -> Geoparser:
    return Geoparser(Gazetteer(small_index))


def _report(gp: Geoparser, rid: str, text: str, date: str | None = "2024-01-01") -> Report:
    return Report(
        rid, text, title=rid, date=date, source=f"{rid}.txt", mentions=tuple(gp.geoparse(text))
    )


def _write(path: Path, html: str) -> Path:
    path.write_text(html, encoding="utf-8")
    return path


def _click_place(p: Page, name: str, *, hover: bool = False) -> None:
    """Click (or hover) the map where the marker of the place called ``name`` is drawn."""
    xy = p.js(
        f"""(() => {{
        const s = placemap, i = s.data.P.findIndex(p => p[2] === {name!r});
        const pt = s.map.latLngToContainerPoint([s.data.P[i][0], s.data.P[i][1]]);
        const box = s.map.getContainer().getBoundingClientRect();
        return [box.left + pt.x, box.top + pt.y];
    }})()"""
    )
    if hover:
        p.page.mouse.move(xy[0], xy[1])
    else:
        p.page.mouse.click(xy[0], xy[1])


# Pixels painted on the markers canvas (non-transparent).
PAINTED = """(() => {
    const c = document.querySelector('.leaflet-pmMarkers-pane canvas');
    const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
    let n = 0;
    for (let i = 3; i < d.length; i += 4) if (d[i] > 0) n++;
    return n;
})()"""


def test_report_map_draws_markers_and_opens_popups(
    browser: Any, gp: Geoparser, tmp_path: Path
) -> None:
    page_path = _write(tmp_path / "aqerbat.html", render(report_map(_report(gp, "aq", AQERBAT))))
    p = Page(browser, page_path)
    try:
        assert p.js("placemap.markerCount()") >= 6
        # the canvas has markers painted on it: some pixels in the marker colour
        painted = p.js(PAINTED)
        assert painted > 100
        _click_place(p, "‘Uqayribāt")
        popup = p.page.locator(".leaflet-popup-content")
        popup.wait_for()
        assert "GeoNames 162803" in popup.inner_text()
        marks = popup.locator("mark").all_inner_texts()
        assert marks == ["Aqerbat", "Aqerbat"]
        assert "near the town of Aqerbat." in popup.inner_text()
        # the side panel lists the places; its link opens the same popup
        p.page.get_by_role("link", name="Deir ez-Zor").click()
        p.page.wait_for_function("document.querySelectorAll('.leaflet-popup').length === 1")
        assert p.page.locator(".leaflet-popup-content mark").all_inner_texts() == ["Deir ez-Zor"]
        # layers toggle: switching "Places" off takes the markers off the map
        p.page.get_by_role("checkbox", name="Places").uncheck()
        assert p.js("placemap.map.hasLayer(placemap.places)") is False
        p.page.get_by_role("checkbox", name="Places").check()
        p.page.get_by_role("checkbox", name="Heat map").check()
        assert p.js("placemap.map.hasLayer(placemap.heat)") is True
        assert p.page.locator("canvas.pm-heat").count() == 1
        assert p.problems == []
    finally:
        p.close()


def test_report_panel_gives_the_command_for_the_index_in_use(
    browser: Any, gp: Geoparser, tmp_path: Path
) -> None:
    from placemap.gazetteer.suggest import FullDataHint
    from placemap.records import Mention

    report = _report(gp, "aq", AQERBAT)
    at = AQERBAT.index("militants")
    unresolved = Mention(at, at + 9, "militants", None, 0.0)
    report = Report(report.id, report.text, mentions=(*report.mentions, unresolved))
    index = "/data/<b>my</b> index.sqlite"
    html = render(report_map(report, hint=FullDataHint(frozenset({"US"}), index)))
    p = Page(browser, _write(tmp_path / "hint.html", html))
    try:
        tip = p.page.locator(".pm-tip code").inner_text()
        assert tip == f"placemap gazetteer build --download SY --output '{index}'"
        assert p.page.locator(".pm-tip b").count() == 0  # the path is text, not markup
        held = render(report_map(report, hint=FullDataHint(frozenset({"SY"}), index)))
        q = Page(browser, _write(tmp_path / "held.html", held))
        try:
            assert q.page.locator(".pm-tip").count() == 0
        finally:
            q.close()
        assert p.problems == []
    finally:
        p.close()


def test_collection_map_toggles_reports_and_lists_who_names_a_place(
    browser: Any, gp: Geoparser, tmp_path: Path
) -> None:
    reports = [
        _report(gp, "aqerbat", AQERBAT, "2017-08-18"),
        _report(gp, "raqqa", RAQQA, "2017-06-01"),
    ]
    files = report_filenames(reports)
    page_path = _write(tmp_path / "collection.html", render(collection_map(reports, links=files)))
    p = Page(browser, page_path)
    try:
        total = p.js("placemap.markerCount()")
        assert total == len({h[0] for hits in p.js("placemap.data.H") for h in hits})
        _click_place(p, "Tadmur", hover=True)
        # named as the reports write it, not as GeoNames does
        assert p.page.locator(".leaflet-tooltip").inner_text() == "Palmyra"
        _click_place(p, "Tadmur")
        popup = p.page.locator(".leaflet-popup-content")
        popup.wait_for()
        assert "named in 2 reports" in popup.inner_text()
        assert popup.locator("a").all_inner_texts() == ["aqerbat", "raqqa"]
        assert popup.locator("a").first.get_attribute("href") == "aqerbat.html"
        # a report's checkbox takes the places only it names off the map
        only_raqqa = p.js(
            "placemap.data.H[1].filter(h => !placemap.data.H[0].some(g => g[0] === h[0]))"
            ".length"
        )
        assert only_raqqa > 0
        p.page.locator(".pm-row", has_text="raqqa").locator("input").uncheck()
        assert p.js("placemap.markerCount()") == total - only_raqqa
        # the date filter hides reports outside the dates
        p.page.locator(".pm-row", has_text="raqqa").locator("input").check()
        p.page.locator(".pm-date-from").fill("2017-07-01")
        p.page.locator(".pm-date-from").dispatch_event("change")
        assert p.js("placemap.shown") == [True, False]
        # the search box finds places and reports
        p.page.locator(".pm-search").fill("sukh")
        assert p.page.locator(".pm-place-hit").all_inner_texts() == [
            "◉ Al-Sukhnah (town, SY) · As Sukhnah"
        ]
        assert p.problems == []
    finally:
        p.close()


def test_many_reports_are_grouped_and_cluster_mode_works(
    browser: Any, gp: Geoparser, tmp_path: Path
) -> None:
    base = _report(gp, "r", AQERBAT)
    reports = [
        Report(
            f"r{i}",
            base.text,
            title=f"Report {i}",
            date=f"2024-{1 + i % 3:02d}-10",
            source=f"feed{i % 2}.jsonl:{i}",
            mentions=base.mentions,
        )
        for i in range(30)
    ]
    html = render(collection_map(reports, cluster=True, heatmap=True))
    p = Page(browser, _write(tmp_path / "many.html", html))
    try:
        groups = p.page.locator(".pm-group-name").all_inner_texts()
        assert groups == ["▸ 2024-01 (10)", "▸ 2024-02 (10)", "▸ 2024-03 (10)"]
        p.page.locator(".pm-groupby").select_option(label="Group by source")
        assert p.page.locator(".pm-group-name").all_inner_texts() == [
            "▸ feed0.jsonl (15)",
            "▸ feed1.jsonl (15)",
        ]
        # a group's checkbox toggles all of its reports
        p.page.locator(".pm-group-head input").first.uncheck()
        assert sum(p.js("placemap.shown")) == 15
        p.js("void placemap.map.setZoom(3, { animate: false })")
        assert p.page.locator(".pm-cluster").count() > 0
        assert p.js("placemap.map.hasLayer(placemap.heat)") is True
        assert p.problems == []
    finally:
        p.close()


# The country outlines on the map: how many, and the style of the first.
OUTLINES = """(() => {
    const found = [];
    placemap.map.eachLayer(l => { if (l.feature && l.feature.geometry) found.push(l); });
    const o = found.length ? found[0].options : {};
    return [found.length, o.fillColor, o.color, o.weight, o.fillOpacity, o.interactive];
})()"""


@pytest.mark.parametrize("cluster", [False, True])
def test_shared_assets_pages_work_from_files_offline(
    browser: Any, gp: Geoparser, tmp_path: Path, cluster: bool
) -> None:
    reports = [
        _report(gp, "aqerbat", AQERBAT, "2017-08-18"),
        _report(gp, "raqqa", RAQQA, "2017-06-01"),
    ]
    files = report_filenames(reports)
    assets = write_assets(tmp_path / "assets", cluster=cluster)
    opts: dict[str, Any] = {"assets": "assets/", "cluster": cluster}
    pages = [_write(tmp_path / files[0], render(report_map(reports[0], **opts)))]
    coll = render(collection_map(reports, links=files, **opts))
    pages.append(_write(tmp_path / "collection.html", coll))
    inline = Page(browser, _write(tmp_path / "inline.html", render(report_map(reports[0]))))
    try:
        inline_outlines = inline.js(OUTLINES)
    finally:
        inline.close()
    assert inline_outlines == [177, "#eeeae2", "#b9b3a8", 0.6, 1, False]
    for path in pages:
        p = Page(browser, path)
        try:
            assert p.problems == [], path.name
            # the page and the files it links, every one from the folder, nothing else
            assert sorted(p.requests) == sorted(f.as_uri() for f in [path, *assets])
            assert p.js("placemap.markerCount()") >= 6
            assert p.js(PAINTED) > 100
            assert p.js(OUTLINES) == inline_outlines
            # the outlines lie under the markers
            assert p.js(
                "document.querySelector('.leaflet-overlay-pane canvas') !== null && "
                "+getComputedStyle(document.querySelector('.leaflet-overlay-pane')).zIndex < "
                "+getComputedStyle(document.querySelector('.leaflet-pmMarkers-pane')).zIndex"
            )
            assert p.js("placemap.cluster") is cluster
            if cluster:  # zoomed out, the places cluster, in placemap's neutral grey
                p.js("void placemap.map.setZoom(3, { animate: false })")
                p.page.locator(".pm-cluster").first.wait_for()
                colour = "getComputedStyle(document.querySelector('.pm-cluster span'))"
                assert p.js(colour + ".backgroundColor") == "rgba(45, 45, 45, 0.85)"
            p.js("placemap.openPlace(placemap.data.H[0][0][0])")
            p.page.locator(".leaflet-popup-content").wait_for()
            assert p.problems == [], path.name
        finally:
            p.close()


def test_shared_page_without_its_assets_says_so(
    browser: Any, gp: Geoparser, tmp_path: Path
) -> None:
    page = render(report_map(_report(gp, "aq", AQERBAT), assets="assets/"))
    p = Page(browser, _write(tmp_path / "aq.html", page))
    try:
        assert "needs the files in the folder assets/" in p.page.inner_text("body")
    finally:
        p.close()


@pytest.mark.parametrize("assets", [None, "assets/"])
def test_injection_payloads_run_nothing(
    browser: Any, gp: Geoparser, tmp_path: Path, assets: str | None
) -> None:
    reports = []
    for i, payload in enumerate(PAYLOADS):
        text = f"{payload} Fighting near Palmyra in Syria {payload}. {payload} Homs {payload}."
        r = _report(gp, payload, text, date=payload if i % 2 else "2024-01-01")
        reports.append(
            Report(payload, r.text, title=payload, date=r.date, source=payload, mentions=r.mentions)
        )
    files = report_filenames(reports)
    if assets:
        write_assets(tmp_path / "assets", cluster=True)
    pages = [
        _write(tmp_path / f, render(report_map(r, assets=assets)))
        for r, f in zip(reports, files, strict=True)
    ]
    coll = collection_map(reports, links=files, assets=assets)
    pages.append(_write(tmp_path / "collection.html", render(coll)))
    pages.append(_write(tmp_path / "index.html", index_page(reports, files)))
    for path in pages:
        p = Page(browser, path)
        try:
            if path.name != "index.html":
                p.js("placemap.openPlace(placemap.data.H[0][0][0])")
                p.page.locator(".leaflet-popup-content").wait_for()
            if path.name == "collection.html":
                p.page.locator(".pm-search").fill("script")
                assert p.page.locator(".pm-row").count() == 4  # "script", "javascript"
            # every link on the page points at a file beside it, never at script
            hrefs = p.js("[...document.querySelectorAll('a[href]')].map(a => a.href)")
            assert not [h for h in hrefs if h.lower().startswith("javascript:")]
            assert p.js("typeof window.__pwned") == "undefined", path.name
            assert p.js("document.querySelectorAll('img, svg[onload]').length") == 0
            assert p.problems == [], path.name
        finally:
            p.close()


def test_template_syntax_in_a_title_shows_as_text(
    browser: Any, gp: Geoparser, tmp_path: Path
) -> None:
    title = "{{ 7*7 }} {% for x in range(3) %} {# <b>bold</b>"
    r = _report(gp, "aq", AQERBAT)
    r = Report(r.id, r.text, title=title, date=r.date, source=r.source, mentions=r.mentions)
    for i, m in enumerate([report_map(r), collection_map([r], links=["aq.html"], title=title)]):
        p = Page(browser, _write(tmp_path / f"p{i}.html", render(m)))
        try:
            assert p.js("document.title") == title
            assert p.page.locator(".pm-panel h2").inner_text() == title
            assert p.js("document.querySelectorAll('.pm-panel b').length") == 0
            assert p.js("placemap.markerCount()") >= 6
            assert p.problems == []
        finally:
            p.close()


PROTO_KEYS = ["__proto__", "constructor", "valueOf", "toString", "hasOwnProperty"]


def test_collection_panel_takes_object_prototype_names_as_data(
    browser: Any, tmp_path: Path
) -> None:
    reports = []
    for i in range(25):  # more than 20: the panel groups them
        key = PROTO_KEYS[i % len(PROTO_KEYS)]
        place = Place(-1 - i, key, key, 30.0 + i % 5, 40.0 + i // 5, "P", "PPL", "SY", None, key)
        text = f"Fighting near {key} today."
        mention = Mention(14, 14 + len(key), key, place, 0.9)
        date = "valueOf" if i % 2 else key  # a date group is the first 7 characters
        reports.append(Report(key, text, key, date, f"{key}/{i}.txt", (mention,)))
    files = report_filenames(reports)
    p = Page(browser, _write(tmp_path / "c.html", render(collection_map(reports, links=files))))
    try:
        groups = p.page.locator(".pm-group-name").all_inner_texts()
        assert groups == [
            "▸ __proto (3)",
            "▸ constru (2)",
            "▸ hasOwnP (3)",
            "▸ toStrin (2)",
            "▸ valueOf (15)",
        ]
        p.page.locator(".pm-groupby").select_option(label="Group by source")
        groups = p.page.locator(".pm-group-name").all_inner_texts()
        assert groups == [f"▸ {k} (5)" for k in sorted(PROTO_KEYS)]
        p.page.locator(".pm-group-name", has_text="__proto__").click()
        assert p.page.locator(".pm-group .pm-row").count() == 5
        p.page.locator(".pm-group-head input").first.uncheck()
        assert sum(p.js("placemap.shown")) == 20
        p.page.locator(".pm-search").fill("constructor")
        assert p.page.locator(".pm-place-hit").count() == 5
        assert p.page.locator(".pm-row").count() == 5
        p.page.locator(".pm-place-hit").first.click()
        p.page.locator(".leaflet-popup-content").wait_for()
        assert p.problems == []
    finally:
        p.close()


# --- what an analyst works with: names, focus, phones, time, filters, search ----------

def _place(gid: int, name: str, lat: float, lon: float, kind: str, cc: str, pop: int = 0) -> Place:
    cls, code = kind.split(".")
    return Place(gid, name, name, lat, lon, cls, code, cc, population=pop)


# GeoNames' names and points of the places the reports below name
PLACES = {
    "Hasaka": _place(173814, "Al Ḩasakah", 36.5024, 40.7477, "P.PPLA", "SY", 188_000),
    "Qamishli": _place(173576, "Al Qāmishlī", 37.0522, 41.2317, "P.PPLA2", "SY", 184_000),
    "Malikiyah": _place(172955, "Al Mālikīyah", 37.1773, 42.1390, "P.PPLA2", "SY", 26_000),
    "Tal Tamr": _place(163339, "Tall Tamr", 36.6558, 40.3708, "P.PPL", "SY", 7_000),
    "Shaddadi": _place(172408, "Ash Shaddādah", 36.0560, 40.7302, "P.PPLA3", "SY", 16_000),
    "Raqqa": _place(163915, "Ar Raqqah", 35.9528, 39.0079, "P.PPLA", "SY", 177_000),
    "Syria": _place(163843, "Syria", 35.0, 38.0, "A.PCLI", "SY"),
    "Washington": _place(4140963, "Washington", 38.8951, -77.0364, "P.PPLC", "US", 689_000),
    "Moscow": _place(524901, "Moscow", 55.7522, 37.6156, "P.PPLC", "RU", 10_381_000),
    "Russia": _place(2017370, "Russia", 60.0, 100.0, "A.PCLI", "RU"),
    "Kharkiv": _place(706483, "Kharkiv", 49.9808, 36.2527, "P.PPLA", "UA", 1_430_000),
    "Kyiv": _place(703448, "Kyiv", 50.4547, 30.5238, "P.PPLC", "UA", 2_797_000),
    "Ukraine": _place(690791, "Ukraine", 49.0, 32.0, "A.PCLI", "UA"),
}


def _made(rid: str, text: str, date: str | None = "2024-03-12") -> Report:
    """A report naming the PLACES its text holds, each time it names them."""
    mentions = []
    for name, place in PLACES.items():
        start = text.find(name)
        while start != -1:
            mentions.append(Mention(start, start + len(name), name, place, 0.9))
            start = text.find(name, start + 1)
    mentions.sort(key=lambda m: m.start)
    return Report(rid, text, title=rid, date=date, source=f"{rid}.txt", mentions=tuple(mentions))


HASAKA = (
    "Fighting broke out in Hasaka, the main city of north-east Syria. Shelling hit Hasaka "
    "and the road to Qamishli was closed. Families fled to Qamishli and Malikiyah. "
    "Clashes near Tal Tamr and Shaddadi, south of Hasaka. In Raqqa, aid was delayed. "
    "Washington called for calm and Moscow said Russia was in contact with both sides."
)


def _visible_labels(p: Page) -> list[str]:
    return p.js("[...document.querySelectorAll('.pm-lbl-place')].map(e => e.textContent)")


def _in_view(p: Page, name: str) -> bool:
    return p.js(
        f"""(() => {{ const i = placemap.data.P.findIndex(q => q[2] === {name!r});
        return placemap.map.getBounds().contains([placemap.data.P[i][0], placemap.data.P[i][1]]);
        }})()"""
    )


def test_report_map_frames_its_focus_and_labels_places_as_the_report_writes_them(
    browser: Any, gp: Geoparser, tmp_path: Path
) -> None:
    report = _made("hasaka", HASAKA)
    p = Page(browser, _write(tmp_path / "h.html", render(report_map(report))))
    try:
        # the first view is on north-east Syria, not on the world
        assert _in_view(p, "Al Ḩasakah") and _in_view(p, "Ar Raqqah")
        assert not _in_view(p, "Washington") and not _in_view(p, "Moscow")
        assert p.js("placemap.map.getZoom()") >= 6
        labels = _visible_labels(p)
        assert "Hasaka" in labels and "Raqqa" in labels and "Qamishli" in labels
        assert not {"Al Ḩasakah", "Ar Raqqah"} & set(labels)
        # labels never overlap
        boxes = p.js(
            "[...document.querySelectorAll('.pm-lbl')].map(e => {"
            "const r = e.getBoundingClientRect(); return [r.left, r.top, r.right, r.bottom]; })"
        )
        for i, a in enumerate(boxes):
            for b in boxes[i + 1 :]:
                apart_x = a[2] - 1 <= b[0] or b[2] - 1 <= a[0]
                assert apart_x or a[3] - 1 <= b[1] or b[3] - 1 <= a[1]
        # the far places are in the list and one click away
        far = p.page.locator(".pm-far")
        assert "Washington" in far.inner_text() and "Moscow" in far.inner_text()
        far.get_by_role("button", name="Show all").click()
        assert _in_view(p, "Washington") and _in_view(p, "Moscow")
        p.page.get_by_role("button", name="Back to the first view: where the places are").click()
        assert not _in_view(p, "Washington")
        # the popup keeps the gazetteer's name and says what the place is
        p.page.locator(".pm-places a", has_text="Hasaka").first.click()
        popup = p.page.locator(".leaflet-popup-content")
        popup.wait_for()
        assert "GeoNames: Al Ḩasakah" in popup.inner_text()
        assert p.problems == []
    finally:
        p.close()


def test_phone_starts_with_the_map_and_the_panel_folds(
    browser: Any, gp: Geoparser, tmp_path: Path
) -> None:
    path = _write(tmp_path / "h.html", render(report_map(_made("hasaka", HASAKA))))
    context = browser.new_context(offline=True, viewport={"width": 390, "height": 844})
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    try:
        page.goto(path.as_uri())
        page.wait_for_load_state("load")
        panel = page.locator(".pm-panel")

        def covered() -> float:
            box = panel.bounding_box()
            assert box
            return box["width"] * box["height"] / (390 * 844)

        assert "pm-collapsed" in (panel.get_attribute("class") or "")
        assert covered() < 0.05  # the map fills the screen
        page.get_by_role("button", name="Show or hide the list").click()
        assert panel.locator(".pm-places").is_visible()
        assert covered() < 0.6
        # nothing overflows the screen sideways
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        # a popup opened from the list is not under the panel: the panel folds away
        panel.locator(".pm-places a").first.click()
        page.locator(".leaflet-popup-content").wait_for()
        assert "pm-collapsed" in (panel.get_attribute("class") or "")
        assert covered() < 0.05
        assert errors == []
    finally:
        context.close()


def _dated_collection(gp: Geoparser) -> list[Report]:
    """Reports over two years: Syria in 2023, Ukraine in 2024."""
    syria = _report(gp, "s", AQERBAT)
    ukraine = _made("u", "Shelling hit Kharkiv and Kyiv in Ukraine. Kharkiv was dark.")
    out = []
    for i in range(24):
        base = syria if i < 12 else ukraine
        out.append(
            Report(
                f"r{i}",
                base.text,
                title=f"Report {i}",
                date=f"{2023 + i // 12}-{1 + i % 12:02d}-15",
                source=f"r{i}.txt",
                mentions=base.mentions,
            )
        )
    return out


def test_time_histogram_brushes_the_dates_the_map_and_lists_follow(
    browser: Any, gp: Geoparser, tmp_path: Path
) -> None:
    reports = _dated_collection(gp)
    p = Page(browser, _write(tmp_path / "c.html", render(collection_map(reports))))
    try:
        hist = p.page.locator(".pm-hist")
        assert p.page.locator(".pm-hist rect:not(.pm-brush)").count() > 50  # weekly bars
        everything = p.js("placemap.markerCount()")
        counts = p.page.locator(".pm-counts")
        assert counts.inner_text().startswith("24 of 24 reports")
        # drag across the first half: 2023, the Syrian reports only
        box = hist.bounding_box()
        assert box
        y = box["y"] + box["height"] / 2
        p.page.mouse.move(box["x"] + 2, y)
        p.page.mouse.down()
        p.page.mouse.move(box["x"] + box["width"] * 0.45, y, steps=5)
        p.page.mouse.up()
        shown = p.js("placemap.shown")
        assert shown[:11] == [True] * 11 and shown[12:] == [False] * 12
        kharkiv = "placemap.data.P.findIndex(q => q[2] === 'Kharkiv')"
        assert p.js(f"placemap.markerFor({kharkiv})") is None
        assert 0 < p.js("placemap.markerCount()") < everything
        assert counts.inner_text().startswith(f"{sum(shown)} of 24 reports")
        assert p.page.locator(".pm-date-from").input_value() == "2023-01-15"
        assert "2023" in p.page.locator(".pm-time-range").inner_text()
        # the list follows: the 2024 groups are greyed out
        p.page.get_by_role("button", name="All dates").click()
        assert p.js("placemap.markerCount()") == everything
        assert p.problems == []
    finally:
        p.close()


def test_type_and_country_filters_hide_places(browser: Any, gp: Geoparser, tmp_path: Path) -> None:
    reports = _dated_collection(gp)
    p = Page(browser, _write(tmp_path / "c.html", render(collection_map(reports))))
    try:
        def shown_kinds() -> set[str]:
            return set(p.js(
                "placemap.data.P.filter((q, i) => placemap.onMap[i]).map(q => q[3].slice(0, 5))"
            ))  # fmt: skip

        assert "A.PCL" in shown_kinds()
        p.page.locator(".pm-type", has_text="Countries").locator("input").uncheck()
        assert "A.PCL" not in shown_kinds() and "P.PPL" in shown_kinds()
        p.page.locator(".pm-country").select_option("UA")
        countries = p.js("placemap.data.P.filter((q, i) => placemap.onMap[i]).map(q => q[4])")
        assert countries and set(countries) == {"UA"}
        p.page.locator(".pm-country").select_option("")
        p.page.locator(".pm-type", has_text="Countries").locator("input").check()
        assert "A.PCL" in shown_kinds()
        assert p.problems == []
    finally:
        p.close()


def test_search_finds_places_by_the_reports_spelling_and_by_their_gazetteer_name(
    browser: Any, gp: Geoparser, tmp_path: Path
) -> None:
    reports = [_report(gp, "aqerbat", AQERBAT, "2017-08-18"), _report(gp, "raqqa", RAQQA)]
    p = Page(browser, _write(tmp_path / "c.html", render(collection_map(reports))))
    try:
        search = p.page.locator(".pm-search")
        for query in ("Palmyra", "tadmur", "aqerbat", "uqayribat"):
            search.fill(query)
            hits = p.page.locator(".pm-place-hit").all_inner_texts()
            assert hits, query
            assert any("Palmyra" in h or "Aqerbat" in h for h in hits), (query, hits)
        search.fill("Palmyra")
        p.page.locator(".pm-place-hit").first.click()
        popup = p.page.locator(".leaflet-popup-content")
        popup.wait_for()
        assert "GeoNames: Tadmur" in popup.inner_text()
        assert p.problems == []
    finally:
        p.close()


def test_overlapping_places_spread_out_so_each_can_be_clicked(
    browser: Any, tmp_path: Path
) -> None:
    """Two places at one point (both placed at their county's): at the largest zoom a
    click on their cluster spreads them out, and a click on each opens its own popup
    (Palmyra, New York never opens Geneva)."""
    reports = []
    for i, (name, lat, lon) in enumerate([("Palmyra", 43.064, -77.233),
                                          ("Geneva", 43.064, -77.233)]):  # fmt: skip
        place = Place(100 + i, name, name, lat, lon, "P", "PPL", "US", None, "New York")
        text = f"A lecture in {name}, New York."
        reports.append(Report(name, text, name, "2024-01-01", f"{name}.txt",
                              (Mention(13, 13 + len(name), name, place, 0.9),)))  # fmt: skip
    p = Page(browser, _write(tmp_path / "c.html", render(collection_map(reports))))
    try:
        p.js("void placemap.map.setView([43.064, -77.233], 18, { animate: false })")
        cluster = p.page.locator(".pm-cluster").first
        cluster.wait_for()
        cluster.click()
        p.page.wait_for_timeout(600)  # the spiderfy animation
        for name in ("Palmyra", "Geneva"):
            xy = p.js(
                f"""(() => {{ const m = placemap.markers[placemap.data.P.findIndex(
                q => q[2] === {name!r})]; const pt = placemap.map.latLngToContainerPoint(
                m.getLatLng()); const b = placemap.map.getContainer().getBoundingClientRect();
                return [b.left + pt.x, b.top + pt.y]; }})()"""
            )
            p.page.keyboard.press("Escape")  # the last popup closed, as a reader would
            p.page.mouse.click(xy[0], xy[1])
            p.page.wait_for_function(
                "document.querySelector('.leaflet-popup-content .pm-head b')?.textContent === "
                + repr(name)
            )
        assert p.problems == []
    finally:
        p.close()


def test_index_searches_and_sorts_its_rows(browser: Any, gp: Geoparser, tmp_path: Path) -> None:
    reports = [
        _report(gp, "aqerbat", AQERBAT, "2017-08-18"),
        _report(gp, "raqqa", RAQQA, "2017-06-01"),
        _made("hasaka", HASAKA, "2024-03-12"),
        Report("<b>x</b>", "Nothing here.", title="<img src=x onerror=window.__pwned=1>"),
    ]
    files = report_filenames(reports)
    p = Page(browser, _write(tmp_path / "index.html", index_page(reports, files)))
    try:
        def titles() -> list[str]:
            return p.js(
                "[...document.querySelectorAll('#reports tbody tr')].filter(r => !r.hidden)"
                ".map(r => r.cells[0].textContent)"
            )

        p.page.locator("#q").fill("2017")
        assert sorted(titles()) == ["aqerbat", "raqqa"]
        assert p.page.locator("#count").inner_text() == "2 of 4 reports"
        p.page.locator("#q").fill("")
        p.page.get_by_role("button", name="Places").click()
        column = (
            "[...document.querySelectorAll('#reports tbody tr')].map(r => +r.cells[3].textContent)"
        )
        places = p.js(column)
        assert places == sorted(places) and places[-1] > places[0]
        p.page.get_by_role("button", name="Places").click()
        again = p.js(column)
        assert again == sorted(places, reverse=True)
        p.page.get_by_role("button", name="Report").click()
        assert titles()[0] == "<img src=x onerror=window.__pwned=1>"  # as text
        assert p.js("typeof window.__pwned") == "undefined"
        assert p.js("document.querySelectorAll('img').length") == 0
        assert p.problems == []
    finally:
        p.close()


def test_print_shows_the_map_and_the_list_without_controls(
    browser: Any, gp: Geoparser, tmp_path: Path
) -> None:
    p = Page(browser, _write(tmp_path / "h.html", render(report_map(_made("hasaka", HASAKA)))))
    try:
        p.page.emulate_media(media="print")
        p.js("window.dispatchEvent(new Event('beforeprint'))")
        assert p.js(
            "getComputedStyle(document.querySelector('.leaflet-control-container')).display"
        ) == "none"
        printed = p.page.locator(".pm-print")
        assert printed.is_visible()
        items = printed.locator("li").all_inner_texts()
        assert items[0].startswith("Hasaka — city, SY") and len(items) == p.js(
            "placemap.markerCount()"
        )
        assert p.js("document.querySelector('.pm-lbl-place') !== null")  # the map's labels
        p.js("window.dispatchEvent(new Event('afterprint'))")
        assert p.page.locator(".pm-print").count() == 0
        assert p.problems == []
    finally:
        p.close()


def test_a_right_to_left_override_in_a_title_stays_in_the_title(
    browser: Any, gp: Geoparser, tmp_path: Path
) -> None:
    """redteam3 T8: a title holding U+202E turned the popup's own words after it around
    ("report file" showed as "elif troper", "confidence 0.99" as "99.0 ecnedifnoc")."""
    evil = _report(gp, "evil", RAQQA)
    evil = Report(evil.id, evil.text, title="Title\u202e", source="evil\u202e.txt",
                  mentions=evil.mentions)  # fmt: skip
    reports = [evil, _report(gp, "raqqa", RAQQA)]
    files = report_filenames(reports)
    html = render(collection_map(reports, links=files))
    p = Page(browser, _write(tmp_path / "collection.html", html))
    try:
        _click_place(p, "Tadmur")
        p.page.locator(".leaflet-popup-content .pm-small").first.wait_for()
        # where "confidence" and its number are drawn: the word first, left to right
        order = p.js(
            """(() => {
            const span = document.querySelector('.leaflet-popup-content li .pm-small');
            const node = span.firstChild, text = node.textContent, at = [];
            for (const word of ['confidence', '1.00', '0.']) {
                const i = text.indexOf(word);
                if (i < 0) continue;
                const r = document.createRange();
                r.setStart(node, i); r.setEnd(node, i + word.length);
                at.push(r.getBoundingClientRect().left);
            }
            return at;
        })()"""
        )
        assert len(order) == 2 and order[0] < order[1], order
    finally:
        p.close()
    report_page = _write(tmp_path / "evil.html", render(report_map(evil)))
    p = Page(browser, report_page)
    try:
        assert p.js(
            "getComputedStyle(document.querySelector('.pm-panel .pm-small span'))"
            ".unicodeBidi"
        ) == "isolate"
    finally:
        p.close()


def test_a_100_kB_title_leaves_the_index_and_the_panel_usable(
    browser: Any, gp: Geoparser, tmp_path: Path
) -> None:
    """redteam3 T8: a 100 kB title filled the report panel (its places were thousands of
    lines down) and pushed the index's other columns out of the window."""
    big = _report(gp, "big", RAQQA)
    big = Report(big.id, big.text, title="W" * 100_000, source="big.txt", mentions=big.mentions)
    reports = [big, _report(gp, "raqqa", RAQQA)]
    files = report_filenames(reports)
    p = Page(browser, _write(tmp_path / "index.html", index_page(reports, files)))
    try:
        assert p.js("document.documentElement.scrollWidth <= window.innerWidth")
        assert p.js("document.querySelector('#reports tbody tr').offsetHeight") < 200
    finally:
        p.close()
    p = Page(browser, _write(tmp_path / "big.html", render(report_map(big))))
    try:
        assert p.js("document.querySelector('.pm-panel h2').offsetHeight") < 150
        assert p.page.get_by_role("link", name="Palmyra").is_visible()
    finally:
        p.close()
