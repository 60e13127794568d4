"""Recognition: find the spans of a report that may name places.

Spotting is driven by the gazetteer and the text's own signals. A span is a run
of capitalised tokens (with the lowercase connectors that names contain: "ez"
in "Deir ez-Zor", "of" in "Gulf of Aden"); the longest run that the gazetteer
knows wins. Each span carries the evidence the resolver and the filters need:
whether it starts a sentence, the cue words around it ("town of X", "X
province"), whether it sits inside a longer proper name ("New York Times",
"Russian Defense Ministry"), and whether its lowercase form is an ordinary word.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Callable
from dataclasses import dataclass
from sys import intern
from typing import NamedTuple

from placemap.normalize import fold

__all__ = ["Token", "Span", "tokenize", "spot", "describe", "describe_span"]

# Words with inner hyphens and apostrophes stay whole ("ez-Zor", "Dar'a"); a
# trailing possessive is split off ("Syria's" -> "Syria" + "'s").
_TOKEN_RE = re.compile(r"[^\W_](?:[\w\u2019'\-\.]*[^\W_])?", re.UNICODE)
_DOTTED_RE = re.compile(r"(?:[A-Za-z]\.)+[A-Za-z]")
_POSSESSIVE_RE = re.compile(r"['\u2019]s$", re.IGNORECASE)

# Lowercase words that may stand inside a place name.
CONNECTORS = frozenset(
    """of de del della di da do dos das du des la le les el al ez az as ar ad an at ash en
    y upon on am im sur bin ibn bint abu bani beni und van von der den ter and""".split()
)
# "and" only joins names that are one name ("Trinidad and Tobago", "Bosnia and
# Herzegovina"); the gazetteer decides, since the longest known run wins.

# Capitalised words that start no place name however many gazetteer entries they
# have: calendar words, honorifics and the vocabulary of institutions.
NOT_PLACE_WORDS = frozenset(
    """monday tuesday wednesday thursday friday saturday sunday january february april june
    july august september october november december mr mrs ms dr sir president minister
    ministry prime general gen col lt sgt capt cpt maj sen rep gov governor mayor king queen
    prince princess sheikh emir pope saint st the a an this that these those he she it we they
    i you his her its our their my your who what when where why how and or but if then so
    as at by for from in into of on onto to with without after before during since until
    while about above below between among against through via per army navy force forces
    police ministry department agency council committee court party government parliament
    congress senate house office university college school hospital church mosque company
    bank group news times post daily herald tribune journal press television radio channel
    reuters associated agence interfax xinhua times airlines airways air god allah
    christ jesus muhammad islam islamic christian jewish muslim catholic orthodox sunni shia
    state states united nations union republic kingdom democratic people peoples federal
    national international world global central eastern western northern southern east west
    north south middle upper lower greater new old great little big high low red white black
    green blue yellow golden""".split()
)
# Capitalised only because they start a sentence or a title: no part of a name.
FUNCTION_WORDS = frozenset(
    """the a an this that these those he she it we they i you his her its our their my your
    who what when where why how and or but if then so as at by for from in into of on onto
    to with without after before during since until while about above below between among
    against through via per meanwhile also however""".split()
)
# Words that make the run before them a name of something else when they follow it.
ORG_FOLLOWERS = frozenset(
    """times post journal herald tribune news daily gazette telegraph review magazine press
    university college institute school academy hospital clinic company corp corporation inc
    ltd group bank airlines airways ministry department agency council committee commission
    authority foundation society association federation club fc united city stadium party
    movement front brigade brigades battalion regiment army forces police guard guards
    government administration court parliament assembly senate congress declaration
    accord accords agreement treaty protocol convention summit conference talks process
    initiative project program programme fund festival award prize cup open games
    championship league trophy street road avenue boulevard square highway bridge airport
    station port harbour harbor tower hotel mall center centre museum library cathedral
    church mosque temple palace prison camp base""".split()
)
# Words after a name that make it the name of a disease or a virus ("Marburg virus").
DISEASE_FOLLOWERS = frozenset("virus viruses fever disease flu strain outbreak vaccine".split())
# Words before "of" that head the name of an institution ("Department of Agriculture").
INSTITUTION_HEADS = frozenset(
    """department ministry secretary university college institute school bank office board
    council commission centers centres center centre museum library academy bureau
    embassy consulate chamber""".split()
)
# Type words after a name: "Homs province", "Euphrates river".
ADMIN_CUES = frozenset(
    """province provinces governorate governorates oblast oblasts region regions district
    districts county counties state states prefecture department departments raion rayon
    canton wilaya wilayah voivodeship parish territory emirate""".split()
)
WATER_CUES = frozenset("river rivers sea gulf bay lake strait straits canal ocean".split())
TERRAIN_CUES = frozenset(
    "mountains mountain mount desert valley plain plateau island islands peninsula".split()
)
# "Municipality" is a town here: GeoNames has most municipalities' towns as populated
# places, and a division of the same name lies around its town anyway.
TOWN_CUES = frozenset(
    """town city village suburb suburbs neighbourhood neighborhood outskirts municipality
    municipalities""".split()
)
# Titles and abbreviations after which a full stop does not end a sentence.
_TITLES = frozenset("mr mrs ms dr gen col lt sgt capt maj sen rep gov rev prof jr sr".split())
# Words before a name that say a person follows.
PERSON_TITLES = _TITLES | frozenset(
    """president minister secretary senator judge justice officer coach chief director
    spokesman spokeswoman spokesperson chairman chairwoman mayor governor sheriff deputy
    commissioner lawyer attorney professor sergeant lieutenant captain colonel general
    detective agent pastor reverend father sister brother uncle aunt mother wife husband son
    daughter mrs mr ms""".split()
)
MONTHS = frozenset(
    "january february march april may june july august september october november december "
    "jan feb mar apr jun jul aug sep sept oct nov dec".split()
)
# Words before a name that say a place follows.
LOCATIVE_CUES = frozenset(
    """in near at from to towards toward into outside inside across around around through
    via between reached entered left captured seized shelled bombed struck hit
    liberated besieged encircled surrounded""".split()
)


class Token(NamedTuple):
    start: int
    end: int
    text: str
    capitalised: bool  # "Homs", "ez-Zor"
    all_caps: bool  # "DAMASCUS", "UAE"


def _token(start: int, end: int, t: str) -> Token:
    cap = t[:1].isupper() or ("-" in t and any(p[:1].isupper() for p in t.split("-")[1:]))
    return Token(start, end, t, cap, len(t) >= 2 and t.isupper())


@dataclass(frozen=True, slots=True)
class Span:
    """A candidate place name in a text, with the evidence around it."""

    start: int
    end: int
    text: str
    sentence_initial: bool
    in_longer_name: bool  # capitalised words run on before or after it
    type_cue: str | None  # "admin", "water", "terrain", "town" or None
    locative_cue: bool  # "in X", "near X", "town of X"
    all_caps: bool
    next_text: str | None  # the name after a comma: "X, Syria" -> "Syria"
    prev_word: str = ""  # the word before, lower case, when only spaces separate them
    prev_word2: str = ""  # the word before that
    next_word: str = ""  # the word after, lower case, when only spaces separate them
    after_comma_name: bool = (
        False  # "Springfield, Ill.": right after a capitalised name and a comma
    )
    dateline: bool = False  # the place of a wire dateline: "BEIRUT (Reuters) -"


def tokenize(text: str) -> list[Token]:
    """Word tokens with character offsets; possessive 's split off."""
    out = []
    for m in _TOKEN_RE.finditer(text):
        s, e, t = m.start(), m.end(), m.group(0)
        if text[e : e + 1] == "." and _DOTTED_RE.fullmatch(t):
            e, t = e + 1, t + "."  # "U.S." keeps its last dot
        # Trailing dots belong to abbreviations ("U.S.") but not to ordinary words.
        if t.endswith(".") and not re.fullmatch(r"(?:[A-Za-z]\.){2,}", t):
            t, e = t.rstrip("."), e - (len(t) - len(t.rstrip(".")))
        pm = _POSSESSIVE_RE.search(t)
        if pm and len(t) > 2:
            out.append(_token(s, s + pm.start(), t[: pm.start()]))
            continue
        if "-" in t and t.split("-")[0].lower() in ("pro", "anti", "non", "post", "pre", "ex"):
            continue  # "pro-Kremlin", "anti-Assad": not a place mention
        out.append(_token(s, e, t))
    return out


def _starts_sentence(text: str, tokens: list[Token], i: int) -> bool:
    """Whether token ``i`` opens a sentence, a line, a quotation or a clause after a colon."""
    if i == 0:
        return True
    between = text[tokens[i - 1].end : tokens[i].start]
    prev = tokens[i - 1].text
    if "\n" in between or ":" in between:
        return True
    if any(c in between for c in '"\u201c') and not between.strip(' "\u201c').endswith(","):
        return True  # the first word of a quotation
    abbreviation = re.fullmatch(r"(?:[A-Za-z]\.)+|[A-Z][a-z]{0,3}", prev) is not None
    return any(c in between for c in ".!?") and not (
        abbreviation and prev.lower() in _TITLES | {"u.s", "st", "mt", "ft"}
    )


def _cue_after(tokens: list[Token], j: int, text: str) -> str | None:
    """Type word right after the span ("Homs province", "Tigris river")."""
    if j >= len(tokens) or text[tokens[j - 1].end : tokens[j].start].strip() not in ("",):
        return None
    w = tokens[j].text.lower()
    if w in ADMIN_CUES:
        return "admin"
    if w in WATER_CUES:
        return "water"
    if w in TERRAIN_CUES:
        return "terrain"
    if w in ("city", "town", "village"):
        return "town"
    return None


_SENTENCE_END = re.compile(r"[.!?;:]")


def _cue_before(tokens: list[Token], i: int, text: str) -> tuple[str | None, bool]:
    """Type and locative cues before the span: "the town of X", "provinces of X and Y"."""
    words = [t.text.lower() for t in tokens[max(0, i - 6) : i]]
    gap = text[tokens[i - 1].end : tokens[i].start] if i else ""
    locative = bool(words) and words[-1] in LOCATIVE_CUES and "." not in gap
    type_cue = None
    base = max(0, i - 6)
    # "province(s) of X", "province(s) of X and Y", "town of X"; never across the end
    # of a sentence ("the town of Kobani. The Kurdish fighters").
    for k in range(len(words) - 1, -1, -1):
        w = words[k]
        after = tokens[base + k + 1] if base + k + 1 < len(tokens) else None
        if after is not None and _SENTENCE_END.search(text[tokens[base + k].end : after.start]):
            break
        if w == "of" and k > 0:
            head = words[k - 1]
            if head in ADMIN_CUES and head not in ("department", "departments", "state"):
                type_cue = "admin"
            elif head in TOWN_CUES:
                type_cue = "town"
            elif head in WATER_CUES:
                type_cue = "water"
            elif head in TERRAIN_CUES:
                type_cue = "terrain"
            if type_cue:
                locative = True
            break
        if w not in ("and", ",", "the") and not tokens[base + k].capitalised:
            break
    return type_cue, locative


def spot(
    text: str,
    known: Callable[[str], bool],
    *,
    max_tokens: int = 6,
    tokens: list[Token] | None = None,
    known_spelling: Callable[[str], bool] | None = None,
) -> list[Span]:
    """Every run of capitalised tokens the gazetteer knows, longest first.

    ``known(folded_name)`` says whether the gazetteer has a name; a run it does
    not know is still returned when it is a single capitalised word (a
    transliteration may match it), marked by the resolver as weaker.
    ``known_spelling(run)``, when given, is asked about runs of several words that
    ``known`` does not know: another spelling of a known name ("Deir Ezzor",
    "Tal Rifaat") is kept whole rather than cut into words.
    """
    toks = tokens if tokens is not None else tokenize(text)
    spans: list[Span] = []
    i = 0
    n = len(toks)
    while i < n:
        t = toks[i]
        if (
            not t.capitalised
            or t.text.lower() in NOT_PLACE_WORDS
            and not _known_run(toks, i, text, known)
        ):
            i += 1
            continue
        best_j = None
        j = i + 1
        # Extend across connectors and capitalised words, stopping at punctuation.
        limit = min(n, i + max_tokens)
        candidates_j = []
        while j <= limit:
            run_text = text[t.start : toks[j - 1].end]
            if j > i + 1:
                gap = text[toks[j - 2].end : toks[j - 1].start].strip()
                abbrev = gap == "." and toks[j - 2].text.lower() in ("st", "ste", "ft", "mt", "pt")
                if gap not in ("", "-") and not abbrev:
                    break
                if not toks[j - 1].capitalised and toks[j - 1].text.lower() not in CONNECTORS:
                    break
            if toks[j - 1].capitalised:
                candidates_j.append((j, run_text))
            j += 1
        for j, run_text in reversed(candidates_j):
            if known(fold(run_text)) or (
                known_spelling is not None and j > i + 1 and known_spelling(run_text)
            ):
                best_j = j
                break
        if best_j is None:
            # Unknown single capitalised word: a possible transliteration.
            best_j = i + 1
        spans.append(describe(text, toks, i, best_j))
        i = best_j
    return spans


def describe(text: str, toks: list[Token], i: int, j: int) -> Span:
    """The span of tokens ``i`` to ``j - 1`` with the evidence around it."""
    n = len(toks)
    s, e = toks[i].start, toks[j - 1].end

    def joined(a: int, b: int) -> bool:  # nothing but a space or hyphen between
        return text[a:b].strip() in ("", "-")

    before_cap = (
        i > 0
        and toks[i - 1].capitalised
        and toks[i - 1].text.lower() not in FUNCTION_WORDS  # "In Columbus", "At Homs"
        and not _starts_sentence(text, toks, i)
        and joined(toks[i - 1].end, s)
    )
    after_word = toks[j].text.lower() if j < n else ""
    type_words = ADMIN_CUES | WATER_CUES | TERRAIN_CUES | TOWN_CUES
    after_cap = (
        j < n and toks[j].capitalised and joined(e, toks[j].start) and after_word not in type_words
    )
    type_before, locative = _cue_before(toks, i, text) if i else (None, False)
    nxt = None
    if j < n and text[e : toks[j].start].strip() == "," and toks[j].capitalised:
        k = j + 1
        while (
            k < n and k < j + 4 and toks[k].capitalised and joined(toks[k - 1].end, toks[k].start)
        ):
            k += 1
        nxt = text[toks[j].start : toks[k - 1].end]
    return Span(
        start=s,
        end=e,
        text=intern(text[s:e]),
        sentence_initial=_starts_sentence(text, toks, i),
        in_longer_name=bool(before_cap or after_cap),
        type_cue=_cue_after(toks, j, text) or type_before,
        locative_cue=locative,
        all_caps=all(tk.all_caps for tk in toks[i:j]),
        next_text=intern(nxt) if nxt else None,
        prev_word=intern(toks[i - 1].text.lower())
        if i and text[toks[i - 1].end : s].strip(" .") == ""
        else "",
        next_word=intern(toks[j].text.lower())
        if j < n and text[e : toks[j].start].strip(" .") == ""
        else "",
        prev_word2=intern(toks[i - 2].text.lower()) if i > 1 else "",
        after_comma_name=i > 0
        and toks[i - 1].capitalised
        and text[toks[i - 1].end : s].strip() == ",",
    )


def describe_span(text: str, start: int, end: int, toks: list[Token] | None = None) -> Span:
    """Evidence for a span given by offsets (a gold span, another tool's entity)."""
    toks = toks if toks is not None else tokenize(text)
    # The tokens inside the span, found by bisection (a text may have many given spans).
    k = bisect_left(toks, start, key=lambda t: t.start)
    inside = []
    while k < len(toks) and toks[k].end <= end:
        inside.append(k)
        k += 1
    # A given span may keep the full stop that tokenising split off ("W.Va.").
    if inside and toks[inside[0]].start == start and toks[inside[-1]].end in (end, end - 1):
        return describe(text, toks, inside[0], inside[-1] + 1)
    return Span(
        start, end, text[start:end], False, False, None, False, text[start:end].isupper(), None
    )


def person_names(
    text: str,
    toks: list[Token],
    known: Callable[[str], bool],
    ordinary: Callable[[str], bool],
) -> set[str]:
    """Last words of runs that look like a person's full name ("Gordon Brown"), so that
    the surname alone later in the text is not read as a place. ``ordinary(word)`` says
    whether a word is an ordinary English word ("Another Gainesville" is no name)."""
    out: set[str] = set()
    i, n = 0, len(toks)
    while i < n:
        j = i
        while (
            j < n
            and toks[j].capitalised
            and not toks[j].all_caps
            and (j == i or text[toks[j - 1].end : toks[j].start] in (" ", ". "))
        ):
            j += 1
        if 2 <= j - i <= 4:
            run = text[toks[i].start : toks[j - 1].end]
            first = toks[i].text.lower().rstrip(".")
            if (
                first not in NOT_PLACE_WORDS
                and first not in ADMIN_CUES
                and not ordinary(first)
                and not known(fold(run))
                and not known(fold(toks[i].text))
                and toks[j - 1].text.lower() not in ORG_FOLLOWERS | ADMIN_CUES | WATER_CUES
            ):
                out.add(toks[j - 1].text)
        i = max(j, i + 1)
    return out


def _known_run(toks: list[Token], i: int, text: str, known: Callable[[str], bool]) -> bool:
    """A stop word that begins a longer known name ("United States", "St. Louis")."""
    for j in range(min(len(toks), i + 6), i + 1, -1):
        gaps_ok = all(
            text[toks[k - 1].end : toks[k].start].strip() in ("", "-")
            or (
                text[toks[k - 1].end : toks[k].start].strip() == "."
                and toks[k - 1].text.lower() in ("st", "ste", "ft", "mt", "pt")
            )
            for k in range(i + 1, j)
        )
        if gaps_ok and toks[j - 1].capitalised:
            if known(fold(text[toks[i].start : toks[j - 1].end])):
                return True
    return False
