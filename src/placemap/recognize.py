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
from functools import partial
from itertools import accumulate, compress, repeat
from operator import and_, itemgetter, lt, not_
from sys import intern
from typing import NamedTuple

__all__ = [
    "Token",
    "Span",
    "LineCase",
    "tokenize",
    "spot",
    "datelines",
    "describe",
    "describe_span",
]

# Words with inner hyphens and apostrophes stay whole ("ez-Zor", "Dar'a"); a
# trailing possessive is split off ("Syria's" -> "Syria" + "'s").
_TOKEN_RE = re.compile(r"[^\W_](?:[\w\u2019'\-\.]*[^\W_])?", re.UNICODE)
_DOTTED_RE = re.compile(r"(?:[A-Za-z]\.)+[A-Za-z]")
_POSSESSIVE_RE = re.compile(r"['\u2019]s$", re.IGNORECASE)

# Lowercase words that may stand inside a place name.
CONNECTORS = frozenset(
    """of de del della di da do dos das du des la le les el al es ez az as ar ad an at ash en
    y upon on am im sur bin ibn bint abu bani beni und van von der den ter and
    e i ul ud ur""".split()
)
# "and" only joins names that are one name ("Trinidad and Tobago", "Bosnia and
# Herzegovina"); the gazetteer decides, since the longest known run wins.
# Inside a run the gazetteer may know, also: "of the" ("Democratic Republic of the
# Congo"), a possessive ("People's Republic of China", "Queen Anne's County") and an
# elided article before a capital ("Côte d'Ivoire").
_POSSESSIVE_GAP = re.compile(r"['\u2019]s ")
_ELIDED_NAME = re.compile(r"[dl]['\u2019]\w", re.IGNORECASE)

WEEKDAYS = frozenset("monday tuesday wednesday thursday friday saturday sunday".split())
# Capitalised words that start no place name however many gazetteer entries they
# have: calendar words, honorifics and the vocabulary of institutions.
NOT_PLACE_WORDS = WEEKDAYS | frozenset(
    """january february april june
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
    against through via per meanwhile also however near amid over across toward towards
    inside outside around despite under""".split()
)
# English words that begin place names ("Fort Hood", "New Haven", "Lake Chad"): at the
# start of a sentence they are no mere adjective before a name.
_NAME_STARTS = frozenset(
    """fort port saint st sainte san santa cape new old great little upper lower lake mount
    mt bay point glen grand camp las los la le el al""".split()
)
# Words that open a sentence before a name as modifiers ("Besieged Mariupol", "Nearby
# Aleppo", "Huge blast rocks Kabul"), told from first names ("Ray Kinney", "Mark
# Blatchford") by an adjective's or participle's ending, or as common headline adjectives.
_MODIFIER_ENDINGS = ("ed", "ing", "ly", "ful", "ous", "ive", "ent", "ant", "al", "ic", "est")
_MODIFIERS = frozenset(
    """nearby former only small large big huge massive deadly fresh heavy fierce major key
    twin triple double strategic besieged current total most many some even also still
    again rebel""".split()
)


def _modifier_shaped(word: str) -> bool:
    return word in _MODIFIERS or (len(word) > 4 and word.endswith(_MODIFIER_ENDINGS))


# Numbers and quantifiers, capitalised only because they start a sentence.
QUANTIFIERS = frozenset(
    """one two three four five six seven eight nine ten eleven twelve fifteen twenty thirty
    fifty hundred hundreds thousand thousands dozen dozens several many some few both all
    more most other another each every no any""".split()
)
# Adjectives of faiths and peoples that follow a place's name without making a longer
# name of it: "Iraq Kurdish forces", "Baghdad Shiite district", "Belfast Catholic".
GROUP_ADJECTIVES = frozenset(
    """sunni sunnis shiite shiites shi'ite shi’ite shia alawite druze yazidi kurdish
    christian christians muslim muslims jewish catholic catholics protestant protestants
    orthodox coptic hindu buddhist sikh arab turkmen""".split()
)
# Words of direction before a name the gazetteer does not know with them: "North
# Texas", "Eastern Mosul", "West Wichita" name Texas, Mosul and Wichita.
DIRECTIONS = frozenset(
    """north south east west northern southern eastern western central northeast northwest
    southeast southwest northeastern northwestern southeastern southwestern upper lower
    downtown n s e w ne nw se sw""".split()  # headlines abbreviate: "E Ukraine", "NE Syria"
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
    """province provinces governorate governorates oblast oblasts obl region regions district
    districts county counties state states prefecture prefectures department departments raion rayon
    canton wilaya wilayah voivodeship parish territory emirate""".split()
)
WATER_CUES = frozenset(
    "river rivers sea gulf bay lake strait straits canal ocean reservoir lagoon".split()
)
TERRAIN_CUES = frozenset(
    "mountains mountain mount desert valley plain plateau island islands peninsula".split()
)
# "Municipality" is a town here: GeoNames has most municipalities' towns as populated
# places, and a division of the same name lies around its town anyway.
TOWN_CUES = frozenset(
    """town city village suburb suburbs neighbourhood neighborhood outskirts municipality
    municipalities""".split()
)
# Words that name towns only before "of": "the towns of Shire and Axum", "the port of
# Djibouti" (the city, not the country); after a name they are other words ("Port Sudan").
_TOWN_HEADS = frozenset("towns cities villages port ports".split())
# Titles and abbreviations after which a full stop does not end a sentence.
_TITLES = frozenset(
    "mr mrs ms dr gen col lt sgt capt maj sen rep gov rev prof jr sr cpl pvt adm brig cmdr".split()
)
_NO_STOP_AFTER = _TITLES | {"u.s", "st", "mt", "ft"}
# "the self-proclaimed Donetsk Republic": a division, after a name the gazetteer does not
# know with the word ("Czech Republic" and "Altai Republic" it knows whole).
REPUBLIC_WORDS = frozenset({"republic", "republics"})
# The type words after a name ("Homs province", "Tigris river", "Kobani town").
_TYPE_WORDS = ADMIN_CUES | WATER_CUES | TERRAIN_CUES | TOWN_CUES | REPUBLIC_WORDS
# Words before a name that say a person follows.
PERSON_TITLES = _TITLES | frozenset(
    """president minister secretary senator judge justice officer coach chief director
    spokesman spokeswoman spokesperson chairman chairwoman mayor governor sheriff deputy
    commissioner lawyer attorney professor sergeant lieutenant captain colonel general
    detective agent pastor reverend father sister brother uncle aunt mother wife husband son
    daughter envoy ambassador premier chancellor commander cleric imam ayatollah king queen
    prince princess sheikh emir sultan pope rabbi bishop cardinal leader coordinator manager
    administrator superintendent supervisor adviser advisor councilman councilwoman
    councillor councilor prosecutor inspector constable marshal trooper warden treasurer
    coroner physician surgeon epidemiologist economist analyst researcher historian
    scientist congressman congresswoman assemblyman assemblywoman lawmaker legislator ceo
    founder""".split()
)
# Words before a ship's name, which is no place however many towns it is named after:
# "the cruiser Moskva", "the landing ship Novocherkassk" (read as a title is).
VESSEL_WORDS = frozenset(
    """cruiser frigate destroyer corvette warship flagship submarine tanker freighter
    vessel ship carrier trawler icebreaker""".split()
)
# Lowercase particles inside people's names: "Staffan de Mistura", "Ahmed bin Ali".
NAME_PARTICLES = frozenset(
    "de da di del della van von der den bin ibn ben al el la le du dos".split()
)
MONTHS = frozenset(
    "january february march april may june july august september october november december "
    "jan feb mar apr jun jul aug sep sept oct nov dec".split()
)
# Offices after the name of the place they serve: "Alberta Premier Danielle Smith",
# "Virginia Gov. Glenn Youngkin", "Sangamon County Sheriff", "Ferguson Police Chief".
_OFFICES = frozenset(
    """premier governor gov mayor sheriff senator sen president minister chief police
    council""".split()
)
# Words that make one title with an office after them: "Vice President", "Deputy Mayor".
_OFFICE_PREFIXES = frozenset(
    "vice deputy prime first acting former assistant associate lieutenant chief".split()
)
# Days and months, which end a name written before them: "said in Baghdad Tuesday".
_CALENDAR = MONTHS | WEEKDAYS
# Words before a name that say a place follows.
# Words of an assault whose target follows "on": "attack on Qayara".
ASSAULT_WORDS = frozenset(
    """attack attacks assault assaults offensive strike strikes raid raids advance push
    march airstrike airstrikes shelling bombardment""".split()
)
# Words after a demonym that make it say whose forces act, not where: "Russian forces
# struck Konstantinovka" (in Ukraine), "Israeli jets struck Hodeidah", "Turkish jets".
ARMED_WORDS = frozenset(
    """forces force troops army military soldiers servicemen units unit drones drone
    missiles missile rockets rocket strikes strike airstrikes jets warplanes bombers
    aircraft helicopters navy warships artillery shelling tanks paratroopers marines
    occupiers invaders offensive bombardment""".split()
)
LOCATIVE_CUES = frozenset(
    """in near at from to towards toward into outside inside across around around through
    via between reached entered left captured seized shelled bombed struck hit
    liberated besieged encircled surrounded held controlled occupied recaptured retook""".split()
)

# Verbs of speaking before "to", whose "to" leads to a listener, no place: "Macron spoke to
# Tusk", "wrote to Austin" ("flew to Warsaw" stays a place's cue).
_SPOKE_WORDS = frozenset(
    """spoke speak speaks speaking talked talk talks talking wrote write writes writing
    replied reply replies listened listen listens appealed appeal appeals apologised
    apologized apologise apologize complained complain complains explained explain
    explains said say says lied whispered""".split()
)


class Token(NamedTuple):
    start: int
    end: int
    text: str
    capitalised: bool  # "Homs", "ez-Zor"
    all_caps: bool  # "DAMASCUS", "UAE"

    @property
    def part(self) -> bool:
        """One name of a compound split at its hyphens ("Syria-Turkey"), or a piece of a
        word cut at a given span's end: no longer name with its neighbouring part."""
        return False


class _Part(Token):
    """A :class:`Token` that is a part (a class of its own, so that the many ordinary
    tokens of a long text carry no extra field)."""

    __slots__ = ()

    @property
    def part(self) -> bool:
        return True


def as_part(tok: Token) -> Token:
    """The token marked as a part (see :attr:`Token.part`)."""
    return _Part(*tok)


def _token(start: int, end: int, t: str, part: bool = False) -> Token:
    cap = t[:1].isupper() or ("-" in t and any(p[:1].isupper() for p in t.split("-")[1:]))
    return (_Part if part else Token)(start, end, t, cap, len(t) >= 2 and t.isupper())


class Span(NamedTuple):
    """A candidate place name in a text, with the evidence around it. (A named tuple,
    as :class:`Token` is: a report's dozens of spans are made fast; ``_replace`` makes
    a changed copy.)"""

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
    eponym: bool = False  # a disease is named after it: "Marburg virus", "Lassa fever"


def tokenize(text: str, splits: Callable[[str], bool] | None = None) -> list[Token]:
    """Word tokens with character offsets; possessive 's split off.

    A hyphenated word loses a leading number ("UPDATE 2-Ukraine") and the lowercase
    words before and after its capitalised core, which stand as words of their own
    ("pro-Russia", "U.S.-led", "Syria-based", "IS-held"); a lowercase article stays
    with the name ("ez-Zor", "al-Assad"). ``splits(core)``, when given, says whether a
    core of several capitalised parts is a compound of names ("Syria-Turkey",
    "Russia-NATO") rather than one name ("Guinea-Bissau", "Al-Qaeda"): its parts then
    become tokens of their own, marked as parts.
    """
    if len(text) <= _PIECE_CHARS:
        return _tokens(text, 0, len(text), splits)
    # A long text is split in pieces at spaces (no token holds one), so that the lists
    # made on the way stay small beside the tokens.
    out: list[Token] = []
    start = 0
    while start < len(text):
        end = start + _PIECE_CHARS
        if end < len(text):
            cut = text.rfind(" ", start, end)
            if cut <= start:  # no space in the piece: it ends at the next one
                cut = text.find(" ", end)
            end = cut if cut > start else len(text)
        out += _tokens(text, start, end, splits)
        start = end
    return out


# The longest text tokenised in one piece (see :func:`tokenize`).
_PIECE_CHARS = 10_000


def _tokens(text: str, pos: int, endpos: int, splits: Callable[[str], bool] | None) -> list[Token]:
    """The tokens of ``text[pos:endpos]`` (see :func:`tokenize`), a piece that starts and
    ends at a space or an end of the text."""
    # Tokenising is a fifth of a report's time, so the words and their offsets come
    # from one split of the text and the tokens are made by C loops (map, zip); only
    # the few words with dots, apostrophes, hyphens or underscores are taken one by one.
    parts = _SPLIT_RE.split(text[pos:endpos] if pos or endpos < len(text) else text)
    words = parts[1::2]  # (parts: gap, word, gap, word, ..., gap)
    if not words:
        return []
    at = list(accumulate(map(len, parts), initial=pos))  # where each part starts
    tokens = list(
        map(
            _new_token,
            repeat(Token),
            zip(
                at[1:-1:2],
                at[2::2],
                words,
                map(str.isupper, map(itemgetter(0), words)),
                map(and_, map(str.isupper, words), map(_longer_than_one, map(len, words))),
                strict=True,
            ),
        )
    )
    odd = list(compress(range(len(words)), map(not_, map(str.isalnum, words))))
    if not odd:
        return tokens
    out: list[Token] = []
    done = 0
    for k in odd:
        out += tokens[done:k]
        tok = tokens[k]
        _odd_word(out, text, tok.start, tok.end, tok.text, splits)
        done = k + 1
    out += tokens[done:]
    return out


_SPLIT_RE = re.compile(f"({_TOKEN_RE.pattern})", re.UNICODE)
_longer_than_one = partial(lt, 1)
_ABBREVIATION_DOTS_RE = re.compile(r"(?:[A-Za-z]\.){2,}")


def _odd_word(
    out: list[Token], text: str, s: int, e: int, t: str, splits: Callable[[str], bool] | None
) -> None:
    """The tokens of a word with dots, apostrophes, hyphens or underscores (see
    :func:`tokenize`), appended to ``out``."""
    if text[e : e + 1] == "." and _DOTTED_RE.fullmatch(t):
        e, t = e + 1, t + "."  # "U.S." keeps its last dot
    # Trailing dots belong to abbreviations ("U.S.") but not to ordinary words.
    if t.endswith(".") and not _ABBREVIATION_DOTS_RE.fullmatch(t):
        t, e = t.rstrip("."), e - (len(t) - len(t.rstrip(".")))
    pm = _POSSESSIVE_RE.search(t)
    if pm and len(t) > 2:
        t = t[: pm.start()]
        e = s + len(t)
    if "-" in t and not t.islower():
        _hyphenated(out, s, t, splits)
    else:
        out.append(_token(s, e, t))


_new_token = tuple.__new__
_CAPITALISED = itemgetter(3)  # Token.capitalised


def _hyphenated(out: list[Token], s: int, t: str, splits: Callable[[str], bool] | None) -> None:
    """The tokens of a hyphenated word (see :func:`tokenize`), appended to ``out``."""
    parts = t.split("-")
    starts = list(accumulate((len(p) + 1 for p in parts[:-1]), initial=s))
    a, b = 0, len(parts)
    while a < b and (
        not parts[a] or parts[a].isdigit() or (parts[a].islower() and parts[a] not in CONNECTORS)
    ):
        a += 1
    while b > a and (not parts[b - 1] or parts[b - 1].islower()):
        b -= 1
    if not any(p[:1].isupper() for p in parts[a:b]):
        out.append(_token(s, s + len(t), t))
        return
    for k in range(a):
        if not parts[k].isdigit() and parts[k]:
            out.append(_token(starts[k], starts[k] + len(parts[k]), parts[k]))
    core = "-".join(parts[a:b])
    names = sum(p[:1].isupper() for p in parts[a:b])
    if names > 1 and splits is not None and splits(core):
        for k in range(a, b):
            if parts[k]:
                out.append(_token(starts[k], starts[k] + len(parts[k]), parts[k], part=True))
    else:
        out.append(_token(starts[a], starts[a] + len(core), core))
    for k in range(b, len(parts)):
        if parts[k]:
            out.append(_token(starts[k], starts[k] + len(parts[k]), parts[k]))


# Abbreviations that begin place names: "St. Louis", "Ft. Worth", "Mt. Hermon".
_ABBREV_PREFIXES = frozenset("st ste ft mt pt".split())


def _joined(gap: str) -> bool:
    """Whether two words separated by ``gap`` may belong to one name: spaces on one
    line, or a bare hyphen ("Guinea-Bissau"). A line break, a spaced dash ("Mosul -
    Iranian TV") or any other punctuation separates them."""
    return gap == " " or gap == "-" or (gap.strip(" \t\u00a0") == "" and "\n" not in gap)


def _starts_sentence(text: str, tokens: list[Token], i: int) -> bool:
    """Whether token ``i`` opens a sentence, a line, a quotation or a clause after a colon."""
    if i == 0:
        return True
    between = text[tokens[i - 1].end : tokens[i].start]
    if between == " ":
        return False  # most words: one space after the word before
    prev = tokens[i - 1].text
    if "\n" in between or ":" in between:
        return True
    if ('"' in between or "\u201c" in between) and not between.strip(' "\u201c').endswith(","):
        return True  # the first word of a quotation
    if not ("." in between or "!" in between or "?" in between):
        return False
    return not (_ABBREVIATION_RE.fullmatch(prev) and prev.lower() in _NO_STOP_AFTER)


_ABBREVIATION_RE = re.compile(r"(?:[A-Za-z]\.)+|[A-Z][a-z]{0,3}")


def _cue_after(tokens: list[Token], j: int, text: str) -> str | None:
    """Type word right after the span ("Homs province", "Tigris river"), or a plural one
    after the list the span opens ("Kharkiv and Zaporizhzhia regions", "Idlib, Hama and
    Latakia provinces")."""
    if j >= len(tokens) or not _joined(text[tokens[j - 1].end : tokens[j].start]):
        return _cue_after_list(tokens, j, text)
    w = tokens[j].text.lower()
    if w in ADMIN_CUES or w in REPUBLIC_WORDS:
        return "admin"
    if w in WATER_CUES:
        return "water"
    if w in TERRAIN_CUES:
        return "terrain"
    if (
        w in _GOVERNED_BY
        and tokens[j - 1].text.lower() not in _OFFICE_MODIFIERS
        and (w != "gov" or tokens[j].text == "Gov")  # (a tweet's "gov" is a government)
    ):
        # whom the place has, its kind: "Georgia Gov. Brian Kemp" (the state), "the Belgorod
        # governor" (the oblast), "Kharkiv Mayor Ihor Terekhov" (the city); not "Vice Mayor"
        return _GOVERNED_BY[w]
    if w in ("city", "town", "village") or tokens[j].text == "port":
        if j + 1 < len(tokens) and tokens[j + 1].text == "of":
            return None  # "the California town of Niland": the word is Niland's
        return "town"  # "Kobani town", "Hodeidah port" (not "Sudan Port")
    if w == "and":
        return _cue_after_list(tokens, j, text)
    return None


# Offices after a name that say what kind of place it is: a governor's is a division, a
# mayor's a town.
_GOVERNED_BY = {"governor": "admin", "gov": "admin", "mayor": "town"}
_OFFICE_MODIFIERS = frozenset(
    "vice deputy acting former interim assistant lieutenant lt ex".split()
)
# Plural type words that a list of names shares: "the Donetsk and Luhansk regions".
_PLURAL_CUES = {
    **dict.fromkeys(
        "provinces governorates oblasts regions districts counties states prefectures".split(),
        "admin",
    ),
    **dict.fromkeys("cities towns villages".split(), "town"),
    "rivers": "water",
}
PLURAL_TYPE_WORDS = frozenset(_PLURAL_CUES)
# How many words a list of names may run before its plural type word.
_LIST_REACH = 12


def _cue_after_list(tokens: list[Token], j: int, text: str) -> str | None:
    """The plural type word after a list of capitalised names joined by commas and
    "and" that starts right after token ``j - 1``; none across a sentence or line end."""
    joined = named = False
    for k in range(j, min(len(tokens), j + _LIST_REACH)):
        gap = text[tokens[k - 1].end : tokens[k].start]
        if gap not in (" ", ", ", "-"):
            return None
        tok = tokens[k]
        w = tok.text.lower()
        if w == "and" or gap == ", ":
            joined = True
        if w == "and":
            continue
        if tok.capitalised:
            named = joined or named
            continue
        return _PLURAL_CUES.get(w) if joined and named else None
    return None


_SENTENCE_END = re.compile(r"[.!?;:]")
# The lowercase words that may stand between a type word and its name: "provinces of X
# and Y", "the town of the X".
_BEFORE_TYPE_CUE = frozenset({"of", "and", "the"})


# Words of a part of a city after its name: "the Antonivka district of Kherson" names the
# city of Kherson, where "the district of Kherson" names a division.
_CITY_PARTS = frozenset({"district", "raion", "rayon"})


def _cue_before(tokens: list[Token], i: int, text: str) -> tuple[str | None, bool]:
    """Type and locative cues before the span: "the town of X", "provinces of X and Y"."""
    if i == 0:
        return None, False
    prev = tokens[i - 1]
    prev_word = prev.text.lower()
    # (across a line break too: prose is often wrapped, "officials in\nIzium said")
    locative = prev_word in LOCATIVE_CUES and "." not in text[prev.end : tokens[i].start]
    if locative and prev_word == "to" and i >= 2:
        locative = tokens[i - 2].text.lower() not in _SPOKE_WORDS  # "spoke to Tusk"
    if not locative and prev_word == "of" and i >= 2:
        # "south of Katherine", "10 km north of Izium": a bearing from a place
        locative = tokens[i - 2].text.lower() in _BEARINGS
    if not locative and prev_word == "on" and i >= 2:
        # "attack on Qayara", "the offensive on Mosul": an assault's target is a place
        locative = tokens[i - 2].text.lower() in ASSAULT_WORDS
    if not prev.capitalised and prev_word not in _BEFORE_TYPE_CUE:
        return None, locative  # (most spans: "in X", "said X")
    type_cue = None
    base = max(0, i - _LIST_REACH)
    # "province(s) of X", "province(s) of X and Y", "town of X", "10 provinces, including
    # X, Y and Z"; never across the end of a sentence ("the town of Kobani. The Kurdish
    # fighters").
    for k in range(i - 1, base - 1, -1):
        tok = tokens[k]
        gap = text[tok.end : tokens[k + 1].start]
        if gap != " " and _SENTENCE_END.search(gap):
            break
        w = tok.text.lower()
        if (w == "of" or (w == "including" and tokens[k - 1].text in _PLURAL_CUES)) and k > base:
            head = tokens[k - 1].text.lower()
            if head in _CITY_PARTS and k >= 2 and tokens[k - 2].capitalised:
                pass  # "the Kirovsky district of Donetsk": a part of the city, no cue
            elif head in ADMIN_CUES and (
                head not in ("department", "departments", "state")
                # "the state of X" ("the State of Qatar"), "the department of Narino" (not
                # "the Department of State")
                or tokens[k - 1].text in ("state", "department", "departments")
            ):
                type_cue = "admin"
            elif head in TOWN_CUES or head in _TOWN_HEADS:
                type_cue = "town"
            elif head in WATER_CUES:
                type_cue = "water"
            elif head in TERRAIN_CUES:
                type_cue = "terrain"
            if type_cue:
                locative = True
            break
        if w not in ("and", ",", "the") and not tok.capitalised:
            break
    return type_cue, locative


def spot(
    text: str,
    known: Callable[[str], bool],
    *,
    max_tokens: int = 6,
    tokens: list[Token] | None = None,
    known_spelling: Callable[[str], bool] | None = None,
    plain: Callable[[str], bool] | None = None,
    case: LineCase | None = None,
    hopeless: Callable[[str, bool, Callable[[], str | None]], bool] | None = None,
) -> list[Span]:
    """Every run of capitalised tokens the gazetteer knows, longest first.

    ``known(name)`` says whether the gazetteer has a place of a name as written (the
    caller folds it, and may cache the answer: a report asks of ~80 runs); a run it does
    not know is still returned when it is a single capitalised word (a
    transliteration may match it), marked by the resolver as weaker.
    ``known_spelling(run)``, when given, is asked about runs of several words that
    ``known`` does not know: another spelling of a known name ("Deir Ezzor",
    "Tal Rifaat") is kept whole rather than cut into words. ``plain(word)``, when
    given, says whether a word is an ordinary English word: in a line written in title
    case or capitals ("Die In Cameroon Clashes") it makes no longer name; nor does a
    number that starts a sentence ("Three Baghdad car bombs").
    ``hopeless(word, sentence_initial, type_cue)``, when given, is asked about each word
    the gazetteer does not know (no dateline's): one it says no place can come of is
    left out before its evidence is gathered (a caller that would drop it anyway; the
    gazetteer knows none of its names, so it makes no longer name with a neighbour).
    ``type_cue()`` gives the word's type cue, found only if ``hopeless`` asks for it.
    """
    toks = tokens if tokens is not None else tokenize(text)
    if case is None and plain is not None:
        case = LineCase(text, toks)
    dated = datelines(text)
    spans: list[Span] = []
    n = len(toks)
    start_at = 0  # the first token a new span may start at
    # Only a capitalised token can start a span.
    for i in compress(range(n), map(_CAPITALISED, toks)):
        if i < start_at:
            continue
        t = toks[i]
        if t.text.lower() in NOT_PLACE_WORDS and not _known_run(toks, i, text, known):
            continue
        # Extend across connectors and capitalised words, stopping at punctuation.
        limit = min(n, i + max_tokens)
        candidates_j = [i + 1]
        for j in range(i + 2, limit + 1):
            prev, tok = toks[j - 2], toks[j - 1]
            gap = text[prev.end : tok.start]
            if gap != " " and not _in_run(gap, prev):
                break
            if tok.capitalised or _ELIDED_NAME.match(tok.text):
                candidates_j.append(j)
            elif tok.text in GROUP_TAILS and prev.capitalised:
                candidates_j.append(j)  # "the Baltic states": a name if the index knows it
                break
            elif tok.text.lower() not in CONNECTORS and not (
                tok.text == "the" and prev.text.lower() == "of"
            ):
                break
        # Unknown single capitalised word: a possible transliteration.
        best_j = i + 1
        for j in reversed(candidates_j):
            run_text = text[t.start : toks[j - 1].end]
            if known(run_text) or (
                known_spelling is not None and j > i + 1 and known_spelling(run_text)
            ):
                best_j = j
                break
        else:
            if (
                hopeless is not None
                and dated.get(t.start) != t.end
                and hopeless(
                    t.text,
                    _starts_sentence(text, toks, i),
                    partial(_type_cue_of_word, toks, i, text),
                )
            ):
                start_at = best_j
                continue
        span = describe(
            text,
            toks,
            i,
            best_j,
            plain=plain,
            caseless=case is not None and case(t.start) is not None,
        )
        if dated.get(span.start) == span.end:
            # A dateline names the city the report was filed from ("JERUSALEM", not the
            # governorate of its name).
            span = span._replace(
                dateline=True, in_longer_name=False, type_cue=span.type_cue or "town"
            )
        spans.append(span)
        start_at = best_j
    return spans


# Compass bearings ("south of X").
_BEARINGS = frozenset("north south east west northeast northwest southeast southwest".split())
# Words before a name for the area around the place: "Greater Cairo", "Metro Manila".
_AREA_AROUND = frozenset({"greater", "metropolitan", "metro"})
# The lower-case word that ends the name of a group of countries: "the Baltic states"
# (no Baltic, South Dakota), "the Nordic countries"; taken only where the index knows the
# whole name.
GROUP_TAILS = frozenset({"states", "countries", "nations"})


_MONTH = (
    r"(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)"
    r"(?:[a-z]*\.?)"
)
_CAPS_WORD = r"[A-Z][A-Z'\u2019.\-]*[A-Z.]"
_CAPS_PLACE = rf"{_CAPS_WORD}(?: {_CAPS_WORD}){{0,3}}"
_NAME_PLACE = r"[A-Z][\w'\u2019.\-]*(?: [A-Z][\w'\u2019.\-]*){0,3}"
_REGION = rf"(?:, (?!{_MONTH}\b)[A-Z][\w'\u2019.\-]*(?: [A-Z][\w'\u2019.\-]*){{0,2}})?"
_DATE = rf"(?:,? (?:{_MONTH} \d{{1,2}}|\d{{1,2}} {_MONTH})(?:,? \d{{4}})?)?"
_AGENCY = r"\([^()\n]{1,40}\)"
_DASH = r"[ \t]*[-\u2013\u2014]{1,2}[ \t]"
# A wire dateline opens a line, or a sentence after a headline: "BEIRUT (Reuters) -",
# "CAIRO/JERUSALEM (Reuters) -", "KYIV, Ukraine (AP) —", "DAMASCUS, July 8 -", "MOSCOW/KYIV,
# June 3, 2024 (Reuters) -", "Beirut (Reuters) -" (a name written as names are needs the
# agency and the dash); or
# a line only: "BAGHDAD At least 12..." (a word of capitals, then a sentence).
_DATELINE_RE = re.compile(
    rf"(?:^[ \t]*|(?<=[.!?] ))"  # a line's start, or a sentence's after a headline
    rf"(?:(?P<caps>{_CAPS_PLACE}(?:/{_CAPS_PLACE})*){_REGION}{_DATE}(?:[ \t]*{_AGENCY})?{_DASH}"
    rf"|(?P<name>{_NAME_PLACE}){_REGION}{_DATE}[ \t]*{_AGENCY}{_DASH})"
    rf"|^[ \t]*(?P<bare>[A-Z]{{4,}}(?: [A-Z]{{2,}}){{0,2}})(?= [A-Z][a-z]+ [a-z])",
    re.MULTILINE,
)


# A report's dateline opens its body, after a headline and a date at most.
DATELINE_REACH = 600


def datelines(text: str) -> dict[int, int]:
    """The places of the wire datelines in the first :data:`DATELINE_REACH` characters
    of ``text``, as {start: end} offsets."""
    out = {}
    for m in _DATELINE_RE.finditer(text, 0, DATELINE_REACH):
        group = next(g for g in ("caps", "name", "bare") if m.group(g) is not None)
        # A report filed from two cities names both: "CAIRO/JERUSALEM (Reuters) -".
        start = m.start(group)
        for part in m.group(group).split("/"):
            out[start] = start + len(part)
            start += len(part) + 1
    return out


# The fewest letters of a word in capitals that opens a line as a wire slug, not as a
# name's first word ("TOPSHOTS", "EXCLUSIVE", "UPDATE"; not "NASA Goddard", "US Army").
_SLUG_LETTERS = 5


def describe(
    text: str,
    toks: list[Token],
    i: int,
    j: int,
    *,
    plain: Callable[[str], bool] | None = None,
    caseless: bool = False,
) -> Span:
    """The span of tokens ``i`` to ``j - 1`` with the evidence around it (``plain`` and
    ``caseless`` as in :func:`spot`: ``caseless`` says the span's line is written in
    title case or capitals)."""
    n = len(toks)
    first, last = toks[i], toks[j - 1]
    s, e = first.start, last.end
    before = toks[i - 1] if i else None
    after = toks[j] if j < n else None
    gap_before = text[before.end : s] if before is not None else ""
    gap_after = text[e : after.start] if after is not None else ""

    initial = _starts_sentence(text, toks, i)
    # The names of a compound ("Syria-Turkey") are no longer name together.
    before_word = before.text.lower() if before is not None else ""
    before_cap = (
        before is not None
        and before.capitalised
        and before_word not in FUNCTION_WORDS  # "In Columbus", "At Homs"
        and before_word not in DIRECTIONS  # "North Texas", "Eastern Mosul"
        and not initial
        and _joined(gap_before)
        and not (first.part and before.part)
        and not (caseless and plain is not None and plain(before_word))  # "Tells About..."
        and not (
            (
                before_word in QUANTIFIERS
                or (_modifier_shaped(before_word) and before_word not in _NAME_STARTS)
            )
            and _starts_sentence(text, toks, i - 1)
        )  # "Three Baghdad car bombs", "Two Ukraine soldiers", "Besieged Mariupol held"
        and not (
            before.all_caps
            and len(before_word) >= _SLUG_LETTERS
            and not first.all_caps
            and _starts_sentence(text, toks, i - 1)
        )  # a wire slug opening a headline: "TOPSHOTS Iraq says", "EXCLUSIVE Syria"
    )
    after_word = after.text.lower() if after is not None else ""
    span_caps = first.all_caps if j == i + 1 else all(tk.all_caps for tk in toks[i:j])
    type_before, locative = _cue_before(toks, i, text) if i else (None, False)
    if before_cap:
        type_before = None  # the type word of a longer name: "the towns of Chimney Rock"
    # An ordinary word before a name makes another name, and the type word after is that
    # name's: "the Green Mountain region" (Libya's Jabal al Akhdar) is no region called
    # Mountain, "Blue Nile state" no state of the Nile. ("Ukrainian Donetsk region" keeps
    # its cue.)
    # ("the Greater Cairo region" is Cairo's; an office is a person's, not the name's:
    # "Former Arkansas Gov. Mike Huckabee", "Joins Sochi Mayor Race".)
    plain_before = (
        before_cap
        and before_word not in _AREA_AROUND
        and after_word.rstrip(".") not in _GOVERNED_BY
        and plain is not None
        and plain(before_word)
    )
    # "Manchester City", "Leicester City": a name the gazetteer does not know (it knows
    # "Mexico City", "Gaza City"), a club's unless the words before say a place ("in",
    # "residents of") or a name goes on ("Dublin City Council": the city's); "City" in a
    # headline in title case is a word.
    club = (
        after is not None
        and after.text == "City"
        and not caseless
        and _joined(gap_after)
        and not locative
        and before_word != "of"
        and not (
            j + 1 < n
            and toks[j + 1].capitalised
            and _joined(text[after.end : toks[j + 1].start])
        )
    )
    # "Banana Republic", a shop's name: an ordinary word before "Republic" makes no state
    shop = after_word in REPUBLIC_WORDS and plain is not None and plain(text[s:e].lower())
    after_cap = club or (
        after is not None
        and after.capitalised
        and _joined(gap_after)
        and (after_word not in _TYPE_WORDS or shop)
        # A dotted abbreviation stands alone: its dot may end a sentence ("cases in the
        # U.S. The first...") and what follows names an office of its country ("the U.S.
        # Centers for Disease Control", "U.S. Army")
        and not _ABBREVIATION_DOTS_RE.fullmatch(last.text)
        and not (after.part and last.part)
        and not (
            caseless and plain is not None and plain(after_word) and after_word not in ORG_FOLLOWERS
        )
        and not (after.all_caps and not span_caps and len(after_word) <= 4)  # "Iraq PM"
        and after_word not in GROUP_ADJECTIVES  # "Iraq Kurdish capital", "Belfast Catholic"
        and not (  # "in Baghdad Tuesday", "Kyiv Monday"; not "Georgia May Jagger"
            after_word in _CALENDAR
            and not (
                j + 1 < n
                and toks[j + 1].capitalised
                and _joined(text[after.end : toks[j + 1].start])
            )
        )
        and (after_word not in _OFFICES or last.text.lower() in _OFFICE_PREFIXES)
        # ("Alberta Premier Danielle Smith"; not "Vice President", "Prime Minister")
    )
    nxt = None
    comma_at, gap_comma = j, gap_after
    if (
        after is not None
        and gap_after == " "
        and after_word in _TYPE_WORDS
        and j + 1 < n
    ):
        # past the name's own type word: "Souda Bay, Crete", "Homs province, Syria"
        comma_at, gap_comma = j + 1, text[after.end : toks[j + 1].start]
    holder = toks[comma_at] if comma_at < n else None
    if holder is not None and holder.capitalised and gap_comma.strip() == ",":
        k = comma_at + 1
        while (
            k < n
            and k < comma_at + 4
            and toks[k].capitalised
            and _joined(text[toks[k - 1].end : toks[k].start])
        ):
            k += 1
        nxt = text[holder.start : toks[k - 1].end]
    return Span(
        start=s,
        end=e,
        text=intern(text[s:e]),
        sentence_initial=initial,
        in_longer_name=bool(before_cap or after_cap or _particle_after(text, toks, j)),
        type_cue=(None if club or shop or plain_before else _cue_after(toks, j, text))
        or type_before,
        locative_cue=locative,
        all_caps=span_caps,
        next_text=intern(nxt) if nxt else None,
        prev_word=intern(before_word)
        if before is not None and (gap_before == " " or gap_before.strip(" .") == "")
        else "",
        next_word=intern(after_word)
        if after is not None and (gap_after == " " or gap_after.strip(" .") == "")
        else "",
        prev_word2=intern(toks[i - 2].text.lower()) if i > 1 else "",
        after_comma_name=before is not None and before.capitalised and gap_before.strip() == ",",
    )


def describe_span(text: str, start: int, end: int, toks: list[Token] | None = None) -> Span:
    """Evidence for a span given by offsets (a gold span, another tool's entity). The
    span comes back exactly as given, with a full stop that tokenising split off ("Ky.")
    and inside a word that tokenising kept whole ("Syria" in "Syria-Turkey")."""
    toks = toks if toks is not None else tokenize(text)
    # The tokens the span overlaps, found by bisection (a text may have many given spans).
    k = bisect_left(toks, start, key=lambda t: t.end)
    first = k
    while k < len(toks) and toks[k].start < end:
        k += 1
    if first == k:  # between tokens: punctuation or spaces only
        return Span(start, end, text[start:end], False, False, None, False, False, None)
    # Cut the tokens at the span's ends where they fall inside one, and describe the span
    # among its neighbours (the evidence reaches a few tokens either side).
    lo, hi = max(0, first - 8), min(len(toks), k + 8)
    local = list(toks[lo:first])
    head, tail = toks[first], toks[k - 1]
    after = tail.end > end + 1 or (tail.end == end + 1 and text[end] != ".")
    if head.start < start:
        _piece(local, text, head.start, start)
    i = len(local)
    if head.start < start or after:
        local.append(_token(start, end, text[start:end], part=True))
    else:
        local.extend(toks[first:k])
    j = len(local)
    if after:
        _piece(local, text, end, tail.end)
    local.extend(toks[k:hi])
    span = describe(text, local, i, j)
    return span._replace(start=start, end=end, text=intern(text[start:end]))


# A line is written in title case or capitals, so that its capitals say nothing of
# names, when this share of its words (of at least this many) is capitalised.
TITLE_CASE_SHARE = 0.75
ALL_CAPS_SHARE = 0.6
CASELESS_MIN_WORDS = 4
CASELESS_MAX_WORDS = 40


def caseless_lines(text: str, toks: list[Token]) -> list[tuple[int, int, str]]:
    """The lines whose capitals say nothing of names, as (start, end, "title" or "caps"):
    headlines in title case ("Boko Haram Terrorists Die In Cameroon Clashes") and lines
    in capitals ("TURKEY DESTROYS BUILDING IN NORTHERN IRAQ"). Lines of more than
    :data:`CASELESS_MAX_WORDS` words are paragraphs, not headlines, and are not counted."""
    out: list[tuple[int, int, str]] = []
    k, n = 0, len(toks)
    if n > CASELESS_MAX_WORDS and "\n" not in text:
        return out  # one paragraph
    starts = [t.start for t in toks]
    while k < n:
        nl = text.find("\n", toks[k].start)
        j = n if nl < 0 else bisect_left(starts, nl, k)
        if CASELESS_MIN_WORDS <= j - k <= CASELESS_MAX_WORDS:
            words = [t for t in toks[k:j] if not t.text[:1].isdigit()]
            if len(words) >= CASELESS_MIN_WORDS:
                if sum(t.all_caps for t in words) >= ALL_CAPS_SHARE * len(words):
                    out.append((toks[k].start, toks[j - 1].end, "caps"))
                elif sum(t.capitalised for t in words) >= TITLE_CASE_SHARE * len(words):
                    out.append((toks[k].start, toks[j - 1].end, "title"))
        k = max(j, k + 1)
    return out


class LineCase:
    """How the line at a position is written: "title", "caps" or None (as sentences),
    from :func:`caseless_lines`, by bisection."""

    def __init__(self, text: str, toks: list[Token]) -> None:
        lines = caseless_lines(text, toks)
        self.starts = [a for a, _b, _k in lines]
        self.lines = lines

    def __call__(self, pos: int) -> str | None:
        if not self.starts:
            return None
        k = bisect_left(self.starts, pos + 1) - 1
        if k >= 0 and pos < self.lines[k][1]:
            return self.lines[k][2]
        return None


def _piece(out: list[Token], text: str, start: int, end: int) -> None:
    """The word left of a token cut by a given span, without the hyphen or dots between."""
    piece = text[start:end]
    lead = len(piece) - len(piece.lstrip(_CUT_CHARS))
    piece = piece.strip(_CUT_CHARS)
    if piece:
        out.append(_token(start + lead, start + lead + len(piece), piece, part=True))


_CUT_CHARS = "-.'\u2019 "


def person_names(
    text: str,
    toks: list[Token],
    known: Callable[[str], bool],
    ordinary: Callable[[str], bool],
    strong: Callable[[str], bool] | None = None,
    famous: Callable[[str], bool] | None = None,
    case: LineCase | None = None,
    spelling: Callable[[str], bool] | None = None,
) -> set[str]:
    """The surnames of the people a text names, so that a surname alone elsewhere in it
    is not read as a place: the last word of a run shaped like a full name ("Gordon
    Brown", "Roy A. Nelson", "Staffan de Mistura"), or of any run after a title
    ("President Assad", "envoy Staffan de Mistura", "Secretary of State John Kerry").
    An Arabic article is dropped too ("al-Assad" gives "Assad").

    ``known(name)`` is as in :func:`spot`; ``ordinary(word)`` says whether a word is an
    ordinary English word ("Another Gainesville" is no name); ``strong(name)``, whether a
    name stands for a country, a division or a large city: a run that starts with one
    ("Aleppo Syria") is no person's name. ``famous(name)`` says whether a name stands for
    a country, a capital or a city of millions: one is taken for a surname only after a
    title ("Michael Jordan" leaves Jordan a country; "John Kerry" makes Kerry a person).
    ``spelling(run)``, when given, says whether a run is another spelling of a place's
    name ("Novaya Kakhovka"): such a run names no person unless a title stands before it,
    and neither does a run a word of places frames ("the village of Donja Jablanica",
    "the Kerem Shalom crossing")."""
    out: set[str] = set()
    case = case if case is not None else LineCase(text, toks)
    n = len(toks)
    start_at = 0  # the first token a new run may start at
    for i in compress(range(n), map(_CAPITALISED, toks)):
        if i < start_at or toks[i].all_caps:
            continue
        j = i + 1
        while j < n and _name_word(text, toks, i, j):
            j += 1
        while j > i and not toks[j - 1].capitalised:  # a run ends in a name
            j -= 1
        # Capitals in a headline in title case or in capitals mean nothing; one word is a
        # name only after a title ("envoy Mistura").
        if case(toks[i].start) is not None:
            pass
        elif _vessel_before(text, toks, i):
            out.add(toks[j - 1].text)  # a ship's name, a town's or not: "cruiser Moskva"
        elif j - i > 1 or _title_before(text, toks, i):
            _add_person(out, text, toks, i, j, known, ordinary, strong, famous, spelling)
        start_at = max(j, i + 1)
    return out


def _name_word(text: str, toks: list[Token], i: int, j: int) -> bool:
    """Whether token ``j`` continues a run of name words that starts at ``i``."""
    t = toks[j]
    if t.all_caps or not (t.capitalised or (j > i and t.text in NAME_PARTICLES)):
        return False
    if t.text.lower() in FUNCTION_WORDS and not (
        _initial(t.text) and text[t.end : t.end + 1] == "."
    ):
        return False  # "Tells About Karlovka": a title-case headline, not a name
    if j == i:
        return t.capitalised
    gap = text[toks[j - 1].end : t.start]
    prev = toks[j - 1].text
    return gap == " " or (
        gap == ". " and (len(prev) == 1 and prev.isupper() or prev.lower() in _TITLES)
    )


def _add_person(
    out: set[str],
    text: str,
    toks: list[Token],
    i: int,
    j: int,
    known: Callable[[str], bool],
    ordinary: Callable[[str], bool],
    strong: Callable[[str], bool] | None,
    famous: Callable[[str], bool] | None,
    spelling: Callable[[str], bool] | None = None,
) -> None:
    words = [t.text for t in toks[i:j]]
    titled = _title_before(text, toks, i)
    while words and (
        (low := words[0].lower().rstrip(".")) in PERSON_TITLES
        or low in NOT_PLACE_WORDS
        or low in NAME_PARTICLES
    ):
        titled = titled or low in PERSON_TITLES
        words.pop(0)
    # A title inside the run ends its office: "Defense Secretary Lloyd Austin", "Interior
    # Minister Ahmad Vahidi" (the words before it are no names of the person's)
    inner = [k for k, w in enumerate(words[:-1]) if w.lower() in PERSON_TITLES]
    if inner:
        titled = True
        words = words[inner[-1] + 1 :]
    names = [w for w in words if w not in NAME_PARTICLES and not _initial(w)]
    if not names or len(names) > 4 or (len(names) < 2 and not titled):
        return
    first, last = names[0], names[-1]
    if last in out or last.lower() in _NOT_SURNAMES:
        return
    if not titled:
        first_low = first.lower()
        if first_low in NOT_PLACE_WORDS or first_low in ADMIN_CUES or ordinary(first_low):
            return
    if known(" ".join(words)):
        return  # a place of several words the gazetteer knows
    if not titled:
        initial = any(_initial(w) for w in words)
        if known(first) and not initial and (strong is None or strong(first)):
            return  # "Aleppo Syria", "Homs Hama": names of places in a row
        if famous is not None and famous(last):
            return  # "Michael Jordan" leaves Jordan a country unless a title says otherwise
        if not initial and (
            _framed_as_place(text, toks, i, j)
            or (spelling is not None and spelling(" ".join(words)))
        ):
            # "Novaya Kakhovka", "the village of Donja Jablanica": a place's name (not
            # with an initial: "the Manuel M. Ponce neighborhood")
            return
    out.add(last)
    head, _, tail = last.partition("-")
    if tail and head.lower() in CONNECTORS:
        out.add(tail)  # "al-Assad": "Assad"
    if titled and len(names) > 1 and strong is not None and not strong(first):
        # Some people are called by their given name alone ("Prime Minister Abiy Ahmed",
        # then "Abiy said", no village of Tigray); one that names a country, a division
        # or a large city is left a place ("Gen. Sydney Hamilton": Sydney).
        out.add(first)


# Particles inside a longer name of Romance languages: "San Juan de Lurigancho", "Banco de
# Mexico" ("Santiago de Cuba", which the gazetteer knows whole, is spotted whole).
_INNER_PARTICLES = frozenset("de del da do dos das di della des du".split())


def _particle_after(text: str, toks: list[Token], j: int) -> bool:
    """Whether the name ending before token ``j`` goes on past a particle: the words before
    it are no name of their own ("San Juan de Lurigancho" is no San Juan)."""
    return (
        j + 1 < len(toks)
        and toks[j].text in _INNER_PARTICLES
        and toks[j + 1].capitalised
        and text[toks[j - 1].end : toks[j].start] == " "
        and text[toks[j].end : toks[j + 1].start] == " "
    )


def _framed_as_place(text: str, toks: list[Token], i: int, j: int) -> bool:
    """Whether a word of places frames the run of tokens ``i`` to ``j - 1``: a kind of
    place and "of" before it ("the village of Donja Jablanica", "the towns of"), or a
    kind of place right after it ("the Kerem Shalom crossing", "Golaya Pristan district")."""
    if (
        i >= 2
        and toks[i - 1].text == "of"
        and toks[i - 2].text.lower() in _PLACE_HEADS
        and text[toks[i - 2].end : toks[i].start] == " of "
    ):
        return True
    return (
        j < len(toks)
        and toks[j].text.lower() in _PLACE_TAILS
        and text[toks[j - 1].end : toks[j].start] == " "
    )


_PLACE_HEADS = TOWN_CUES | _TOWN_HEADS | ADMIN_CUES
_PLACE_TAILS = TOWN_CUES | ADMIN_CUES | WATER_CUES | TERRAIN_CUES | frozenset({"crossing"})

# Last words of runs that name no person: "Fire Department", "Homs province".
_NOT_SURNAMES = ORG_FOLLOWERS | ADMIN_CUES | WATER_CUES | TERRAIN_CUES | TOWN_CUES


def _title_before(text: str, toks: list[Token], i: int) -> bool:
    """Whether a title stands right before token ``i``: "envoy Staffan", "Gen. Smith"."""
    if i == 0:
        return False
    gap = text[toks[i - 1].end : toks[i].start]
    word = toks[i - 1].text.lower()
    return word in PERSON_TITLES and (gap == " " or (gap == ". " and word in _TITLES))


def _vessel_before(text: str, toks: list[Token], i: int) -> bool:
    """Whether a kind of ship, in lower case, stands right before token ``i``: "the
    cruiser Moskva" (not "Ship Canal")."""
    return (
        i > 0 and toks[i - 1].text in VESSEL_WORDS and text[toks[i - 1].end : toks[i].start] == " "
    )


def _initial(word: str) -> bool:
    return len(word) == 1 and word.isupper()


def _in_run(gap: str, prev: Token) -> bool:
    """Whether the token after ``gap`` may continue a name that ``prev`` is part of: see
    :func:`_joined`; also after an abbreviation's dot ("St. Louis") and a possessive
    ("People's Republic of China")."""
    return (
        _joined(gap)
        or (gap.rstrip(" ") == "." and prev.text.lower() in _ABBREV_PREFIXES)
        or (prev.capitalised and _POSSESSIVE_GAP.fullmatch(gap) is not None)
    )


def _type_cue_of_word(toks: list[Token], i: int, text: str) -> str | None:
    """The type cue of the word ``toks[i]`` alone (see :func:`describe`)."""
    return _cue_after(toks, i + 1, text) or (_cue_before(toks, i, text)[0] if i else None)


def _known_run(toks: list[Token], i: int, text: str, known: Callable[[str], bool]) -> bool:
    """A stop word that begins a longer known name ("United States", "St. Louis")."""
    if not any(map(_CAPITALISED, toks[i + 1 : i + 6])):
        return False  # (a known name ends in a capitalised word: "The report said")
    end = i + 1  # the tokens i..end-1 are joined
    while end < min(len(toks), i + 6):
        if not _in_run(text[toks[end - 1].end : toks[end].start], toks[end - 1]):
            break
        end += 1
    for j in range(end, i + 1, -1):
        if toks[j - 1].capitalised and known(text[toks[i].start : toks[j - 1].end]):
            return True
    return False
