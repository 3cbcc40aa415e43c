"""Windows on a recording's clock (:func:`window_clock`): seconds from its acquisition start
(``clock_s``) and the moments of its wall clock (``clock_time``, naive ``datetime64[us]``:
:func:`clock_moments`), from the time base its provenance records (``_TIME_BASE``); moments
as ISO 8601 text (:func:`iso_moments`, :func:`uniform_iso`). Imports neither MNE nor SciPy."""

from __future__ import annotations

import datetime
import math
from collections.abc import Iterable, Mapping
from typing import Any

import numpy as np

from eegpt._dates import ANONYMIZED_CLOCK, parse_iso

__all__ = ["clock_moments", "has_clock_time", "iso_moments", "uniform_iso", "window_clock"]

#: Where a recording's onsets count from (provenance keys; a corpus run's file statuses).
_TIME_BASE = ("first_time", "meas_date", "clock", "record_clock", "file_offset")


def clock_moments(
    seconds: np.ndarray,
    meas_date: str | datetime.datetime,
    first_time: float | None = None,
    clock: Any = None,
) -> np.ndarray:
    """The moments of times in a recording, naive ``datetime64[us]``, shape of ``seconds``:
    the recording's wall clock as its header states it. MNE labels a measurement date UTC,
    but an EDF/BDF/BrainVision header holds the lab's local time (FIF and EGI ``.mff`` do
    store UTC: embeddings' ``metadata["clock"]`` says which), so no zone is claimed; a date
    with a zone is brought to UTC first, as MNE keeps dates.

    Parameters
    ----------
    seconds : ndarray of float, shape (n,)
        Times in seconds from the recording's first sample (window onsets).
    meas_date : str | datetime.datetime
        The acquisition's start (ISO 8601; one without a zone is UTC, as MNE keeps dates).
    first_time : float | None
        Seconds from the acquisition's start to the first sample (``raw.first_time``).
    clock : eegpt.edf_files.RecordClock | None
        For a discontinuous EDF+D/BDF+D file, where its records lie on the clock: each time
        is moved by the gaps before it.

    Returns
    -------
    ndarray of datetime64[us], shape (n,)
    """
    seconds = np.asarray(seconds, dtype=np.float64)
    if clock is not None:
        seconds = clock.to_clock(seconds)
    date = meas_date
    if not isinstance(date, datetime.datetime):
        date = datetime.datetime.fromisoformat(str(meas_date))
    if date.tzinfo is not None:  # a date without a zone is UTC, as MNE keeps dates
        date = date.astimezone(datetime.timezone.utc).replace(tzinfo=None)
    start = np.datetime64(date, "us")
    offset = seconds + float(first_time or 0.0)
    return start + np.round(offset * 1e6).astype("timedelta64[us]")


def iso_moments(moments: np.ndarray, *, utc: bool = True) -> list[str]:
    """``datetime64`` moments as ISO 8601 text: to the second where all are whole seconds,
    else to the microsecond (one format for a column: give all its moments at once, or pass a
    table of several recordings' texts through :func:`uniform_iso`). ``utc``: with the offset MNE's label
    gives them, ``"2026-01-01T23:59:50+00:00"`` (earlier ``probe predict`` tables); False:
    without one, ``"2026-01-01T23:59:50"``, the recording's wall clock as its header states it
    (an EDF/BDF header holds local time, which MNE labels UTC). ``NaT`` gives ``""``."""
    moments = np.asarray(moments, dtype="datetime64[us]")
    known = ~np.isnat(moments)
    whole = bool(np.all(moments[known].astype(np.int64) % 1_000_000 == 0))
    spec = "seconds" if whole else "microseconds"
    zone = datetime.timezone.utc if utc else None
    return [
        m.item().replace(tzinfo=zone).isoformat(timespec=spec) if ok else ""
        for m, ok in zip(moments, known, strict=True)
    ]


def uniform_iso(texts: Iterable[Any]) -> list[str | None]:
    """ISO 8601 texts (a table's ``clock_time`` column: ``"2026-01-01T23:59:50"``, perhaps
    with microseconds or an offset; None or ``""`` where there is none) rewritten in one
    format, the finest any needs: to the microsecond where one is not a whole second, else to
    the second (offsets kept). What :func:`iso_moments` does for one recording's moments, for
    a table of several recordings, whose rows were each formatted for their own recording:
    ``pandas.read_csv(parse_dates=...)`` and ``pandas.to_datetime`` need one format per
    column. Returns a list as long as ``texts``, None where there is no moment."""
    moments = [
        None if v is None or (isinstance(v, float) and math.isnan(v)) or str(v) == ""
        else parse_iso(str(v))
        for v in texts
    ]  # fmt: skip
    whole = all(m.microsecond == 0 for m in moments if m is not None)
    spec = "seconds" if whole else "microseconds"
    return [None if m is None else m.isoformat(timespec=spec) for m in moments]


def window_clock(
    metadata: Mapping[str, Any], onsets: np.ndarray
) -> tuple[np.ndarray, np.ndarray | None]:
    """``(clock_s, clock_time)`` of windows at ``onsets`` of a recording whose provenance is
    ``metadata`` (its time base: ``record_clock``, ``meas_date``, ``first_time``).

    ``clock_s``: float64 seconds on the recording's clock from its acquisition start (the
    moment of ``meas_date``, MNE's time base), one base for Raw and epochs: a Raw's onsets
    count from its first sample, so ``first_time`` is added (nonzero for a cropped Raw or a
    FIF file with ``first_samp > 0``), and the gaps of a discontinuous EDF+D/BDF+D file before
    each; epochs' onsets already count from the acquisition start. A window of a Raw and an
    epoch of it at the same moment get the same ``clock_s`` (both at the nominal rate of a
    rate a header rounded, :func:`eegpt.preprocessing.taken_rate`: a BrainVision recording's
    256 Hz for MNE's 256.016 Hz); ``clock_time`` is the measurement
    date plus ``clock_s``.
    ``clock_time``: the moments of the onsets, naive ``datetime64[us]``
    (:func:`clock_moments`, as ``probe predict``'s ``clock_time``): the recording's wall clock
    as its header states it (for EDF/BDF local time, which MNE labels UTC); None without a
    measurement date, or with EDF's placeholder for an anonymized one (``metadata["clock"]``
    ``"anonymized"``: :func:`eegpt._dates.is_anonymized_start`)."""
    seconds = np.asarray(onsets, dtype=np.float64)
    clock = None
    if metadata.get("record_clock"):  # a discontinuous EDF+D file
        from eegpt.edf_files import RecordClock

        clock = RecordClock.from_dict(metadata["record_clock"])
    # from the acquisition start, as epochs' onsets already count (MNE's time base): a Raw's
    # onsets count from its first sample, first_time after that start
    first = float(metadata.get("first_time") or 0.0)
    on_clock = (seconds if clock is None else clock.to_clock(seconds)) + first
    if not has_clock_time(metadata):
        return on_clock, None
    return on_clock, clock_moments(on_clock, metadata["meas_date"])


def has_clock_time(metadata: Mapping[str, Any]) -> bool:
    """Whether the windows of a recording whose provenance (or time base) is ``metadata``
    have a ``clock_time`` (:func:`window_clock`): it has a measurement date that is not EDF's
    placeholder for an anonymized one (``metadata["clock"]`` ``"anonymized"``)."""
    return bool(metadata.get("meas_date")) and metadata.get("clock") != ANONYMIZED_CLOCK
