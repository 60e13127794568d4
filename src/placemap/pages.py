"""The article of a news web page: its text, headline, date and language.

trafilatura finds the article body (it scores best of the open extractors on the
public article-extraction benchmark; see benchmarks/bench_pages.py) and the page's
metadata: the headline from ``og:title``, JSON-LD, the page's ``<h1>`` or ``<title>``,
and the publication date through htmldate. Navigation, sidebars ("Most popular"),
share bars, comments and other page furniture are left out; ASP.NET pages whose whole
body sits inside one ``<form>`` keep it. It is run favouring precision: a place named
only in a sidebar must not reach a map.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from placemap.dates import ReportDate, parse_date
from placemap.records import web_url

__all__ = ["Page", "read_page"]

# Metadata that gives a page's publication time (htmldate gives the day only).
_TIME_META = frozenset(
    {
        "article:published_time",
        "og:published_time",
        "og:pubdate",
        "datepublished",
        "date",
        "pubdate",
        "publishdate",
        "publish-date",
        "pub_date",
        "dc.date",
        "dc.date.issued",
        "dcterms.created",
        "dcterms.issued",
        "parsely-pub-date",
        "sailthru.date",
    }
)
_LANG = re.compile(r"([a-z]{2,3})(?:[-_][a-z0-9]+)*", re.I)


@dataclass(frozen=True)
class Page:
    """What :func:`read_page` found; ``text`` is empty when the page has no article."""

    text: str
    title: str | None
    date: ReportDate | None
    language: str | None
    url: str | None = None


# A character reference to a character XML cannot hold (&#1;, &#xFFFE;, &#xD800;): lxml
# gives up on the whole page for one.
_BAD_REFERENCE = re.compile(r"&#(?:[xX]([0-9a-fA-F]{1,8})|([0-9]{1,10}));?")


def _allowed(code: int) -> bool:
    return (
        code in (0x9, 0xA, 0xD)
        or 0x20 <= code <= 0xD7FF
        or 0xE000 <= code <= 0xFFFD
        or 0x10000 <= code <= 0x10FFFF
    )


def _clean_references(html: str) -> str:
    """``html`` with character references to characters XML forbids made spaces."""
    if "&#" not in html:
        return html

    def fix(m: re.Match[str]) -> str:
        code = int(m.group(1), 16) if m.group(1) else int(m.group(2))
        return m.group(0) if _allowed(code) else " "

    return _BAD_REFERENCE.sub(fix, html)


# A tag whose attributes run this long, holding more attributes than this, loses its
# attributes before the page is parsed: libxml2 checks each attribute against the tag's
# others, and htmldate looks at each, so a page of one tag of 160,000 attributes (1.8 MB)
# took four minutes. A long tag of a few attributes (a data: URL of an image) is left as
# it is. A tag's attributes are read as HTML writes them, quoted values holding "<" or
# ">" and names without values included, and without going back (possessive): a tag
# name of 80,000 letters and no ">" took 28 s to look at before.
_ATTRIBUTE = r"""[\s/]++[^\s=>/"'<]++(?:\s*+=\s*+(?:"[^"]*+"|'[^']*+'|[^\s>"']*+))?+"""
_TAG_RE = re.compile(rf"<(/?[A-Za-z][A-Za-z0-9:-]*+)((?:{_ATTRIBUTE})*+)")
_ATTRIBUTE_RE = re.compile(_ATTRIBUTE)
_LONG_ATTRIBUTES = 10_000
_MAX_ATTRIBUTES = 500


def _flooded_tag(m: re.Match[str]) -> str:
    attributes = m.group(2)
    if len(attributes) < _LONG_ATTRIBUTES:
        return m.group()
    many = sum(1 for _ in _ATTRIBUTE_RE.finditer(attributes)) > _MAX_ATTRIBUTES
    return f"<{m.group(1)}" if many else m.group()


def _tree_source(html: str) -> str:
    html = _TAG_RE.sub(_flooded_tag, _clean_references(html))
    # A bare fragment ("<p>...</p>") is read as a page too (trafilatura refuses one).
    head = html[:8192].lower()
    if "<html" not in head:
        inner = html if "<body" in head or "<head" in head else f"<body>{html}</body>"
        html = f"<html>{inner}</html>"
    return html


def _tree(html: str) -> Any:
    import trafilatura

    tree = trafilatura.load_html(_tree_source(html))
    if tree is None:
        raise ValueError("not HTML that can be read")
    return tree


def _language(tree: Any) -> str | None:
    """The page's declared language as a two- or three-letter code (``en``)."""
    candidates = [tree.get("lang"), tree.get("{http://www.w3.org/XML/1998/namespace}lang")]
    for meta in tree.iterfind(".//meta"):
        key = (meta.get("http-equiv") or meta.get("property") or meta.get("name") or "").lower()
        if key in ("content-language", "og:locale", "language", "dc.language"):
            candidates.append(meta.get("content"))
    for value in candidates:
        m = _LANG.fullmatch((value or "").strip().split(",")[0].strip())
        if m:
            return m.group(1).lower()
    return None


def _date(tree: Any, day: str | None, day_first: bool) -> ReportDate | None:
    """The page's publication date: htmldate's day, with the time from the page's
    metadata when one of its dates falls on that day."""
    values = [
        meta.get("content")
        for meta in tree.iterfind(".//meta")
        if (meta.get("property") or meta.get("name") or meta.get("itemprop") or "").lower()
        in _TIME_META
    ]
    values += [t.get("datetime") for t in tree.iterfind(".//time")]
    for value in values:
        found = parse_date(value, day_first=day_first) if value else None
        if found and found.iso and (day is None or found.iso[:10] == day):
            return found
    return ReportDate(day, day) if day else None


def _extract(tree: Any) -> Any:
    import trafilatura
    from trafilatura.settings import set_date_params

    return trafilatura.bare_extraction(
        tree,
        with_metadata=True,
        favor_precision=True,
        include_comments=False,
        include_tables=True,
        # htmldate on the page's metadata (meta tags, JSON-LD, <time>) only: its
        # extensive search guesses a day from free text such as a copyright year.
        date_extraction_params=set_date_params(extensive=False),
    )


#: libxml2 stops a parse at this depth (unless told ``huge_tree``): elements nested
#: deeper are lost.
_DEPTH_LIMIT = 256
_AT_DEPTH_LIMIT = "/*" * _DEPTH_LIMIT


def _cut_at_depth(tree: Any) -> bool:
    """Whether a parsed page reaches libxml2's depth limit, where its parse was cut."""
    root = tree.getroottree().getroot()
    return bool(root.xpath(_AT_DEPTH_LIMIT))


#: Elements the parser closes by itself, or that hold nothing: they never nest.
_UNNESTED = frozenset(
    "area base br col embed hr img input link meta source track wbr "
    "p li dt dd tr td th option optgroup thead tbody tfoot colgroup caption rp rt".split()
)
#: Elements nested deeper than this (counted over the tags as written, those in
#: :data:`_UNNESTED` aside) lose their tags: see :func:`_flattened`.
_NESTING = 100
_WHOLE_TAG_RE = re.compile(_TAG_RE.pattern + r"\s*+/?+>")


def _flattened(html: str) -> str | None:
    """``html`` without the tags of the elements opened more than :data:`_NESTING` deep
    (a dropped tag's end tag dropped with it) and, on such a page, of the elements never
    closed, their text and the tags within kept; or None when no element is so deep.

    Such nesting is a page's mistake or an attack: 2,000 ``<font>`` or ``<div>`` tags
    never closed (or 25 kinds of tag, 99 each) put the article past the depth where
    libxml2 cuts a parse (255, or 2,048 parsed "huge"), and trafilatura's reading of a
    tree so deep costs its size times its depth (58 s and 1.6 GB for a 1 MB page); the
    tags left open would hold the article (inside ``<del>``, ``<s>``, text is dropped).
    Counted over the tags as written, one pass, before the page is parsed."""
    # by name: for each element open, where its tag is and whether it is dropped
    opened: dict[str, list[tuple[int, int, bool]]] = {}
    depth = 0
    cuts: list[tuple[int, int]] = []
    for m in _WHOLE_TAG_RE.finditer(html):
        tag = m.group(1).lower()
        name = tag.lstrip("/")
        if name in _UNNESTED or m.group().endswith("/>"):
            continue
        stack = opened.setdefault(name, [])
        if tag[0] == "/":
            if stack:
                if stack.pop()[2]:
                    cuts.append(m.span())
                else:
                    depth -= 1
        elif depth >= _NESTING:
            stack.append((*m.span(), True))
            cuts.append(m.span())
        else:
            stack.append((*m.span(), False))
            depth += 1
    if not cuts:
        return None
    cuts += [(start, end) for stack in opened.values() for start, end, cut in stack if not cut]
    cuts.sort()
    pieces, at = [], 0
    for start, end in cuts:
        pieces.append(html[at:start])
        at = end
    pieces.append(html[at:])
    return "".join(pieces)


def _huge_tree(html: str) -> Any:
    """``html`` parsed again without libxml2's default limits, for a page in which
    trafilatura found no article: one nested deeper than 255 elements (300 unclosed
    ``<div>`` or ``<font>`` tags before the article) or with an attribute over 10 MB was
    cut there, and read as "no article text". The page is already bounded by the size
    limit, and HTML has no entities to expand. None when that finds no more elements."""
    import lxml.etree
    import lxml.html

    parser = lxml.html.HTMLParser(
        collect_ids=False,
        default_doctype=False,
        encoding="utf-8",
        remove_comments=True,
        remove_pis=True,
        huge_tree=True,
    )
    source = _tree_source(html).encode("utf-8", "surrogatepass")
    try:
        tree = lxml.html.fromstring(source, parser=parser)
    except (ValueError, lxml.etree.LxmlError):
        return None
    return tree


def read_page(html: str, *, day_first: bool = False) -> Page:
    """The article text of ``html`` (paragraphs on their own lines) with its metadata.

    Raises ``ValueError`` for markup that cannot be parsed at all.
    """
    from trafilatura.settings import Document

    html = _flattened(html) or html
    tree = _tree(html)
    language = _language(tree)
    # A page libxml2 cut at its depth limit is read whole (its article may lie past the
    # cut, and a paragraph before it was taken for the article without a word).
    deep = _huge_tree(html) if _cut_at_depth(tree) else None
    doc = _extract(tree if deep is None else deep)
    if deep is not None:
        tree = deep
    elif not isinstance(doc, Document) and (deep := _huge_tree(html)) is not None:
        tree, doc = deep, _extract(deep)
    if not isinstance(doc, Document):  # None: no article found
        return Page("", None, _date(tree, None, day_first), language)
    text = "\n".join(line.strip() for line in (doc.text or "").splitlines()).strip()
    title = " ".join(doc.title.split()) if doc.title else None
    return Page(text, title or None, _date(tree, doc.date, day_first), language, web_url(doc.url))
