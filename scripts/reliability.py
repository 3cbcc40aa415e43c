#!/usr/bin/env python
"""Reliability campaign: feed eegpt every class of bad input we know and count the outcomes.

Run from the repository root::

    python scripts/reliability.py             # every class at full size; rewrites RELIABILITY.md
    python scripts/reliability.py --quick     # the small sizes CI runs (tests/test_reliability_*)
    (only a full run of every class, without --quick/--only/--cases, rewrites the table)
    python scripts/reliability.py --only edf-bytes --cases 20000 --no-write
    python scripts/reliability.py --memory    # also peak RSS for 10 h x 64 channels (slow)

Every case ends in one outcome:

``ok``
    It worked, and the output is finite and plausible.
``warned``
    It worked, and a warning told the user what is odd.
``refused``
    A clear error: an :class:`eegpt.errors.EEGPTError` or ``OSError`` whose message names the
    file (or URL) it is about.
``BUG: ...``
    Anything else: another exception type, an error that does not name its file, NaN/Inf or
    implausible output without a warning, code run by a checkpoint, a partial file under a final
    name, the two reading paths disagreeing, a case slower than the time limit.

The tests in ``tests/test_reliability_*.py`` run the same classes with the ``quick`` sizes and fail
on any ``BUG``.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as _dt
import functools
import hashlib
import io
import json
import logging
import os
import pickle
import platform
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import warnings
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
REPORT = ROOT / "RELIABILITY.md"
TABLE_BEGIN, TABLE_END = "<!-- reliability-table:begin -->", "<!-- reliability-table:end -->"
MEMORY_BEGIN, MEMORY_END = "<!-- reliability-memory:begin -->", "<!-- reliability-memory:end -->"
GPU_BEGIN, GPU_END = "<!-- reliability-gpu:begin -->", "<!-- reliability-gpu:end -->"
TIME_LIMIT = 30.0  # seconds one case may take before it counts as a hang

# ------------------------------------------------------------------------------------------------
# EDF / BDF files written byte by byte (so that every field can be broken on purpose)
# ------------------------------------------------------------------------------------------------

EDF_NAMES = ["EEG FP1-REF", "EEG C3-REF", "EEG CZ-REF", "EEG O2-REF"]


@dataclass
class EDFSpec:
    """What :func:`edf_bytes` writes: signals in microvolts, one rate per signal.

    ``n_records_field`` overrides the record count written in the header (``None``: the true one).
    """

    signals: list[np.ndarray]
    labels: list[str]
    rates: list[float]
    kind: str = "EDF"
    record_seconds: int = 1
    units: list[str] | None = None
    physical: tuple[float, float] = (-500.0, 500.0)
    n_records_field: int | None = None

    def per_record(self, rate: float) -> int:
        return int(round(rate * self.record_seconds))

    @property
    def digital(self) -> tuple[int, int]:
        return (-32768, 32767) if self.kind == "EDF" else (-8388608, 8388607)


def _field(value: Any, width: int) -> bytes:
    text = value if isinstance(value, bytes) else str(value).encode("latin-1")
    return text[:width].ljust(width, b" ")


def edf_header(spec: EDFSpec, n_records: int) -> bytes:
    """The header of an EDF/BDF file for ``spec`` (``n_records`` unless overridden)."""
    ns = len(spec.labels)
    version = b"\xffBIOSEMI" if spec.kind == "BDF" else b"0"
    record_count = n_records if spec.n_records_field is None else spec.n_records_field
    reserved = b"BIOSEMI" if spec.kind == "BDF" else b""
    head = b"".join(
        [
            _field(version, 8),
            _field("X X X X", 80),
            _field("Startdate 01-JAN-2024 X X X", 80),
            _field("01.01.24", 8),
            _field("00.00.00", 8),
            _field(256 * (ns + 1), 8),
            _field(reserved, 44),
            _field(record_count, 8),
            _field(spec.record_seconds, 8),
            _field(ns, 4),
        ]
    )
    units = spec.units or ["uV"] * ns
    low, high = spec.physical
    dlow, dhigh = spec.digital
    per_signal = [
        [_field(label, 16) for label in spec.labels],
        [_field("AgAgCl electrode", 80)] * ns,
        [_field(unit, 8) for unit in units],
        [_field(f"{low:g}", 8)] * ns,
        [_field(f"{high:g}", 8)] * ns,
        [_field(dlow, 8)] * ns,
        [_field(dhigh, 8)] * ns,
        [_field("HP:0.1Hz LP:75Hz", 80)] * ns,
        [_field(spec.per_record(rate), 8) for rate in spec.rates],
        [_field("", 32)] * ns,
    ]
    return head + b"".join(b"".join(column) for column in per_signal)


def _digital(spec: EDFSpec, x: np.ndarray) -> np.ndarray:
    low, high = spec.physical
    dlow, dhigh = spec.digital
    d = np.round((x - low) / (high - low) * (dhigh - dlow) + dlow)
    return np.clip(d, dlow, dhigh).astype(np.int32)


def edf_records(spec: EDFSpec, start: int, stop: int) -> bytes:
    """Data records ``start:stop`` of ``spec`` (its signals must cover them)."""
    out = []
    for r in range(start, stop):
        for signal_, rate in zip(spec.signals, spec.rates, strict=True):
            n = spec.per_record(rate)
            d = _digital(spec, signal_[r * n : (r + 1) * n])
            if spec.kind == "EDF":
                out.append(d.astype("<i2").tobytes())
            else:
                b = d.astype("<i4").view(np.uint8).reshape(-1, 4)[:, :3]
                out.append(b.tobytes())
    return b"".join(out)


def edf_bytes(spec: EDFSpec) -> bytes:
    n_records = len(spec.signals[0]) // spec.per_record(spec.rates[0])
    return edf_header(spec, n_records) + edf_records(spec, 0, n_records)


def eeg_like(n_channels: int, n_samples: int, sfreq: float, seed: int = 0) -> np.ndarray:
    """Plausible EEG in microvolts: 20 uV noise plus a 10 Hz rhythm."""
    rng = np.random.default_rng(seed)
    t = np.arange(n_samples) / sfreq
    alpha = 15 * np.sin(2 * np.pi * 10 * t + rng.uniform(0, 2 * np.pi, (n_channels, 1)))
    return rng.normal(0, 20, (n_channels, n_samples)) + alpha


def base_spec(kind: str = "EDF", seconds: int = 10, sfreq: int = 256, seed: int = 0) -> EDFSpec:
    """A small valid recording (4 channels, 10 s): the seed of the fuzzers."""
    data = eeg_like(len(EDF_NAMES), seconds * sfreq, sfreq, seed)
    return EDFSpec(list(data), list(EDF_NAMES), [sfreq] * len(EDF_NAMES), kind=kind)


def header_fields(n_signals: int) -> list[tuple[str, int, int]]:
    """``(name, offset, width)`` of every header field of a file with ``n_signals`` signals."""
    fields = [
        ("version", 0, 8),
        ("patient", 8, 80),
        ("recording", 88, 80),
        ("startdate", 168, 8),
        ("starttime", 176, 8),
        ("header bytes", 184, 8),
        ("reserved", 192, 44),
        ("n records", 236, 8),
        ("record duration", 244, 8),
        ("n signals", 252, 4),
    ]
    offset = 256
    for name, width in [
        ("label", 16),
        ("transducer", 80),
        ("unit", 8),
        ("physical min", 8),
        ("physical max", 8),
        ("digital min", 8),
        ("digital max", 8),
        ("prefilter", 80),
        ("samples per record", 8),
        ("signal reserved", 32),
    ]:
        fields += [(f"{name}[{k}]", offset + k * width, width) for k in range(n_signals)]
        offset += width * n_signals
    return fields


def write_long_edf(
    path: Path, *, hours: float, n_channels: int = 64, sfreq: int = 250, seed: int = 0
) -> Path:
    """Write an ``hours``-long EDF record by record (memory stays small). Channels are named
    after the EEGPT vocabulary so that all of them are used."""
    from eegpt.channels import VOCABULARY

    seconds = int(round(hours * 3600))
    labels = [f"EEG {name}-REF" for name in VOCABULARY[:n_channels]]
    if n_channels > len(VOCABULARY):
        labels += [f"EEG X{k}" for k in range(n_channels - len(VOCABULARY))]
    block = 60  # seconds generated at a time
    spec = EDFSpec([], labels, [sfreq] * n_channels)
    with open(path, "wb") as f:
        f.write(edf_header(spec, seconds))
        for s0 in range(0, seconds, block):
            n = min(block, seconds - s0)
            spec.signals = list(eeg_like(n_channels, n * sfreq, sfreq, seed + s0))
            f.write(edf_records(spec, 0, n))
    return path


# ------------------------------------------------------------------------------------------------
# Outcomes
# ------------------------------------------------------------------------------------------------


@dataclass
class Tally:
    """Outcome counts of one class, with one example input per kind of bug."""

    counts: Counter = field(default_factory=Counter)
    bugs: dict[str, str] = field(default_factory=dict)
    seconds: float = 0.0
    slowest: float = 0.0

    def add(self, outcome: str, example: str = "") -> None:
        self.counts[outcome] += 1
        if outcome.startswith("BUG") and outcome not in self.bugs:
            self.bugs[outcome] = example

    @property
    def n(self) -> int:
        return sum(self.counts.values())

    @property
    def n_bugs(self) -> int:
        return sum(n for key, n in self.counts.items() if key.startswith("BUG"))


class _Timeout(BaseException):
    """Raised by the alarm when one case runs past the time limit."""


@contextlib.contextmanager
def _time_limit(seconds: float) -> Iterator[None]:
    if threading.current_thread() is not threading.main_thread() or not hasattr(signal, "SIGALRM"):
        yield
        return

    def _raise(signum, frame):
        raise _Timeout

    old = signal.signal(signal.SIGALRM, _raise)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)


class _LogCapture(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


class Unannounced(str):
    """An odd output that is a bug only when no warning announced it."""


def run_case(
    call: Callable[[], str | None], tally: Tally, *, names: str | None, example: str = ""
) -> str:
    """Run one case and record its outcome.

    ``call`` returns None when its output is fine, or a ``"BUG: ..."`` string (bad output; an
    :class:`Unannounced` one counts only when nothing warned). An exception is ``refused`` when
    it is an ``EEGPTError`` (or ``FileNotFoundError``/``FileExistsError``) whose message contains
    ``names`` (when given), else a bug.
    """
    from eegpt.errors import EEGPTError

    capture = _LogCapture()
    logger = logging.getLogger("eegpt")
    level = logger.level
    logger.setLevel(min(logger.getEffectiveLevel(), logging.WARNING))
    logger.addHandler(capture)
    t0 = time.perf_counter()
    try:
        with warnings.catch_warnings(record=True) as caught, _time_limit(TIME_LIMIT):
            warnings.simplefilter("always")
            bad = call()
        said = [w for w in caught if issubclass(w.category, (RuntimeWarning, UserWarning))]
        warned = bool(said) or bool(capture.records)
        if isinstance(bad, Unannounced) and warned:
            bad = None
        outcome = bad or ("warned" if warned else "ok")
    except _Timeout:
        outcome = f"BUG: slower than {TIME_LIMIT:g} s"
    except (EEGPTError, OSError) as err:
        message = str(err)
        if names is not None and names not in message:
            outcome = f"BUG: {type(err).__name__} without the file name"
        else:
            outcome = "refused"
        if isinstance(err, OSError) and not isinstance(err, EEGPTError):
            if not isinstance(err, (FileNotFoundError, FileExistsError)):
                outcome = f"BUG: bare {type(err).__name__}"
    except Exception as err:  # the point of the exercise: anything else is a bug
        outcome = f"BUG: {type(err).__name__}: {str(err)[:80]}"
    finally:
        logger.removeHandler(capture)
        logger.setLevel(level)
    elapsed = time.perf_counter() - t0
    tally.slowest = max(tally.slowest, elapsed)
    tally.add(outcome, example)
    return outcome


def plausible(windows: np.ndarray, scale: float = 1e3) -> str | None:
    """None for finite windows of EEG-like amplitude, else a bug description.

    Used only when nothing was said: a run that warned is allowed odd amplitudes.
    """
    from eegpt.signal_checks import TOO_LARGE, TOO_SMALL

    if not np.isfinite(windows).all():
        return "BUG: non-finite output"
    volts = np.moveaxis(windows, 1, 0).reshape(windows.shape[1], -1) / scale
    mad = np.median(np.abs(volts - np.median(volts, axis=1, keepdims=True)), axis=1)
    flat = np.ptp(volts, axis=1) == 0
    if np.any(((mad > TOO_LARGE) | (mad < TOO_SMALL)) & ~flat):
        return Unannounced("BUG: implausible amplitude without a warning")
    return None


# ------------------------------------------------------------------------------------------------
# Recordings
# ------------------------------------------------------------------------------------------------


def recording_case(path: Path, config=None) -> str | None:
    """Read ``path`` whole and streamed; both must agree (and be plausible if nothing warned)."""
    from eegpt.errors import EEGPTError
    from eegpt.io import as_recording
    from eegpt.preprocessing import prepare
    from eegpt.streaming import WindowStream, open_stream

    def whole():
        return prepare(as_recording(path, verbose="error"), None, config).data

    def streamed():
        stream = WindowStream(open_stream(path, verbose="error"), config)
        return np.concatenate([block for _, block in stream.blocks(3)])

    results = []
    for read in (whole, streamed):
        try:
            results.append(read())
        except (EEGPTError, OSError) as err:
            results.append(err)
    a, b = results
    if isinstance(a, BaseException) or isinstance(b, BaseException):
        if isinstance(a, BaseException) and isinstance(b, BaseException):
            raise a
        return "BUG: whole-file and streamed reading disagree (one failed)"
    if a.shape != b.shape or not np.allclose(a, b, rtol=1e-6, atol=1e-9):
        return "BUG: whole-file and streamed windows differ"
    return plausible(a)


def _recording_run(tally: Tally, work: Path, data: bytes, name: str, suffix: str = ".edf") -> str:
    path = work / f"case{suffix}"
    path.write_bytes(data)
    return run_case(lambda: recording_case(path), tally, names=str(path), example=name)


def class_truncated(kind: str) -> Callable[[int, int, Path], Tally]:
    """Truncations of a valid file at evenly spread byte positions (header and body)."""

    def run(n: int, seed: int, work: Path) -> Tally:
        tally = Tally()
        data = edf_bytes(base_spec(kind))
        header = 256 * (len(EDF_NAMES) + 1)
        record = len(EDF_NAMES) * 256 * (2 if kind == "EDF" else 3)
        special = [0, 1, 8, 100, 184, 255, 256, 257, header - 1, header, header + 1]
        special += [header + record - 1, header + record, header + 3 * record + 17, len(data) - 1]
        spread = np.linspace(0, len(data) - 1, max(0, n - len(special))).astype(int).tolist()
        for cut in sorted(set(special + spread))[: max(n, len(special))]:
            _recording_run(tally, work, data[:cut], f"{kind} cut at byte {cut} of {len(data)}")
        return tally

    return run


EDF_VALUES = [
    b"",
    b"0",
    b"-1",
    b"1",
    b"2",
    b"99999999",
    b"-9999999",
    b"1e308",
    b"-1e308",
    b"nan",
    b"inf",
    b"-inf",
    b"0.0001",
    b"abc",
    b"\xff\xfe\x00",
    b"256",
    b"1280",
    b"65535",
    b"-32768",
    b"32767",
    b"3.5",
    b" 1 2",
    b"+5",
    b"1_0",
    b"0x10",
    b"\xb5V",
    b"nV",
    b"mV",
    b"V",
    b"degC",
]


def class_header_fields(n: int, seed: int, work: Path) -> Tally:
    """Header fields replaced by adversarial values (hypothesis picks fields and values)."""
    from hypothesis import strategies as st

    data = edf_bytes(base_spec("EDF"))
    fields = header_fields(len(EDF_NAMES))
    value = st.one_of(st.sampled_from(EDF_VALUES), st.binary(max_size=8))
    edit = st.tuples(st.sampled_from(fields), value)
    tally = Tally()

    def body(edits: list) -> None:
        b = bytearray(data)
        for (_, offset, width), raw in edits:
            b[offset : offset + width] = raw[:width].ljust(width, b" ")
        text = ", ".join(f"{name}={raw!r}" for (name, _, _), raw in edits)
        _recording_run(tally, work, bytes(b), f"EDF with {text}")

    _hypothesis_loop(st.lists(edit, min_size=1, max_size=3), n, seed, body)
    return tally


def class_bytes(kind: str) -> Callable[[int, int, Path], Tally]:
    """Random byte mutations anywhere in a valid file: set, insert, delete, truncate, digits."""

    def run(n: int, seed: int, work: Path) -> Tally:
        from hypothesis import strategies as st

        data = edf_bytes(base_spec(kind))
        size = len(data)
        header = 256 * (len(EDF_NAMES) + 1)
        mutation = st.one_of(
            st.tuples(st.just("set"), st.integers(0, size - 1), st.integers(0, 255)),
            st.tuples(
                st.just("digit"),
                st.integers(0, header - 1),
                st.sampled_from(list(b"0123456789 -.+eE")),
            ),
            st.tuples(st.just("insert"), st.integers(0, size), st.binary(min_size=1, max_size=16)),
            st.tuples(st.just("delete"), st.integers(0, size - 1), st.integers(1, 300)),
            st.tuples(st.just("truncate"), st.integers(0, size)),
        )
        tally = Tally()

        def body(mutations: list) -> None:
            b = bytearray(data)
            for op, pos, *arg in mutations:
                pos = min(pos, len(b))
                if op == "set" and pos < len(b):
                    b[pos] = arg[0]
                elif op == "digit" and pos < len(b):
                    b[pos] = arg[0]
                elif op == "insert":
                    b[pos:pos] = arg[0]
                elif op == "delete":
                    del b[pos : pos + arg[0]]
                elif op == "truncate":
                    del b[pos:]
            _recording_run(tally, work, bytes(b), f"{kind} mutated by {mutations}")

        _hypothesis_loop(st.lists(mutation, min_size=1, max_size=6), n, seed, body)
        return tally

    return run


def structural_cases() -> Iterator[tuple[str, Callable[[Path], Path]]]:
    """Named broken or odd recordings: ``(description, writer(folder) -> path)``."""
    sfreq = 256

    def spec_file(name: str, spec: EDFSpec, edit: Callable[[bytes], bytes] | None = None):
        def write(folder: Path) -> Path:
            data = edf_bytes(spec)
            path = folder / f"{name}.{spec.kind.lower()}"
            path.write_bytes(edit(data) if edit else data)
            return path

        return write

    base = base_spec()
    x = np.array(base.signals)

    def variant(**changes: Any) -> EDFSpec:
        return EDFSpec(**{**base.__dict__, **changes})

    yield "zero-length file", lambda d: _touch(d / "empty.edf", b"")
    yield "header only, no data records", spec_file("header_only", base, lambda b: b[:1280])
    yield "half a data record", spec_file("half_record", base, lambda b: b[: 1280 + 1024])
    yield "truncated body (8.5 of 10 records)", spec_file("trunc", base, lambda b: b[:-3072])
    yield (
        "header announces 20 records, 10 present",
        spec_file("more_announced", variant(n_records_field=20)),
    )
    yield (
        "header announces 5 records, 10 present",
        spec_file("fewer_announced", variant(n_records_field=5)),
    )
    yield (
        "record count -1 (recording not closed)",
        spec_file("minus_one", variant(n_records_field=-1)),
    )
    yield (
        "samples per record wrong (header 200, body 256)",
        spec_file("wrong_samples", base, lambda b: _set_field(b, "samples per record[1]", b"200")),
    )
    yield (
        "record duration 0",
        spec_file("zero_duration", base, lambda b: _set_field(b, "record duration", b"0")),
    )
    yield (
        "digital min = max on one signal (it is left out)",
        spec_file("digital_equal", base, lambda b: _set_field(b, "digital max[2]", b"-32768")),
    )
    yield (
        "physical min = max on one signal (it is left out)",
        spec_file("physical_equal", base, lambda b: _set_field(b, "physical max[0]", b"-500")),
    )
    yield (
        "digital or physical min = max on every signal",
        spec_file("none_scalable", base, lambda b: functools.reduce(
            lambda b, k: _set_field(b, f"{'digital' if k % 2 else 'physical'} max[{k}]",
                                    b"-32768" if k % 2 else b"-500"),
            range(len(EDF_NAMES)), b,
        )),
    )  # fmt: skip
    yield (
        "physical range inverted (legal: flips the sign)",
        spec_file("inverted", variant(physical=(500.0, -500.0))),
    )
    yield (
        "header size field wrong",
        spec_file("header_size", base, lambda b: _set_field(b, "header bytes", b"1024")),
    )
    yield (
        "huge channel count in header (9999)",
        spec_file("many_channels_claimed", base, lambda b: _set_field(b, "n signals", b"9999")),
    )
    wide = eeg_like(512, 4 * sfreq, sfreq)
    yield (
        "512 channels, none in the EEGPT vocabulary",
        spec_file("hd_512", EDFSpec(list(wide), [f"E{k}" for k in range(512)], [sfreq] * 512)),
    )
    yield (
        "512 channels, 58 of them mapped",
        spec_file(
            "hd_512_mapped",
            EDFSpec(
                list(wide),
                [f"EEG {n}-REF" for n in _vocab()[:58]] + [f"E{k}" for k in range(454)],
                [sfreq] * 512,
            ),
        ),
    )
    yield (
        "non-EEG channels only (ECG, EMG, Resp)",
        spec_file(
            "non_eeg",
            variant(signals=list(x[:3]), labels=["ECG", "EMG chin", "Resp"], rates=[256] * 3),
        ),
    )
    yield (
        "annotations channel only",
        spec_file(
            "annotations_only",
            variant(signals=[x[0]], labels=["EDF Annotations"], rates=[256]),
        ),
    )
    yield (
        "mixed sampling rates (256 and 128 Hz)",
        spec_file(
            "mixed_rates",
            variant(signals=[x[0], x[1][::2], x[2], x[3]], rates=[256, 128, 256, 256]),
        ),
    )
    yield (
        "mixed rates, one signal at 1 Hz",
        spec_file(
            "mixed_slow", variant(signals=[x[0], x[1][::256], x[2], x[3]], rates=[256, 1, 256, 256])
        ),
    )
    yield "a flat channel", spec_file("flat", variant(signals=[x[0], x[1] * 0, x[2], x[3]]))
    yield "all channels flat", spec_file("all_flat", variant(signals=list(x * 0)))
    yield (
        "a clipped channel (10x the physical range)",
        spec_file("clipped", variant(signals=[x[0], x[1] * 40, x[2], x[3]])),
    )
    yield "unit nV (read as volts by MNE)", spec_file("unit_nv", variant(units=["nV"] * 4))
    yield "empty unit field (read as volts)", spec_file("unit_empty", variant(units=[""] * 4))
    yield "one channel in degC", spec_file("unit_degc", variant(units=["uV", "degC", "uV", "uV"]))
    yield "volts labelled, microvolt values", spec_file("unit_v", variant(units=["V"] * 4))
    yield "micro sign unit (latin-1 0xB5)", spec_file("unit_micro", variant(units=["\xb5V"] * 4))
    yield (
        "shorter than one window (2 s)",
        spec_file("short", variant(signals=list(x[:, : 2 * sfreq]))),
    )
    yield (
        "duplicate channel labels",
        spec_file(
            "duplicates", variant(labels=["EEG FP1-REF", "EEG FP1-REF", "EEG CZ-REF", "EEG O2-REF"])
        ),
    )
    yield (
        "non-ASCII labels",
        spec_file(
            "non_ascii",
            variant(labels=["EEG F\xfc1", "EEG C\xe43-REF", "EEG CZ-REF", "EEG O2-REF"]),
        ),
    )
    yield "BDF, valid", spec_file("valid", base_spec("BDF"))
    yield "BDF truncated mid-record", spec_file("bdf_trunc", base_spec("BDF"), lambda b: b[:-1000])
    yield (
        "sampling rate 2048 Hz (downsampled by 8)",
        spec_file("fast", variant(signals=list(eeg_like(4, 10 * 2048, 2048)), rates=[2048] * 4)),
    )
    yield (
        "sampling rate 100 Hz (upsampled)",
        spec_file("slow", variant(signals=list(eeg_like(4, 10 * 100, 100)), rates=[100] * 4)),
    )
    yield (
        "sampling rate 173.61 Hz (inexact ratio)",
        spec_file(
            "odd_rate",
            variant(
                signals=list(eeg_like(4, 17361, 173.61)),
                rates=[173.61] * 4,
                record_seconds=100,
            ),
        ),
    )
    yield "not an EDF file (text)", lambda d: _touch(d / "text.edf", b"this is not an EDF " * 80)
    yield "directory named .edf", lambda d: _mkdir(d / "folder.edf")
    yield "missing file", lambda d: d / "missing.edf"
    yield "unsupported extension", lambda d: _touch(d / "notes.xyz", b"hello")
    yield "FIF with NaN samples", lambda d: _fif(d, "nan", np.nan)
    yield "FIF with Inf samples", lambda d: _fif(d, "inf", np.inf)
    yield "FIF with only ECG/EMG typed channels", lambda d: _fif(d, "typed", None, non_eeg=True)


def _vocab() -> tuple[str, ...]:
    from eegpt.channels import VOCABULARY

    return VOCABULARY


def _touch(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


def _mkdir(path: Path) -> Path:
    path.mkdir(exist_ok=True)
    return path


def _set_field(data: bytes, name: str, value: bytes) -> bytes:
    fields = {n: (o, w) for n, o, w in header_fields(len(EDF_NAMES))}
    offset, width = fields[name]
    return data[:offset] + value.ljust(width, b" ") + data[offset + width :]


def _fif(folder: Path, name: str, bad: float | None, non_eeg: bool = False) -> Path:
    import mne

    x = eeg_like(4, 2560, 256.0) * 1e-6
    if bad is not None:
        x[1, 100:110] = bad
    types = ["ecg", "emg", "misc", "resp"] if non_eeg else "eeg"
    names = ["ECG", "EMG", "X", "Resp"] if non_eeg else ["Fp1", "C3", "Cz", "O2"]
    raw = mne.io.RawArray(x, mne.create_info(names, 256.0, types), verbose="error")
    path = folder / f"{name}_raw.fif"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        raw.save(path, overwrite=True, verbose="error")
    return path


def class_structural(n: int, seed: int, work: Path) -> Tally:
    """Hand-made broken and odd recordings, each once (``n`` is ignored)."""
    tally = Tally()
    for k, (name, write) in enumerate(structural_cases()):
        folder = work / f"s{k}"
        folder.mkdir(exist_ok=True)
        path = write(folder)

        def call(path: Path = path) -> str | None:
            return recording_case(path)

        STRUCTURAL_LOG.append((name, run_case(call, tally, names=str(path), example=name)))
    return tally


STRUCTURAL_LOG: list[tuple[str, str]] = []


def class_arrays(n: int, seed: int, work: Path) -> Tally:
    """Array input of random shape, dtype, length, values, sampling rate and unit, through the
    preprocessing and through the model (embeddings must be finite)."""
    from hypothesis import strategies as st

    from eegpt.api import embed
    from eegpt.io import as_recording
    from eegpt.preprocessing import prepare

    _, model = _small_model(work)
    vocabulary = ["Fp1", "C3", "Cz", "O2", "EEG T3-REF", "Pz", "ECG", "X1", "", "cz"]

    def mostly(valid: list, invalid: list) -> Any:  # three valid draws for one invalid
        return st.one_of(st.sampled_from(valid), st.sampled_from(valid), st.sampled_from(valid),
                         st.sampled_from(invalid))  # fmt: skip

    @st.composite
    def case(draw: Any) -> dict:
        n_channels = draw(mostly([1, 2, 3, 5], [0, 6]))
        unique = draw(st.booleans()) or draw(st.booleans())
        names = draw(
            st.lists(
                st.sampled_from(vocabulary), min_size=n_channels, max_size=n_channels, unique=unique
            )
        )
        if draw(st.integers(0, 9)) == 0:  # sometimes the wrong number of names
            names = names + ["Oz"] if draw(st.booleans()) else names[:-1]
        n_times = draw(mostly([1024, 1025, 3000, 5000], [0, 1, 100, 1023]))
        shape: tuple[int, ...] = (n_channels, n_times)
        if draw(st.integers(0, 3)) == 0:
            shape = (draw(st.integers(0, 3)), *shape)
        if draw(st.integers(0, 19)) == 0:
            shape = shape[1:] if len(shape) == 3 else (n_times,)  # wrong rank
        return {
            "shape": shape,
            "dtype": draw(
                mostly(
                    ["float64", "float32"],
                    ["float16", "int16", "complex64", "bool", "object", "U3"],
                )
            ),
            "names": names,
            "sfreq": draw(mostly([256.0, 250.0, 500.0, 173.61], [0.0, -1.0, np.nan, 0.5, 5000.0])),
            "units": draw(mostly(["V", "uV", "mV"], ["nV", "V-but-microvolts"])),
            "special": draw(
                st.lists(
                    st.sampled_from([0.0, 1e-5, 50.0, 1e30, np.nan, np.inf, -np.inf]), max_size=2
                )
                | st.just([])
            ),
            "seed": draw(st.integers(0, 2**16)),
        }

    tally = Tally()

    def body(c: dict) -> None:
        def call() -> str | None:
            rng = np.random.default_rng(c["seed"])
            units = "V" if c["units"] == "V-but-microvolts" else c["units"]
            size = {"V": 20e-6, "mV": 20e-3, "uV": 20.0, "nV": 2e4, "V-but-microvolts": 20.0}
            x = rng.normal(0, size[c["units"]], c["shape"])
            for value in c["special"]:
                if x.size:
                    x.flat[rng.integers(x.size)] = value
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", RuntimeWarning)  # numpy casts of nan/inf
                x = x.astype(c["dtype"]) if c["dtype"] != "object" else x.astype(object)
            rec = as_recording(x, ch_names=c["names"], sfreq=c["sfreq"], units=units)
            odd = plausible(prepare(rec).data)
            z = embed(model, rec).data  # raises EmbeddingError on NaN/Inf
            return odd or (None if np.isfinite(z).all() else "BUG: non-finite embeddings")

        run_case(call, tally, names=None, example=repr(c))

    _hypothesis_loop(case(), n, seed, body)
    return tally


def class_channel_names(n: int, seed: int, work: Path) -> Tally:
    """Arbitrary unicode channel names (plus near-misses of real ones) through the pipeline."""
    from hypothesis import strategies as st

    from eegpt.io import as_recording
    from eegpt.preprocessing import prepare

    real = ["Fp1", "EEG FP1-REF", "T3", "C3.", "Fc5.", "CZ", "EEG CZ-LE", "O2 ", "POz", "A1"]
    name = st.one_of(
        st.text(max_size=20),
        st.sampled_from(real),
        st.builds(lambda a, b: a + b, st.sampled_from(real), st.text(max_size=4)),
    )
    tally = Tally()

    def body(names: list[str]) -> None:
        def call() -> str | None:
            x = eeg_like(len(names), 1024, 256.0) * 1e-6
            return plausible(prepare(as_recording(x, ch_names=names, sfreq=256.0)).data)

        run_case(call, tally, names=None, example=repr(names))

    _hypothesis_loop(st.lists(name, min_size=1, max_size=8), n, seed, body)
    return tally


def _hypothesis_loop(strategy, n: int, seed: int, body: Callable[[Any], None]) -> None:
    """Run ``body`` on ``n`` examples drawn by hypothesis (no shrinking: every case counts)."""
    from hypothesis import HealthCheck, Phase, given, settings
    from hypothesis import seed as hseed

    @hseed(seed)
    @settings(
        max_examples=n,
        database=None,
        deadline=None,
        phases=[Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(strategy)
    def loop(case: Any) -> None:
        body(case)

    loop()


# ------------------------------------------------------------------------------------------------
# Checkpoints
# ------------------------------------------------------------------------------------------------


def small_config():
    from eegpt.config import EEGPTConfig

    return EEGPTConfig(embed_dim=64, depth=1, num_heads=4, embed_num=1)


def checkpoint_case(path: Path) -> str | None:
    """Load ``path`` as a model and run it once; the output must be finite."""
    import torch

    from eegpt.checkpoints import load_model

    model = load_model(path, verbose=False)
    ids = model.chan_ids if len(model.chan_ids) else torch.tensor([0, 9, 29, 61])
    x = torch.randn(2, len(ids), 256, generator=torch.Generator().manual_seed(0))
    with torch.no_grad():
        out = model(x, None if len(model.chan_ids) else ids)
    return None if bool(torch.isfinite(out).all()) else "BUG: non-finite model output"


class _Payload:
    """Unpickling this calls ``func(*args)``: a real attack when ``func`` is ``os.system``."""

    def __init__(self, func: Any, *args: Any) -> None:
        self.func, self.args = func, args

    def __reduce__(self):
        return (self.func, self.args)


def malicious_pickles(marker: Path) -> Iterator[tuple[str, Callable[[Path], Path]]]:
    """``(description, writer(folder) -> path)`` of checkpoints that try to run code or to
    exhaust memory when loaded; a run that creates ``marker`` executed the payload."""
    import builtins
    import functools
    import subprocess as sp

    import torch

    command = f"touch {marker}"
    code = f"open({str(marker)!r}, 'w').close()"

    def raw(name: str, data: bytes):
        return lambda d: _touch(d / name, data)

    def saved(name: str, obj: Any, **kwargs: Any):
        def write(d: Path) -> Path:
            torch.save(obj, d / name, **kwargs)
            return d / name

        return write

    def state_with(value: Any) -> dict:
        torch.manual_seed(0)
        from eegpt.model import EEGPTEncoder

        state = {
            f"target_encoder.{k}": v for k, v in EEGPTEncoder(small_config()).state_dict().items()
        }
        state["target_encoder.norm.weight"] = value
        return state

    payloads = {
        f"os.system via REDUCE, protocol {protocol}": pickle.dumps(
            _Payload(os.system, command), protocol=protocol
        )
        for protocol in (0, 2, 4, 5)
    }
    payloads["INST opcode (protocol 0)"] = f"(S'{command}'\nios\nsystem\n.".encode()
    payloads["name 'system' built at load time by _codecs.encode"] = _codecs_payload(command)
    for k, (name, payload) in enumerate(payloads.items()):
        yield f"{name}, bare pickle file", raw(f"bare{k}.pt", payload)
        yield f"{name}, as data.pkl of a torch zip file", raw(f"zip{k}.pt", _torch_zip(payload))
        yield f"{name}, in a legacy torch file", raw(f"legacy{k}.pt", _torch_legacy(payload))
    yield "builtins.eval", saved("eval.pt", _Payload(builtins.eval, code))
    yield "builtins.exec", saved("exec.pt", _Payload(builtins.exec, code))
    yield "subprocess.Popen", saved("popen.pt", _Payload(sp.Popen, ["touch", str(marker)]))
    yield (
        "functools.partial(os.system)",
        saved("partial.pt", _Payload(functools.partial(os.system, command))),
    )
    yield (
        "os.system inside a torch zip state dict",
        saved("in_state.pt", {"target_encoder.x": _Payload(os.system, command)}),
    )
    yield (
        "os.system in place of a weight",
        saved("as_weight.pt", state_with(_Payload(os.system, command))),
    )
    yield (
        "os.system in Lightning hyper-parameters",
        saved(
            "lightning.ckpt",
            {
                "state_dict": state_with(torch.ones(64)),
                "hyper_parameters": {"args": _Payload(os.system, command)},
                "callbacks": {"x": _Payload(builtins.exec, code)},
            },
        ),
    )
    yield (
        "os.system, legacy (non-zip) torch format",
        saved(
            "legacy.pt", {"x": _Payload(os.system, command)}, _use_new_zipfile_serialization=False
        ),
    )
    yield (
        "bytearray(3e9) memory bomb (torch's own weights_only loader allows it)",
        saved("bomb.pt", {"state_dict": {"x": _Payload(bytearray, 3 * 10**9)}}),
    )
    yield (
        "pickle disguised as .safetensors",
        raw("evil.safetensors", pickle.dumps(_Payload(os.system, command), protocol=2)),
    )
    yield (
        "malicious pytorch_model.bin in a Hub folder",
        _hub_folder_with(pickle.dumps(_Payload(os.system, command), protocol=2)),
    )


def _codecs_payload(command: str) -> bytes:
    """A pickle that builds the name 'system' at load time and calls os.system(command)."""

    def text(value: str) -> bytes:  # SHORT_BINUNICODE
        return b"\x8c" + bytes([len(value.encode())]) + value.encode()

    encode = text("_codecs") + text("encode") + pickle.STACK_GLOBAL  # allowed everywhere
    system = encode + text("flfgrz") + text("rot13") + pickle.TUPLE2 + pickle.REDUCE  # "system"
    call = text("os") + system + pickle.STACK_GLOBAL + text(command) + pickle.TUPLE1
    return pickle.PROTO + bytes([4]) + call + pickle.REDUCE + pickle.STOP


def _torch_zip(payload: bytes) -> bytes:
    """A torch zip checkpoint whose pickle is ``payload``."""
    import zipfile

    import torch

    buf = io.BytesIO()
    torch.save({}, buf)
    out = io.BytesIO()
    with zipfile.ZipFile(buf) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_STORED) as dst:
        for item in src.infolist():
            data = payload if item.filename.endswith("/data.pkl") else src.read(item)
            dst.writestr(item.filename, data)
    return out.getvalue()


def _torch_legacy(payload: bytes) -> bytes:
    """A legacy (pre-zip) torch file: magic number, protocol, system info, then ``payload``."""
    from torch.serialization import MAGIC_NUMBER, PROTOCOL_VERSION

    info = {"protocol_version": PROTOCOL_VERSION, "little_endian": True, "type_sizes": {}}
    head = [pickle.dumps(v, protocol=2) for v in (MAGIC_NUMBER, PROTOCOL_VERSION, info)]
    return b"".join(head) + payload


def _hub_folder_with(weights: bytes) -> Callable[[Path], Path]:
    def write(d: Path) -> Path:
        folder = d / "hub"
        folder.mkdir()
        (folder / "config.json").write_text(json.dumps({"n_chans": 4, "n_times": 256}))
        (folder / "pytorch_model.bin").write_bytes(weights)
        return folder

    return write


def class_malicious(n: int, seed: int, work: Path) -> Tally:
    """Checkpoints that try to run code (or exhaust memory) on load, each once."""
    import resource

    tally = Tally()
    for k, (name, write) in enumerate(malicious_pickles(work / "PWNED")):
        folder = work / f"m{k}"
        folder.mkdir()
        marker = work / "PWNED"
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            path = write(folder)
        before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss

        def call(path: Path = path) -> str | None:
            result = checkpoint_case(path)
            return result

        outcome = run_case(call, tally, names=None, example=name)
        grown = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) * 1024
        if marker.exists() or grown > 2**30:
            tally.counts[outcome] -= 1
            what = "code executed" if marker.exists() else f"memory grew {grown / 2**30:.1f} GiB"
            tally.add(f"BUG: {what}", name)
            marker.unlink(missing_ok=True)
        MALICIOUS_LOG.append((name, outcome))
    return tally


MALICIOUS_LOG: list[tuple[str, str]] = []


def _valid_checkpoints(work: Path) -> dict[str, Path]:
    """One small valid checkpoint in every layout."""
    import torch
    from safetensors.torch import save_file

    from eegpt.checkpoints import save_checkpoint
    from eegpt.model import EEGPT, EEGPTEncoder

    torch.manual_seed(0)
    enc = EEGPTEncoder(small_config())
    state = {f"target_encoder.{k}": v for k, v in enc.state_dict().items()}
    out = {"folder": save_checkpoint(EEGPT(small_config()), work / "folder", overwrite=True)}
    save_file(state, work / "w.safetensors")
    torch.save(state, work / "w.pt")
    torch.save({"epoch": 1, "state_dict": state, "hyper_parameters": {"lr": 1e-3}}, work / "l.ckpt")
    out.update(safetensors=work / "w.safetensors", torch=work / "w.pt", lightning=work / "l.ckpt")
    return out


def class_checkpoint_corrupt(n: int, seed: int, work: Path) -> Tally:
    """Truncated, byte-mutated, wrong-shape, wrong-dtype, NaN and mis-configured checkpoints."""
    import torch
    from hypothesis import strategies as st
    from safetensors.torch import load_file, save_file

    tally = Tally()
    valid = _valid_checkpoints(work / "valid")
    case_dir = work / "case"

    def run(path: Path, example: str) -> None:
        run_case(lambda: checkpoint_case(path), tally, names=None, example=example)

    # fixed cases: shapes, dtypes, non-finite values
    state = load_file(valid["safetensors"])
    key = "target_encoder.blocks.0.attn.proj.weight"
    edits = {
        "wrong shape": {key: state[key][:, :-1].contiguous()},
        "wrong rank": {key: state[key].reshape(-1)},
        "int32 weights": {key: state[key].to(torch.int32)},
        "bool weights": {key: state[key] > 0},
        "complex weights": {key: state[key].to(torch.complex64)},
        "float64 weights (accepted)": {key: state[key].double()},
        "bfloat16 weights (accepted)": {key: state[key].bfloat16()},
        "NaN-filled weight": {key: torch.full_like(state[key], float("nan"))},
        "one Inf": {key: state[key].clone().index_fill_(0, torch.tensor([3]), float("inf"))},
        "all weights NaN": {k: torch.full_like(v, float("nan")) for k, v in state.items()},
        "missing weight": {key: None},
        "extra weight": {"target_encoder.extra.weight": torch.ones(3)},
        "channel ids outside the vocabulary": {"chans_id": torch.tensor([3, 999])},
        "float channel ids": {"chans_id": torch.tensor([3.0, 4.0])},
    }
    for name, change in edits.items():
        s = {k: v for k, v in state.items() if not (k in change and change[k] is None)}
        s.update({k: v for k, v in change.items() if v is not None})
        path = work / f"{name.replace(' ', '_')}.safetensors"
        save_file(s, path)
        run(path, name)

    # config.json values of the wrong type or size
    config = json.loads((valid["folder"] / "config.json").read_text())
    for name, value in [
        ("chs_info", [1, 2]),
        ("chan_conv_max_norm", "x"),
        ("n_times", -5),
        ("eegpt.chan_ids", [999]),
        ("eegpt.chan_ids", "abc"),
        ("eegpt.config.patch_stride", "q"),
        ("eegpt.config.num_heads", 3),
        ("eegpt.n_times", 2),
        ("eegpt", []),
        ("config", "not an object"),
    ]:
        folder = work / "cfg"
        shutil.rmtree(folder, ignore_errors=True)
        shutil.copytree(valid["folder"], folder)
        edited = json.loads(json.dumps(config))
        _set_json(edited, name, value)
        text = json.dumps(edited) if name != "config" else json.dumps(value)
        (folder / "config.json").write_text(text)
        run(folder, f"config.json {name}={value!r}")
    (folder / "config.json").write_text("{ not json")
    run(folder, "config.json not JSON")

    # truncations and byte mutations (hypothesis)
    blobs = {name: p.read_bytes() for name, p in valid.items() if p.is_file()}
    suffix = {"safetensors": ".safetensors", "torch": ".pt", "lightning": ".ckpt"}
    mutation = st.tuples(
        st.sampled_from(sorted(blobs)),
        st.one_of(
            st.tuples(st.just("truncate"), st.floats(0, 1)),
            st.tuples(st.just("set"), st.floats(0, 1), st.integers(0, 255)),
            st.tuples(st.just("zero"), st.floats(0, 1), st.integers(1, 4096)),
        ),
    )

    def body(m: tuple) -> None:
        name, (op, where, *arg) = m
        b = bytearray(blobs[name])
        pos = min(int(where * len(b)), len(b) - 1)
        if op == "truncate":
            del b[pos:]
        elif op == "set":
            b[pos] = arg[0]
        else:
            b[pos : pos + arg[0]] = bytes(min(arg[0], len(b) - pos))
        case_dir.mkdir(exist_ok=True)
        path = case_dir / f"mutated{suffix[name]}"
        path.write_bytes(bytes(b))
        run(path, f"{name} {op} at {pos}")

    _hypothesis_loop(mutation, max(0, n - tally.n), seed, body)
    return tally


def _set_json(obj: dict, dotted: str, value: Any) -> None:
    *parents, last = dotted.split(".")
    for key in parents:
        obj = obj.setdefault(key, {})
    obj[last] = value


# ------------------------------------------------------------------------------------------------
# Downloads
# ------------------------------------------------------------------------------------------------


class _Server:
    """A local HTTP server; ``routes`` maps a path to ``(body, headers, behaviour)``."""

    def __init__(self) -> None:
        self.routes: dict[str, tuple[bytes, dict[str, str], str]] = {}
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def do_GET(self) -> None:
                if self.path not in server.routes:
                    self.send_error(404, "not found")
                    return
                body, headers, how = server.routes[self.path]
                self.send_response(200)
                self.send_header("Content-Length", str(len(body)))
                for k, v in headers.items():
                    self.send_header(k, v)
                self.end_headers()
                if how == "drop":
                    self.wfile.write(body[: len(body) // 2])
                    self.close_connection = True
                elif how == "stall":
                    self.wfile.write(body[: len(body) // 2])
                    self.wfile.flush()
                    time.sleep(30)
                elif how == "corrupt":
                    self.wfile.write(bytes([body[0] ^ 0xFF]) + body[1:])
                else:
                    self.wfile.write(body)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


def class_downloads(n: int, seed: int, work: Path) -> Tally:
    """Corrupt, dropped, mis-hashed, missing and interrupted downloads: never a complete-looking
    file that was not verified, never a leftover partial file."""
    from eegpt import hub

    tally = Tally()
    body = os.urandom(200_000)
    good = hashlib.sha256(body).hexdigest()
    server = _Server()
    try:
        for name, how, announce, sha in [
            ("valid, server announces the SHA-256", "ok", good, None),
            ("valid, SHA-256 given by the caller", "ok", None, good),
            ("valid, no checksum anywhere (warns)", "ok", None, None),
            ("corrupt body, SHA announced", "corrupt", good, None),
            ("corrupt body, SHA given", "corrupt", None, good),
            ("wrong SHA given", "ok", None, "0" * 64),
            ("connection dropped mid-body", "drop", good, None),
            ("HTTP 404", "missing", None, None),
        ]:
            route = f"/{len(tally.counts)}-{tally.n}/model.safetensors"
            if how != "missing":
                headers = {"ETag": f'"{announce}"'} if announce else {}
                server.routes[route] = (body, headers, how)
            folder = work / f"d{tally.n}"
            url = server.url + route

            def call(url: str = url, folder: Path = folder, sha: str | None = sha) -> str | None:
                try:
                    path = hub.fetch_weights(url, cache_dir=folder, sha256=sha, progress=False)
                except Exception:
                    leftover = _no_partial(folder, None)
                    if leftover:
                        return leftover
                    raise
                if path.read_bytes() != body:
                    return "BUG: a wrong file was accepted"
                return _no_partial(folder, path)

            run_case(call, tally, names=url, example=name)
        # a hard kill in the middle of a download leaves no complete-looking file
        server.routes["/stall/model.safetensors"] = (body, {"ETag": f'"{good}"'}, "stall")
        folder = work / "killed"
        run_case(
            lambda: _killed_download(server.url + "/stall/model.safetensors", folder),
            tally,
            names=None,
            example="process killed mid-download",
        )
    finally:
        server.close()
    return tally


def _download_lock(path: Path) -> bool:
    """Whether ``path`` is the (empty) lock file a download into a cache folder keeps beside
    it (``eegpt.hub.lock_path``: other processes fetching the same weights wait on it)."""
    return path.name.startswith(".") and path.name.endswith(".lock") and not path.stat().st_size


def _no_partial(folder: Path, final: Path | None) -> str | None:
    files = [p for p in folder.rglob("*") if p.is_file()] if folder.exists() else []
    extra = [p.name for p in files if p != final and not _download_lock(p)]
    return f"BUG: files left behind: {extra}" if extra else None


def _killed_download(url: str, folder: Path) -> str | None:
    code = (
        "import sys; from eegpt import hub; "
        f"hub.fetch_weights({url!r}, cache_dir={str(folder)!r}, progress=False)"
    )
    proc = subprocess.Popen([sys.executable, "-c", code], stderr=subprocess.DEVNULL)
    deadline = time.time() + 60
    while time.time() < deadline and not any(folder.rglob("*.part")):
        time.sleep(0.05)
    time.sleep(0.2)
    proc.kill()
    proc.wait()
    files = [p.name for p in folder.rglob("*") if p.is_file() and not _download_lock(p)]
    if any(not name.endswith(".part") for name in files):
        return f"BUG: killed download left {files}"
    return None


# ------------------------------------------------------------------------------------------------
# Outputs
# ------------------------------------------------------------------------------------------------


def _small_model(work: Path):
    import torch

    from eegpt.checkpoints import load_model, save_checkpoint
    from eegpt.model import EEGPT

    folder = work / "weights"
    if not folder.exists():
        torch.manual_seed(0)
        save_checkpoint(EEGPT(small_config()), folder)
    return folder, load_model(folder, verbose=False)


def _recording(work: Path, seconds: int = 120) -> Path:
    path = work / "rec.edf"
    if not path.exists():
        spec = base_spec(seconds=seconds)
        path.write_bytes(edf_bytes(spec))
    return path


def class_outputs(n: int, seed: int, work: Path) -> Tally:
    """Interrupted and colliding writes: a final name only ever holds a complete file; an
    interrupted one resumes to the same bits."""
    from eegpt import api
    from eegpt._partial_embeddings import partial_paths
    from eegpt.api import embed_to_file
    from eegpt.outputs import EmbeddingsWriter, load_embeddings

    tally = Tally()
    weights, model = _small_model(work)
    rec = _recording(work)
    rng = random.Random(seed)
    reference = work / "reference.npz"
    block_windows = api.BLOCK_WINDOWS
    api.BLOCK_WINDOWS = 4  # several blocks per recording, so interrupts fall between them
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        embed_to_file(model, rec, reference, batch_size=4, verbose="error")
    expected = load_embeddings(reference)

    def interrupted(kind: str, k: int, suffix: str) -> str | None:
        out = work / f"interrupted{suffix}"
        writer_write = EmbeddingsWriter.write
        calls = [0]

        def write(self, block):
            calls[0] += 1
            if calls[0] > k:
                raise KeyboardInterrupt if kind == "interrupt" else RuntimeError("disk on fire")
            writer_write(self, block)

        EmbeddingsWriter.write = write
        try:
            embed_to_file(model, rec, out, batch_size=4, verbose="error")
            return "BUG: the interruption did not happen"
        except (KeyboardInterrupt, RuntimeError):
            pass
        finally:
            EmbeddingsWriter.write = writer_write
        # an interrupt keeps the windows embedded so far beside the output; an error does not
        kept = {p.name for p in partial_paths(out) if p.exists()} if kind == "interrupt" else set()
        left = _only(work, {reference.name, "rec.edf", "weights", *kept})
        if left is not None or not kept:
            return left
        embed_to_file(model, rec, out, batch_size=4, verbose="error", resume=True)
        try:
            if load_embeddings(out).data.tobytes() != expected.data.tobytes():
                return "BUG: a resumed output differs from one never interrupted"
        finally:
            out.unlink()
        return _only(work, {reference.name, "rec.edf", "weights"})

    cases: list[tuple[str, Callable[[], str | None]]] = []
    for suffix in (".npz", ".parquet"):
        for kind in ("interrupt", "error"):
            k = rng.randint(0, 2)
            cases.append(
                (
                    f"{kind} after {k} blocks ({suffix})",
                    lambda a=kind, b=k, c=suffix: interrupted(a, b, c),
                )
            )
        cases.append(
            (
                f"existing output, no overwrite ({suffix})",
                lambda c=suffix: _collision(work, model, rec, c),
            )
        )
        cases.append(
            (
                f"output appears while running ({suffix})",
                lambda c=suffix: _race(work, model, rec, c),
            )
        )
    for _ in range(max(0, n - len(cases))):
        signum = rng.choice([signal.SIGKILL, signal.SIGINT, signal.SIGTERM])
        after = rng.randint(0, 4)
        cases.append(
            (
                f"{signal.Signals(signum).name} after {after} blocks",
                lambda s=signum, a=after: _killed_embed(work, weights, rec, s, a, expected),
            )
        )
    try:
        for name, call in cases[: max(n, 1)]:
            run_case(call, tally, names=None, example=name)
    finally:
        api.BLOCK_WINDOWS = block_windows
    return tally


def _only(folder: Path, allowed: set[str]) -> str | None:
    extra = sorted(p.name for p in folder.iterdir() if p.name not in allowed)
    return f"BUG: left behind {extra}" if extra else None


def _collision(work: Path, model, rec: Path, suffix: str) -> str | None:
    from eegpt.api import embed_to_file
    from eegpt.errors import OutputExistsError

    out = work / f"existing{suffix}"
    out.write_bytes(b"precious")
    try:
        embed_to_file(model, rec, out, verbose="error")
        return "BUG: an existing output was overwritten"
    except OutputExistsError:
        pass
    finally:
        ok = out.read_bytes() == b"precious"
        out.unlink()
    return None if ok else "BUG: the existing output changed"


def _race(work: Path, model, rec: Path, suffix: str) -> str | None:
    from eegpt.api import embed_to_file
    from eegpt.errors import OutputExistsError
    from eegpt.outputs import EmbeddingsWriter

    out = work / f"race{suffix}"
    original = EmbeddingsWriter.close

    def close(self):
        out.write_bytes(b"written by someone else")  # appears between the check and the rename
        return original(self)

    EmbeddingsWriter.close = close
    try:
        embed_to_file(model, rec, out, verbose="error")
        return "BUG: a file created meanwhile was overwritten"
    except OutputExistsError:
        pass
    finally:
        EmbeddingsWriter.close = original
        ok = out.read_bytes() == b"written by someone else"
        out.unlink()
    return None if ok else "BUG: the other file changed"


_CHILD = """
import sys, time
from eegpt.checkpoints import load_model
from eegpt.api import embed_to_file
from eegpt.outputs import EmbeddingsWriter
import eegpt.api
eegpt.api.BLOCK_WINDOWS = 4
write = EmbeddingsWriter.write
def slow(self, block):
    print("block", flush=True)
    time.sleep(0.3)
    write(self, block)
EmbeddingsWriter.write = slow
embed_to_file(load_model(sys.argv[1], verbose=False), sys.argv[2], sys.argv[3], batch_size=4,
              verbose="error")
print("done", flush=True)
"""


def _killed_embed(
    work: Path, weights: Path, rec: Path, signum: int, after: int, expected
) -> str | None:
    from eegpt._partial_embeddings import partial_paths
    from eegpt.outputs import load_embeddings

    folder = work / f"killed_{time.monotonic_ns()}"
    folder.mkdir()
    out = folder / "emb.npz"
    with subprocess.Popen(
        [sys.executable, "-c", _CHILD, str(weights), str(rec), str(out)],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    ) as proc:
        seen = 0
        assert proc.stdout is not None
        for line in proc.stdout:
            seen += line.startswith("block")
            if seen > after or line.startswith("done"):
                break
        proc.send_signal(signum)
        proc.wait(timeout=60)
    if out.exists():
        got = load_embeddings(out)
        if not np.array_equal(got.data, expected.data):
            return "BUG: a complete-looking output holds wrong data"
        return None
    kept = {p.name for p in partial_paths(out)}  # windows embedded so far, for a resumed run
    leftovers = [p.name for p in folder.iterdir()]
    if signum == signal.SIGINT and set(leftovers) - kept:  # SIGKILL/SIGTERM: no cleanup
        return f"BUG: {signal.Signals(signum).name} left {leftovers}"
    hidden = (".tmp", ".eegpt-partial.json", ".eegpt-partial.rows")
    if any(not (name.startswith(".") and name.endswith(hidden)) for name in leftovers):
        return f"BUG: a partial file is visible: {leftovers}"
    return None


# ------------------------------------------------------------------------------------------------
# Command line
# ------------------------------------------------------------------------------------------------


def class_cli(n: int, seed: int, work: Path) -> Tally:
    """Bad files through ``eegpt embed``: one ``eegpt: error:`` line naming the file, never a
    traceback; good files beside them are still embedded (exit status 3: some failed); bad
    weights stop the run (exit status 1)."""
    from eegpt.cli import main

    tally = Tally()
    weights, _ = _small_model(work)
    good = _recording(work, seconds=12)
    broken_weights = work / "broken.safetensors"
    broken_weights.write_bytes(weights.joinpath("model.safetensors").read_bytes()[:5000])
    evil = work / "evil.pt"
    evil.write_bytes(pickle.dumps(_Payload(os.system, f"touch {work / 'PWNED'}"), protocol=2))
    cases: list[tuple[str, list[str], int]] = []
    for k, (name, write) in enumerate(structural_cases()):
        folder = work / f"c{k}"
        folder.mkdir(exist_ok=True)
        cases.append((name, [str(write(folder))], -1))
    cases.append(("truncated weights", ["--weights", str(broken_weights), str(good)], 1))
    cases.append(("malicious weights", ["--weights", str(evil), str(good)], 1))
    cases.append(("missing weights", ["--weights", str(work / "nope"), str(good)], 1))
    for name, args, expected in cases:
        if "--weights" not in args:
            args = ["--weights", str(weights), *args, str(good)]
        out = work / f"out_{tally.n}"

        def call(args: list[str] = args, out: Path = out, expected: int = expected) -> str | None:
            stderr = io.StringIO()
            with contextlib.redirect_stderr(stderr), contextlib.redirect_stdout(io.StringIO()):
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    code = main(["embed", *args, "-o", str(out), "-q"])
            text = stderr.getvalue()
            if "Traceback" in text:
                return "BUG: traceback shown"
            if (work / "PWNED").exists():
                return "BUG: code executed"
            lines = [line for line in text.splitlines() if line.strip()]
            errors = [line for line in lines if line.startswith("eegpt: error:")]
            if code not in (0, 1, 3) or (expected != -1 and code != expected):
                return f"BUG: exit status {code}"
            if code in (1, 3) and not errors:
                return "BUG: failed without an error line"
            if (
                expected == -1
                and code != 0
                and (code != 3 or not (out / f"{good.stem}.npz").exists())
            ):
                return "BUG: the good recording was not embedded"
            return None if code == 0 else "refused"  # a clear one-line error

        run_case(call, tally, names=None, example=name)
    return tally


# ------------------------------------------------------------------------------------------------
# Determinism
# ------------------------------------------------------------------------------------------------

DETERMINISM: dict[str, Any] = {}


def class_determinism(n: int, seed: int, work: Path) -> Tally:
    """Same input, checkpoint and device: bit-identical embeddings, in one process and across
    processes; batch sizes and the whole-file path are compared and reported."""
    from eegpt.api import embed, embed_to_file
    from eegpt.outputs import load_embeddings

    tally = Tally()
    weights, model = _small_model(work)
    rec = _recording(work, seconds=60)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        first = embed(model, rec, batch_size=8, verbose="error").data

        def again() -> str | None:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                data = embed(model, rec, batch_size=8, verbose="error").data
            return None if np.array_equal(data, first) else "BUG: two runs differ"

        def other_process() -> str | None:
            out = work / f"child_{tally.n}.npz"
            code = (
                "import sys; from eegpt.checkpoints import load_model; "
                "from eegpt.api import embed_to_file; "
                "embed_to_file(load_model(sys.argv[1], verbose=False), sys.argv[2], sys.argv[3], "
                "batch_size=8)"
            )
            subprocess.run(
                [sys.executable, "-W", "ignore", "-c", code, str(weights), str(rec), str(out)],
                check=True,
                capture_output=True,
            )
            data = load_embeddings(out).data
            return None if np.array_equal(data, first) else "BUG: another process differs"

        n_other = 2 if n >= 4 else 0  # a fresh process costs seconds: only at full size
        for _ in range(max(1, n - n_other)):
            run_case(again, tally, names=None, example="same process")
        for _ in range(n_other):
            run_case(other_process, tally, names=None, example="another process")
        diffs = {}
        for batch in (1, 3, 8, 64):
            data = embed(model, rec, batch_size=batch, verbose="error").data
            diffs[batch] = float(np.abs(data - first).max())
        whole = embed(model, rec, batch_size=8, stream=False, verbose="error").data
        out = work / "det.parquet"
        embed_to_file(model, rec, out, batch_size=8, verbose="error")
        to_file = load_embeddings(out).data
    DETERMINISM.update(
        batch_size_max_abs_diff=diffs,
        streamed_vs_whole_identical=bool(np.array_equal(whole, first)),
        file_vs_memory_identical=bool(np.array_equal(to_file, first)),
        scale=float(np.abs(first).max()),
    )
    return tally


def gpu_determinism(work: Path, minutes: float = 10.0) -> dict[str, Any]:
    """CUDA against CPU and against itself, for the large architecture (random weights).

    Returns the largest relative differences (max |a - b| / max |b|) and whether repeated GPU runs
    were bit-identical, per precision and batch size.
    """
    import torch

    from eegpt.api import embed
    from eegpt.config import PRESETS
    from eegpt.engine import InferenceEngine
    from eegpt.model import EEGPT

    if not torch.cuda.is_available():
        raise SystemExit("no CUDA GPU: run this on a machine with one")
    rec = work / "gpu.edf"
    rec.write_bytes(edf_bytes(base_spec(seconds=int(minutes * 60))))
    torch.manual_seed(0)
    model = EEGPT(PRESETS["large"]).eval()

    def run(device: str, batch: int = 64, precision: str = "float32", **kw: Any) -> np.ndarray:
        engine = InferenceEngine(model, device=device, batch_size=batch, precision=precision, **kw)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return embed(model, rec, engine=engine, verbose="error").data

    def rel(a: np.ndarray, b: np.ndarray) -> float:
        return float(np.abs(a - b).max() / np.abs(b).max())

    cpu = run("cpu")
    out: dict[str, Any] = {"device": torch.cuda.get_device_name(), "torch": torch.__version__}
    out["windows"] = len(cpu)
    for name, kw in {"default engine": {}, "eager (no graphs, no compile)": {
        "cuda_graphs": False, "compile": False}}.items():  # fmt: skip
        a, b = run("cuda", **kw), run("cuda", **kw)
        out[name] = {
            "repeat_bit_identical": bool(np.array_equal(a, b)),
            "rel_vs_cpu": rel(a, cpu),
            "rel_batch_1_vs_64": rel(run("cuda", batch=1, **kw), a),
            "rel_batch_7_vs_64": rel(run("cuda", batch=7, **kw), a),
        }
    for precision in ("bfloat16", "float16"):
        a, b = run("cuda", precision=precision), run("cuda", precision=precision)
        out[precision] = {
            "repeat_bit_identical": bool(np.array_equal(a, b)),
            "rel_vs_cpu": rel(a, cpu),
        }
    out["cpu_batch_1_vs_64"] = rel(run("cpu", batch=1), cpu)
    out["cpu_batch_7_vs_64"] = rel(run("cpu", batch=7), cpu)
    return out


# ------------------------------------------------------------------------------------------------
# Memory
# ------------------------------------------------------------------------------------------------

_MEMORY_CHILD = """
import json, resource, sys, time, warnings
warnings.simplefilter("ignore")
import torch
torch.set_num_threads(int(sys.argv[5]))
from eegpt.checkpoints import load_model
from eegpt.api import embed_to_file, embed
model = load_model(sys.argv[1], verbose=False)
import mne, scipy.signal, pyarrow  # imported by the run anyway: count them in the baseline
baseline = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
t0 = time.perf_counter()
if sys.argv[4] == "file":
    embed_to_file(model, sys.argv[2], sys.argv[3], batch_size=64)
else:
    emb = embed(model, sys.argv[2], batch_size=64, stream=sys.argv[4] == "stream")
    n = len(emb)
print(json.dumps({"seconds": time.perf_counter() - t0, "baseline_rss_mib": baseline,
                  "peak_rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def measure_memory(
    work: Path, *, hours: float, channels: int, size: str, mode: str, threads: int = 2
) -> dict[str, Any]:
    """Peak RSS of embedding an ``hours`` x ``channels`` EDF (250 Hz) in a fresh process.

    ``mode``: ``"file"`` (embed_to_file, streamed), ``"stream"`` (embed, streamed, output in
    memory) or ``"whole"`` (embed with stream=False: the file is loaded whole).
    """
    import torch

    from eegpt.checkpoints import save_checkpoint
    from eegpt.config import PRESETS
    from eegpt.model import EEGPT

    rec = work / f"long_{hours:g}h_{channels}ch.edf"
    if not rec.exists():
        write_long_edf(rec, hours=hours, n_channels=channels)
    weights = work / f"weights_{size}"
    if not weights.exists():
        torch.manual_seed(0)
        config = small_config() if size == "small" else PRESETS[size]
        save_checkpoint(EEGPT(config), weights)
    out = work / f"emb_{size}_{hours:g}h.npz"
    out.unlink(missing_ok=True)
    result = subprocess.run(
        [sys.executable, "-c", _MEMORY_CHILD, str(weights), str(rec), str(out), mode, str(threads)],
        check=True,
        capture_output=True,
        text=True,
    )
    measured = json.loads(result.stdout.strip().splitlines()[-1])
    return {
        "hours": hours,
        "channels": channels,
        "size": size,
        "mode": mode,
        "file_mib": rec.stat().st_size / 2**20,
        "output_mib": out.stat().st_size / 2**20 if out.exists() else None,
        **measured,
    }


# ------------------------------------------------------------------------------------------------
# Registry, report
# ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Klass:
    name: str
    title: str
    run: Callable[[int, int, Path], Tally]
    quick: int
    full: int


CLASSES: list[Klass] = [
    Klass("edf-truncated", "EDF truncated at spread byte positions (header and body)",
          class_truncated("EDF"), 60, 1200),
    Klass("bdf-truncated", "BDF (24-bit) truncated at spread byte positions",
          class_truncated("BDF"), 30, 400),
    Klass("edf-header-fields", "EDF header fields set to adversarial values (hypothesis)",
          class_header_fields, 300, 4000),
    Klass("edf-bytes", "EDF byte mutations: set, insert, delete, truncate (hypothesis)",
          class_bytes("EDF"), 400, 8000),
    Klass("bdf-bytes", "BDF byte mutations (hypothesis)", class_bytes("BDF"), 100, 2000),
    Klass("recordings-structural", "named broken/odd recordings (see the list below)",
          class_structural, 0, 0),
    Klass("arrays", "array input: shapes, dtypes, lengths, NaN/Inf, sfreq, units (hypothesis)",
          class_arrays, 200, 4000),
    Klass("channel-names", "arbitrary unicode channel names (hypothesis)",
          class_channel_names, 200, 3000),
    Klass("checkpoint-malicious", "pickles that run code or bomb memory on load",
          class_malicious, 0, 0),
    Klass("checkpoint-corrupt", "truncated, mutated, wrong shape/dtype, NaN, bad config.json",
          class_checkpoint_corrupt, 150, 1500),
    Klass("downloads", "corrupt, dropped, mis-hashed, missing, killed downloads",
          class_downloads, 0, 0),
    Klass("outputs", "interrupted/colliding writes, killed processes (SIGINT/TERM/KILL)",
          class_outputs, 10, 40),
    Klass("cli", "bad recordings and weights through `eegpt embed`", class_cli, 0, 0),
    Klass("determinism", "repeated runs, another process (bit-identical on CPU)",
          class_determinism, 2, 10),
]  # fmt: skip


def run_class(name: str, n: int | None = None, *, quick: bool = True, seed: int = 0) -> Tally:
    """Run one class (``n`` cases; default: its quick or full size) in a temporary folder."""
    klass = next(k for k in CLASSES if k.name == name)
    size = n if n is not None else (klass.quick if quick else klass.full)
    with tempfile.TemporaryDirectory(prefix=f"eegpt-{name}-") as tmp:
        t0 = time.perf_counter()
        tally = klass.run(size, seed, Path(tmp))
        tally.seconds = time.perf_counter() - t0
    return tally


def _versions() -> str:
    import mne
    import scipy
    import torch

    import eegpt

    return (
        f"eegpt {eegpt.__version__}, Python {platform.python_version()}, "
        f"torch {torch.__version__}, "
        f"numpy {np.__version__}, scipy {scipy.__version__}, mne {mne.__version__}, "
        f"{platform.system()} {platform.machine()}"
    )


def table(results: dict[str, Tally], quick: bool) -> str:
    """The Markdown table of outcome counts (between the markers of RELIABILITY.md)."""
    lines = [
        f"Last run: {_dt.date.today().isoformat()}, {'quick' if quick else 'full'} sizes, "
        f"{_versions()}.",
        "",
        "| class | what is tried | cases | ok | warned | refused | bugs | time (s) "
        "| slowest case (s) |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    titles = {k.name: k.title for k in CLASSES}
    for name, t in results.items():
        c = t.counts
        lines.append(
            f"| `{name}` | {titles[name]} | {t.n} | {c['ok']} | {c['warned']} | {c['refused']} | "
            f"{t.n_bugs} | {t.seconds:.1f} | {t.slowest:.2f} |"
        )
    total = sum(t.n for t in results.values())
    bugs = sum(t.n_bugs for t in results.values())
    lines += ["", f"{total} cases, {bugs} bugs."]
    for name, t in results.items():
        for outcome, example in t.bugs.items():
            lines.append(f"- `{name}`: {outcome} (e.g. {example[:200]})")
    if STRUCTURAL_LOG:
        lines += ["", "<details><summary>Named recordings and their outcomes</summary>", ""]
        lines += [f"- {name}: **{outcome}**" for name, outcome in STRUCTURAL_LOG]
        lines += ["", "</details>"]
    if MALICIOUS_LOG:
        lines += ["", "<details><summary>Malicious checkpoints and their outcomes</summary>", ""]
        lines += [f"- {name}: **{outcome}**" for name, outcome in MALICIOUS_LOG]
        lines += ["", "</details>"]
    if DETERMINISM:
        d = DETERMINISM
        diffs = ", ".join(f"{b}: {v:.3g}" for b, v in d["batch_size_max_abs_diff"].items())
        lines += [
            "",
            f"Determinism (CPU): batch size vs. batch size 8, max abs difference ({diffs}; "
            f"embedding scale {d['scale']:.3g}); streamed = whole-file path: "
            f"{d['streamed_vs_whole_identical']}; file output = in-memory: "
            f"{d['file_vs_memory_identical']}.",
        ]
    return "\n".join(lines)


def memory_table(rows: list[dict[str, Any]]) -> str:
    lines = [
        f"Measured {_dt.date.today().isoformat()}, {_versions()}, 2 threads.",
        "",
        "| recording | model | path | EDF file (MiB) | output (MiB) | peak RSS (MiB) "
        "| baseline: imports + model (MiB) | time (s) |",
        "| --- | --- | --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    for r in rows:
        output = "in memory" if r["output_mib"] is None else f"{r['output_mib']:.0f}"
        lines.append(
            f"| {r['hours']:g} h x {r['channels']} ch, 250 Hz | {r['size']} | {r['mode']} | "
            f"{r['file_mib']:.0f} | {output} | {r['peak_rss_mib']:.0f} | "
            f"{r['baseline_rss_mib']:.0f} | {r['seconds']:.0f} |"
        )
    return "\n".join(lines)


def gpu_table(r: dict[str, Any]) -> str:
    """Markdown for the JSON that ``--gpu`` prints."""
    lines = [
        f"Measured on {r['device']} with torch {r['torch']}, the large architecture (random "
        f"weights), {r['windows']} windows of 4 channels; relative difference = max |a - b| / "
        "max |b|. Reproduce with `python scripts/reliability.py --gpu` on a GPU machine, then "
        "`--gpu-report FILE` to write this section.",
        "",
        "| GPU setting | repeated run bit-identical | vs CPU float32 | batch 1 vs 64 "
        "| batch 7 vs 64 |",
        "| --- | --- | ---: | ---: | ---: |",
    ]
    for name in ("default engine", "eager (no graphs, no compile)", "bfloat16", "float16"):
        d = r[name]
        lines.append(
            f"| {name if name in ('bfloat16', 'float16') else name + ', float32'} | "
            f"{'yes' if d['repeat_bit_identical'] else 'no'} | {d['rel_vs_cpu']:.2g} | "
            f"{_num(d.get('rel_batch_1_vs_64'))} | {_num(d.get('rel_batch_7_vs_64'))} |"
        )
    lines += [
        "",
        f"CPU for comparison: batch 1 vs 64 {r['cpu_batch_1_vs_64']:.2g}, batch 7 vs 64 "
        f"{r['cpu_batch_7_vs_64']:.2g}.",
        "",
        "Documented tolerance: on one GPU, the same input, checkpoint, precision and batch size "
        "give bit-identical embeddings run after run; GPU float32 agrees with CPU float32 within "
        "1e-5 relative, bfloat16 and float16 within 2e-2. A different batch size changes the "
        "last bits on either device (matrix kernels are chosen by shape).",
    ]
    return "\n".join(lines)


def _num(value: float | None) -> str:
    return "–" if value is None else f"{value:.2g}"


def _write_section(begin: str, end: str, body: str) -> None:
    """Replace one generated section of RELIABILITY.md (read just now, not at start-up)."""
    text = REPORT.read_text() if REPORT.exists() else "# Reliability\n"
    REPORT.write_text(_replace_between(text, begin, end, body))


def _replace_between(text: str, begin: str, end: str, body: str) -> str:
    if begin not in text or end not in text:
        return text.rstrip() + f"\n\n{begin}\n{body}\n{end}\n"
    head, rest = text.split(begin, 1)
    _, tail = rest.split(end, 1)
    return f"{head}{begin}\n{body}\n{end}{tail}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--quick", action="store_true", help="the small sizes CI runs")
    parser.add_argument(
        "--only", nargs="+", choices=[k.name for k in CLASSES], help="classes to run"
    )
    parser.add_argument("--cases", type=int, help="cases per class (instead of its size)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--no-write", action="store_true", help="print, do not rewrite RELIABILITY.md"
    )
    parser.add_argument("--memory", action="store_true", help="also measure peak RSS (slow)")
    parser.add_argument("--memory-only", action="store_true", help="only measure peak RSS")
    parser.add_argument(
        "--gpu", action="store_true", help="only compare CUDA with CPU (needs a GPU); prints JSON"
    )
    parser.add_argument("--gpu-report", type=Path, help="write the GPU section from --gpu's JSON")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.ERROR)
    if args.gpu:
        with tempfile.TemporaryDirectory(prefix="eegpt-gpu-") as tmp:
            print(json.dumps(gpu_determinism(Path(tmp)), indent=1))
        return 0
    if args.gpu_report:
        text = gpu_table(json.loads(args.gpu_report.read_text()))
        _write_section(GPU_BEGIN, GPU_END, text)
        print(text)
        return 0
    bugs = 0
    if not args.memory_only:
        results: dict[str, Tally] = {}
        for klass in CLASSES:
            if args.only and klass.name not in args.only:
                continue
            tally = run_class(klass.name, args.cases, quick=args.quick, seed=args.seed)
            results[klass.name] = tally
            bugs += tally.n_bugs
            print(
                f"{klass.name}: {tally.n} cases {dict(tally.counts)} in {tally.seconds:.1f} s",
                flush=True,
            )
        text = table(results, args.quick)
        print(text)
        partial = args.quick or args.only or args.cases is not None
        if partial and not args.no_write:
            print("(not written to RELIABILITY.md: only a full run of every class rewrites it)")
        elif not args.no_write:
            _write_section(TABLE_BEGIN, TABLE_END, text)
    if args.memory or args.memory_only:
        rows = []
        with tempfile.TemporaryDirectory(prefix="eegpt-memory-") as tmp:
            for hours, channels, size, mode in [
                (10, 64, "small", "file"),
                (10, 64, "small", "stream"),
                (1, 64, "small", "whole"),
                (2, 64, "small", "whole"),
                (1, 64, "large", "file"),
            ]:
                row = measure_memory(
                    Path(tmp), hours=hours, channels=channels, size=size, mode=mode
                )
                rows.append(row)
                print(row, flush=True)
        if not args.no_write:
            _write_section(MEMORY_BEGIN, MEMORY_END, memory_table(rows))
    return 1 if bugs else 0


if __name__ == "__main__":
    sys.exit(main())
