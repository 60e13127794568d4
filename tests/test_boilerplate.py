"""Menus and breadcrumb trails at the top of scraped texts: no title, no places."""

from __future__ import annotations

import pytest

from placemap.boilerplate import (
    credit_lines,
    headline_lines,
    is_boilerplate,
    link_lists,
    menu_lines,
)
from placemap.gazetteer import Gazetteer
from placemap.pipeline import Geoparser
from placemap.readers import guess_title_date


@pytest.mark.parametrize(
    "line",
    [
        "Home News Politics Economy World Society Sports Photo Video",
        "Home | World | Middle East | Sport | Opinion",
        "News › Europe › Ukraine",
        "Home > World > Asia",
        "Politics • Economy • Kyiv • Kharkiv • Odesa",
        "Home  >  News  >  Middle East & North Africa",  # a trail's item of many words
        "Accueil  Politique  Sécurité  Economie  Sport",  # a French site's menu
        "Menu  Search  Subscribe",  # a short row, every word a menu's
    ],
)
def test_menus_and_trails_are_boilerplate(line: str) -> None:
    assert is_boilerplate(line)


@pytest.mark.parametrize(
    "line",
    [
        "Israeli strikes hit south Lebanon as Hezbollah fires rockets",
        "Ukraine war latest | Kyiv hit by drones overnight",
        "CAIRO/JERUSALEM (Reuters) - Egyptian mediators met envoys on Monday.",
        "Fighting in Idlib, Hama and Aleppo",
        "Syria | Damascus | Islamic State | Aleppo | Homs",  # tags: the report's places
        "Home is where the war is: Gaza's families return",
        "X | Twitter's new owner visits Kyiv",
        "Kyiv News",
        "Sport in Kyiv",
    ],
)
def test_headlines_are_not(line: str) -> None:
    assert not is_boilerplate(line)


def test_a_menu_line_is_neither_the_title_nor_a_place(default_gaz: Gazetteer) -> None:
    text = (
        "Home | World | Middle East | Sport | Opinion\n"
        "Israeli strikes hit south Lebanon\n"
        "BEIRUT (Reuters) - Israeli aircraft struck targets near Marjayoun.\n"
    )
    title, _date = guess_title_date(text)
    assert title == "Israeli strikes hit south Lebanon"
    assert menu_lines(text) == [(0, 44)]
    found = [m.text for m in Geoparser(default_gaz).geoparse(text)]
    assert "Middle East" not in found and {"Lebanon", "BEIRUT", "Marjayoun"} <= set(found)


def test_only_the_top_of_a_text_is_looked_at() -> None:
    text = "Israeli strikes hit south Lebanon\n" * 8 + "Home | World | Middle East\n"
    assert menu_lines(text) == []


def test_a_list_of_links_to_other_stories_names_no_place_of_the_report(
    default_gaz: Gazetteer,
) -> None:
    text = (
        "Sudan war: RSF fighters storm El Fasher\n\n"
        "Fighters stormed the army's last stronghold in El Fasher on Sunday.\n\n"
        "Related stories\n"
        "UN warns of famine in Darfur\n"
        "Egypt, Saudi Arabia push for ceasefire talks in Jeddah\n"
        "(c) 2025 News Corp | Privacy | Terms\n"
    )
    heading = text.index("Related")
    assert link_lists(text) == [(heading, len(text) - 1)]
    found = {m.text for m in Geoparser(default_gaz).geoparse(text)}
    assert "El Fasher" in found and not found & {"Darfur", "Egypt", "Saudi Arabia", "Jeddah"}


def test_a_links_heading_ends_at_the_first_line_of_prose() -> None:
    text = (
        "Most read:\n"
        "Ukraine war latest: Kyiv hit by drones\n"
        "The ministry said the talks in Geneva would resume on Monday.\n"
    )
    assert link_lists(text) == [(0, text.index("\nThe"))]
    # A heading word inside a sentence, or with nothing after it, is no list.
    assert link_lists("Read more about Mosul in our report.\nRelated\n") == []


def test_a_page_of_headlines_under_latest_news_is_the_content() -> None:
    # A feed headed "Latest news" has no prose outside its "list of links": every place
    # of it was dropped
    text = (
        "Latest news\n\n"
        "Syria: Israeli strikes hit Damascus, Suwayda\n"
        "Athens heatwave shuts Acropolis for third day\n"
    )
    assert link_lists(text) == []
    text += "The strikes in Damascus killed four people, the ministry said.\n"
    assert link_lists(text) == [(0, text.index("\nThe"))]


@pytest.mark.parametrize(
    ("text", "credit"),
    [
        (
            "Troops advanced. (Reporting by Maher Chmaytelli in Baghdad; Additional "
            "reporting by Ahmed Rasheed in Erbil; Editing by Alison Williams)\n",
            "(Reporting by Maher Chmaytelli in Baghdad; Additional reporting by Ahmed "
            "Rasheed in Erbil; Editing by Alison Williams)",
        ),
        (
            "Troops advanced.\nReporting by Tom Balmforth in Kyiv\n",
            "Reporting by Tom Balmforth in Kyiv",
        ),
        (
            "The war goes on. Associated Press writers Jamey Keaten in Geneva and Lolita C. "
            "Baldor in Washington contributed to this report. More.",
            "Associated Press writers Jamey Keaten in Geneva and Lolita C. Baldor in "
            "Washington contributed to this report.",
        ),
        (
            "Talks ended. Sydney Chase contributed from Austin, Texas.",
            "Sydney Chase contributed from Austin, Texas.",
        ),
    ],
)
def test_the_wires_credit_lines_are_found(text: str, credit: str) -> None:
    assert [text[s:e].strip() for s, e in credit_lines(text)] == [credit]


def test_words_like_a_credit_in_a_sentence_are_none() -> None:
    assert credit_lines("He contributed from his savings. Our reporting by phone failed.") == []


def test_a_bylines_places_lend_the_report_no_context(default_gaz: Gazetteer) -> None:
    # AP copy: a report on Ukraine whose byline names Texas. Odesa stays in Ukraine; the
    # byline's places are still mentions, resolved on their own.
    text = (
        "KYIV (AP) - Ukraine's president met U.S. envoys in Kyiv on Tuesday. Senators who "
        "visited Odesa last week urged faster deliveries to Ukraine.\n\n"
        "Sydney Chase contributed from Austin, Texas."
    )
    places = {m.text: m.place for m in Geoparser(default_gaz).geoparse(text) if m.place}
    assert places["Odesa"].country_code == "UA"
    assert places["Austin"].admin1_name == "Texas"


DIGEST = (
    "Meloni says Italy will not send troops to Ukraine after Paris talks\n"
    "Houston says Texas will send Guard to Kerrville after floods\n"
    "Toledo and Cordoba declare drought emergency as Spain's reservoirs fall\n"
    "Magnitude 6.9 quake kills dozens in Cebu; Bogo worst hit\n"
)


def test_a_list_of_headlines_is_read_a_line_at_a_time() -> None:
    last = "Peru's Congress ousts Boluarte; Jeri sworn in"
    lines = headline_lines("Top stories\n\n" + DIGEST + last)
    assert len(lines) == 6  # (headlines may end in "in" or "on")
    assert lines[1] == (13, 13 + DIGEST.index("\n"))


@pytest.mark.parametrize(
    "text",
    [
        # wrapped prose: lines run on ("officials of" / "Izium said"), a paragraph ends
        "Russian forces shelled the city overnight, and officials of\n"
        "Izium said two people were killed in the strikes on the\n"
        "Kharkiv region while rescuers searched the rubble\n",
        "Russian forces shelled the city overnight, and officials in\n"
        "Izium said two people were killed in the strikes on\n"
        "Kharkiv region while rescuers searched the rubble.\n",
        # a line of prose makes one story of the headline above it
        "Floods hit Derna as dam bursts\nDerna, Libya\n"
        "Floods hit the Libyan city of Derna on Monday, officials said.\n",
        "Two headlines of one story only\nAnd their subheading here\n",
        # a list of names, a place a line, shares its context; so does a bulleted list
        "Kharkiv\nIzium\nKupiansk\nBalakliia\n",
        "* Heavy fighting near Pisky village\n* Shelling hit Avdiivka overnight\n"
        "* Drones struck the Kharkiv region\n",
        "Ukraine war live\nkyiv hit by drones overnight again\nRescuers search the rubble today\n",
    ],
)
def test_prose_and_lists_of_names_are_no_headlines(text: str) -> None:
    assert headline_lines(text) == []


def test_one_headline_lends_another_no_context(default_gaz: Gazetteer) -> None:
    # A wire digest: Texas in one line made "Paris talks" in another Paris, Texas, and
    # Cebu pulled Toledo and Cordoba to the Philippines, beside "Spain's" in their line
    gp = Geoparser(default_gaz)
    places = {m.text: m.place for m in gp.geoparse(DIGEST) if m.place}
    assert places["Paris"].country_code == "FR"
    assert places["Kerrville"].admin1_name == "Texas"
    assert places["Toledo"].country_code == places["Cordoba"].country_code == "ES"
    assert places["Bogo"].country_code == "PH"
    # each line reads as it reads alone
    start = 0
    for line in DIGEST.splitlines(keepends=True):
        alone = [(m.start + start, m.text, m.place) for m in gp.geoparse(line)]
        within = [
            (m.start, m.text, m.place)
            for m in gp.geoparse(DIGEST)
            if start <= m.start < start + len(line)
        ]
        assert within == alone
        start += len(line)


@pytest.mark.parametrize(
    "line",
    [
        "Skip to main content",
        "Share on Facebook Share on X",
        "Advertisement",
        "Sign in",
        "Share on Facebook | Share on X | Email",
        "Print | Email",
        "Share this article",
        "Share",
        "Save article",
    ],
)
def test_a_pages_controls_are_boilerplate(line: str) -> None:
    assert is_boilerplate(line)


def test_a_skip_link_is_no_title() -> None:
    text = "Skip to main content\nSudan war: RSF fighters storm El Fasher\nFighters stormed it.\n"
    assert guess_title_date(text)[0] == "Sudan war: RSF fighters storm El Fasher"
    assert not is_boilerplate("Sign in to Kyiv talks, says envoy")
    # (a scraped page's controls above the headline were its title)
    text = "Home | World | Africa\nShare this article\n\nM23 rebels enter Bukavu\n\nBy Staff\n"
    assert guess_title_date(text)[0] == "M23 rebels enter Bukavu"
    text = "Skip to main content\nMenu  Search  Subscribe\nAfrica | Sahel\n\nJihadists hit Bamako\n"
    assert guess_title_date(text)[0] == "Jihadists hit Bamako"


def test_the_reporters_named_in_a_byline_are_no_places(default_gaz: Gazetteer) -> None:
    # "Tom Jordan" is a person (a surname that is a country stays one elsewhere); the
    # byline's place stays, and "By Monday" opens no byline
    text = (
        "Floods hit Derna\n\nBy Amira Hassan and Tom Jordan in Amman\n\n"
        "By Monday, floods had killed thousands in Derna, far from Jordan."
    )
    found = [(m.text, m.start) for m in Geoparser(default_gaz).geoparse(text) if m.place]
    assert ("Jordan", text.index("Jordan")) not in found
    assert ("Amman", text.index("Amman")) in found
    assert ("Jordan", text.rindex("Jordan")) in found


@pytest.mark.parametrize("heading", ["Also in the news", "See also:"])
def test_also_in_the_news_lists_other_stories(default_gaz: Gazetteer, heading: str) -> None:
    text = (
        f"Jihadists attacked Djibo in Burkina Faso on Sunday.\n\n{heading}\n"
        "> Niger junta frees prisoners in Maradi\n> Togo votes in Savanes region\n"
    )
    names = {m.text for m in Geoparser(default_gaz).geoparse(text)}
    assert names == {"Djibo", "Burkina Faso"}
    # inline, as an encyclopaedia writes it, it names the article's own places
    text = "Jihadists attacked Djibo.\nSee also: Arbinda, Burkina Faso\n"
    assert "Arbinda" in {m.text for m in Geoparser(default_gaz).geoparse(text)}


@pytest.mark.parametrize(
    "top, title",
    [
        # a headline in sentence case was "a run of lower-case words": the body's line won
        (
            "Ecuador extends state of emergency as gang killings spread beyond Guayaquil\n\n"
            "QUITO (Reuters) - Ecuador extended a state of emergency.",
            "Ecuador extends state of emergency as gang killings spread beyond Guayaquil",
        ),
        ("Updated 55 minutes ago\n\nMexico swears in first woman president", None),
        ("Posted 2 hours ago · 4 min read\nMexico swears in first woman president", None),
        ("Accept all cookies? We use cookies to improve the site.\nMexico swears in", None),
        ("Trending: Gaza | Ukraine | Elections\nMexico swears in first woman president", None),
        ("By Sarah Wells, Local Democracy Reporting Service\nMexico swears in its president", None),
    ],
)
def test_page_furniture_is_no_title_and_a_sentence_case_headline_is(top: str, title) -> None:
    expected = title or top.splitlines()[-1]
    assert guess_title_date(top)[0] == expected


def test_no_line_after_the_bodys_first_paragraph_is_a_title() -> None:
    # wire copy without a headline: a later paragraph was taken for its title; the lead
    # sentence is (after the dateline), or none when it is too long for one
    body = (
        "KITTERY, Maine (AP) - Crews battled a fire at a marina on Sunday, officials said. "
        "Flames spread from a boat to two docks and a storage building near the harbor."
    )
    title = guess_title_date(f"{body}\n\nNo one was hurt, the fire chief said.")[0]
    assert title == "Crews battled a fire at a marina on Sunday, officials said."
    long_lead = "Crews battled a fire " + "and more fire " * 20 + "at the marina. Then"
    text = f"{long_lead}\n\nNo one was hurt, the fire chief said."
    assert guess_title_date(text)[0] is None
