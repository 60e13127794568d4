"""Parallel runs give the single-process results: process pools and the Dask engine."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from placemap.parallel import Result, Settings, Task, run_tasks
from placemap.records import Report

TEXTS = [
    "Fighting was reported near Palmyra, Syria, and in Homs province on Monday.",
    "The governor of Texas visited Palmyra and Austin after the floods.",
    "Officials in Damascus said the road to Palmyra was open again.",
    "No place is named in this sentence at all.",
    "Aid reached Homs and Hama, then Palmyra in the desert east of Homs.",
]


def _tasks(n: int) -> list[Task]:
    return [Task(Report(f"r{i}", TEXTS[i % len(TEXTS)])) for i in range(n)]


def _facts(results: list[Result]) -> list[tuple]:
    return [
        (
            r.report.id,
            r.error,
            [
                (m.start, m.end, m.place and m.place.geonameid, m.confidence)
                for m in r.report.mentions
            ],
        )
        for r in results
    ]


def test_workers_give_the_single_process_results_in_order(small_index: Path) -> None:
    settings = Settings(gazetteer=str(small_index))
    one = list(run_tasks(_tasks(40), settings, workers=1))
    two = list(run_tasks(_tasks(40), settings, workers=2, chunk_size=3))
    assert [r.report.id for r in two] == [f"r{i}" for i in range(40)]
    assert _facts(two) == _facts(one)
    assert any(m.place for r in one for m in r.report.mentions)


def test_a_bad_span_is_an_error_of_its_report_only(small_index: Path) -> None:
    settings = Settings(gazetteer=str(small_index))
    tasks = [
        Task(Report("ok", TEXTS[0]), spans=((27, 34),)),
        Task(Report("bad", TEXTS[0]), spans=((5, 500),)),
        Task(Report("ok2", TEXTS[1])),
    ]
    res = list(run_tasks(tasks, settings, workers=2, chunk_size=1))
    assert [r.error is None for r in res] == [True, False, True]
    assert "outside the text" in (res[1].error or "")
    assert res[0].report.mentions[0].text == "Palmyra"


def test_a_report_whose_worker_dies_is_an_error_of_its_own(
    small_index: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A worker killed by the system (out of memory) ended `extract -j 2` in a
    # BrokenProcessPool traceback, every report lost (red team round 3, H12). The
    # chunks lost with the pool are run again a report at a time in a new one.
    from placemap import parallel

    from . import dying_worker

    monkeypatch.setattr(parallel, "_process_chunk", dying_worker.process_chunk)
    settings = Settings(gazetteer=str(small_index))
    tasks = _tasks(30)
    tasks[17] = Task(Report("die", TEXTS[0]))
    res = list(run_tasks(tasks, settings, workers=2, chunk_size=4))
    assert [r.report.id for r in res] == [t.report.id for t in tasks]
    assert [(r.report.id, r.error) for r in res if r.error] == [("die", parallel.WORKER_DIED)]
    rest = [t for t in tasks if t.report.id != "die"]
    alone = list(run_tasks(rest, settings, workers=1))
    assert _facts([r for r in res if r.report.id != "die"]) == _facts(alone)


def test_a_report_out_of_memory_is_an_error_of_its_own(
    small_index: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Where the system refuses memory (ulimit -v) a MemoryError ended the whole run in a
    # traceback, no report written (red team round 4, W1).
    from placemap.pipeline import Geoparser

    real = Geoparser.geoparse

    def geoparse(self, text):  # type: ignore[no-untyped-def]
        if "Hama" in text:
            raise MemoryError
        return real(self, text)

    monkeypatch.setattr(Geoparser, "geoparse", geoparse)
    res = list(run_tasks(_tasks(5), Settings(gazetteer=str(small_index)), workers=1))
    assert [r.error for r in res] == [None, None, None, None, "out of memory while geoparsing it"]


def test_workers_dying_again_and_again_stop_the_run(
    small_index: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from placemap import parallel
    from placemap.errors import WorkerError

    from . import dying_worker

    monkeypatch.setattr(parallel, "_process_chunk", dying_worker.process_chunk)
    tasks = [Task(Report(f"die{i}", TEXTS[0], source=f"in.jsonl:{i}")) for i in range(1, 9)]
    got = []
    with pytest.raises(WorkerError, match=r"3 worker processes died in a row, the last "
                       r"while geoparsing in.jsonl:3 \(out of memory\?\); stopped"):
        got.extend(run_tasks(tasks, Settings(gazetteer=str(small_index)), workers=2))
    assert [r.report.id for r in got] == ["die1", "die2"]


def test_only_placemaps_own_process_freezes_what_it_holds(
    small_index: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Freezing (gc.freeze) keeps a caller's old cyclic garbage for good: only the command's
    # process asks for it (settle=True), and workers, which are placemap's.
    import gc

    from placemap import parallel

    settings = Settings(gazetteer=str(small_index))
    tasks = [Task(Report(id=str(i), text="Shelling hit Homs.")) for i in range(3)]
    gc.unfreeze()
    monkeypatch.setattr(parallel, "_processed", 0)
    try:
        assert len(list(run_tasks(tasks, settings))) == 3
        assert gc.get_freeze_count() == 0
        assert len(list(run_tasks(tasks, settings, settle=True))) == 3
        assert gc.get_freeze_count() > 0
    finally:
        gc.unfreeze()


def test_an_interrupted_consumer_stops_the_pool(small_index: Path) -> None:
    settings = Settings(gazetteer=str(small_index))
    seen = 0
    with pytest.raises(KeyboardInterrupt):
        for _ in run_tasks(_tasks(400), settings, workers=2, chunk_size=2):
            seen += 1
            if seen == 5:
                raise KeyboardInterrupt
    assert seen == 5


dask = pytest.importorskip("dask")
distributed = pytest.importorskip("distributed")


@pytest.fixture(scope="module")
def cluster():
    from distributed import LocalCluster

    with LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
    ) as c:
        yield c


def _corpus(path: Path, n: int) -> Path:
    with path.open("w", encoding="utf-8") as fh:
        for i in range(n):
            fh.write(json.dumps({"id": f"doc{i}", "text": TEXTS[i % len(TEXTS)]}) + "\n")
        fh.write("\n")
        fh.write('{"id": "broken", "body": "no text field"}\n')
    return path


def _one_process_parquet(small_index: Path, src: Path, out: Path, *args: str) -> pd.DataFrame:
    r = _cli(small_index, "extract", str(src), "--format", "parquet", "-o", str(out), *args)
    assert r.exit_code in (0, 3), r.output
    return pd.read_parquet(out)


def _same_rows(dask_rows: pd.DataFrame, one: pd.DataFrame) -> None:
    """The Dask engine's mention rows are the rows and values of ``--format parquet``."""
    ok = dask_rows[dask_rows["error"].isna()].drop(columns="error").reset_index(drop=True)
    assert list(ok.columns) == list(one.columns)
    pd.testing.assert_frame_equal(ok, one, check_dtype=False)


def _same_arrow_columns(dask_out: Path, one: Path) -> None:
    """Each Dask partition has the Parquet columns of one process's file, names and Arrow
    types (int64 ids and offsets, bool ``resolved``, not pandas' nullable stand-ins),
    plus ``error``."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    want = [(f.name, f.type) for f in pq.read_schema(one)] + [("error", pa.string())]
    parts = sorted(dask_out.glob("*.parquet"))
    assert parts
    for part in parts:
        assert [(f.name, f.type) for f in pq.read_schema(part)] == want, part.name


def test_dask_engine_matches_the_single_process_run(
    small_index: Path, tmp_path: Path, cluster
) -> None:
    from placemap.dask_engine import run_dask

    src = _corpus(tmp_path / "corpus.jsonl", 60)
    settings = Settings(gazetteer=str(small_index))
    out = tmp_path / "out"
    stats = run_dask([src], out, settings, scheduler=cluster.scheduler_address, blocksize="1kB")
    assert stats["partitions"] > 1
    got = pd.read_parquet(out)
    # Every column of one process's Parquet, source and title and date too, row for row.
    one = _one_process_parquet(small_index, src, tmp_path / "one.parquet")
    assert one["source"].str.startswith(f"{src}:").all()
    _same_rows(got, one)
    _same_arrow_columns(out, tmp_path / "one.parquet")
    errors = got[got["error"].notna()]
    assert list(errors["source"]) == [f"{src}, line 62"]  # the record with no text field
    assert list(errors["error"]) == ["no string field 'text'"]
    assert errors["report_id"].isna().all()


def test_the_local_dask_cluster_runs_nothing_for_a_client_without_its_certificates(
    small_index: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Its ports are open to every local process: over plain TCP any other user's could
    # run code in placemap's workers (red team round 3, H14).
    import dask.distributed

    from placemap.dask_engine import run_dask

    real = dask.distributed.Client
    addresses = []

    def client(*args, **kwargs):  # type: ignore[no-untyped-def]
        own = real(*args, **kwargs)
        address = own.scheduler.address
        addresses.append(address)
        for other in (address, address.replace("tls://", "tcp://")):
            with pytest.raises((OSError, TypeError, ValueError)):
                real(other, timeout=3)  # no certificate of this job
        return own

    monkeypatch.setattr(dask.distributed, "Client", client)
    src = _corpus(tmp_path / "corpus.jsonl", 10)
    stats = run_dask([src], tmp_path / "out", Settings(gazetteer=str(small_index)), workers=1)
    assert stats["partitions"] >= 1
    assert len(addresses) == 1 and addresses[0].startswith("tls://127.0.0.1:")


def test_dask_engine_parts_number_lines_as_the_whole_file(tmp_path: Path) -> None:
    from placemap.readers import Fields, read_part, read_reports, split_input

    src = tmp_path / "c.jsonl"
    lines = [json.dumps({"text": f"Report {i} from Homs.", "date": "2024-05-0" + str(i % 9 + 1)})
             for i in range(40)]  # fmt: skip
    src.write_text("\n".join(lines[:7] + ["", "not json"] + lines[7:]) + "\n")
    for size in (1, 50, 300, 10_000):
        parts = split_input(src, size, Fields())
        assert [p.first for p in parts][0] == 1
        got = [str(item) if not isinstance(item, Report) else (item.id, item.source, item.date)
               for part in parts for item in read_part(part, Fields())]  # fmt: skip
        whole = [str(item) if not isinstance(item, Report) else (item.id, item.source, item.date)
                 for item in read_reports([src])]  # fmt: skip
        assert got == whole
        assert len(got) == 41


def test_dask_engine_reads_parquet_and_replaces_output_whole(
    small_index: Path, tmp_path: Path, cluster
) -> None:
    from placemap.dask_engine import run_dask

    src = tmp_path / "corpus.parquet"
    pd.DataFrame(
        {"doc": [f"d{i}" for i in range(12)], "body": [TEXTS[i % 5] for i in range(12)]}
    ).to_parquet(src)
    out = tmp_path / "out"
    out.mkdir()
    (out / "stale.parquet").write_bytes(b"old output")
    settings = Settings(gazetteer=str(small_index))
    run_dask(
        [src], out, settings, scheduler=cluster.scheduler_address, text_field="body", id_field="doc"
    )
    assert not (out / "stale.parquet").exists()
    got = pd.read_parquet(out)
    assert set(got["report_id"]) <= {f"d{i}" for i in range(12)}
    assert got["geonameid"].notna().any()
    assert not list(tmp_path.glob(".out.*"))  # no temporary folder left behind
    one = _one_process_parquet(
        small_index, src, tmp_path / "one.parquet", "--text-field", "body", "--id-field", "doc"
    )
    _same_rows(got, one)
    _same_arrow_columns(out, tmp_path / "one.parquet")


def test_a_failed_dask_job_leaves_the_old_output(
    small_index: Path, tmp_path: Path, cluster
) -> None:
    from placemap.dask_engine import run_dask

    out = tmp_path / "out"
    out.mkdir()
    (out / "part.0.parquet").write_bytes(b"previous results")
    missing = tmp_path / "missing.jsonl"
    with pytest.raises(Exception):  # noqa: B017 - whatever Dask raises for a missing file
        run_dask(
            [missing],
            out,
            Settings(gazetteer=str(small_index)),
            scheduler=cluster.scheduler_address,
        )
    assert (out / "part.0.parquet").read_bytes() == b"previous results"
    assert not list(tmp_path.glob(".out.*"))


def test_dask_engine_checks_its_inputs_and_runs_again_into_its_folder(
    small_index: Path, tmp_path: Path, cluster
) -> None:
    # A missing file, a pipe, a damaged Parquet file were tracebacks (a pipe hung), one
    # bad input stopped the job, and a second run into the same -o was refused (red team
    # round 2, R4)
    import os

    src = _corpus(tmp_path / "corpus.jsonl", 5)
    fifo = tmp_path / "pipe.jsonl"
    os.mkfifo(fifo)
    out = tmp_path / "out"
    args = ["extract", "--engine", "dask", "--scheduler", cluster.scheduler_address]
    r = _cli(small_index, *args, str(src), str(tmp_path / "nope.jsonl"), str(fifo), "-o", str(out))
    assert r.exit_code == 3
    assert "nope.jsonl: no such file or directory" in r.output
    assert "pipe.jsonl: not a regular file (a named pipe)" in r.output
    assert {"doc0", "doc1", "doc4"} <= set(pd.read_parquet(out)["report_id"].dropna())
    r = _cli(small_index, *args, str(src), "-o", str(out))  # the documented re-run
    assert r.exit_code == 3, r.output  # (the corpus's broken record)
    bad = tmp_path / "bad.parquet"
    bad.write_bytes(b"junk")
    r = _cli(small_index, *args, str(bad), "-o", str(tmp_path / "o2"))
    assert r.exit_code == 1 and "bad.parquet:" in r.output and "Traceback" not in r.output
    # never a folder of the user's, nor a file
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "notes.txt").write_text("keep\n", "utf-8")
    r = _cli(small_index, *args, str(src), "-o", str(mine))
    assert r.exit_code == 1 and "holds notes.txt" in r.output
    assert (mine / "notes.txt").read_text("utf-8") == "keep\n"
    r = _cli(small_index, *args, str(src), "-o", str(src))
    assert r.exit_code == 1 and src.read_text("utf-8").startswith('{"id": "doc0"')


def _cli(small_index: Path, *args: str):
    from click.testing import CliRunner

    from placemap.cli import cli

    env = {"PLACEMAP_GAZETTEER": str(small_index)}
    return CliRunner().invoke(cli, list(args), env=env, catch_exceptions=False)


def test_cli_workers_give_the_same_jsonl(small_index: Path, tmp_path: Path) -> None:
    src = _corpus(tmp_path / "corpus.jsonl", 30)
    one, two = tmp_path / "one.jsonl", tmp_path / "two.jsonl"
    r1 = _cli(small_index, "extract", str(src), "-o", str(one))
    r2 = _cli(small_index, "extract", str(src), "--workers", "2", "-o", str(two))
    assert r1.exit_code == r2.exit_code == 3  # the broken record is reported, the rest written
    assert "broken" not in one.read_text()
    assert one.read_bytes() == two.read_bytes()
    assert len(one.read_text().splitlines()) == 30


def test_cli_dask_engine_writes_parquet_partitions(
    small_index: Path, tmp_path: Path, cluster
) -> None:
    src = _corpus(tmp_path / "corpus.jsonl", 10)
    out = tmp_path / "places"
    r = _cli(
        small_index, "extract", str(src), "--engine", "dask", "--scheduler",
        cluster.scheduler_address, "-o", str(out),
    )  # fmt: skip
    assert r.exit_code == 3, r.output
    got = pd.read_parquet(out)
    # One row per mention: the report naming no place has none.
    named = {f"doc{i}" for i in range(10) if i % len(TEXTS) != 3}
    assert set(got["report_id"].dropna()) == named
    # The record with no text is an error row that says where it is, as on stderr.
    assert list(got.loc[got["error"].notna(), "source"]) == [f"{src}, line 12"]
    assert _cli(small_index, "extract", str(src), "--engine", "dask").exit_code == 2


def test_a_dask_job_never_replaces_a_folder_of_the_users_own_parquet(tmp_path: Path) -> None:
    # Any folder of Parquet files alone was taken for an earlier job's and replaced: the
    # user's own files were lost (red team round 3). A job's folder carries its marker.
    from placemap.dask_engine import JOB_MARKER, check_output_folder
    from placemap.errors import PlacemapError

    mine = tmp_path / "datasets"
    mine.mkdir()
    (mine / "customers.parquet").write_bytes(b"PAR1")
    with pytest.raises(PlacemapError, match="a folder placemap did not write"):
        check_output_folder(mine)
    (mine / JOB_MARKER).write_text("written by a job\n", "utf-8")
    check_output_folder(mine)  # an earlier job's: replaced when the new one is done
    (tmp_path / "empty").mkdir()
    check_output_folder(tmp_path / "empty")


def test_titles_and_dates_left_to_the_worker_are_those_read_at_once(tmp_path: Path) -> None:
    # A reader that leaves the guessing to the process that geoparses (--workers) gives,
    # once the reports are completed there, the reports read with the guessing done at
    # once: records without a title, without a date, with neither, with both; text files
    # and a page.
    from placemap.readers import completed, read_reports

    top = "World | Politics | Sport\nFloods hit Homs as the Orontes rises\nMarch 3, 2024\n\n"
    body = "Rain fell on Homs and Hama for a third day, officials said."
    records = [
        {"id": "a", "text": top + body},
        {"id": "b", "text": top + body, "title": "Given title"},
        {"id": "c", "text": top + body, "date": "2023-01-02"},
        {"id": "d", "text": body, "title": "T", "date": "2023-01-02"},
        {"id": "e", "text": "15/04/2024\n" + body},
        {"id": "f", "text": body},
    ]
    col = tmp_path / "c.jsonl"
    col.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    (tmp_path / "doc.txt").write_text(top + body, encoding="utf-8")
    (tmp_path / "page.html").write_text(
        f"<html><body><article><p>{top}</p><p>{body}</p></article></body></html>",
        encoding="utf-8",
    )
    paths = [col, tmp_path / "doc.txt", tmp_path / "page.html"]
    at_once = list(read_reports(paths, day_first=True))
    later = list(read_reports(paths, day_first=True, guess_later=True))
    assert [type(r) for r in at_once] == [Report] * len(at_once) == [type(r) for r in later]
    assert sum(r.pending is not None for r in later) >= 5  # (d gives both)
    assert all(r.pending is None for r in at_once)
    done = [completed(r) for r in later]
    assert done == at_once
    assert [(r.title, r.date) for r in done] == [(r.title, r.date) for r in at_once]
    assert done[0].title == "Floods hit Homs as the Orontes rises"
    assert done[0].date == "2024-03-03" and done[4].date == "2024-04-15"
    assert all(r.pending is None for r in done)


def test_workers_guess_titles_and_dates_left_to_them(small_index: Path) -> None:
    from placemap.records import Pending

    text = "Floods hit Homs as the Orontes rises\nMarch 3, 2024\n\nRain fell on Homs."
    task = Task(Report("r", text, title="r", pending=Pending(True, True)))
    single = list(run_tasks([task], Settings(str(small_index))))
    pooled = list(run_tasks([task], Settings(str(small_index)), workers=2))
    for res in (single, pooled):
        (r,) = [x.report for x in res]
        assert (r.title, r.date, r.pending) == (
            "Floods hit Homs as the Orontes rises",
            "2024-03-03",
            None,
        )


def test_a_chunk_of_long_reports_holds_fewer_of_them() -> None:
    # Chunks of 32 saved pages (about 40 kB each) took a worker a second: the last ones
    # kept one worker busy while the other waited. Short reports still go 32 at a time.
    from placemap.parallel import CHUNK_CHARS, _chunk

    short = iter([Task(Report(f"s{i}", "x" * 2_000)) for i in range(100)])
    assert [len(_chunk(short, 32)) for _ in range(4)] == [32, 32, 32, 4]
    size = CHUNK_CHARS // 4
    long = iter([Task(Report(f"l{i}", "x" * size)) for i in range(10)])
    assert [len(_chunk(long, 32)) for _ in range(4)] == [4, 4, 2, 0]
    huge = iter([Task(Report("h", "x" * (3 * CHUNK_CHARS)))])
    assert len(_chunk(huge, 32)) == 1
