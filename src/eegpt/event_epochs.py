"""Epochs cut around the annotations of a continuous recording (``--epochs-around``).

An ERP study's trials are epochs time-locked to its stimuli. Where a recording keeps them
as annotations (BrainVision's ``Stimulus/S  1`` markers, EDF+ annotations, FIF annotations;
a stim channel's events once ``--events-from-stim`` made them annotations), the command line
cuts the epochs itself, as MNE would: each annotation whose description matches one of
the patterns (:class:`EpochsAround`) is one event (:func:`mne.events_from_annotations`), and
:class:`mne.Epochs` cuts ``[tmin, tmin + window)`` seconds around it (``tmax = tmin + window
- 1 / sfreq``, MNE's ``tmax`` being inclusive), ``baseline`` as given (none by default). The
epochs then go the way an ``-epo.fif`` file of the same epochs goes: one window each, named
by its event (the description, or the ``NAME`` of ``NAME=REGEX``), its onset the event's time
plus ``tmin``, its baseline recorded (:func:`eegpt.mne_inputs.epochs_baseline`).

What MNE decides is kept: events too close to the recording's start or end for a whole
epoch are dropped (counted and said, a warning), epochs may overlap, and with
``reject_by_annotation`` those over an annotation marked bad (``BAD_...``) are dropped
(counted, logged); without it they are kept and flagged as an epochs file's are.
"""

from __future__ import annotations

import os
import re
import shlex
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from eegpt._logging import few
from eegpt._logging import log as _log
from eegpt._logging import warn as _warn
from eegpt.errors import RecordingError

if TYPE_CHECKING:
    import mne

    from eegpt.stim_events import StimEvents

__all__ = [
    "EpochsAround",
    "EpochsCut",
    "current_cut",
    "cutting",
    "add_stim_annotations",
    "baseline_of",
    "cut_epochs",
    "parse_epochs_around",
    "read_epochs_around",
]

#: ``NAME=REGEX``: a named class of ``--epochs-around`` (a name holds no regex syntax), as
#: ``--window-labels`` and ``--marker-spans`` read theirs.
_NAMED_FORM = re.compile(r"([^=\\^$.|?*+()\[\]{}]+)=(.*)", re.DOTALL)

#: MNE's reasons in ``epochs.drop_log`` for an epoch that would reach past the data's start
#: (``NO_DATA``) or end (``TOO_SHORT``).
_AT_THE_ENDS = frozenset({"NO_DATA", "TOO_SHORT"})


@dataclass(frozen=True)
class EpochsAround:
    """Which annotations epochs are cut around, and how (:func:`cut_epochs`).

    Attributes
    ----------
    patterns : tuple of (str | None, str)
        ``(NAME, REGEX)`` pairs, in the order given: an annotation whose description matches
        REGEX (``re.search``) is an event, labelled NAME, or by its own description where
        NAME is None; a description takes the first pair it matches.
    tmin : float
        Start of each epoch relative to its event, in seconds (``--crop TMIN``; 0 by
        default): epochs span ``[tmin, tmin + window)``.
    baseline : tuple of (float | None, float | None) | None
        ``mne.Epochs``' ``baseline`` (``--baseline A B``, seconds relative to the event;
        None for an open end), or None for no baseline correction (the default).
    """

    patterns: tuple[tuple[str | None, str], ...]
    tmin: float = 0.0
    baseline: tuple[float | None, float | None] | None = None

    def __post_init__(self) -> None:
        if not self.patterns:
            raise ValueError("epochs_around needs at least one pattern (--epochs-around REGEX)")
        for name, regex in self.patterns:
            _compiled(regex, regex if name is None else f"{name}={regex}")

    def label_of(self, description: str) -> str | None:
        """The label of an annotation described so: the NAME of the first pattern it
        matches, or the description itself for a pattern without one; None if none
        matches."""
        for name, regex in self.patterns:
            if re.search(regex, description):
                return description if name is None else name
        return None

    def record(self) -> dict[str, Any]:
        """The setting as JSON holds it, for the provenance (``metadata["epochs_around"]``,
        a probe's ``training["epochs_around"]``)."""
        return {
            "patterns": [[name, regex] for name, regex in self.patterns],
            "tmin": float(self.tmin),
            "baseline": None if self.baseline is None else list(self.baseline),
        }

    @classmethod
    def from_record(cls, record: Any) -> EpochsAround:
        """The setting :meth:`record` wrote."""
        baseline = record.get("baseline")
        return cls(
            tuple((None if n is None else str(n), str(r)) for n, r in record["patterns"]),
            float(record.get("tmin", 0.0)),
            None if baseline is None else (baseline[0], baseline[1]),
        )

    def options(self, baseline: bool = True) -> str:
        """The command-line options that give the patterns and (with ``baseline``) the
        baseline; not ``--crop``."""
        text = " ".join(
            "--epochs-around " + shlex.quote(regex if name is None else f"{name}={regex}")
            for name, regex in self.patterns
        )
        if baseline and self.baseline is not None:
            ends = ["None" if t is None else f"{t:g}" for t in self.baseline]
            text += f" --baseline {ends[0]} {ends[1]}"
        return text


def _compiled(regex: str, value: str) -> None:
    try:
        re.compile(regex)
    except re.error as err:
        raise ValueError(f"--epochs-around {value!r}: not a regular expression ({err})") from None


def parse_epochs_around(values: Sequence[str]) -> tuple[tuple[str | None, str], ...]:
    """``--epochs-around`` values (each ``REGEX``, or ``NAME=REGEX`` to name the class of the
    annotations it matches; a lone REGEX holding ``=`` is read as NAME=REGEX where what
    precedes ``=`` holds no regex syntax) as :attr:`EpochsAround.patterns`."""
    patterns: list[tuple[str | None, str]] = []
    for value in values:
        form = _NAMED_FORM.fullmatch(value)
        if form is not None and form[1].strip():
            name, regex = form[1].strip(), form[2]
            if not regex:
                raise ValueError(f"--epochs-around {value!r}: give the class's REGEX after '='")
            patterns.append((name, regex))
        else:
            if not value:
                raise ValueError("--epochs-around '': give the REGEX of the events' annotations")
            patterns.append((None, value))
        _compiled(patterns[-1][1], value)
    return tuple(patterns)


def baseline_of(values: Sequence[str] | None) -> tuple[float | None, float | None] | None:
    """``--baseline A B`` (seconds relative to the event; ``None`` for an open end, as
    ``mne.Epochs(baseline=(None, 0))``) as ``mne.Epochs``' ``baseline``, or None without."""
    if values is None:
        return None
    ends: list[float | None] = []
    for text in values:
        if text.strip().lower() == "none":
            ends.append(None)
            continue
        try:
            ends.append(float(text.strip().removesuffix("s")))
        except ValueError:
            raise ValueError(
                f"--baseline {' '.join(values)}: {text!r} is not seconds; give the start and "
                "end of the baseline relative to the event, e.g. --baseline -0.2 0 (None for "
                "an open end: --baseline None 0)"
            ) from None
    return ends[0], ends[1]


def cut_epochs(
    raw: mne.io.BaseRaw,
    around: EpochsAround,
    window_seconds: float,
    *,
    reject_by_annotation: bool = False,
    source: str = "<Raw>",
    verbose: Any = None,
) -> mne.Epochs:
    """The epochs of ``raw`` around the annotations ``around`` matches, each
    ``window_seconds`` long from ``around.tmin`` (module docstring), loaded, with the event
    names of their labels (``epochs.event_id``).

    A pattern that matches descriptions loosely (``1`` matching ``11`` too, which a class of
    a later pattern may be meant for; plain text matching several descriptions in one class)
    is warned of, as ``--window-labels``' are
    (:func:`eegpt.annotation_labels.warn_loose_patterns`).

    Raises
    ------
    RecordingError
        Where no annotation matches (naming the descriptions there are), two matching
        annotations fall on one sample, the baseline lies outside the epochs, or no epoch is
        left (all too close to the ends, or over bad annotations).
    """
    import mne
    import numpy as np

    from eegpt.annotation_labels import warn_loose_patterns
    from eegpt.mne_inputs import date_clock

    sfreq = float(raw.info["sfreq"])
    descriptions = [str(d) for d in raw.annotations.description]
    for name, regex in around.patterns:  # '1' taking the '11' of a class after it, as
        # --window-labels and --marker-spans warn of them
        warn_loose_patterns(
            descriptions, regex if name is None else {name: regex}, "--epochs-around"
        )
    labels = {d: around.label_of(d) for d in dict.fromkeys(descriptions)}
    matched = {d: label for d, label in labels.items() if label is not None}
    given = around.options(baseline=False)
    if not matched:
        there = few(sorted(labels), 8) if labels else "none"
        raise RecordingError(
            f"{source}: no annotation matches {given} (its annotations: {there}); give the "
            "regex of the events' descriptions (re.search: 'Stimulus/S  1' for BrainVision's "
            "stimulus 1, '^target$'), or --events-from-stim to make a stim channel's events "
            "annotations first"
        )
    codes = {label: k + 1 for k, label in enumerate(sorted(set(matched.values())))}
    events, _ = mne.events_from_annotations(
        raw, event_id={d: codes[label] for d, label in matched.items()}, verbose=False
    )
    if len(events) == 0:  # every matching annotation outside the data
        raise RecordingError(f"{source}: no annotation matching {given} lies in the recording")
    samples, counts = np.unique(events[:, 0], return_counts=True)
    if (counts > 1).any():
        at = samples[counts > 1][0]
        raise RecordingError(
            f"{source}: {int((counts > 1).sum())} sample(s) hold two annotations matching "
            f"{given} (the first at {(at - raw.first_samp) / sfreq:g} s): one event per "
            "epoch; narrow the patterns so that one of them matches"
        )
    tmin = float(around.tmin)
    tmax = tmin + float(window_seconds) - 1.0 / sfreq
    epochs_verbose = "error"  # what MNE would log is said here, once
    try:
        epochs = mne.Epochs(
            raw, events, event_id=codes, tmin=tmin, tmax=tmax, baseline=around.baseline,
            preload=True, reject_by_annotation=reject_by_annotation, on_missing="ignore",
            verbose=epochs_verbose,
        )  # fmt: skip
    except ValueError as err:
        if around.baseline is None:
            raise
        raise RecordingError(
            f"{source}: --baseline {around.baseline}: {err}; the baseline must lie within "
            f"the epochs, [{tmin:g}, {tmin + window_seconds:g}) s around each event "
            "(--crop TMIN and --window)"
        ) from None
    drop_log = epochs.drop_log
    edge = sum(1 for reasons in drop_log if _AT_THE_ENDS.intersection(reasons))
    bad = sum(1 for reasons in drop_log if reasons and not _AT_THE_ENDS.intersection(reasons))
    if edge:
        _warn(
            f"{source}: {edge} of {len(events)} events matching {given} lie too close to "
            f"the recording's start or end for an epoch of [{tmin:g}, {tmin + window_seconds:g}) "
            "s around them: left out (as mne.Epochs drops them)"
        )
    if bad:
        _log(
            f"{source}: {bad} of {len(events)} epochs over bad annotations left out "
            "(--reject-by-annotation, as mne.Epochs(reject_by_annotation=True) drops them)",
            verbose,
        )
    if len(epochs) == 0:
        raise RecordingError(
            f"{source}: no epoch left of the {len(events)} events matching {given} "
            f"({edge} too close to the ends, {bad} over bad annotations)"
        )
    _log(
        f"{source}: {len(epochs)} epochs of [{tmin:g}, {tmin + window_seconds:g}) s around "
        f"the annotations matching {given}"
        + ("" if around.baseline is None else f", baseline {around.baseline}"),
        verbose,
    )
    # the clock of the recording's date, which epochs cut in memory do not tell themselves
    epochs._eegpt_date_clock = date_clock(raw)
    return epochs


def add_stim_annotations(raw: mne.io.BaseRaw, stim: StimEvents, source: str) -> None:
    """Join the events of ``raw``'s stim channel (``stim``) to its annotations, in place, in
    the time base MNE keeps them in (seconds from the acquisition start)."""
    import numpy as np

    from eegpt._rates import nominal_rate
    from eegpt.stim_events import stim_annotations

    made = stim_annotations(raw, stim, source)  # from the first sample, at the nominal rate
    if not len(made):
        return
    onset = np.asarray(made.onset, dtype=np.float64)
    sfreq = float(raw.info["sfreq"])
    nominal = nominal_rate(sfreq)
    if nominal is not None:  # back to MNE's seconds at the rate it reads
        onset = onset * nominal / sfreq
    raw.annotations.append(onset + raw.first_time, made.duration, made.description)


def read_epochs_around(
    path: str | os.PathLike[str],
    around: EpochsAround,
    window_seconds: float,
    *,
    reject_by_annotation: bool = False,
    stim: StimEvents | None = None,
    verbose: Any = None,
    exclude: Sequence[str] = (),
) -> mne.Epochs:
    """The continuous recording at ``path`` (read as ``eegpt embed`` reads it:
    :func:`eegpt.recording_files.open_recording`, ``exclude`` not read), its stim channel's
    events made annotations first where ``stim`` says so, cut by :func:`cut_epochs`."""
    from eegpt.recording_files import open_recording

    raw, _ = open_recording(Path(path), preload=True, verbose=verbose, exclude=exclude)
    if stim is not None:
        add_stim_annotations(raw, stim, str(path))
    return cut_epochs(
        raw, around, window_seconds, reject_by_annotation=reject_by_annotation,
        source=str(path), verbose=verbose,
    )  # fmt: skip


@dataclass
class EpochsCut:
    """What a probe command cuts its continuous inputs into (``--epochs-around``), within
    :func:`cutting`: while ``around`` is set, continuous recordings are inputs of epochs
    (:func:`eegpt.continuous_windows.is_continuous_input` says they are not continuous) and
    each is read as the epochs of :meth:`read`. Mutable: ``probe predict`` and ``evaluate``
    adopt the probe's training setting once the probe is loaded.

    Attributes
    ----------
    around : EpochsAround | None
        The patterns and baseline (its ``tmin`` is taken from the command's crop when a file
        is read); None: no epochs are cut.
    reject_by_annotation : bool
        Leave out the epochs over bad annotations (MNE's ``reject_by_annotation``).
    stim : StimEvents | None
        The stim channel's events made annotations first (``--events-from-stim``).
    adopted : bool
        Whether ``around`` is the probe's training setting, not given on the command line.
    """

    around: EpochsAround | None = None
    reject_by_annotation: bool = True
    stim: StimEvents | None = None
    adopted: bool = False

    def read(
        self,
        path: str | os.PathLike[str],
        window_seconds: float,
        tmin: float | None,
        verbose: Any = None,
    ) -> mne.Epochs:
        """The epochs of the continuous recording at ``path`` (:func:`read_epochs_around`),
        ``window_seconds`` long from ``tmin`` (the crop; 0 when None)."""
        if self.around is None:
            raise ValueError("no --epochs-around given to cut epochs by")
        around = replace(self.around, tmin=0.0 if tmin is None else float(tmin))
        return read_epochs_around(
            path, around, window_seconds, reject_by_annotation=self.reject_by_annotation,
            stim=self.stim, verbose=verbose,
        )  # fmt: skip

    def record(self, tmin: float | None) -> dict[str, Any]:
        """The setting as a probe records it (``training["epochs_around"]``): that of
        :meth:`EpochsAround.record`, its ``tmin`` the crop, with ``events_from_stim`` where
        a stim channel's events were made annotations."""
        if self.around is None:
            return {}
        record = replace(self.around, tmin=0.0 if tmin is None else float(tmin)).record()
        if self.stim is not None:
            record["events_from_stim"] = self.stim.record()
        return record


_CUTTING: ContextVar[EpochsCut | None] = ContextVar("eegpt_epochs_cut", default=None)


def current_cut() -> EpochsCut | None:
    """The :class:`EpochsCut` of the command running (:func:`cutting`), or None where it cuts
    no epochs of continuous recordings."""
    cut = _CUTTING.get()
    return cut if cut is not None and cut.around is not None else None


@contextmanager
def cutting(cut: EpochsCut) -> Iterator[EpochsCut]:
    """Within it, continuous inputs of the probe commands are cut into epochs as ``cut``
    says (:func:`current_cut`)."""
    token = _CUTTING.set(cut)
    try:
        yield cut
    finally:
        _CUTTING.reset(token)
