"""BrainVision files (``.vhdr`` header, ``.eeg`` data, ``.vmrk`` markers): checked before MNE
reads them, mended where MNE's reader falls short.

A corrupt header (an absurd ``NumberOfChannels``, channels without entries, a data file too
short for one sample) is refused before MNE allocates for it (:func:`_check_brainvision_header`);
a data file shorter than its header announces is measured (:func:`brainvision_truncated`) and
warned about; marker files in another codepage than UTF-8 are read through
:func:`_brainvision_text_as_latin1`; the header that names a ``.eeg`` data file, and the marker
file a header names, are found here. A recording paused and resumed has a ``New Segment``
marker dated with the moment recording resumed: :func:`brainvision_clock` places its segments
on the recording's clock (an :class:`~eegpt.edf_files.RecordClock`, as an EDF+D file's
records). :mod:`eegpt.io` reads the recordings with these.
"""

from __future__ import annotations

import builtins
import codecs
import configparser
import contextlib
import datetime
import os
import re
import threading
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

import mne
import numpy as np

from eegpt._logging import count, few, log
from eegpt._logging import warn as _warn
from eegpt._rates import taken_rate
from eegpt.edf_files import (
    EDF_CONVERTED_UNITS,
    EDF_VOLT_UNITS,
    RecordClock,
    scaled_from,
    unit_text,
)
from eegpt.errors import RecordingError

_BRAINVISION_BYTES = {"INT_16": 2, "INT_32": 4, "IEEE_FLOAT_32": 4}
"""Bytes per sample of the binary formats of BrainVision data files (as MNE reads them)."""

MAX_BRAINVISION_CHANNELS = 10_000
"""The most channels a BrainVision header may declare (``NumberOfChannels``): far more than
any EEG/MEG system records; EDF caps its own at 9,999 (a 4-character field). MNE sets aside
room for every declared channel before it reads their entries, so a corrupt count made it
use gigabytes of memory on a 260-byte header."""
_MAX_BRAINVISION_HEADER_BYTES = 16 << 20
"""The largest BrainVision header file read: a text of a line or two per channel."""


def _brainvision_config(header: bytes) -> configparser.ConfigParser | None:
    """A BrainVision header's settings as MNE reads them (its first line left out, text
    decoded by its ``Codepage`` (UTF-8 by default, ANSI as cp1252, Latin-1 where that fails),
    cut at ``[Comment]``, parsed by :mod:`configparser`), or None where they do not parse (MNE
    then says why)."""
    body = header.split(b"\n", 1)[1] if b"\n" in header else b""
    codepage = re.search(r"Codepage=(.+)", body.decode("ascii", "ignore"), re.IGNORECASE)
    name = codepage[1].strip() if codepage else "utf-8"
    try:
        text = body.decode("cp1252" if name == "ANSI" else name)
    except UnicodeDecodeError:
        text = body.decode("latin-1")
    except LookupError:  # a codepage Python does not know: MNE fails on it alike
        return None
    cfg = configparser.ConfigParser(interpolation=None)
    try:
        cfg.read_string(text.split("[Comment]")[0])
    except configparser.Error:
        return None
    return cfg


#: The units MNE's BrainVision reader converts to volts (it types a channel in any other misc
#: and reads its samples as volts)
BRAINVISION_VOLTS = frozenset({"V", "mV", "\u00b5V", "uV", "nV"})

#: Spellings of voltage units MNE's BrainVision reader does not know, with their size in volts:
#: the Greek mu (``μV``, which MNE knows in EDF files only), other letter cases (``uv``, ``mv``)
#: and the others :mod:`eegpt.edf_files` converts (:func:`convert_brainvision_units`)
BRAINVISION_CONVERTED_UNITS = {
    unit: factor
    for unit, factor in {**EDF_VOLT_UNITS, **EDF_CONVERTED_UNITS}.items()
    if unit not in BRAINVISION_VOLTS
}

#: Every spelling of a voltage unit eegpt knows (MNE's, and those it converts itself)
VOLT_SPELLINGS = frozenset({**EDF_VOLT_UNITS, **EDF_CONVERTED_UNITS}) | BRAINVISION_VOLTS


def convert_brainvision_units(raw: mne.io.BaseRaw, path: Path, verbose: Any = None) -> list[str]:
    """Convert to volts, and type EEG, the channels of a BrainVision recording whose unit in
    the ``.vhdr`` is a voltage MNE's reader does not know (:data:`BRAINVISION_CONVERTED_UNITS`:
    ``μV`` with a Greek mu, ``uv``, ``mv`` ...), which it reads as volts (1e6 times too large
    for µV) and types misc, so ``picks="eeg"`` left them out (a file of them all was refused);
    logs what it did and returns the channels converted. Each one's factor to volts is set for
    every read (``raw._cals``, with its ``range`` in ``raw.info``: reads block by block are
    converted too); a loaded ``raw``'s samples are multiplied. Those typed misc are typed EEG,
    unless a BIDS dataset's channels.tsv typed them (MNE-BIDS: ``raw._eegpt_typed_by_sidecar``,
    set by :func:`eegpt.bids.read_raw_bids`), whose types stand, misc or EEG (converted all
    the same). Channels MNE scaled (``range`` other than 1: a later MNE that knows the unit)
    are left as they are."""
    if type(raw).__name__ != "RawBrainVision":
        return []
    stated = _vhdr_units(path)  # raw._orig_units are MNE's remapping of them ('uv' as 'µV')
    types = raw.get_channel_types()
    rows = [  # range 1: MNE's factor for a unit it does not know (eegpt reads at scale=1)
        k
        for k, name in enumerate(raw.ch_names)
        if stated.get(name) in BRAINVISION_CONVERTED_UNITS and raw.info["chs"][k]["range"] == 1.0
    ]
    if not rows:
        return []
    names = [raw.ch_names[k] for k in rows]
    misc = [name for k, name in zip(rows, names, strict=True) if types[k] == "misc"]
    if getattr(raw, "_eegpt_typed_by_sidecar", False):
        misc = []  # typed by the channels.tsv (misc there: a sensor other than EEG), kept
    with raw.info._unlock():
        for k in rows:
            factor = BRAINVISION_CONVERTED_UNITS[stated[raw.ch_names[k]]]
            raw.info["chs"][k]["range"] *= factor
            raw._cals[k] *= factor
            if raw.preload:
                raw._data[k] *= factor
    if misc:  # typed so for the unit alone (MNE-BIDS types them by the channels.tsv)
        raw.set_channel_types(dict.fromkeys(misc, "eeg"), on_unit_change="ignore", verbose="error")
    scaled_from(raw, names, BRAINVISION_CONVERTED_UNITS, stated)
    units = list(dict.fromkeys(stated[name] for name in names))
    log(
        f"{path}: {count(len(names), 'channel')} ({few(names)}) in "
        f"{', '.join(unit_text(u) for u in units)} as the header states, which MNE's "
        "BrainVision reader reads as volts and types misc: converted to volts (x"
        f"{', x'.join(dict.fromkeys(f'{BRAINVISION_CONVERTED_UNITS[u]:g}' for u in units))})"
        + (
            " and typed EEG."
            if misc
            else ", typed as the channels.tsv types them."
            if getattr(raw, "_eegpt_typed_by_sidecar", False)
            else "."
        ),
        verbose,
    )
    return names


def _vhdr_units(path: Path) -> dict[str, str]:
    """Channel name -> unit as a BrainVision header's ``[Channel Infos]`` states it, read as
    MNE's reader reads it (``Ch1=Fp1,,0.1,µV``: the fourth field, µV where there is none, a
    UTF-8 lead byte ``\\xc2`` taken out; ``\\1`` in a name is a comma); empty where the header
    does not parse. Not ``raw._orig_units``, which MNE remaps (``uv`` and ``μV`` to ``µV``)."""
    try:
        cfg = _brainvision_config(path.read_bytes()[: 1 << 20])
    except OSError:
        return {}
    if cfg is None or not cfg.has_section("Channel Infos"):
        return {}
    units = {}
    for _, value in cfg.items("Channel Infos"):
        props = value.split(",")
        unit = props[3].strip() if len(props) > 3 and props[3].strip() else "\u00b5V"
        units[props[0].replace(r"\1", ",")] = unit.replace("\xc2", "")
    return units


def _check_brainvision_header(path: Path) -> None:
    """Refuse a BrainVision header (``.vhdr``, ``.ahdr``) whose ``NumberOfChannels`` is
    absurd (over :data:`MAX_BRAINVISION_CHANNELS`, or below 1), is not matched by an entry
    ``Ch1=`` ... ``ChN=`` of its ``[Channel Infos]`` section for every channel, or asks for
    more bytes than its binary data file holds for a single sample of every channel, before
    MNE reads it (as :func:`~eegpt.edf_files.check_edf_header` checks an EDF header): MNE
    allocates for the declared count first and then lists every missing index in its error. A
    header named with its extension in capitals (``.VHDR``), which MNE takes for another
    file than a header, is refused saying to rename it. A header whose count does not parse,
    or other things MNE checks itself, are left to MNE."""
    if path.suffix.lower() not in (".vhdr", ".ahdr") or not path.is_file():
        return
    where = f"could not read EEG file {path}"
    if path.suffix not in (".vhdr", ".ahdr"):  # MNE compares the extension as written
        raise RecordingError(
            f"{where}: MNE reads a BrainVision header only by its extension in lower case "
            f"({path.suffix.lower()}), not {path.suffix} (as old or copied files may be "
            f"named): rename it to {path.with_suffix(path.suffix.lower()).name} (its DataFile= "
            "and MarkerFile= lines need no change)"
        )
    size = path.stat().st_size
    if size > _MAX_BRAINVISION_HEADER_BYTES:
        raise RecordingError(
            f"{where}: the header file is {size} bytes, more than the "
            f"{_MAX_BRAINVISION_HEADER_BYTES >> 20} MiB any BrainVision header needs (it is "
            "text, a line or two per channel); it is not a BrainVision header, or corrupt"
        )
    cfg = _brainvision_config(path.read_bytes())
    if cfg is None:
        return  # MNE says why it does not parse, in a line
    common = "Common Infos" if cfg.has_section("Common Infos") else "Common infos"
    try:
        n_channels = cfg.getint(common, "NumberOfChannels")  # where MNE reads it, as it does
    except (configparser.Error, ValueError):
        return
    if not 1 <= n_channels <= MAX_BRAINVISION_CHANNELS:
        raise RecordingError(
            f"{where}: its header declares NumberOfChannels={n_channels}, outside 1 to "
            f"{MAX_BRAINVISION_CHANNELS:,}; the header is corrupt: check its NumberOfChannels "
            "against the Ch1=, Ch2=, ... entries of its [Channel Infos] section"
        )
    entries = cfg.options("Channel Infos") if cfg.has_section("Channel Infos") else []
    listed = {int(m[1]) for m in map(re.compile(r"ch(\d+)$", re.I).match, entries) if m}
    missing = [f"Ch{k}" for k in range(1, n_channels + 1) if k not in listed]
    if missing:
        raise RecordingError(
            f"{where}: its header declares NumberOfChannels={n_channels} but its [Channel "
            f"Infos] section has entries for {n_channels - len(missing)} of them (missing: "
            f"{few(missing, 5)}); the header is corrupt or cut short: make NumberOfChannels "
            "the number of channels listed, or restore the header from a complete copy"
        )
    # the header's fields by lower-case key, from the settings parsed above (not read again)
    fields = {key: value for section in cfg.sections() for key, value in cfg.items(section)}
    width = _BRAINVISION_BYTES.get(fields.get("binaryformat", "").upper())
    data = path.parent / fields.get("datafile", "")
    if fields.get("dataformat", "BINARY").upper() != "BINARY" or width is None:
        return
    if fields.get("datafile") and data.is_file() and data.stat().st_size < n_channels * width:
        raise RecordingError(
            f"{where}: its header declares NumberOfChannels={n_channels} of "
            f"{width}-byte samples ({n_channels * width} bytes for one sample of every "
            f"channel), but its data file {data.name} holds {data.stat().st_size} bytes; the "
            "header or the data file is corrupt, or the data file is empty"
        )


def brainvision_truncated(path: Path, raw: mne.io.BaseRaw) -> dict[str, Any] | None:
    """For a BrainVision recording (``path``: its ``.vhdr``) whose binary data file ends in a
    partial sample frame (a sample of every channel: MNE reads the whole ones only), or whose
    data file (binary or text, a line per sample) holds fewer samples than its header's
    ``DataPoints``: ``{"read_s": ..., "partial_bytes": ...}``
    and ``"announced_s"`` where the header gives the length, in seconds and bytes (as
    :attr:`~eegpt.edf_files.EDFHeader.truncated`, kept in the embeddings' provenance); None
    otherwise, and for other files."""
    return _brainvision_cut(path, raw)[0]


def _brainvision_cut(
    path: Path, raw: mne.io.BaseRaw, fields: dict[str, str] | None = None
) -> tuple[dict[str, Any] | None, bool]:
    """:func:`brainvision_truncated`, and whether the file stores its channels one after the
    other (``DataOrientation=VECTORIZED``); ``fields``: the header's, where read already."""
    if path.suffix.lower() != ".vhdr" or not raw.filenames or raw.filenames[0] is None:
        return None, False
    try:
        fields = dict(_vhdr_fields(path) if fields is None else fields)
        announced = int(fields["datapoints"]) if "datapoints" in fields else None
        if fields.get("dataformat", "BINARY").upper() == "ASCII":  # a line per sample
            n, leftover = raw.n_times, 0  # MNE counts the lines
            fields["dataorientation"] = ""  # MNE refuses VECTORIZED ASCII itself
        else:
            width = _BRAINVISION_BYTES.get(fields.get("binaryformat", "").upper())
            if width is None:
                return None, False  # a binary format MNE reads its own way
            size = os.path.getsize(raw.filenames[0])
            n, leftover = divmod(size, width * int(fields["numberofchannels"]))
    except (OSError, KeyError, ValueError, ZeroDivisionError):
        return None, False  # a header MNE read its own way: nothing to say
    if not leftover and (announced is None or n >= announced):
        return None, False
    sfreq = raw.info["sfreq"]
    out: dict[str, Any] = {"read_s": n / sfreq, "partial_bytes": leftover}
    if announced is not None and announced > n:
        out["announced_s"] = announced / sfreq
    return out, fields.get("dataorientation", "").upper() == "VECTORIZED"


def _vhdr_fields(path: Path) -> dict[str, str]:
    """The ``key=value`` fields of a BrainVision header (its first 64 KiB), by lower-case key."""
    text = path.read_bytes()[: 1 << 16].decode("latin-1")
    return {
        m[1].lower(): m[2].strip()
        for m in re.finditer(r"^\s*(\w+)\s*=([^\r\n]*)", text, re.MULTILINE)
    }


def _refuse_cut_brainvision_line(path: Path, raw: mne.io.BaseRaw, fields: dict[str, str]) -> None:
    """Refuse a BrainVision recording whose text (``DataFormat=ASCII``) data file ends in a
    line of fewer values than channels: a file cut inside its last line, on which MNE's
    reading would fail with NumPy's words alone. ``fields``: its header's
    (:func:`_vhdr_fields`)."""
    try:
        if fields.get("dataformat", "").upper() != "ASCII":
            return
        n_channels = int(fields["numberofchannels"])
        with open(raw.filenames[0], "rb") as fh:
            fh.seek(max(0, os.path.getsize(raw.filenames[0]) - (1 << 16)))
            lines = fh.read().decode("latin-1").splitlines()
    except (OSError, KeyError, ValueError):
        return  # a header MNE read its own way: nothing to say
    last = lines[-1].strip() if lines else ""
    if fields.get("decimalsymbol", ".") != ".":
        last = last.replace(",", ".")
    values = last.split() if " " in last else last.split(",")  # as MNE splits them
    if last and len(values) < n_channels:
        raise RecordingError(
            f"could not read EEG file {path}: the file looks truncated or corrupt: the last "
            f"line of its data file {Path(raw.filenames[0]).name} holds {len(values)} values "
            f"for {n_channels} channels; restore it from a complete copy"
        )


def _warn_brainvision_truncated(path: Path, raw: mne.io.BaseRaw) -> None:
    """Say that a BrainVision data file is truncated (:func:`brainvision_truncated`), with
    what is read of it, as :func:`~eegpt.edf_files.check_edf_header` says so of an EDF file;
    refuse one whose channels are stored one after the other (``VECTORIZED``): MNE would then
    take each channel's samples from the wrong place; and a text one cut inside a line."""
    if path.suffix.lower() != ".vhdr" or not raw.filenames or raw.filenames[0] is None:
        return
    try:
        fields = _vhdr_fields(path)  # read once for both checks
    except OSError:
        return  # a header MNE read its own way: nothing to say
    _refuse_cut_brainvision_line(path, raw, fields)
    cut, vectorized = _brainvision_cut(path, raw, fields)
    if cut is None:
        return
    data = Path(raw.filenames[0]).name
    announced = (
        f" of the {cut['announced_s']:g} s its header announces" if "announced_s" in cut else ""
    )
    partial = f" and {cut['partial_bytes']} bytes of a partial one" if cut["partial_bytes"] else ""
    if vectorized:
        raise RecordingError(
            f"could not read EEG file {path}: its data file {data} is truncated, and it stores "
            "its channels one after the other (DataOrientation=VECTORIZED), so where each "
            "channel's samples begin cannot be told; restore the file from a complete copy"
        )
    _warn(
        f"{path}: the file is truncated: its data file {data} holds {cut['read_s']:g} s of "
        f"whole samples (a sample of every channel){announced}{partial}; only the whole "
        "samples are read."
    )


def _undecodable(err: BaseException) -> bool:
    """Whether ``err`` (or an error it was raised from) is a text file's bytes not decoding
    in the encoding tried, or a codepage Python does not know."""
    seen: BaseException | None = err
    while seen is not None:
        if isinstance(seen, UnicodeError) or (
            type(seen) is LookupError and "encoding" in str(seen)
        ):
            return True
        seen = seen.__cause__ or seen.__context__
    return False


_BRAINVISION_OPEN_LOCK = threading.Lock()  # installing the reader's ``open``, once
_BRAINVISION_LATIN1 = threading.local()  # ``.depth``: this thread reads the marker as Latin-1


def _brainvision_open(file: Any, mode: str = "r", *args: Any, **kwargs: Any) -> Any:
    """The ``open`` of MNE's BrainVision reader module, once installed there: the built-in
    one, but for the text files opened without an encoding in a thread inside
    :func:`_brainvision_text_as_latin1`, which it opens as Latin-1."""
    if (
        getattr(_BRAINVISION_LATIN1, "depth", 0)
        and "b" not in mode
        and len(args) < 2
        and kwargs.get("encoding") is None
    ):
        kwargs["encoding"] = "latin-1"
    return builtins.open(file, mode, *args, **kwargs)


@contextlib.contextmanager
def _brainvision_text_as_latin1() -> Iterator[None]:
    """Have MNE's BrainVision reader open the text files it opens without naming an encoding
    as Latin-1 instead of the locale's (UTF-8): it reads the ``.vmrk`` so for the recording's
    date alone, an ASCII line, and fails there on a marker file in another codepage
    (``Codepage=ANSI``, cp1252, which German BrainVision Recorder writes: ö, µ). The markers
    themselves MNE decodes by the file's ``Codepage``. Binary reads (the samples) pass as
    they are, so a stream reading blocks meanwhile is not affected.

    Thread-safe: the reader's ``open`` (a module global) is replaced once, under a lock, by
    :func:`_brainvision_open` and never put back, so no thread can remove another's patch or
    restore one that outlives it (swapping it per call did both, leaving Latin-1 on for the
    rest of the process or off under a read). What that ``open`` does depends on a flag of
    the calling thread, set here only: MNE's reads from other threads, and from other
    callers, open text in the locale's encoding as ever."""
    try:
        from mne.io.brainvision import brainvision as reader
    except ImportError:  # another MNE layout: nothing to mend
        yield
        return
    with _BRAINVISION_OPEN_LOCK:
        if vars(reader).get("open") is not _brainvision_open:  # first call, or undone
            reader.open = _brainvision_open
    _BRAINVISION_LATIN1.depth = getattr(_BRAINVISION_LATIN1, "depth", 0) + 1
    try:
        yield
    finally:
        _BRAINVISION_LATIN1.depth -= 1


def _brainvision_marker_file(path: Path) -> Path | None:
    """The ``.vmrk`` marker file a BrainVision header (``path``) names, else the one of the
    same name beside it (as MNE falls back to); None when there is neither."""
    try:
        named = _vhdr_fields(path).get("markerfile", "")
    except OSError:
        named = ""
    for marker in (path.parent / named if named else None, path.with_suffix(".vmrk")):
        if marker is not None and marker.is_file():
            return marker
    return None


def _marker_codepage(marker: Path) -> str:
    """The encoding of a ``.vmrk`` by its ``Codepage=`` line, as MNE reads it: ``ANSI`` is
    Windows-1252, and a file without the line is UTF-8."""
    found = re.search(r"Codepage=(.+)", marker.read_bytes().decode("ascii", "ignore"))
    codepage = found[1].strip() if found else "UTF-8"
    return "cp1252" if codepage == "ANSI" else codepage


def _known_codepage(codepage: str) -> bool:
    """Whether Python has a codec of the name ``codepage``."""
    try:
        codecs.lookup(codepage)
    except LookupError:
        return False
    return True


def _brainvision_header(path: Path) -> Path | None:
    """The ``.vhdr`` header of a BrainVision ``.eeg`` data file: the one of the same name
    beside it, else one in its folder whose ``DataFile=`` line names it; None when there is
    none (a Nihon Kohden ``.eeg``)."""
    for suffix in (".vhdr", ".VHDR"):
        if path.with_suffix(suffix).is_file():
            return path.with_suffix(suffix)
    named = re.compile(rf"^(?i:DataFile)\s*=\s*{re.escape(path.name)}\s*$", re.MULTILINE)
    for header in sorted(path.parent.glob("*.[vV][hH][dD][rR]")):
        try:
            with open(header, "rb") as f:
                text = f.read(1 << 16).decode("latin-1")  # [Common Infos] opens the file
        except OSError:
            continue
        if named.search(text):
            return header
    return None


# ---------------------------------------------------------------- paused and resumed recordings


@dataclass(frozen=True)
class NewSegment:
    """A ``New Segment`` marker of a BrainVision marker file: where recording began or was
    resumed after a pause.

    Attributes
    ----------
    sample : int
        Its position in the samples, 0-based (the file's is 1-based).
    date : datetime.datetime | None
        The moment recording (re)started there, on the lab's wall clock (no zone), from the
        marker's 20-digit ``YYYYMMDDhhmmssuuuuuu`` field; None where it has none (or zeros).
    """

    sample: int
    date: datetime.datetime | None


def _marker_text(marker: Path) -> str:
    """A ``.vmrk``'s text, decoded by its ``Codepage`` line (:func:`_marker_codepage`), as
    Latin-1 where its bytes do not fit that or Python does not know it (as MNE falls back)."""
    data = marker.read_bytes()
    try:
        return data.decode(_marker_codepage(marker))
    except (UnicodeDecodeError, LookupError):
        return data.decode("latin-1")


def _segment_date(text: str) -> datetime.datetime | None:
    """The moment of a ``New Segment`` marker's date field (``YYYYMMDDhhmmssuuuuuu``), None
    for an empty, all-zero or malformed one (MNE reads those as no date too)."""
    text = text.strip()
    if len(text) != 20 or not text.isdigit() or not text.strip("0"):
        return None
    try:
        return datetime.datetime.strptime(text, "%Y%m%d%H%M%S%f")
    except ValueError:
        return None


def new_segments(marker: Path) -> list[NewSegment]:
    """The ``New Segment`` markers of the ``[Marker Infos]`` section of the BrainVision
    marker file ``marker`` (``Mk<n>=New Segment,<text>,<position>,<points>,<channel>[,<date>]``),
    in the order of their positions; of two at one position, the later in the file. Empty
    where the file has none or cannot be read."""
    try:
        text = _marker_text(marker)
    except OSError:
        return []
    found = re.search(r"^\[Marker Infos\][ \t]*\r?$", text, re.IGNORECASE | re.MULTILINE)
    if found is None:
        return []
    body = text[found.end() :]
    end = re.search(r"^\[.*\][ \t]*\r?$", body, re.MULTILINE)
    body = body[: end.start()] if end else body
    by_sample: dict[int, NewSegment] = {}
    for line in re.findall(r"^Mk\d+=(.*)$", body, re.MULTILINE):
        fields = line.strip().split(",")
        if len(fields) < 4 or fields[0].replace(r"\1", ",") != "New Segment":
            continue
        try:
            sample = int(fields[2]) - 1  # 1-based in the file
        except ValueError:
            continue
        date = _segment_date(fields[5]) if len(fields) > 5 else None
        by_sample[sample] = NewSegment(sample, date)
    return [by_sample[k] for k in sorted(by_sample)]


def _clock_of_segments(
    segments: Sequence[NewSegment],
    sfreq: float,
    meas_date: datetime.datetime | None = None,
    n_times: int | None = None,
) -> tuple[RecordClock | None, str]:
    """Where the segments of a paused and resumed BrainVision recording lie on its clock,
    and what to tell the user of it.

    ``segments``: its ``New Segment`` markers (:func:`new_segments`); ``sfreq``: its sampling
    rate in Hz (a rounded ``SamplingInterval`` taken at its nominal rate, as window onsets
    are: :func:`eegpt._rates.taken_rate`); ``meas_date``: the start MNE gave it, for the
    message; ``n_times``: its samples, to leave out markers past its end (a cut file).

    Returns the clock (segments in the samples and on the clock, in seconds from the first
    sample and from its moment: :class:`~eegpt.edf_files.RecordClock`; None where recording
    was never paused, or the pauses cannot be measured) and the warning (without the file's
    name), empty where there is nothing to say: for a clock, that times run behind it; for
    pauses that cannot be measured, why (dates missing, or running backwards)."""
    rate = taken_rate(sfreq)
    segments = [s for s in segments if s.sample >= 0 and (n_times is None or s.sample < n_times)]
    later = [s for s in segments if s.sample > 0]
    if not any(s.date is not None for s in later):
        return None, ""  # no pause, or none dated: windows over the markers are flagged
    at = few([f"{s.sample / rate:g} s" for s in later], 4)
    unmeasured = (
        "so the pauses cannot be measured: the windows' clock times (clock_s, clock_time) "
        "count on from the first sample as if recording never paused"
    )
    first = segments[0]
    if first.sample > 0 or first.date is None:
        dated = next(s for s in later if s.date is not None)
        took = (
            f"; and MNE took the recording's start (meas_date) from the marker at "
            f"{dated.sample / rate:g} s, where recording resumed, so every window's clock_time "
            f"is late by {dated.sample / rate:g} s or more"
            if meas_date is not None and meas_date.replace(tzinfo=None) == dated.date
            else ""
        )
        return None, (
            f"its 'New Segment' markers say recording was paused and resumed (at {at} into "
            "the samples) and date the resumptions, but none dates its first sample, "
            f"{unmeasured}{took}. Give the marker at sample 1 its date "
            "(Mk1=New Segment,,1,1,0,YYYYMMDDhhmmssuuuuuu) to have them measured."
        )
    undated = [s for s in later if s.date is None]
    if undated:
        carry = "carries" if len(undated) == 1 else "carry"
        where = few([f"{s.sample / rate:g} s" for s in undated], 4)
        return None, (
            f"its 'New Segment' markers say recording was paused and resumed (at {at} into "
            f"the samples), but {len(undated)} of them {carry} no date (at {where}), "
            f"{unmeasured}."
        )
    dates = [cast(datetime.datetime, s.date) for s in segments]
    samples = np.array([s.sample for s in segments], dtype=np.float64) / rate
    clock = np.array([(d - dates[0]).total_seconds() for d in dates])
    gaps = np.diff(clock) - np.diff(samples)  # each pause, in seconds
    tolerance = 0.5 / rate  # half a sample: the dates are rounded to microseconds
    back = np.flatnonzero(gaps < -tolerance)
    if len(back):
        k = int(back[0]) + 1
        ended = dates[k - 1] + datetime.timedelta(seconds=float(samples[k] - samples[k - 1]))
        return None, (
            f"the date of its 'New Segment' marker at {samples[k]:g} s into the samples "
            f"({dates[k].isoformat(' ')}) is earlier than the end of the segment before it "
            f"({ended.isoformat(' ')}): its clock ran backwards (the computer's clock was "
            f"reset, or the dates were edited), {unmeasured}. Check the dates of the marker "
            "file's New Segment markers."
        )
    after = np.flatnonzero(gaps > tolerance) + 1  # segments that start after a pause
    if not len(after):
        return None, ""  # resumed at once: one clock
    keep = np.concatenate([[0], after])
    found = RecordClock(
        tuple(float(samples[k]) for k in keep), tuple(float(clock[k]) for k in keep)
    )
    longest = int(after[np.argmax(gaps[after - 1])])
    return found, (
        f"recording was paused and resumed: {count(len(after), 'gap')} between its segments, "
        f"as the dates of its 'New Segment' markers show ({float(np.sum(gaps[after - 1])):g} s "
        f"in all; the longest {float(gaps[longest - 1]):g} s, at {float(samples[longest]):g} s "
        "into the samples). MNE reads the segments back to back, so times after a gap (window "
        "onsets) are earlier than the recording's clock by the gaps before them "
        "(Embeddings.clock_times() gives them on the clock); annotations given with it are "
        "placed by their clock times in the samples (its own markers, and those of its .vmrk "
        "or .vhdr given, count samples and stay where they were recorded). Windows over a "
        "join (its 'New Segment' marker) are marked bad; reject_by_annotation "
        "(--reject-by-annotation) leaves them out."
    )


def brainvision_clock(path: Path, raw: mne.io.BaseRaw) -> RecordClock | None:
    """For a BrainVision recording (``path``: its ``.vhdr``, ``raw``: as MNE read it) that
    was paused and resumed, its dated ``New Segment`` markers showing the pauses: where its
    segments lie on its clock (:class:`~eegpt.edf_files.RecordClock`, as an EDF+D file's
    records); None otherwise, and for other files. Says nothing:
    :func:`_warn_brainvision_pauses` does, when the file is read."""
    return _brainvision_pauses(path, raw)[0]


def _brainvision_pauses(path: Path, raw: mne.io.BaseRaw) -> tuple[RecordClock | None, str]:
    """:func:`brainvision_clock`, and what to say of it (:func:`_clock_of_segments`)."""
    if path.suffix.lower() != ".vhdr" or not path.is_file():
        return None, ""
    marker = _brainvision_marker_file(path)
    if marker is None:
        return None, ""
    return _clock_of_segments(
        new_segments(marker), float(raw.info["sfreq"]), raw.info["meas_date"], raw.n_times
    )


def _warn_brainvision_pauses(path: Path, raw: mne.io.BaseRaw) -> None:
    """Say that a BrainVision recording was paused and resumed, and how its clock runs
    (:func:`brainvision_clock`), as :func:`~eegpt.edf_files.mark_record_gaps` says so of an
    EDF+D file; or that its pauses cannot be measured, and why."""
    said = _brainvision_pauses(path, raw)[1]
    if said:
        _warn(f"{path}: {said}")


def marker_file_rate(marker: Path) -> float | None:
    """The sampling rate (Hz, ``1e6 / SamplingInterval`` as MNE reads it) of the header of
    the BrainVision marker file ``marker``'s name beside it (``.vhdr``, ``.ahdr``: where MNE
    takes it from to read the markers alone); None where there is none, or it has no rate."""
    header = next(
        (h for h in (marker.with_suffix(".vhdr"), marker.with_suffix(".ahdr")) if h.is_file()),
        None,
    )
    try:
        interval = float(_vhdr_fields(header)["samplinginterval"]) if header else 0.0
    except (OSError, KeyError, ValueError):
        return None
    return 1e6 / interval if interval > 0 else None


def warn_paused_raw(raw: mne.io.BaseRaw, source: str) -> None:
    """A Raw given (read by MNE, or by :func:`eegpt.io.read_recording`) of a BrainVision
    recording paused and resumed (``source``: its ``.vhdr``): a Raw does not carry the clock
    of its segments (:func:`brainvision_clock`), so say that its windows' clock times count
    on as if recording never paused, and to give the file's path instead."""
    path = Path(source)
    if path.suffix.lower() != ".vhdr" or not path.is_file():
        return
    clock = brainvision_clock(path, raw)
    if clock is None:
        return
    gaps = count(len(clock.clock_starts) - 1, "gap")
    _warn(
        f"{source}: a BrainVision recording paused and resumed ({gaps} "
        "between its segments, as the dates of its 'New Segment' markers show), given as a "
        "Raw, which does not keep where its segments lie on the recording's clock: the "
        "windows' clock times (clock_s, clock_time) after a pause would count on as if "
        "recording never paused. Give eegpt the file's path instead, which places them."
    )
