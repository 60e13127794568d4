"""Throughput (issue 18): reports per CPU-second, worker speed-up, geocoding rate.

    python benchmarks/bench_throughput.py [--repeat 10] [--rounds 3] [--skip-workers]

Everything runs as a user runs it: ``placemap`` in a fresh process each time, start-up
included, with the CPU time (user + system) of that process and its workers taken from
the operating system (``os.wait4``), so the figures hold on a busy machine too. As for
a user whose ``pip install`` compiled placemap's modules, Python may keep their bytecode:
``PYTHONDONTWRITEBYTECODE`` is dropped from the runs' environment (with it set, an
editable install compiles every module at every start, 0.1 s more on a slow machine).

Printed:
- reports per CPU-second and per wall second, one process, ``placemap extract`` on LGL
  repeated ``--repeat`` times, the median of ``--rounds`` runs (news-length texts;
  ../shared/eval/lgl.jsonl, else the project's examples) (target >= 1,000 per CPU-second);
- ``--workers 2`` against one process on the same corpus: runs alternated ``--rounds``
  times, the median wall time of each, the speed-up, and the peak memory of one worker
  (target >= x1.8 on 2 cores); the same on a folder of saved web pages (../shared/pages,
  five times over), whose reading the workers do;
- ``placemap geocode`` of every distinct toponym string of the visible corpora, cold,
  in names per CPU-second (target >= 5,000);
- cold start to the first output line, and the peak memory of one process (targets
  <= 0.3 s and <= 300 MB).
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
EVAL = ROOT.parent / "shared" / "eval"


def lgl_texts() -> list[dict[str, str]]:
    f = EVAL / "lgl.jsonl"
    if f.exists():
        return [
            {"id": d["id"], "text": d["text"]}
            for d in map(json.loads, f.open(encoding="utf-8"))
        ]
    return [
        {"id": p.stem, "text": p.read_text(encoding="utf-8")}
        for p in sorted((ROOT / "examples").glob("*.txt"))
    ]


def toponym_names() -> list[str]:
    names: set[str] = set()
    for f in sorted(EVAL.glob("*.jsonl")):
        for line in f.open(encoding="utf-8"):
            d = json.loads(line)
            names.update(t["text"] if "text" in t else t["name"] for t in d["toponyms"])
    return sorted(n for n in names if n.strip())


class Run:
    """One ``placemap`` process: wall seconds, CPU seconds (with its children) and the
    peak resident memory of the largest process of its tree (MB).

    The CPU seconds of each process of its tree are sampled too (every 0.1 s, the last
    sample before it ends: up to 0.1 s short each): the workers of ``--workers`` are
    children of multiprocessing's fork server, which ``os.wait4`` does not count."""

    def __init__(self, args: list[str], *, first_line: bool = False) -> None:
        import psutil  # installed with placemap[test] and placemap[dask]

        t = time.perf_counter()
        proc = subprocess.Popen(
            [sys.executable, "-m", "placemap", *args],
            env=_ENV,
            stdout=subprocess.PIPE if first_line else subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        self.first_output = float("nan")
        if first_line:
            assert proc.stdout is not None
            proc.stdout.readline()
            self.first_output = time.perf_counter() - t
        peaks: dict[int, int] = {}
        cpus: dict[int, float] = {}
        done = threading.Event()

        def sample() -> None:
            try:
                root = psutil.Process(proc.pid)
            except psutil.Error:
                return  # ended and reaped already: its peak is in ru_maxrss
            while not done.wait(0.1):
                try:
                    for p in [root, *root.children(recursive=True)]:
                        peaks[p.pid] = max(peaks.get(p.pid, 0), p.memory_info().rss)
                        t = p.cpu_times()
                        cpus[p.pid] = t.user + t.system
                except psutil.Error:
                    pass

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        if first_line:
            assert proc.stdout is not None
            proc.stdout.read()
        _pid, status, usage = os.wait4(proc.pid, 0)
        self.wall = time.perf_counter() - t
        done.set()
        sampler.join()
        proc.returncode = os.waitstatus_to_exitcode(status)
        if proc.returncode not in (0, 3):
            raise SystemExit(f"placemap {' '.join(args)} failed ({proc.returncode})")
        self.cpu = usage.ru_utime + usage.ru_stime
        self.peak_mb = max(max(peaks.values(), default=0), usage.ru_maxrss * 1024) / 1e6
        self.worker_peak_mb = max(
            (v for k, v in peaks.items() if k != proc.pid), default=0
        ) / 1e6
        #: CPU seconds of the processes of the tree other than this one, largest first
        #: (the fork server's, under a second, among them).
        self.children_cpu = sorted((v for k, v in cpus.items() if k != proc.pid), reverse=True)


_ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
PAGES = ROOT.parent / "shared" / "pages" / "html"


def pages_speedup(tmp: Path, out: str, rounds: int, copies: int = 5) -> None:
    """``--workers 2`` against one process on a folder of saved web pages (the real pages
    of ../shared/pages, ``copies`` times), whose reading costs more than geoparsing their
    articles: alternated runs, median wall times."""
    pages = sorted(PAGES.glob("*.htm*")) if PAGES.is_dir() else []
    if not pages:
        return
    folder = tmp / "pages"
    folder.mkdir()
    for k in range(copies):
        for p in pages:
            (folder / f"{k}-{p.name}").write_bytes(p.read_bytes())
    walls: dict[int, list[float]] = {1: [], 2: []}
    reader: list[float] = []
    for _ in range(rounds):
        for w in (1, 2):
            run = Run(["extract", str(folder), "--workers", str(w), "-o", out])
            walls[w].append(run.wall)
            if w == 2:
                reader.append(run.cpu)
    m1, m2 = statistics.median(walls[1]), statistics.median(walls[2])
    print(
        f"--workers 2 on {len(pages) * copies} saved web pages: median {m2:.1f} s against "
        f"{m1:.1f} s in one process, x{m1 / m2:.2f}; the reading process "
        f"{statistics.median(reader):.2f} CPU-s (medians of {rounds} alternated rounds)"
    )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--repeat", type=int, default=10, help="LGL repeated this many times")
    ap.add_argument("--rounds", type=int, default=3, help="alternated 1- and 2-worker runs")
    ap.add_argument("--skip-workers", action="store_true")
    args = ap.parse_args()
    docs = lgl_texts()
    with tempfile.TemporaryDirectory() as d:
        tmp = Path(d)
        corpus = tmp / "corpus.jsonl"
        with corpus.open("w", encoding="utf-8") as fh:
            for k in range(args.repeat):
                for doc in docs:
                    fh.write(json.dumps({"id": f"{doc['id']}-{k}", "text": doc["text"]}) + "\n")
        n = len(docs) * args.repeat
        out = str(tmp / "out.jsonl")
        Run(["extract", str(ROOT / "examples"), "-o", out])  # warm the page cache

        one = tmp / "one.txt"
        one.write_text("Shelling was reported in Homs, Syria.\n", encoding="utf-8")
        start = min(Run(["extract", str(one)], first_line=True).first_output for _ in range(3))
        print(f"cold start to first output: {start:.3f} s (best of 3; target <= 0.3 s)")

        runs = sorted(
            (Run(["extract", str(corpus), "-o", out]) for _ in range(args.rounds)),
            key=lambda run: run.cpu,
        )
        r = runs[len(runs) // 2]
        print(
            f"one process, {n:,} reports (LGL x{args.repeat}): {n / r.cpu:,.0f} reports per "
            f"CPU-second, {n / r.wall:,.0f} per second; {r.cpu:.1f} CPU-s, {r.wall:.1f} s, "
            f"peak {r.peak_mb:.0f} MB (the median of {len(runs)} runs: "
            f"{', '.join(f'{n / x.cpu:,.0f}' for x in runs)}; targets >= 1,000/CPU-s, <= 300 MB)"
        )

        if not args.skip_workers:
            walls: dict[int, list[float]] = {1: [], 2: []}
            cpu1: list[float] = []
            busiest: list[float] = []  # CPU seconds of the busier worker
            workers_cpu: list[float] = []  # both workers, the parent and the fork server
            reader_cpu: list[float] = []  # the command's own process (it reads, writes)
            worker_mb = 0.0
            for _ in range(args.rounds):
                for w in (1, 2):
                    run = Run(["extract", str(corpus), "--workers", str(w), "-o", out])
                    walls[w].append(run.wall)
                    if w == 2:
                        reader_cpu.append(run.cpu)
                        worker_mb = max(worker_mb, run.worker_peak_mb)
                        busiest.append(run.children_cpu[0] if run.children_cpu else float("nan"))
                        workers_cpu.append(run.cpu + sum(run.children_cpu))
                    else:
                        cpu1.append(run.cpu)
            m1, m2 = statistics.median(walls[1]), statistics.median(walls[2])
            pairs = ", ".join(f"{a:.1f}/{b:.1f}" for a, b in zip(walls[1], walls[2], strict=True))
            print(
                f"--workers 2: median {m2:.1f} s against {m1:.1f} s in one process, "
                f"x{m1 / m2:.2f} ({args.rounds} alternated rounds: "
                f"{pairs}); "
                f"peak per worker {worker_mb:.0f} MB (target >= x1.8)"
            )
            # What the wall times would show on an idle machine: the run lasts as long as
            # its busier worker computes (a busy machine slows two processes more than one).
            c1, cb = statistics.median(cpu1), statistics.median(busiest)
            print(
                f"--workers 2 in CPU time: one process {c1:.2f} CPU-s; two workers "
                f"{statistics.median(workers_cpu):.2f} CPU-s in all, the busier {cb:.2f}: "
                f"at best x{c1 / cb:.2f} with a CPU to each worker (the pool's start "
                f"not counted; medians of {args.rounds}); the process reading the reports "
                f"and writing their lines {statistics.median(reader_cpu):.2f} CPU-s"
            )
            pages_speedup(tmp, out, args.rounds)

        names = toponym_names() or ["Homs", "Aleppo", "Kharkiv", "Palmyra"]
        table = tmp / "names.csv"
        with table.open("w", encoding="utf-8", newline="") as fh:
            w = csv.writer(fh)
            w.writerow(["name"])
            w.writerows([nm] for nm in names)
        g = Run(["geocode", str(table), "--column", "name", "-o", str(tmp / "g.csv")])
        print(
            f"geocode, {len(names):,} distinct names, cold: {len(names) / g.cpu:,.0f} names "
            f"per CPU-second ({g.cpu:.2f} CPU-s; target >= 5,000)"
        )
    print(f"on {os.cpu_count()} CPUs")


if __name__ == "__main__":
    main()
