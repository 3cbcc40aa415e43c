"""EDF and BDF files: their headers, data records, record clock and annotation signals.

:func:`check_edf_header` validates an EDF/BDF header field by field (:class:`EDFHeader`) and
checks the body's length against it, before MNE parses the file. In an EDF+/BDF+ file the
annotation signals are scanned block by block (:func:`scan_edf_annotations`,
:func:`read_edf_annotations`) for the records' time stamps (:func:`record_onsets`,
:func:`first_record_offset`, :func:`edf_start_time`); :func:`check_record_steps` refuses stamps
that contradict the header's record duration, and :func:`mark_record_gaps` places the records
of a discontinuous EDF+D/BDF+D recording on their own clock (:class:`RecordClock`).
:mod:`eegpt.io` calls these around MNE's reader; ``EDFHeader``, ``check_edf_header`` and
``RecordClock`` are importable from there too.
"""

from __future__ import annotations

import contextlib
import datetime
import math
import os
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Literal, NoReturn

import mne
import numpy as np

from eegpt._logging import count, few, log
from eegpt._logging import warn as _warn
from eegpt.errors import RecordingError
from eegpt.formats import PathLike

#: Unit strings of EDF/BDF signals that MNE converts to volts correctly (anything else, including
#: an empty field, is read as if it were volts).
EDF_VOLT_UNITS = {
    "V": 1.0,
    "mV": 1e-3,
    "uV": 1e-6,
    "\u00b5V": 1e-6,  # micro sign
    "\u03bcV": 1e-6,  # Greek mu
    "\x83\xcaV": 1e-6,  # Shift-JIS mu, as read with latin-1
}

#: Voltage units of EDF/BDF signals that MNE does not know, and so reads as volts, though their
#: scale is unambiguous: eegpt converts them to volts itself (:func:`convert_unknown_volts`).
#: Besides nanovolts, the spellings of micro- and millivolts MNE matches exactly only: another
#: letter case (``uv``, ``UV``, ``µv``, ``mv``; not ``MV`` or ``Mv``, megavolts) and a micro
#: sign or Greek mu written in UTF-8, which the header's Latin-1 reads as two characters
#: (``ÂµV``, ``Î¼V``; :data:`EDF_UNIT_SPELLINGS` says what they are).
EDF_CONVERTED_UNITS = {
    "nV": 1e-9,
    "nv": 1e-9,
    "uv": 1e-6,
    "UV": 1e-6,
    "Uv": 1e-6,
    "\u00b5v": 1e-6,  # micro sign, small v
    "\u03bcv": 1e-6,  # Greek mu, small v
    "\u00c2\u00b5V": 1e-6,  # micro sign in UTF-8 (C2 B5), read as Latin-1
    "\u00ce\u00bcV": 1e-6,  # Greek mu in UTF-8 (CE BC), read as Latin-1
    "mv": 1e-3,
}

#: How the messages name the units of :data:`EDF_CONVERTED_UNITS` that do not show as the unit
#: they are (UTF-8 read as Latin-1), and the Greek mu, which looks like the micro sign
EDF_UNIT_SPELLINGS = {
    "\u03bcV": "\u03bcV (a Greek mu)",
    "\u00c2\u00b5V": "'\u00c2\u00b5V' (\u00b5V written in UTF-8)",
    "\u00ce\u00bcV": "'\u00ce\u00bcV' (\u03bcV written in UTF-8)",
}


def unit_text(unit: str) -> str:
    """``unit`` as the messages name a header's unit: as it reads, or for a micro sign or
    Greek mu written in UTF-8 (:data:`EDF_UNIT_SPELLINGS`), as it reads and what it is, and
    one padded with NUL bytes or a non-ASCII space as Python writes it, saying so."""
    if "\x00" in unit:
        plain = unit.replace("\x00", "").strip()
        return f"{unit!r} ({unit_text(plain)} padded with NUL bytes)"
    if unit != unit.strip():  # a space MNE does not strip (a Latin-1 no-break space)
        return f"{unit!r} ({unit_text(unit.strip())} padded with a non-ASCII space)"
    return EDF_UNIT_SPELLINGS.get(unit, unit)


def edf_unit_scale(unit: str) -> float | None:
    """Volts per unit of an EDF/BDF header's physical dimension ``unit`` (as
    :class:`EDFHeader` holds it) as eegpt takes it: a unit of :data:`EDF_VOLT_UNITS` or
    :data:`EDF_CONVERTED_UNITS`, NUL bytes that pad the field (as C writers leave it, where
    EDF asks for spaces) and non-ASCII spaces (``\xa0``) left out; None for any other (an
    empty field, ``degC``)."""
    plain = unit.replace("\x00", "").strip()
    return EDF_VOLT_UNITS.get(plain, EDF_CONVERTED_UNITS.get(plain))


def converted_scale(unit: str) -> float | None:
    """The factor eegpt multiplies MNE's samples of a signal in the EDF/BDF physical dimension
    ``unit`` by, to volts (:func:`convert_unknown_volts`): the unit's size
    (:func:`edf_unit_scale`) where MNE, which matches :data:`EDF_VOLT_UNITS` exactly, read it
    as volts (``nV``, ``uv``, ``uV`` padded with NUL bytes); None where MNE scaled it right or
    eegpt does not know it."""
    scale = edf_unit_scale(unit)
    return None if scale is None or unit in EDF_VOLT_UNITS or scale == 1.0 else scale


#: Highest sampling rate (Hz) an EDF/BDF signal may have; higher ones mean a corrupt header.
MAX_SFREQ = 1e6


def _mark_unscalable(raw: mne.io.BaseRaw, path: Path, header: EDFHeader) -> None:
    """Mark bad the signals whose header gives no scale (physical or digital minimum =
    maximum), so they are left out like any bad channel (MNE reads them as zeros, or
    unscaled), with one warning naming them and which range is empty."""
    labels = set(header.unscalable)
    names = [name for name in raw.ch_names if name.strip() in labels]
    raw.info["bads"] = [*raw.info["bads"], *(n for n in names if n not in raw.info["bads"])]
    groups = []
    for kind in ("physical", "digital"):
        of_kind = [
            label
            for label, why in zip(header.unscalable, header.unscalable_ranges, strict=True)
            if why == kind
        ]
        if of_kind:
            verb = "has" if len(of_kind) == 1 else "have"
            groups.append(f"{few(of_kind)} {verb} equal {kind} minimum and maximum")
    _warn(
        f"{path}: {'; '.join(groups)} in the header, so the samples cannot be scaled (the "
        "header is corrupt there); marked bad, so left out."
    )


def convert_unknown_volts(
    raw: mne.io.BaseRaw, path: Path, header: EDFHeader, verbose: Any = None
) -> list[str]:
    """Convert to volts the signals of an EDF/BDF file whose header states a voltage unit MNE
    does not know (:data:`EDF_CONVERTED_UNITS`: ``nV``, and ``uv``, ``UV``, ``mv`` or a micro
    sign in UTF-8), which MNE reads as volts (1e9, 1e6 or 1e3 times too large), by the unit's
    factor; logs what it did and returns the channels converted.

    MNE's reader keeps each signal's factor to volts (1 for a unit it does not know, in
    ``raw._raw_extras``), applied to every read: that factor is set for a ``raw`` not loaded
    yet (so reads block by block are converted too), a loaded one's samples are multiplied.
    Where neither can be done (another MNE's reader), nothing is converted and the unit check
    warns of the unit as before. Channels MNE typed stim (``Status``, ``Trigger``) are left
    as read: MNE reads them unscaled whatever their unit (their values are the codes)."""
    by_label = {header.labels[k]: header.units[k] for k in header.data_signals}
    factors = {name: converted_scale(unit) for name, unit in by_label.items()}
    types = raw.get_channel_types()
    rows = [
        k
        for k, name in enumerate(raw.ch_names)
        if factors.get(name) is not None and types[k] != "stim"
    ]
    if not rows:
        return []
    extras = getattr(raw, "_raw_extras", None) or [{}]
    gains = extras[0].get("units") if len(extras) == 1 else None
    if not raw.preload and not (
        isinstance(gains, np.ndarray)
        and len(gains) == len(raw.ch_names)
        and (gains[rows] == 1).all()
    ):
        names = [raw.ch_names[k] for k in rows]
        _warn(
            f"{path}: {few(names)} in {unit_text(by_label[names[0]])} as the header states, which MNE "
            f"reads as volts, and which eegpt could not convert with this MNE: rescale the "
            f"samples as read by {factors[names[0]]:g} (--rescale)."
        )
        return []
    for k in rows:
        factor = factors[raw.ch_names[k]]
        assert factor is not None
        if raw.preload:
            raw._data[k] *= factor
        else:
            assert gains is not None
            gains[k] *= factor
    names = [raw.ch_names[k] for k in rows]
    scaled_from(raw, names, {by_label[name]: edf_unit_scale(by_label[name]) for name in names},
                by_label)  # fmt: skip
    units = sorted({by_label[name] for name in names})
    log(
        f"{path}: {count(len(names), 'channel')} ({few(names)}) in "
        f"{', '.join(unit_text(u) for u in units)} as the "
        "header states, which MNE reads as volts: converted to volts (x"
        f"{', x'.join(dict.fromkeys(f'{converted_scale(u):g}' for u in units))}). A --rescale given "
        "multiplies the samples so converted: give none for this unit.",
        verbose,
    )
    return names


#: The unit each size of a volt is named by in ``raw._orig_units`` once converted
_CANONICAL_UNITS = {1.0: "V", 1e-3: "mV", 1e-6: "\u00b5V", 1e-9: "nV"}


def scaled_from(
    raw: mne.io.BaseRaw,
    names: Sequence[str],
    factors: Mapping[str, float | None],
    stated: Mapping[str, str],
) -> None:
    """Record in ``raw._orig_units`` (MNE's channel -> unit its samples were scaled from, which
    :mod:`eegpt.stim_events` reads a trigger channel's codes by) the unit eegpt converted each
    channel of ``names`` from: its ``stated`` unit's size (``factors``) by its usual name
    (``ÂµV`` as ``µV``), where MNE had remapped the unit it did not know (to ``n/a`` for ``ÂµV``,
    which left a trigger channel so converted read in volts: its codes a millionth)."""
    units = getattr(raw, "_orig_units", None)
    if not isinstance(units, dict):
        return
    for name in names:
        factor = factors[stated[name]]
        units[name] = stated[name] if factor is None else _CANONICAL_UNITS.get(factor, stated[name])


_ANNOTATION_LABELS = ("EDF Annotations", "BDF Annotations")
# (name, width) of the per-signal header fields, in file order
_SIGNAL_FIELDS = (
    ("label", 16),
    ("transducer type", 80),
    ("physical dimension", 8),
    ("physical minimum", 8),
    ("physical maximum", 8),
    ("digital minimum", 8),
    ("digital maximum", 8),
    ("prefiltering", 80),
    ("number of samples per data record", 8),
    ("reserved", 32),
)


@dataclass(frozen=True)
class EDFHeader:
    """The parts of an EDF/BDF header that decide how the file is read.

    Attributes
    ----------
    kind : ``"EDF"`` | ``"BDF"``
        16-bit (EDF) or 24-bit (BDF) samples.
    labels, units : tuple of str
        Label and physical dimension (unit) of every signal, annotation signals included.
    samples_per_record : tuple of int
        Samples of each signal in one data record.
    record_seconds : float
        Duration of one data record in seconds.
    n_records : int
        Data records announced by the header (-1: unknown).
    n_complete_records : int
        Complete data records the file holds (what MNE reads).
    variant : str
        The header's reserved field: ``"EDF+C"`` / ``"BDF+C"`` (continuous EDF+/BDF+),
        ``"EDF+D"`` / ``"BDF+D"`` (discontinuous: records may be separated by gaps), or empty
        (plain EDF/BDF).
    header_bytes : int
        Size of the header; the data records follow it.
    unscalable : tuple of str
        Labels of signals whose physical or digital minimum equals its maximum: their samples
        cannot be scaled (MNE reads them as zeros, or unscaled), so
        :func:`~eegpt.io.read_recording` marks them bad.
    unscalable_ranges : tuple of str
        For each of ``unscalable``, the range that is empty: ``"physical"`` or ``"digital"``.
    clock : RecordClock | None
        For a discontinuous file with gaps between its records, as read (set when the file is
        opened, not by :func:`check_edf_header`): where the records lie on the clock.
    start_offset : float
        For an EDF+/BDF+ file, seconds from the header's start time to its first sample (the
        first record's time-keeping onset; usually 0; set when the file is opened).
    physical : tuple of (float, float)
        The physical minimum and maximum of every signal, in its physical dimension (``units``),
        as the header states them: the values its digital minimum and maximum stand for, the
        range the file can hold (NaN for annotation signals; empty where not read).
    """

    kind: str
    labels: tuple[str, ...]
    units: tuple[str, ...]
    samples_per_record: tuple[int, ...]
    record_seconds: float
    n_records: int
    n_complete_records: int
    variant: str = ""
    header_bytes: int = 256
    unscalable: tuple[str, ...] = ()
    unscalable_ranges: tuple[str, ...] = ()
    clock: RecordClock | None = None
    start_offset: float = 0.0
    physical: tuple[tuple[float, float], ...] = ()

    @property
    def truncated(self) -> dict[str, float] | None:
        """For a file with fewer complete data records than its header announces: the
        announced and the read length in seconds (kept in the embeddings' provenance); None
        otherwise."""
        if self.n_records <= self.n_complete_records:  # also -1: the length is not announced
            return None
        return {
            "announced_s": self.n_records * self.record_seconds,
            "read_s": self.n_complete_records * self.record_seconds,
        }

    @property
    def discontinuous(self) -> bool:
        """An EDF+D / BDF+D file, whose data records carry their own start times."""
        return self.variant.endswith("+D")

    @property
    def data_signals(self) -> list[int]:
        """Indices of the signals that are not EDF+/BDF+ annotation channels."""
        return [i for i, label in enumerate(self.labels) if label not in _ANNOTATION_LABELS]

    @property
    def sampling_rates(self) -> tuple[float, ...]:
        """Sampling rate of every signal in Hz."""
        return tuple(n / self.record_seconds for n in self.samples_per_record)


def warn_discontinuous_raw(raw: mne.io.BaseRaw, source: str) -> None:
    """A Raw that MNE read from an EDF+D/BDF+D file itself: its gaps are closed up and its
    annotations placed late after each gap, which eegpt mends only when it reads the file."""
    path = Path(source)
    if path.suffix.lower() not in (".edf", ".bdf") or not path.is_file():
        return
    if any(d == "BAD boundary" for d in raw.annotations.description):
        return  # read by eegpt (read_recording), gaps marked
    try:
        header = check_edf_header(path)
    except Exception:  # noqa: BLE001 - a header MNE read but eegpt would not: nothing to say
        return
    if header.discontinuous:
        _warn(
            f"{source}: a discontinuous {header.variant} file read by MNE: its stretches are "
            "joined without a mark and MNE places the annotations after each gap late, so "
            "windows across the joins and the annotations of the windows would be wrong. Give "
            "eegpt the file's path instead (or read it with eegpt.io.read_recording), which "
            "marks the gaps (BAD boundary) and places the annotations where they belong."
        )


def check_edf_header(path: PathLike) -> EDFHeader:
    """Validate the header of an EDF or BDF file against the file itself.

    Checks that every numeric field parses, that the header size matches the number of signals,
    that digital and physical ranges are usable, that sampling rates are positive and finite,
    and that the file holds at least one complete data record.

    Parameters
    ----------
    path : str | path-like
        An ``.edf`` or ``.bdf`` file (the kind is taken from the version field).

    Returns
    -------
    EDFHeader

    Raises
    ------
    RecordingError
        Naming the file, the header field and its content.

    Warns
    -----
    RuntimeWarning
        When the body is shorter than the header announces (only complete records are read) or
        holds more data than announced, and when the record count is unknown (-1).
    """
    path = Path(path)
    size = path.stat().st_size
    with open(path, "rb") as f:
        head = f.read(256)
        if len(head) < 256:
            raise RecordingError(
                f"could not read EEG file {path}: the file is {size} bytes, shorter than the "
                "256-byte fixed EDF/BDF header; it is empty or truncated"
            )
        kind = _edf_kind(path, head[:8])
        parse = _HeaderFields(path, kind)
        header_bytes = parse.integer(head[184:192], "number of bytes in header record")
        n_records = parse.integer(head[236:244], "number of data records")
        record_seconds = parse.number(head[244:252], "duration of a data record")
        n_signals = parse.integer(head[252:256], "number of signals")
        if n_signals < 1:
            parse.fail("number of signals", head[252:256], "at least 1")
        if header_bytes != 256 * (n_signals + 1):
            parse.fail(
                "number of bytes in header record",
                head[184:192],
                f"256 x (1 + {n_signals} signals) = {256 * (n_signals + 1)}",
            )
        if size < header_bytes:
            raise RecordingError(
                f"could not read EEG file {path}: the header announces {n_signals} signals "
                f"({header_bytes} header bytes) but the file has only {size} bytes; it is "
                "truncated or corrupt"
            )
        rest = f.read(header_bytes - 256)
    columns: dict[str, list[bytes]] = {}
    offset = 0
    for name, width in _SIGNAL_FIELDS:
        columns[name] = [
            rest[offset + k * width : offset + (k + 1) * width] for k in range(n_signals)
        ]
        offset += width * n_signals
    try:  # MNE decodes this block as UTF-8 and fails on anything else
        b"".join(columns["reserved"]).decode("utf-8")
    except UnicodeDecodeError as err:
        parse.fail("reserved", rest[-32 * n_signals :], "text (UTF-8)", None, err)
    labels = tuple(raw.decode("latin-1").strip() for raw in columns["label"])
    # as MNE reads them: ASCII spaces stripped, not a Latin-1 no-break space (b"uV\xa0"),
    # which leaves a unit MNE does not know, read as volts (edf_unit_scale strips it)
    units = tuple(raw.strip().decode("latin-1") for raw in columns["physical dimension"])
    samples = tuple(
        parse.integer(raw, "number of samples per data record", labels[k])
        for k, raw in enumerate(columns["number of samples per data record"])
    )
    for k, n in enumerate(samples):
        if n < 1:
            name = "number of samples per data record"
            parse.fail(name, columns[name][k], "at least 1", labels[k])
    if n_records < -1:
        parse.fail("number of data records", head[236:244], "a count >= 0 (or -1: unknown)")
    data = [k for k, label in enumerate(labels) if label not in _ANNOTATION_LABELS]
    if not data:
        complete, leftover = divmod(size - header_bytes, sum(samples) * (2 if kind == "EDF" else 3))
        truncated = ""  # what an annotation file lost: its annotations with its records
        if n_records not in (-1, complete) or leftover:
            truncated = f"it holds {complete} complete data records"
            truncated += f" of the {n_records} its header announces" if n_records != -1 else ""
            truncated += f" and {leftover} bytes of another" if leftover else ""
        raise AnnotationsOnlyError(
            f"could not read EEG file {path}: the file has no signals, only annotations "
            f"{labels}. An annotation file (a hypnogram?) goes with its recording: --annotations "
            "FILE for eegpt embed (embed(annotations=...)), an annotations_file column in an "
            "embed-dataset manifest (leave such files out of the inputs, e.g. --pattern "
            "'*PSG.edf')",
            truncated=truncated,
        )
    if not (math.isfinite(record_seconds) and record_seconds > 0):
        parse.fail("duration of a data record", head[244:252], "a positive number of seconds")
    digital_range = (-(2**15), 2**15 - 1) if kind == "EDF" else (-(2**23), 2**23 - 1)
    empty = {  # signal index: its range that is empty ("physical" or "digital")
        k: why
        for k in data
        if (why := _check_signal(
            parse, columns, k, labels[k], samples[k], record_seconds, digital_range
        ))
    }  # fmt: skip
    if len(empty) == len(data):
        ranges = " or ".join(sorted(set(empty.values())))
        raise RecordingError(
            f"could not read EEG file {path}: every signal has equal {ranges} minimum and "
            "maximum, so no samples can be scaled; the header is corrupt"
        )
    record_bytes = sum(samples) * (2 if kind == "EDF" else 3)
    n_complete, leftover = divmod(size - header_bytes, record_bytes)
    variant = head[192:236].decode("latin-1").strip()[:5]
    physical = tuple(
        (
            parse.number(columns["physical minimum"][k], "physical minimum", labels[k]),
            parse.number(columns["physical maximum"][k], "physical maximum", labels[k]),
        )
        if k in data
        else (math.nan, math.nan)
        for k in range(n_signals)
    )
    header = EDFHeader(kind, labels, units, samples, record_seconds, n_records, n_complete,
                       variant, header_bytes, tuple(labels[k] for k in empty),
                       tuple(empty.values()), physical=physical)  # fmt: skip
    _check_body(path, header, leftover)
    return header


def _edf_kind(path: Path, version: bytes) -> Literal["EDF", "BDF"]:
    """EDF (16-bit samples) or BDF (24-bit) as MNE reads the file: by its name, which must
    agree with the header's version field ("0" for EDF, "\\xffBIOSEMI" for BDF) where that
    is one of the two; a file of neither name goes by the field."""
    biosemi, edf = version == b"\xffBIOSEMI", version == b"0       "
    suffix = path.suffix.lower()
    named = {".bdf": "BDF", ".edf": "EDF"}.get(suffix)
    found = "BDF" if biosemi else "EDF" if edf else None
    if named is not None and found is not None and named != found:
        width = {"EDF": "16", "BDF": "24"}
        raise RecordingError(
            f"could not read EEG file {path}: it is named {path.suffix} but its header is "
            f"{found}'s (version field {version!r}): {width[found]}-bit samples that would be "
            f"read as {width[named]}-bit ones. Rename it .{found.lower()}"
        )
    return named or found or "EDF"  # type: ignore[return-value]


def _refuse_misnamed_edf(path: Path) -> None:
    """Refuse an EDF or BDF file named otherwise (``rec.txt``, ``rec``): MNE picks its reader
    by the name, and would fail on the file in another format's terms (``.txt`` is read as
    BOXY). Known by the header's version field ("0" for EDF, "\\xffBIOSEMI" for BDF) and a
    header size that fits its number of signals, so that files of other formats go to their
    readers as before."""
    with open(path, "rb") as f:
        head = f.read(256)
    found = {b"0       ": "EDF", b"\xffBIOSEMI": "BDF"}.get(head[:8])
    if found is None or len(head) < 256:
        return
    try:
        if int(head[184:192]) != 256 * (int(head[252:256]) + 1):
            return
    except ValueError:
        return
    named = f"named {path.suffix}" if path.suffix else "named without a suffix"
    raise RecordingError(
        f"could not read EEG file {path}: it is {'an' if found == 'EDF' else 'a'} {found} file "
        f"(version field {head[:8]!r}) {named}, and MNE reads a file as the format its suffix "
        f"names. Rename it .{found.lower()}"
    )


class AnnotationsOnlyError(RecordingError):
    """An EDF+/BDF+ file of annotations only (a hypnogram), given as a recording;
    ``truncated`` says how its body falls short of its header ("" when it does not)."""

    def __init__(self, message: str, truncated: str = "") -> None:
        super().__init__(message)
        self.truncated = truncated


def edf_start_time(path: PathLike) -> datetime.datetime | None:
    """The start of an EDF/BDF file's first data record (UTC, as MNE dates such a file's
    ``meas_date``): the header's start date and time, the EDF+ recording field's four-digit
    year where it has one; None where the header gives none that parses."""
    try:
        with open(path, "rb") as fh:
            head = fh.read(192)
        recording = head[88:168].decode("latin-1").rstrip().split(" ")
        day, month, year = (int(x) for x in head[168:176].decode("latin-1").split("."))
        year += 2000 if year < 85 else 1900
        if len(recording) == 5:  # EDF+: "Startdate 02-AUG-1951 ..."
            with contextlib.suppress(ValueError):
                date = datetime.datetime.strptime(recording[1], "%d-%b-%Y")
                day, month, year = date.day, date.month, date.year
        hour, minute, second = (int(x) for x in head[176:184].decode("latin-1").split("."))
        return datetime.datetime(
            year, month, day, hour, minute, second, tzinfo=datetime.timezone.utc
        )
    except (OSError, ValueError):
        return None


def record_onsets(path: PathLike, header: EDFHeader, limit: int | None = None) -> np.ndarray | None:
    """Start time (s, from the recording's start) of each complete data record of an EDF+/BDF+
    file (the first ``limit`` records), from the time-keeping annotation that opens the
    record's first annotation signal; None when the file has no annotation signal or a
    record's time cannot be read."""
    return scan_edf_annotations(path, header, limit, annotations=False).record_onsets


#: Bytes of data records read at a time when the annotation signals of an EDF+/BDF+ file are
#: scanned (:func:`_annotation_chunks`): the scan's memory, whatever the file's length.
ANNOTATION_SCAN_BYTES = 1 << 20


def _annotation_chunks(
    path: PathLike, header: EDFHeader, limit: int | None = None
) -> Iterator[bytes]:
    """The annotation signals' bytes of each complete data record of an EDF+/BDF+ file (the
    first ``limit`` records), one record at a time. Records are read in blocks of at most
    :data:`ANNOTATION_SCAN_BYTES` (a record larger than that: only the part of it that holds
    the annotation signals), so memory stays bounded and no part of the file is mapped into
    the process (a memory map of a 1 GB file counts the pages it touches, all of them, in the
    process's resident memory).

    Raises
    ------
    OSError
        Where a read comes back short (the file shrank while it was read), naming the file
        and the offset.
    """
    signals = [i for i, label in enumerate(header.labels) if label in _ANNOTATION_LABELS]
    n = header.n_complete_records if limit is None else min(limit, header.n_complete_records)
    if not signals or n < 1:
        return
    width = 2 if header.kind == "EDF" else 3
    record_bytes = sum(header.samples_per_record) * width
    spans = [
        (sum(header.samples_per_record[:i]) * width, header.samples_per_record[i] * width)
        for i in signals
    ]
    lo = min(a for a, _ in spans)
    hi = max(a + m for a, m in spans)

    def read(fd: int, size: int, offset: int) -> bytes:
        data = os.pread(fd, size, offset)
        if len(data) < size:  # the header's records were there when it was checked
            raise OSError(
                f"{path}: {size} bytes at offset {offset} could be read only in part "
                f"({len(data)}): the file shrank while it was read (is it being written?)"
            )
        return data

    with open(path, "rb", buffering=0) as fh:
        fd = fh.fileno()
        if record_bytes > ANNOTATION_SCAN_BYTES:  # a record at a time, its annotations only
            for k in range(n):
                part = read(fd, hi - lo, header.header_bytes + k * record_bytes + lo)
                yield b"".join(part[a - lo : a - lo + m] for a, m in spans)
            return
        per_read = max(1, ANNOTATION_SCAN_BYTES // record_bytes)
        for first in range(0, n, per_read):
            count = min(per_read, n - first)
            block = read(fd, count * record_bytes, header.header_bytes + first * record_bytes)
            view = memoryview(block)
            for k in range(count):
                base = k * record_bytes
                yield b"".join(view[base + a : base + a + m] for a, m in spans)


def first_record_offset(path: PathLike, header: EDFHeader | None = None) -> float:
    """Seconds from an EDF+/BDF+ file's header start time to its first sample: the onset of
    its first record's time-keeping annotation (EDF+ gives sub-second starts so); 0 for a
    plain EDF/BDF file or one whose first record's time cannot be read."""
    try:
        header = header or check_edf_header(path)
        chunks = list(_annotation_chunks(path, header, limit=1))
        return float(chunks[0][:40].split(b"\x14", 1)[0].decode("latin-1")) if chunks else 0.0
    except (OSError, ValueError, RecordingError):
        return 0.0


@dataclass(frozen=True, eq=False)
class EDFAnnotationScan:
    """What one pass over the annotation signals of an EDF+/BDF+ file finds
    (:func:`scan_edf_annotations`), for :func:`record_onsets` and :func:`read_edf_annotations`
    alike, so a file is read once for both.

    Attributes
    ----------
    record_onsets : ndarray | None
        Each scanned record's start (s from the header's start time); None when the file has no
        annotation signal or a record's time cannot be read.
    annotations : tuple of (onset, duration, text) | None
        The annotations other than the time-keeping ones, onsets as written (not shifted to
        the first record), texts whole (``text@@CH`` kept); None when not scanned for.
    first : float | None
        The first record's time-keeping onset (what :func:`read_edf_annotations` counts from).
    """

    record_onsets: np.ndarray | None
    annotations: tuple[tuple[float, float, str], ...] | None
    first: float | None


def scan_edf_annotations(
    path: PathLike, header: EDFHeader, limit: int | None = None, *, annotations: bool = True
) -> EDFAnnotationScan:
    """Read the annotation signals of an EDF+/BDF+ file once (the first ``limit`` records), in
    bounded memory (:func:`_annotation_chunks`): every record's time stamp and, with
    ``annotations``, the annotations, as :func:`record_onsets` and
    :func:`read_edf_annotations` give them."""
    onsets: list[float] = []
    readable = True
    found: list[tuple[float, float, str]] = []
    first: float | None = None
    for chunk in _annotation_chunks(path, header, limit):
        if readable:
            try:
                onsets.append(float(chunk[:40].split(b"\x14", 1)[0].decode("latin-1")))
            except ValueError:
                readable = False
        if not annotations:
            if not readable:
                break
            continue
        for k, tal in enumerate(chunk.split(b"\x00")):
            try:
                text = tal.decode("utf-8")
            except UnicodeDecodeError:  # as MNE is told when it fails so (see open_recording)
                text = tal.decode("latin-1")
            fields = text.split("\x14")
            if len(fields) < 2 or fields[0][:1] not in ("+", "-"):
                continue
            timing = fields[0].split("\x15")
            try:
                onset = float(timing[0])
                duration = float(timing[1]) if len(timing) > 1 and timing[1] else 0.0
            except ValueError:
                continue
            if first is None and k == 0:
                first = onset  # the first record's time-keeping annotation
            found.extend((onset, duration, text) for text in fields[1:] if text)
    return EDFAnnotationScan(
        np.asarray(onsets, dtype=np.float64) if readable and onsets else None,
        tuple(found) if annotations else None,
        first,
    )


def read_edf_annotations(
    path: PathLike,
    header: EDFHeader,
    ch_names: Sequence[str] = (),
    scan: EDFAnnotationScan | None = None,
) -> mne.Annotations:
    """The annotations of an EDF+/BDF+ file, from its annotation signals only (the time-keeping
    ones left out), onsets in seconds from its first data record's start, as MNE counts them;
    a description ``text@@CH`` is ``text`` for channel ``CH`` when ``CH`` is one of
    ``ch_names`` (the channels read), else kept whole, as MNE reads it. ``scan``: the file's
    :func:`scan_edf_annotations` (with its annotations), made already; else it is read."""
    if scan is None or scan.annotations is None:
        scan = scan_edf_annotations(path, header)
    known = set(ch_names)
    onsets, durations, texts, channels = [], [], [], []
    for onset, duration, text in scan.annotations or ():
        name, _, channel = text.partition("@@")
        for_channel = channel in known
        onsets.append(onset)
        durations.append(duration)
        texts.append(name if for_channel else text)
        channels.append((channel,) if for_channel else ())
    shift = scan.first or 0.0
    return mne.Annotations(
        np.asarray(onsets, dtype=np.float64) - shift, durations, texts, ch_names=channels
    )


@dataclass(frozen=True)
class RecordClock:
    """Where the stretches of a discontinuous EDF+D/BDF+D file (or the segments of a
    BrainVision recording paused and resumed: :func:`eegpt.brainvision_files.brainvision_clock`)
    lie on the recording's clock. MNE reads the data records back to back, so a time on the
    clock (an annotation's onset) and the same moment in the samples differ by the gaps
    before it.

    Attributes
    ----------
    sample_starts : tuple of float
        Start of each contiguous stretch of records in the samples, in seconds from the
        first sample (0 for the first).
    clock_starts : tuple of float
        Its start on the clock, in seconds from the first sample's moment (0 for the first):
        the time base of the file's annotations as MNE reads them, and of annotations
        without a date (dated ones are brought to it by the recording's ``first_time``).
    """

    sample_starts: tuple[float, ...]
    clock_starts: tuple[float, ...]

    @classmethod
    def from_records(
        cls, onsets: np.ndarray, record_seconds: float, after_gaps: np.ndarray
    ) -> RecordClock:
        """From each record's start (s after the header's start time) and the records that
        start after a gap."""
        first = np.concatenate([[0], np.asarray(after_gaps, dtype=np.int64)])
        return cls(
            tuple(float(k * record_seconds) for k in first),
            tuple(float(onsets[k] - onsets[0]) for k in first),
        )

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready (the ``record_clock`` of embeddings' provenance)."""
        return {"sample_starts": list(self.sample_starts), "clock_starts": list(self.clock_starts)}

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> RecordClock:
        return cls(tuple(d["sample_starts"]), tuple(d["clock_starts"]))

    def to_samples(self, times: Any) -> np.ndarray:
        """Clock times (s from the first sample's moment) as times in the samples read back to
        back (s from the first sample): within a stretch, the same offset into it; in a gap,
        the join of the stretches it separates; before the first or after the last, the offset
        from its start."""
        times = np.asarray(times, dtype=np.float64)
        clock, samples = np.asarray(self.clock_starts), np.asarray(self.sample_starts)
        k = np.clip(np.searchsorted(clock, times, side="right") - 1, 0, len(clock) - 1)
        offset = times - clock[k]
        lengths = np.append(np.diff(samples), np.inf)  # a time past its stretch is in a gap
        return samples[k] + np.minimum(offset, lengths[k])

    def in_gaps(self, times: Any) -> np.ndarray:
        """Whether each clock time (s from the first sample's moment) lies in a gap: from the
        end of a stretch (included) to the start of the next (not included), where no sample
        was recorded and :meth:`to_samples` puts it at the join. Bool array, ``times``'
        shape; False before the first stretch and after the last."""
        times = np.asarray(times, dtype=np.float64)
        clock, samples = np.asarray(self.clock_starts), np.asarray(self.sample_starts)
        if len(clock) < 2:
            return np.zeros(times.shape, dtype=bool)
        k = np.searchsorted(clock, times, side="right") - 1
        inner = (k >= 0) & (k < len(clock) - 1)  # after a stretch that another follows
        k = np.clip(k, 0, len(clock) - 2)
        return inner & (times - clock[k] >= np.diff(samples)[k] - 1e-9)

    def to_clock(self, times: Any) -> np.ndarray:
        """Times in the samples read back to back (s from the first sample) as clock times (s
        from the first sample's moment): each stretch moved by the gaps before it; the inverse
        of :meth:`to_samples` outside the gaps."""
        times = np.asarray(times, dtype=np.float64)
        clock, samples = np.asarray(self.clock_starts), np.asarray(self.sample_starts)
        k = np.clip(np.searchsorted(samples, times, side="right") - 1, 0, len(samples) - 1)
        return clock[k] + (times - samples[k])

    def to_sample_time(self, annotations: mne.Annotations) -> mne.Annotations:
        """``annotations`` (onsets on the clock, in seconds from the first sample's moment)
        with their spans placed in the samples; the part of a span over a gap is left out."""
        starts = self.to_samples(annotations.onset)
        ends = self.to_samples(np.asarray(annotations.onset) + np.asarray(annotations.duration))
        return mne.Annotations(
            starts, ends - starts, annotations.description, orig_time=annotations.orig_time,
            ch_names=annotations.ch_names,
        )  # fmt: skip


def _place_own_annotations(
    raw: mne.io.BaseRaw,
    path: Path,
    header: EDFHeader,
    clock: RecordClock,
    scan: EDFAnnotationScan | None = None,
) -> None:
    """Put the annotations of a discontinuous file where their moments lie in the samples.
    They are read from its annotation signals (``scan``: as read already), not taken from
    MNE: it has dropped those it placed past the end of the samples. Annotations of other
    origin (a BIDS events file) stay."""
    own = read_edf_annotations(path, header, raw.ch_names, scan)
    if not len(own):
        return
    placed = clock.to_sample_time(own)
    descriptions = set(own.description)
    kept = raw.annotations[[d not in descriptions for d in raw.annotations.description]]
    raw.set_annotations(
        mne.Annotations(
            placed.onset + raw.first_time, placed.duration, placed.description,
            orig_time=raw.annotations.orig_time, ch_names=placed.ch_names,
        ) + kept,
        emit_warning=False,
    )  # fmt: skip


def mark_record_gaps(raw: mne.io.BaseRaw, path: Path, header: EDFHeader) -> RecordClock | None:
    """Place a discontinuous EDF+D/BDF+D file's annotations in its samples and mark its gaps;
    those of an EDF+C/BDF+C file whose time stamps show gaps too (a discontinuous file marked
    continuous), saying so.

    MNE reads the data records back to back, and places the file's annotations by their
    times on the clock, so after a gap they are late against the samples by the gaps before
    them. They are moved to where their moment lies in the samples (:class:`RecordClock`), and
    where a record does not start when the one before it ended, a zero-length ``BAD boundary``
    annotation (MNE's name for a discontinuity, as ``mne.concatenate_raws`` writes) is added at
    the join, so windows over it are flagged bad; a warning says how the times relate to the
    recording's clock. Returns the clock, for annotations from elsewhere (None: no gaps).
    """
    # every record's time stamp, not only the first ones, and a +D file's annotations, which
    # are placed below: the file is read once for both
    scan = scan_edf_annotations(path, header, annotations=header.discontinuous)
    onsets = scan.record_onsets
    if onsets is None or len(onsets) < 2:
        return None
    if not header.discontinuous and not np.diff(onsets).any():
        return None  # stamped alike, ignored (check_record_steps said so)
    # a +C file's stamps are held to a +D file's rule: no record begins before the last ends
    as_d = header if header.discontinuous else replace(header, variant=header.variant[:-1] + "D")
    check_record_steps(path, as_d, onsets)
    tolerance = _half_sample(header)
    gaps = np.diff(onsets) - header.record_seconds
    at = np.flatnonzero(np.abs(gaps) > tolerance) + 1  # records that start after a gap
    if not len(at):
        return None
    clock = RecordClock.from_records(onsets, header.record_seconds, at)
    _place_own_annotations(raw, path, header, clock, scan)
    joins = at * header.record_seconds  # in MNE's time: records back to back
    raw.annotations.append(joins, np.zeros(len(at)), ["BAD boundary"] * len(at))
    longest = int(np.argmax(np.abs(gaps[at - 1])))
    what = (
        f"a discontinuous {header.variant} file:"
        if header.discontinuous
        else f"the file is marked continuous ({header.variant}) but the time stamps of its data "
        "records show gaps:"
    )
    _warn(
        f"{path}: {what} {count(len(at), 'gap')} between its data "
        f"records ({float(np.sum(gaps[at - 1])):g} s in all; the longest "
        f"{float(gaps[at[longest] - 1]):g} s, at {float(joins[longest]):g} s into the samples). "
        "MNE reads the records back to back, so times after a gap (window onsets) are earlier "
        "than the recording's clock by the gaps before them (Embeddings.clock_times() gives "
        "them on the clock); annotations (the file's own and "
        "any given with it) are placed by their clock times in the samples. Windows over a "
        "join (and, resampled, those within the filter's reach of it) are marked bad "
        "('BAD boundary'); reject_by_annotation (--reject-by-annotation) "
        "leaves them out."
    )
    return clock


def _half_sample(header: EDFHeader) -> float:
    """Half a sample of the fastest data signal, in seconds: how far a record's time stamp
    may stray from where its duration puts it (the stamps are rounded)."""
    fastest = max(header.samples_per_record[i] for i in header.data_signals)
    return 0.5 * header.record_seconds / fastest


FIRST_RECORDS = 9
"""Data records whose time stamps :func:`check_record_steps` compares with the header's record
duration in a continuous EDF+C/BDF+C file (in a discontinuous one, every record's)."""


def check_record_steps(path: PathLike, header: EDFHeader, onsets: np.ndarray | None = None) -> None:
    """Refuse an EDF+/BDF+ file whose records' time stamps contradict the header's record
    duration, which sets the sampling rate (samples per record / duration): a corrupt header
    would give every window the wrong time scale. In a continuous file (+C) the first records
    must step by the duration (stamps that do not step at all, as some writers leave them, are
    ignored with a warning); in a discontinuous one (+D), by at least it (a record cannot
    begin before the one before it ends). ``onsets``: the records' start times in seconds
    (read from the file when None); a file without readable time stamps passes."""
    if onsets is None:
        limit = None if header.discontinuous else FIRST_RECORDS
        onsets = record_onsets(path, header, limit)
    if onsets is None or len(onsets) < 2:
        return
    duration = header.record_seconds
    steps = np.diff(onsets)
    if not header.discontinuous and not steps.any():  # every record stamped alike (+0)
        _warn(
            f"{path}: the time stamps of its data records are all {onsets[0]:g} s, which some "
            "writers put in continuous (EDF+C/BDF+C) files; they are ignored, as MNE does, and "
            f"the records taken {duration:g} s apart as the header says."
        )
        return
    off = steps - duration
    tolerance = _half_sample(header)
    if header.discontinuous:
        wrong = off < -tolerance  # records that begin before the one before them ends
        step = float(np.min(steps))
        how = f"{count(int(np.sum(wrong)), 'record')} begin before the previous one ends"
    else:
        wrong = np.abs(off) > tolerance
        step = float(np.median(steps))
        how = f"over its first {len(onsets)} records"
    if header.discontinuous and not wrong.any():
        return
    if header.discontinuous and np.mean(wrong) < 0.5:  # the others agree with the header
        _refuse_records_stepping_back(path, header, onsets, np.flatnonzero(wrong) + 1)
    if not header.discontinuous and not wrong.all():
        return  # a step that differs alone is a gap, which mark_record_gaps marks
    fastest = max(header.samples_per_record[i] for i in header.data_signals)
    by_steps = f"{fastest / step:g} Hz" if step > 0 else "no rate at all"
    raise RecordingError(
        f"could not read EEG file {path}: the header gives a data record duration of "
        f"{duration:g} s, but the records' time stamps step by {step:g} s ({how}): the header "
        f"is corrupt. The sampling rate would be {fastest / duration:g} Hz by the header and "
        f"{by_steps} by the time stamps ({fastest} samples per record); correct the header's "
        "record duration (bytes 244-252) if you know which is right"
    )


def _refuse_records_stepping_back(
    path: PathLike, header: EDFHeader, onsets: np.ndarray, back: np.ndarray
) -> None:
    """Refuse a discontinuous file in which a few records (``back``, their indices) begin
    before the record before them ends, while most step by at least the header's record
    duration: its stamps, not the header's duration, are wrong there (a recorder's clock set
    back), and the recording's clock past them cannot be known."""
    duration = header.record_seconds
    k = int(back[0])
    ends = float(onsets[k - 1] + duration)
    reader = "read_raw_bdf" if header.variant.startswith("BDF") else "read_raw_edf"
    raise RecordingError(
        f"could not read EEG file {path}: by their time stamps, {len(back)} of its "
        f"{len(onsets)} data records {'begins' if len(back) == 1 else 'begin'} before the "
        f"record before {'it' if len(back) == 1 else 'them'} ends: the first, record {k} "
        f"({k * duration:g} s into the samples), at {float(onsets[k]):g} s, "
        f"{ends - float(onsets[k]):g} s before the record before it ends ({ends:g} s), while "
        f"the others step by at least the header's record duration of {duration:g} s. "
        f"{header.variant[:-1]} data records may not overlap (a recorder's clock set back?), "
        "so the recording's clock past that record is unknown. Correct those time stamps if you know them; or, to embed the samples back "
        "to back as MNE reads them (clock times after that record then off by the overlap), "
        f"save them as FIF first: mne.io.{reader}(path).save('recording_raw.fif')"
    )


def _check_signal(
    parse: _HeaderFields,
    columns: dict[str, list[bytes]],
    k: int,
    label: str,
    n_samples: int,
    record_seconds: float,
    digital_range: tuple[int, int],
) -> str | None:
    """Refuse a signal whose header fields make the file unreadable; for one whose samples
    cannot be scaled, which is left out, the range that is empty (``"physical"`` or
    ``"digital"``: equal minimum and maximum); None for a good one."""
    prefix = f"could not read EEG file {parse.path}: signal {label!r}"
    rate = n_samples / record_seconds
    if rate > MAX_SFREQ:
        raise RecordingError(
            f"{prefix} would be sampled at {rate:g} Hz ({n_samples} samples per "
            f"{record_seconds:g} s record), above {MAX_SFREQ:g} Hz; the header is corrupt"
        )
    values = {
        name: parse.number(columns[name][k], name, label)
        for name in ("physical minimum", "physical maximum", "digital minimum", "digital maximum")
    }
    low, high = values["digital minimum"], values["digital maximum"]
    if low == high and digital_range[0] <= low <= digital_range[1]:
        return "digital"
    if not (digital_range[0] <= low < high <= digital_range[1]):
        bdf = parse.kind == "EDF" and -(2**23) <= low < high <= 2**23 - 1
        raise RecordingError(
            f"{prefix} has digital minimum {low:g} and maximum {high:g}; {parse.kind} needs "
            f"{digital_range[0]} <= minimum < maximum <= {digital_range[1]}. The header is corrupt"
            + (
                " or the file is a BDF (24-bit) file, whose range that is: then rename it .bdf"
                if bdf
                else ""
            )
            + "."
        )
    return "physical" if values["physical minimum"] == values["physical maximum"] else None


def _check_body(path: Path, header: EDFHeader, leftover: int) -> None:
    seconds = header.record_seconds
    if header.n_complete_records == 0:
        raise RecordingError(
            f"could not read EEG file {path}: the file holds no complete data record (a record is "
            f"{sum(header.samples_per_record)} samples, {seconds:g} s); it is truncated after the "
            "header or empty"
        )
    have = header.n_complete_records
    if header.n_records == -1:
        _warn(
            f"{path}: the header does not give the number of data records (-1: the recording was "
            f"not closed properly); reading the {have} complete record(s) ({have * seconds:g} s) "
            "the file holds."
        )
    elif have < header.n_records:
        _warn(
            f"{path}: the file is truncated: the header announces {header.n_records} data records "
            f"({header.n_records * seconds:g} s) but the file holds {have} complete record(s) "
            f"({have * seconds:g} s)"
            + (f" and {leftover} bytes of a partial one" if leftover else "")
            + "; only the complete records are read."
        )
    elif leftover:
        _warn(
            f"{path}: {leftover} bytes follow the {have} data records the header announces: a "
            "partial extra record, or samples-per-record fields that do not match the data "
            "(check the sampling rates); the extra bytes are ignored."
        )
    elif have > header.n_records:
        _warn(
            f"{path}: the file holds {have} complete data records ({have * seconds:g} s) but the "
            f"header announces {header.n_records}; MNE reads all {have}. Check that the file was "
            "not concatenated or written by a faulty exporter."
        )


@dataclass
class _HeaderFields:
    """Parses numeric EDF/BDF header fields, raising errors that name the file and field."""

    path: Path
    kind: str

    def fail(
        self,
        name: str,
        raw: bytes,
        expected: str,
        label: str | None = None,
        cause: Exception | None = None,
    ) -> NoReturn:
        where = f"header field '{name}'" + (f" of signal {label!r}" if label else "")
        raise RecordingError(
            f"could not read EEG file {self.path}: {self.kind} {where} is "
            f"{raw.decode('latin-1').strip()!r}; expected {expected}. The file is corrupt or not "
            f"an {self.kind} file."
        ) from cause

    def integer(self, raw: bytes, name: str, label: str | None = None) -> int:
        try:
            return int(raw.decode("ascii").strip())
        except (UnicodeDecodeError, ValueError) as err:
            self.fail(name, raw, "an integer", label, err)

    def number(self, raw: bytes, name: str, label: str | None = None) -> float:
        try:
            value = float(raw.decode("ascii").strip())
        except (UnicodeDecodeError, ValueError) as err:
            self.fail(name, raw, "a number", label, err)
        if not math.isfinite(value):
            self.fail(name, raw, "a finite number", label)
        return value
