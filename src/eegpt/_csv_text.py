"""The text of the CSV tables eegpt writes (run reports such as ``_files.csv``, a part run's
``_corpus.csv``, their anonymized copies, ``eegpt export``'s ``.csv``): one line end for all,
so that a cell holding a carriage return or a newline (a file name, a warning, a
description) reads back whole with ``pandas.read_csv`` and Python's :mod:`csv`. No NumPy,
pandas or MNE."""

from __future__ import annotations

import csv
import datetime
import io
from collections.abc import Iterable, Mapping, Sequence
from typing import Any


def csv_line_end(cells: Iterable[Any]) -> str:
    """The line end of a CSV of the text ``cells`` (its header among them): ``"\\n"``, or
    RFC 4180's ``"\\r\\n"`` where a cell holds a carriage return (``"a\\rb"``). Python's csv
    writer quotes a cell holding a character of the line end only, so with ``"\\n"`` such a
    cell was written bare and readers (pandas, Python's csv, MATLAB's readtable,
    spreadsheets) broke its row there; a cell holding ``"\\n"`` is quoted either way. A cell
    that is no string is written as its ``str`` (a :class:`~pathlib.Path` of a file name
    holding one), and looked at so; numbers and None hold none."""
    return "\r\n" if any(_holds_carriage_return(c) for c in cells) else "\n"


def _holds_carriage_return(cell: Any) -> bool:
    """Whether the text the csv writer writes for ``cell`` (its ``str``; ``""`` for None)
    holds a carriage return."""
    if cell is None or isinstance(cell, (int, float, datetime.date, datetime.timedelta)):
        return False  # numbers, dates (pandas' Timestamp) and durations hold none: not str'd
    return "\r" in (cell if isinstance(cell, str) else str(cell))


def csv_text(
    header: Sequence[str], rows: Iterable[Sequence[Any] | Mapping[str, Any]], delimiter: str = ","
) -> str:
    """The CSV text of ``header`` and ``rows``: each row a sequence of cells in the order of
    ``header``, or a mapping by column name (missing keys and None: empty cells; keys not in
    ``header`` left out, as :class:`csv.DictWriter` with ``extrasaction="ignore"``). The line
    end is :func:`csv_line_end`'s; write the text as it is (bytes, or a file opened with
    ``newline=""``), never through a text file that translates line ends."""
    table = [
        [row.get(name) for name in header] if isinstance(row, Mapping) else list(row)
        for row in rows
    ]
    cells = [*header, *(cell for row in table for cell in row)]
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator=csv_line_end(cells))
    writer.writerow(header)
    writer.writerows(table)
    return buffer.getvalue()
