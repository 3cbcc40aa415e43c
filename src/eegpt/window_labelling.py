"""``--window-labels``: how ``eegpt probe`` labels the windows of a continuous recording.

:class:`WindowLabelling` says how a continuous recording's windows are cut and labelled (by its
annotations matching ``--window-labels``, or by the rows of a ``--labels`` file), with the
options that give it on the command line (:func:`labelling_options`,
:func:`parse_window_labels`, ``--marker-spans``: :func:`parse_marker_spans`), where its windows
start (``--start``: :func:`start_given`, :func:`first_labelling_onset`) and the check of the
``--annotations`` files given with the recordings (:func:`check_annotation_files`). The windows
themselves are cut by :mod:`eegpt.continuous_windows`.
"""

from __future__ import annotations

import dataclasses
import os
import re
import shlex
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, Literal

import numpy as np

from eegpt._filenames import same_recording as _same_recording
from eegpt.cli_options import START_FROM_ANNOTATIONS
from eegpt.preprocessing_spec import DEFAULT_MIN_OVERLAP, FIELD_DEFAULTS


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
    #: ``--start annotations`` taken from the probe's training (``probe predict`` and
    #: ``evaluate`` without ``--start``: :func:`eegpt.probe_cli_inputs.adopt_start`): a
    #: recording with no annotation to start at (an unscored night) starts at its first
    #: sample, said (:func:`no_start_annotation_text`), rather than an error (given, it is one)
    start_adopted: bool = False
    #: the recordings :attr:`start_adopted` started at 0 s for want of an annotation (paths)
    unstarted: set[str] = dataclasses.field(default_factory=set, compare=False)
    #: ``-q``: the note of :attr:`unstarted` recordings is not shown
    quiet: bool = False
    #: the starts taken, recording path -> seconds (filled as the recordings are cut)
    taken: dict[str, float] = dataclasses.field(default_factory=dict, compare=False)
    #: the starts as given before they were moved onto a sample (``--start 17.3``, a first
    #: scored epoch's onset as annotated), recording path -> (seconds, the option that gave
    #: it), where the messages quote them (:func:`eegpt.windowing.start_text`)
    given: dict[str, tuple[float, str]] = dataclasses.field(default_factory=dict, compare=False)
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
    #: duration in s, onset in s) triples), filled as the recordings are cut: why none labels
    #: a window (markers of events, close together, are told to be cut into epochs)
    matched: dict[str, list[tuple[str, float, float]]] = dataclasses.field(
        default_factory=dict, compare=False
    )
    #: each recording's annotations that match :attr:`match` and last, yet lie in no window
    #: kept with their class (path -> (description, onset in s, class, why) tuples, why one of
    #: ``"tail"``, ``"start"`` or ``"bad"``:
    #: :func:`eegpt.continuous_windows.unscored_annotations`), filled as the recordings are cut
    unscored: dict[str, list[tuple[str, float, str, str]]] = dataclasses.field(
        default_factory=dict, compare=False
    )
    #: ``--marker-spans``: ``{state: regex}`` of state markers (annotations of no duration)
    #: made spans, each state to the next state marker, unscored marker (``'Sleep stage ?'``;
    #: not one :attr:`match` matches: it matches the spans' names, and a loose one such as
    #: ``EC|EO`` matches ``'ECG artifact'`` markers within a state) or the recording's end
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
    #: the warnings of loose patterns given (:func:`eegpt.annotations.patterns_warned_once`)
    #: and the notes of a start moved onto a sample (:meth:`start_of`): each once for all the
    #: recordings (shared with the ``--val-data`` labelling, a copy of this one)
    said: set[str] = dataclasses.field(default_factory=set, compare=False)
    #: recordings opened for streaming before their windows are cut (by ``probe evaluate``'s
    #: check of their own annotations, :func:`~eegpt.continuous_windows.open_for_windows`), by
    #: :func:`opened_key`: taken by :func:`~eegpt.continuous_windows._window_stream` instead of
    #: opening them again
    opened: dict[str, Any] = dataclasses.field(default_factory=dict, compare=False)
    #: the annotations (:meth:`annotations`) of recordings in :attr:`opened` made for that
    #: check, by :func:`opened_key`: taken by :func:`~eegpt.continuous_windows._window_stream`
    #: with the recording, not made again (its stim channel read once, its warnings given once)
    annotated: dict[str, Any] = dataclasses.field(default_factory=dict, compare=False)
    #: the ``eegpt probe`` command that labels the windows (``"train"``, ``"predict"``,
    #: ``"evaluate"``), whose options the warnings of :meth:`label` name
    command: str = "train"
    #: the probe's classes (as text) in ``predict`` and ``evaluate``; None in training
    classes: tuple[str, ...] | None = None
    #: run for Python (:mod:`eegpt.probe_scoring`: ``predict_table``, ``evaluate(epoch_seconds=)``),
    #: whose warnings name what Python takes, not the command's options
    python: bool = False

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
        (:func:`first_labelling_onset`), either moved to the nearest sample at ``sfreq``
        (Hz), the rate the windows are cut at (None: the model's 256 Hz, where train, evaluate
        and predict cut them), with a note where it moves
        (:func:`eegpt.preprocessing.start_on_grid`), given once for all the recordings
        (:attr:`said`: ``probe train``'s, ``--val-data`` ones too, and ``probe evaluate``'s
        recordings each said it). Recorded in :attr:`taken`, and as given in :attr:`given`.
        A recording without such an annotation is an error, or with the rule adopted from
        the probe's training (:attr:`start_adopted`) starts at 0 s, said on stderr
        (:func:`no_start_annotation_text`) and kept in :attr:`unstarted`."""
        import sys

        from eegpt.annotations import MODEL_SFREQ
        from eegpt.preprocessing import start_on_grid, starts_moved_once

        value = start_given(self.start_seconds, self.starts, source)
        what, option = "start_seconds", "--start"
        if (
            value == START_FROM_ANNOTATIONS
            and self.start_adopted
            and not has_labelling_onset(annotations, self.match)
        ):  # an unscored night: from its first sample, said
            self.unstarted.add(str(source))
            if not self.quiet:
                print(no_start_annotation_text(self, source), file=sys.stderr)
            value = 0.0
        elif value == START_FROM_ANNOTATIONS:  # each recording's own: the note names it
            value = first_labelling_onset(annotations, self.match, str(source), sfreq)
            what = f"{source}: its first scored epoch's onset (--start annotations)"
            option = "--start annotations"
        rate = MODEL_SFREQ if sfreq is None else float(sfreq)
        with starts_moved_once(self.said):
            start = start_on_grid(float(value), rate, what)
        self.taken[str(source)] = start
        self.given[str(source)] = (float(value), option)
        return start

    def label(
        self,
        annotations: Any,
        onsets: np.ndarray,
        length_s: float,
        source: Any = None,
        what: str = "windows",
        *,
        sfreq: float | None = None,
        resample: Literal["polyphase", "nearest"] = "polyphase",
    ) -> tuple[Any, Any]:
        """``(labels, over)`` of the windows at ``onsets`` (seconds from the first sample, of
        ``length_s``) of the recording ``source`` (named in warnings, which call the windows
        ``what``): each one's label (``unlabelled`` where no match covers half of it; object
        array) and the descriptions of the annotations over it (for the bad ones). ``sfreq``:
        the recording's own rate (Hz), resampled with ``resample`` to the model's, where the
        windows are cut: joins and cuts also belong to the windows the resampling filter
        reaches across them, as embed flags them
        (:func:`eegpt.annotation_overlap.resampled_window_annotations`); None: windows cut
        at the model's rate itself."""
        from eegpt.annotation_labels import CommandLabelling, labelled_by_command
        from eegpt.annotation_overlap import resampled_window_annotations
        from eegpt.annotations import patterns_warned_once, window_labels
        from eegpt.dataset_inputs import file_identity

        # with --unlabelled, a recording without the events is all unlabelled: nothing to say
        quiet = self.unlabelled is not None
        if not quiet and source is not None and (annotations is None or not len(annotations)):
            mine = file_identity(str(source))
            if not any(file_identity(r) == mine for r, _ in self.extra):
                option = "--val-annotations" if self.validation else "--annotations"
                no_annotations_warning(source, option)
                quiet = True  # said plainly: not the window_labels warning too
        # the warnings worded for this command line: its options, the probe's classes
        command = CommandLabelling(
            self.command,
            "" if self.match is None else labelling_options(self.match),
            None if self.classes is None else frozenset(self.classes),
            self.python,
        )
        with patterns_warned_once(self.said), labelled_by_command(command):
            labels = window_labels(
                annotations, onsets, length_s, match=self.match, min_overlap=self.min_overlap,
                source=None if source is None else str(source), what=what, unlabelled_ok=quiet,
                label_bad=True,  # bad windows labelled here: the callers leave them out by `over`
            )  # fmt: skip
        y = np.array([self.unlabelled if v is None else v for v in labels], dtype=object)
        model_sfreq = float(FIELD_DEFAULTS["sfreq"])
        over = resampled_window_annotations(
            annotations, onsets, length_s, sfreq=model_sfreq if sfreq is None else sfreq,
            new_sfreq=model_sfreq, resample=resample,
        )  # fmt: skip
        return y, over


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
    file's own recording (``rec_1.csv`` given for ``rec.edf`` beside ``rec_1.edf``: swapped).
    A Sleep-EDF hypnogram named as another given recording's night is refused too
    (``SC4021EH-Hypnogram.edf`` for ``SC4001E0-PSG.edf`` beside ``SC4021E0-PSG.edf``)."""
    from eegpt.annotations import recording_named

    paired = {r for r, _ in pairs}
    given = [r for r, _ in pairs] + [r for r in others if r not in paired]
    for recording, file in pairs:
        _check_sleep_edf_pair(recording, file, given, option)
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


def _check_sleep_edf_pair(recording: str, file: str, given: Sequence[str], option: str) -> None:
    """Refuse the Sleep-EDF hypnogram ``file`` given for the Sleep-EDF recording ``recording``
    when its name gives another night (:func:`eegpt.annotation_files.sleep_edf_mismatch`)
    and that night is another given recording's (swapped files). One of a night not given is
    warned of when it is read (:func:`eegpt.annotations.check_named`)."""
    from eegpt.annotation_files import sleep_edf_mismatch, sleep_edf_night

    night = sleep_edf_mismatch(file, recording)
    other = next((r for r in given if night and sleep_edf_night(r, "PSG") == night), None)
    if other is None:
        return
    raise ValueError(
        f"{option} {file} is the Sleep-EDF hypnogram of {night} (its name: subject and "
        f"night), but it is given for {recording}, the recording of "
        f"{sleep_edf_night(recording, 'PSG')} (by position: one file per continuous "
        f"recording, in their order); it is {other}'s: swapped? Give each recording its own "
        "annotations file, in the recordings' order."
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


def _labelling_onsets(annotations: Any, match: str | Mapping[str, str] | None) -> list[float]:
    """The onsets (s from the first sample) of the annotations of ``annotations`` (or None)
    that last and match ``match`` at or after the first sample: where ``--start
    annotations`` may start the windows (:func:`first_labelling_onset`)."""
    from eegpt.annotations import MODEL_SFREQ, label_rule

    label_of = label_rule(match)
    return [] if annotations is None else [
        float(t) for t, d, desc in zip(annotations.onset, annotations.duration,
                                       annotations.description, strict=True)
        if d > 0 and t > -0.5 / MODEL_SFREQ and label_of(str(desc)) is not None
    ]  # fmt: skip


def no_start_annotation_text(how: WindowLabelling, source: Any) -> str:
    """The note that the continuous recording ``source`` (its path), its windows cut with
    the training's ``--start annotations`` adopted (:attr:`WindowLabelling.start_adopted`),
    has no annotation of the labelling ``how`` to start at (a night not scored yet, or a
    hypnogram given whose stages the labelling does not match), so its windows start at its
    first sample; one without a hypnogram given is advised to give it."""
    from eegpt.dataset_inputs import file_identity

    mine = file_identity(source)
    given = next((a for r, a in how.extra if file_identity(r) == mine), None)
    where = f"its --annotations {given} hold none" if given is not None else "none in the file"
    return (
        f"{source}: no annotation matching {how.options} to start its windows at ({where}; "
        "the training's --start annotations): windows from 0 s; give --start SECONDS "
        + ("" if given is not None else "(or its hypnogram with --annotations FILE) ")
        + "to put them on its scoring grid"
    )


def has_labelling_onset(annotations: Any, match: str | Mapping[str, str] | None) -> bool:
    """Whether ``annotations`` (or None) hold an annotation ``--start annotations`` starts the
    windows at (:func:`first_labelling_onset` finds one rather than refusing)."""
    return bool(_labelling_onsets(annotations, match))


def first_labelling_onset(annotations: Any, match: str | Mapping[str, str] | None,
                          source: str, sfreq: float | None = None) -> float:  # fmt: skip
    """``--start annotations``: the onset (s from the first sample, as annotated) of the first
    annotation of ``annotations`` that lasts and matches ``match``
    (:func:`eegpt.annotations.label_rule`) at or after the first sample: a recording's first
    scored epoch. An error naming ``source`` without one. One between two samples at the
    rate windows are cut at is moved to the nearest where they are made, with a note, as a
    start given in seconds is (:func:`eegpt.preprocessing.start_on_grid`); ``sfreq`` is
    not used (kept for callers)."""
    onsets = _labelling_onsets(annotations, match)
    if not onsets:
        raise ValueError(
            f"{source}: --start annotations starts the windows at the first annotation matching "
            f"{labelling_options(match) if match is not None else '--window-labels'}, and it "
            "has none in the recording (give its hypnogram with --annotations FILE, or a start "
            "in seconds)"
        )
    return max(0.0, min(onsets))


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
            "its markers (e.g. --marker-spans 'EC=S +1$' --marker-spans 'EO=S +2$')"
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


def opened_key(path: str | os.PathLike) -> str:
    """The key of :attr:`WindowLabelling.opened`: ``path`` absolute, as given or written."""
    return os.path.abspath(Path(path).expanduser())
