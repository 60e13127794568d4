"""Lines that scraping leaves around a report: a site's menu, breadcrumbs, icons at the
top, lists of links to other stories ("Related stories", "Most read") below or inside it;
and the wire's credit lines, which say where its reporters were.

A text may also be a list of headlines, one a line (a wire digest, a feed's page): each
is a story of its own, and lends the others no context.

Menus and links are neither a report's title nor its places: "Home | World | Middle East |
Sport" names no place the report is about, nor does the headline of another story. A
credit line names places ("Reporting by Maher Chmaytelli in Baghdad"), but not the
places of the events reported, so they lend no context to the report's other names.
"""

from __future__ import annotations

import re
from itertools import repeat
from operator import contains, methodcaller

__all__ = [
    "is_boilerplate",
    "is_menu",
    "menu_lines",
    "link_lists",
    "credit_lines",
    "byline_names",
    "headline_lines",
]

# The sections of a news site's menu.
MENU_WORDS = frozenset(
    """home news world politics economy business markets finance society sport sports
    video videos photo photos gallery opinion opinions culture arts tech technology science
    health lifestyle travel weather live latest more menu search subscribe login register
    contact about local national international regions region entertainment games
    podcasts newsletters español русский українська العربية
    accueil actualités actualites politique sécurité securite économie economie société
    societe monde afrique vidéos inicio noticias política politica economía mundo deportes
    sociedad opinión internacional nacional""".split()
)
# The first item of a breadcrumb trail: "Home > News > Middle East & North Africa".
_TRAIL_STARTS = frozenset("home homepage accueil inicio startseite".split())
# How many words a trail's item may have ("Middle East & North Africa").
_TRAIL_ITEM_WORDS = 6
# What separates a menu's or a breadcrumb trail's items: "Home | World", "News › Europe".
_ITEM_SEPARATORS = re.compile(r"\s*[|•·»›>]\s*")
_SEPARATOR_RE = re.compile(r"[|•·»›>]")
# A menu's items are short: a word or three ("Middle East", "Opinion").
_ITEM_WORDS = 3
#: Only the first lines of a text are looked at for boilerplate.
TOP_LINES = 8
_TOP_CHARS = 8000
# A non-empty line, and the longest a menu line is taken to be.
# (Anchored at a line's start, its white space taken once: a line of 60,000 spaces was
# tried from each of its positions, 39 s.)
_LINE_RE = re.compile(r"^[^\S\n]*+\S[^\n]*", re.MULTILINE)
_MENU_CHARS = 300


_ALNUM_RE = re.compile(r"[^\W_]")  # a letter or a digit (str.isalnum)
_strip_marks = methodcaller("strip", "|/•·-")


def is_menu(line: str) -> bool:
    """Whether a line is a site's menu or a breadcrumb trail."""
    split = line.split()
    # (Every menu word has a letter: counted over all the words, in C loops, the menu
    # words are those of the words with a letter or digit, which are counted only when
    # the line has menu words at all: a line of prose is told at once.)
    menu = sum(map(MENU_WORDS.__contains__, map(str.lower, map(_strip_marks, split))))
    if menu and (n := len([w for w in split if _ALNUM_RE.search(w)])) >= 2 and (
        menu == n or (n >= 4 and menu >= 0.6 * n)
    ):
        # "Home News Politics Economy World Society Sports Photo Video"; a short row is a
        # menu when every word is one of its words: "Menu  Search  Subscribe"
        return True
    if not _SEPARATOR_RE.search(line):
        return False  # one item: no trail, no menu (most lines: told without splitting)
    items = [i for i in _ITEM_SEPARATORS.split(line) if i]
    if (
        len(items) >= 2
        and items[0].lower() in _TRAIL_STARTS
        and all(len(i.split()) <= _TRAIL_ITEM_WORDS for i in items)
    ):
        return True  # "Home > News > Middle East & North Africa"
    # A trail of sections has one at least; a row of tags ("Syria | Damascus |
    # Islamic State") names the report's places and is read.
    return (
        len(items) >= 3
        and all(len(i.split()) <= _ITEM_WORDS for i in items)
        and any(i.lower() in MENU_WORDS for i in items)
    )  # "Home | World | Middle East | Sport", "News › Europe › Ukraine"


# A page's own controls, alone on a line: "Skip to main content", "Share on Facebook Share
# on X", "Advertisement", "Sign in".
_CONTROL_LINE_RE = re.compile(
    r"(?:(?:skip|jump) to (?:the )?(?:main )?(?:content|navigation|menu|search)|skip navigation"
    r"|advertisement|sponsored|sign in|log in|subscribe(?: now)?"
    r"|share(?: this(?: article| story| page| post| video)?)?|save(?: this)? (?:article|story)"
    r"|(?:share (?:on|via) \w+ ?)+"
    r"|(?:accept|manage) cookies|listen to (?:this )?article|print this (?:article|page))[ .!]*",
    re.IGNORECASE,
)


# What a row of sharing controls holds besides "Share on X": "Share on Facebook | Share
# on X | Email".
_SHARE_ITEM_RE = re.compile(
    r"e-?mail|print|copy link|facebook|twitter|x|whatsapp|telegram|linkedin|reddit"
    r"|comments?|\d+ comments?",
    re.IGNORECASE,
)


def _controls(line: str) -> bool:
    """Whether a line is a page's controls alone: one, or a row of them between bars."""
    if _CONTROL_LINE_RE.fullmatch(line.strip()):
        return True
    if not _SEPARATOR_RE.search(line):
        return False
    items = [i for i in _ITEM_SEPARATORS.split(line.strip()) if i]
    return len(items) >= 2 and all(
        _CONTROL_LINE_RE.fullmatch(i) or _SHARE_ITEM_RE.fullmatch(i) for i in items
    )


# A page's furniture on a line of its own: a cookie notice ("This site uses cookies",
# "Accept all cookies?"), a time stamp ("Updated 55 minutes ago", "Posted 2 hours ago ·
# 4 min read"), a "Trending:" row.
# (Two patterns: the line's start is matched once, not tried at every character.)
_FURNITURE_RE = re.compile(
    r"\bcookies?\b.*\b(?:accept|consent|privacy|we use|uses|use of)\b"
    r"|\b(?:we use|this (?:web)?site uses|accept(?: all)?) cookies\b",
    re.IGNORECASE,
)
_FURNITURE_START_RE = re.compile(
    r"(?:(?:latest|top) (?:headlines|news|stories) +)?(?:updated|posted|published)?\s*"
    r"\d+ (?:sec|second|min|minute|hr|hour|day|week|month|year)s? ago\b"
    r"|(?:.{0,40}\bago\b\W*)?\d+ min(?:ute)?s? read$"
    r"|trending(?: now)?:",
    re.IGNORECASE,
)


def is_boilerplate(line: str) -> bool:
    """Whether a line is a menu or trail (:func:`is_menu`), a page's control ("Skip to
    main content", "Share on Facebook | Email"), its furniture (a cookie notice, a time
    stamp), a byline, a row of icon labels, or a run of lower-case words with no
    sentence in it (not a headline in sentence case, which opens with a capital): no
    title, at least."""
    stripped = line.strip()
    if (
        is_menu(line)
        or _controls(line)
        or _FURNITURE_START_RE.match(stripped)
        or _FURNITURE_RE.search(stripped)
    ):
        return True
    if _BYLINE_RE.match(stripped):
        return True  # "By Sarah Wells, Local Democracy Reporting Service"
    words = line.split()
    if len(words) < 8:
        return False
    lowercase = sum(map(str.islower, words)) / len(words)
    iconish = sum(map(contains, map(str.lower, words), repeat("icon"))) / len(words)
    has_sentence = bool(re.search(r"[a-z]{3,}[.!?](\s|$)", line))
    return iconish > 0.15 or (
        lowercase > 0.8 and not has_sentence and not stripped[:1].isupper()
    )


def menu_lines(text: str) -> list[tuple[int, int]]:
    """The (start, end) offsets of the menu and breadcrumb lines (:func:`is_menu`) among
    the first :data:`TOP_LINES` non-empty lines of ``text``."""
    out = []
    for n, m in enumerate(_LINE_RE.finditer(text, 0, _TOP_CHARS)):
        if n >= TOP_LINES:
            break
        if len(m.group()) <= _MENU_CHARS and is_menu(m.group()):
            out.append((m.start(), m.end()))
    return out


# The heading of a list of links to other stories, alone on its line ("Related stories",
# "More on this story", "Most read:", "See also:"). (An encyclopaedia's "See also:
# Franklin Township, New Jersey" on one line names places of the article's own: not a
# heading alone.)
_LINKS_HEADING_RE = re.compile(
    r"^[ \t]*(?:related(?: stories| articles| news| content| coverage| links)?|read more"
    r"|(?:also|more) read|read also|more on this story|more stories|more news|most read"
    r"|most popular|most viewed|trending(?: now)?|recommended(?: stories| for you)?"
    r"|you (?:may|might) also like|top stories|latest news|editor'?s picks"
    r"|also in the news|in other news|see also)[ \t]*:?[ \t]*$",
    re.IGNORECASE | re.MULTILINE,
)
# A link's line: a headline, short and not a sentence of prose (which ends in a full
# stop); the list ends at the first line that is not one.
_LINK_CHARS = 160
_PROSE_END_RE = re.compile(r"[\w\"\u201d')][.!]\s*$")


def link_lists(text: str) -> list[tuple[int, int]]:
    """The (start, end) offsets of the lists of links to other stories in ``text``: a
    heading (``Related stories``) and the headline lines after it, up to the first line
    of prose or the end. A text with no line of prose outside them has none: a page of
    headlines under "Latest news" is a feed, its headlines the content."""
    out: list[tuple[int, int]] = []
    for m in _LINKS_HEADING_RE.finditer(text):
        if out and m.start() < out[-1][1]:
            continue  # a heading inside the list before it: read with it (one pass in all)
        end = m.end()
        for line in _LINE_RE.finditer(text, m.end()):
            if _prose(line.group()):
                break
            end = line.end()
        if end > m.end():  # a heading with no list after it is left alone
            out.append((m.start(), end))
    if out and not any(
        _prose(line.group())
        for a, b in zip([0] + [e for _s, e in out], [s for s, _e in out] + [len(text)], strict=True)
        for line in _LINE_RE.finditer(text, a, b)
    ):
        return []
    return out


def _prose(line: str) -> bool:
    """Whether a line is prose rather than a link's headline: long, or a sentence."""
    return len(line) > _LINK_CHARS or _PROSE_END_RE.search(line) is not None


# A list of headlines, one a line: a wire digest, a feed's page copied out. Each line is
# a headline (:func:`_prose` says not): it opens in capitals, does not end in a word or
# mark that runs on to the next line (wrapped prose: "officials of" / "Izium said"; not
# "in" or "on", which end headlines: "Jeri sworn in", "six months on"), and
# most have this many words at least (a list of names, a place a line, is no digest).
_DIGEST_MIN_LINES = 3
# A bulleted line is an item of one report's list ("* ACEH: floods cut roads"), whose
# items share their context: no headline of a digest.
_BULLETS = frozenset("*\u2022\u00b7\u25aa\u25ba\u2023-\u2013\u2014")
_HEADLINE_MIN_WORDS = 4
_RUNS_ON_RE = re.compile(
    r"(?:[,;\-\u2013\u2014(&]|\b(?:a|an|the|of|at|to|from|and|or|but|by|with|as|than|that|"
    r"who|which)|\w's)\s*$",
    re.IGNORECASE,
)


def headline_lines(text: str) -> list[tuple[int, int]]:
    """The (start, end) offsets of the lines of ``text`` when it is a list of headlines,
    one a line, and nothing else (see :data:`_DIGEST_MIN_LINES`); else none. A line of
    prose (long, or ending in a full stop), a line that opens in lower case or runs on to
    the next makes the text one story."""
    lines = []
    heads = 0
    for m in _LINE_RE.finditer(text):
        line = m.group().strip()
        if _prose(line) or line[0].islower() or line[0] in _BULLETS or _RUNS_ON_RE.search(line):
            return []
        heads += len(line.split()) >= _HEADLINE_MIN_WORDS
        lines.append(m.span())
    if len(lines) < _DIGEST_MIN_LINES or 4 * heads < 3 * len(lines):
        return []
    return lines


# The wire's credit lines: Reuters' "(Reporting by A in Baghdad; Editing by B)" or the
# same lines without brackets; AP's sentence "A in Geneva contributed to this report." or
# "B contributed from Austin, Texas.".
_CREDIT_RE = re.compile(
    r"\((?:[Aa]dditional )?(?:[Rr]eporting|[Ww]riting|[Ee]diting|[Cc]ompiled) by\b[^()\n]*\)"
    r"|^[ \t]*(?:[Aa]dditional )?(?:[Rr]eporting|[Ww]riting|[Ee]diting) by\b[^\n]*",
    re.MULTILINE,
)
# What a text holds if it holds a credit line (looked for first: far faster than a search).
_CREDIT_WORDS = ("eporting by", "riting by", "diting by", "ompiled by")
_CONTRIBUTED_RE = re.compile(r"\bcontributed (?:to this report|reporting\b|from (?=[A-Z]))")
# Where a sentence ends: a full stop after a word in lower case or a number (not after
# an initial, "Lolita C. Baldor", or "U.S."), or a line break.
_SENTENCE_END_RE = re.compile(r"(?<=[a-z0-9)\]\"'\u201d])[.!?](?=\s)|\n")


def credit_lines(text: str) -> list[tuple[int, int]]:
    """The (start, end) offsets of the wire's credit lines in ``text`` ("Reporting by A
    in Baghdad; Editing by B", "A in Geneva contributed to this report.")."""
    out = []
    if any(w in text for w in _CREDIT_WORDS):
        out = [m.span() for m in _CREDIT_RE.finditer(text)]
    if "contributed" not in text:
        return out
    stop: re.Match[str] | None = None
    searched = False  # (for a sentence's end, after the words before)
    for m in _CONTRIBUTED_RE.finditer(text):
        # The sentence around the words: from the end of the one before to its own end.
        start = 0
        for end in _SENTENCE_END_RE.finditer(text, max(0, m.start() - 500), m.start()):
            start = end.end()
        # (The end found for the words before serves while it lies ahead: searched for
        # again each time, a text of such words without a full stop took quadratic time.)
        if not searched or (stop is not None and stop.start() < m.end()):
            stop = _SENTENCE_END_RE.search(text, m.end())
            searched = True
        out.append((start, stop.end() if stop else len(text)))
    return sorted(out)


# A byline alone on its line: "By Amira Hassan and Tom Jordan", "By Tom Jordan in Amman",
# "By Ahmed Ali, Reuters": full names (two to four capitalised words, name particles
# between) joined by commas or "and", then the line's end, a comma, a bar, a dash, "in"
# or "for".
_NAME = r"[A-Z][\w.'’-]*(?:[ \t]+(?:[A-Z][\w.'’-]*|de|da|di|del|al|el|bin|ibn|van|von)){1,3}"
_BYLINE_RE = re.compile(
    rf"^[ \t]*By[ \t]+({_NAME}(?:(?:,[ \t]*|[ \t]+and[ \t]+){_NAME})*)"
    r"(?=[ \t]*(?:$|[,|–—-]|in\b|for\b))",
    re.MULTILINE,
)


# A contact's name after its label: "Contact: Victoria Hamilton, OCHA Ukraine", "Media
# contacts: Ann Lee and Tom Ray" (a sentence may stand before it on its line).
_CONTACT_RE = re.compile(
    rf"\b(?:[Cc]ontacts?|CONTACTS?|[Ss]pokesperson|[Ss]pokes(?:wo)?man)[ \t]*:[ \t]*"
    rf"({_NAME}(?:(?:,[ \t]*|[ \t]+and[ \t]+){_NAME})*)"
    r"(?=[ \t]*(?:$|[,;|(–—-]|at\b|on\b))",
    re.MULTILINE,
)

# A contact's line: a name, a comma and the person's post, at the start of a line ("Jordan
# Lincoln, Head of Office, OCHA Pakistan, Islamabad", "Florence Austin, Public Information
# Officer"): the name and the post (Officer, Victoria, is a town) are no places; the office
# after them may be.
_OPENING_WORDS = (
    "(?:In|At|On|From|For|By|To|The|As|After|Before|During|Near|Outside|Inside|Across|"
    "Meanwhile|And|But|Also|Later|Earlier|Elsewhere|Today|Yesterday)"
)
_ROLE_HEADS = (
    "Officer|Head|Coordinator|Co-ordinator|Director|Spokesperson|Spokesman|Spokeswoman|"
    "Manager|Adviser|Advisor|Chief|Representative|Specialist|Analyst|Assistant|Secretary|"
    "Editor|Correspondent|Reporter|Associate|Consultant|Lead"
)
# (A line that opens with a place and a comma is a sentence, not a contact's: "In
# Washington, Secretary of State Antony Blinken pledged ...": the post ends its clause.)
_SIGNATURE_RE = re.compile(
    rf"^[ \t]*(?!{_OPENING_WORDS}\b){_NAME},[ \t]+(?:(?:[A-Z][\w-]*|of|for|and|the)[ \t]+){{0,5}}"
    rf"(?:{_ROLE_HEADS})s?\b(?:[ \t]+(?:of|for)[ \t]+[A-Z][\w-]*)?"
    r"(?=[ \t]*(?:$|[,;|(\u2013\u2014-]|at\b|in\b))",
    re.MULTILINE,
)


def byline_names(text: str) -> list[tuple[int, int]]:
    """The (start, end) offsets of the people's names in the bylines of ``text`` ("By
    Amira Hassan and Tom Jordan") and after a contact's label ("Contact: Victoria
    Hamilton"), and contacts' names and posts at the start of a line ("Florence Austin,
    Public Information Officer"): people, whatever else their names may be (the place of
    "By Tom Jordan in Amman" stays outside)."""
    found = [m.span(1) for m in _BYLINE_RE.finditer(text)]
    if ":" in text:
        found += [m.span(1) for m in _CONTACT_RE.finditer(text)]
    if ", " in text:
        found += [m.span() for m in _SIGNATURE_RE.finditer(text)]
    found.sort()
    return found
