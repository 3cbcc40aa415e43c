"""Events of a recording's stim channel made annotations (``--events-from-stim``).

BioSemi BDF files (``Status``), FIF files (``STI 014``, ``STI101``) and others keep their
triggers as codes in a stim channel, not as annotations, and eegpt leaves stim channels out of
the channels it embeds. With ``events_from_stim`` (command line ``--events-from-stim
[CHANNEL]``) the codes are found there with :func:`mne.find_events` (on the file's own samples,
at its own rate, before any resampling) and made annotations of no duration
(:func:`mne.annotations_from_events`), described by ``event_names`` (``--event-names
CODE=NAME``) or by the code as text (``"11"``). They join the recording's own annotations and
those of an ``--annotations`` file before the windows get theirs: a stimulus lies in the window
that starts at it or holds it.

This module imports MNE only inside its functions: the command line's parsers use it.
"""

from __future__ import annotations

import shlex
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from eegpt._logging import few, info_shown
from eegpt._logging import log as _log
from eegpt._logging import warn as _warn

if TYPE_CHECKING:
    import mne

__all__ = [
    "StimEvents",
    "add_stim_events",
    "parse_event_names",
    "parse_stim_mask",
    "stim_annotations",
    "stim_channels",
    "stim_events_setting",
]

#: Stim channels MNE takes first when none is named (``mne.find_events``'s default): the
#: combined channel of newer Neuromag systems, then that of older ones.
PREFERRED_STIM = ("STI101", "STI 014")

#: BioSemi's status bits above the 16 trigger bits (MNE's BDF reader keeps bit 16): codes
#: above this carry them.
TRIGGER_BITS = 0xFFFF

#: Codes from this one to :data:`TRIGGER_BITS` are 8-bit codes with the upper trigger byte set
#: (a BioSemi trigger cable that holds pins 9-16 high): 65280 + code.
HIGH_BYTE = 0xFF00


@dataclass(frozen=True)
class StimEvents:
    """How a recording's stim channel is made annotations (:func:`add_stim_events`).

    Attributes
    ----------
    channel : str | None
        The stim channel (``--events-from-stim CHANNEL``); None: the recording's one stim
        channel (MNE's default: ``STI101``, ``STI 014``, else the one typed ``stim``).
    mask : int | None
        Bits of the codes kept (``mne.find_events(..., mask=, mask_type="and")``, e.g. 0xFF
        for BioSemi's 8-bit triggers); None: every bit.
    names : Mapping[int, str]
        The descriptions of the codes (``{11: "standard"}``); a code not named is described
        by its number as text (``"11"``).
    """

    channel: str | None = None
    mask: int | None = None
    names: Mapping[int, str] = field(default_factory=dict)

    def record(self) -> dict[str, Any]:
        """The setting as an output's metadata and a corpus run's settings record it (JSON:
        codes as text keys)."""
        return {
            "channel": self.channel,
            "mask": self.mask,
            "event_names": {str(k): v for k, v in sorted(self.names.items())},
        }

    @classmethod
    def from_record(cls, record: Mapping[str, Any]) -> StimEvents:
        """The setting :meth:`record` wrote."""
        names = {int(k): str(v) for k, v in (record.get("event_names") or {}).items()}
        mask = record.get("mask")
        return cls(record.get("channel"), None if mask is None else int(mask), names)

    @property
    def options(self) -> str:
        """The command-line options that give this setting."""
        words = ["--events-from-stim", *([self.channel] if self.channel else [])]
        if self.mask is not None:
            words += ["--stim-mask", hex(self.mask)]
        for code, name in sorted(self.names.items()):
            words += ["--event-names", f"{code}={name}"]
        return " ".join(shlex.quote(w) for w in words)


def stim_events_setting(
    events_from_stim: bool | str | None,
    stim_mask: int | None = None,
    event_names: Mapping[int, str] | None = None,
) -> StimEvents | None:
    """The Python keywords ``events_from_stim``, ``stim_mask`` and ``event_names`` (of
    :func:`eegpt.embed` and :func:`eegpt.embed_dataset`) as one :class:`StimEvents`, or None
    without ``events_from_stim``.

    Raises
    ------
    ValueError, TypeError
        ``stim_mask`` or ``event_names`` without ``events_from_stim``; a value of a wrong type.
    """
    if events_from_stim is None or events_from_stim is False:
        if stim_mask is not None or event_names:
            raise ValueError(
                "stim_mask= and event_names= apply to the events of a stim channel made "
                "annotations: give events_from_stim=True (the recording's stim channel) or "
                "events_from_stim='Status' (command line --events-from-stim [CHANNEL])"
            )
        return None
    if events_from_stim is True:
        channel = None
    elif isinstance(events_from_stim, str) and events_from_stim.strip():
        channel = events_from_stim.strip()
    else:
        raise TypeError(
            "events_from_stim= takes True (the recording's one stim channel) or a stim "
            f"channel's name, such as 'Status' or 'STI 014'; got {events_from_stim!r}"
        )
    if stim_mask is not None and (
        isinstance(stim_mask, bool) or not isinstance(stim_mask, int) or stim_mask <= 0
    ):
        raise ValueError(
            f"stim_mask={stim_mask!r}: give the bits of the codes to keep as a positive "
            "integer, such as 0xFF (BioSemi's 8-bit triggers) or 0xFFFF"
        )
    names: dict[int, str] = {}
    for code, name in (event_names or {}).items():
        if isinstance(code, bool) or not isinstance(code, int) or code <= 0 or not str(name):
            raise ValueError(
                f"event_names={dict(event_names or {})!r}: give {{code: name}} with positive "
                "integer codes and names, such as {11: 'standard', 12: 'target'}"
            )
        names[int(code)] = str(name)
    return StimEvents(channel, stim_mask, names)


def _integer(text: str) -> int:
    """``text`` as an integer the way Python writes one (``0xFF``, ``0b1111``, ``255``), or in
    base 10 where it is all digits with leading zeros (``0255``, ``011``), which Python's
    literals refuse.

    Raises
    ------
    ValueError
        For text that is neither.
    """
    text = text.strip()
    try:
        return int(text, 0)
    except ValueError:
        if text.isdigit():
            return int(text, 10)
        raise


def parse_stim_mask(text: str) -> int:
    """``--stim-mask`` as an integer: hexadecimal (``0xFF``), binary (``0b1111``) or decimal
    (``255``, ``0255``).

    Raises
    ------
    ValueError
        For other text or a value not above 0.
    """
    try:
        value = _integer(text)
    except ValueError:
        value = 0
    if value <= 0:
        raise ValueError(
            f"--stim-mask {text!r}: give the bits of the codes to keep as a positive integer, "
            "hexadecimal or decimal: 0xFF (BioSemi's 8-bit triggers), 0xFFFF, 255"
        )
    return value


def parse_event_names(values: Sequence[str]) -> dict[int, str]:
    """``--event-names CODE=NAME`` values (the option repeated) as ``{code: name}``.

    Raises
    ------
    ValueError
        For a value without ``=``, a code that is no positive integer, an empty name, or a
        code named twice otherwise.
    """
    names: dict[int, str] = {}
    for value in values:
        code_text, sep, name = value.partition("=")
        try:
            code = _integer(code_text)
        except ValueError:
            code = 0
        if not sep or code <= 0 or not name.strip():
            raise ValueError(
                f"--event-names {value!r}: give CODE=NAME, a stim channel's event code and "
                "its description, one per option: --event-names 11=standard --event-names "
                "12=target"
            )
        if names.get(code, name.strip()) != name.strip():
            raise ValueError(
                f"--event-names: code {code} is named twice ({names[code]!r} and "
                f"{name.strip()!r}); give one name per code"
            )
        names[code] = name.strip()
    return names


def stim_channels(info: Any) -> list[str]:
    """The stim channels of ``info`` (an :class:`mne.Info`): those typed ``stim``, and
    ``STI 014``/``STI101`` whatever their type, in recording order."""
    import mne

    typed = set(mne.pick_types(info, meg=False, ref_meg=False, stim=True, exclude=[]).tolist())
    names = list(info["ch_names"])
    return [n for i, n in enumerate(names) if i in typed or n in PREFERRED_STIM]


def _default_channel(info: Any) -> str | None:
    """The stim channel ``mne.find_events(raw)`` reads (:data:`PREFERRED_STIM`, else the one
    typed stim), or None where there is none or several and none preferred."""
    found = stim_channels(info)
    preferred = [n for n in PREFERRED_STIM if n in found]
    if preferred:
        return preferred[0]
    return found[0] if len(found) == 1 else None


def stim_channel_of(raw: mne.io.BaseRaw, channel: str | None, source: str) -> str:
    """The stim channel of ``raw`` whose events are made annotations: ``channel`` (it must be
    one of the recording's), else its one stim channel.

    Raises
    ------
    ValueError
        Naming the recording and its stim channels: ``channel`` not among its channels, none
        given and no stim channel, or several and none of MNE's preferred ones.
    """
    found = stim_channels(raw.info)
    listed = few([repr(n) for n in found], 8) or "none"
    if channel is not None:
        if channel in raw.ch_names:
            return channel
        raise ValueError(
            f"{source}: --events-from-stim {channel!r} (events_from_stim=): the recording has "
            f"no channel {channel!r} (its stim channels: {listed}; its channels: "
            f"{few(list(raw.ch_names), 8)}); name one of its stim channels"
        )
    chosen = _default_channel(raw.info)
    if chosen is not None:
        return chosen
    if not found:
        raise ValueError(
            f"{source}: --events-from-stim (events_from_stim=True): the recording has no stim "
            f"channel (no channel typed 'stim', no 'STI 014'), so no events to make "
            f"annotations of; its channels: {few(list(raw.ch_names), 8)}. " + _own_markers_text(raw)
        )
    raise ValueError(
        f"{source}: --events-from-stim (events_from_stim=True): the recording has "
        f"{len(found)} stim channels ({listed}) and it is not said whose events to take; "
        f"name one: --events-from-stim {shlex.quote(found[0])} (events_from_stim="
        f"{found[0]!r})"
    )


#: Volts per unit of the units MNE scales a channel of a file from (EDF physical dimensions,
#: BrainVision's; those eegpt converts after it are recorded by their usual name:
#: :func:`eegpt.edf_files.scaled_from`), spelt exactly as MNE matches them: a trigger channel
#: stored in them holds its codes in these units. Another case (``MV``, ``NV``: MNE and eegpt
#: read them as volts, unscaled) is no such unit: its values are the codes already.
UNIT_SCALES = {"V": 1.0, "mV": 1e-3, "uV": 1e-6, "\u00b5V": 1e-6, "\u03bcV": 1e-6, "nV": 1e-9}


def _file_unit_scale(raw: mne.io.BaseRaw, channel: str) -> tuple[str, float] | None:
    """The unit ``channel`` is stored in by ``raw``'s file and MNE's scale from it to volts
    (``("mV", 1e-3)``), where MNE scaled it (a channel not typed stim, in a unit of
    :data:`UNIT_SCALES` other than V); else None."""
    import mne

    index = raw.ch_names.index(channel)
    if mne.channel_type(raw.info, index) == "stim":
        return None
    unit = (getattr(raw, "_orig_units", None) or {}).get(channel)  # private: MNE's readers'
    scale = UNIT_SCALES.get(str(unit).strip()) if unit else None
    return None if scale is None or scale == 1.0 else (str(unit), scale)


def _file_unit_values(raw: mne.io.BaseRaw, channel: str, source: str) -> Any:
    """``channel`` of ``raw`` in its file's units (MNE's scaling to volts undone,
    :func:`_file_unit_scale`), cut to whole numbers (warned of where they were not): the codes
    ``mne.find_events`` reads, which it casts to integers (a code of 11 stored in µV, read as
    1.1e-05 V, would be 0). ndarray of float64, shape (1, raw.n_times); None where MNE did not
    scale the channel."""
    import numpy as np

    found = _file_unit_scale(raw, channel)
    if found is None:
        return None
    unit, scale = found
    values = raw.get_data(picks=[channel]) / scale
    whole = np.round(values)
    if not np.allclose(values, whole, rtol=0, atol=1e-3):
        odd = values[np.abs(values - whole) > 1e-3][:3]
        _warn(
            f"{source}: --events-from-stim {channel!r}: its values in the file's unit ({unit}) "
            f"are not whole numbers ({', '.join(f'{v:g}' for v in odd)}, ...), as trigger "
            "codes are; they are cut to whole numbers. Check that it holds trigger codes"
        )
    return whole


def _stim_raw(values: Any, channel: str, raw: mne.io.BaseRaw) -> mne.io.BaseRaw:
    """``values`` (shape (1, raw.n_times)) as a one-channel Raw typed stim named ``channel``,
    at ``raw``'s samples' rate (:func:`eegpt.io.samples_rate`) and from its first sample."""
    import mne

    from eegpt.mixed_rates import samples_rate

    info = mne.create_info([channel], samples_rate(raw), "stim")
    return mne.io.RawArray(values, info, first_samp=raw.first_samp, verbose=False)


def _in_file_units(raw: mne.io.BaseRaw, channel: str, source: str) -> mne.io.BaseRaw | None:
    """``channel`` of ``raw`` alone, typed stim, in its file's units (:func:`_file_unit_values`),
    at the samples' rate and from ``raw``'s first sample; None where MNE did not scale the
    channel."""
    values = _file_unit_values(raw, channel, source)
    return None if values is None else _stim_raw(values, channel, raw)


def _channel_read(raw: mne.io.BaseRaw, channel: str, source: str) -> mne.io.BaseRaw:
    """``channel`` of ``raw`` alone, read whole, typed stim: in its file's units where MNE
    scaled it (:func:`_file_unit_values`), its negative codes made those sent
    (:func:`_without_negative_codes`), at the samples' rate (:func:`eegpt.io.samples_rate`)
    and from ``raw``'s first sample, so that its events and resting level
    (:func:`resting_level`) come from one read."""
    values = _file_unit_values(raw, channel, source)
    if values is None:
        values = raw.get_data(picks=[channel])
    return _stim_raw(_without_negative_codes(values, channel, source), channel, raw)


def _without_negative_codes(values: Any, channel: str, source: str) -> Any:
    """``values`` of a stim channel (ndarray of float, shape (1, n_times)) with negative codes
    made those sent, a new array where there are any (else ``values`` as given). A Neuromag
    FIF's STI channel with STI016 active holds 16-bit words stored as signed ones (bit 15 set
    reads -32768 + code): cast to uint16, as ``mne.find_events(..., uint_cast=True)`` does.
    Elsewhere their absolute value is taken, as ``mne.find_events`` takes it, with a warning
    naming the recording."""
    import numpy as np

    codes = values[0].astype(np.int64)
    if codes.min(initial=0) >= 0:
        return values
    neuromag = channel.upper().startswith("STI") or ".fif" in Path(source).name.lower()
    if neuromag:
        _log(
            f"{source}: {channel!r} holds negative values (a Neuromag STI channel with STI016 "
            "active, stored as signed 16-bit words): read as unsigned ones (mne.find_events' "
            "uint_cast=True)",
            None,
        )
        return codes.astype(np.uint16).astype(np.float64)[np.newaxis]
    shown = ", ".join(str(int(v)) for v in np.unique(codes[codes < 0])[:4])
    _warn(
        f"{source}: --events-from-stim: {channel!r} holds negative values ({shown}), which "
        "trigger codes are not; their absolute values are taken as the codes (as "
        "mne.find_events takes them). Check the channel, and mask the bits the triggers use "
        "(--stim-mask)"
    )
    return np.abs(codes).astype(np.float64)[np.newaxis]


def resting_level(read: mne.io.BaseRaw, mask: int | None = None) -> int:
    """The code a one-channel Raw of :func:`_channel_read` holds most of the time (as
    ``mne.find_events`` reads codes: cast to integers, masked with ``mask``): its resting
    level, 0 for a trigger channel that returns to zero between triggers."""
    import numpy as np

    codes = read.get_data()[0].astype(np.int64)
    if mask is not None:
        codes &= mask
    values, counts = np.unique(codes, return_counts=True)
    return int(values[np.argmax(counts)]) if len(values) else 0


def _resting_text(source: str, channel: str, level: int, mask: int | None) -> str:
    """The warning for a stim channel resting at ``level`` (not 0), with the mask that
    removes it where it lies above the trigger bits."""
    below = (level & -level) - 1  # the bits under the level's lowest bit
    keep = below & mask if mask is not None else below
    how = (
        f"keep the trigger bits under it: --stim-mask {hex(keep)} (stim_mask={hex(keep)})"
        if keep
        else "give a mask of the bits the triggers use (--stim-mask)"
    )
    return (
        f"{source}: --events-from-stim: {channel!r} rests at {level}, not 0 (its most common "
        "code" + (f" under --stim-mask {hex(mask)}" if mask is not None else "") + "), so "
        f"every return to {level} after a trigger is made an event of code {level}, and "
        f"each trigger's code carries its bits; {how}"
    )


def _own_markers_text(raw: mne.io.BaseRaw) -> str:
    """What to do for a recording without a stim channel: where it has annotations of its own
    (a BrainVision or EEGLAB file's markers), that they are its events, used without the
    option; else to name the channel that holds the trigger codes."""
    own = sorted({str(d) for d in raw.annotations.description})
    if not own:
        return "Name the channel that holds the trigger codes: --events-from-stim CHANNEL"
    return (
        f"Its events are already annotations ({len(raw.annotations)} markers: "
        f"{few([repr(d) for d in own], 4)}), which each window lists as they are: leave out "
        "--events-from-stim (--marker-spans NAME=REGEX makes spans of state markers)"
    )


def find_stim_events(
    raw: mne.io.BaseRaw, channel: str, mask: int | None = None, source: str = "<recording>"
) -> Any:
    """``mne.find_events`` of one stim channel: every change of its code (``consecutive``,
    events of one sample kept, and a code already on at the first sample: ``initial_event``,
    a trigger at the file's start or a Raw cropped inside one), the codes masked with
    ``mask`` (``mask_type="and"``). A
    channel MNE scaled to volts (a trigger channel of an EDF typed EEG, in µV or mV) is read
    in its file's units (:func:`_in_file_units`).

    Returns
    -------
    ndarray of int64, shape (n_events, 3)
        Samples counted from the measurement's start (``raw.first_samp`` included), the
        code before, the code.
    """
    import mne

    read = _in_file_units(raw, channel, source)
    return mne.find_events(
        raw if read is None else read, stim_channel=channel, mask=mask, mask_type="and",
        shortest_event=1, consecutive=True, initial_event=True, verbose=False,
    )  # fmt: skip


def _biosemi_bits_text(source: str, channel: str, codes: Sequence[int]) -> str | None:
    """The warning for a BDF's ``Status`` codes read without a mask that carry BioSemi's
    upper status bits (codes above 0xFFFF) or a high trigger byte (65280 + code); None
    where they carry neither."""
    if not (channel.lower() == "status" or Path(source).suffix.lower() == ".bdf"):
        return None
    upper = [c for c in codes if c > TRIGGER_BITS]
    high = [c for c in codes if HIGH_BYTE <= c <= TRIGGER_BITS]
    if not upper and not high:
        return None
    shown = few([str(c) for c in sorted(set(upper or high))], 6)
    what = (
        f"BioSemi's upper status bits (codes {shown}: above 0xFFFF)"
        if upper
        else f"the upper trigger byte (codes {shown}: 65280 + code, pins 9-16 held high)"
    )
    return (
        f"{source}: the codes of {channel!r} carry {what}, so they are not the trigger codes "
        "sent; keep the trigger bits: --stim-mask 0xFF (stim_mask=0xFF) for 8-bit codes (0xFFFF "
        "only for a cable that sends 16-bit codes and rests at 0: it keeps a byte held high)"
    )


def stim_annotations(raw: mne.io.BaseRaw, setting: StimEvents, source: str) -> mne.Annotations:
    """The events of ``raw``'s stim channel (``setting``) as annotations of no duration.

    Found with :func:`find_stim_events` on the raw's own samples, made annotations with
    ``mne.annotations_from_events(events, sfreq, event_desc, orig_time=meas_date)`` (events
    count from the measurement's start, so no ``first_samp`` is given), then put in the time
    base of :func:`eegpt.annotations.annotations_of`: seconds from the raw's first sample (a
    cropped Raw's too), so that each lands on its trigger's sample.

    Warns
    -----
    RuntimeWarning
        For BioSemi status bits in the codes without a mask (:func:`_biosemi_bits_text`);
        for names given to codes the channel never has (naming the codes found).

    Raises
    ------
    ValueError
        See :func:`stim_channel_of`; also where ``mne.find_events`` raises one (named with
        the recording and the channel).
    """
    import mne

    from eegpt.annotations import in_first_sample_time
    from eegpt.mixed_rates import samples_rate

    channel = stim_channel_of(raw, setting.channel, source)
    read = _channel_read(raw, channel, source)
    try:
        events = find_stim_events(read, channel, setting.mask, source)
    except ValueError as err:
        raise ValueError(
            f"{source}: --events-from-stim {channel!r}: MNE found no events: {err}"
        ) from None
    level = resting_level(read, setting.mask)
    if level and len(events) and events[0, 0] == read.first_samp and events[0, 2] == level:
        events = events[1:]  # the channel at rest from its start: no trigger there
    codes = sorted({int(c) for c in events[:, 2]})
    under = f" under --stim-mask {hex(setting.mask)}" if setting.mask is not None else ""
    text = None if setting.mask is not None else _biosemi_bits_text(source, channel, codes)
    if text:
        _warn(text)
    elif level and codes:
        _warn(_resting_text(source, channel, level, setting.mask))
    unknown = sorted(set(setting.names) - set(codes))
    if not codes and not unknown:
        _warn(
            f"{source}: --events-from-stim: {channel!r} holds no events (its code "
            + (f"is {level} throughout" if level else "never changes from zero")
            + f"{under}), so none is made an annotation; check the channel"
            + (", or the mask" if setting.mask is not None else "")
        )
    if unknown:
        _warn(
            f"{source}: --event-names (event_names=) names code(s) {few([str(c) for c in unknown], 8)} "
            f"that {channel!r} never holds (its codes: "
            f"{few([str(c) for c in codes], 12) or 'none'}"
            + (f", with --stim-mask {hex(setting.mask)}" if setting.mask is not None else "")
            + "); check the codes, or the mask"
        )
    if not codes:  # mne.annotations_from_events refuses events of no code
        return mne.Annotations([], [], [])
    desc = {code: setting.names.get(code, str(code)) for code in codes}
    made = mne.annotations_from_events(
        events, sfreq=samples_rate(raw), event_desc=desc, orig_time=raw.info["meas_date"],
        verbose=False,
    )  # fmt: skip
    return in_first_sample_time(made, raw)


def joined(own: mne.Annotations | None, made: mne.Annotations | None) -> mne.Annotations | None:
    """``own`` and ``made`` (both in one time base) as one :class:`mne.Annotations`, ``own``
    first; None with neither."""
    import mne
    import numpy as np

    parts = [a for a in (own, made) if a is not None and len(a)]
    if not parts:
        return own if own is not None else made
    if len(parts) == 1:
        return parts[0]
    return mne.Annotations(
        np.concatenate([a.onset for a in parts]),
        np.concatenate([a.duration for a in parts]),
        np.concatenate([a.description for a in parts]),
    )


def _raw_of(recording: Any, raw: mne.io.BaseRaw | None) -> mne.io.BaseRaw | None:
    """The Raw whose stim channel is read for ``recording``: ``raw`` given, a streamed
    recording's own, else its file opened again without loading its samples; None for
    recordings of neither (arrays, epochs)."""
    if raw is not None:
        return raw
    own = getattr(recording, "raw", None)
    if own is not None:
        return own
    source = Path(str(getattr(recording, "source", "")))
    if not source.exists():
        return None
    from eegpt._logging import ignored_warnings
    from eegpt.recording_files import open_recording

    with ignored_warnings():  # said when the recording was read
        opened, _ = open_recording(source, preload=False, verbose="error")
    return opened


def _with_file_stim(raw: mne.io.BaseRaw, source: str, channel: str | None = None) -> mne.io.BaseRaw:
    """``raw``, or where it lacks the stim channel (``channel`` named, else any channel typed
    stim) but its EDF/BDF file has it (read without it, being stored at a higher rate than the
    EEG: :mod:`eegpt.streaming`), the file opened again with all its channels."""
    path = Path(source)
    has = channel in raw.ch_names if channel is not None else bool(stim_channels(raw.info))
    if has or path.suffix.lower() not in (".edf", ".bdf"):
        return raw
    if not path.exists():
        return raw
    from eegpt._logging import ignored_warnings
    from eegpt.recording_files import open_recording

    with ignored_warnings():
        opened, _ = open_recording(path, preload=False, verbose="error")
    found = channel in opened.ch_names if channel is not None else stim_channels(opened.info)
    return opened if found else raw


def made_annotations(
    recording: Any,
    setting: StimEvents,
    *,
    raw: mne.io.BaseRaw | None = None,
    verbose: Any = None,
) -> mne.Annotations | None:
    """The events of a continuous recording's stim channel as annotations of it
    (:func:`stim_annotations`: onsets in seconds from its first sample), the recording left
    as it is; None for epochs. ``raw``: as :func:`add_stim_events` takes it.

    Raises
    ------
    ValueError
        For a recording of no Raw (an array), or see :func:`stim_channel_of`.
    """
    if getattr(recording, "is_epoched", False):
        return None
    source = str(getattr(recording, "source", "<recording>"))
    found = _raw_of(recording, raw)
    if found is None:
        raise ValueError(
            f"{source}: --events-from-stim (events_from_stim=) reads a stim channel of an EEG "
            "file or mne.io.Raw; an array holds none: give the events as annotations "
            "instead (annotations=)"
        )
    if raw is None:
        found = _with_file_stim(found, source, setting.channel)
    made = stim_annotations(found, setting, source)
    _log(
        f"{source}: {len(made)} events of the stim channel made annotations"
        + (f" ({few(sorted(set(map(str, made.description))), 8)})" if len(made) else ""),
        verbose,
    )
    return made


def add_stim_events(
    recording: Any,
    setting: StimEvents | None,
    *,
    raw: mne.io.BaseRaw | None = None,
    verbose: Any = None,
) -> None:
    """Make the events of a continuous recording's stim channel annotations of it
    (``setting``, :func:`stim_annotations`), joined to its own; without ``setting``, say once
    (logged) what its stim channel holds that is not used.

    ``recording``: an :class:`eegpt.io.Recording` (its ``annotations`` set) or an
    :class:`eegpt.streaming.StreamedRecording` (its ``made_annotations`` set); ``raw``: the
    Raw it was made from, where it is not a file's (a Raw given in Python). Epochs are left
    as they are: their windows are their epochs.

    Raises
    ------
    ValueError
        With ``setting``, for a recording of no Raw (an array), or see
        :func:`stim_channel_of`.
    """
    if getattr(recording, "is_epoched", False):
        return
    source = str(getattr(recording, "source", "<recording>"))
    if setting is None:
        if not info_shown(verbose):  # the note is not shown: its channel is not read for it
            return
        try:
            found = _raw_of(recording, raw)
        except Exception:  # noqa: BLE001 - a note only: what reading says comes elsewhere
            return
        if found is not None:
            _note_unused(found, source, verbose)
        return
    made = made_annotations(recording, setting, raw=raw, verbose=verbose)
    if hasattr(recording, "made_annotations"):
        recording.made_annotations = made
    else:
        recording.annotations = joined(recording.annotations, made)


def _note_unused(raw: mne.io.BaseRaw, source: str, verbose: Any) -> None:
    """Log that ``raw``'s stim channel holds events not used, with the option that uses them;
    nothing where it has none, or where MNE cannot find them, or where the note is not shown
    (``verbose``, :func:`eegpt._logging.info_shown`): the channel is read only to say it."""
    if not info_shown(verbose):
        return
    channel = _default_channel(raw.info)
    if channel is None:
        return
    try:
        events = find_stim_events(raw, channel)
    except Exception:  # noqa: BLE001 - a channel that never returns to zero, a reading error
        return
    if not len(events):
        return
    codes = sorted({int(c) for c in events[:, 2]})
    _log(
        f"{source}: {channel} holds {len(events)} events (codes "
        f"{few([str(c) for c in codes], 8)}) that are not used; --events-from-stim "
        "(events_from_stim=True) makes them annotations",
        verbose,
    )
