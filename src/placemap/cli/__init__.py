"""The ``placemap`` command line: parses options, calls the library, prints.

Exit codes: 0 success; 1 an error (a library error is printed as one line naming
the file and what to do; with ``--strict``, the first unreadable input); 2 a usage
error (bad option or argument); 3 some inputs could not be processed (each named on
stderr; the others were).
"""

from __future__ import annotations

import atexit
import contextlib
import errno
import importlib
import io
import logging
import os
import signal
import sys
import threading

import click

from placemap import __version__, stops

__all__ = ["cli", "main"]


def _configure_logging(verbose: int, quiet: bool) -> None:
    level = (
        logging.ERROR
        if quiet
        else (logging.DEBUG if verbose > 1 else logging.INFO if verbose else logging.WARNING)
    )
    from placemap.cli.common import OneLineFormatter

    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(OneLineFormatter("placemap: %(message)s"))
    logging.basicConfig(level=level, handlers=[handler])
    logging.getLogger("placemap").setLevel(level)
    # The HTML extractor logs each page it finds little in; placemap reports those
    # pages itself, once. Its messages show with -vv.
    for name in ("trafilatura", "htmldate", "courlan"):
        logging.getLogger(name).setLevel(logging.DEBUG if verbose > 1 else logging.CRITICAL)


class _LazyGroup(click.Group):
    """The command group, importing a subcommand's module only when it is run or listed
    (``extract`` and ``geocode`` need none of ``gazetteer build``'s import code: 45 ms of
    every start-up)."""

    #: command name -> (module, attribute), in the order the help lists them
    LAZY = {
        "extract": ("placemap.cli.extract", "extract"),
        "map": ("placemap.cli.mapping", "map_"),
        "geocode": ("placemap.cli.geocode", "geocode"),
        "gazetteer": ("placemap.cli.gazetteer", "gazetteer"),
        "eval": ("placemap.cli.evaluate", "eval_"),
    }

    def list_commands(self, ctx: click.Context) -> list[str]:
        return [*self.LAZY, *(n for n in super().list_commands(ctx) if n not in self.LAZY)]

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in self.commands and cmd_name in self.LAZY:
            module, attr = self.LAZY[cmd_name]
            self.add_command(getattr(importlib.import_module(module), attr), cmd_name)
        return super().get_command(ctx, cmd_name)


@click.group(cls=_LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="placemap")
@click.option("-v", "--verbose", count=True, help="More messages on stderr (-vv for debug).")
@click.option("-q", "--quiet", is_flag=True, help="Only errors on stderr.")
def cli(verbose: int, quiet: bool) -> None:
    """Find the places that news reports mention and map them, offline.

    \b
    Examples:
      placemap map examples/ -o output/
      placemap extract report.txt --format jsonl
      placemap extract reports.csv --text-field body --format csv -o places.csv
      placemap gazetteer search "Deir Ezzor"

    \b
    Exit codes: 0 success; 1 an error (or the first bad input with --strict);
    2 a usage error; 3 some inputs could not be read (each named on stderr).

    \b
    Shell completion (bash; zsh and fish likewise):
      eval "$(_PLACEMAP_COMPLETE=bash_source placemap)"
    """
    _configure_logging(verbose, quiet)


#: Seconds after a stop signal (Ctrl-C, SIGTERM, SIGHUP) before it is given again, and
#: how many times, before the process ends without unwinding.
STOP_GRACE = 5.0
STOP_TRIES = 3


def _terminate(signum: int, frame: object) -> None:
    # Raised where the program is, so that every `finally` runs: the writers remove
    # their temporary files, a worker pool is shut down, outputs are left as they were.
    # (Unless files are being moved into place: then it waits for the last, see
    # placemap.stops.)
    if stops.held(signum):
        return
    _insist(signum)
    if signum == getattr(signal, "SIGINT", None):
        raise KeyboardInterrupt
    raise SystemExit(128 + signum)


_insisting: list[int] = []


def _insist(signum: int) -> None:
    """Make sure a stop signal stops the process: an exception raised while Python runs a
    finaliser (a file's or a generator's cleanup) is printed and dropped, and the run
    went on (a Ctrl-C of an extract of 200,000 records was lost so, now and then). The
    signal is given again every :data:`STOP_GRACE` seconds while the process lives; after
    :data:`STOP_TRIES` times it ends at once (a temporary file left so is removed by the
    next run writing the same output)."""
    if _insisting:
        return
    _insisting.append(signum)
    exiting = threading.Event()
    atexit.register(exiting.set)  # (the process is ending: nothing more to insist on)

    def again() -> None:
        for _ in range(STOP_TRIES):
            if exiting.wait(STOP_GRACE):
                return
            os.kill(os.getpid(), signum)
        if not exiting.wait(STOP_GRACE):
            os._exit(128 + signum)

    threading.Thread(target=again, name="placemap-stop", daemon=True).start()


def main() -> None:
    # SIGTERM (kill, a container stopping) and SIGHUP (the terminal closing) would end
    # the process outright; Ctrl-C raises KeyboardInterrupt, once it is made sure of.
    for name in ("SIGINT", "SIGTERM", "SIGHUP"):
        if hasattr(signal, name):
            signal.signal(getattr(signal, name), _terminate)
    _standard_streams()
    try:
        cli(prog_name="placemap")
    except OSError as err:
        # Every file placemap writes turns its OS errors into one line naming it; a full
        # disk or quota that reaches here came from standard output (`> out.jsonl`), or
        # a write to a standard output the shell closed (`>&-`): one line too, not a
        # traceback. (A closed pipe, `| head`, click ends quietly.)
        if err.errno not in _FULL:
            raise
        _quiet_stdout()
        with contextlib.suppress(OSError):  # stderr may be on the full disk too
            click.echo(
                f"placemap: error: standard output: cannot write there ({err.strerror})",
                err=True,
            )
        sys.exit(1)


_FULL = {errno.ENOSPC, errno.EDQUOT, errno.EFBIG, errno.EBADF}


class _ClosedOutput(io.RawIOBase):
    """Standard output that the shell closed (`placemap extract x >&-`): writing to it
    fails as it does in the shell (EBADF, "Bad file descriptor"), once; what is still
    buffered after that is dropped, so that exit does not fail again."""

    failed = False

    def writable(self) -> bool:
        return True

    def write(self, b: object) -> int:
        if self.failed:
            return len(b)  # type: ignore[arg-type]
        self.failed = True
        raise OSError(errno.EBADF, os.strerror(errno.EBADF))


def _standard_streams() -> None:
    """Give a standard stream the shell closed (`<&-`, `>&-`, `2>&-`) the null device,
    so that no file placemap opens takes its descriptor (the output would get stray
    writes), and a stream object, where Python leaves None (a traceback at the first
    use): standard input reads as empty, messages on stderr are dropped, and data for
    standard output is an error (as `echo x >&-` is)."""
    for fd, name in ((0, "stdin"), (1, "stdout"), (2, "stderr")):
        try:
            os.fstat(fd)
        except OSError:
            null = os.open(os.devnull, os.O_RDONLY if fd == 0 else os.O_WRONLY)
            if null != fd:
                os.dup2(null, fd)
                os.close(null)
            if getattr(sys, name) is not None:
                continue
            if fd == 1:
                stream: object = io.TextIOWrapper(
                    io.BufferedWriter(_ClosedOutput()), encoding="utf-8", newline="\n"
                )
            else:
                stream = open(fd, "r" if fd == 0 else "w", encoding="utf-8", closefd=False)
            setattr(sys, name, stream)


def _quiet_stdout() -> None:
    """Point standard output at the null device, so that what is still waiting in its
    buffer does not fail again at exit (an "Exception ignored" traceback)."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (AttributeError, OSError, ValueError):
        pass
