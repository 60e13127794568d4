"""Where outputs go: checked before the work starts, a map folder locked against a
second run, and its pages written so that a failure leaves the folder as it was.

Every fault of the output location (read-only, full, not a folder, taken by another
run) is an :class:`~placemap.errors.OutputError` naming the path, which the CLI prints
as one line.
"""

from __future__ import annotations

import errno
import logging
import os
import shutil
import stat
import tempfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

from placemap.errors import OutputError
from placemap.stops import holding
from placemap.tempfiles import file_kind, output_target
from placemap.writers import atomic_binary_writer, atomic_text_writer

try:
    import fcntl
except ImportError:  # Windows: no advisory locks; folders are not locked there
    fcntl = None  # type: ignore[assignment]

__all__ = [
    "LOCK_NAME",
    "STAGE_PREFIX",
    "StagedFiles",
    "check_output_file",
    "locked_folder",
    "output_errors",
    "output_file",
    "staged_files",
]

log = logging.getLogger(__name__)

#: The lock file a map run holds in its output folder (removed when the run ends).
LOCK_NAME = ".placemap.lock"
#: Hidden folders inside the output folder where a map run writes its pages first.
STAGE_PREFIX = ".placemap-new-"


def _error(path: Path, err: OSError) -> OutputError:
    wanted_folder = isinstance(err, (FileExistsError, NotADirectoryError))
    if wanted_folder and path.exists() and not path.is_dir():
        # (a folder was wanted: "-o /dev/null" for maps, a file "assets" in the way)
        return OutputError(f"{path}: is no folder, where placemap needs one")
    return OutputError(f"{path}: cannot write here ({err.strerror or err})")


@contextmanager
def output_errors(path: Path) -> Iterator[None]:
    """Turn the OS errors of writing ``path`` into an OutputError naming it."""
    try:
        yield
    except OutputError:
        raise
    except OSError as err:
        raise _error(path, err) from err


def check_not_an_input(output: Path, paths: Iterable[Path], *, folder: bool = False) -> None:
    """Raise OutputError when writing ``output`` would replace what the run reads: an
    input file given as the output file (``extract page.txt -o page.txt``, ``eval
    gold.jsonl --misses gold.jsonl``, a GeoNames dump as the index) or, for a
    map ``folder``, a folder of inputs (its reports and the pages would mix, and be read
    back as reports) or the folder of an input page whose name its map page would take
    (``map page.html -o .``). Called before the work."""
    if not output.exists():
        return
    for p in paths:
        if str(p) == "-":
            continue
        if not folder:
            if p.is_file() and _same(p, output):
                raise OutputError(
                    f"{output}: is also an input of this run; writing it would replace it: "
                    "choose another file"
                )
        elif p.is_dir():
            if _same(p, output):
                raise OutputError(
                    f"{output}: is also an input folder; the maps would be written among its "
                    "reports (a page can replace one) and read as reports by the next run: "
                    "choose another folder"
                )
        elif p.name.lower().endswith(".html") and _same(p.parent, output):
            raise OutputError(
                f"{output}: holds the input {p.name}, which a map page of that name would "
                "replace: choose another folder"
            )
        elif _same(p.parent, output):
            raise OutputError(
                f"{output}: holds the input {p.name}; maps written among reports would "
                "replace files of the same names, and the folder would be taken for maps "
                "(not read as reports) by later runs: choose another folder"
            )


def check_not_in_input_folders(output: Path, paths: Iterable[Path], glob: str | None) -> None:
    """Raise OutputError when ``output`` is a file that reading an input folder would take
    for a report or a collection and that placemap did not write (``extract reports/ -o
    reports/a.txt`` would replace a report, and leave it unread). A previous output of
    placemap there is replaced, and not read back (see :func:`written_by_placemap`).
    Called before the work."""
    from placemap.readers import read_from_folder, written_by_placemap

    if not output.is_file():
        return
    for p in paths:
        if str(p) == "-" or not p.is_dir() or not read_from_folder(p, output, glob):
            continue
        if not written_by_placemap(output):
            target = f" (a link to {output.resolve()})" if output.is_symlink() else ""
            raise OutputError(
                f"{output}{target}: is a file of the input folder {p}, which this run would "
                "read; writing it would replace it: choose another file"
            )


def _same(a: Path, b: Path) -> bool:
    try:
        return os.path.samefile(a, b)
    except OSError:  # an input that is missing is an error of that input, later
        return False


def check_output_file(path: Path) -> None:
    """Raise OutputError unless a file can be written at ``path`` (its folder exists, or
    can be made, and takes a new file); called before the work, so that a bad ``-o``
    fails at once instead of after the geoparsing."""
    if path.is_dir():
        raise OutputError(f"{path}: is a folder; give a file name")
    path = output_target(path)
    if file_kind(path) is not None:
        return  # a device or a pipe (/dev/null, a FIFO) is written in place
    if path.parent.exists() and not path.parent.is_dir():
        raise OutputError(f"{path}: cannot write here ({path.parent} is not a folder)")
    with output_errors(path):
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, probe = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=path.parent)
        os.close(fd)
        os.unlink(probe)


class _Guarded:
    """A stream whose write errors are OutputErrors naming the file."""

    def __init__(self, fh: IO[Any], path: Path) -> None:
        self._fh = fh
        self._path = path

    def write(self, data: Any) -> int:
        # (output_errors inlined: a report is written in a piece per mention, and a
        # generator-based context manager each time was 1-2% of a run.)
        try:
            return self._fh.write(data)
        except OutputError:
            raise
        except OSError as err:
            raise _error(self._path, err) from err

    def __getattr__(self, name: str) -> Any:
        return getattr(self._fh, name)


@contextmanager
def output_file(path: Path | None, *, binary: bool = False) -> Iterator[Any]:
    """The atomic writer of ``path`` (standard output when None) whose OS errors, in
    making, writing or renaming the file, are OutputErrors naming ``path``; errors of the
    work done inside pass as they are. A failure leaves the previous file in place."""
    opener = atomic_binary_writer if binary else atomic_text_writer
    if path is None:
        with opener(None) as out:
            yield out
        return
    inside = False
    try:
        with opener(path) as fh:
            try:
                yield _Guarded(fh, path)
            except BaseException:
                inside = True
                raise
    except OSError as err:
        if inside or isinstance(err, OutputError):
            raise
        raise _error(path, err) from err


# --- map folders ----------------------------------------------------------------------


def _open_lock(path: Path) -> IO[str]:
    """The lock file opened for appending, only if it is a regular file of its own: a
    link planted there is not followed (the run would make its target, anywhere), and a
    named pipe is not waited on (the run hung)."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_APPEND
    flags |= getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
    try:
        fd = os.open(path, flags, 0o644)
    except OSError as err:
        if err.errno in (errno.ELOOP, errno.ENXIO) or path.is_symlink():
            raise OutputError(
                f"{path}: is not placemap's lock file (a link or a pipe); remove it"
            ) from err
        raise
    if not stat.S_ISREG(os.fstat(fd).st_mode):
        os.close(fd)
        raise OutputError(f"{path}: is not placemap's lock file (not a regular file); remove it")
    return os.fdopen(fd, "a", encoding="utf-8")


def _lock(path: Path) -> IO[str]:
    """Open and lock the lock file at ``path``; OutputError if another run holds it."""
    for _ in range(3):
        fh = _open_lock(path)  # held until the run ends
        if fcntl is None:
            return fh
        try:
            fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            fh.close()
            raise OutputError(
                f"{path.parent}: another placemap run is writing to this folder; "
                "wait for it to end or choose another folder"
            ) from None
        except OSError as err:
            if err.errno not in (errno.ENOLCK, errno.EOPNOTSUPP, errno.ENOSYS):
                fh.close()
                raise
            log.warning("%s: cannot lock this folder (%s); writing without", path, err.strerror)
            return fh
        try:  # the run that held it may have removed the file meanwhile: lock the new one
            if os.stat(path).st_ino == os.fstat(fh.fileno()).st_ino:
                return fh
        except FileNotFoundError:
            pass
        fh.close()
    raise OutputError(f"{path.parent}: cannot lock this folder (its lock file keeps changing)")


@contextmanager
def locked_folder(folder: Path) -> Iterator[Path]:
    """Make ``folder`` if need be and hold a lock on it for the run: a second run that
    would write into it is refused (OutputError) instead of mixing its pages with
    these. Taking the lock writes a file there, so a folder that cannot be written to
    fails here, before any work. Staging folders left by a run that was killed are
    removed; a folder this run made is removed again if the run fails before writing."""
    made = not folder.exists()
    with output_errors(folder):
        folder.mkdir(parents=True, exist_ok=True)
        lock = _lock(folder / LOCK_NAME)
    try:
        for stale in folder.glob(STAGE_PREFIX + "*"):
            shutil.rmtree(stale, ignore_errors=True)
        yield folder
    except BaseException:
        _release(folder, lock)
        if made:
            try:
                folder.rmdir()  # only when empty: nothing written
            except OSError:
                pass
        raise
    _release(folder, lock)


def _release(folder: Path, lock: IO[str]) -> None:
    (folder / LOCK_NAME).unlink(missing_ok=True)  # while it is still held
    lock.close()


# The folder inside a stage folder that holds the files a commit replaces, until it ends.
_ASIDE = ".replaced"


def _keep_aside(target: Path, aside: Path) -> None:
    """Keep the file at ``target`` at ``aside`` too, for a commit to put back: a second
    hard link, so that ``target`` is never missing (a run killed then leaves every page,
    some of each run, as before), or, where links cannot be made, the file moved."""
    try:
        os.link(target, aside, follow_symlinks=False)
    except OSError:
        os.replace(target, aside)  # (an immutable file fails here too: the commit stops)


class StagedFiles:
    """Files for ``folder``, written first into a hidden folder inside it and moved into
    place by :meth:`commit`, in the order they were written. Until then the folder is
    as it was; a failure midway (a full disk) leaves it so."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        with output_errors(folder):
            self.stage = Path(tempfile.mkdtemp(prefix=STAGE_PREFIX, dir=folder))
        self.names: list[str] = []

    def write_text(self, name: str, text: str) -> None:
        with output_errors(self.folder / name):
            with open(self.stage / name, "w", encoding="utf-8", newline="\n") as fh:
                fh.write(text)
        self.names.append(name)

    def commit(self) -> None:
        """Move the files into the folder (renames: no new space is needed), once every
        name is known to be free or a file: a folder in the way of one is an error
        before any file is moved. Each file a new one replaces is moved aside into the
        stage folder first, so that a move that fails midway (a page the user may not
        replace) is undone: the folder holds the last run's files again, not some of
        each."""
        for name in self.names:
            target = self.folder / name
            if target.is_dir() and not target.is_symlink():
                raise OutputError(
                    f"{target}: is a folder, where placemap writes a file: move it away"
                )
        aside = self.stage / _ASIDE
        with output_errors(self.folder):
            aside.mkdir()
        moved: list[tuple[str, bool]] = []  # (name, whether an old file was moved aside)
        # (A stop signal waits for the last move: the folder holds this run's files or
        # the last run's, not some of each.)
        with holding():
            try:
                for name in self.names:
                    target = self.folder / name
                    with output_errors(target):
                        old = os.path.lexists(target)
                        if old:
                            _keep_aside(target, aside / name)
                        moved.append((name, old))
                        os.replace(self.stage / name, target)
            except BaseException:
                self._undo(moved, aside)
                raise
        self.names = []

    def _undo(self, moved: list[tuple[str, bool]], aside: Path) -> None:
        """Put back the files :meth:`commit` moved aside, newest first."""
        for name, old in reversed(moved):
            target = self.folder / name
            try:
                if old:
                    os.replace(aside / name, target)
                elif os.path.lexists(target):
                    os.replace(target, self.stage / name)
            except OSError as err:
                log.error("%s: could not be put back (%s)", target, err.strerror or err)

    def discard(self) -> None:
        shutil.rmtree(self.stage, ignore_errors=True)


@contextmanager
def staged_files(folder: Path) -> Iterator[StagedFiles]:
    """:class:`StagedFiles` committed when the block ends without error, discarded when
    it fails."""
    staged = StagedFiles(folder)
    try:
        yield staged
        staged.commit()
    finally:
        staged.discard()


def check_maps_folder(
    folder: Path, names: Iterable[str], marker: str, *, reports: bool = True
) -> None:
    """Raise OutputError when a folder that placemap has not written maps into (no
    ``marker``) holds a file of one of ``names`` (the user's own ``index.html`` or
    ``a.html`` would be replaced), or (unless ``reports`` is False: looked for already)
    holds reports anywhere below it (the marker would hide them from every later run)."""
    if not folder.is_dir() or (folder / marker).exists():
        return
    taken = [n for n in names if (folder / n).exists()]
    if taken:
        more = f" and {len(taken) - 1} more" if len(taken) > 1 else ""
        raise OutputError(
            f"{folder}: holds {taken[0]}{more}, not written by placemap (the folder has no "
            f"{marker}); a map page would replace it: choose another folder"
        )
    if not reports:
        return
    from placemap.readers import first_report_in

    report = first_report_in(folder)
    if report is not None:
        raise OutputError(
            f"{folder}: holds reports ({report}), and a folder of maps is never read for "
            "reports: they would be left out of every later run that reads it; choose "
            "another folder"
        )
