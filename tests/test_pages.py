"""Web pages: the article text placemap keeps (and nothing from the page's furniture),
its headline, date and language, one error per unreadable page, hostile markup."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from placemap.cli import cli
from placemap.pages import read_page
from placemap.readers import ReadError, read_reports
from placemap.records import Report

ARTICLE = [
    "Aid trucks reached the Rukban camp near the border on Tuesday, officials in Homs said.",
    "The convoy had waited for weeks at Palmyra before the road through the desert opened.",
    "Residents of the camp, most of them from Deir ez-Zor, said food had run out in May.",
    "The United Nations said more convoys would follow if the fighting around Hama eased.",
]


def _aspnet_page() -> str:
    """A page built like the issue's Al Jazeera one: the whole body inside an ASP.NET
    form, a navigation bar, a "Most popular" sidebar and screen-size labels."""
    paragraphs = "".join(f"<p>{p}</p>" for p in ARTICLE)
    return (
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>"
        "<title>Aid reaches Rukban camp | News Site</title>"
        "<meta property='og:title' content='Aid reaches Rukban camp'>"
        "<meta property='article:published_time' content='2019-11-18T20:28:55Z'>"
        "</head><body><form method='post' action='./article.aspx' id='aspnetForm'>"
        "<input type='hidden' name='__VIEWSTATE' value='abc'>"
        "<nav class='site-nav'><ul><li><a href='/news'>News</a></li>"
        "<li><a href='/ny'>New York</a></li><li><a href='/syria'>Syria</a></li></ul></nav>"
        "<div class='screen-sizes'><span>XS</span> <span>SM</span> <span>MD</span> "
        "<span>LG</span></div>"
        "<div id='main-content'><article><h1>Aid reaches Rukban camp</h1>"
        f"{paragraphs}</article></div>"
        "<aside class='sidebar'><h2>Most popular</h2><ol>"
        "<li><a href='/a'>Storm hits Wayne County farms</a></li>"
        "<li><a href='/b'>Tadmur museum reopens</a></li></ol></aside>"
        "<footer><p>© News Site. Offices in New York.</p></footer>"
        "</form></body></html>"
    )


def test_article_inside_an_aspnet_form_without_its_furniture() -> None:
    page = read_page(_aspnet_page())
    for paragraph in ARTICLE:
        assert paragraph in page.text
    for furniture in ("XS", "Most popular", "Wayne County", "Tadmur", "New York", "News Site"):
        assert furniture not in page.text
    assert page.title == "Aid reaches Rukban camp"
    assert page.date is not None and page.date.iso == "2019-11-18T20:28:55Z"
    assert page.language == "en"


def test_no_place_from_navigation_or_sidebar_reaches_the_output(
    small_index: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("PLACEMAP_GAZETTEER", str(small_index))
    page = tmp_path / "rukban.html"
    page.write_text(_aspnet_page(), "utf-8")
    r = CliRunner().invoke(cli, ["extract", "--with-text", str(page)], catch_exceptions=False)
    assert r.exit_code == 0, r.output
    doc = json.loads(r.stdout)
    names = {m["text"] for m in doc["mentions"]}
    assert {"Homs", "Palmyra", "Deir ez-Zor", "Hama"} <= names
    assert not names & {"New York", "Wayne County", "Tadmur", "Syria"}
    # The offsets point into the text given with --with-text: the article, with the
    # headline it holds.
    assert doc["text"] == "\n".join(["Aid reaches Rukban camp", *ARTICLE])
    for m in doc["mentions"]:
        assert doc["text"][m["start"] : m["end"]] == m["text"]


def test_headline_from_the_page_and_the_time_when_its_metadata_gives_it() -> None:
    body = "".join(f"<p>{p}</p>" for p in ARTICLE)
    page = read_page(
        "<html><head><title>Floods in Hama – Example Daily</title>"
        "<meta name='pubdate' content='November 20, 2019 13:42'></head>"
        f"<body><h1>Floods in Hama</h1><div class='story'>{body}</div></body></html>"
    )
    assert page.title == "Floods in Hama"
    assert page.date is not None
    assert (page.date.iso, page.date.raw) == ("2019-11-20T13:42", "November 20, 2019 13:42")


@pytest.mark.parametrize(
    ("head", "language"),
    [
        ("<html lang='ar-SY'><head>", "ar"),
        ("<html><head><meta http-equiv='content-language' content='uk'>", "uk"),
        ("<html><head><meta property='og:locale' content='ru_RU'>", "ru"),
        ("<html><head>", None),
    ],
)
def test_the_declared_language(head: str, language: str | None) -> None:
    body = "".join(f"<p>{p}</p>" for p in ARTICLE)
    assert read_page(f"{head}</head><body><article>{body}</article></body></html>").language == (
        language
    )


def test_a_bare_fragment_is_read_as_a_page() -> None:
    assert read_page("<p>Floods hit Hama on Monday.</p>").text == "Floods hit Hama on Monday."


def test_one_error_per_unreadable_page_and_the_others_read(tmp_path: Path) -> None:
    body = "".join(f"<p>{p}</p>" for p in ARTICLE)
    (tmp_path / "a-good.html").write_text(f"<html><body><article>{body}</article></body></html>")
    (tmp_path / "b-script-only.html").write_text(
        "<html><head><title>Loading</title></head><body><script>app('Homs')</script></body></html>"
    )
    (tmp_path / "c-blank.html").write_text("   \n")
    (tmp_path / "d-good.htm").write_text(f"<html><body><main>{body}</main></body></html>")
    items = list(read_reports([tmp_path]))
    assert [type(i).__name__ for i in items] == ["Report", "ReadError", "ReadError", "Report"]
    assert isinstance(items[1], ReadError) and isinstance(items[2], ReadError)
    assert str(items[1]) == f"{tmp_path / 'b-script-only.html'}: no article text in this page"
    assert str(items[2]) == f"{tmp_path / 'c-blank.html'}: empty file"


@pytest.mark.parametrize("depth", [250, 260, 2000, 3000])
@pytest.mark.parametrize("tag", ["font", "div", "b"])
def test_an_article_nested_past_the_parsers_depth_limit_is_read(depth: int, tag: str) -> None:
    # libxml2 cuts a page at depth 256; a paragraph before the cut was taken for the
    # article and the article after it lost without a word (red team round 3, H11:
    # 260 unclosed <font> tags, as broken CMSs write them). Parsed "huge", it was cut
    # again past 2,048 (red team round 4); trafilatura's own parse cut 400 <b>s.
    note = "<p>Editor's note: readers in Aleppo, Syria, wrote in with corrections.</p>"
    body = "".join(f"<p>{p}</p>" for p in ARTICLE)
    html = f"<html><body>{note}{f'<{tag}>' * depth}<article>{body}</article></body></html>"
    text = read_page(html).text
    assert all(p in text for p in ARTICLE)


def test_only_elements_nested_past_a_hundred_lose_their_tags() -> None:
    from placemap.pages import _flattened

    page = "<div>" * 90 + "<p>a<p>b" * 200 + "<br>" * 300 + "<i/>" * 200 + "</div>" * 90
    assert _flattened(page) is None
    deep = "<DIV class='x'>" * 101 + "<b>Homs</b>" + "</div >" * 101
    assert _flattened(deep) == "<DIV class='x'>" * 100 + "Homs" + "</div >" * 100
    # of many kinds (hostile round 5: 25 kinds, 99 of each, hid the article); on such a
    # page the elements never closed lose their tags too
    mixed = "".join(f"<x{k}>" for k in range(300)) + "<p>Homs</p>" + "</x0>"
    assert _flattened(mixed) == "<x0><p>Homs</p></x0>"


@pytest.mark.parametrize("kinds", [8, 2100])
def test_an_article_under_many_kinds_of_unclosed_tags_is_read(kinds: int) -> None:
    tags = ["div", "span", "font", "b", "i", "u", "em", "strong"] if kinds == 8 else []
    opening = "".join(f"<{t}>" * 99 for t in tags) or "".join(f"<x{k}>" for k in range(kinds))
    body = "".join(f"<p>{p}</p>" for p in ARTICLE)
    text = read_page(f"<html><body>{opening}<article>{body}</article></body></html>").text
    assert all(p in text for p in ARTICLE)


@pytest.mark.parametrize(
    "markup",
    [
        "</" * 400_000,
        "<?" * 400_000,
        "<![ x" * 160_000,
        "<!--" * 200_000,
        "<div>" * 160_000 + "Homs" + "</div>" * 160_000,
        "<b><i>" * 100_000 + "Homs",
        "<p a='" + "x" * 800_000,
    ],
    ids=["end-tags", "processing", "cdata", "comments", "deep-divs", "unclosed", "open-attr"],
)
def test_hostile_markup_ends_in_text_or_one_error(markup: str, tmp_path: Path) -> None:
    page = tmp_path / "hostile.html"
    page.write_text(markup, "utf-8")
    (item,) = read_reports([page])
    assert isinstance(item, ReadError | Report)
    if isinstance(item, ReadError):
        assert item.source == str(page) and item.message


@pytest.mark.parametrize("workers", ["1", "2"])
def test_the_cli_names_each_unreadable_page_once_and_nothing_else(
    small_index: Path, tmp_path: Path, workers: str
) -> None:
    # (with --workers, the pages are read in the workers: the same errors, in order)
    body = "".join(f"<p>{p}</p>" for p in ARTICLE)
    (tmp_path / "a.html").write_text(f"<html><body><article>{body}</article></body></html>")
    (tmp_path / "b.html").write_text("<html><body><script>app()</script></body></html>")
    (tmp_path / "c.html").write_text("</" * 1000)
    # A process of its own: the extractor's log lines, which pytest would capture, stay
    # out of the way (they show with -vv).
    r = subprocess.run(
        [sys.executable, "-m", "placemap", "extract", str(tmp_path), "--workers", workers],
        capture_output=True,
        text=True,
        env={**os.environ, "PLACEMAP_GAZETTEER": str(small_index)},
        check=False,
    )
    assert r.returncode == 3
    assert [json.loads(x)["id"] for x in r.stdout.splitlines()] == ["a"]
    assert r.stderr == (
        f"placemap: error: {tmp_path / 'b.html'}: no article text in this page\n"
        f"placemap: error: {tmp_path / 'c.html'}: no article text in this page\n"
    )


def test_a_page_without_its_html_tag_keeps_its_head() -> None:
    body = "".join(f"<p>{p}</p>" for p in ARTICLE)
    page = read_page(
        "<head><title>Aid reaches Rukban | Site</title>"
        "<meta property='article:published_time' content='2019-11-18T20:28:55Z'></head>"
        f"<body><article>{body}</article></body>"
    )
    assert (page.title, page.text) == ("Aid reaches Rukban", "\n".join(ARTICLE))
    assert page.date is not None and page.date.iso == "2019-11-18T20:28:55Z"


def test_a_tag_of_thousands_of_attributes_loses_them_before_parsing() -> None:
    # libxml2 and htmldate took quadratic time on one tag of 160,000 attributes (1.8 MB:
    # four minutes; red team round 2, R3); a long tag of few attributes stays
    from placemap.pages import _tree_source, read_page

    attrs = " ".join(f'a{i}="x"' for i in range(3000))
    body = "<p>" + "Shelling hit Homs on Monday, officials in Syria said. " * 8 + "</p>"
    html = f"<html><body><div {attrs}><article><h1>Homs</h1>{body}</article></div></body></html>"
    assert "a2999" not in _tree_source(html)
    assert "Shelling hit Homs" in read_page(html).text
    image = '<img src="data:image/png;base64,' + "A" * 20000 + '" alt="x">'
    assert image in _tree_source(f"<html><body>{image}</body></html>")
    # So does a flood whose values hold "<" or ">", or whose attributes have no values (red
    # team round 3: 870 kB took 41 s): the attributes are read as HTML writes them.
    for flood in (
        " ".join(f'a{i}="<b>"' for i in range(3000)),
        " ".join(f"a{i}" for i in range(3000)),
    ):
        page = f"<html><body><div {flood}><article>{body}</article></div></body></html>"
        source = _tree_source(page)
        assert "a2999" not in source and "Shelling hit Homs" in source

