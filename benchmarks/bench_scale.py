"""Scale: the CLI end to end on corpora of news-length reports, one process and several.

    python benchmarks/bench_scale.py [--sizes 1000,10000] [--workers 2] [--build]

Builds JSON Lines corpora from real news text (the documents of ../shared/eval when
present, else the project's examples/) repeated to each size, then times
``placemap extract`` on them as a user runs it (a fresh process each time) and prints:
reports/s and MB/s end to end, peak memory (all processes, workers included), the
speed-up of --workers over one process, cold start to first output, map writing time
for 1,000 reports, and the gazetteer build time with --build. Targets (issue 6):
>= 200 reports/s in one process, --workers 2 >= 1.7x on 2 cores, cold start <= 1 s,
peak memory <= 600 MB and flat as the corpus grows, time linear in corpus size.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
EVAL = ROOT.parent / "shared" / "eval"


def news_texts() -> list[str]:
    out = []
    for name in ("geovirus", "lgl", "geocorpora"):
        f = EVAL / f"{name}.jsonl"
        if f.exists():
            out += [json.loads(line)["text"] for line in f.open(encoding="utf-8") if line.strip()]
    # News-length only: GeoCorpora's tweets are too short to stand for reports.
    out = [t for t in out if len(t) >= 400]
    if not out:
        out = [p.read_text(encoding="utf-8") for p in sorted((ROOT / "examples").glob("*.txt"))]
    return out


def write_corpus(path: Path, texts: list[str], n: int) -> int:
    size = 0
    with path.open("w", encoding="utf-8") as fh:
        for i in range(n):
            line = json.dumps({"id": f"r{i}", "text": texts[i % len(texts)]}) + "\n"
            size += len(line.encode())
            fh.write(line)
    return size


def run(args: list[str]) -> tuple[float, float]:
    """Wall seconds of ``placemap ARGS`` in a fresh process, and the peak of the summed
    memory (RSS, MB) of its process tree, workers included, sampled every 0.5 s (more
    often, the sampling itself takes CPU from two busy workers on two cores)."""
    import psutil  # installed with placemap[dask] and placemap[test]

    t = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, "-m", "placemap", *args],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    root = psutil.Process(proc.pid)
    peak = 0
    while proc.poll() is None:
        try:
            tree = [root, *root.children(recursive=True)]
            peak = max(peak, sum(p.memory_info().rss for p in tree))
        except psutil.Error:
            pass
        time.sleep(0.5)
    dt = time.perf_counter() - t
    if proc.returncode not in (0, 3):
        raise SystemExit(f"placemap {' '.join(args)} failed with exit code {proc.returncode}")
    return dt, peak / 1e6


def cold_start(tmp: Path) -> float:
    """Seconds from launching ``placemap extract`` on one report to its first output."""
    one = tmp / "one.txt"
    one.write_text("Shelling was reported in Homs, Syria.\n", encoding="utf-8")
    best = float("inf")
    for _ in range(3):
        t = time.perf_counter()
        proc = subprocess.Popen(
            [sys.executable, "-m", "placemap", "extract", str(one)],
            stdout=subprocess.PIPE,
            text=True,
        )
        assert proc.stdout is not None
        proc.stdout.readline()
        best = min(best, time.perf_counter() - t)
        proc.wait()
    return best


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--sizes", default="1000,10000", help="corpus sizes (reports), comma-separated")
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--build", action="store_true", help="also time a default gazetteer build")
    args = ap.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    texts = news_texts()
    print(f"{len(texts)} distinct news texts, {sum(map(len, texts)) / len(texts):.0f} chars mean")
    with tempfile.TemporaryDirectory() as d:
        tmp = Path(d)
        run(["extract", str(ROOT / "examples"), "-o", str(tmp / "warm.jsonl")])  # page cache
        print(f"cold start to first output: {cold_start(tmp):.2f} s (best of 3; target <= 1 s)")
        print(
            f"{'reports':>8} {'workers':>7} {'seconds':>8} {'reports/s':>9} "
            f"{'MB/s':>6} {'peak MB':>8}"
        )
        base: dict[int, float] = {}
        for n in sizes:
            corpus = tmp / f"corpus-{n}.jsonl"
            mb = write_corpus(corpus, texts, n) / 1e6
            for w in sorted({1, args.workers}):
                dt, peak = run(
                    ["extract", str(corpus), "--workers", str(w), "-o", str(tmp / "out.jsonl")]
                )
                if w == 1:
                    base[n] = dt
                print(f"{n:>8} {w:>7} {dt:>8.1f} {n / dt:>9.0f} {mb / dt:>6.2f} {peak:>8.0f}")
            if args.workers > 1:
                print(f"{'':>8} speed-up with {args.workers} workers: x{base[n] / dt:.2f}")
        if len(base) > 1:
            lo, hi = min(base), max(base)
            print(
                f"time per report, {lo:,} -> {hi:,} reports: "
                f"{base[lo] / lo * 1e3:.2f} -> {base[hi] / hi * 1e3:.2f} ms (linear if equal)"
            )
        n = min(1000, sizes[0])
        corpus = tmp / f"corpus-{n}.jsonl"
        write_corpus(corpus, texts, n)
        dt, peak = run(["-q", "map", str(corpus), "-o", str(tmp / "maps")])
        print(
            f"map for {n:,} reports (geoparse + {n:,} pages + collection): "
            f"{dt:.1f} s, {peak:.0f} MB"
        )
        if args.build:
            env = dict(os.environ, PLACEMAP_GAZETTEER=str(tmp / "g.sqlite"))
            t = time.perf_counter()
            subprocess.run(
                [sys.executable, "-m", "placemap", "gazetteer", "build"],
                env=env,
                check=True,
                capture_output=True,
            )
            peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
            print(f"default gazetteer build: {time.perf_counter() - t:.0f} s ({peak:.0f} MB peak)")
    print(f"on {os.cpu_count()} CPUs")


if __name__ == "__main__":
    main()
