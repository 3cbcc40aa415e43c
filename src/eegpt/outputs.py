"""Embedding results and their files (``.npz`` or Parquet), written atomically.

An :class:`Embeddings` holds the summary tokens of every window of one recording, the window
onsets in seconds, and the provenance needed to reproduce them: the channel mapping, the
preprocessing settings, the model configuration and the checkpoint's SHA-256.

File layouts
------------
``.npz``: arrays ``embeddings`` ``[n_windows, N, S, D]`` float32 and ``onsets`` ``[n_windows]``
(seconds), plus ``metadata``, a JSON string.

``.parquet``: one row per window with columns ``source``, ``window`` (index among all windows
of the recording, counting from 0; EEGLAB numbers epochs from 1: it has gaps where
``reject_by_annotation`` left windows out), ``onset_s`` (float64 seconds of recorded data
from the first sample, as :attr:`Embeddings.onsets`), ``clock_s`` (float64 seconds on the
recording's clock from its acquisition start, the moment of the measurement date: ``onset_s``
plus ``metadata["first_time"]`` (nonzero for a cropped Raw or a FIF file with
``first_samp > 0``; epochs' onsets already count from there) and the gaps before it in a
discontinuous EDF+D/BDF+D file, else equal to ``onset_s``; one base for a recording's Raw and
epochs outputs), ``clock_time`` (the window onset's moment,
a timestamp in µs without a zone: the recording's wall clock as its header states it, which
for EDF/BDF/BrainVision is the lab's local time that MNE labels UTC, for FIF and EGI ``.mff``
UTC, as ``metadata["clock"]`` records (``"local"``, ``"utc"``, ``"acq_time"``: UTC from a BIDS
``*_scans.tsv``, ``"unknown"``: other readers,
objects made in memory); null without a measurement date; both as
:meth:`Embeddings.clock_times` gives them; files written before eegpt had these columns lack
them, and :func:`load_embeddings` computes them from the provenance as before),
``embedding`` (a fixed-size list of N*S*D float32 in C order), ``label`` for epochs with
event names (``metadata["labels"]``), ``annotations`` (the descriptions of the annotations over
each window) and ``bad`` (:attr:`Embeddings.bad`), ``flat_channels`` and ``clipped_channels``
(lists of channel names) and ``flagged`` (:attr:`Embeddings.flagged`) where those flags were
recorded (absent from files written before, of epochs, or with the checks off), then for
epochs with ``epochs.metadata`` one
column per metadata column (named as in MNE; ``metadata_<name>`` where a name is one of the
columns before); the JSON metadata, including the
``shape`` to restore, lives in the schema metadata under the key ``eegpt``. Read it back with
:func:`load_embeddings`, or as a table with ``pandas.read_parquet(path)``.

Safety
------
Every file is written to a hidden temporary file beside its destination
(``.<name>.<host>.<pid>.<random>.tmp``), flushed to disk and only then renamed into place,
so a file under its final name is always complete: an interrupted run leaves the previous file
or none (after a hard kill, at most a ``.tmp`` file, which ``eegpt embed`` removes when it
writes that output again and its process is gone, never while it runs; another machine's
once a day old: :func:`eegpt._tempfiles.remove_stale`). Without ``overwrite`` the rename cannot replace a file that appeared meanwhile
(a hard link is made, which fails if the name exists). :class:`EmbeddingsWriter` writes the
embeddings of a long recording block by block in the same way, so they need not fit in memory.

Modules
-------
This module holds :class:`Embeddings` and re-exports the names it had when it held the rest
too: the formats, atomic writing and output-folder checks (:mod:`eegpt.output_files`), pandas
and pyarrow when needed (:mod:`eegpt.optional_packages`), the streaming writer and the tables'
per-window columns (:mod:`eegpt.embeddings_writer`), reading back (:mod:`eegpt.embeddings_loading`),
selecting and joining windows (:mod:`eegpt.embeddings_parts`), poolings (:mod:`eegpt.pooling`),
clock times (:mod:`eegpt.clock_times`) and ``epochs.metadata`` records
(:mod:`eegpt.metadata_tables`); the errors (:class:`~eegpt.errors.OutputExistsError` ...) are
those of :mod:`eegpt.errors`, ``RUN_MANIFEST`` is :data:`eegpt.dataset_folders.RUN_MANIFEST`.

Those names are re-exported for imports only (``from eegpt.outputs import load_embeddings``
gives the same object as before the split). Patching one here (``eegpt.outputs.require_pyarrow
= ...``, ``monkeypatch.setattr(eegpt.outputs, "_finish", ...)``) changes nothing, silently: the
code that uses it reads the name of the module that defines it. To patch or override one, patch
that module: ``require_pyarrow`` and ``require_pandas`` in :mod:`eegpt.optional_packages`,
``_finish``, ``atomic_write`` and ``parquet_writer`` in :mod:`eegpt.output_files`, and so on
(``obj.__module__`` names a function's or class's home).
"""

from __future__ import annotations

import copy
import difflib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from eegpt._dates import (
    ANONYMIZED_CLOCK,
    parse_iso,  # noqa: F401
)
from eegpt._filenames import user_path  # noqa: F401
from eegpt._logging import few  # noqa: F401
from eegpt._logging import warn as _warn
from eegpt._methods import function_method

# every name this module had before its code was split into the modules below stays
# importable from it (``from eegpt.outputs import ...``); noqa: most are not used here
from eegpt._output_texts import (  # noqa: F401
    INPUT_KEY,
    input_text,
    windows_text,
)
from eegpt._recording_provenance import (  # noqa: F401
    EPOCH_ONSETS_KEY,
    RECORDING_PROVENANCE_KEYS,
)
from eegpt._renamed import renamed_keywords
from eegpt._tempfiles import temporary_beside, writer_tag  # noqa: F401
from eegpt._window_flags import FLAG_KEYS, flagged_mask, recorded_flags
from eegpt.clock_times import (  # noqa: F401
    _TIME_BASE,
    clock_moments,
    has_clock_time,
    iso_moments,
    uniform_iso,
    window_clock,
)
from eegpt.dataset_folders import RUN_MANIFEST  # noqa: F401
from eegpt.embeddings_loading import (  # noqa: F401
    _OTHER_NORMALISATION,
    _PADDING,
    EmbeddingsFile,
    _files_report,
    _late_metadata,
    _load_file,
    _load_outline,
    _npz_shape,
    _part_holding,
    _recording_of_run,
    _recording_of_runs,
    _stored_file_status,
    _unreadable_reason,
    _why_no_rows,
    _windows_of,
    _without_data,
    load_embeddings,
)
from eegpt.embeddings_parts import (  # noqa: F401
    _check_same_time_base,
    _continued,
    _embeddings_parts,
    _epoch_seconds,
    _joined_epochs_metadata,
    _joined_onsets,
    _joined_window_index,
    _numbered_on,
    _part_window_index,
    _same_checkpoint,
    _same_epochs,
    _same_preprocessing,
    select_window_metadata,
)
from eegpt.embeddings_writer import (  # noqa: F401
    _PARQUET_COLUMNS,
    LATE_METADATA_KEY,
    EmbeddingsWriter,
    _embedding_array,
    _metadata_columns,
    _WindowColumns,
)
from eegpt.errors import (  # noqa: F401
    MissingDependencyError,
    MissingFileError,
    OutputExistsError,
    OutputNotWritableError,
    UnreadableOutputError,
    install_hint,
)
from eegpt.metadata_tables import (  # noqa: F401
    _json_value,
    _restored,
    clash_renames,
    metadata_frame,
    metadata_record,
    unique_column_name,
)
from eegpt.optional_packages import (  # noqa: F401
    MIN_PYARROW,
    _major_version,
    require_output_dependencies,
    require_pandas,
    require_pyarrow,
)
from eegpt.output_files import (  # noqa: F401
    FORMATS,
    _commit,
    _exists,
    _finish,
    _sync_folder,
    _temporary,
    atomic_write,
    check_output_folder,
    output_format,
    parquet_writer,
)
from eegpt.pooling import (  # noqa: F401
    _FEATURE_PATTERNS,
    POOLINGS,
    _average,
    _flatten,
    _mean,
    _mean_patches,
    _mean_tokens,
    _rows,
    feature_names,
    pool_embeddings,
)
from eegpt.preprocessing_spec import DEFAULT_MIN_OVERLAP

if TYPE_CHECKING:
    import eegpt.viz_channels
    import eegpt.viz_embeddings


__all__ = [
    "FORMATS",
    "POOLINGS",
    "Embeddings",
    "EmbeddingsFile",
    "EmbeddingsWriter",
    "atomic_write",
    "check_output_folder",
    "feature_names",
    "load_embeddings",
    "metadata_frame",
    "metadata_record",
    "output_format",
    "pool_embeddings",
]


@dataclass(eq=False)
class Embeddings:
    """Per-window EEGPT embeddings of one recording.

    Attributes
    ----------
    data : ndarray, shape (n_windows, N, S, D), float32
        Normalised summary tokens: N time patches (a window's samples at the model's rate in
        patches of the model's ``patch_size``, 64; the last one zero-padded where they are not
        whole patches), S summary tokens, width D. Stored pooled (``embed-dataset --pool mean``,
        ``metadata["pool"]``): shape (n_windows, 1, 1, D).
    onsets : ndarray, shape (n_windows,), float64
        Window start times in seconds. For a continuous recording (a Raw, a file, an array):
        from its first sample, as ``raw.times`` (``metadata["first_time"]``: where that sample
        lies after the acquisition start; :meth:`clock_times` for the recording's clock). For
        epochs: each epoch's start, its event time plus ``tmin``, in MNE's time base (seconds
        from the acquisition start, ``epochs.events[:, 0]`` over the rate of the Raw they were
        cut from, plus ``tmin``, decimated or resampled epochs alike; a rate a header rounded at
        its nominal rate, as a Raw's onsets count, :func:`eegpt.preprocessing.taken_rate`; for
        an epoched EEGLAB ``.set`` file, whose epochs lie end to end, the epoch's index times
        its length; so for arrays ``[n_epochs, C, T]`` and ``mne.EpochsArray`` without events,
        which have no event times either). Epochs are separate whatever their onsets:
        ``metadata["epoch_onsets"]`` says how they count, ``"events"`` or ``"end_to_end"``.
    metadata : dict
        JSON-serialisable provenance: ``source``, ``channels`` (mapping), ``preprocessing``
        (:class:`~eegpt.preprocessing.PreprocessingConfig` as a dict, ``window_seconds``
        included), ``model`` (config), ``checkpoint`` (path, format, sha256, pretrained flag),
        ``precision``, ``device``, ``batch_size`` (windows per forward pass),
        ``stream_precision`` (only when not float32), ``picks`` (the channel types read from a
        file or MNE object), ``eegpt_version``, ``software`` (the versions of python, torch,
        numpy, scipy and mne), ``eegpt_changes`` (the date of the newest CHANGELOG.md section
        this eegpt includes: ``eegpt_version`` stays the same while eegpt's numbers change),
        ``command`` (the ``eegpt`` command's arguments, for outputs of the command line),
        ``warnings`` (the warnings eegpt gave about the recording while embedding it: its
        amplitude, flat-channel and offset checks, channels dropped ...; empty if none). Per
        window, where they apply: ``window_index`` (each window's index among all windows of the
        recording or, for epochs, ``epochs.selection``; gaps where windows were left out),
        ``labels`` (epochs' event names, one str per window; selected by ``emb["name"]``),
        ``annotations`` (:attr:`annotations`), ``flat_channels`` and ``clipped_channels``
        (:attr:`flagged`) and ``epochs_metadata`` (:attr:`epochs_metadata`). Also, where they
        apply: ``meas_date`` and ``first_time`` (the time base of the onsets), ``epoch_onsets``
        (epochs: how their onsets count, see ``onsets``), ``rejected_by_annotation`` (onsets in
        seconds of the windows ``reject_by_annotation`` left out), ``padded_tail`` /
        ``tail_left_out_s`` (a continuous recording's end shorter than a window),
        ``padded_epochs`` (epochs zero-padded into longer windows), ``pool``.
    annotations : list of list of str, one list per window
        The descriptions of the annotations over each window (``metadata["annotations"]``),
        markers of no duration included, in the window they fall in; empty lists without
        annotations. ``emb[["Stimulus/S  1" in a for a in emb.annotations]]`` selects by them.
    bad : ndarray of bool, shape (n_windows,)
        The windows over an annotation marked bad: ``emb[~emb.bad]`` keeps the others.
    flagged : ndarray of bool, shape (n_windows,)
        The windows over a flat or clipped stretch that the signal checks warned of:
        ``emb[~emb.flagged]`` keeps the others. ``flat_channels`` and ``clipped_channels``
        (``metadata["flat_channels"]``, ``metadata["clipped_channels"]``): the channels of
        each window, one list per window. Recorded for continuous recordings embedded with
        the checks on (:attr:`flags_recorded`); otherwise unknown: all False (empty lists),
        with a warning.
    epochs_metadata : pandas.DataFrame | None
        ``epochs.metadata`` of embedded epochs, one row per window; None for other inputs.
    sources : tuple of str
        Every file the recording was read from: ``(metadata["source"],)`` for one file, each
        file of a Raw read from several (``mne.concatenate_raws``), whose
        ``metadata["source"]`` names the first only; empty for data made in memory.

    Methods
    -------
    emb[key], len(emb)
        The windows selected by an index, a slice, a boolean mask or event names (as MNE
        takes them), as Embeddings sharing no array or metadata with ``emb`` (copies); the
        number of windows.
    emb == other
        Identity (``emb is other``): the arrays are not compared element-wise; compare
        ``np.array_equal(a.data, b.data)`` and ``a.metadata == b.metadata`` for that.
    window_labels(annotations, match=..., min_overlap=0.5)
        One label per window (ndarray of object, shape (n_windows,), None where none and
        for bad windows) from annotations that span time, such as a hypnogram's sleep stages.
    clock_times(absolute=False)
        The onsets on the recording's clock, shape (n_windows,): seconds (float64), or its
        moments (naive ``datetime64[us]``, the recording's wall clock as its header states
        it) with ``absolute=True``; the ``clock_s`` and ``clock_time`` columns of its tables.
    pooled(pooling="mean")
        One vector per window, ``[n_windows, n_features]`` (``"mean"``: ``[n_windows, D]``).
    to_data_frame(pooling=None)
        One row per window as a pandas DataFrame (the columns of a Parquet file).
    save(path), concatenate(parts), plot(...), plot_channels(...)
        Write to ``.npz``/``.parquet`` (read back with :func:`load_embeddings`); join windows
        of one recording; the figures of :mod:`eegpt.viz`.
    """

    data: np.ndarray
    onsets: np.ndarray
    metadata: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.data.ndim != 4 or len(self.onsets) != len(self.data):
            raise ValueError(
                f"embeddings must be [n_windows, N, S, D] with one onset per window, got "
                f"{self.data.shape} and {len(self.onsets)} onsets"
            )

    def __len__(self) -> int:
        return len(self.data)

    @classmethod
    def concatenate(cls, parts: Sequence[Embeddings]) -> Embeddings:
        """The windows of several Embeddings of one recording as one, in the order given: the
        pushes of an :class:`~eegpt.OnlineEmbedder`, or selections of one recording. The
        per-window metadata (``window_index``, labels, annotations, ``epochs_metadata`` rows)
        follow; the rest is the first part's (a deep copy, shared with no part).

        Each part keeps its own ``window_index`` (``0 .. n-1`` for a part that records none,
        as a freshly embedded recording; a batch given in memory that records none, an array
        or epochs numbered end to end, is numbered on from the parts before it, as if
        embedded at once, and its epochs' onsets continue from theirs, epoch ``k`` of the
        whole at ``k`` times the epoch length, where that is known exactly: a batch of one
        epoch resampled to the model's rate, with no batch of several alike, keeps its own;
        a slice of an ``mne.EpochsArray`` without events, ``epochs[3:]``, which records its
        own ``window_index``, continues so too; other parts' onsets stay their own), and the
        parts share one time base: onsets of all parts count from the same start
        (``first_time``, ``meas_date``, the record clock ...), so ``clock_times`` stay right.
        ``epochs_metadata`` rows are joined by column name (the column order of part 0);
        parts whose epochs metadata has other columns are refused.

        Raises
        ------
        TypeError
            If ``parts`` is not a sequence of Embeddings (``a.concatenate(b)``, which would
            return ``b``'s windows alone).
        ValueError
            If ``parts`` is empty, the parts differ in shape, recording (source or time base:
            another file, or crops of one file, whose onsets count from other starts),
            channels, model or ``epochs_metadata`` columns, or a window is in two parts (its
            ``window_index`` twice: overlapping selections).
        """
        parts = _embeddings_parts(parts)
        if not parts:
            raise ValueError("concatenate needs at least one Embeddings")
        first = parts[0]
        for k, part in enumerate(parts[1:], 1):
            shape = part.data.shape[1:]
            if shape != first.data.shape[1:]:
                raise ValueError(
                    f"part {k} has windows of shape {shape}, part 0 {first.data.shape[1:]}"
                )
            differ = [key for key in ("source", "channels", "model")
                      if part.metadata.get(key) != first.metadata.get(key)]  # fmt: skip
            if not _same_checkpoint(
                part.metadata.get("checkpoint"), first.metadata.get("checkpoint")
            ):
                differ.append("checkpoint")
            if not _same_preprocessing(
                part.metadata.get("preprocessing"), first.metadata.get("preprocessing")
            ):
                differ.append("preprocessing")
            if differ:
                raise ValueError(
                    f"part {k} differs from part 0 in {', '.join(differ)}: concatenate joins "
                    "the windows of one recording embedded alike; for several recordings, save "
                    "each and read them as one table: eegpt.read_embeddings(files)"
                )
            _check_same_time_base(first.metadata, part.metadata, k)
        meta = dict(first.metadata)
        meta["window_index"] = _joined_window_index(parts)
        for name in ("labels", "annotations", *FLAG_KEYS):
            if all(part.metadata.get(name) is not None for part in parts):
                meta[name] = [v for part in parts for v in part.metadata[name]]
            else:
                meta.pop(name, None)
        tables = [t for part in parts if (t := part.metadata.get("epochs_metadata")) is not None]
        if len(tables) == len(parts):
            meta["epochs_metadata"] = _joined_epochs_metadata(tables)
        else:
            meta.pop("epochs_metadata", None)
        data = np.concatenate([part.data for part in parts])
        meta = copy.deepcopy(meta)  # shares no list or dict with the parts' metadata
        return cls(data, _joined_onsets(parts), meta)

    def __repr__(self) -> str:
        src = self.metadata.get("source", "?")
        more = len(self.sources) - 1  # a Raw of several files: not only the first named
        src = f"{src} and {more} more file{'s' if more > 1 else ''}" if more > 0 else src
        return f"<Embeddings {len(self)} windows x {self.data.shape[1:]} from {src}>"

    def __getitem__(self, key: Any) -> Embeddings:
        """The windows selected by ``key``, as Embeddings (like ``epochs[...]`` in MNE): an
        integer, a slice, integer indices, a boolean mask (``emb[~emb.bad]``), or event names
        as MNE takes them (``emb["target"]``; ``emb["aud"]`` for ``"aud/left"`` and
        ``"aud/right"``; a list for any of several; the windows of a continuous recording have
        no names: ``emb[["Stimulus/S  1" in a for a in emb.annotations]]`` selects those a
        marker falls in). Onsets and the per-window
        metadata (labels, annotations, ``epochs_metadata`` rows) follow; ``window_index`` keeps
        each window's index in the whole recording, so a saved selection still says which
        windows it holds.

        The selection shares nothing with ``self``: ``data`` and ``onsets`` are copies of the
        selected rows (NumPy indexing by an index array copies, a slice too here), and the
        metadata is a deep copy, so changing either object leaves the other as it was."""
        names = [key] if isinstance(key, str) else key
        if isinstance(names, (list, tuple)) and names and all(isinstance(k, str) for k in names):
            rows = self._rows_labelled(names)
        else:
            rows = np.atleast_1d(np.arange(len(self))[key])  # numpy's rules and errors
        meta = select_window_metadata(self.metadata, rows, len(self))
        return Embeddings(self.data[rows], self.onsets[rows], meta)

    def _rows_labelled(self, keys: Sequence[str]) -> np.ndarray:
        """Windows whose label has every ``/``-separated tag of any of ``keys``, as MNE selects
        epochs by event name (``"aud"`` takes ``"aud/left"`` and ``"aud/right"``)."""
        labels = self.metadata.get("labels")
        if labels is None:
            raise KeyError(
                f"{keys[0]!r}: these embeddings have no labels (epochs' event names), so windows "
                f"cannot be selected by name. {self._annotated_advice(keys)}"
            )
        tags = [set(str(label).split("/")) for label in labels]
        for key in keys:
            if not any(set(key.split("/")) <= t for t in tags):
                raise KeyError(_unknown_label_text(key, labels))
        wanted = [set(key.split("/")) for key in keys]
        return np.array([i for i, t in enumerate(tags) if any(w <= t for w in wanted)], int)

    def _annotated_advice(self, keys: Sequence[str]) -> str:
        """How to select the windows of a continuous recording named by ``keys``: by the
        annotations over them that the keys name (MNE's rule, as for labels), or by
        :meth:`window_labels` for annotations that span time."""
        from eegpt.annotation_labels import select_holding  # it imports MNE: not on loading

        held = list(dict.fromkeys(d for descs in self.annotations for d in descs))
        wanted = [set(key.split("/")) for key in keys]
        named = [d for d in held if any(w <= set(d.split("/")) for w in wanted)]
        spans = (
            "For annotations that span time (sleep stages, task blocks; not markers), label "
            "each window by the one that covers most of it and select with a boolean mask: "
            f"labels = emb.window_labels(raw_or_path, match={keys[0]!r}); emb[labels != None]"
        )
        if named:
            return (
                f"The annotations over the windows (emb.annotations) hold {named[:5]}: "
                f"{select_holding(named)} keeps the windows that hold them (a marker of no "
                "duration, such as a BrainVision stimulus, is listed for the window it falls "
                "in; for epochs around markers, cut mne.Epochs from the Raw and embed those). "
                f"{spans}"
            )
        if held:
            close = difflib.get_close_matches(keys[0], held, n=3, cutoff=0.8)
            meant = f" Did you mean {' or '.join(map(repr, close))}?" if close else ""
            listed = few([repr(d) for d in held], 8)
            return (
                f"No annotation over the windows is named {keys[0]!r} (emb.annotations hold "
                f"{len(held)} different description(s): {listed}).{meant} {spans}"
            )
        return spans

    @property
    def sources(self) -> tuple[str, ...]:
        """Every file the recording was read from, in order: one for a file (its path as
        given, ``metadata["source"]``) or an MNE object read from one file; each file of an
        MNE object read from several (``mne.concatenate_raws``, a split FIF's parts:
        ``metadata["input"]["read_from_all"]``); empty for data made in memory (arrays,
        ``mne.io.RawArray``, a stream). ``metadata["source"]`` (the ``source`` column of a
        Parquet file, the name ``eegpt info`` and figures give) stays the first of them, so
        it is one path as before; ``sources`` needs nothing new in the saved files (those of
        earlier versions give it too) and, after ``eegpt anonymize``, gives the files'
        names."""
        record = self.metadata.get("input")
        every = record.get("read_from_all") if isinstance(record, dict) else None
        if isinstance(every, list) and every:
            return tuple(str(p) for p in every)
        source = str(self.metadata.get("source") or "")
        if not source or (source.startswith("<") and source.endswith(">")):
            return ()
        return (source,)

    @property
    def annotations(self) -> list[list[str]]:
        """The descriptions of the annotations over each window (``metadata["annotations"]``;
        empty lists when the recording had none, e.g. arrays and epochs)."""
        per_window = self.metadata.get("annotations")
        return [[] for _ in range(len(self))] if per_window is None else per_window

    @property
    def epochs_metadata(self) -> Any:
        """``epochs.metadata`` of embedded ``mne.Epochs``, one row per window in the order of
        ``data`` (rows of epochs left out by ``reject_by_annotation`` removed), as a pandas
        DataFrame with the index of ``epochs.metadata`` (which MNE keeps through
        ``epochs.drop``, so rows align with it by label); None for other inputs. Values and
        dtypes come back as they were (numbers to the last digit, categories, dates, nullable
        integers); objects JSON cannot hold (bytes, intervals ...) come back as text.
        ``emb[(md.condition == "a").to_numpy()]`` selects by it;
        ``metadata["window_index"]`` links rows back to the events."""
        record = self.metadata.get("epochs_metadata")
        if record is None:
            return None
        require_pandas("Embeddings.epochs_metadata")
        return metadata_frame(record)

    @property
    def bad(self) -> np.ndarray:
        """Boolean mask ``(n_windows,)``: windows that overlap an annotation marked bad
        (description starting with ``"bad"``, any case, as in MNE). ``emb[~emb.bad]``
        keeps the clean ones; ``embed(..., reject_by_annotation=True)`` leaves them out."""
        from eegpt.annotation_overlap import bad_windows  # (no MNE: info reads it)

        return bad_windows(self.annotations)

    @property
    def flags_recorded(self) -> bool:
        """Whether the windows' flat and clipped channels were recorded
        (``metadata["flat_channels"]`` and ``metadata["clipped_channels"]``): so for a
        continuous recording embedded with the signal checks by this version of eegpt; not
        for files written before, for epochs, or with the checks off."""
        return recorded_flags(self.metadata, len(self)) is not None

    @property
    def flat_channels(self) -> list[list[str]]:
        """The channels flat (zero peak-to-peak for whole seconds) in each window, one list
        per window (empty where none): those the partly-flat warning named, over the
        stretches it named. Not recorded (:attr:`flags_recorded` False): empty lists, with a
        warning that this is unknown, not clean."""
        return self._flags("flat_channels")

    @property
    def clipped_channels(self) -> list[list[str]]:
        """The channels clipped in each window (samples at the extremes the clipping warning
        named them clipped at, over the stretches it named), one list per window; as
        :attr:`flat_channels` where not recorded."""
        return self._flags("clipped_channels")

    @property
    def flagged(self) -> np.ndarray:
        """Boolean mask ``(n_windows,)``: windows over a flat or clipped stretch that the
        signal checks warned of (:attr:`flat_channels`, :attr:`clipped_channels`).
        ``emb[~emb.flagged]`` keeps the others, as ``emb[~emb.bad]`` those outside bad
        annotations. Where the flags were not recorded (:attr:`flags_recorded` False: a file
        written before eegpt recorded them, epochs, the checks off) all False, with a warning
        that this is unknown, not clean. Channels flat throughout (a dead electrode, also
        warned of on its own: drop it) flag every window; an EGI net's reference kept under
        the average reference flags none."""
        flags = recorded_flags(self.metadata, len(self))
        if flags is None:
            self._warn_flags_unknown()
            return np.zeros(len(self), dtype=bool)
        return flagged_mask(flags, len(self))

    def _flags(self, key: str) -> list[list[str]]:
        flags = recorded_flags(self.metadata, len(self))
        if flags is None:
            self._warn_flags_unknown()
            return [[] for _ in range(len(self))]
        return flags[key]

    def _warn_flags_unknown(self) -> None:
        _warn(
            f"{self.metadata.get('source', 'these embeddings')}: no per-window flat/clipped "
            "flags were recorded (a file written before eegpt recorded them, a recording of an "
            "embed-dataset run started before its shards held them, epochs, or the signal "
            "checks turned off), so no window counts as flagged: that is unknown, not clean. "
            "Embed the recording again with this version of eegpt to record them; the "
            "flat and clipped stretches are named in metadata['warnings'] where checked."
        )

    def window_labels(
        self,
        annotations: Any,
        *,
        match: str | Mapping[str, str] | None = None,
        min_overlap: float = DEFAULT_MIN_OVERLAP,
        label_bad: bool = False,
    ) -> np.ndarray:
        """One label per window from annotations that span time, e.g. the sleep stages of a
        hypnogram (see :func:`eegpt.annotations.window_labels`: the description covering most
        of a window, if it covers ``min_overlap`` of it; else None). Bad windows get no label
        (None): those :attr:`bad` marks and those over a bad annotation of ``annotations``,
        as ``eegpt probe train --window-labels`` leaves them out; so ``emb[labels == "EC"]``
        holds no window over a ``BAD_muscle`` span. An exact tie goes to the
        label whose annotation over the window starts first in time: a 4 s window with 2 s of
        ``bckg`` and then 2 s of ``seiz`` is ``bckg``. To label a window by any overlap, match
        that class only with a tiny ``min_overlap``: ``match={"seizure": "seiz|sz$"},
        min_overlap=1e-6`` makes every window a seizure annotation touches ``"seizure"``.
        Markers that span no time (BrainVision's stimuli) label no window: the windows they
        fall in list them in :attr:`annotations`, so
        ``emb[["Stimulus/S  1" in a for a in emb.annotations]]`` selects those.

        Parameters
        ----------
        annotations : mne.io.Raw | mne.Annotations | str | path-like
            The recording as a Raw or its path (``.vhdr``, ``.set``, ``.fif``, ``.edf`` ...:
            its annotations), an ``mne.Annotations``, or a file ``mne.read_annotations`` reads
            (a Sleep-EDF ``*-Hypnogram.edf``, a BrainVision ``.vmrk``), a BIDS
            ``*_events.tsv`` or a TUH ``.csv_bi``/``.tse``. Annotations with
            a start time (``orig_time``) are placed against the recording's measurement date
            (``metadata["meas_date"]``), others count from its first sample. A Raw's own
            (given as the Raw or its path) are placed by where its first sample lies
            (``raw.first_time``): for epochs cut from it, whose onsets are event times from
            the acquisition start, and for a crop of it or the Raw it was cropped from.
        match : str | Mapping[str, str] | None
            Regular expression a description must contain, e.g. ``"^Sleep stage"`` (each
            matching description its own label), or classes ``{label: regex}`` that merge
            descriptions, e.g. ``{"seizure": "fnsz|gnsz|cpsz"}`` (a description takes the
            label of the first regex it contains).
        min_overlap : float
            Fraction of a window the label must cover, in ``(0, 1]``; a tiny one (``1e-6``)
            takes any overlap.
        label_bad : bool
            Label bad windows as the others (False, the default: None).

        Returns
        -------
        ndarray of object, shape (n_windows,)
            Labels, None where no description covers enough or the window is bad:
            ``emb[labels != None]`` (or
            ``pandas.notna``) keeps the labelled windows.
        """
        import mne

        from eegpt.annotation_files import (
            check_named,
            counts_samples,
            read_annotations,
            recording_raw,
        )
        from eegpt.annotation_labels import window_labels
        from eegpt.annotation_placement import file_offset_for
        from eegpt.annotation_time import in_recording_time, raw_annotations_for

        clock = None
        if self.metadata.get("record_clock"):  # a discontinuous EDF+D file
            from eegpt.edf_files import RecordClock

            clock = RecordClock.from_dict(self.metadata["record_clock"])
        if isinstance(annotations, mne.BaseEpochs):
            raise TypeError(
                "window_labels takes annotations (a Raw, a recording's path, mne.Annotations "
                "or an annotation file), not mne.Epochs: embedded epochs keep their event "
                "names (emb.metadata['labels'], emb['name']) and the annotations over each "
                "(emb.annotations); to label them by annotations that span time, give "
                "epochs.annotations or the Raw they were cut from"
            )
        if isinstance(annotations, (list, tuple)):
            raise TypeError(self._listed_annotations_text(annotations))
        if self.metadata.get("epoch_onsets") == "events":
            # a recording's own annotations count from its first sample, the epochs' onsets
            # from the acquisition start: placed as its Raw's are (below)
            annotations = recording_raw(annotations) or annotations
        if isinstance(annotations, mne.io.BaseRaw):
            spans = raw_annotations_for(annotations, self.metadata)
            if clock is not None and not any(
                d == "BAD boundary" for d in annotations.annotations.description
            ):
                _warn(
                    "window_labels: these embeddings are of a discontinuous EDF+D/BDF+D file, "
                    "whose annotations MNE places late after each gap; this Raw's were not "
                    "placed by eegpt (eegpt.io.read_recording does): give the annotation "
                    "file or the recording's path instead"
                )
        else:
            check_named(annotations, self.metadata.get("source"))  # another recording's file?
            found = read_annotations(annotations)
            spans = in_recording_time(
                found,
                self.metadata.get("meas_date"),
                float(self.metadata.get("first_time") or 0.0),
                None if counts_samples(annotations) else clock,  # BrainVision markers: samples
                file_offset=file_offset_for(
                    annotations, found, self.metadata.get("file_offset"), "window_labels"
                ),
                date_clock=self.metadata.get("clock"),
                given=annotations,
            )
        length = float((self.metadata.get("preprocessing") or {}).get("window_seconds", 4.0))
        # the windows' end, rejected ones too; the recording may go on for less than a window
        starts = [*np.asarray(self.onsets, dtype=float).tolist()]
        starts += [float(t) for t in self.metadata.get("rejected_by_annotation") or []]
        labels = window_labels(
            spans,
            self.onsets,
            length,
            match=match,
            min_overlap=min_overlap,
            source=self.metadata.get("source"),
            given=annotations,
            end_s=max(starts) + length if starts else None,
            slack_s=length,
            bad=self.bad,
            label_bad=label_bad,
        )
        return np.array(labels, dtype=object)

    def _listed_annotations_text(self, given: list[Any] | tuple[Any, ...]) -> str:
        """Why :meth:`window_labels` refuses a list ``given`` (:attr:`annotations`, the
        descriptions over each window, passed back; or another list), and what to give: the
        recording's path (``metadata["source"]``), its Raw or annotation file."""
        from eegpt.annotation_labels import select_holding

        source = self.metadata.get("source")
        recording = (
            f"emb.window_labels({str(source)!r}, ...) (the recording's path, "
            "emb.metadata['source'])"
            if source
            else "emb.window_labels(raw, ...) (the Raw embedded)"
        )
        takes = (
            "window_labels takes the annotations themselves, where each starts and how long it "
            "lasts (a Raw, a recording's path, mne.Annotations or an annotation file such as a "
            "hypnogram)"
        )
        own = len(given) == len(self) and all(isinstance(a, (list, tuple)) for a in given)
        if not own:
            return f"{takes}, not a {type(given).__name__}: give {recording}"
        names = list(dict.fromkeys(str(d) for a in given for d in a))
        select = (
            f"; to select windows by the descriptions over them, {select_holding(names[:1])}"
            if names
            else ""
        )
        return (
            f"{takes}, not Embeddings.annotations: those list the descriptions over each "
            "window, not how much of the window each covers, which a label needs (the "
            f"description covering at least min_overlap of it). Give {recording}, or its "
            f"annotation file{select}"
        )

    def clock_times(self, absolute: bool = False) -> np.ndarray:
        """Window onsets on the recording's clock.

        They count from the acquisition start, the moment of the measurement date, for a Raw
        and for epochs alike: a Raw's :attr:`onsets` count from its first sample, so
        ``metadata["first_time"]`` is added (nonzero for a cropped Raw or a FIF file with
        ``first_samp > 0``; else they equal :attr:`onsets`), and in a discontinuous
        EDF+D/BDF+D file, whose stretches MNE reads back to back, each window is moved by the
        gaps before it (a window over a gap, flagged bad, is placed by its start).

        Parameters
        ----------
        absolute : bool
            False: seconds on the clock from the acquisition start (the measurement date's
            moment; :attr:`onsets` plus ``metadata["first_time"]`` for a Raw, whose onsets count
            from its first sample), float64 (the ``clock_s`` column of the saved tables), the
            same for a Raw's windows and its epochs at the same moment. True: the moments
            themselves, naive ``datetime64[us]``, from the recording's measurement date
            (``metadata["meas_date"]``) and its first sample (``metadata["first_time"]``): the
            recording's wall clock as its header states it (an EDF/BDF/BrainVision header holds
            local time, which MNE labels UTC; FIF and EGI ``.mff`` store UTC:
            ``metadata["clock"]`` says which; the ``clock_time`` column of the saved tables).

        Returns
        -------
        ndarray, shape (n_windows,)
        """
        seconds, moments = window_clock(self.metadata, self.onsets)
        if not absolute:
            return seconds
        if moments is None and self.metadata.get("clock") == ANONYMIZED_CLOCK:
            raise ValueError(
                "clock_times(absolute=True): the recording's start date is EDF's placeholder "
                "for an unknown or anonymized start (1985-01-01 00:00:00; metadata['clock'] "
                "is 'anonymized'), so its clock is unknown: seconds only (absolute=False); "
                "for a BIDS recording give its start as acq_time in its *_scans.tsv"
            )
        if moments is None:
            raise ValueError(
                "clock_times(absolute=True): the recording has no measurement date "
                "(metadata['meas_date']); arrays, anonymised files and Raw objects without one give "
                "seconds only (absolute=False)"
            )
        return moments

    @renamed_keywords(how="pooling")
    def pooled(self, pooling: str | Callable[[np.ndarray], np.ndarray] = "mean") -> np.ndarray:
        """One vector per window, ``[n, n_features]``: a name of :data:`POOLINGS` or a callable,
        as in :func:`pool_embeddings`. With ``data`` ``[n, N, S, D]`` (N patches, S summary
        tokens, width D): ``"mean"`` over patches and tokens ``[n, D]``; ``"flatten"``
        ``[n, N*S*D]``; ``"mean_patches"`` (over patches) ``[n, S*D]``; ``"mean_tokens"`` (over
        summary tokens) ``[n, N*D]``. Embeddings stored mean-pooled (``embed-dataset --pool
        mean``: ``metadata["pool"] == "mean"``) give ``"mean"`` only: the other poolings need
        the summary tokens, which such a run did not keep. (``pooling`` was ``how``, still taken
        with a ``FutureWarning``.)"""
        stored = self.metadata.get("pool")
        if stored not in (None, "none") and isinstance(pooling, str) and pooling != stored:
            raise ValueError(
                f"pooled({pooling!r}): these embeddings were stored pooled ({stored!r}, one vector "
                f"per window: --pool {stored}), so {pooling!r} cannot be computed from them; use "
                f"pooled({stored!r}), or embed again with --pool none to keep every summary token"
            )
        return pool_embeddings(self.data, pooling)

    def to_data_frame(self, pooling: str | Callable[[np.ndarray], np.ndarray] | None = None) -> Any:
        """One row per window as a pandas DataFrame, as MNE's ``to_data_frame``.

        Columns as in a saved Parquet file: ``source``, ``window``, ``onset_s`` (float64 seconds
        of recorded data from the first sample), ``clock_s`` (float64 seconds on the recording's
        clock from its acquisition start: ``onset_s`` plus ``first_time`` and, after each gap of
        an EDF+D file, the gaps before it), ``clock_time`` (naive ``datetime64``: the
        recording's wall clock as its header states it, local for EDF/BDF/BrainVision, UTC for
        FIF/.mff, as ``metadata["clock"]`` records; NaT without a measurement date; the key to
        join clinical timelines on), ``label`` (epochs with event names), ``annotations``,
        ``bad``, ``flat_channels``, ``clipped_channels`` and ``flagged`` (where recorded:
        :attr:`flagged`), the columns of ``epochs.metadata``, and the embeddings: with
        ``pooling=None`` one ``embedding`` column (arrays of N*S*D float32, as
        ``pandas.read_parquet`` gives them), with a pooling (see :meth:`pooled`) one float32
        column per feature (``eegpt_d0`` ... for ``"mean"``, see :func:`feature_names`), ready
        for statistics or plotting. Needs pandas and pyarrow.
        """
        pa, _ = require_pyarrow("Embeddings.to_data_frame")
        pd = require_pandas("Embeddings.to_data_frame")
        columns = _WindowColumns(self.metadata, self.onsets)
        pandas_dtypes = columns.schema_metadata()
        if pooling is None:
            arrays = columns.arrays(0, len(self), _embedding_array(self.data))
            return pa.table(dict(arrays), metadata=pandas_dtypes).to_pandas()
        frame = pa.table(dict(columns.arrays(0, len(self))), metadata=pandas_dtypes).to_pandas()
        features = self.pooled(pooling)
        names = feature_names(pooling, self.data.shape[1:], features.shape[1])
        # metadata columns named like features
        clashes = clash_renames(frame.columns, set(names), set(frame.columns) | set(names))
        frame = frame.rename(columns=clashes)
        return pd.concat([frame, pd.DataFrame(features, columns=names)], axis=1)

    # the figures of eegpt.viz, bound to these embeddings (their keywords in the signature)
    if TYPE_CHECKING:  # what type checkers see (eegpt._methods)
        plot = eegpt.viz_embeddings.plot_embeddings
        plot_channels = eegpt.viz_channels.plot_channel_mapping
    else:
        plot = function_method("eegpt.viz_embeddings", "plot_embeddings")
        plot_channels = function_method("eegpt.viz_channels", "plot_channel_mapping")

    def save(self, path: str | Path, *, overwrite: bool = False) -> Path:
        """Write to ``.npz`` or ``.parquet`` (by suffix), atomically; never overwrite unless asked.

        Raises
        ------
        OutputExistsError
            (a ``FileExistsError``) If ``path`` exists and ``overwrite`` is False.
        ValueError
            For another suffix.
        """
        with EmbeddingsWriter(
            path, self.data.shape, self.onsets, self.metadata, overwrite=overwrite
        ) as writer:
            writer.write(self.data)
        return writer.path


def _unknown_label_text(key: str, labels: Sequence[Any]) -> str:
    """The refusal of ``emb[key]`` where ``key`` names no label of the windows (``labels``,
    one per window): how many different labels there are and the few closest to ``key``
    (``difflib``, among the labels and their ``/``-separated tags), not every label (an
    epochs file of hundreds of event names would flood the terminal); all of them where they
    are few."""
    distinct = sorted({str(label) for label in labels})
    if len(distinct) <= 8:
        return f"{key!r} is not a label of these windows: {distinct}"
    tags = sorted({t for label in distinct for t in label.split("/")} - set(distinct))
    close = difflib.get_close_matches(key, distinct + tags, n=5, cutoff=0.6)
    shown = (
        f"the closest: {few([repr(c) for c in close], 5)}"
        if close
        else f"none close to it; the first: {few([repr(d) for d in distinct], 5)}"
    )
    return (
        f"{key!r} is not a label of these windows ({len(distinct)} different labels; {shown}): "
        "set(emb.metadata['labels']) lists them all"
    )
