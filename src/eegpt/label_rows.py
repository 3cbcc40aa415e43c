"""``--labels`` CSV files: their rows read, and matched to the inputs they are for.

:func:`read_label_rows` reads a labels CSV (a ``label`` column, any separator of
:data:`LABEL_CSV_SEPARATORS`, missing labels :data:`MISSING_LABELS`; its ``epoch``/``window``
and ``file`` columns kept) as :class:`LabelRows`; :func:`match_row_files` and
:func:`rows_of_inputs` match its ``file`` column to the inputs (a master file of more
recordings than given), :func:`labels_file_record` records the file, and
:func:`annotations_table_text` tells a table of annotations given as one. The rows are matched
to the inputs' epochs by :mod:`eegpt.label_row_alignment`.
"""

from __future__ import annotations

import csv
import dataclasses
import io
import os
import re
import shlex
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from eegpt._filenames import user_path
from eegpt.text_tables import table_text

MISSING_LABELS = frozenset({"", "n/a", "na", "nan"})
"""Cells of a labels CSV that mean "no label" (compared stripped and in lower case): blank,
``n/a``, ``NA``, ``nan`` (values pandas also reads as missing)."""


#: Separators of a labels CSV: commas, semicolons (Excel's CSV where the decimal mark is a
#: comma, as in much of Europe) and tabs.
LABEL_CSV_SEPARATORS = (",", ";", "\t")


def _header_cells(line: str, sep: str) -> list[str]:
    """The cells of the header ``line`` of a table separated by ``sep``, stripped."""
    return [cell.strip() for cell in next(csv.reader([line], delimiter=sep), [])]


def _table_header(text: str, comments: bool = False) -> tuple[str, str, list[str]]:
    """``(line, separator, cells)`` of the header of the table ``text``: its first line (with
    ``comments``, its first line not starting with ``#``, as TUH's ``.csv_bi`` begins with
    ``# version = csv_v1.0.0`` lines), the separator of :data:`LABEL_CSV_SEPARATORS` it holds
    most of, and its cells split by it (:func:`_header_cells`)."""
    lines = [ln for ln in text.splitlines() if not (comments and ln.lstrip().startswith("#"))]
    line = lines[0] if lines and text.strip() else ""
    sep = max(LABEL_CSV_SEPARATORS, key=line.count)
    return line, sep, _header_cells(line, sep)


def _label_csv_layout(path: Path, text: str) -> tuple[str, int]:
    """``(separator, column)`` of the labels CSV ``text`` (of ``path``): the separator of
    :data:`LABEL_CSV_SEPARATORS` whose header row has a ``label`` column, in any case
    (``Label``, ``LABEL``; an exact ``label`` first), and that column's index."""
    first, likeliest, header = _table_header(text)
    for sep in LABEL_CSV_SEPARATORS:
        cells = _header_cells(first, sep)
        named = [i for i, cell in enumerate(cells) if cell.lower() == "label"]
        if named:
            return sep, cells.index("label") if "label" in cells else named[0]
    sep = likeliest  # for the message
    said = {",": "commas", ";": "semicolons", "\t": "tabs"}
    found = (
        "it is empty"
        if not first.strip()
        else f"its first line {first!r} reads as the columns {header}"
        + (f" (separated by {said[sep]})" if sep in first else " (no separator)")
    )
    raise ValueError(
        f"{path}: a labels CSV (--labels) needs a header row with a 'label' column (any case), "
        f"the columns separated by commas, semicolons or tabs; {found}. Add the header 'label' "
        "above the labels, one row per epoch"
    )


def annotations_table_text(path: str | os.PathLike, labels_option: str = "--labels") -> str | None:
    """Why the file given as a labels CSV (``labels_option``) is not one where it is a table of
    annotations (columns ``onset`` and ``duration``, or TUH's ``start_time`` and ``stop_time``:
    spans of time in a recording, not one label per epoch), and the options that take it:
    ``--annotations FILE --window-labels ...``, with a class per description it holds; None
    where it is no such table."""
    try:
        text = table_text(user_path(path))
    except (OSError, ValueError):
        return None
    # the header below any '#' lines (a TUH .csv_bi's '# version = csv_v1.0.0' ...)
    header = {cell.lower() for cell in _table_header(text, comments=True)[2]}
    if not ({"onset", "duration"} <= header or {"start_time", "stop_time"} <= header):
        return None
    from eegpt.annotations import is_bad, read_table_annotations

    try:
        found = read_table_annotations(user_path(path))
    except Exception:  # noqa: BLE001 - the advice does without the descriptions
        found = None
    names = sorted({str(d) for d in found.description if not is_bad(str(d))}) if found else []
    option = "--val-annotations" if labels_option == "--val-labels" else "--annotations"
    classes = " ".join(
        f"--window-labels {shlex.quote(f'{name}=^{re.escape(name)}$')}" for name in names[:4]
    )
    example = (classes or "--window-labels 'LABEL=REGEX'") + (" ..." if len(names) > 4 else "")
    return (
        f"it is a table of annotations (onset and duration: spans of time in a recording), "
        f"not a labels CSV ({labels_option}: a 'label' column, one row per epoch or window). "
        f"For continuous recordings give it in place of {labels_option} as "
        f"{option} {shlex.quote(str(path))} {example} (one annotations file per recording, "
        "in their order): each window is labelled by the annotation that covers it"
    )


#: Header names (any case) of a labels CSV's column of epoch numbers: ``epoch``, as ``eegpt
#: probe predict`` writes it, and ``window``, as ``eegpt export`` and Parquet outputs do.
LABEL_NUMBER_COLUMNS = ("epoch", "window")

#: Header names (any case; ``_``, ``-``, spaces, ``.`` and ``#`` left out) of columns that look
#: like row or trial numbers but are not read as :data:`LABEL_NUMBER_COLUMNS` are: ``trial``
#: (as BCI competition files number trials, from 1), ``trial_number``, ``index``, ``idx``,
#: ``row`` ...; "" is the unnamed column pandas writes its index to.
ROW_NUMBER_LIKE = frozenset(
    {"", "trial", "trials", "trialnumber", "trialnum", "trialno", "trialnr", "trialid",
     "trialindex", "trialidx", "epochnumber", "epochnum", "epochno", "epochnr", "epochid",
     "epochindex", "epochidx", "index", "idx", "row", "rownumber", "rowno", "rownr", "number",
     "num", "no", "nr", "n"}
)  # fmt: skip


@dataclasses.dataclass(frozen=True, eq=False)  # an array field: compared by identity
class LabelRows:
    """The rows of a labels CSV: ``labels`` (None where missing), and where the header names
    them, each row's epoch number as written (``numbers``, of the column ``number_column``) and
    input file (``files``, of a ``file`` column), and each row's line in the file (``lines``;
    None: the rows are the file's from line 2 on, none left out: :func:`rows_of_inputs`)."""

    labels: np.ndarray
    numbers: list[str] | None = None
    number_column: str | None = None
    files: list[str] | None = None
    lines: list[int] | None = None
    #: a column named like a row number (:data:`ROW_NUMBER_LIKE`) that is not read, and its
    #: cells, where the file has no column of :data:`LABEL_NUMBER_COLUMNS`
    unread_column: str | None = None
    unread_numbers: list[str] | None = None

    def line_numbers(self) -> list[int]:
        """Each row's line in the file (the header is line 1)."""
        return list(range(2, len(self.labels) + 2)) if self.lines is None else list(self.lines)


def _header_column(header: list[str], names: Sequence[str]) -> int | None:
    """The index of the first of ``names`` among ``header``'s cells (any case), or None."""
    lowered = [cell.strip().lower() for cell in header]
    return next((lowered.index(name) for name in names if name in lowered), None)


def read_label_rows(path: Path) -> LabelRows:
    """The ``label`` column of a CSV, one row per epoch; a missing label (a cell of
    :data:`MISSING_LABELS`: blank, ``n/a``, ``NA``, ``nan``) is None, the others typed as
    their column is (:func:`typed_labels`: as pandas reads it, but numbers with fractional
    parts kept as text). The column's name is
    read in any case, the separator is a comma, semicolon or tab (:func:`_label_csv_layout`),
    and the text is read as manifests are (:func:`eegpt.text_tables.table_text`: UTF-8 with or
    without a byte-order mark, UTF-16 with one; another encoding is refused naming the file).
    An ``epoch`` (or ``window``) column and a ``file`` column are kept to align the rows to
    the epochs."""
    text = table_text(path)
    sep, column = _label_csv_layout(path, text)
    header, *rows = list(csv.reader(io.StringIO(text), delimiter=sep))
    while rows and not rows[-1]:  # blank lines at the end are no rows
        rows.pop()

    def cells(k: int | None) -> list[str] | None:
        # a short row has no such cell: '' (no label, no number)
        return None if k is None else [row[k] if k < len(row) else "" for row in rows]

    # a blank line inside is a row with a blank label (csv.DictReader would skip it, and every
    # later label would belong to the epoch before its own); a short row has no label either
    labels = [row[column] if column < len(row) else None for row in rows]
    missing = [v is None or v.strip().lower() in MISSING_LABELS for v in labels]
    typed = typed_labels(
        [v for v, m in zip(labels, missing, strict=True) if v is not None and not m]
    )
    if not any(missing):
        y = np.array(typed)
    else:
        given = iter(typed)
        y = np.array([None if m else next(given) for m in missing], dtype=object)
    number = _header_column(header, LABEL_NUMBER_COLUMNS)
    unread = None if number is not None else _row_number_like(header, column)
    return LabelRows(
        y,
        numbers=cells(number),
        number_column=None if number is None else header[number].strip(),
        files=cells(_header_column(header, ("file",))) if number is not None else None,
        unread_column=None if unread is None else header[unread].strip(),
        unread_numbers=cells(unread),
    )


#: Cells of a labels CSV read as bools, as pandas reads them (``True``, ``TRUE``, ``true``).
BOOL_CELLS = {"True": True, "TRUE": True, "true": True, "False": False, "FALSE": False,
              "false": False}  # fmt: skip

_INTEGER = re.compile(r"[+-]?[0-9]+")
_DECIMAL = re.compile(r"[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?")
_INT64 = (-(2**63), 2**63 - 1)
"""The whole numbers an int64 holds: a column of larger ones stays text (pandas reads it as
uint64 or object), so that no two labels become one float64 class."""


def typed_labels(cells: Sequence[str]) -> list[Any]:
    """The labels of a CSV's cells (none missing) in the type pandas reads their column as,
    which is the type of the same labels given as an array (an ``.npz``'s ``y``, Python
    numbers), so that a probe trained on either has the same classes: whole numbers (``1``,
    ``-2``) as ints, ``True``/``False`` as bools, whole numbers among which some are written
    as decimals (``1.0``, as pandas and MATLAB write a column of codes with blank cells) as
    floats (``1.0 == 1``: they still match integer classes). Anything else stays the text
    written: names, a column of several kinds (``1`` and ``left``), numbers with fractional
    parts (``0.5``), which a probe refuses as a continuous target, whole numbers beyond int64
    (``12345678901234567890``: as numbers they would turn float64, and neighbours merge into
    one class) and digits other than ASCII ones (``١``), which pandas keeps as text too."""
    stripped = [cell.strip() for cell in cells]
    if not stripped:
        return list(cells)
    if all(cell in BOOL_CELLS for cell in stripped):
        return [BOOL_CELLS[cell] for cell in stripped]
    if all(_INTEGER.fullmatch(cell) for cell in stripped):
        whole = [int(cell) for cell in stripped]
        if all(_INT64[0] <= x <= _INT64[1] for x in whole):
            return whole
        return list(cells)  # beyond int64: as text, each its own label
    if all(_DECIMAL.fullmatch(cell) for cell in stripped):
        numbers = [float(cell) for cell in stripped]
        if all(x.is_integer() for x in numbers):
            return numbers
    return list(cells)


def _row_number_like(header: list[str], label: int) -> int | None:
    """The index of the first column of ``header`` (but the ``label`` column, index ``label``)
    named like a row number (:data:`ROW_NUMBER_LIKE`), or None."""
    for k, cell in enumerate(header):
        if k != label and re.sub(r"[\s_\-.#]", "", cell.lower()) in ROW_NUMBER_LIKE:
            return k
    return None


def warn_unread_numbers(rows: LabelRows, path: Path, selection: Sequence[int]) -> None:
    """Warn where a labels CSV has a column named like a row number (``trial``, ``index``) of
    whole numbers out of order, which is not read: its rows go to the epochs in file order,
    which that column says is not the epochs' order. Says how to have the rows matched by
    number (the column named ``epoch``), and whether its numbers are the epochs' numbers
    (``selection``, MNE's ``epochs.selection`` of the inputs, counted from 0 or from 1)."""
    from eegpt._logging import warn as _warn

    if rows.unread_numbers is None or len(rows.unread_numbers) < 2:
        return
    try:
        numbers = [int(cell.strip()) for cell in rows.unread_numbers]
    except ValueError:
        return  # no row numbers: codes, names ...
    if all(a < b for a, b in zip(numbers, numbers[1:], strict=False)):
        return  # in order: the file order and its numbers agree
    lines = rows.line_numbers()
    shown = ", ".join(f"line {lines[k]}: {numbers[k]}" for k in range(min(3, len(numbers))))
    column = repr(rows.unread_column) if rows.unread_column else "unnamed first"
    match = ""
    if len(set(selection)) == len(selection):
        for base, counted in ((0, "from 0, as eegpt counts"), (1, "from 1, as BCI files and "
                                                                "EEGLAB count")):  # fmt: skip
            if sorted(k - base for k in numbers) == sorted(selection):
                match = f" (its numbers are those of the inputs' epochs counted {counted})"
    _warn(
        f"{path}: its {column} column numbers the rows {numbers_text(numbers)} out of order "
        f"({shown} ...), but is not read: the labels go to the epochs in the order of the "
        "file's rows. If that column numbers the epochs, name it 'epoch'"
        f"{match}: each row then goes to the epoch of its number, counted from 0 or from 1. "
        f"{SELECTION_NOTE}"
    )


def numbers_text(numbers: Sequence[int]) -> str:
    """``"1 to 8"`` for consecutive numbers, else the first few of them."""
    from eegpt._logging import few

    values = sorted(set(numbers))
    if len(values) > 2 and values[-1] - values[0] == len(values) - 1:
        return f"{values[0]} to {values[-1]}"
    return few([str(v) for v in values], 5)


def row_numbers(rows: LabelRows, path: Path) -> list[int]:
    """The epoch numbers of a labels CSV's rows as integers; refused where one is not."""
    numbers = []
    for line, cell in zip(rows.line_numbers(), rows.numbers or [], strict=True):
        try:
            numbers.append(int(cell.strip()))
        except ValueError:
            raise ValueError(
                f"{path}, line {line}: {cell!r} in the {rows.number_column!r} column is no epoch "
                "number; that column numbers the epochs the labels belong to (whole numbers, "
                f"from 0 or from 1). Fix the cell, or leave the {rows.number_column!r} column "
                "out to take the rows in the order of the epochs"
            ) from None
    return numbers


def cell_parts(cell: str) -> tuple[str, ...]:
    """The components of a path as a labels table's ``file`` cell writes it (separated by
    ``/`` or ``\\``, as a table written on Windows has them), without ``.`` components."""
    return tuple(part for part in re.split(r"[/\\]+", cell) if part not in ("", "."))


def _input_tails(given: str) -> list[tuple[str, ...]]:
    """The components of an input's path whose tails a ``file`` cell may be: as given made
    absolute (a link's own folders) and resolved (the folders it is in)."""
    forms = [Path(os.path.abspath(given)).parts]
    try:
        forms.append(Path(given).resolve().parts)
    except (OSError, RuntimeError):
        pass
    return forms


def _resolved(path: Path) -> Path | None:
    try:
        return path.resolve()
    except (OSError, RuntimeError):
        return None


def match_row_files(rows: LabelRows, path: Path, inputs: Sequence[str]) -> list[str | None]:
    """The input each row's ``file`` cell of the labels CSV ``path`` names, None for a row
    of a file not given (a master table of more recordings, :func:`rows_of_inputs`): the
    one matching of ``--labels``, ``--val-labels`` and predict/evaluate's ``--labels``.

    A cell names an input that is it as given; or the same file, the cell taken relative to
    the labels file's folder or the current one (or absolute); or, a relative path, a tail of
    the input's path (``sub-01/ses-1/eeg-epo.fif`` names ``/data/sub-01/ses-1/eeg-epo.fif``,
    not ``/data/sub-02/ses-1/eeg-epo.fif``). A bare file name names the input of that name
    where one input has it and no other cell of the table names a file of that name in a
    folder. Refused where a cell could be several inputs, or a bare name could be several of
    the table's files: the message asks for paths in the table."""
    from eegpt._logging import few

    if rows.files is None:
        return []
    given = list(dict.fromkeys(str(p) for p in inputs))
    cells = [cell.strip() for cell in rows.files]
    distinct = list(dict.fromkeys(cells))
    line_of: dict[str, int] = {}
    for line, cell in zip(rows.line_numbers(), cells, strict=True):
        line_of.setdefault(cell, line)
    tails = {g: _input_tails(g) for g in given}
    resolved = {g: _resolved(Path(g)) for g in given}
    folders = [path.parent, Path.cwd()]
    named: dict[str, str | None] = {}
    for cell in distinct:
        parts = cell_parts(cell)
        if not parts:
            named[cell] = None
            continue
        if cell in given:
            named[cell] = cell
            continue
        places = [Path(cell)] if os.path.isabs(cell) else [f / cell for f in folders]
        same = [g for g in given for place in places
                if resolved[g] is not None and _resolved(place) == resolved[g]]  # fmt: skip
        if same:
            named[cell] = same[0]
            continue
        if os.path.isabs(cell) or ".." in parts:  # no tail: the file it is, or none given
            named[cell] = None
            continue
        hits = [g for g in given if any(t[-len(parts) :] == parts for t in tails[g])]
        if len(hits) > 1:
            what = "file name" if len(parts) == 1 else "path"
            raise ValueError(
                f"{path}, line {line_of[cell]}: the file {cell!r} in its 'file' column is "
                f"ambiguous: {len(hits)} of the inputs have that {what} ({few(hits, 5)}), so "
                "the rows cannot be told apart by input. Name each row's input in the 'file' "
                "column by as much of its path as tells it from the others (sub-01/ses-1/"
                "eeg-epo.fif), or by its path as given (as `eegpt probe predict` writes it)"
            )
        if hits and len(parts) == 1:
            others = [c for c in distinct if c != cell and cell_parts(c)[-1:] == parts]
            if others:
                raise ValueError(
                    f"{path}, line {line_of[cell]}: the bare file name {cell!r} in its 'file' "
                    f"column is ambiguous: the table also names {few(others, 3)} (line "
                    f"{line_of[others[0]]}), a file of that name, so it may stand for "
                    f"another file than the input {hits[0]}. Give that input's rows its path "
                    "(as much of it as tells the files apart: sub-01/ses-1/eeg-epo.fif)"
                )
        named[cell] = hits[0] if hits else None
    return [named[cell] for cell in cells]


def row_files(rows: LabelRows, path: Path, sources: list[str]) -> list[str]:
    """The input each row's ``file`` cell names (:func:`match_row_files`); refused where
    one names none of the inputs."""
    from eegpt._logging import few

    inputs = list(dict.fromkeys(sources))
    out = []
    matched = match_row_files(rows, path, inputs)
    for line, cell, named in zip(rows.line_numbers(), rows.files or [], matched, strict=True):
        if named is None:
            raise ValueError(
                f"{path}, line {line}: the file {cell.strip()!r} is none of the inputs "
                f"({few(inputs, 5)}); its 'file' column says which input each row's epoch "
                "is of: give the inputs' paths there (as `eegpt probe predict` writes them)"
            )
        out.append(named)
    return out


def rows_of_inputs(
    rows: LabelRows, path: Path, inputs: Sequence[str]
) -> tuple[LabelRows, dict[str, int]]:
    """The rows of the labels CSV ``path`` for ``inputs`` (the files given), and the number
    of rows left out for each other file its ``file`` column names (as written): a master
    file of all recordings, of which the command line gives some (leave-subjects-out). A row
    is for the input its ``file`` cell names (:func:`match_row_files`: the input's path, a
    tail of it such as ``sub-01/ses-1/eeg-epo.fif``, or its file name where that is no
    other's). A file without a ``file`` column is returned whole."""
    if rows.files is None:
        return rows, {}
    cells = [cell.strip() for cell in rows.files]
    keep = [named is not None for named in match_row_files(rows, path, inputs)]
    if all(keep):
        return rows, {}
    ignored: dict[str, int] = {}
    for cell, kept in zip(cells, keep, strict=True):
        if not kept:
            ignored[cell] = ignored.get(cell, 0) + 1
    idx = [k for k, kept in enumerate(keep) if kept]
    lines = rows.line_numbers()
    return dataclasses.replace(
        rows,
        labels=rows.labels[idx],
        numbers=None if rows.numbers is None else [rows.numbers[k] for k in idx],
        files=[rows.files[k] for k in idx],
        lines=[lines[k] for k in idx],
    ), ignored


def ignored_text(ignored: Mapping[str, int], inputs: Sequence[str] = ()) -> str:
    """``"80 rows for 2 other files (sub-3-epo.fif, sub-4-epo.fif)"``: the rows of a labels
    CSV :func:`rows_of_inputs` left out, with the files they were for (a few, each by its
    file name, or by as much of its path as tells it from the others and the ``inputs``:
    ``sub-02/ses-1/eeg-epo.fif``)."""
    from eegpt._logging import few
    from eegpt.probe_provenance import distinct_names

    n = sum(ignored.values())
    files = len(ignored)
    named = distinct_names([*ignored, *(str(p) for p in inputs if str(p) not in ignored)])
    return (
        f"{n} row{'' if n == 1 else 's'} for {files} other file{'' if files == 1 else 's'} "
        f"({few([named[c] for c in ignored], 5)})"
    )


def refuse_inputs_without_rows(
    rows: LabelRows, path: Path, inputs: Sequence[str], ignored: Mapping[str, int]
) -> None:
    """Refuse inputs of which a labels CSV whose ``file`` column named other files
    (``ignored``, left out by :func:`rows_of_inputs`; ``rows``: those kept) has no row: a
    file name mistyped on one side or the other, which would otherwise leave its rows
    ignored. The message names the ignored files closest to each such input's name
    (:func:`difflib.get_close_matches`), by their cells."""
    import difflib

    if not ignored or rows.files is None:
        return
    named = set(match_row_files(rows, path, inputs))
    missing = [p for p in dict.fromkeys(str(q) for q in inputs) if p not in named]
    if not missing:
        return
    by_name: dict[str, list[str]] = {}
    for cell in ignored:
        by_name.setdefault(Path(cell).name, []).append(cell)
    said = []
    for p in missing:
        close = difflib.get_close_matches(Path(p).name, list(by_name), n=3, cutoff=0.6)
        cells = [c for name in close for c in by_name[name]][:3]
        said.append(p + (f" (closest names there: {', '.join(cells)})" if cells else ""))
    raise ValueError(
        f"{path}: its 'file' column gives no row for {len(missing)} of the inputs: "
        f"{'; '.join(said)}; its {ignored_text(ignored, inputs)} were ignored, as rows for "
        "files not given are. Check the file names: the 'file' column names each row's input "
        "by its path as given, by the end of its path (sub-01/ses-1/eeg-epo.fif: the folders "
        "a relative path names must be the input's), or by its file name alone"
    )


def labels_file_record(path: str | Path, inputs: Sequence[str | Path]) -> dict[str, Any]:
    """A ``--labels`` file as a probe or its output records it
    (:func:`eegpt.probe_provenance.file_record`), with ``rows_ignored`` where its ``file``
    column names files other than ``inputs`` (the files it labelled), whose rows were left
    out (:func:`rows_of_inputs`): ``{"rows": 80, "files": 2, "names": [...]}``, the names
    of the first few of those files (their file names: no folder is recorded)."""
    from eegpt.probe_provenance import file_record

    record = file_record(path)
    _, ignored = rows_of_inputs(read_label_rows(Path(path)), Path(path), [str(p) for p in inputs])
    if ignored:
        names = list(dict.fromkeys(Path(c).name for c in ignored))
        record["rows_ignored"] = {
            "rows": sum(ignored.values()), "files": len(ignored),
            "names": names[:MAX_IGNORED_NAMES],
        }  # fmt: skip
    return record


#: How many of the files whose rows of a labels file were ignored its record names.
MAX_IGNORED_NAMES = 5


#: How eegpt numbers the epochs of a file, for the errors of labels files that number them.
SELECTION_NOTE = (
    "eegpt numbers a file's epochs by MNE's epochs.selection (each epoch's index among the "
    "events it was cut from, counted from 0, as `eegpt probe predict` writes them in its "
    "'epoch' column), which keeps the gaps of epochs MNE dropped (by reject= or "
    "drop_bad()) and of events of other ids never epoched: number the rows so (e.g. from "
    "epochs.selection), not by position"
)

#: The Python that numbers the rows of a trial log (one row per event epoched, in order) as
#: eegpt numbers the epochs (``epochs.selection``): each event's index in the events array,
#: those MNE ignored (of other event ids) left out.
TRIAL_LOG_CODE = "log['epoch'] = [i for i, d in enumerate(epochs.drop_log) if d != ('IGNORED',)]"


def selection_text(sources: Sequence[str], selection: Sequence[int]) -> str:
    """What the inputs' epoch numbers (``selection``, each epoch's in its input ``sources``)
    are where some input's are not its epochs' positions 0, 1, 2 ...: MNE's
    ``epochs.selection``, which counts dropped epochs and events never epoched; how far they
    run, and how to number a trial log's rows to match (:data:`TRIAL_LOG_CODE`). "" where
    every input numbers its epochs by position."""
    own: dict[str, list[int]] = {}
    for source, k in zip(sources, selection, strict=True):
        own.setdefault(str(source), []).append(int(k))
    if all(ks == list(range(len(ks))) for ks in own.values()):
        return ""
    of = "" if len(own) == 1 else f" of {len(own)} inputs"
    return (
        "The inputs number their epochs by MNE's epochs.selection: each epoch's index in "
        "the events array it was cut from (mne.Epochs' events, counted from 0), so the "
        "numbers count the epochs dropped (reject=, drop_bad(), epochs.drop(): "
        "epochs.drop_log says which and why) and the events of other event ids that were "
        "never epoched (responses beside the stimuli) too: here they run up to "
        f"{max(own[s][-1] for s in own)} for {len(selection)} epochs{of} (`eegpt probe "
        "predict` writes them in its 'epoch' column). To label the epochs from a trial log "
        "of one row per event epoched, in order (numbered by trial), give it an 'epoch' column "
        "that numbers its rows so: "
        f"{TRIAL_LOG_CODE} (epochs as read from the file, before dropping any more); eegpt "
        "then leaves out the rows of dropped epochs, with a warning"
    )
