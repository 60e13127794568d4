"""Writing outputs atomically: a temporary file beside the target, renamed on success,
so an interrupted run never leaves a half-written file in place of a good one."""

from __future__ import annotations

import json
import os
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TextIO

from placemap.records import Report

__all__ = ["atomic_text_writer", "write_text_atomic", "report_jsonl"]


@contextmanager
def atomic_text_writer(path: Path | None) -> Iterator[TextIO]:
    """Yield a text stream that replaces ``path`` on success (stdout when None)."""
    if path is None:
        yield sys.stdout
        sys.stdout.flush()
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as fh:
            yield fh
        os.chmod(tmp, 0o666 & ~_umask())  # mkstemp makes 0600; give the usual mode
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def write_text_atomic(path: Path, text: str) -> None:
    with atomic_text_writer(path) as fh:
        fh.write(text)


def report_jsonl(report: Report) -> str:
    """One line of ``placemap extract --format jsonl``: the report without its source path."""
    d = report.to_dict()
    d.pop("source", None)
    return json.dumps(d, ensure_ascii=False) + "\n"
