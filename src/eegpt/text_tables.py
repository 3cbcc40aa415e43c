"""The text of the tables eegpt reads itself (manifests, participants.tsv, label files,
rename tables, annotation CSVs), by one encoding policy: UTF-8, with or without its BOM (Excel's
"CSV UTF-8"); UTF-16 with its BOM (Excel's "Unicode Text", tab-separated), decoded; anything
else refused, naming the file's first line that is not UTF-8 and how to convert it (Excel's
plain "CSV" on Windows is cp1252). Line ends (CRLF, LF) are left to the readers, which take both.

Also a ``.csv``/``.tsv`` table read by that policy as pyarrow reads it, with values as written
(:func:`read_delimited_table`: manifests, participants.tsv); pyarrow is imported there only.
"""

from __future__ import annotations

import codecs
import os
import re
from pathlib import Path
from typing import Any, NamedTuple

from eegpt._filenames import user_path

__all__ = [
    "DelimitedTable",
    "csv_delimiter",
    "read_delimited",
    "read_delimited_table",
    "table_head",
    "table_text",
    "utf8_table_bytes",
]

_UTF16_BOMS = (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)


def is_number(text: str) -> bool:
    """Whether ``text`` reads as a number (``float`` takes it: ``-1``, ``0.5``, ``-1e-6``,
    ``nan``): a table's numeric code or a command line's value rather than a word."""
    try:
        float(text)
    except ValueError:
        return False
    return True


def table_text(
    path: str | os.PathLike, data: bytes | None = None, *, legacy: str | None = None
) -> str:
    """The text of the table file ``path`` (``data``: its bytes, when already read), BOM
    removed.

    ``legacy``: the encoding to read a file that is not UTF-8 (nor UTF-16 with a BOM) with,
    instead of refusing it (rename tables: ``"latin-1"``, as MNE decodes EDF headers, so a
    label copied from one reads back as the recording names it).

    Raises
    ------
    ValueError
        If the file is neither (and no ``legacy`` encoding is given): naming its first line
        that is not UTF-8, its likely encoding, and the ``iconv`` command that converts it.
    IsADirectoryError
        If ``path`` is a folder.
    """
    path = user_path(path)
    if data is None:
        try:
            data = path.read_bytes()  # a table: small beside the recordings it names
        except IsADirectoryError:  # [Errno 21] Is a directory, said in the user's terms
            raise IsADirectoryError(
                f"{path} is a folder, not a table file: give the table itself (a .csv or .tsv "
                "file), such as one inside that folder"
            ) from None
    if data.startswith(_UTF16_BOMS):  # Excel's "Unicode Text" (UTF-16 LE, a BOM, tabs)
        try:
            return data.decode("utf-16")  # the BOM says the byte order, and is removed
        except UnicodeDecodeError as err:
            raise ValueError(
                f"{path} starts as UTF-16 text (its first bytes are a UTF-16 byte order mark) "
                f"but is not: {err}. Save it again as 'CSV UTF-8' in Excel"
            ) from None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        if legacy is not None:
            return data.decode(legacy)
        raise _not_utf8(path, data, err) from None
    if "\x00" in text:  # no text table holds a zero byte; UTF-16 text of ASCII does
        raise _not_utf8(path, data, None)
    return text


def table_head(
    path: str | os.PathLike, size: int, *, legacy: str | None = None
) -> tuple[str, bool]:
    """The text of the whole lines among the first ``size`` bytes of the table file ``path``,
    decoded as :func:`table_text` decodes a file (the same errors, ``legacy`` the same), and
    whether that is the whole file: for a reader of a header (a TUH label file's ``#``
    lines), which then reads no more of a large file than it needs. The rest of the file is
    not read, so it is not checked either (a byte that is not UTF-8 after the head).

    Raises
    ------
    ValueError
        As :func:`table_text`, of the head read.
    """
    path = user_path(path)
    with open(path, "rb") as fh:
        data = fh.read(size + 1)
    if len(data) <= size:
        return table_text(path, data, legacy=legacy), True
    data = data[:size]
    if data.startswith(_UTF16_BOMS):  # a line ends at a whole code unit of "\n"
        end = b"\n\x00" if data.startswith(codecs.BOM_UTF16_LE) else b"\x00\n"
        cut = data.rfind(end)
        while cut != -1 and cut % 2:  # the byte pair straddles two code units
            cut = data.rfind(end, 0, cut + 1)
        head = data[: cut + 2] if cut != -1 else data[:2]  # none: the BOM alone
    else:  # UTF-8 (or a one-byte legacy encoding): no other character holds the byte "\n"
        head = data[: data.rfind(b"\n") + 1]
    return table_text(path, head, legacy=legacy), False


def utf8_table_bytes(path: str | os.PathLike, data: bytes | None = None) -> bytes:
    """The table file ``path`` as UTF-8 bytes (``data``: its bytes, when already read), for a
    parser of bytes (pyarrow's CSV reader): ``data`` itself when it is UTF-8 already, else
    :func:`table_text`'s text (UTF-16) encoded, or its error."""
    if data is None:
        data = user_path(path).read_bytes()
    if not data.startswith(_UTF16_BOMS) and b"\x00" not in data:
        try:
            data.decode("utf-8")
        except UnicodeDecodeError:
            pass
        else:
            return data
    return table_text(path, data).encode("utf-8")


def _not_utf8(path: Path, data: bytes, err: UnicodeDecodeError | None) -> ValueError:
    """The error for a table that is not UTF-8 text, naming its first line that is not and
    how to convert it: from UTF-16 where it looks like UTF-16 without a BOM (a zero byte in
    every other place), else from cp1252 (Excel's plain "CSV" on Windows)."""
    converted = path.with_name(f"{path.stem}-utf8{path.suffix}")
    head = data[:200]
    if err is None or (len(head) >= 4 and head.count(0) * 3 >= len(head)):  # UTF-16's ASCII
        return ValueError(
            f"{path} is not UTF-8 text: it holds zero bytes, as UTF-16 without a byte order "
            f"mark does. Save "
            f"it as 'CSV UTF-8' in Excel, or convert it: iconv -f utf-16 -t utf-8 {path} > "
            f"{converted}"
        )
    line = data.count(b"\n", 0, err.start) + 1
    text = data[data.rfind(b"\n", 0, err.start) + 1 :].split(b"\n", 1)[0]
    shown = text.decode("utf-8", errors="replace").rstrip("\r")
    return ValueError(
        f"{path} is not UTF-8 text: line {line} ({shown!r}, the byte {data[err.start]:#x} "
        "where the \ufffd is) is in another encoding, likely cp1252 (Excel's plain "
        "'CSV' on Windows). Save it as 'CSV UTF-8' in Excel, or convert it: "
        f"iconv -f cp1252 -t utf-8 {path} > {converted}"
    )


class DelimitedTable(NamedTuple):
    """What :func:`read_delimited_table` read of a ``.csv``/``.tsv`` table."""

    #: The table (pyarrow), with values as written (:func:`read_delimited`).
    table: Any
    #: The delimiter it was read with (:func:`csv_delimiter` of the bytes read): ``","``,
    #: ``";"`` or a tab.
    delimiter: str
    #: The columns of numbers kept as text since a cell has a leading zero (``007``), each
    #: with its first such cell: ``{name: (row after the header line from 0, cell)}``.
    kept_as_text: dict[str, tuple[int, str]]


def read_delimited(path: Path) -> Any:
    """:func:`read_delimited_table`'s table."""
    return read_delimited_table(path).table


def read_delimited_table(path: Path) -> DelimitedTable:
    """A ``.csv`` (or tab-separated ``.tsv``) table as pyarrow reads it, with values as written:
    empty cells (and ``n/a``, ``NA`` ...) missing in text columns too, and numbers with leading
    zeros (subject ``001``) kept as text. A ``.csv`` whose header line has ``;`` and no ``,``
    is read as ``;``-separated (:func:`csv_delimiter`: German Excel's CSV), its cells as
    written (a decimal comma such as ``72,5`` stays text; the manifest's ``rescale`` column
    reads it as a number).

    Raises
    ------
    ValueError
        If the file is not UTF-8 text (with or without a BOM) nor UTF-16 with a BOM (Excel's
        "Unicode Text", decoded: :func:`eegpt.text_tables.table_text`), naming its first line
        that is not and how to convert it, or if it
        cannot be parsed as a table (naming the file and the delimiter it was read with).
    """
    from eegpt._logging import log as _log
    from eegpt.optional_packages import require_pyarrow

    pa, _ = require_pyarrow("reading a .csv/.tsv table (a manifest, participants.tsv)")
    from pyarrow import csv as pacsv

    # a table of files: small beside the recordings it lists; UTF-16 decoded, not UTF-8 refused
    data = utf8_table_bytes(path, path.read_bytes())
    delimiter = csv_delimiter(path, data)
    if delimiter == ";":
        _log(f"{path}: read as ';'-separated (its header line has ';' and no ',')")
    parse = pacsv.ParseOptions(delimiter=delimiter)

    def read(convert: Any) -> Any:
        try:
            return pacsv.read_csv(pa.BufferReader(data), parse_options=parse,
                                  convert_options=convert)  # fmt: skip
        except pa.ArrowInvalid as err:
            raise ValueError(
                f"{path} cannot be read as a table of {_DELIMITER_NAMES[delimiter]}-separated "
                f"cells: {err}. Give every row as many cells as the header line (quote cells "
                'that hold the delimiter: "a,b")'
            ) from err

    typed = read(pacsv.ConvertOptions(strings_can_be_null=True))
    text = read(pacsv.ConvertOptions(
        strings_can_be_null=True, column_types=dict.fromkeys(typed.column_names, pa.string())
    ))  # fmt: skip
    columns: dict[str, Any] = {}
    kept_as_text: dict[str, tuple[int, str]] = {}
    for name in typed.column_names:
        columns[name], zero = _as_written(typed.column(name), text.column(name))
        if zero is not None:
            kept_as_text[name] = zero
    return DelimitedTable(pa.table(columns), delimiter, kept_as_text)


_DELIMITER_NAMES = {",": "comma", ";": "semicolon", "\t": "tab"}


def csv_delimiter(path: Path, data: bytes) -> str:
    """The delimiter :func:`read_delimited` reads ``path`` with: a tab for ``.tsv``; for a
    ``.csv``, ``;`` when its header line has ``;`` and no ``,`` (as Excel writes CSV where the
    decimal separator is a comma, in Germany and much of Europe), a tab when it has tabs and
    neither (Excel's "Unicode Text" saved as ``.csv``), else ``,``. ``data``: the file's
    text as UTF-8 bytes (:func:`eegpt.text_tables.utf8_table_bytes`), as read; the delimiter
    chosen is :attr:`DelimitedTable.delimiter`, for readers of the table."""
    if path.suffix.lower() == ".tsv":
        return "\t"
    header = data.split(b"\n", 1)[0]
    if b"," in header:
        return ","
    return ";" if b";" in header else "\t" if b"\t" in header else ","


_LEADING_ZERO = re.compile(r"^[+-]?0\d")


def _as_written(typed: Any, text: Any) -> tuple[Any, tuple[int, str] | None]:
    """A CSV column as pyarrow typed it, unless that would change values as written: numbers
    with leading zeros (subject ``001``, BIDS-style ids) stay text; with the first such cell
    (its row from 0, and the cell) where they do, else None."""
    import pyarrow.types as pat

    if pat.is_integer(typed.type) or pat.is_floating(typed.type):
        for i, v in enumerate(text.to_pylist()):
            if v is not None and _LEADING_ZERO.match(v):
                return text, (i, v)
    return typed, None
