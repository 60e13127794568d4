"""Recognition on its own: tokens, spotted spans and the evidence around them, with a
set of known names standing in for the gazetteer."""

from __future__ import annotations

from placemap.normalize import fold
from placemap.recognize import Span, datelines, describe_span, person_names, spot, tokenize

KNOWN = {
    fold(n) for n in ["Baghdad", "Mosul", "Iraq", "Syria", "Aleppo", "Deir ez-Zor", "New York"]
}


def known(name: str) -> bool:
    return fold(name) in KNOWN


def spans(text: str) -> dict[str, Span]:
    return {sp.text: sp for sp in spot(text, known)}


def test_a_line_break_or_a_spaced_dash_ends_a_name() -> None:
    # Headlines joined by line breaks, a source after a spaced dash: no longer name.
    found = spans("Three killed in Baghdad\nAttacks kill five in Mosul - Iranian TV")
    assert not found["Baghdad"].in_longer_name
    assert not found["Mosul"].in_longer_name
    # Words on one line, or joined by a bare hyphen, still make one name.
    assert spans("The Baghdad Times said")["Baghdad"].in_longer_name
    assert "Deir ez-Zor" in spans("Fighting in Deir ez-Zor")


def words(text: str, splits=None) -> list[str]:  # type: ignore[no-untyped-def]
    return [t.text for t in tokenize(text, splits)]


def test_hyphenated_words_keep_their_capitalised_core() -> None:
    assert words("UPDATE 2-Ukraine forces") == ["UPDATE", "Ukraine", "forces"]
    assert words("U.S.-led strikes") == ["U.S.", "led", "strikes"]
    assert words("Syria-based activists") == ["Syria", "based", "activists"]
    assert words("pro-Russia rebels") == ["pro", "Russia", "rebels"]
    assert words("Islamic State-held Ramadi") == ["Islamic", "State", "held", "Ramadi"]
    # A lowercase article stays with its name; lowercase words stay whole.
    assert words("Deir ez-Zor, al-Assad's") == ["Deir", "ez-Zor", "al-Assad"]
    assert words("self-proclaimed") == ["self-proclaimed"]


def test_a_compound_of_names_is_split_only_when_the_caller_says_so() -> None:
    assert words("Syria-Turkey border") == ["Syria-Turkey", "border"]
    split = tokenize("Syria-Turkey border", lambda core: core == "Syria-Turkey")
    assert [(t.text, t.part) for t in split] == [
        ("Syria", True),
        ("Turkey", True),
        ("border", False),
    ]
    # The names of a compound do not make each other part of a longer name.
    found = {sp.text: sp for sp in spot("Syria-Turkey border", known, tokens=split)}
    assert not found["Syria"].in_longer_name
    assert words("Deir ez-Zor", lambda core: True) == ["Deir", "ez-Zor"]  # one capital


def test_a_given_span_comes_back_exactly_as_given() -> None:
    text = "Paducah, Ky. lies far from the Syria-Turkey border."
    for start, end in [(9, 12), (31, 36), (37, 43)]:
        span = describe_span(text, start, end)
        assert (span.start, span.end, span.text) == (start, end, text[start:end])
    ky = describe_span(text, 9, 12)
    assert ky.after_comma_name  # the evidence around it is kept
    assert describe_span(text, 31, 36).prev_word == "the"
    assert describe_span(text, 37, 43).next_word == "border"


def test_people_are_named_by_full_names_and_titles() -> None:
    text = (
        "President Bashar al-Assad met UN envoy Staffan de Mistura. "
        "Capt. Roy A. Nelson said Gordon Brown agreed. Officials in Aleppo Syria met."
    )
    people = person_names(text, tokenize(text), known, lambda w: False)
    assert {"al-Assad", "Assad", "Mistura", "Nelson", "Brown"} <= people
    assert "Syria" not in people  # a run that starts with a place is no one's name


def test_a_famous_place_is_a_surname_only_after_a_title() -> None:
    def famous(name: str) -> bool:
        return name == "Jordan"

    def people(text: str) -> set[str]:
        return person_names(text, tokenize(text), known, lambda w: False, famous=famous)

    assert people("Michael Jordan played. John Kerry flew.") == {"Kerry"}
    assert people("King Abdullah of Jordan met Prince Jordan.") == {"Abdullah", "Jordan"}


def test_a_title_case_headline_is_no_name() -> None:
    text = "Donbas Volunteer Battalion Tells About Karlovka Battle"
    assert "Karlovka" not in person_names(text, tokenize(text), known, lambda w: False)


def test_capitals_say_nothing_in_title_case_and_capital_lines() -> None:
    def plain(word: str) -> bool:
        return word in {"clashes", "die", "destroys", "building", "northern", "near"}

    text = "Over 20 Terrorists Die In Mosul Clashes\nTURKEY DESTROYS BUILDING IN NORTHERN IRAQ"
    found = {sp.text: sp for sp in spot(text, known, plain=plain)}
    assert not found["Mosul"].in_longer_name
    assert not found["IRAQ"].in_longer_name
    # In a sentence, a capitalised word after a name still makes a longer name.
    found = {sp.text: sp for sp in spot("The Mosul Clashes were long.", known, plain=plain)}
    assert found["Mosul"].in_longer_name


def test_numbers_and_directions_before_a_name_make_no_longer_name() -> None:
    found = spans("Three Baghdad car bombs\nHe moved to North Iraq, then to Iraq PM office.")
    assert not found["Baghdad"].in_longer_name
    iraqs = [sp for sp in spot("to North Iraq and Iraq PM", known) if sp.text == "Iraq"]
    assert len(iraqs) == 2 and not any(sp.in_longer_name for sp in iraqs)
    assert spans("Radio Baghdad said")["Baghdad"].in_longer_name


def test_plural_town_words_and_ports_before_of_mark_towns() -> None:
    found = spans("Troops took the towns of Mosul, Aleppo and Baghdad.")
    assert [found[n].type_cue for n in ("Mosul", "Aleppo", "Baghdad")] == ["town"] * 3
    assert spans("Ships left the port of Mosul")["Mosul"].type_cue == "town"
    # A capital of a country is no town cue ("the capital of Iraq").
    assert spans("the capital of Iraq")["Iraq"].type_cue is None


def test_wire_datelines_are_marked() -> None:
    text = (
        "Headline of the day\n"
        "BAGHDAD (Reuters) - Bombs hit the city.\n"
        "MOSUL, Iraq, July 8 (AP) \u2014 More.\n"
        "SYRIA At least ten died.\n"
        "Baghdad (Reuters) - A name as names are written.\n"
        "UPDATE 2-Iraq forces advance. TURKEY DESTROYS BUILDING\n"
    )
    marked = [sp.text for sp in spot(text, known) if sp.dateline]
    assert marked == ["BAGHDAD", "MOSUL", "SYRIA", "Baghdad"]
    # Only the start of a line opens a dateline, and a dash or a sentence must follow.
    assert not any(sp.dateline for sp in spot("In BAGHDAD (Reuters) - x", known))
    assert datelines("The city of BAGHDAD (Reuters) - x\nIRAQ BUILDING DESTROYED") == {}


def test_a_locative_word_holds_across_a_wrapped_line() -> None:
    # Plain-text reports are often wrapped: "officials in" ends a line, "Izium said" opens
    # the next, and the town is still where the officials are.
    text = "Further south, officials in\nBaghdad said power had been restored."
    assert spans(text)["Baghdad"].locative_cue
