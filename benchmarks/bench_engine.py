"""Engine throughput: reports per second in one process, after start-up.

    python benchmarks/bench_engine.py [--corpus FILE.jsonl] [--n 2000]

Uses the news documents of ../shared/eval (GeoVirus, LGL) when present, else the
project's examples/ repeated. Target (issue 3): >= 200 news-length reports/s.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

from placemap.gazetteer import open_gazetteer
from placemap.pipeline import Geoparser

ROOT = Path(__file__).resolve().parents[1]
EVAL = ROOT.parent / "shared" / "eval"


def texts(corpus: Path | None) -> list[str]:
    files = [corpus] if corpus else [EVAL / "geovirus.jsonl", EVAL / "lgl.jsonl"]
    out = []
    for f in files:
        if f.exists():
            out += [json.loads(line)["text"] for line in f.open(encoding="utf-8") if line.strip()]
    if not out:
        out = [p.read_text(encoding="utf-8") for p in sorted((ROOT / "examples").glob("*.txt"))]
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--corpus", type=Path)
    ap.add_argument("--n", type=int, default=2000, help="reports to process after warm-up")
    args = ap.parse_args()
    docs = texts(args.corpus)
    t = time.perf_counter()
    gp = Geoparser(open_gazetteer())
    gp.geoparse(docs[0])
    print(f"start-up (open index, first report): {time.perf_counter() - t:.2f} s")
    cold = docs[: min(len(docs), 500)]
    t = time.perf_counter()
    for d in cold:
        gp.geoparse(d)
    dt = time.perf_counter() - t
    print(f"first pass, cold caches: {len(cold) / dt:7.0f} reports/s  ({len(cold)} reports)")
    batch = (docs * (args.n // len(docs) + 1))[: args.n]
    chars = sum(len(d) for d in batch)
    t = time.perf_counter()
    mentions = sum(len(gp.geoparse(d)) for d in batch)
    dt = time.perf_counter() - t
    print(
        f"steady state:            {len(batch) / dt:7.0f} reports/s  {chars / dt / 1e6:.2f} MB/s  "
        f"({len(batch)} reports, {chars / len(batch):.0f} chars each, {mentions} mentions)"
    )
    print("target: >= 200 reports/s")


if __name__ == "__main__":
    main()
