"""What a mention's neighbours in the text and the report's other names say of it (issue 14,
resolution, round 2): lists of one kind, "X, Y" read from Y's side, and a town and a
district holding it that two names of a report may mean. The sentences were written for
these tests."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from placemap.gazetteer import Gazetteer
from placemap.pipeline import Geoparser
from placemap.recognize import Span
from placemap.records import Candidate, Place
from placemap.resolution import resolve_spans


def _places(gaz: Gazetteer, text: str) -> dict[str, Place]:
    return {m.text: m.place for m in Geoparser(gaz).geoparse(text) if m.place is not None}


def test_a_list_of_states_names_states_not_towns_in_them(default_gaz: Gazetteer) -> None:
    # California, Missouri and Oregon, Illinois are towns in states the list names; the
    # list says its items are states.
    found = _places(
        default_gaz,
        "Health officials reported cases in Arizona, Missouri, California, Illinois and "
        "Oregon on Friday.",
    )
    for name in ("Arizona", "Missouri", "California", "Illinois", "Oregon"):
        assert found[name].feature_code == "ADM1", (name, found[name])


def test_the_place_after_a_comma_holds_the_one_before(default_gaz: Gazetteer) -> None:
    found = _places(
        default_gaz,
        "The firm, based in Mississauga, Ontario, sells its goods in California and across "
        "the United States.",
    )
    assert found["Ontario"].feature_code == "ADM1" and found["Ontario"].country_code == "CA"


def test_a_town_and_the_district_holding_it_agree(default_gaz: Gazetteer) -> None:
    # Neither name is sure alone (dozens of Henry Counties, Paris the capital); together
    # they are Paris and Henry County, Tennessee.
    found = _places(
        default_gaz,
        "A Paris man was charged on Monday. The Henry County sheriff said the Paris police "
        "had called him.",
    )
    assert (found["Paris"].country_code, found["Paris"].admin1_name) == ("US", "Tennessee")
    assert found["Henry County"].admin1_name == "Tennessee"
    # A town that the text places in a named district beats a country of the same name.
    found = _places(
        default_gaz,
        "A Lebanon woman was hurt. Boone County deputies said the crash happened north of Lebanon.",
    )
    assert (found["Lebanon"].country_code, found["Lebanon"].admin1_name) == ("US", "Indiana")


def _place(gid: int, name: str, code: str, admin2: str | None, cc: str = "US") -> Place:
    fc = "A" if code.startswith("ADM") else "P"
    lat, lon = 40.0 + gid % 7, -90.0 - gid % 11
    return Place(gid, name, name, lat, lon, fc, code, cc, "TN", "Tenn", admin2, 5_000)


def _span(start: int, text: str) -> Span:
    return Span(start, start + len(text), text, False, False, None, False, False, None)


def test_district_pairs_need_names_matched_as_written() -> None:
    """A town and a district lend each other weight only when both names matched as
    written: a spelling guess joins names world-wide."""
    from placemap.resolution import _district_pairs, _Item

    town = Candidate(_place(1, "Ashby", "PPL", "017"), "exact", 1.0)
    guess = Candidate(_place(2, "Ashbee", "PPL", "021"), "transliteration", 0.9)
    district = Candidate(_place(3, "Hale County", "ADM2", "017"), "exact", 1.0)
    items = [
        _Item(_span(0, "Ashby"), [town, guess]),
        _Item(_span(20, "Hale County"), [district]),
    ]
    towns, districts = _district_pairs(items, ["ashby", "hale county"])
    assert towns == {("US", "TN", "017"): {"ashby"}}
    assert districts == {("US", "TN", "017"): {"hale county"}}


def test_resolve_spans_stays_deterministic_with_links(default_gaz: Gazetteer) -> None:
    text = "Cases in Arizona, Missouri, California and Oregon."
    gp = Geoparser(default_gaz)
    items, n = gp.resolution_items(text, [(9, 16), (18, 26), (28, 38), (43, 49)])
    first = [m.place for m in resolve_spans(default_gaz, items)[:n]]
    again = [m.place for m in resolve_spans(default_gaz, items[::-1])[::-1][:n]]
    assert first == again


def test_a_village_abroad_that_nothing_points_to_is_left_unresolved(
    default_gaz: Gazetteer,
) -> None:
    # The report names Iraq (by its people) and two Iraqi cities: "Taji" is no village
    # of Japan 8,000 km away (whether or not the gazetteer has the Iraqi town).
    text = (
        "Iraqi officials said a car bomb exploded in Taji on Sunday, killing five people. "
        "Police in Baghdad and Mosul were on alert."
    )
    taji = next(m for m in Geoparser(default_gaz).geoparse(text) if m.text == "Taji")
    assert taji.place is None or taji.place.country_code == "IQ"
    if taji.place is None:
        assert "km from the report's places" in taji.reason
        assert taji.candidates[0].place.country_code == "JP"  # the pick set aside, shown
    # Where the report names the village's country, it stays.
    named = _places(default_gaz, "Iraqi officials visited Taiji, Japan, and Baghdad.")
    assert named["Taiji"].country_code == "JP"


def test_x_in_a_country_holds_x(default_gaz: Gazetteer) -> None:
    # "Madaya in Syria" says what "Madaya, Syria" says (a Madaya of Myanmar was chosen).
    found = _places(default_gaz, "Clashes were reported in Madaya in Syria on Tuesday.")
    assert found["Madaya"].country_code == "SY"
    # A place outside the country the text puts it in is not taken: the Balad meant is
    # one the gazetteer lacks, not Balad, Iraq.
    balad = next(
        m
        for m in Geoparser(default_gaz).geoparse("Clashes in Balad in Somalia killed five.")
        if m.text == "Balad"
    )
    assert balad.place is None or balad.place.country_code == "SO"
    if balad.place is None:
        assert balad.reason == "not in Somalia, where the text places it"
        assert balad.candidates[0].place.country_code == "IQ"
    # A country in the possessive holds it too, and is named without its apostrophe.
    text = "Insurgents attacked villages on the road to Balad in Somalia's Hiraan region."
    balad = next(m for m in Geoparser(default_gaz).geoparse(text) if m.text == "Balad")
    assert balad.place is None or balad.place.country_code == "SO"
    if balad.place is None:
        assert balad.reason == "not in Somalia, where the text places it"
    # A region of the name, which has no division's codes, may hold it: Zakho lies in
    # Iraqi Kurdistan, though the only division called Kurdistan is Iran's.
    text = "Yazidis remain in camps around Dohuk and Zakho in the Kurdistan region of Iraq."
    assert _places(default_gaz, text)["Zakho"].country_code == "IQ"
    # The words make no place: an organisation "in Syria" stays none, a country "in"
    # another keeps its own ("U.S. troops in Iraq").
    assert "Hezbollah" not in _places(default_gaz, "Hezbollah in Syria fought on.")
    assert _places(default_gaz, "U.S. troops in Iraq were attacked.")["U.S."].country_code == "US"


_CODES = st.sampled_from(["PCLI", "PCLD", "ADM1", "ADM2", "PPL", "PPLA", "RGN"])


@st.composite
def _random_place(draw: st.DrawFn) -> Place:
    code = draw(_CODES)
    return Place(
        draw(st.integers(1, 6)),  # few ids: a place may be its own outer
        "X",
        "X",
        0.0,
        0.0,
        "A" if code.startswith(("ADM", "PCL")) else "P",
        code,
        draw(st.sampled_from(["US", "CA", None])),
        draw(st.sampled_from(["01", "02", None])),
        None,
        draw(st.sampled_from(["001", "002", "", None])),
    )


@settings(max_examples=300, deadline=None)
@given(outer=_random_place(), inner=st.lists(_random_place(), max_size=8))
def test_the_places_a_division_holds_are_looked_up_as_compared(
    outer: Place, inner: list[Place]
) -> None:
    """The candidates listed by the key of what holds them are those _holds finds one by
    one."""
    from placemap.resolution import _held_by, _holds

    cands = [Candidate(p, "exact", 1.0) for p in inner]
    assert _held_by(outer, cands) == [k for k, c in enumerate(cands) if _holds(outer, c.place)]


def test_a_compass_word_places_a_name_in_its_part_of_the_country(
    default_gaz: Gazetteer,
) -> None:
    # Lviv and Lutsk near the other Mykolaiv pulled "Nikolaev" to it; the text says the
    # southern port, and the headline's "Nikolaev" is the same place.
    text = (
        "Russia shells Nikolaev port\n"
        "Missiles struck the southern port of Nikolaev, officials said. Strikes also hit "
        "a base near Lvov and an oil depot near Lutsk."
    )
    found = [m for m in Geoparser(default_gaz).geoparse(text) if m.text == "Nikolaev"]
    assert len(found) == 2
    assert all(m.place is not None and m.place.population > 100_000 for m in found)


def test_a_peoples_name_before_a_place_makes_no_longer_name(default_gaz: Gazetteer) -> None:
    # "Indian Kashmir" was one unknown name: neither word was read.
    assert "Kashmir" in _places(default_gaz, "Militants kill three soldiers in Indian Kashmir")
    assert "Crimea" in _places(default_gaz, "Ukrainian drones hit Russian Crimea ports.")
    # Not for a frequent English word after it: an organisation's name.
    assert "Centre" not in _places(default_gaz, "The European Centre for Disease Prevention.")


def test_a_citys_possessive_holds_the_name_after_it(default_gaz: Gazetteer) -> None:
    # "Mogadishu's Lido" is a beach of Mogadishu, no Lido of Italy (which was chosen).
    for text in (
        "Militants storm a hotel in Mogadishu's Lido beach.",
        "In Mogadishu's Lido beach, militants stormed a hotel.",  # "In" is no part of it
    ):
        lido = _places(default_gaz, text).get("Lido")
        assert lido is None or lido.country_code == "SO"
    # A district the gazetteer has stays: Sadr City, Baghdad.
    sadr = _places(default_gaz, "Rockets hit Baghdad's Sadr City.")["Sadr City"]
    assert sadr.country_code == "IQ"


def test_a_part_of_a_city_lies_in_or_near_it(default_gaz: Gazetteer) -> None:
    # "the X district of Y": X is a part of the city Y. A Kirovsky raion of Leningrad oblast
    # (1,400 km away) and a Kyivskyi village of Poltava oblast were chosen.
    for text, name in (
        ("Shells hit the Kirovsky district of Donetsk, Ukraine.", "Kirovsky"),
        ("A missile hit the Kyivskyi district of Kharkiv on Sunday.", "Kyivskyi"),
    ):
        place = _places(default_gaz, text).get(name)
        assert place is None, (name, place)
    # Parts the gazetteer has, and districts of the division of the city's name, stay.
    found = _places(default_gaz, "A drone hit a bus stop in the Antonivka district of Kherson.")
    assert found["Antonivka"].admin1_name == "Khersonska oblast"
    assert found["Kherson"].feature_class == "P"
    found = _places(default_gaz, "Shelling hit the Kupiansk district of Kharkiv.")
    assert found["Kupiansk"].admin1_name == "Kharkivska oblast"
    assert _places(default_gaz, "Protests spread in the Bronx borough of New York.")["Bronx"]


def test_a_place_outside_its_possessor_is_left_unresolved(default_gaz: Gazetteer) -> None:
    # "Kharkiv's Shevchenkivskyi district": a village of that name in Luhansk region is
    # not it (the gazetteer lacks the city district).
    text = "A bomb struck a building in Kharkiv's Shevchenkivskyi district."
    m = next(m for m in Geoparser(default_gaz).geoparse(text) if m.text == "Shevchenkivskyi")
    assert m.place is None or m.place.admin1_name == "Kharkivska oblast"
    # A place of a country bordering the possessor's stays: contested ground.
    assert "Sevastopol" in _places(default_gaz, "Drones hit Russia's Sevastopol.")


def test_a_type_word_before_a_longer_name_is_that_names(default_gaz: Gazetteer) -> None:
    # "the mountain towns of Chimney Rock" (a town the gazetteer lacks): "towns of" said
    # "Rock" was a town, and it was Rockville, Connecticut, by one of its names.
    text = "Flooding destroyed the mountain towns of Chimney Rock and Lake Lure, North Carolina."
    found = _places(default_gaz, text)
    assert "Rock" not in found and found["Lake Lure"].admin1_name == "North Carolina"
    # A name the type word stands right before keeps it.
    assert _places(default_gaz, "Fighting went on in the town of Al Qaim.")["Al Qaim"]
