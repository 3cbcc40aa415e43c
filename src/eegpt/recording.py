"""The :class:`Recording`: EEG data in volts with its channel names, sampling rate and what its
source said of it, checked as it is made.

:func:`check_unique` refuses duplicate channel names; :func:`recording_summary` and
:func:`array_summary` are the INFO lines on a recording read (its shape, rate, and the baseline
correction or detrending MNE did: :func:`detrend_text`). :mod:`eegpt.io`, which makes
recordings of paths, MNE objects and arrays (:func:`~eegpt.io.as_recording`), re-exports
``Recording``.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field, replace
from typing import Any

import mne
import numpy as np

from eegpt._logging import baseline_text, names_count_text
from eegpt.edf_files import RecordClock
from eegpt.errors import RecordingError


def refuse_masked_samples(data: Any, what: str, how: str) -> None:
    """Raise a :class:`RecordingError` where ``data`` is a NumPy masked array with masked
    samples (``np.asarray`` drops its mask: the values under it would be embedded without a
    word); ``what`` names it in the message (``"the samples are a NumPy masked array"``) and
    ``how`` says what to do. Any other array, and one with none masked, passes."""
    if not isinstance(data, np.ma.MaskedArray):
        return
    masked = np.ma.getmaskarray(data)
    if masked.any():
        raise RecordingError(
            f"{what} with {int(masked.sum())} of {masked.size} samples masked; eegpt does not "
            f"read masks (the values under the mask would be embedded as they are). {how}"
        )


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
        (:func:`~eegpt.mne_inputs.epoch_annotations`), when the epochs carry annotations.
    first_time : float | None
        For MNE data, seconds from the start of the acquisition to the first sample
        (``raw.first_time``; nonzero for cropped data and FIF files with ``first_samp > 0``).
        Window onsets of continuous data count from the first sample; add this to get MNE's
        time base (that of annotation onsets and of events). A rate a header rounded counts
        at its nominal rate, as the onsets do (``first_samp / 256`` for BrainVision's 3906 µs,
        where MNE divides by 256.016: :func:`eegpt._rates.at_taken_rate`).
    meas_date : str | None
        For MNE data with a measurement date, the date and time of the acquisition start
        (ISO 8601, as MNE keeps it: labelled UTC).
    date_clock : str | None
        With ``meas_date``, which clock it is on, by the reader that read it
        (:func:`~eegpt.mne_inputs.date_clock`): ``"utc"`` (FIF, EGI ``.mff``), ``"local"``
        (the lab's wall clock, which MNE labels UTC: EDF/BDF, BrainVision, Nihon Kohden),
        ``"acq_time"`` (UTC from a BIDS ``*_scans.tsv``'s ``acq_time``, which MNE-BIDS sets
        over the header's date) or ``"unknown"``; kept as the embeddings' ``metadata["clock"]``.
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
        used channel (:func:`~eegpt.ssp_projectors.warn_unapplied_projectors`).
    projections : list of dict | None
        For MNE data, every SSP projector stored with it
        (:func:`~eegpt.ssp_projectors.stored_projections`), applied before eegpt or not:
        ``{"desc": ..., "applied": True}``; recorded in the output's provenance
        (``metadata["projections"]``).
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
        read): ``{"announced_s": ..., "read_s": ...}``
        (:attr:`eegpt.edf_files.EDFHeader.truncated`).
    filters : dict | None
        For MNE data, the band the recording was filtered to as MNE knows it (EDF/BDF headers'
        prefiltering, filters applied in MNE): :func:`~eegpt.mne_inputs.recorded_filters`.
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
        epoch's first sample relative to its time-locking event (at the nominal rate of a rate
        a header rounded, as ``first_time``), by which ``PreprocessingConfig(crop_tmin=...)``
        (``--crop``) crops them; None for other data.
    ranges : list of (float, float) | None
        Each channel's range in its file, in volts (an EDF/BDF header's physical minimum and
        maximum: the values its digital extremes stand for, where a saturated amplifier or the
        file clips), when known (NaN for a channel whose unit has no known scale); the
        clipping check takes a value held inside it, such as a calibration pulse, for no rail.
    merged_rates : list of float | None
        For epochs of several inputs merged at another rate
        (:func:`eegpt.probe_inputs.merge_epochs`), the inputs' own rates (Hz, each once, in
        the inputs' order), which ``sfreq`` no longer tells; None for other data.
    merged_baselines : list of (str, baseline, bool) | None
        For epochs of several inputs merged whose baseline corrections differ or are not all
        recorded (``baseline`` None then), each input's ``(source, baseline,
        baseline_recorded)`` in the inputs' order, so that a probe checks the inputs that
        record their correction against its own and names those that do not
        (:func:`eegpt.probe_preparation.merged_baseline_warnings`); None for other data.
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
    ranges: list[tuple[float, float]] | None = field(default=None, repr=False)
    merged_rates: list[float] | None = field(default=None, repr=False)
    merged_baselines: list[tuple[str, tuple[float | None, float | None] | None, bool]] | None = (
        field(default=None, repr=False)
    )

    def __post_init__(self) -> None:
        refuse_masked_samples(  # np.asarray drops the mask: the values under it were embedded
            self.data,
            f"{self.source}: the data is a NumPy masked array",
            "Give x.filled(value) with the value the masked samples should have, or x.data to "
            "take the values under the mask",
        )
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
        if self.ranges is not None and len(self.ranges) != len(self.ch_names):
            raise RecordingError(
                f"{self.source}: {len(self.ranges)} ranges for {len(self.ch_names)} channels"
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


def recording_summary(rec: Recording) -> str:
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


def array_summary(rec: Recording, source: str | None = None) -> str:
    """The INFO line on an array read as the :class:`Recording` ``rec`` (its shape, rate and
    the unit its samples were converted from to volts), naming ``source`` (the file it came
    from, such as an ``.npz`` of epochs arrays) where given, else ``rec.source``."""
    named = rec if source is None else replace(rec, source=source)
    return recording_summary(named) + f" (converted from {rec.array_units})"


def detrend_text(order: int) -> str:
    """What MNE's ``detrend`` of ``order`` removes: ``"the mean"`` (0, the DC offset) or
    ``"a least-squares line"`` (1)."""
    return {0: "the mean (DC offset)", 1: "a least-squares line"}.get(order, f"order {order}")
