"""Annotations in a recording's time base: seconds from its first sample.

MNE keeps a Raw's annotation onsets from the start of the acquisition; :func:`annotations_of`
gives them from the first sample (a cropped Raw, a FIF file with ``first_samp > 0``) at the
nominal rate of a rate that a header rounded (BrainVision's 3906 µs:
:func:`eegpt._rates.nominal_rate`), the time base of the window onsets. :func:`file_offset`
says how far into its file a Raw cropped after reading starts, so that the onsets of an
annotation file (counted from the file's first sample) can be moved back by it.
:func:`in_recording_time` places annotations read apart from a recording (a hypnogram) on it:
by clock time where they carry a start (``orig_time``, MNE's 1970-01-01 stand-in aside), and
by the :class:`eegpt.edf_files.RecordClock` of a discontinuous EDF+D/BDF+D recording (gaps
left out).
"""

from __future__ import annotations

import datetime
import os
from pathlib import Path
from typing import Any

import mne
import numpy as np

from eegpt._logging import ignored_warnings
from eegpt._logging import warn as _warn
from eegpt._rates import at_taken_rate, nominal_rate
from eegpt.errors import RecordingError


def annotations_of(raw: mne.io.BaseRaw) -> mne.Annotations | None:
    """The annotations of ``raw`` with onsets in seconds from its first sample, or None if it
    has none.

    MNE stores annotation onsets from the start of the acquisition (``meas_date``, or time 0
    when there is none), so a cropped recording or a FIF file with ``first_samp > 0`` has its
    first sample at ``raw.first_time``; that is subtracted here.

    A rate that a header's sampling interval of whole microseconds rounded (BrainVision's
    3906 µs, 256.016385 Hz as MNE reads it, for a 256 Hz amplifier) is taken as its nominal
    rate (:func:`eegpt._rates.nominal_rate`), as the samples are when resampled: MNE's
    seconds (``k / 256.016385`` for sample ``k``, a marker's position in the ``.vmrk``) are
    rescaled to ``k / 256``, the scale of the window onsets, so that a marker at sample ``k``
    falls in the window that holds sample ``k`` (0.23 s apart after an hour otherwise).
    """
    ann = raw.annotations
    if len(ann) == 0:
        return None
    return in_first_sample_time(ann, raw)


def in_first_sample_time(ann: mne.Annotations, raw: mne.io.BaseRaw) -> mne.Annotations:
    """Annotations in the time base of ``raw.annotations`` (seconds from the acquisition
    start) put in that of :func:`annotations_of`: seconds from ``raw``'s first sample, at its
    nominal rate; no ``orig_time``. Used for the recording's own and for those made of its
    stim channel (:func:`eegpt.stim_events.stim_annotations`)."""
    onset = np.asarray(ann.onset, dtype=np.float64) - raw.first_time
    duration = np.asarray(ann.duration, dtype=np.float64)
    sfreq = float(raw.info["sfreq"])
    nominal = nominal_rate(sfreq)
    if nominal is not None:  # in samples (whole ones kept whole), then at the nominal rate
        onset, duration = (whole_samples(t * sfreq) / nominal for t in (onset, duration))
    return mne.Annotations(onset=onset, duration=duration, description=list(ann.description))


def raw_annotations_for(raw: mne.io.BaseRaw, metadata: Any) -> mne.Annotations | None:
    """The annotations of ``raw`` (:func:`annotations_of`) in the time base of the onsets of
    embeddings whose provenance is ``metadata`` (:attr:`eegpt.outputs.Embeddings.metadata`),
    or None if it has none.

    :func:`annotations_of` counts from ``raw``'s first sample, which is the onsets' time base
    for embeddings of that Raw only. Epochs' onsets are event times (``metadata["epoch_onsets"]
    == "events"``): seconds from the acquisition start, so the Raw's first sample lies
    ``raw.first_time`` into them (a FIF file with ``first_samp > 0``, a cropped Raw). A
    continuous recording's onsets count from its own first sample (``metadata["first_time"]``
    into the acquisition): a Raw cropped otherwise (the whole Raw for embeddings of a crop of
    it) lies ``raw.first_time - first_time`` from it, or, read from the same file, its
    :func:`file_offset` less ``metadata["file_offset"]`` (which an EDF+ file's sub-second start
    does not enter). Embeddings of arrays and of epochs lying end to end have no such time
    base: the Raw's first sample is taken as theirs."""
    ann = annotations_of(raw)
    if ann is None:
        return None
    shift = raw_time_shift(raw, metadata)
    if shift == 0.0:
        return ann
    return mne.Annotations(ann.onset + shift, ann.duration, list(ann.description))


def raw_time_shift(raw: mne.io.BaseRaw, metadata: Any) -> float:
    """Seconds from the onsets' zero of embeddings whose provenance is ``metadata`` to the
    first sample of ``raw`` (see :func:`raw_annotations_for`); 0 where they share it or the
    embeddings have no time base of their own."""
    sfreq = float(raw.info["sfreq"])
    if metadata.get("epoch_onsets") == "events":  # MNE's time base: from the acquisition start
        return at_taken_rate(float(raw.first_time), sfreq)
    first_time = metadata.get("first_time")
    if first_time is None:  # arrays, epochs end to end: no time base but the Raw's
        return 0.0
    source = metadata.get("source")
    names = [f for f in getattr(raw, "filenames", None) or () if f is not None]
    if names and isinstance(source, str) and _same_file(names[0], source):
        return at_taken_rate(file_offset(raw), sfreq) - float(metadata.get("file_offset") or 0.0)
    return at_taken_rate(float(raw.first_time), sfreq) - float(first_time)


def _same_file(a: Any, b: str) -> bool:
    """Whether ``a`` and ``b`` name one existing file (a BrainVision recording by its data or
    header file alike, as :func:`eegpt.mne_inputs.mne_source` names them)."""
    named = Path(str(a))
    for path in (named, named.with_suffix(".vhdr"), named.with_suffix(".set")):
        try:
            if os.path.samefile(path, b):
                return True
        except (OSError, TypeError, ValueError):
            continue
    return False


def whole_samples(samples: np.ndarray) -> np.ndarray:
    """``samples`` (float64, any shape) with those within 1e-6 of a whole number made whole:
    a marker's sample position, which MNE's seconds times the rate miss by rounding."""
    whole = np.round(samples)
    return np.where(np.abs(samples - whole) < 1e-6, whole, samples)


def file_offset(raw: mne.io.BaseRaw) -> float:
    """Seconds from the first sample of ``raw``'s file to its first sample: how far into its
    file a Raw cropped after reading (``raw.crop(tmin=...)``) starts; 0 for one as read.

    A FIF file may start at ``first_samp > 0`` (its ``raw.first_time`` is then nonzero as
    read); other files and a :class:`mne.io.RawArray` start at sample 0, so there it is
    ``raw.first_time``. MNE has no public attribute for where a cropped FIF Raw's file starts:
    it is read from the reader's record of the file (:func:`_fif_file_start`), else from the
    file's header read again; where neither can be had, a warning says so and 0 is returned
    (onsets of annotation files counted from the Raw's first sample). A Raw resampled after
    reading keeps its place: the file's start is counted at the file's own rate.
    """
    if not isinstance(raw, mne.io.Raw):
        return float(raw.first_time)
    start = _fif_file_start(raw)
    return 0.0 if start is None else float(raw.first_time) - start


def _fif_file_start(raw: mne.io.Raw) -> float | None:
    """Seconds (MNE's ``first_time`` as read) at which the FIF file of ``raw`` (a Raw read from
    it, perhaps cropped or resampled since) starts; None where it cannot be told, with a
    warning.

    MNE keeps the file's first sample in the FIF reader's private
    ``raw._raw_extras[0]["bounds"][0]`` (MNE 1.x), counted at the file's rate, which a
    resampled Raw no longer has: the file's rate is read from its header
    (``mne.io.read_info``) where the Raw's may differ, a Raw with its data loaded (resampling
    loads them; a Raw streamed from its file has the file's rate, and no header is read). Should the record change, the file's
    header is read again (public ``mne.io.read_raw_fif``, without its data); where that fails
    too (the file is gone) the Raw is taken to start where its file does.
    """
    filenames = [f for f in getattr(raw, "filenames", None) or () if f is not None]
    try:
        first = int(raw._raw_extras[0]["bounds"][0])
    except (AttributeError, IndexError, KeyError, TypeError, ValueError):
        first = None
    if first is not None:
        sfreq = float(raw.info["sfreq"])
        # resampled since reading? The record counts the file's samples. A Raw whose data
        # are not loaded was not (MNE's resample loads them): its rate is the file's.
        if filenames and raw.preload:
            try:
                with ignored_warnings():
                    sfreq = float(mne.io.read_info(filenames[0], verbose="error")["sfreq"])
            except (OSError, ValueError, RuntimeError):
                pass
        return first / sfreq
    if filenames:
        try:
            with ignored_warnings():
                header = mne.io.read_raw_fif(
                    filenames[0], preload=False, allow_maxshield=True, verbose="error"
                )
            return float(header.first_time)
        except (OSError, ValueError, RuntimeError):
            pass
    _warn(
        "Cannot tell where in its FIF file this Raw starts (MNE's reader no longer records the "
        "file's first sample where eegpt looks for it, and the file could not be read again), "
        "so onsets of annotation files (CSV, TSV ...) are counted from the Raw's first sample, "
        "as if it had not been cropped. If it was cropped (raw.crop(tmin=...)), pass the "
        "annotations as mne.Annotations with onsets from the Raw's first sample, or read them "
        "with eegpt.annotations.read_annotations and subtract the crop's start from the onsets."
    )
    return None


#: The attribute :func:`mark_zoned` sets on annotations read from times with a zone.
_ZONED = "_eegpt_zoned"

#: The clocks (``metadata["clock"]``, :func:`eegpt.mne_inputs.date_clock`) of a measurement
#: date surely in UTC, on which a moment given with a zone would be found exactly: none. FIF's
#: ``"utc"`` may hold a converted EDF's local time (``read_raw_edf(...).save(...)`` keeps it,
#: labelled UTC), and an EGI ``.mff`` reports the same clock; a BIDS ``acq_time`` without a
#: zone is read by MNE-BIDS in the local time of the computer reading it.
UTC_CLOCKS: frozenset[str] = frozenset()


def mark_zoned(annotations: mne.Annotations) -> mne.Annotations:
    """``annotations`` (the same object) marked as read from date-times with a zone (``Z``,
    ``+01:00``), their ``orig_time`` the moment in UTC: :func:`in_recording_time` places them
    only on a recording whose clock is surely UTC (:data:`UTC_CLOCKS`: none), so refuses them."""
    setattr(annotations, _ZONED, True)
    return annotations


def is_zoned(annotations: mne.Annotations) -> bool:
    """Whether ``annotations`` were read from date-times with a zone (:func:`mark_zoned`)."""
    return bool(getattr(annotations, _ZONED, False))


def _check_zone(annotations: mne.Annotations, date_clock: str | None, given: Any = None) -> None:
    """Refuse annotations read from date-times with a zone on a recording whose measurement
    date is on no clock surely UTC (:data:`UTC_CLOCKS`; ``date_clock``: ``"local"``, an
    EDF/BDF or BrainVision header's wall clock; ``"utc"``, FIF's, which may be a converted
    EDF's local time; ``"acq_time"``; ``"unknown"``; ``"anonymized"``; None: not said), where
    the moment they name cannot be found. ``given``: the file they were read from, named.

    Raises
    ------
    RecordingError
        Saying which clock the recording has and how to write the times instead.
    """
    if not is_zoned(annotations) or date_clock in UTC_CLOCKS:
        return
    why = {
        "local": "is the local wall clock of its header, without a zone (an EDF/BDF, "
        "BrainVision or Nihon Kohden header keeps the local time of its start)",
        "anonymized": "is EDF's placeholder for an unknown or anonymized start (1985-01-01)",
        "utc": "is labelled UTC, as a FIF file also labels the local time of an EDF/BDF or "
        "BrainVision file it was converted from (read_raw_edf(...).save(...) keeps it as if "
        "UTC), which eegpt cannot tell from a real UTC",
        "acq_time": "is a BIDS acq_time, which MNE-BIDS reads, where it has no zone, in the "
        "local time of the computer reading it",
    }.get(
        str(date_clock),
        "is on a clock eegpt cannot tell (a Raw made in Python, a GDF file: MNE labels its "
        "date UTC, which may be a local time)",
    )
    which = "the annotations given" if given is None else f"the annotations of {given}"
    how = (
        "as local times on the recording's clock, without a zone (2026-11-03 23:58:41, on "
        "the clock of the start its header gives)"
    )
    first = utc(annotations.orig_time).replace(tzinfo=None)
    if date_clock == "utc":  # either clock: local times land off on a FIF recorded in UTC
        how = (
            "without a zone on the clock its start is on: the local time of the file it was "
            "converted from, or UTC where it was recorded so (the first: "
            f"{first.isoformat(sep=' ')})"
        )
    if date_clock == "acq_time":  # MNE-BIDS gives the start in UTC: local times land off
        how = (
            "in UTC, without a zone, as MNE-BIDS gives the recording's start from its "
            f"acq_time (the first: {first.isoformat(sep=' ')}); local times would land off "
            "by their zone's offset"
        )
    raise RecordingError(
        f"{which} carry a time zone (read from date-times with Z or an offset, "
        "now in UTC), but the recording's measurement date "
        f"{why}, so the moments they name cannot be found on it; write them {how}"
    )


def in_recording_time(
    annotations: mne.Annotations,
    meas_date: str | datetime.datetime | None,
    first_time: float,
    clock: Any = None,
    *,
    file_offset: float = 0.0,
    date_clock: str | None = None,
    given: Any = None,
) -> mne.Annotations:
    """``annotations`` with onsets in seconds from a recording's first sample (the time base
    of window onsets).

    Annotations that carry a start (``orig_time``, e.g. read from an EDF+ hypnogram) are placed
    against the recording's measurement date ``meas_date`` (a date without a time zone is
    taken as UTC, as MNE keeps dates); those without one count from the recording's first
    sample already (MNE's convention). So do those whose start lies within a year of
    1970-01-01 (unless the recording's does): MNE's ``Annotations.save`` writes annotations
    without a start to CSV as times from that moment (before it, for negative onsets), which
    read back as a start around 1970. ``first_time`` is the recording's first sample in
    seconds from its measurement start (``raw.first_time``). ``clock``: the
    :class:`eegpt.edf_files.RecordClock` of a discontinuous EDF+D/BDF+D recording, by which the
    annotations are placed in its samples (gaps left out).

    ``file_offset``: for annotations without a start read from a file (a ``.csv``/``.tsv``
    hypnogram, whose onsets count from the recording *file*'s first sample; also one MNE
    wrote with its 1970-01-01 stand-in start), seconds from
    that sample to the recording's first sample (:func:`file_offset`, nonzero for a Raw
    cropped after reading); it is subtracted, so that they land where the same annotations
    in EDF+ form (with a start) would. 0 (the default) keeps MNE's convention for
    ``orig_time=None``: onsets from the recording's first sample.

    ``date_clock``: which clock ``meas_date`` is on (``metadata["clock"]``,
    :func:`eegpt.mne_inputs.date_clock`). Annotations read from date-times with a zone
    (:func:`mark_zoned`, their start in UTC) are placed only on a clock surely UTC
    (:data:`UTC_CLOCKS`: none, a FIF's may be a converted EDF's local time) and refused on any other (:func:`_check_zone`, naming ``given``, the
    file they were read from).
    """
    onsets = np.asarray(annotations.onset, dtype=np.float64)
    if isinstance(meas_date, str):
        meas_date = datetime.datetime.fromisoformat(meas_date)
    if meas_date is not None:
        meas_date = utc(meas_date)
    placeholder = near_unix_epoch(annotations.orig_time) and not (
        meas_date is not None and near_unix_epoch(meas_date)
    )
    if placeholder:  # no start, written as times from 1970-01-01: as orig_time=None below
        onsets = onsets + (utc(annotations.orig_time) - _EPOCH).total_seconds() - file_offset
    elif annotations.orig_time is not None:
        if meas_date is None:  # before the zone: there is no clock to say anything of
            raise ValueError(
                "the annotations carry a start time (orig_time "
                f"{annotations.orig_time.isoformat()}) but the recording has no measurement "
                "date to place them against; give annotations without one (orig_time=None), "
                "onsets in seconds from the first sample"
            )
        _check_zone(annotations, date_clock, given)
        shift = (utc(annotations.orig_time) - meas_date).total_seconds()
        onsets = onsets + shift - first_time
    elif file_offset:
        onsets = onsets - file_offset
    placed = mne.Annotations(
        onset=onsets,
        duration=np.asarray(annotations.duration, dtype=np.float64),
        description=list(annotations.description),
    )
    return placed if clock is None else clock.to_sample_time(placed)


_EPOCH = datetime.datetime(1970, 1, 1, tzinfo=datetime.timezone.utc)


def utc(date: datetime.datetime) -> datetime.datetime:
    return date if date.tzinfo is not None else date.replace(tzinfo=datetime.timezone.utc)


def near_unix_epoch(date: datetime.datetime | None) -> bool:
    """Whether ``date`` lies within a year of 1970-01-01 (UTC), MNE's stand-in start."""
    return date is not None and abs((utc(date) - _EPOCH).total_seconds()) < 366 * 86400
