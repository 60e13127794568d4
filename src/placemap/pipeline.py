"""The geoparsing pipeline: recognise spans, gather candidates, resolve in context.

``geoparse(text)`` finds and resolves every place a text names;
``resolve(text, spans)`` resolves spans someone else found (gold spans, a
spaCy model's entities).
"""

from __future__ import annotations

import logging
import math
import re
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from functools import lru_cache
from itertools import accumulate

from rapidfuzz.fuzz import ratio

from placemap.boilerplate import (
    byline_names,
    credit_lines,
    headline_lines,
    link_lists,
    menu_lines,
)
from placemap.gazetteer import Gazetteer, open_gazetteer
from placemap.language import NOUNS_CAPITALISED, common_in, text_language
from placemap.ner import PLACE_LABELS, EntityPipeline, place_entities
from placemap.normalize import fold
from placemap.ranking import PLAIN_MATCHES, SPELLING_GUESSES
from placemap.recognize import (
    ADMIN_CUES,
    ARMED_WORDS,
    DIRECTIONS,
    DISEASE_FOLLOWERS,
    FUNCTION_WORDS,
    GROUP_ADJECTIVES,
    GROUP_TAILS,
    INSTITUTION_HEADS,
    MONTHS,
    NAME_PARTICLES,
    PERSON_TITLES,
    PLURAL_TYPE_WORDS,
    REPUBLIC_WORDS,
    WATER_CUES,
    LineCase,
    Span,
    Token,
    as_part,
    describe,
    describe_span,
    person_names,
    spot,
    tokenize,
)
from placemap.records import Candidate, Mention, Place
from placemap.resolution import WEIGHTS, Weights, haversine_km, resolve_spans

log = logging.getLogger(__name__)

__all__ = ["Geoparser", "geoparse", "resolve", "default_geoparser"]

# A sentence-initial or common-word span needs a place this large to stand alone.
_BIG_PLACE = 100_000
# A word this frequent in English (Zipf) needs a city of _FAMOUS_PLACE where it stands as
# a common word would.
VERY_COMMON_WORD_ZIPF = 5.0
# A surname is taken for a person's only when no place this large has the name.
_FAMOUS_PLACE = 500_000
# A spelling guess (transliteration or fuzzy key) that no word of the text marks as a
# place ("in", "town of", "X, Syria") needs this similarity. End to end on four corpora,
# 29 uncued picks from 0.80 to 0.85 held one right place ("Ossetian" -> Austin,
# "Neches" -> Natchez, "Zimabwean" -> Zimbabwe); cued ones keep the look-up's own floor
# ("Aqrabeet, Syria", "Salahuddin province").
LOOSE_UNCUED_SIMILARITY = 0.85
BORDERING_LOOSE_SIMILARITY = 0.9
# The most words a place name inside a longer given name is looked for in ("Democratic
# Republic of the Congo" has five).
MAX_NAME_WORDS = 8
# Letters a division's name shares with the start of its town's ("Kharkiv", "Kharkivska").
DIVISION_STEM = 5
SPEECH_VERBS = frozenset(
    """said says told added wrote explained noted asked replied warned stated announced
    insisted admitted recalled testified tweeted
    tells adds writes explains asks replies warns announces insists admits recalls
    testifies tweets""".split()
)  # (a headline's present tense too; not "states": "the Gulf states")
# What people do in headlines, and towns do not: "France's Macron met Germany's Scholz".
_PERSON_VERBS = frozenset(
    """met meets visits visited urges urged vows vowed appoints appointed resigns resigned
    survives survived""".split()
)
# ... and, after a name only spelled like a place's (a spelling guess), more of them.
_GUESS_PERSON_VERBS = (
    SPEECH_VERBS
    | _PERSON_VERBS
    | frozenset(
        """names named sacks sacked signs signed wins won faces calls picks picked won't
        will would rejects rejected backs backed hails hailed pledges pledged orders
        ordered denies denied accuses accused blames blamed praises praised thanks
        thanked slams slammed""".split()
    )
)
# Zipf frequencies (wordfreq) above which a one-word name is read as an ordinary word.
COMMON_WORD_ZIPF = 4.3
DICTIONARY_WORD_ZIPF = 3.3
LOOSE_WORD_ZIPF = 3.0
# A run of words read as another spelling of a known name ends in a rarer word than this.
SPELLING_LAST_WORD_ZIPF = 3.5
_TOWN = 10_000
# A word in capitals this short may be an acronym ("MoD", "IS", "PM").
ACRONYM_CHARS = 5
# A span someone gave as a place name is taken for an acronym only this short.
GIVEN_ACRONYM_CHARS = 3
SENTENCE_START_ZIPF = 3.0
# A name followed by a hyphen and a lowercase word modifies it: "US-backed", "Syria-based".
_MODIFIER_RE = re.compile(r"-[a-z]")
# A name used as an adjective: "-led", or a lower-case word of a noun phrase after it
# ("Saudi officials"; not "Saudi and", "Saudi said").
_ADJECTIVE_USE_RE = re.compile(
    r"-[a-z]| (?!(?:and|or|but|on|in|at|to|of|for|from|with|by|as|is|was|were|are|has|"
    r"have|had|will|would|said|says|says|the|a|an)\b)[a-z]{3,}"
)
# Places that speak through their governments: "Syria said", "Washington says".
_SPEAKING_CODES = frozenset({"PCLI", "PCLD", "PCLF", "PCLS", "TERR", "PPLC"})
# A one-word name is better known as a word when its Zipf frequency reaches the
# decimal logarithm of its largest place's population minus this margin (a frequency
# of 4.4, "Arab", needs a place of 80,000 people; "Hadi", 2.8, of 2,000); below
# FAME_MIN_ZIPF (the least frequency the index records) it is a name.
FAME_MARGIN = 0.5
# ... and when the name is an alternate name of the place that fewer than three of its
# names share (a former or foreign name), the place accounts for this many orders of
# magnitude less: "Hamas" is one of Hamm's names (179,000 people), "Kristina" of
# Ristiina's (5,000); "Kiev" (22 of Kyiv's names) and "Cologne" keep their places.
RARE_ALTERNATE_DISCOUNT = 1.5
# Words before a name that say too little to make a place of a name better known as a
# word: "loyal to Hadi", "a letter from Obama", "hit Lindsay".
_WEAK_LOCATIVES = frozenset("to from at between left hit struck".split())
FAME_MIN_ZIPF = 2.5
CURATED_SOURCE = "placemap curated"
_STRONG_CODES = frozenset({"PCLI", "PCLD", "PCLF", "PCLS", "TERR", "CONT", "ADM1", "PPLC"})


@dataclass
class Geoparser:
    """Recognition and resolution over one gazetteer, with its settings.

    ``ner`` is an optional named-entity pipeline (a spaCy ``Language``, see
    :func:`placemap.ner.load_spacy`): its ``ner_labels`` entities join the gazetteer's
    spotting where they overlap no spotted span, and pass the same filters.
    """

    gazetteer: Gazetteer
    weights: Weights = WEIGHTS
    demonyms: bool = True
    ner: EntityPipeline | None = None
    ner_labels: frozenset[str] = field(default=PLACE_LABELS)

    def __post_init__(self) -> None:
        # What the gazetteer says of a name or a word (a country's? a common word?), asked
        # for the same names in report after report: kept for the names met lately.
        for method in _NAME_QUESTIONS:
            setattr(self, method, lru_cache(maxsize=NAME_CACHE_SIZE)(getattr(self, method)))

    # -- public API ------------------------------------------------------------
    def geoparse(self, text: str) -> list[Mention]:
        """Every place mention in ``text``, resolved from the text's own context."""
        mentions = self._resolved(text, self._recognise(text))
        if not self.demonyms:
            mentions = [m for m in mentions if m.kind != "demonym"]
        return mentions

    def resolve(
        self,
        text: str,
        spans: Iterable[tuple[int, int]],
        *,
        narrow: Callable[[list[Candidate]], list[Candidate]] | None = None,
    ) -> list[Mention]:
        """Resolve given (start, end) spans of ``text``; every span yields one mention.

        The places the rest of the text names are recognised too and serve as
        context, but only the given spans are returned. ``narrow``, when given,
        filters the given spans' candidates before scoring (a table's country column).
        """
        items, n = self.resolution_items(text, spans, narrow=narrow)
        return self._resolved(text, items)[:n]

    def _resolved(
        self, text: str, items: list[tuple[Span, list[Candidate], str]]
    ) -> list[Mention]:
        """The items resolved, one mention each in their order (see
        :meth:`_resolved_apart`, :meth:`_not_outside` and :func:`_as_qualified`)."""
        mentions = self._not_outside(text, items, self._resolved_apart(text, items))
        return _as_qualified(items, mentions)

    def _resolved_apart(
        self, text: str, items: list[tuple[Span, list[Candidate], str]]
    ) -> list[Mention]:
        """The items resolved, one mention each in their order, by parts of the text that
        lend each other no context (see :func:`_stories`): the places of the wire's credit
        lines ("Reporting by A in Baghdad", "B contributed from Austin, Texas") apart from
        the rest, and each headline of a list of headlines apart from the others."""
        items = _with_eponyms(text, items)
        stories = _stories(text, items)
        if stories is None:
            return resolve_spans(self.gazetteer, items, weights=self.weights)
        out: list[Mention | None] = [None] * len(items)
        for ks in stories:
            resolved = resolve_spans(self.gazetteer, [items[k] for k in ks], weights=self.weights)
            for k, m in zip(ks, resolved, strict=True):
                out[k] = m
        return [m for m in out if m is not None]

    def resolution_items(
        self,
        text: str,
        spans: Iterable[tuple[int, int]],
        *,
        narrow: Callable[[list[Candidate]], list[Candidate]] | None = None,
    ) -> tuple[list[tuple[Span, list[Candidate], str]], int]:
        """What :meth:`resolve` hands the resolver: the given spans with their candidates,
        then the context the rest of the text adds, and how many were given. Computed
        once, the items can be resolved under many weights (scripts/learn_weights.py)."""
        given = list(spans)
        for start, end in given:
            if not (0 <= start < end <= len(text)):
                raise ValueError(f"span ({start}, {end}) is outside the text (length {len(text)})")
        described: dict[tuple[int, int], Span] = {}
        for offset, part, toks in _windows(text, avoid=given):
            for start, end in given:
                if offset <= start < offset + len(part):
                    span = describe_span(part, start - offset, end - offset, toks)
                    described[(start, end)] = _shifted(span, offset)
        items = []
        for key in given:
            span = described[key]
            cands, kind = self._candidates(span, given=True, text=text)
            if not cands:
                cands = self._inner_candidates(span)
            if narrow is not None:
                cands = narrow(cands)
            items.append((span, cands, kind))
        if (0, len(text)) in given:
            return items, len(items)  # every name the text holds lies in the given span
        overlaps = _Overlaps(given)
        context = [it for it in self._recognise(text) if not overlaps(it[0].start, it[0].end)]
        return items + context, len(items)

    def _recognise(self, text: str) -> list[tuple[Span, list[Candidate], str]]:
        """The place mentions in ``text`` with their candidates. A long text is read in
        windows cut at line breaks (:data:`WINDOW_CHARS`), so that its word tokens are
        never all held at once; a name seen as a person's anywhere counts everywhere."""
        if len(text) <= WINDOW_CHARS:
            toks = tokenize(text, self._compound)
            case = LineCase(text, toks)
            persons = self._persons(text, toks, case)
            items = _off_the_menu(self._recognise_part(text, toks, persons, case), text)
            items = self._drop_weak(self._in_its_language(items, text), text)
            return self._within_said(text, _country_parts(items))
        persons = set()
        for _offset, part, toks in _windows(text, splits=self._compound):
            persons |= self._persons(part, toks, LineCase(part, toks))
        items = []
        for offset, part, toks in _windows(text, splits=self._compound):
            items += [
                (_shifted(span, offset), cands, kind)
                for span, cands, kind in self._recognise_part(part, toks, persons)
            ]
            if len(items) > MAX_MENTIONS:
                raise ValueError(
                    f"more than {MAX_MENTIONS:,} place names in one text (the first at "
                    f"character {items[0][0].start:,}): split it into smaller reports"
                )
        items = self._drop_weak(self._in_its_language(_off_the_menu(items, text), text), text)
        return self._within_said(text, _country_parts(items))

    def _in_its_language(
        self, items: list[tuple[Span, list[Candidate], str]], text: str
    ) -> list[tuple[Span, list[Candidate], str]]:
        """In a text that is not English (see :mod:`placemap.language`), a word common in
        its language that opens a sentence (or any such word in German, which capitalises
        its nouns) is no place unless it is the very name of a country, a division, a
        capital or a city of 100,000 ("Vitória" stays in a Portuguese headline; "Но",
        "Homem" and "Arbeit" go); mid-sentence a capital marks a name there as in English
        ("Juárez"). Spelling guesses count only after a type word: their keys join
        ordinary words to places ("Kooperation", Copperton)."""
        if not any(
            _guess_only(cands, kind, span) or _word_like(span, cands) for span, cands, kind in items
        ):
            return items  # in any language the same (and the text's is not looked for)
        lang = text_language(text, self.gazetteer.frequent_words())
        if lang == "en":
            return items
        out = []
        for span, cands, kind in items:
            if _guess_only(cands, kind, span):
                continue
            if (
                _word_like(span, cands)
                and (span.sentence_initial or lang in NOUNS_CAPITALISED)
                and common_in(span.text, lang)
            ):
                continue
            out.append((span, cands, kind))
        return out

    def _persons(self, text: str, toks: list[Token], case: LineCase) -> set[str]:
        """The names of the text's people (see :func:`person_names`) and of its armed
        groups named after no country, division or large city ("the Fano militia": no
        Fano in Italy anywhere in the report, "arming Fano" included)."""
        names = person_names(
            text,
            toks,
            self._known_name,
            self._ordinary_word,
            self._strong_name,
            self._famous,
            case=case,
            spelling=self._spelling,
        )
        for m in _GROUP_RE.finditer(text):
            at = m.start()
            if (
                text[at - 1 : at] in ("T", "t")
                and not text[at - 2 : at - 1].isalnum()
                and self._towns_only(m.group(1))
            ):
                names.add(m.group(1))  # ("he ..." is searched for: a literal is found fast)
        names |= nicknames(text)
        return names

    def _towns_only(self, name: str) -> bool:
        """Whether a name matches towns alone, none a capital or a large city: no
        country, division, region, sea or mountain ("the Donbas militia" leaves Donbas
        the region, "the Azov battalion" the sea)."""
        cands = self.gazetteer.lookup(name, loose=False)
        return bool(cands) and not any(
            c.place.feature_class != "P"
            or c.place.feature_code == "PPLC"
            or c.place.population >= _BIG_PLACE
            for c in cands
        )

    def _recognise_part(
        self, text: str, toks: list[Token], persons: set[str], case: LineCase | None = None
    ) -> list[tuple[Span, list[Candidate], str]]:
        case = case if case is not None else LineCase(text, toks)
        spans = spot(
            text,
            self._known_name,
            tokens=toks,
            known_spelling=self._spelling,
            plain=self._plain_word,
            case=case,
            # (An entity of the NER pipeline that overlaps a spotted word is not taken.)
            hopeless=self._hopeless_word if self.ner is None else None,
        )
        spans = self._run_together(text, toks, spans, case)
        if self.ner is not None:
            spans = self._with_entities(self.ner, text, toks, spans)
        directed: dict[str, set[int]] = {}  # names the words place in a part of a country
        items = []
        for span in spans:
            if (
                _not_a_place(span, persons, text.startswith(_POSSESSIVES, span.end))
                or _inside_a_name(span)
                or self._loose_only_word(span)
            ):
                continue  # (a part of a longer name: no candidate could make it a place)
            if text[span.end : span.end + 1] == "." and _ABBREVIATED_RE.fullmatch(span.text):
                dotted = span._replace(end=span.end + 1, text=span.text + ".")
                if any(
                    c.match == "abbreviation"
                    for c in self.gazetteer.lookup(dotted.text, context_only=True, loose=False)
                ):
                    span = dotted  # "Calif.", "Ky.": the full stop is the abbreviation's
            if span.next_text is None:
                span = self._possessed(text, span)
            in_caps = span.all_caps and case(span.start) == "caps"
            cands, kind = self._candidates(
                span,
                acronym=not (in_caps and not self._plain_word(span.text.lower())),
                adjective=_ADJECTIVE_USE_RE.match(text, span.end) is not None,
                text=text,
            )
            if cands and span.next_text is None:
                if text.endswith(_POSSESSIVE_ENDS, 0, span.start):
                    cands = self._near_city(_possessor_names(text, span), cands)
                elif text.startswith(_PART_WORDS, span.end + 1):
                    cands = self._near_city(_whole_city_names(text, span), cands)
            if span.type_cue and len(cands) > 1 and text.endswith(" of ", 0, span.start):
                narrowed = self._in_direction(text, span, cands)
                if len(narrowed) < len(cands):
                    directed[span.text] = {c.place.geonameid for c in narrowed}
                    cands = narrowed
            if kind != "demonym" and span.text.lower() in GROUP_ADJECTIVES:
                continue  # "Shiite district": a faith's, not a place's name
            if kind == "demonym" and span.next_word in REPUBLIC_WORDS:
                continue  # "C. African Republic": a state's name the index lacks, not a people
            if (
                kind != "demonym"
                and text.startswith(_AGENCY, span.end)
                and any(c.match not in SPELLING_GUESSES for c in cands)
            ):
                # "the Saba news agency", "Fars news agency": the agency's name (a people's
                # name stays, "Iranian", and a spelling guess of one: "Abkhaz")
                continue
            if text.startswith(_SAINTS_DAY, span.end):
                continue  # "St. Patrick's Day", "St George's Day": a day
            if _quoted_speaker(text, span) and not _speaks(cands):
                continue  # '..." said Nelson.'
            if in_caps and not (_cued(span) or _strong(cands)):
                continue  # a line in capitals: "NEAR BASHIQA", "IRAQ", not "GLENN"
            if (
                span.all_caps
                and not in_caps
                and not (span.dateline and _DATELINE_MARK_RE.match(text, span.end))
                and (span.type_cue is None or span.dateline)
                and cands
                and all(c.match in SPELLING_GUESSES for c in cands)
            ):
                # A word in capitals among words that are not is an acronym or a tag, no
                # spelling of a place: "NASA" (Nassau), "UNICEF" (Najaf), "#MANUTD"
                # (Mantoudi), also opening a line as a bare dateline would ("NASA Goddard
                # says"); a dateline's city with its marks is ("QAMISHLI (Reuters) -").
                continue
            if self._is_place_mention(span, cands, kind, text):
                items.append((span, cands, kind))
        if directed:
            # One name, one place in a report: "Nikolaev port" in the headline is the
            # southern port the text names later.
            for k, (span, cands, kind) in enumerate(items):
                ids = directed.get(span.text)
                if ids is not None and kind == "toponym":
                    items[k] = (span, [c for c in cands if c.place.geonameid in ids] or cands, kind)
        return items

    def _run_together(
        self, text: str, toks: list[Token], spans: list[Span], line_case: LineCase
    ) -> list[Span]:
        """Place names written one after the other without a comma are places each when
        one holds the other, both are countries, or both are divisions of one country:
        "in Aleppo Syria", headline tags "Syria Damascus Aleppo", "Iraq Mosul" (each
        otherwise a part of a longer name). The one held gets the other as its
        container, as in "Aleppo, Syria". A people's name before a country, a division or
        a large city makes no longer name with it either ("Indian Kashmir")."""
        out = list(spans)
        starts: list[int] = []
        cut: set[int] = set()  # tokens that end or start a name of such a run
        changed: dict[int, str | None] = {}  # spans to describe again, and containers
        for k in range(len(out) - 1):
            a, b = out[k], out[k + 1]
            if (
                not (a.in_longer_name and b.in_longer_name)
                or text[a.end : b.start] != " "
                or self._plain_word(a.text.lower())
                or self._plain_word(b.text.lower())
            ):
                continue
            if (
                self.gazetteer.is_demonym(a.text)
                and not self.gazetteer.is_demonym(b.text)
                and self._strong_name(b.text)
                # (not a frequent English word: "European Centre for Disease Control")
                and self.gazetteer.word_frequency(fold(b.text))[0] < PEOPLE_PLACE_ZIPF
            ):
                # "Indian Kashmir", "Russian Crimea": a people's name and a place's (the
                # place is read; the people's name stays part of a longer name, as a
                # demonym of a division's name is: "south Sudanese Warab state")
                people = True
                held_by_a = held_by_b = False
            else:
                people = False
                areas_a, areas_b = self._areas(a.text), self._areas(b.text)
                if not (areas_a or areas_b):
                    continue  # "John Smith": neither names a country or a division
                held_by_b = self._holds(areas_b, a.text)
                held_by_a = not held_by_b and self._holds(areas_a, b.text)
                countries = all(
                    any(p.feature_code.startswith("PCL") for p in areas)
                    for areas in (areas_a, areas_b)
                )
                if not (held_by_a or held_by_b or countries or self._siblings(areas_a, areas_b)):
                    continue
            starts = starts or [t.start for t in toks]
            ib = bisect_left(starts, b.start)
            cut.update((ib - 1, ib))  # a's last token, b's first
            if not people:
                changed.setdefault(k, None)
            changed.setdefault(k + 1, None)
            if held_by_b:
                changed[k] = b.text
            if held_by_a:
                changed[k + 1] = a.text
        if not changed:
            return out
        marked = [as_part(t) if n in cut else t for n, t in enumerate(toks)]
        for k, container in changed.items():
            span = out[k]
            i = bisect_left(starts, span.start)
            j = i
            while j < len(marked) and marked[j].end <= span.end:
                j += 1
            lo, hi = max(0, i - 8), min(len(marked), j + 8)
            case = line_case(span.start) is not None
            new = describe(
                text, marked[lo:hi], i - lo, j - lo, plain=self._plain_word, caseless=case
            )
            out[k] = new._replace(next_text=container or new.next_text)
        return out

    @staticmethod
    def _siblings(areas_a: list[Place], areas_b: list[Place]) -> bool:
        """Whether two names both stand for divisions of one country: "Damascus Aleppo"
        in a row of tags (two governorates of Syria, and their cities). A division and a
        town of one country are no pair: "Virginia Alexander" is a person, "Texas Winter
        Garden" a region."""
        divisions_a = {p.country_code for p in areas_a if not p.feature_code.startswith("PCL")}
        return any(
            p.country_code in divisions_a for p in areas_b if not p.feature_code.startswith("PCL")
        )

    def _possessed(self, text: str, span: Span) -> Span:
        """ "Iraq's Hawija", "Ukraine's Kharkiv": a country or a first-level division of
        :data:`_FAMOUS_PLACE` people in the possessive before a name holds it, as in
        "Hawija, Iraq" (its ``next_text``)."""
        for name in _possessor_names(text, span):
            # a country or a large division (not Grenada's parish of Saint Patrick in
            # "St. Patrick's Day")
            if any(
                p.feature_code.startswith("PCL") or p.population >= _FAMOUS_PLACE
                for p in self._areas(name)
            ):
                return span._replace(next_text=name)
        return span

    def _near_city(self, names: list[str], cands: list[Candidate]) -> list[Candidate]:
        """The candidates that may be a part of the first of ``names`` that is a city of
        :data:`_BIG_PLACE` people: "Mogadishu's Lido", "Baghdad's Sadr City", "the Kirovsky
        district of Donetsk". Those farther than :data:`POSSESSED_KM` from the city and
        outside its first-level division are none of it (Lido, Italy; Kirovsky Raion of
        Leningrad oblast); none may be left (a district the gazetteer lacks)."""
        for name in names:
            cities = [
                c.place
                for c in self.gazetteer.lookup(name, loose=False)
                if (c.match in PLAIN_MATCHES or c.match == "alternate")
                and c.place.feature_class == "P"
                and c.place.population >= _BIG_PLACE
            ]
            if cities:
                break
        else:
            return cands
        return [  # near any city of the name ("Cambridge's Chesterton": England's)
            c
            for c in cands
            if any(
                haversine_km(c.place.lat, c.place.lon, city.lat, city.lon) <= POSSESSED_KM
                or (
                    c.place.country_code == city.country_code
                    and c.place.admin1_code == city.admin1_code
                    and city.admin1_code is not None
                )
                for city in cities
            )
        ]

    def _not_outside(
        self, text: str, items: list[tuple[Span, list[Candidate], str]], mentions: list[Mention]
    ) -> list[Mention]:
        """The mentions, but for a place outside the country or division that the text
        says in words holds it ("Balad in Somalia", "Kharkiv's Shevchenkivskyi"), which is
        left unresolved: the place meant is one the gazetteer lacks, not Balad, Iraq. (Not
        after a comma, "Liberia, Sierra Leone and Guinea" being a list, unless the place
        is only a spelling guess: "Kuriga, Kaduna state" is no Khouribga, Morocco; nor,
        after a possessive, a place of a bordering country: "Russia's Sevastopol". A
        possessive after the comma makes an apposition, no list: "Muse, Myanmar's largest
        border crossing" is no Muse of Pennsylvania.)"""
        out = mentions
        for k, ((span, cands, _), m) in enumerate(zip(items, mentions, strict=True)):
            if (
                m.place is None
                or not span.next_text
                or m.kind != "toponym"
                # (a lake, a region may reach across; a second-level division may not)
                or not (m.place.feature_class == "P" or m.place.feature_code in _LOWER_ADMINS)
            ):
                continue
            said = _WITHIN_RE.match(text, span.end)
            possessive = said is None and span.next_text in _possessor_names(text, span)
            # "Muse, Myanmar's largest border crossing": an apposition, no list
            apposed = said is None and text.startswith(
                (f", {span.next_text}'s ", f", {span.next_text}\u2019s "), span.end
            )
            if (
                not possessive
                and not apposed
                and (said is None or not said.group(1).startswith(span.next_text))
                and not (said is None and _guessed(cands, m.place))
                and not (said is None and self._abbreviated(text, span))
            ):
                continue
            holders = self._areas(
                span.next_text, districts=said is not None and _names_district(text, said)
            )
            if not holders or any(_holds_place(h, m.place) for h in holders):
                continue
            if any(
                c.place.feature_class == "L" and c.match in PLAIN_MATCHES
                for c in self.gazetteer.lookup(span.next_text, context_only=True, loose=False)
            ):
                continue  # a region of its name may hold it ("in the Kurdistan region")
            if (
                possessive
                and m.place.feature_class == "P"
                and any(
                    m.place.country_code in self.gazetteer.neighbours(h.country_code or "")
                    for h in holders
                )
            ):
                continue  # (a town, "Russia's Sevastopol"; a division keeps to its country)
            if out is mentions:
                out = list(mentions)
            pick = next(
                (c for c in cands if c.place.geonameid == m.place.geonameid),
                Candidate(m.place, "exact", 1.0),
            )
            out[k] = Mention(
                m.start,
                m.end,
                m.text,
                None,
                m.confidence,
                (replace(pick, score=m.confidence), *m.candidates),
                f"not in {span.next_text}, where the text places it",
                m.kind,
            )
        return out

    def _in_direction(self, text: str, span: Span, cands: list[Candidate]) -> list[Candidate]:
        """The candidates in the part of their country the words before the name say:
        "the southern port of Nikolaev" is Mykolaiv on the Black Sea, not the town of
        that name near Lviv; "the northern city of Mosul", "the eastern Ukrainian town of
        Bakhmut". The part is told from the country's own point; all the candidates when
        none or every one lies there."""
        mo = _DIRECTION_RE.search(text, max(0, span.start - 60), span.start)
        if mo is None:
            return cands
        words = mo.group(1).lower().replace("-", "")
        keep = []
        for c in cands:
            country = self.gazetteer.country(c.place.country_code or "")
            if country is None:
                return cands
            north = c.place.lat > country.lat
            east = c.place.lon > country.lon
            if (
                ("north" in words and not north)
                or ("south" in words and north)
                or ("east" in words and not east)
                or ("west" in words and east)
            ):
                continue
            keep.append(c)
        return keep if keep else cands

    def _within_said(
        self, text: str, items: list[tuple[Span, list[Candidate], str]]
    ) -> list[tuple[Span, list[Candidate], str]]:
        """The place mentions, those followed by "in" and a country or a first-level
        division ("Madaya in Syria", "Balad in southern Somalia") held by it, as "Madaya,
        Syria" says (their ``next_text``). Read once the mentions are known (the words
        make no place of "Hezbollah in Syria"); not for a name that is itself a country
        or a division ("U.S. troops in Iraq")."""
        out = items
        for k, (span, cands, kind) in enumerate(items):
            if span.next_text is not None or text.find(" in ", span.end, span.end + 100) < 0:
                continue  # (looked for first: most spans are not followed by "in")
            mo = _WITHIN_RE.match(text, span.end)
            if mo is None or kind != "toponym" or self._areas(span.text):
                continue
            # A country or division in the possessive holds the place as well: "Palma in
            # Mozambique's Cabo Delgado province", "Balad in Somalia's Hiraan region".
            name = _POSSESSIVE_CUT_RE.split(mo.group(1), maxsplit=1)[0]
            first = name.split(" ")[0]
            codes = ("PCL", "ADM1", "ADM2") if _names_district(text, mo) else ("PCL", "ADM1")
            if self._holders(name, codes):
                holder = name  # "in Syria", "in Saudi Arabia"
            elif first != name and self._holders(first, ("PCL",)):
                holder = first  # "in Iraq Monday"
            else:
                continue
            if out is items:
                out = list(items)
            out[k] = (span._replace(next_text=holder), cands, kind)
        return out

    def _abbreviated(self, text: str, span: Span) -> bool:
        """Whether the name after a span's comma (``next_text``) is a dotted abbreviation
        of a division ("Man.", "Ill.", "Sask."): it names the division holding the place,
        never the next item of a list ("Fire crews in Lynn Lake, Man." is no Lynn of
        Massachusetts; "Kabul, Kandahar" is a list)."""
        name = span.next_text or ""
        at = text.find(name, span.end, span.end + _HOLDER_REACH)
        return (
            bool(name)
            and at >= 0
            and text.startswith(".", at + len(name))
            and any(
                c.match == "abbreviation"
                for c in self.gazetteer.lookup(name + ".", context_only=True, loose=False)
            )
        )

    def _holders(self, name: str, codes: tuple[str, ...]) -> bool:
        """Whether a name, as written (no abbreviation: "Miss"), is that of a country or
        a division of these feature codes."""
        return any(
            c.match not in ("demonym", "abbreviation") and c.place.feature_code.startswith(codes)
            for c in self.gazetteer.lookup(name, loose=False)
        )

    def _areas(self, name: str, *, districts: bool = False) -> list[Place]:
        """The countries and first-level divisions a name stands for (and second-level
        ones with ``districts``: "Mundakkai in Wayanad district")."""
        codes = ("ADM1", "ADM2") if districts else ("ADM1",)
        return [
            c.place
            for c in self.gazetteer.lookup(name, context_only=True, loose=False)
            if c.match != "demonym"
            and (c.place.feature_code.startswith("PCL") or c.place.feature_code in codes)
        ]

    def _holds(self, areas: list[Place], inner: str) -> bool:
        """Whether one of ``areas`` holds a town named ``inner`` (of :data:`_TOWN`
        people or more: "George Washington" is no village of George in Washington)."""
        if not areas:
            return False
        return any(
            area.country_code == c.place.country_code
            and (area.feature_code != "ADM1" or area.admin1_code == c.place.admin1_code)
            and c.place.geonameid != area.geonameid
            and c.place.population >= _TOWN
            for c in self.gazetteer.lookup(inner, loose=False)
            if c.match != "demonym"
            for area in areas
        )

    def _with_entities(
        self, nlp: EntityPipeline, text: str, toks: list[Token], spans: list[Span]
    ) -> list[Span]:
        """The spotted spans plus the NER pipeline's place entities that overlap none."""
        spotted = _Overlaps((sp.start, sp.end) for sp in spans)
        extra = [
            describe_span(text, s, e, toks)
            for s, e in place_entities(nlp, text, self.ner_labels)
            if not spotted(s, e)
        ]
        if not extra:
            return spans
        return sorted(spans + extra, key=lambda sp: (sp.start, sp.end))

    # -- recognition decisions -------------------------------------------------
    def _candidates(
        self,
        span: Span,
        *,
        acronym: bool = True,
        adjective: bool = False,
        given: bool = False,
        text: str = "",
    ) -> tuple[list[Candidate], str]:
        """The candidates of a span and its kind. ``acronym=False`` says a short word
        in capitals is no acronym: its line is all in capitals ("NEAR BASHIQA");
        ``adjective`` that a word of a noun phrase follows ("Saudi officials");
        ``given`` that someone gave the span as a place name."""
        # "Ill." or "CA" names a state only right after a place: "Springfield, Ill.";
        # dotted capitals do anywhere ("in S.C."), except after a number ("500 B.C.").
        dotted = _DOTTED_ABBREVIATION_RE.fullmatch(span.text) is not None and not (
            span.prev_word[:1].isdigit()
        )
        cands = self.gazetteer.lookup(span.text, context_only=span.after_comma_name or dotted)
        if acronym and span.all_caps and len(span.text) <= ACRONYM_CHARS and not span.dateline:
            # Acronyms are places only as known abbreviations ("US", "UAE", "DRC"), or, with
            # dots, as a large city's ("L.A.": Los Angeles, not Louisiana's postal "LA").
            cands = [
                c
                for c in cands
                if c.match in ("abbreviation", "exact")
                or c.place.feature_code.startswith("PCL")
                or (
                    dotted
                    and c.match == "alternate"
                    and c.place.feature_class == "P"
                    and c.place.population >= _FAMOUS_PLACE
                )
                # A span given as a place name is no acronym unless it is as short as
                # one: "XENIA", "CAIRO" in a headline, a table's "OMAHA" (not "AK", nor
                # a spelling guess for "UCLA").
                or (
                    given
                    and len(span.text) > GIVEN_ACRONYM_CHARS
                    and c.match in ("folded", "alternate")
                )
            ]
        # An abbreviation counts only as written ("CAR", "Calif."; not "Car"), or right
        # after a place and a comma ("Springfield, Ill").
        if not (_as_written(span.text) or span.after_comma_name) and any(
            c.match == "abbreviation" for c in cands
        ):
            cands = [c for c in cands if c.match != "abbreviation"]
        elif (
            span.after_comma_name
            and span.text.endswith(".")
            and any(c.match == "abbreviation" for c in cands)
        ):
            # A dotted abbreviation after a place and its comma is the division holding it,
            # whatever else its letters spell: "Flin Flon, Man." was Amman (GeoNames also
            # calls it Man).
            cands = [c for c in cands if c.match == "abbreviation"]
        # A country's short name used as an adjective is its demonym: "Saudi-led",
        # "Saudi officials" ("Saudi" is also one of Saudi Arabia's names).
        if (
            adjective
            and not span.locative_cue
            and any(c.match == "alternate" and c.place.feature_code == "PCLI" for c in cands)
            and self.gazetteer.is_demonym(span.text)
        ):
            cands = [
                Candidate(c.place, "demonym", c.similarity)
                if c.match == "alternate" and c.place.feature_code == "PCLI"
                else c
                for c in cands
            ]
        # A demonym is one whatever small place shares its spelling ("Spanish", "English"),
        # unless the text marks a place ("in English, Indiana", "the Somali region"); a
        # word of a noun phrase after it makes it one after "in" too ("homes in Thai
        # villages": no Alor Setar, which GeoNames also calls Thai).
        demonyms = [c for c in cands if c.match == "demonym"]
        demonym = len(demonyms) == len(cands) or (
            demonyms
            and (
                not (span.type_cue or span.locative_cue or span.next_text)
                or span.next_word == "capital"  # "the Somali capital": Somalia's
                or (adjective and not (span.type_cue or span.next_text))
                # (a plural type word makes an adjective of it: "eight southern Thai
                # provinces", not "the Somali region")
                or (span.next_word in PLURAL_TYPE_WORDS and not span.next_text)
            )
        )
        cands = _plausible(span, cands)
        kind = "demonym" if cands and demonym else "toponym"
        if kind == "demonym":
            cands = demonyms
        else:
            cands = [c for c in cands if c.match != "demonym"]
            if span.type_cue == "water":
                cands = cands + self._named_as_water(span, cands)
                if (
                    span.next_word in WATER_CUES
                    and _BARE_WORD_AFTER_RE.match(text, span.end) is not None
                    and not any(c.place.feature_class == "H" for c in cands)
                ):
                    # "the Sava river", "the Gumti river": the water the gazetteer lacks,
                    # not a division of its name (the Sava region of Madagascar); a town
                    # of its name stays, often on its banks ("the Tarma river")
                    cands = [c for c in cands if c.place.feature_class != "A"]
            cands = _of_the_type_after(span, cands, text)
            if span.type_cue == "admin":
                cands = cands + self._named_with_cue(span, cands)
                cands = cands + self._divisions_named_after(cands)
                if not any(c.place.feature_class == "A" for c in cands):
                    # The cue asks for a division and the name matched none: one
                    # spelled a letter differently is a candidate too.
                    have = {c.place.geonameid for c in cands}
                    cands = cands + [
                        c
                        for c in self.gazetteer.near_spellings(span.text)
                        if c.place.feature_class == "A" and c.place.geonameid not in have
                    ]
        return cands, kind

    def _inner_candidates(self, span: Span) -> list[Candidate]:
        """For a given span the gazetteer does not know, the candidates of the place
        name it is made of: a known name followed by ordinary words ("Dubai World Cup",
        "Oakport Township", "Kanawha River"), or after a direction ("West Midlands",
        "Western Kasai"). A name followed by another name ("Cherry Hinton") has none."""
        words = span.text.split()
        if len(words) < 2:
            return []
        if words[0].lower() in DIRECTIONS:
            if len(words) - 1 > MAX_NAME_WORDS:
                return []
            inner = " ".join(words[1:])
            return self.gazetteer.lookup(inner, fuzzy=False) if inner[:1].isupper() else []
        # (The names tried are at most MAX_NAME_WORDS long: every start of a table cell
        # of 80,000 characters took 35 s and 1.1 GB.)
        for k in range(min(len(words) - 1, MAX_NAME_WORDS), 0, -1):
            head = " ".join(words[:k])
            if self._known_name(head) and all(self._plain_word(fold(w)) for w in words[k:]):
                return [c for c in self.gazetteer.lookup(head, fuzzy=False) if c.match != "demonym"]
        return []

    def _named_as_water(self, span: Span, cands: list[Candidate]) -> list[Candidate]:
        """For "the Ohio river", "the Ohio and Mississippi rivers", "the Suez canal": the
        water bodies named by the span with the type word ("Ohio River"), which the
        span alone does not name (it names a state)."""
        word = span.next_word.removesuffix("s") if span.next_word in WATER_CUES else "river"
        have = {c.place.geonameid for c in cands}
        found = self.gazetteer.lookup(f"{span.text} {word}", fuzzy=False, loose=False)
        if word == "lake":
            found = found + self.gazetteer.lookup(f"Lake {span.text}", fuzzy=False, loose=False)
        return [c for c in found if c.place.feature_class == "H" and c.place.geonameid not in have]

    def _named_with_cue(self, span: Span, cands: list[Candidate]) -> list[Candidate]:
        """For "Kurdistan region", "Amhara region": the places named by the span with the
        type word after it, which may differ from those of the span alone (Iraqi
        Kurdistan is known as "Kurdistan Region", Iran's Kordestan as "Kurdistan")."""
        if span.next_word not in ADMIN_CUES or span.next_word.endswith("s"):
            return []
        have = {c.place.geonameid for c in cands}
        named = self.gazetteer.lookup(f"{span.text} {span.next_word}", fuzzy=False, loose=False)
        return [
            c
            for c in named
            if c.match in ("exact", "folded", "alternate") and c.place.geonameid not in have
        ]

    def _divisions_named_after(self, cands: list[Candidate]) -> list[Candidate]:
        """For "Kharkov region", "Belgorod region": the first-level divisions named
        after a town the name matched.

        The gazetteer knows the town by its Russian spelling but the division only by
        its own ("Kharkivska oblast", "Belgorodskaya Oblast'"); a division holding the
        town whose name starts like the town's is a candidate too, and the context
        decides between it and any other division of that name."""
        have = {c.place.geonameid for c in cands}
        towns = sorted(
            (c for c in cands if c.place.feature_class == "P" and c.place.admin1_code),
            key=lambda c: -c.place.population,
        )[:3]
        out: list[Candidate] = []
        for c in towns:
            div = self.gazetteer.admin1(c.place.country_code or "", c.place.admin1_code or "")
            if div is None or div.geonameid in have:
                continue
            town, name = fold(c.place.name), fold(div.name)
            stem = min(len(town) - 1, DIVISION_STEM)  # "Odesa", "Odeska oblast"
            if len(town) >= 4 and town[:stem] == name[:stem] and _named_after(town, name):
                out.append(Candidate(div, c.match, c.similarity))
                have.add(div.geonameid)
        return out

    def _is_place_mention(
        self, span: Span, cands: list[Candidate], kind: str, text: str = ""
    ) -> bool:
        cued = _cued(span)
        if span.dateline and cands:
            return True  # "BEIRUT (Reuters) -": the report's own place
        if not cands:
            # An unknown name the text marks as a place is kept, unresolved.
            return (
                span.type_cue is not None and not span.in_longer_name and not span.sentence_initial
            )
        if kind == "demonym":
            return not (span.in_longer_name and span.type_cue is None)
        if _inside_a_name(span):
            return False
        if (
            span.in_longer_name
            and span.type_cue
            and not span.dateline
            and not any(c.match in PLAIN_MATCHES and c.place.population > 0 for c in cands)
        ):
            # A word of a longer name the gazetteer lacks, matched only by another name or
            # by a place of no people: the type word is the longer name's ("the Hari Rud
            # river" is no Khvaf, Iran; "Bastem Utara district" no hamlet of Java)
            return False
        if (
            span.prev_word == "the"
            and _FAMILY_RE.fullmatch(span.text)
            and not any(_town_or_more(c.place) for c in cands)
        ):
            return False  # "the Assads have ruled" (a village in Morocco): a family
        strong_place = any(c.place.feature_code in _STRONG_CODES for c in cands)
        # (a group of countries speaks and acts as a country does: "the Baltic states met")
        states = span.text.rpartition(" ")[2] in GROUP_TAILS
        if span.next_word in SPEECH_VERBS and not (
            _speaks(cands) or states or span.locative_cue or _speakers_place(text, span)
        ):
            return False  # "Brown said": a person (a country may speak; "in Homs said")
        if span.next_word in _PERSON_VERBS and not (
            _strong(cands) or states or span.locative_cue or _speakers_place(text, span)
        ):
            return False  # "France's Macron met": a person ("Kharkiv vows": a city)
        if (
            span.next_word in _GUESS_PERSON_VERBS
            and not (span.locative_cue or span.type_cue)
            and all(c.match in SPELLING_GUESSES for c in cands)
        ):
            # A name only spelled like a place, before what people do in headlines:
            # "France's Macron names Barnier" (Macornay), "Japan's Kishida won't run"
            return False
        if span.next_word == "administration" and not strong_place:
            return False  # "the Bush administration": a president's (a town has none)
        if (
            span.next_word in _UNIT_WORDS
            and not span.locative_cue
            and not any(
                c.match in PLAIN_MATCHES
                and c.place.feature_class == "P"
                and c.place.population >= _BIG_PLACE
                for c in cands
            )
        ):
            # "Azov battalion veterans": a unit's name; a city's militia is the city's
            # ("Benghazi militia clashes", "rival Tripoli militias")
            return False
        if (
            span.next_word in _MEMBER_WORDS
            and not span.locative_cue
            and not any(_town_or_more(c.place) for c in cands)
        ):
            return False  # "Al-Shabaab fighters" (a hamlet "Shabab" in Iran): a group's
        if (
            span.next_word in _WEAPON_WORDS
            and text.startswith(" ", span.end)  # (not "...and Nahariya. Rockets reached")
            and not span.locative_cue
            and not _strong(cands)
        ):
            # "Tomahawk missiles", "Shahed drones", "Leopard tanks": a weapon's name, not a
            # town's ("Kharkiv missile strike", "Gaza rockets" name the cities)
            return False
        if (
            span.next_word in _GROUP_WORDS
            and not span.locative_cue
            and not any(
                c.match in ("exact", "folded") and _town_or_more(c.place, _BIG_PLACE)
                for c in cands
            )
        ):
            return False  # "the Vostok group", "Al-Masirah TV" ("the Cambridge group" stays)
        if text.startswith("-class", span.end):
            return False  # "Virginia-class submarines", "Kilo-class": a class of ships
        if text.startswith("$", span.end):
            return False  # "HK$296", "NT$1 billion", "C$": a currency's sign
        if span.prev_word in _STORM_JOINS and _STORM_RE.search(
            text, max(0, span.start - 60), span.start
        ):
            return False  # "Hurricanes Eta and Iota": a storm's name (no Iota, Louisiana)
        if not _name_shaped(span.text) and not any(
            c.match in ("exact", "abbreviation") for c in cands
        ):
            # "MoD", "iPhone": capitals inside a word mark no place name (a state's dotted
            # abbreviation after a town does: "Wheeling, W.Va.")
            return False
        if (
            span.prev_word == "of"
            and span.prev_word2 in INSTITUTION_HEADS
            and not strong_place
            and not _lower_head(text, span)
        ):
            return False  # "Department of Agriculture", "University of Reading"
        if not any(c.match not in ("transliteration", "fuzzy") for c in cands):
            # Only a loose match: the word must not start a sentence or be an English
            # word at all, and must match closely unless the text says it is a place.
            zipf = self.gazetteer.word_frequency(fold(span.text))[0]
            if span.sentence_initial or zipf >= LOOSE_WORD_ZIPF:
                return False
            if not cued and all(c.place.population == 0 for c in cands):
                return False  # a hamlet of none ("Annika", "Hannivka") needs the text's word
            return cued or max(c.similarity for c in cands) >= LOOSE_UNCUED_SIMILARITY
        if self._common_word(span):
            # An ordinary word ("Most", "Lane", "Reading") names a place only when the
            # text says so or it is the name of a country, a state or a large city.
            if cued:
                return True
            # Alternate names count for seas and regions ("Mediterranean"), not for
            # towns that merely list a word among their names ("No", "Man"); a name no
            # dictionary lists in lower case is an exonym, frequent as a name ("Kiev"
            # opening a headline).
            word, initial = _after_the(span)
            zipf, in_dictionary = self.gazetteer.word_frequency(fold(word))
            exact = [
                c
                for c in cands
                if c.match in ("exact", "folded", "abbreviation")
                or (
                    c.match == "alternate"
                    and (_curated_area(c.place) or not (in_dictionary or _rare_alternate(c)))
                )
            ]
            if initial or zipf >= COMMON_WORD_ZIPF:
                # The commoner the word, the larger the city: "Man" (Man, Côte d'Ivoire,
                # 190,000 people) opens many a headline ("Man booked for assault").
                big = _FAMOUS_PLACE if zipf >= VERY_COMMON_WORD_ZIPF else _BIG_PLACE
                return any(
                    c.place.feature_code in _STRONG_CODES
                    or (c.place.feature_class == "P" and c.place.population >= big)
                    for c in exact
                )
            # A rarer dictionary word ("Artillery", "Palmyra" is none) needs a town, or
            # one of the seas, rivers and regions placemap curates: GeoNames' full data
            # has thousands of streams and hills named "Torch" or "Bar".
            return any(
                c.place.population >= _TOWN
                or _curated_area(c.place)
                or c.place.feature_code in _STRONG_CODES
                for c in exact
            )
        if self._better_known_as_a_word(span, cands) and not (
            span.type_cue
            or span.next_text
            or span.dateline
            or (span.locative_cue and span.prev_word not in _WEAK_LOCATIVES)
        ):
            return False  # "in Ferguson" says a place; "loyal to Hadi" does not
        return True

    def _better_known_as_a_word(self, span: Span, cands: list[Candidate]) -> bool:
        """Whether a one-word name is more frequent in English than the places it names
        can account for: "Arab" (Arab, Alabama, 8,000 people), "Obama" (a Japanese town
        of 29,000), "Putin" (a Ukrainian village of 500), "Sasha" (a hamlet of none). A
        name is a place when its English frequency (Zipf) is below the decimal logarithm
        of its largest place's population minus :data:`FAME_MARGIN`: the same rule for a
        town of 50,000 as for a hamlet of 0. Countries, first-level divisions, capitals
        and the curated seas, rivers and regions count as known whatever their size."""
        if " " in span.text:
            return False
        zipf, in_dictionary = self.gazetteer.word_frequency(fold(span.text))
        if in_dictionary or zipf < FAME_MIN_ZIPF:
            return False
        named = [c for c in cands if c.match not in ("transliteration", "fuzzy")]
        if not named:
            return False
        if any(c.place.feature_code in _STRONG_CODES or _curated_area(c.place) for c in named):
            return False
        # An alternate name few languages give a place (Hamm's "Hamas") accounts for less
        # of a word's use than its own name or a common exonym ("Kiev", 22 languages).
        known_as = max(
            math.log10(max(c.place.population, 1))
            - (RARE_ALTERNATE_DISCOUNT if _rare_alternate(c) else 0.0)
            for c in named
        )
        return zipf >= known_as - FAME_MARGIN

    def _known_name(self, name: str) -> bool:
        """Whether the gazetteer has a place of this name as written (any spelling that
        folds to its key; cached, as recognition asks it of ~80 runs a report)."""
        return self.gazetteer.has_name(fold(name))

    def _compound(self, name: str) -> bool:
        """Whether a hyphenated name the gazetteer does not know is a compound of names
        ("Syria-Turkey border", "Russia-NATO talks", "Iraq-Syria"): one of its parts is a
        country, a first-level division, a capital or a large city, or a demonym. Names of
        firms and people ("Mercedes-Benz", "Jean-Claude") stay whole, and so do names
        joined by a lower-case word ("Qala-e-Bakhtiar": names are not listed so)."""
        if self._known_name(name):
            return False
        parts = name.split("-")
        if any(p.islower() for p in parts[1:-1]):
            return False
        return any(self._strong_name(p) for p in parts if p[:1].isupper() and len(p) > 1)

    def _strong_name(self, name: str) -> bool:
        """A name that stands for a country, a first-level division, a capital or a
        large city (or is a demonym), matched by name or as written abbreviation."""
        return any(
            c.match in ("exact", "folded", "alternate", "demonym")
            or (c.match == "abbreviation" and _as_written(name))
            for c in self.gazetteer.lookup(name, loose=False)
            if c.match == "demonym"
            or c.place.feature_code in _STRONG_CODES
            or (c.place.feature_class == "P" and c.place.population >= _BIG_PLACE)
        )

    def _famous(self, name: str) -> bool:
        """A name of a country, a capital or a city of half a million or more."""
        return any(
            c.place.feature_code in _SPEAKING_CODES or c.place.population >= _FAMOUS_PLACE
            for c in self.gazetteer.lookup(name, loose=False)
            if c.match in ("exact", "folded", "alternate")
        )

    def _spelling(self, run: str) -> bool:
        """Whether a run of words the gazetteer has no exact name for is a close
        transliteration of one ("Deir Ezzor" for Deir ez-Zor). The run must end in a
        word of three letters or more that is rare in English, and hold no short
        capitals: "US Centers", "Terry A", "AC Milan" are no spellings of places."""
        words = run.replace("-", " ").split()
        last = fold(words[-1])
        if (
            len(last) < 3
            or self.gazetteer.word_frequency(last)[0] >= SPELLING_LAST_WORD_ZIPF
            or any(w.isupper() and len(w.strip(".")) <= 3 for w in words)
        ):
            return False
        return any(
            c.match == "transliteration" and c.similarity >= LOOSE_UNCUED_SIMILARITY
            for c in self.gazetteer.lookup(run, fuzzy=False)
        )

    def _loose_only_word(self, span: Span) -> bool:
        """A word the gazetteer has no name for that :meth:`_is_place_mention` would
        reject whatever loose match it found (it starts a sentence, or it is an English
        word and no type word follows): skip the costly transliteration and fuzzy
        look-ups for it."""
        if span.dateline or self._known_name(span.text):
            return False
        return self._hopeless_word(span.text, span.sentence_initial, lambda: span.type_cue)

    def _hopeless_word(
        self, word: str, sentence_initial: bool, type_cue: Callable[[], str | None]
    ) -> bool:
        """Whether a word the gazetteer has no name for (in no dateline) can be no place
        whatever loose match it found (see :meth:`_loose_only_word`); ``type_cue()`` gives
        its type cue (asked last: finding it costs more than the rest)."""
        return sentence_initial or (
            self.gazetteer.word_frequency(fold(word))[0] >= LOOSE_WORD_ZIPF and type_cue() is None
        )

    def _plain_word(self, word: str) -> bool:
        """An ordinary English word, or an inflection of one ("clashes", "killed",
        "negotiating"): capitalised in a headline, it is no part of a name."""
        zipf, in_dictionary = self.gazetteer.word_frequency(word)
        if zipf < DICTIONARY_WORD_ZIPF:
            return False
        if in_dictionary:
            return True
        for suffix in ("s", "es", "d", "ed", "ing"):
            if word.endswith(suffix) and len(word) > len(suffix) + 2:
                stem = word[: -len(suffix)]
                if any(self.gazetteer.word_frequency(w)[1] for w in (stem, stem + "e")):
                    return True
        return False

    def _ordinary_word(self, word: str) -> bool:
        zipf, in_dictionary = self.gazetteer.word_frequency(word)
        return in_dictionary and zipf >= COMMON_WORD_ZIPF

    def _common_word(self, span: Span) -> bool:
        """An ordinary English word, as this span uses it ("Reading", "Following").

        Mid-sentence a capitalised word is usually a name, so only frequent
        dictionary words count; at a sentence start any frequent word does.
        """
        word, initial = _after_the(span)
        if " " in word:
            return False
        zipf, in_dictionary = self.gazetteer.word_frequency(fold(word))
        if initial:
            return zipf >= SENTENCE_START_ZIPF
        return in_dictionary and zipf >= DICTIONARY_WORD_ZIPF

    @staticmethod
    def _home_countries(items: list[tuple[Span, list[Candidate], str]]) -> set[str | None]:
        """The countries of the capitals the report names by their own names, and of its
        datelines, where the name has no namesake abroad ("MOGADISHU", "Kabul")."""
        home: set[str | None] = set()
        for span, cands, _kind in items:
            plain = [c for c in cands if c.match in PLAIN_MATCHES]
            countries = {c.place.country_code for c in plain}
            if len(countries) == 1 and (
                span.dateline or any(c.place.feature_code == "PPLC" for c in plain)
            ):
                home |= countries
        return home

    def _drop_weak(
        self, items: list[tuple[Span, list[Candidate], str]], text: str
    ) -> list[tuple[Span, list[Candidate], str]]:
        """Loose matches keep only candidates in the countries the report names outright,
        and so do names matched only as another name of a place (an alternate name) unless
        the place is well known (:func:`_well_known`).

        A transliteration or fuzzy key joins many unrelated names world-wide; in a
        report that names its countries, only candidates there (or, matching closely,
        in a country bordering them) are plausible. An
        uncued loose match in a report naming no country is dropped. A country named
        only as a modifier ("US-backed rebels", "Iran-allied") is a mention but says
        nothing of where the report's places lie, and a people's armed forces ("Israeli
        jets") say whose forces act: there guesses in their country stay, and guesses
        of a city of 100,000 anywhere ("Hodeidah"). Another name of a place, or a
        spelling guess, in the country of a capital or dateline the report names stays
        (:meth:`_home_countries`: "strike Houthi targets in Sanaa and Hodeidah"); so does
        another name of a place in the country of a people's forces ("Iraqi forces ...
        near Fallujah").
        """
        named: set[str | None] = set()
        armed: set[str | None] = set()  # whose armed forces it names: "Israeli jets"
        for span, cands, kind in items:
            if _MODIFIER_RE.match(text, span.end):
                continue
            for c in cands:
                if (
                    c.match not in ("transliteration", "fuzzy")
                    and (kind == "demonym" or c.place.feature_code.startswith("PCL"))
                    # (a people of no country, "Kurdish": Kurdistan, names none)
                    and c.place.country_code
                ):
                    if kind == "demonym" and span.next_word in ARMED_WORDS:
                        # whose forces act, not where: "Israeli jets struck Hodeidah"
                        # is in Yemen, which the report need not name
                        armed.add(c.place.country_code)
                    else:
                        named.add(c.place.country_code)
        # Near-exact spellings may lie across a border: "Qamishli" (Syria) in a report
        # naming only Turkey.
        bordering = {n for cc in named if cc for n in self.gazetteer.neighbours(cc)}
        # Another name of a place in the country of the report's capital or dateline
        # stays: "Afgoye" (Afgooye) after "MOGADISHU (Reuters) -" in a report that also
        # names Iran and Turkey.
        home = self._home_countries(items)
        home_or_armed = home | armed
        out = []
        for span, cands, kind in items:
            if (
                named
                and cands
                and all(c.match in ("alternate", "transliteration", "fuzzy") for c in cands)
                and not any(
                    c.place.country_code in named
                    or c.place.country_code in bordering
                    or (c.match == "alternate" and c.place.country_code in home_or_armed)
                    for c in cands
                )
            ):
                # Only other names (another language's, a spelling guess) of places
                # outside the countries the report names and their neighbours: in a
                # report on Mali "Boni" is no Bonn, in one on Gaza "Hamas" no Hamm.
                # An exonym of a capital, a city of half a million or a region stays.
                # A word of the text that marks a place ("near Boni") keeps it, unresolved.
                # A spelling guess in the country of a capital the report names, or of a
                # people's forces, stays too (weighed below as any guess).
                cands = [
                    c
                    for c in cands
                    if (c.match == "alternate" and (_well_known(c) or _own_name_spelled(span, c)))
                    or (c.match in SPELLING_GUESSES and c.place.country_code in home_or_armed)
                ]
                if not cands and not _cued(span):
                    continue
            if cands and all(c.match in SPELLING_GUESSES for c in cands):
                cued = _cued(span)
                if not cued:
                    cands = [c for c in cands if c.similarity >= LOOSE_UNCUED_SIMILARITY]
                if named or armed:
                    # (where only forces name a country, guesses stay there and in the
                    # countries the text names, and any city of 100,000 spelled as closely
                    # as a guess across a border must be: "Israeli jets struck Hodeidah"
                    # is Al Hudaydah, Yemen, but "Israeli troops near Khiam" is no Hamm)
                    cands = [
                        c
                        for c in cands
                        if c.place.country_code in named
                        or c.place.country_code in armed
                        or c.place.country_code in home
                        or (
                            c.place.country_code in bordering
                            and c.similarity >= BORDERING_LOOSE_SIMILARITY
                        )
                        or (
                            armed - named
                            and c.place.population >= _BIG_PLACE
                            and c.similarity >= BORDERING_LOOSE_SIMILARITY
                        )
                    ]
                elif not cued:
                    cands = []
                if not cands and span.type_cue is None:
                    continue
            out.append((span, cands, kind))
        return out


# What follows a dateline's city: its agency, region or date, or the dash.
_DATELINE_MARK_RE = re.compile(r"\s*[(,/\-\u2013\u2014]")

# A word after a name that ends the name's run: "the Sava river", "the Sava River." (not
# "California Bay Area", where the word belongs to a longer name).
_BARE_WORD_AFTER_RE = re.compile(r" \w+\b(?! [A-Z])")

#: How far from a city a place its possessive names may lie ("Mogadishu's Lido").
POSSESSED_KM = 100.0

#: A place name after a people's name is read apart from it ("Indian Kashmir") when it is
#: rarer as an English word than this Zipf frequency ("Iraq" 4.43, "Georgia" 4.46; not
#: "Centre" 4.95 in "European Centre", "Union" 5.08).
PEOPLE_PLACE_ZIPF = 4.5

#: The :class:`Geoparser` methods whose answers are kept, by name or word, for the
#: :data:`NAME_CACHE_SIZE` names met last (a few MB each at most: the runs of capitalised
#: words of LGL's 588 reports are 22,535 distinct ones).
_NAME_QUESTIONS = (
    "_known_name",
    "_strong_name",
    "_famous",
    "_spelling",
    "_plain_word",
    "_ordinary_word",
    "_compound",
)
NAME_CACHE_SIZE = 50_000

#: Texts longer than this are read in windows of about this many characters: the
#: word tokens of a 100 MB text would take gigabytes.
WINDOW_CHARS = 200_000
#: A text naming more places than this is refused: while the report's names are weighed
#: against each other a mention takes 0.8 KB ("Paris." repeated) to 3 KB (a list of
#: names each followed by another, "Homs, Hama, Idlib, ..."): at most about 3 GB.
MAX_MENTIONS = 1_000_000


def _windows(
    text: str,
    avoid: Sequence[tuple[int, int]] = (),
    splits: Callable[[str], bool] | None = None,
) -> Iterator[tuple[int, str, list[Token]]]:
    """(offset, part, tokens of part) for the windows of ``text``: the whole text when it
    is short, else parts of about :data:`WINDOW_CHARS` cut at a line break where there is
    one in the window's second half (else at a space), never inside an ``avoid`` span."""
    if len(text) <= WINDOW_CHARS:
        yield 0, text, tokenize(text, splits)
        return
    overlaps = _Overlaps(avoid)
    pos = 0
    while pos < len(text):
        cut = pos + WINDOW_CHARS
        if cut < len(text):
            half = pos + WINDOW_CHARS // 2
            nl = text.rfind("\n", half, cut)
            cut = nl + 1 if nl >= 0 else max(text.rfind(" ", half, cut) + 1, half)
            cut = overlaps.end_of_span_at(cut)
        cut = min(cut, len(text))
        part = text[pos:cut]
        yield pos, part, tokenize(part, splits)
        pos = cut


def _stories(
    text: str, items: list[tuple[Span, list[Candidate], str]]
) -> list[list[int]] | None:
    """The items (their indices, in order) of each part of ``text`` resolved apart, or
    None when the text is one story. Where the reporters were is no context for the
    places the report is about, nor the other way round: a byline's Texas made "Odesa"
    in a report on Ukraine Odessa, Texas. Nor is one headline of a wire digest context
    for another: a Texas in one line made Paris in the next Paris, Texas."""
    lines = headline_lines(text)
    if lines:
        starts = [a for a, _b in lines]
        parts = [bisect_right(starts, it[0].start) for it in items]
    else:
        inside = _Overlaps(credit_lines(text))  # (not mentions x credit lines)
        parts = [inside(it[0].start, it[0].start + 1) for it in items]
    if len(set(parts)) <= 1:
        return None
    stories: dict[object, list[int]] = {}
    for k, part in enumerate(parts):
        stories.setdefault(part, []).append(k)
    return list(stories.values())


def _with_eponyms(
    text: str, items: list[tuple[Span, list[Candidate], str]]
) -> list[tuple[Span, list[Candidate], str]]:
    """The items, those naming a place a disease or a strain is named after marked
    (:attr:`Span.eponym`): "the Marburg virus", "the Zaire, Bundibugyo and Sudan strains"."""
    out = items
    for k, (span, cands, kind) in enumerate(items):
        if _EPONYM_RE.match(text, span.end) is not None:
            if out is items:
                out = list(items)
            out[k] = (span._replace(eponym=True), cands, kind)
    return out


# The words after a place's name that name a disease or a strain after it, after the
# other names of a list it ends ("the Zaire, Bundibugyo, Côte d'Ivoire and Sudan strains").
_LIST_NAME = r"[A-Z][\w'\u2019\-]*(?: (?:[A-Z]|d['\u2019])[\w'\u2019\-]*){0,2}"
_EPONYM_RE = re.compile(
    rf"(?:(?:,|,? and|,? or) {_LIST_NAME}){{0,6}} (?:virus|viruses|ebolavirus|ebolaviruses"
    r"|strain|strains|fever|disease|flu|influenza|variant|variants|haemorrhagic"
    r"|hemorrhagic)\b"
)


def _after_the(span: Span) -> tuple[str, bool]:
    """A span's name without a leading "The" ("The Bank", one of Portsmouth's names, is
    the word "bank"; "The Hague" is "Hague"), and whether that word opens its sentence
    (after "The" it does not: its capital is the name's)."""
    if span.text.startswith("The ") and " " not in span.text[4:]:
        return span.text[4:], False
    return span.text, span.sentence_initial


def _off_the_menu(
    items: list[tuple[Span, list[Candidate], str]], text: str
) -> list[tuple[Span, list[Candidate], str]]:
    """The items outside the site's menu and breadcrumb lines at the top of a scraped
    text ("Home | World | Middle East | Sport" names no place of the report) and outside
    its lists of links to other stories ("Related stories"), and the reporters' names of
    its bylines ("By Amira Hassan and Tom Jordan")."""
    menus = menu_lines(text) + link_lists(text) + byline_names(text)
    if not menus:
        return items
    inside = _Overlaps(menus)  # (a text of many bylines took mentions x bylines)
    return [it for it in items if not inside(it[0].start, it[0].start + 1)]


def _possessor_names(text: str, span: Span) -> list[str]:
    """The names the possessive right before a span may be, longest first: "Saudi Arabia"
    and "Arabia" in "Saudi Arabia's Jeddah", "In Iraq" and "Iraq" in "In Iraq's Hawija";
    none without one."""
    if not text.endswith(_POSSESSIVE_ENDS, 0, span.start):
        return []  # (looked for first: most spans follow no possessive)
    mo = _POSSESSOR_RE.search(text, max(0, span.start - 40), span.start)
    if mo is None:
        return []
    last = mo.group(2)
    return [f"{mo.group(1)} {last}", last] if mo.group(1) else [last]


def _whole_city_names(text: str, span: Span) -> list[str]:
    """The name of the city a span is a part of, by the words after it ("the Kirovsky
    district of Donetsk", "the Shejaiya neighbourhood of Gaza City"); none without them."""
    mo = _PART_OF_RE.match(text, span.end)
    return [mo.group(1)] if mo else []


def _guessed(cands: list[Candidate], place: Place) -> bool:
    """Whether ``place`` is among the candidates only as a spelling guess."""
    pid = place.geonameid
    return all(c.match in ("transliteration", "fuzzy") for c in cands if c.place.geonameid == pid)


def _names_district(text: str, mo: re.Match[str]) -> bool:
    """Whether the holder :data:`_WITHIN_RE` found is called a district or a county in
    so many words ("in Wayanad district", "in Sangamon County"; "in Sydney" is the
    city, not its council's area)."""
    name = mo.group(1)
    return name.endswith((" County", " District")) or text.startswith(
        (" district", " county"), mo.end(1)
    )


def _holds_place(area: Place, place: Place) -> bool:
    """Whether a country, a first- or a second-level division holds a place (or is it)."""
    if area.geonameid == place.geonameid:
        return True
    if area.country_code != place.country_code:
        return False
    if area.feature_code == "ADM2":
        return area.admin1_code == place.admin1_code and area.admin2_code == place.admin2_code
    return area.feature_code.startswith("PCL") or area.admin1_code == place.admin1_code


# Reasons of a mention's own evidence, which a name qualified elsewhere does not
# override: "Hollywood is a city in Broward County, Florida" after a hatnote's
# "Hollywood, Los Angeles, CA".
_OWN_EVIDENCE = ("admin context", "containment", "type cue")


def _as_qualified(
    items: list[tuple[Span, list[Candidate], str]], mentions: list[Mention]
) -> list[Mention]:
    """The mentions, a name that the text introduces qualified ("CAIRO, Ill." or "the
    mayor of Cairo, Illinois" first, resolved by that containment) standing for that
    place in its later mentions too, unless a mention's own words place it (a division
    named that holds it, a type word). Only a first mention counts: an article about
    Auburn, New Hampshire, that names "Auburn, New York" later for its name's origin is
    still about its own Auburn (WikToR 0.7246 -> 0.6939 when any mention counted). A
    name qualified two ways ("Paris, Texas" and "Paris, France") is left as it is."""
    qualified: dict[str, dict[int, tuple[Mention, str]]] = {}
    first: dict[str, int] = {}
    for (span, _cands, kind), m in sorted(
        zip(items, mentions, strict=True), key=lambda pair: pair[1].start
    ):
        if first.setdefault(m.text, m.start) != m.start and m.text not in qualified:
            continue  # (a later mention qualifies only a name its first mention did)
        if (
            kind == "toponym"
            and span.next_text
            and m.place is not None
            and m.reason.startswith("containment")
        ):
            qualified.setdefault(m.text, {})[m.place.geonameid] = (m, span.next_text)
    if not qualified:
        return mentions
    out = mentions
    for k, ((span, cands, kind), m) in enumerate(zip(items, mentions, strict=True)):
        ways = qualified.get(m.text)
        if not ways or len(ways) > 1 or kind != "toponym" or span.next_text:
            continue
        ((pid, (source, holder)),) = ways.items()
        if (
            m.start < source.start
            or (m.place is not None and m.place.geonameid == pid)
            or m.reason.startswith(_OWN_EVIDENCE)
        ):
            continue
        pick = next((c for c in cands if c.place.geonameid == pid), None)
        if pick is None:
            continue
        runners = [c for c in m.candidates if c.place.geonameid != pid]
        if m.place is not None:
            old = next((c for c in cands if c.place.geonameid == m.place.geonameid), None)
            if old is not None:
                runners.insert(0, replace(old, score=m.confidence))
        if out is mentions:
            out = list(mentions)
        out[k] = Mention(
            m.start,
            m.end,
            m.text,
            pick.place,
            source.confidence,
            tuple(runners[: len(m.candidates) or 1]),
            f"as in {m.text}, {holder}",
            m.kind,
        )
    return out


def _country_parts(
    items: list[tuple[Span, list[Candidate], str]],
) -> list[tuple[Span, list[Candidate], str]]:
    """A part of the name of a country the report names, "A and B", on its own is that
    country when no candidate lies there: "Trinidad" beside "Trinidad and Tobago" is the
    island, not Trinidad, Colorado; "Herzegovina" beside "Bosnia and Herzegovina"."""
    parts: dict[str, Candidate] = {}
    for span, cands, kind in items:
        if kind != "toponym" or " and " not in span.text:
            continue
        for c in cands:
            if c.place.feature_code.startswith("PCL") and c.match in ("exact", "folded"):
                for part in span.text.split(" and "):
                    parts.setdefault(part, Candidate(c.place, "alternate", 1.0))
    if not parts:
        return items
    out = []
    for span, cands, kind in items:
        country = parts.get(span.text)
        if (
            country is not None
            and kind == "toponym"
            and not any(c.place.country_code == country.place.country_code for c in cands)
        ):
            cands = [country]
        out.append((span, cands, kind))
    return out


def _shifted(span: Span, offset: int) -> Span:
    return span._replace(start=span.start + offset, end=span.end + offset) if offset else span


class _Overlaps:
    """Whether a span overlaps any of a set of spans, in logarithmic time."""

    def __init__(self, spans: Iterable[tuple[int, int]]) -> None:
        ordered = sorted(spans)
        self.starts = [s for s, _e in ordered]
        self.max_end = list(accumulate((e for _s, e in ordered), max))

    def __call__(self, start: int, end: int) -> bool:
        i = bisect_left(self.starts, end)  # the spans starting before ``end``
        return i > 0 and self.max_end[i - 1] > start

    def end_of_span_at(self, pos: int) -> int:
        """``pos``, or the end of the spans it falls inside (a cut point outside them)."""
        while True:
            i = bisect_left(self.starts, pos)
            if i == 0 or self.max_end[i - 1] <= pos:
                return pos
            pos = self.max_end[i - 1]


def _inside_a_name(span: Span) -> bool:
    """A span inside a longer name that no type word or dateline marks as a place ("New
    York" in "New York Times"): :meth:`Geoparser._is_place_mention` turns it down
    whatever its candidates (every rule before this one needs a dateline, a type word or
    no longer name), so that recognition skips looking them up."""
    return span.in_longer_name and not span.type_cue and not span.dateline


def _not_a_place(span: Span, persons: set[str], possessive: bool = False) -> bool:
    """People and dates that look like place names: "Mr. Lincoln", "Brown said", "March 26".
    ``possessive``: the span is followed by "'s"."""
    if span.prev_word.rstrip(".") in PERSON_TITLES:
        return True
    # ("X, Y" is no cue here: "Mayer, Disney's chairman" after "Kevin Mayer"; nor is "in"
    # before a possessive: "a minister in Abiy's office".)
    cued = (span.locative_cue and not possessive) or span.type_cue or span.dateline
    if not cued and (
        span.text in persons or (span.text.endswith("s") and span.text[:-1] in persons)
    ):
        return True  # "Nelson" after "Roy A. Nelson"; "the Assads"
    low = span.text.lower()
    if span.next_word in DISEASE_FOLLOWERS:
        return True  # "Marburg virus", "Ebola outbreak"
    if _CONTRACTION_RE.search(low):
        return True  # "I've", "You'd", "Don't"
    if low in MONTH_NAMES and not (span.type_cue or span.next_text):
        return True  # "in March", "since May": dates unless the text says otherwise
    return low in MONTHS and (span.next_word[:1].isdigit() or span.prev_word[:1].isdigit())


def _lower_head(text: str, span: Span) -> bool:
    """Whether the word before "of" is written in lower case: "the centre of Falluja" is
    a place's centre, "the Centre of Excellence" an institution."""
    mo = _HEAD_OF_RE.search(text, max(0, span.start - 40), span.start)
    return mo is not None and mo.group(1).islower()


_SAINTS_DAY = ("'s Day", "\u2019s Day")
_AGENCY = (" news agency", " News Agency")
# Words after a name that make it an armed unit's or group's: "Azov battalion", "Wagner
# group", "Nour al-Din al-Zenki brigade" (places inside such names are no toponyms).
_UNIT_WORDS = frozenset(
    "battalion battalions brigade brigades regiment regiments militia militias".split()
)
# Words after a name that make it a group's or a broadcaster's when it names no town or
# more ("the Vostok group", "Al-Masirah TV"; "the Cambridge group", "Los Angeles
# television" name the cities).
_GROUP_WORDS = frozenset("group battlegroup tv television radio".split())
# A family by its name in the plural, after "the": "the Assads", "the Kennedys".
_FAMILY_RE = re.compile(r"[A-Z][a-z]+[^s\W]s")
# An armed group by its name: "the Fano militia", "the Wagner group" (from "he": see
# Geoparser._persons).
_GROUP_RE = re.compile(
    r"he ([A-Z][\w'’-]+(?: [A-Z][\w'’-]+)?) (?:militia|militias|group|battalion"
    r"|brigade|regiment|movement|rebels|insurgents|insurgency|jihadists)\b"
)
# A nickname in quotes between a person's given name and surname: Joaquín "El Chapo"
# Guzmán, Ismael “El Mayo” Zambada (the quotes paired; a straight single quote only after
# a space, so that no possessive opens one).
_NICKNAME_RE = re.compile(
    r"(?:\"([^\"\n]{1,40})\"|\u201c([^\u201d\n]{1,40})\u201d|\u2018([^\u2019\n]{1,40})\u2019"
    r"|(?<= )'([^'\n]{1,40})') ([A-Z][\w'\u2019-]+)"
)
# Where one may open: a quote before a capital (found first, in one simple pass).
_NICKNAME_OPEN_RE = re.compile(r"[\"\u201c\u2018'](?=[A-Z])")
_GIVEN_NAME_RE = re.compile(r"(?:^|[\s(])([A-Z][\w'\u2019.-]*) $")
_NICKNAME_WORDS = 4


def nicknames(text: str) -> set[str]:
    """The nicknames in quotes between a given name and a surname, and the surnames: no
    places ("El Chapo" is a village in Veracruz too), wherever the text names them."""
    out: set[str] = set()
    for opened in _NICKNAME_OPEN_RE.finditer(text):
        m = _NICKNAME_RE.match(text, opened.start())
        if m is None:
            continue
        nick = next(g for g in m.groups()[:4] if g is not None)
        words = nick.split()
        if not (
            words
            and len(words) <= _NICKNAME_WORDS
            and nick == nick.strip()
            and words[0][:1].isupper()
            and all(w[:1].isupper() or w.lower() in NAME_PARTICLES for w in words)
        ):
            continue
        given = _GIVEN_NAME_RE.search(text, max(0, m.start() - 40), m.start())
        if given is None or given.group(1).lower() in FUNCTION_WORDS:
            continue
        out.add(nick)
        out.add(m.group(5))
    return out


# The names of storms after the first: "Hurricanes Eta and Iota", "typhoons Kalmaegi and
# Fung-wong" (the first is a word of the run "Hurricanes Eta", no place's name).
_STORM_JOINS = frozenset({"and", "or"})
_STORM_RE = re.compile(
    r"\b(?:[Hh]urricanes?|[Tt]yphoons?|[Cc]yclones?|[Ss]torms?)(?: [A-Z][\w-]*,?)+ (?:and|or) $"
)
# Words after a weapon's name: "Tomahawk missiles", "Dong Feng missile launchers".
_WEAPON_WORDS = frozenset(
    """missile missiles rocket rockets launcher launchers drone drones tank tanks helicopter
    helicopters jet jets interceptor interceptors warplane warplanes bomber bombers howitzer
    howitzers""".split()
)
# Words after a group's name for its members: "Al-Shabaab fighters", "Houthi rebels".
# Towns have fighters too ("Daraa rebels"): only a name that is no more than a hamlet or
# village in the gazetteer reads as the group's.
_MEMBER_WORDS = frozenset(
    """fighters militants insurgents jihadists gunmen militiamen rebels loyalists
    mercenaries""".split()
)


def _town_or_more(p: Place, people: int = _TOWN) -> bool:
    """Anything but a hamlet or village: a country, division, region, seat, capital, or
    a town of ``people`` (:data:`_TOWN`) or more ("Donbass rebels")."""
    return (
        p.feature_class != "P"
        or p.feature_code.startswith(("PPLA", "PPLC"))
        or p.population >= people
    )


# How far after a name its comma's holder is looked for ("Lynn Lake, Man.").
_HOLDER_REACH = 40
# (Searched up to a span's start, where "$" matches.)
_HEAD_OF_RE = re.compile(r"\b(\w+) of $")
# A name (of one or two words) in the possessive right before another: "Iraq's ",
# "Saudi Arabia’s ".
# A compass word before a type word and "of", at the end of the text before a name:
# "the southern port of ", "the northern Iraqi city of ", "the north-eastern town of ".
_DIRECTION_RE = re.compile(
    r"\b((?:north|south)(?:-?(?:east|west))?|east|west)(?:ern)? (?:[A-Z][a-z]+ )?"
    r"(?:city|town|village|port|province|region|district|governorate|oblast) of (?:the )?$",
    re.IGNORECASE,
)
# " in Syria", " in northern Iraq", " in the Donetsk region" after a name: the name that
# may hold it (a country or a first-level division: see Geoparser._within).
_WITHIN_RE = re.compile(
    # (and after an apposition: "Mafa, a village in Yobe state")
    r"(?:, (?:a|the) (?:[a-z-]+ ){0,2}(?:town|village|city|district|suburb|port|region"
    r"|province|area|neighbourhood|neighborhood|camp|settlement|township)"
    # (of its people: "Bahawalpur, a city of about a million people in southern Punjab")
    r"(?: of (?:[\w.,]+ ){1,4}(?:people|residents|inhabitants))?"
    # (or a type word, or a site named after the place: "Mongla port in Bangladesh", "the
    # Turi prison in Ecuador's Azuay province", "the Khor Mor gas field in Sulaimaniya")
    r"| (?:(?!and |or )[a-z]+ )?(?:port|town|city|village|district|camp|area|prison|jail"
    r"|base|airbase|airport|field|refinery|plant|crossing|checkpoint|dam|mine|market)"
    # (or a comma: "Bahawalpur, in Punjab province")
    r"|,)?"
    r" in (?:the )?(?:(?:north|south|east|west|central|north-?east|north-?west|south-?east"
    r"|south-?west)(?:ern)? )?([A-Z][\w'\u2019.-]*(?: [A-Z][\w'\u2019.-]*)?)\b(?!['\u2019]s| [A-Z])"
)
_POSSESSIVE_CUT_RE = re.compile(r"['\u2019](?:s\b|$)")
_LOWER_ADMINS = frozenset({"ADM2", "ADM3", "ADM4", "ADM5"})
_POSSESSOR_RE = re.compile(r"\b(?:([A-Z][\w.-]*) )?([A-Z][\w.-]*)['\u2019]s $")
# (What it needs last; "$" also matches before a line break that ends the text searched.)
_POSSESSIVES = ("'s", "\u2019s")
_POSSESSIVE_ENDS = ("'s ", "\u2019s ", "'s \n", "\u2019s \n")
# Words of a part of a city between its name and the city's: "the Kirovsky district of
# Donetsk" (a district of Donetsk oblast, "the Pokrovsk district of Donetsk", lies in the
# division of the city's name).
_PART_WORDS = tuple(
    f"{w} of "
    for w in "district raion rayon neighbourhood neighborhood quarter suburb borough".split()
)
_PART_OF_RE = re.compile(
    r" (?:district|raion|rayon|neighbou?rhood|quarter|suburb|borough) of (?:the )?"
    r"([A-Z][\w'\u2019-]*(?: [A-Z][\w'\u2019-]*)*)"
)
# Dotted capitals: "S.C.", "N.J.", "W.Va.", "B.C.".
_DOTTED_ABBREVIATION_RE = re.compile(r"(?:[A-Z][a-z]?\.){2,}")
# A word that may be abbreviated with a full stop: "Calif", "Ky", "Ill", "Ont", and one
# of dotted parts, "W.Va", "N.Mex", "S.Dak" (the tokens of "W.Va.", "N.Mex.", "S.Dak.").
_ABBREVIATED_RE = re.compile(r"[A-Z][a-z]{1,4}|(?:[A-Z]\.)+[A-Z][a-z]{1,3}")
# "I've", "we're", "you'd", "don't": a pronoun or a verb with its contraction.
_CONTRACTION_RE = re.compile(
    r"^(?:i|you|we|they|he|she|it|there|that|who|what)['\u2019](?:ve|re|ll|d|m|s)$"
    r"|n['\u2019]t$"
)
MONTH_NAMES = frozenset(
    """january february march april may june july august september october november
    december""".split()
)


def _plausible(span: Span, cands: list[Candidate]) -> list[Candidate]:
    """The candidates a name may stand for. GeoNames' full data holds thousands of
    streams, hills and localities named like words and people ("Torch", "Arabka",
    "Schulz" for "Eduard"): one counts only when a type word asks for it ("the Luhan
    river"), unless placemap curates it. Regions stay ("Donets Basin"). A loose match
    never stands for a place that no longer exists (GeoNames' historical codes end
    in H), nor for a name written as an acronym ("Kapedo" is no "KPD", Ukraine)."""
    for c in cands:
        if (
            c.place.feature_class not in ("P", "A")
            or c.place.feature_code.endswith("H")
            or (c.match in SPELLING_GUESSES and c.place.name.isupper())
        ):
            break
    else:
        return cands  # towns and divisions that exist: all plausible
    areas = {"water": ("H",), "terrain": ("T", "L")}.get(span.type_cue or "", ())
    return [
        c
        for c in cands
        if not (
            (c.place.feature_class in ("H", "T") or c.place.feature_code == "LCTY")
            and c.place.feature_class not in areas
            and c.place.population == 0
            and c.place.source.startswith("geonames")
        )
        and not (
            c.match in SPELLING_GUESSES
            and (c.place.feature_code.endswith("H") or c.place.name.isupper())
        )
    ]


# The type words after a name that say what kind of feature it is, and the GeoNames
# feature classes of such features ("island" is left out: islands are towns and
# divisions too).
_NATURAL_TYPES = {
    **dict.fromkeys(WATER_CUES, ("H",)),
    **dict.fromkeys("mountains mountain valley desert plain plateau".split(), ("T", "L")),
}


def _of_the_type_after(span: Span, cands: list[Candidate], text: str) -> list[Candidate]:
    """The candidates of the kind the type word right after the name says, if it has
    any: "the Tigris river" is no town of Tigris; after "the", the river, sea,
    mountains or region of the name that placemap curates rather than its towns and
    divisions ("in the Rio Grande" was a town in Ohio)."""
    classes = _NATURAL_TYPES.get(span.next_word)
    if classes is not None and span.type_cue in ("water", "terrain"):
        # The type word is the name's ("the Hunter River", not "the Missouri Valley
        # Blazers"), follows "the" ("the Kabul river", not "a Muskoka lake"), or is a
        # water word after no article ("as Dnipro river front stays tense")
        mo = _TYPE_WORD_AFTER_RE.match(text, span.end)
        if mo is not None and (
            (mo.group(1)[0].isupper() and not mo.group(2))
            or span.prev_word == "the"
            or (span.type_cue == "water" and span.prev_word not in _NOT_DEFINITE)
        ):
            # (and when the index has none of that kind, the places named after it,
            # mostly on its banks: "the Guayas river" by Guayas province)
            natural = [c for c in cands if c.place.feature_class in classes]
            return natural or cands
    if span.prev_word == "the" and span.type_cue is None and not span.sentence_initial:
        # "buoys in the Rio Grande": the river placemap curates, not a town (no "the"
        # before a town's name); a country keeps its chance ("the Congo", "the Gambia")
        natural = [c for c in cands if _curated_area(c.place)]
        if natural and not any(c.place.feature_code.startswith("PCL") for c in cands):
            return natural
    return cands


_TYPE_WORD_AFTER_RE = re.compile(r" (\w+)( [A-Z])?")
# Words before "X lake" that make it a lake of X, not the lake X ("a Muskoka lake").
_NOT_DEFINITE = frozenset("a an one another each every some any many several".split())
# The endings of a division's name made from its town's ("Kharkiv-ska", "Belgorod-skaya").
_ADJECTIVE_ENDING_RE = re.compile(r"(?:s'?kaya|s'?kiy|s'?kyi|s'?ky|s'?ka|skaja|skij)$")


def _named_after(town: str, division: str) -> bool:
    """Whether a division's (folded) name is made from its town's: its first word, less an
    adjective's ending, starts the town's name or is started by it, or is spelled nearly
    alike ("Kharkivska" of Kharkiv, "Zaporizka" of Zaporizhzhia, "Mykolaivska" of
    Mykolayiv; not "Uttarakhand" of Uttarkashi)."""
    stem = _ADJECTIVE_ENDING_RE.sub("", division.split()[0])
    return (
        len(stem) >= 3 and (town.startswith(stem) or stem.startswith(town))
    ) or ratio(town, stem) >= 75


def _curated_area(place: Place) -> bool:
    """One of the seas, rivers, mountains and regions placemap curates."""
    return place.source == CURATED_SOURCE and place.feature_class in ("H", "T", "L", "S")


def _well_known(c: Candidate) -> bool:
    """A place whose other names are widely used: no country's own (a sea, a mountain
    range), not a town (a division, a region), a capital, or a city of half a million."""
    p = c.place
    return (
        p.country_code is None
        or p.feature_class != "P"
        or p.feature_code == "PPLC"
        or p.population >= _FAMOUS_PLACE
    )


#: How alike (rapidfuzz ratio) a city's other name and its own must be for the other
#: name to be the same name spelled another way ("Misrata", Misratah: 93; "Boni", Bonn:
#: 75; "Hamas", Hamm: 67).
OWN_NAME_RATIO = 85


def _own_name_spelled(span: Span, c: Candidate) -> bool:
    """Whether a city of :data:`_BIG_PLACE` is matched by another spelling of its own name
    ("Misrata" for Misratah), not by a name of another language that an unrelated word
    shares: a report on Lebanon may name Libya's third city without naming Libya."""
    p = c.place
    return (
        p.feature_class == "P"
        and p.population >= _BIG_PLACE
        and ratio(fold(span.text), fold(p.name)) >= OWN_NAME_RATIO
    )


def _rare_alternate(c: Candidate) -> bool:
    """A town matched by a name that fewer than three of its names share: a former or a
    foreign name (a division's short name, "Clarke" for Clarke County, is none)."""
    return c.match == "alternate" and c.spellings < 3 and c.place.feature_class == "P"


def _named_outright(c: Candidate) -> bool:
    """A country, division, capital or city of :data:`_BIG_PLACE` matched by its own
    name (not another language's), or a country by any of its names ("Moçambique")."""
    p = c.place
    if c.match == "alternate" and p.feature_code.startswith("PCL"):
        return True
    return c.match in ("exact", "folded", "demonym") and (
        p.feature_code in _STRONG_CODES or (p.feature_class == "P" and p.population >= _BIG_PLACE)
    )


def _guess_only(cands: list[Candidate], kind: str, span: Span) -> bool:
    """A toponym matched only by spelling guesses, with no type word after it (see
    :meth:`Geoparser._in_its_language`)."""
    return (
        kind == "toponym"
        and span.type_cue is None
        and bool(cands)
        and all(c.match in ("transliteration", "fuzzy") for c in cands)
    )


def _word_like(span: Span, cands: list[Candidate]) -> bool:
    """A one-word name, no dateline, that names no large place outright: a common word of
    the text's language may stand for it (see :meth:`Geoparser._in_its_language`)."""
    return " " not in span.text and not span.dateline and not any(_named_outright(c) for c in cands)


def _cued(span: Span) -> bool:
    """Whether the text marks the span as a place: "in X", "X province", "X, Syria",
    a dateline."""
    return bool(span.locative_cue or span.type_cue or span.next_text or span.dateline)


def _strong(cands: list[Candidate]) -> bool:
    """A country, a first-level division, a capital or a large city among the candidates
    matched by name."""
    return any(
        c.place.feature_code in _STRONG_CODES
        or (c.place.feature_class == "P" and c.place.population >= _BIG_PLACE)
        for c in cands
        if c.match not in ("transliteration", "fuzzy")
    )


def _speaks(cands: list[Candidate]) -> bool:
    """Whether a name may say things: a country, a territory or a capital."""
    return any(c.place.feature_code in _SPEAKING_CODES for c in cands)


def _speakers_place(text: str, span: Span) -> bool:
    """Whether a name before a speech verb is where the speakers are: "Residents of
    Gondar said", "officials in Herat and Kunduz said" (the last of a list after "in")."""
    if span.prev_word == "of":
        return True
    if span.prev_word != "and":
        return False
    return _PLACE_LIST_RE.search(text, max(0, span.start - 80), span.start) is not None


# A list of names after a locative word, up to the "and" before its last name.
_PLACE_LIST_RE = re.compile(
    r"\b(?:in|near|at|from|of)\s+[A-Z][\w'’-]*(?:,?\s+[A-Z][\w'’-]*)*,?\s+and\s+$"
)


def _quoted_speaker(text: str, span: Span) -> bool:
    """A name right after a speech verb that ends its clause: '"...," said Nelson.'
    ("said Rock Hill City Manager Smith" names a place: the name goes on.)"""
    return (
        span.prev_word in SPEECH_VERBS
        and not span.sentence_initial
        and text[span.start - 1 : span.start] == " "
        and text[span.end : span.end + 1] in (",", ".", ";", "")
    )


def _as_written(abbreviation: str) -> bool:
    """Whether a word is written as an abbreviation is ("US", "U.S.", "Calif."; not "Car")."""
    return abbreviation.isupper() or "." in abbreviation


def _name_shaped(text: str) -> bool:
    """Capitalised words with no capitals inside ("Deir ez-Zor", "Al-Mayadin"; not "MoD")."""
    for word in text.replace("-", " ").replace("'", " ").replace("\u2019", " ").split():
        if word[1:] != word[1:].lower() and not word.isupper():
            return False
    return True


_DEFAULT: Geoparser | None = None


def default_geoparser() -> Geoparser:
    global _DEFAULT
    if _DEFAULT is None:
        _DEFAULT = Geoparser(open_gazetteer())
    return _DEFAULT


def geoparse(text: str, *, geoparser: Geoparser | None = None) -> list[Mention]:
    """Find and resolve every place ``text`` names (default gazetteer unless given)."""
    return (geoparser or default_geoparser()).geoparse(text)


def resolve(
    text: str, spans: Sequence[tuple[int, int]], *, geoparser: Geoparser | None = None
) -> list[Mention]:
    """Resolve the given (start, end) spans of ``text``."""
    return (geoparser or default_geoparser()).resolve(text, spans)
