"""Time and memory that grow with the input, not faster (issue 13).

No timings here: work is counted in lines of the resolver executed (a deterministic
count, whatever the machine's speed) and memory with tracemalloc. The figures for the
record are printed by benchmarks/bench_hostile.py.
"""

from __future__ import annotations

import math
import random
import sys
import tracemalloc
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TypeVar

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from placemap import pipeline, resolution
from placemap.pipeline import Geoparser
from placemap.records import Candidate, Place

SRC = Path(pipeline.__file__).parent
_T = TypeVar("_T")


def lines_run(func: Callable[[], object], files: Iterable[Path] = ()) -> int:
    """How many lines of placemap's resolution and pipeline modules (or of ``files``)
    ``func`` executes."""
    watched = {str(f) for f in files} or {str(SRC / "resolution.py"), str(SRC / "pipeline.py")}
    count = 0

    def local(frame, event, arg):  # type: ignore[no-untyped-def]
        nonlocal count
        if event == "line":
            count += 1
        return local

    def tracer(frame, event, arg):  # type: ignore[no-untyped-def]
        return local if frame.f_code.co_filename in watched else None

    sys.settrace(tracer)
    try:
        func()
    finally:
        sys.settrace(None)
    return count


def peak_memory(func: Callable[[], _T]) -> tuple[_T, int]:
    """What ``func`` returns, and the most memory it held at once (tracemalloc)."""
    tracemalloc.start()
    try:
        out = func()
        _now, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return out, peak


def test_a_repeated_name_costs_the_same_per_mention(default_gaz) -> None:
    """'Paris.' 4x as often costs at most about 4x the work (it was 16x: every mention
    looked at every other mention of the same name)."""
    gp = Geoparser(default_gaz)
    gp.geoparse("Paris.\n")  # warm the look-up caches
    small = lines_run(lambda: gp.geoparse("Paris.\n" * 150))
    large = lines_run(lambda: gp.geoparse("Paris.\n" * 600))
    assert large < 5 * small


def _towns(gaz, n: int) -> list[str]:
    rows = gaz.conn.execute(
        "SELECT DISTINCT name FROM places WHERE feature_class = 'P' AND population > 50000 "
        "AND name GLOB '[A-Z][a-z]*' AND name NOT LIKE '% %' ORDER BY population DESC LIMIT ?",
        (n,),
    ).fetchall()
    return [r[0] for r in rows]


def test_many_distinct_places_cost_linearly(default_gaz) -> None:
    """A report naming 4x as many distinct places costs at most about 4x the work (the
    distance to the nearest other place was searched over every place, for each name)."""
    names = _towns(default_gaz, 1200)
    assert len(names) == 1200
    gp = Geoparser(default_gaz)

    def text(k: int) -> str:
        return "".join(f"Shelling was reported in {t} on Monday.\n" for t in names[:k])

    gp.geoparse(text(1200))  # warm the look-up caches
    small = lines_run(lambda: gp.geoparse(text(300)))
    large = lines_run(lambda: gp.geoparse(text(1200)))
    assert large < 5 * small


def test_given_spans_cost_linearly(default_gaz) -> None:
    gp = Geoparser(default_gaz)
    line = "Fighting was reported in Aleppo on Monday.\n"
    at = line.index("Aleppo")

    def run(k: int) -> None:
        spans = [(i * len(line) + at, i * len(line) + at + 6) for i in range(k)]
        mentions = gp.resolve(line * k, spans)
        assert [(m.start, m.end) for m in mentions] == spans

    run(1)
    small = lines_run(lambda: run(200))
    large = lines_run(lambda: run(800))
    assert large < 5 * small


def test_a_long_given_name_is_looked_for_in_a_few_of_its_starts(
    default_gaz, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A given span (a table cell to geocode) unknown as a whole was looked for in every
    # start of its words: 80,000 characters took 35 s and 1.1 GB (red team round 3).
    # Counted: the starts looked up.
    asked: list[str] = []
    real = Geoparser._known_name

    def counting(self, name):  # type: ignore[no-untyped-def]
        asked.append(name)
        return real(self, name)

    monkeypatch.setattr(Geoparser, "_known_name", counting)
    gp = Geoparser(default_gaz)  # (its cached questions wrap the methods as they are now)

    def starts(words: int) -> int:
        text = " ".join(["Shelling hit Homs Syria"] * (words // 4))
        asked.clear()
        gp.resolve(text, [(0, len(text))])
        return sum(1 for a in asked if " " in a and text.startswith(a))

    assert 0 < starts(4000) <= pipeline.MAX_NAME_WORDS  # (every start but one: 3,998)


def _place(i: int, lat: float, lon: float) -> Candidate:
    p = Place(i, f"p{i}", f"p{i}", lat, lon, "P", "PPL", "XX")
    return Candidate(p, "exact", 1.0)


def _haversine_nearest(cands, points, owners, name):  # type: ignore[no-untyped-def]
    out = []
    for c in cands:
        ds = [
            resolution.haversine_km(c.place.lat, c.place.lon, lat, lon)
            for (lat, lon), who in zip(points, owners, strict=True)
            if who != {name}
        ]
        out.append(min(ds) if ds else math.inf)
    return out


@pytest.mark.parametrize("n_points", [40, 700])
def test_nearest_other_place_is_exact_both_ways(n_points: int) -> None:
    """The k-d tree (many points) and the direct search (few) give the haversine
    distance to the nearest place named by another name, to a metre."""
    rng = random.Random(n_points)
    named = []
    for _ in range(n_points):
        name = f"n{rng.randrange(n_points // 3)}"
        named.append((name, (round(rng.uniform(-85, 85), 4), round(rng.uniform(-180, 180), 4))))
    located = resolution._Located(named)
    cands = [_place(i, rng.uniform(-90, 90), rng.uniform(-180, 180)) for i in range(25)]
    for name in ("n0", "n1", "zz"):
        got = located.nearest_km(cands, name)
        want = _haversine_nearest(cands, located.points, located.owners, name)
        assert got is not None
        assert got == pytest.approx(want, abs=1e-3)


def test_long_texts_are_read_in_windows_with_the_same_result(default_gaz, monkeypatch) -> None:
    paragraphs = [
        "Fighting was reported in Aleppo, Syria, on Monday.",
        "Officials in Baghdad said the road to Mosul was closed.",
        "John Kerry met Russian officials in Geneva.",
        "Later, Kerry flew to Paris.",
        "Shelling hit Kharkiv and Donetsk overnight.",
    ] * 12
    text = "\n".join(paragraphs) + "\n"
    gp = Geoparser(default_gaz)
    whole = gp.geoparse(text)
    spans = [(m.start, m.end) for m in whole]
    given_whole = gp.resolve(text, spans)
    monkeypatch.setattr(pipeline, "WINDOW_CHARS", 300)
    assert len(list(pipeline._windows(text))) > 5
    windowed = gp.geoparse(text)
    assert [(m.start, m.end, m.place and m.place.geonameid) for m in windowed] == [
        (m.start, m.end, m.place and m.place.geonameid) for m in whole
    ]
    assert "Kerry" not in {m.text for m in windowed}  # a person in another window
    given = gp.resolve(text, spans)
    assert [(m.start, m.end, m.place and m.place.geonameid) for m in given] == [
        (m.start, m.end, m.place and m.place.geonameid) for m in given_whole
    ]


def test_a_window_is_never_cut_inside_a_given_span(monkeypatch) -> None:
    monkeypatch.setattr(pipeline, "WINDOW_CHARS", 50)
    text = "word " * 100
    spans = [(i, i + 9) for i in range(0, 500, 10)]
    for offset, part, _toks in pipeline._windows(text, avoid=spans):
        for s, e in spans:
            assert not (s < offset < e) and not (s < offset + len(part) < e)


def test_memory_of_a_long_text_stays_near_its_size(default_gaz) -> None:
    """Word tokens were all held at once: 1 MB of words took ~35 MB of them."""
    gp = Geoparser(default_gaz)
    sentence = "the report said that people were seen leaving early in the morning. "
    text = sentence * (1_000_000 // len(sentence))
    gp.geoparse(sentence)
    _, peak = peak_memory(lambda: gp.geoparse(text))
    # (tracemalloc counts the bytes asked for: an offset made by addition asks for 32
    # where one read from a regex match asked for 28, the same 32-byte block either way;
    # the tokens of a 10 MB text grow the resident memory by 401 MB with both.)
    assert peak < 16 * len(text)


def test_a_text_naming_too_many_places_is_refused(default_gaz, monkeypatch) -> None:
    monkeypatch.setattr(pipeline, "WINDOW_CHARS", 1000)
    monkeypatch.setattr(pipeline, "MAX_MENTIONS", 500)
    gp = Geoparser(default_gaz)
    with pytest.raises(ValueError, match="more than 500 place names in one text"):
        gp.geoparse("Paris.\n" * 1000)
    assert len(gp.geoparse("Paris.\n" * 400)) == 400


def test_boilerplate_finders_read_a_text_once(monkeypatch) -> None:
    # 20,000 "See also:" lines took 262 s: each heading read every line to the end; each
    # "contributed to this report" searched to the end for its sentence's full stop
    # (red team round 2, R2). Counted: lines read, and characters searched.
    from placemap import boilerplate

    def link_work(n: int) -> int:
        text = "See also:\n" * n
        return lines_run(lambda: boilerplate.link_lists(text), [SRC / "boilerplate.py"])

    assert link_work(4000) < 2.5 * link_work(2000)

    searched = 0
    real = boilerplate._SENTENCE_END_RE

    class Counting:
        def search(self, text: str, pos: int = 0):  # type: ignore[no-untyped-def]
            nonlocal searched
            found = real.search(text, pos)
            searched += (found.end() if found else len(text)) - pos
            return found

        def finditer(self, text, pos=0, end=sys.maxsize):  # type: ignore[no-untyped-def]
            return real.finditer(text, pos, end)

    monkeypatch.setattr(boilerplate, "_SENTENCE_END_RE", Counting())
    text = "A contributed to this report, " * 2000
    assert len(boilerplate.credit_lines(text)) == 2000
    assert searched <= len(text)


def test_mentions_among_many_credit_and_byline_lines_cost_linear_work() -> None:
    # Red team, hostile round 7 (H2, H3): each mention was tested against each credit line
    # ("(Reporting by A in London)") and each byline: 1.3 MB of them took 86 s
    from types import SimpleNamespace

    def work(n: int, line: str, func: Callable[[str, list], object]) -> int:
        text = "Shelling hit Kharkiv on Monday, officials said.\n" + line * n
        starts = [k for k in range(len(text)) if text.startswith("Kharkiv", k)]
        items = [(SimpleNamespace(start=k), [], "toponym") for k in starts]
        return lines_run(lambda: func(text, items), [SRC / "pipeline.py"])

    credit = "Kharkiv was hit. (Reporting by Tom Balmforth in London)\n"
    stories = pipeline._stories
    assert work(800, credit, stories) < 2.5 * work(400, credit, stories)
    byline = "By Tom Balmforth\nShelling hit Kharkiv overnight.\n"
    menu = lambda text, items: pipeline._off_the_menu(items, text)  # noqa: E731
    assert work(800, byline, menu) < 2.5 * work(400, byline, menu)


@given(st.text(alphabet=" \t\n\r\u3000aB.", max_size=40))
def test_the_lines_of_a_text_are_its_lines_with_a_letter(text: str) -> None:
    # (H1: the pattern for a line tried a line of white space from each of its
    # positions, 39 s for 60,000 spaces; anchored, it finds the same lines)
    from placemap import boilerplate

    found = [m.group() for m in boilerplate._LINE_RE.finditer(text)]
    assert found == [line for line in text.split("\n") if line.strip(" \t\r\u3000")]


def test_a_json_string_never_closed_is_skipped_in_one_match() -> None:
    # Hostile round 7 (H4): each quote inside a string never closed started a match that
    # ran to the text's end and failed, 160 kB in 126 s; the string now runs to the end
    from placemap import readers

    text = '{"x": [1, "' + '\\"' * 1000
    found = [m.group() for m in readers._JSON_BRACKETS_RE.finditer(text)]
    assert found == ["{", '"x"', "[", text[text.index('[1, "') + 4 :]]


def test_lines_ended_by_cr_alone_are_read_without_copying_the_rest(tmp_path: Path) -> None:
    # Hostile round 7 (H5): each line of a "CSV (Macintosh)" copied what was left of the
    # piece read, 200,000 lines in 17 s; the rest is now read from an offset
    import io

    from placemap import readers

    lines = readers._ByteLines(io.BytesIO(b"id,text\r1,a\r2,b\r3,c\r"), "utf-8", 1000, "x")
    assert next(lines) == "id,text\r"
    rest = lines.rest
    assert [next(lines), next(lines)] == ["1,a\r", "2,b\r"]
    assert lines.rest is rest
    path = tmp_path / "mac.csv"
    path.write_bytes(b"id,text\r" + b"".join(b"%d,Kyiv\r" % k for k in range(3000)))
    rows = list(readers.read_reports([path]))
    assert len(rows) == 3000 and rows[-1].text == "Kyiv"


def test_a_json_list_is_read_one_record_at_a_time(tmp_path: Path) -> None:
    # 120 MB of "[{},{},...]" took 3 GB, parsed whole before its first record was found
    # to lack the text (red team round 2, R5)
    from placemap.readers import ReadError, read_reports

    path = tmp_path / "empty.json"
    path.write_text("[{}]", "utf-8")
    list(read_reports([path]))  # (what the first read imports is no part of it)
    path.write_text("[" + ",".join(["{}"] * 500_000) + "]", "utf-8")
    items, peak = peak_memory(lambda: list(read_reports([path])))
    assert len(items) == 1 and isinstance(items[0], ReadError)
    assert "no field 'text' in the first record" in items[0].message
    assert peak < 15 * path.stat().st_size  # (parsed whole: 26 times)


def test_a_json_object_holding_the_list_is_read_one_record_at_a_time(tmp_path: Path) -> None:
    # {"reports": [{},{},...]} was parsed whole, as the list alone was before (red team
    # round 3: 116 kB gzipped took 3 GB); its records are read one at a time now.
    from placemap.readers import ReadError, read_reports

    path = tmp_path / "empty.json"
    path.write_text('{"reports": [{}]}', "utf-8")
    list(read_reports([path]))  # (what the first read imports is no part of it)
    path.write_text('{"meta": {"n": [1, "]"]}, "reports": [' + ",".join(["{}"] * 500_000) + "]}")
    items, peak = peak_memory(lambda: list(read_reports([path])))
    assert len(items) == 1 and isinstance(items[0], ReadError)
    assert "no field 'text' in the first record" in items[0].message
    assert peak < 15 * path.stat().st_size  # (parsed whole: 26 times)


def test_a_csv_of_quotes_never_closed_is_read_a_bounded_number_of_times(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Each quote never closed sent the reader to the end of the file, then back to the
    # line after it: a file whose every line opens one took time as its square (8,000
    # lines: red team round 3). Counted: lines handed to the CSV reader.
    from placemap import readers

    read = 0
    real = readers._ByteLines.__next__

    def counting(self):  # type: ignore[no-untyped-def]
        nonlocal read
        read += 1
        return real(self)

    monkeypatch.setattr(readers._ByteLines, "__next__", counting)

    def lines_read(n: int) -> int:
        nonlocal read
        path = tmp_path / f"q{n}.csv"
        path.write_text('id,text\nr1,"Shelling hit Homs."\n' + 'a","x\n' * n, "utf-8")
        read = 0
        items = list(readers.read_reports([path]))
        assert [i.id for i in items if not isinstance(i, readers.ReadError)] == ["r1"]
        return read

    assert lines_read(2000) < 2.5 * lines_read(1000)


def test_a_quote_never_closed_keeps_no_entry_per_line_after_it(tmp_path: Path) -> None:
    # The start of every line read while a quoted cell stayed open was kept, to start the
    # reading again on one: a quote then 20 million line ends took 900 MB (red team round
    # 3). Only the second line's is needed.
    from placemap.readers import read_reports

    path = tmp_path / "open.csv"
    path.write_text('id,text\nr1,"Homs' + "\n" * 200_000 + "x\nr2,Shelling hit Aleppo.\n")
    list(read_reports([path]))  # (what the first read imports is no part of it)
    items, peak = peak_memory(lambda: list(read_reports([path])))
    assert [getattr(i, "id", None) for i in items][-1] == "r2"
    # (The open cell itself: 5 times the file; every line's start kept: 45 times.)
    assert peak < 10 * path.stat().st_size


@pytest.mark.parametrize("coded", [True, False], ids=["arrow-dictionary", "plain-string"])
def test_a_parquet_string_stored_once_is_refused_or_read_before_it_is_repeated(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, coded: bool
) -> None:
    # Parquet stores a text repeated in many rows once (a dictionary page): each batch of
    # 1,024 rows was made Python strings, one per row, before a row's size was checked
    # (red team round 3: 3 kB of 1,024 rows of one 4 MB string took 4 GB, with
    # --max-size 1MB). Rows over the limit are refused on the Arrow arrays now, and the
    # rest made Python objects a slice at a time.
    import pyarrow as pa
    import pyarrow.parquet as pq

    from placemap import arrowsize, readers

    text = "Shelling hit Homs. " * 50_000  # 950,000 characters
    column = pa.array([text] * 64)
    path = tmp_path / "once.parquet"
    ids = [f"r{i}" for i in range(64)]
    table = pa.table({"id": ids, "text": column.dictionary_encode() if coded else column})
    pq.write_table(table, path, compression="zstd")
    assert path.stat().st_size < 10_000
    # (read whole, past the expansion a file so small is allowed)
    monkeypatch.setattr(arrowsize, "EXPANSION_CHARS", 1 << 30)
    list(readers.read_reports([path], max_bytes=100))  # (the first read's imports aside)

    items, peak = peak_memory(lambda: list(readers.read_reports([path], max_bytes=500_000)))
    assert [i.message for i in items] == [
        "'text' of 950,000 characters, over the --max-size limit"
    ] * 5 + ["59 more errors in this file (only the first 5 are named)"]
    assert peak < 5 * len(text)  # (64 rows made strings first: 64 times)

    monkeypatch.setattr(readers, "_SLICE_CHARS", 2 * len(text))

    def read_all() -> int:
        ids = 0
        for item in readers.read_reports([path]):
            assert not isinstance(item, readers.ReadError) and item.text == text
            ids += 1
        return ids

    ids, peak = peak_memory(read_all)
    assert ids == 64
    assert peak < 10 * len(text)


@pytest.mark.parametrize("shape", ["string_view", "json", "unread"])
def test_a_parquet_text_of_any_arrow_type_is_sized_before_it_is_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, shape: str
) -> None:
    # Red team round 4: a string_view or JSON-typed text was not sized, and 512 rows of
    # one stored 2 MB text were made Python strings, --max-size notwithstanding (2.4 GB
    # from 514 bytes). An extra column, not the text, is sized too.
    import pyarrow as pa
    import pyarrow.parquet as pq

    from placemap import arrowsize, readers

    text = "Shelling hit Homs. " * 50_000
    coded = pa.array([text] * 64).dictionary_encode()
    ids = [f"r{i}" for i in range(64)]
    columns: dict[str, pa.Array] = {"id": pa.array(ids), "text": coded}
    text_field, extra = "text", ()
    if shape == "string_view":
        columns["text"] = pa.array([text] * 64, pa.string_view())
    elif shape == "json":
        columns["text"] = pa.ExtensionArray.from_storage(pa.json_(), coded.cast(pa.string()))
    else:
        columns = {"id": columns["id"], "text": pa.array(["Homs."] * 64), "big": coded}
        text_field, extra = "text", ("big",)
    path = tmp_path / "once.parquet"
    pq.write_table(pa.table(columns), path, compression="zstd", use_dictionary=["text", "big"])
    assert path.stat().st_size < 10_000
    # (every row refused and counted: past the expansion a file so small is allowed)
    monkeypatch.setattr(arrowsize, "EXPANSION_CHARS", 1 << 30)

    def read() -> list[readers.Item]:
        return list(
            readers.read_reports(
                [path], max_bytes=500_000, text_field=text_field, extra_fields=extra
            )
        )

    read()  # (the first read's imports aside)
    items, peak = peak_memory(read)
    field = "big" if shape == "unread" else text_field
    assert [i.message for i in items] == [
        f"{field!r} of 950,000 characters, over the --max-size limit"
    ] * 5 + ["59 more errors in this file (only the first 5 are named)"]
    assert peak < 5 * len(text)


# (VmHWM, not getrusage's ru_maxrss: that keeps the peak of the process before exec.)
_PEAK_OF_A_RUN = """
import re, runpy, sys
sys.argv = ["placemap", *sys.argv[1:]]
try:
    runpy.run_module("placemap", run_name="__main__")
finally:
    status = open("/proc/self/status").read()
    print("peak", re.search(r"VmHWM:\\s*(\\d+)", status)[1], file=sys.stderr)
"""


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="Linux's /proc")
@pytest.mark.parametrize("shape", ["dotted", "plain-title", "spans-list"])
def test_a_parquet_text_stored_once_is_not_decoded_into_every_row(
    tmp_path: Path, shape: str
) -> None:
    # What Arrow holds is no Python object (tracemalloc does not see it): a text column
    # whose name has a dot, or a plain title beside the text, made the reader decode
    # 256 rows of one stored 2 MB text at once (1.2 GB, red team round 4). A whole run's
    # peak, from its process, with the rows refused by --max-size.
    import os
    import subprocess

    import pyarrow as pa
    import pyarrow.parquet as pq

    text = "Shelling hit Homs. " + "x" * (2 << 20)
    field = "body.text" if shape == "dotted" else "text"
    # (a column not read, of random bytes: a file large enough that its rows are read)
    pad = [os.urandom(16_000) for _ in range(256)]
    table = pa.table({field: [text] * 256, "title": [f"t{i}" for i in range(256)], "pad": pad})
    path = tmp_path / "once.parquet"
    pq.write_table(table, path, compression="zstd", use_dictionary=[field])
    args = ["extract", str(path), "--text-field", field, "--max-size", "1MB", "-o", "-"]
    if shape == "spans-list":
        # a spans column of 50,000 items of one stored 20 kB string (hostile round 5:
        # its strings were read plain, 1 GB here; 20 GB from 614 bytes)
        items = pa.DictionaryArray.from_arrays(pa.array([0] * 50_000, pa.int32()), ["x" * 20_000])
        spans = pa.ListArray.from_arrays(pa.array(range(0, 50_001, 50), pa.int32()), items)
        table = pa.table({"text": ["Homs."] * 1000, "toponyms": spans, "pad": (pad * 4)[:1000]})
        pq.write_table(table, path, compression="zstd", store_schema=False)
        args = ["extract", str(path), "--spans", "toponyms", "--max-size", "1MB", "-o", "-"]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    done = subprocess.run(
        [sys.executable, "-c", _PEAK_OF_A_RUN, *args], capture_output=True, text=True, env=env
    )
    assert done.returncode == 3 and "over the --max-size limit" in done.stderr
    peak_kb = int(done.stderr.rsplit("peak ", 1)[1])
    assert peak_kb < 400_000  # (a run's own: 140 MB; the rows decoded: 1.2 GB)


def test_a_parquet_table_expanding_a_thousand_times_is_read_up_to_that(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Each row under --max-size, the file a kilobyte: 128 titles of one stored 8 MB
    # string wrote 1 GB (red team round 4). A table is read until it has expanded to
    # 1,000 times its file (or 1 M characters, here made smaller), and no further.
    import pyarrow as pa
    import pyarrow.parquet as pq

    from placemap import arrowsize, readers

    title = "Homs " * 20_000
    path = tmp_path / "titles.parquet"
    table = pa.table({"text": ["Shelling hit Homs."] * 128, "title": [title] * 128})
    pq.write_table(table, path, compression="zstd")
    monkeypatch.setattr(arrowsize, "EXPANSION_CHARS", 0)
    limit = 1000 * path.stat().st_size
    items = list(readers.read_reports([path]))
    reports = [i for i in items if not isinstance(i, readers.ReadError)]
    row = len(title) + len("Shelling hit Homs.")
    assert len(reports) == limit // row and 0 < len(reports) < 128
    assert items[-1].message.startswith(f"the table expands to more than {limit:,} characters")
    assert str(items[-1]).startswith(f"{path}, row {len(reports) + 1} on:")


def test_a_parquet_report_field_holding_lists_is_refused(tmp_path: Path) -> None:
    # A title of a list of strings (or a struct, a map) was written out whole: 537 MB
    # from 1 kB (red team round 4)
    import pyarrow as pa
    import pyarrow.parquet as pq

    from placemap.readers import read_reports

    path = tmp_path / "lists.parquet"
    pq.write_table(pa.table({"text": ["Homs."], "title": [["a", "b"]]}), path)
    (item,) = read_reports([path])
    assert str(item) == (
        f"{path}: column 'title' holds list<element: string> values, not text; not read"
    )


@pytest.mark.parametrize(
    "shape", ["nested.json", "record.json", "record.jsonl", "object-list.json"]
)
def test_a_json_record_of_too_many_values_is_refused_before_it_is_parsed(
    tmp_path: Path, shape: str
) -> None:
    # One record was parsed whole: "[[{},{},...]]", or a record with the text beside a
    # list of 40 million empty objects, took 3 GB from 120 MB (red team round 3).
    from placemap.readers import MAX_JSON_VALUES, ReadError, read_reports

    many = ",".join(["{}"] * (MAX_JSON_VALUES + 1))
    record = '{"text": "Shelling hit Homs.", "junk": [' + many + "]}"
    text = {
        "nested.json": f"[[{many}]]",
        "record.json": record,
        "record.jsonl": record + "\n",
        "object-list.json": '{"reports": [[' + many + "]]}",
    }[shape]
    path = tmp_path / shape
    path.write_text(text, "utf-8")
    items, peak = peak_memory(lambda: list(read_reports([path])))
    assert len(items) == 1 and isinstance(items[0], ReadError)
    assert "a record of more than 1,000,000 JSON values" in items[0].message
    assert peak < 8 * len(text)  # (parsed: 26 times)


def test_json_values_are_counted_outside_strings_and_per_record(tmp_path: Path) -> None:
    from placemap.readers import MAX_JSON_VALUES, ReadError, read_reports

    commas = "Homs, " * (MAX_JSON_VALUES + 1)  # in a string: no values
    many = ",".join(["1"] * (MAX_JSON_VALUES + 1))
    records = [
        '{"id": "a", "text": "' + commas + ' \\"{[,"}',
        '{"id": "b", "text": "Shelling hit Hama."}',
        '{"id": "c", "text": "Shelling hit Homs.", "n": [' + many + "]}",
        '{"id": "d", "text": "Shelling hit Aleppo."}',
    ]
    path = tmp_path / "list.json"
    path.write_text("[" + ",\n".join(records) + "]", "utf-8")
    items = list(read_reports([path]))
    # (the records after one too large are read: it ended the list, red team round 4)
    assert [getattr(i, "id", None) for i in items] == ["a", "b", None, "d"]
    assert isinstance(items[2], ReadError)
    assert str(items[2]) == (
        f"{path}[2]: a record of more than 1,000,000 JSON values (objects, lists, items); "
        "skipped"
    )
    path.write_text("[" + ",\n".join(records[:3]) + "", "utf-8")  # (the list never closed)
    items = list(read_reports([path]))
    assert [getattr(i, "id", None) for i in items] == ["a", "b", None, None]
    assert str(items[3]).startswith(f"{path}: not valid JSON (Expecting ',' delimiter")
    lines = tmp_path / "lines.jsonl"
    lines.write_text("\n".join(records) + "\n", "utf-8")
    items = list(read_reports([lines]))
    assert [getattr(i, "id", None) for i in items] == ["a", "b", None, "d"]
    assert str(items[2]).startswith(f"{lines}, line 3: a record of more than 1,000,000")


def test_a_small_record_before_many_values_is_read_and_each_costs_its_length(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Hostile round 5: the values were counted to the next string, past the record's end:
    # a two-value record before a list of a million was "too large"; and a list of a
    # million "{}" was counted to the file's end for each of them (hours).
    from placemap import readers
    from placemap.readers import MAX_JSON_VALUES, ReadError, read_reports

    many = "[" + ",".join(["0"] * (MAX_JSON_VALUES + 1)) + "]"
    path = tmp_path / "list.json"
    path.write_text(
        '[{"id": "a", "text": "Fighting in Aleppo."}, ' + many + ', {"id": "b", "text": "Homs."}]'
    )
    items = list(read_reports([path]))
    assert [getattr(i, "id", None) for i in items] == ["a", None, "b"]
    assert isinstance(items[1], ReadError) and "more than 1,000,000" in items[1].message

    looked = 0
    real = readers._value_end

    def counting(text: str, i: int, stop: int, depth: int, count: int):  # type: ignore[no-untyped-def]
        nonlocal looked
        looked += stop - i
        return real(text, i, stop, depth, count)

    monkeypatch.setattr(readers, "_value_end", counting)

    def chars_looked_at(n: int) -> int:
        nonlocal looked
        text = "[" + ",".join(["{}"] * n) + "]"
        looked = 0
        for k in range(1, len(text) - 1, 3):  # each record's end, as a list is read
            assert readers._json_extent(text, k) == (k + 2, False)
        return looked

    assert chars_looked_at(4000) < 2.5 * chars_looked_at(2000)


def test_spans_longer_than_a_name_are_refused() -> None:
    # a span from each character to the text's end: output as the square of the text
    # (hostile round 5: 10,000 characters, 53 MB and 38 s)
    from placemap.readers import MAX_SPAN_CHARS, parse_spans

    text_length = 10_000
    spans = [{"start": i, "end": text_length} for i in range(0, text_length - 300, 7)]
    with pytest.raises(ValueError, match=r"span 1: 10,000 characters, longer than a place"):
        parse_spans(spans, "toponyms", text_length)
    ok = [{"start": 0, "end": MAX_SPAN_CHARS}, {"start": 0, "end": 5}, {"start": 0, "end": 5}]
    assert parse_spans(ok, "toponyms", text_length) == ((0, MAX_SPAN_CHARS), (0, 5))


_JSON_VALUES = st.recursive(
    st.none() | st.integers() | st.text(alphabet='ab"\\{}[],: \n'),
    lambda inner: st.lists(inner, max_size=4)
    | st.dictionaries(st.text(alphabet='k"\\{]', max_size=3), inner, max_size=4),
    max_leaves=20,
)


@settings(max_examples=150, deadline=None)
@given(st.lists(_JSON_VALUES, max_size=3) | st.dictionaries(st.text(max_size=3), _JSON_VALUES))
def test_where_a_json_value_ends_is_found_without_parsing_it(value: object) -> None:
    import json

    from placemap.readers import _json_extent

    for text in (json.dumps(value), json.dumps(value, indent=1)):
        assert _json_extent(text + ', {"next": "]"}', 0) == (len(text), False)


def test_a_parquet_row_group_whose_footer_miscounts_its_rows_is_named(tmp_path: Path) -> None:
    # A footer saying a row group has 0 rows (its pages hold 5) lost them without a word,
    # exit 0 (hostile round 5): the counts are checked against the rows read.
    from types import SimpleNamespace

    import pyarrow as pa
    import pyarrow.parquet as pq

    from placemap.readers import _ParquetPlan

    path = tmp_path / "t.parquet"
    pq.write_table(pa.table({"text": ["Homs."] * 5, "tags": [["a"]] * 5}), path)
    with path.open("rb") as fh:
        pf = pq.ParquetFile(fh)
        plan = _ParquetPlan(pf, fh, ["text", "tags"])
        meta = pf.metadata.row_group(0)
        assert plan.miscounted(meta, 5) is None
        assert plan.miscounted(meta, 4) == "damaged: its footer counts 5 rows, and 4 were read"
        lying = SimpleNamespace(num_rows=0, column=meta.column)
        assert plan.miscounted(lying, 0) == (
            "damaged: its footer counts 0 or 5 rows, and 0 were read"
        )


def test_an_html_page_may_be_a_tenth_of_the_size_limit(tmp_path: Path) -> None:
    # a page is parsed at about 40 times its size (a 6 MB page: 290 MB, 29 s; a .html.gz
    # of a few hundred kB could hold 200 MB): pages have a tenth of --max-size
    from placemap.readers import ReadError, read_reports

    page = tmp_path / "p.html"
    page.write_text("<html><body><p>Shelling hit Homs.</p>" + " " * 2_000 + "</body></html>")
    (item,) = read_reports([page], max_bytes=20_000)
    assert isinstance(item, ReadError) and "limit for HTML pages (a tenth of it)" in item.message
    (item,) = read_reports([page], max_bytes=30_000)
    assert not isinstance(item, ReadError)


def test_a_parquet_column_of_lists_of_links_is_left_unread(tmp_path: Path) -> None:
    # "link" is only the url's fallback: a list of links refused the table (round 5)
    import pyarrow as pa
    import pyarrow.parquet as pq

    from placemap.readers import read_reports

    path = tmp_path / "links.parquet"
    table = {"text": ["Homs."], "url": ["https://example.org/a"], "link": [["x", "y"]]}
    pq.write_table(pa.table(table), path)
    (report,) = read_reports([path])
    assert report.url == "https://example.org/a"


def test_a_parquet_chunks_sizes_are_read_from_its_pages_not_only_its_footer(
    tmp_path: Path,
) -> None:
    # A footer is not checked against the pages: one that said 1,000 bytes of a chunk
    # holding 600 MB of strings (a 33 kB file) had 2.3 GB decoded before a row was sized,
    # and one that hid its dictionary page had the column read plain. The pages' own
    # headers say what Arrow will decode.
    from types import SimpleNamespace

    import pyarrow as pa
    import pyarrow.parquet as pq

    from placemap.parquetpages import EXHAUSTED, ChunkPages, PageReader, chunk_pages

    path = tmp_path / "t.parquet"
    texts = pa.array([f"{i:05d}" + "x" * 100_000 for i in range(60)])
    pq.write_table(pa.table({"text": texts}), path, compression="zstd", data_page_size=1 << 16)
    with path.open("rb") as fh:
        honest = pq.ParquetFile(fh).metadata.row_group(0).column(0)
        assert path.stat().st_size < 100_000 < 6_000_000 < honest.total_uncompressed_size
        pages = chunk_pages(fh, honest)
        assert pages.dictionary and pages.uncompressed >= honest.total_uncompressed_size - 1000
        lying = SimpleNamespace(
            total_uncompressed_size=1000,
            total_compressed_size=honest.total_compressed_size,
            has_dictionary_page=False,  # the dictionary page's offset left out
            dictionary_page_offset=None,
            data_page_offset=honest.dictionary_page_offset,
        )
        pages = chunk_pages(fh, lying)
        assert pages.dictionary and pages.uncompressed >= 6_000_000
        # What is no page at all counts as the footer says.
        junk = SimpleNamespace(**{**vars(lying), "data_page_offset": 0})
        assert chunk_pages(fh, junk).uncompressed == 1000
        # A file's chunks are read once each, and at most so many headers in all: a
        # footer may point row group after row group at the same bytes, or at others.
        reader = PageReader(fh)
        first = reader(lying)
        spent = reader.budget
        assert reader(lying) == first and reader.budget == spent < PageReader(fh).budget
        reader.budget = 0
        moved = SimpleNamespace(**{**vars(lying), "total_compressed_size": 99})
        assert reader(moved).uncompressed == EXHAUSTED
        # A stray byte after the pages (Arrow stops at the chunk's last value): the pages
        # read still count.
        stray = SimpleNamespace(
            **{**vars(lying), "total_compressed_size": honest.total_compressed_size + 1}
        )
        assert chunk_pages(fh, stray).uncompressed >= 6_000_000
    # The sizes are the i32 fields Arrow reads; an i16 or i64 of the same number is skipped.
    def varint(n: int) -> bytes:
        out = bytearray()
        while n >= 0x80:
            out.append((n & 0x7F) | 0x80)
            n >>= 7
        return bytes(out + bytes([n]))

    def zz(n: int) -> bytes:  # zigzag of a number of at least 0
        return varint(2 * n)

    header = (
        b"\x15" + zz(2) + b"\x15" + zz(5_000_000) + b"\x15" + zz(3)  # dictionary page
        + b"\x04" + zz(2) + zz(0)  # field 2 again, as an i16: 0
        + b"\x00"
    )
    crafted = tmp_path / "crafted.bin"
    crafted.write_bytes(header + b"abc")
    with crafted.open("rb") as fh:
        chunk = SimpleNamespace(
            total_uncompressed_size=7,
            total_compressed_size=len(header) + 3,
            has_dictionary_page=False,
            dictionary_page_offset=None,
            data_page_offset=0,
        )
        assert chunk_pages(fh, chunk) == ChunkPages(5_000_000, True)
    # Bytes that are no page header count as the footer says, however they nest (a list
    # of lists of lists... ran out of Python's stack) or wherever they point.
    junk = tmp_path / "junk.bin"
    for data in (b"\x19" * 5000, b"\x1c" * 5000, b"\x1b\x80\x80\x01" + b"\xcc" * 10):
        junk.write_bytes(data)
        with junk.open("rb") as fh:
            for offset in (0, 2, 1 << 62):
                chunk = SimpleNamespace(
                    total_uncompressed_size=7,
                    total_compressed_size=len(data),
                    has_dictionary_page=False,
                    dictionary_page_offset=None,
                    data_page_offset=offset,
                )
                assert chunk_pages(fh, chunk).uncompressed == 7
