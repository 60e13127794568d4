"""Bloom filters of an index's keys: whether a folded name or a transliteration key
may be in the index, answered in memory.

Most keys a report's words give are in no index ("Monday", "the President", one-edit
variants of a key), and asking SQLite costs several microseconds each; the filter says
"not there" in a fraction of that, and never says it of a key that is there. About one
key in a hundred that is not there gets through, and the index answers it as before.

The bits are stored in the index (table ``filters``, written at build time), and the
positions come from CRC-32 (:func:`zlib.crc32`), which is the same in every process and
on every machine, unlike Python's ``hash`` of a string.
"""

from __future__ import annotations

import math
import zlib
from collections.abc import Iterable
from itertools import islice

__all__ = ["KeyFilter", "build_filter"]

#: Bits per key: with the best number of hashes (7), about 1% of absent keys get through.
BITS_PER_KEY = 10
_SEED = 0x9E3779B9


def _hashes(key: str) -> tuple[int, int]:
    data = key.encode("utf-8", "surrogatepass")
    return zlib.crc32(data), zlib.crc32(data, _SEED) | 1


class KeyFilter:
    """A Bloom filter: ``key in filter`` is False only for keys never added."""

    __slots__ = ("bits", "size", "hashes")

    def __init__(self, bits: bytes, hashes: int) -> None:
        if not bits or hashes < 1:
            raise ValueError("an empty filter")
        self.bits = bits
        self.size = len(bits) * 8
        self.hashes = hashes

    def __contains__(self, key: str) -> bool:
        h1, h2 = _hashes(key)
        bits, size = self.bits, self.size
        for i in range(self.hashes):
            j = (h1 + i * h2) % size
            if not bits[j >> 3] & (1 << (j & 7)):
                return False
        return True


def build_filter(keys: Iterable[str], count: int) -> KeyFilter:
    """A filter of ``keys``, sized for ``count`` of them. The keys are read in batches,
    so that an index of tens of millions of names needs only the bits (10 a key) and one
    batch in memory."""
    import numpy as np

    size = max(64, -(-count * BITS_PER_KEY // 8) * 8)
    hashes = max(1, round(BITS_PER_KEY * math.log(2)))
    bits = np.zeros(size // 8, dtype=np.uint8)
    it = iter(keys)
    while batch := list(islice(it, _BATCH)):
        pairs = np.array([_hashes(k) for k in batch], dtype=np.uint64).reshape(-1, 2)
        for i in range(hashes):
            at = (pairs[:, 0] + np.uint64(i) * pairs[:, 1]) % np.uint64(size)
            np.bitwise_or.at(
                bits, at >> np.uint64(3), np.left_shift(1, at & np.uint64(7)).astype(np.uint8)
            )
    return KeyFilter(bits.tobytes(), hashes)


_BATCH = 100_000
