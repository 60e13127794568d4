"""Scoring conventions of ``placemap eval``."""

from __future__ import annotations

import json
from pathlib import Path

from placemap.evaluate import evaluate
from placemap.gazetteer import Gazetteer
from placemap.pipeline import Geoparser

TEXT = "Syrian troops shelled Homs."
HOMS = {"start": 22, "end": 26, "name": "Homs", "lat": 34.73, "lon": 36.72}


def _corpus(tmp_path: Path, *docs: dict) -> Path:
    path = tmp_path / "c.jsonl"
    path.write_text("".join(json.dumps(d) + "\n" for d in docs), "utf-8")
    return path


def test_demonyms_are_counted_or_set_aside(default_gaz: Gazetteer, tmp_path: Path) -> None:
    gp = Geoparser(default_gaz)
    plain = _corpus(tmp_path, {"id": "1", "text": TEXT, "toponyms": [HOMS]})
    counted = evaluate(gp, plain, mode="end2end")
    assert counted["demonyms"] == "count" and counted["precision"] == 0.5
    ignored = evaluate(gp, plain, mode="end2end", demonyms="ignore")
    assert ignored["precision"] == 1.0 and ignored["demonyms_set_aside"] == 1
    assert ignored["recall"] == counted["recall"] == 1.0


def test_a_record_declares_its_convention_and_the_option_wins(
    default_gaz: Gazetteer, tmp_path: Path
) -> None:
    gp = Geoparser(default_gaz)
    declared = _corpus(
        tmp_path, {"id": "1", "text": TEXT, "toponyms": [HOMS], "demonyms": "ignore"}
    )
    assert evaluate(gp, declared, mode="end2end")["precision"] == 1.0
    assert evaluate(gp, declared, mode="end2end", demonyms="count")["precision"] == 0.5


def test_a_demonym_the_gold_annotates_still_counts(default_gaz: Gazetteer, tmp_path: Path) -> None:
    syrian = {"start": 0, "end": 6, "name": "Syrian", "lat": 35.0, "lon": 38.0}
    corpus = _corpus(tmp_path, {"id": "1", "text": TEXT, "toponyms": [syrian, HOMS]})
    r = evaluate(Geoparser(default_gaz), corpus, mode="end2end", demonyms="ignore")
    assert (r["precision"], r["recall"], r["demonyms_set_aside"]) == (1.0, 1.0, 0)


def test_an_unknown_convention_names_the_line(default_gaz: Gazetteer, tmp_path: Path) -> None:
    bad = _corpus(
        tmp_path,
        {"id": "1", "text": TEXT, "toponyms": [HOMS]},
        {"id": "2", "text": TEXT, "toponyms": [], "demonyms": "skip"},
    )
    errors: list[str] = []
    result = evaluate(
        Geoparser(default_gaz), bad, mode="end2end", on_error=lambda e: errors.append(str(e))
    )
    assert result["documents"] == 1 and result["skipped"] == 1
    assert len(errors) == 1 and "c.jsonl, line 2: demonyms must be one of" in errors[0]


def test_json_results_are_json_without_gold_ids(run, tmp_path: Path) -> None:
    # with no gold geonameid, the id agreement has nothing to count: null, not NaN
    doc = {"id": "d", "text": "Shelling hit Homs.", "toponyms": [
        {"start": 13, "end": 17, "lat": 34.73, "lon": 36.72}
    ]}  # fmt: skip
    corpus = tmp_path / "c.jsonl"
    corpus.write_text(json.dumps(doc) + "\n", "utf-8")
    res = run("eval", corpus, "--format", "json", "--misses", tmp_path / "m.csv")
    assert res.exit_code == 0

    def no_constant(name: str) -> None:
        raise AssertionError(f"{name} in the JSON")

    result = json.loads(res.output, parse_constant=no_constant)
    assert result["geonameid_agreement"] is None and result["n"] == 1
