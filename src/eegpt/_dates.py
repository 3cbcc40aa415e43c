"""Recording start dates that are no real time (no NumPy, SciPy, MNE or torch: imported by
:mod:`eegpt.io`, :mod:`eegpt.outputs` and the file checks that read headers only)."""

from __future__ import annotations

import datetime
import re

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
            date = parse_iso(str(date))
        except ValueError:
            return False
    return date.replace(tzinfo=None, microsecond=0) == EDF_ANONYMIZED_START


_ISO_TIME_TAIL = re.compile(
    r"^(?P<head>\d{4}-\d\d-\d\d[T ]\d\d:\d\d(?::\d\d)?)(?:\.(?P<fraction>\d+))?"
    r"(?P<zone>Z|[+-]\d\d(?::?\d\d)?)?$"
)


def iso_text_for_python310(text: str) -> str:
    """``text`` (ISO 8601 date and time) in the narrower form Python 3.10's
    ``datetime.fromisoformat`` reads: a ``Z`` zone as ``+00:00``, a ``+HHMM`` zone (as
    ``time.strftime``'s ``%z`` writes it) or ``+HH`` as ``+HH:MM``, a fraction of a second padded or cut
    to 6 digits (microseconds). Other text is returned as given."""
    match = _ISO_TIME_TAIL.match(text.strip())
    if match is None:
        return text
    out = match["head"]
    if match["fraction"]:
        out += "." + (match["fraction"] + "000000")[:6]
    zone = match["zone"]
    if zone:
        minutes = zone[-2:] if len(zone) > 3 else "00"  # "+05": hours only
        out += "+00:00" if zone == "Z" else f"{zone[:3]}:{minutes}"
    return out


def parse_iso(text: str) -> datetime.datetime:
    """``datetime.fromisoformat`` of ``text`` with what Python 3.11 reads and 3.10 does not
    (``Z``, ``+HHMM`` zones, fractions of other than 3 or 6 digits) read alike on both. Raises
    ``ValueError`` for text that is no ISO 8601 date."""
    return datetime.datetime.fromisoformat(iso_text_for_python310(text))
