"""Embeddings as a MATLAB ``.mat`` file or a CSV table (``eegpt export``), for MATLAB/EEGLAB
and spreadsheets, which read neither ``.npz`` nor Parquet.

The input is anything :func:`eegpt.load_embeddings` or :func:`eegpt.read_embeddings` reads:
an ``.npz`` or ``.parquet`` file of one recording, or the output folder of ``embed-dataset``
(also the folder of its ``--part`` runs). Both outputs are written atomically (a temporary
file beside the output, renamed into place when complete).

``.mat`` (MATLAB v5/v7 format, compressed; ``S = load('out.mat')``): one row per window in
every per-window variable.

- ``embeddings``: single, ``[n_windows, N, S, D]`` as stored (N patches, S summary tokens,
  width D), or ``[n_windows, n_features]`` with a pooling (``--pool mean``: ``[n_windows, D]``);
- ``onset_s``: window onsets in seconds of recorded data from the first sample; ``clock_s``:
  the same on the recording's clock (after each gap of a discontinuous EDF+D/BDF+D file,
  ``onset_s`` plus the gaps before it; else equal to it); ``clock_time`` (where any window's
  recording has a measurement date): cellstr of the onsets' moments, ISO 8601 without a zone
  (``'2024-01-01T23:59:50'``, '' where unknown): the recording's wall clock as its header
  states it (for EDF/BDF local time, which MNE labels UTC); ``datetime(S.clock_time,
  'InputFormat', 'yyyy-MM-dd''T''HH:mm:ss')`` reads it; ``window``: the window's index in its recording,
  counted from 0 as in Python and Parquet; ``window_number``: the same counted from 1, as
  MATLAB counts (for epochs: the epoch's number among the events);
- ``label``: cellstr of the epochs' event names (where the input has them); ``bad``: logical,
  windows over annotations marked bad; ``padded``: logical, windows zero-padded past the
  recording's end (``--tail pad``; where any is); ``flat_channels`` and ``clipped_channels``:
  cellstr of the channels flat or clipped in each window, joined with ``";"`` ('' where none),
  ``flagged``: logical, windows with either (:attr:`Embeddings.flagged
  <eegpt.outputs.Embeddings.flagged>`), and ``flags_recorded``: logical, windows whose flags
  were recorded (where the file recorded them: not for files written before eegpt recorded
  them or epochs; for an ``embed-dataset`` run, where any of its rows did: its shards of
  layout 6 on, the rows without them (epochs, older shards), warned of, as not flagged and
  ``flags_recorded`` false: unchecked, not clean);
- a corpus run made from a manifest: the manifest's other columns (``subject``, labels,
  ``annotations_file`` ...), one variable per column as the epochs' metadata below, a name of
  another variable prefixed ``manifest_`` (a ``label`` column: ``manifest_label``);
- the epochs' metadata (where the input has it: ``epochs.metadata`` of MNE epochs,
  ``eeglab_events`` and ``eeglab_latencies_ms`` of epoched EEGLAB files), one variable per
  column: numbers and booleans as double (NaN where missing; booleans logical where none is),
  integers with one beyond +-2**53 (9007199254740992, where doubles stop holding every
  integer: sample indices, ids, nanoseconds) and none missing as int64 (uint64 beyond int64's
  range; with one missing: double, warned of, as it rounds them), dates as cellstr of ISO
  8601 text in one format per column (the finest any needs; the offset where the column has a
  zone: ``'2024-03-31T01:30:00+01:00'``), others as cellstr ('' where missing; durations
  too, as pandas writes them, ``'0 days 00:00:00.500000'``, which MATLAB's ``duration`` does
  not read: beside such a column ``<name>_s`` holds its seconds, double, NaN where missing,
  ``seconds(S.<name>_s)`` in MATLAB); names made valid for MATLAB (``matlab.lang.makeValidName``: at most 63
  characters, ``'É'``: ``'x_'``), a name of another variable prefixed ``metadata_``, and names
  that meet once made valid numbered (``<name>_2``, ``<name>_3`` ..., within 63 characters);
  ``column_names`` and ``column_variables`` (cellstr, where any such column is): each manifest
  and metadata column's own name and the variable that holds it, in order;
  ``annotations``: cellstr of the descriptions of the annotations over each window, each
  description once (no counts), joined with ``"; "`` (where any window has one);
- ``pool``: the pooling of ``embeddings`` (``'none'``: as stored); ``sfreq`` (Hz) and
  ``window_seconds``: the rate and length of the windows the model saw (256 Hz, after
  resampling); ``recording_sfreq`` (Hz): the rate the recording was made at (a file's: one
  number; a corpus run's: double per window, its recording's rate, NaN where the run did not
  record it; left out where no rate is known);
  ``metadata_json``: the whole provenance as JSON text (``jsondecode(S.metadata_json)``);
- a file: ``source`` (the recording) and ``channels`` (cellstr, the embedded channels, in
  order); a corpus run: ``recording`` and ``path`` (cellstr per window), and ``channels``
  (cellstr) when every recording has the same ones, else ``channel_sets`` (a cell array with
  one cellstr per set of channels, in the order first met) and ``channel_set`` (double per
  window: its recording's set, counted from 1: ``S.channel_sets{S.channel_set(i)}``).

``.csv``: one row per window, columns ``recording``, ``window`` (from 0), ``window_number``
(from 1), ``onset_s``, ``clock_s``, ``clock_time`` (where any window has one; as in the
``.mat`` file), ``label``, the manifest's columns, the epochs' metadata columns,
``annotations`` (each where present), ``bad``, ``flat_channels``, ``clipped_channels``,
``flagged`` and ``flags_recorded`` (where recorded, as in the ``.mat`` file), ``padded`` (where any window is), then the
pooled embedding (default ``--pool
mean``: ``eegpt_d0`` ... ``eegpt_d511``, named as :meth:`Embeddings.to_data_frame
<eegpt.outputs.Embeddings.to_data_frame>` names them).
"""

from __future__ import annotations

import itertools
import json
import math
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from eegpt import memory_checks
from eegpt._filenames import command_word, user_path
from eegpt._logging import warn as _warn
from eegpt._renamed import renamed_keywords
from eegpt._window_flags import FLAG_KEYS, flagged_mask, recorded_flags
from eegpt.clock_times import iso_moments, window_clock
from eegpt.dataset_folders import RUN_MANIFEST
from eegpt.embeddings_loading import load_embeddings
from eegpt.errors import InsufficientMemoryError, OutputExistsError
from eegpt.optional_packages import require_pandas
from eegpt.output_files import atomic_write
from eegpt.outputs import Embeddings
from eegpt.pooling import POOLINGS, feature_names

__all__ = ["EXPORT_FORMATS", "ExportInput", "export_embeddings", "read_export_input"]

EXPORT_FORMATS = (".mat", ".csv")

#: What joins the descriptions of the annotations over one window in the ``annotations``
#: variable and column (EEGLAB's event names may hold ``/``).
ANNOTATIONS_JOIN = "; "

#: What joins the channel names of one window in the ``flat_channels`` and
#: ``clipped_channels`` variables and columns.
CHANNELS_JOIN = ";"

#: The largest variable, in bytes, that a MATLAB v5/v7 ``.mat`` file holds (2 GB).
MAT_VARIABLE_LIMIT = 2**31 - 1

#: The most columns Excel and LibreOffice Calc open (16,384).
SPREADSHEET_COLUMNS = 16_384


@dataclass(eq=False)
class ExportInput:
    """The windows to export, of one file or of a corpus run.

    Attributes
    ----------
    embeddings : Embeddings
        Every window, ``data`` ``[n_windows, N, S, D]`` (a run stored pooled: ``[n, 1, 1, D]``
        with ``metadata["pool"]``); a run's recordings one after the other.
    provenance : dict
        What made them: the file's metadata, or the run's settings (its shards' ``eegpt``
        footer).
    recordings : list of str | None
        A run's recording id per window; None for a file.
    paths : list of str | None
        A run's recording path per window; None for a file.
    channels : list of str | None
        The embedded channels, in order; None for a run whose recordings differ in them.
    epochs_metadata : pandas.DataFrame | None
        The epochs' metadata, one row per window (index 0, 1, ...): ``epochs.metadata`` of MNE
        epochs, ``eeglab_events`` and ``eeglab_latencies_ms`` of epoched EEGLAB files; a run's
        ``epochs_metadata`` column as columns (missing values for other recordings). None
        where no window has any.
    channel_sets : list of list of str | None
        A run's distinct sets of embedded channels, in the order first met; None for a file.
    channel_set : ndarray of int64, shape (n_windows,) | None
        A run's set of each window, an index into ``channel_sets`` (from 0); None for a file.
    manifest_columns : pandas.DataFrame | None
        A run's manifest columns besides ``path`` and ``recording_id`` (``subject``, labels,
        ``annotations_file`` ...), one row per window (index 0, 1, ...); None for a file or a
        run without such columns.
    padded : ndarray of bool, shape (n_windows,) | None
        Windows zero-padded past the recording's end (``--tail pad``: a run's ``padded``
        column; a file's ``padded_tail`` window, or every epoch with ``padded_epochs``); None
        where none is.
    clock_s : ndarray of float64, shape (n_windows,) | None
        A run's window onsets on each recording's clock (its ``clock_s`` column, or from its
        file statuses for runs written before it); None for a file (from its provenance:
        :func:`eegpt.outputs.window_clock`).
    clock_time : ndarray of datetime64[us], shape (n_windows,) | None
        A run's onsets' moments (NaT where a recording has no measurement date), as
        ``clock_s``; None for a file.
    recording_sfreq : ndarray of float64, shape (n_windows,) | None
        A run's rate (Hz) each window's recording was made at, from its file status (NaN
        where the run did not record it); None for a file (its provenance's ``sfreq_in``) and
        for a run that records none.
    flags_recorded : ndarray of bool, shape (n_windows,) | None
        A run's rows whose per-window flags were recorded (its ``flags_recorded`` column:
        shards of layout 6 on, continuous recordings; not epochs); None for a file, whose
        flags are recorded for all its windows or none.
    """

    embeddings: Embeddings
    provenance: dict[str, Any]
    recordings: list[str] | None = None
    paths: list[str] | None = None
    channels: list[str] | None = None
    epochs_metadata: Any = None
    channel_sets: list[list[str]] | None = None
    channel_set: np.ndarray | None = None
    manifest_columns: Any = None
    padded: np.ndarray | None = None
    clock_s: np.ndarray | None = None
    clock_time: np.ndarray | None = None
    recording_sfreq: np.ndarray | None = None
    clock_unrecorded: bool = False  # a run whose eegpt recorded no time base: no clock_time
    flags_recorded: np.ndarray | None = None

    def __len__(self) -> int:
        return len(self.embeddings)

    def clock(self) -> tuple[np.ndarray, np.ndarray | None]:
        """``(clock_s, clock_time)`` per window: seconds on the recording's clock (float64)
        and the onsets' moments (naive ``datetime64[us]``, NaT where unknown; None where no
        window has one), as :func:`eegpt.outputs.window_clock` gives them."""
        if self.clock_s is not None:
            moments = self.clock_time
            if moments is not None and bool(np.all(np.isnat(moments))):
                moments = None
            return self.clock_s, moments
        return window_clock(self.embeddings.metadata, self.embeddings.onsets)

    @property
    def recording_per_window(self) -> list[str]:
        """The recording of each window: a run's ids, or the file's source repeated."""
        if self.recordings is not None:
            return self.recordings
        return [str(self.provenance.get("source", ""))] * len(self)

    @property
    def window_index(self) -> np.ndarray:
        """Each window's index in its recording, from 0, ``(n_windows,)`` int64."""
        index = self.embeddings.metadata.get("window_index", range(len(self)))
        return np.asarray(index, dtype=np.int64).reshape(len(self))

    @property
    def labels(self) -> list[str] | None:
        """The epochs' event names per window ('' where a window has none), or None."""
        labels = self.embeddings.metadata.get("labels")
        if labels is None:
            return None
        return ["" if v is None else str(v) for v in labels]

    @property
    def annotations(self) -> list[str] | None:
        """The descriptions of the annotations over each window, joined with ``"; "`` ('' over
        none), or None where no window has any."""
        per_window = self.embeddings.annotations
        if not any(per_window):
            return None
        return [ANNOTATIONS_JOIN.join(str(d) for d in window) for window in per_window]

    def flag_columns(self) -> dict[str, Any]:
        """``flat_channels`` and ``clipped_channels`` (the channel names of each window joined
        with ``";"``, '' where none), ``flagged`` and ``flags_recorded`` (bool
        ``(n_windows,)``) where the per-window flags were recorded
        (:attr:`eegpt.Embeddings.flags_recorded`); {} where not (unknown, so left out rather
        than written as clean). ``flags_recorded`` is False for a run's rows without flags
        (its epochs, rows of shards from before layout 6), whose ``flagged`` False and empty
        lists mean unchecked, not clean."""
        flags = recorded_flags(self.embeddings.metadata, len(self))
        if flags is None:
            return {}
        joined = {key: [CHANNELS_JOIN.join(names) for names in per_window]
                  for key, per_window in flags.items()}  # fmt: skip
        recorded = self.flags_recorded
        if recorded is None:  # a file: its flags were recorded for every window
            recorded = np.ones(len(self), dtype=bool)
        return {**joined, "flagged": flagged_mask(flags, len(self)), "flags_recorded": recorded}


def read_export_input(path: str | Path) -> ExportInput:
    """The windows of an embeddings file (``.npz``, ``.parquet``) or of an ``embed-dataset``
    output folder (or the folder of its ``--part`` runs)."""
    from eegpt.dataset_folders import run_folders

    path = user_path(path)
    if path.is_dir() and ((path / RUN_MANIFEST).is_file() or run_folders(path)):
        return _read_run(path)
    refuse_recording(path)
    refuse_folder_of_files(path)
    emb = load_embeddings(path)  # its errors name what it reads (files; folders of runs)
    channels = (emb.metadata.get("channels") or {}).get("names")
    table = emb.epochs_metadata
    return ExportInput(
        emb,
        emb.metadata,
        channels=None if channels is None else list(channels),
        epochs_metadata=None if table is None else table.reset_index(drop=True),
        padded=_file_padded(emb),
    )


def refuse_folder_of_files(path: Path) -> None:
    """Refuse a folder of ``eegpt embed`` files (``.npz``/``.parquet`` in it; no
    ``embed-dataset`` run), saying what export takes and how to export many files. Other
    folders are left to :func:`eegpt.load_embeddings`, whose errors say what they hold."""
    if not path.is_dir():
        return
    found = sorted(p.suffix for p in path.iterdir() if p.suffix in (".npz", ".parquet"))
    if not found:
        return
    suffix = found[0]
    raise ValueError(
        f"{path} is a folder of {len(found)} embeddings file(s), not an embed-dataset output "
        f"folder (it holds no {RUN_MANIFEST}): eegpt export takes one .npz/.parquet file of "
        "`eegpt embed`, or the output folder of `eegpt embed-dataset`. To export the files, "
        f'export each (for f in FOLDER/*{suffix}; do eegpt export "$f" -o '
        f'"${{f%{suffix}}}.csv"; done), or read them as one table in Python: table, data = '
        "eegpt.read_embeddings(FOLDER)"
    )


def refuse_recording(path: Path, output: Path | None = None) -> None:
    """Refuse an EEG recording (``.set``, ``.edf``, ...; EEGLAB's ``.fdt``), saying that export
    takes its embeddings and how to make them (and export them to ``output``)."""
    from eegpt.formats import EEG_SUFFIXES, RECORDING_FOLDER_SUFFIXES

    suffix = path.suffix.lower()
    others = (".fdt", ".eeg", ".vmrk", ".mff")  # data and marker files of a .set or .vhdr
    if suffix not in (*EEG_SUFFIXES, *RECORDING_FOLDER_SUFFIXES, *others) and not (
        path.name.lower().endswith(".fif.gz")
    ):
        return
    header = {".fdt": ".set", ".eeg": ".vhdr", ".vmrk": ".vhdr"}.get(suffix)
    recording = path.with_suffix(header) if header else path
    raise ValueError(
        f"{path} is an EEG recording; eegpt export writes embeddings as .mat or .csv: the .npz "
        "or .parquet file of `eegpt embed`, or the output folder of `eegpt embed-dataset`. "
        f"Embed the recording first: eegpt embed {command_word(recording)} --weights PATH -o "
        f"{command_word(recording.stem + '.npz')} (PATH: your checkpoint, or eegpt-large), then "
        f"eegpt export {command_word(recording.stem + '.npz')} -o "
        f"{command_word(output) if output else 'OUT.mat'}"
    )


def _read_run(folder: Path) -> ExportInput:
    """A corpus run's windows as one :class:`ExportInput`, in the order the run reads."""
    from eegpt.dataset_read import read_embeddings
    from eegpt.shard_checks import time_base_decided
    from eegpt.window_tables import RESERVED_COLUMNS

    table, data = read_embeddings(folder, expand_metadata=False)
    statuses = _shard_statuses(folder)  # each shard's footer read once
    first = next(iter(statuses.values()), [])
    settings = first[0][0] if first else {}
    pool = settings.get("pool", "none")
    metadata: dict[str, Any] = {
        "window_index": table["window"].astype(int).tolist(),
        "annotations": [list(a) for a in table["annotations"]],
        "preprocessing": settings.get("preprocessing"),
    }
    metadata.update(_run_flags(table))
    events = table["event"]
    if events.notna().any():  # missing ones (NaN, pandas.NA) as None
        metadata["labels"] = events.astype(object).where(events.notna(), None).tolist()
    if pool != "none":  # one vector per window: as 1 patch x 1 token, as load_embeddings does
        metadata["pool"] = pool
        data = data.reshape(len(data), 1, 1, -1)
    sets: dict[tuple[str, ...], int] = {}  # each set of channels once, in the order first met
    channel_set = [sets.setdefault(tuple(names), len(sets)) for names in table["channels"]]
    manifest = [c for c in table.columns if c not in RESERVED_COLUMNS]
    clock_s, clock_time = _run_clock(statuses, table)
    return ExportInput(
        Embeddings(data, table["onset_s"].to_numpy(np.float64), metadata),
        settings,
        recordings=table["recording_id"].astype(str).tolist(),
        paths=table["path"].astype(str).tolist(),
        channels=list(next(iter(sets))) if len(sets) == 1 else None,
        epochs_metadata=_run_metadata(table),
        channel_sets=[list(names) for names in sets],
        channel_set=np.asarray(channel_set, dtype=np.int64),
        manifest_columns=table[manifest].reset_index(drop=True) if manifest else None,
        padded=_any_true(table["padded"].fillna(False)) if "padded" in table.columns else None,
        clock_s=clock_s,
        clock_time=clock_time,
        recording_sfreq=_run_rates(statuses, table),
        clock_unrecorded=any(bool(time_base_decided(run)) for run in statuses.values()),
        flags_recorded=(
            table["flags_recorded"].fillna(False).to_numpy(bool)
            if "flags_recorded" in table.columns
            else None
        ),
    )


def _run_flags(table: Any) -> dict[str, list[list[str]]]:
    """The per-window flags of a run's rows (``table``: :func:`eegpt.read_embeddings`'),
    as an embeddings file's metadata records them (``flat_channels``, ``clipped_channels``:
    one list of channel names per row), where any row recorded them (shards of layout 6 on;
    read_embeddings warns of the rows without: empty lists there); {} where none did."""
    if "flags_recorded" not in table.columns or not table["flags_recorded"].any():
        return {}
    return {key: [list(v) for v in table[key]] for key in FLAG_KEYS}


#: A run's shard footers by run folder, in the run's order: each shard's ``(settings, file
#: statuses)`` (:func:`eegpt.shard_checks.read_shard_status`), in the folder's order.
ShardStatuses = dict[Path, list[tuple[dict[str, Any], dict[str, Any]]]]


def _shard_statuses(folder: Path) -> ShardStatuses:
    """The settings and file statuses of every shard of the run ``folder`` (its runs'
    folders, else itself), each read once for :func:`_read_run`'s users of them."""
    from eegpt.dataset_folders import run_folders, shard_files
    from eegpt.shard_checks import read_shard_status

    return {
        run: [read_shard_status(shard) for shard in shard_files(run)]
        for run in run_folders(folder) or [folder]
    }


def _file_statuses(statuses: ShardStatuses) -> Iterator[dict[str, Any]]:
    """Every file status of ``statuses``, in the run's order."""
    for run in statuses.values():
        for _, status in run:
            yield from status.get("files", [])


def _run_rates(statuses: ShardStatuses, table: Any) -> np.ndarray | None:
    """The rate (Hz) each row's recording of ``table`` was made at, ``(n_rows,)`` float64,
    from the file statuses of the run's shards (``statuses``; ``sfreq_in``: NaN for a
    recording whose status lacks it, written before it was recorded); None where no recording
    has one."""
    rates: dict[str, float] = {}
    for f in _file_statuses(statuses):
        if f.get("sfreq_in") is not None:
            rates.setdefault(str(f.get("recording_id")), float(f["sfreq_in"]))
    if not rates:
        return None
    ids = table["recording_id"].astype(str)
    return np.array([rates.get(rid, np.nan) for rid in ids], dtype=np.float64)


def _run_clock(statuses: ShardStatuses, table: Any) -> tuple[np.ndarray, np.ndarray]:
    """A run's ``(clock_s, clock_time)`` per row of ``table``: its columns (layout 5 on), else
    (runs written before them, or a part of an older layout) each recording's from the time
    base its file status records (``statuses``, :func:`eegpt.outputs.window_clock`)."""
    onsets = table["onset_s"].to_numpy(np.float64)
    seconds = np.full(len(table), np.nan)
    moments = np.full(len(table), np.datetime64("NaT"), dtype="datetime64[us]")
    if "clock_s" in table.columns:  # missing in the rows of a part of an older layout
        # copies: pandas may hand back read-only views, and the older part's rows are filled in
        seconds = np.array(table["clock_s"].to_numpy(np.float64, na_value=np.nan))
        times = table["clock_time"]
        moments = np.array(times.to_numpy(dtype="datetime64[us]"), dtype="datetime64[us]")
    todo = np.isnan(seconds)
    if not todo.any():
        return seconds, moments
    bases: dict[str, dict[str, Any]] = {}  # per recording id: its time base
    for f in _file_statuses(statuses):
        bases.setdefault(str(f.get("recording_id")), f)
    ids = table["recording_id"].astype(str).to_numpy()
    for rid in dict.fromkeys(ids[todo]):
        rows = np.flatnonzero(todo & (ids == rid))
        got, when = window_clock(bases.get(rid, {}), onsets[rows])
        seconds[rows] = got
        if when is not None:
            moments[rows] = when
    return seconds, moments


def _any_true(flags: Any) -> np.ndarray | None:
    """``flags`` as a bool array, or None where none is set."""
    flags = np.asarray(flags, dtype=bool)
    return flags if flags.any() else None


def _file_padded(emb: Embeddings) -> np.ndarray | None:
    """A file's zero-padded windows (``--tail pad``), from its provenance: every epoch of
    ``padded_epochs``, the window at ``padded_tail``'s onset; None where none is."""
    if emb.metadata.get("padded_epochs"):
        return _any_true(np.ones(len(emb), dtype=bool))
    tail = emb.metadata.get("padded_tail")
    if not tail:
        return None
    if tail.get("window") is not None:  # its index in the recording
        index = np.asarray(emb.metadata.get("window_index", range(len(emb))), dtype=np.int64)
        return _any_true(index == int(tail["window"]))
    # the last window's onset, as stored: within half a sample (isclose's relative tolerance
    # spans several windows of a week-long recording)
    sfreq = float((emb.metadata.get("preprocessing") or {}).get("sfreq") or 256.0)
    onsets = np.asarray(emb.onsets, dtype=np.float64)
    return _any_true(np.abs(onsets - float(tail["onset_s"])) < 0.5 / sfreq)


def _run_metadata(table: Any) -> Any:
    """A run's ``epochs_metadata`` JSON column as one column per name (as
    :func:`eegpt.read_embeddings` expands it), index 0, 1, ...; None where no window has any."""
    from eegpt.window_tables import expand_metadata_column

    if "epochs_metadata" not in table.columns or not table["epochs_metadata"].notna().any():
        return None
    wide = expand_metadata_column(table[["epochs_metadata"]], table.columns)
    return wide.reset_index(drop=True)


def export_pool(fmt: str, pool: str | None, stored: str | None) -> str:
    """The pooling an export uses: ``pool`` as asked, else the stored one (a run of
    ``--pool mean``), else ``"none"`` (the array as stored) for ``.mat`` and ``"mean"`` for
    ``.csv``. ``"none"`` is refused for a CSV, which holds one vector per window."""
    if pool is None:
        pool = stored if stored not in (None, "none") else ("none" if fmt == ".mat" else "mean")
    if pool not in ("none", *POOLINGS):
        raise ValueError(f"unknown pooling {pool!r}; use one of {['none', *sorted(POOLINGS)]}")
    if pool == "none" and fmt == ".csv":
        raise ValueError(
            "a CSV holds one vector per window, so --pool none (in Python pooling='none': the "
            "[N, S, D] array of each window) does not fit it: leave --pool out (pooling=None: "
            "mean, or the pooling the embeddings were stored with), give another pooling "
            "(flatten keeps every value, of embeddings stored unpooled), or write a .mat "
            "output, which keeps the array"
        )
    if stored not in (None, "none") and pool not in ("none", stored):
        raise ValueError(
            f"these embeddings were stored pooled ({stored!r}, one vector per window: "
            f"embedded with --pool {stored}), so --pool {pool} cannot be computed from them "
            f"(in Python pooling={pool!r}): leave --pool out (pooling=None; or give --pool "
            f"{stored}) to export them as stored, or embed the recordings again with --pool "
            "none to keep every summary token"
        )
    return pool


def _effective_pool(windows: ExportInput, pool: str) -> str:
    """``pool``, or for ``"none"`` (as stored) the pooling the embeddings were stored with
    (a run of ``--pool mean``), if any."""
    return _effective_pool_of(pool, windows.embeddings.metadata.get("pool"))


def pooled_values(windows: ExportInput, pool: str) -> np.ndarray:
    """The embeddings to export: ``data`` as stored for ``"none"`` (a run stored pooled:
    ``[n, D]``), else ``[n, n_features]`` pooled (:meth:`Embeddings.pooled`)."""
    emb, pool = windows.embeddings, _effective_pool(windows, pool)
    return emb.data if pool == "none" else emb.pooled(pool)


def exported_shape(windows: ExportInput, pool: str) -> list[int]:
    """The shape of the exported embeddings (:func:`pooled_values`), without pooling them."""
    data, pool = windows.embeddings.data, _effective_pool(windows, pool)
    if pool == "none":
        return list(data.shape)
    return [len(data), len(feature_names(pool, data.shape[1:]))]


def mat_variables(windows: ExportInput, pool: str) -> dict[str, Any]:
    """The variables of the ``.mat`` file (see the module's description), one row per window.

    Raises
    ------
    ValueError
        If ``embeddings`` would exceed the 2 GB a ``.mat`` variable holds.
    InsufficientMemoryError
        If writing them (twice more their size) would not fit in the memory available.
    """
    values = pooled_values(windows, pool)
    _check_mat_size(values, windows)
    window = windows.window_index.astype(np.float64)  # MATLAB computes with doubles
    clock_s, moments = windows.clock()
    pre = windows.provenance.get("preprocessing") or {}
    out: dict[str, Any] = {
        "embeddings": values.astype(np.float32, copy=False),
        "onset_s": np.asarray(windows.embeddings.onsets, dtype=np.float64),
        "clock_s": np.asarray(clock_s, dtype=np.float64),
        **(
            {"clock_time": _cellstr(iso_moments(moments, utc=False))} if moments is not None else {}
        ),
        "window": window,
        "window_number": window + 1,
        "bad": np.asarray(windows.embeddings.bad, dtype=bool),
        "pool": str(_effective_pool(windows, pool)),
        "metadata_json": json.dumps(windows.provenance, default=str),
    }
    for key in ("sfreq", "window_seconds"):
        if pre.get(key) is not None:
            out[key] = float(pre[key])
    if windows.recording_sfreq is not None:  # a run's: per window, as recording and path
        out["recording_sfreq"] = windows.recording_sfreq
    elif windows.provenance.get("sfreq_in") is not None:  # a file's
        out["recording_sfreq"] = float(windows.provenance["sfreq_in"])
    if windows.labels is not None:
        out["label"] = _cellstr(windows.labels)
    flags = windows.flag_columns()
    taken = MAT_VARIABLES | set(flags)
    columns = _table_columns(windows, taken, _matlab_name, MATLAB_NAME_LENGTH)
    for name, _, column in columns:
        out[name] = _mat_column(column)
    for name, _, column in columns:  # after every column's own name is taken
        if _is_duration(column):
            out[_seconds_name(name, {*out, *taken})] = _duration_seconds(column)
    _warn_rounded_integers(columns)
    if columns:  # which variable holds which column, for names MATLAB could not take as they are
        out["column_names"] = _cellstr([original for _, original, _ in columns])
        out["column_variables"] = _cellstr([name for name, _, _ in columns])
    if windows.annotations is not None:
        out["annotations"] = _cellstr(windows.annotations)
    for key, column in flags.items():
        out[key] = column if key in ("flagged", "flags_recorded") else _cellstr(column)
    if windows.padded is not None:
        out["padded"] = windows.padded
    if windows.recordings is not None:
        out["recording"] = _cellstr(windows.recordings)
        out["path"] = _cellstr(windows.paths or [])
    else:
        out["source"] = str(windows.provenance.get("source", ""))
    if windows.channels is not None:
        out["channels"] = _cellstr(windows.channels)
    elif windows.channel_sets is not None and windows.channel_set is not None:
        sets = np.empty(len(windows.channel_sets), dtype=object)  # a cell of cellstr
        sets[:] = [_cellstr(names) for names in windows.channel_sets]
        out["channel_sets"] = sets
        out["channel_set"] = windows.channel_set.astype(np.float64) + 1  # counted from 1
    return out


#: The variables of a ``.mat`` export besides the manifest's and the epochs' metadata columns
#: (and the flags' where recorded: :meth:`ExportInput.flag_columns`; epochs never have them,
#: so their metadata columns keep those names).
MAT_VARIABLES = frozenset({
    "embeddings", "onset_s", "clock_s", "clock_time", "window", "window_number", "bad", "pool", "metadata_json", "sfreq",
    "window_seconds", "label", "annotations", "recording", "path", "source", "channels",
    "channel_sets", "channel_set", "padded", "column_names", "column_variables", "recording_sfreq",
})  # fmt: skip

#: The columns of a CSV export besides the manifest's, the epochs' metadata and the embedding.
CSV_COLUMNS = frozenset({"recording", "window", "window_number", "onset_s", "clock_s",
                         "clock_time", "label", "annotations", "bad", "padded"})  # fmt: skip


def _table_columns(
    windows: ExportInput,
    taken: frozenset[str] | set[str],
    rename: Any = str,
    limit: int | None = None,
) -> list[tuple[str, str, Any]]:
    """The manifest's columns, then the epochs' metadata columns, as ``(name, original,
    column)``: the column's name (through ``rename``, e.g. a MATLAB variable name),
    ``manifest_<name>`` or ``metadata_<name>`` where it is one of ``taken`` (or the name
    itself was given before), and the name with a numeric suffix (``_2``, ``_3`` ..., within ``limit``
    characters) where only ``rename`` made it one of them (long names cut to the same first
    63 characters, names differing only in characters MATLAB cannot take)."""
    used: set[str] = set(taken)
    out: list[tuple[str, str, Any]] = []
    for table, prefix in ((windows.manifest_columns, "manifest"),
                          (windows.epochs_metadata, "metadata")):  # fmt: skip
        if table is None:
            continue
        for j, name in enumerate(table.columns):
            wanted = _free_name(str(name), used, taken, prefix, rename, limit)
            used.add(wanted)
            out.append((wanted, str(name), table.iloc[:, j]))
    return out


def _free_name(
    name: str,
    used: set[str],
    taken: frozenset[str] | set[str],
    prefix: str,
    rename: Any,
    limit: int | None,
) -> str:
    """``rename(name)``, or a name not in ``used`` for it (see :func:`_table_columns`)."""
    from eegpt.metadata_tables import unique_column_name

    wanted = rename(name)
    if wanted in taken or (wanted in used and wanted == name):  # another variable's name
        wanted = rename(unique_column_name(wanted, used, prefix))
    base, k = wanted, 1
    while wanted in used:  # as matlab.lang.makeUniqueStrings: a number after it
        k += 1
        suffix = f"_{k}"
        wanted = (base if limit is None else base[: limit - len(suffix)]) + suffix
    return wanted


#: The longest name of a MATLAB variable (``namelengthmax``).
MATLAB_NAME_LENGTH = 63


def _matlab_name(name: str) -> str:
    """``name`` as a MATLAB variable name (as ``matlab.lang.makeValidName`` makes them):
    letters, digits and ``_``, starting with a letter, at most 63 characters."""
    import re

    valid = re.sub(r"[^A-Za-z0-9_]", "_", name)
    if not valid[:1].isalpha():
        valid = f"x{valid}"
    return valid[:MATLAB_NAME_LENGTH]


#: Doubles hold every integer up to 2**53 (9007199254740992) in magnitude, not beyond.
DOUBLE_INTEGERS = 2**53


def _mat_column(column: Any) -> np.ndarray:
    """A metadata column as MATLAB takes it: numbers and booleans as double (NaN where
    missing; logical where none is), integers with one beyond +-2**53 (which doubles round)
    and none missing as int64 (uint64 beyond int64's range), dates as ISO 8601 text in one
    format (:func:`_iso_dates`), anything else as cellstr ('' where missing)."""
    pd = require_pandas("exporting metadata columns")

    missing = column.isna().to_numpy()
    if column.dtype == object and pd.api.types.infer_dtype(column, skipna=True) == "boolean":
        column = column.astype("boolean")  # True/False with None or NaN: pandas keeps objects
    if pd.api.types.is_bool_dtype(column) and not missing.any():
        return column.to_numpy(dtype=bool)
    if pd.api.types.is_integer_dtype(column) and len(column) and not missing.any():
        low, high = int(column.min()), int(column.max())
        if low < -DOUBLE_INTEGERS or high > DOUBLE_INTEGERS:
            return column.to_numpy(dtype=np.uint64 if high > np.iinfo(np.int64).max else np.int64)
    if pd.api.types.is_numeric_dtype(column) or pd.api.types.is_bool_dtype(column):
        return column.astype("Float64").to_numpy(dtype=np.float64, na_value=np.nan)
    if isinstance(column.dtype, pd.DatetimeTZDtype) or pd.api.types.is_datetime64_dtype(column):
        return _cellstr(_iso_dates(column))
    return _cellstr(["" if m else str(v) for v, m in zip(column, missing, strict=True)])


def _is_duration(column: Any) -> bool:
    """Whether a metadata column holds durations (``timedelta64``: pandas' Timedelta)."""
    pd = require_pandas("exporting metadata columns")

    return bool(pd.api.types.is_timedelta64_dtype(column))


def _duration_seconds(column: Any) -> np.ndarray:
    """A column of durations (``timedelta64``) as seconds, double (NaN where missing; to the
    nanosecond up to some 104 days, as doubles hold them): a number MATLAB computes with
    (``seconds(S.NAME_s)`` makes its durations), where the text of each (pandas' ``'0 days
    00:00:00.500000'``) is one that MATLAB's ``duration`` does not read."""
    return column.dt.total_seconds().to_numpy(dtype=np.float64, na_value=np.nan)


def _seconds_name(name: str, taken: Any) -> str:
    """The variable of the seconds of the duration column held by the variable ``name``:
    ``<name>_s`` (within 63 characters), numbered (``<name>_s_2`` ...) where ``taken`` (the
    variables so far) has it."""
    base = name[: MATLAB_NAME_LENGTH - 2] + "_s"
    wanted, k = base, 1
    while wanted in taken:
        k += 1
        suffix = f"_{k}"
        wanted = base[: MATLAB_NAME_LENGTH - len(suffix)] + suffix
    return wanted


def _iso_dates(column: Any) -> list[str]:
    """A column of dates (``datetime64``, with a time zone or not) as ISO 8601 text in one
    format, the finest any needs (``'2024-03-31T01:30:00+01:00'``: to the second where all are
    whole seconds, else to the microsecond or nanosecond; the offset where the column has a
    zone; '' where missing), which one ``datetime(..., 'InputFormat', ...)`` reads: ``str``
    of each left out a whole second's fraction, which MATLAB then read as NaT."""
    known = column.dropna()
    if (known.dt.nanosecond != 0).any():
        spec = "nanoseconds"
    elif (known.dt.microsecond != 0).any():
        spec = "microseconds"
    else:
        spec = "seconds"
    missing = column.isna().to_numpy()
    return ["" if gap else m.isoformat(timespec=spec)
            for m, gap in zip(column, missing, strict=True)]  # fmt: skip


def _warn_rounded_integers(columns: list[tuple[str, str, Any]]) -> None:
    """Warn of the integer columns (``(variable, name, column)``, :func:`_table_columns`) that
    a ``.mat`` file holds as double though doubles round some of their values: integers beyond
    +-2**53 in a column with missing values (NaN marks them; int64 has no missing value)."""
    if not columns:  # nothing to check, and no pandas needed
        return
    pd = require_pandas("exporting metadata columns")

    names = [
        name
        for _, name, column in columns
        if pd.api.types.is_integer_dtype(column)
        and column.isna().any()
        and any(int(float(v)) != int(v) for v in column.dropna().tolist())
    ]
    if not names:
        return
    _warn(
        f"metadata column(s) {', '.join(repr(n) for n in names)} hold integers beyond 2**53 "
        f"({DOUBLE_INTEGERS}) and missing values: the .mat file has them as double, NaN "
        "where missing (int64 has no missing value), which rounds those integers. For every "
        "digit, export to .csv too and read them as int64 in MATLAB: opts = "
        "detectImportOptions(f, 'VariableNamingRule', 'preserve'); opts = setvartype(opts, "
        f"{{{', '.join(_matlab_text(n) for n in names)}}}, 'int64'); T = readtable(f, opts)"
    )


def _matlab_text(text: str) -> str:
    """``text`` as a MATLAB char literal (``'it''s'``)."""
    return "'" + text.replace("'", "''") + "'"


def _cellstr(texts: list[str]) -> np.ndarray:
    """``texts`` as an object array, which ``scipy.io.savemat`` writes as a cell array of
    char (MATLAB's cellstr)."""
    out = np.empty(len(texts), dtype=object)
    out[:] = [str(t) for t in texts]
    return out


def _check_mat_size(values: np.ndarray, windows: ExportInput) -> None:
    """Refuse embeddings ``values`` (as exported) larger than a ``.mat`` variable holds, or
    than the memory available lets ``scipy.io.savemat`` compress (:func:`_refuse_mat_size`)."""
    _refuse_mat_size(values.shape, windows.embeddings.data.shape[-1])


def _refuse_mat_size(shape: Sequence[int], width: int) -> None:
    """Refuse exported embeddings of ``shape`` (``[n_windows, ...]``; ``width``: the features
    of one summary token, ``D``, for the pooled size advised) larger than a ``.mat`` variable
    holds, with the pooled size, or than the memory available lets ``scipy.io.savemat``
    compress: it holds the variable's bytes twice more while it writes (a buffer and its
    compressed copy: 0.8 GB above the 0.35 GB array measured), beside the embeddings read."""
    n = int(shape[0])
    size = math.prod(int(k) for k in shape) * 4  # written as single
    pooled = f"--pool mean ({n} x {width}, {n * width * 4 / 1e6:.0f} MB)"
    available = memory_checks.available_memory()
    if (
        size <= MAT_VARIABLE_LIMIT
        and available is not None
        and 2 * size > memory_checks.MEMORY_FRACTION * available
    ):
        raise InsufficientMemoryError(
            f"the embeddings of {n} windows, {[int(k) for k in shape]} single "
            f"({size / 2**30:.1f} GiB), need {2 * size / 2**30:.1f} GiB more while a .mat file "
            f"compresses them, more than {memory_checks.MEMORY_FRACTION:.0%} of the "
            f"{available / 2**30:.1f} GiB of memory available (the smaller of the system's and "
            f"this process's cgroup limit). Export them pooled, e.g. {pooled}, or on a machine "
            "with more memory"
        )
    if size <= MAT_VARIABLE_LIMIT:
        return
    raise ValueError(
        f"the embeddings of {n} windows, {[int(k) for k in shape]} single, are "
        f"{size / 1e9:.1f} GB: more than the 2 GB a variable of a .mat file holds (MATLAB's "
        f"v5/v7 format). Export them pooled, e.g. {pooled}, or export fewer recordings (one file each "
        "with eegpt.load_embeddings(folder, recording_id=...))"
    )


def check_mat_size_before_reading(path: str | Path, pool: str | None) -> None:
    """Refuse a ``.mat`` export of the embeddings at ``path`` (a file or a run folder, as
    :func:`read_export_input` reads) with the pooling ``pool`` (None: as
    :func:`export_pool` chooses) before they are read, where they would exceed a ``.mat``
    variable's 2 GB or the memory ``savemat`` needs (:func:`_refuse_mat_size`): from the
    sizes known up front, an embeddings file's shape (its header or footer) or a run's
    rows (its shards' footers) and window shape (its settings). Nothing is refused where they
    cannot be known so: the check after reading (:func:`mat_variables`) applies."""
    found = _stored_shape(user_path(path))
    if found is None:
        return
    shape, stored = found
    pool = _effective_pool_of(export_pool(".mat", pool, stored), stored)
    if stored not in (None, "none"):  # one vector per window, exported as stored
        shape = (shape[0], math.prod(shape[1:]))
    elif pool != "none":
        shape = (shape[0], len(feature_names(pool, tuple(shape[1:]))))
    _refuse_mat_size(shape, int(found[0][-1]))


def _effective_pool_of(pool: str, stored: str | None) -> str:
    """:func:`_effective_pool` of embeddings stored with the pooling ``stored``."""
    return stored if pool == "none" and stored not in (None, "none") else pool


def _stored_shape(path: Path) -> tuple[tuple[int, ...], str | None] | None:
    """``(shape, pool)`` of the embeddings at ``path`` as stored (``[n_windows, N, S, D]``,
    or ``[n_windows, D]`` stored pooled, and that pooling) without reading them: an
    embeddings file's outline, a run folder's (or ``--part`` runs') shards' row counts and
    settings. None where they cannot be had so (anything else, or unreadable: the read says
    why)."""
    from eegpt.dataset_folders import expand_run_folders, run_folders, shard_files
    from eegpt.embeddings_loading import _load_outline

    try:
        if path.is_dir() and ((path / RUN_MANIFEST).is_file() or run_folders(path)):
            import pyarrow.parquet as pq

            from eegpt.shard_checks import read_shard_status

            shards = [s for f in expand_run_folders(path) for s in shard_files(f)]
            if not shards:
                return None
            spec, _ = read_shard_status(shards[0])
            n = sum(pq.read_metadata(s).num_rows for s in shards)
            window = tuple(int(k) for k in spec["embedding_shape"])
            return (n, *window), spec.get("pool")
        if path.is_file() and path.suffix.lower() in (".npz", ".parquet"):
            outline = _load_outline(path)
            return tuple(int(k) for k in outline.data.shape), outline.metadata.get("pool")
    except Exception:  # noqa: BLE001 - the read that follows says what is wrong
        return None
    return None


def csv_frame(windows: ExportInput, pool: str) -> Any:
    """The CSV table: one row per window, ``recording``, ``window`` (from 0), ``window_number``
    (from 1), ``onset_s`` (seconds of recorded data), ``clock_s`` (seconds on the recording's
    clock), ``clock_time`` (ISO 8601 without a zone, the recording's wall clock as its header
    states it; where any window has a measurement date, else left out), ``label``, the manifest's columns, the epochs' metadata columns,
    ``annotations`` (each where present), ``bad``, ``flat_channels``, ``clipped_channels``,
    ``flagged`` and ``flags_recorded`` (where recorded: :meth:`ExportInput.flag_columns`),
    ``padded`` (where any window
    is), then one column per feature of ``pool``."""
    pd = require_pandas(CSV_NEEDS)

    values = pooled_values(windows, pool)
    names = feature_names(pool, windows.embeddings.data.shape[1:], values.shape[1])
    columns: dict[str, Any] = {
        "recording": windows.recording_per_window,
        "window": windows.window_index,
        "window_number": windows.window_index + 1,
        "onset_s": windows.embeddings.onsets,
    }
    clock_s, moments = windows.clock()
    columns["clock_s"] = clock_s
    if moments is not None:
        columns["clock_time"] = iso_moments(moments, utc=False)
    if windows.labels is not None:
        columns["label"] = windows.labels
    flags = windows.flag_columns()
    for name, _, column in _table_columns(windows, CSV_COLUMNS | set(names) | set(flags)):
        columns[name] = column.array  # its dtype kept: nullable integers stay integers
    if windows.annotations is not None:
        columns["annotations"] = windows.annotations
    columns["bad"] = windows.embeddings.bad
    columns.update(flags)
    if windows.padded is not None:
        columns["padded"] = windows.padded
    frame = pd.DataFrame(columns)
    if len(frame.columns) + len(names) > SPREADSHEET_COLUMNS:
        _warn(
            f"--pool {pool} gives {len(names)} embedding columns, more than spreadsheets open "
            f"({SPREADSHEET_COLUMNS} in Excel and LibreOffice Calc): the CSV is fine for "
            "pandas, R or MATLAB's readtable; for a spreadsheet use --pool mean"
        )
    return pd.concat([frame, pd.DataFrame(values, columns=names)], axis=1)


#: What needs pandas when exporting (named in the message that it is missing).
CSV_NEEDS = "exporting to .csv (or export to .mat)"


def require_export_dependencies(fmt: str) -> None:
    """Raise :class:`~eegpt.errors.MissingDependencyError` when the optional packages that
    writing format ``fmt`` (``".mat"``, ``".csv"``) needs are missing: pandas for CSV."""
    if fmt == ".csv":
        require_pandas(CSV_NEEDS)


@renamed_keywords(pool="pooling")
def export_embeddings(
    source: str | Path | ExportInput,
    output: str | Path,
    *,
    pooling: str | None = None,
    overwrite: bool = False,
) -> Path:
    """Write embeddings as a MATLAB ``.mat`` file or a CSV table (by ``output``'s suffix).

    Parameters
    ----------
    source : str | path-like | ExportInput
        An ``.npz``/``.parquet`` embeddings file, an ``embed-dataset`` output folder, or
        windows already read (:func:`read_export_input`).
    output : str | path-like
        ``.mat`` or ``.csv`` file; written atomically.
    pooling : str | None
        ``"none"`` (the ``[n_windows, N, S, D]`` array, ``.mat`` only) or a name of
        :data:`eegpt.outputs.POOLINGS`; None: ``"none"`` for ``.mat``, ``"mean"`` (``[n, D]``)
        for ``.csv`` (a run stored pooled: its pooling). ``eegpt export --pool``. (Was
        ``pool``, still taken with a ``FutureWarning``.)
    overwrite : bool
        Replace an existing ``output``.

    Returns
    -------
    Path
        The file written.

    Raises
    ------
    OutputExistsError
        If ``output`` exists and ``overwrite`` is False.
    ValueError
        For another suffix, a pooling that does not fit, or a ``.mat`` variable over 2 GB.
    InsufficientMemoryError
        (a ``MemoryError``) Embeddings that reading, or writing as ``.mat``, would not fit in
        the memory available.
    """
    output = user_path(output)
    fmt = output.suffix.lower()
    if fmt not in EXPORT_FORMATS:
        raise ValueError(
            f"{output.name}: export writes {' or '.join(EXPORT_FORMATS)} files (by the "
            "suffix); embeddings in .npz or .parquet are what eegpt embed writes"
        )
    require_export_dependencies(fmt)
    if output.exists() and not overwrite:
        raise OutputExistsError(f"{output} exists; pass overwrite=True to replace it")
    if fmt == ".mat" and not isinstance(source, ExportInput):  # before reading them
        check_mat_size_before_reading(source, pooling)
    windows = source if isinstance(source, ExportInput) else read_export_input(source)
    pool = export_pool(fmt, pooling, windows.embeddings.metadata.get("pool"))
    if fmt == ".mat":
        from scipy.io import savemat

        variables = mat_variables(windows, pool)
        atomic_write(
            output,
            lambda fh: savemat(fh, variables, do_compression=True, oned_as="column"),
            overwrite=overwrite,
        )
    else:
        frame = csv_frame(windows, pool)
        # no float_format: pandas writes each float as the shortest text that reads back as
        # the same value of its own dtype (float32 embeddings in at most 9 digits, float64
        # onsets and metadata in up to 17), where one format for all would cut the float64s
        ending = csv_line_end(frame)
        atomic_write(
            output,
            lambda fh: frame.to_csv(fh, index=False, lineterminator=ending),
            overwrite=overwrite,
        )
    return output


def csv_line_end(frame: Any) -> str:
    """The line end of the CSV of ``frame`` (:func:`eegpt._csv_text.csv_line_end` of its
    column names and text cells): ``"\\n"``, or ``"\\r\\n"`` where one holds a carriage
    return, which with ``"\\n"`` was written bare and broke its row."""
    pd = require_pandas(CSV_NEEDS)
    from eegpt._csv_text import csv_line_end as line_end

    texts = (
        column
        for _, column in frame.items()
        if not (pd.api.types.is_numeric_dtype(column) or pd.api.types.is_bool_dtype(column))
    )
    return line_end(itertools.chain([str(name) for name in frame.columns], *texts))


def describe_export(windows: ExportInput, output: Path, pool: str) -> str:
    """The one line ``eegpt export`` prints on stderr of what it wrote."""
    values_shape = exported_shape(windows, pool)
    recordings = windows.recordings
    n = len(set(recordings)) if recordings is not None else 0
    of = f" of {n} recording{'' if n == 1 else 's'}" if recordings is not None else ""
    size = output.stat().st_size
    units = (size / 1e6, "MB") if size >= 1e5 else (size / 1e3, "kB")
    note = ""
    if recordings is not None and windows.channels is None and output.suffix.lower() == ".mat":
        note = (
            f"; the recordings have {len(windows.channel_sets or [])} sets of channels: "
            "channel_sets{channel_set(i)} are window i's"
        )
    if windows.clock_unrecorded:
        from eegpt.shard_checks import TIME_BASE_UNRECORDED

        note += (
            f"; no clock_time where {TIME_BASE_UNRECORDED} (clock_s is the onsets there): "
            "embed them again for their clock"
        )
    what = "as stored" if pool == "none" else f"pooled ({pool})"
    return (
        f"{len(windows)} windows{of} -> {output} ({units[0]:.1f} {units[1]}): embeddings "
        f"{values_shape} {what}{note}"
    )
