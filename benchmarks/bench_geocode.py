"""How fast placemap geocodes tables: names/s for distinct names, rows/s for a table
that repeats them.

    PYTHONPATH=src python3 benchmarks/bench_geocode.py [--rows 1000000] [--distinct 20000]

Names are the toponyms of the evaluation corpora in ../shared/eval/ when present
(real spellings, many ambiguous), otherwise names sampled from the gazetteer.
Each phase starts with a fresh engine, so the look-up caches are cold.
"""

from __future__ import annotations

import argparse
import json
import random
import sqlite3
import time
from pathlib import Path

import numpy as np
import pandas as pd

from placemap.gazetteer import Gazetteer
from placemap.gazetteer.store import default_path
from placemap.geocode import geocode_frame
from placemap.pipeline import Geoparser

EVAL = Path(__file__).resolve().parents[2] / "shared" / "eval"


def eval_names() -> list[str]:
    names: set[str] = set()
    for f in sorted(EVAL.glob("*.jsonl")):
        with f.open(encoding="utf-8") as fh:
            for line in fh:
                names.update(t["name"] for t in json.loads(line).get("toponyms", ()))
    return sorted(names)


def gazetteer_names(path: Path, n: int, seed: int) -> list[str]:
    conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    rows = [r[0] for r in conn.execute("SELECT name FROM places")]
    conn.close()
    return random.Random(seed).sample(sorted(set(rows)), min(n, len(rows)))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=1_000_000, help="rows of the repeated table")
    ap.add_argument("--distinct", type=int, default=20_000, help="distinct names in it")
    ap.add_argument("--gazetteer", type=Path, default=None, help="index (default: user cache)")
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()
    path = args.gazetteer or default_path()

    names = eval_names()
    sources = [f"{len(names):,} toponyms of {EVAL}"] if names else []
    if len(names) < args.distinct:
        # Too few real names: top up with gazetteer names (these all resolve).
        extra = set(gazetteer_names(path, args.distinct, args.seed)) - set(names)
        topup = sorted(extra)[: args.distinct - len(names)]
        names += topup
        sources.append(f"{len(topup):,} names sampled from the gazetteer")
    source = " + ".join(sources)
    names = random.Random(args.seed).sample(names, min(args.distinct, len(names)))
    print(f"names: {len(names):,} distinct from {source}")

    def engine() -> Geoparser:
        return Geoparser(Gazetteer(path))

    distinct = pd.DataFrame({"place": names})
    t0 = time.perf_counter()
    out = geocode_frame(distinct, column="place", geoparser=engine())
    dt = time.perf_counter() - t0
    resolved = out["lat"].notna().mean()
    print(
        f"distinct names: {len(names):,} in {dt:.2f} s = {len(names) / dt:,.0f} names/s "
        f"({resolved:.1%} resolved)"
    )

    rng = np.random.default_rng(args.seed)
    # Zipf-like repeats: a few names fill most rows, as in event tables.
    weights = 1.0 / np.arange(1, len(names) + 1)
    picks = rng.choice(len(names), size=args.rows, p=weights / weights.sum())
    picks[: len(names)] = np.arange(len(names))  # every name occurs at least once
    table = pd.DataFrame(
        {"id": np.arange(args.rows), "place": np.asarray(names, dtype=object)[picks]}
    )
    gp = engine()
    t0 = time.perf_counter()
    out = geocode_frame(table, column="place", geoparser=gp)
    dt = time.perf_counter() - t0
    print(
        f"table with repeats: {args.rows:,} rows ({len(names):,} distinct) in {dt:.2f} s "
        f"= {args.rows / dt:,.0f} rows/s"
    )
    assert len(out) == args.rows
    # Again with the same engine: its look-up caches are warm, so this is mostly the
    # table work (finding distinct keys, spreading answers back) and resolution proper.
    t0 = time.perf_counter()
    geocode_frame(table, column="place", geoparser=gp)
    dt = time.perf_counter() - t0
    print(f"same table, warm look-up caches: {dt:.2f} s = {args.rows / dt:,.0f} rows/s")


if __name__ == "__main__":
    main()
