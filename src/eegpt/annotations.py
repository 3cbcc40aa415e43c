"""Annotations of a continuous recording, window by window.

MNE keeps marked spans of a recording (artefacts, sleep stages, tasks) as ``raw.annotations``:
onset and duration in seconds and a description. A span whose description starts with
``"bad"`` in any case (``BAD_muscle``, ``bad blink``, MNE's ``BAD boundary`` where recordings
were concatenated) marks data that should not be used; MNE leaves such data out of epochs
(``reject_by_annotation=True``), and :func:`eegpt.embed` can leave such windows out too. So do
EEGLAB's ``boundary`` events (where data were cut out: a window over one splices two stretches
of signal), which MNE reads as plain ``boundary`` annotations, and BrainVision's ``New Segment``
markers after the first sample (the recording was paused there).

Here annotations are an ``mne.Annotations`` whose onsets are seconds from the recording's first
sample (``orig_time=None``), the time base of the window onsets of
:class:`~eegpt.outputs.Embeddings`. A window ``[onset, onset + length)`` carries an annotation
when the two overlap, as MNE decides for epochs: ``annotation onset < window end`` and
``annotation onset + duration > window onset``, so an annotation of zero duration counts
inside a window but not at its first sample.
"""

from __future__ import annotations

import contextlib
import contextvars
import csv
import datetime
import difflib
import os
import re
import shlex
from collections import Counter
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

import mne
import numpy as np

from eegpt._filenames import same_recording as _same_recording
from eegpt._logging import duration_text, few, ignored_warnings
from eegpt._logging import log as _log
from eegpt._logging import warn as _warn
from eegpt._rates import nominal_rate, taken_rate
from eegpt.errors import MissingFileError, RecordingError
from eegpt.preprocessing_spec import DEFAULT_MIN_OVERLAP as DEFAULT_MIN_OVERLAP
from eegpt.preprocessing_spec import FIELD_DEFAULTS
from eegpt.text_tables import is_number, table_head, table_text

__all__ = [
    "BadSpans",
    "WindowAnnotations",
    "annotate_windows",
    "annotations_of",
    "annotations_per_window",
    "bad_windows",
    "describe_bad",
    "file_offset",
    "in_recording_time",
    "is_bad",
    "markers_to_spans",
    "read_annotations",
    "window_annotations",
    "window_labels",
]


def annotations_of(raw: mne.io.BaseRaw) -> mne.Annotations | None:
    """The annotations of ``raw`` with onsets in seconds from its first sample, or None if it
    has none.

    MNE stores annotation onsets from the start of the acquisition (``meas_date``, or time 0
    when there is none), so a cropped recording or a FIF file with ``first_samp > 0`` has its
    first sample at ``raw.first_time``; that is subtracted here.

    A rate that a header's sampling interval of whole microseconds rounded (BrainVision's
    3906 µs, 256.016385 Hz as MNE reads it, for a 256 Hz amplifier) is taken as its nominal
    rate (:func:`eegpt._rates.nominal_rate`), as the samples are when resampled: MNE's
    seconds (``k / 256.016385`` for sample ``k``, a marker's position in the ``.vmrk``) are
    rescaled to ``k / 256``, the scale of the window onsets, so that a marker at sample ``k``
    falls in the window that holds sample ``k`` (0.23 s apart after an hour otherwise).
    """
    ann = raw.annotations
    if len(ann) == 0:
        return None
    return in_first_sample_time(ann, raw)


def in_first_sample_time(ann: mne.Annotations, raw: mne.io.BaseRaw) -> mne.Annotations:
    """Annotations in the time base of ``raw.annotations`` (seconds from the acquisition
    start) put in that of :func:`annotations_of`: seconds from ``raw``'s first sample, at its
    nominal rate; no ``orig_time``. Used for the recording's own and for those made of its
    stim channel (:func:`eegpt.stim_events.stim_annotations`)."""
    onset = np.asarray(ann.onset, dtype=np.float64) - raw.first_time
    duration = np.asarray(ann.duration, dtype=np.float64)
    sfreq = float(raw.info["sfreq"])
    nominal = nominal_rate(sfreq)
    if nominal is not None:  # in samples (whole ones kept whole), then at the nominal rate
        onset, duration = (_whole_samples(t * sfreq) / nominal for t in (onset, duration))
    return mne.Annotations(onset=onset, duration=duration, description=list(ann.description))


def _whole_samples(samples: np.ndarray) -> np.ndarray:
    """``samples`` (float64, any shape) with those within 1e-6 of a whole number made whole:
    a marker's sample position, which MNE's seconds times the rate miss by rounding."""
    whole = np.round(samples)
    return np.where(np.abs(samples - whole) < 1e-6, whole, samples)


def file_offset(raw: mne.io.BaseRaw) -> float:
    """Seconds from the first sample of ``raw``'s file to its first sample: how far into its
    file a Raw cropped after reading (``raw.crop(tmin=...)``) starts; 0 for one as read.

    A FIF file may start at ``first_samp > 0`` (its ``raw.first_time`` is then nonzero as
    read); other files and a :class:`mne.io.RawArray` start at sample 0, so there it is
    ``raw.first_time``. MNE has no public attribute for where a cropped FIF Raw's file starts:
    it is read from the reader's record of the file (:func:`_fif_file_start`), else from the
    file's header read again; where neither can be had, a warning says so and 0 is returned
    (onsets of annotation files counted from the Raw's first sample). A Raw resampled after
    reading keeps its place: the file's start is counted at the file's own rate.
    """
    if not isinstance(raw, mne.io.Raw):
        return float(raw.first_time)
    start = _fif_file_start(raw)
    return 0.0 if start is None else float(raw.first_time) - start


def _fif_file_start(raw: mne.io.Raw) -> float | None:
    """Seconds (MNE's ``first_time`` as read) at which the FIF file of ``raw`` (a Raw read from
    it, perhaps cropped or resampled since) starts; None where it cannot be told, with a
    warning.

    MNE keeps the file's first sample in the FIF reader's private
    ``raw._raw_extras[0]["bounds"][0]`` (MNE 1.x), counted at the file's rate, which a
    resampled Raw no longer has: the file's rate is read from its header
    (``mne.io.read_info``) where the Raw's may differ, a Raw with its data loaded (resampling
    loads them; a Raw streamed from its file has the file's rate, and no header is read). Should the record change, the file's
    header is read again (public ``mne.io.read_raw_fif``, without its data); where that fails
    too (the file is gone) the Raw is taken to start where its file does.
    """
    filenames = [f for f in getattr(raw, "filenames", None) or () if f is not None]
    try:
        first = int(raw._raw_extras[0]["bounds"][0])
    except (AttributeError, IndexError, KeyError, TypeError, ValueError):
        first = None
    if first is not None:
        sfreq = float(raw.info["sfreq"])
        # resampled since reading? The record counts the file's samples. A Raw whose data
        # are not loaded was not (MNE's resample loads them): its rate is the file's.
        if filenames and raw.preload:
            try:
                with ignored_warnings():
                    sfreq = float(mne.io.read_info(filenames[0], verbose="error")["sfreq"])
            except (OSError, ValueError, RuntimeError):
                pass
        return first / sfreq
    if filenames:
        try:
            with ignored_warnings():
                header = mne.io.read_raw_fif(
                    filenames[0], preload=False, allow_maxshield=True, verbose="error"
                )
            return float(header.first_time)
        except (OSError, ValueError, RuntimeError):
            pass
    _warn(
        "Cannot tell where in its FIF file this Raw starts (MNE's reader no longer records the "
        "file's first sample where eegpt looks for it, and the file could not be read again), "
        "so onsets of annotation files (CSV, TSV ...) are counted from the Raw's first sample, "
        "as if it had not been cropped. If it was cropped (raw.crop(tmin=...)), pass the "
        "annotations as mne.Annotations with onsets from the Raw's first sample, or read them "
        "with eegpt.annotations.read_annotations and subtract the crop's start from the onsets."
    )
    return None


def read_annotations(source: str | os.PathLike | mne.Annotations) -> mne.Annotations:
    """Annotations from a file MNE reads (``mne.read_annotations``: EDF+ annotation files
    such as Sleep-EDF's hypnograms, ``.csv``/``.txt`` of MNE, FIF, BrainVision ``.vmrk``,
    EEGLAB), a BIDS ``*_events.tsv``, a TUH EEG ``.csv``/``.csv_bi`` or ``.tse``/``.tse_bi``
    label file (:func:`read_table_annotations`), or an ``mne.Annotations`` as it is. A
    recording file (``.vhdr``, ``.set``, ``.fif``, ``.edf`` ...) gives the annotations MNE
    reads with it, onsets from its first sample as the recording's own annotations. Another
    kind of file (TUH's montage-based ``.lbl``) is refused with a list of those read.

    Those of an EDF+/BDF+ file get the file's start as their ``orig_time`` (MNE leaves it
    out), so that a hypnogram that starts at another time than its recording, or a cropped
    recording, is matched by clock time.
    """
    if isinstance(source, mne.Annotations):
        return source
    if not os.path.exists(Path(source).expanduser()):
        raise _missing_file(Path(source))
    if is_events_file(source):
        raise RecordingError(events_file_text(source))
    found = _bids_recording_annotations(source)
    if found is not None:
        return found
    found = _recording_edf_annotations(source)
    if found is not None:
        return found
    unread: RecordingError | None = None
    try:
        found = _recording_annotations(source)
    except RecordingError as err:  # not a recording after all (an -annot.fif): MNE's reader
        unread = err
    if found is not None:
        return found
    table_like = str(source).lower().endswith((".csv", ".tsv", ".txt"))
    if table_like or str(source).lower().endswith((".csv_bi", ".tse", ".tse_bi")):
        # onsets in seconds (MNE's own reader takes numbers in a .csv for milliseconds)
        found = read_table_annotations(source)
        if found is not None:
            return found
        if table_like and _is_eegpt_table(source):  # (a predictions table has epochs too)
            raise _unknown_format(source, EEGPT_TABLE_ADVICE)
        if table_like and _is_stage_list(source):  # MNE would fail on it with its own words
            raise _unknown_format(source, STAGE_LIST_ADVICE)
    try:
        found = mne.read_annotations(source)
    except Exception as err:  # noqa: BLE001 - any reader's failure, named with the file
        table = read_table_annotations(source)
        if table is None:
            if unread is None and "Unknown annotation file format" in str(err):  # MNE's words
                raise _unknown_format(source) from err
            if unread is None and table_like:  # none of the tables read: say which are
                raise _unknown_format(source, f"; MNE's reader said: {err}") from err
            why = err if unread is None else unread  # a recording's: why it could not be read
            raise RecordingError(f"could not read annotations from {source}: {why}") from err
        return table
    if found.orig_time is None and str(source).lower().endswith((".edf", ".bdf")):
        from eegpt.edf_files import edf_start_time, first_record_offset

        start = edf_start_time(source)
        if start is not None:  # MNE counts the onsets from the first record's start
            start += datetime.timedelta(seconds=first_record_offset(source))
            found = mne.Annotations(found.onset, found.duration, found.description, orig_time=start)
    return _marker_file_in_samples(found, source)


#: The endings of the names of MNE's events files (``mne.write_events``, ``mne.read_events``).
EVENTS_FILE_ENDINGS = tuple(
    f"{sep}eve{ext}" for sep in "-_" for ext in (".fif", ".fif.gz", ".lst", ".txt")
) + (".eve",)


def is_events_file(path: str | os.PathLike) -> bool:
    """Whether ``path`` is named as an MNE events file (``sub-01-eve.fif``, ``run.eve``: an
    array of sample numbers and event codes, :data:`EVENTS_FILE_ENDINGS`)."""
    return Path(path).name.lower().endswith(EVENTS_FILE_ENDINGS)


def events_file_text(path: str | os.PathLike) -> str:
    """Why the MNE events file ``path`` is not read as annotations, and how to use it."""
    return (
        f"{path} is an MNE events file (as mne.write_events writes it: one row per event of "
        "its sample number, counted as the recording's samples are, previous value and event "
        "code), not annotations: its samples become times only with the recording's rate, "
        "which the file does not hold. Make its events annotations of the recording in "
        "Python, then embed that: events = mne.read_events(PATH); raw.set_annotations("
        "raw.annotations + mne.annotations_from_events(events, raw.info['sfreq'], "
        "orig_time=raw.info['meas_date'])) (with orig_time given, pass no first_samp; for "
        "a recording without a measurement date, orig_time=None with "
        "first_samp=raw.first_samp; event_desc={CODE: 'NAME'} names the codes), then "
        "model.embed(raw), or raw.save("
        "'rec_raw.fif') for eegpt embed; or write them as a table of onset (s from the "
        "first sample), duration and value: pd.DataFrame({'onset': (events[:, 0] - "
        "raw.first_samp) / raw.info['sfreq'], 'duration': 0, 'value': events[:, 2]})."
        "to_csv('events.csv', index=False), for --annotations events.csv"
    )


#: The annotation files :func:`read_annotations` reads, for the error on another kind.
ANNOTATION_FORMATS = (
    "TUH EEG label files (.csv_bi, .csv, .tse, .tse_bi), BIDS *_events.tsv, tables of onset "
    "and duration in seconds with a description (.csv, .tsv, .txt), and what "
    "mne.read_annotations reads (EDF+/BDF+/GDF annotations such as Sleep-EDF hypnograms, "
    "MNE's .csv/.txt, -annot.fif, BrainVision .vmrk, EEGLAB .set, Curry, CNT, CTF .ds)"
)


#: How to turn a list of stages, one per scoring epoch, into a table eegpt reads.
STAGE_LIST_ADVICE = (
    "; a list of stages, one per scoring epoch (W, N1, N2 ... or a table of epoch and "
    "stage), holds no times: write it as a table of onset, duration and description, e.g. "
    "with pandas for 30 s epochs, the first at FIRST s (where scoring starts, e.g. at "
    "lights-off; 0 for the first sample): stages = pd.read_csv(path, header=None).iloc[:, "
    "-1]; pd.DataFrame({'onset': FIRST + 30.0 * np.arange(len(stages)), "
    "'duration': 30.0, 'description': stages}).to_csv('hypnogram.csv', index=False)"
)


#: How to give an events or predictions table of eegpt (``onset_s``, ``clock_s``) as annotations.
EEGPT_TABLE_ADVICE = (
    "; it looks like a table eegpt wrote (events or predictions: onset_s, clock_s), whose "
    "onset_s are seconds of recorded data (the gaps of an EDF+D file left out), while "
    "annotations are placed by the recording's clock: write a table of onset, duration and "
    "description from its clock_s (less the embeddings' metadata['first_time'] where that is "
    "not 0), e.g. with pandas: ev = pd.read_csv(path); pd.DataFrame({'onset': ev['clock_s'], "
    "'duration': ev.get('duration_s', 0), 'description': ev['class']}).to_csv('events.csv', "
    "index=False) (a predictions table: its windows' prediction as the description)"
)


def _is_eegpt_table(path: str | os.PathLike) -> bool:
    """Whether a table's header names both ``onset_s`` and ``clock_s``, as eegpt's events and
    predictions tables do."""
    try:
        head, _ = table_head(path, 4096)
    except (OSError, ValueError):
        return False
    line = next((ln for ln in head.splitlines() if ln.strip()), "")
    names = {name.strip().strip('"').lower() for name in re.split(r"[,;\t]", line)}
    return {"onset_s", "clock_s"} <= names


def _is_stage_list(path: str | os.PathLike) -> bool:
    """Whether a text file holds one value per line, or a table without onsets whose columns
    name epochs or stages (``epoch``, ``stage``): a scoring per epoch, which carries no
    times."""
    try:
        text = table_text(path)
    except (OSError, ValueError):
        return False
    lines = [line.strip() for line in text.splitlines() if line.strip() and line[0] != "#"]
    if not lines:
        return False
    if not any(d in line for line in lines for d in ",;\t"):
        return True  # one value per line: W, W, N1, ...
    header = {w.strip().strip('"').lower() for w in re.split(r"[,;\t]", lines[0])}
    return bool(header & {"stage", "stages", "sleep_stage", "epoch"}) and "onset" not in header


def _missing_file(path: Path) -> MissingFileError:
    """``annotations file not found`` for ``path``, with the working folder a relative path
    was looked for in and the names in its folder that come close (as for recordings)."""
    where = "" if path.is_absolute() else f" (looked for in the working folder {os.getcwd()})"
    folder = path.expanduser().parent
    names = sorted(p.name for p in folder.iterdir()) if folder.is_dir() else []
    close = difflib.get_close_matches(path.name, names, n=3, cutoff=0.6)
    hint = f"; did you mean {', '.join(str(path.parent / n) for n in close)}?" if close else ""
    return MissingFileError(f"annotations file not found: {path}{where}{hint}")


def _unknown_format(source: str | os.PathLike, more: str = "") -> RecordingError:
    """The error for an annotation file of a kind :func:`read_annotations` does not read,
    listing those it does (TUH's montage-based ``.lbl``: use the term-based labels); ``more``
    is added after it."""
    name = str(source)
    advice = more
    if name.lower().endswith((".lbl", ".lbl_bi")):
        advice = (
            "; TUH's montage-based .lbl files are not read: give the .tse or .csv_bi file of "
            "the same recording (its labels over time)"
        )
    return RecordingError(
        f"could not read annotations from {name}: it is none of the kinds eegpt reads: "
        f"{ANNOTATION_FORMATS}{advice}"
    )


def _recording_annotations(path: str | os.PathLike) -> mne.Annotations | None:
    """The annotations of a recording file other than EDF/BDF (BrainVision ``.vhdr``, EEGLAB
    ``.set``, FIF, GDF, CNT, an EGI ``.mff`` or CTF ``.ds`` folder) as MNE reads them with the
    recording, onsets from its first sample as the recording's own (:func:`annotations_of`);
    None for a file that is no recording (an annotation file: ``.vmrk``, ``.csv`` ...), an
    epochs file or an EDF/BDF file (:func:`_recording_edf_annotations`).

    Raises
    ------
    RecordingError
        If the file cannot be read as a recording (e.g. an ``-annot.fif`` file).
    """
    from eegpt.io import EEG_SUFFIXES, is_epochs_file, is_recording_folder, read_recording

    suffix = os.path.splitext(str(path))[1].lower()
    if suffix in (".edf", ".bdf") or is_epochs_file(path):
        return None
    if suffix not in EEG_SUFFIXES and not is_recording_folder(path):
        return None
    with ignored_warnings():  # the recording's reader warns about its body
        raw = read_recording(path, preload=False, verbose=False)
    found = annotations_of(raw)
    return mne.Annotations([], [], []) if found is None else found


def _marker_file_in_samples(found: mne.Annotations, source: str | os.PathLike) -> mne.Annotations:
    """The markers ``found`` of a BrainVision marker file ``source`` (``.vmrk``, read by MNE:
    onsets ``k / sfreq`` s for sample ``k`` at the rate of the header beside it) at the
    nominal rate of a rounded ``SamplingInterval`` (``k / 256`` s for 3906 µs:
    :func:`eegpt._rates.nominal_rate`), as the recording's own markers are
    (:func:`annotations_of`); as they are for another file or rate. Their onsets count the
    samples, paused or not (:func:`counts_samples`)."""
    if Path(source).suffix.lower() != ".vmrk":
        return found
    from eegpt.brainvision_files import marker_file_rate

    sfreq = marker_file_rate(Path(source).expanduser())
    nominal = None if sfreq is None else nominal_rate(sfreq)
    if sfreq is None or nominal is None:
        return found
    onset, duration = (
        _whole_samples(np.asarray(t, dtype=np.float64) * sfreq) / nominal
        for t in (found.onset, found.duration)
    )
    return mne.Annotations(
        onset, duration, found.description, orig_time=found.orig_time, ch_names=found.ch_names
    )


#: Files whose annotations count the samples of their recording (BrainVision markers: their
#: positions), not its clock: :func:`counts_samples`.
_SAMPLE_COUNTED = (".vmrk", ".vhdr", ".amrk", ".ahdr")


def counts_samples(source: Any) -> bool:
    """Whether the annotations of ``source`` (a file given as annotations) count the samples
    of their recording rather than its clock: a BrainVision marker file or header, whose
    markers are sample positions, so stay where they were recorded even in a recording
    paused and resumed (placed without its :class:`~eegpt.edf_files.RecordClock`), and land
    alike on a copy of it (a FIF file, a Raw) that has no clock."""
    return isinstance(source, (str, os.PathLike)) and (
        Path(source).suffix.lower() in _SAMPLE_COUNTED
    )


def _bids_recording_annotations(path: str | os.PathLike) -> mne.Annotations | None:
    """The annotations of a data file of a BIDS dataset (``sub-01_task-rest_eeg.edf`` under a
    folder with ``dataset_description.json``: :func:`eegpt.bids.bids_root`) as ``eegpt
    embed``, ``embed-dataset`` and ``probe train`` read them: the recording read with its
    sidecars by MNE-BIDS (:func:`eegpt.io.read_recording`), so its ``*_events.tsv`` events,
    onsets from its first sample (:func:`annotations_of`); empty where it has none; None for a
    file of no BIDS dataset.

    Raises
    ------
    RecordingError
        If the file cannot be read as a recording.
    ValueError
        If MNE-BIDS cannot read it with its sidecars (a corrupt ``*_events.tsv``).
    """
    from eegpt.bids import bids_root

    if bids_root(Path(path).expanduser()) is None:
        return None
    from eegpt.io import read_recording

    with ignored_warnings():  # the recording's reader warns about its body
        raw = read_recording(path, preload=False, verbose=False)
    found = annotations_of(raw)
    return mne.Annotations([], [], []) if found is None else found


def _recording_edf_annotations(path: str | os.PathLike) -> mne.Annotations | None:
    """The annotations of an EDF+/BDF+ recording (a file with data signals) from its
    annotation signals only, dated as :func:`read_annotations` dates them; None for another
    kind of file or an annotation-only EDF (a hypnogram), which MNE reads whole.

    ``mne.read_annotations`` scans every byte of an EDF file for annotation text, so on a
    recording it fails on sample bytes that are not UTF-8, or returns spans made of samples
    that happen to look like annotations."""
    if not str(path).lower().endswith((".edf", ".bdf")):
        return None
    from eegpt.edf_files import (
        AnnotationsOnlyError,
        check_edf_header,
        edf_start_time,
        read_edf_annotations,
        scan_edf_annotations,
    )

    try:
        with ignored_warnings():  # the recording's reader warns about its body
            header = check_edf_header(path)
    except AnnotationsOnlyError as err:  # a hypnogram: MNE reads it whole, if it is whole
        if err.truncated:
            raise RecordingError(
                f"could not read annotations from {path}: the file is truncated: "
                f"{err.truncated}, so some of its annotations are lost"
            ) from err
        return None
    except OSError:  # MNE says what fails
        return None
    except RecordingError as err:  # a damaged header: MNE would find no annotations in it
        raise RecordingError(f"could not read annotations from {path}: {err}") from err
    scan = scan_edf_annotations(path, header)  # once, for the annotations and their start
    found = read_edf_annotations(path, header, scan=scan)
    start = edf_start_time(path)
    if start is not None:  # onsets count from the first record's start, as the scan found it
        start += datetime.timedelta(seconds=scan.first or 0.0)
    return mne.Annotations(
        found.onset, found.duration, found.description, orig_time=start, ch_names=found.ch_names
    )


_CLOCK_TIME = re.compile(r"^\d{1,2}:\d{2}(:\d{2}(\.\d*)?)?$")  # 23:10:30, 00:30

#: An ISO 8601 date-time as a diary gives it: ``2026-11-03 23:58:41``, ``2026-11-03T23:58:41.5``,
#: seconds optional and to any precision; a zone (``Z``, ``+01:00``) or a date alone are told
#: apart, to be refused or warned of (:func:`_date_times`).
_DATE_TIME = re.compile(
    r"^(\d{4})-(\d{2})-(\d{2})"
    r"(?:[T ](\d{1,2}):(\d{2})(?::(\d{2})(?:[.,](\d+))?)?)?"
    r"\s*(Z|[+-]\d{2}(?::?\d{2})?)?$",
    re.IGNORECASE,
)


def _date_times(
    path: str | os.PathLike, onsets: Sequence[str], quiet: bool = False
) -> list[datetime.datetime | None] | None:
    """The onsets of a table as date-times without a zone (None where a row holds none, such
    as ``n/a``), to place on the recording's clock; None where none is an ISO 8601 date-time
    (another table). Seconds may be whole in some rows and fractional in others. A date
    without a time of day is read as midnight, with a warning (none with ``quiet``).

    Raises
    ------
    RecordingError
        If an onset carries a time zone (``Z``, ``+01:00``): the recording's clock has none
        (an EDF header keeps local time without one), so a moment in a zone cannot be found
        on it.
    """
    matches = [_DATE_TIME.match(text) for text in onsets]
    if not any(matches):
        return None
    zoned = [text for text, m in zip(onsets, matches, strict=True) if m and m.group(8)]
    if zoned:
        raise RecordingError(
            f"could not read annotations from {path}: {len(zoned)} of its onsets carry a time "
            f"zone ({few([repr(t) for t in zoned])}), but the recording's clock has none (an "
            "EDF header, as most, keeps the local time of its start without one), so they "
            "cannot be placed on it; write them as local times on the recording's clock, "
            "without a zone (2026-11-03 23:58:41)"
        )
    dated: list[datetime.datetime | None] = []
    for text, m in zip(onsets, matches, strict=True):
        if m is None:
            dated.append(None)
            continue
        year, month, day, hour, minute, second, fraction = m.group(1, 2, 3, 4, 5, 6, 7)
        try:
            date = datetime.datetime(
                int(year), int(month), int(day), int(hour or 0), int(minute or 0),
                int(second or 0), int(((fraction or "") + "000000")[:6]),
            )  # fmt: skip
        except ValueError as err:  # 2026-02-30, 25:00
            raise RecordingError(
                f"could not read annotations from {path}: its onset {text!r} is no date-time: {err}"
            ) from None
        dated.append(date)
    dates_alone = [t for t, m in zip(onsets, matches, strict=True) if m and m.group(4) is None]
    if dates_alone and not quiet:
        _warn(
            f"{path}: {len(dates_alone)} of its onsets are dates without a time of day "
            f"({few([repr(t) for t in dates_alone])}); they are placed at midnight starting "
            "that day. Give the time of day (2026-11-04 00:00:10) for them to land where they "
            "happened"
        )
    return dated


def read_table_annotations(path: str | os.PathLike) -> mne.Annotations | None:
    """Annotations from a table of events, onsets in seconds from the recording's first
    sample (no ``orig_time``); None when the file is not such a table.

    - BIDS ``*_events.tsv`` and tables alike (tab-, comma- or semicolon-separated ``onset``,
      ``duration`` in seconds; a table without ``duration``, a list of stimuli, is read as
      events of zero duration, with a warning naming the file; the description from
      ``trial_type``, else ``description``, else ``value``, else the first of the other
      names of :data:`DESCRIPTION_COLUMNS` (``label``, ``event``, ``condition``, ...; any
      case) that holds text (one of numeric
      codes alone, such as ``type`` = 5, is not read: :func:`table_description_column`),
      else ``event`` for every row, with a warning where the table has another column of
      text; where the column found is ``n/a`` (or blank) in every row, as BIDS writes a
      missing ``trial_type``, the next of these columns that holds values is read instead
      (said at INFO); where the column read holds numeric codes alone and another of these
      names holds text (``value`` = 1, 2 beside ``condition`` = left, right), the codes are
      read, with a warning naming the column of text; ``n/a`` durations are 0, rows with an
      ``n/a`` onset are left out). Onsets may be ISO 8601 date-times without a zone instead
      (a diary: ``2026-11-03 23:58:41``, seconds whole or fractional), read as times on the
      recording's clock: the first is the annotations' ``orig_time`` (a zone is refused, a
      date alone warned of: :func:`_date_times`); MNE's own ``.csv`` with ``ch_names`` is
      left to its reader;
    - TUH EEG label files (``.csv`` / ``.csv_bi``: ``#`` comment lines, then ``channel``,
      ``start_time``, ``stop_time``, ``label``), one annotation per labelled span. A file of
      several channels (TUSZ's per-channel ``.csv``, each channel's rows covering the
      recording with ``bckg`` or a seizure type) is read as TUH derives its term-based
      ``.csv_bi`` from it: the spans of one label are merged across channels (an event on
      any channel is an event of the recording; overlapping spans become one), and ``bckg``
      is kept only where no channel has an event, so that a window inside a seizure on two
      channels is not outweighed by the ``bckg`` of the others;
    - TUH EEG term-based label files of older TUSZ releases (``.tse`` / ``.tse_bi``: a
      ``version = tse_v1.0.0`` line, then ``start stop label confidence`` per line, separated
      by spaces), one annotation per line. As for ``.csv_bi``, times are seconds from the
      recording's start and the confidence is not kept.
    """
    return _read_table(path)[0]


def table_description_column(path: str | os.PathLike) -> tuple[bool, str | None]:
    """``(onsets, column)``: whether ``path`` is a table of onsets and durations (BIDS
    ``*_events.tsv`` and alike: :func:`read_table_annotations`), and the column its events'
    descriptions are read from, as its header writes it (None: none, each event is called
    ``event``), for the provenance of the annotations read from it. BIDS's ``trial_type``,
    ``description`` and ``value`` are read whatever they hold (as before eegpt looked for
    other names); the other names of :data:`DESCRIPTION_COLUMNS` only where they hold text,
    not numeric codes alone (``type`` = 5: rename it ``value`` to read the codes); a column
    ``n/a`` in every row gives way to the next that holds values. Nothing is said here (no
    warning or log: the reading of the annotations says it)."""
    found, column, _ = _read_table(path, quiet=True)
    if found is None or column is _NOT_ONSETS:
        return False, None
    return True, cast("str | None", column)


def names_read_otherwise(
    metadata: Mapping[str, Any], given: Any = None
) -> tuple[str | None, str] | None:
    """``(then, now)``: the column the events' names of the annotations table of an output
    (its ``metadata``: ``annotations_file``; ``given``: the file given now, if any, else that
    one) were read from by the eegpt that wrote it (None: none, each event ``event``) and the
    column they are read from now, where the two differ. ``then`` is the recorded
    ``annotations_column``; an output without it was written before eegpt looked beyond BIDS's
    ``trial_type``, ``description`` and ``value``, which it read whatever they held (a
    ``trial_type`` all ``n/a`` too, its events then each called ``n/a``): the first of these
    the table has. None where nothing changed or cannot be told (a file that is gone, not a
    table of onsets, or read alike), and where ``given`` is another file than the one recorded
    (another table, whose columns tell nothing of the recorded one's reading)."""
    recorded = metadata.get("annotations_file")
    used = given if isinstance(given, (str, os.PathLike)) else recorded
    if not used:
        return None
    if used is given and not (isinstance(recorded, str) and same_file(given, recorded)):
        return None
    try:
        found, column, older = _read_table(used, quiet=True)
    except Exception:  # noqa: BLE001 - unreadable now: nothing to compare
        return None
    if found is None or column is _NOT_ONSETS or column is None:
        return None
    then = metadata["annotations_column"] if "annotations_column" in metadata else older
    if then is not None and not isinstance(then, str):
        return None  # not a column eegpt recorded
    now = cast("str", column)
    return None if then == now else (then, now)


def read_otherwise_text(then: str | None, now: str) -> str:
    """``'label', each event 'event' before``: how :func:`names_read_otherwise`'s change reads
    in a warning."""
    was = "each event 'event'" if then is None else repr(then)
    return f"{now!r}, {was} before"


#: :func:`_read_table`'s column of a file that is no table of onsets (TUH's, or none).
_NOT_ONSETS = object()


def _read_table(
    path: str | os.PathLike, quiet: bool = False
) -> tuple[mne.Annotations | None, object, str | None]:
    """:func:`read_table_annotations`, the column of a table of onsets its descriptions
    were read from (None: none; :data:`_NOT_ONSETS` for other files), and the one the rule
    of eegpt before it looked beyond BIDS's names read them from (the first of
    :data:`BIDS_DESCRIPTION_COLUMNS` it has, whatever it holds; None: none). ``quiet``:
    no warning or log about the column read (for the provenance of a table read again)."""
    try:
        text = table_text(path)
    except OSError:
        return None, _NOT_ONSETS, None
    except ValueError as err:  # not UTF-8 (nor UTF-16): for a table, say so and how to convert
        if str(path).lower().endswith((".csv", ".tsv", ".txt", ".csv_bi", ".tse", ".tse_bi")):
            raise RecordingError(f"could not read annotations from {path}: {err}") from None
        return None, _NOT_ONSETS, None  # a file of MNE's formats that its reader could not read
    lines = [
        line
        for line in text.splitlines(keepends=True)
        if line.strip() and not line.lstrip().startswith("#")
    ]
    if not lines:
        return None, _NOT_ONSETS, None
    if _TSE_VERSION.match(lines[0]) or str(path).lower().endswith((".tse", ".tse_bi")):
        return _tse_annotations(lines), _NOT_ONSETS, None
    first = lines[0]
    delimiter = "\t" if "\t" in first else ";" if first.count(";") > first.count(",") else ","
    reader = csv.DictReader(lines, delimiter=delimiter)
    rows = list(reader)
    header = {name.strip().lower(): name for name in reader.fieldnames or []}

    def number(text: Any) -> float | None:
        try:
            value = float(str(text).strip())
        except ValueError:
            return None
        return value if np.isfinite(value) else None

    spans: dict[tuple[float, float, str], None] = {}
    older = next((header[k] for k in BIDS_DESCRIPTION_COLUMNS if k in header), None)
    if "onset" in header:  # BIDS, or onsets in seconds alike (without durations: markers)
        if not rows:
            return mne.Annotations([], [], []), None, older
        onsets = [str(row[header["onset"]]).strip() for row in rows]
        if not any(number(text) is not None for text in onsets):
            clock = next((t for t in onsets if _CLOCK_TIME.match(t)), None)
            if clock is not None:  # not MNE's date-times either: a time of day alone
                raise RecordingError(
                    f"could not read annotations from {path}: its onsets are clock times "
                    f"({clock!r}) without a date; give each its date (2026-11-03 {clock}: "
                    "a local time on the recording's clock, without a zone), or onsets in "
                    "seconds from the recording's start"
                )
            dated = _date_times(path, onsets, quiet)
            if dated is None or "ch_names" in header:  # MNE's .csv of channels: its reader
                return None, _NOT_ONSETS, None
            origin: datetime.datetime | None = next(d for d in dated if d is not None)
            from_start: list[float | None] = [
                None if d is None or origin is None else (d - origin).total_seconds() for d in dated
            ]
        else:
            origin, from_start = None, [number(text) for text in onsets]
        key = _description_column(header, rows)
        if key is not None and not _holds_values(key, rows):  # BIDS's n/a trial_type ...
            later = _filled_column_after(key, header, rows)
            if later is not None:
                if not quiet:
                    _log(
                        f"{path}: its column {key!r} is n/a (or blank) in every row; the "
                        f"events are named by {later!r}, the next of the columns that name "
                        "them holding values (text before codes)"
                    )
                key = later
        if "duration" not in header and not quiet:
            _warn(no_duration_text(path))
        if key is None and not quiet:
            _warn_unnamed_events(path, header, rows)
        elif key is not None and not quiet:
            _warn_coded_names(path, key, header, rows)
        for row, onset in zip(rows, from_start, strict=True):
            if onset is not None:
                text = "event" if key is None else str(row[key]).strip()
                spans[(onset, _duration(row, header, number), text)] = None
        if origin is not None:  # date-times: onsets from the first, which is the start
            found = _from_spans(spans)
            return (
                mne.Annotations(
                    found.onset, found.duration, found.description, orig_time=_utc(origin)
                ),
                key,
                older,
            )
    elif {"start_time", "stop_time", "label"} <= header.keys():  # TUH EEG
        by_channel: dict[str, list[tuple[float, float, str]]] = {}
        for row in rows:
            start, stop = number(row[header["start_time"]]), number(row[header["stop_time"]])
            if start is not None and stop is not None:
                channel = str(row.get(header.get("channel", ""), "") or "").strip()
                label = str(row[header["label"]]).strip()
                by_channel.setdefault(channel, []).append((start, stop, label))
        if len(by_channel) > 1:  # per-channel labels: the recording's events, as TUH's csv_bi
            return _from_spans(_recording_events(by_channel)), _NOT_ONSETS, None
        for start, stop, label in next(iter(by_channel.values()), []):
            spans[(start, stop - start, label)] = None
        return _from_spans(spans), _NOT_ONSETS, None
    else:
        return None, _NOT_ONSETS, None
    return _from_spans(spans), key, older


def _duration(
    row: Mapping[str, Any], header: Mapping[str, str], number: Callable[[Any], float | None]
) -> float:
    """The duration (s) of the event of a table's ``row``: its ``duration`` cell, 0 where
    that is ``n/a`` (or blank) or the table has no such column (a list of stimuli)."""
    if "duration" not in header:
        return 0.0
    return number(row[header["duration"]]) or 0.0


def no_duration_text(path: str | os.PathLike) -> str:
    """The warning that the table of onsets ``path`` has no ``duration`` column, so that its
    events are read as of zero duration."""
    return (
        f"{path}: the table has an 'onset' column but no 'duration' column, so its events are "
        "read as of zero duration (markers, as a list of stimuli is): each window lists those "
        "that fall in it among its annotations, but a marker covers too little of a window to "
        "label it (--window-labels). If the events last (stages, tasks, artefacts), add a "
        "'duration' column in seconds (0, or n/a, for those that do not)"
    )


#: The columns of a table of onsets (``onset``, ``duration``) that name its events, in the
#: order they are looked for (any case): BIDS's ``trial_type``, ``description`` (MNE's) and
#: ``value`` first, then the names a table made by hand tends to give them, each of these
#: only where it holds text (not numeric codes alone: :func:`_description_column`).
DESCRIPTION_COLUMNS: tuple[str, ...] = (
    "trial_type", "description", "value",
    "label", "event", "event_type", "condition", "annotation", "type", "name", "class",
    "stage",
)  # fmt: skip

#: The names of :data:`DESCRIPTION_COLUMNS` read whatever they hold, numbers too (BIDS's, read
#: before eegpt looked for the others); the others are read only where they hold text.
BIDS_DESCRIPTION_COLUMNS: tuple[str, ...] = ("trial_type", "description", "value")


def _description_column(header: Mapping[str, str], rows: Sequence[Mapping[str, Any]]) -> str | None:
    """The column (as ``header``, lower case -> as written, writes it) that names the events
    of a table of onsets: the first of :data:`DESCRIPTION_COLUMNS` it has, where one of
    :data:`BIDS_DESCRIPTION_COLUMNS` or holding text; a column of numeric codes alone under
    another name (``type`` = 5, a ``stage`` of 0-5) is not read, as before eegpt looked for
    those names (each event is then called ``event``). None: no such column."""
    for key in DESCRIPTION_COLUMNS:
        name = header.get(key)
        if name is None:
            continue
        if key in BIDS_DESCRIPTION_COLUMNS or _holds_text(name, rows):
            return name
    return None


def _filled_column_after(
    name: str, header: Mapping[str, str], rows: Sequence[Mapping[str, Any]]
) -> str | None:
    """The first column after ``name`` in the order of :data:`DESCRIPTION_COLUMNS` that
    :func:`_description_column` would read (one of :data:`BIDS_DESCRIPTION_COLUMNS`, or
    holding text) and that holds values (not n/a or blank alone), one holding text before
    one of codes alone (``label`` = left, right before ``value`` = 1, 2); None: none."""
    order = [(key, header.get(key)) for key in DESCRIPTION_COLUMNS]
    start = next(k for k, (_, column) in enumerate(order) if column == name) + 1
    later = [other for _, other in order[start:] if other is not None]
    texts = (other for other in later if _holds_text(other, rows))
    codes = (
        other for key, other in order[start:]
        if other is not None and key in BIDS_DESCRIPTION_COLUMNS and _holds_values(other, rows)
    )  # fmt: skip
    return next(texts, None) or next(codes, None)


def _cells(name: str, rows: Sequence[Mapping[str, Any]]) -> list[str]:
    """The cells of the column ``name`` of ``rows`` that hold a value (not blank or n/a)."""
    cells = (str(row.get(name) or "").strip() for row in rows)
    return [cell for cell in cells if cell and cell.lower() != "n/a"]


def _holds_values(name: str, rows: Sequence[Mapping[str, Any]]) -> bool:
    """Whether the column ``name`` of ``rows`` has a cell that is not blank or ``n/a``."""
    return bool(_cells(name, rows))


def _warn_coded_names(
    path: str | os.PathLike, name: str, header: Mapping[str, str], rows: Sequence[Mapping[str, Any]]
) -> None:
    """Warn where the column ``name`` that names the events of a table of onsets holds numeric
    codes alone and another column of :data:`DESCRIPTION_COLUMNS` holds text (``value`` = 1, 2
    beside ``condition`` = left, right): the codes are read (BIDS's own ``value`` is not set
    aside), the column of text is named with how to read it instead."""
    codes = list(dict.fromkeys(_cells(name, rows)))
    if not codes or not all(is_number(code) for code in codes):
        return
    other = next(
        (header[key] for key in DESCRIPTION_COLUMNS
         if key in header and header[key] != name and _holds_text(header[key], rows)),
        None,
    )  # fmt: skip
    if other is None:
        return
    names = list(dict.fromkeys(c for c in _cells(other, rows) if not is_number(c)))
    if name.strip().lower() == "trial_type":
        how = f"rename {name!r} to value and {other!r} to trial_type to use it"
    elif "trial_type" in header:  # n/a: a second trial_type column would not be read
        how = f"replace the n/a {header['trial_type']!r} column by {other!r} to use it"
    else:
        how = "rename it to trial_type to use it"
    _warn(
        f"{path}: the events are named by {name!r} (codes {few(codes, 5)}); {other!r} also "
        f"names them ({few(names, 5)}): {how}"
    )


def _holds_text(name: str, rows: Sequence[Mapping[str, Any]]) -> bool:
    """Whether the column ``name`` of ``rows`` has a cell of text (not blank, ``n/a`` or a
    number)."""
    cells = (str(row.get(name) or "").strip() for row in rows)
    return any(cell and cell.lower() != "n/a" and not is_number(cell) for cell in cells)


#: Columns of a BIDS ``*_events.tsv`` beside ``onset`` and ``duration`` that do not name the
#: events: a table of these alone calls each event ``event`` without a warning.
_NOT_NAMES = frozenset(
    {"sample", "response_time", "stim_file", "hed", "channel", "channels", "offset", "end",
     "stop", "confidence"}
)  # fmt: skip


#: Names of a column of trigger codes (numbers) besides :data:`DESCRIPTION_COLUMNS`: warned of
#: as not read by :func:`_warn_unnamed_events`
_CODE_COLUMNS = frozenset(
    {"trigger", "triggers", "code", "codes", "event_code", "trigger_code", "marker", "stim",
     "stimulus", "event_id", "id"}
)  # fmt: skip


def _warn_unnamed_events(
    path: str | os.PathLike, header: Mapping[str, str], rows: Sequence[Mapping[str, Any]]
) -> None:
    """Warn that a table of onsets names its events in no column it is known by
    (:data:`DESCRIPTION_COLUMNS`) where it has columns of text besides: each event is called
    ``event``, and the column holding the names should be renamed. Quiet for a table of onsets
    and durations alone, or with BIDS's other columns (``sample``, ``response_time``), as
    BIDS allows."""
    texts, codes = [], []
    for lower, name in header.items():
        if lower in {"onset", "duration"} or lower in _NOT_NAMES:
            continue
        if _holds_text(name, rows):
            texts.append(name)
        elif lower in DESCRIPTION_COLUMNS or lower in _CODE_COLUMNS:
            codes.append(name)  # numbers alone: trigger codes, as mne.find_events gives them
    if texts:
        _warn(
            f"{path}: no column names its events (looked for: {', '.join(DESCRIPTION_COLUMNS)}; "
            f"any case), so each is called 'event'; its column{'s' if len(texts) > 1 else ''} of "
            f"text {', '.join(repr(t) for t in texts)} {'are' if len(texts) > 1 else 'is'} not read: rename the one that names the "
            "events to 'description' (or 'trial_type')"
        )
    elif codes:
        _warn(
            f"{path}: no column names its events, so each is called 'event': its column"
            f"{'s' if len(codes) > 1 else ''} of numbers {', '.join(repr(c) for c in codes)} "
            f"{'are' if len(codes) > 1 else 'is'} not read as the events' names (numbers under "
            "that name are not taken for codes); to name the events by their codes (trigger "
            "codes, as mne.find_events gives them), rename the column to 'value', as BIDS "
            "names it"
        )


#: TUH's label of background, the time of a channel without an event.
TUH_BACKGROUND = "bckg"


def _recording_events(
    by_channel: Mapping[str, Sequence[tuple[float, float, str]]],
) -> dict[tuple[float, float, str], None]:
    """The events of a recording from TUH's per-channel labels (``channel -> (start_s,
    stop_s, label)`` rows), as TUH derives its term-based ``.csv_bi``: the spans of one label
    merged across channels (an event on any channel is an event of the recording), and
    ``bckg`` only where no channel has an event. ``(onset_s, duration_s, label)`` keys."""
    merged: dict[str, list[tuple[float, float]]] = {}
    for rows in by_channel.values():
        for start, stop, label in rows:
            if stop > start:
                merged.setdefault(label, []).append((start, stop))
    merged = {label: _merged_spans(spans) for label, spans in merged.items()}
    events = _merged_spans(
        [span for label, spans in merged.items() if label.lower() != TUH_BACKGROUND
         for span in spans]
    )  # fmt: skip
    out: dict[tuple[float, float, str], None] = {}
    for label, spans in merged.items():
        if label.lower() == TUH_BACKGROUND:
            spans = _without(spans, events)
        for start, stop in spans:
            out[(start, stop - start, label)] = None
    return out


def _merged_spans(spans: Sequence[tuple[float, float]]) -> list[tuple[float, float]]:
    """``(start, stop)`` spans merged where they overlap or touch, in time order."""
    out: list[tuple[float, float]] = []
    for start, stop in sorted(spans):
        if out and start <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], stop))
        else:
            out.append((start, stop))
    return out


def _without(
    spans: Sequence[tuple[float, float]], holes: Sequence[tuple[float, float]]
) -> list[tuple[float, float]]:
    """The parts of merged ``spans`` outside merged ``holes`` (both ``(start, stop)``, in
    time order)."""
    out: list[tuple[float, float]] = []
    for start, stop in spans:
        for lo, hi in holes:
            if hi <= start or lo >= stop:
                continue
            if lo > start:
                out.append((start, lo))
            start = max(start, hi)
            if start >= stop:
                break
        if start < stop:
            out.append((start, stop))
    return out


_BNAME = re.compile(
    r"^\s*#\s*bname\s*=\s*(\S+)\s*$", re.IGNORECASE
)  # "# bname = aaaaaajy_s001_t000"


def recording_named(path: str | os.PathLike) -> str | None:
    """The recording a TUH EEG label file (``.csv``, ``.csv_bi``, ``.tse``, ``.tse_bi``) names
    in its ``# bname = ...`` header line (the recording's file name without its suffix),
    None for another file or one without that line."""
    if not str(path).lower().endswith((".csv", ".csv_bi", ".tse", ".tse_bi")):
        return None
    size = 1 << 12  # a TUH header is a few hundred bytes; a label file may be megabytes
    while True:  # only the header is read (a longer head where it is longer)
        try:
            text, whole = table_head(path, size, legacy="latin-1")
        except (OSError, ValueError):
            return None
        for line in text.splitlines():
            if line.strip() and not line.lstrip().startswith("#"):
                return None  # the header is over
            found = _BNAME.match(line)
            if found:
                return found.group(1)
        if whole:
            return None
        size *= 8


def check_named(extra: Any, source: Any) -> None:
    """Warn when ``extra``, an annotations file joined to the recording ``source`` (its path
    or name: ``annotations=``, ``--annotations``, a manifest's ``annotations_file``,
    :meth:`eegpt.outputs.Embeddings.window_labels`), is a TUH label file whose ``# bname``
    line (:func:`recording_named`) names another recording than ``source``'s file stem, and
    whose own stem is not the recording's either: another patient's labels, unless the
    recording is a renamed (de-identified, BIDS-converted) copy. Nothing for
    ``mne.Annotations``, other files, or without a source or with an in-memory one
    (``"<Raw>"``, ``"<Epochs>"``, ``"<array>"``: no file name to compare)."""
    if not isinstance(extra, (str, os.PathLike)) or not source or str(source).startswith("<"):
        return
    from pathlib import Path

    named = recording_named(extra)
    stem = Path(str(source)).stem
    if named is None or _same_recording(named, stem) or _same_recording(Path(extra).stem, stem):
        return
    _warn(
        f"{extra} names the recording {named!r} (its '# bname' line), but it is joined to "
        f"{source}: taken as its labels (a renamed copy of {named}?); if it is another "
        "recording's, give this recording's own annotations file"
    )


def _from_spans(spans: Mapping[tuple[float, float, str], None]) -> mne.Annotations:
    """Annotations of ``(onset_s, duration_s, description)`` spans, in time order."""
    if not spans:
        return mne.Annotations([], [], [])
    onsets, durations, texts = zip(*sorted(spans), strict=True)
    return mne.Annotations(list(onsets), list(durations), list(texts))


_TSE_VERSION = re.compile(r"^\s*version\s*=\s*tse_v", re.IGNORECASE)  # version = tse_v1.0.0


def _tse_annotations(lines: Sequence[str]) -> mne.Annotations:
    """Annotations of the lines of a TUH ``.tse`` file, each ``start stop label [confidence]``
    (seconds from the recording's start); other lines (the ``version = tse_v1.0.0`` line)
    are left out, as rows without times are in the ``.csv_bi`` reader."""
    spans: dict[tuple[float, float, str], None] = {}
    for line in lines:
        fields = line.split()
        if len(fields) < 3:
            continue
        try:
            start, stop = float(fields[0]), float(fields[1])
        except ValueError:
            continue
        if np.isfinite(start) and np.isfinite(stop):
            spans[(start, stop - start, fields[2])] = None
    return _from_spans(spans)


def in_recording_time(
    annotations: mne.Annotations,
    meas_date: str | datetime.datetime | None,
    first_time: float,
    clock: Any = None,
    *,
    file_offset: float = 0.0,
) -> mne.Annotations:
    """``annotations`` with onsets in seconds from a recording's first sample (the time base
    of window onsets).

    Annotations that carry a start (``orig_time``, e.g. read from an EDF+ hypnogram) are placed
    against the recording's measurement date ``meas_date`` (a date without a time zone is
    taken as UTC, as MNE keeps dates); those without one count from the recording's first
    sample already (MNE's convention). So do those whose start lies within a year of
    1970-01-01 (unless the recording's does): MNE's ``Annotations.save`` writes annotations
    without a start to CSV as times from that moment (before it, for negative onsets), which
    read back as a start around 1970. ``first_time`` is the recording's first sample in
    seconds from its measurement start (``raw.first_time``). ``clock``: the
    :class:`eegpt.edf_files.RecordClock` of a discontinuous EDF+D/BDF+D recording, by which the
    annotations are placed in its samples (gaps left out).

    ``file_offset``: for annotations without a start read from a file (a ``.csv``/``.tsv``
    hypnogram, whose onsets count from the recording *file*'s first sample; also one MNE
    wrote with its 1970-01-01 stand-in start), seconds from
    that sample to the recording's first sample (:func:`file_offset`, nonzero for a Raw
    cropped after reading); it is subtracted, so that they land where the same annotations
    in EDF+ form (with a start) would. 0 (the default) keeps MNE's convention for
    ``orig_time=None``: onsets from the recording's first sample.
    """
    onsets = np.asarray(annotations.onset, dtype=np.float64)
    if isinstance(meas_date, str):
        meas_date = datetime.datetime.fromisoformat(meas_date)
    if meas_date is not None:
        meas_date = _utc(meas_date)
    placeholder = _near_unix_epoch(annotations.orig_time) and not (
        meas_date is not None and _near_unix_epoch(meas_date)
    )
    if placeholder:  # no start, written as times from 1970-01-01: as orig_time=None below
        onsets = onsets + (_utc(annotations.orig_time) - _EPOCH).total_seconds() - file_offset
    elif annotations.orig_time is not None:
        if meas_date is None:
            raise ValueError(
                "the annotations carry a start time (orig_time "
                f"{annotations.orig_time.isoformat()}) but the recording has no measurement "
                "date to place them against; give annotations without one (orig_time=None), "
                "onsets in seconds from the first sample"
            )
        shift = (_utc(annotations.orig_time) - meas_date).total_seconds()
        onsets = onsets + shift - first_time
    elif file_offset:
        onsets = onsets - file_offset
    placed = mne.Annotations(
        onset=onsets,
        duration=np.asarray(annotations.duration, dtype=np.float64),
        description=list(annotations.description),
    )
    return placed if clock is None else clock.to_sample_time(placed)


_EPOCH = datetime.datetime(1970, 1, 1, tzinfo=datetime.timezone.utc)


def _utc(date: datetime.datetime) -> datetime.datetime:
    return date if date.tzinfo is not None else date.replace(tzinfo=datetime.timezone.utc)


def _near_unix_epoch(date: datetime.datetime | None) -> bool:
    """Whether ``date`` lies within a year of 1970-01-01 (UTC), MNE's stand-in start."""
    return date is not None and abs((_utc(date) - _EPOCH).total_seconds()) < 366 * 86400


def _named(source: Any) -> str:
    """A file as its path, ``mne.Annotations`` as such, for messages."""
    return "mne.Annotations" if isinstance(source, mne.Annotations) else str(source)


MARKER_S = 0.01
"""Seconds an annotation may last and still be a marker of a moment (a stimulus, a response)
rather than a span: one sample at 100 Hz (MNE reads a BrainVision marker of size 1 as one
sample long)."""


def window_labels(
    annotations: mne.Annotations | None,
    onsets: np.ndarray,
    length_s: float,
    *,
    match: str | Mapping[str, str] | None = None,
    min_overlap: float = DEFAULT_MIN_OVERLAP,
    source: str | None = None,
    what: str = "windows",
    unlabelled_ok: bool = False,
    given: Any = None,
    end_s: float | None = None,
    slack_s: float = 0.0,
    bad: Sequence[bool] | np.ndarray | None = None,
    label_bad: bool = False,
) -> list[str | None]:
    """One label per window from annotations that span time (sleep stages, task blocks).

    Each window ``[onset, onset + length_s)`` takes the description (or, with a ``match``
    mapping, the class) whose annotations cover most of it, if they cover at least
    ``min_overlap`` of it; otherwise None. A window across a stage change takes the stage it
    holds more of (with ``min_overlap=0.5`` a 4 s window needs 2 s of it); with
    ``min_overlap=1`` only windows wholly inside one stage get a label.

    Ties: where two labels cover a window exactly alike, the one whose annotation over the
    window starts first in time wins (annotations are kept sorted by onset, then duration),
    whatever the labels' names or how rare they are. With a TUH ``.csv_bi`` of ``bckg`` over
    0-10 s and ``seiz`` over 10-17 s, the window from 8 to 12 s holds 2 s of each and is
    ``bckg``.

    A label on any overlap (seizure detection, where a window that touches a seizure counts
    as one): match that class only and give a tiny ``min_overlap``. Any value above 0 is
    taken, and one far below a sample's share of the window, such as ``1e-6``, asks for no
    more than some overlap: ``match={"seizure": "seiz|sz$"}, min_overlap=1e-6`` labels
    ``"seizure"`` every window a seizure annotation overlaps and leaves the others None.

    Bad windows get no label: a window that overlaps an annotation marked bad (:func:`is_bad`:
    ``BAD_muscle``, EEGLAB's ``boundary`` ..., by :func:`window_annotations`' rule, so those
    ``embed(..., reject_by_annotation=True)`` leaves out) is None, whatever covers it, as
    ``eegpt probe train --window-labels`` leaves such windows out of training; so
    ``emb[labels == "EC"]`` holds no artefact window. ``label_bad=True`` labels them too.

    Markers (stimuli, responses: annotations of no duration, or one sample as MNE reads a
    BrainVision marker) cover too little of a window to label it; each window lists those that
    fall in it among its annotations (:func:`window_annotations`), which select the windows
    (the warning when no window got a label gives the code). Markers of states (eyes closed,
    eyes open) become spans, each to the next state marker, with :func:`markers_to_spans`.

    Parameters
    ----------
    annotations : mne.Annotations | None
        Onsets in seconds from the recording's first sample, as the windows'
        (:func:`in_recording_time`, :func:`annotations_of`).
    onsets : ndarray of float64, shape (n_windows,)
        Window starts in seconds.
    length_s : float
        Window length in seconds.
    match : str | Mapping[str, str] | None
        A regular expression a description must contain (``re.search``), e.g.
        ``"^Sleep stage"``: each matching description is a label of its own; or classes,
        ``{label: regex}``, e.g. ``{"seizure": "fnsz|gnsz|cpsz", "background": "bckg"}``:
        a description takes the label of the first regex it contains, and the annotations of
        one class add up over a window (1.5 s of ``fnsz`` and 1 s of ``gnsz`` are 2.5 s of
        ``seizure``); None takes every annotation that lasts and is not bad (:func:`is_bad`).
        A code such as ``"769"`` also matches ``"17690"``, which contains it; such patterns,
        and a class's plain text that matches different descriptions, are warned of
        (:func:`warn_loose_patterns`): anchor them, ``{"left": "^769$"}``.
        A class covers a window by the union of its spans there: time under several of them
        (the same seizure in a recording's EDF+ annotations and in its ``.csv_bi``, or on two
        channels) counts once, so no class covers more than the window.
    min_overlap : float
        Fraction of a window, in ``(0, 1]``, the winning description must cover; a tiny one
        (``1e-6``) takes any overlap.
    source : str | None
        The recording, named at the start of the warning when the labelling annotations lie on
        a grid off the windows'.
    what : str
        What the windows are, in that warning (``"scoring epochs"``).
    unlabelled_ok : bool
        The caller labels the windows left None (``--unlabelled background``), or has said
        why none gets one: no warning (not even a recorded one) that no window got a label.
    given : Any
        What the annotations were given as (a path), named in the warning below.
    end_s, slack_s : float | None, float
        Where given, the recording's end in seconds from its first sample (and how far past
        it the recording may go on, where ``end_s`` is the end of its last window): annotations
        starting after it or lasting far longer than it (onsets in milliseconds or samples,
        which label every window alike: :func:`_outside_text`) are warned of, in the one
        warning ``embed(..., annotations=)`` gives (or in the one that no window got a label).
    bad : sequence of bool, shape (n_windows,) | None
        Windows known to be bad besides those over a bad one of ``annotations``
        (:attr:`eegpt.Embeddings.bad`: the recording's own bad annotations when the labels
        come from another file); they get no label either.
    label_bad : bool
        Label the bad windows as the others (False, the default: None, as the command line
        leaves them out).

    Returns
    -------
    list of str | None
        One per window.
    """
    if not 0 < min_overlap <= 1:
        raise ValueError(f"min_overlap must be in (0, 1], got {min_overlap!r}")
    onsets = np.asarray(onsets, dtype=np.float64)
    if isinstance(match, Mapping):
        match = dict(match)  # said as a dict in the warnings
    pieces: list[dict[str, list[tuple[float, float]]]] = [{} for _ in range(len(onsets))]
    matching: dict[str, float] = {}  # description -> longest duration, of those that match
    matched = 0  # matching annotations that last
    if annotations is not None and len(annotations) and len(onsets):
        label_of = label_rule(match)
        warn_loose_patterns([str(d) for d in annotations.description], match, "--window-labels")
        order = np.argsort(onsets, kind="stable")
        sorted_onsets = onsets[order]
        for start, duration, desc in zip(
            annotations.onset, annotations.duration, annotations.description, strict=True
        ):
            label = label_of(str(desc))
            if label is None:
                continue
            matching[str(desc)] = max(float(duration), matching.get(str(desc), 0.0))
            if duration <= 0:
                continue
            matched += 1
            end = start + duration
            first = np.searchsorted(sorted_onsets, start - length_s, side="right")
            last = np.searchsorted(sorted_onsets, end, side="left")
            for j in order[first:last]:
                lo, hi = max(start, onsets[j]), min(end, onsets[j] + length_s)
                if hi > lo:
                    pieces[j].setdefault(label, []).append((lo, hi))
    if annotations is not None and len(annotations) and len(onsets):
        _warn_off_grid(annotations, label_rule(match), onsets, length_s, source, what)
    need = min_overlap * length_s - 1e-9  # a sample's rounding is not a shortfall
    labels: list[str | None] = []
    for parts in pieces:
        cover = {label: union_length(spans) for label, spans in parts.items()}
        best = max(cover.items(), key=lambda item: item[1], default=(None, 0.0))
        labels.append(best[0] if best[1] >= need else None)
    over = window_annotations(annotations, onsets, length_s)
    flagged = bad_windows(over) if len(onsets) else np.zeros(0, dtype=bool)
    if bad is not None:
        flagged = flagged | np.asarray(bad, dtype=bool)
    unbad = labels  # the labels bad windows would have had, for the warning below
    if not label_bad and flagged.any():
        labels = [None if b else v for v, b in zip(labels, flagged, strict=True)]
    outside = ""
    if annotations is not None and len(annotations) and end_s is not None:
        outside = _outside_text(annotations, end_s, slack_s)
    # (where no window got a label, the warning of that says it, unless that is fine)
    told_below = not unlabelled_ok and len(onsets) and not any(labels)
    if outside and not told_below:
        _warn(_outside_warning(source or "", annotations, given, outside))
    if unlabelled_ok:
        return labels
    if any(unbad) and not any(labels):
        which = describe_bad(over) or "Embeddings.bad: the recording's own annotations"
        _warn(
            f"window_labels: no window got a label: the {sum(v is not None for v in unbad)} "
            f"that annotations label all overlap an annotation marked bad "
            f"({which}); bad windows get no label, as "
            "probe train --window-labels leaves them out (label_bad=True labels them)"
            + (f". Of the annotations, {outside}." if outside else "")
        )
    elif annotations is not None and len(annotations) and len(onsets) and not any(labels):
        said = "match=" + repr(match) if match else "as a label (not bad)"
        if matching and max(matching.values()) <= MARKER_S:  # markers, not spans of time
            why = _markers_text(matching, said, min_overlap, length_s)
        elif not matched:
            kinds = sorted({str(d) for d in annotations.description})
            why = (
                f"none of the {len(annotations)} annotations lasts and matches {said} "
                f"(descriptions: {', '.join(kinds[:8])}{', ...' if len(kinds) > 8 else ''}): "
                "right for a recording without such events (a seizure-free one), else check "
                "the pattern"
            )
        else:
            why = (
                f"the {matched} that match cover no window's {min_overlap:g} (another "
                f"recording's, or another time base?). {_where(annotations, onsets, length_s)}"
            )
        if outside:
            why += f" Of the {len(annotations)} annotations, {outside}."
        _warn(f"window_labels: no window got a label: {why}")
    elif (annotations is None or not len(annotations)) and len(onsets):
        _warn(f"window_labels: {_none_given_text(given)}")
    return labels


def _none_given_text(given: Any) -> str:
    """Why no window got a label where the annotations ``given`` hold none: for a recording's
    path, where they were looked for (the file's own annotations, and for a data file of a
    BIDS dataset its ``*_events.tsv`` sidecar, as :func:`read_annotations` reads them)."""
    from eegpt.formats import EEG_SUFFIXES, is_recording_folder

    if not isinstance(given, str | os.PathLike):
        path = None
    else:
        path = Path(given).expanduser()
    if path is None or not (
        path.suffix.lower() in EEG_SUFFIXES and path.is_file() or is_recording_folder(path)
    ):
        return (
            "the annotations given hold none, so no window got a label (an empty file, or not "
            "an annotation file?)"
        )
    from eegpt.bids import bids_root

    root = bids_root(path)
    where = (
        f"its own annotations and its BIDS *_events.tsv sidecar (of the dataset {root}: none "
        "found, or one without rows)"
        if root is not None
        else "its own annotations; it is in no BIDS dataset (no dataset_description.json "
        "above it, or not named like sub-01_task-rest_eeg.edf), so no *_events.tsv sidecar "
        "is read"
    )
    return (
        f"the recording {given} holds no annotations, so no window got a label (looked in "
        f"{where}); give its annotation file instead (a hypnogram, .vmrk, .csv, .tsv)"
    )


def markers_to_spans(
    annotations: mne.Annotations | mne.io.BaseRaw,
    states: Mapping[str, str],
    *,
    end: float | None = None,
) -> mne.Annotations:
    """Spans of time from markers of states, such as eyes-closed and eyes-open markers.

    Clinical systems often mark the moment a state begins (``EC`` when the eyes close, ``EO``
    when they open) with an annotation of no duration, which labels no window
    (:func:`window_labels` needs annotations that span time). Each state marker here becomes a
    span of its state from its onset to the next state marker (of any state) or, after the
    last one, to the recording's end; the time before the first marker is in no span. The
    other annotations (``BAD_`` spans, stimuli) are kept as they are, so bad windows stay bad.

    Parameters
    ----------
    annotations : mne.Annotations | mne.io.Raw
        The markers, or a Raw whose annotations they are (``raw.annotations``; its end, in
        the same time base, is then ``end``).
    states : Mapping[str, str]
        ``{state: regex}``: a description that contains the regex (``re.search``) is a
        marker of that state (the first that matches), e.g. ``{"EC": "^EC$", "EO": "^EO$"}``
        or ``{"closed": "(?i)eyes closed", "open": "(?i)eyes open"}``. The spans are
        described by the state's name. A regex matches every description that contains it:
        a code such as ``"276"`` also matches ``"32766"``; such patterns, and plain text that
        matches several different descriptions, are warned of (:func:`warn_loose_patterns`):
        anchor them, ``"^276$"``.
    end : float | None
        The recording's end in seconds, in the time base of the annotations' onsets
        (``raw.first_time + raw.n_times / raw.info["sfreq"]`` for ``raw.annotations``);
        needed for ``mne.Annotations``, taken from the Raw for a Raw.

    Returns
    -------
    mne.Annotations
        The spans (durations in seconds) and the other annotations, with the input's
        ``orig_time``: ``raw.set_annotations(markers_to_spans(raw, states))``, then
        ``emb.window_labels(raw, match=...)``. From a Raw without a measurement date
        (``orig_time`` None), onsets count from its first sample, as ``set_annotations`` and
        :func:`window_labels` take them (``raw.annotations`` reports them from sample 0, which
        differs where ``first_samp > 0``).
    """
    shift = 0.0  # seconds taken off the onsets, for raw.set_annotations (below)
    if isinstance(annotations, mne.io.BaseRaw):
        raw = annotations
        annotations = raw.annotations
        if annotations.orig_time is None:  # MNE reports these from sample 0 but sets them
            shift = raw.first_samp / raw.info["sfreq"]  # from the first sample
        if end is None:  # raw.annotations count from sample 0 (first_samp included)
            end = (raw.first_samp + raw.n_times) / raw.info["sfreq"]
    if end is None:
        raise ValueError(
            "markers_to_spans: give end=, the recording's end in seconds in the time base of "
            "the annotations (raw.first_time + raw.n_times / raw.info['sfreq'] for "
            "raw.annotations), or pass the Raw itself"
        )
    label_of = label_rule(states)
    marks = state_markers(annotations, states)
    warn_loose_patterns([str(d) for d in annotations.description], states, "--marker-spans")
    if not marks:
        names = sorted({str(d) for d in annotations.description})
        raise ValueError(
            f"markers_to_spans: no annotation matches the states {dict(states)!r} (the "
            f"descriptions: {few([repr(d) for d in names], 8) or 'none'})"
        )
    lasting = [i for i in marks if annotations.duration[i] > MARKER_S]
    if lasting:
        i = lasting[0]
        raise ValueError(
            f"markers_to_spans: {len(lasting)} annotation(s) matching the states already span "
            f"time ({annotations.description[i]!r} at {annotations.onset[i]:g} s lasts "
            f"{annotations.duration[i]:g} s): window_labels takes such annotations as they are"
        )
    onsets = np.asarray(annotations.onset, dtype=np.float64)[marks]
    order = np.argsort(onsets, kind="stable")
    onsets = onsets[order]
    labels = [str(label_of(str(annotations.description[marks[k]]))) for k in order]
    if onsets[-1] >= end:
        raise ValueError(
            f"markers_to_spans: the last state marker, at {onsets[-1]:g} s, is not before the "
            f"recording's end ({end:g} s): give end= in the annotations' time base"
        )
    stops = np.append(onsets[1:], end)
    keep = stops > onsets  # two markers at one moment: the later one holds
    taken = set(marks)
    spans = annotations[[i for i in range(len(annotations)) if i not in taken]]
    described = [v for v, k in zip(labels, keep, strict=True) if k]
    spans.append(onsets[keep], (stops - onsets)[keep], described)
    if shift:
        spans = mne.Annotations(
            spans.onset - shift, spans.duration, spans.description, ch_names=spans.ch_names
        )
    return spans


def state_markers(annotations: mne.Annotations | None, states: Mapping[str, str]) -> list[int]:
    """The indices of the annotations (``annotations``; None: none) whose description matches
    one of the states of ``states`` (``{state: regex}``, ``re.search``, as
    :func:`markers_to_spans` takes them): [] where the recording holds no state marker."""
    if annotations is None:
        return []
    label_of = label_rule(states)
    return [i for i, d in enumerate(annotations.description) if label_of(str(d)) is not None]


def markers_by_state(
    annotations: mne.Annotations | None, states: Mapping[str, str]
) -> dict[str, list[str]]:
    """The descriptions of the state markers of ``annotations`` by state (``{state: regex}``
    as :func:`markers_to_spans` takes them): ``{"EO": ["276", "32766"], "EC": ["277"]}``,
    each state's distinct descriptions sorted, a state without markers left out."""
    found: dict[str, set[str]] = {}
    label_of = label_rule(states)
    for i in state_markers(annotations, states):
        desc = str(cast(mne.Annotations, annotations).description[i])
        found.setdefault(str(label_of(desc)), set()).add(desc)
    return {state: sorted(found[state]) for state in states if state in found}


def markers_text(by_state: Mapping[str, Sequence[str]]) -> str:
    """``"state markers: 'EO' from '276', '32766'; 'EC' from '277'"``: which descriptions
    made each state's spans (:func:`markers_by_state`), for the line a labelling prints; ""
    where each state's markers are described by its name alone (``EC`` markers of ``EC``)."""
    if all(list(found) == [state] for state, found in by_state.items()):
        return ""
    return "state markers: " + "; ".join(
        f"{state!r} from {few([repr(d) for d in found], 5)}" for state, found in by_state.items()
    )


def marker_spans_of(
    recording: Any, annotations: mne.Annotations | None, states: Mapping[str, str]
) -> mne.Annotations:
    """The command line's ``--marker-spans``: :func:`markers_to_spans` of a continuous
    recording's annotations (``annotations``: its own with those of its ``--annotations`` file,
    onsets in seconds from its first sample, :func:`with_extra`), each state to the next state
    marker or the recording's end (its samples over its rate). The one place the probe
    commands and embed turn markers into spans. Its errors (no marker matches, markers that
    already last, a last marker past the end) name the recording and the option.

    Raises
    ------
    ValueError
        ``"rec.vhdr: --marker-spans 'EC=S  1$': no annotation matches ..."``.
    """
    if annotations is None:
        annotations = mne.Annotations([], [], [])
    end = _recording_end(recording, np.zeros(0), 0.0)
    try:
        return markers_to_spans(annotations, states, end=end)
    except ValueError as err:
        text = str(err).removeprefix("markers_to_spans: ")
        text = text.replace(
            "window_labels takes such annotations as they are",
            "--window-labels takes such annotations as they are: leave --marker-spans out",
        ).replace(
            "give end= in the annotations' time base",
            "the markers are another recording's, or their onsets in another time base?",
        )
        from eegpt.probe_label_files import marker_spans_options

        raise ValueError(f"{recording.source}: {marker_spans_options(states)}: {text}") from None


def union_length(spans: Sequence[tuple[float, float]]) -> float:
    """Seconds covered by the union of ``(start, end)`` spans (seconds, ``start < end``):
    time covered by several of them counts once."""
    total, reach = 0.0, -np.inf
    for start, end in sorted(spans):
        if end > reach:
            total += end - max(start, reach)
            reach = end
    return float(total)


#: The windows' sampling rate (the pretrained model's, PreprocessingConfig's default): a start
#: of windows is a whole number of its samples.
MODEL_SFREQ: float = float(FIELD_DEFAULTS["sfreq"])

GRID_TOLERANCE_S = 1e-4
"""Seconds by which onsets may miss a grid and still lie on it (below a sample at 5 kHz)."""

GRID_MIN_SPANS = 3
"""The fewest distinct labelling annotations, abutting one another, taken for a scoring grid
(a hypnogram's epochs) by the off-grid warning: one or two events are not one."""


def _phase(times: np.ndarray, length_s: float) -> float | None:
    """The one offset in ``[0, length_s)`` of all ``times`` (seconds) on a grid of
    ``length_s``, or None when they lie on no common grid."""
    phases = np.mod(np.asarray(times, dtype=np.float64), length_s)
    first = float(phases[0])
    gap = np.abs(phases - first)
    if np.all(np.minimum(gap, length_s - gap) <= GRID_TOLERANCE_S):
        return first if length_s - first > GRID_TOLERANCE_S else 0.0
    return None


def _warn_off_grid(
    annotations: mne.Annotations,
    label_of: Callable[[str], str | None],
    onsets: np.ndarray,
    length_s: float,
    source: str | None = None,
    what: str = "windows",
) -> None:
    """Warn when the annotations that label windows are scoring epochs of the windows'
    length on a grid (each lasting whole epochs, onsets ``phase + k * length_s``) that the
    windows are not on: then each window straddles two epochs (30 s windows from the first
    sample, a hypnogram from 17 s), and says the window start that puts them on it; the
    warning starts with ``source`` (the recording) where given and calls the windows
    ``what``. Only where they look like a scoring of the whole time (a hypnogram): at least
    :data:`GRID_MIN_SPANS` distinct spans (the same span from two sources, an EDF+ and its
    ``.csv_bi``, counted once), each starting or ending where another epoch-long annotation
    ends or starts; one or two events (a seizure lasting 40 s) are not a grid."""
    # span -> whether some description on it is a label (a stage epoch and an "Arousal" on
    # the same span: the span labels)
    every: dict[tuple[float, float], bool] = {}
    for start, duration, desc in zip(
        annotations.onset, annotations.duration, annotations.description, strict=True
    ):
        if duration > 0:
            span = (round(float(start), 6), round(float(duration), 6))
            every[span] = every.get(span, False) or label_of(str(desc)) is not None
    spans = sorted(span for span, labels in every.items() if labels)
    if len(spans) < GRID_MIN_SPANS or _phase(np.array([d for _, d in spans]), length_s) != 0.0:
        return  # not all whole epochs of the windows' length (Sleep-EDF: a stage's run)
    # where epochs of the grid start and end (those of labels left out too: "Sleep stage ?")
    whole = [(s, d) for s, d in every if _phase(np.array([d]), length_s) == 0.0]
    starts = np.sort(np.array([s for s, _ in whole], dtype=float))
    ends = np.sort(np.array([s + d for s, d in whole], dtype=float))

    def touches(at: np.ndarray, edges: np.ndarray) -> np.ndarray:
        """Whether each of ``at`` is within GRID_TOLERANCE_S of one of the sorted ``edges``."""
        if not len(edges):
            return np.zeros(len(at), dtype=bool)
        i = np.searchsorted(edges, at)
        near = np.minimum(
            np.abs(at - edges[np.clip(i - 1, 0, len(edges) - 1)]),
            np.abs(at - edges[np.clip(i, 0, len(edges) - 1)]),
        )
        return near <= GRID_TOLERANCE_S

    onset_of = np.array([s for s, _ in spans], dtype=float)
    end_of = np.array([s + d for s, d in spans], dtype=float)
    if not np.all(touches(onset_of, ends) | touches(end_of, starts)):
        return  # events apart from one another, not epochs scoring the time
    scored = _phase(np.array([s for s, _ in spans]), length_s)
    windows = _phase(onsets, length_s)
    if scored is None or windows is None:
        return
    off = (scored - windows) % length_s
    if min(off, length_s - off) < 1 / MODEL_SFREQ:  # within a sample of the windows' rate
        return
    start = min(s for s, _ in spans)
    start = start if start >= 0 else scored  # the first scored epoch in the recording
    start = round(start * MODEL_SFREQ) / MODEL_SFREQ  # a start the windows can take
    one = what[:-1] if what.endswith("s") else what
    _warn(
        ("" if source is None else f"{source}: ")
        + f"the {len(spans)} labelling annotations last whole multiples of {length_s:g} s, on a "
        f"grid of {length_s:g} s epochs from {min(s for s, _ in spans):g} s on (seconds from "
        f"the first sample), but the {what} "
        f"start at {float(np.min(onsets)):g} s: each {one} straddles two epochs, "
        f"{off:g} s of one and {length_s - off:g} s of the next, and takes the label it holds "
        f"more of. Start the {what} on the epochs: start_seconds={exact_seconds(start)} "
        f"(PreprocessingConfig; command line --start {exact_seconds(start)})"
    )


def exact_seconds(value: float) -> str:
    """``value`` written so that reading it back gives it exactly (``1.30078125``, not
    ``1.30078``, which ``--start`` refuses as no whole number of samples; ``3``, not
    ``3.0``)."""
    text = repr(float(value))
    return text[:-2] if text.endswith(".0") else text


def _markers_text(
    matching: Mapping[str, float], said: str, min_overlap: float, length_s: float
) -> str:
    """Why markers (annotations of no or little duration, ``matching``: description -> its
    longest duration in seconds) label no window, and how to use them instead."""
    longest = max(matching.values())
    names = list(matching)
    lasts = "have zero duration" if longest <= 0 else f"last at most {longest:g} s"
    return (
        f"the annotations that match {said} ({', '.join(map(repr, names[:5]))}"
        f"{', ...' if len(names) > 5 else ''}) {lasts}, less than a label needs "
        f"({min_overlap:g} of a {length_s:g} s window): markers such as stimuli and responses "
        "mark moments rather than span time. Markers of states (eyes closed, eyes open) label "
        "the time between them once turned into spans, each state from its marker to the next "
        "state marker or the recording's end: "
        f"raw.set_annotations(eegpt.annotations.markers_to_spans(raw, {states_of(names)!r})), "
        "then emb.window_labels(raw, ...) (the windows a marker falls in straddle a change of "
        "state). "
        "Each window lists the markers that fall in it among its annotations "
        f"(Embeddings.annotations), so {select_holding(names)} keeps the windows of stimuli. "
        f"For epochs around the markers, cut them from the Raw and embed the epochs: "
        f"{epochs_code(names, length_s)} (events of these descriptions only: others at the "
        f"same sample would stop MNE; MNE's tmax is inclusive: {length_s:g} s epochs)"
    )


def epochs_code(descriptions: Sequence[str], length_s: float) -> str:
    """The Python that cuts epochs of ``length_s`` seconds at the markers ``descriptions`` of
    ``raw`` (events of those alone, so other markers at the same sample, such as BCI-IV-2a's
    trial start ``768`` and rejection ``1023``, do not make MNE refuse the events as not
    unique) and embeds them with ``model``: windows of 1 s or less start 0.2 s before the
    marker (an ERP's baseline, MNE's default), longer ones at it (a trial's), unbaselined."""
    event_id = {str(d): k + 1 for k, d in enumerate(dict.fromkeys(descriptions))}
    tmin = -0.2 if length_s <= 1 else 0.0
    baseline = "" if tmin < 0 else ", baseline=None"
    return (
        f"events, event_id = mne.events_from_annotations(raw, event_id={event_id!r}); "
        f"epochs = mne.Epochs(raw, events, event_id, tmin={tmin:g}, "
        f"tmax={tmin + length_s:g} - 1 / raw.info['sfreq']{baseline}); "
        f"model.embed(epochs, window_seconds={length_s:g})"
    )


def states_of(descriptions: Sequence[str], limit: int = 5) -> dict[str, str]:
    """``{description: "^description$"}`` for the first ``limit`` of ``descriptions``: the
    ``states`` of :func:`markers_to_spans` that takes each as a state of its own."""
    return {str(d): f"^{re.escape(str(d))}$" for d in list(descriptions)[:limit]}


def select_holding(descriptions: Sequence[str], limit: int = 5) -> str:
    """The Python that selects the windows of embeddings ``emb`` whose annotations hold any of
    ``descriptions`` (the first ``limit``), with a boolean mask from ``emb.annotations``:
    ``"emb[['Stimulus/S  1' in a for a in emb.annotations]]"``."""
    names = [str(d) for d in descriptions][:limit]
    held = f"{names[0]!r} in a" if len(names) == 1 else f"any(d in a for d in {tuple(names)!r})"
    return f"emb[[{held} for a in emb.annotations]]"


def label_rule(match: str | Mapping[str, str] | None) -> Callable[[str], str | None]:
    """The label :func:`window_labels` gives an annotation by its description, None for none:
    the description itself where it contains the regular expression ``match`` (every
    description that is not bad for None); with ``{label: regex}``, the label of the first
    regex it contains."""
    if match is None:
        return lambda desc: None if is_bad(desc) else desc
    if isinstance(match, str):
        pattern = re.compile(match)
        return lambda desc: desc if pattern.search(desc) else None
    if not match:
        raise ValueError("match: give at least one {label: regex}")
    rules = [(str(label), re.compile(regex)) for label, regex in match.items()]
    return lambda desc: next((label for label, rx in rules if rx.search(desc)), None)


#: The texts of :func:`warn_loose_patterns`' warnings given inside
#: :func:`patterns_warned_once` (None outside: each call warns).
_PATTERNS_SAID: contextvars.ContextVar[set[str] | None] = contextvars.ContextVar(
    "eegpt_patterns_said", default=None
)


@contextlib.contextmanager
def patterns_warned_once(said: set[str]) -> Iterator[None]:
    """Inside the block, :func:`warn_loose_patterns` gives each of its warnings once: one whose
    text is in ``said`` is not given again, and ``said`` gets those given (a command's
    recordings, each checked against the same patterns)."""
    token = _PATTERNS_SAID.set(said)
    try:
        yield
    finally:
        _PATTERNS_SAID.reset(token)


#: Characters of regular-expression syntax: a pattern without any is plain text.
_REGEX_SYNTAX = frozenset("\\^$.|?*+()[]{}")


def loose_matches(regex: str, descriptions: Sequence[str], *, classes: bool = True) -> list[str]:
    """The descriptions among ``descriptions`` that the regular expression ``regex`` matches
    (``re.search``: contains) where that looks unmeant, else []: a pattern of digits alone
    (an event code, ``276``) that matches a description other than that number (``32766``,
    which contains it), or, for a class or state (``classes``: one label for all it matches), a
    pattern of plain text (no regex syntax) that matches descriptions differing from each other
    (``EC`` matching ``EC`` and ``ECG``). A pattern that holds regex syntax (``fnsz|gnsz``,
    ``^EC$``) is taken as meant."""
    if not regex or _REGEX_SYNTAX & set(regex):
        return []
    rx = re.compile(regex)
    matched = sorted({str(d) for d in descriptions if rx.search(str(d))})
    if regex.isdigit() and any(d != regex for d in matched):
        return matched
    return matched if classes and len(matched) > 1 else []


def warn_loose_patterns(
    descriptions: Sequence[str], patterns: str | Mapping[str, str] | None, what: str
) -> None:
    """Warn of each pattern of ``patterns`` (``{label: regex}``, or one regex, as
    :func:`label_rule` takes them) that matches ``descriptions`` loosely
    (:func:`loose_matches`), naming the descriptions it matched and the anchored pattern that
    matches the description it is written as only. ``what`` is ``"--marker-spans"`` or
    ``"--window-labels"``, for the command-line form of the suggestion (the Python one is
    given too). The one check of patterns that :func:`markers_to_spans` and
    :func:`window_labels` share."""
    if patterns is None:
        return
    classes = isinstance(patterns, Mapping)
    rules = dict(patterns) if isinstance(patterns, Mapping) else {"": patterns}
    for label, regex in rules.items():
        matched = loose_matches(regex, descriptions, classes=classes)
        if not matched:
            continue
        anchored = f"^{regex}$"
        if classes:
            kind = "state" if what == "--marker-spans" else "class"
            given, fixed = f"{label}={regex}", f"{label}={anchored}"
            python = f"{{{label!r}: {anchored!r}}}"
            whose = f"of the {kind} {label!r} ({what} {shlex.quote(given)})"
            taken = f"all of them are {'markers of' if kind == 'state' else 'labelled'} {label!r}"
        else:
            given, fixed, python = regex, anchored, repr(anchored)
            whose = f"({what} {shlex.quote(given)})"
            taken = "each is a label of its own"
        text = (
            f"The pattern {regex!r} {whose} matches {_descriptions_text(matched)}. A pattern "
            f"matches every description that contains it (re.search), so {taken}. If only "
            f"{regex!r} is meant, anchor the pattern: {what} {shlex.quote(fixed)} ({python} in "
            "Python)"
        )
        said = _PATTERNS_SAID.get()
        if said is not None and text in said:
            continue
        if said is not None:
            said.add(text)
        _warn(text)


def _descriptions_text(matched: Sequence[str]) -> str:
    """``"2 different annotation descriptions: '276', '32766'"``, or for one, ``"the
    annotation description '32766'"``."""
    if len(matched) == 1:
        return f"the annotation description {matched[0]!r}"
    shown = few([repr(d) for d in matched], 8)
    return f"{len(matched)} different annotation descriptions: {shown}"


def same_file(a: Any, b: Any) -> bool:
    """Whether paths ``a`` and ``b`` name one existing file."""
    try:
        return isinstance(a, (str, os.PathLike)) and b is not None and os.path.samefile(a, b)
    except (OSError, TypeError, ValueError):
        return False


def _where(annotations: mne.Annotations, onsets: np.ndarray, length_s: float) -> str:
    """``"They lie from -23:40:00 to -16:10:00, the windows from 0 s to 8:00:00 (from the
    first sample)."``: where annotations lie against the windows."""
    start = float(np.min(annotations.onset))
    end = float(np.max(np.asarray(annotations.onset) + np.asarray(annotations.duration)))
    last = float(np.max(onsets)) + length_s if len(onsets) else 0.0
    return (
        f"They lie from {duration_text(start)} to {duration_text(end)}, the windows from "
        f"{duration_text(float(np.min(onsets)))} to {duration_text(last)} (from the first "
        "sample)."
    )


def is_bad(description: str) -> bool:
    """Whether an annotation marks bad data. MNE's rule: its description starts with ``"bad"``,
    in any case; and the marks of a discontinuity, where a window joins two stretches of signal
    that were never adjacent: EEGLAB's ``boundary`` events (data were cut out; MNE reads them as
    ``"boundary"`` annotations) and BrainVision's ``New Segment`` markers (recording paused and
    resumed; MNE reads ``"New Segment/"``). The one at a file's first sample touches no window:
    a zero-duration annotation at a window's first sample does not count
    (:func:`window_annotations`)."""
    return str(description).lower().startswith("bad") or _is_cut(description)


def mentions_bad(description: str) -> bool:
    """Whether a description mentions "bad" without marking bad data (:func:`is_bad`), as
    ``Comment/BAD_muscle``, a BrainVision marker of type Comment as MNE reads it."""
    return "bad" in str(description).lower() and not is_bad(description)


def rename_to_bad(descriptions: Sequence[str]) -> str:
    """How to rename descriptions that only mention "bad" (:func:`mentions_bad`) so that they
    mark bad data: each from its "bad" on, ``"raw.annotations.rename({'Comment/BAD_muscle':
    'BAD_muscle'})"``."""
    names = {str(d): str(d)[str(d).lower().index("bad") :] for d in descriptions}
    return f"raw.annotations.rename({names!r})"


def _is_cut(description: str) -> bool:
    """An EEGLAB ``boundary`` or a BrainVision ``New Segment`` mark (see :func:`is_bad`)."""
    text = str(description).lower()
    return text == "boundary" or text.startswith("new segment")


def window_annotations(
    annotations: mne.Annotations | None, onsets: np.ndarray, length_s: float
) -> list[list[str]]:
    """The descriptions of the annotations that overlap each window.

    A window ``[onset, onset + length_s)`` holds an annotation that starts before its end and
    ends after its start (MNE's rule for epochs, so that bad windows are the epochs
    ``mne.Epochs(..., reject_by_annotation=True)`` drops). A zero-length event (a stimulus)
    at a window's first sample belongs to that window, as a half-open interval has it; a
    zero-length *bad* annotation there does not (MNE's rule again), nor does a discontinuity
    mark (EEGLAB ``boundary``): the window that starts at it holds contiguous samples.

    Parameters
    ----------
    annotations : mne.Annotations | None
        Onsets in seconds from the recording's first sample (:func:`annotations_of`).
    onsets : ndarray of float64, shape (n_windows,)
        Window starts in seconds, same time base.
    length_s : float
        Window length in seconds.

    Returns
    -------
    list of list of str
        One list per window: the distinct descriptions overlapping it, in annotation order
        (empty lists when ``annotations`` is None or empty).
    """
    onsets = np.asarray(onsets, dtype=np.float64)
    out: list[list[str]] = [[] for _ in range(len(onsets))]
    if annotations is None or len(annotations) == 0 or len(onsets) == 0:
        return out
    starts = np.asarray(annotations.onset, dtype=np.float64)
    durations = np.asarray(annotations.duration, dtype=np.float64)
    # a discontinuity lies between two samples: its mark counts as a point, whatever duration
    # the file gives it (MNE reads a BrainVision marker of size 1 as one sample long), so a
    # window that starts at it holds contiguous samples only
    points = np.array([_is_cut(d) for d in annotations.description], dtype=bool)
    ends = starts + np.where(points, 0.0, durations)
    # zero-length events (not bad, not cuts) also belong to the window that starts at them
    events = (ends == starts) & ~points & ~np.array([is_bad(d) for d in annotations.description])
    order = np.argsort(onsets, kind="stable")
    sorted_onsets = onsets[order]
    for start, end, event, desc in zip(starts, ends, events, annotations.description, strict=True):
        # windows with onset < end (onset <= end for an event) and onset + length > start
        first = np.searchsorted(sorted_onsets, start - length_s, side="right")
        last = np.searchsorted(sorted_onsets, end, side="right" if event else "left")
        for j in order[first:last]:
            if str(desc) not in out[j]:
                out[j].append(str(desc))
    return out


def bad_windows(per_window: Sequence[Sequence[str]]) -> np.ndarray:
    """Boolean mask ``(n_windows,)``: True where a window overlaps a bad annotation."""
    return np.array([any(is_bad(d) for d in descs) for descs in per_window], dtype=bool)


def describe_bad(per_window: Sequence[Sequence[str]], limit: int = 4) -> str:
    """``"BAD_muscle: 10, BAD_eye: 2"``: how many windows each bad description touches (the
    ``limit`` most frequent, then ``"..."``)."""
    counts = Counter(d for descs in per_window for d in descs if is_bad(d))
    parts = [f"{desc}: {n}" for desc, n in counts.most_common(limit)]
    if len(counts) > limit:
        parts.append("...")
    return ", ".join(parts)


@dataclass(frozen=True, eq=False)
class BadSpans:
    """The time spans of a continuous recording under annotations marked bad (:func:`is_bad`),
    and whether the windows over them are left out: what decides about NaN/Inf samples.

    Every window that holds a sample inside such a span overlaps its annotation, so with
    ``reject`` (``reject_by_annotation=True``, ``--reject-by-annotation``) NaN/Inf samples that
    all lie inside the spans reach no kept window: they are filled and the run goes on
    (:func:`eegpt.resampling.fill_nonfinite`). Without ``reject`` they are refused, with the
    option named.

    Parameters
    ----------
    spans : ndarray of float64, shape (n_spans, 2)
        ``[start, end)`` in seconds from the recording's first sample (annotations with a
        duration; discontinuity marks and zero-length ones hold no sample).
    reject : bool
        Whether the windows over the spans are left out.
    misnamed : tuple of (float, float, str)
        ``(start, end, description)`` of the annotations with a duration that mention "bad"
        without marking bad data (:func:`mentions_bad`): not bad spans, but the error about
        NaN/Inf samples inside them says how to rename them.
    """

    spans: np.ndarray
    reject: bool = False
    misnamed: tuple[tuple[float, float, str], ...] = ()

    @classmethod
    def of(
        cls,
        recording: Any,
        extra: str | os.PathLike | mne.Annotations | None = None,
        *,
        reject: bool = False,
        added: mne.Annotations | None = None,
    ) -> BadSpans | None:
        """The bad spans of a continuous recording's own annotations and of ``extra`` (as
        :func:`annotations_per_window` takes it), and the misnamed ones; None for epochs and
        without either.
        A problem with ``extra`` is left to :func:`annotations_per_window` to report (only the
        recording's own annotations count here then); its warnings too.
        ``added``: ``extra`` as :func:`placed_extra` read and placed it already (``extra`` is
        then not read again); callers that also annotate the windows pass it, so that the
        file is read once per recording."""
        if getattr(recording, "is_epoched", False):
            return None
        if added is not None:
            annotations = _joined(getattr(recording, "annotations", None), added)
        else:
            try:
                with ignored_warnings():  # given again when the windows are annotated
                    annotations = with_extra(recording, _to_place(recording, extra))
            except (ValueError, OSError):
                annotations = getattr(recording, "annotations", None)
        if annotations is None:
            return None
        bad = [
            (float(onset), float(onset + duration))
            for onset, duration, desc in zip(
                annotations.onset, annotations.duration, annotations.description, strict=True
            )
            if duration > 0 and is_bad(desc) and not _is_cut(desc)
        ]
        misnamed = tuple(
            (float(onset), float(onset + duration), str(desc))
            for onset, duration, desc in zip(
                annotations.onset, annotations.duration, annotations.description, strict=True
            )
            if duration > 0 and mentions_bad(desc)
        )
        if not bad and not misnamed:
            return None
        return cls(np.array(sorted(bad), dtype=np.float64).reshape(-1, 2), reject, misnamed)

    def inside(self, samples: np.ndarray, sfreq: float) -> np.ndarray:
        """Whether each sample (index from the first sample, at ``sfreq`` Hz) lies inside a
        span, ``start <= index / sfreq < end``: bool array shaped as ``samples``. A rate a
        header rounded (BrainVision's 3906 µs, 256.016 Hz) counts at its nominal rate
        (:func:`eegpt._rates.taken_rate`), the scale of the spans (:func:`annotations_of`)."""
        samples, sfreq = np.asarray(samples), taken_rate(sfreq)
        if not len(self.spans):
            return np.zeros(samples.shape, dtype=bool)
        # first and stop sample of each span (1e-9: a time that is a whole sample, rounded)
        first = np.ceil(self.spans[:, 0] * sfreq - 1e-9)
        stop = np.maximum.accumulate(np.ceil(self.spans[:, 1] * sfreq - 1e-9))  # sorted starts
        at = np.searchsorted(first, samples, side="right") - 1
        return (at >= 0) & (samples < stop[np.maximum(at, 0)])

    def inside_misnamed(self, samples: np.ndarray, sfreq: float) -> tuple[np.ndarray, list[str]]:
        """Whether each sample lies inside a misnamed span (as :meth:`inside`: bool array
        shaped as ``samples``), and the descriptions of the spans that hold any, in order."""
        samples, sfreq = np.asarray(samples), taken_rate(sfreq)
        hit, names = np.zeros(samples.shape, dtype=bool), []
        for start, end, desc in self.misnamed:
            here = (samples >= np.ceil(start * sfreq - 1e-9)) & (
                samples < np.ceil(end * sfreq - 1e-9)
            )
            if here.any():
                hit |= here
                names += [desc] if desc not in names else []
        return hit, names


def _placed(extra: str | os.PathLike | mne.Annotations, recording: Any) -> mne.Annotations:
    """The annotations of ``extra`` (a file, or :class:`mne.Annotations`) in the time base of
    ``recording`` (:func:`in_recording_time`; a discontinuous EDF+D file: gaps left out).
    Those of a file without a start count from the recording file's first sample
    (:func:`file_offset_for`); ``mne.Annotations`` keep MNE's convention. A TUH label file
    naming another recording is warned of (:func:`check_named`), and so are those that start
    before the recording, or in a gap of a discontinuous one (:func:`_warn_off_samples`)."""
    check_named(extra, getattr(recording, "source", None))
    found = read_annotations(extra)
    on_clock = in_recording_time(
        found,
        getattr(recording, "meas_date", None),
        float(getattr(recording, "first_time", None) or 0.0),
        file_offset=file_offset_for(
            extra,
            found,
            getattr(recording, "file_offset", None),
            getattr(recording, "source", "recording"),
        ),
    )
    clock = None if counts_samples(extra) else getattr(recording, "clock", None)
    dated = found.orig_time is not None and not _near_unix_epoch(found.orig_time)
    _warn_off_samples(recording, extra, on_clock, dated, clock)
    return on_clock if clock is None else clock.to_sample_time(on_clock)


def _start_of(recording: Any) -> datetime.datetime | None:
    """The moment of a recording's first sample on its clock (zone-less, as its header keeps
    it), or None where it has no measurement date."""
    meas_date = getattr(recording, "meas_date", None)
    if meas_date is None:
        return None
    if isinstance(meas_date, str):
        meas_date = datetime.datetime.fromisoformat(meas_date)
    first_time = float(getattr(recording, "first_time", None) or 0.0)
    return meas_date.replace(tzinfo=None) + datetime.timedelta(seconds=first_time)


def _moments(times: np.ndarray, start: datetime.datetime | None, dated: bool) -> list[str]:
    """Clock times (s from a recording's first sample's moment) for messages: as date-times
    (``2026-11-04 00:05:00``) for annotations given as date-times on a recording with a
    start ``start``, else in seconds (``"130 s"``)."""
    if dated and start is not None:
        return [_moment_text(start, float(t)) for t in times]
    return [f"{float(t):g} s" for t in times]


def _moment_text(start: datetime.datetime, seconds: float) -> str:
    """``"2026-11-04 00:00:52.5"``: the moment ``seconds`` after ``start``, for messages."""
    moment = start + datetime.timedelta(seconds=seconds)
    text = moment.replace(microsecond=0).isoformat(sep=" ")
    return text + (f"{moment.microsecond / 1e6:.6f}".rstrip("0")[1:] if moment.microsecond else "")


def _starts(n: int) -> str:
    """``"starts"`` for 1, ``"start"`` for more."""
    return "starts" if n == 1 else "start"


def _warn_off_samples(
    recording: Any, extra: Any, on_clock: mne.Annotations, dated: bool, clock: Any
) -> None:
    """Warn of the annotations given (``on_clock``: onsets on the recording's clock, in
    seconds from its first sample's moment) that start before the recording's first sample
    (those that end before it too fall on no window), and of those that start in a gap of a
    recording paused and resumed (``clock``, the :class:`eegpt.edf_files.RecordClock` they
    are placed by; None for annotations that count its samples: :func:`counts_samples`),
    which are placed at the start of the stretch after it. ``dated``: given as date-times,
    named so."""
    onsets = np.asarray(on_clock.onset, dtype=np.float64)
    ends = onsets + np.asarray(on_clock.duration, dtype=np.float64)
    source = getattr(recording, "source", None) or "recording"
    given = f"of the {len(onsets)} annotations given (annotations={_named(extra)})"
    start = _start_of(recording)
    before = np.flatnonzero(onsets < -1e-9)
    if len(before):
        gone = int(np.sum(ends[before] <= 0))
        at = f" (at {start.isoformat(sep=' ', timespec='auto')})" if start is not None else ""
        _warn(
            f"{source}: {given}, {len(before)} {_starts(len(before))} before the recording's "
            f"first sample{at}: "
            f"{few(_moments(onsets[before], start, dated))}; "
            + (
                f"{gone} of them end{'s' if gone == 1 else ''} before it too and fall"
                f"{'s' if gone == 1 else ''} on no window"
                if gone
                else "they count from its first sample on"
            )
        )
    if clock is None:
        return
    in_gap = np.flatnonzero(clock.in_gaps(onsets))
    if not len(in_gap):
        return
    spans = in_gap[ends[in_gap] > onsets[in_gap]]  # events of no duration stay moments
    wholly = spans[clock.to_samples(ends[spans]) <= clock.to_samples(onsets[spans]) + 1e-9]
    _warn(
        f"{source}: {given}, {len(in_gap)} {_starts(len(in_gap))} in a gap of the recording, "
        "where it was "
        f"paused and nothing was recorded: {few(_moments(onsets[in_gap], start, dated))} "
        "(times on its clock); they are placed at the start of the stretch after the gap"
        + (
            f"; {len(wholly)} of them span{'s' if len(wholly) == 1 else ''} nothing but the "
            "gap, so there they last no time: placed at the join as events of no duration "
            f"({few(_moments(onsets[wholly], start, dated))})"
            if len(wholly)
            else ""
        )
    )


def file_offset_for(
    extra: str | os.PathLike | mne.Annotations,
    found: mne.Annotations,
    offset: float | None,
    source: Any,
) -> float:
    """The ``file_offset`` :func:`in_recording_time` gets for the annotations ``found`` in
    ``extra``: ``offset`` (seconds from the recording file's first sample to the recording's
    first sample) for a file of annotations without a start, logged when it is not 0; 0 for
    ``mne.Annotations`` (MNE's convention: onsets from the first sample) and dated ones (not
    those MNE's ``Annotations.save`` dated 1970-01-01 for want of a start: a CSV it wrote is
    read as one without a start, as a hand-written one is)."""
    dated = found.orig_time is not None and not _near_unix_epoch(found.orig_time)
    if not offset or isinstance(extra, mne.Annotations) or dated:
        return 0.0
    _log(
        f"{source}: the onsets of {extra} (no start time) are read as seconds from the "
        f"recording file's first sample; the recording starts {offset:g} s into it (cropped), "
        "so they are moved back by that (give mne.Annotations for onsets from its first sample)"
    )
    return float(offset)


def _to_place(recording: Any, extra: Any) -> str | os.PathLike | mne.Annotations | None:
    """``extra`` where it adds annotations to place on the continuous ``recording``; None
    where it adds none: none given, not a file or ``mne.Annotations`` (refused by the caller),
    or the recording's own file."""
    if not isinstance(extra, (str, os.PathLike, mne.Annotations)) or same_file(
        extra, getattr(recording, "source", None)
    ):
        return None
    return extra


def placed_extra(recording: Any, extra: Any) -> mne.Annotations | None:
    """The annotations ``extra`` adds to ``recording`` (``annotations=``, a manifest's
    ``annotations_file``), read and placed in its time base (:func:`in_recording_time`), for
    both :meth:`BadSpans.of` and :func:`annotations_per_window` (their ``added``), so that a
    recording's file of annotations is read and placed once; None for epochs and where
    ``extra`` adds none (:func:`annotations_per_window` warns or raises for those).

    Raises
    ------
    RecordingError, ValueError, OSError
        If the file cannot be read, or its annotations carry a start and the recording has
        no measurement date to place them against.
    """
    if getattr(recording, "is_epoched", False):
        return None
    extra = _to_place(recording, extra)
    return None if extra is None else _placed(extra, recording)


def with_extra(
    recording: Any,
    extra: str | os.PathLike | mne.Annotations | None,
    *,
    added: mne.Annotations | None = None,
) -> mne.Annotations | None:
    """A continuous recording's own annotations (first-sample time base) and those of the
    file ``extra`` (a hypnogram), placed in that time base (:func:`in_recording_time`):
    one :class:`mne.Annotations` for :func:`window_labels`, or None with neither. Those of
    ``extra`` that start after the recording's end or last far longer than it (onsets in
    another time base: :func:`_outside_text`) are warned of. ``extra`` naming the
    recording's own file is warned of and not read again (its annotations are ``own``,
    read with it: a BIDS recording's file would be opened again with its sidecars).
    ``added``: ``extra`` read and placed already (:func:`placed_extra`), not read again."""
    own = getattr(recording, "annotations", None)
    if extra is not None and same_file(extra, getattr(recording, "source", None)):
        _warn(_own_file_text(recording, extra))
        extra = None
    if extra is None:
        return own
    added = _placed(extra, recording) if added is None else added
    outside = _outside_text(
        added,
        _recording_end(recording, np.zeros(0), 0.0),
        clock=getattr(recording, "clock", None),
        start=_start_of(recording),
    )
    if outside:  # onsets in milliseconds label every window alike, else none
        _warn(_outside_warning(recording, added, extra, outside))
    return _joined(own, added)


def _own_file_text(recording: Any, extra: str | os.PathLike) -> str:
    """The warning for annotations given (``extra``) that are the file of ``recording``
    itself, whose annotations were read with it: they are not read again."""
    return (
        f"{recording.source}: the annotations given (annotations={_named(extra)}) are the "
        "recording's own file, whose annotations are read with it anyway; give the file of "
        "its other annotations (its hypnogram, e.g. *-Hypnogram.edf)"
    )


def _held_none_text(recording: Any, extra: Any) -> str:
    """The warning for annotations given (``extra``) that hold none."""
    return (
        f"{recording.source}: the annotations given (annotations={_named(extra)}) hold "
        "none: not an annotation file, or an empty one?"
    )


def _joined(own: mne.Annotations | None, added: mne.Annotations) -> mne.Annotations:
    """A recording's own annotations and those placed beside them (:func:`_placed`), the
    recording's first: one :class:`mne.Annotations` (onsets in seconds from its first
    sample)."""
    if own is None or not len(own):
        return added
    return mne.Annotations(
        np.concatenate([own.onset, added.onset]),
        np.concatenate([own.duration, added.duration]),
        np.concatenate([own.description, added.description]),
    )


def annotations_per_window(
    recording: Any,
    onsets: np.ndarray,
    length_s: float,
    *,
    extra: str | os.PathLike | mne.Annotations | None = None,
    added: mne.Annotations | None = None,
    states: Mapping[str, str] | None = None,
) -> list[list[str]] | None:
    """The annotation descriptions over each window of a recording, or None if it has none.

    Continuous recordings (:class:`~eegpt.io.Recording` or a streamed one) carry
    ``annotations``: each window ``[onset, onset + length_s)`` gets those that overlap it
    (:func:`window_annotations`). Epoched ones may carry ``epoch_annotations``, one list per
    epoch (:func:`eegpt.io.epoch_annotations`: MNE's per-epoch annotations under the rule MNE
    uses when it cuts epochs).

    ``extra``: annotations kept apart from a continuous recording (a file, such as a
    hypnogram, or ``mne.Annotations``), placed in its time base (:func:`in_recording_time`)
    and listed after its own. ``added``: ``extra`` as :func:`placed_extra` read and placed it
    already (not read again then). ``states``: the state markers of a continuous recording's
    annotations (its own and ``extra``'s) made spans first (:func:`marker_spans_of`,
    ``--marker-spans``), each window getting the spans over it.
    """
    if states and not getattr(recording, "is_epoched", False):
        if extra is not None and not same_file(extra, getattr(recording, "source", None)):
            added = _placed(extra, recording) if added is None else added
            if not len(added):
                _warn(_held_none_text(recording, extra))
        # warned of as without states: the recording's own file given, onsets past its end
        spans = marker_spans_of(recording, with_extra(recording, extra, added=added), states)
        return window_annotations(spans, onsets, length_s)
    per_epoch = getattr(recording, "epoch_annotations", None)
    if per_epoch is not None and extra is None:
        return [list(descs) for descs in per_epoch]
    if getattr(recording, "is_epoched", False) and extra is not None:
        raise ValueError(
            "annotations= applies to continuous recordings; for epochs, add them to the Raw "
            "before cutting the epochs (raw.set_annotations(...))"
        )
    annotations = getattr(recording, "annotations", None)
    own = None if annotations is None else window_annotations(annotations, onsets, length_s)
    if extra is not None and same_file(extra, getattr(recording, "source", None)):
        _warn(_own_file_text(recording, extra))
        extra = None
    if extra is None:
        return own
    added = _placed(extra, recording) if added is None else added
    more = window_annotations(added, onsets, length_s)
    if not len(added):
        _warn(_held_none_text(recording, extra))
    else:
        end_s = _recording_end(recording, onsets, length_s)
        outside = _outside_text(
            added, end_s, clock=getattr(recording, "clock", None), start=_start_of(recording)
        )
        if not any(more):
            _warn(
                f"{recording.source}: none of the {len(added)} annotations given (annotations="
                f"{_named(extra)}) overlaps a window: another recording's, or onsets in another "
                f"time base? {_where(added, onsets, length_s)}"
                + (f" {outside[0].upper()}{outside[1:]}." if outside else "")
            )
        elif outside:  # some over the windows, the others where no recording of it reaches
            _warn(_outside_warning(recording, added, extra, outside))
    if own is None or annotations is None:  # (both None or neither)
        return more
    shared = sorted(
        {str(d) for d in annotations.description}
        & {str(d) for d in added.description if not str(d).lower().startswith("bad")}
    )
    if shared:  # e.g. a hypnogram given for a recording that holds its own
        _warn(
            f"{recording.source}: the recording has annotations of its own named like some "
            f"of those given (annotations={_named(extra)}): {shared[:5]}; both are kept, so a "
            "window may list both (two hypnograms?). Give annotations= only for those the "
            "recording lacks."
        )
    return [a + [d for d in b if d not in a] for a, b in zip(own, more, strict=True)]


#: How many times the recording's length a span given must last to be taken for one in
#: another time base (milliseconds, samples) when it starts inside the recording.
LONG_SPAN_FACTOR = 10.0


def _recording_end(recording: Any, onsets: np.ndarray, length_s: float) -> float:
    """Seconds from a continuous recording's first sample to its end: its samples over its
    rate, else the end of its last window."""
    n_times, sfreq = getattr(recording, "n_times", None), getattr(recording, "sfreq", None)
    if n_times and sfreq:
        return float(n_times) / float(sfreq)
    return float(np.max(onsets)) + length_s if len(onsets) else 0.0


def _outside_text(
    added: mne.Annotations,
    end_s: float,
    slack_s: float = 0.0,
    *,
    clock: Any = None,
    start: datetime.datetime | None = None,
) -> str:
    """Where annotations given for a recording ``end_s`` seconds long (from its first sample)
    lie off it as onsets in another time base put them: ``"3 start after the recording ends
    (the last at 0:50:00, the recording 0:03:00 long); 1 lasts more than 10 times the
    recording (8:20:00)"``; empty where none does. ``slack_s``: how far past ``end_s`` the
    recording may go on where ``end_s`` is only the end of its last window (embeddings, whose
    metadata keep no length; a tail shorter than a window is not embedded), said so then.

    Like is compared with like: with the ``clock`` of a discontinuous EDF+D/BDF+D recording
    (:class:`eegpt.edf_files.RecordClock`), the last onset and the recording's end are given on its
    clock (gaps included), where the annotations were placed; otherwise in seconds from its
    first sample. ``start``: the moment of the first sample, to give both as date-times too."""
    if end_s <= 0:
        return ""
    onset = np.asarray(added.onset, dtype=np.float64)
    duration = np.asarray(added.duration, dtype=np.float64)
    after = onset > end_s + slack_s + 1e-6
    long = ~after & (duration > LONG_SPAN_FACTOR * (end_s + slack_s))
    parts = []
    if after.any():
        last, end = float(onset.max()), end_s
        if clock is not None:  # an onset past the last stretch: its offset into that one
            last, end = (float(t) for t in clock.to_clock([last, end]))
        when = (lambda t: f" ({_moment_text(start, t)})") if start is not None else (lambda t: "")
        length = (
            f"the windows ending at {duration_text(end)}{when(end)}"
            if slack_s
            else f"the recording {duration_text(end)} long{when(end)}"
            if clock is None
            else f"the recording ending at {duration_text(end)}{when(end)}"
        )
        base = (
            "times on the recording's clock from its start, gaps included"
            if clock is not None
            else "seconds from the recording's first sample"
        )
        parts.append(
            f"{int(after.sum())} start{'s' if after.sum() == 1 else ''} after the recording "
            f"ends (the last at {duration_text(last)}{when(last)}, {length}; {base})"
        )
    if long.any():
        parts.append(
            f"{int(long.sum())} last{'s' if long.sum() == 1 else ''} more than "
            f"{LONG_SPAN_FACTOR:g} times the recording (up to "
            f"{duration_text(float(duration[long].max()))})"
        )
    return "; ".join(parts)


def _outside_warning(recording: Any, added: mne.Annotations, extra: Any, outside: str) -> str:
    """The warning that annotations ``added`` from ``extra`` lie off ``recording`` (or the
    recording named so, a string) as :func:`_outside_text` says (``outside``)."""
    source = recording if isinstance(recording, str) else getattr(recording, "source", None)
    read = (
        "Onsets in seconds are read as seconds on the recording's clock from its start (gaps "
        "included), date-times as times on that clock."
        if getattr(recording, "clock", None) is not None
        else "Onsets in seconds are read as seconds from the recording's first sample, "
        "date-times as times on its clock."
    )
    return (
        f"{source or 'recording'}: of the {len(added)} annotations given "
        f"(annotations={_named(extra)}), {outside}: another recording's, or onsets in "
        f"milliseconds or samples? {read}"
    )


@dataclass(eq=False)
class WindowAnnotations:
    """The annotations of the windows that are embedded, and which windows those are.

    Attributes
    ----------
    per_window : list of list of str
        Descriptions over each kept window (see :func:`window_annotations`).
    keep : ndarray of bool, shape (n_windows,) | None
        Which of all the windows are kept; None when all are.
    """

    per_window: list[list[str]]
    keep: np.ndarray | None = None

    @property
    def left_out(self) -> int:
        """How many windows were left out."""
        return 0 if self.keep is None else int((~self.keep).sum())

    def kept(self, values: Sequence[Any]) -> list[Any]:
        """The entries of a per-window list (e.g. epochs' labels) for the kept windows."""
        if self.keep is None:
            return list(values)
        return [v for v, k in zip(values, self.keep, strict=True) if k]


def annotate_windows(
    per_window: list[list[str]] | None,
    source: str,
    *,
    reject: bool = False,
    all_bad: str = "raise",
    verbose: Any = None,
) -> WindowAnnotations | None:
    """Apply ``reject_by_annotation`` to windows with these annotations (None: there are none).

    Without ``reject``, windows over bad annotations are kept and a warning says how many there
    are. With it, they are left out (logged). Descriptions that mention "bad" without starting
    with it (``Comment/BAD_muscle`` from a BrainVision file) are not bad, as in MNE: a warning
    names them.

    Parameters
    ----------
    per_window : list of list of str | None
        :func:`annotations_per_window`.
    source : str
        The recording, for messages.
    reject : bool
        Leave out the windows over bad annotations.
    all_bad : ``"raise"`` | ``"empty"``
        With ``reject``, when every window is bad: raise, or keep none (with a warning).

    Raises
    ------
    RecordingError
        With ``reject`` and ``all_bad="raise"``, when every window overlaps a bad annotation.
    """
    if per_window is None:
        return None
    bad = bad_windows(per_window)
    n, n_bad = len(bad), int(bad.sum())
    _warn_bad_elsewhere(per_window, source)
    if n_bad and not reject:
        _warn(
            f"{source}: {n_bad} of {n} windows overlap annotations marked bad "
            f"({describe_bad(per_window)}); they are embedded like the rest (Embeddings.bad, or "
            "the 'bad' column in Parquet, marks them). Pass reject_by_annotation=True "
            "(--reject-by-annotation) to leave them out."
        )
    if not (reject and n_bad):
        return WindowAnnotations(per_window)
    what = f"{source}: all {n} windows overlap annotations marked bad ({describe_bad(per_window)})"
    if n_bad == n and all_bad == "raise":
        raise RecordingError(f"{what}; nothing is left to embed")
    if n_bad == n:
        _warn(f"{what}; none was embedded")
    else:
        _log(
            f"{source}: left out {n_bad} of {n} windows that overlap annotations marked bad "
            f"({describe_bad(per_window)})",
            verbose,
        )
    kept = [d for d, b in zip(per_window, bad, strict=True) if not b]
    return WindowAnnotations(kept, ~bad)


def _warn_bad_elsewhere(per_window: Sequence[Sequence[str]], source: str) -> None:
    """Warn about descriptions that contain "bad" but do not start with it."""
    hidden = sorted({d for descs in per_window for d in descs if mentions_bad(d)})
    if hidden:
        few = ", ".join(repr(d) for d in hidden[:3]) + (", ..." if len(hidden) > 3 else "")
        _warn(
            f"{source}: {len(hidden)} annotation description(s) mention 'bad' but do not start "
            f"with it ({few}), so they do not mark bad data (MNE's rule); rename them first if "
            "they should, e.g. raw.annotations.rename({'Comment/BAD_muscle': 'BAD_muscle'})"
        )
