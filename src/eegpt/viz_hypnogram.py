"""A hypnogram of scoring epochs (:func:`plot_hypnogram`): the predicted stage of each epoch
over the night, the scored stages and probabilities beside it, bad epochs shaded, on hours of
recording or its clock; and what a hypnogram knows of sleep stages (:func:`stage_rank`,
:func:`stage_order`, :func:`is_sleep_staging`) and of its width (:func:`hypnogram_width`).
Importable from :mod:`eegpt.viz` too.
"""

from __future__ import annotations

import datetime
import os
import re
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

import numpy as np

from eegpt._viz_clock import _clock_label, _clock_ticks
from eegpt._viz_common import (
    _figure,
    _legend_clear_of_data,
    _mark_not_pretrained,
    _short_lines,
    _shown,
)
from eegpt.optional_packages import require_pandas

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

__all__ = [
    "hypnogram_width",
    "is_sleep_staging",
    "plot_hypnogram",
    "stage_order",
    "stage_rank",
    "stage_ranks",
]


#: Sleep stages top to bottom as hypnograms draw them (:func:`plot_hypnogram`), by the last
#: word of a class name, any case: ``W``, ``Sleep stage W``, ``wake`` ... ``N3``, R&K's
#: ``Sleep stage 4`` (a number counts only after "stage", :func:`stage_rank`).
STAGE_RANKS = {"w": 0, "wake": 0, "r": 1, "rem": 1, "n1": 2, "1": 2, "n2": 3, "2": 3,
               "n3": 4, "3": 4, "n4": 5, "4": 5}  # fmt: skip


def stage_rank(name: Any) -> int | None:
    """Where a class named ``name`` goes in a hypnogram (:data:`STAGE_RANKS`), None if it is
    no sleep stage's name: a stage name alone (``"N2"``, ``"REM"``, ``"wake"``) or after
    "stage"/"sleep stage" (``"Sleep stage W"``, ``"Sleep stage 4"``, ``"stage_N3"``); a bare
    number (``1``, ``"2"``) or another word before it (``"class 1"``, ``"class R"``) is not."""
    *before, last = re.split(r"[\s_:/-]+", str(name).strip().lower())
    if last not in STAGE_RANKS or not set(before) <= {"sleep", "stage"}:
        return None
    if last.isdigit() and "stage" not in before:  # R&K's numbers, as Sleep-EDF names them
        return None
    return STAGE_RANKS[last]


#: R&K's stages written ``S1`` .. ``S4`` (their ranks as in :data:`STAGE_RANKS`): sleep
#: stages only among classes that also name wake or REM (:func:`stage_ranks`:
#: ``["W", "S1", "S2", "S3", "S4", "REM"]``), not alone (``["S1", "S2"]``: a task's stimuli).
RK_STAGE_RANKS = {"s1": 2, "s2": 3, "s3": 4, "s4": 5}


#: Stage names that are single letters of other tasks' classes too (``R`` and ``W``: right
#: and wrong, a response's hand): sleep stages only beside another class that names a stage
#: (``N1``, ``REM``, ``Wake``, ``Sleep stage W`` ...) or in a sleep context
#: (:func:`stage_ranks`' ``sleep``: a probe trained on sleep stages' annotations)
BARE_STAGE_LETTERS = frozenset({"w", "r"})


def stage_ranks(classes: Sequence[Any], *, sleep: bool = False) -> list[int | None]:
    """:func:`stage_rank` of each of ``classes``, with R&K's ``S1`` .. ``S4``
    (:data:`RK_STAGE_RANKS`, also ``"Stage S3"``) where another of them is wake or REM
    (``W``, ``Wake``, ``R``, ``REM``, ``Sleep stage W`` ...). The bare letters ``W`` and ``R``
    (:data:`BARE_STAGE_LETTERS`) rank only beside a class that names a stage otherwise
    (``["W", "N1", "N2", "N3", "R"]``, ``["W", "REM"]``) or with ``sleep`` (the classes are
    known to be sleep stages: a probe labelled by ``Sleep stage W`` annotations); alone
    (``["R", "W"]``: right and wrong) they are no stages' names."""
    classes = list(classes)
    ranks = [stage_rank(c) for c in classes]
    if any(r in (0, 1) for r in ranks):  # W or REM: S1, S2 ... are R&K's stages (else others)
        for i, c in enumerate(classes):
            *before, last = re.split(r"[\s_:/-]+", str(c).strip().lower())
            if ranks[i] is None and last in RK_STAGE_RANKS and set(before) <= {"sleep", "stage"}:
                ranks[i] = RK_STAGE_RANKS[last]
    bare = [str(c).strip().lower() in BARE_STAGE_LETTERS for c in classes]
    if not sleep and not any(r is not None and not b for r, b in zip(ranks, bare, strict=True)):
        return [None if b else r for r, b in zip(ranks, bare, strict=True)]
    return ranks


def labelled_as_sleep(training: Mapping[str, Any] | None) -> bool:
    """Whether a probe's training record (``EEGPTProbe.training``) says its classes
    are sleep stages: its ``--window-labels`` patterns (``training["window_labels"]
    ["match"]``) name sleep stages' annotations (``"Sleep stage W"``, ``"^Sleep stage"``,
    ``W="stage W"``): the context in which bare ``W`` and ``R`` classes are stages
    (:func:`stage_ranks`' ``sleep``)."""
    match = ((training or {}).get("window_labels") or {}).get("match")
    if match is None:
        return False
    texts = [*match.keys(), *match.values()] if isinstance(match, Mapping) else [match]
    return any(re.search(r"sleep|stage", str(t), re.IGNORECASE) for t in texts)


#: Where each stage of :data:`STAGE_RANKS` (by its hypnogram rank) goes in the AASM manual's
#: order W, N1, N2, N3, REM (R&K's stage 4 after 3): the order of scoring tables and confusion
#: matrices (:func:`stage_order` with ``aasm=True``).
AASM_RANKS = {0: 0, 2: 1, 3: 2, 4: 3, 5: 4, 1: 5}


def stage_order(classes: Sequence[Any], *, aasm: bool = False, sleep: bool = False) -> list[Any]:
    """``classes`` in a hypnogram's top-to-bottom order: W, REM, N1, N2, N3 (R&K's stage 4
    after 3) where every class is a sleep stage's name (:func:`stage_rank`:
    ``"Sleep stage W"``, ``"REM"``, ``"N2"``), else as given. With ``aasm=True``, in the
    AASM manual's order W, N1, N2, N3, REM (:data:`AASM_RANKS`), as sleep researchers read a
    confusion matrix or a legend of stages. R&K's ``S1`` .. ``S4`` count beside wake or REM,
    the bare letters ``W`` and ``R`` beside another stage's name or with ``sleep``
    (:func:`stage_ranks`): ``["R", "W"]`` alone stays as given."""
    classes = list(classes)
    ranks = stage_ranks(classes, sleep=sleep)
    if not classes or any(r is None for r in ranks):
        return classes
    keys = [AASM_RANKS[cast(int, r)] if aasm else cast(int, r) for r in ranks]
    return [classes[i] for _, i in sorted((k, i) for i, k in enumerate(keys))]


def _agreement_text(both: Sequence[tuple[Any, Any]]) -> str:
    """``", 99.7% of the 360 scored agree (balanced accuracy 90.0%; always 'background':
    97.2%)"``: how the (predicted, scored) pairs ``both`` agree, beside the balanced accuracy
    (the mean recall of the scored classes) and the agreement of always predicting the most
    frequent scored class, so that a rare class missed is not hidden by the agreement."""
    predicted = np.array([str(a) for a, _ in both])
    scored = np.array([str(b) for _, b in both])
    agree = float(np.mean(predicted == scored))
    classes, counts = np.unique(scored, return_counts=True)
    recall = [float(np.mean(predicted[scored == c] == c)) for c in classes]
    majority = classes[int(np.argmax(counts))]
    return (
        f", {100 * agree:.1f}% of the {len(both)} scored agree (balanced accuracy "
        f"{100 * float(np.mean(recall)):.1f}%; always {str(majority)!r}: "
        f"{100 * counts.max() / len(both):.1f}%)"
    )


def is_sleep_staging(classes: Sequence[Any], *, sleep: bool = False) -> bool:
    """Whether every one of ``classes`` is a sleep stage's name (:func:`stage_ranks`): not
    numbers or generic names (``[1, 2]``, ``["class 1", "class 2"]``, ``["S1", "S2"]``) of
    another task, nor ``["R", "W"]`` alone (right and wrong) but with ``sleep`` (the classes
    known to be sleep stages: :func:`labelled_as_sleep`)."""
    return bool(classes) and all(r is not None for r in stage_ranks(classes, sleep=sleep))


#: Fill of the bad epochs of :func:`plot_hypnogram` (light red, hatched).
BAD_EPOCH_COLOR = "#f7c6c6"


def _table_classes(epochs: Any) -> list[str]:
    """The classes of a table of scoring epochs (:func:`plot_hypnogram`'s ``epochs``): those
    of its ``p_<class>`` columns, else those predicted and scored (``prediction``, ``label``)
    in any of its rows, as text, sorted."""
    columns = [str(c) for c in (epochs.columns if hasattr(epochs, "columns") else epochs)]
    classes = [c[2:] for c in columns if c.startswith("p_")]
    if classes:
        return classes
    found: set[str] = set()
    for name in ("prediction", "label"):
        values = _column(epochs, name)
        if values is not None:
            found |= {str(v) for v in values.tolist() if isinstance(v, str) and v}
    return sorted(found)


def _epoch_pieces(
    onsets: np.ndarray, durations: np.ndarray, covered: np.ndarray | None, record_clock: Any
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The pieces of recorded data that :func:`plot_hypnogram` draws of scoring epochs at
    ``onsets`` lasting ``durations`` (``(n,)`` s of recorded data): ``(piece_of, start, end)``,
    each ``(m,)``: the epoch of each piece, and its start and end in seconds on the clock from
    the epoch's onset. An epoch ends no later than the data: the latest onset + ``covered``
    (its windows' seconds, ``(n,)``, None: not known); with ``record_clock`` (a
    :class:`eegpt.edf_files.RecordClock` or its dict) it is cut where a stretch begins, each piece
    placed on the clock past the gaps before it (:meth:`eegpt.edf_files.RecordClock.to_clock`)."""
    ends = onsets + durations
    if covered is not None:
        seconds = _floats(covered)
        known = ~np.isnan(seconds) & (seconds > 0)
        if known.any():  # no further than the data the last epoch's windows cover
            ends = np.maximum(np.minimum(ends, float(np.max((onsets + seconds)[known]))), onsets)
    cuts = np.zeros(0)
    to_clock: Callable[[np.ndarray], np.ndarray] = np.asarray
    record_clock = _as_record_clock(record_clock)
    if record_clock is not None:
        cuts, to_clock = np.asarray(record_clock.sample_starts[1:]), record_clock.to_clock
    piece_of, start, end = [], [], []
    for k, (a, b) in enumerate(zip(onsets, ends, strict=True)):
        edges = np.r_[a, cuts[(cuts > a) & (cuts < b)], b]
        shift = to_clock(edges[:-1]) - float(to_clock(np.array([a]))[0])  # the gaps before
        for lo, hi, moved in zip(edges[:-1], edges[1:], shift, strict=True):
            piece_of.append(k)
            start.append(float(moved))
            end.append(float(moved + hi - lo))
    return np.asarray(piece_of, dtype=np.int64), np.asarray(start), np.asarray(end)


def _as_record_clock(record_clock: Any) -> Any:
    """``record_clock`` (a :class:`eegpt.edf_files.RecordClock`, its dict, or None) as a
    RecordClock, or None."""
    if record_clock is None:
        return None
    from eegpt.edf_files import RecordClock

    if isinstance(record_clock, RecordClock):
        return record_clock
    return RecordClock.from_dict(dict(record_clock))


def _split_at(i: int, j: int, gap: np.ndarray) -> list[tuple[int, int]]:
    """The run of pieces ``i`` to ``j`` (inclusive) split after each piece ``k`` with
    ``gap[k]`` (``(m - 1,)`` bool: a pause after piece ``k``)."""
    cuts = [k for k in range(i, j) if gap[k]]
    return list(zip([i, *(k + 1 for k in cuts)], [*cuts, j], strict=True))


def _floats(values: np.ndarray) -> np.ndarray:
    """``values`` (a table column: numbers, None, ``""``) as float64, NaN where none."""
    return np.array([np.nan if v is None or v == "" else float(v) for v in values.tolist()])


def hypnogram_width(hours: float) -> float:
    """Width (inches) of a hypnogram made by :func:`plot_hypnogram` of ``hours``: 10 up to 6 h,
    then wider by 1 inch an hour, at most 20, so that a long night's epochs stay apart."""
    return float(np.clip(10.0 + (hours - 6.0), 10.0, 20.0))


def _truthy(value: Any) -> bool:
    """A ``bad`` cell as a bool: True, 1, "True"/"true"; False for None, NaN, "", False."""
    if isinstance(value, str):
        return value.strip().lower() in ("true", "1", "yes")
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return False
    return bool(value)


def _runs(flags: np.ndarray) -> list[tuple[int, int]]:
    """First and last index of each run of consecutive True in ``flags``."""
    edges = np.diff(np.r_[0, flags.astype(np.int8), 0])
    return list(
        zip(
            np.flatnonzero(edges == 1).tolist(),
            (np.flatnonzero(edges == -1) - 1).tolist(),
            strict=True,
        )
    )


def _selected(table: Any, rows: np.ndarray) -> Any:
    """The ``rows`` (``(n,)`` bool) of a table: a DataFrame's, or of each array of a mapping."""
    if hasattr(table, "loc"):
        return table.loc[rows]
    return {name: np.asarray(values)[rows] for name, values in table.items()}


def _taken(table: Any, rows: np.ndarray) -> Any:
    """The ``rows`` (``(n,)`` indices, in that order) of a table: a DataFrame's, or of each
    array of a mapping."""
    if hasattr(table, "iloc"):
        return table.iloc[rows]
    arrays = {name: np.asarray(values) for name, values in table.items()}
    return {name: a[rows] if a.ndim else a for name, a in arrays.items()}  # (one for all kept)


def _column(table: Any, name: str) -> np.ndarray | None:
    """A column of a table (DataFrame, or mapping of arrays) as an array, None if absent."""
    if name not in table:
        return None
    return np.asarray(table[name])


def _read_table(path: str | os.PathLike) -> tuple[Any, bool | None, dict[str, set[str]]]:
    """A prediction table of ``eegpt probe predict -o`` (``.csv``, ``.tsv``, ``.parquet``) as
    a DataFrame (empty cells NaN, a class named ``"NA"`` kept), with whether the encoder of the
    probe that wrote it was pretrained: False where its record (a CSV's or TSV's sidecar, a
    Parquet file's metadata) says its weights were random (``encoder_pretrained``), else
    None (not known); and the clock of each input's ``clock_time`` as the record gives it
    (its ``inputs``' ``clock``, ``"local"`` for an EDF/BDF/BrainVision header's wall clock),
    by what the record names the input by: the tail of its path that tells it from inputs of
    the same name in other folders (its ``file``, ``sub-01/ses-1/eeg/x.edf``), else its file
    name (each with a ``clock``; empty for a table of an eegpt that recorded none)."""
    from eegpt.probe_provenance import predictions_record

    pd = require_pandas("plot_hypnogram of a prediction table's path")

    path = Path(path)
    if path.suffix.lower() == ".parquet":
        table = pd.read_parquet(path)
    elif path.suffix.lower() in (".csv", ".tsv"):
        sep = "\t" if path.suffix.lower() == ".tsv" else ","
        table = pd.read_csv(path, sep=sep, keep_default_na=False, na_values=[""])
    else:
        raise ValueError(
            f"{path}: plot_hypnogram reads the table of eegpt probe predict --epoch-seconds "
            "-o (.csv, .tsv or .parquet); give another table as a DataFrame"
        )
    found = predictions_record(path)
    provenance = (found[0].get("provenance") or {}) if found else {}
    probe = provenance.get("probe") or {}
    clocks: dict[str, set[str]] = {}
    for item in provenance.get("inputs") or []:
        if isinstance(item, dict) and item.get("name") and item.get("clock"):
            named = str(item.get("file") or item["name"])  # file: its folders too
            clocks.setdefault(named, set()).add(str(item["clock"]))
    return table, (False if probe.get("encoder_pretrained") is False else None), clocks


def _recording_names(files: np.ndarray) -> dict[str, str]:
    """Each recording of a table's ``file`` column (``(n,)``, paths as given) as a title names
    it: its file name, or where others of the table share it (``sub-01/ses-1/eeg/x.edf``,
    ``sub-02/ses-1/eeg/x.edf``) the tail of its path that tells it apart
    (:func:`eegpt.probe_provenance.distinct_names`)."""
    from eegpt.probe_provenance import distinct_names

    return distinct_names(list(dict.fromkeys(str(f) for f in files.tolist())))


def _recorded_clocks(file: Any, clocks: dict[str, set[str]]) -> set[str]:
    """The clocks the table's record (``clocks``, :func:`_read_table`) gives the recording
    ``file`` (a table's ``file`` cell): those of the inputs whose name in the record (the
    tail of their path, or their file name) its path ends in. Of two inputs ``x.edf`` in
    different folders, its own (a table of an eegpt that recorded no folders: both's)."""
    if file is None:
        return set()
    parts = Path(str(file)).parts
    return set().union(
        *(c for named, c in clocks.items() if parts[-len(Path(named).parts) :] == Path(named).parts)
    )


def _refuse_zone_on_local_clock(file: Any, clocks: dict[str, set[str]]) -> None:
    """Refuse ``tz=`` for the recording ``file`` (a table's ``file`` cell) where its table's
    record (``clocks``, :func:`_read_table`) says its ``clock_time`` is a header's local wall
    clock (``"local"``): converting it from UTC would shift every time by the zone's
    offset, as :func:`eegpt.viz.plot_embeddings` refuses for ``metadata["clock"]``
    (:func:`_recorded_clocks`: of two inputs ``x.edf`` in different folders, its own)."""
    if "local" not in _recorded_clocks(file, clocks):
        return
    raise ValueError(
        f"tz converts a clock kept in UTC, but {file}'s clock_time is its header's local wall "
        "clock (clock 'local' in the table's record: EDF, BDF, BrainVision, Nihon Kohden), in "
        "no zone eegpt knows: leave tz out, and the axis shows that clock as it is"
    )


def plot_hypnogram(
    epochs: Any,
    *,
    order: Sequence[Any] | None = None,
    labels: bool = True,
    probabilities: bool = False,
    clock: bool | None = None,
    tz: datetime.tzinfo | str | None = None,
    bad: Sequence[bool] | np.ndarray | None = None,
    ax: Axes | None = None,
    title: str | None = None,
    show: bool = False,
    pretrained: bool | None = None,
    record_clock: Any = None,
    file: str | None = None,
    sleep: bool = False,
) -> Figure:
    """A hypnogram: the predicted sleep stage of each scoring epoch over the night, as a step
    line, stages top to bottom (W, REM, N1, N2, N3 by default), with the scored stages for
    comparison and optionally each stage's probability as a ribbon.

    Parameters
    ----------
    epochs : pandas.DataFrame | Mapping[str, array-like] | str | os.PathLike
        One recording's scoring epochs, as ``eegpt probe predict --epoch-seconds`` writes them
        (its rows of one ``file``), or the path of the table it wrote (``.csv``/``.tsv`` with
        its ``.json`` sidecar, or ``.parquet``; ``file=`` picks a recording of several), whose
        record says whether the probe's encoder was pretrained: ``onset_s`` (seconds from the
        first sample, shape ``(n_epochs,)``) and ``prediction``; optional ``duration_s``
        (default: the step between onsets), ``label`` (the scored stage; empty or None where
        none), ``clock_time`` (ISO 8601), ``p_<class>`` (probabilities, 0-1) and ``bad`` (True
        where an annotation marked bad overlaps the epoch). An epoch without a prediction (None,
        NaN, ``""``) leaves a gap.
    order : sequence | None
        The stages top to bottom; default: the classes of the ``p_<class>`` columns (else
        those predicted and scored, sorted) put in the sleep scientists' order W, REM, N1, N2,
        N3 when all are stage names (:func:`stage_order`), else in their own order.
    labels : bool
        Draw the scored stages (``label``), where given, as a wide pale line under the
        predicted one; the default title then gives how many scored epochs agree.
    probabilities : bool
        Draw each stage's probability as a ribbon around its row (full height at 1).
    clock : bool | None
        The x axis in clock time (from ``clock_time``: each epoch at its own, so a pause in
        the recording, an EDF+D file's gap, is left blank) rather than hours of recording
        from the first epoch's onset; default: clock time where every epoch has one. The
        times are drawn as the recording's clock gives them, labelled "recording clock"
        ("local wall clock, no zone" for the path of a table whose record says so):
        ``clock_time`` names no zone; an EDF/BDF/BrainVision header holds the lab's
        wall-clock start, in a zone it does not name, a FIF/.mff file UTC (tables of
        earlier versions end in ``+00:00``, as MNE labels every date).
    tz : datetime.tzinfo | str | None
        Where ``clock_time`` is truly UTC (a recording whose zone is known): the zone to show
        the clock in (``zoneinfo.ZoneInfo("Europe/Berlin")``, ``"UTC"``), named in the
        axis label. Refused (ValueError) for the path of a table whose record says the
        recording's clock is its header's local wall clock (its input's ``clock``
        ``"local"``, which ``probe predict`` records of an EDF/BDF/BrainVision file), as
        :func:`eegpt.viz.plot_embeddings` refuses it; a DataFrame, or a table of an earlier
        eegpt that recorded no clock, is taken as given (give ``tz`` only where you know
        ``clock_time`` is UTC).
    bad : sequence of bool | None
        Per epoch, whether it is bad (an annotation marked bad overlaps it); shaded light
        red, hatched. Default: the table's ``bad`` column where it has one.
    ax, title, show
        As in :func:`eegpt.viz.plot_channel_mapping`. The default title names the recording
        (the table's ``file``, where it has one: its file name, or with ``file=`` where the
        table holds others of that name in other folders, as many of its folders as tell it
        apart, ``sub-02/ses-1/eeg/x.edf``), what is drawn and the agreement.
    pretrained : bool | None
        False marks the figure as made with random encoder weights (a demo's); default:
        False for the path of a table whose record says so (``encoder_pretrained``, which
        ``probe predict`` records of a probe on random weights), else unmarked. A DataFrame
        read from such a table with pandas carries no record: give its path, or
        ``pretrained=False``.
    file : str | None
        With a table of several recordings, the one to draw (its ``file`` cell).
    sleep : bool
        The classes are sleep stages though their names alone do not say so (bare ``W`` and
        ``R``, which are right and wrong of another task: :func:`stage_ranks`), as for a
        probe trained on sleep stages' annotations (:func:`labelled_as_sleep`): ordered and
        labelled as stages.
    record_clock : eegpt.edf_files.RecordClock | dict | None
        Where the stretches of a discontinuous EDF+D/BDF+D recording lie on its clock (its
        ``metadata["record_clock"]``, as :meth:`eegpt.outputs.Embeddings.clock_times` uses it):
        with it, an epoch over a gap is drawn in pieces, each stretch's seconds where they lie
        on the clock, the gap left blank, as :meth:`eegpt.outputs.Embeddings.plot` with
        ``time="clock"`` does; in hours (``clock=False``) too, counted on the clock from the
        first epoch (each epoch's onset moved on by the gaps before it). Without it, each
        epoch is drawn from its ``clock_time`` for its ``duration_s``, in hours from its
        ``onset_s``. Either way, with ``covered_s`` an epoch is drawn no further than the
        data its windows cover at the end of the recording (the last one's ``covered_s``).

    Returns
    -------
    matplotlib.figure.Figure
    """
    clocks: dict[str, set[str]] = {}  # the table's record: each input's clock, by name
    if isinstance(epochs, (str, os.PathLike)):
        epochs, recorded, clocks = _read_table(epochs)
        pretrained = recorded if pretrained is None else pretrained
    files = _column(epochs, "file")
    named = None if files is None else _recording_names(files)  # for the title
    # bare W and R are stages where the whole table's classes (every recording's) name one
    sleep = sleep or is_sleep_staging(_table_classes(epochs))
    if file is not None:
        if files is None or file not in set(files.tolist()):
            held = sorted(set(files.tolist())) if files is not None else []
            raise ValueError(f"file={file!r}: the table holds no rows of it (its files: "
                             f"{', '.join(map(str, held)) or 'no file column'})")  # fmt: skip
        epochs = _selected(epochs, files == file)
        files = _column(epochs, "file")
    if files is not None and len(set(files.tolist())) > 1:
        raise ValueError(
            f"plot_hypnogram draws one recording; the table holds {len(set(files.tolist()))} "
            "files: select one, e.g. table[table['file'] == name], or give file=name"
        )
    if tz is not None and files is not None and len(files):
        _refuse_zone_on_local_clock(files[0], clocks)
    onsets, predicted = _column(epochs, "onset_s"), _column(epochs, "prediction")
    if onsets is None or predicted is None:
        raise ValueError("plot_hypnogram needs onset_s and prediction columns (probe predict "
                         "--epoch-seconds writes them)")  # fmt: skip
    onsets = onsets.astype(float)
    if not len(onsets):
        raise ValueError("plot_hypnogram: no epochs to draw")
    if bad is not None and len(bad) != len(onsets):
        raise ValueError(f"bad: {len(bad)} values for {len(onsets)} epochs")
    by_onset = np.argsort(onsets, kind="stable")
    if np.any(by_onset != np.arange(len(onsets))):
        # rows in another order (a table sorted by stage, joined ...): drawn in time order,
        # not as a line running back and forth with a negative epoch length in the title
        epochs = _taken(epochs, by_onset)
        onsets, predicted = onsets[by_onset], np.asarray(predicted)[by_onset]
        bad = None if bad is None else np.asarray(bad, dtype=object)[by_onset]
    durations = _column(epochs, "duration_s")
    if durations is None:
        step = float(np.median(np.diff(onsets))) if len(onsets) > 1 else 30.0
        durations = np.full(len(onsets), step)
    durations = durations.astype(float)

    def present(values: np.ndarray | None) -> list[Any | None]:
        if values is None:
            return [None] * len(onsets)
        return [None if v is None or v == "" or (isinstance(v, float) and np.isnan(v)) else v
                for v in values.tolist()]  # fmt: skip

    stages, scored = present(predicted), present(_column(epochs, "label"))
    columns = [str(c) for c in (epochs.columns if hasattr(epochs, "columns") else epochs)]
    classes = [c[2:] for c in columns if c.startswith("p_")]
    if order is None:
        known = classes or sorted({str(v) for v in stages + scored if v is not None})
        order = stage_order(known, sleep=sleep)
    order = list(order)
    row = {str(c): i for i, c in enumerate(order)}
    missing = sorted({str(v) for v in stages if v is not None} - set(row))
    if missing:
        raise ValueError(f"order: the predictions hold stages it lacks: {missing}")
    if bad is None:
        bad = _column(epochs, "bad")
    flagged = np.zeros(len(onsets), dtype=bool)
    if bad is not None:
        flagged = np.array([_truthy(v) for v in np.asarray(bad, dtype=object).tolist()])
        if flagged.shape != onsets.shape:
            raise ValueError(f"bad: {len(flagged)} values for {len(onsets)} epochs")
    times = _column(epochs, "clock_time")
    moments = present(times)
    if clock is None:
        clock = all(m is not None for m in moments)
    if clock and any(m is None for m in moments):
        raise ValueError("clock=True: some epochs have no clock_time (a recording without a "
                         "measurement date)")  # fmt: skip
    if clock:
        pd = require_pandas("plot_hypnogram on the recording's clock (clock_time)")

        # each epoch at its own clock time: after a pause (an EDF+D file's gap) the clock
        # jumps ahead of the onsets, which count recorded samples only
        stamps = pd.to_datetime([str(m) for m in moments], utc=True)
        # x on the recording's own (UTC-labelled) timeline, gaps found there: a zone's
        # daylight-saving shift is no pause; tz (the clock truly UTC) goes to the labels only
        epoch_clock: np.ndarray = stamps.tz_localize(None).to_numpy(dtype="datetime64[ns]")
        # an EDF header's start is the lab's wall clock, which MNE labels UTC: no zone claimed
        # a header's wall clock said so where the table's record says it is one
        local = (
            files is not None
            and len(files) > 0
            and (_recorded_clocks(files[0], clocks) == {"local"})
        )
        xlabel = _clock_label(tz, stamps[0] if tz is None else stamps[0].tz_convert(tz), local)
    else:
        xlabel = "hours from the first epoch"
    # the pieces of data drawn, (m,) each: the epoch, where it starts and ends on the x axis
    piece_of, piece_start, piece_end = _epoch_pieces(
        onsets, durations, _column(epochs, "covered_s"), record_clock
    )
    if clock:
        starts = epoch_clock[piece_of] + (piece_start * 1e9).astype("timedelta64[ns]")
        ends = epoch_clock[piece_of] + (piece_end * 1e9).astype("timedelta64[ns]")
        gap = starts[1:] - ends[:-1] > np.timedelta64(1, "ms")  # (m - 1,): a pause after k
    else:
        # hours on the clock from the first epoch: past an EDF+D file's gap, an epoch's
        # onset (seconds of recorded data) moves on by the gaps before it, as its pieces
        # within it do, so that the gap is left blank and no piece runs into the next epoch
        clocked = _as_record_clock(record_clock)
        on_clock = onsets if clocked is None else np.asarray(clocked.to_clock(onsets), float)
        base = (on_clock[piece_of] - on_clock[0]) / 3600.0
        starts, ends = base + piece_start / 3600.0, base + piece_end / 3600.0
        gap = starts[1:] - ends[:-1] > 1e-3 / 3600
    # step edges: each piece's start, the end of one before a gap, the last one's end
    k_gap = np.flatnonzero(gap)
    x: np.ndarray = np.insert(np.r_[starts, ends[-1:]], k_gap + 1, ends[k_gap])

    def expanded(y: np.ndarray, blank: float = np.nan) -> np.ndarray:
        """Per-epoch values ``(n,)`` at the step edges: ``blank`` over the gaps, the last
        piece drawn to its end."""
        y = np.asarray(y, dtype=float)[piece_of]
        return np.insert(np.r_[y, y[-1:]], k_gap + 1, blank)

    def levels(values: list[Any | None]) -> np.ndarray:
        y = np.array([np.nan if v is None else row.get(str(v), np.nan) for v in values])
        return expanded(y)

    created = ax is None
    hours = float(onsets[-1] + durations[-1] - onsets[0]) / 3600.0
    fig, ax = _figure(ax, (hypnogram_width(hours), 1.2 + 0.45 * len(order)))
    runs = [(i, j) for i, j in _runs(flagged[piece_of]) for i, j in _split_at(i, j, gap)]
    for k, (i, j) in enumerate(runs):  # bad epochs' data, beneath the lines: hatched
        ax.axvspan(starts[i], ends[j], facecolor=BAD_EPOCH_COLOR, edgecolor="#d62728", hatch="///",
                   linewidth=0, alpha=0.5, zorder=0,
                   label="bad (annotation)" if k == 0 else None)  # fmt: skip
    if probabilities:
        for c in order:
            p = _column(epochs, f"p_{c}")
            if p is None:
                continue
            half = expanded(0.45 * np.nan_to_num(np.asarray(present(p), dtype=float)), 0.0)
            y0 = row[str(c)]
            ax.fill_between(x, y0 - half, y0 + half, step="post", alpha=0.25, linewidth=0,
                            color="tab:blue", label="probability" if y0 == 0 else None)  # fmt: skip
    y_scored = levels(scored)
    drawn_scored = labels and not np.all(np.isnan(y_scored))
    if drawn_scored:
        ax.step(x, y_scored, where="post", color="0.6", linewidth=5, alpha=0.6, label="scored")
    ax.step(x, levels(stages), where="post", color="black", linewidth=1.2, label="predicted")
    ax.set_yticks(range(len(order)), [_short_lines(c) for c in order])
    ax.set_ylim(len(order) - 0.5, -0.5)  # the first stage (W) on top
    ax.set_xlabel(xlabel)
    ax.set_ylabel("stage" if is_sleep_staging(order, sleep=sleep) else "class")
    if clock:
        # every tick a full time (23:00:15, not 15), a date only at midnight; the start's
        # date is in the axis label, not in an offset that gives the end's
        _clock_ticks(ax, tz, show_offset=False, formats=["%Y", "%b", "%d", "%H:%M", "%H:%M", "%H:%M:%S"],
                     zero_formats=["", "%Y", "%b", "%b-%d", "%H:%M", "%H:%M:%S"])  # fmt: skip
    if drawn_scored or probabilities or flagged.any():
        # right of the axes where a layout engine makes room for it, else inside: in a
        # caller's figure of no layout engine a legend beside the axes ran off the figure
        _legend_clear_of_data(ax, fontsize="small")
    if title is None:
        epoch = float(np.median(durations))
        from eegpt._logging import count

        # "hypnogram" for sleep stages only: another task's classes are predicted classes
        what = "hypnogram" if is_sleep_staging(order, sleep=sleep) else "predicted classes"
        title = f"{what}: {count(len(onsets), 'epoch')} of {epoch:g} s"
        if named is not None and files is not None and len(files):  # as --plot names it
            title = f"{named[str(files[0])]}: {title}"
        both = [(a, b) for a, b in zip(stages, scored, strict=True) if None not in (a, b)]
        if drawn_scored and both:
            title += _agreement_text(both)
    ax.set_title(title, fontsize="medium", wrap=True)
    if pretrained is False:
        _mark_not_pretrained(fig, ax, created)
    return _shown(fig, show, created)
