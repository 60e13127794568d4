"""GeoNames import at allCountries scale: build time by step, peak memory, index size,
look-up latency, on a synthetic dump (benchmarks/make_allcountries.py).

    python benchmarks/bench_geonames.py --scale 0.1              # 1.2 M places, 1.5 M names
    python benchmarks/bench_geonames.py --scale 1 --dir /big/tmp  # allCountries' size
    python benchmarks/bench_geonames.py --dump DIR --feature-classes PA   # a dump at hand

The build runs as the CLI does (``placemap -v gazetteer build``), in a child process
whose peak resident memory is read from the kernel (``wait4``). Steps are timed from
the build's log lines. The default sources are included (``--no-default`` leaves them
out). The synthetic dump is written once into ``--dir`` and reused.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

from placemap.gazetteer import Gazetteer

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from bench_gazetteer import cold_search_s, per_call_us  # noqa: E402

REAL_NAMES = ["Kharkiv", "Homs", "Springfield", "Mosul", "Lagos", "Deir ez-Zor", "Bakhmut"]
FUZZY = ["Kharkivv Oblastt", "Sprinfgield", "Mariupolx", "Donetskx", "Alepoo Cityy"]


def make_dump(dest: Path, scale: float) -> None:
    if (dest / "allCountries.txt").is_file() and (dest / "alternateNamesV2.txt").is_file():
        print(f"reusing the synthetic dump in {dest}")
        return
    subprocess.run(
        [sys.executable, str(HERE / "make_allcountries.py"), str(dest), "--scale", str(scale)],
        check=True,
    )


def timed_build(args: list[str]) -> tuple[float, float, int, list[tuple[float, str]]]:
    """(seconds, CPU seconds, peak RSS in bytes, [(seconds, log line)]) of one CLI build."""
    cmd = [sys.executable, "-m", "placemap", "-v", "gazetteer", "build", *args]
    started = time.perf_counter()
    proc = subprocess.Popen(cmd, stderr=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    steps = []
    assert proc.stderr is not None
    for line in proc.stderr:
        steps.append((time.perf_counter() - started, line.rstrip()))
    _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - started
    assert proc.stdout is not None
    out = proc.stdout.read()
    if os.waitstatus_to_exitcode(status) != 0:
        sys.exit(f"build failed:\n{out}\n" + "\n".join(s for _, s in steps[-20:]))
    print(out.strip())
    return seconds, usage.ru_utime + usage.ru_stime, usage.ru_maxrss * 1024, steps


def synthetic_names(path: Path, k: int = 200) -> list[str]:
    """Names from the dump itself, spread over the file (common and rare ones)."""
    names = []
    with open(path, encoding="utf-8") as fh:
        for i, line in enumerate(fh):
            if i % 5003 == 0:
                names.append(line.split("\t", 2)[1])
            if len(names) >= k:
                break
    return names


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--scale", type=float, default=0.1)
    ap.add_argument("--dir", type=Path, default=Path("output/bench-geonames"))
    ap.add_argument("--dump", type=Path, help="import this folder of dump files instead")
    ap.add_argument("--feature-classes", default="PAHTL")
    ap.add_argument("--no-default", action="store_true")
    args = ap.parse_args()
    dump = args.dump
    if dump is None:
        dump = args.dir / f"dump-{args.scale:g}"
        make_dump(dump, args.scale)
    index = args.dir / f"index-{dump.name}-{args.feature_classes}.sqlite"
    index.unlink(missing_ok=True)
    dump_mb = sum(p.stat().st_size for p in dump.iterdir() if p.is_file()) / 1e6
    build = ["--replace", "--output", str(index), "--geonames", str(dump)]
    build += ["--feature-classes", args.feature_classes]
    if args.no_default:
        build.append("--no-default")
    seconds, cpu, rss, steps = timed_build(build)
    print(f"dump:                 {dump} ({dump_mb:,.0f} MB)")
    print(f"build:                {seconds:8.1f} s   ({cpu:,.0f} s of CPU; on a busy machine the")
    print(f"                      difference is waiting)   peak memory {rss / 1e6:,.0f} MB")
    last = 0.0
    for t, line in steps:
        if line.startswith("placemap: ") and not line.startswith("placemap: skipping"):
            print(f"  at {t:7.1f} s (+{t - last:6.1f}) {line[10:90]}")
            last = t
    print(f"index size:           {index.stat().st_size / 1e6:8.0f} MB")
    gaz = Gazetteer(index)
    info = gaz.info()
    print(f"places / names:       {info['places']:,} / {info['names']:,}")
    main_table = dump / "allCountries.txt"
    names = synthetic_names(main_table) if main_table.is_file() else []
    gaz.lookup("warm up")
    real = per_call_us(gaz, REAL_NAMES, fuzzy=False, rounds=5)
    print(f"exact look-up:        {real:8.0f} us (median; real names: {', '.join(REAL_NAMES)})")
    if names:
        exact = per_call_us(gaz, names, fuzzy=False, rounds=3)
        many = statistics.median(len(gaz.lookup(n, fuzzy=False)) for n in names)
        print(f"                      {exact:8.0f} us (median; {len(names)} names from the dump, "
              f"a median {many:.0f} places each)")
    fz = per_call_us(gaz, FUZZY, fuzzy=True, rounds=3)
    print(f"fuzzy look-up:        {fz / 1000:8.2f} ms (median)")
    print(f"cold CLI search:      {cold_search_s(index, 'Kharkiv'):8.2f} s (best of 3)")


if __name__ == "__main__":
    main()
