"""Hostile and broken inputs: each gives one error line naming the file (and line),
every good record is kept, and nothing crashes, hangs or grows without bound."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

TEXT = "Shelling hit Homs province and the town of Palmyra, Syria."
GOOD = json.dumps({"id": "good", "text": TEXT})


@pytest.fixture()
def run_process(small_index: Path):
    """placemap in a child process (for inputs that could block, and for raw bytes)."""

    def invoke(*args: str | bytes | Path, timeout: float = 120) -> subprocess.CompletedProcess:
        env = {**os.environ, "PLACEMAP_GAZETTEER": str(small_index), "LC_ALL": "C.UTF-8"}
        return subprocess.run(
            [sys.executable, "-m", "placemap", *(os.fspath(a) for a in args)],
            capture_output=True,
            env=env,
            timeout=timeout,
        )

    return invoke


def _ids(jsonl: str) -> list[str]:
    return [json.loads(line)["id"] for line in jsonl.splitlines() if line.startswith("{")]


def _errors(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if line.startswith("placemap: error:")]


# --- invalid Unicode, deep nesting, huge numbers -----------------------------------------


def test_lone_surrogates_become_replacement_characters_with_a_notice(run, tmp_path) -> None:
    f = tmp_path / "s.jsonl"
    # JSON escapes of lone surrogates: valid JSON, but no valid Unicode text.
    f.write_text(
        GOOD
        + '\n{"id": "b\\ud800", "title": "T\\udfff", "text": "x\\ud800 Homs."}\n'
        + json.dumps({"id": "c", "text": "News from Palmyra."})
        + "\n",
        "utf-8",
    )
    out = tmp_path / "out.jsonl"
    r = run("extract", f, "-o", out)
    assert r.exit_code == 0, r.output
    assert f"placemap: {f}:2: replaced invalid Unicode (lone surrogates)" in r.stderr
    docs = [json.loads(line) for line in out.read_text("utf-8").splitlines()]
    assert [d["id"] for d in docs] == ["good", "b\ufffd", "c"]
    assert docs[1]["title"] == "T\ufffd"
    # one character for one: offsets still match the text as read
    assert [(m["text"], m["start"]) for m in docs[1]["mentions"]] == [("Homs", 3)]
    r = run("map", f, "-o", tmp_path / "maps")
    assert r.exit_code == 0, r.output
    assert "wrote 3 report maps" in r.output
    assert (tmp_path / "maps" / "index.html").exists()


def test_deeply_nested_json_is_one_error(run, tmp_path) -> None:
    deep = "[" * 100_000 + "]" * 100_000
    lines = tmp_path / "deep.jsonl"
    lines.write_text(f'{GOOD}\n{{"id": "x", "text": {deep}}}\n', "utf-8")
    whole = tmp_path / "deep.json"
    whole.write_text(deep, "utf-8")
    r = run("extract", lines, whole)
    assert r.exit_code == 3
    assert _errors(r.stderr) == [
        f"placemap: error: {lines}, line 2: not valid JSON (nested too deeply)",
        f"placemap: error: {whole}: not valid JSON (nested too deeply)",
    ]
    assert _ids(r.stdout) == ["good"]
    for command in ("extract", "map"):
        r = run(command, lines, "--strict", "-o", tmp_path / f"{command}-out")
        assert r.exit_code == 1
        assert "line 2: not valid JSON (nested too deeply) (stopped: --strict)" in r.output
    r = run("map", lines, whole, "-o", tmp_path / "maps")
    assert r.exit_code == 3 and "wrote 1 report maps" in r.stdout
    assert len(_errors(r.stderr)) == 2


def test_an_integer_id_of_5000_digits_is_kept_as_written(run, tmp_path) -> None:
    f = tmp_path / "big.jsonl"
    digits = "7" * 5000
    f.write_text(f'{{"id": {digits}, "text": "News from Homs."}}\n{GOOD}\n', "utf-8")
    r = run("extract", f)
    assert r.exit_code == 0, r.output
    assert _ids(r.stdout) == [digits, "good"]


# --- files that are not files ----------------------------------------------------------


def test_fifo_socket_and_device_are_refused_without_blocking(run_process, tmp_path) -> None:
    good = tmp_path / "good.txt"
    good.write_text(TEXT, "utf-8")
    fifo = tmp_path / "pipe.txt"
    os.mkfifo(fifo)
    sock_path = tmp_path / "sock.jsonl"
    sock = socket.socket(socket.AF_UNIX)
    sock.bind(str(sock_path))
    try:
        r = run_process("extract", fifo, sock_path, "/dev/zero", good, timeout=60)
    finally:
        sock.close()
    stderr = r.stderr.decode()
    assert r.returncode == 3, stderr
    assert _errors(stderr) == [
        f"placemap: error: {fifo}: not a regular file (a named pipe); use - for standard input",
        f"placemap: error: {sock_path}: not a regular file (a socket); use - for standard input",
        "placemap: error: /dev/zero: not a regular file (a character device); "
        "use - for standard input",
    ]
    assert _ids(r.stdout.decode()) == ["good"]
    # found in a folder: named the same way, never opened (no hint of standard input for
    # a file the user did not name)
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "a.txt").write_text(TEXT, "utf-8")
    os.mkfifo(folder / "b.txt")
    r = run_process("extract", folder, timeout=60)
    assert r.returncode == 3
    assert _errors(r.stderr.decode()) == [
        f"placemap: error: {folder / 'b.txt'}: not a regular file (a named pipe)"
    ]
    assert _ids(r.stdout.decode()) == ["a"]


def test_a_file_swapped_for_a_link_after_its_folder_is_listed_is_not_read(tmp_path) -> None:
    # the link check was made when the folder was listed, and the file opened later: a
    # report swapped for a link to a file outside (/etc/passwd) during a run was read
    from placemap.readers import read_reports

    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "a.txt").write_text(TEXT, "utf-8")
    (folder / "b.txt").write_text(TEXT, "utf-8")
    secret = tmp_path / "secret.txt"
    secret.write_text("root:x:0:0:root:/root:/bin/bash\n", "utf-8")
    items = read_reports([folder])
    first = next(items)  # the folder is listed, a.txt read
    (folder / "b.txt").unlink()
    (folder / "b.txt").symlink_to(secret)
    rest = list(items)
    assert getattr(first, "id", None) == "a"
    assert [str(x) for x in rest] == [
        f"{folder / 'b.txt'}: is no longer the file its folder listed (replaced during the "
        "run); skipped"
    ]


def test_file_name_that_is_not_utf8(run_process, tmp_path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    raw = os.fsencode(folder) + b"/caf\xe9.txt"
    with open(raw, "w", encoding="utf-8") as fh:
        fh.write(TEXT)
    out = tmp_path / "out.jsonl"
    for args in ([raw], [folder], [raw, "-o", out]):
        r = run_process("extract", *args)
        assert r.returncode == 0, r.stderr.decode(errors="replace")
        assert b"Traceback" not in r.stderr
        jsonl = out.read_bytes() if "-o" in args else r.stdout
        (doc,) = [json.loads(line) for line in jsonl.decode("utf-8").splitlines()]
        assert doc["id"] == "caf\ufffd" and len(doc["mentions"]) == 3
    r = run_process("map", folder, "-o", tmp_path / "maps")
    assert r.returncode == 0 and b"Traceback" not in r.stderr
    r.stdout.decode("utf-8")


# --- many bad lines, long lines ----------------------------------------------------------


def test_binary_file_read_as_jsonl_names_a_few_lines_then_counts(run, tmp_path) -> None:
    f = tmp_path / "blob.jsonl"
    f.write_bytes(b"\x89PNG\x00\xff\xfe garbage\n" * 2000 + GOOD.encode() + b"\n")
    other = tmp_path / "other.jsonl"
    other.write_text("{oops\n" + json.dumps({"id": "o", "text": TEXT}) + "\n", "utf-8")
    r = run("extract", f, other)
    assert r.exit_code == 3
    errors = _errors(r.stderr)
    assert errors[:5] == [
        f"placemap: error: {f}, line {n}: not UTF-8 text (invalid start byte)" for n in range(1, 6)
    ]
    assert errors[5:] == [
        f"placemap: error: {f}: 1,995 more errors in this file (only the first 5 are named)",
        f"placemap: error: {other}, line 1: not valid JSON (Expecting property name enclosed "
        "in double quotes)",
    ]
    assert _ids(r.stdout) == ["good", "o"]


def test_line_over_the_size_limit_is_skipped_not_held(run, tmp_path) -> None:
    long_text = "Homs " * 2000  # 10 kB
    f = tmp_path / "long.jsonl"
    f.write_text(
        f"{GOOD}\n{json.dumps({'id': 'long', 'text': long_text})}\n"
        + json.dumps({"id": "after", "text": TEXT})
        + "\n",
        "utf-8",
    )
    c = tmp_path / "long.csv"
    c.write_text(f"id,text\na,{TEXT.replace(',', '')}\nlong,{long_text}\nafter,News from Homs.\n")
    r = run("extract", f, c, "--max-size", "5kB")
    assert r.exit_code == 3
    assert _errors(r.stderr) == [
        f"placemap: error: {f}, line 2: a line longer than the 5.0 kB limit "
        "(raise it with --max-size)",
        f"placemap: error: {c}, line 3: a line longer than the 5.0 kB limit "
        "(raise it with --max-size)",
    ]
    assert _ids(r.stdout) == ["good", "after", "a", "after"]


# --- unreadable files and folders, links ----------------------------------------------------


def test_unreadable_file_and_subfolder_are_named_and_the_rest_read(
    run, tmp_path, monkeypatch
) -> None:
    # Tests run as root, which permission bits do not stop: the refusal is simulated.
    good = tmp_path / "good.txt"
    good.write_text(TEXT, "utf-8")
    secret = tmp_path / "secret.txt"
    secret.write_text(TEXT, "utf-8")
    folder = tmp_path / "in"
    (folder / "locked").mkdir(parents=True)
    (folder / "locked" / "x.txt").write_text(TEXT, "utf-8")
    (folder / "open.txt").write_text(TEXT, "utf-8")
    real_access, real_open, real_scandir = os.access, os.open, os.scandir

    def denied(path) -> PermissionError:
        return PermissionError(13, "Permission denied", os.fspath(path))

    def access(path, mode, *a, **kw):
        return False if os.fspath(path) == str(secret) else real_access(path, mode, *a, **kw)

    def open_(path, flags, *a, **kw):
        if os.fspath(path) == str(secret):
            raise denied(path)
        return real_open(path, flags, *a, **kw)

    def scandir(path="."):
        if os.fspath(path) == str(folder / "locked"):
            raise denied(path)
        return real_scandir(path)

    monkeypatch.setattr(os, "access", access)
    monkeypatch.setattr(os, "open", open_)
    monkeypatch.setattr(os, "scandir", scandir)
    r = run("extract", secret, good, folder)
    assert r.exit_code == 3, r.output
    assert _errors(r.stderr) == [
        f"placemap: error: {secret}: Permission denied",
        f"placemap: error: {folder / 'locked'}: cannot read this folder (Permission denied)",
    ]
    assert _ids(r.stdout) == ["good", "open"]


def test_broken_paths_are_named(run, tmp_path) -> None:
    good = tmp_path / "good.txt"
    good.write_text(TEXT, "utf-8")
    dangling = tmp_path / "gone.txt"
    dangling.symlink_to(tmp_path / "nowhere.txt")
    through_file = good / "x.txt"
    r = run("extract", dangling, through_file, good)
    assert r.exit_code == 3
    assert _errors(r.stderr) == [
        f"placemap: error: {dangling}: no such file or directory",
        f"placemap: error: {through_file}: Not a directory",
    ]
    assert _ids(r.stdout) == ["good"]


def test_links_in_a_folder_are_followed_only_inside_it(run, tmp_path) -> None:
    outside = tmp_path / "private"
    outside.mkdir()
    (outside / "passwd.txt").write_text("root:x:0:0:root:/root:/bin/bash\nNews from Homs.\n")
    folder = tmp_path / "in"
    (folder / "sub").mkdir(parents=True)
    (folder / "sub" / "a.txt").write_text(TEXT, "utf-8")
    (folder / "b.txt").symlink_to(folder / "sub" / "a.txt")  # inside: read
    (folder / "c.txt").symlink_to(outside / "passwd.txt")  # outside: skipped
    (folder / "d").symlink_to(outside, target_is_directory=True)  # outside: skipped
    r = run("extract", folder)
    assert r.exit_code == 0, r.output
    assert _ids(r.stdout) == ["b", "a"]
    assert f"placemap: skipped {folder / 'c.txt'}: a link to a file outside {folder}" in r.stderr
    assert f"placemap: skipped {folder / 'd'}: a link to a folder outside {folder}" in r.stderr
    # named on the command line, a link is followed as given
    r = run("extract", folder / "c.txt")
    assert r.exit_code == 0 and _ids(r.stdout) == ["c"]


# --- spans and Parquet cells ---------------------------------------------------------------


def test_bad_spans_are_clear_errors_naming_the_record(run, tmp_path) -> None:
    f = tmp_path / "spans.jsonl"
    text = "Palmyra is east of Homs."  # 24 characters
    bad = [
        '[{"start": 0, "end": Infinity}]',
        '[{"end": 7}]',
        '[{"start": "0", "end": 7}]',
        '[{"start": -1, "end": 7}]',
        '[{"start": 7, "end": 0}]',
        '[{"start": 19, "end": 99}]',
        '[{"start": 0, "end": 7}, 5]',
    ]
    lines = [json.dumps({"id": "ok", "text": text, "gold": [{"start": 0, "end": 7}]})]
    lines += [f'{{"id": "b{i}", "text": "{text}", "gold": {s}}}' for i, s in enumerate(bad)]
    f.write_text("\n".join(lines) + "\n", "utf-8")
    r = run("extract", f, "--spans", "gold")
    assert r.exit_code == 3
    assert _errors(r.stderr) == [
        f"placemap: error: {f}:{n}: field 'gold', span {i}: {reason}"
        for n, i, reason in [
            (2, 1, "end is not an integer (inf)"),
            (3, 1, "no 'start'"),
            (4, 1, "start is not an integer ('0')"),
            (5, 1, "start -1 is negative"),
            (6, 1, "start 7 is not before end 0"),
            (7, 1, "end 99 is past the end of the text (24 characters)"),
            (8, 2, "not an object with start and end"),
        ]
    ]
    assert _ids(r.stdout) == ["ok"]


def test_parquet_date_out_of_python_range_is_an_error_of_that_row(run, tmp_path) -> None:
    year_20000 = 568_000_000_000 * 1_000_000  # microseconds since 1970
    a = tmp_path / "a.parquet"
    pq.write_table(
        pa.table(
            {
                "id": ["r1", "r2", "r3"],
                "text": [TEXT, TEXT, "News from Homs."],
                "date": pa.array([0, year_20000, 86_400_000_000], type=pa.timestamp("us")),
            }
        ),
        a,
    )
    b = tmp_path / "b.jsonl"
    b.write_text(json.dumps({"id": "next", "text": TEXT}) + "\n", "utf-8")
    r = run("extract", a, b)
    assert r.exit_code == 3
    (error,) = _errors(r.stderr)
    assert error.startswith(f"placemap: error: {a}, row 2: column 'date': value out of range")
    assert _ids(r.stdout) == ["r1", "r3", "next"]
    assert [json.loads(x)["date"] for x in r.stdout.splitlines()] == [
        "1970-01-01",
        "1970-01-02",
        None,
    ]


# --- eval -----------------------------------------------------------------------------------


def test_eval_skips_bad_documents_and_scores_the_rest(run, tmp_path) -> None:
    text = "Palmyra is east of Homs."
    good = {
        "id": "ok",
        "text": text,
        "toponyms": [{"start": 0, "end": 7, "name": "Palmyra", "lat": 34.56, "lon": 38.28}],
    }
    deep = "[" * 100_000 + "]" * 100_000
    corpus = tmp_path / "c.jsonl"
    corpus.write_text(
        "\n".join(
            [
                json.dumps(good),
                json.dumps(
                    {**good, "id": "past", "toponyms": [{**good["toponyms"][0], "end": 99}]}
                ),
                f'{{"id": "deep", "text": "{text}", "toponyms": {deep}}}',
                json.dumps(
                    {
                        **good,
                        "id": "nolon",
                        "toponyms": [{"start": 0, "end": 7, "name": "Palmyra", "lat": 34.5}],
                    }
                ),
            ]
        )
        + "\n",
        "utf-8",
    )
    r = run("eval", corpus, "--misses", tmp_path / "m.csv", "--format", "json")
    assert r.exit_code == 3, r.output
    assert _errors(r.stderr) == [
        f"placemap: error: {corpus}, line 2: toponym 1: end 99 is past the end of the text "
        "(24 characters); document skipped",
        f"placemap: error: {corpus}, line 3: not valid JSON (nested too deeply); document skipped",
        f"placemap: error: {corpus}, line 4: toponym 1: no 'lon'; document skipped",
    ]
    result = json.loads(r.stdout)
    assert (result["documents"], result["skipped"], result["n"]) == (1, 3, 1)
    r = run("eval", corpus, "--misses", tmp_path / "m.csv")
    assert "(resolve, 1 documents, 3 skipped as unreadable, 1 toponyms)" in r.stdout


# --- tables (geocode, map --lat/--lon) ------------------------------------------------------


def test_geocode_refuses_a_fifo_without_waiting(run_process, tmp_path: Path) -> None:
    fifo = tmp_path / "names.csv"
    os.mkfifo(fifo)
    r = run_process("geocode", fifo, "--column", "name", timeout=60)
    assert r.returncode == 1
    assert b"names.csv: not a regular file" in r.stderr and b"Traceback" not in r.stderr


def test_geocode_jsonl_with_surrogates_deep_nesting_and_huge_numbers(
    run_process, tmp_path: Path
) -> None:
    table = tmp_path / "t.jsonl"
    table.write_text(
        '{"name": "Homs\\ud800", "n": 1}\n' + f'{{"name": "Palmyra", "n": {"9" * 5000}}}\n',
        "utf-8",
    )
    out = tmp_path / "out.csv"
    r = run_process("geocode", table, "--column", "name", "-o", out)
    assert r.returncode == 0, r.stderr
    written = out.read_text("utf-8")
    assert "Homs\ufffd" in written and "9" * 5000 in written
    deep = tmp_path / "deep.jsonl"
    deep.write_text('{"name": ' + "[" * 100_000 + "]" * 100_000 + "}\n", "utf-8")
    r = run_process("geocode", deep, "--column", "name")
    assert r.returncode == 1 and b"Traceback" not in r.stderr
    assert b"deep.jsonl, line 1: not valid JSON (nested too deeply)" in r.stderr


def test_number_options_refuse_nan_and_infinity(run, tmp_path: Path) -> None:
    report = tmp_path / "r.txt"
    report.write_text(TEXT, "utf-8")
    r = run("map", report, "--min-confidence", "nan", "-o", tmp_path / "m")
    assert r.exit_code == 2 and "not a number" in r.output
    for size in ("inf", "1e999", "nan"):
        r = run("extract", report, "--max-size", size)
        assert r.exit_code == 2 and "is not a size" in r.output, size


def test_a_parquet_table_error_is_one_line(run, tmp_path: Path) -> None:
    table = tmp_path / "dup.parquet"
    pq.write_table(pa.table([pa.array(["Homs"]), pa.array(["x"])], names=["loc", "loc"]), table)
    r = run("geocode", table, "--column", "loc", "--format", "csv")
    assert r.exit_code == 1
    assert r.output.count("\n") == 1 and "dup.parquet: not a readable Parquet file" in r.output


def test_a_damaged_parquet_page_is_one_line_without_escapes(run, tmp_path: Path) -> None:
    # Arrow's error for a page header it cannot decode has two lines; the message shown is
    # its first, not the whole with its line breaks escaped (red team, round 6, P6).
    table = tmp_path / "bad.parquet"
    pq.write_table(
        pa.table({"name": ["Aleppo"] * 3}),
        table,
        compression="none",
        use_dictionary=False,
        write_statistics=False,
    )
    at = pq.ParquetFile(table).metadata.row_group(0).column(0).data_page_offset
    data = bytearray(table.read_bytes())
    data[at : at + 6] = b"\x11" * 5 + b"\x00"  # a struct of booleans: no page header
    table.write_bytes(bytes(data))
    r = run("geocode", table, "--column", "name", "--format", "csv")
    assert r.exit_code == 1 and r.output.count("\n") == 1
    assert "bad.parquet: cannot read the table (Couldn't deserialize thrift" in r.output
    assert "\\n" not in r.output and "Deserializing page header failed" not in r.output
