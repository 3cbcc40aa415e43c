"""The stored form of a :class:`~eegpt.preprocessing.PreprocessingConfig`, as data.

A probe.json, a corpus run's spec and an output's metadata record the preprocessing as a dict
(:meth:`~eegpt.preprocessing.PreprocessingConfig.to_dict`). What such a dict means by a field
it lacks (:data:`STORED_DEFAULTS`, :func:`stored_defaults`) and the line ``eegpt info`` shows
of it (:func:`describe`) live here: this module imports neither SciPy nor MNE (nor NumPy), so
``eegpt info RUN_FOLDER`` and the comparison of a resumed run's settings stay light.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, fields
from fractions import Fraction
from typing import Any, Literal

__all__ = [
    "FIELD_DEFAULTS",
    "RESAMPLE_REVISION",
    "STORED_DEFAULTS",
    "describe",
    "on_a_sample",
    "resampled_by_an_older_eegpt",
    "resampled_by_polyphase",
    "stored_defaults",
]

PRETRAINING_SCALE = 1e3  # model units per volt in pretraining: millivolts

#: How far (in samples) ``seconds * sfreq`` may miss a whole number and still be one: float
#: rounding of decimal seconds (0.1 s at 250 Hz is 25.000000000000004 samples). Absolute, not
#: relative to the count: a day at 256 Hz is 2.2e7 samples, which float64 holds to ~1e-8
#: samples, so 3000.001 s (768000.256 samples) is refused rather than taken as 3000 s.
SAMPLE_TOLERANCE = 1e-6


def on_a_sample(seconds: float, sfreq: float) -> float:
    """A first window's start of ``seconds`` (from the first sample) where the windows start:
    at the nearest sample at ``sfreq`` (Hz), the rate windows are cut at (17.30078125 for 17.3
    at 256 Hz); ``seconds`` itself where it is on one (within :data:`SAMPLE_TOLERANCE` of a
    sample). Two starts of the same value here cut the same windows. No warning:
    :func:`eegpt.preprocessing.start_on_grid` says where a recording's start moves."""
    n = seconds * sfreq
    rounded = round(n)
    return seconds if abs(n - rounded) <= SAMPLE_TOLERANCE else rounded / sfreq


def seconds_text(seconds: float) -> str:
    """``seconds`` as the messages write a window's start: to 15 significant digits
    (``17.3``, ``17``, ``17.30078125``), so that a start on a sample is written exactly as its
    windows' onsets hold it (a multiple of 1/256 s needs up to 8 decimals: ``3600.30078125``,
    which ``:.10g`` wrote as ``3600.300781``; exactly below a million s), while the last
    bits of arithmetic (an annotation's onset of ``30.000000000000004``) are not shown."""
    return f"{seconds:.15g}"


#: The fraction of a window annotations must cover to label it (``min_overlap`` of
#: :func:`eegpt.annotations.window_labels`, ``--min-overlap``) by default: half. Defined here,
#: in a module that imports no MNE, and re-exported by :mod:`eegpt.annotations`, so that the
#: outputs and probes that default to it stay light to import.
DEFAULT_MIN_OVERLAP = 0.5


@dataclass(frozen=True)
class PreprocessingFields:
    """The fields of :class:`~eegpt.preprocessing.PreprocessingConfig`, in order, with their
    defaults: declared once, here, without NumPy, SciPy or MNE. PreprocessingConfig subclasses
    it (adding its checks and methods, and documenting the fields); its
    :data:`FIELD_DEFAULTS` are read from it. Use PreprocessingConfig itself: this class holds
    no checks."""

    sfreq: float = 256.0
    window_seconds: float = 4.0
    overlap: float = 0.0
    resample: Literal["polyphase", "nearest"] = "polyphase"
    average_reference: bool = True
    scale: float = PRETRAINING_SCALE
    tail: Literal["pad", "drop"] = "drop"
    detrend: Literal["none", "constant", "linear"] = "none"
    start_seconds: float = 0.0
    crop_tmin: float | None = None


#: Every field of :class:`~eegpt.preprocessing.PreprocessingConfig` with its default, in field
#: order (read from :class:`PreprocessingFields`, which declares them).
FIELD_DEFAULTS: dict[str, Any] = {f.name: f.default for f in fields(PreprocessingFields)}

# What a stored preprocessing dict (a probe.json, a corpus run's spec, an output's metadata)
# means by a field it lacks, where that differs from today's default. average_reference was
# off by default until eegpt turned it on (as in pretraining); to_dict has always recorded it,
# but a dict without it was written, or meant, with the old default: it stays off.
STORED_DEFAULTS: dict[str, Any] = {"average_reference": False}


#: The revision of eegpt's polyphase resampler (``resample="polyphase"``), recorded beside the
#: preprocessing (``resample_revision`` in an output's metadata and a corpus run's settings;
#: not in the preprocessing dict, which an older eegpt's ``from_dict`` would refuse): 2 since
#: 2026-12-03 (commit 7eb0cb7: each channel's least-squares line is taken out before resampling
#: and added back after; before, its mean, then for an hour its end-to-end line, 4b83ad5).
#: Raise it whenever the resampler's numbers change. Only recordings resampled (their rate not
#: the model's 256 Hz) are affected.
RESAMPLE_REVISION = 2

#: What changed with :data:`RESAMPLE_REVISION` 2 (and the ratio of odd rates, 2026-12-05), for
#: the messages about outputs of before.
RESAMPLER_CHANGE = (
    "eegpt's polyphase resampler changed on 2026-12-03 (commits 4b83ad5 and 7eb0cb7: each "
    "channel's least-squares line, not its mean, is taken out before resampling), which moves "
    "the embeddings of a resampled recording by about 2e-4 to 3e-3 relative, and on "
    "2026-12-05 for odd amplifier rates such as 1017.25, 512.5, 25000 or 30000 Hz (382f1a9: "
    "the exact ratio of the rates, where a ratio of smaller numbers drifted by up to 384 ms "
    "an hour)"
)


def resampled_by_polyphase(record: Mapping[str, Any]) -> bool:
    """Whether an output's metadata (an ``eegpt embed`` file's) say its recording was resampled
    by eegpt's polyphase resampler: ``resample="polyphase"`` and ``sfreq_in`` other than the
    preprocessing's ``sfreq`` (the numbers of :data:`RESAMPLE_REVISION` are in it)."""
    pre = record.get("preprocessing")
    rate = record.get("sfreq_in")
    if not isinstance(pre, Mapping) or pre.get("resample", "polyphase") != "polyphase":
        return False
    return isinstance(rate, (int, float)) and float(rate) != float(pre.get("sfreq", 256.0))


def resampled_by_an_older_eegpt(record: Mapping[str, Any]) -> bool:
    """Whether an output's metadata (an ``eegpt embed`` file's) say its recording was
    resampled by polyphase (``sfreq_in`` not the preprocessing's ``sfreq``) with another
    resampler revision than this eegpt's (:data:`RESAMPLE_REVISION`). An output that records
    none (written before 2026-12-06) is taken as of the resampler before 2026-12-03 unless it
    records one of :data:`_WRITTEN_SINCE_THE_CHANGE`, written only by eegpt since 2026-12-04
    (after the change); such an output is still of an older resampler where the polyphase
    ratio of its rate changed on 2026-12-05 (odd amplifier rates such as 1017.25 Hz:
    :func:`_ratio_changed_on_2026_12_05`), unless its recorded warnings tell that it was
    resampled by today's ratio (:func:`_warned_ratio`): written from 2026-12-05 19:21 on.
    """
    if not resampled_by_polyphase(record):
        return False  # not resampled: no resampler's numbers in it
    pre, rate = record["preprocessing"], float(record["sfreq_in"])
    if "resample_revision" in record:
        return bool(record["resample_revision"] != RESAMPLE_REVISION)
    if not any(key in record for key in _WRITTEN_SINCE_THE_CHANGE):
        return True
    new_sfreq = float(pre.get("sfreq", 256.0))
    if not _ratio_changed_on_2026_12_05(rate, new_sfreq):
        return False
    return _warned_ratio(record, rate, new_sfreq) != _ratio_now(rate, new_sfreq)


#: The warning eegpt gives where its polyphase ratio only approximates the rates' (before
#: 2026-12-05 ``{sfreq:g}`` Hz and always, since then ``{sfreq:.10g}`` of the rate taken and
#: only beyond :data:`eegpt._rates.MAX_POLYPHASE_FACTOR`), naming the ratio it used.
_RATIO_WARNING = re.compile(
    r"resampling ([0-9.e+]+) Hz -> ([0-9.e+]+) Hz uses the ratio ([0-9]+)/([0-9]+)"
)


def _warned_ratio(record: Mapping[str, Any], sfreq: float, new_sfreq: float) -> Fraction | None:
    """The polyphase ratio (up/down) that an ``eegpt embed`` output of a recording at ``sfreq``
    Hz, resampled to ``new_sfreq`` Hz, was made with, as its recorded warnings tell it: the
    ratio its warning of an approximate ratio names (:data:`_RATIO_WARNING`), else today's
    (:func:`_ratio_now`) where the output kept every warning given about its recording
    (``metadata["warnings"]``, since 2026-12-04 11:19, fewer than
    :data:`eegpt.api.MAX_RECORDED_WARNINGS`) and the eegpt of before 2026-12-05 19:21 (commit
    382f1a9) would have warned: its ratio, the rates' with a denominator of at most 1000, was
    approximate. None where they cannot tell: no warnings kept, as many as are kept (the
    first ones: the ratio's may be cut), or a recording of a corpus run (``recording_id``:
    the warnings its run kept, the first few)."""
    warnings = record.get("warnings")
    if not isinstance(warnings, list) or "recording_id" in record:
        return None
    for text in warnings:
        found = _RATIO_WARNING.search(str(text))
        if found is None:
            continue
        rate, to, up, down = found.groups()
        try:
            same = math.isclose(float(rate), sfreq, rel_tol=1e-5) and float(to) == new_sfreq
        except ValueError:
            continue
        if same and int(down) > 0:
            return Fraction(int(up), int(down))
    if len(warnings) >= _MAX_RECORDED_WARNINGS:
        return None
    before = (Fraction(new_sfreq) / Fraction(sfreq)).limit_denominator(1000)
    effective = sfreq * before.numerator / before.denominator
    if abs(effective - new_sfreq) / new_sfreq > 1e-9:  # warned of before 2026-12-05 19:21
        return _ratio_now(sfreq, new_sfreq)
    return None


#: :data:`eegpt.api.MAX_RECORDED_WARNINGS`, which this module does not import (it stays light).
_MAX_RECORDED_WARNINGS = 20


def _ratio_now(sfreq: float, new_sfreq: float) -> Fraction:
    """The polyphase ratio (up/down) this eegpt resamples ``sfreq`` to ``new_sfreq`` Hz by
    (:func:`eegpt.resampling.polyphase_ratio`)."""
    from eegpt._rates import MAX_POLYPHASE_FACTOR, closest_ratio, taken_rate

    return closest_ratio(Fraction(new_sfreq) / Fraction(taken_rate(sfreq)), MAX_POLYPHASE_FACTOR)


#: Metadata keys that only an eegpt of after the resampler's change of 2026-12-03 wrote, which
#: tell its outputs of before ``resample_revision`` was recorded (2026-12-06) apart from the
#: earlier resampler's: ``recording_filters`` (since 2026-12-04 05:44, only of recordings that
#: know their filters: files and MNE objects, not arrays) and ``software`` (since 2026-12-04
#: 23:01, every output of embed). Not ``warnings`` (since 2026-12-04 11:19): a recording that
#: load_embeddings reads from a run folder has it whatever that run's age. An output of
#: 2026-12-03 17:09 to 2026-12-04 23:01 with neither (an array) cannot be told apart and is
#: taken as of the earlier resampler.
_WRITTEN_SINCE_THE_CHANGE = ("recording_filters", "software")


def _ratio_changed_on_2026_12_05(sfreq: float, new_sfreq: float) -> bool:
    """Whether eegpt resampled ``sfreq`` to ``new_sfreq`` Hz by another polyphase ratio before
    2026-12-05 (commit 382f1a9, not in :data:`RESAMPLE_REVISION`, recorded only since
    2026-12-06) than now: the ratio of the rates as given, its denominator at most 1000
    (1017.25 Hz by 38/151), against today's exact ratio of the rate taken
    (:func:`eegpt.resampling.polyphase_ratio`: 1024/4069)."""
    before = (Fraction(new_sfreq) / Fraction(sfreq)).limit_denominator(1000)
    return before != _ratio_now(sfreq, new_sfreq)


def stored_defaults() -> dict[str, Any]:
    """Every field of a :class:`~eegpt.preprocessing.PreprocessingConfig` with the value a
    stored dict that lacks it stands for (:data:`STORED_DEFAULTS`, else the default)."""
    return {**FIELD_DEFAULTS, **STORED_DEFAULTS}


def describe(d: Mapping[str, Any]) -> str:
    """The ``eegpt info`` line of a stored
    :meth:`~eegpt.preprocessing.PreprocessingConfig.to_dict` (of an embeddings file, a corpus
    folder or a probe): every setting as ``name value``. ``average_reference`` is always
    shown: a dict without it (written before it was recorded) reads as off
    (:data:`STORED_DEFAULTS`), which keeps the recorded reference, unlike today's default.
    A ``scale`` other than :data:`PRETRAINING_SCALE` is a correction of the samples as read
    (``--rescale``, which is stored folded into it; arrays are in volts by then, whatever
    their ``units``): it is named, ``scale 500.0 (volts to millivolts, 1000, times 0.5: --rescale or
    a scale given)``; :data:`PRETRAINING_SCALE` itself is said to be the factor that takes volts
    to millivolts, which a bare ``scale 1000.0`` did not say."""
    # crop_tmin None (epochs not cropped, continuous recordings): not shown
    shown = {k: f"{v}" for k, v in d.items() if not (k == "crop_tmin" and v is None)}
    scale = d.get("scale")
    if (
        isinstance(scale, (int, float))
        and not isinstance(scale, bool)
        and scale > 0
        and scale != PRETRAINING_SCALE
    ):
        shown["scale"] += (
            f" (volts to millivolts, {PRETRAINING_SCALE:g}, times "
            f"{scale / PRETRAINING_SCALE:.6g}: --rescale or a scale given)"
        )
    elif scale == PRETRAINING_SCALE:
        shown["scale"] += " (the factor the signal in volts is multiplied by: volts to millivolts)"
    if "average_reference" not in d:
        shown["average_reference"] = (
            f"{STORED_DEFAULTS['average_reference']} (not recorded: an older file)"
        )
    return "  preprocessing: " + ", ".join(f"{k} {v}" for k, v in shown.items())
