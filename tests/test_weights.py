"""Learned weights: the packaged file loads, a broken one is an error, a missing one
falls back to the hand-set defaults; the learning script's split is deterministic."""

from __future__ import annotations

import dataclasses
import importlib.util
import json
import sys
from importlib import resources
from pathlib import Path
from types import ModuleType

import pytest

import placemap.resolution as resolution
from placemap.ranking import prior
from placemap.records import Candidate, Place
from placemap.resolution import DEFAULT_WEIGHTS, WEIGHTS, Weights, load_weights

SCRIPT = Path(__file__).resolve().parents[1] / "scripts" / "learn_weights.py"


def _script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("learn_weights", SCRIPT)
    assert spec is not None and spec.loader is not None
    mod = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = mod  # dataclasses look their module up there
    spec.loader.exec_module(mod)
    return mod


def test_packaged_weights_are_the_default_weights() -> None:
    res = resources.files("placemap") / "data" / "weights.json"
    if not res.is_file():
        pytest.skip("no learned weights packaged")
    record = json.loads(res.read_text(encoding="utf-8"))
    assert WEIGHTS == Weights.from_dict(record["weights"])
    prov = record["provenance"]
    assert prov["script"] == "scripts/learn_weights.py"
    assert set(prov["held_out_acc161"]) <= {
        "conflict_headlines", "lgl", "geovirus", "geocorpora", "wiktor"
    }


def test_missing_packaged_file_falls_back_to_hand_set(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(resolution, "WEIGHTS_RESOURCE", "no-such-weights.json")
    assert load_weights() == DEFAULT_WEIGHTS


def test_weights_file_round_trips(tmp_path: Path) -> None:
    w = dataclasses.replace(DEFAULT_WEIGHTS, country=0.9, max_context_candidates=7)
    path = tmp_path / "w.json"
    path.write_text(json.dumps({"weights": dataclasses.asdict(w)}), encoding="utf-8")
    loaded = load_weights(path)
    assert loaded == w
    assert isinstance(loaded.max_context_candidates, int)


@pytest.mark.parametrize("content", ['{"weights": {"colour": 1}}', '{"country": 1}', "not json"])
def test_a_broken_weights_file_is_an_error(tmp_path: Path, content: str) -> None:
    path = tmp_path / "w.json"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(ValueError, match="not a weights file"):
        load_weights(path)


def test_prior_mix_is_a_weight() -> None:
    place = Place(1, "X", "X", 0.0, 0.0, "P", "PPL", "SY", population=10**8)
    c = Candidate(place, "exact", 1.0)
    assert prior(c, (1.0, 0.0, 0.0)) == pytest.approx(1.0)
    assert prior(c, (0.0, 1.0, 0.0)) == pytest.approx(1.0)
    assert prior(c, DEFAULT_WEIGHTS.prior_mix) == pytest.approx(prior(c))


def test_split_is_deterministic_and_about_half() -> None:
    lw = _script()
    ids = [str(i) for i in range(2000)]
    first = [lw.in_training_half("lgl", i) for i in ids]
    again = _script()  # a fresh import: no state carried over
    assert first == [again.in_training_half("lgl", i) for i in ids]
    assert 900 < sum(first) < 1100
    # The corpus name is part of the key: the halves differ between corpora.
    assert first != [lw.in_training_half("geovirus", i) for i in ids]


def test_script_skips_cleanly_without_corpora(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "weights.json"
    assert _script().main(["--eval-dir", str(tmp_path / "absent"), "-o", str(out)]) == 0
    assert "skipped" in capsys.readouterr().out
    assert not out.exists()


def test_coordinate_ascent_climbs_a_toy_objective() -> None:
    lw = _script()

    def objective(w: Weights) -> dict[str, float]:
        return {"toy": -((w.country - 1.0) ** 2) - (w.admin1 - 0.0) ** 2}

    best, parts = lw.coordinate_ascent(
        objective, DEFAULT_WEIGHTS, rounds=8, min_gain=1e-6, log=lambda _: None
    )
    assert abs(best.country - 1.0) < 0.1
    assert best.admin1 < DEFAULT_WEIGHTS.admin1
    assert parts["toy"] > objective(DEFAULT_WEIGHTS)["toy"]


def test_coordinate_ascent_refuses_moves_that_lower_a_guarded_part() -> None:
    lw = _script()

    def objective(w: Weights) -> dict[str, float]:
        # Raising country helps "wiki" a lot and hurts "news" a little.
        return {"wiki": w.country, "news": -0.1 * w.country}

    free, _ = lw.coordinate_ascent(
        objective, DEFAULT_WEIGHTS, rounds=2, min_gain=1e-6, log=lambda _: None
    )
    guarded, _ = lw.coordinate_ascent(
        objective,
        DEFAULT_WEIGHTS,
        rounds=2,
        min_gain=1e-6,
        guard=frozenset({"news"}),
        log=lambda _: None,
    )
    assert free.country > DEFAULT_WEIGHTS.country
    assert guarded.country <= DEFAULT_WEIGHTS.country
