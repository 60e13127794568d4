"""Stop signals that wait: while a set of files is moved into place, a Ctrl-C or a
SIGTERM is kept until the last is moved, so that the folder holds one run's files or the
other's, never a mix of both.

The command line's signal handler asks :func:`held` first; :func:`holding` marks the
stretch of code.
"""

from __future__ import annotations

import signal
from collections.abc import Iterator
from contextlib import contextmanager

_holding = 0
_held: list[int] = []


def held(signum: int) -> bool:
    """Whether a stop signal that came now is kept for later (inside :func:`holding`)."""
    if _holding:
        _held.append(signum)
        return True
    return False


@contextmanager
def holding() -> Iterator[None]:
    """Keep stop signals until the block ends, then give the first of them again."""
    global _holding
    _holding += 1
    try:
        yield
    finally:
        _holding -= 1
        if not _holding and _held:
            signum = _held[0]
            _held.clear()
            signal.raise_signal(signum)
