#!/usr/bin/env python3
"""Learn the resolver's weights from the evaluation corpora and write them as package data.

    python scripts/learn_weights.py [--eval-dir ../shared/eval] [-o src/placemap/data/weights.json]

Each corpus in ``--eval-dir`` (conflict headlines, LGL, GeoVirus, GeoCorpora, WikToR) is
split in two halves by a hash of its document ids: the weights are fitted on the training
half and acc@161 (gold spans given) is reported on the held-out half, for the hand-set and
the learned weights.

Method: coordinate ascent on the mean training acc@161 over the corpora (each corpus counts
the same, whatever its size); a move that lowers a news corpus's training figure is refused.
The resolver's own scoring is the model, so the fit optimises exactly what is measured, the
context passes and the ranking rules included. Candidates and context are looked up once per
document and cached; a trial only re-scores them.

The threshold is not fitted: acc@161 counts an unresolved mention as a miss, so a fit on it
drives the threshold to zero. It is a precision setting and keeps its hand-set value.

The learned weights are written only when no news corpus (LGL, GeoVirus, GeoCorpora) gets
worse on its held-out half (``--force`` writes them anyway). The corpora are for measuring
only and never shipped; the script skips cleanly (exit 0) when the eval folder is absent.
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import hashlib
import json
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
CORPORA = ("conflict_headlines", "lgl", "geovirus", "geocorpora", "wiktor")
NEWS = frozenset({"conflict_headlines", "lgl", "geovirus", "geocorpora"})
ACC_KM = 161.0

# The weights the search may move, with their bounds. Integer settings (how many
# candidates) and the threshold (see above) stay as they are.
SEARCH: dict[str, tuple[float, float]] = {
    "country": (0.0, 2.0),
    "admin1": (0.0, 1.0),
    "admin2": (0.0, 1.0),
    "neighbour": (0.0, 0.5),
    "distance": (0.0, 1.0),
    "containment": (0.0, 2.0),
    "type_cue": (0.0, 1.0),
    "distance_scale_km": (20.0, 3000.0),
    "prominence": (0.0, 0.3),
    "prior_match": (0.1, 2.0),
    "prior_population": (0.0, 1.0),
    "prior_type": (0.0, 1.0),
    "prior_fame": (0.0, 1.0),
    "lead": (1.0, 4.0),
}
FACTORS = (0.5, 0.8, 1.25, 2.0)
ZERO_STEPS = (0.02, 0.1)  # tried for a weight that is at zero, where factors cannot move it


def in_training_half(corpus: str, doc_id: str) -> bool:
    """Deterministic split: a document trains when the first byte of the SHA-256 of
    "corpus/id" is even. No random state, same split on every machine and run."""
    return hashlib.sha256(f"{corpus}/{doc_id}".encode()).digest()[0] % 2 == 0


@dataclass
class Doc:
    """One document's resolver input, computed once: items, how many are gold, gold points."""

    items: list[Any]
    n_gold: int
    gold: list[tuple[float, float]]


def load_corpus(gp: Any, path: Path, limit: int | None) -> tuple[list[Doc], list[Doc]]:
    """The training and held-out documents of one corpus, with their candidates looked up.

    ``limit`` caps the training half (its first documents in hash order), so a big corpus
    does not dominate the run time; the held-out half is always whole."""
    from placemap.evaluate import read_corpus

    corpus = path.stem
    halves: tuple[list[tuple[str, dict[str, Any]]], list[tuple[str, dict[str, Any]]]] = ([], [])
    for lineno, doc in enumerate(read_corpus(path)):
        if not doc["toponyms"]:
            continue  # no gold toponym: nothing to resolve
        doc_id = str(doc.get("id", lineno))
        halves[0 if in_training_half(corpus, doc_id) else 1].append((doc_id, doc))
    out: tuple[list[Doc], list[Doc]] = ([], [])
    for half, docs in zip(out, halves, strict=True):
        if limit is not None and half is out[0]:
            docs = sorted(docs, key=lambda d: hashlib.sha256(d[0].encode()).hexdigest())[:limit]
        for _, doc in docs:
            gold = doc["toponyms"]
            items, n = gp.resolution_items(doc["text"], [(g["start"], g["end"]) for g in gold])
            half.append(Doc(items, n, [(g["lat"], g["lon"]) for g in gold]))
    return out


def accuracy(gaz: Any, docs: Sequence[Doc], weights: Any) -> float:
    """acc@161 over the gold toponyms of ``docs`` (an unresolved toponym is a miss)."""
    from placemap.resolution import haversine_km, resolve_spans

    hits = total = 0
    for doc in docs:
        mentions = resolve_spans(gaz, doc.items, weights=weights)[: doc.n_gold]
        for m, (lat, lon) in zip(mentions, doc.gold, strict=True):
            total += 1
            if m.place is not None and haversine_km(lat, lon, m.place.lat, m.place.lon) <= ACC_KM:
                hits += 1
    return hits / total if total else 0.0


def coordinate_ascent(
    objective: Callable[[Any], dict[str, float]],
    start: Any,
    *,
    rounds: int,
    min_gain: float,
    guard: frozenset[str] = frozenset(),
    log: Callable[[str], None],
) -> tuple[Any, dict[str, float]]:
    """Move one weight at a time to a few multiples of its value, keeping a move when it
    raises the mean of the objective's parts by ``min_gain`` (against fitting noise) and
    lowers none of the ``guard`` parts (the news corpora: no trading them for WikToR)."""

    def mean(parts: dict[str, float]) -> float:
        return sum(parts.values()) / len(parts)

    best, best_parts = start, objective(start)
    log(f"  start: {_fmt(best_parts)}")
    factors = FACTORS
    for r in range(1, rounds + 1):
        moved = False
        for name, (lo, hi) in SEARCH.items():
            value = getattr(best, name)
            tries = {min(hi, max(lo, value * f)) for f in factors} if value else set(ZERO_STEPS)
            tries.discard(value)
            listed = ", ".join(f"{v:.4g}" for v in sorted(tries))
            log(f"  round {r}: {name} = {value:g}; trying {listed}")
            for v in sorted(tries):
                trial = dataclasses.replace(best, **{name: round(v, 4)})
                parts = objective(trial)
                if mean(parts) >= mean(best_parts) + min_gain and all(
                    parts[k] >= best_parts[k] for k in guard if k in parts
                ):
                    log(f"  round {r}: {name} {getattr(best, name):g} -> {v:.4g}: {_fmt(parts)}")
                    best, best_parts, moved = trial, parts, True
        if not moved:
            if factors[0] > 0.9 or r == rounds:
                break
            factors = tuple(f**0.5 for f in factors)  # finer steps
            log(f"  round {r}: no move; steps now {', '.join(f'{f:.3g}' for f in factors)}")
    return best, best_parts


def _fmt(parts: dict[str, float]) -> str:
    mean = sum(parts.values()) / len(parts)
    return f"mean {mean:.4f} (" + ", ".join(f"{k} {v:.4f}" for k, v in parts.items()) + ")"


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--eval-dir", type=Path, default=ROOT.parent / "shared" / "eval")
    ap.add_argument(
        "-o", "--output", type=Path, default=ROOT / "src" / "placemap" / "data" / "weights.json"
    )
    ap.add_argument(
        "--max-docs",
        type=int,
        default=1000,
        help="cap on the training documents of each corpus [1000]",
    )
    ap.add_argument("--rounds", type=int, default=3, help="coordinate-ascent rounds [3]")
    ap.add_argument("--min-gain", type=float, default=0.0005, help="smallest gain kept [0.0005]")
    ap.add_argument("--force", action="store_true", help="write even if a news corpus loses")
    ap.add_argument("--dry-run", action="store_true", help="fit and report; write nothing")
    args = ap.parse_args(argv)

    paths = [args.eval_dir / f"{c}.jsonl" for c in CORPORA]
    present = [p for p in paths if p.is_file()]
    if not present:
        print(f"learn_weights: no corpora in {args.eval_dir}; nothing to learn (skipped)")
        return 0

    sys.path.insert(0, str(ROOT / "src"))  # learn with this checkout's resolver
    from placemap.gazetteer import open_gazetteer
    from placemap.pipeline import Geoparser
    from placemap.resolution import DEFAULT_WEIGHTS

    t0 = time.monotonic()

    def log(msg: str) -> None:
        print(f"[{time.monotonic() - t0:6.0f}s] {msg}", flush=True)

    gaz = open_gazetteer()
    gp = Geoparser(gaz, weights=DEFAULT_WEIGHTS)
    train: dict[str, list[Doc]] = {}
    held: dict[str, list[Doc]] = {}
    for path in present:
        train[path.stem], held[path.stem] = load_corpus(gp, path, args.max_docs)
        log(
            f"{path.stem}: {len(train[path.stem])} training and {len(held[path.stem])} "
            "held-out documents looked up"
        )

    def objective(w: Any) -> dict[str, float]:
        return {name: accuracy(gaz, docs, w) for name, docs in train.items()}

    hand = DEFAULT_WEIGHTS
    log("fitting (coordinate ascent on mean training acc@161; news corpora may not drop)")
    learned, _ = coordinate_ascent(
        objective, hand, rounds=args.rounds, min_gain=args.min_gain, guard=NEWS, log=log
    )

    log("held-out acc@161, hand-set -> learned:")
    scores: dict[str, dict[str, float]] = {}
    for name, docs in held.items():
        before, after = accuracy(gaz, docs, hand), accuracy(gaz, docs, learned)
        scores[name] = {"hand_set": round(before, 4), "learned": round(after, 4)}
        n = sum(d.n_gold for d in docs)
        log(f"  {name:<11} {before:.4f} -> {after:.4f}  ({len(docs)} documents, {n} toponyms)")
    changed = {
        k: (getattr(hand, k), getattr(learned, k))
        for k in SEARCH
        if getattr(hand, k) != getattr(learned, k)
    }
    log("weights changed: " + (", ".join(f"{k} {a:g}->{b:g}" for k, (a, b) in changed.items())))

    worse = [c for c in scores if c in NEWS and scores[c]["learned"] < scores[c]["hand_set"]]
    if worse and not args.force:
        print(f"learn_weights: held-out news figures get worse ({', '.join(worse)}); not written")
        return 0
    if args.dry_run:
        print("learn_weights: dry run; not written")
        return 0
    record = {
        "weights": dataclasses.asdict(learned),
        "provenance": {
            "script": "scripts/learn_weights.py",
            "method": "coordinate ascent on mean training acc@161 (gold spans given), "
            "no move lowering a news corpus",
            "corpora": [p.name for p in present],
            "split": "training half: first byte of sha256('corpus/doc_id') is even; "
            "documents without gold toponyms skipped",
            "max_training_docs_per_corpus": args.max_docs,
            "fitted": sorted(SEARCH),
            "date": dt.date.today().isoformat(),
            "held_out_acc161": scores,
        },
    }
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(record, indent=2) + "\n", encoding="utf-8")
    log(f"wrote {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
