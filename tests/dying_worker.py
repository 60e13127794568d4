"""A stand-in for placemap.parallel._process_chunk that kills its worker process on a
report whose id starts with "die", as the kernel's out-of-memory killer would (a module
of its own, so that worker processes import it by name)."""

from __future__ import annotations

import os
from typing import Any

from placemap import parallel


def process_chunk(tasks: list[parallel.Task], settings: Any, encode: Any) -> Any:
    if any(t.report.id.startswith("die") for t in tasks):
        os._exit(1)
    return parallel._process_chunk(tasks, settings, encode)
