"""Copy numbering: the n-th input with the same content as earlier ones gets the number n.

An input's identity (``_identity``: a CRC and a length) is all that is kept of its content
until every input is found; then ``_copy_numbers`` numbers the repeats, in a dict for a few
inputs and with numpy, in bounded steps, for many.
"""

from __future__ import annotations

import zlib
from array import array

# Inputs from which copies are numbered with numpy, in bounded steps; fewer are counted in a
# dict (numpy's import would cost more than the count).
_NUMPY_FROM = 65536
# Inputs numbered per step with numpy: its temporary arrays stay a few megabytes.
_STEP = 1 << 16


def _copy_numbers(identities: array[int]) -> array[int] | None:
    """The copy number of each input, by its identity (0 for a first one, n for the n-th copy
    of the same content), or None when there are no copies."""
    if len(identities) < _NUMPY_FROM:
        seen: dict[int, int] = {}
        copies = array("I", bytes(4 * len(identities)))
        for position, identity in enumerate(identities):
            n = seen[identity] = seen.get(identity, 0) + 1
            if n > 1:
                copies[position] = n
        return copies if len(seen) < len(identities) else None
    return _copy_numbers_numpy(identities)


def _copy_numbers_numpy(identities: array[int]) -> array[int] | None:
    """``_copy_numbers`` in about 20 bytes an input at most (a dict of counts costs 150): the
    identities that repeat are found by sorting a copy, then inputs are numbered a step at a
    time against a count per repeated identity."""
    import numpy as np

    every = np.frombuffer(identities, dtype=np.uint64)
    ordered = np.sort(every)
    repeats = ordered[1:][ordered[1:] == ordered[:-1]]
    del ordered
    if not len(repeats):
        return None
    repeated = np.unique(repeats)  # sorted, each once
    del repeats
    counts = np.zeros(len(repeated), dtype=np.uint32)  # per repeated identity, so far
    out = array("I", bytes(4 * len(every)))
    copies = np.frombuffer(out, dtype=np.uint32)  # written in place
    for start in range(0, len(every), _STEP):
        chunk = every[start : start + _STEP]
        which = np.minimum(np.searchsorted(repeated, chunk), len(repeated) - 1)
        hits = np.flatnonzero(repeated[which] == chunk)
        which = which[hits]
        # The rank of each hit among the hits of the same identity in this chunk.
        order = np.argsort(which, kind="stable")
        grouped = which[order]
        first = np.flatnonzero(np.r_[True, grouped[1:] != grouped[:-1]])
        ranks = np.arange(len(grouped)) - np.repeat(first, np.diff(np.r_[first, len(grouped)]))
        numbers = np.empty(len(hits), dtype=np.uint32)
        numbers[order] = counts[grouped] + ranks + 1
        counts += np.bincount(which, minlength=len(repeated)).astype(np.uint32)
        copies[start + hits] = np.where(numbers > 1, numbers, 0)
    del copies  # out can be resized again
    return out


def _identity(data: bytes | memoryview) -> int:
    """Equal for equal lines. Rarely equal for others too, which only gives a line a copy
    number it did not need: its key stays its own."""
    return zlib.crc32(data) << 32 | len(data)
