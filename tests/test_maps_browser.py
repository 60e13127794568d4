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
from placemap.records import Report

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
        p.page.get_by_label("Places").uncheck()
        assert p.js("placemap.map.hasLayer(placemap.places)") is False
        p.page.get_by_label("Places").check()
        p.page.get_by_label("Heat map").check()
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
        assert total == sum(len(h) for h in p.js("placemap.data.H"))
        _click_place(p, "Tadmur", hover=True)
        assert p.page.locator(".leaflet-tooltip").inner_text() == "Tadmur"
        _click_place(p, "Tadmur")
        popup = p.page.locator(".leaflet-popup-content")
        popup.wait_for()
        assert "named in 2 reports" in popup.inner_text()
        assert popup.locator("a").all_inner_texts() == ["aqerbat", "raqqa"]
        assert popup.locator("a").first.get_attribute("href") == "aqerbat.html"
        # a report's checkbox takes its layer off the map
        raqqa_markers = len(p.js("placemap.data.H[1]"))
        p.page.locator(".pm-row", has_text="raqqa").locator("input").uncheck()
        assert p.js("placemap.markerCount()") == total - raqqa_markers
        assert p.js("placemap.map.hasLayer(placemap.layers[1])") is False
        # the date filter hides reports outside the dates
        p.page.locator(".pm-row", has_text="raqqa").locator("input").check()
        p.page.locator(".pm-date-from").fill("2017-07-01")
        p.page.locator(".pm-date-from").dispatch_event("change")
        assert p.js("placemap.shown") == [True, False]
        # the search box finds places and reports
        p.page.locator(".pm-search").fill("sukh")
        assert p.page.locator(".pm-place-hit").all_inner_texts() == ["◉ As Sukhnah (SY)"]
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
        assert p.page.locator(".marker-cluster").count() > 0
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
            assert p.js("placemap.markerCount()") >= (6 if path.name == files[0] else 8)
            assert p.js(PAINTED) > 100
            assert p.js(OUTLINES) == inline_outlines
            # the outlines lie under the markers
            assert p.js(
                "document.querySelector('.leaflet-overlay-pane canvas') !== null && "
                "+getComputedStyle(document.querySelector('.leaflet-overlay-pane')).zIndex < "
                "+getComputedStyle(document.querySelector('.leaflet-pmMarkers-pane')).zIndex"
            )
            assert p.js("placemap.cluster") is cluster
            if cluster:  # zoomed out, the places cluster, styled by the plugin's stylesheet
                p.js("void placemap.map.setZoom(3, { animate: false })")
                p.page.locator(".marker-cluster").first.wait_for()
                colour = "getComputedStyle(document.querySelector('.marker-cluster-small'))"
                assert p.js(colour + ".backgroundColor") == "rgba(181, 226, 140, 0.6)"
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
        write_assets(tmp_path / "assets")
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
