"""Sizing Arrow data before it becomes Python objects.

Parquet stores a value once for every row that repeats it (a dictionary page), and an
Arrow view or list can point at the same bytes from many rows: a file of a kilobyte can
hold gigabytes of text. Readers size every cell on the Arrow arrays first (numpy over
their buffers, nothing copied) and refuse what is too large before any row is made a
Python object.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import numpy as np

#: What a list cell's item counts for in a cell's size (about one span as JSON), besides
#: the item's own size.
ITEM_CHARS = 16

#: A table expanding to more characters than this, and more than :data:`EXPANSION_RATIO`
#: times its file's bytes, is refused: real text compresses a few times, not a thousand.
#: (At 256 M characters, a file of 250 kB could hold text enough for 46 GB of mentions.)
EXPANSION_CHARS = 1 << 20
EXPANSION_RATIO = 1000


#: What a row counts for in a table's expansion, besides its cells: Parquet stores a
#: million rows of one short value in a few kB, each a report or a row of output.
ROW_CHARS = 100


def expansion_limit(file_bytes: int) -> int:
    """How many characters a table stored in ``file_bytes`` bytes may expand to."""
    return max(EXPANSION_CHARS, EXPANSION_RATIO * file_bytes)


class UnsizedType(TypeError):
    """An Arrow type whose cells cannot be sized (a union, run-end encoding)."""


def _plain(kind: Any) -> Any:
    """An extension type's storage type, a dictionary's value type; else ``kind``."""
    import pyarrow as pa

    if isinstance(kind, pa.BaseExtensionType):
        kind = kind.storage_type
    if pa.types.is_dictionary(kind):
        kind = kind.value_type
    return kind


def is_scalar(kind: Any) -> bool:
    """Whether an Arrow type holds one value a cell (text, a number, a date...), not a
    list, struct, map or union of them."""
    import pyarrow as pa

    kind = _plain(kind)
    return not (pa.types.is_nested(kind) or pa.types.is_run_end_encoded(kind))


def leaf_count(kind: Any) -> int:
    """How many Parquet leaf columns a top-level field of this Arrow type is stored as."""
    import pyarrow as pa

    kind = _plain(kind)
    if pa.types.is_struct(kind):
        return sum(leaf_count(kind.field(i).type) for i in range(kind.num_fields))
    if pa.types.is_map(kind):
        return leaf_count(kind.key_type) + leaf_count(kind.item_type)
    if pa.types.is_nested(kind) and hasattr(kind, "value_type"):  # lists of all kinds
        return leaf_count(kind.value_type)
    return 1


def string_leaves(schema: Any, leaves: Iterable[int] | None = None) -> list[tuple[int, str]]:
    """The leaf columns of a Parquet schema (of ``leaves``, or all) that hold strings or
    bytes, with their paths: those a dictionary page can store once for many rows."""
    found = []
    for i in range(len(schema)) if leaves is None else leaves:
        column = schema.column(i)
        if column.physical_type in ("BYTE_ARRAY", "FIXED_LEN_BYTE_ARRAY"):
            found.append((i, column.path))
    return found


def cell_sizes(array: Any) -> np.ndarray:
    """Each cell's size, as int64: characters of text (bytes of binary); a list's items
    :data:`ITEM_CHARS` each plus their own sizes; a struct's fields summed; any other
    cell 1. Worked out on the array's buffers: a dictionary's strings are measured once,
    a view's lengths read from its views. :class:`UnsizedType` for a union or a
    run-end-encoded array."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc

    kind = array.type
    n = len(array)
    if isinstance(kind, pa.BaseExtensionType):
        return cell_sizes(array.storage)
    if pa.types.is_dictionary(kind):
        if not len(array.dictionary):
            return _zeros(n)
        indices = _numbers(array.indices)
        return np.where(_valid(array), cell_sizes(array.dictionary)[indices], 0)
    if pa.types.is_string(kind) or pa.types.is_large_string(kind):
        return _numbers(pc.utf8_length(array))
    if pa.types.is_binary(kind) or pa.types.is_large_binary(kind):
        return _numbers(pc.binary_length(array))
    if pa.types.is_fixed_size_binary(kind):
        return np.full(n, kind.byte_width, np.int64)
    if pa.types.is_string_view(kind) or pa.types.is_binary_view(kind):
        # A view's first four bytes are its length (in bytes: a string's characters are
        # at most that many).
        views = np.frombuffer(array.buffers()[1], np.int32).reshape(-1, 4)[:, 0]
        return np.where(_valid(array), views[array.offset : array.offset + n], 0).astype(np.int64)
    if pa.types.is_list(kind) or pa.types.is_large_list(kind) or pa.types.is_map(kind):
        offsets = array.offsets.to_numpy().astype(np.int64)
        return _items(array.values, offsets[:-1], offsets[1:])
    if pa.types.is_list_view(kind) or pa.types.is_large_list_view(kind):
        starts = array.offsets.to_numpy().astype(np.int64)
        ends = starts + array.sizes.fill_null(0).to_numpy(zero_copy_only=False).astype(np.int64)
        return _items(array.values, starts, ends)
    if pa.types.is_fixed_size_list(kind):
        width = kind.list_size
        starts = (array.offset + np.arange(n, dtype=np.int64)) * width
        return _items(array.values, starts, starts + width)
    if pa.types.is_struct(kind):
        sizes = _zeros(n)
        for field in array.flatten():
            sizes += cell_sizes(field)
        return sizes
    if pa.types.is_nested(kind) or pa.types.is_run_end_encoded(kind):
        raise UnsizedType(f"cells of type {kind} cannot be read")
    return np.ones(n, np.int64)


def _items(values: Any, starts: np.ndarray, ends: np.ndarray) -> np.ndarray:
    """The sizes of list cells whose items are ``values[starts[i]:ends[i]]``."""
    import numpy as np

    total = np.concatenate(([0], np.cumsum(cell_sizes(values), dtype=np.int64)))
    return (ends - starts) * ITEM_CHARS + total[ends] - total[starts]


def _zeros(n: int) -> np.ndarray:
    import numpy as np

    return np.zeros(n, np.int64)


def _valid(array: Any) -> np.ndarray:
    return array.is_valid().to_numpy(zero_copy_only=False)


def _numbers(array: Any) -> np.ndarray:
    import numpy as np

    return array.fill_null(0).to_numpy(zero_copy_only=False).astype(np.int64)
