"""Recording start dates that are no real time (no NumPy, SciPy, MNE or torch: imported by
:mod:`eegpt.io`, :mod:`eegpt.outputs` and the file checks that read headers only)."""

from __future__ import annotations

import datetime

#: ``metadata["clock"]`` (:func:`eegpt.io.date_clock`) of a recording whose start date is
#: EDF's anonymization placeholder (:func:`is_anonymized_start`): its clock is unknown, so no
#: ``clock_time`` is given (``clock_s``, from the file's start, still is).
ANONYMIZED_CLOCK = "anonymized"

#: The start EDF+ writes for an unknown or anonymized one (``startdate 01.01.85``, ``starttime
#: 00.00.00``; the EDF+ specification's placeholder, which anonymizing tools and EDFlib write).
EDF_ANONYMIZED_START = datetime.datetime(1985, 1, 1, 0, 0, 0)


def is_anonymized_start(date: datetime.datetime | str | None) -> bool:
    """Whether ``date`` (a recording's start: a ``datetime``, with or without a zone, or ISO
    8601 text as ``metadata["meas_date"]`` holds it) is EDF's placeholder for an unknown or
    anonymized start, 1985-01-01 00:00:00 (:data:`EDF_ANONYMIZED_START`), to the second (a
    fraction of a second, an EDF+ first record's offset, is ignored; so is the zone MNE labels
    it with). False for None, another date, or text that is no date."""
    if date is None:
        return False
    if not isinstance(date, datetime.datetime):
        try:
            date = datetime.datetime.fromisoformat(str(date))
        except ValueError:
            return False
    return date.replace(tzinfo=None, microsecond=0) == EDF_ANONYMIZED_START
