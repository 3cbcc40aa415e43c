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

This module is the public entry; the work is done in the modules it re-exports the names of:
:mod:`eegpt.recording` (the :class:`Recording` form), :mod:`eegpt.recording_files` (opening a
file with MNE), :mod:`eegpt.epochs_files` (files of epochs), :mod:`eegpt.unreadable_files`
(files refused, and why a read failed), :mod:`eegpt.memory_checks`, :mod:`eegpt.mixed_rates`
(channels stored at different rates), :mod:`eegpt.mne_inputs` (an MNE Raw or Epochs made a
recording), :mod:`eegpt.ssp_projectors`, :mod:`eegpt.array_inputs` (arrays, their units and
rate) and :mod:`eegpt.nonfinite_advice` (the error for NaN/Inf samples).
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import mne
import numpy as np

# Names of the modules eegpt.io was split into are imported here as themselves (``X as X``): every
# name eegpt.io held stays importable from it.
from eegpt._eeglab import time_locked
from eegpt._logging import Verbose, check_verbose
from eegpt.array_inputs import UNITS as UNITS
from eegpt.array_inputs import Units as Units
from eegpt.array_inputs import check_ch_names as check_ch_names
from eegpt.array_inputs import check_integer_samples as check_integer_samples
from eegpt.array_inputs import check_integer_volts as check_integer_volts
from eegpt.array_inputs import check_sfreq as check_sfreq
from eegpt.array_inputs import float32_of_bfloat16 as float32_of_bfloat16
from eegpt.array_inputs import recording_of_array
from eegpt.array_inputs import refuse_braindecode as refuse_braindecode
from eegpt.array_inputs import refuse_dataframe as refuse_dataframe
from eegpt.array_inputs import refuse_evoked as refuse_evoked
from eegpt.array_inputs import refuse_picks_for_array as refuse_picks_for_array
from eegpt.array_inputs import require_array_args_absent as require_array_args_absent
from eegpt.array_inputs import units_name as units_name
from eegpt.brainvision_files import brainvision_clock, brainvision_truncated, warn_paused_raw
from eegpt.edf_files import EDFHeader as EDFHeader
from eegpt.edf_files import RecordClock as RecordClock
from eegpt.edf_files import check_edf_header as check_edf_header
from eegpt.edf_files import warn_discontinuous_raw
from eegpt.epochs_files import EPOCHS_SUFFIXES as EPOCHS_SUFFIXES
from eegpt.epochs_files import holds_epochs_instead as holds_epochs_instead
from eegpt.epochs_files import is_epochs_file as is_epochs_file
from eegpt.epochs_files import is_npz as is_npz
from eegpt.epochs_files import may_hold_epochs as may_hold_epochs
from eegpt.epochs_files import read_epochs_file as read_epochs_file
from eegpt.epochs_files import read_npz_epochs as read_npz_epochs
from eegpt.errors import RecordingError as RecordingError
from eegpt.formats import EEG_SUFFIXES as EEG_SUFFIXES
from eegpt.formats import RECORDING_FOLDER_SUFFIXES as RECORDING_FOLDER_SUFFIXES
from eegpt.formats import PathLike as PathLike
from eegpt.formats import file_not_found as file_not_found
from eegpt.formats import first_split_part as first_split_part
from eegpt.formats import is_recording_folder as is_recording_folder
from eegpt.formats import npy_reason as npy_reason
from eegpt.formats import split_continuations as split_continuations
from eegpt.memory_checks import MEMORY_FRACTION as MEMORY_FRACTION
from eegpt.memory_checks import available_memory as available_memory
from eegpt.memory_checks import check_memory as check_memory
from eegpt.memory_checks import whole_read_bytes as whole_read_bytes
from eegpt.mixed_rates import channel_rates as channel_rates
from eegpt.mixed_rates import check_stretched as check_stretched
from eegpt.mixed_rates import check_whole_reads as check_whole_reads
from eegpt.mixed_rates import samples_rate as samples_rate
from eegpt.mne_inputs import DATE_CLOCKS as DATE_CLOCKS
from eegpt.mne_inputs import custom_reference as custom_reference
from eegpt.mne_inputs import date_clock as date_clock
from eegpt.mne_inputs import epoch_annotations as epoch_annotations
from eegpt.mne_inputs import epochs_baseline as epochs_baseline
from eegpt.mne_inputs import epochs_detrend as epochs_detrend
from eegpt.mne_inputs import epochs_detrend_known as epochs_detrend_known
from eegpt.mne_inputs import epochs_labels as epochs_labels
from eegpt.mne_inputs import events_sfreq as events_sfreq
from eegpt.mne_inputs import file_ranges_of, recording_of_mne
from eegpt.mne_inputs import file_units_of as file_units_of
from eegpt.mne_inputs import left_out_channels as left_out_channels
from eegpt.mne_inputs import mark_bad as mark_bad
from eegpt.mne_inputs import measurement_date as measurement_date
from eegpt.mne_inputs import mne_source as mne_source
from eegpt.mne_inputs import mne_sources as mne_sources
from eegpt.mne_inputs import recorded_filters as recorded_filters
from eegpt.nonfinite_advice import nonfinite_error as nonfinite_error
from eegpt.recording import Recording as Recording
from eegpt.recording import array_summary as array_summary
from eegpt.recording import check_unique as check_unique
from eegpt.recording import detrend_text as detrend_text
from eegpt.recording_files import mne_call as mne_call
from eegpt.recording_files import open_recording as open_recording
from eegpt.recording_files import read_recording as read_recording
from eegpt.ssp_projectors import stored_projections as stored_projections
from eegpt.ssp_projectors import unapplied_projectors as unapplied_projectors
from eegpt.ssp_projectors import warn_unapplied_projectors as warn_unapplied_projectors
from eegpt.unreadable_files import companion_files as companion_files
from eegpt.unreadable_files import missing_file_reason as missing_file_reason
from eegpt.unreadable_files import refuse_brainvision_data_file as refuse_brainvision_data_file
from eegpt.unreadable_files import refuse_eeglab_data_file as refuse_eeglab_data_file
from eegpt.unreadable_files import refuse_unreadable_input as refuse_unreadable_input
from eegpt.vocabulary import NOT_SCALP_TYPES as NOT_SCALP_TYPES

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
    keep: str | Sequence[str] | None = None,
    rename: Any = None,
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
        from, so decimated or resampled epochs keep their times; a rate a header rounded, such
        as BrainVision's 3906 µs, at its nominal rate as a Raw's onsets, ``tmin`` too:
        :func:`eegpt.preprocessing.taken_rate`; left ``None`` for the placeholder events
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
        ``info["bads"]`` are left out of type-based picks, with a warning; as in MNE, those
        picked by name or index are used, with a warning naming them.
    verbose : bool | str | int | None
        Passed to MNE; True also logs a summary to the ``"eegpt"`` logger.
    exclude : sequence of str
        For an EDF/BDF path: channels not to read at all, so that MNE does not read the file
        at their higher rate (see :func:`eegpt.streaming.faster_unused_channels`).
    bads : sequence of str
        For a path: channels to mark bad besides those the file marks (:func:`mark_bad`), so
        left out like them; a name the file lacks is an error.
    keep, rename
        The channels to keep and the renames and drops that the channel mapping will apply
        (as :func:`~eegpt.channels.map_channels` takes them; nothing is mapped here, every
        channel picked is read): a channel marked bad that they leave out anyway is left out
        with a log line instead of the warning, as marking it bad changes nothing.

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
                                      verbose=verbose, bads=bads, keep=keep,
                                      rename=rename)  # fmt: skip
        return [as_recording(o, **kwargs) for o in obj]  # type: ignore[misc]
    if isinstance(obj, Recording) and not bads:
        return obj
    if isinstance(obj, (str, os.PathLike)):
        require_array_args_absent(ch_names, sfreq, units, str(obj))
        path = Path(obj).expanduser()
        if is_npz(path):  # epochs arrays X, ch_names, sfreq (units, y), as the probe reads them
            refuse_picks_for_array(picks, str(path))  # its channels are the rows of X
            return read_npz_epochs(path, verbose, bads)
        choice = {"keep": keep, "rename": rename}  # which bad channels are warned of
        if is_epochs_file(path):
            return recording_of_mne(
                _read_epochs_marked(path, bads, verbose), picks, str(obj), verbose, **choice
            )
        try:
            raw, header = open_recording(path, preload=True, verbose=verbose, exclude=exclude)
        except RecordingError as err:
            if not holds_epochs_instead(err):
                raise
            return recording_of_mne(
                _read_epochs_marked(path, bads, verbose), picks, str(obj), verbose, **choice
            )
        mark_bad(raw, bads, str(obj))
        file_units = file_units_of(raw, header)
        rec = recording_of_mne(raw, picks, str(obj), verbose, file_units=file_units, **choice)
        if header is not None:
            rec.clock, rec.truncated = header.clock, header.truncated
            rec.ranges = file_ranges_of(rec.ch_names, header)
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
        return recording_of_mne(obj, picks, source, verbose, keep=keep, rename=rename)
    refuse_braindecode(obj)
    refuse_evoked(obj)
    if isinstance(obj, np.ndarray) or hasattr(obj, "__array__") or isinstance(obj, (list, tuple)):
        refuse_picks_for_array(picks)
        return recording_of_array(obj, ch_names, sfreq, units, verbose)
    raise TypeError(
        f"cannot make an EEG recording from {type(obj).__name__}; pass a file path, an "
        "mne.io.Raw, an mne.Epochs or a NumPy array with ch_names and sfreq"
    )


def _read_epochs_marked(path: Path, bads: Sequence[str], verbose: Verbose) -> mne.BaseEpochs:
    """:func:`read_epochs_file`, with the channels ``bads`` marked bad (:func:`mark_bad`)."""
    epochs = read_epochs_file(path, verbose)
    mark_bad(epochs, bads, str(path))
    return epochs


def _is_container_item(obj: Any) -> bool:
    return isinstance(obj, (str, os.PathLike, mne.io.BaseRaw, mne.BaseEpochs, Recording))
