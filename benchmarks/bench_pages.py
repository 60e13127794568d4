"""How well HTML pages are reduced to their article text, by the article-extraction
benchmark's shingle rule, and how long it takes per page.

    python benchmarks/bench_pages.py [--pages ../shared/pages] [--extractor NAME ...]
    python benchmarks/bench_pages.py --jsonl extracted.jsonl   # score `extract --with-text`

The pages (``html/KEY.html.gz``) and their hand-marked article bodies
(``ground-truth.json``: ``{KEY: {"articleBody": ...}}``) are the sample in
../shared/pages; the script says so and stops when they are absent.

Scoring (the benchmark's own): each text is split into ``\\w+`` tokens, a page's
shingles are its runs of 4 consecutive tokens (a multiset); true positives are the
shingles both texts share, counted with multiplicity. Each page's TP/FP/FN are
normalised to sum to 1, precision is averaged over the pages where something was
predicted, recall over the pages that have a body, and F1 is the harmonic mean of the
two averages. The mean of the per-page F1 is printed too.

Extractors: ``placemap`` (the text placemap keeps, as read from an .html file),
``trafilatura`` (its defaults), ``trafilatura-precision``, ``trafilatura-recall``,
``readability`` (readability-lxml, when installed). ``--jsonl`` scores the ``text``
field of JSON Lines written by ``placemap extract --with-text`` on the decompressed
pages (ids = the file names' KEY).
"""

from __future__ import annotations

import argparse
import gzip
import json
import re
import statistics
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

PAGES = Path(__file__).resolve().parents[2] / "shared" / "pages"
TOKEN = re.compile(r"\w+")


def shingles(text: str, n: int = 4) -> Counter[tuple[str, ...]]:
    tokens = TOKEN.findall(text or "")
    return Counter(tuple(tokens[i : i + n]) for i in range(max(1, len(tokens) - n + 1)))


def page_counts(true: str, pred: str) -> tuple[float, float, float]:
    """TP, FP, FN over shingles, normalised to sum to 1 (each page weighs the same)."""
    t, p = shingles(true), shingles(pred)
    t.pop((), None)
    p.pop((), None)
    tp = float(sum((t & p).values()))
    fp = float(sum((p - t).values()))
    fn = float(sum((t - p).values()))
    total = tp + fp + fn
    return (tp / total, fp / total, fn / total) if total else (0.0, 0.0, 0.0)


def _precision(tp: float, fp: float, fn: float) -> float:
    if fp == fn == 0:
        return 1.0
    return tp / (tp + fp) if tp + fp else 0.0


def _recall(tp: float, fp: float, fn: float) -> float:
    if fp == fn == 0:
        return 1.0
    return tp / (tp + fn) if tp + fn else 0.0


def _f1(p: float, r: float) -> float:
    return 2 * p * r / (p + r) if p + r else 0.0


def summary(counts: list[tuple[float, float, float]]) -> dict[str, float]:
    precision = statistics.mean([_precision(*c) for c in counts if c[0] + c[1] > 0] or [0.0])
    recall = statistics.mean([_recall(*c) for c in counts if c[0] + c[2] > 0] or [0.0])
    per_page = [_f1(_precision(*c), _recall(*c)) for c in counts]
    return {
        "precision": precision,
        "recall": recall,
        "f1": _f1(precision, recall),
        "mean_page_f1": statistics.mean(per_page) if per_page else 0.0,
    }


# --- extractors ---------------------------------------------------------------------


def _placemap(tmp: Path) -> Callable[[str, str], str]:
    from placemap.readers import ReadError, read_reports

    def run(key: str, html: str) -> str:
        path = tmp / f"{key}.html"
        path.write_text(html, "utf-8")
        (item,) = list(read_reports([path]))
        return (
            ""
            if isinstance(item, ReadError)
            else item[0].text
            if isinstance(item, tuple)
            else item.text
        )

    return run


def _trafilatura(**options: bool) -> Callable[[str, str], str]:
    import trafilatura

    def run(key: str, html: str) -> str:
        return trafilatura.extract(html, include_comments=False, **options) or ""

    return run


def _readability() -> Callable[[str, str], str]:
    import lxml.html
    from readability import Document  # an ImportError here: "not installed"

    def run(key: str, html: str) -> str:
        summary_html = Document(html).summary(html_partial=True)
        return lxml.html.fromstring(summary_html).text_content() if summary_html.strip() else ""

    return run


def extractors(tmp: Path) -> dict[str, Callable[[], Callable[[str, str], str]]]:
    return {
        "placemap": lambda: _placemap(tmp),
        "trafilatura": lambda: _trafilatura(),
        "trafilatura-precision": lambda: _trafilatura(favor_precision=True),
        "trafilatura-recall": lambda: _trafilatura(favor_recall=True),
        "readability": _readability,
    }


def load(pages: Path) -> tuple[dict[str, str], dict[str, str]]:
    truth = json.loads((pages / "ground-truth.json").read_text("utf-8"))
    html = {}
    for path in sorted((pages / "html").glob("*.html.gz")):
        with gzip.open(path, "rt", encoding="utf-8", errors="replace") as fh:
            html[path.name.split(".")[0]] = fh.read()
    return {k: v.get("articleBody") or "" for k, v in truth.items()}, html


def report(
    name: str,
    truth: dict[str, str],
    predicted: dict[str, str],
    seconds: float | None,
    verbose: bool,
) -> dict[str, float]:
    counts = []
    for key, body in truth.items():
        c = page_counts(body, predicted.get(key, ""))
        counts.append(c)
        if verbose:
            p, r = _precision(*c), _recall(*c)
            print(f"  {key[:12]}  P {p:.3f}  R {r:.3f}  F1 {_f1(p, r):.3f}")
    s = summary(counts)
    per_page = f"  {1000 * seconds / len(truth):6.1f} ms/page" if seconds is not None else ""
    print(
        f"{name:<24} P {s['precision']:.3f}  R {s['recall']:.3f}  F1 {s['f1']:.3f}  "
        f"(mean page F1 {s['mean_page_f1']:.3f}){per_page}"
    )
    return s


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--pages", type=Path, default=PAGES)
    ap.add_argument("--extractor", action="append", help="repeatable; default: all")
    ap.add_argument("--jsonl", type=Path, help="score the text of extract --with-text output")
    ap.add_argument("-v", "--verbose", action="store_true", help="per-page scores")
    args = ap.parse_args()
    if not (args.pages / "ground-truth.json").exists():
        print(f"bench_pages: no benchmark pages in {args.pages}; nothing measured")
        return 0
    truth, html = load(args.pages)
    print(f"{len(truth)} pages from {args.pages}")
    if args.jsonl:
        predicted = {}
        for line in args.jsonl.read_text("utf-8").splitlines():
            if line.strip():
                doc = json.loads(line)
                predicted[str(doc["id"])] = doc.get("text") or ""
        report(f"{args.jsonl.name}", truth, predicted, None, args.verbose)
        return 0
    with tempfile.TemporaryDirectory() as tmp:
        available = extractors(Path(tmp))
        for name in args.extractor or list(available):
            try:
                run = available[name]()
            except ImportError as err:
                print(f"{name:<24} not installed ({err.name})")
                continue
            predicted = {}
            key, page = next(iter(html.items()))
            run(key, page)  # imports and caches warm, outside the timing
            start = time.perf_counter()
            for key, page in html.items():
                predicted[key] = run(key, page)
            report(name, truth, predicted, time.perf_counter() - start, args.verbose)
    return 0


if __name__ == "__main__":
    sys.exit(main())
