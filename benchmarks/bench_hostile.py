"""Hostile sizes: time and peak memory of ``placemap extract`` on texts built to find
super-linear growth (issue 13).

    python benchmarks/bench_hostile.py [--quick]

Each case is one report given as a text file, run in a fresh process with its output
thrown away. Printed: the case, the text's size, wall seconds, peak memory (MB) and
memory as a multiple of the text. A linear engine takes about 4x the time from one size
of a case to the next (4x the text); a quadratic one 16x.

Cases: one name repeated ("Paris. " 5,000 / 20,000 / 80,000 times); N distinct towns
(1,000 / 2,000 / 4,000, from the index in use); filler words (1 / 4 / 16 MB); one
long line of a repeated name (4 / 16 MB); a line of 15,000 / 60,000 / 240,000 spaces;
2,000 / 8,000 / 32,000 credit lines or bylines between mentions; a list of 10,000 / 40,000 /
160,000 made-up names; one sentence in German
(the word lists of other languages it loads); and HTML pages with one tag of 20,000 /
80,000 attributes whose values hold "<" and ">", or of a name of 20,000 / 80,000 letters
and no ">".
"""

from __future__ import annotations

import argparse
import os
import random
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

FILLER = (
    "the report said that people were seen leaving early in the morning and that "
    "officials would meet again later this week to discuss what had happened there "
)


def towns(n: int) -> list[str]:
    """``n`` distinct one-word town names of the index in use, largest first."""
    from placemap.gazetteer.store import default_path

    con = sqlite3.connect(f"file:{default_path()}?mode=ro", uri=True)
    rows = con.execute(
        "SELECT DISTINCT name FROM places WHERE feature_class = 'P' AND population > 20000 "
        "AND name NOT LIKE '% %' AND name GLOB '[A-Z][a-z]*' ORDER BY population DESC "
        "LIMIT ?",
        (n,),
    ).fetchall()
    con.close()
    return [r[0] for r in rows]


def cases(quick: bool) -> list[tuple[str, str, str]]:
    """(name, text, file suffix) of each case."""
    out = [(name, text, ".txt") for name, text in text_cases(quick)]
    article = "<article><p>" + "Shelling hit Homs, Syria, on Monday, residents said. " * 5
    for n in (20_000,) if quick else (20_000, 80_000):
        attributes = " ".join(f'a{i}="<b>"' for i in range(n))
        page = f"<html><body><div {attributes}>{article}</p></article></div></body></html>"
        out.append((f"a tag of {n:,} attributes", page, ".html"))
        page = f"<html><body>{article}</p></article><" + "a" * n + "</body></html>"
        out.append((f"'<' and {n:,} letters", page, ".html"))
    return out


def text_cases(quick: bool) -> list[tuple[str, str]]:
    out = []
    for n in (5_000, 20_000) if quick else (5_000, 20_000, 80_000):
        out.append((f"'Paris.' x {n:,}", "Paris.\n" * n))
    for n in (1_000, 2_000) if quick else (1_000, 2_000, 4_000):
        names = towns(n)
        text = "".join(f"Shelling was reported in {t} on Monday.\n" for t in names)
        out.append((f"{len(names):,} distinct towns", text))
    for mb in (1, 4) if quick else (1, 4, 16):
        out.append((f"filler {mb} MB", (FILLER * (mb * 10**6 // len(FILLER) + 1))[: mb * 10**6]))
    for mb in (1, 4) if quick else (4, 16):
        out.append((f"one line of 'Paris ' {mb} MB", "Paris " * (mb * 10**6 // 6)))
    # Red team, hostile round 7: a line of white space; mentions among many credit lines
    # and bylines (each mention was tested against each of them).
    lead = "Shelling hit Kharkiv on Monday, officials said.\n"
    for n in (15_000, 60_000) if quick else (15_000, 60_000, 240_000):
        out.append((f"a line of {n:,} spaces", " " * n + "\n" + lead))
    for n in (2_000, 8_000) if quick else (2_000, 8_000, 32_000):
        credit = "Kharkiv and Kyiv were hit. (Reporting by Tom Balmforth in London)\n"
        out.append((f"{n:,} credit lines", lead + credit * n))
        out.append((f"{n:,} bylines", lead + "By Tom Balmforth\nShelling hit Kharkiv.\n" * n))
    # Red team, hostile round 8: a list of made-up four-letter names ("Fighting in Bale,
    # Koti, ... and Aleppo"), many of them villages somewhere: each village abroad was
    # measured against every place of the report.
    rng = random.Random(1)
    for n in (10_000, 40_000) if quick else (10_000, 40_000, 160_000):
        words = (
            rng.choice("BCDFGKLMNPRSTVZ") + rng.choice("aeiou") + rng.choice("lmnrst")
            + rng.choice("aeiou")
            for _ in range(n)
        )  # fmt: skip
        listed = f"Fighting in {', '.join(words)} and Aleppo.\n"
        out.append((f"a list of {n:,} made-up names", listed))
    # A report in another language loads word lists of other languages (placemap.language).
    out.append(("a German sentence", GERMAN))
    return out


GERMAN = (
    "Die Bundesregierung hat am Montag in Berlin neue Maßnahmen beschlossen, die für alle "
    "Bürger gelten sollen und die Wirtschaft stärken.\n"
)


_MEASURE = """
import resource, subprocess, sys
proc = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
sys.stderr.buffer.write(proc.stderr)
print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
sys.exit(proc.returncode)
"""


def run(path: Path) -> tuple[float, float]:
    """Wall seconds and peak RSS (MB) of ``placemap extract PATH`` in a fresh process
    (measured by a fresh parent, whose only child it is)."""
    cmd = [sys.executable, "-m", "placemap", "extract", str(path), "--max-size", "1GB"]
    t = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-c", _MEASURE, *cmd], capture_output=True, text=True
    )
    wall = time.perf_counter() - t
    if proc.returncode != 0:
        raise SystemExit(f"placemap failed on {path}: {proc.stderr.strip()[-500:]}")
    return wall, int(proc.stdout.split()[-1]) / 1024


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--quick", action="store_true", help="smaller sizes only")
    args = ap.parse_args()
    print(f"{'case':<32} {'MB':>7} {'seconds':>8} {'peak MB':>8} {'x text':>7}")
    with tempfile.TemporaryDirectory() as tmp:
        for i, (name, text, suffix) in enumerate(
            sorted(cases(args.quick), key=lambda c: len(c[1]))
        ):
            path = Path(tmp) / f"case{i}{suffix}"
            path.write_text(text, encoding="utf-8")
            mb = os.path.getsize(path) / 1e6
            wall, peak = run(path)
            print(f"{name:<32} {mb:>7.2f} {wall:>8.2f} {peak:>8.0f} {peak / mb:>7.1f}", flush=True)


if __name__ == "__main__":
    main()
