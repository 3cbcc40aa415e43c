"""``--labels`` CSV rows matched to the inputs' epochs.

:func:`align_label_rows` puts the rows of a labels CSV (:class:`~eegpt.label_rows.LabelRows`)
in the order of the inputs' epochs: in file order, or by their ``epoch``/``window`` numbers
(counted from 0 or from 1, in the input of their ``file`` cell); :func:`align_beyond_dropped`
leaves out rows of dropped epochs; :func:`count_mismatch_text` says why a file has another
number of rows than the inputs have epochs, and :func:`check_csv_labels` refuses epochs without
a label.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from eegpt.label_rows import (
    SELECTION_NOTE,
    LabelRows,
    cell_parts,
    match_row_files,
    numbers_text,
    row_files,
    row_numbers,
    selection_text,
)


def _extra_rows_text(
    rows: LabelRows, files: list[str], numbers: list[int], keys: list[tuple[str, int]]
) -> str:
    """``"; its rows for .../x.fif (named 'x.fif' there) number 40 to 79 besides ..."``: the
    rows of a labels CSV, more than the inputs have epochs, that number no epoch of the input
    their ``file`` cell names, or one another row numbers too (counted from 0 or from 1,
    whichever leaves fewer): as rows of several files of one name named by it alone are;
    "" where there are none."""
    from collections import Counter

    known = set(keys)
    best: dict[str, list[int]] | None = None
    for base in (0, 1):
        seen: Counter[tuple[str, int]] = Counter()
        extra: dict[str, list[int]] = {}
        for f, k in zip(files, numbers, strict=True):
            seen[(f, k - base)] += 1
            if (f, k - base) not in known or seen[(f, k - base)] > 1:
                extra.setdefault(f, []).append(k)
        if best is None or sum(map(len, extra.values())) < sum(map(len, best.values())):
            best = extra
    if not best:
        return ""
    cells: dict[str, set[str]] = {}
    for f, cell in zip(files, rows.files or [], strict=True):
        cells.setdefault(f, set()).add(cell.strip())
    said = "; ".join(
        f"{f} (named {', '.join(repr(c) for c in sorted(cells[f]))} there): {numbers_text(ks)}"
        for f, ks in best.items()
    )
    bare = any(len(cell_parts(c)) == 1 for f in best for c in cells[f])
    return (
        f"; its {rows.number_column!r} column numbers {sum(map(len, best.values()))} rows "
        f"beyond the epochs of the input their 'file' cell names ({said})"
        + (
            ": rows of epochs dropped (epochs.selection skips them: leave those rows out), or "
            "of several files of one name, named by the file name alone? Name each "
            "row's file by its path (as much of it as tells the files apart: "
            "sub-01/ses-1/eeg-epo.fif)"
            if bare
            else ""
        )
    )


def count_mismatch_text(
    rows: LabelRows, path: Path, sources: list[str], selection: list[int]
) -> str:
    """Why a labels CSV has another number of rows than the inputs have epochs, where its
    columns tell: rows numbering no epoch of the input they name, or one another row numbers
    too (where a ``file`` cell names it by its file name alone: rows of another file of that
    name, whose path the table should give), or the epochs (windows) its numbers leave without a row, counted from 0 or from 1
    (whichever leaves fewer); "" where they tell nothing. ``rows``: those of the inputs
    (rows for other files left out: :func:`~eegpt.label_rows.rows_of_inputs`)."""
    files = None
    if rows.files is not None:
        cells = [cell.strip() for cell in rows.files]
        matched = match_row_files(rows, path, sources)
        files = [c if m is None else m for c, m in zip(cells, matched, strict=True)]
    if rows.numbers is None:  # rows by position: more of them than epochs kept?
        note = selection_text(sources, selection) if len(rows.labels) > len(selection) else ""
        return f". {note}" if note else ""
    try:
        numbers = [int(cell.strip()) for cell in rows.numbers]
    except ValueError:
        return ""
    named = files is not None
    keys = [(src if named else "", int(i)) for src, i in zip(sources, selection, strict=True)]
    if len(set(keys)) < len(keys):
        return ""
    row_files = files if files is not None else [""] * len(numbers)
    if rows.files is not None and len(numbers) > len(keys):
        extra = _extra_rows_text(rows, row_files, numbers, keys)
        if extra:
            return extra
    best: list[tuple[str, int]] | None = None
    base_of_best = 0
    for base in (0, 1):
        given = {(f, k - base) for f, k in zip(row_files, numbers, strict=True)}
        missing = [key for key in keys if key not in given]
        if best is None or len(missing) < len(best):
            best, base_of_best = missing, base
    scheme = "from 0, as eegpt counts" if base_of_best == 0 else "from 1, as EEGLAB counts"
    if not best and len(numbers) > len(keys):  # every epoch has its row: which are extra
        known = set(keys)
        unknown = [k for f, k in zip(row_files, numbers, strict=True)
                   if (f, k - base_of_best) not in known]  # fmt: skip
        return (
            f"; its {rows.number_column!r} column numbers {len(unknown)} row(s) for epochs the "
            f"inputs do not have (counted {scheme}): {numbers_text(unknown)}. The inputs number "
            "their epochs by MNE's epochs.selection, which skips dropped epochs: rows of "
            "dropped epochs, or of another file? Leave those rows out"
        )
    if not best:
        return ""
    by_file: dict[str, list[int]] = {}
    for f, k in best:
        by_file.setdefault(f, []).append(k + base_of_best)
    listed = "; ".join(
        (f"{Path(f).name}: " if f else "") + numbers_text(ks) for f, ks in by_file.items()
    )
    note = selection_text(sources, selection)
    return (
        f"; its {rows.number_column!r} column gives no row for {len(best)} epoch(s)/window(s) "
        f"of the inputs (numbered {scheme}): {listed}. Give every epoch a row"
        + (f". {note}" if note else "")
    )


def align_label_rows(
    rows: LabelRows, path: Path, sources: list[str], selection: list[int]
) -> tuple[np.ndarray, list[int]]:
    """The labels of a labels CSV in the order of the epochs, and each epoch's line in the
    file. Rows are taken in order unless the file numbers them (an ``epoch`` or ``window``
    column, :func:`~eegpt.label_rows.read_label_rows`): then each row goes to the epoch of its
    number, counted from 0 (as eegpt counts: MNE's epoch numbers, the ``epoch`` of ``eegpt
    probe predict``) or from 1 (as EEGLAB and MATLAB count), whichever numbers the epochs of
    the inputs (in the input its ``file`` column names), with a warning that the rows are in
    another order. Numbers that match neither are refused, saying why."""
    from eegpt._logging import warn as _warn

    labels, lines = rows.labels, rows.line_numbers()
    if rows.numbers is None:
        return labels, lines
    numbers = row_numbers(rows, path)
    files = row_files(rows, path, sources) if rows.files is not None else [""] * len(numbers)
    named = rows.files is not None
    keys = [(src if named else "", int(i)) for src, i in zip(sources, selection, strict=True)]
    for base in (0, 1):
        ordered = [(f, k - base) for f, k in zip(files, numbers, strict=True)]
        if ordered == keys:  # the rows in the order of the epochs
            return labels, lines
        if len(set(keys)) == len(keys) and sorted(ordered) == sorted(keys):
            row_of = {key: j for j, key in enumerate(ordered)}
            order = [row_of[key] for key in keys]
            counted = "from 0, as eegpt counts" if base == 0 else "from 1, as EEGLAB counts"
            _warn(
                f"{path}: its rows are not in the order of the epochs; the labels go to the "
                f"epochs by its {rows.number_column!r} column (numbered {counted})"
            )
            return labels[order], [lines[j] for j in order]
    raise ValueError(_unaligned_text(rows, path, numbers, files, keys))


def align_beyond_dropped(
    rows: LabelRows, path: Path, sources: list[str], selection: list[int]
) -> tuple[np.ndarray, list[int]] | None:
    """Where a labels CSV numbers its rows (``epoch``/``window``) and has rows for epochs the
    inputs lack (dropped: ``epochs.drop()``, ``reject=``, so ``epochs.selection`` skips their
    numbers), the labels of the inputs' epochs in their order and their lines, with a warning
    naming the rows left out; None where that is not so. Taken only where, counted from 0 or
    from 1 (one of them alone), every epoch has exactly one row and each other row numbers a
    gap between an input's own epoch numbers: rows past an input's last epoch (another
    recording's, or windows of another length) stay an error."""
    from collections import Counter

    if rows.numbers is None or len(rows.labels) <= len(selection):
        return None
    try:
        numbers = [int(cell.strip()) for cell in rows.numbers]
        files = row_files(rows, path, sources) if rows.files is not None else [""] * len(numbers)
    except ValueError:
        return None  # refused with the count, then by align_label_rows
    named = rows.files is not None
    keys = [(src if named else "", int(i)) for src, i in zip(sources, selection, strict=True)]
    if len(set(keys)) < len(keys):
        return None
    span: dict[str, tuple[int, int]] = {}
    for f, k in keys:
        lo, hi = span.get(f, (k, k))
        span[f] = (min(lo, k), max(hi, k))
    fits = []
    known = set(keys)
    for base in (0, 1):
        ordered = [(f, k - base) for f, k in zip(files, numbers, strict=True)]
        counts = Counter(ordered)
        extra = [j for j, key in enumerate(ordered) if key not in known]
        in_gaps = all(
            f in span and span[f][0] < k < span[f][1] for f, k in (ordered[j] for j in extra)
        )
        if all(counts[key] == 1 for key in keys) and in_gaps:
            fits.append((base, extra, {key: j for j, key in enumerate(ordered)}))
    if len(fits) != 1:
        return None
    base, extra, row_of = fits[0]
    _warn_dropped_rows(rows, path, base, [files[j] for j in extra], [numbers[j] for j in extra])
    order = [row_of[key] for key in keys]
    lines = rows.line_numbers()
    return rows.labels[order], [lines[j] for j in order]


def _warn_dropped_rows(
    rows: LabelRows, path: Path, base: int, files: list[str], numbers: list[int]
) -> None:
    """Warn that the rows of a labels CSV numbering the epochs ``numbers`` (of the inputs
    ``files``, "" without a ``file`` column; counted from ``base``), which the inputs lack,
    are left out."""
    from eegpt._logging import warn as _warn

    by_file: dict[str, list[int]] = {}
    for f, k in zip(files, numbers, strict=True):
        by_file.setdefault(f, []).append(k)
    listed = "; ".join(
        (f"{Path(f).name}: " if f else "") + numbers_text(ks) for f, ks in by_file.items()
    )
    counted = "from 0, as eegpt counts" if base == 0 else "from 1, as EEGLAB counts"
    _warn(
        f"{path}: {len(numbers)} of its {len(rows.labels)} rows number epochs the inputs do "
        f"not have (its {rows.number_column!r} column, counted {counted}: {listed}), left out: "
        "the inputs number their epochs by MNE's epochs.selection, which skips the epochs "
        "dropped (epochs.drop(), reject=, drop_bad()). The other rows go to the epochs by "
        "number; if those epochs were not dropped, the rows are another file's"
    )


def _unaligned_text(
    rows: LabelRows,
    path: Path,
    numbers: list[int],
    files: list[str],
    keys: list[tuple[str, int]],
) -> str:
    """Why the epoch numbers of a labels CSV match the epochs of the inputs neither counted
    from 0 nor from 1."""
    from collections import Counter

    column = rows.number_column
    if len(set(keys)) < len(keys):  # several inputs, each numbering its epochs
        return (
            f"{path}: its {column!r} column numbers the epochs, but the inputs each number "
            "their own epochs and the file has no 'file' column to say whose epoch each row is "
            "(nor are its rows in the order of the inputs' epochs); "
            "add a 'file' column with each row's input (as `eegpt probe predict` writes), or "
            f"leave the {column!r} column out and put the rows in the order of the epochs of "
            "the inputs"
        )
    if any(files):  # a 'file' column: each input's rows against its own epochs
        return _unaligned_files_text(path, column, numbers, files, keys)
    selection = [k for _, k in keys]
    reasons = []
    for base, counted in ((0, "from 0, as eegpt counts"), (1, "from 1, as EEGLAB counts")):
        given = Counter((f, k - base) for f, k in zip(files, numbers, strict=True))
        doubled = [k + base for (_, k), times in given.items() if times > 1]
        unknown = [k + base for _, k in set(given) - set(keys)]
        why = (
            f"{numbers_text(doubled)} twice"
            if doubled
            else f"{numbers_text(unknown)} not among them"
        )
        reasons.append(f"{numbers_text([k + base for k in selection])} counted {counted} ({why})")
    return (
        f"{path}: its {column!r} column numbers the rows {numbers_text(numbers)}, which "
        f"matches the epochs of the inputs neither as {reasons[0]} nor as {reasons[1]}, so the "
        "labels cannot be told apart by epoch. Give one row per epoch of the inputs, numbered "
        f"as one of these, or leave the {column!r} column out to take the rows in the order "
        f"of the epochs. {SELECTION_NOTE}"
    )


def _unaligned_files_text(
    path: Path,
    column: str | None,
    numbers: list[int],
    files: list[str],
    keys: list[tuple[str, int]],
) -> str:
    """Why the rows of a labels CSV with a ``file`` column match the epochs of the inputs
    neither counted from 0 nor from 1: for each input they do not match, its own epoch
    numbers (``epochs.selection``) and those its rows give that it lacks (or give twice)."""
    from collections import Counter

    own: dict[str, list[int]] = {}
    for f, k in keys:
        own.setdefault(f, []).append(k)
    given: dict[str, list[int]] = {f: [] for f in own}
    for f, k in zip(files, numbers, strict=True):
        given.setdefault(f, []).append(k)
    failing = {}
    for base in (0, 1):
        fails = []
        for f, epochs in own.items():
            counts = Counter(k - base for k in given.get(f, []))
            doubled = [k + base for k, times in counts.items() if times > 1]
            unknown = [k + base for k in set(counts) - set(epochs)]
            if doubled or unknown:
                fails.append((f, doubled, unknown))
        failing[base] = fails
    base = 0 if len(failing[0]) <= len(failing[1]) else 1
    counted = "from 0, as eegpt counts" if base == 0 else "from 1, as EEGLAB counts"
    shown = []
    for f, doubled, unknown in failing[base]:
        why = (
            f"{numbers_text(doubled)} twice"
            if doubled
            else f"{numbers_text(unknown)} not among them"
        )
        shown.append(
            f"{Path(f).name}: its rows are numbered {numbers_text(given.get(f, []))}, its "
            f"epochs {numbers_text([k + base for k in own[f]])} ({why})"
        )
    return (
        f"{path}: its {column!r} column matches the epochs of {len(failing[base])} of the "
        f"{len(own)} inputs neither counted from 0 nor from 1 (counted {counted}: "
        + "; ".join(shown)
        + f"), so the labels cannot be told apart by epoch. {SELECTION_NOTE}; or leave the "
        f"{column!r} column out to take the rows in the order of the epochs"
    )


def check_csv_labels(
    y: np.ndarray, path: Path, sources: list[str], selection: list[int], lines: list[int]
) -> None:
    """Refuse rows of a labels CSV without a label (None, see
    :func:`~eegpt.label_rows.read_label_rows`), as ``train_probe`` refuses ``y`` with None: a
    blank cell is no class. ``lines``: each epoch's line in the file."""
    from eegpt._logging import few

    missing = [i for i, v in enumerate(y.tolist()) if v is None]
    if missing:
        shown = few(
            [f"line {lines[i]}: {Path(sources[i]).name} epoch {selection[i]}" for i in missing],
            5,
        )
        raise ValueError(
            f"{len(missing)} of {len(y)} epochs have no label in the 'label' column of {path} "
            f"({shown}; a blank cell, n/a, NA or nan is a missing label); give every epoch a "
            "label there, or leave those epochs out of the inputs and their rows out of the "
            "file (in Python: epochs[keep].save(...)) first (probe evaluate: --skip-unknown "
            "leaves them out)"
        )
