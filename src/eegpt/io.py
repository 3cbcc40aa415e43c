"""Reading EEG recordings and bringing them into one checked, in-memory form.

:func:`read_recording` opens any file MNE-Python reads. :func:`as_recording` turns a path, an
MNE ``Raw`` or ``Epochs`` object, or a NumPy array into a :class:`Recording`: float64 data in
volts plus channel names and sampling rate. The checks here never alter data; they refuse input
that cannot be used as it is (duplicate names, NaN/Inf samples, no EEG channels, a non-real
dtype) and say how to fix it.

Files are checked before MNE parses them: EDF/BDF headers are validated field by field
(:mod:`eegpt.edf_files`, whose ``EDFHeader``, ``check_edf_header`` and ``RecordClock`` are
importable from here too), BrainVision headers likewise (:mod:`eegpt.brainvision_files`), a
truncated body is announced, and a file that would not fit in memory is refused before it is
loaded. Which channels are read is decided in :mod:`eegpt.channel_picks`. Every problem with a
file is raised as a :class:`~eegpt.errors.RecordingError` (a ``ValueError``) naming the file and
the problem, with MNE's own exception chained; :class:`~eegpt.streaming` reads long files window
block by window block instead of loading them.
"""

from __future__ import annotations

import contextlib
import logging
import os
import re
import struct
import warnings
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Literal

import mne
import numpy as np

from eegpt._dates import ANONYMIZED_CLOCK, is_anonymized_start
from eegpt._eeglab import (
    MNE_MULTIPLE_EVENTS,
    eeglab_trials,
    event_names,
    label_by_time_locking_events,
    plain_numeric_types,
    time_locked,
)
from eegpt._logging import (
    Verbose,
    baseline_text,
    caught_warnings,
    check_verbose,
    few,
    mne_state_held,
    mne_verbose,
    names_count_text,
    pass_on_warnings,
    reader_text,
)
from eegpt._logging import log as _log
from eegpt._logging import warn as _warn
from eegpt.annotations import annotations_of, file_offset, rename_to_bad
from eegpt.brainvision_files import (
    _brainvision_header,
    _brainvision_marker_file,
    _brainvision_text_as_latin1,
    _check_brainvision_header,
    _known_codepage,
    _marker_codepage,
    _undecodable,
    _vhdr_fields,
    _warn_brainvision_pauses,
    _warn_brainvision_truncated,
    brainvision_clock,
    brainvision_truncated,
    warn_paused_raw,
)
from eegpt.channel_picks import pick_indices
from eegpt.edf_files import (
    EDFHeader,
    RecordClock,
    _mark_unscalable,
    _refuse_misnamed_edf,
    check_edf_header,
    check_record_steps,
    first_record_offset,
    mark_record_gaps,
    warn_discontinuous_raw,
)
from eegpt.errors import RecordingError
from eegpt.formats import (  # defined here before, imported from here still
    EEG_SUFFIXES,
    RECORDING_FOLDER_SUFFIXES,
    file_not_found,
    is_recording_folder,
    npy_reason,
    split_continuations,
)
from eegpt.formats import first_split_part as first_split_part  # re-exported
from eegpt.rename_tables import Rename, how_to_drop, label_electrodes, label_hint
from eegpt.vocabulary import NOT_SCALP_TYPES as NOT_SCALP_TYPES  # re-exported
from eegpt.vocabulary import normalize_channel_name, plain_label

__all__ = [
    "EEG_SUFFIXES",
    "RECORDING_FOLDER_SUFFIXES",
    "split_continuations",
    "UNITS",
    "EDFHeader",
    "Recording",
    "RecordingError",
    "as_recording",
    "check_edf_header",
    "epochs_labels",
    "is_epochs_file",
    "may_hold_epochs",
    "read_recording",
]

UNITS: dict[str, float] = {"V": 1.0, "mV": 1e-3, "uV": 1e-6, "µV": 1e-6, "μV": 1e-6}
"""Accepted ``units`` of array input and their size in volts (``µ`` micro sign or Greek mu)."""

#: The ``units`` of array input, as type checkers see them: the names of :data:`UNITS` in every
#: letter case :func:`units_name` takes (``"uv"`` is ``"uV"``; a capital ``M`` is refused:
#: ``"MV"`` would be megavolts), ``µ`` the micro sign or the Greek mu.
Units = Literal["V", "v", "mV", "mv", "uV", "uv", "UV", "Uv", "µV", "µv", "μV", "μv"]

PathLike = str | os.PathLike

#: Share of the available memory a recording may take when loaded whole (``preload=True``).
MEMORY_FRACTION = 0.5


@dataclass(eq=False)
class Recording:
    """EEG data in volts with the channel names and sampling rate needed to use it.

    Parameters
    ----------
    data : ndarray of float64, shape (n_channels, n_times) or (n_epochs, n_channels, n_times)
        Samples in volts. Continuous recordings are 2-D; epoched data (from ``mne.Epochs`` or a
        3-D array) are 3-D, each epoch being one model window later on.
    ch_names : list of str
        One unique name per channel (axis -2 of ``data``).
    sfreq : float
        Sampling rate in Hz.
    source : str
        Where the data came from: a file path, ``"<Raw>"``, ``"<Epochs>"`` or ``"<array>"``.
    ch_types : list of str | None
        MNE channel types, when known.
    onsets : ndarray of float64, shape (n_epochs,) | None
        For epoched data, each epoch's start time in seconds, when known.
    units : list of str | None
        The unit each channel had in its file (e.g. ``"uV"``), when known; the data are in volts
        regardless. :func:`~eegpt.preprocessing.prepare` warns about used channels whose file
        unit is not a voltage MNE understands.
    labels : list of str | None
        For epoched data, each epoch's event name (from ``mne.Epochs``), when known; kept with
        the embeddings (``metadata["labels"]``, a ``label`` column in Parquet).
    annotations : mne.Annotations | None
        For continuous data, the recording's annotations with onsets in seconds from its first
        sample (see :mod:`eegpt.annotations`), when it has any.
    epoch_annotations : list of list of str | None
        For epoched data, the descriptions of the annotations over each epoch
        (:func:`epoch_annotations`), when the epochs carry annotations.
    first_time : float | None
        For MNE data, seconds from the start of the acquisition to the first sample
        (``raw.first_time``; nonzero for cropped data and FIF files with ``first_samp > 0``).
        Window onsets of continuous data count from the first sample; add this to get MNE's
        time base (that of annotation onsets and of events).
    meas_date : str | None
        For MNE data with a measurement date, the date and time of the acquisition start
        (ISO 8601, as MNE keeps it: labelled UTC).
    date_clock : str | None
        With ``meas_date``, which clock it is on, by the reader that read it
        (:func:`date_clock`): ``"utc"`` (FIF, EGI ``.mff``), ``"local"`` (the lab's wall
        clock, which MNE labels UTC: EDF/BDF, BrainVision, Nihon Kohden), ``"acq_time"`` (UTC
        from a BIDS ``*_scans.tsv``'s ``acq_time``, which MNE-BIDS sets over the header's
        date) or ``"unknown"``; kept as the embeddings' ``metadata["clock"]``.
    file_offset : float | None
        For an MNE Raw, seconds from its file's first sample to its first sample
        (:func:`eegpt.annotations.file_offset`: nonzero for a Raw cropped after reading); the
        onsets of annotation tables read from disk count from the file's first sample.
    selection : list of int | None
        For ``mne.Epochs`` with dropped epochs, ``epochs.selection``: each epoch's index among
        the events it was cut from; the embeddings' window index (``metadata["window_index"]``,
        the Parquet ``window`` column), so rows link back to trials.
    epochs_metadata : pandas.DataFrame | None
        For ``mne.Epochs`` with metadata, ``epochs.metadata`` (one row per epoch, MNE's index);
        kept with the embeddings (:attr:`~eegpt.outputs.Embeddings.epochs_metadata`, columns of
        its own in Parquet).
    array_units : str | None
        For array input, the unit it was declared in (``units=``, already converted to
        volts); the amplitude check then names the ``units=`` that would fit.
    rates : list of float | None
        Each channel's sampling rate as stored in the file, when the format stores channels at
        their own rates (EDF/BDF/GDF: MNE upsampled the slower ones to ``sfreq``), else None.
    projectors : list of (str, tuple of str) | None
        SSP projectors stored with an MNE object but not applied to ``data``, as (description,
        channels it acts on); :func:`~eegpt.preprocessing.prepare` warns when one acts on a
        used channel (:func:`warn_unapplied_projectors`).
    projections : list of dict | None
        For MNE data, every SSP projector stored with it (:func:`stored_projections`), applied
        before eegpt or not: ``{"desc": ..., "applied": True}``; recorded in the output's
        provenance (``metadata["projections"]``).
    bads : list of str | None
        For MNE data, the channels of ``info["bads"]`` that the picks left out (not in
        ``ch_names``), so that a model fitted with them can say why they are missing.
    left_out : dict of str to str | None
        For MNE data, every channel the picks left out, with why: ``"bad"`` or its type
        (``"eog"`` ...); ``rename`` keys naming them are not misspellings
        (:func:`eegpt.channels.map_channels`).
    clock : RecordClock | None
        For a discontinuous EDF+D/BDF+D file with gaps, where its records lie on the clock:
        annotations given with it (``annotations=``) are placed by it, as its own were; for
        a BrainVision recording paused and resumed, where its segments lie on it, by the
        dates of its ``New Segment`` markers (:func:`eegpt.brainvision_files.brainvision_clock`).
    truncated : dict | None
        For an EDF/BDF file shorter than its header announces (only its complete records are
        read): ``{"announced_s": ..., "read_s": ...}`` (:attr:`EDFHeader.truncated`).
    filters : dict | None
        For MNE data, the band the recording was filtered to as MNE knows it (EDF/BDF headers'
        prefiltering, filters applied in MNE): :func:`recorded_filters`.
    baseline : tuple of (float | None, float | None) | None
        For ``mne.Epochs`` that MNE baseline-corrected, ``epochs.baseline``: the interval (s,
        relative to the event) whose mean MNE subtracted from each channel of each epoch
        (``mne.Epochs``' default is ``(None, 0)``, the pre-stimulus mean). EEGPT's own
        preprocessing does not baseline-correct, so such epochs differ from windows of the
        same stretches of the continuous recording (``OnlineEmbedder``) by that per-channel
        offset; None for epochs made with ``baseline=None`` and for other data.
    rescaled : float
        The factor ``data`` were already multiplied by after reading (``eegpt probe``'s
        ``--rescale``, applied as the files are read); 1.0 for data as read. The amplitude
        check (:func:`~eegpt.preprocessing.prepare`) counts it in the correction it advises,
        which is one for the samples as read.
    tmin : float | None
        For ``mne.Epochs`` (``-epo.fif``, epoched ``.set``), ``epochs.tmin``: the time of each
        epoch's first sample relative to its time-locking event, by which
        ``PreprocessingConfig(crop_tmin=...)`` (``--crop``) crops them; None for other data.
    custom_ref : bool
        Whether MNE re-referenced the recording (``info["custom_ref_applied"]``:
        ``set_eeg_reference`` to channels such as the mastoids, or a montage of bipolar
        derivations), which eegpt's average reference (the default) replaces over the channels
        it uses. False for other data.
    detrend : int | None
        For MNE epochs, ``epochs.detrend``: the trend MNE removed from each epoch of each
        channel as it cut them (0: its mean, the DC offset; 1: a least-squares line), None for
        none and for other data. A per-epoch change, like ``baseline``, that windows of the
        continuous recording (OnlineEmbedder) do not have.
    detrend_recorded : bool
        Whether ``detrend`` is known: True for epochs made in memory (``mne.Epochs``,
        ``mne.EpochsArray``, which keep it), False for epochs read from a file (``-epo.fif``
        and others store no detrend: ``detrend`` None there is unknown) and for arrays.
    baseline_recorded : bool
        Whether ``baseline`` is known: True for MNE epochs other than EEGLAB's (whose
        ``epochs.baseline`` says what MNE did, None for none), False for arrays and epoched
        ``.set`` files, which record no baseline correction done before (``baseline`` None:
        unknown).

    Raises
    ------
    RecordingError
        (a ``ValueError``) On a non-real or non-float dtype, wrong dimensions, no channels, a
        channel-name count that does not match the data, duplicate names, a bad ``sfreq`` or
        non-finite samples.
    """

    data: np.ndarray
    ch_names: list[str]
    sfreq: float
    source: str = "<array>"
    ch_types: list[str] | None = None
    onsets: np.ndarray | None = field(default=None, repr=False)
    units: list[str] | None = field(default=None, repr=False)
    labels: list[str] | None = field(default=None, repr=False)
    annotations: mne.Annotations | None = field(default=None, repr=False)
    epoch_annotations: list[list[str]] | None = field(default=None, repr=False)
    first_time: float | None = field(default=None, repr=False)
    meas_date: str | None = field(default=None, repr=False)
    date_clock: str | None = field(default=None, repr=False)
    file_offset: float | None = field(default=None, repr=False)
    selection: list[int] | None = field(default=None, repr=False)
    epochs_metadata: Any = field(default=None, repr=False)
    array_units: str | None = field(default=None, repr=False)
    projectors: list[tuple[str, tuple[str, ...]]] | None = field(default=None, repr=False)
    projections: list[dict[str, Any]] | None = field(default=None, repr=False)
    rates: list[float] | None = field(default=None, repr=False)
    bads: list[str] | None = field(default=None, repr=False)
    clock: RecordClock | None = field(default=None, repr=False)
    left_out: dict[str, str] | None = field(default=None, repr=False)
    truncated: dict[str, float] | None = field(default=None, repr=False)
    filters: dict[str, float] | None = field(default=None, repr=False)
    baseline: tuple[float | None, float | None] | None = field(default=None, repr=False)
    rescaled: float = field(default=1.0, repr=False)
    tmin: float | None = field(default=None, repr=False)
    baseline_recorded: bool = field(default=False, repr=False)
    detrend: int | None = field(default=None, repr=False)
    detrend_recorded: bool = field(default=False, repr=False)
    custom_ref: bool = field(default=False, repr=False)

    def __post_init__(self) -> None:
        data = np.asarray(self.data)
        if not np.issubdtype(data.dtype, np.floating):
            raise RecordingError(
                f"{self.source}: EEG data must be real numbers: floating point, or integer "
                f"samples with their unit (embed(x, ..., units='uV')), got dtype {data.dtype}; "
                "convert other data to float only if that is meaningful (the real part of "
                "complex data, x.real)"
            )
        self.data = data.astype(np.float64, copy=False)
        if self.data.ndim not in (2, 3):
            raise RecordingError(
                f"{self.source}: data must be 2-D (n_channels, n_times) or 3-D "
                f"(n_epochs, n_channels, n_times), got shape {self.data.shape}"
            )
        odd = [name for name in self.ch_names if not isinstance(name, (str, np.str_))]
        if odd:
            raise TypeError(
                f"{self.source}: channel names must be text, got {odd[:5]!r} among them"
            )
        self.ch_names = [str(name) for name in self.ch_names]
        if self.data.shape[-2] == 0 or not self.ch_names:
            raise RecordingError(f"{self.source}: no EEG channels (data shape {self.data.shape})")
        if self.is_epoched and self.data.shape[0] == 0:
            raise RecordingError(
                f"{self.source}: no epochs (data shape {self.data.shape}): every epoch was "
                "dropped or none was cut; epochs.drop_log says why each was dropped"
            )
        if self.data.shape[-1] == 0 or self.data.shape[0] == 0:
            raise RecordingError(f"{self.source}: no samples (data shape {self.data.shape})")
        if len(self.ch_names) != self.data.shape[-2]:
            transposed = len(self.ch_names) == self.data.shape[-1]
            raise RecordingError(
                f"{self.source}: {len(self.ch_names)} channel names for "
                f"{self.data.shape[-2]} channels (data shape {self.data.shape}, channels on "
                f"axis -2): {names_count_text(self.ch_names, self.data.shape[-2])}"
                + (
                    "; the array looks transposed: pass "
                    + ("data.T" if self.data.ndim == 2 else "data.swapaxes(-1, -2)")
                    if transposed
                    else ""
                )
            )
        check_unique(self.ch_names, self.source)
        self.sfreq = float(self.sfreq)
        if not np.isfinite(self.sfreq) or self.sfreq <= 0:
            raise RecordingError(
                f"{self.source}: sfreq must be a positive number of Hz, got {self.sfreq}"
            )
        if self.ch_types is not None:
            self.ch_types = list(self.ch_types)
            if len(self.ch_types) != len(self.ch_names):
                raise RecordingError(
                    f"{self.source}: {len(self.ch_types)} channel types for "
                    f"{len(self.ch_names)} channels"
                )
        if self.units is not None:
            self.units = [str(unit) for unit in self.units]
            if len(self.units) != len(self.ch_names):
                raise RecordingError(
                    f"{self.source}: {len(self.units)} units for {len(self.ch_names)} channels"
                )
        if self.labels is not None:
            self.labels = [str(label) for label in self.labels]
            if self.data.ndim != 3 or len(self.labels) != self.data.shape[0]:
                raise RecordingError(
                    f"{self.source}: labels must have one entry per epoch, got "
                    f"{len(self.labels)} for data of shape {self.data.shape}"
                )
        if self.onsets is not None:
            self.onsets = np.asarray(self.onsets, dtype=np.float64)
            if self.data.ndim != 3 or self.onsets.shape != (self.data.shape[0],):
                raise RecordingError(
                    f"{self.source}: onsets must have one entry per epoch, got shape "
                    f"{self.onsets.shape} for data of shape {self.data.shape}"
                )
        if self.annotations is not None and self.data.ndim != 2:
            raise RecordingError(
                f"{self.source}: annotations belong to continuous data; give epochs "
                "epoch_annotations (one list of descriptions per epoch)"
            )
        if self.epochs_metadata is not None and (
            self.data.ndim != 3 or len(self.epochs_metadata) != self.data.shape[0]
        ):
            raise RecordingError(
                f"{self.source}: epochs_metadata must have one row per epoch, got "
                f"{len(self.epochs_metadata)} for data of shape {self.data.shape}"
            )
        if self.epoch_annotations is not None:
            self.epoch_annotations = [[str(d) for d in ds] for ds in self.epoch_annotations]
            if self.data.ndim != 3 or len(self.epoch_annotations) != self.data.shape[0]:
                raise RecordingError(
                    f"{self.source}: epoch_annotations must have one list per epoch, got "
                    f"{len(self.epoch_annotations)} for data of shape {self.data.shape}"
                )
        # NaN/Inf samples are refused where the channels to use are known (preprocessing), so
        # that a channel left out anyway (not in the vocabulary, dropped) cannot refuse a file

    @property
    def n_channels(self) -> int:
        return self.data.shape[-2]

    @property
    def n_times(self) -> int:
        """Samples per channel (per epoch for epoched data)."""
        return self.data.shape[-1]

    @property
    def is_epoched(self) -> bool:
        return self.data.ndim == 3

    @property
    def duration(self) -> float:
        """Length in seconds (of one epoch for epoched data)."""
        return self.n_times / self.sfreq


def check_unique(ch_names: list[str], source: str) -> None:
    """Raise a :class:`RecordingError` naming the channel names ``ch_names`` holds more than
    once (``source`` names the recording)."""
    dupes = sorted(name for name, count in Counter(ch_names).items() if count > 1)
    if dupes:
        raise RecordingError(
            f"{source}: duplicate channel names {dupes}; every channel needs a unique name "
            "(rename them, e.g. raw.rename_channels, or drop the copies)"
        )


def nonfinite_error(
    counts: np.ndarray,
    ch_names: Sequence[str],
    source: str,
    where: str = "",
    *,
    epoched: bool = False,
    in_bad: int = 0,
    all_in_bad: bool = False,
    misnamed: Sequence[str] = (),
    in_misnamed: int = 0,
    inner: tuple[float, float] | None = None,
    on_clock: bool = False,
) -> RecordingError:
    """The error for NaN/Inf samples, given the number of such samples per channel and, in
    words, where they are (``"from 60.750 s to 61.000 s after the first sample"``).

    ``inner``: ``(onset, duration)`` in seconds from the first sample of a gap of them inside
    a continuous recording (neither at its start nor at its end), which cropping cannot take
    out: the advice is then to mark the gaps bad and leave their windows out
    (:func:`_mark_bad_advice`, with this gap as the example), not to crop. ``on_clock``:
    ``inner`` is in seconds on the clock of a recording paused and resumed (EDF+D, a paused
    BrainVision recording), as annotations given with it are read; said so.

    ``all_in_bad``: they all lie inside annotations marked bad (:class:`~eegpt.annotations.
    BadSpans`), so leaving those windows out (``reject_by_annotation``) is the way on.
    ``in_bad``: how many more, not in ``counts``, lie inside such annotations.
    ``misnamed``, ``in_misnamed``: the descriptions of annotations that mention "bad" without
    marking bad data (``Comment/BAD_muscle``), and how many of ``counts`` lie inside them:
    renamed, they would be bad spans."""
    hit = [(ch_names[i], int(n)) for i, n in enumerate(counts) if n > 0]
    span = "drop those epochs (epochs.drop)" if epoched else "crop the affected time span"
    crop = "crop that time span (raw.crop in MNE, then embed the Raw)"
    if inner is not None and not epoched and source != "<array>":  # no crop takes it out
        span = crop = _mark_bad_advice(*inner, all_in_bad=all_in_bad, on_clock=on_clock)
    if source == "<array>" and not epoched:  # an array has no raw.crop: its own routes
        span = crop = (
            "mark that time span bad and leave its windows out: embed(x, ..., annotations="
            "mne.Annotations(onset=[START_S], duration=[SECONDS], description=['BAD_gap']), "
            "reject_by_annotation=True), seconds from the first sample (START_S the span's "
            "start and SECONDS its length, end exclusive, as said above); or embed the "
            "stretches before and after it apart (x[:, :i], x[:, j:]), or interpolate it"
        )
    if len(hit) == len(ch_names) > 1:  # a span missing from every channel (an export's tail)
        each = {n for _, n in hit}
        detail = f"all {len(hit)} channels" + (
            f" ({each.pop()} samples each)" if len(each) == 1 else ""
        )
        advice = span if epoched else crop
    else:
        detail = "channel(s) " + few([f"{name} ({n} samples)" for name, n in hit], 12)
        advice = (
            "interpolate those channels (e.g. mark them bad and call interpolate_bads()), "
            f"leave them out ({how_to_drop([name for name, _ in hit])})"
            + (f", or {span}" if span else "")
        )
    if all_in_bad:
        where += (", " if where else "") + "all inside annotations marked bad"
        advice = (
            "leave the windows over those annotations out (reject_by_annotation=True, "
            "--reject-by-annotation on the command line), and the samples are ignored"
            + (f"; or {advice}" if advice else "")
        )
    elif in_bad:
        where += (", " if where else "") + (
            f"besides {in_bad} inside annotations marked bad (whose windows "
            "reject_by_annotation leaves out)"
        )
    if in_misnamed:
        where, advice = _misnamed_text(
            where, advice, misnamed, "all" if in_misnamed == np.sum(counts) else str(in_misnamed)
        )
    return RecordingError(
        f"{source}: {int(np.sum(counts))} non-finite (NaN/Inf) samples in {detail}"
        f"{', ' + where if where else ''}. EEGPT needs finite data: {advice}."
    )


def _mark_bad_advice(
    onset: float, duration: float, *, all_in_bad: bool = False, on_clock: bool = False
) -> str:
    """:func:`nonfinite_error`'s advice for gaps inside a continuous recording: mark each bad
    and leave its windows out (the command line's ``--annotations`` table, Python's
    ``annotations=``), the gap at ``onset`` s for ``duration`` s as the example; crop only
    for gaps at its ends. "" where they are all inside bad annotations already
    (``all_in_bad``: leaving their windows out is said already). ``on_clock``: ``onset`` is
    on the clock of a recording paused and resumed, as a table given with it is read."""
    if all_in_bad:
        return ""
    row = f"{onset:.10g},{duration:.10g},BAD_nan"
    seconds = (
        "in seconds on the recording's clock from its first sample, the pauses counted (the "
        "gaps above are in seconds into the data, back to back)"
        if on_clock
        else "in seconds from the first sample"
    )
    return (
        "mark each gap bad and leave its windows out (cropping, raw.crop in MNE, trims only "
        "the ends: it takes out no gap inside a recording): on the command line, a CSV table "
        f"of annotations (header onset,duration,description; a row per gap, {seconds}, "
        f"such as {row} for the gap at {onset:.10g} s{' on the clock' if on_clock else ''}) "
        "with --annotations "
        "FILE --reject-by-annotation (embed-dataset: the table in the manifest's "
        "annotations_file column); in Python, annotations=mne.Annotations(onset="
        f"[{onset:.10g}], duration=[{duration:.10g}], description=['BAD_nan']) (an onset and "
        "duration per gap) with reject_by_annotation=True"
    )


def _misnamed_text(
    where: str, advice: str, misnamed: Sequence[str], how_many: str
) -> tuple[str, str]:
    """:func:`nonfinite_error`'s ``where`` and ``advice`` for NaN/Inf samples (``how_many``:
    "all" or a number of them) inside annotations that only mention "bad" (``misnamed``)."""
    shown = ", ".join(repr(d) for d in misnamed[:3]) + (", ..." if len(misnamed) > 3 else "")
    where += (", " if where else "") + (
        f"{how_many} of them inside annotations that mention 'bad' but do not start with it "
        f"({shown}), so they do not mark bad data (MNE's rule)"
    )
    rename = (
        f"rename those annotations so that they start with 'BAD' (in Python "
        f"{rename_to_bad(misnamed[:3])} before embedding the Raw; on the command line, list "
        "those spans under such names in an annotations file, --annotations FILE) and leave "
        "their windows out (reject_by_annotation=True, --reject-by-annotation)"
    )
    if how_many == "all":
        return where, f"{rename}: the samples are then ignored; or {advice}"
    return where, f"{advice}; for those inside the annotations, {rename}"


def read_recording(
    path: PathLike, *, preload: bool = True, verbose: Verbose = None
) -> mne.io.BaseRaw:
    """Open an EEG file with MNE-Python (``mne.io.read_raw``, dispatching on the extension).

    EDF and BDF headers are validated first (:func:`check_edf_header`). With ``preload=True`` the
    size of the data is compared with the memory available before anything is loaded.

    Parameters
    ----------
    path : str | path-like
        An ``.edf``, ``.bdf``, ``.fif``, ``.vhdr``, ``.set``, ... file (or folder for the formats
        stored as folders).
    preload : bool
        Load the data into memory. With ``False`` only the header is read; ``raw.get_data(start=,
        stop=)`` then reads parts of the file (see :mod:`eegpt.streaming`).
    verbose : bool | str | int | None
        Passed to MNE.

    Returns
    -------
    raw : mne.io.BaseRaw
        The recording; ``raw.get_data()`` is in volts.

    Raises
    ------
    FileNotFoundError
        If ``path`` does not exist.
    RecordingError
        (a ``ValueError``) If the file cannot be read: a corrupt or truncated header, no complete
        data record, an unsupported extension, data too large for the available memory, or any
        error MNE raises while reading (chained as ``__cause__``). The message names the file
        and the reason.

    Warns
    -----
    RuntimeWarning
        For a truncated EDF/BDF body (only the complete data records are read) and for EDF/BDF
        files whose channels have different sampling rates (MNE upsamples the slower ones).
    """
    check_verbose(verbose)  # a wrong type: a TypeError, before the file is opened
    raw, _ = open_recording(Path(path).expanduser(), preload=preload, verbose=verbose)
    return raw


def check_integer_volts(data: Any, units: str, where: str) -> None:
    """Refuse integer samples declared in volts: whole volts are no EEG, so they are counts or
    microvolts whose unit was not given (``where`` names the parameter that gives it)."""
    dtype = getattr(data, "dtype", None)
    if dtype is None:
        dtype = np.asarray(data).dtype
    if units == "V" and np.issubdtype(dtype, np.integer):
        example = repr("uV").join(where.rsplit("...", 1))  # the last "...": the unit's place
        raise RecordingError(
            f"the samples are integers ({dtype}) taken as volts (units='V', also the default "
            f"when no unit is given), which EEG never is: give their unit, e.g. {example}, or "
            "convert amplifier counts to volts first"
        )


def mark_bad(
    inst: mne.io.BaseRaw | mne.BaseEpochs,
    names: Sequence[str],
    source: str,
    rename: Rename | None = None,
) -> None:
    """Add the channels ``names`` to ``inst.info["bads"]`` (in place), as if the file marked
    them bad: left out of type-based picks, so of the embedding and the average reference, and
    recorded as ``"bad"`` by :func:`left_out_channels`. A name is a label of the recording
    (spaces around it ignored: EDF pads its labels), or the vocabulary electrode one of its
    channels maps to after ``rename`` (as :func:`eegpt.channels.map_channels` maps them):
    ``C3`` for ``EEG C3-REF``, or for the socket ``A13`` under ``rename="biosemi64"``.

    Raises
    ------
    RecordingError
        If the recording has no channel of one of ``names``, naming the close ones it has.
    """
    if not names:
        return
    labels: dict[str, str] = {}
    for name in inst.ch_names:
        labels.setdefault(plain_label(name), name)
    exact = set(inst.ch_names)
    found = [name if name in exact else labels.get(plain_label(name)) for name in names]
    if None in found:  # an electrode's name: the channel that maps to it
        by_electrode: dict[str, str] = {}
        for label, electrode in label_electrodes(inst.ch_names, rename).items():
            by_electrode.setdefault(electrode, label)
        found = [
            hit if hit is not None else by_electrode.get(normalize_channel_name(name) or "")
            for name, hit in zip(names, found, strict=True)
        ]
    missing = [name for name, hit in zip(names, found, strict=True) if hit is None]
    if missing:
        raise RecordingError(
            f"{source}: the channel(s) {missing} to mark bad (bads) are not in the recording, "
            f"whose channels are {few(inst.ch_names)}.{label_hint(missing, inst.ch_names)} "
            "Give the labels as the file spells them, or the electrodes they map to (after "
            "--rename)"
        )
    marked = inst.info["bads"]
    inst.info["bads"] = [*marked, *(n for n in dict.fromkeys(found) if n not in marked)]


def left_out_channels(info: Any, names: Sequence[str]) -> dict[str, str] | None:
    """The channels of ``info`` not among the picked ``names``, each with why: ``"bad"`` (in
    ``info["bads"]``), ``"not picked"`` (of a type that was picked: explicit picks left it
    out) or its channel type; None when the picks took every channel."""
    used = set(names)
    types = dict(zip(info["ch_names"], info.get_channel_types(), strict=True))
    picked = {types[name] for name in names}
    out = {
        name: "bad"
        if name in info["bads"]
        else "not picked"
        if types[name] in picked
        else types[name]
        for name in info["ch_names"]
        if name not in used
    }
    return out or None


EPOCHS_SUFFIXES = ("-epo.fif", "_epo.fif", "-epo.fif.gz", "_epo.fif.gz")
"""Endings of MNE epochs files (MNE's naming convention); other files are read as raw data."""


def is_epochs_file(path: PathLike) -> bool:
    """Whether ``path`` names an MNE epochs file (``*-epo.fif`` ..., see ``EPOCHS_SUFFIXES``)."""
    return str(path).endswith(EPOCHS_SUFFIXES)


def may_hold_epochs(path: PathLike) -> bool:
    """Whether ``path`` may be read as epochs: an MNE epochs file (:func:`is_epochs_file`) or
    an EEGLAB ``.set`` file of more than one trial (``EEG.trials``, read from the file; one
    that cannot be read counts as epochs, for the epochs reader to say why)."""
    if is_epochs_file(path):
        return True
    if Path(path).suffix.lower() != ".set":
        return False
    trials = eeglab_trials(path)
    return trials is None or trials > 1


def holds_epochs_instead(err: RecordingError) -> bool:
    """Whether reading a file as raw data failed because it holds epochs: a FIF file of epochs
    not named ``*-epo.fif``, or an epoched EEGLAB ``.set`` file."""
    cause = str(err.__cause__)
    return "No raw data" in cause or "must be 1 for raw files" in cause


def read_epochs_file(path: Path, verbose: Verbose = None) -> mne.BaseEpochs:
    """``mne.read_epochs`` (``mne.read_epochs_eeglab`` for a ``.set`` file) with the errors of
    :func:`read_recording` (file named, chained). Epochs of a ``.set`` file are named by their
    time-locking event (latency 0), not by all the events they hold as MNE names them
    (:func:`eegpt._eeglab.label_by_time_locking_events`). SSP projectors stored but not
    applied stay unapplied (``proj=False``; MNE applies them by default), as for a Raw file
    and for the same epochs passed in memory; those applied before saving stay applied."""
    if not path.exists():
        raise file_not_found(path)
    level = mne_verbose(verbose)
    if path.suffix.lower() == ".set":
        try:
            epochs = mne_call(
                path, lambda: mne.read_epochs_eeglab(path, verbose=level), MNE_MULTIPLE_EVENTS
            )
        except RecordingError as err:
            if "does not seem to contain epochs" not in str(err.__cause__):
                raise
            raise RecordingError(
                f"{path} is a continuous EEGLAB recording, not epochs: embed it with `eegpt "
                "embed` (eegpt.embed); for labelled epochs cut them first (mne.Epochs(raw, "
                "events, event_id) or mne.make_fixed_length_epochs) and save them as "
                "*-epo.fif, or label its windows by its annotations (`eegpt probe train "
                "--window-labels`)"
            ) from err.__cause__
        label_by_time_locking_events(epochs, path)
        return epochs
    return mne_call(path, lambda: mne.read_epochs(path, proj=False, preload=True, verbose=level))


def open_recording(
    path: Path,
    *,
    preload: bool,
    verbose: Verbose,
    exclude: Sequence[str] = (),
) -> tuple[mne.io.BaseRaw, EDFHeader | None]:
    """:func:`read_recording`, also returning the EDF/BDF header when there is one;
    ``exclude`` names channels of an EDF/BDF file (outside a BIDS dataset) not to read."""
    if not path.exists():
        raise file_not_found(path)
    refuse_unreadable_input(path)
    _check_brainvision_header(path)
    header = None
    if path.is_file() and path.suffix.lower() in (".edf", ".bdf"):
        header = check_edf_header(path)
    elif path.is_file():
        _refuse_misnamed_edf(path)
        _refuse_cut_fif(path)
    said = [_MNE_NAMING]  # what MNE will say that eegpt says (or mends) itself, or need not
    if header is not None and header.n_records != header.n_complete_records:
        said.append(_MNE_RECORD_COUNT)
    if header is not None and header.variant and not header.discontinuous:
        check_record_steps(path, header)  # a +D file's, with its gaps (mark_record_gaps)
    if header is not None and header.discontinuous:
        said.append(_MNE_CROPPED_ANNOTATIONS)
    if header is not None and header.unscalable:
        said.append(_MNE_NO_PHYSICAL_RANGE)
    skip = re.compile("|".join(p.pattern for p in said)) if said else None
    with _quiet_annotation_cropping(header is not None and header.discontinuous):
        try:
            raw = mne_call(path, lambda: _read_lazily(path, verbose, exclude), skip)
        except RecordingError as err:
            if header is None and path.suffix.lower() == ".vhdr" and _undecodable(err):
                raw = _read_brainvision_codepage(path, verbose, exclude, skip)
            elif header is None or "encoding='latin1'" not in str(err):
                raise
            else:  # annotations not UTF-8, as EDF+ asks: older software wrote Latin-1
                raw = mne_call(path, lambda: _read_lazily(path, verbose, exclude, "latin1"), skip)
                _warn(
                    f"{path}: the annotations are not UTF-8 text as EDF+ requires; read them as "
                    "Latin-1 (ISO 8859-1), which old recording software wrote. Check that their "
                    f"texts read right: {few(sorted(set(raw.annotations.description)), 6)}"
                )
    if header is not None and header.variant:  # EDF+/BDF+: records carry their times
        header = replace(header, start_offset=first_record_offset(path, header))
    if header is not None and header.variant:  # +D, or +C whose time stamps show gaps
        header = replace(header, clock=mark_record_gaps(raw, path, header))
    if header is not None and header.unscalable:
        _mark_unscalable(raw, path, header)
    if header is None:
        _warn_brainvision_truncated(path, raw)
        _warn_brainvision_pauses(path, raw)  # a paused recording's clock (brainvision_clock)
    if path.suffix.lower() == ".set":
        plain_numeric_types(raw, path)  # '1', not MNE's '1.0', as epochs of a .set are named
    if preload and not raw.preload:
        check_memory(raw, path)
        mne_call(path, lambda: raw.load_data(verbose=mne_verbose(verbose)))
    return raw, header


class _DropMatching(logging.Filter):
    def __init__(self, pattern: re.Pattern[str]) -> None:
        super().__init__()
        self.pattern = pattern

    def filter(self, record: logging.LogRecord) -> bool:
        return not self.pattern.search(record.getMessage())


@contextlib.contextmanager
def _quiet_annotation_cropping(active: bool) -> Iterator[None]:
    """Leave out MNE's log lines about annotations it dropped or cut at the samples' end, for
    a discontinuous file: :func:`mark_record_gaps` places them all where they belong."""
    if not active:
        yield
        return
    drop = _DropMatching(_MNE_CROPPED_ANNOTATIONS)
    logger = logging.getLogger("mne")
    logger.addFilter(drop)
    try:
        yield
    finally:
        logger.removeFilter(drop)


def _read_lazily(
    path: Path,
    verbose: Verbose,
    exclude: Sequence[str] = (),
    encoding: str | None = None,
) -> mne.io.BaseRaw:
    """``mne.io.read_raw`` without loading the samples, where the format's reader can; an EEG
    file of a BIDS dataset through MNE-BIDS, with its sidecars (:mod:`eegpt.bids`).
    ``exclude``: channels not to read (EDF/BDF readers; not with MNE-BIDS); ``encoding``: of
    an EDF/BDF file's annotations (MNE's default, UTF-8, when None)."""
    from eegpt.bids import bids_root, read_raw_bids, warn_untyped_ieeg

    root = None if exclude or encoding else bids_root(path)
    if root is not None:
        raw = read_raw_bids(path, root, verbose=mne_verbose(verbose))
        if raw is not None:
            return raw  # an _ieeg file without its *_channels.tsv: read_raw_bids warns
    warn_untyped_ieeg(path)  # an _ieeg file read alone, without channel types
    if exclude or encoding:
        extra = {"encoding": encoding} if encoding else {}
        return mne.io.read_raw(
            path, preload=False, exclude=list(exclude), verbose=mne_verbose(verbose), **extra
        )
    try:
        return mne.io.read_raw(path, preload=False, verbose=mne_verbose(verbose))
    except NotImplementedError:  # readers that always load everything (e.g. BCI2000 .dat)
        return mne.io.read_raw(path, preload=True, verbose=mne_verbose(verbose))


def mne_call(
    path: Path,
    call: Callable[[], Any],
    skip: re.Pattern[str] | None = None,
    *,
    sets_level: bool = True,
) -> Any:
    """Run an MNE read, turning any failure into a :class:`RecordingError` naming ``path``,
    and its warnings into warnings naming it (but those ``skip`` matches: said already).
    ``sets_level``: the call gives MNE ``verbose=``, which sets its log level for the whole
    process, so it runs under :func:`mne_state_held` (one thread at a time); reads without it
    (a stream's blocks) run side by side."""
    caught: list[warnings.WarningMessage] = []
    held = mne_state_held() if sets_level else contextlib.nullcontext()
    try:
        with caught_warnings() as caught, held:
            return call()
    except (RecordingError, KeyboardInterrupt):
        raise
    except MemoryError as err:
        detail = f": {reader_text(err)}" if str(err).strip() else ""
        raise RecordingError(
            f"could not read EEG file {path}: MNE ran out of memory reading it (MemoryError"
            f"{detail}). Check the file's header: one that claims far more channels or "
            "samples than the file holds (a corrupt header) makes the reader ask for that much "
            "memory; if the recording is that large, crop it or read fewer channels (picks)"
        ) from err
    except Exception as err:  # MNE raises anything: ValueError, KeyError, struct.error, ...
        formats = "formats MNE reads include .edf, .bdf, .gdf, .fif, .vhdr, .set, .cnt, .mff"
        if path.suffix.lower() in _TEXT_TABLES and _looks_like_text_table(path):
            reason = _text_table_reason(path)  # a device's export, which MNE did not read
        elif "Unsupported file type" in str(err) and path.suffix.lower() == ".npy":
            reason = npy_reason(path)
        elif "Unsupported file type" in str(err):
            reason = f"unsupported file type {path.suffix!r} ({reader_text(err)}); {formats}"
        elif _fif_cut_short(path, err):
            reason = _fif_truncated(f"MNE: {reader_text(f'{type(err).__name__}: {err}')}")
        elif not str(err).strip():
            reason = (
                f"MNE's reader for {path.suffix or 'files without a suffix'!r} failed "
                f"({type(err).__name__}, no message): the file is damaged or not in the format "
                f"its name says; {formats}"
            )
        elif (missing := missing_file_reason(path, err)) is not None:
            reason = missing
        else:
            reason = reader_text(f"{type(err).__name__}: {err}") + _missing_reader_hint(err)
        raise RecordingError(f"could not read EEG file {path}: {reason}") from err
    finally:
        pass_on_warnings(caught, path, skip)


#: Suffixes of text tables of samples (OpenBCI's .txt/.csv, Mind Monitor's .csv): no EEG file
#: format eegpt reads (MNE reads one kind of .txt, BOXY's, which stays readable).
_TEXT_TABLES = (".txt", ".csv", ".tsv")


def _looks_like_text_table(path: Path) -> bool:
    """Whether the first lines of ``path`` read as a table of samples: below any ``%`` or
    ``#`` lines (OpenBCI's header), one of the first rows has two or more cells (split by
    commas, semicolons, tabs or spaces) at least half of them numbers (after a row of
    names, or not). Anything else (a damaged file, text that is no table) keeps MNE's own
    error."""
    from eegpt.text_tables import is_number, table_head

    try:
        head, _ = table_head(path, 16384)
    except (OSError, ValueError):  # unreadable, or not text
        return False
    lines = [ln.strip() for ln in head.splitlines()]
    rows = [ln for ln in lines if ln and not ln.startswith(("%", "#"))][:5]
    for row in rows:
        cells = [cell for cell in re.split(r"[,;\t ]+", row) if cell]
        if len(cells) >= 2 and 2 * sum(is_number(cell) for cell in cells) >= len(cells):
            return True
    return False


def _text_table_reason(path: Path) -> str:
    """Why a text table of samples is not read as a recording, and the routes that read it."""
    return (
        f"a {path.suffix} file of samples (a device's export, such as OpenBCI's or Mind "
        "Monitor's) is a text table, not an EEG file format eegpt reads. Load its EEG columns "
        "in Python (their names and units depend on the device and app) and embed the array: "
        "model.embed(x, ch_names=[...], sfreq=..., units='uV'), x channels x samples; or "
        "build mne.io.RawArray(x * 1e-6, mne.create_info(names, sfreq, 'eeg')) and save it "
        "(raw.save('rec_raw.fif')) for the command line. README: 'From a device's CSV'"
    )


def _missing_reader_hint(err: BaseException) -> str:
    """What to add to a reader's error that a package MNE reads the format with would avoid
    (its own missing-package errors say ``pip install`` already): an EEGLAB ``.set`` saved as
    MATLAB v7.3 (HDF5), which SciPy, MNE's reader without pymatreader, cannot open."""
    if isinstance(err, NotImplementedError) and "matlab v7.3" in str(err).lower():
        return (
            ". The file is saved as MATLAB v7.3 (HDF5), which MNE reads with pymatreader: "
            "pip install pymatreader (it brings h5py); or save it again in EEGLAB in the "
            "MATLAB v7 format (pop_saveset(EEG, ..., 'version', '7'))"
        )
    return ""


# How readers say a file is missing: OSError's own words, MNE's EEGLAB reader's.
_NOT_FOUND = re.compile(r"No such file or directory: '(.+)'|^File (.+) not found\.?$")


def missing_file_reason(path: Path, err: BaseException) -> str | None:
    """Why ``path`` could not be read when its reader raised ``err`` for another file that
    ``path`` names and that is missing (a BrainVision header's data or marker file, an EEGLAB
    ``.set``'s ``.fdt``): which file, which line names it, and what to do; None for other
    errors (and for a missing BIDS sidecar, ``.tsv``/``.json``)."""
    if not isinstance(err, FileNotFoundError):
        return None
    found = _NOT_FOUND.search(str(err))
    named = err.filename or (found and (found[1] or found[2]))
    if not named:
        return None
    missing = Path(named)
    if missing.name == path.name or missing.suffix.lower() in (".tsv", ".json"):
        return None
    where = (
        f"which is not in the folder {os.path.join(missing.parent, '')}"
        if missing.parent != Path()
        else "which is missing"
    )
    if path.suffix.lower() == ".vhdr":
        key = _header_line_naming(path, missing.name) or "DataFile"
        return (
            f"its header's {key}= line names {missing.name}, {where}: restore that file, or, "
            f"if it was renamed, write its new name on the {key}= line of {path.name} (a "
            "BrainVision recording is three files, the .vhdr naming the other two)"
        )
    if path.suffix.lower() == ".set":
        return (
            f"its samples are kept in {missing.name} (an EEGLAB .fdt file the .set names), "
            f"{where}: copy the .fdt beside the .set, or save the recording again in EEGLAB "
            "with its samples inside the .set"
        )
    return f"a file it names, {missing.name}, {where}: restore it beside {path.name}"


def _header_line_naming(header: Path, name: str) -> str | None:
    """The key (``DataFile``, ``MarkerFile``) of the BrainVision ``header``'s line that names
    the file ``name``; None when no line does or the header cannot be read."""
    try:
        with open(header, "rb") as f:
            text = f.read(1 << 16).decode("latin-1")  # [Common Infos] opens the file
    except OSError:
        return None
    line = re.search(rf"^((?i:DataFile|MarkerFile))\s*=\s*{re.escape(name)}\s*$", text, re.M)
    return (
        None
        if line is None
        else {"datafile": "DataFile", "markerfile": "MarkerFile"}[line[1].lower()]
    )


def _fif_truncated(detail: str) -> str:
    """Why a FIF file cut short cannot be read; ``detail``: what was found."""
    return (
        "the file looks truncated or corrupt: a block of its data is shorter than its tag says "
        f"({detail}); restore it from a complete copy"
    )


def _refuse_cut_fif(path: Path) -> None:
    """Refuse a FIF file whose chain of tags runs past its end (cut short). MNE warns of it
    ("Invalid tag", only at its log level "warning") and reads the samples before the cut,
    which would make a damaged file look like a short recording. Only the 16-byte tag
    headers are read; a compressed file (``.fif.gz``) is left to MNE."""
    if not path.name.lower().endswith(".fif"):
        return
    size, pos, seen = path.stat().st_size, 0, 0
    with open(path, "rb") as fh:
        while pos != size:  # a chain that ends at the file's end is whole
            fh.seek(pos)
            head = fh.read(16)
            if len(head) < 16:
                raise RecordingError(
                    f"could not read EEG file {path}: "
                    + _fif_truncated(f"its tags lead to byte {pos}, past its end at {size}")
                )
            _, _, n_bytes, following = struct.unpack(">iIii", head)
            nxt = pos + 16 + n_bytes if following == 0 else following  # 0: the next in place
            seen += 1
            if following == -1 or nxt <= pos or seen > size // 16:
                return  # the last tag (-1), or no chain to follow (MNE says what is wrong)
            pos = nxt


# NumPy's words when MNE reads a FIF tag's data cut short (a truncated or corrupt file)
_SHORT_BUFFER = re.compile(
    r"buffer size must be a multiple of element size|cannot reshape array of size \d+ into"
)


def _fif_cut_short(path: Path, err: Exception) -> bool:
    """Whether MNE failed on a FIF file because a tag's data are shorter than the tag says."""
    fif = path.name.lower().endswith((".fif", ".fif.gz"))
    return fif and isinstance(err, ValueError) and bool(_SHORT_BUFFER.search(str(err)))


# MNE's notice that a FIF file's name does not end in raw.fif (and the like): about the name,
# which eegpt does not need, not the data; left out so as not to count as a warning about it
_MNE_NAMING = re.compile(r".*does not conform to MNE naming conventions")
# MNE's words for an EDF/BDF file whose records the header miscounts (check_edf_header has
# said so, with the numbers)
_MNE_RECORD_COUNT = re.compile(r"Number of records from the header does not match")
# ... and for the annotations of a discontinuous file, which mark_record_gaps places itself
_MNE_CROPPED_ANNOTATIONS = re.compile(r"(Omitted|Limited) \d+ annotation\(s\)")
# ... and for signals with equal physical (or digital) minimum and maximum, which
# _mark_unscalable names
_MNE_NO_PHYSICAL_RANGE = re.compile(
    r"Physical range is not defined|Scaling factor will not be defined"
)


def available_memory() -> int | None:
    """Bytes of memory available to new allocations, or None if unknown.

    The smaller of the system's ``MemAvailable`` and what the memory limits of the process's
    cgroup and those above it leave (a SLURM job's or container's; cgroup v2 or v1:
    :func:`eegpt._runtime.cgroup_memory_available`).
    """
    from eegpt._runtime import cgroup_memory_available

    limits = []
    try:
        with open("/proc/meminfo", encoding="ascii") as f:
            for line in f:
                if line.startswith("MemAvailable:"):
                    limits.append(int(line.split()[1]) * 1024)
    except (OSError, ValueError, IndexError):
        pass
    cgroup = cgroup_memory_available()
    if cgroup is not None:
        limits.append(cgroup)
    if not limits:
        try:
            limits.append(os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE"))
        except (AttributeError, OSError, ValueError):
            return None
    return max(0, min(limits))


def whole_read_bytes(raw: mne.io.BaseRaw, n_channels: int | None = None) -> int:
    """Bytes MNE holds to read ``n_channels`` (default: all) channels of ``raw`` whole: its
    float64 samples, and for an EDF/BDF/GDF file with channels at different rates, the
    float64 copy of every channel of the file at the top rate that MNE reads them into first
    (to upsample the slower ones). A lower bound of what a whole read needs: preprocessing
    copies the samples again (re-referenced, resampled, windows)."""
    n_channels = len(raw.ch_names) if n_channels is None else n_channels
    needed = n_channels * raw.n_times * 8
    rates = None if raw.preload else channel_rates(raw)
    if rates is not None and rates.min() < raw.info["sfreq"]:
        needed += len(raw.ch_names) * raw.n_times * 8
    return needed


def check_memory(
    raw: mne.io.BaseRaw,
    path: Path,
    n_channels: int | None = None,
    *,
    needed: int | None = None,
    what: str | None = None,
) -> None:
    """Refuse to read what would not fit in memory: ``n_channels`` (default: all) channels of
    ``raw`` whole (:func:`whole_read_bytes`), or ``needed`` bytes for ``what`` (words that
    follow the file's name, ending where "needs at least N GiB" follows)."""
    n_channels = len(raw.ch_names) if n_channels is None else n_channels
    if needed is None:
        needed = whole_read_bytes(raw, n_channels)
    if what is None:
        what = (
            f"loading {n_channels} channels x {raw.n_times} samples "
            f"({raw.n_times / raw.info['sfreq']:g} s at {raw.info['sfreq']:g} Hz, as the "
            "file's header claims)"
        )
    available = available_memory()
    if available is not None and needed > MEMORY_FRACTION * available:
        raise RecordingError(
            f"{path}: {what} needs at least {needed / 2**30:.1f} GiB, more than "
            f"{MEMORY_FRACTION:.0%} of the {available / 2**30:.1f} GiB of memory available "
            "(the smaller of the system's and this process's cgroup limit: a SLURM job's "
            "--mem). If the recording is not that long, its header is corrupt: check it; "
            "otherwise crop the recording or pick fewer channels."
        )


def channel_rates(raw: mne.io.BaseRaw) -> np.ndarray | None:
    """Native sampling rate (Hz) of each channel of an EDF/BDF/GDF ``raw``, else None.

    MNE upsamples channels stored at lower rates to ``raw.info["sfreq"]``; this says which.
    """
    try:  # private MNE reader details: give up quietly if they change
        extras = raw._raw_extras[0]
        n_samps = np.asarray(extras["n_samps"])[np.asarray(extras["sel"])]
        record_length = float(np.atleast_1d(extras["record_length"])[0])
        if not raw.preload:  # channels picked from a Raw opened with preload=False
            n_samps = n_samps[np.asarray(raw._read_picks[0])]
    except (AttributeError, IndexError, KeyError, TypeError, ValueError):
        return None
    if len(n_samps) != len(raw.ch_names) or record_length <= 0:
        return None
    return n_samps / record_length


def samples_rate(raw: mne.io.BaseRaw) -> float:
    """The rate (Hz) of the samples MNE gives for ``raw``: ``raw.info["sfreq"]``, except for an
    EDF/BDF/GDF file with a channel typed stim stored faster than every other channel.

    MNE reads such a file at the stim channel's rate (every channel upsampled to it) but takes
    ``info["sfreq"]`` from the channels not typed stim, so the samples come faster than
    ``info["sfreq"]`` says by the ratio of the two rates (kept by a resampling in MNE).
    """
    sfreq = float(raw.info["sfreq"])
    rates = channel_rates(raw)
    if rates is None or not len(rates):
        return sfreq
    stim = set(mne.pick_types(raw.info, meg=False, ref_meg=False, stim=True, exclude=[]).tolist())
    others = [float(r) for i, r in enumerate(rates) if i not in stim]
    if not others:
        return sfreq
    return sfreq * float(rates.max()) / max(others)


def check_stretched(raw: mne.io.BaseRaw, source: str) -> None:
    """Refuse a Raw of an EDF/BDF/GDF file whose samples come faster than its
    ``info["sfreq"]`` says (:func:`samples_rate`): a channel typed stim stored faster than the
    EEG, which MNE reads every channel at while giving the EEG's rate, so that the recording
    would be embedded stretched in time."""
    rate, sfreq = samples_rate(raw), float(raw.info["sfreq"])
    if abs(rate - sfreq) <= 1e-6 * sfreq:
        return
    rates = channel_rates(raw)
    top = 0.0 if rates is None else float(rates.max())
    fast = (
        [] if rates is None else [n for n, r in zip(raw.ch_names, rates, strict=True) if r == top]
    )
    others = top * sfreq / rate
    quoted = ", ".join(repr(n) for n in fast[:6])
    found = (
        f"{source}: {few(fast) or 'a stim channel'} stored at {top:g} Hz beside channels at "
        f"{others:g} Hz: MNE reads every channel at {top:g} Hz but gives info['sfreq'] as the "
        f"rate of the channels not typed stim, so the recording would be embedded stretched "
        f"{rate / sfreq:g} times in time. "
    )
    if _is_bids_file(source):
        raise RecordingError(
            found + "A file of a BIDS dataset is read through MNE-BIDS, with its sidecars "
            "(its *_channels.tsv lists every channel), so eegpt cannot leave them out as it "
            "does for other files. Read it without them in Python and give eegpt the Raw "
            f"(its sidecars not applied): mne.io.read_raw_edf(path, exclude=[{quoted}]), or "
            "store the trigger channel at the EEG's rate"
        )
    raise RecordingError(
        found + "Give eegpt the file's path (it reads the EEG at its own rate, and "
        "--events-from-stim reads the triggers at theirs), or read it without them: "
        f"mne.io.read_raw_edf(path, exclude=[{quoted}])"
    )


def _is_bids_file(source: str) -> bool:
    """Whether ``source`` (a recording's name) is the path of a file of a BIDS dataset, which
    eegpt reads through MNE-BIDS (:func:`eegpt.bids.bids_root`)."""
    from eegpt.bids import bids_root

    path = Path(source)
    try:
        return path.is_file() and bids_root(path) is not None
    except OSError:  # a name that is no path
        return False


def check_whole_reads(
    inst: mne.io.BaseRaw | mne.BaseEpochs, used: Sequence[int], source: str
) -> None:
    """Refuse an MNE object whose samples MNE would read wrongly: opened with
    ``preload=False`` from an EDF/BDF/GDF file with channels at different rates, and either
    cropped or cut into epochs. MNE upsamples the slower channels over the span it reads, so a
    part of the file read alone differs from the same part of a whole read, in every sample
    (mne-tools/mne-python#10635). Read whole, as eegpt reads such files, it is exact.

    Parameters
    ----------
    inst : mne.io.Raw | mne.Epochs
    used : sequence of int
        Indices of the channels that will be read (into ``inst.ch_names``).
    source : str
        Names the recording in the message.
    """
    epochs = isinstance(inst, mne.BaseEpochs)
    raw = getattr(inst, "_raw", None) if epochs else inst  # private: an Epochs' lazy Raw
    if isinstance(raw, (list, tuple)):
        raw = raw[0] if raw else None
    if isinstance(raw, mne.io.BaseRaw):
        check_stretched(raw, source)
    if not isinstance(raw, mne.io.BaseRaw) or raw.preload:
        return
    rates = channel_rates(raw)
    if rates is None or rates.min() >= raw.info["sfreq"]:
        return
    if epochs:
        by_name = dict(zip(raw.ch_names, rates, strict=True))
        slow = [
            inst.ch_names[i] for i in used if by_name.get(inst.ch_names[i], 0) < raw.info["sfreq"]
        ]
        what = "these epochs were cut from a Raw read with preload=False"
        how = (
            "read the file with preload=True before making the epochs "
            "(mne.io.read_raw_edf(path, preload=True))"
        )
    else:
        slow = [inst.ch_names[i] for i in used if rates[i] < raw.info["sfreq"]]
        try:  # private MNE details: each file's span as read, against its length
            spans = zip(raw._first_samps, raw._last_samps, raw._raw_extras, strict=True)
            if all(first == 0 and last == int(x["nsamples"]) - 1 for first, last, x in spans):
                return
        except (AttributeError, KeyError, TypeError, ValueError):
            return
        what = "this Raw was read with preload=False and cropped"
        how = (
            "read the file with preload=True before cropping "
            "(mne.io.read_raw_edf(path, preload=True).crop(...)), or embed the whole file and "
            "keep the windows you need by their onsets"
        )
    if slow:
        raise RecordingError(
            f"{source}: {what}, from a file whose channels are stored at different sampling "
            f"rates. MNE upsamples {few(slow)} over each span it reads, so reading part of the "
            "file changes every one of their samples (mne-tools/mne-python#10635). To embed "
            f"it, {how}."
        )


def refuse_unreadable_input(path: Path) -> None:
    """Refuse, by its name and kind alone (before any reading, and before ``eegpt embed``
    loads the model), what is no recording of its own: a folder (not a recording folder such
    as EGI's ``.mff``), pointing to ``eegpt embed-dataset``; the data or marker file of a
    BrainVision or EEGLAB recording, naming its header to give instead
    (:func:`refuse_eeglab_data_file`, :func:`refuse_brainvision_data_file`)."""
    if path.is_dir() and not is_recording_folder(path):
        raise RecordingError(
            f"{path} is a folder, not a recording; give one of its files, or embed all of them "
            "with `eegpt embed-dataset` (eegpt.embed_dataset)"
        )
    refuse_eeglab_data_file(path)
    refuse_brainvision_data_file(path)


def refuse_eeglab_data_file(path: Path) -> None:
    """Refuse EEGLAB's ``.fdt`` file (the samples alone), naming the ``.set`` file to give
    instead: it holds the header and events, and names its ``.fdt``."""
    if path.suffix.lower() != ".fdt":
        return
    found = [path.with_suffix(s) for s in (".set", ".SET") if path.with_suffix(s).is_file()]
    give = (
        f"give {found[0]} instead, which reads the .fdt with it"
        if found
        else f"give the .set file that names it instead (there is no {path.stem}.set beside it)"
    )
    raise RecordingError(
        f"{path} is the data file of an EEGLAB recording: it holds the samples alone, without "
        f"the channels, sampling rate and events, which its .set file holds; {give}"
    )


def refuse_brainvision_data_file(path: Path) -> None:
    """Refuse a BrainVision ``.eeg`` file (the samples alone) that a ``.vhdr`` header names,
    naming that ``.vhdr`` to give instead: MNE would read the ``.eeg`` as a Nihon Kohden
    recording and fail in that format's terms. A ``.eeg`` no ``.vhdr`` beside it names is left
    to MNE's Nihon Kohden reader where it begins as a Nihon Kohden file does, and refused
    otherwise (a BrainVision ``.eeg`` whose ``.vhdr`` was left behind: MNE's Nihon Kohden
    reader failed on it with a ``UnicodeDecodeError``). A BrainVision ``.vmrk`` (the markers alone) is refused
    likewise, naming the ``.vhdr`` beside it where there is one."""
    if path.suffix.lower() == ".vmrk" and path.is_file():
        beside = [path.with_suffix(s) for s in (".vhdr", ".VHDR") if path.with_suffix(s).is_file()]
        give = (
            f"give {beside[0]} instead, which reads the .vmrk with it"
            if beside
            else f"give the .vhdr file that names it instead (no {path.stem}.vhdr is beside it)"
        )
        raise RecordingError(
            f"{path} is the marker file of a BrainVision recording: it holds the markers alone, "
            f"without the samples and channels, which its .eeg and .vhdr files hold; {give}"
        )
    if path.suffix.lower() != ".eeg" or not path.is_file():
        return
    header = _brainvision_header(path)
    if header is not None:
        raise RecordingError(
            f"{path} is the data file of a BrainVision recording: it holds the samples alone, "
            "without the channels, sampling rate and markers, which its .vhdr file holds; give "
            f"{header} instead, which reads the .eeg with it"
        )
    with open(path, "rb") as file:
        start = file.read(16)
    if not _NIHON_KOHDEN_DEVICE.match(start):
        raise RecordingError(
            f"{path} is no Nihon Kohden recording (those begin with the device's name, as "
            f"'EEG-1100A V01.00'; it begins {start[:16]!r}), and no BrainVision header (.vhdr) "
            "beside it names it: a BrainVision .eeg holds the samples alone, without the "
            "channels and sampling rate. Give the recording's .vhdr file, with its .eeg and "
            ".vmrk beside it (copy them along if they were left behind)"
        )


#: How a Nihon Kohden .EEG file begins: its device's name and version, 16 bytes
#: ("EEG-1100A V01.00", "QI-403A   V02.00", "DAE-2100D V01.30")
_NIHON_KOHDEN_DEVICE = re.compile(rb"[A-Z]{2,4}-[0-9A-Z]+ +V\d\d\.\d\d")


def companion_files(header: Path) -> list[Path]:
    """The files read through the recording file ``header`` besides it, that exist: a
    BrainVision ``.vhdr``'s data file (``DataFile=``) and marker file (``MarkerFile=``; else
    those of its name beside it, as MNE falls back to), an EEGLAB ``.set``'s ``.fdt`` of its
    name; none for other files. Given as inputs beside their header they are no recordings of
    their own (:func:`refuse_brainvision_data_file`, :func:`refuse_eeglab_data_file`)."""
    suffix = header.suffix.lower()
    found: list[Path] = []
    if suffix == ".vhdr" and header.is_file():
        try:
            named = _vhdr_fields(header).get("datafile", "")
        except OSError:
            named = ""
        found = (
            [header.parent / named] if named else [header.with_suffix(s) for s in (".eeg", ".EEG")]
        )
        found.append(_brainvision_marker_file(header) or header.with_suffix(".vmrk"))
    elif suffix == ".set":
        found = [header.with_suffix(s) for s in (".fdt", ".FDT")]
    return [f for f in dict.fromkeys(found) if f.is_file()]


def _read_brainvision_codepage(
    path: Path,
    verbose: Verbose,
    exclude: Sequence[str],
    skip: re.Pattern[str] | None,
) -> mne.io.BaseRaw:
    """Read the BrainVision recording ``path`` (its ``.vhdr``) whose marker file MNE could not
    open as UTF-8 text: one in the Windows codepage (``Codepage=ANSI``), or not in the one it
    names. Its samples and header are read as ever (from the original files); its markers as
    MNE decodes them, by their ``Codepage``, Latin-1 where the bytes do not fit it (said in a
    warning). Raises a :class:`RecordingError` naming the file that still cannot be read: the
    marker file, or the header (one in a codepage Python does not know)."""
    marker = _brainvision_marker_file(path)
    try:
        with _brainvision_text_as_latin1():
            raw = mne_call(path, lambda: _read_lazily(path, verbose, exclude), skip)
    except RecordingError as err:
        if not _undecodable(err):
            raise
        # MNE reads the header first, decoding it by its Codepage (a LookupError where Python
        # knows none such), then the marker file: the header failed if its codepage did
        header = marker is None or not _known_codepage(_marker_codepage(path))
        what, which = (
            ("its header", "header") if header else (f"its marker file {marker}", "marker file")
        )
        raise RecordingError(
            f"could not read EEG file {path}: {what} is not text in an encoding it can be "
            f"read in ({err.__cause__ or err}); save the {which} as UTF-8 with the line "
            "Codepage=UTF-8 (BrainVision Analyzer's export, or a text editor, does so)"
        ) from err
    if marker is not None:
        codepage = _marker_codepage(marker)
        try:
            marker.read_bytes().decode(codepage)
        except (UnicodeDecodeError, LookupError):
            texts = few(sorted(set(raw.annotations.description)), 6)
            said = (
                "as its Codepage line says"
                if b"Codepage=" in marker.read_bytes()
                else "(it has no Codepage line, which means UTF-8)"
            )
            _warn(
                f"{path}: its marker file {marker} is not {codepage} text {said}; its markers "
                f"were read as Latin-1 (ISO 8859-1). Check that their texts read right: "
                f"{texts}; save the marker file as UTF-8 to be sure."
            )
    return raw


def as_recording(
    obj: Any,
    *,
    ch_names: Sequence[str] | None = None,
    sfreq: float | None = None,
    units: Units = "V",
    picks: str | Sequence[str] | Sequence[int] | None = "eeg",
    verbose: Verbose = None,
    exclude: Sequence[str] = (),
    bads: Sequence[str] = (),
) -> Recording | list[Recording]:
    """Turn a path, an MNE object or an array into a checked :class:`Recording` (volts).

    Parameters
    ----------
    obj : path-like | mne.io.BaseRaw | mne.BaseEpochs | ndarray | Recording | list
        The data. A path is read with :func:`read_recording`; an ``.npz`` of epochs arrays
        (``X`` [n_epochs, C, T], ``ch_names``, ``sfreq``, ``units``, ``y``) with
        :func:`read_npz_epochs`, as the probe commands read it. ``Raw`` gives a continuous
        recording with ``data`` of shape (n_channels, n_times). ``Epochs`` gives an epoched one
        with ``data`` of shape (n_epochs, n_channels, n_times) and ``onsets`` in seconds taken
        from the events (``events[:, 0] / raw_sfreq + tmin``, i.e. in the events' time base,
        which includes ``raw.first_samp`` for FIF data, at the rate of the Raw they were cut
        from, so decimated or resampled epochs keep their times; left ``None`` for the placeholder events
        0, 1, 2, ... of ``EpochsArray``); epochs read by ``mne.read_epochs_eeglab`` are named
        and timed by their time-locking events as a ``.set`` path's are (the object itself is
        left as it is). An array must be (n_channels, n_times) or
        (n_epochs, n_channels, n_times) and needs ``ch_names`` and ``sfreq``. A ``Recording`` is
        returned unchanged, and a list or tuple of paths/MNE objects gives a list. NaN/Inf
        samples are refused later, by :func:`~eegpt.preprocessing.prepare`, in the channels used.
    ch_names : sequence of str | None
        Channel names of array input (one per row); must be None for other input.
    sfreq : float | None
        Sampling rate of array input in Hz; must be None for other input.
    units : ``"V"`` | ``"mV"`` | ``"uV"`` | ``"µV"``
        Unit of array input, converted to volts (integer samples too, e.g. an amplifier's
        microvolts; integers in volts are refused); any letter case (``"uv"``), but ``"MV"``. MNE objects are always in volts, so it must
        be ``"V"`` for them.
    picks : str | list of str | list of int | None
        Channels of MNE input: a channel type (default ``"eeg"``; EDF readers type every signal
        as EEG, non-EEG names are then dropped later by :func:`~eegpt.channels.map_channels`),
        several (``["eeg", "misc"]``, for electrodes a file types ``misc``), ``"data"``,
        ``"all"``/None, or channel names or indices (kept in recording order). Channels in
        ``info["bads"]`` are left out of type-based picks, with a warning.
    verbose : bool | str | int | None
        Passed to MNE; True also logs a summary to the ``"eegpt"`` logger.
    exclude : sequence of str
        For an EDF/BDF path: channels not to read at all, so that MNE does not read the file
        at their higher rate (see :func:`eegpt.streaming.faster_unused_channels`).
    bads : sequence of str
        For a path: channels to mark bad besides those the file marks (:func:`mark_bad`), so
        left out like them; a name the file lacks is an error.

    Returns
    -------
    Recording | list of Recording
        A list exactly when ``obj`` is a list or tuple of paths / MNE objects.

    Raises
    ------
    ValueError
        On missing or inconsistent ``ch_names``/``sfreq``, an unknown unit, and the checks of
        :class:`Recording` (duplicate names, no channels, non-float dtype).
    TypeError
        On an unsupported input type.
    """
    check_verbose(verbose)  # a wrong type: a TypeError, before the file is opened
    if isinstance(obj, (list, tuple)) and obj and all(_is_container_item(o) for o in obj):
        kwargs: dict[str, Any] = dict(ch_names=ch_names, sfreq=sfreq, units=units, picks=picks,
                                      verbose=verbose, bads=bads)  # fmt: skip
        return [as_recording(o, **kwargs) for o in obj]  # type: ignore[misc]
    if isinstance(obj, Recording) and not bads:
        return obj
    if isinstance(obj, (str, os.PathLike)):
        require_array_args_absent(ch_names, sfreq, units, str(obj))
        path = Path(obj).expanduser()
        if is_npz(path):  # epochs arrays X, ch_names, sfreq (units, y), as the probe reads them
            refuse_picks_for_array(picks, str(path))  # its channels are the rows of X
            return read_npz_epochs(path, verbose, bads)
        if is_epochs_file(path):
            return _from_mne(_read_epochs_marked(path, bads, verbose), picks, str(obj), verbose)
        try:
            raw, header = open_recording(path, preload=True, verbose=verbose, exclude=exclude)
        except RecordingError as err:
            if not holds_epochs_instead(err):
                raise
            return _from_mne(_read_epochs_marked(path, bads, verbose), picks, str(obj), verbose)
        mark_bad(raw, bads, str(obj))
        file_units = file_units_of(raw, header)
        rec = _from_mne(raw, picks, source=str(obj), verbose=verbose, file_units=file_units)
        if header is not None:
            rec.clock, rec.truncated = header.clock, header.truncated
            rec.first_time = (rec.first_time or 0.0) + header.start_offset  # EDF+ sub-second
        else:  # a BrainVision data file cut short, or paused (said while reading)
            rec.truncated = brainvision_truncated(path, raw)
            rec.clock = brainvision_clock(path, raw)
        return rec
    if bads:
        raise RecordingError(
            f"bads={list(bads)!r} applies to a file path only; mark the channels of an MNE "
            "object in its info['bads']"
        )
    if isinstance(obj, (mne.io.BaseRaw, mne.BaseEpochs)):
        source = mne_source(obj)
        require_array_args_absent(ch_names, sfreq, units, source)
        if isinstance(obj, mne.io.BaseRaw):
            warn_discontinuous_raw(obj, source)
            warn_paused_raw(obj, source)
        else:
            obj = time_locked(obj)  # mne.read_epochs_eeglab's, named as a .set path's are
        return _from_mne(obj, picks, source=source, verbose=verbose)
    refuse_braindecode(obj)
    refuse_evoked(obj)
    if isinstance(obj, np.ndarray) or hasattr(obj, "__array__") or isinstance(obj, (list, tuple)):
        refuse_picks_for_array(picks)
        return _from_array(obj, ch_names, sfreq, units, verbose)
    raise TypeError(
        f"cannot make an EEG recording from {type(obj).__name__}; pass a file path, an "
        "mne.io.Raw, an mne.Epochs or a NumPy array with ch_names and sfreq"
    )


def is_npz(path: PathLike) -> bool:
    """Whether ``path`` names a NumPy ``.npz`` archive: epochs arrays (read by
    :func:`read_npz_epochs`) or embeddings written by ``eegpt embed``."""
    return Path(path).suffix.lower() == ".npz"


def read_npz_epochs(path: Path, verbose: Verbose = None, bads: Sequence[str] = ()) -> Recording:
    """An ``.npz`` of epochs arrays as an epoched :class:`Recording` (volts), read as the probe
    commands read it (:func:`eegpt.probe_label_files._read_one`): ``X`` [n_epochs, C, T] in
    ``units`` (``"V"``, ``"mV"`` or ``"uV"``; volts when absent), ``ch_names`` [C], ``sfreq``
    (Hz) and, if present, ``y`` [n_epochs], kept as the epochs' ``labels``. An embeddings file
    of ``eegpt embed`` (an ``.npz`` too: an output, not a recording) is refused, saying how to
    load it; ``bads`` (channels to leave out) is refused too: an array's channels are its rows."""
    from eegpt.probe_label_files import _read_one

    with np.load(path, allow_pickle=False) as f:
        names = list(f.files)
    if "embeddings" in names and "X" not in names:
        raise RecordingError(
            f"{path} is an embeddings file written by eegpt embed (EEGPT embeddings, an output), "
            "not a recording to embed. Load it with eegpt.load_embeddings(path) (eegpt info "
            "describes it; eegpt export converts it). To embed epochs arrays, give an .npz with "
            "X [n_epochs, n_channels, n_times], ch_names, sfreq (and units, y), as the probe "
            "commands take, or in Python model.embed(X, ch_names=..., sfreq=..., units='uV')"
        )
    if bads:
        raise RecordingError(
            f"{path}: bads={list(bads)!r} applies to recording files; the channels of an .npz's "
            "X are its rows: leave the rows out (X[:, rows]) with their ch_names"
        )
    rec, y = _read_one(path, verbose)
    labels = None if y is None else [str(v) for v in np.asarray(y).tolist()]
    return replace(rec, labels=labels)


def _read_epochs_marked(path: Path, bads: Sequence[str], verbose: Verbose) -> mne.BaseEpochs:
    """:func:`read_epochs_file`, with the channels ``bads`` marked bad (:func:`mark_bad`)."""
    epochs = read_epochs_file(path, verbose)
    mark_bad(epochs, bads, str(path))
    return epochs


def _is_container_item(obj: Any) -> bool:
    return isinstance(obj, (str, os.PathLike, mne.io.BaseRaw, mne.BaseEpochs, Recording))


def require_array_args_absent(
    ch_names: Sequence[str] | None, sfreq: float | None, units: str, source: str
) -> None:
    """Raise a :class:`RecordingError` when ``ch_names``, ``sfreq`` or ``units`` (other than
    volts) is given for an input that carries its own (an MNE object or a file, ``source``)."""
    given = [
        name for name, value in (("ch_names", ch_names), ("sfreq", sfreq)) if value is not None
    ]
    if given:
        raise RecordingError(
            f"{source}: {' and '.join(given)} {'apply' if len(given) > 1 else 'applies'} to "
            "array input only; MNE objects and files carry their own (use "
            "raw.rename_channels / raw.resample to change them)"
        )
    if units != "V":
        raise RecordingError(
            f"{source}: units={units!r} applies to array input only; MNE returns data in volts. "
            "If a file is mis-scaled, fix it with raw.apply_function(lambda x: x * factor)."
        )


def refuse_picks_for_array(picks: Any, source: str = "<array>") -> None:
    """Raise a :class:`RecordingError` for ``picks`` other than the default ``"eeg"`` with
    array input, which has no channel types to pick by (the opposite of
    :func:`require_array_args_absent`): its channels are its rows, chosen before."""
    if isinstance(picks, str) and picks == "eeg":
        return
    raise RecordingError(
        f"{source}: picks={picks!r} applies to files and MNE objects only; an array's "
        "channels are its rows: select the rows to embed (x[rows] for [C, T], x[:, rows] for "
        "[n_epochs, C, T]) and pass the ch_names of the rows kept"
    )


def file_units_of(raw: mne.io.BaseRaw, header: EDFHeader | None) -> dict[str, str] | None:
    """Channel name -> unit string as the file's header states it: an EDF/BDF file's physical
    dimensions (``header``), else the units MNE's reader took from the header of formats that
    state one per channel (BrainVision's .vhdr: ``raw._orig_units``, its "µV" default
    included); None where the file states none (FIF, EEGLAB, ...).

    MNE drops annotation signals and may rename duplicate labels; channels whose label cannot be
    matched are left out, and so are BrainVision channels in nanovolts (which MNE converts, but
    an EDF reader would not: the unit check would misname them).
    """
    if header is None:
        if type(raw).__name__ != "RawBrainVision":  # from a .vhdr (an .ahdr's too)
            return None  # other readers' units are MNE's own, not the header's
        stated = getattr(raw, "_orig_units", None) or {}
        return {
            n: str(stated[n]) for n in raw.ch_names if n in stated and stated[n] != "nV"
        } or None
    by_label = {header.labels[k]: header.units[k] for k in header.data_signals}
    return {name: by_label[name] for name in raw.ch_names if name in by_label}


def unapplied_projectors(info: mne.Info) -> list[tuple[str, tuple[str, ...]]]:
    """The SSP projectors of ``info`` that are stored but not applied (``active`` False), as
    (description, the channels each acts on)."""
    pending = []
    for proj in info["projs"]:
        if proj["active"]:
            continue
        weights = np.atleast_2d(np.asarray(proj["data"]["data"]))
        acts = np.any(weights != 0, axis=0)
        names = tuple(n for n, on in zip(proj["data"]["col_names"], acts, strict=True) if on)
        pending.append((str(proj["desc"]), names))
    return pending


def stored_projections(info: mne.Info) -> list[dict[str, Any]] | None:
    """The SSP projectors stored in ``info`` (``info["projs"]``), each as its description and
    whether it was applied to the data before eegpt read them (MNE's ``active``: an average
    reference or ECG/EOG projectors after ``raw.apply_proj()``), for the output's provenance;
    None for none."""
    return [
        {"desc": str(proj["desc"]), "applied": bool(proj["active"])} for proj in info["projs"]
    ] or None


def warn_unapplied_projectors(
    projectors: Sequence[tuple[str, Sequence[str]]] | None,
    names: Sequence[str],
    source: str,
    *,
    average_reference: bool = False,
    epoched: bool = False,
) -> None:
    """Warn when SSP projectors that are stored but not applied (:func:`unapplied_projectors`)
    act on any of the used channels ``names``: eegpt does not apply them, whereas MNE
    applies such projectors when it cuts ``mne.Epochs`` (``proj=True``), so the two would
    differ. The usual case is ``raw.set_eeg_reference("average", projection=True)`` saved to a
    FIF file. With ``average_reference`` the data are average-referenced all the same, over the
    used channels: an average-reference projector over exactly them is what eegpt applies
    anyway, so it is not named; over other channels, the warning says how the two averages
    differ. Without it the samples are embedded as stored, and the warning says so."""
    used = set(names)
    pending = [(desc, set(chans)) for desc, chans in projectors or () if used & set(chans)]
    if average_reference:
        pending = [(d, c) for d, c in pending if not ("average" in d.lower() and c == used)]
    if not pending:
        return
    descs = [desc for desc, _ in pending]
    averages = [chans for desc, chans in pending if "average" in desc.lower()]
    apply = "epochs.apply_proj()" if epoched else "raw.apply_proj()"
    text = f"{source}: {len(pending)} SSP projector(s) are stored but not applied ({descs}); "
    if averages and average_reference:  # referenced, but to other channels than the projector's
        chans = averages[0]
        only_file, only_used = sorted(chans - used), sorted(used - chans)
        others = [desc for desc in descs if "average" not in desc.lower()]
        text += (
            "eegpt does not apply them"
            + ("" if epoched else " (mne.Epochs apply them by default)")
            + " but average-references the data itself (average_reference=True, the "
            f"default): it subtracts the mean of the {len(used)} channels eegpt uses, the "
            f"projector the mean of its {len(chans)}"
            + (f", including {few(only_file)} that eegpt does not use" if only_file else "")
            + (f", without {few(only_used)}" if only_used else "")
            + (
                f"; the others ({others}) are left out: apply them first ({apply})"
                if others
                else ""
            )
            + f". To reference to the file's channels, apply the projector ({apply}) and pass "
            "average_reference=False (--no-average-reference)"
        )
        _warn(text + ".")
        return
    if epoched:  # mne.Epochs made with proj=False or proj="delayed"
        text += "eegpt embeds the epochs as stored, without them. Apply them first (epochs.apply_proj())"
    else:
        text += (
            "eegpt embeds the data as stored, without them (mne.Epochs apply them by default). "
            "Apply them first (raw.apply_proj())"
        )
    if averages:  # average_reference=False (--no-average-reference) was asked for
        text += (
            ", or for the average reference over the channels eegpt uses leave "
            "average_reference at its default, True (without --no-average-reference)"
        )
    _warn(text + ".")


def _from_mne(
    inst: mne.io.BaseRaw | mne.BaseEpochs,
    picks: Any,
    source: str,
    verbose: Any,
    file_units: dict[str, str] | None = None,
) -> Recording:
    idx = pick_indices(inst.info, picks, source)
    check_whole_reads(inst, idx, source)
    names = [inst.ch_names[i] for i in idx]
    all_types = inst.get_channel_types()
    types = [all_types[i] for i in idx]
    sfreq = float(inst.info["sfreq"])
    with mne_state_held():
        data = inst.get_data(picks=idx, verbose=mne_verbose(verbose))  # lazy epochs log loading
    units = None
    if file_units is not None and all(name in file_units for name in names):
        units = [file_units[name] for name in names]
    onsets = labels = annotations = per_epoch = selection = metadata = rates = None
    if isinstance(inst, mne.io.BaseRaw):
        annotations = annotations_of(inst)
        stored = channel_rates(inst)
        rates = None if stored is None else [float(stored[i]) for i in idx]
    elif inst.annotations is not None and len(inst.annotations):
        per_epoch = epoch_annotations(inst)
    if isinstance(inst, mne.BaseEpochs):
        events = inst.events[:, 0]
        if not np.array_equal(events, np.arange(len(events))):  # EpochsArray placeholder
            onsets = events / events_sfreq(inst) + inst.tmin
        labels = epochs_labels(inst).tolist()
        if not np.array_equal(inst.selection, np.arange(len(inst.selection))):
            selection = [int(i) for i in inst.selection]
        if inst.metadata is not None:
            metadata = inst.metadata
    rec = Recording(
        data, names, sfreq, source=source, ch_types=types, onsets=onsets, units=units,
        labels=labels, annotations=annotations, epoch_annotations=per_epoch,
        first_time=float(inst.first_time) if isinstance(inst, mne.io.BaseRaw) else None,
        file_offset=file_offset(inst) if isinstance(inst, mne.io.BaseRaw) else None,
        meas_date=measurement_date(inst.info), selection=selection, epochs_metadata=metadata,
        date_clock=date_clock(inst) if inst.info.get("meas_date") is not None else None,
        projectors=unapplied_projectors(inst.info) or None, rates=rates,
        projections=stored_projections(inst.info),
        bads=[n for n in inst.info["bads"] if n not in names] or None,
        left_out=left_out_channels(inst.info, names), filters=recorded_filters(inst.info),
        baseline=epochs_baseline(inst) if isinstance(inst, mne.BaseEpochs) else None,
        tmin=float(inst.tmin) if isinstance(inst, mne.BaseEpochs) else None,
        baseline_recorded=isinstance(inst, mne.BaseEpochs) and not _from_eeglab(inst),
        detrend=epochs_detrend(inst) if isinstance(inst, mne.BaseEpochs) else None,
        detrend_recorded=epochs_detrend_known(inst),
        custom_ref=custom_reference(inst.info),
    )  # fmt: skip
    _log(_recording_summary(rec), verbose)
    return rec


def events_sfreq(epochs: mne.BaseEpochs) -> float:
    """The rate (Hz) that ``epochs.events[:, 0]`` count samples at: the Raw's the epochs were
    cut from. MNE keeps the events in the Raw's sample numbering when the epochs are decimated
    (``decim=``, ``epochs.decimate``) or resampled, and records that rate (``_raw_sfreq``, kept
    through ``save``/``read_epochs``); epochs that do not record it (``EpochsArray`` without
    ``raw_sfreq``, MNE releases without it) count at their own rate, ``info["sfreq"]``."""
    recorded = getattr(epochs, "_raw_sfreq", None)  # read_epochs gives a 1-element array
    try:
        rates = np.asarray(recorded if recorded is not None else [], dtype=float).ravel()
    except (TypeError, ValueError):
        rates = np.array([])
    if rates.size == 1 and np.isfinite(rates[0]) and rates[0] > 0:
        return float(rates[0])
    return float(epochs.info["sfreq"])


def _from_eeglab(epochs: mne.BaseEpochs) -> bool:
    """Whether ``epochs`` were read from an EEGLAB ``.set`` file, which records no baseline
    correction (EEGLAB's pop_rmbase leaves no trace MNE reads)."""
    return type(epochs).__name__ == "EpochsEEGLAB"


def epochs_baseline(epochs: mne.BaseEpochs) -> tuple[float | None, float | None] | None:
    """The interval MNE baseline-corrected ``epochs`` over (``epochs.baseline``, seconds
    relative to the event; None for either end left open), or None when it did not
    (``baseline=None``)."""
    baseline = getattr(epochs, "baseline", None)
    if baseline is None:
        return None
    start, end = baseline
    return (
        None if start is None else float(start),
        None if end is None else float(end),
    )


def custom_reference(info: Any) -> bool:
    """Whether MNE re-referenced a recording to a reference of the user's
    (``info["custom_ref_applied"]`` set by ``set_eeg_reference``, other than the average
    projector): eegpt's average reference replaces it."""
    return bool(info.get("custom_ref_applied"))


def epochs_detrend(epochs: mne.BaseEpochs) -> int | None:
    """The order of the trend MNE removed from each epoch as it cut ``epochs``
    (``epochs.detrend``: 0 the mean, the DC offset; 1 a least-squares line), or None for none
    (the default) or where the epochs do not say (read from a file, which does not store it)."""
    order = getattr(epochs, "detrend", None)
    return None if order is None else int(order)


def epochs_detrend_known(inst: Any) -> bool:
    """Whether ``inst`` tells the trend MNE removed from its epochs: epochs made in memory
    (``mne.Epochs`` keeps its ``detrend``; ``mne.EpochsArray`` has none) do, epochs read from
    a file do not (``-epo.fif`` stores no detrend, so ``epochs.detrend`` reads None whatever
    was done before saving), nor does anything else."""
    return isinstance(inst, (mne.Epochs, mne.EpochsArray))


def recorded_filters(info: Any) -> dict[str, float]:
    """The band an MNE recording was filtered to, for the provenance: ``{"highpass_hz": ...,
    "lowpass_hz": ...}`` from ``info`` (MNE's defaults, 0 and half the sampling rate, where
    nothing narrower is known)."""
    return {"highpass_hz": float(info["highpass"]), "lowpass_hz": float(info["lowpass"])}


def epoch_annotations(epochs: mne.BaseEpochs) -> list[list[str]]:
    """The descriptions of the annotations over each epoch, by the rule MNE applies when it
    cuts epochs (``reject_by_annotation``): ``onset < epoch end`` and ``onset + duration >
    epoch start``, so that epochs MNE kept are not flagged for a zero-duration annotation at
    their first sample (``Epochs.get_annotations_per_epoch`` counts that one too)."""
    start = float(epochs.tmin)
    end = start + len(epochs.times) / float(epochs.info["sfreq"])
    tol = 1e-6  # seconds: MNE's epoch-relative onsets carry rounding error
    out = []
    for ann in epochs.get_annotations_per_epoch():
        over = (d for onset, duration, d, *_ in ann if onset < end - tol and onset + duration > start + tol)  # fmt: skip
        out.append(list(dict.fromkeys(str(d) for d in over)))
    return out


#: The MNE readers whose measurement date is on a known clock (class name: clock): FIF stores
#: its date in UTC and EGI's ``.mff`` one with its zone (MNE brings it to UTC); EDF/BDF and
#: Nihon Kohden headers and BrainVision's ``New Segment`` marker hold the lab's local wall
#: clock, which MNE labels UTC all the same.
DATE_CLOCKS = {
    "mne.io.fiff.raw.Raw": "utc",
    "mne.epochs.EpochsFIF": "utc",
    "mne.io.egi.egimff.RawMff": "utc",
    "mne.io.edf.edf.RawEDF": "local",
    "mne.io.edf.edf.RawBDF": "local",
    "mne.io.brainvision.brainvision.RawBrainVision": "local",
    "mne.io.nihon.nihon.RawNihon": "local",  # the header's time, labelled UTC by MNE
}  # GDF: not said (its start's zone is not settled here): "unknown"


def date_clock(inst: Any) -> str:
    """Which clock ``inst.info["meas_date"]`` is on, by the reader that made ``inst``
    (:data:`DATE_CLOCKS`): ``"utc"``, ``"local"`` (the lab's wall clock, no zone) or
    ``"unknown"`` (other readers, ``RawArray``, ``mne.Epochs`` cut in memory). A FIF file
    MNE wrote from an EDF file carries the EDF's local clock as if UTC: it reads as ``"utc"``.
    A BIDS recording whose date MNE-BIDS took from its ``*_scans.tsv`` ``acq_time`` (over
    the header's, where they differ) is ``"acq_time"`` (:data:`eegpt.bids.ACQ_TIME_CLOCK`):
    UTC, as MNE-BIDS gives it; one whose ``acq_time`` repeats the header's date keeps the
    reader's clock.

    A start that is EDF's placeholder for an unknown or anonymized one, 1985-01-01 00:00:00
    (:func:`eegpt._dates.is_anonymized_start`), is no time whatever the reader's clock: EDF
    writes it for an unknown date, and it survives into a FIF file saved from that Raw and
    into ``mne.Epochs`` cut from it. Such a recording is ``"anonymized"``
    (:data:`eegpt._dates.ANONYMIZED_CLOCK`), so the windows get no ``clock_time``
    (:func:`eegpt.outputs.window_clock`), said once per recording at INFO; a BIDS
    ``acq_time`` that MNE-BIDS took (``"acq_time"`` above) still comes first."""
    marked = getattr(inst, "_eegpt_date_clock", None)  # set by eegpt.bids.read_raw_bids
    if isinstance(marked, str):
        return marked
    kind = type(inst)
    clock = DATE_CLOCKS.get(f"{kind.__module__}.{kind.__qualname__}", "unknown")
    if is_anonymized_start(inst.info.get("meas_date")):  # any clock: FIF and Epochs keep it
        if not getattr(inst, "_eegpt_anonymized_said", False):
            inst._eegpt_anonymized_said = True
            names = getattr(inst, "filenames", None) or [None]
            which = f"{names[0]}: its" if names[0] else "the recording's"
            _log(
                f"{which} start date, 1985-01-01 00:00:00, is EDF's placeholder for an "
                "unknown or anonymized start, so its windows get no clock_time (clock_s, "
                'from the start, still; metadata["clock"] is "anonymized"). For a BIDS '
                "recording give the real start as acq_time in its *_scans.tsv"
            )
        return ANONYMIZED_CLOCK
    return clock


def measurement_date(info: mne.Info) -> str | None:
    """``info["meas_date"]`` as ISO 8601 text, or None when it is not known."""
    date = info.get("meas_date")
    return None if date is None else date.isoformat()


def epochs_labels(epochs: mne.BaseEpochs) -> np.ndarray:
    """The event name of every epoch of an ``mne.Epochs`` (e.g. ``"left"``, ``"right"``).

    Epochs not loaded yet whose rejection has not run (``reject=``/``flat=``, annotations) are
    first checked, as embedding them does (``epochs.drop_bad()``, in place, as MNE's own
    ``get_data`` does), so the labels are those of the epochs that are embedded.
    Epochs read by ``mne.read_epochs_eeglab`` are named by their time-locking event, as
    embedding them names them (:func:`eegpt._eeglab.time_locked`; the warning is embedding's).

    Returns
    -------
    ndarray of str, shape (n_epochs,)
        Names from ``epochs.event_id``; an event code without a name gives its number as str.
    """
    if not getattr(epochs, "_bad_dropped", True):
        epochs.drop_bad(verbose=False)
    epochs = time_locked(epochs, quiet=True)  # what embedding them says, it does not repeat
    return np.array(event_names(epochs))


def units_name(units: Any) -> str:
    """``units`` as a key of :data:`UNITS`: exact, else in any letter case (``"uv"``, ``"UV"``
    -> ``"uV"``, ``"v"`` -> ``"V"``, ``"mv"`` -> ``"mV"``), but for any spelling with a capital
    ``M`` (``"MV"``, ``"Mv"``: megavolts, not millivolts, which are ``"mV"`` only).

    Raises
    ------
    RecordingError
        (a ``ValueError``) For any other value, naming the spellings taken: the same error
        wherever a unit is given (:func:`eegpt.embed`, the estimators, ``OnlineEmbedder``)."""
    if isinstance(units, str) and units in UNITS:
        return units
    folded = {name.casefold(): name for name in UNITS}
    stripped = units.strip() if isinstance(units, str) else None
    if stripped is not None and "M" not in stripped and stripped.casefold() in folded:
        return folded[stripped.casefold()]
    raise RecordingError(
        f"units must be one of {list(UNITS)} (any letter case: 'uv' is 'uV'; but 'MV' or 'Mv' "
        f"would be megavolts: millivolts are 'mV'), got {units!r}"
    )


def refuse_dataframe(obj: Any, route: str) -> None:
    """Refuse a pandas or polars DataFrame given as samples (``embed``, ``OnlineEmbedder.push``,
    the scikit-learn estimators): which axis is time and which columns are channels is for
    the caller to say, not to guess (its column labels would be ignored, channels swapped or
    samples read as channels). ``route`` is how to pass its channels there, after "e.g.".

    Raises
    ------
    RecordingError
        For a DataFrame."""
    if type(obj).__name__ == "DataFrame" and hasattr(obj, "columns"):  # pandas, polars
        raise RecordingError(
            "a DataFrame is not taken as samples (which axis is time, which columns are "
            "channels, is for you to say): for one with a row per sample and a column per "
            f"channel, pass its channels' columns as an array of channels x samples, e.g. {route}"
        )


def _is_braindecode(obj: Any) -> bool:
    """Whether ``obj`` is one of braindecode's datasets (``BaseConcatDataset``,
    ``WindowsDataset``, ``EEGWindowsDataset`` ...), told by its classes' module: eegpt does not
    import braindecode."""
    return any(str(c.__module__).split(".")[0] == "braindecode" for c in type(obj).__mro__)


def refuse_evoked(obj: Any, estimator: str | None = None) -> None:
    """Refuse an ``mne.Evoked`` given as EEG (``embed``, the scikit-learn estimators): it is
    an average of epochs, not a recording nor epochs, saying how to embed it (as one epoch,
    ``evoked.data[None]`` with its channel names and rate) or the epochs it was averaged
    from. ``estimator``: the scikit-learn estimator's name, which the recipe then uses.

    Raises
    ------
    TypeError
        For an ``mne.Evoked``."""
    if not isinstance(obj, mne.Evoked):
        return
    averaged = f"an average of {obj.nave} epochs" if getattr(obj, "nave", None) else "an average"
    names = "ch_names=evoked.ch_names, sfreq=evoked.info['sfreq']"
    if estimator is None:
        one = f"model.embed(evoked.data[None], {names})"
    else:
        one = f"{estimator}({names}).fit_transform(evoked.data[None])"
    raise TypeError(
        f"cannot embed an mne.Evoked ({type(obj).__name__}): it is {averaged} ({obj.kind}), "
        "not a recording nor epochs. Embed the epochs it was averaged from (mne.Epochs), or, "
        f"to embed the average itself as one epoch of {len(obj.times)} samples (volts, its "
        f"EEG channels: evoked = evoked.copy().pick('eeg')): {one}"
    )


def refuse_braindecode(obj: Any) -> None:
    """Refuse a braindecode dataset given as EEG (``embed``, the scikit-learn estimators,
    ``train_probe``), naming what to pass instead: its windows as a list of mne.Epochs where
    they are mne.Epochs (``use_mne_epochs=True``), else its windows stacked into an array
    ``[n_windows, C, T]`` with their channel names and rate.

    Raises
    ------
    TypeError
        For a braindecode dataset."""
    if not _is_braindecode(obj):
        return
    parts = list(getattr(obj, "datasets", [obj]))
    as_epochs = bool(parts) and all(
        isinstance(getattr(d, "windows", None), mne.BaseEpochs) for d in parts
    )
    parts_of = "ds.datasets" if hasattr(obj, "datasets") else "[ds]"
    if as_epochs:
        recipe = (
            "its windows are mne.Epochs (in volts, with their channel names and rate), one "
            f"per recording: give the scikit-learn estimators and train_probe the list "
            f"[d.windows for d in {parts_of}] (epochs of several recordings are matched by "
            f"electrode), and embed each: [model.embed(d.windows) for d in {parts_of}]"
        )
    else:
        recipe = (
            "pass its windows as an array with their channel names and rate: X = "
            "np.stack([ds[i][0] for i in range(len(ds))]), y = [ds[i][1] for i in "
            f"range(len(ds))], with ch_names={parts_of}[0].raw.ch_names, sfreq="
            f"{parts_of}[0].raw.info['sfreq'] and units='V' (or the unit a Preprocessor "
            "scaled them to, e.g. 'uV'); or cut them as mne.Epochs "
            "(create_windows_from_events(..., use_mne_epochs=True)) and pass "
            f"[d.windows for d in {parts_of}]"
        )
    raise TypeError(
        f"got braindecode's {type(obj).__name__}, which eegpt does not read (a braindecode "
        f"dataset yields windows without their channel names and sampling rate): {recipe}"
    )


def check_ch_names(ch_names: Any) -> None:
    """Refuse ``ch_names`` (of an array or a stream) that are not a list of names, with a
    ``TypeError`` (an argument of the wrong type): a single str (``"Cz"``, which would be the
    names ``"C"`` and ``"z"``), or names that are not text."""
    if isinstance(ch_names, str):
        raise TypeError(
            f"ch_names must be a list of channel names, not the single str {ch_names!r}: "
            f"for one channel pass [{ch_names!r}]"
        )
    odd = [name for name in ch_names if not isinstance(name, (str, np.str_))]
    if odd:
        raise TypeError(
            f"ch_names must be a list of channel names (str), got {len(odd)} of type "
            f"{type(odd[0]).__name__} among them ({odd[:5]!r})"
        )


def check_sfreq(sfreq: Any, source: str) -> float:
    """``sfreq`` (Hz) of an array or a stream named ``source``, as a float; a
    :class:`RecordingError` unless it is a finite number above 0 (not a bool). An array of one
    number (``[[200]]`` from ``scipy.io.loadmat``, ``[128.0]``) is that number; one of more
    numbers is refused as such."""
    value = sfreq
    if isinstance(sfreq, (list, tuple)):  # [128.0], as an array of one number
        sfreq = np.asarray(sfreq, dtype=object)
    if isinstance(sfreq, np.ndarray) and sfreq.ndim > 0:
        if sfreq.size != 1:
            raise RecordingError(
                f"{source}: sfreq must be one number of Hz, got an array of shape {sfreq.shape} "
                f"({few([repr(v) for v in sfreq.ravel().tolist()], 4)}): give the sampling rate "
                "alone, e.g. sfreq=float(sfreq[0])"
            )
        value = sfreq.reshape(()).item()  # one number, however nested
    try:
        rate = None if isinstance(value, (bool, np.bool_)) else float(value)
    except (TypeError, ValueError):
        rate = None
    if rate is None or not np.isfinite(rate) or rate <= 0:
        raise RecordingError(f"{source}: sfreq must be a positive number of Hz, got {sfreq!r}")
    return rate


def float32_of_bfloat16(obj: Any) -> Any:
    """A torch tensor of bfloat16 as float32 (every bfloat16 value is one of float32: exact),
    since NumPy has no bfloat16 (``np.asarray`` of one fails: "unsupported ScalarType
    BFloat16"); ``obj`` itself otherwise. Duck-typed, so that reading arrays imports no
    torch."""
    if str(getattr(obj, "dtype", "")) == "torch.bfloat16" and hasattr(obj, "float"):
        return obj.float()
    return obj


def _one_array(obj: Any) -> np.ndarray:
    """``np.asarray(obj)`` of an array input, refusing with the way on: a list (or tuple) of
    arrays of unequal shapes, which makes no one array (numpy's "inhomogeneous shape"), with
    the lengths found (samples, the last axis); a 1-D array, with ``x[None]`` (one channel)."""
    try:
        data = np.asarray(float32_of_bfloat16(obj))
    except ValueError:
        arrays = isinstance(obj, (list, tuple)) and all(hasattr(a, "shape") for a in obj)
        shapes = [tuple(a.shape) for a in obj] if arrays else []
        if not shapes or not all(shapes):
            raise
        raise RecordingError(_unequal_arrays_text(shapes)) from None
    if data.ndim == 1:
        raise RecordingError(
            f"<array>: data must be 2-D (n_channels, n_times) or 3-D (n_epochs, n_channels, "
            f"n_times), got shape {data.shape}: for one channel, pass x[None] (shape "
            f"(1, {data.shape[0]})) with ch_names=[its name]"
        )
    return data


def _unequal_arrays_text(shapes: Sequence[tuple[int, ...]]) -> str:
    """Why a list of arrays of these ``shapes`` (not all alike) is no array of epochs."""
    lengths = sorted({shape[-1] for shape in shapes})
    listed = few([str(shape) for shape in shapes], 4)
    if len(lengths) == 1:  # the same length, other channels (or dimensions)
        return (
            f"<array>: a list of {len(shapes)} arrays of unequal shapes ({listed}) makes no "
            "one array of epochs: give epochs of the same channels, or embed each array alone"
        )
    return (
        f"<array>: a list of {len(shapes)} arrays of unequal lengths ({listed}: "
        f"{few([str(n) for n in lengths], 6)} samples) makes no one array of epochs, which "
        "share one length: crop them to one length (np.stack([a[..., :"
        f"{lengths[0]}] for a in arrays])), or embed each as a continuous array "
        "([model.embed(a, ch_names=..., sfreq=...) for a in arrays])"
    )


def _from_array(
    obj: Any, ch_names: Sequence[str] | None, sfreq: float | None, units: str, verbose: Any
) -> Recording:
    units = units_name(units)
    refuse_dataframe(
        obj,
        "df[names].to_numpy().T with ch_names=names (names=list(df.columns) when every column "
        "is a channel), sfreq= and units=",
    )
    if ch_names is None or sfreq is None:
        missing = [n for n, v in (("ch_names", ch_names), ("sfreq", sfreq)) if v is None]
        raise RecordingError(
            f"array input needs {' and '.join(missing)}: pass the channel names and the "
            "sampling rate in Hz with it, e.g. embed(x, ch_names=['Fp1', 'Fp2', ...], "
            "sfreq=500, units='uV')"
        )
    check_ch_names(ch_names)
    rate = check_sfreq(sfreq, "<array>")
    data = _one_array(obj)
    if np.issubdtype(data.dtype, np.integer):  # amplifier samples in a given unit (not volts)
        check_integer_volts(data, units, "embed(x, ch_names=..., sfreq=..., units=...)")
        data = data.astype(np.float64) * UNITS[units]
    elif np.issubdtype(data.dtype, np.floating) and UNITS[units] != 1.0:
        data = data.astype(np.float64) * UNITS[units]  # new array; the input is never modified
    rec = Recording(data, list(ch_names), rate, source="<array>", array_units=units)
    _log(array_summary(rec), verbose)
    return rec


def array_summary(rec: Recording, source: str | None = None) -> str:
    """The INFO line on an array read as the :class:`Recording` ``rec`` (its shape, rate and
    the unit its samples were converted from to volts), naming ``source`` (the file it came
    from, such as an ``.npz`` of epochs arrays) where given, else ``rec.source``."""
    named = rec if source is None else replace(rec, source=source)
    return _recording_summary(named) + f" (converted from {rec.array_units})"


#: Data files MNE names as a Raw's file, and the header file a user opens instead
_HEADER_OF_DATA = {".eeg": ".vhdr", ".fdt": ".set"}


def mne_source(obj: mne.io.BaseRaw | mne.BaseEpochs) -> str:
    """The file an MNE object was read from, as a user names it (the ``.vhdr`` of a
    BrainVision recording, not the ``.eeg`` MNE lists; the ``.set`` of EEGLAB's ``.fdt``), so
    that a recording read from its path and the same recording read into MNE first are named
    alike; ``"<Raw>"`` or ``"<Epochs>"`` for data made in memory. The first of
    :func:`mne_sources`, for an object read from several files."""
    sources = mne_sources(obj)
    if not sources:
        return "<Raw>" if isinstance(obj, mne.io.BaseRaw) else "<Epochs>"
    return sources[0]


def mne_sources(obj: mne.io.BaseRaw | mne.BaseEpochs) -> list[str]:
    """Every distinct file an MNE object was read from, in order, each named as
    :func:`mne_source` names it: two of ``mne.concatenate_raws`` of two files; the parts of a
    split FIF read whole (its ``-1.fif`` ...) are among them. Empty for data made in memory."""
    filenames = getattr(obj, "filenames", None) or [getattr(obj, "filename", None)]
    named: dict[str, None] = {}
    for name in filenames:
        if name is None:
            continue
        path = Path(str(name))
        header = _HEADER_OF_DATA.get(path.suffix.lower())
        if header is not None:
            for suffix in (header, header.upper()):
                if path.with_suffix(suffix).is_file():
                    path = path.with_suffix(suffix)
                    break
        named[str(path)] = None
    return list(named)


def _recording_summary(rec: Recording) -> str:
    shape = "x".join(str(s) for s in rec.data.shape)
    kind = "epochs" if rec.is_epoched else "continuous"
    text = (
        f"Recording {rec.source}: {kind} {shape} samples, {rec.n_channels} channel(s) at "
        f"{rec.sfreq:g} Hz ({rec.duration:.3f} s{' per epoch' if rec.is_epoched else ''})"
    )
    if rec.baseline is not None:  # said where it is read, not warned: baseline is often meant
        text += (
            f"; baseline-corrected by MNE ({baseline_text(rec.baseline)}: each channel's mean "
            "over it subtracted), which EEGPT's preprocessing does not do: windows of the "
            "continuous recording (OnlineEmbedder) equal epochs made with baseline=None"
        )
    if rec.detrend is not None:
        text += (
            f"; detrended by MNE ({detrend_text(rec.detrend)} of each epoch's channels "
            "subtracted: mne.Epochs(detrend=...)), which EEGPT's preprocessing does not do: "
            "windows of the continuous recording (OnlineEmbedder) equal epochs made with "
            "detrend=None"
        )
    return text


def detrend_text(order: int) -> str:
    """What MNE's ``detrend`` of ``order`` removes: ``"the mean"`` (0, the DC offset) or
    ``"a least-squares line"`` (1)."""
    return {0: "the mean (DC offset)", 1: "a least-squares line"}.get(order, f"order {order}")
