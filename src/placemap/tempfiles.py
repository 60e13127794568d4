"""Temporary files beside a target (``.out.jsonl.x1y2z3ab.part``, an index's
``.building`` file) that do not outlive their run.

An interrupted run removes its own file (the writers' ``except BaseException``; the
CLI turns SIGTERM into an exception so that it runs). A killed run (SIGKILL, a power
cut) cannot, so the owner holds an exclusive ``flock`` on its file while it writes,
and the next run for the same target removes the files nobody holds.
"""

from __future__ import annotations

import logging
import os
import re
import stat
import tempfile
import time
from functools import lru_cache
from pathlib import Path

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows: an open file cannot be deleted there
    fcntl = None  # type: ignore[assignment]

__all__ = ["create_locked", "file_kind", "output_target", "remove_stale"]

log = logging.getLogger(__name__)

# A file created this recently and still empty may belong to a run that has not taken
# its lock yet (between creating the file and locking it).
_GRACE_SECONDS = 60.0
# What tempfile.mkstemp puts between the prefix and the suffix.
_RANDOM = re.compile(r"[a-z0-9_]{8}")


def create_locked(target: Path, prefix: str, suffix: str) -> tuple[int, Path]:
    """A new temporary file ``prefix + RANDOM + suffix`` beside ``target``, open and
    locked: ``(fd, path)``. Closing ``fd`` releases the lock. Stale files of the same
    target are removed first."""
    remove_stale(target, prefix, suffix)
    fd, name = tempfile.mkstemp(prefix=prefix, suffix=suffix, dir=target.parent)
    if fcntl is not None:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    return fd, Path(name)


def remove_stale(target: Path, prefix: str, suffix: str) -> list[Path]:
    """Remove the temporary files of ``target`` (named as :func:`create_locked` names
    them) that no running process holds; returns them."""
    removed = []
    for name in _names_ending(str(target.parent), suffix):
        path = target.parent / name
        random = name[len(prefix) : -len(suffix)]
        if name.startswith(prefix) and _RANDOM.fullmatch(random) and _unowned(path):
            try:
                path.unlink()
            except OSError:
                continue
            log.info("removed %s, left by a run that was killed", path)
            removed.append(path)
    return removed


@lru_cache(maxsize=64)
def _names_ending(folder: str, suffix: str) -> tuple[str, ...]:
    """The names in ``folder`` ending in ``suffix``, listed once per process: files
    left by killed runs are there when this run starts, and listing the folder again
    for each file written (``map`` writes one page per report) would cost time
    quadratic in the number of pages."""
    try:
        with os.scandir(folder) as entries:
            return tuple(e.name for e in entries if e.name.endswith(suffix))
    except OSError:
        return ()


def _unowned(path: Path) -> bool:
    """Whether ``path`` is a temporary file no run holds. Only a regular file can be
    one: a named pipe of that name is not opened for reading (the run waited on it for
    ever), a link is not followed."""
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
    try:
        fd = os.open(path, flags)
    except OSError:
        return False
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            return False
        if st.st_size == 0 and time.time() - st.st_mtime < _GRACE_SECONDS:
            return False
        if fcntl is None:  # pragma: no cover
            return True
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            return False  # its run is still writing it
        return True
    finally:
        os.close(fd)


_KINDS = {
    stat.S_IFCHR: "a character device",
    stat.S_IFBLK: "a block device",
    stat.S_IFIFO: "a named pipe",
    stat.S_IFSOCK: "a socket",
    stat.S_IFDIR: "a folder",
}


def file_kind(path: Path) -> str | None:
    """What ``path`` (after links) is when it exists and is not a regular file: "a
    character device", "a named pipe", "a folder"...; None for a regular file or
    nothing at all."""
    try:
        mode = os.stat(path).st_mode
    except OSError:
        return None
    return None if stat.S_ISREG(mode) else _KINDS.get(stat.S_IFMT(mode), "not a regular file")


def output_target(path: Path) -> Path:
    """The file that writing ``path`` replaces: the target of a symbolic link (the link
    stays a link), else ``path`` itself."""
    return Path(os.path.realpath(path)) if path.is_symlink() else path
