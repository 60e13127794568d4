from __future__ import annotations

import re
from pathlib import Path

from placemap.gazetteer import Gazetteer
from placemap.maps import collection_map, esc, index_page, render, report_map
from placemap.pipeline import Geoparser
from placemap.records import Report

PAYLOADS = [
    "<script>alert(1)</script>",
    "`+alert(1)+`",
    "${alert(1)}",
    "</script><img src=x onerror=alert(1)>",
    "\\u0060",
    "\u2028",
    "javascript:alert(1)",
]


def _report(gp: Geoparser, text: str, title: str) -> Report:
    r = Report(id=title, text=text, title=title, date="2024-01-01", source=title)
    return Report(r.id, r.text, r.title, r.date, r.source, tuple(gp.geoparse(text)))


def test_escape_covers_html_and_template_literals() -> None:
    assert esc("<b>`${x}`\\</b>") == "&lt;b&gt;&#96;&#36;{x}&#96;&#92;&lt;/b&gt;"


def test_untrusted_text_never_reaches_the_page_raw(small_index: Path) -> None:
    gp = Geoparser(Gazetteer(small_index))
    reports = [
        _report(gp, f"{p} Fighting near Palmyra in Syria {p}. {p} Homs province {p}.", p)
        for p in PAYLOADS
    ]
    pages = [render(report_map(r)) for r in reports]
    pages.append(render(collection_map(reports)))
    pages.append(index_page(reports, [f"{i}.html" for i in range(len(reports))]))
    for page in pages:
        assert "<script>alert(1)</script>" not in page
        assert "<img src=x" not in page
        assert "`+alert(1)+`" not in page
        assert "${alert(1)}" not in page
        assert not re.search(r"href=['\"]javascript:", page)
