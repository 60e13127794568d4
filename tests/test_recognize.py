"""Recognition on its own: tokens, spotted spans and the evidence around them, with a
set of known names standing in for the gazetteer."""

from __future__ import annotations

from placemap.normalize import fold
from placemap.recognize import Span, spot

KNOWN = {fold(n) for n in ["Baghdad", "Mosul", "Iraq", "Syria", "Deir ez-Zor", "New York"]}


def known(name: str) -> bool:
    return name in KNOWN


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
