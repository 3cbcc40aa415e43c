"""Label files and window labelling for ``eegpt probe``: the labelled epochs its commands read.

Input files (epochs files, ``.npz`` arrays, continuous recordings) are read as labelled epochs
by :func:`load_labelled_epochs`; their labels come from the epochs' events, from a ``--labels``
CSV file (:func:`_read_label_rows`, matched to the inputs' epochs or windows by
:func:`_align_label_rows`, :func:`_match_row_files`, :func:`_rows_of_inputs`, recorded by
:func:`labels_file_record`), or, for a continuous recording, from its annotations
(``--window-labels``: :class:`WindowLabelling`, :func:`parse_window_labels`,
:func:`_labelled_windows`). Also a recording's time base (:func:`time_base_of`) and which inputs
are continuous recordings (:func:`_is_continuous_input`). The command line itself is
:mod:`eegpt.probe_cli`.
"""

from __future__ import annotations

import csv
import dataclasses
import io
import os
import re
import shlex
import sys
import warnings
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, cast

import numpy as np

from eegpt._filenames import same_recording as _same_recording
from eegpt._filenames import user_path
from eegpt._unused_bads import unused_bads_quiet
from eegpt.cli_options import START_FROM_ANNOTATIONS
from eegpt.errors import EEGPTUserWarning, MissingFileError
from eegpt.preprocessing_spec import DEFAULT_MIN_OVERLAP
from eegpt.rename_tables import Rename
from eegpt.text_tables import table_text

if TYPE_CHECKING:  # eegpt.io imports MNE: not on loading
    from eegpt.io import Units


@dataclasses.dataclass(frozen=True)
class WindowLabelling:
    """How ``--window-labels`` labels a continuous recording: consecutive windows of
    ``window_seconds`` from its first sample, each labelled by the annotation description
    matching ``match`` (a regular expression) that covers at least half of it, else
    ``unlabelled`` (None: such windows are left out). Windows over bad annotations
    (``BAD_...``) are left out either way. ``match`` is a regular expression (each matching
    description a class of its own) or classes ``{label: regex}`` that merge descriptions
    (:func:`eegpt.annotations.window_labels`)."""

    match: str | dict[str, str] | None
    window_seconds: float
    unlabelled: str | None = None
    #: (recording path, annotations file) pairs: annotations kept apart from a recording
    #: (``--annotations``, e.g. Sleep-EDF's hypnograms), joined to its own
    extra: tuple[tuple[str, str], ...] = ()
    #: the first window's onset in seconds from a recording's first sample (``--start``), or
    #: ``"annotations"``: each recording's first labelling annotation's (:meth:`start_of`)
    start_seconds: float | str = 0.0
    #: (recording path, start in s or ``"annotations"``) pairs: one ``--start`` per recording
    starts: tuple[tuple[str, float | str], ...] = ()
    #: the starts taken, recording path -> seconds (filled as the recordings are cut)
    taken: dict[str, float] = dataclasses.field(default_factory=dict, compare=False)
    #: labelling ``probe train``'s ``--val-data`` files (their files: ``--val-annotations``)
    validation: bool = False
    #: ``--labels FILE`` instead of annotations: every window of a recording is kept, its
    #: label the file's (one row per window of the recording, or by window number); only
    #: windows over bad annotations are left out, after the rows are matched to the windows
    labels_file: str | None = None
    #: each recording's windows over bad annotations (path -> mask over all its windows),
    #: filled as the recordings are cut with :attr:`labels_file`
    bad: dict[str, np.ndarray] = dataclasses.field(default_factory=dict, compare=False)
    #: the fraction of a window (``(0, 1]``) a class must cover to label it (``--min-overlap``)
    min_overlap: float = DEFAULT_MIN_OVERLAP
    #: seconds each window overlaps the previous one (``--overlap``): windows a hop of
    #: ``window_seconds - overlap`` apart, whole samples at the model's 256 Hz; 0: consecutive
    overlap: float = 0.0
    #: each recording's annotations that match :attr:`match` (path -> their (description,
    #: duration in s) pairs), filled as the recordings are cut: why none labels a window
    matched: dict[str, list[tuple[str, float]]] = dataclasses.field(
        default_factory=dict, compare=False
    )
    #: ``--marker-spans``: ``{state: regex}`` of state markers (annotations of no duration)
    #: made spans, each state to the next state marker or the recording's end
    #: (:func:`eegpt.annotations.markers_to_spans`), before the windows are labelled; None: none
    marker_spans: dict[str, str] | None = None
    #: ``--events-from-stim``: the events of each continuous recording's stim channel made
    #: annotations of it (:class:`eegpt.stim_events.StimEvents`) before the windows are
    #: labelled (and before :attr:`marker_spans`); None: none
    stim_events: Any = None
    #: :attr:`stim_events` taken from the probe's training (``probe predict``/``evaluate``
    #: without ``--events-from-stim``): a recording whose stim channel they cannot be made of
    #: (none, or several) is labelled without them, with a warning; False: given, an error
    stim_adopted: bool = False
    #: :attr:`marker_spans` taken from the probe's training (``probe predict``/``evaluate``
    #: without ``--marker-spans``): "predict" makes them where a recording has state markers
    #: and leaves a recording without any unlabelled (in :attr:`unmarked`, warned of);
    #: "evaluate" refuses such a recording (no labels to evaluate against); "": given
    spans_adopted: Literal["", "predict", "evaluate"] = ""
    #: the recordings ``probe predict`` found no state marker of adopted spans in (their paths)
    unmarked: set[str] = dataclasses.field(default_factory=set, compare=False)
    #: the descriptions of each recording's state markers by state (:attr:`marker_spans`; its
    #: :func:`opened_key` -> state -> descriptions), shown in the line of its labels
    marked: dict[str, dict[str, list[str]]] = dataclasses.field(default_factory=dict, compare=False)
    #: the warnings of loose patterns given (:func:`eegpt.annotations.patterns_warned_once`):
    #: each once for all the recordings
    said: set[str] = dataclasses.field(default_factory=set, compare=False)
    #: recordings opened for streaming before their windows are cut (by ``probe evaluate``'s
    #: check of their own annotations, :func:`open_for_windows`), by :func:`opened_key`: taken
    #: by :func:`_window_stream` instead of opening them again
    opened: dict[str, Any] = dataclasses.field(default_factory=dict, compare=False)
    #: the annotations (:meth:`annotations`) of recordings in :attr:`opened` made for that
    #: check, by :func:`opened_key`: taken by :func:`_window_stream` with the recording, not
    #: made again (its stim channel read once, its warnings given once)
    annotated: dict[str, Any] = dataclasses.field(default_factory=dict, compare=False)

    def annotations(self, rec: Any) -> Any:
        """The recording's own annotations with those of its ``--annotations`` file, their
        state markers made spans with :attr:`marker_spans`
        (:func:`eegpt.annotations.marker_spans_of`: errors name the recording; adopted spans
        and a recording without state markers: :attr:`spans_adopted`); with
        :attr:`stim_events`, those made of its stim channel too
        (:func:`eegpt.stim_events.made_annotations`; the recording is left as it is)."""
        from eegpt.annotations import (
            marker_spans_of,
            markers_by_state,
            patterns_warned_once,
            state_markers,
            with_extra,
        )
        from eegpt.dataset_inputs import file_identity
        from eegpt.stim_events import joined

        mine = file_identity(rec.source)
        extra = next((a for r, a in self.extra if file_identity(r) == mine), None)
        annotations = with_extra(rec, extra)
        if self.stim_events is not None:
            annotations = joined(annotations, self._made(rec))
        if not self.marker_spans:
            return annotations
        if self.spans_adopted and not state_markers(annotations, self.marker_spans):
            trained = marker_spans_options(self.marker_spans)
            if self.spans_adopted == "evaluate":
                raise ValueError(
                    f"{rec.source}: no labels to evaluate against: the probe was trained with "
                    f"{trained}, and the recording has no annotation matching these states "
                    "(none of its own, nor of an --annotations file given); evaluate the "
                    "recordings that have them, or give its markers with --annotations FILE"
                )
            from eegpt._logging import warn as _warn

            self.unmarked.add(str(rec.source))
            _warn(
                f"{rec.source}: no labels (label left empty): the probe was trained with "
                f"{trained}, and the recording has no annotation matching these states, so "
                "its windows are predicted without state spans"
            )
            return annotations
        self.marked[opened_key(str(rec.source))] = markers_by_state(annotations, self.marker_spans)
        with patterns_warned_once(self.said):
            return marker_spans_of(rec, annotations, self.marker_spans)

    def _made(self, rec: Any) -> Any:
        """The annotations made of the stim channel of ``rec`` (:attr:`stim_events`); None,
        with a warning, where adopted ones cannot be made (:attr:`stim_adopted`)."""
        from eegpt.stim_events import made_annotations

        try:
            return made_annotations(rec, self.stim_events, verbose=False)
        except ValueError as err:
            if not self.stim_adopted:
                raise
            from eegpt._logging import warn as _warn

            _warn(
                f"{err}. The probe was trained with {self.stim_events.options}: this "
                "recording's windows are labelled without the events of a stim channel"
            )
            return None

    @property
    def options(self) -> str:
        """The command-line options that give this labelling."""
        if self.match is None:
            return f"--labels {shlex.quote(str(self.labels_file))}"
        return labelling_options(self.match, self.unlabelled, self.min_overlap)

    @property
    def per_recording(self) -> bool:
        """Whether the start is a recording's own (``--start annotations``, one per file)."""
        return bool(self.starts) or self.start_seconds == START_FROM_ANNOTATIONS

    def start_of(self, source: Any, annotations: Any, sfreq: float | None = None) -> float:
        """The first window's onset (s from the first sample) in the recording ``source``
        (its path) whose annotations are ``annotations``: its own ``--start``, or with
        ``--start annotations`` the onset of its first annotation matching :attr:`match`
        (:func:`first_labelling_onset`), rounded to whole samples at ``sfreq`` (Hz), the rate
        the windows are cut at (None: the model's 256 Hz, where train, evaluate and predict
        cut them). Recorded in :attr:`taken`."""
        value = start_given(self.start_seconds, self.starts, source)
        if value == START_FROM_ANNOTATIONS:
            value = first_labelling_onset(annotations, self.match, str(source), sfreq)
        self.taken[str(source)] = float(value)
        return float(value)

    def label(
        self,
        annotations: Any,
        onsets: np.ndarray,
        length_s: float,
        source: Any = None,
        what: str = "windows",
    ) -> tuple[Any, Any]:
        """``(labels, over)`` of the windows at ``onsets`` (seconds from the first sample, of
        ``length_s``) of the recording ``source`` (named in warnings, which call the windows
        ``what``): each one's label (``unlabelled`` where no match covers half of it; object
        array) and the descriptions of the annotations over it (for the bad ones)."""
        from eegpt.annotations import patterns_warned_once, window_annotations, window_labels
        from eegpt.dataset_inputs import file_identity

        # with --unlabelled, a recording without the events is all unlabelled: nothing to say
        quiet = self.unlabelled is not None
        if not quiet and source is not None and (annotations is None or not len(annotations)):
            mine = file_identity(str(source))
            if not any(file_identity(r) == mine for r, _ in self.extra):
                option = "--val-annotations" if self.validation else "--annotations"
                no_annotations_warning(source, option)
                quiet = True  # said plainly: not the window_labels warning too
        with patterns_warned_once(self.said):
            labels = window_labels(
                annotations, onsets, length_s, match=self.match, min_overlap=self.min_overlap,
                source=None if source is None else str(source), what=what, unlabelled_ok=quiet,
                label_bad=True,  # bad windows labelled here: the callers leave them out by `over`
            )  # fmt: skip
        y = np.array([self.unlabelled if v is None else v for v in labels], dtype=object)
        return y, window_annotations(annotations, onsets, length_s)


def check_annotation_files(
    pairs: Sequence[tuple[str, str]],
    option: str = "--annotations",
    others: Sequence[str] = (),
) -> None:
    """Refuse ``(recording, annotations file)`` pairs (given by position with ``option``)
    where the file is plainly another given recording's (swapped files): a TUH label file
    whose ``# bname`` line (:func:`eegpt.annotations.recording_named`) names another of the
    recordings, or a file whose stem is another given recording's (as TUH names them,
    ``rec.edf`` beside ``rec.csv_bi``). The recordings are those of ``pairs`` and
    ``others`` (the command's other recordings: the training ones, for ``--val-annotations``).
    A file whose stem is its recording's (``rec.csv_bi`` for ``rec.edf``) is taken; so is one
    whose ``# bname`` names no given recording (a renamed or de-identified copy given its
    true label file), with a warning when it is read (:func:`eegpt.annotations.check_named`).
    Another given recording whose stem is the file's exactly wins over a prefix match of the
    file's own recording (``rec_1.csv`` given for ``rec.edf`` beside ``rec_1.edf``: swapped)."""
    from eegpt.annotations import recording_named

    paired = {r for r, _ in pairs}
    given = [r for r, _ in pairs] + [r for r in others if r not in paired]
    for recording, file in pairs:
        stem, own = Path(recording).stem, Path(file).stem
        named = recording_named(file)
        names = [n.lower() for n in (named, own) if n]
        # another given recording whose stem is the file's exactly: its, over a prefix match
        # of its own recording's (rec_1.csv is rec_1.edf's, not rec.edf's)
        exact = next((r for r in given if r != recording and Path(r).stem.lower() in names), None)
        if stem.lower() not in names and exact is not None:
            other: str | None = exact
        elif _same_recording(own, stem) or (named is not None and _same_recording(named, stem)):
            continue
        else:
            other = next(
                (r for r in given if r != recording
                 and any(_same_recording(n, Path(r).stem) for n in (named, own) if n)),
                None,
            )  # fmt: skip
        if other is None:
            continue  # named otherwise (Sleep-EDF's hypnograms, a renamed copy): no swap
        said = f"names the recording {named!r} (its '# bname' line)" if named else (
            f"is named as {other}"
        )  # fmt: skip
        raise ValueError(
            f"{option} {file} {said}, but it is given for {recording} (by position: "
            f"one file per continuous recording, in their order); it looks like {other}'s: "
            "swapped? Give each recording its own annotations file, in the recordings' order."
        )


def start_given(
    start: float | str, starts: Sequence[tuple[str, float | str]], source: Any
) -> float | str:
    """The ``--start`` given for the recording ``source`` (a path): its own among ``starts``
    (``(path, value)`` pairs, one per recording, matched as the same file however named:
    :func:`eegpt.dataset_inputs.file_identity`), else ``start`` (seconds or
    ``"annotations"``)."""
    from eegpt.dataset_inputs import file_identity

    mine = file_identity(str(source))
    return next((v for r, v in starts if file_identity(r) == mine), start)


def no_annotations_warning(source: Any, option: str = "--annotations") -> None:
    """Warn that the recording ``source`` has no annotations and none were given with
    ``option``: no window of it gets a label (rather than window_labels' warning of an empty
    annotation file, which none was)."""
    from eegpt._logging import warn as _warn

    _warn(
        f"{source} has no annotations and none were given ({option} FILE for its hypnogram): "
        "none of its windows gets a label"
    )


def first_labelling_onset(annotations: Any, match: str | Mapping[str, str] | None,
                          source: str, sfreq: float | None = None) -> float:  # fmt: skip
    """``--start annotations``: the onset (s from the first sample, rounded to whole samples
    at ``sfreq``, the rate windows are cut at: None for the model's 256 Hz, where predict
    cuts them) of the first annotation of ``annotations`` that lasts and matches ``match``
    (:func:`eegpt.annotations.label_rule`) at or after the first sample: a recording's first
    scored epoch. An error naming ``source`` without one."""
    from eegpt.annotations import MODEL_SFREQ, label_rule

    rate = MODEL_SFREQ if sfreq is None else float(sfreq)
    label_of = label_rule(match)
    onsets = [] if annotations is None else [
        float(t) for t, d, desc in zip(annotations.onset, annotations.duration,
                                       annotations.description, strict=True)
        if d > 0 and t > -0.5 / MODEL_SFREQ and label_of(str(desc)) is not None
    ]  # fmt: skip
    if not onsets:
        raise ValueError(
            f"{source}: --start annotations starts the windows at the first annotation matching "
            f"{labelling_options(match) if match is not None else '--window-labels'}, and it "
            "has none in the recording (give its hypnogram with --annotations FILE, or a start "
            "in seconds)"
        )
    return max(0.0, round(min(onsets) * rate) / rate)


def window_label_values(match: str | Mapping[str, str]) -> list[str]:
    """The ``--window-labels`` values that give ``match`` (inverse of
    :func:`parse_window_labels`): the REGEX, or one LABEL=REGEX per class."""
    return [match] if isinstance(match, str) else [f"{k}={v}" for k, v in match.items()]


def labelling_options(
    match: str | Mapping[str, str], unlabelled: str | None = None, min_overlap: float | None = None
) -> str:
    """``--window-labels ...`` (one per class), ``--unlabelled ...`` and ``--min-overlap ...``
    (where it is not the default, :data:`DEFAULT_MIN_OVERLAP`): how a labelling is given on
    the command line."""
    text = " ".join(f"--window-labels {shlex.quote(v)}" for v in window_label_values(match))
    text += f" --unlabelled {shlex.quote(unlabelled)}" if unlabelled is not None else ""
    if min_overlap is not None and float(min_overlap) != DEFAULT_MIN_OVERLAP:
        text += f" --min-overlap {float(min_overlap):g}"
    return text


#: ``LABEL=REGEX``: a class of ``--window-labels`` (a label holds no regex syntax).
_CLASS_FORM = re.compile(r"([^=\\^$.|?*+()\[\]{}]+)=(.*)", re.DOTALL)


def parse_window_labels(
    values: Sequence[str], option: str = "--window-labels"
) -> str | dict[str, str]:
    """``--window-labels`` values as :class:`WindowLabelling`'s ``match``: one REGEX, or
    ``LABEL=REGEX`` values, the classes (a label given twice takes either regex); errors name
    ``option``."""
    classes: dict[str, list[str]] = {}
    for value in values:
        form = _CLASS_FORM.fullmatch(value)
        if form is None or not form[1].strip():
            if len(values) == 1:
                _compiled(value, value, option)
                return value
            raise ValueError(
                f"{option} {value!r}: given several times, each is a class, LABEL=REGEX "
                "(e.g. --window-labels 'seizure=fnsz|gnsz' --window-labels 'background=bckg')"
            )
        label, regex = form[1].strip(), form[2]
        if not regex:
            raise ValueError(f"{option} {value!r}: give the class's REGEX after '='")
        _compiled(regex, value, option)
        classes.setdefault(label, []).append(regex)
    return {k: v[0] if len(v) == 1 else "|".join(f"(?:{r})" for r in v) for k, v in classes.items()}


def parse_marker_spans(values: Sequence[str]) -> dict[str, str]:
    """``--marker-spans NAME=REGEX`` values (as :func:`parse_window_labels` reads them) as the
    ``states`` of :func:`eegpt.annotations.markers_to_spans`: ``{name: regex}``, the spans
    described by NAME."""
    states = parse_window_labels(values, "--marker-spans")
    if isinstance(states, str):
        raise ValueError(
            f"--marker-spans {states!r}: give NAME=REGEX, the state's name and the regex of "
            "its markers (e.g. --marker-spans 'EC=S  1$' --marker-spans 'EO=S  2$')"
        )
    return states


def marker_spans_values(states: Mapping[str, str]) -> list[str]:
    """The ``--marker-spans`` values that give ``states`` (inverse of
    :func:`parse_marker_spans`)."""
    return [f"{k}={v}" for k, v in states.items()]


def marker_spans_options(states: Mapping[str, str]) -> str:
    """``--marker-spans NAME=REGEX ...`` (one per state): how ``states`` of
    :func:`eegpt.annotations.markers_to_spans` are given on the command line."""
    return " ".join(f"--marker-spans {shlex.quote(v)}" for v in marker_spans_values(states))


def implied_labels(states: Mapping[str, str]) -> dict[str, str]:
    """The ``--window-labels`` that ``--marker-spans`` implies where none are given: one class
    per state, matching the spans of its name exactly (``{"EC": "^EC$"}``)."""
    return {k: f"^{re.escape(k)}$" for k in states}


def _compiled(regex: str, value: str, option: str = "--window-labels") -> None:
    try:
        re.compile(regex)
    except re.error as err:
        raise ValueError(f"{option} {value!r}: not a regular expression ({err})") from None


def _labelled_windows(
    path: Path, how: WindowLabelling, resample: Literal["polyphase", "nearest"] = "polyphase"
) -> tuple[Any, np.ndarray]:
    """A continuous recording as epochs (the windows ``how`` keeps, in volts at the model's
    rate, numbered and timed in the recording) and their labels from its own annotations.

    The windows are those ``eegpt embed`` and ``probe predict`` cut (:func:`_window_stream`):
    the recording resampled whole with ``resample`` and cut at the model's rate, read block
    by block, not re-referenced, scaled or detrended (the probe's preprocessing does that to
    them as to epochs, with the same result)."""
    from eegpt.annotations import bad_windows, describe_bad, label_rule, markers_text

    streamed, stream, annotations, start = _window_stream(path, how, resample)
    onsets, n = stream.onsets, stream.n_windows
    if how.match is None:  # --labels FILE: every window, labelled by the file
        return _windows_for_labels_file(path, how, streamed, stream, annotations, start)
    y, over = how.label(annotations, onsets, how.window_seconds, path)
    bad = bad_windows(over)
    unmatched = ~bad & np.array([v is None for v in y], dtype=bool)  # no --unlabelled class
    keep = ~bad & ~unmatched
    counts = {c: int((y[keep] == c).sum()) for c in dict.fromkeys(y[keep].tolist())}
    said = ", ".join(f"{c!r} {k}" for c, k in counts.items()) or "none labelled"
    left = []
    if bad.any():
        left.append(f"left out {int(bad.sum())} over bad annotations ({describe_bad(over)})")
    if unmatched.any():
        left.append(
            f"left out {int(unmatched.sum())} that no annotation matching "
            f"{labelling_options(how.match)} covers "
            "(--unlabelled LABEL keeps them as a class)"
        )
    found = [] if annotations is None else annotations.description
    descriptions = sorted({str(d) for d in found})
    label_of = label_rule(how.match)
    how.matched[str(path)] = [
        (str(d), float(t))
        for d, t in zip(found, [] if annotations is None else annotations.duration, strict=True)
        if label_of(str(d)) is not None
    ]
    if not any(label_of(d) is not None for d in descriptions):
        from eegpt._logging import few

        left.append(
            f"no annotation matches {labelling_options(how.match)} (its descriptions: "
            f"{few([repr(d) for d in descriptions], 8) or 'none'})"
        )
    hop = stream.config.step_samples / stream.config.sfreq
    marked = markers_text(how.marked.get(opened_key(path), {}))
    print(
        f"{path}: {n} windows of {how.window_seconds:g} s"
        + (f" every {hop:g} s (--overlap {how.overlap:g})" if how.overlap else "")
        + (f" from {start:g} s" if how.per_recording else "")
        + f": {said}"
        + (f" ({marked})" if marked else "")
        + (f"; {'; '.join(left)}" if left else ""),
        file=sys.stderr,
    )
    if not keep.any():
        hint = ""
        if how.validation and not how.extra:
            hint = (
                "; --annotations applies to the training files only: give the --val-data "
                "recordings' annotation files (hypnograms) with --val-annotations FILE, one "
                "per continuous --val-data recording"
            )
        raise ValueError(
            f"{path}: no window labelled by {how.options}"
            + ("" if how.unlabelled is not None else " (and no --unlabelled class given)")
            + hint
        )
    return _windows_recording(path, streamed, stream, keep), y[keep]


def opened_key(path: str | os.PathLike) -> str:
    """The key of :attr:`WindowLabelling.opened`: ``path`` absolute, as given or written."""
    return os.path.abspath(Path(path).expanduser())


def open_for_windows(path: str | os.PathLike, how: WindowLabelling) -> Any:
    """The continuous recording ``path`` opened for streaming as :func:`_window_stream` opens
    it (:func:`eegpt.streaming.open_stream`, unmapped), kept in ``how.opened`` for it: a
    recording whose annotations are looked at before the windows are cut (a BIDS recording,
    read with its sidecars by MNE-BIDS) is then opened once."""
    from eegpt.streaming import open_stream

    streamed = open_stream(Path(path), unmapped=True, verbose=False)
    how.opened[opened_key(path)] = streamed
    return streamed


def _window_stream(
    path: Path, how: WindowLabelling, resample: Literal["polyphase", "nearest"]
) -> tuple[Any, Any, Any, float]:
    """``(streamed, stream, annotations, start)``: the continuous recording ``path`` opened
    for streaming with every EEG channel :func:`eegpt.io.as_recording` reads
    (:func:`eegpt.streaming.open_stream`, unmapped), its windows as ``eegpt embed`` cuts them
    (:class:`eegpt.streaming.WindowStream`: resampled whole to the model's rate with
    ``resample``, then cut into windows of ``how.window_seconds`` a hop apart (``how.overlap``)
    from ``start``), in volts, neither re-referenced nor detrended, the signal checks left to
    the probe's preprocessing of the windows; its annotations with those of its
    ``--annotations`` file; and the first window's onset in seconds (``--start``)."""
    from eegpt.errors import RecordingError
    from eegpt.preprocessing import SAMPLE_TOLERANCE, PreprocessingConfig
    from eegpt.resampling import resampled_length
    from eegpt.streaming import WindowStream, open_stream

    key = opened_key(path)
    streamed = how.opened.pop(key, None)  # opened already for a check
    made = key in how.annotated and streamed is not None  # its annotations too
    annotations = how.annotated.pop(key, None)
    if streamed is None:
        streamed = open_stream(path, unmapped=True, verbose=False)
    sfreq = float(PreprocessingConfig().sfreq)  # the model's rate, where windows are cut
    length = int(round(how.window_seconds * sfreq))
    if length < 1 or abs(length / sfreq - how.window_seconds) > 0.5 / sfreq:
        raise ValueError(
            f"{path}: windows of {how.window_seconds:g} s are no whole number of samples at "
            f"the model's {sfreq:g} Hz; choose a window that is"
        )
    if not made:
        annotations = how.annotations(streamed)
    start = how.start_of(path, annotations, sfreq)
    first = int(round(start * sfreq))
    if abs(first - start * sfreq) > SAMPLE_TOLERANCE:
        raise ValueError(
            f"{path}: --start {start:.10g} s is {start * sfreq:.10g} samples at the model's "
            f"{sfreq:g} Hz, where train, evaluate and predict cut its windows: give a start "
            f"that is whole samples, such as {first / sfreq:.10g} s"
        )
    hop = _hop_samples(path, how, sfreq, length)
    n_out = resampled_length(streamed.n_times, streamed.sfreq, sfreq, resample, warn=False)
    if max(0, (n_out - first - length) // hop + 1) == 0:
        raise RecordingError(
            f"{path}: the recording lasts {streamed.n_times / streamed.sfreq:.3f} s, shorter "
            f"than one window ({how.window_seconds:g} s)"
            + (f" after --start {start:g}" if first else "")
        )
    config = PreprocessingConfig(
        window_seconds=how.window_seconds, overlap=how.overlap, start_seconds=first / sfreq,
        resample=resample, average_reference=False, scale=1.0, detrend="none", tail="drop",
    )  # fmt: skip
    # the windows over bad annotations are left out (train, evaluate): NaN/Inf samples all
    # inside them are filled as embed --reject-by-annotation fills them, others refused
    stream = WindowStream(streamed, config, checks=False, bad_spans=_rejected_spans(annotations))
    return streamed, stream, annotations, start


def _rejected_spans(annotations: Any) -> Any:
    """The :class:`eegpt.annotations.BadSpans` of ``annotations`` (a continuous recording's
    own with those of its ``--annotations`` file, onsets in seconds from its first sample;
    or None) with ``reject``: the probe's windows over bad annotations are left out, as
    ``eegpt embed --reject-by-annotation`` leaves them out. None without bad spans."""
    from types import SimpleNamespace

    from eegpt.annotations import BadSpans

    if annotations is None:
        return None
    return BadSpans.of(SimpleNamespace(annotations=annotations), reject=True)


#: Windows per block read from a recording for a probe's training windows (float64 volts)
_BLOCK_WINDOWS = 16


def _windows_recording(path: Path, streamed: Any, stream: Any, keep: np.ndarray) -> Any:
    """The windows of ``stream`` (a :class:`eegpt.streaming.WindowStream` of ``streamed``)
    where ``keep`` (bool, one per window) as an epoched :class:`eegpt.io.Recording`:
    ``[n_kept, C, T]`` float64 volts at the model's rate, numbered (``selection``) and timed
    (``onsets``, s from the first sample) in the recording, with its channels' facts. Only
    the kept windows are held, read block by block."""
    from eegpt.io import Recording, left_out_channels, stored_projections, unapplied_projectors

    raw = streamed.raw
    names = [raw.ch_names[i] for i in streamed.picks]
    kept = np.flatnonzero(keep)
    data = np.empty((len(kept), streamed.n_channels, stream.config.n_samples))
    if len(kept):
        k = 0
        blocks = stream.blocks(_BLOCK_WINDOWS, int(kept[0]), int(kept[-1]) + 1, dtype=np.float64)
        for w0, block in blocks:
            rows = keep[w0 : w0 + len(block)]
            m = int(rows.sum())
            data[k : k + m] = block[rows]
            k += m
    types = raw.get_channel_types()
    return Recording(
        data, names, float(stream.config.sfreq), source=str(path),
        ch_types=[types[i] for i in streamed.picks], onsets=stream.onsets[kept],
        units=streamed.units, first_time=streamed.first_time, file_offset=streamed.file_offset,
        meas_date=streamed.meas_date, date_clock=streamed.date_clock, clock=streamed.clock,
        selection=kept.tolist(), projectors=unapplied_projectors(raw.info) or None,
        rates=streamed.rates, projections=stored_projections(raw.info),
        bads=streamed.bads or None, left_out=left_out_channels(raw.info, names),
        filters=streamed.filters, truncated=streamed.truncated,
    )  # fmt: skip


def _hop_samples(path: Path, how: WindowLabelling, sfreq: float, length: int) -> int:
    """The samples between window onsets of the recording ``path`` at ``sfreq`` (Hz, the
    model's): ``length`` (consecutive windows), or with ``how.overlap`` (``--overlap``) the
    window less the overlap, refused where that is no whole number of samples."""
    from eegpt.preprocessing import SAMPLE_TOLERANCE

    if not how.overlap:
        return length
    step = (how.window_seconds - how.overlap) * sfreq
    hop = int(round(step))
    if hop < 1 or abs(hop - step) > SAMPLE_TOLERANCE:
        fits = how.window_seconds - max(hop, 1) / sfreq
        raise ValueError(
            f"{path}: --overlap {how.overlap:g} s leaves a hop of {step:.10g} samples between "
            f"the {how.window_seconds:g} s windows at the model's {sfreq:g} Hz, where train, "
            f"evaluate and predict cut them: give an overlap whose hop is whole samples, such "
            f"as --overlap {fits:.10g}"
        )
    return hop


def _windows_for_labels_file(
    path: Path, how: WindowLabelling, streamed: Any, stream: Any, annotations: Any, start: float
) -> tuple[Any, np.ndarray]:
    """All windows of a continuous recording (``stream`` of ``streamed``, from ``start`` s)
    for ``--labels FILE`` (no labels yet: the file's rows are matched to them by
    :func:`load_labelled_epochs`, which then leaves out those over bad annotations, kept in
    ``how.bad``)."""
    from eegpt.annotations import bad_windows, describe_bad, window_annotations

    n = stream.n_windows
    over = window_annotations(annotations, stream.onsets, how.window_seconds)
    bad = bad_windows(over)
    how.bad[str(path)] = bad
    print(
        f"{path}: {n} windows of {how.window_seconds:g} s"
        + (f" from {start:g} s" if how.per_recording or start else "")
        + f", labelled by the rows of {how.labels_file} (its annotations label none)"
        + (
            f"; {int(bad.sum())} over bad annotations ({describe_bad(over)}) left out after "
            "the rows are matched to the windows"
            if bad.any()
            else ""
        ),
        file=sys.stderr,
    )
    epochs = _windows_recording(path, streamed, stream, np.ones(n, dtype=bool))
    return epochs, np.full(n, None, dtype=object)


def _refuse_unmatched(
    paths: Sequence[str | Path],
    ys: list[Any],
    windows: WindowLabelling | None,
    unlabelled_only: bool = False,
) -> None:
    """Refuse ``--window-labels`` that labelled no window of any continuous recording (all
    of them ``--unlabelled``): a regular expression that matches none of their annotations
    (each file's line above lists its descriptions), or only markers too short to cover a
    window's ``--min-overlap`` (:func:`_unmatched_text`). With ``unlabelled_only`` (``probe
    evaluate``: false alarms on recordings without events) warn instead."""
    if windows is None or windows.unlabelled is None:
        return
    continuous = [(p, y) for p, y in zip(paths, ys, strict=True) if _is_continuous_input(Path(p))]
    if not continuous or not all(set(y.tolist()) <= {windows.unlabelled} for _, y in continuous):
        return
    why = _unmatched_text(windows, [p for p, _ in continuous])
    if unlabelled_only:
        from eegpt._logging import warn

        warn(
            f"{windows.options} labelled every window of the continuous recordings "
            f"{windows.unlabelled!r}, so only that class is present, as in recordings without "
            "events; the scores of the other classes are their false positives. " + why
        )
        return
    raise ValueError(
        f"{windows.options} labelled every window of the continuous recordings "
        f"{windows.unlabelled!r}: only one class ({windows.unlabelled!r}) is present, and a "
        "classifier needs at least 2. " + why
    )


def _unmatched_text(windows: WindowLabelling, paths: Sequence[str | Path]) -> str:
    """Why the ``--window-labels`` of ``windows`` labelled no window of the continuous
    recordings ``paths``: no annotation matches (each recording's line above lists its
    descriptions), or those that match are markers (of zero or little duration, as
    BrainVision's stimuli are) that cover less of a window than ``--min-overlap`` asks; and
    what to do instead."""
    from eegpt._logging import few
    from eegpt.annotations import states_of

    found = [m for p in paths for m in windows.matched.get(str(Path(p)), [])]
    if not found:
        return (
            "The pattern matches none of their annotations (each recording's line above lists "
            "its descriptions; MNE names BrainVision markers 'Stimulus/S  1', 'Comment/seizure', "
            "EEGLAB events as written): give recordings that hold events too, or check the pattern"
        )
    names = list(dict.fromkeys(d for d, _ in found))
    longest = max(t for _, t in found)
    lasts = "all last 0 s" if longest <= 0 else f"last at most {longest:.3g} s"
    need = windows.min_overlap * windows.window_seconds
    text = (
        f"{len(found)} of their annotations match the pattern "
        f"({few([repr(d) for d in names], 3)}), but they {lasts}, less than a label needs "
        f"({_cover_text(windows.min_overlap)}: {need:g} s of each {windows.window_seconds:g} s "
        "window, --min-overlap): markers of moments (stimuli, responses), not spans of time. "
    )
    if longest > 0:
        text += (
            "--min-overlap 1e-6 labels a window by any overlap: each window a marker falls in "
            "takes its class, the others the --unlabelled one. "
        )
    else:
        text += "--min-overlap cannot help: an annotation of no duration covers no window. "
    return text + (
        "Markers of states (eyes closed, eyes open) label the time between them once turned "
        "into spans, each state from its marker to the next: "
        f"{marker_spans_options(states_of(names))} (the windows then labelled by state name; "
        "or in Python, "
        f"raw.set_annotations(eegpt.annotations.markers_to_spans(raw, {states_of(names)!r})); "
        "raw.save('rec_spans_raw.fif'), then train on that file). For responses to the "
        "markers, cut epochs around them (mne.Epochs, README: Downstream tasks), save them "
        "(epochs.save('rec-epo.fif')) and train on those, labelled by their events"
    )


def _cover_text(min_overlap: float) -> str:
    """How much of a window a class must cover (``--min-overlap``), in words."""
    if float(min_overlap) == DEFAULT_MIN_OVERLAP:
        return "half a window"
    return f"{float(min_overlap):g} of a window"


def _embeddings_given_text(path: Path) -> str:
    """The error for an embeddings file of ``eegpt embed`` given to a probe command: probes take
    recordings or epochs, on which they run the encoder; precomputed embeddings are for
    scikit-learn in Python."""
    return (
        f"{path} is an embeddings file written by eegpt embed, not epochs: probes train (and "
        "predict, evaluate) from recordings or epochs (-epo.fif, .set, .npz arrays X, ch_names, "
        "sfreq; continuous recordings with --window-labels or --annotations), running the "
        "encoder on them themselves. To train on precomputed embeddings use Python: a "
        f"scikit-learn classifier on eegpt.load_embeddings({str(path)!r}).pooled('mean') (README: "
        "Downstream tasks)"
    )


#: Names an .npz's arrays are often saved under, by the names an .npz input needs: told in
#: the error for a missing one, never read in its place (another array might be meant).
_NPZ_OTHER_NAMES = {
    "X": ("x", "data", "x_train", "eeg", "epochs", "signals"),
    "ch_names": ("channels", "ch_name", "chan_names", "channel_names", "electrodes"),
    "sfreq": ("fs", "srate", "sampling_rate", "sample_rate", "freq"),
}

#: What each array of an .npz input holds, for the error on one saved as Python objects.
_NPZ_KINDS = {
    "X": "a numeric array, np.asarray(X, dtype=np.float32)",
    "ch_names": "a string array, np.array(names, dtype=str)",
    "sfreq": "a number, float(sfreq)",
    "units": "a string, 'V', 'mV' or 'uV'",
    "y": "an array of strings or numbers, np.asarray(y, dtype=str) for text labels",
}


def _npz_missing_text(path: Path, missing: Sequence[str], files: Sequence[str]) -> str:
    """The error for an .npz input without the arrays ``missing`` (of X, ch_names, sfreq),
    naming the arrays among its ``files`` that look like them (``data`` for ``X``): to be
    saved under the names read, which are not guessed."""
    text = (
        f"{path}: an .npz input needs arrays X [n_epochs, C, T], ch_names and sfreq; missing "
        f"{list(missing)} (has {list(files)})"
    )
    lower = {name.lower(): name for name in files}
    found = [
        (need, lower[other])
        for need in missing
        for other in _NPZ_OTHER_NAMES.get(need, ())
        if other in lower
    ]
    if found:
        names = ", ".join(f"{need}={have}" for need, have in found)
        text += (
            f". If {', '.join(repr(have) for _, have in found)} "
            f"{'is' if len(found) == 1 else 'are'} meant, save "
            f"{'it' if len(found) == 1 else 'them'} under the names eegpt reads: "
            f"np.savez(path, {names}, ...) (it reads no other names, lest it take the "
            "wrong array)"
        )
    return text


def _npz_array(f: Any, key: str, path: Path) -> np.ndarray:
    """The array ``key`` of the open .npz ``f`` (of ``path``); one saved as Python objects
    (a list of strings of mixed kinds, ``dtype=object``) is refused with how to save it, as
    loading it would unpickle (which can run code): :data:`_NPZ_KINDS`."""
    try:
        return np.asarray(f[key])
    except ValueError as err:
        if "allow_pickle" not in str(err):
            raise
        raise ValueError(
            f"{path}: its {key!r} is an array of Python objects (dtype=object), which eegpt "
            f"does not load (loading one unpickles it, which can run code): save {key} as "
            f"{_NPZ_KINDS.get(key, 'a plain NumPy array')}"
        ) from None


def _npz_text(f: Any, key: str, path: Path) -> str:
    """The string ``key`` (``units``) of the open .npz ``f``: a str array of one value, or ASCII
    bytes (``np.bytes_(b'uV')``, as saved from MATLAB or h5py) decoded."""
    value = _npz_array(f, key, path)
    item = value.reshape(()).item() if value.size == 1 else None
    if isinstance(item, bytes):
        try:
            item = item.decode("ascii")
        except UnicodeDecodeError:
            item = None
    if not isinstance(item, str):
        raise ValueError(
            f"{path}: its {key!r} must be one string, got {value!r}: save {key} as "
            f"{_NPZ_KINDS.get(key, 'a string')}"
        )
    return item


def _npz_names(f: Any, path: Path) -> list[str]:
    """The ``ch_names`` of the open .npz ``f``: strings, ASCII bytes decoded (a ``dtype='S'``
    array, as saved from MATLAB or h5py)."""
    names = _npz_array(f, "ch_names", path).reshape(-1).tolist()
    try:
        return [c.decode("ascii") if isinstance(c, bytes) else str(c) for c in names]
    except UnicodeDecodeError:
        raise ValueError(
            f"{path}: its 'ch_names' are bytes that are not ASCII: save them as "
            f"{_NPZ_KINDS['ch_names']}"
        ) from None


def _read_one(
    path: Path,
    verbose: Any = None,
    label_column: str | None = None,
    column_optional: bool = False,
    windows: WindowLabelling | None = None,
    resample: Literal["polyphase", "nearest"] = "polyphase",
) -> tuple[Any, np.ndarray | None]:
    """One file -> (epoched Recording in volts, labels or None): the event names, or the
    ``label_column`` of ``epochs.metadata``; with ``column_optional`` (the column a probe was
    trained on, not asked for), an ``.npz``'s own ``y`` and None for epochs without it. A
    continuous recording is cut and labelled as ``windows`` says (and refused without), its
    windows those ``eegpt embed`` cuts, resampled whole with ``resample``
    (:func:`_labelled_windows`)."""
    from eegpt._epochs_header import note_epochs_read
    from eegpt._logging import log
    from eegpt.fif_kinds import refuse_not_recording_fif
    from eegpt.io import (
        Recording,
        array_summary,
        check_sfreq,
        epochs_labels,
        may_hold_epochs,
        read_epochs_file,
        refuse_brainvision_data_file,
        refuse_eeglab_data_file,
    )
    from eegpt.probe_inputs import as_epochs_recording

    if not path.exists():
        raise MissingFileError(f"no such file: {path}")
    refuse_eeglab_data_file(path)  # the samples alone: its .set holds the epochs
    refuse_brainvision_data_file(path)  # likewise, of the .vhdr that names it
    refuse_not_recording_fif(path)  # an evoked (averaged), ICA, ... file of MNE's
    name = path.name
    if windows is not None and _is_continuous_input(path):
        return _labelled_windows(path, windows, resample)
    if name.endswith((".npz",)):
        with np.load(path, allow_pickle=False) as f:
            missing = [k for k in ("X", "ch_names", "sfreq") if k not in f.files]
            if missing and "embeddings" in f.files:
                raise ValueError(_embeddings_given_text(path))
            if missing:
                raise ValueError(_npz_missing_text(path, missing, f.files))
            # (as_recording checks the unit the file names)
            units = cast("Units", _npz_text(f, "units", path) if "units" in f.files else "V")
            rec = as_epochs_recording(
                _npz_array(f, "X", path),
                ch_names=_npz_names(f, path),
                sfreq=check_sfreq(_npz_array(f, "sfreq", path), str(path)),
                units=units,
                verbose=False,  # its line names the file, not '<array>': below
            )
            log(array_summary(rec, str(path)), verbose)
            if label_column is not None and not column_optional:
                raise ValueError(
                    f"{path}: an .npz input has no epochs metadata to take --label-column "
                    f"{label_column!r} from; its labels are its y array, so leave --label-column "
                    "out (or save these epochs as -epo.fif with the column in epochs.metadata)"
                )
            labels = _npz_array(f, "y", path) if "y" in f.files else None
        rec = Recording(rec.data, rec.ch_names, rec.sfreq, source=str(path))
        return rec, labels
    if may_hold_epochs(path):
        epochs = read_epochs_file(path, verbose or "error")
        note_epochs_read(path, epochs)  # its metadata, for --val-group-column: not read again
        rec = as_epochs_recording(epochs, ch_names=None, sfreq=None, units="V", verbose=verbose)
        if label_column is None:
            labels = epochs_labels(epochs)
        else:
            metadata = epochs.metadata
            if column_optional and (metadata is None or label_column not in metadata.columns):
                return dataclasses.replace(rec, source=str(path)), None
            if metadata is None or label_column not in metadata.columns:
                has = "no metadata" if metadata is None else f"columns {list(metadata.columns)}"
                raise ValueError(
                    f"{path}: --label-column {label_column!r} is not a column of the epochs' "
                    f"metadata ({has})"
                )
            labels = _column_labels(metadata[label_column])
        return dataclasses.replace(rec, source=str(path)), labels
    raise ValueError(
        f"{path}: not epochs; training and evaluating a probe take labelled epochs: MNE epochs "
        "(*-epo.fif), epoched EEGLAB (.set) or an .npz with X, ch_names, sfreq and y. Cut them "
        "from a continuous recording first (Python: mne.Epochs(raw, events, event_id, tmin=0, "
        "tmax=WINDOW - 1 / raw.info['sfreq'], baseline=None), or "
        "mne.make_fixed_length_epochs(raw, duration=WINDOW); WINDOW: the probe's "
        "window in seconds, --window). Or give the labels of its consecutive windows with "
        "--labels CSV (one row per window), or label the consecutive windows of a continuous "
        "recording by its annotations: --window-labels REGEX (e.g. 'seizure'), with "
        "--unlabelled LABEL for the windows no such annotation covers. `eegpt probe predict` "
        "takes a continuous recording as it is, cut into consecutive windows"
    )


def _column_labels(column: Any) -> np.ndarray:
    """A metadata column as labels; missing cells (NaN, None, pandas' NA) become None."""
    missing = column.isna().to_numpy()
    if not missing.any():
        return column.to_numpy()
    values = column.tolist()
    return np.array([None if m else v for v, m in zip(values, missing, strict=True)], dtype=object)


def _check_column_labels(
    y: np.ndarray,
    sources: list[str],
    selection: list[int],
    label_column: str,
    keep_missing: bool = False,
) -> None:
    """Refuse epochs without a value in ``label_column`` (unless ``keep_missing``), and a
    column of numbers with fractional parts (:func:`~eegpt.probe_labels.refuse_continuous_labels`);
    warn when a column of names looks like identifiers (nearly one class per epoch)."""
    from eegpt._logging import few
    from eegpt.probe_labels import numeric_labels, refuse_continuous_labels

    missing = [i for i, v in enumerate(y.tolist()) if v is None]
    if missing and not keep_missing:
        shown = few([f"{sources[i]} epoch {selection[i]}" for i in missing], 5)
        raise ValueError(
            f"{len(missing)} of {len(y)} epochs have no value in --label-column "
            f"{label_column!r} ({shown}); give every epoch a label with --labels "
            "FILE.csv, or leave those epochs out of the file (in Python: "
            f"epochs = epochs[epochs.metadata[{label_column!r}].notna()]; epochs.save(...); "
            "probe evaluate: --skip-unknown leaves them out)"
        )
    values = [v for v in y.tolist() if v is not None]
    refuse_continuous_labels(values, f"--label-column {label_column!r}")
    if numeric_labels(values) is not None:  # whole numbers: the probe training warns
        return
    n, n_classes = len(values), len(set(values))
    if n_classes > 2 and (n_classes == n or n_classes > max(20, n // 2)):
        warnings.warn(
            f"--label-column {label_column!r} has {n_classes} distinct values in {n} "
            "epochs, and each is a class of the probe, learnt from "
            f"{n / n_classes:.3g} epochs on average: is it an identifier (a trial or "
            "stimulus name) rather than a class? Name a column of classes with --label-column",
            EEGPTUserWarning,
            stacklevel=3,
        )


MISSING_LABELS = frozenset({"", "n/a", "na", "nan"})
"""Cells of a labels CSV that mean "no label" (compared stripped and in lower case): blank,
``n/a``, ``NA``, ``nan`` (values pandas also reads as missing)."""


#: Separators of a labels CSV: commas, semicolons (Excel's CSV where the decimal mark is a
#: comma, as in much of Europe) and tabs.
LABEL_CSV_SEPARATORS = (",", ";", "\t")


def _header_cells(line: str, sep: str) -> list[str]:
    """The cells of the header ``line`` of a table separated by ``sep``, stripped."""
    return [cell.strip() for cell in next(csv.reader([line], delimiter=sep), [])]


def _table_header(text: str, comments: bool = False) -> tuple[str, str, list[str]]:
    """``(line, separator, cells)`` of the header of the table ``text``: its first line (with
    ``comments``, its first line not starting with ``#``, as TUH's ``.csv_bi`` begins with
    ``# version = csv_v1.0.0`` lines), the separator of :data:`LABEL_CSV_SEPARATORS` it holds
    most of, and its cells split by it (:func:`_header_cells`)."""
    lines = [ln for ln in text.splitlines() if not (comments and ln.lstrip().startswith("#"))]
    line = lines[0] if lines and text.strip() else ""
    sep = max(LABEL_CSV_SEPARATORS, key=line.count)
    return line, sep, _header_cells(line, sep)


def _label_csv_layout(path: Path, text: str) -> tuple[str, int]:
    """``(separator, column)`` of the labels CSV ``text`` (of ``path``): the separator of
    :data:`LABEL_CSV_SEPARATORS` whose header row has a ``label`` column, in any case
    (``Label``, ``LABEL``; an exact ``label`` first), and that column's index."""
    first, likeliest, header = _table_header(text)
    for sep in LABEL_CSV_SEPARATORS:
        cells = _header_cells(first, sep)
        named = [i for i, cell in enumerate(cells) if cell.lower() == "label"]
        if named:
            return sep, cells.index("label") if "label" in cells else named[0]
    sep = likeliest  # for the message
    said = {",": "commas", ";": "semicolons", "\t": "tabs"}
    found = (
        "it is empty"
        if not first.strip()
        else f"its first line {first!r} reads as the columns {header}"
        + (f" (separated by {said[sep]})" if sep in first else " (no separator)")
    )
    raise ValueError(
        f"{path}: a labels CSV (--labels) needs a header row with a 'label' column (any case), "
        f"the columns separated by commas, semicolons or tabs; {found}. Add the header 'label' "
        "above the labels, one row per epoch"
    )


def annotations_table_text(path: str | os.PathLike, labels_option: str = "--labels") -> str | None:
    """Why the file given as a labels CSV (``labels_option``) is not one where it is a table of
    annotations (columns ``onset`` and ``duration``, or TUH's ``start_time`` and ``stop_time``:
    spans of time in a recording, not one label per epoch), and the options that take it:
    ``--annotations FILE --window-labels ...``, with a class per description it holds; None
    where it is no such table."""
    try:
        text = table_text(user_path(path))
    except (OSError, ValueError):
        return None
    # the header below any '#' lines (a TUH .csv_bi's '# version = csv_v1.0.0' ...)
    header = {cell.lower() for cell in _table_header(text, comments=True)[2]}
    if not ({"onset", "duration"} <= header or {"start_time", "stop_time"} <= header):
        return None
    from eegpt.annotations import is_bad, read_table_annotations

    try:
        found = read_table_annotations(user_path(path))
    except Exception:  # noqa: BLE001 - the advice does without the descriptions
        found = None
    names = sorted({str(d) for d in found.description if not is_bad(str(d))}) if found else []
    option = "--val-annotations" if labels_option == "--val-labels" else "--annotations"
    classes = " ".join(
        f"--window-labels {shlex.quote(f'{name}=^{re.escape(name)}$')}" for name in names[:4]
    )
    example = (classes or "--window-labels 'LABEL=REGEX'") + (" ..." if len(names) > 4 else "")
    return (
        f"it is a table of annotations (onset and duration: spans of time in a recording), "
        f"not a labels CSV ({labels_option}: a 'label' column, one row per epoch or window). "
        f"For continuous recordings give it in place of {labels_option} as "
        f"{option} {shlex.quote(str(path))} {example} (one annotations file per recording, "
        "in their order): each window is labelled by the annotation that covers it"
    )


#: Header names (any case) of a labels CSV's column of epoch numbers: ``epoch``, as ``eegpt
#: probe predict`` writes it, and ``window``, as ``eegpt export`` and Parquet outputs do.
LABEL_NUMBER_COLUMNS = ("epoch", "window")

#: Header names (any case; ``_``, ``-``, spaces, ``.`` and ``#`` left out) of columns that look
#: like row or trial numbers but are not read as :data:`LABEL_NUMBER_COLUMNS` are: ``trial``
#: (as BCI competition files number trials, from 1), ``trial_number``, ``index``, ``idx``,
#: ``row`` ...; "" is the unnamed column pandas writes its index to.
ROW_NUMBER_LIKE = frozenset(
    {"", "trial", "trials", "trialnumber", "trialnum", "trialno", "trialnr", "trialid",
     "trialindex", "trialidx", "epochnumber", "epochnum", "epochno", "epochnr", "epochid",
     "epochindex", "epochidx", "index", "idx", "row", "rownumber", "rowno", "rownr", "number",
     "num", "no", "nr", "n"}
)  # fmt: skip


@dataclasses.dataclass(frozen=True)
class _LabelRows:
    """The rows of a labels CSV: ``labels`` (None where missing), and where the header names
    them, each row's epoch number as written (``numbers``, of the column ``number_column``) and
    input file (``files``, of a ``file`` column), and each row's line in the file (``lines``;
    None: the rows are the file's from line 2 on, none left out: :func:`_rows_of_inputs`)."""

    labels: np.ndarray
    numbers: list[str] | None = None
    number_column: str | None = None
    files: list[str] | None = None
    lines: list[int] | None = None
    #: a column named like a row number (:data:`ROW_NUMBER_LIKE`) that is not read, and its
    #: cells, where the file has no column of :data:`LABEL_NUMBER_COLUMNS`
    unread_column: str | None = None
    unread_numbers: list[str] | None = None

    def line_numbers(self) -> list[int]:
        """Each row's line in the file (the header is line 1)."""
        return list(range(2, len(self.labels) + 2)) if self.lines is None else list(self.lines)


def _header_column(header: list[str], names: Sequence[str]) -> int | None:
    """The index of the first of ``names`` among ``header``'s cells (any case), or None."""
    lowered = [cell.strip().lower() for cell in header]
    return next((lowered.index(name) for name in names if name in lowered), None)


def _read_label_rows(path: Path) -> _LabelRows:
    """The ``label`` column of a CSV, one row per epoch; a missing label (a cell of
    :data:`MISSING_LABELS`: blank, ``n/a``, ``NA``, ``nan``) is None. The column's name is
    read in any case, the separator is a comma, semicolon or tab (:func:`_label_csv_layout`),
    and the text is read as manifests are (:func:`eegpt.text_tables.table_text`: UTF-8 with or
    without a byte-order mark, UTF-16 with one; another encoding is refused naming the file).
    An ``epoch`` (or ``window``) column and a ``file`` column are kept to align the rows to
    the epochs."""
    text = table_text(path)
    sep, column = _label_csv_layout(path, text)
    header, *rows = list(csv.reader(io.StringIO(text), delimiter=sep))
    while rows and not rows[-1]:  # blank lines at the end are no rows
        rows.pop()

    def cells(k: int | None) -> list[str] | None:
        # a short row has no such cell: '' (no label, no number)
        return None if k is None else [row[k] if k < len(row) else "" for row in rows]

    # a blank line inside is a row with a blank label (csv.DictReader would skip it, and every
    # later label would belong to the epoch before its own); a short row has no label either
    labels = [row[column] if column < len(row) else None for row in rows]
    missing = [v is None or v.strip().lower() in MISSING_LABELS for v in labels]
    if not any(missing):
        y = np.array(labels)
    else:
        y = np.array([None if m else v for v, m in zip(labels, missing, strict=True)], dtype=object)
    number = _header_column(header, LABEL_NUMBER_COLUMNS)
    unread = None if number is not None else _row_number_like(header, column)
    return _LabelRows(
        y,
        numbers=cells(number),
        number_column=None if number is None else header[number].strip(),
        files=cells(_header_column(header, ("file",))) if number is not None else None,
        unread_column=None if unread is None else header[unread].strip(),
        unread_numbers=cells(unread),
    )


def _row_number_like(header: list[str], label: int) -> int | None:
    """The index of the first column of ``header`` (but the ``label`` column, index ``label``)
    named like a row number (:data:`ROW_NUMBER_LIKE`), or None."""
    for k, cell in enumerate(header):
        if k != label and re.sub(r"[\s_\-.#]", "", cell.lower()) in ROW_NUMBER_LIKE:
            return k
    return None


def _warn_unread_numbers(rows: _LabelRows, path: Path, selection: Sequence[int]) -> None:
    """Warn where a labels CSV has a column named like a row number (``trial``, ``index``) of
    whole numbers out of order, which is not read: its rows go to the epochs in file order,
    which that column says is not the epochs' order. Says how to have the rows matched by
    number (the column named ``epoch``), and whether its numbers are the epochs' numbers
    (``selection``, MNE's ``epochs.selection`` of the inputs, counted from 0 or from 1)."""
    from eegpt._logging import warn as _warn

    if rows.unread_numbers is None or len(rows.unread_numbers) < 2:
        return
    try:
        numbers = [int(cell.strip()) for cell in rows.unread_numbers]
    except ValueError:
        return  # no row numbers: codes, names ...
    if all(a < b for a, b in zip(numbers, numbers[1:], strict=False)):
        return  # in order: the file order and its numbers agree
    lines = rows.line_numbers()
    shown = ", ".join(f"line {lines[k]}: {numbers[k]}" for k in range(min(3, len(numbers))))
    column = repr(rows.unread_column) if rows.unread_column else "unnamed first"
    match = ""
    if len(set(selection)) == len(selection):
        for base, counted in ((0, "from 0, as eegpt counts"), (1, "from 1, as BCI files and "
                                                                "EEGLAB count")):  # fmt: skip
            if sorted(k - base for k in numbers) == sorted(selection):
                match = f" (its numbers are those of the inputs' epochs counted {counted})"
    _warn(
        f"{path}: its {column} column numbers the rows {_numbers_text(numbers)} out of order "
        f"({shown} ...), but is not read: the labels go to the epochs in the order of the "
        "file's rows. If that column numbers the epochs, name it 'epoch'"
        f"{match}: each row then goes to the epoch of its number, counted from 0 or from 1. "
        f"{SELECTION_NOTE}"
    )


def _numbers_text(numbers: Sequence[int]) -> str:
    """``"1 to 8"`` for consecutive numbers, else the first few of them."""
    from eegpt._logging import few

    values = sorted(set(numbers))
    if len(values) > 2 and values[-1] - values[0] == len(values) - 1:
        return f"{values[0]} to {values[-1]}"
    return few([str(v) for v in values], 5)


def _row_numbers(rows: _LabelRows, path: Path) -> list[int]:
    """The epoch numbers of a labels CSV's rows as integers; refused where one is not."""
    numbers = []
    for line, cell in zip(rows.line_numbers(), rows.numbers or [], strict=True):
        try:
            numbers.append(int(cell.strip()))
        except ValueError:
            raise ValueError(
                f"{path}, line {line}: {cell!r} in the {rows.number_column!r} column is no epoch "
                "number; that column numbers the epochs the labels belong to (whole numbers, "
                f"from 0 or from 1). Fix the cell, or leave the {rows.number_column!r} column "
                "out to take the rows in the order of the epochs"
            ) from None
    return numbers


def _cell_parts(cell: str) -> tuple[str, ...]:
    """The components of a path as a labels table's ``file`` cell writes it (separated by
    ``/`` or ``\\``, as a table written on Windows has them), without ``.`` components."""
    return tuple(part for part in re.split(r"[/\\]+", cell) if part not in ("", "."))


def _input_tails(given: str) -> list[tuple[str, ...]]:
    """The components of an input's path whose tails a ``file`` cell may be: as given made
    absolute (a link's own folders) and resolved (the folders it is in)."""
    forms = [Path(os.path.abspath(given)).parts]
    try:
        forms.append(Path(given).resolve().parts)
    except (OSError, RuntimeError):
        pass
    return forms


def _resolved(path: Path) -> Path | None:
    try:
        return path.resolve()
    except (OSError, RuntimeError):
        return None


def _match_row_files(rows: _LabelRows, path: Path, inputs: Sequence[str]) -> list[str | None]:
    """The input each row's ``file`` cell of the labels CSV ``path`` names, None for a row
    of a file not given (a master table of more recordings, :func:`_rows_of_inputs`): the
    one matching of ``--labels``, ``--val-labels`` and predict/evaluate's ``--labels``.

    A cell names an input that is it as given; or the same file, the cell taken relative to
    the labels file's folder or the current one (or absolute); or, a relative path, a tail of
    the input's path (``sub-01/ses-1/eeg-epo.fif`` names ``/data/sub-01/ses-1/eeg-epo.fif``,
    not ``/data/sub-02/ses-1/eeg-epo.fif``). A bare file name names the input of that name
    where one input has it and no other cell of the table names a file of that name in a
    folder. Refused where a cell could be several inputs, or a bare name could be several of
    the table's files: the message asks for paths in the table."""
    from eegpt._logging import few

    if rows.files is None:
        return []
    given = list(dict.fromkeys(str(p) for p in inputs))
    cells = [cell.strip() for cell in rows.files]
    distinct = list(dict.fromkeys(cells))
    line_of: dict[str, int] = {}
    for line, cell in zip(rows.line_numbers(), cells, strict=True):
        line_of.setdefault(cell, line)
    tails = {g: _input_tails(g) for g in given}
    resolved = {g: _resolved(Path(g)) for g in given}
    folders = [path.parent, Path.cwd()]
    named: dict[str, str | None] = {}
    for cell in distinct:
        parts = _cell_parts(cell)
        if not parts:
            named[cell] = None
            continue
        if cell in given:
            named[cell] = cell
            continue
        places = [Path(cell)] if os.path.isabs(cell) else [f / cell for f in folders]
        same = [g for g in given for place in places
                if resolved[g] is not None and _resolved(place) == resolved[g]]  # fmt: skip
        if same:
            named[cell] = same[0]
            continue
        if os.path.isabs(cell) or ".." in parts:  # no tail: the file it is, or none given
            named[cell] = None
            continue
        hits = [g for g in given if any(t[-len(parts) :] == parts for t in tails[g])]
        if len(hits) > 1:
            what = "file name" if len(parts) == 1 else "path"
            raise ValueError(
                f"{path}, line {line_of[cell]}: the file {cell!r} in its 'file' column is "
                f"ambiguous: {len(hits)} of the inputs have that {what} ({few(hits, 5)}), so "
                "the rows cannot be told apart by input. Name each row's input in the 'file' "
                "column by as much of its path as tells it from the others (sub-01/ses-1/"
                "eeg-epo.fif), or by its path as given (as `eegpt probe predict` writes it)"
            )
        if hits and len(parts) == 1:
            others = [c for c in distinct if c != cell and _cell_parts(c)[-1:] == parts]
            if others:
                raise ValueError(
                    f"{path}, line {line_of[cell]}: the bare file name {cell!r} in its 'file' "
                    f"column is ambiguous: the table also names {few(others, 3)} (line "
                    f"{line_of[others[0]]}), a file of that name, so it may stand for "
                    f"another file than the input {hits[0]}. Give that input's rows its path "
                    "(as much of it as tells the files apart: sub-01/ses-1/eeg-epo.fif)"
                )
        named[cell] = hits[0] if hits else None
    return [named[cell] for cell in cells]


def _row_files(rows: _LabelRows, path: Path, sources: list[str]) -> list[str]:
    """The input each row's ``file`` cell names (:func:`_match_row_files`); refused where
    one names none of the inputs."""
    from eegpt._logging import few

    inputs = list(dict.fromkeys(sources))
    out = []
    matched = _match_row_files(rows, path, inputs)
    for line, cell, named in zip(rows.line_numbers(), rows.files or [], matched, strict=True):
        if named is None:
            raise ValueError(
                f"{path}, line {line}: the file {cell.strip()!r} is none of the inputs "
                f"({few(inputs, 5)}); its 'file' column says which input each row's epoch "
                "is of: give the inputs' paths there (as `eegpt probe predict` writes them)"
            )
        out.append(named)
    return out


def _rows_of_inputs(
    rows: _LabelRows, path: Path, inputs: Sequence[str]
) -> tuple[_LabelRows, dict[str, int]]:
    """The rows of the labels CSV ``path`` for ``inputs`` (the files given), and the number
    of rows left out for each other file its ``file`` column names (as written): a master
    file of all recordings, of which the command line gives some (leave-subjects-out). A row
    is for the input its ``file`` cell names (:func:`_match_row_files`: the input's path, a
    tail of it such as ``sub-01/ses-1/eeg-epo.fif``, or its file name where that is no
    other's). A file without a ``file`` column is returned whole."""
    if rows.files is None:
        return rows, {}
    cells = [cell.strip() for cell in rows.files]
    keep = [named is not None for named in _match_row_files(rows, path, inputs)]
    if all(keep):
        return rows, {}
    ignored: dict[str, int] = {}
    for cell, kept in zip(cells, keep, strict=True):
        if not kept:
            ignored[cell] = ignored.get(cell, 0) + 1
    idx = [k for k, kept in enumerate(keep) if kept]
    lines = rows.line_numbers()
    return dataclasses.replace(
        rows,
        labels=rows.labels[idx],
        numbers=None if rows.numbers is None else [rows.numbers[k] for k in idx],
        files=[rows.files[k] for k in idx],
        lines=[lines[k] for k in idx],
    ), ignored


def _ignored_text(ignored: Mapping[str, int], inputs: Sequence[str] = ()) -> str:
    """``"80 rows for 2 other files (sub-3-epo.fif, sub-4-epo.fif)"``: the rows of a labels
    CSV :func:`_rows_of_inputs` left out, with the files they were for (a few, each by its
    file name, or by as much of its path as tells it from the others and the ``inputs``:
    ``sub-02/ses-1/eeg-epo.fif``)."""
    from eegpt._logging import few
    from eegpt.probe_provenance import distinct_names

    n = sum(ignored.values())
    files = len(ignored)
    named = distinct_names([*ignored, *(str(p) for p in inputs if str(p) not in ignored)])
    return (
        f"{n} row{'' if n == 1 else 's'} for {files} other file{'' if files == 1 else 's'} "
        f"({few([named[c] for c in ignored], 5)})"
    )


def _refuse_inputs_without_rows(
    rows: _LabelRows, path: Path, inputs: Sequence[str], ignored: Mapping[str, int]
) -> None:
    """Refuse inputs of which a labels CSV whose ``file`` column named other files
    (``ignored``, left out by :func:`_rows_of_inputs`; ``rows``: those kept) has no row: a
    file name mistyped on one side or the other, which would otherwise leave its rows
    ignored. The message names the ignored files closest to each such input's name
    (:func:`difflib.get_close_matches`), by their cells."""
    import difflib

    if not ignored or rows.files is None:
        return
    named = set(_match_row_files(rows, path, inputs))
    missing = [p for p in dict.fromkeys(str(q) for q in inputs) if p not in named]
    if not missing:
        return
    by_name: dict[str, list[str]] = {}
    for cell in ignored:
        by_name.setdefault(Path(cell).name, []).append(cell)
    said = []
    for p in missing:
        close = difflib.get_close_matches(Path(p).name, list(by_name), n=3, cutoff=0.6)
        cells = [c for name in close for c in by_name[name]][:3]
        said.append(p + (f" (closest names there: {', '.join(cells)})" if cells else ""))
    raise ValueError(
        f"{path}: its 'file' column gives no row for {len(missing)} of the inputs: "
        f"{'; '.join(said)}; its {_ignored_text(ignored, inputs)} were ignored, as rows for "
        "files not given are. Check the file names: the 'file' column names each row's input "
        "by its path as given, by the end of its path (sub-01/ses-1/eeg-epo.fif: the folders "
        "a relative path names must be the input's), or by its file name alone"
    )


def labels_file_record(path: str | Path, inputs: Sequence[str | Path]) -> dict[str, Any]:
    """A ``--labels`` file as a probe or its output records it
    (:func:`eegpt.probe_provenance.file_record`), with ``rows_ignored`` where its ``file``
    column names files other than ``inputs`` (the files it labelled), whose rows were left
    out (:func:`_rows_of_inputs`): ``{"rows": 80, "files": 2, "names": [...]}``, the names
    of the first few of those files (their file names: no folder is recorded)."""
    from eegpt.probe_provenance import file_record

    record = file_record(path)
    _, ignored = _rows_of_inputs(_read_label_rows(Path(path)), Path(path), [str(p) for p in inputs])
    if ignored:
        names = list(dict.fromkeys(Path(c).name for c in ignored))
        record["rows_ignored"] = {
            "rows": sum(ignored.values()), "files": len(ignored),
            "names": names[:MAX_IGNORED_NAMES],
        }  # fmt: skip
    return record


#: How many of the files whose rows of a labels file were ignored its record names.
MAX_IGNORED_NAMES = 5


def _extra_rows_text(
    rows: _LabelRows, files: list[str], numbers: list[int], keys: list[tuple[str, int]]
) -> str:
    """``"; its rows for .../x.fif (named 'x.fif' there) number 40 to 79 besides ..."``: the
    rows of a labels CSV, more than the inputs have epochs, that number no epoch of the input
    their ``file`` cell names, or one another row numbers too (counted from 0 or from 1,
    whichever leaves fewer): as rows of several files of one name named by it alone are;
    "" where there are none."""
    from collections import Counter

    known = set(keys)
    best: dict[str, list[int]] | None = None
    for base in (0, 1):
        seen: Counter[tuple[str, int]] = Counter()
        extra: dict[str, list[int]] = {}
        for f, k in zip(files, numbers, strict=True):
            seen[(f, k - base)] += 1
            if (f, k - base) not in known or seen[(f, k - base)] > 1:
                extra.setdefault(f, []).append(k)
        if best is None or sum(map(len, extra.values())) < sum(map(len, best.values())):
            best = extra
    if not best:
        return ""
    cells: dict[str, set[str]] = {}
    for f, cell in zip(files, rows.files or [], strict=True):
        cells.setdefault(f, set()).add(cell.strip())
    said = "; ".join(
        f"{f} (named {', '.join(repr(c) for c in sorted(cells[f]))} there): {_numbers_text(ks)}"
        for f, ks in best.items()
    )
    bare = any(len(_cell_parts(c)) == 1 for f in best for c in cells[f])
    return (
        f"; its {rows.number_column!r} column numbers {sum(map(len, best.values()))} rows "
        f"beyond the epochs of the input their 'file' cell names ({said})"
        + (
            ": rows of epochs dropped (epochs.selection skips them: leave those rows out), or "
            "of several files of one name, named by the file name alone? Name each "
            "row's file by its path (as much of it as tells the files apart: "
            "sub-01/ses-1/eeg-epo.fif)"
            if bare
            else ""
        )
    )


def _count_mismatch_text(
    rows: _LabelRows, path: Path, sources: list[str], selection: list[int]
) -> str:
    """Why a labels CSV has another number of rows than the inputs have epochs, where its
    columns tell: rows numbering no epoch of the input they name, or one another row numbers
    too (where a ``file`` cell names it by its file name alone: rows of another file of that
    name, whose path the table should give), or the epochs (windows) its numbers leave without a row, counted from 0 or from 1
    (whichever leaves fewer); "" where they tell nothing. ``rows``: those of the inputs
    (rows for other files left out: :func:`_rows_of_inputs`)."""
    files = None
    if rows.files is not None:
        cells = [cell.strip() for cell in rows.files]
        matched = _match_row_files(rows, path, sources)
        files = [c if m is None else m for c, m in zip(cells, matched, strict=True)]
    if rows.numbers is None:
        return ""
    try:
        numbers = [int(cell.strip()) for cell in rows.numbers]
    except ValueError:
        return ""
    named = files is not None
    keys = [(src if named else "", int(i)) for src, i in zip(sources, selection, strict=True)]
    if len(set(keys)) < len(keys):
        return ""
    row_files = files if files is not None else [""] * len(numbers)
    if rows.files is not None and len(numbers) > len(keys):
        extra = _extra_rows_text(rows, row_files, numbers, keys)
        if extra:
            return extra
    best: list[tuple[str, int]] | None = None
    base_of_best = 0
    for base in (0, 1):
        given = {(f, k - base) for f, k in zip(row_files, numbers, strict=True)}
        missing = [key for key in keys if key not in given]
        if best is None or len(missing) < len(best):
            best, base_of_best = missing, base
    scheme = "from 0, as eegpt counts" if base_of_best == 0 else "from 1, as EEGLAB counts"
    if not best and len(numbers) > len(keys):  # every epoch has its row: which are extra
        known = set(keys)
        unknown = [k for f, k in zip(row_files, numbers, strict=True)
                   if (f, k - base_of_best) not in known]  # fmt: skip
        return (
            f"; its {rows.number_column!r} column numbers {len(unknown)} row(s) for epochs the "
            f"inputs do not have (counted {scheme}): {_numbers_text(unknown)}. The inputs number "
            "their epochs by MNE's epochs.selection, which skips dropped epochs: rows of "
            "dropped epochs, or of another file? Leave those rows out"
        )
    if not best:
        return ""
    by_file: dict[str, list[int]] = {}
    for f, k in best:
        by_file.setdefault(f, []).append(k + base_of_best)
    listed = "; ".join(
        (f"{Path(f).name}: " if f else "") + _numbers_text(ks) for f, ks in by_file.items()
    )
    return (
        f"; its {rows.number_column!r} column gives no row for {len(best)} epoch(s)/window(s) "
        f"of the inputs (numbered {scheme}): {listed}. Give every epoch a row"
    )


def _align_label_rows(
    rows: _LabelRows, path: Path, sources: list[str], selection: list[int]
) -> tuple[np.ndarray, list[int]]:
    """The labels of a labels CSV in the order of the epochs, and each epoch's line in the
    file. Rows are taken in order unless the file numbers them (an ``epoch`` or ``window``
    column, :func:`_read_label_rows`): then each row goes to the epoch of its number, counted
    from 0 (as eegpt counts: MNE's epoch numbers, the ``epoch`` of ``eegpt probe predict``) or
    from 1 (as EEGLAB and MATLAB count), whichever numbers the epochs of the inputs (in the
    input its ``file`` column names), with a warning that the rows are in another order.
    Numbers that match neither are refused, saying why."""
    from eegpt._logging import warn as _warn

    labels, lines = rows.labels, rows.line_numbers()
    if rows.numbers is None:
        return labels, lines
    numbers = _row_numbers(rows, path)
    files = _row_files(rows, path, sources) if rows.files is not None else [""] * len(numbers)
    named = rows.files is not None
    keys = [(src if named else "", int(i)) for src, i in zip(sources, selection, strict=True)]
    for base in (0, 1):
        ordered = [(f, k - base) for f, k in zip(files, numbers, strict=True)]
        if ordered == keys:  # the rows in the order of the epochs
            return labels, lines
        if len(set(keys)) == len(keys) and sorted(ordered) == sorted(keys):
            row_of = {key: j for j, key in enumerate(ordered)}
            order = [row_of[key] for key in keys]
            counted = "from 0, as eegpt counts" if base == 0 else "from 1, as EEGLAB counts"
            _warn(
                f"{path}: its rows are not in the order of the epochs; the labels go to the "
                f"epochs by its {rows.number_column!r} column (numbered {counted})"
            )
            return labels[order], [lines[j] for j in order]
    raise ValueError(_unaligned_text(rows, path, numbers, files, keys))


def _align_beyond_dropped(
    rows: _LabelRows, path: Path, sources: list[str], selection: list[int]
) -> tuple[np.ndarray, list[int]] | None:
    """Where a labels CSV numbers its rows (``epoch``/``window``) and has rows for epochs the
    inputs lack (dropped: ``epochs.drop()``, ``reject=``, so ``epochs.selection`` skips their
    numbers), the labels of the inputs' epochs in their order and their lines, with a warning
    naming the rows left out; None where that is not so. Taken only where, counted from 0 or
    from 1 (one of them alone), every epoch has exactly one row and each other row numbers a
    gap between an input's own epoch numbers: rows past an input's last epoch (another
    recording's, or windows of another length) stay an error."""
    from collections import Counter

    if rows.numbers is None or len(rows.labels) <= len(selection):
        return None
    try:
        numbers = [int(cell.strip()) for cell in rows.numbers]
        files = _row_files(rows, path, sources) if rows.files is not None else [""] * len(numbers)
    except ValueError:
        return None  # refused with the count, then by _align_label_rows
    named = rows.files is not None
    keys = [(src if named else "", int(i)) for src, i in zip(sources, selection, strict=True)]
    if len(set(keys)) < len(keys):
        return None
    span: dict[str, tuple[int, int]] = {}
    for f, k in keys:
        lo, hi = span.get(f, (k, k))
        span[f] = (min(lo, k), max(hi, k))
    fits = []
    known = set(keys)
    for base in (0, 1):
        ordered = [(f, k - base) for f, k in zip(files, numbers, strict=True)]
        counts = Counter(ordered)
        extra = [j for j, key in enumerate(ordered) if key not in known]
        in_gaps = all(
            f in span and span[f][0] < k < span[f][1] for f, k in (ordered[j] for j in extra)
        )
        if all(counts[key] == 1 for key in keys) and in_gaps:
            fits.append((base, extra, {key: j for j, key in enumerate(ordered)}))
    if len(fits) != 1:
        return None
    base, extra, row_of = fits[0]
    _warn_dropped_rows(rows, path, base, [files[j] for j in extra], [numbers[j] for j in extra])
    order = [row_of[key] for key in keys]
    lines = rows.line_numbers()
    return rows.labels[order], [lines[j] for j in order]


def _warn_dropped_rows(
    rows: _LabelRows, path: Path, base: int, files: list[str], numbers: list[int]
) -> None:
    """Warn that the rows of a labels CSV numbering the epochs ``numbers`` (of the inputs
    ``files``, "" without a ``file`` column; counted from ``base``), which the inputs lack,
    are left out."""
    from eegpt._logging import warn as _warn

    by_file: dict[str, list[int]] = {}
    for f, k in zip(files, numbers, strict=True):
        by_file.setdefault(f, []).append(k)
    listed = "; ".join(
        (f"{Path(f).name}: " if f else "") + _numbers_text(ks) for f, ks in by_file.items()
    )
    counted = "from 0, as eegpt counts" if base == 0 else "from 1, as EEGLAB counts"
    _warn(
        f"{path}: {len(numbers)} of its {len(rows.labels)} rows number epochs the inputs do "
        f"not have (its {rows.number_column!r} column, counted {counted}: {listed}), left out: "
        "the inputs number their epochs by MNE's epochs.selection, which skips the epochs "
        "dropped (epochs.drop(), reject=, drop_bad()). The other rows go to the epochs by "
        "number; if those epochs were not dropped, the rows are another file's"
    )


def _unaligned_text(
    rows: _LabelRows,
    path: Path,
    numbers: list[int],
    files: list[str],
    keys: list[tuple[str, int]],
) -> str:
    """Why the epoch numbers of a labels CSV match the epochs of the inputs neither counted
    from 0 nor from 1."""
    from collections import Counter

    column = rows.number_column
    if len(set(keys)) < len(keys):  # several inputs, each numbering its epochs
        return (
            f"{path}: its {column!r} column numbers the epochs, but the inputs each number "
            "their own epochs and the file has no 'file' column to say whose epoch each row is "
            "(nor are its rows in the order of the inputs' epochs); "
            "add a 'file' column with each row's input (as `eegpt probe predict` writes), or "
            f"leave the {column!r} column out and put the rows in the order of the epochs of "
            "the inputs"
        )
    if any(files):  # a 'file' column: each input's rows against its own epochs
        return _unaligned_files_text(path, column, numbers, files, keys)
    selection = [k for _, k in keys]
    reasons = []
    for base, counted in ((0, "from 0, as eegpt counts"), (1, "from 1, as EEGLAB counts")):
        given = Counter((f, k - base) for f, k in zip(files, numbers, strict=True))
        doubled = [k + base for (_, k), times in given.items() if times > 1]
        unknown = [k + base for _, k in set(given) - set(keys)]
        why = (
            f"{_numbers_text(doubled)} twice"
            if doubled
            else f"{_numbers_text(unknown)} not among them"
        )
        reasons.append(f"{_numbers_text([k + base for k in selection])} counted {counted} ({why})")
    return (
        f"{path}: its {column!r} column numbers the rows {_numbers_text(numbers)}, which "
        f"matches the epochs of the inputs neither as {reasons[0]} nor as {reasons[1]}, so the "
        "labels cannot be told apart by epoch. Give one row per epoch of the inputs, numbered "
        f"as one of these, or leave the {column!r} column out to take the rows in the order "
        f"of the epochs. {SELECTION_NOTE}"
    )


#: How eegpt numbers the epochs of a file, for the errors of labels files that number them.
SELECTION_NOTE = (
    "eegpt numbers a file's epochs by MNE's epochs.selection (each epoch's index among the "
    "events it was cut from, counted from 0, as `eegpt probe predict` writes them in its "
    "'epoch' column), which keeps the gaps of epochs MNE dropped (by reject= or "
    "drop_bad()): number the rows so (e.g. from epochs.selection), not by position"
)


def _unaligned_files_text(
    path: Path,
    column: str | None,
    numbers: list[int],
    files: list[str],
    keys: list[tuple[str, int]],
) -> str:
    """Why the rows of a labels CSV with a ``file`` column match the epochs of the inputs
    neither counted from 0 nor from 1: for each input they do not match, its own epoch
    numbers (``epochs.selection``) and those its rows give that it lacks (or give twice)."""
    from collections import Counter

    own: dict[str, list[int]] = {}
    for f, k in keys:
        own.setdefault(f, []).append(k)
    given: dict[str, list[int]] = {f: [] for f in own}
    for f, k in zip(files, numbers, strict=True):
        given.setdefault(f, []).append(k)
    failing = {}
    for base in (0, 1):
        fails = []
        for f, epochs in own.items():
            counts = Counter(k - base for k in given.get(f, []))
            doubled = [k + base for k, times in counts.items() if times > 1]
            unknown = [k + base for k in set(counts) - set(epochs)]
            if doubled or unknown:
                fails.append((f, doubled, unknown))
        failing[base] = fails
    base = 0 if len(failing[0]) <= len(failing[1]) else 1
    counted = "from 0, as eegpt counts" if base == 0 else "from 1, as EEGLAB counts"
    shown = []
    for f, doubled, unknown in failing[base]:
        why = (
            f"{_numbers_text(doubled)} twice"
            if doubled
            else f"{_numbers_text(unknown)} not among them"
        )
        shown.append(
            f"{Path(f).name}: its rows are numbered {_numbers_text(given.get(f, []))}, its "
            f"epochs {_numbers_text([k + base for k in own[f]])} ({why})"
        )
    return (
        f"{path}: its {column!r} column matches the epochs of {len(failing[base])} of the "
        f"{len(own)} inputs neither counted from 0 nor from 1 (counted {counted}: "
        + "; ".join(shown)
        + f"), so the labels cannot be told apart by epoch. {SELECTION_NOTE}; or leave the "
        f"{column!r} column out to take the rows in the order of the epochs"
    )


def _check_csv_labels(
    y: np.ndarray, path: Path, sources: list[str], selection: list[int], lines: list[int]
) -> None:
    """Refuse rows of a labels CSV without a label (None, see :func:`_read_label_rows`), as
    ``train_probe`` refuses ``y`` with None: a blank cell is no class. ``lines``: each epoch's
    line in the file."""
    from eegpt._logging import few

    missing = [i for i, v in enumerate(y.tolist()) if v is None]
    if missing:
        shown = few(
            [f"line {lines[i]}: {Path(sources[i]).name} epoch {selection[i]}" for i in missing],
            5,
        )
        raise ValueError(
            f"{len(missing)} of {len(y)} epochs have no label in the 'label' column of {path} "
            f"({shown}; a blank cell, n/a, NA or nan is a missing label); give every epoch a "
            "label there, or leave those epochs out of the inputs and their rows out of the "
            "file (in Python: epochs[keep].save(...)) first (probe evaluate: --skip-unknown "
            "leaves them out)"
        )


def _without_bad_windows(
    recording: Any,
    y: np.ndarray,
    sources: list[str],
    lines: list[int],
    bad: Mapping[str, np.ndarray],
) -> tuple[Any, np.ndarray, list[str], list[int]]:
    """The epochs of ``recording`` (from ``sources``, numbered by its ``selection``) but the
    windows of continuous recordings over bad annotations (``bad``: path -> mask over its
    windows), with their labels, sources and label-file lines."""
    selection = list(recording.selection)
    drop = np.array(
        [s in bad and bool(bad[s][k]) for s, k in zip(sources, selection, strict=True)],
        dtype=bool,
    )
    if not drop.any():
        return recording, y, sources, lines
    idx = np.flatnonzero(~drop)
    onsets = None if recording.onsets is None else recording.onsets[idx]
    kept = dataclasses.replace(
        recording, data=recording.data[idx], selection=[selection[i] for i in idx], onsets=onsets
    )
    return kept, y[idx], [sources[i] for i in idx], [lines[i] for i in idx]


def load_labelled_epochs(
    paths: Sequence[str | Path],
    labels: str | Path | None = None,
    *,
    label_column: str | None = None,
    column_optional: bool = False,
    require_labels: bool = True,
    keep_missing: bool = False,
    rescale: float = 1.0,
    rename: Rename | None = None,
    resample: Literal["polyphase", "nearest"] = "polyphase",
    windows: WindowLabelling | None = None,
    verbose: Any = None,
    keep: str | Sequence[str] | None = None,
    labels_option: str = "--labels",
    time_bases: dict[str, dict[str, Any]] | None = None,
    unlabelled_only: bool = False,
    preprocessing: Any = None,
) -> tuple[Any, np.ndarray | None, list[str]]:
    """Read and concatenate labelled epochs files (see the module docstring for the formats).

    Labels are the epochs' event names, or their ``label_column`` of ``epochs.metadata``
    (e.g. ``"condition"``), or the ``label`` column of the CSV file ``labels`` (one row per
    epoch of all files; a blank cell, ``n/a``, ``NA`` or ``nan`` is a missing label). Epochs
    without a label (a missing cell or metadata value) are an error, unless ``keep_missing``
    (their labels are then None) or ``require_labels`` is False; with ``column_optional``
    (the column a probe was trained on) files
    without it give no labels, ``.npz`` files their ``y``. ``rescale`` multiplies the samples
    (volts as read), for files in the wrong unit. Files
    with other channel names or rates are matched by electrode and resampled to 256 Hz with
    ``resample`` (:func:`eegpt.probe.merge_epochs`; ``rename`` applies where a name occurs,
    ``keep`` restricts the electrodes matched, as ``--keep-channels`` does).
    Continuous recordings are taken as ``windows`` says (:class:`WindowLabelling`): their
    consecutive windows labelled by their annotations. ``labels_option``: the option that
    gave ``labels``, as stderr names it (``--val-labels`` for ``--val-data``'s).
    ``time_bases``: a dict to fill with each file's time base (by its name as given,
    :func:`time_base_of`), for the clock of its onsets. ``unlabelled_only``: continuous
    recordings whose windows are all ``windows.unlabelled`` are taken, with a warning (for
    ``probe evaluate``'s false alarms on recordings without events), not refused.
    ``preprocessing``: a :class:`~eegpt.preprocessing.PreprocessingConfig` whose
    ``crop_tmin`` (``--crop``) crops each file's epochs to its window, before they are merged
    (their onsets then those of the cropped epochs).

    Returns
    -------
    recording : eegpt.io.Recording
        All epochs ``[n_epochs, C, T]`` in volts; ``selection`` holds each epoch's number in
        its own file (MNE's ``epochs.selection``), ``onsets`` its onset there in seconds (NaN
        for files without onsets, such as ``.npz``; None when no file has them).
    y : ndarray, shape (n_epochs,) | None
        Labels (``None`` only when ``require_labels`` is False and no file has any).
    sources : list of str
        The file each epoch came from.
    """
    from eegpt.io import Recording
    from eegpt.preprocessing import PreprocessingConfig
    from eegpt.probe_inputs import merge_epochs
    from eegpt.probe_labels import check_label_types, refuse_continuous_labels
    from eegpt.windowing import crop_epochs

    if not paths:
        raise ValueError("no input files given")
    recs, ys, sources = [], [], []
    if labels is not None and label_column is not None:
        raise ValueError("give labels either as a CSV (--labels) or as --label-column, not both")
    # a table of onsets and durations (or TUH's start and stop times) is refused first,
    # whatever its other columns: with a 'label' column and as many rows as windows it would
    # otherwise be read as one label per window, its onsets ignored
    table = None if labels is None else annotations_table_text(labels, labels_option)
    if table is not None:
        raise ValueError(f"{labels}: {table}")
    # the file read (its encoding checked) before any recording's line says it labels it
    label_rows = None if labels is None else _read_label_rows(user_path(labels))
    for p in paths:
        with unused_bads_quiet(keep, rename, verbose) as read:
            rec, y = _read_one(Path(p), verbose, label_column, column_optional, windows, resample)
            read.append(rec)
        recs.append(rec)
        ys.append(y)
        sources += [str(p)] * rec.data.shape[0]
        if time_bases is not None:
            time_bases[str(p)] = time_base_of(rec)
    _refuse_unmatched(paths, ys, windows, unlabelled_only)
    config = PreprocessingConfig(resample=resample)
    if preprocessing is not None and preprocessing.crop_tmin is not None:  # --crop
        config = dataclasses.replace(preprocessing, resample=resample)
        recs = [crop_epochs(r, config) for r in recs]
    merged = merge_epochs(
        recs,
        rename=rename,
        preprocessing=config,
        verbose=verbose,
        keep=keep,
    )
    data = merged.data * rescale if rescale != 1.0 else merged.data
    source = recs[0].source if len(recs) == 1 else f"{len(recs)} files"
    # each epoch's number in its own file as MNE counts it (epochs.selection: the `window` of
    # `eegpt embed`) and its onset there, for joining predictions to the trials
    selection = [int(i) for r in recs for i in (r.selection or range(r.data.shape[0]))]
    onsets = None  # NaN for the epochs of files without onsets (.npz)
    if any(r.onsets is not None for r in recs):
        onsets = np.concatenate([
            np.full(r.data.shape[0], np.nan) if r.onsets is None
            else np.asarray(r.onsets, dtype=np.float64)
            for r in recs
        ])  # fmt: skip
    recording = Recording(
        data, merged.ch_names, merged.sfreq, source=source, selection=selection, onsets=onsets,
        projectors=merged.projectors, bads=merged.bads, baseline=merged.baseline,
        tmin=merged.tmin, baseline_recorded=merged.baseline_recorded, units=merged.units,
        detrend=merged.detrend, detrend_recorded=merged.detrend_recorded,
        rescaled=rescale,  # the amplitude advice counts it: the correction of the files' samples
    )  # fmt: skip
    n = data.shape[0]
    if labels is not None and label_rows is not None:
        inputs = [str(p) for p in paths]
        rows, ignored = _rows_of_inputs(label_rows, Path(labels), inputs)
        _refuse_inputs_without_rows(rows, Path(labels), inputs, ignored)
        if ignored:  # a master file of more recordings than given
            print(
                f"labels from {labels} ({labels_option}): ignored its "
                f"{_ignored_text(ignored, inputs)}, "
                "not among the inputs",
                file=sys.stderr,
            )
        y = rows.labels
        _warn_unread_numbers(rows, Path(labels), selection)
        beyond = _align_beyond_dropped(rows, Path(labels), sources, selection)
        if len(y) != n and beyond is None:
            lines = rows.line_numbers()
            blank = [lines[k] for k, v in enumerate(y.tolist()) if v is None]  # file lines
            raise ValueError(
                f"{labels} has {len(y)} labels for {n} epochs in the inputs"
                + (
                    f"; {len(blank)} of them missing (a blank line or cell, n/a ...: lines "
                    f"{', '.join(map(str, blank[:5]))}{' ...' if len(blank) > 5 else ''}): "
                    "remove the lines that stand for no epoch"
                    if blank
                    else ""
                )
                + _count_mismatch_text(rows, Path(labels), sources, selection)
            )
        y, lines = beyond or _align_label_rows(rows, Path(labels), sources, selection)
        if windows is not None and windows.bad:  # matched to all windows: now the bad out
            recording, y, sources, lines = _without_bad_windows(
                recording, y, sources, lines, windows.bad
            )
            selection = cast(list[int], recording.selection)
        if require_labels and not keep_missing:
            _check_csv_labels(y, Path(labels), sources, selection, lines)
        if require_labels:  # text as read: '21.9' is no class either
            refuse_continuous_labels(y.tolist(), f"the 'label' column of {labels}")
        counts = {c: int(sum(1 for v in y.tolist() if v == c)) for c in dict.fromkeys(y.tolist())}
        print(
            f"labels from {labels} ({labels_option}), {len(y)} epochs/windows: "
            + ", ".join(f"{'(no label)' if c is None else repr(c)} {k}" for c, k in counts.items()),
            file=sys.stderr,
        )
    elif all(v is not None for v in ys):
        check_label_types([v for part in ys for v in np.asarray(part).tolist()], " of the files")
        y = np.concatenate([np.asarray(v) for v in ys])
        if label_column is not None and require_labels:
            _check_column_labels(y, sources, selection, label_column, keep_missing)
        elif require_labels:
            refuse_continuous_labels(y.tolist(), "the labels of the inputs (y of .npz files)")
    elif require_labels:
        unlabelled = [str(p) for p, v in zip(paths, ys, strict=True) if v is None]
        arrays = [p for p in unlabelled if p.endswith(".npz")]
        if column_optional and len(arrays) < len(unlabelled):
            raise ValueError(
                f"no labels for {unlabelled}: the probe was trained on labels from the "
                f"epochs' metadata column {label_column!r}, which they lack; give their "
                "labels with --labels CSV, or name another column with --label-column"
                + (f" (and add y to {arrays})" if arrays else "")
            )
        raise ValueError(f"no labels for {unlabelled}; add y to the .npz or pass --labels")
    elif any(v is not None for v in ys):  # predictions: the labels there are, None elsewhere
        y = np.concatenate([
            np.full(r.data.shape[0], None, dtype=object) if v is None
            else np.asarray(v, dtype=object)
            for r, v in zip(recs, ys, strict=True)
        ])  # fmt: skip
    else:
        y = None
    return recording, y, sources


def _is_continuous_input(path: Path) -> bool:
    """A file ``predict`` cuts into windows: neither epochs (``-epo.fif``, a ``.set`` of
    several trials) nor an ``.npz`` of epochs arrays."""
    from eegpt.io import may_hold_epochs

    return not (may_hold_epochs(path) or path.name.endswith(".npz"))


#: A recording's time base as embeddings' provenance records it (``first_time``,
#: ``meas_date``, ``clock``, ``record_clock``): :func:`eegpt.outputs.window_clock`'s metadata.
TimeBase = dict[str, Any]


def time_base_of(rec: Any) -> TimeBase:
    """The time base of a recording (:class:`eegpt.io.Recording`), as ``eegpt embed`` records
    it in the embeddings' provenance."""
    base: TimeBase = {}
    for key in ("first_time", "meas_date"):
        value = getattr(rec, key, None)
        if value is not None:
            base[key] = value
    if base.get("meas_date") and getattr(rec, "date_clock", None):
        base["clock"] = rec.date_clock
    if getattr(rec, "clock", None) is not None:
        base["record_clock"] = rec.clock.to_dict()
    return base
