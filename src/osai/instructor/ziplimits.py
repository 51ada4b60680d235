"""Reading an entry of an archive someone else made, without trusting its header."""

from __future__ import annotations

import zipfile

__all__ = ["read_at_most"]


def read_at_most(zf: zipfile.ZipFile, info: zipfile.ZipInfo, limit: int) -> bytes:
    """The entry's bytes; ValueError when it unpacks to more than ``limit`` bytes.

    At most ``limit + 1`` bytes are ever unpacked, whatever size the header declares, so a
    zip bomb costs nothing.  Used by ``osai grade collect`` and ``osai quiz report``.
    """
    with zf.open(info) as handle:
        data = handle.read(limit + 1)
    if len(data) > limit:
        raise ValueError("larger than declared")
    return data
