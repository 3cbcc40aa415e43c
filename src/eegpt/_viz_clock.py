"""Clock axes of the figures of :mod:`eegpt.viz` (:func:`eegpt.viz.plot_embeddings` with
``time="clock"``, :func:`eegpt.viz.plot_hypnogram`): time zones by name, the axis label that
says which clock it is, date ticks labelled in a zone while placed on the recording's clock.
"""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from matplotlib.axes import Axes


def _zone_name(tz: datetime.tzinfo | str, moment: Any) -> str:
    """A time zone's name to label an axis with (``Europe/Berlin``, ``UTC``, ``UTC+01:00``)."""
    if isinstance(tz, str):
        return tz
    key = getattr(tz, "key", None) or getattr(tz, "zone", None)
    return str(key) if key else str(moment.tzname() or tz)


def _zone(tz: datetime.tzinfo | str) -> datetime.tzinfo:
    """``tz`` as a tzinfo (a name: an IANA zone, ``"UTC"``)."""
    if isinstance(tz, str):
        import zoneinfo

        return zoneinfo.ZoneInfo(tz)
    return tz


#: The zone of a clock axis (:func:`_clock_label`) on a header's local wall clock.
LOCAL_CLOCK = "local wall clock, no zone"


def _clock_label(tz: datetime.tzinfo | str | None, first: Any, local: bool = False) -> str:
    """The x axis label of a clock axis (:func:`eegpt.viz.plot_hypnogram`,
    :func:`eegpt.viz.plot_embeddings`): its zone, ``tz``'s name; :data:`LOCAL_CLOCK` where the
    recording's clock is known to be its header's local wall clock (``local``: an EDF, BDF,
    BrainVision header's, which MNE labels UTC); else "recording clock", claiming no zone (a
    FIF file's UTC may be an EDF's wall clock it was converted from); and the first moment
    drawn (``first``, a datetime, zone-aware where ``tz`` is given)."""
    if tz is not None:
        zone = _zone_name(tz, first)
    else:
        zone = LOCAL_CLOCK if local else "recording clock"
    return f"clock time ({zone}), from {first:%Y-%m-%d %H:%M}"


def _clock_ticks(
    ax: Axes, tz: datetime.tzinfo | str | None, show_offset: bool = True, **formats: Any
) -> None:
    """Date ticks on a clock x axis whose data are naive datetime64 on the recording's clock
    (matplotlib takes them as UTC), labelled in ``tz`` where given: a daylight-saving change
    shows in the labels (01:59, 03:00) while the line runs on unbroken. The ticks are placed
    on that clock (evenly spaced in real time), only their labels are in ``tz``: a locator in
    ``tz`` steps in local wall time, which across a change repeats a tick (03:00 twice in
    spring) or, zoomed in, asks for billions of ticks (matplotlib 3.x)."""
    import matplotlib.dates as mdates

    zone = None if tz is None else _zone(tz)
    locator = mdates.AutoDateLocator()
    ax.xaxis.set_major_locator(locator)
    ax.xaxis.set_major_formatter(
        mdates.ConciseDateFormatter(locator, tz=zone, show_offset=show_offset, **formats)
    )
