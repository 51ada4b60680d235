"""The one error the data loader raises: :class:`DataError`, located by file, row and
column.  Every check in :mod:`osai.data` raises it; the book build and ``osai check-data``
(:mod:`osai.cli`) print its message."""

from __future__ import annotations

__all__ = ["DataError"]


class DataError(ValueError):
    """A problem in ``data/``, located by file, row and column."""

    def __init__(self, file: str, message: str, row: int | None = None,
                 column: str | None = None):
        self.file, self.row, self.column, self.message = file, row, column, message
        where = [file]
        if row is not None:
            where.append(f"row {row}")
        if column is not None:
            where.append(f"column '{column}'")
        super().__init__(f"{', '.join(where)}: {message}")
