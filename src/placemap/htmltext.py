"""The main text of a news web page, with its headline and publication date.

Written on the standard library's ``html.parser`` rather than a readability package:
those (trafilatura, readability-lxml, jusText, inscriptis) all pull in lxml, and a news
page needs only a few rules. Scripts, styles, navigation, menus, headers, footers, forms
and elements whose class or id says they are menus, share bars, cookie notices and the
like are dropped. When the page marks its article (``<article>``, ``<main>`` or
``role="main"``) only that is kept.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from html.parser import HTMLParser

__all__ = ["PageText", "extract_page"]

# Elements whose content is never report text.
_DROP = frozenset(
    "script style noscript template svg math canvas nav aside form button select "
    "textarea iframe object embed menu dialog footer".split()
)
# A page's banner; inside an article a header holds the headline and byline, so it stays.
_PAGE_ONLY = frozenset({"header"})
_VOID = frozenset("area base br col embed hr img input link meta param source track wbr".split())
# Elements whose end tag is never left out, so a dropped one's end can be found.
_CLOSED = frozenset("div section ul ol span table header footer figure".split())
_BLOCK = frozenset(
    "address article blockquote br dd div dl dt figcaption figure h1 h2 h3 h4 h5 h6 hr li "
    "main ol p pre section table td th tr ul title".split()
)
# class/id words of page furniture (matched as whole words of the attribute).
_FURNITURE = frozenset(
    "nav navbar navigation menu breadcrumb breadcrumbs footer sidebar share sharing social "
    "cookie cookies consent banner advert advertisement ads promo newsletter subscribe "
    "related comments popup modal skip toolbar".split()
)
_FURNITURE_ROLES = frozenset({"navigation", "banner", "contentinfo", "complementary", "search"})
_DATE_META = (
    "article:published_time",
    "og:published_time",
    "datepublished",
    "date",
    "pubdate",
    "publishdate",
    "dc.date",
    "dc.date.issued",
    "dcterms.created",
    "parsely-pub-date",
    "sailthru.date",
)


@dataclass(frozen=True)
class PageText:
    """What :func:`extract_page` found: text (lines joined by newlines) and metadata."""

    text: str
    title: str | None
    date: str | None


def _words(value: str | None) -> set[str]:
    return set(re.split(r"[\s_\-]+", (value or "").lower())) - {""}


class _Extractor(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.chunks: list[tuple[str, bool]] = []  # (text, inside the article)
        self.skip: list[str] = []  # open elements whose content is dropped
        self.main_depth = 0
        self.pre_depth = 0
        self.in_title = False
        self.in_h1 = False
        self.meta: dict[str, str] = {}
        self.page_title = ""
        self.h1: list[str] = []
        self.h1_main: list[str] = []
        self.h1_text: list[str] = []
        self.time_attr: str | None = None

    def _drops(self, tag: str, attrs: dict[str, str | None]) -> bool:
        if tag in _DROP or (tag in _PAGE_ONLY and not self.main_depth):
            return True
        if (attrs.get("role") or "").lower() in _FURNITURE_ROLES:
            return True
        # Only elements that are always closed, so the end of the dropped part is known.
        if tag not in _CLOSED:
            return False
        if "hidden" in attrs or attrs.get("aria-hidden") == "true":
            return True
        return bool((_words(attrs.get("class")) | _words(attrs.get("id"))) & _FURNITURE)

    def handle_starttag(self, tag: str, attrs_list: list[tuple[str, str | None]]) -> None:
        attrs = dict(attrs_list)
        if tag == "meta":
            key = attrs.get("property") or attrs.get("name") or attrs.get("itemprop") or ""
            if key and attrs.get("content"):
                self.meta.setdefault(key.lower(), attrs["content"] or "")
            return
        if tag in _VOID:
            if tag in {"br", "hr"} and not self.skip:
                self.chunks.append(("\n", self.main_depth > 0))
            return
        if self.skip:
            if tag == self.skip[0]:
                self.skip.append(tag)  # the same element nested: count it to find the end
            return
        if self._drops(tag, attrs):
            self.skip.append(tag)
            return
        if tag == "title":
            self.in_title = True
        if tag in {"article", "main"} or (attrs.get("role") or "").lower() == "main":
            self.main_depth += 1
        if tag == "pre":
            self.pre_depth += 1
        if tag == "h1":
            self.in_h1, self.h1_text = True, []
        if tag == "time" and self.time_attr is None and attrs.get("datetime"):
            self.time_attr = attrs["datetime"]
        if tag in _BLOCK:
            self.chunks.append(("\n", self.main_depth > 0))

    def handle_endtag(self, tag: str) -> None:
        if self.skip:
            if tag == self.skip[0]:
                self.skip.pop()
            return
        if tag == "title":
            self.in_title = False
        if tag in {"article", "main"} and self.main_depth:
            self.main_depth -= 1
        if tag == "pre" and self.pre_depth:
            self.pre_depth -= 1
        if tag == "h1" and self.in_h1:
            self.in_h1 = False
            heading = " ".join("".join(self.h1_text).split())
            if heading:
                (self.h1_main if self.main_depth else self.h1).append(heading)
        if tag in _BLOCK:
            self.chunks.append(("\n", self.main_depth > 0))

    def handle_data(self, data: str) -> None:
        if self.in_title:
            self.page_title += data
            return
        if self.skip:
            return
        if self.in_h1:
            self.h1_text.append(data)
        text = data if self.pre_depth else re.sub(r"\s+", " ", data)
        self.chunks.append((text, self.main_depth > 0))


def _clean_lines(raw: str) -> str:
    lines = [" ".join(ln.split()) for ln in raw.split("\n")]
    out: list[str] = []
    for ln in lines:
        if ln or (out and out[-1]):
            out.append(ln)
    return "\n".join(out).strip()


def _title_from_tag(title: str) -> str | None:
    """``<title>`` usually ends with the site's name: keep the longest part."""
    title = " ".join(title.split())
    parts = [p for p in re.split(r"\s+[|–—-]\s+", title) if p]
    return max(parts, key=len) if parts else None


def extract_page(html: str) -> PageText:
    """The main text of ``html`` and, from its markup, a headline and an ISO date."""
    from placemap.readers import find_date  # the date patterns live with the text readers

    parser = _Extractor()
    parser.feed(html)
    parser.close()
    main = [text for text, in_main in parser.chunks if in_main]
    body = _clean_lines("".join(main)) if "".join(main).strip() else ""
    if not body:
        body = _clean_lines("".join(text for text, _ in parser.chunks))
    meta = parser.meta
    title = (
        meta.get("og:title")
        or next(iter(parser.h1_main or parser.h1), None)
        or meta.get("twitter:title")
        or _title_from_tag(parser.page_title)
    )
    date = None
    for value in [*(meta.get(k) for k in _DATE_META), parser.time_attr]:
        if value and (date := find_date(value)):
            break
    return PageText(text=body, title=" ".join(title.split()) if title else None, date=date)
