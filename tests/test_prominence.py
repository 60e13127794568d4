"""Prominence, report focus and context that cannot run away (issue 14, resolution).

The report below was written for these tests in the style of a wire story: it is about
Syria, and also names the United States, Washington and Geneva. On the old resolver every
"Palmyra" went to Palmyra, New York, and "Geneva" to Geneva, New York: the doubtful US picks
formed a cluster that the distance feature rewarded.
"""

from __future__ import annotations

import csv
import dataclasses
from collections import Counter
from importlib import resources

import pytest

from placemap import ranking
from placemap.gazetteer import Gazetteer
from placemap.pipeline import Geoparser
from placemap.ranking import exonym_score, fame_score, rank
from placemap.recognize import Span
from placemap.records import Candidate, Place
from placemap.resolution import WEIGHTS, _world_city, resolve_spans

TADMUR, PALMYRA_NY, GENEVA_CH, GENEVA_NY = 163808, 5130441, 2660646, 5118398

REPORT = """Syrian army pushes toward Palmyra as Geneva talks stall

BEIRUT (Reuters) - Syrian government forces backed by Russian air strikes advanced on \
Sunday to within a few kilometres of Palmyra, the desert city held by Islamic State since \
May, a monitoring group and Syrian state media said.

The army took hills overlooking Palmyra from the west after days of heavy bombardment. \
Islamic State fighters blew up the Arch of Triumph in Palmyra last year.

In Geneva, the U.N. envoy said talks between the Syrian government and the opposition would \
resume next week. Washington and Moscow, which brokered a cessation of hostilities in Syria \
last month, urged both sides to return. The United States said it welcomed any defeat for \
Islamic State in Palmyra.

Palmyra had about 50,000 people before the war. Syria's antiquities chief said experts \
would assess the damage in Palmyra once the army secured it. Residents who fled Palmyra \
to Homs said they were waiting to go home. Fighting around Palmyra has displaced thousands, \
the United Nations said in Geneva. Syria has been at war for five years.
"""


def ranked_ids(gaz: Gazetteer, name: str) -> list[int]:
    return [c.place.geonameid for c in rank(gaz.lookup(name))]


# --- the prior ----------------------------------------------------------------------


def test_an_exonym_counts_as_a_primary_name(default_gaz: Gazetteer) -> None:
    # "Palmyra" is an alternate name of Tadmur and the primary name of a dozen US towns.
    assert ranked_ids(default_gaz, "Palmyra")[0] == TADMUR
    assert ranked_ids(default_gaz, "Geneva")[0] == GENEVA_CH
    assert ranked_ids(default_gaz, "Cologne")[0] == 2886242  # Köln
    assert ranked_ids(default_gaz, "Kiev")[0] == 703448  # Kyiv


def test_a_lone_former_name_stays_an_alternate(default_gaz: Gazetteer) -> None:
    # Mason, Ohio (33,000 people) lists "Palmyra" once, as a former name: below Tadmur,
    # which GeoNames knows as Palmyra, Palmyre, Palmira, Пальмира...
    by_id = {c.place.geonameid: c for c in default_gaz.lookup("Palmyra")}
    assert by_id[TADMUR].spellings >= 4 and exonym_score(by_id[TADMUR]) == 1.0
    assert by_id[4517698].match == "alternate" and exonym_score(by_id[4517698]) == 0.0


def test_the_index_counts_each_places_names(default_gaz: Gazetteer) -> None:
    geneva, namesake = default_gaz.place(GENEVA_CH), default_gaz.place(GENEVA_NY)
    assert geneva is not None and namesake is not None
    assert geneva.names > 3 * namesake.names > 0
    assert fame_score(geneva) > fame_score(namesake)


def _place(gid: int, code: str = "PPL", names: int = 0, population: int = 0) -> Place:
    return Place(gid, "X", "X", 0.0, 0.0, code[:1] if code == "ADM1" else "P", code, "SY",
                 population=population, names=names)


def test_fame_and_exonym_scores_are_bounded_and_monotonic() -> None:
    scores = [fame_score(_place(1, names=n)) for n in (0, 3, 10, 50, 120, 5000)]
    assert scores[0] == scores[1] == 0.0 and scores[-1] == 1.0
    assert scores == sorted(scores)
    assert fame_score(Place(2, "Syria", "Syria", 35, 38, "A", "PCLI", "SY")) == 1.0
    alt = [Candidate(_place(1), "alternate", 1.0, spellings=n) for n in (0, 1, 2, 4, 9)]
    assert [exonym_score(c) for c in alt] == [0.0, 0.0, pytest.approx(1 / 3), 1.0, 1.0]


# --- points ---------------------------------------------------------------------------


def test_countries_and_divisions_stand_at_their_listed_points(default_gaz: Gazetteer) -> None:
    canada = default_gaz.country("CA")  # GeoNames: 60.10867, -113.64258; Factbook 60, -95
    assert canada is not None and (canada.lat, canada.lon) == (60.10867, -113.64258)
    rows = resources.files("placemap._sources") / "admin1_points.csv"
    points = {int(r["geonameid"]): r for r in csv.DictReader(rows.read_text().splitlines())}
    homs = default_gaz.place(169575)  # Homs governorate
    assert homs is not None and 169575 in points
    assert (homs.lat, homs.lon) == (float(points[169575]["lat"]), float(points[169575]["lon"]))


# --- context --------------------------------------------------------------------------


def _picks(gp: Geoparser, text: str) -> Counter[tuple[str, str | None]]:
    return Counter(
        (m.text, m.place.country_code if m.place else None)
        for m in gp.geoparse(text)
        if m.text in ("Palmyra", "Geneva")
    )


def test_a_report_about_syria_keeps_palmyra_and_geneva_where_they_are(
    default_gaz: Gazetteer,
) -> None:
    picks = _picks(Geoparser(default_gaz), REPORT)
    assert picks == {("Palmyra", "SY"): 9, ("Geneva", "CH"): 3}


def test_doubtful_picks_do_not_pull_each_other(
    default_gaz: Gazetteer, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Without the exonym and fame parts of the prior, "Palmyra" and "Geneva" are close
    # calls between Syria/Switzerland and New York: the report's context must decide, and
    # the two doubtful New York picks must not vouch for each other.
    monkeypatch.setattr(ranking, "EXONYM_SPELLINGS", 10**6)
    weights = dataclasses.replace(WEIGHTS, prior_fame=0.0)
    picks = _picks(Geoparser(default_gaz, weights=weights), REPORT)
    assert picks == {("Palmyra", "SY"): 9, ("Geneva", "CH"): 3}


def _town(gid: int, cc: str, lat: float, lon: float, pop: int) -> Place:
    return Place(gid, "T", "T", lat, lon, "P", "PPL", cc, population=pop)


def _span(start: int, text: str, *, dateline: bool = False) -> Span:
    return Span(start, start + len(text), text, False, False, None, False, False, None,
                dateline=dateline)


def test_the_title_and_dateline_count_more_than_the_body(default_gaz: Gazetteer) -> None:
    # A name with a town in each of two countries, and each country named once: the one
    # named in the dateline is the report's focus.
    jordan = Place(248816, "Jordan", "Jordan", 31, 36, "A", "PCLI", "JO")
    lebanon = Place(272103, "Lebanon", "Lebanon", 33.8, 35.8, "A", "PCLI", "LB")
    twin = [
        Candidate(_town(1, "JO", 31.0, 36.5, 20_000), "exact", 1.0),
        Candidate(_town(2, "LB", 33.5, 35.5, 20_000), "exact", 1.0),
    ]

    def pick(dateline_country: Place, body_country: Place) -> str | None:
        items = [
            (_span(0, dateline_country.name, dateline=True),
             [Candidate(dateline_country, "exact", 1.0)], "toponym"),
            (_span(900, "Twin"), twin, "toponym"),
            (_span(1500, body_country.name), [Candidate(body_country, "exact", 1.0)], "toponym"),
        ]
        m = resolve_spans(default_gaz, items)[1]
        return m.place.country_code if m.place else None

    assert pick(jordan, lebanon) == "JO"
    assert pick(lebanon, jordan) == "LB"


def test_a_spelling_guess_outside_the_reports_countries_stays_unresolved(
    default_gaz: Gazetteer,
) -> None:
    # A report about Syria that names Russia once: a name matched only through its
    # transliteration key to a Russian hamlet is left unresolved; the same hamlet matched
    # by its own name is taken.
    syria = Place(163843, "Syria", "Syria", 35, 38, "A", "PCLI", "SY")
    russia = Place(2017370, "Russia", "Russia", 60, 100, "A", "PCLI", "RU")
    hamlet = _town(3, "RU", 42.2, 46.0, 655)

    def pick(match: str, similarity: float) -> Place | None:
        items = [
            (_span(i * 100, "Syria"), [Candidate(syria, "exact", 1.0)], "toponym")
            for i in range(3)
        ]
        items.append((_span(400, "Russia"), [Candidate(russia, "exact", 1.0)], "toponym"))
        items.append((_span(500, "Hamlet"), [Candidate(hamlet, match, similarity)], "toponym"))
        return resolve_spans(default_gaz, items)[-1].place

    assert pick("transliteration", 0.8) is None
    assert pick("exact", 1.0) == hamlet


def test_the_cutoff_follows_the_scale_of_the_prior() -> None:
    w = dataclasses.replace(WEIGHTS, threshold=0.3)
    assert w.cutoff == pytest.approx(0.3 * max(1.0, sum(w.prior_mix)))
    half = dataclasses.replace(w, prior_match=0.1, prior_population=0.1, prior_type=0.1)
    assert half.cutoff == 0.3


def test_a_province_outranks_a_village_of_no_people_named_like_it(
    default_gaz: Gazetteer,
) -> None:
    # "Xinjiang" is also a village of no recorded population inside the region: the
    # region (12 million people) comes first; a seat still outranks its province ("Homs")
    assert rank(default_gaz.lookup("Xinjiang"))[0].place.feature_code == "ADM1"
    homs = [c.place for c in rank(default_gaz.lookup("Homs")) if c.place.country_code == "SY"]
    assert homs[0].feature_class == "P" and homs[1].feature_code == "ADM1"


def test_countries_by_the_short_names_news_uses(default_gaz: Gazetteer) -> None:
    # "Bosnia" was dropped as a spelling guess (Pasni, Pakistan); "Congo" alone had only
    # the smaller Republic of the Congo; "St. Lucia" found only a village in South Africa
    gp = Geoparser(default_gaz)
    found = {m.text: m for m in gp.geoparse("Serbia and Bosnia met in Sarajevo.")}
    assert found["Bosnia"].place.country_code == "BA"
    goma = {m.text: m for m in gp.geoparse("GOMA, Congo (AP) - Rebels advanced.")}
    assert goma["Congo"].place.country_code == "CD"
    brazza = {m.text: m for m in gp.geoparse("BRAZZAVILLE, Congo (AP) - Voters went out.")}
    assert brazza["Congo"].place.country_code == "CG"
    assert "LC" in {c.place.country_code for c in default_gaz.lookup("St. Lucia")}
    assert "US" in {c.place.country_code for c in default_gaz.lookup("Saint Louis")}


def test_a_compass_point_in_one_word_or_two(default_gaz: Gazetteer) -> None:
    # "Bamenda, Northwest region": Cameroon's North-West (it was a village in North
    # Carolina called Northwest)
    assert "CM" in {c.place.country_code for c in default_gaz.lookup("Northwest")}
    gp = Geoparser(default_gaz)
    found = {m.text: m for m in gp.geoparse("Separatists kill 6 in Bamenda, Northwest region")}
    assert found["Northwest"].place.country_code == "CM"
    assert found["Northwest"].place.feature_code == "ADM1"



# --- world cities and their small namesakes ---------------------------------------------


def _where(gp: Geoparser, text: str, name: str) -> tuple[str | None, str | None]:
    m = next(m for m in gp.geoparse(text) if m.text == name)
    return (m.place.country_code, m.place.admin1_name) if m.place else (None, None)


@pytest.mark.parametrize(
    ("text", "name", "where"),
    [
        # A state named in passing makes the country likelier, not a town of 2,000
        # people likelier than London.
        ("The charity gala was held in London. The money goes to hospitals in Arkansas.",
         "London", ("GB", "England")),
        ("The conference opened in Sydney on Monday. Delegates flew in from Ohio and Texas.",
         "Sydney", ("AU", "New South Wales")),
        # A state of the name competes with the capital: the context decides between
        # them, and the town of the name in a state the report names is neither.
        ("Senators from Georgia and Texas met allies in Paris. The senator said "
         "Washington expected Europe to do more.", "Washington", ("US", "District of Columbia")),
        # A town known by the name only as one of its other names (Anantnag lists
        # "Islamabad" once) is no rival of the capital, however large.
        ("Officials in Islamabad said heavy rain in Jammu and Kashmir set off a landslide.",
         "Islamabad", ("PK", "Islamabad")),
        # A list after the name is no "Cairo, Illinois".
        ("Voters in Michigan and Georgia are undecided. The envoy had returned from "
         "Cairo, Doha and Tel Aviv.", "Cairo", ("EG", "Al Qāhirah")),
        # A first-level division of millions, named as it is called, is a world city's
        # like: a US village that the text names (Arrochar, New York) does not make
        # "Scotland" a town of Pennsylvania.
        ("In Scotland, a landslip closed the A83 near Arrochar.", "Scotland",
         ("GB", "Scotland")),
    ],
)
def test_a_world_city_outranks_its_small_namesakes_in_a_state_named_in_passing(
    default_gaz: Gazetteer, text: str, name: str, where: tuple[str, str]
) -> None:
    assert _where(Geoparser(default_gaz), text, name) == where


@pytest.mark.parametrize(
    ("text", "name", "admin1"),
    [
        # Towns the text names near it place the town.
        ("Police in London said the fire started in a barn. Crews from Corbin and "
         "Somerset helped put it out.", "London", "Kentucky"),
        # So does its state named again and again.
        ("The Paris school board met on Tuesday. Illinois officials said an Illinois "
         "grant would pay for the new roof.", "Paris", "Illinois"),
        # And the name's own words.
        ("Firefighters in Dublin, Ohio, put out a fire on Tuesday.", "Dublin", "Ohio"),
    ],
)
def test_a_town_the_text_places_keeps_a_world_citys_name(
    default_gaz: Gazetteer, text: str, name: str, admin1: str
) -> None:
    assert _where(Geoparser(default_gaz), text, name) == ("US", admin1)



def test_a_former_name_does_not_make_a_world_city(default_gaz: Gazetteer) -> None:
    # GeoNames lists "Salisbury" among Harare's names (its colonial name) and "Alexandria"
    # among Mashhad's: neither city outranks the towns so named, nor the other Alexandria.
    harare = next(c for c in default_gaz.lookup("Salisbury") if c.place.geonameid == 890299)
    assert harare.match == "alternate" and not _world_city(harare)
    alexandrias = {c.place.geonameid: c for c in default_gaz.lookup("Alexandria")}
    assert _world_city(alexandrias[361058])  # Alexandria, Egypt
    assert 124665 not in alexandrias or not _world_city(alexandrias[124665])  # Mashhad


def test_a_peoples_forces_do_not_confine_spelling_guesses_to_their_country(
    default_gaz: Gazetteer,
) -> None:
    # Spelling guesses keep only candidates in the countries a report names: "Israeli
    # jets" named Israel, and Hodeidah (Al Hudaydah, 734,699 people) was left without one.
    text = "Israeli jets struck the Houthi-held port of Hodeidah on Saturday."
    assert _where(Geoparser(default_gaz), text, "Hodeidah")[0] == "YE"
    text = "Iranian drones were launched from near Deir Ezzor, officials said."
    assert _where(Geoparser(default_gaz), text, "Deir Ezzor")[0] == "SY"


def test_a_peoples_forces_keep_only_close_spelling_guesses_of_cities_elsewhere(
    default_gaz: Gazetteer,
) -> None:
    # Where only a people's forces name a country, a guess of a city of 100,000 anywhere
    # stayed: "Khiam" (a Lebanese border town the gazetteer lacks) shares its consonants
    # with Hamm, Germany (178,967 people), and was pinned there. Far from every country
    # the report names, a guess must match as closely as one across a border.
    text = "Hezbollah fighters clash with Israeli troops near Khiam"
    found = [m for m in Geoparser(default_gaz).geoparse(text) if m.text == "Khiam"]
    assert all(m.place is None for m in found)
    assert [m.place.country_code for m in Geoparser(default_gaz).geoparse(text) if m.place] == [
        "IL"
    ]
    # (Hodeidah matches Al Hudaydah's key exactly, and stays: see the test above)


def test_a_peoples_forces_keep_other_names_of_places_in_their_country(
    default_gaz: Gazetteer,
) -> None:
    # "Fallujah" is only another name of Al Fallujah (190,000 people): in a report that
    # names the US outright and Iraq only as "Iraqi forces", the Iraqi city was dropped
    # as an other name of a place outside the countries named, as no spelling guess is.
    text = (
        "Iraqi forces retook Tikrit; a U.S. spokesman in Tampa, Florida, said jets struck "
        "targets near Ramadi and Fallujah."
    )
    assert _where(Geoparser(default_gaz), text, "Fallujah")[0] == "IQ"


@pytest.mark.parametrize(
    ("text", "name", "where"),
    [
        # "Russian troops" say whose troops, not where they are: the front-line town in
        # Ukraine, not the village of the name in Russia's Astrakhan oblast. (Alone,
        # "near Liman." still goes to Russia: the weaker vote decides a close race.)
        ("Russian troops advanced near Liman and Seversk.", "Liman", ("UA", "Donetska oblast")),
        # A demonym that names no force still votes in full.
        ("Russian officials visited Liman and Seversk.", "Liman", ("RU", "Astrakhanskaya oblast'")),
    ],
)
def test_a_demonym_before_a_force_counts_less_for_where_places_are(
    default_gaz: Gazetteer, text: str, name: str, where: tuple[str, str]
) -> None:
    assert _where(Geoparser(default_gaz), text, name) == where


@pytest.mark.parametrize(
    ("text", "name", "where"),
    [
        # A city known the world over (52 names in the index, 201,741 people) is no
        # longer lost to a town of 21,000 when the report names the United States.
        ("The U.S. envoy flew to Geneva on Friday.", "Geneva", ("CH", "Genève")),
        ("The U.S. envoy flew from Washington to Naples on Friday.", "Naples", ("IT", "Campania")),
        # Beside such a city (not a capital, not a city of a million) the town's state
        # named once places the town.
        ("Bomb squad called to Richmond's east side. Indiana officials said the "
         "Richmond storage unit was cleared.", "Richmond", ("US", "Indiana")),
    ],
)
def test_a_city_known_the_world_over_outranks_small_namesakes(
    default_gaz: Gazetteer, text: str, name: str, where: tuple[str, str]
) -> None:
    assert _where(Geoparser(default_gaz), text, name) == where


def test_an_oblast_named_elsewhere_does_not_draw_a_village_from_beside_a_sure_town(
    default_gaz: Gazetteer,
) -> None:
    # Red team (accuracy round 5, cause 1): a division named anywhere lifted every
    # namesake in it; "Luhansk Oblast" in the next sentence moved Ivanivske 75 km from
    # beside Bakhmut. The division of a sure town counts as named too, for villages.
    gp = Geoparser(default_gaz)
    base = "Russian forces attacked near Ivanivske, southwest of Bakhmut."
    assert _where(gp, base, "Ivanivske") == ("UA", "Donetska oblast")
    text = f"{base} Separately, drones hit Luhansk Oblast."
    assert _where(gp, text, "Ivanivske") == ("UA", "Donetska oblast")


@pytest.mark.parametrize(
    "text",
    [
        "DONETSK (TASS) - The Vostok group inflicted losses on Ukrainian units near Ugledar.",
        "Houthi-run Al-Masirah TV said strikes hit Hodeidah.",
        "Fighting continued in Donetska oblast. Contact: Victoria Hamilton, OCHA Ukraine, Kyiv.",
        # A contact's line: name, comma, post ("Officer" is a town of Victoria, Australia).
        "Heavy rains continued in Sindh, Pakistan.\n\nFor further information, please "
        "contact:\nJordan Lincoln, Head of Office, OCHA Pakistan, Islamabad\n"
        "Florence Austin, Public Information Officer, Geneva\n",
    ],
)
def test_groups_and_contacts_named_like_places_are_no_places(
    default_gaz: Gazetteer, text: str
) -> None:
    # "Vostok" matched Skhidni Kvartaly, Al-Masirah a village in the West Bank, "Victoria
    # Hamilton" was Hamilton, Victoria (AU). (A city so named stays: "the Cambridge group".)
    found = {m.text for m in Geoparser(default_gaz).geoparse(text)}
    assert not found & {"Vostok", "Al-Masirah", "Victoria", "Hamilton", "Lincoln", "Austin",
                        "Officer"}
    if "Jordan Lincoln" in text:  # the offices after the posts stay places
        assert {"Islamabad", "Geneva"} <= found
    assert "Cambridge" in {m.text for m in Geoparser(default_gaz).geoparse(
        "He leads the Cambridge group of the society.")}


def test_a_sentence_opening_with_a_place_and_a_post_is_no_contacts_line(
    default_gaz: Gazetteer,
) -> None:
    # Red team (accuracy round 8, cause A): "In Washington, Secretary of State ..." was
    # read as a contact's line ("In Washington" the name), and Washington went.
    text = (
        "Russian drones hit the port of Odesa overnight, officials said.\n\n"
        "In Washington, Secretary of State Antony Blinken pledged more air defense systems."
    )
    assert "Washington" in {m.text for m in Geoparser(default_gaz).geoparse(text)}


@pytest.mark.parametrize(
    ("dateline", "name"),
    [("MOSCOW, Aug 21 (Reuters) - ", "Krasnooktyabrskoye"), ("KYIV, Ukraine (AFP) - ", "Synkivka")],
)
def test_a_dateline_does_not_keep_a_spelling_guess_near_it(
    default_gaz: Gazetteer, dateline: str, name: str
) -> None:
    # Red team (accuracy round 5, cause 4): a guess far from the report's places is left
    # unresolved, but one near the dateline's city stayed (a village by Sudzha pinned in
    # Moscow, one by Kupiansk in Kyiv oblast): the dateline says where it was filed.
    text = {
        "Krasnooktyabrskoye": "Russia said its forces repelled attacks near Krasnooktyabrskoye, "
        "between Sudzha and Korenevo, and sent reserves to Lgov.",
        "Synkivka": "Russian troops attacked near Synkivka and Petropavlivka, close to Kupiansk.",
    }[name]
    found = {m.text: m for m in Geoparser(default_gaz).geoparse(dateline + text)}
    assert found[name].place is None
